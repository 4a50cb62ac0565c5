"""Values of diagrams (SPEC §4): one cumulant factor per part, edges contracted with η.

The un-resummed value ``uvalue(D)`` carries η^order.  With numeric or
landscape statistics it is a number times η^d: the sum, over every assignment
of a coordinate to each edge letter, of the product of the parts' cumulant
entries.  With one-dimensional symbolic statistics it is a product of named
symbols.  With symbolic tensors (``Statistics.symbolic(dim>1)``) it is one
symbol whose name is the Einstein expression, letters being the contracted
indices (indices raised by η).

For the test loss the root is just another singleton ∇^k l, so diagrams that
differ only in which singleton is the root have equal values ("crossing
symmetry"); :func:`value_representative` picks one of them canonically.

>>> from diagrams import parse, Statistics
>>> uvalue(parse("[a:ab][b]"))
G*eta**2*kappa_{1,2}
>>> uvalue(parse("[a][ab][b]"), Statistics.symbolic(dim=2))
G_{a} H_{ab} G_{b}*eta**2
>>> uvalue(parse("[a][b][ab]"), Statistics.symbolic(dim=2)) == _
True
"""

from __future__ import annotations

from itertools import product
from typing import Union

import sympy

from ..core.diagram import EDGE_LETTERS, Diagram
from ..core.observables import LOSS, Observable, as_observable, coordinate
from .statistics import Statistics, cumulant_name

__all__ = ["eta", "uvalue", "value_representative", "Observable", "LOSS", "coordinate", "EinsteinSymbol"]

#: The learning rate (a positive symbol, so limits and powers simplify).
eta = sympy.Symbol("eta", positive=True)


class EinsteinSymbol(sympy.Symbol):
    r"""A tensor contraction written in Einstein notation, as one sympy symbol.

    Its name is the engine's plain text (``'C_{ab} H_{ab}'``: letters are
    contracted indices, a digit is a free index), so it prints, compares and
    pickles like any Symbol of that name; sympy's symbol cache is safe because
    the class carries no extra state.  Only its LaTeX differs: indices become
    Greek letters, raised at their second occurrence (see
    :func:`diagrams.latex.einstein_latex`).

    >>> v = EinsteinSymbol("C_{ab} H_{ab}")
    >>> str(v), v == EinsteinSymbol("C_{ab} H_{ab}")
    ('C_{ab} H_{ab}', True)
    >>> print(sympy.latex(2 * v + 1))
    2 C_{\mu\nu}H^{\mu\nu} + 1
    """

    __slots__ = ()

    def _latex(self, printer) -> str:
        from ..output.latex import einstein_latex

        return einstein_latex(self.name, free_indices=printer._settings.get("free_indices", "upper"))


def root_derivative(observable: Observable, index: tuple[int, ...], stats: Statistics) -> sympy.Expr:
    """∂_I s(θ₀) for the observable s at the root."""
    if observable.kind == "loss":
        return stats.cumulant((index,))
    if observable.kind == "coordinate":
        return sympy.Integer(index == (observable.detail,))
    expr = observable.detail
    if not getattr(stats, "theta0", None):
        raise ValueError("a general observable s(θ) needs statistics from a Landscape (θ₀ must be known)")
    for i in index:
        expr = sympy.diff(expr, stats.params[i])
    return expr.subs(stats.theta0)


def _root_name(observable: Observable, letters: str) -> str:
    """The root factor in Einstein notation (loss or expression observables)."""
    if observable.kind == "loss":
        return _tensor_name(cumulant_name([len(letters)]), [letters])
    return f"s_{{{letters}}}" if letters else "s"


def uvalue(
    diagram: Diagram, stats: Statistics | None = None, observable=LOSS, *, representative: bool = True
) -> sympy.Expr:
    """The value of ``diagram`` with every edge carrying η (SPEC §4).

    For a root-tied diagram the root is ∇^k l_x of the shared training sample,
    so its part is a joint cumulant including the root.  Einstein-notation
    values are written for the crossing-symmetry representative unless
    ``representative=False`` (then the letters are the diagram's own).
    """
    stats = stats or Statistics.symbolic()
    observable = as_observable(observable)
    factor = eta**diagram.order
    if stats.einstein:
        if observable.kind == "coordinate" and diagram.degrees[diagram.root] != 1:
            return sympy.Integer(0)
        return factor * EinsteinSymbol(einstein(diagram, observable))
    total = sympy.Integer(0)
    incident = _incident_edges(diagram)
    for assignment in product(range(stats.dim), repeat=diagram.order):
        term = sympy.Integer(1)
        for part in diagram.parts:
            indices = [tuple(sorted(assignment[e] for e in incident[v])) for v in part]
            if part == (diagram.root,):
                term *= root_derivative(observable, indices[0], stats)
            else:
                term *= stats.cumulant(indices)
            if term == 0:
                break
        total += term
    return sympy.expand(factor * total)


def _incident_edges(diagram: Diagram) -> list[tuple[int, ...]]:
    return [tuple(diagram.children[v]) + ((v,) if v != diagram.root else ()) for v in range(diagram.order + 1)]


def value_representative(diagram: Diagram) -> Diagram:
    """The canonical diagram among those with the same test-loss value.

    The root of the test loss is ∇^k l, a singleton part like any other, so
    re-rooting at any node alone in its part keeps the value; the root of a
    root-tied diagram is one member of a tied part, so re-rooting at another
    member of that part keeps it.  The representative is the smallest
    re-rooted diagram.

    >>> from diagrams import parse
    >>> value_representative(parse("[a][b][ab]")) == value_representative(parse("[a][ab][b]"))
    True
    >>> value_representative(parse("[a][ab:b]")) == value_representative(parse("[a][b:ab]"))
    True
    """
    parts = diagram.parts
    if diagram.is_root_tied:
        candidates = [v for v in parts[-1] if v != diagram.root]
    else:
        candidates = [v for v in range(diagram.order) if len(parts[diagram.part_of[v]]) == 1]
    return min([diagram, *(diagram.rerooted(v) for v in candidates)], key=lambda D: D.sort_key)


def einstein(diagram: Diagram, observable=LOSS, *, representative: bool = True) -> str:
    """The value as an Einstein expression, indices raised by η.

    >>> from diagrams import parse
    >>> einstein(parse("[a][ab:c:d][bcd]"))
    'G_{a} kappa_{c|d|ab} J_{bcd}'
    >>> einstein(parse("[a:b][ab]"))
    'C_{ab} H_{ab}'
    """
    observable = as_observable(observable)
    if observable == LOSS and representative:
        diagram = value_representative(diagram)
    letters = [
        "".join(sorted((EDGE_LETTERS[e] for e in edges), key=EDGE_LETTERS.index))
        for edges in _incident_edges(diagram)
    ]
    if observable.kind == "coordinate":  # θ^μ: the root's one edge carries the free index μ
        (edge,) = _incident_edges(diagram)[diagram.root]
        letters = [ls.replace(EDGE_LETTERS[edge], str(observable.detail)) for ls in letters]
    factors = []
    for part in diagram.parts:
        names = [letters[v] for v in part]
        if part == (diagram.root,):
            if observable.kind != "coordinate":
                factors.append(_root_name(observable, names[0]))
        else:
            names.sort(key=len)
            factors.append(_tensor_name(cumulant_name([len(n) for n in names]), names))
    return " ".join(factors)


def _tensor_name(name: str, node_letters: list[str]) -> str:
    if name == "l":
        return "l"
    if name.startswith("kappa"):
        return "kappa_{" + "|".join(node_letters) + "}"
    return name + "_{" + "".join(node_letters) + "}"

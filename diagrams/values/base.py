"""The valuation protocol: what every kind of statistics answers (SPEC §4, §6).

A diagram's value is one cumulant factor per part, its edges contracted with
η.  *How* a value is written depends on what is known about the landscape,
and that is chosen once, when the statistics are built:

==========================  ======================================  ================================
kind (module)               built by                                a value is
==========================  ======================================  ================================
symbolic (1-D)              ``Statistics.symbolic()``               a product of named symbols
einstein (m-D symbolic)     ``Statistics.symbolic(dim=m)``          a structured Einstein contraction
arrays (numbers)            ``Statistics.numeric(G=..., H=...)``    an exact sum over coordinates
landscape (exact)           ``Landscape(...).statistics(at=...)``   the same, from exact cumulants
eigenbasis (floats)         chosen for resummation at a numeric η   a tensor over eigen-indices
estimated (a model)         ``diagrams.torch.ModelLandscape``       a mean with a standard error
==========================  ======================================  ================================

Every kind is a :class:`Statistics` and answers two questions, in the
diagram's own edge letters: :meth:`~Statistics.value` (the un-resummed
value uvalue(D), carrying η^order) and :meth:`~Statistics.resummed_value`
(Σ over labelled embeddings of the value with a propagator on every edge, for
a :class:`~diagrams.core.propagators.Propagation`).  The series code sums
weights times these and never asks which kind it holds.

>>> from diagrams import parse
>>> uvalue(parse("[a:ab][b]"))
G*eta**2*kappa_{1,2}
>>> uvalue(parse("[a][ab][b]"), Statistics.symbolic(dim=2))
G_{a} H_{ab} G_{b}*eta**2
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

import sympy

from ..core.diagram import Diagram
from ..core.numbers import to_sympy
from ..core.observables import LOSS, Observable, as_observable
from ..core.propagators import Propagation
from ..errors import ResummationError

__all__ = [
    "eta",
    "Statistics",
    "uvalue",
    "value_representative",
    "incident_edges",
    "cumulant_name",
    "canonical_indices",
    "NAMED_CUMULANTS",
    "check_curvature",
]

#: The learning rate (a positive symbol, so limits and powers simplify).
eta = sympy.Symbol("eta", positive=True)

Indices = tuple[tuple[int, ...], ...]

#: Names of the statistics the paper uses, keyed by the sorted node degrees of a part.
NAMED_CUMULANTS: dict[tuple[int, ...], str] = {
    (0,): "l",
    (1,): "G",
    (2,): "H",
    (3,): "J",
    (1, 1): "C",
    (1, 1, 1): "S",
}


def cumulant_name(degrees: Sequence[int]) -> str:
    """The name of the joint cumulant of ∇^k l_x over the given node degrees.

    >>> cumulant_name((1, 1)), cumulant_name((2, 1)), cumulant_name((4,))
    ('C', 'kappa_{1,2}', 'kappa_{4}')
    """
    key = tuple(sorted(degrees))
    return NAMED_CUMULANTS.get(key) or "kappa_{" + ",".join(map(str, key)) + "}"


def canonical_indices(indices: Sequence[Sequence[int]]) -> Indices:
    """Sort each node's indices and the nodes (cumulants are symmetric in both)."""
    return tuple(sorted(tuple(sorted(node)) for node in indices))


def incident_edges(diagram: Diagram) -> list[tuple[int, ...]]:
    """For each node, its edges (an edge is named by its child node): children first, then its own."""
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


def check_curvature(eigenvalues: Sequence[Any], propagation: Propagation, at_eta: float | None) -> None:
    """Refuse a T → ∞ limit that does not exist: the ``eigenvalues`` of H decide.

    The exact form needs 0 < ηλ < 2 for every eigenvalue λ (then
    |1 − ηλ| < 1), the continuous form λ > 0 (H positive definite).  With a
    symbolic η the exact form needs λ > 0 too (it then holds for η < 2/λ_max).
    Symbolic eigenvalues are refused only where sympy can decide that they
    violate the condition.

    >>> from diagrams import Schedule
    >>> check_curvature([-1], Propagation(Schedule.sgd(5), "continuous", limit=True), None)
    Traceback (most recent call last):
    ...
    diagrams.errors.ResummationError: the T → ∞ limit does not exist: eigenvalue 0 of H is -1 (not positive), so SGD does not converge along its eigenvector; the limit needs H positive definite
    """
    if not propagation.limit:
        return
    for k, lam in enumerate(eigenvalues):
        lam = lam if isinstance(lam, sympy.Basic) else to_sympy(lam)
        if lam.is_positive is False:
            raise ResummationError(
                f"the T → ∞ limit does not exist: eigenvalue {k} of H is {lam} (not positive), so SGD does not"
                " converge along its eigenvector; the limit needs H positive definite"
            )
        if propagation.form == "exact" and at_eta is not None and lam.is_number and not float(lam) * at_eta < 2:
            raise ResummationError(
                f"the T → ∞ limit does not exist: η·λ = {at_eta:g}·{float(lam):g} = {at_eta * float(lam):g} ≥ 2"
                f" for eigenvalue {k} of H, so |1 − ηλ| ≥ 1 and SGD diverges; it needs 0 < ηλ < 2 for every"
                " eigenvalue"
            )


class Statistics(ABC):
    """A valuation: the values of diagrams for one kind of statistics at θ₀ (see the module docstring).

    Build one with :meth:`symbolic`, :meth:`numeric` or
    :meth:`diagrams.Landscape.statistics`.
    """

    #: The kinds by name, filled in as their modules define them.
    kinds: ClassVar[dict[str, Callable[..., Statistics]]] = {}  # the classes (their constructors differ)

    dim: int = 1
    #: Sympy parameters and the point θ₀, where a landscape knows them (general observables need them).
    params: tuple[sympy.Symbol, ...] = ()
    theta0: dict | None = None

    def __init_subclass__(cls, kind: str | None = None, **options):
        super().__init_subclass__(**options)
        if kind is not None:
            Statistics.kinds[kind] = cls

    # -- building ---------------------------------------------------------------

    @staticmethod
    def symbolic(dim: int = 1) -> Statistics:
        """Named sympy symbols (``dim=1``) or symbolic tensors in Einstein notation (``dim>1``).

        >>> Statistics.symbolic().cumulant(((0, 0, 0),))
        J
        """
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
            raise ValueError(f"dim must be a positive int, got {dim!r}")
        return Statistics.kinds["symbolic" if dim == 1 else "einstein"](dim)

    @staticmethod
    def numeric(dim: int | None = None, **tensors) -> Statistics:
        """Statistics from numbers: ``l, G, H, J, C, S`` and ``kappa={degrees: array}``.

        An array for node degrees (k₁,…,k_j) (sorted ascending) has k₁+…+k_j
        axes of length ``dim``, the first k₁ for the first node, and so on;
        any array-like works (numpy arrays, nested lists), and in one dimension
        plain numbers do.  Entries may be ints, Fractions, sympy numbers or
        floats.  Shapes, symmetry and finiteness are checked.

        >>> import numpy as np
        >>> st = Statistics.numeric(G=np.array([1, 2]), H=np.eye(2))
        >>> st.cumulant(((1,),)), st.cumulant(((0,), ))
        (2, 1)
        >>> Statistics.numeric(G=2, H=1).dim
        1
        """
        return Statistics.kinds["arrays"](dim, tensors)

    # -- the two questions --------------------------------------------------------

    @abstractmethod
    def value(self, diagram: Diagram, observable: Observable = LOSS) -> Any:
        """uvalue(D): the diagram's value with every edge carrying η (so η^order included)."""

    def resummed_value(self, diagram: Diagram, observable: Observable, propagation: Propagation) -> Any:
        """Σ over labelled embeddings of the value with propagators on the edges (SPEC §6)."""
        raise ResummationError(f"{type(self).__name__} has no resummed values")

    # -- a series' life cycle -------------------------------------------------------

    def prepare(
        self, diagrams: Iterable[Diagram], observable: Observable, propagation: Propagation | None, at_eta: Any
    ) -> Statistics:
        """Check, before any work, that these diagrams can be valued; return the valuation that sums them.

        ``propagation`` is None for a plain series.  Kinds that evaluate a
        resummed series at a numeric η in another basis return that valuation.
        """
        return self

    def term(self, weight: Any, value: Any) -> Any:
        """A series' term, weight · value, in the form :meth:`subtotal` adds (here the pair, multiplied late)."""
        return weight, value

    # A series is summed in two steps, so that a parallel run adds in its workers: each
    # consecutive chunk of terms gives a subtotal, and the subtotals, in chunk order, the
    # total.  Whatever the chunks, the total must be the one of a single chunk.

    def subtotal(self, terms: Iterable[Any], *, plain: bool = False) -> Any:
        """The sum of one chunk of terms, in a form :meth:`total` adds.

        A plain series adds the weights of equal values first (many diagrams
        share a value), multiplies each sum by its value term by term
        (:func:`expanded_product`) and keeps the powers of η apart
        (:class:`PowersOfEta`): far fewer sympy operations than expanding the
        sum.  Expanded polynomials are canonical, so chunks do not change the
        result.
        """
        if not plain:
            return sympy.Add(*(weight * value for weight, value in terms))
        weights: dict[Any, list] = {}
        for weight, value in terms:
            weights.setdefault(value, []).append(weight)
        buckets: dict[int, list] = {}
        for value, found in weights.items():
            rest, power = split_power_of_eta(value)
            buckets.setdefault(power, []).extend(expanded_product(sympy.Add(*found), rest))
        return PowersOfEta({k: [sympy.Add(*terms)] for k, terms in buckets.items()})

    def total(self, subtotals: Iterable[Any], *, plain: bool = False) -> Any:
        """Σ weight · value from the subtotals of consecutive chunks of terms, in order."""
        if not plain:
            return sympy.Add(*subtotals)
        return PowersOfEta.merge(subtotals)

    def finish(self, total: Any, *, plain: bool, at_eta: Any) -> Any:
        """The result a user sees: a plain series grouped by powers of η; evaluated at ``at_eta`` if given.

        At a numeric η the result is a float once no symbol is left, else a
        sympy expression in the remaining symbols.
        """
        if isinstance(total, PowersOfEta):
            total = total.expression()
        elif plain:
            total = sympy.collect(sympy.expand(total), eta)
        if at_eta is None:
            return total
        result = total.xreplace({eta: to_sympy(at_eta, symbols=False)})
        return float(result) if not result.free_symbols else result


def split_power_of_eta(value: sympy.Expr) -> tuple[sympy.Expr, int]:
    """(c, k) with ``value`` = c·η^k and c free of η; a ValueError for any other shape.

    Reads the factors of a product directly (``as_coeff_exponent`` collects
    and is a hundred times slower).

    >>> split_power_of_eta(3 * eta**2 * sympy.Symbol("G"))
    (3*G, 2)
    >>> split_power_of_eta(eta + 1)
    Traceback (most recent call last):
    ...
    ValueError: a plain series term is c·η^k, not eta + 1
    """
    rest, power = [], 0
    for factor in sympy.Mul.make_args(value):
        if factor == eta:
            power += 1
        elif factor.is_Pow and factor.base == eta and factor.exp.is_Integer:
            power += int(factor.exp)
        elif factor.has(eta):
            raise ValueError(f"a plain series term is c·η^k, not {value}")
        else:
            rest.append(factor)
    return sympy.Mul(*rest), power


def expanded_product(polynomial: sympy.Expr, factor: sympy.Expr) -> tuple[sympy.Expr, ...]:
    """The terms of expand(polynomial · factor), without sympy's expand where it is not needed.

    Weights are mostly expanded polynomials and values monomials: their product
    then expands by distributing, a hundred times faster than ``sympy.expand``.

    >>> T, G = sympy.symbols("T G")
    >>> expanded_product(T**2 / 2 - T, 3 * G)
    (3*G*T**2/2, -3*G*T)
    """
    terms = sympy.Add.make_args(polynomial)
    if factor.has(sympy.Add) or any(term.has(sympy.Add) for term in terms):
        return sympy.Add.make_args(sympy.expand(polynomial * factor))
    return tuple(term * factor for term in terms)


class PowersOfEta:
    """A sum kept apart by powers of η, Σ_k η^k·(factor·Σ coefficients_k), until it is shown.

    The coefficients are expanded polynomials, so adding them only merges like
    terms: much cheaper than expanding the whole sum and collecting powers of
    η afterwards, and the same expression.  Scaling by a number or an
    expression (the gap's −1/N) is kept as a factor.
    """

    def __init__(self, buckets: dict[int, list], factor: sympy.Expr = sympy.S.One):
        self.buckets, self.factor = buckets, factor

    def __mul__(self, other: Any) -> PowersOfEta:
        return PowersOfEta(self.buckets, self.factor * other)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> PowersOfEta:
        return PowersOfEta(self.buckets, self.factor / other)

    def __neg__(self) -> PowersOfEta:
        return PowersOfEta(self.buckets, -self.factor)

    def coefficient(self, k: int) -> sympy.Expr:
        """The expanded coefficient of η^k (factor included)."""
        found = sympy.Add(*self.buckets.get(k, ()))
        return found if self.factor == 1 else sympy.Add(*expanded_product(found, self.factor))

    @staticmethod
    def merge(sums: Iterable[PowersOfEta]) -> PowersOfEta:
        """The sum of several sums."""
        buckets: dict[int, list] = {}
        for one in sums:
            for k in one.buckets:
                buckets.setdefault(k, []).append(one.coefficient(k))
        return PowersOfEta(buckets)

    def expression(self) -> sympy.Expr:
        """Σ_k η^k · (the expanded coefficient of η^k)."""
        return sympy.Add(*(eta**k * self.coefficient(k) for k in sorted(self.buckets)))


def uvalue(diagram: Diagram, stats: Statistics | None = None, observable: Any = LOSS) -> Any:
    """The value of ``diagram`` with every edge carrying η (SPEC §4), for ``stats`` (default: 1-D symbols).

    For a root-tied diagram the root is ∇^k l_x of the shared training sample,
    so its part is a joint cumulant including the root.
    """
    stats = stats if stats is not None else Statistics.symbolic()
    return stats.value(diagram, as_observable(observable))

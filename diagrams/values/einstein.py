r"""Symbolic m-dimensional values in Einstein notation (``Statistics.symbolic(dim=m)``).

A diagram's value is a :class:`Contraction`: a product of :class:`TensorFactor`
objects (one per part: ``G, H, J, C, S``, a general cumulant ``kappa``, the
loss ``l`` or an observable ``s`` at the root), each holding one index group
per node of its part.  Letters are the diagram's edge letters, contracted
(each appears twice; indices are raised by η); an integer is a free index
(the coordinate of a displacement θ^μ).  The structure is the data: sympy
sees factors and index groups as ``args``, the LaTeX printer walks them, and
the text form (``'C_{ab} H_{ab}'``) is derived, never parsed back.

For the test loss the value of a plain series is written for the
crossing-symmetry representative (so equal values combine); resummed values
keep the diagram's own letters, and the edge with letter ``a`` carries the
eigenvalue ``lambda_a`` of H (components taken in H's eigenbasis).
:func:`evaluate` turns any such result into a number for given numeric
statistics.

>>> from diagrams import parse
>>> st = Statistics.symbolic(dim=2)
>>> value = st.value(parse("[a][ab:c:d][bcd]"))
>>> value
G_{a} kappa_{c|d|ab} J_{bcd}*eta**4
>>> (contraction,) = value.free_symbols - {eta}
>>> [factor.name for factor in contraction.factors], contraction.factors[1].groups
(['G', 'kappa', 'J'], (('c',), ('d',), ('a', 'b')))
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from itertools import product
from typing import Any, TypeAlias

import mpmath
import numpy as np
import sympy
from sympy.core.symbol import Str

from ..core.diagram import EDGE_LETTERS, Diagram
from ..core.display import show
from ..core.numbers import to_float
from ..core.observables import LOSS, Observable
from ..core.propagators import Propagation
from .base import (
    NAMED_CUMULANTS,
    Statistics,
    cumulant_name,
    eta,
    incident_edges,
    value_representative,
)
from .components import ComponentStatistics

__all__ = [
    "TensorFactor",
    "Contraction",
    "EinsteinStatistics",
    "eigenvalue_symbol",
    "contraction_of",
    "evaluate",
]

#: Tensor names a factor may carry: the named statistics, a general cumulant, an observable's derivative.
TENSOR_NAMES = (*NAMED_CUMULANTS.values(), "kappa", "s")

Token: TypeAlias = str | int


class TensorFactor(sympy.Basic):
    """One tensor of a contraction: a name and, per node of its part, the node's index tokens.

    >>> f = TensorFactor("kappa", [("c",), ("a", "b")])
    >>> f.name, f.groups, str(f)
    ('kappa', (('c',), ('a', 'b')), 'kappa_{c|ab}')
    """

    def __new__(cls, name: str | Str, groups: Iterable[Iterable[Token]]):
        if isinstance(name, Str):  # rebuilt from its own args (pickling, xreplace)
            name = name.name
        if name not in TENSOR_NAMES:
            raise ValueError(f"not an Einstein-notation tensor: {name!r}; expected one of {TENSOR_NAMES}")
        groups = [list(group) for group in groups]
        if name == "l":  # the loss itself: no index at all
            if any(groups):
                raise ValueError("not an Einstein-notation value: the loss l takes no indices")
            groups = []
        encoded = sympy.Tuple(*(sympy.Tuple(*(_token(t) for t in group)) for group in groups))
        if name == "kappa" and not any(len(group) for group in encoded):
            raise ValueError("not an Einstein-notation value: kappa needs indices")
        return super().__new__(cls, Str(name), encoded)

    @property
    def name(self) -> str:
        return self.args[0].name

    @property
    def groups(self) -> tuple[tuple[Token, ...], ...]:
        return tuple(tuple(_plain(t) for t in group) for group in self.args[1])

    def _sympystr(self, printer) -> str:
        groups = ["".join(map(str, group)) for group in self.groups]
        if self.name == "kappa":
            return "kappa_{" + "|".join(groups) + "}"
        text = "".join(groups)
        return self.name + ("_{" + text + "}" if text else "")


def _token(token: Token | sympy.Basic) -> sympy.Basic:
    if isinstance(token, (Str, sympy.Integer)):
        return token
    if isinstance(token, str) and len(token) == 1 and token.isalpha():
        return Str(token)
    if isinstance(token, int) and not isinstance(token, bool) and token >= 0:
        return sympy.Integer(token)
    raise ValueError(f"an index is a letter (contracted) or a non-negative int (free), not {token!r}")


def _plain(token: sympy.Basic) -> Token:
    return token.name if isinstance(token, Str) else int(token)


class Contraction(sympy.Expr):
    """A product of tensor factors with contracted letters: one diagram's value in Einstein notation.

    For sympy it is an atom with itself as its only free symbol (like
    :class:`sympy.Indexed`), so series collect, expand and substitute around it.

    >>> c = contraction_of([("C", ["a", "b"]), ("H", ["ab"])])
    >>> str(c), c.name, c.letters
    ('C_{ab} H_{ab}', 'C_{ab} H_{ab}', ('a', 'b'))
    >>> c == Contraction.from_text("C_{ab} H_{ab}")
    True
    """

    is_commutative = True
    is_Atom = True
    is_symbol = True

    def __new__(cls, *factors: TensorFactor):
        if not all(isinstance(f, TensorFactor) for f in factors):
            raise TypeError("a Contraction is built from TensorFactors; see contraction_of()")
        return super().__new__(cls, *factors)

    @property
    def factors(self) -> tuple[TensorFactor, ...]:
        return self.args

    @property
    def free_symbols(self) -> set[sympy.Basic]:
        return {self}

    @property
    def name(self) -> str:
        """The text form, e.g. ``'G_{a} H_{ab} G_{b}'`` (derived from the structure)."""
        return " ".join(f._sympystr(None) for f in self.factors)

    @property
    def letters(self) -> tuple[str, ...]:
        """The contracted letters in order of first appearance."""
        seen: dict[str, None] = {}
        for factor in self.factors:
            for group in factor.groups:
                for token in group:
                    if isinstance(token, str):
                        seen.setdefault(token)
        return tuple(seen)

    def _sympystr(self, printer) -> str:
        return self.name

    @classmethod
    def class_key(cls):
        return 2, 0, cls.__name__  # printed among the atoms, like a symbol

    def sort_key(self, order=None):
        return self.class_key(), (1, (self.name,)), sympy.S.One.sort_key(), sympy.S.One

    def _latex(self, printer) -> str:
        return show("contraction latex", self, printer)

    def _eval_subs(self, old, new):
        return new if old == self else self

    @classmethod
    def from_text(cls, text: str) -> Contraction:
        """Read the text form (``'G_{a} kappa_{c|d|ab} J_{bcd}'``); a ValueError names what is wrong.

        Named tensors concatenate their nodes' letters, so the groups of
        ``C_{ab}`` are read back as one letter per node (``C`` is a
        covariance of two gradients) and ``H_{ab}`` as one node.
        """
        if not isinstance(text, str):
            raise TypeError(f"from_text takes a str, not {type(text).__name__}")
        factors = []
        for word in text.split(" "):
            match = _FACTOR.fullmatch(word)
            if match is None or match["name"] not in TENSOR_NAMES:
                raise ValueError(f"not an Einstein-notation value: {text!r} (at {word!r})")
            name, indices = match["name"], match["indices"]
            tokens = [[int(t) if t.isdigit() else t for t in _TOKENS.findall(g)] for g in (indices or "").split("|")]
            if name != "kappa":
                (flat,) = tokens
                tokens = _named_groups(name, flat)
            factors.append(TensorFactor(name, tokens))
        return cls(*factors)


_FACTOR = re.compile(r"(?P<name>[A-Za-z]+)(?:_\{(?P<indices>[A-Za-z0-9|]*)\})?")
_TOKENS = re.compile(r"[0-9]+|[A-Za-z]")


def _named_groups(name: str, tokens: list[Token]) -> list[list[Token]]:
    """Split a named tensor's indices into node groups by its node degrees."""
    degrees = {v: k for k, v in NAMED_CUMULANTS.items()}.get(name)
    if degrees is None:  # the observable s: one node
        return [tokens]
    if sum(degrees) != len(tokens):
        raise ValueError(f"not an Einstein-notation value: {name} takes {sum(degrees)} indices, got {len(tokens)}")
    groups, start = [], 0
    for k in degrees:
        groups.append(tokens[start : start + k])
        start += k
    return groups


def contraction_of(factors: Iterable[tuple[str, Sequence[Iterable[Token]]]]) -> Contraction:
    """A Contraction from ``(name, node groups)`` pairs; a group is a string of letters or a sequence of tokens."""
    return Contraction(*(TensorFactor(name, [list(g) for g in groups]) for name, groups in factors))


def eigenvalue_symbol(edge: int | str) -> sympy.Symbol:
    """λ of the eigen-index carried by an edge (its number or letter), in symbolic m-dimensional forms."""
    letter = EDGE_LETTERS[edge] if isinstance(edge, int) else edge
    return sympy.Symbol(f"lambda_{letter}")


# -- the valuation --------------------------------------------------------------------


class EinsteinStatistics(Statistics, kind="einstein"):
    """Symbolic tensors in ``dim`` dimensions: values are Einstein contractions (see the module docstring)."""

    def __init__(self, dim: int):
        self.dim = dim

    def __repr__(self) -> str:
        return f"Statistics.symbolic(dim={self.dim})"

    def __eq__(self, other) -> bool:
        return isinstance(other, EinsteinStatistics) and other.dim == self.dim

    def __hash__(self) -> int:
        return hash(("einstein", self.dim))

    def cumulant(self, indices: Sequence[Sequence[int]]) -> sympy.Symbol:
        """The name of the cumulant of these node degrees, as a symbol (components are not known)."""
        return sympy.Symbol(cumulant_name([len(node) for node in indices]))

    def value(self, diagram: Diagram, observable: Observable = LOSS) -> sympy.Expr:
        contraction = self.contraction(diagram, observable, representative=True)
        return sympy.Integer(0) if contraction is None else eta**diagram.order * contraction

    def resummed_value(self, diagram: Diagram, observable: Observable, propagation: Propagation) -> sympy.Expr:
        """The value in the diagram's own letters times Z(D) with rates η·lambda_<letter>."""
        contraction = self.contraction(diagram, observable, representative=False)
        if contraction is None:
            return sympy.Integer(0)
        rates = [eta * eigenvalue_symbol(e) for e in range(diagram.order)]
        return eta**diagram.order * contraction * propagation.z(diagram, rates)

    @staticmethod
    def contraction(
        diagram: Diagram, observable: Observable = LOSS, *, representative: bool = True
    ) -> Contraction | None:
        """The diagram's contraction (None when it vanishes: a displacement needs a root of degree 1).

        ``representative=True`` writes the test loss's value for the
        crossing-symmetry representative, so that equal values are equal objects.
        """
        if observable.kind == "coordinate" and diagram.degrees[diagram.root] != 1:
            return None
        if observable.is_loss and representative:
            diagram = value_representative(diagram)
        named = [sorted((EDGE_LETTERS[e] for e in edges), key=EDGE_LETTERS.index) for edges in incident_edges(diagram)]
        letters: Sequence[Sequence[Token]] = named
        if observable.kind == "coordinate":  # θ^μ: the root's one edge carries the free index μ
            (edge,) = incident_edges(diagram)[diagram.root]
            letters = [[observable.detail if t == EDGE_LETTERS[edge] else t for t in ls] for ls in letters]
        factors = []
        for part in diagram.parts:
            groups = [letters[v] for v in part]
            if part == (diagram.root,):
                if observable.kind == "coordinate":
                    continue
                name = cumulant_name([len(groups[0])]) if observable.is_loss else "s"
            else:
                groups.sort(key=len)
                name = cumulant_name([len(g) for g in groups])
            factors.append(TensorFactor("kappa" if name.startswith("kappa") else name, groups))
        return Contraction(*factors)


# -- numbers for symbolic results -----------------------------------------------------------

#: Digits kept while evaluating generic eigenbasis forms at coincident eigenvalues.
_PRECISION = 160
#: Size (relative to the spectrum) of the perturbations that separate coincident eigenvalues;
#: edge k is moved by this times √(k-th prime), so no two sums of moved eigenvalues coincide.
_SEPARATION = 30
_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53)


def evaluate(expr: Any, stats: Statistics, values: Mapping[sympy.Symbol, Any] | None = None) -> float:
    r"""The number a symbolic m-dimensional result stands for, given numeric statistics.

    ``expr`` is any result written with :class:`Contraction` values: a plain
    Einstein series, or an eigenbasis resummed form whose edge letters carry
    ``lambda_<letter>``; ``stats`` gives the tensors (``Statistics.numeric``
    or a landscape's statistics, in the same dimension); ``values`` gives
    numbers for every other symbol (η, T, N, …).  The tensors are contracted
    in H's eigenbasis wherever eigenvalue symbols appear (summing over the
    eigen-indices of those letters).  Generic resummed forms divide by
    differences of eigenvalue sums; where eigenvalues coincide these
    (removable) singularities are evaluated as limits, at high precision.

    >>> import numpy as np
    >>> from diagrams import parse
    >>> st = Statistics.symbolic(dim=2)
    >>> numbers = Statistics.numeric(G=np.array([1.0, 2.0]), H=np.diag([1.0, 3.0]))
    >>> evaluate(st.value(parse("[a][ab][b]")), numbers, {eta: 0.5})   # η² GᵀHG = 13/4
    3.25
    """
    if not isinstance(stats, ComponentStatistics):
        raise TypeError("evaluate() needs numeric statistics (Statistics.numeric or a landscape's statistics)")
    numbers = {}
    for symbol, number in dict(values or {}).items():
        if not isinstance(symbol, sympy.Symbol):
            raise TypeError(f"values are keyed by sympy Symbols, not {symbol!r}")
        numbers[symbol] = sympy.Float(to_float(number, str(symbol)))
    if isinstance(expr, (int, float)) and not isinstance(expr, bool):
        return float(expr)
    if not isinstance(expr, sympy.Expr):
        raise TypeError(f"evaluate() takes a sympy expression (a result of the engine), not {type(expr).__name__}")
    cofactors: dict[Contraction | None, list[sympy.Expr]] = {}
    for term in sympy.Add.make_args(expr):
        _split(term, cofactors)
    hessian = np.array([[float(stats.cumulant(((i, j),))) for j in range(stats.dim)] for i in range(stats.dim)])
    spectrum = np.linalg.eigh(hessian)
    total = 0.0
    for contraction, parts in cofactors.items():
        total += _evaluate_group(contraction, sympy.Add(*parts), stats, numbers, spectrum)
    return total


def _split(term: sympy.Expr, cofactors: dict) -> None:
    """File ``term`` under its one contraction as contraction × cofactor (expanding only where needed)."""
    found = [s for s in term.free_symbols if isinstance(s, Contraction)]
    if not found:
        cofactors.setdefault(None, []).append(term)
        return
    if len(found) == 1:
        cofactor, rest = term.as_independent(found[0], as_Add=False)
        if rest == found[0]:
            cofactors.setdefault(found[0], []).append(cofactor)
            return
    expanded = sympy.expand(term)
    if expanded == term:
        raise ValueError(f"not linear in the diagram values: {term}")
    for part in sympy.Add.make_args(expanded):
        _split(part, cofactors)


def _evaluate_group(contraction, cofactor: sympy.Expr, stats, numbers: dict, spectrum) -> float:
    """contraction × cofactor, summed over the eigen-indices of the letters whose eigenvalues appear."""
    eigen = {s: s.name[len("lambda_") :] for s in cofactor.free_symbols if s.name.startswith("lambda_")}
    others = cofactor.free_symbols - set(eigen)
    missing = sorted(str(s) for s in others if s not in numbers)
    if missing:
        raise ValueError(f"give numbers for {', '.join(missing)} (values={{symbol: number}})")
    given = sorted(others, key=sympy.default_sort_key)
    if contraction is None or not eigen:
        scalar = float(cofactor.xreplace({s: numbers[s] for s in given}))
        if contraction is None:
            if eigen:
                raise ValueError(f"eigenvalue symbols without a diagram value in {cofactor}")
            return scalar
        return scalar * float(contraction_tensor(contraction, stats).sum())
    letters = contraction.letters
    unknown = sorted(set(eigen.values()) - set(letters))
    if unknown:
        raise ValueError(f"the eigenvalue symbol lambda_{unknown[0]} names no letter of {contraction}")
    eigenvalues, basis = spectrum
    tensor = contraction_tensor(contraction, stats, basis, set(eigen.values()))
    symbols = sorted(eigen, key=lambda s: letters.index(eigen[s]))
    axes = [letters.index(eigen[s]) for s in symbols]
    # η, T, … stay arguments: substituting floats into the expression would round its
    # coefficients to 15 digits and spoil the cancellations at coincident eigenvalues
    arguments = [numbers[s] for s in given]
    if cofactor.is_polynomial(*symbols):  # no division: floats are exact enough everywhere
        grid = [eigenvalues.reshape([-1 if a == axis else 1 for a in range(len(letters))]) for axis in axes]
        function = sympy.lambdify([*symbols, *given], cofactor, modules="numpy")
        values = function(*grid, *(float(x) for x in arguments))
        return float((tensor * np.broadcast_to(values, tensor.shape)).sum())
    function = sympy.lambdify([*symbols, *given], cofactor, modules="mpmath")
    with mpmath.workdps(_PRECISION):
        fixed = [mpmath.mpf(float(x)) for x in arguments]
        scale = mpmath.mpf(max(1.0, float(np.abs(eigenvalues).max())))
        shifts = [
            scale * mpmath.mpf(10) ** -_SEPARATION * mpmath.sqrt(_PRIMES[k % len(_PRIMES)]) for k in range(len(symbols))
        ]
        total = mpmath.mpf(0)
        for assignment in product(range(stats.dim), repeat=len(letters)):
            entry = tensor[assignment]
            if entry != 0:
                args = [mpmath.mpf(eigenvalues[assignment[axis]]) + shift for axis, shift in zip(axes, shifts)]
                total += mpmath.mpf(entry) * function(*args, *fixed)
        return float(total)


def contraction_tensor(contraction: Contraction, stats, basis: np.ndarray | None = None, rotated=()) -> np.ndarray:
    """The contraction's components as an array over its letters (in order of first appearance).

    Axes of the letters in ``rotated`` are taken in the basis whose columns
    are ``basis`` (H's eigenvectors); free integer indices pick components.
    """
    letters = contraction.letters
    m = stats.dim
    operands, subscripts = [], []
    for factor in contraction.factors:
        groups = factor.groups if factor.name != "l" else [()]
        slots = [t for group in groups for t in group]
        free = [t for t in slots if isinstance(t, str)]
        tensor = np.zeros((m,) * len(free))
        for index in product(range(m), repeat=len(free)):
            it = iter(index)
            numbered = [[next(it) if isinstance(t, str) else t for t in group] for group in groups]
            tensor[index] = float(_component(factor.name, numbered, stats))
        for axis, letter in enumerate(free):
            if letter in rotated and basis is not None:
                tensor = np.moveaxis(np.tensordot(tensor, basis, axes=([axis], [0])), -1, axis)
        operands.append(tensor)
        subscripts.append("".join(_subscript(letters.index(t)) for t in free))
    output = "".join(_subscript(i) for i in range(len(letters)))
    return np.asarray(np.einsum(",".join(subscripts) + "->" + output, *operands))


def _subscript(i: int) -> str:
    return EDGE_LETTERS[i]


def _component(name: str, groups: list[list[int]], stats):
    if name == "s":
        raise ValueError("an observable s(θ) at the root cannot be evaluated from statistics alone")
    return stats.cumulant(groups)

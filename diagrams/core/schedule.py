"""Training schedules and the embedding counts L(D) of SPEC §5.

A :class:`Schedule` fixes N training points, batch size B and E epochs; step
t uses batch t mod M, where M = N/B is the number of steps per epoch, so there
are T = E·M steps.  The grid holds the cells (n, t) with point n in batch t.
A labelled embedding of a diagram maps each non-root node to a cell so that
times increase strictly toward the root (the root sits at time T) and the nodes
of one part share a row n.  :func:`count_embeddings` counts them without ever
visiting a cell.

How the count is computed.  Write a node's time as t = e·M + k with epoch
e ∈ {0…E−1} and batch k ∈ {0…M−1}; the row n of a part lies in batch k = n // B.
So a part chooses a batch k (shared by its nodes) and one of B rows in it, and
each node chooses its own epoch.  A child v at (e_v, k_v) under a parent p at
(e_p, k_p) needs e_v·M + k_v < e_p·M + k_p, that is

    e_v ≤ e_p − [k_v ≥ k_p],

and a child of the root needs nothing (its time is at most T − 1).  Only the
relative order of the parts' batches matters, so sum over the weak orders of
the parts (ordered set partitions into ℓ levels; C(M, ℓ) ways to give the
levels increasing batches).  For each, the epochs are order-preserving maps
into {0…E−1} with strict or weak steps; counting those maps onto exactly j
epochs (w_j, by a tree DP and inclusion–exclusion) gives C(E, j) ways to choose
the epochs.  Hence, with p non-root parts,

    L(D) = B^p · Σ_{ℓ, j} A_{ℓj} · C(M, ℓ) · C(E, j),

where A_{ℓj} ≥ 0 is an integer that depends on the diagram only.  L is thus a
polynomial in M, B and E (:func:`embedding_polynomial`), and
:meth:`Schedule.symbolic` (N = M·B with symbols M, B, E) gives it for every
schedule at once.  For E = B = 1 this is
SPEC's Σ_k w_k·C(T, k); for full-batch GD (M = 1) it is N^p times the number
of strictly order-preserving maps of the nodes into T = E times.

For a root-tied diagram the root is not mapped and its part-mates form an
ordinary part (they share one free row), as the generalization gap needs.

Cost: one pass over the Fubini(p) weak orders of the parts (541 for p = 5,
4683 for p = 6, 47293 for p = 7), cached per diagram; evaluating at a schedule
is a sum of at most (p+1)(d+1) terms, whatever N, B and E are.
"""

from __future__ import annotations

import operator
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, cached_property, lru_cache
from itertools import accumulate
from math import comb, factorial
from typing import Any, TypeAlias

import numpy as np
import sympy

from ..errors import ScheduleError
from .numbers import to_sympy
from .partitions import weak_orders

__all__ = [
    "Schedule",
    "ScheduleError",
    "count_embeddings",
    "scaled_embedding_count",
    "embedding_polynomial",
    "embedding_shape",
]

Size: TypeAlias = int | sympy.Expr  # a positive int, a sympy Symbol, or (N only) a product of Symbols such as M*B


def _size(name: str, value: Any) -> Size:
    """A positive int (sympy and numpy integers are converted) or a sympy Symbol."""
    if isinstance(value, sympy.Symbol):
        if value.is_positive is False or value.is_integer is False:
            raise ScheduleError(f"{name} must be a positive integer, got a symbol declared not so: {value!r}")
        return value
    if isinstance(value, bool):
        raise ScheduleError(f"{name} must be a positive int or a sympy Symbol, got {value!r}")
    try:
        number = operator.index(value)
    except TypeError:
        raise ScheduleError(f"{name} must be a positive int or a sympy Symbol, got {value!r}") from None
    if number < 1:
        raise ScheduleError(f"{name} must be a positive int, got {number}")
    return number


def _training_points(value: object) -> Size:
    """N: like :func:`_size`, but a product of Symbols (times a positive int), such as M*B, is allowed too."""
    if isinstance(value, sympy.Expr) and not isinstance(value, (sympy.Symbol, sympy.Integer)):
        if not _is_monomial(value):
            raise ScheduleError(
                f"N must be a positive int, a sympy Symbol or a product of Symbols such as M*B, got {value!r}"
            )
        for symbol in value.free_symbols:
            _size("N", symbol)
        return value
    return _size("N", value)


def _is_monomial(expr: sympy.Expr) -> bool:
    """Whether ``expr`` is a positive integer times positive integer powers of Symbols (so N/B can be exact).

    >>> M, B = sympy.symbols("M B")
    >>> _is_monomial(2 * M * B**2), _is_monomial(6 / B), _is_monomial(M / 2), _is_monomial(M + 1)
    (True, False, False, False)
    """
    coefficient, rest = to_sympy(expr).as_coeff_Mul()
    if not (coefficient.is_Integer and coefficient > 0):
        return False
    return all(
        isinstance(base, sympy.Symbol) and isinstance(power, sympy.Integer) and power > 0
        for base, power in rest.as_powers_dict().items()
        if base != 1
    )


@dataclass(frozen=True)
class Schedule:
    """N training points, batch size B, E epochs, T = E·N/B steps (SPEC §1).

    Each of N, B, E is a positive int or a sympy Symbol, and B must divide N;
    N may also be a product of Symbols such as M·B.  With symbols, B divides N
    when N/B is such a product (or 1): B = 1 (SGD), B = N (full-batch GD) or
    N = M·B for a symbol M (:meth:`symbolic`: every schedule at once).

    >>> S = Schedule(N=6, B=2, E=3)
    >>> S.T, S.steps_per_epoch, S.is_full_batch
    (9, 3, False)
    >>> T, N = sympy.symbols("T N")
    >>> Schedule.sgd(T)
    Schedule(N=T, B=1, E=1)
    >>> Schedule.gd(N, T).T
    T
    >>> Schedule(N=6, B=4)
    Traceback (most recent call last):
    ...
    diagrams.errors.ScheduleError: B=4 must divide N=6
    """

    N: Size
    B: Size = 1
    E: Size = 1

    def __post_init__(self):
        object.__setattr__(self, "N", _training_points(self.N))
        for name in ("B", "E"):
            object.__setattr__(self, name, _size(name, getattr(self, name)))
        N, B = self.N, self.B
        if isinstance(N, int) and isinstance(B, int):
            if N % B:
                raise ScheduleError(f"B={B} must divide N={N}")
        elif not _is_monomial(N / to_sympy(B)):
            raise ScheduleError(
                f"cannot check that B={B} divides N={N}: with a symbol, N/B must be 1 or a product of "
                "symbols (B = 1, B = N, or N = M*B as in Schedule.symbolic)"
            )

    @classmethod
    def symbolic(cls, M: Size | None = None, B: Size | None = None, E: Size | None = None) -> Schedule:
        """Any schedule: M steps per epoch, batch size B, E epochs, so N = M·B and T = E·M.

        Each argument left out is the Symbol of its name, the same symbols as
        :func:`embedding_polynomial` uses; give an int to fix one of them.

        >>> S = Schedule.symbolic()
        >>> S, S.steps_per_epoch, S.T
        (Schedule(N=B*M, B=B, E=E), M, E*M)
        >>> Schedule.symbolic(B=1)
        Schedule(N=M, B=1, E=E)
        """
        names = dict(zip("MBE", sympy.symbols("M B E")))
        M, B, E = (names[name] if value is None else value for name, value in zip("MBE", (M, B, E)))
        M, B = _size("M", M), _size("B", B)
        return cls(N=M * B, B=B, E=E)

    @classmethod
    def sgd(cls, T: Size) -> Schedule:
        """Single-epoch SGD, one fresh point per step: N = T, B = E = 1.

        >>> Schedule.sgd(5)
        Schedule(N=5, B=1, E=1)
        """
        return cls(N=T, B=1, E=1)

    @classmethod
    def gd(cls, N: Size, T: Size) -> Schedule:
        """Full-batch gradient descent for T steps on N points: B = N, E = T.

        >>> Schedule.gd(N=4, T=10)
        Schedule(N=4, B=4, E=10)
        """
        return cls(N=N, B=N, E=T)

    @cached_property
    def steps_per_epoch(self) -> Size:
        """M = N/B, the number of batches (an int when it is a number)."""
        if isinstance(self.N, int) and isinstance(self.B, int):
            return self.N // self.B
        quotient = self.N / (sympy.Integer(self.B) if isinstance(self.B, int) else self.B)
        return int(quotient) if quotient.is_Integer else quotient

    @property
    def T(self) -> Size | sympy.Expr:
        """Number of steps, E·N/B."""
        return self.E * self.steps_per_epoch

    @property
    def is_single_epoch_sgd(self) -> bool:
        """B = E = 1: a fresh point at every step (T = N)."""
        return self.B == 1 and self.E == 1

    @property
    def is_full_batch(self) -> bool:
        """B = N: gradient descent on the whole training set (T = E)."""
        return self.B == self.N


# -- counting ---------------------------------------------------------------


def count_embeddings(diagram, schedule: Schedule) -> sympy.Expr:
    """L(D): the number of labelled embeddings of ``diagram`` into the grid of ``schedule``.

    Exact, and symbolic when the schedule has symbols; see the module docstring
    for the method.  Works for root-tied diagrams (the root is not mapped).

    >>> from diagrams import parse
    >>> T, N = sympy.symbols("T N")
    >>> count_embeddings(parse("[a][b][ab]"), Schedule.sgd(T))
    T**2
    >>> count_embeddings(parse("[a][ab][b]"), Schedule.sgd(T))
    T**2/2 - T/2
    >>> count_embeddings(parse("[a:b:c][abc]"), Schedule.sgd(T))   # SPEC §5: L = T
    T
    >>> count_embeddings(parse("[a:ab][b]"), Schedule.gd(N, T))     # N · C(T, 2)
    N*T**2/2 - N*T/2
    >>> count_embeddings(parse("[a:b][ab]"), Schedule(N=1000, B=10, E=5))
    25000
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be a Schedule, not {type(schedule).__name__}")
    return scaled_embedding_count(diagram, schedule)


def scaled_embedding_count(diagram, schedule: Schedule, factor: Fraction = Fraction(1), B_power: int = 0) -> sympy.Expr:
    """factor · B^B_power · L(D), expanded, built in one step.

    A series weighs each diagram by (−1/B)^d/|Aut(D)| · L(D): giving that
    factor here folds it into L's integer coefficients instead of rescaling a
    sympy sum twice.  Diagrams share tables, so the results are cached by table.

    >>> from diagrams import parse
    >>> T = sympy.Symbol("T")
    >>> scaled_embedding_count(parse("[a][ab][b]"), Schedule.sgd(T), Fraction(-1, 2))
    -T**2/4 + T/4
    >>> scaled_embedding_count(parse("[a][a]"), Schedule.symbolic(E=1), Fraction(-1), -1)   # −L/B, L = M·B
    -M
    """
    if schedule.E == 1:
        table = _single_epoch_table(diagram.parent, diagram.part_of)
    else:
        table = _level_epoch_table(*embedding_shape(diagram))
    return _evaluate(*table, schedule.steps_per_epoch, schedule.B, schedule.E, factor, B_power)


def embedding_polynomial(diagram) -> sympy.Poly:
    """L(D) as a polynomial in M = N/B, B and E (the gens of the returned Poly).

    Its degree in B is the number of non-root parts, in M at most that, and in
    E at most the order.

    >>> from diagrams import parse
    >>> embedding_polynomial(parse("[a:ab][b]")).as_expr()   # N · C(E, 2), N = M·B
    B*E**2*M/2 - B*E*M/2
    """
    M, B, E = sympy.symbols("M B E")
    return sympy.Poly(_evaluate(*_level_epoch_table(*embedding_shape(diagram)), M, B, E), M, B, E)


def embedding_shape(diagram) -> tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]:
    """What embeddings see of a diagram: its parent pointers and the parts of its non-root nodes.

    For a root-tied diagram the root's part-mates form an ordinary part.

    >>> from diagrams import parse
    >>> embedding_shape(parse("[a:ab][b]")), embedding_shape(parse("[a:ab:b]"))
    (((1, 2), ((0, 1),)), ((1, 2), ((0, 1),)))
    """
    root = diagram.order
    parts = (tuple(v for v in part if v != root) for part in diagram.parts)
    return tuple(diagram.parent), tuple(part for part in parts if part)


@lru_cache(maxsize=1 << 14)  # few tables recur across many diagrams (86 for the 6 685 diagrams of order ≤ 6)
def _evaluate(
    n_parts: int,
    table: tuple[tuple[tuple[int, int], int], ...],
    M,
    B,
    E,
    factor: Fraction = Fraction(1),
    B_power: int = 0,
) -> sympy.Expr:
    """factor · B^(p + B_power) · Σ A_{ℓj} C(M, ℓ) C(E, j), expanded into monomials M^a·E^b·B^k (exact).

    In integers: C(x, k) = Σ_a s(k, a) x^a / k! for a symbol x (s the signed
    Stirling numbers of the first kind), C(x, k) itself for a number, all over
    one common denominator.
    """
    terms, denominator = _monomials(table, M if isinstance(M, int) else None, E if isinstance(E, int) else None)
    numerator, denominator = factor.numerator, factor.denominator * denominator
    power = n_parts + B_power
    if not isinstance(B, int):
        return sympy.Add(*(sympy.Rational(c * numerator, denominator) * M**a * E**b * B**power for (a, b), c in terms))
    if power >= 0:
        numerator *= B**power
    else:
        denominator *= B**-power
    return sympy.Add(*(sympy.Rational(c * numerator, denominator) * M**a * E**b for (a, b), c in terms))


@lru_cache(maxsize=1 << 14)
def _monomials(table, M: int | None, E: int | None) -> tuple[tuple[tuple[tuple[int, int], int], ...], int]:
    """((a, b), numerator) of Σ A_{ℓj} C(M, ℓ) C(E, j) over one denominator; None for a symbolic M or E."""
    top_ell = max((ell for (ell, _), _ in table), default=0)
    top_j = max((j for (_, j), _ in table), default=0)
    den_M = 1 if M is not None else factorial(top_ell)
    den_E = 1 if E is not None else factorial(top_j)
    terms: Counter = Counter()
    for (ell, j), count in table:
        for a, x in _binomial_numerators(M, ell, den_M):
            for b, y in _binomial_numerators(E, j, den_E):
                terms[a, b] += count * x * y
    return tuple((key, c) for key, c in terms.items() if c), den_M * den_E


@cache
def _binomial_numerators(x: int | None, k: int, denominator: int) -> tuple[tuple[int, int], ...]:
    """C(x, k)·denominator as ((power of x, integer coefficient), ...); x None is a symbol."""
    if x is not None:
        return ((0, comb(x, k) * denominator),)
    scale = denominator // factorial(k)
    return tuple((a, s * scale) for a, s in enumerate(_stirling_first(k)) if s)


@cache
def _stirling_first(k: int) -> tuple[int, ...]:
    """Coefficients of the falling factorial x(x−1)…(x−k+1) in powers of x (signed Stirling numbers)."""
    coefficients = [1]
    for i in range(k):  # multiply by (x − i)
        coefficients = [low - i * high for low, high in zip([0, *coefficients], [*coefficients, 0])]
    return tuple(coefficients)


@lru_cache(maxsize=1 << 14)
def _level_epoch_table(
    parent: tuple[int, ...], parts: tuple[tuple[int, ...], ...]
) -> tuple[int, tuple[tuple[tuple[int, int], int], ...]]:
    """(p, A) with L = B^p Σ A[ℓ, j] C(M, ℓ) C(E, j); see the module docstring.

    For every weak order of the parts at once (numpy): its number of levels
    and, per edge, whether the child's epoch must be strictly below its
    parent's (its batch not below the parent's); then the epoch counts per
    distinct pattern.
    """
    d = len(parent)
    heights, levels = _weak_order_arrays(len(parts))
    inner, children, parents = _edge_parts(parent, parts)
    strict = np.ones((len(heights), d), dtype=bool)  # a child of the root: always strict
    if inner:
        strict[:, inner] = levels[:, children] >= levels[:, parents]
    keys = heights.astype(np.int64) << d | (strict.astype(np.int64) << np.arange(d)).sum(axis=1)
    patterns, ways = np.unique(keys, return_counts=True)
    table: Counter = Counter()
    for key, count in zip(patterns.tolist(), ways.tolist()):
        ell, bits = key >> d, key & ((1 << d) - 1)
        pattern = tuple(bool(bits >> v & 1) for v in range(d))
        for j, onto in enumerate(_epoch_surjections(parent, pattern)):
            if onto:
                table[ell, j] += count * onto
    return len(parts), tuple(sorted(table.items()))


def _single_epoch_table(
    parent: tuple[int, ...], part_of: tuple[int, ...]
) -> tuple[int, tuple[tuple[tuple[int, int], int], ...]]:
    """The part of :func:`_level_epoch_table` that one epoch sees (j ≤ 1), counted directly.

    With one epoch every node sits in epoch 0, so an embedding needs every
    child's batch strictly below its parent's (the root aside): A[ℓ, 1] counts
    the weak orders of ℓ levels with no strict edge, and A[0, 0] = 1 for the
    root alone.  Read from the diagram's ``parent`` and ``part_of`` (the root,
    node d, is not mapped; its part-mates form an ordinary part).
    """
    d = len(parent)
    if not d:
        return 0, (((0, 0), 1),)
    label: dict[int, int] = {}
    for part in part_of[:d]:
        label.setdefault(part, len(label))
    below = {(label[part_of[v]], label[part_of[parent[v]]]) for v in range(d) if parent[v] < d}
    return len(label), _levels_below(len(label), tuple(sorted(below)))


@lru_cache(maxsize=1 << 14)  # many diagrams share these constraints (1 100 sets for 6 685 diagrams)
def _levels_below(n_parts: int, below: tuple[tuple[int, int], ...]) -> tuple[tuple[tuple[int, int], int], ...]:
    """((ℓ, 1), count): the weak orders of ``n_parts`` parts with ℓ levels where part a lies strictly
    below part b for every (a, b) in ``below``."""
    heights, levels = _weak_order_arrays(n_parts)
    allowed: np.ndarray | np.bool_ = np.ones(len(heights), dtype=bool)
    if below:
        lower, upper = zip(*below)
        allowed = (levels[:, list(lower)] < levels[:, list(upper)]).all(axis=1)
    counts = np.bincount(heights[allowed], minlength=n_parts + 1)
    return tuple(((ell, 1), int(c)) for ell, c in enumerate(counts.tolist()) if c)


def _edge_parts(parent: tuple[int, ...], parts: tuple[tuple[int, ...], ...]) -> tuple[list[int], list[int], list[int]]:
    """The nodes whose parent is not the root, and for each the part of the node and of its parent."""
    d = len(parent)
    part_of = [0] * d
    for index, part in enumerate(parts):
        for v in part:
            part_of[v] = index
    inner = [v for v in range(d) if parent[v] < d]
    return inner, [part_of[v] for v in inner], [part_of[parent[v]] for v in inner]


@lru_cache(maxsize=16)
def _weak_order_arrays(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The weak orders of range(n) as arrays: heights (number of levels) and levels, one row each."""
    found = weak_orders(n)
    heights = np.array([height for height, _ in found], dtype=np.int64)
    levels = np.array([level for _, level in found], dtype=np.int64).reshape(len(found), n)
    return heights, levels


@lru_cache(maxsize=1 << 14)
def _epoch_surjections(parent: tuple[int, ...], strict: tuple[bool, ...]) -> tuple[int, ...]:
    """w[j]: maps e of the nodes onto {0…j−1} with e_v ≤ e_parent − strict_v, for j = 0…d.

    The root sits above every epoch.  Maps into {0…i−1} number F(i) = Σ_j C(i, j) w[j],
    so w[j] = Σ_i (−1)^{j−i} C(j, i) F(i) (binomial inversion).
    """
    d = len(parent)
    into = [_epoch_maps(parent, strict, i) for i in range(d + 1)]
    return tuple(sum((-1) ** (j - i) * comb(j, i) * into[i] for i in range(j + 1)) for j in range(d + 1))


def _epoch_maps(parent: tuple[int, ...], strict: tuple[bool, ...], epochs: int) -> int:
    """Maps of the nodes into {0…epochs−1} with e_v ≤ e_parent − strict_v (tree DP)."""
    d = len(parent)
    ways = [[1] * epochs for _ in range(d)]  # ways[v][x]: maps of v's subtree with e_v = x
    total = 1
    for v in range(d):  # postorder: children come before their parent
        below = [0, *accumulate(ways[v])]  # below[y] = number with e_v < y
        if parent[v] == d:
            total *= below[epochs]
        else:
            shift = 1 - strict[v]  # e_v ≤ x − strict_v  ⇔  e_v < x + 1 − strict_v
            ways[parent[v]] = [w * below[x + shift] for x, w in enumerate(ways[parent[v]])]
    return total

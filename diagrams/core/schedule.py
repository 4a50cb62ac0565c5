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
polynomial in M, B and E (:func:`embedding_polynomial`).  For E = B = 1 this is
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
from functools import lru_cache
from itertools import accumulate
from math import comb

import sympy

from ..errors import ScheduleError
from .partitions import weak_orders

__all__ = ["Schedule", "ScheduleError", "count_embeddings", "embedding_polynomial"]

Size = int | sympy.Symbol


def _size(name: str, value: object) -> Size:
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


@dataclass(frozen=True)
class Schedule:
    """N training points, batch size B, E epochs, T = E·N/B steps (SPEC §1).

    Each of N, B, E is a positive int or a sympy Symbol, and B must divide N.
    A Symbol is allowed wherever that is decidable: B = 1 (SGD), B = N
    (full-batch GD), or any E.

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
        for name in ("N", "B", "E"):
            object.__setattr__(self, name, _size(name, getattr(self, name)))
        N, B = self.N, self.B
        if B == 1 or B == N:
            return
        if isinstance(N, int) and isinstance(B, int):
            if N % B:
                raise ScheduleError(f"B={B} must divide N={N}")
            return
        raise ScheduleError(f"cannot check that B={B} divides N={N}: with a symbol, B must be 1 or N")

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

    @property
    def steps_per_epoch(self) -> Size:
        """M = N/B, the number of batches."""
        if self.B == self.N:
            return 1
        if self.B == 1:
            return self.N
        return self.N // self.B

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
    return _count_embeddings(diagram, schedule)


@lru_cache(maxsize=1 << 14)
def _count_embeddings(diagram, schedule: Schedule) -> sympy.Expr:
    return _evaluate(*_level_epoch_table(*_shape(diagram)), schedule.steps_per_epoch, schedule.B, schedule.E)


def embedding_polynomial(diagram) -> sympy.Poly:
    """L(D) as a polynomial in M = N/B, B and E (the gens of the returned Poly).

    Its degree in B is the number of non-root parts, in M at most that, and in
    E at most the order.

    >>> from diagrams import parse
    >>> embedding_polynomial(parse("[a:ab][b]")).as_expr()   # N · C(E, 2), N = M·B
    B*E**2*M/2 - B*E*M/2
    """
    M, B, E = sympy.symbols("M B E")
    return sympy.Poly(_evaluate(*_level_epoch_table(*_shape(diagram)), M, B, E), M, B, E)


def _shape(diagram) -> tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]:
    """The data L depends on: parent pointers and the parts of the non-root nodes."""
    root = diagram.order
    parts = (tuple(v for v in part if v != root) for part in diagram.parts)
    return tuple(diagram.parent), tuple(part for part in parts if part)


def _evaluate(n_parts: int, table: dict[tuple[int, int], int], M, B, E) -> sympy.Expr:
    """B^p · Σ A_{ℓj} C(M, ℓ) C(E, j), expanded into monomials M^a·E^b·B^p (exact)."""
    terms: Counter = Counter()
    for (ell, j), count in table.items():
        for a, x in _choose(M, ell).items():
            for b, y in _choose(E, j).items():
                terms[a, b] += count * x * y
    if not isinstance(B, int):
        return sympy.Add(*(sympy.Rational(c) * M**a * E**b * B**n_parts for (a, b), c in terms.items()))
    return sympy.Add(*(sympy.Rational(c * B**n_parts) * M**a * E**b for (a, b), c in terms.items()))


def _choose(x, k: int) -> dict[int, int | Fraction]:
    """C(x, k) as {power of x: coefficient}: a constant for an int x, else a polynomial."""
    return {0: comb(x, k)} if isinstance(x, int) else _binomial_polynomial(k)


@lru_cache(maxsize=None)
def _binomial_polynomial(k: int) -> dict[int, Fraction]:
    """Coefficients of C(x, k) = x(x−1)…(x−k+1)/k! in powers of x."""
    coefficients = [Fraction(1)]
    for i in range(k):  # multiply by (x − i)/(i + 1)
        pairs = zip([0, *coefficients], [*coefficients, 0])  # (coefficient of x^{a−1}, of x^a)
        coefficients = [(low - i * high) / (i + 1) for low, high in pairs]
    return {a: c for a, c in enumerate(coefficients) if c}


@lru_cache(maxsize=1 << 14)
def _level_epoch_table(
    parent: tuple[int, ...], parts: tuple[tuple[int, ...], ...]
) -> tuple[int, dict[tuple[int, int], int]]:
    """(p, A) with L = B^p Σ A[ℓ, j] C(M, ℓ) C(E, j); see the module docstring."""
    d = len(parent)
    part_of = [0] * d
    for index, part in enumerate(parts):
        for v in part:
            part_of[v] = index
    # For each weak order of the parts: its number of levels and, per node, whether
    # its epoch must be strictly below its parent's (batch not below the parent's).
    patterns = Counter()
    edges = [(part_of[v], part_of[parent[v]]) if parent[v] < d else None for v in range(d)]
    for ell, level in weak_orders(len(parts)):
        strict = tuple(edge is None or level[edge[0]] >= level[edge[1]] for edge in edges)
        patterns[ell, strict] += 1
    table = Counter()
    for (ell, strict), ways in patterns.items():
        for j, onto in enumerate(_epoch_surjections(parent, strict)):
            if onto:
                table[ell, j] += ways * onto
    return len(parts), dict(table)


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

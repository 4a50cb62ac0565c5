r"""Propagator sums (SPEC §6): Σ over labelled embeddings of Π_edges q_e^(Δt_e − 1), in closed form.

Resummation gives every edge of a linkless diagram the propagator
(I − ηH)^{Δt−1}η instead of η.  In one dimension, or in an eigenbasis of H
where the edge e carries the eigenvalue λ_e, the sum over the labelled
embeddings f of a diagram D factors as value × Z(D) with

    Z(D) = Σ_f Π_e q_e^{Δt_e − 1},    q_e = 1 − ηλ_e  (with L(D) = Z at q = 1).

A :class:`Propagation` (a schedule and a form) computes Z from the edges'
*rates* r_e = ηλ_e, generically over the number type: sympy expressions
(exact; symbolic η, λ, T) or numpy arrays that broadcast against each other
(floats; one array entry per eigen-assignment of the edges, so a whole
eigenbasis is summed at once).

Closed forms.  When every part's nodes share one time — single-epoch
schedules (E = 1, any batch size; units are parts) — or every node has its
own time — full-batch GD (one batch; units are nodes) — sum over the weak
orders of the units compatible with the tree: levels 1…k at times
t₁ < … < t_k < T.  With gaps g_m = t_{m+1} − t_m ≥ 1 (t_{k+1} = T) and
y_m = Π q_e over the edges spanning gap m,

    Σ_{g ≥ 1, Σg ≤ T} Π y_m^{g_m} = (Π_m y_m) · [1, y₁, …, y_k] t^T,

a divided difference of t ↦ t^T (the generating function is
(1 − z)^{−1} Π y_m z / (1 − y_m z)).  Equal nodes are confluent: derivatives,
never a division by zero.  The continuous form replaces K^{Δt−1} by
exp(−ηHΔt) and sums by integrals (so only strict orders of the units remain:
equal times of different units have measure zero); by the Hermite–Genocchi
formula the integral over the simplex is [0, −a₁, …, −a_k] e^{Tt} with
a_m = Σ ηλ_e over the edges spanning gap m.  As T → ∞ (|y_m| < 1) only the
node 1 (or 0) survives: Π y_m / Π (1 − y_m), or 1 / Π a_m.

Numbers: a divided difference of t^T (or e^{Tt}) is the (k, 0) entry of the
matrix power (exponential) of the lower bidiagonal matrix with the nodes on
its diagonal and ones below it (Opitz's formula), which stays accurate when
nodes coincide; for concrete T ≤ :data:`POLYNOMIAL_STEPS` the exact form is
expanded the same way into a polynomial (no division at all).

Any other concrete schedule is summed exactly by dynamic programming over the
parts' batches and the nodes' epochs (:func:`embedding_sum`).

Reference: C. de Boor, *Divided differences*, Surveys in Approximation Theory 1
(2005) 46–69 (confluent divided differences, Hermite–Genocchi, Opitz's formula).

>>> import sympy
>>> from diagrams import parse, Schedule
>>> q = sympy.Symbol("q")
>>> Propagation(Schedule.sgd(3)).z(parse("[a][a]"), [1 - q])     # Σ_{t<3} q^(3−t−1)
q**2 + q + 1
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import lru_cache, reduce
from itertools import product
from math import factorial
from typing import Any, Callable, Sequence

import numpy as np
import sympy

from .diagram import Diagram
from .partitions import weak_orders
from .schedule import Schedule

__all__ = [
    "FORMS",
    "POLYNOMIAL_STEPS",
    "Propagation",
    "units_of",
    "gap_structures",
    "divided_difference",
    "embedding_sum",
]

FORMS = ("exact", "continuous")

#: Up to this many steps a concrete-T exact closed form is expanded into a polynomial.
POLYNOMIAL_STEPS = 64

Gaps = tuple[tuple[int, ...], ...]  # per gap, the edges (child nodes) spanning it


def units_of(schedule: Schedule) -> str | None:
    """'parts' for single-epoch schedules, 'nodes' for full batch, None otherwise."""
    if schedule.steps_per_epoch == 1:
        return "nodes"
    if schedule.E == 1:
        return "parts"
    return None


@dataclass(frozen=True)
class Propagation:
    """How edges propagate: a schedule, a form (``"exact"`` or ``"continuous"``) and ``limit`` (T → ∞).

    Continuous forms and limits need a single-epoch or full-batch schedule.

    >>> Propagation(Schedule(4, 2, 2), "continuous")
    Traceback (most recent call last):
    ...
    ValueError: continuous forms and T → ∞ limits need a single-epoch or full-batch schedule, not Schedule(N=4, B=2, E=2)
    """

    schedule: Schedule
    form: str = "exact"
    limit: bool = False

    def __post_init__(self):
        if self.form not in FORMS:
            raise ValueError(f"form must be one of {FORMS}, got {self.form!r}")
        if not isinstance(self.limit, bool):
            raise TypeError(f"limit must be True or False, got {self.limit!r}")
        if (self.form == "continuous" or self.limit) and units_of(self.schedule) is None:
            raise ValueError(
                f"continuous forms and T → ∞ limits need a single-epoch or full-batch schedule, not {self.schedule}"
            )

    def z(self, diagram: Diagram, rates: Sequence[Any], *, numeric: bool | None = None) -> Any:
        """Z(D) for the edges' rates ``rates[e]`` = ηλ_e (sympy expressions, or numpy arrays).

        The exact form weighs an edge spanning Δt steps by (1 − r_e)^{Δt−1}, the
        continuous one by e^{−r_e Δt} integrated over times.  ``numeric`` chooses
        float arithmetic (default: when a rate is a float or an array).
        """
        if len(rates) != diagram.order:
            raise ValueError(f"need one rate per edge ({diagram.order}), got {len(rates)}")
        if numeric is None:
            numeric = any(isinstance(r, (np.ndarray, float, np.floating)) for r in rates)
        if numeric:
            return self._sum(diagram, rates, NUMERIC)
        return _exact_sum(self, diagram, tuple(rates))

    def _sum(self, diagram: Diagram, rates: Sequence[Any], arithmetic) -> Any:
        units = units_of(self.schedule)
        if units is None:
            q = [1 - r for r in rates]
            return embedding_sum(diagram, self.schedule, lambda e, dt: q[e] ** (dt - 1), zero=arithmetic.zero)
        T = arithmetic.steps(self.schedule.T)
        total = arithmetic.zero
        for gaps in _structures(diagram, units, self.form):
            if self.form == "exact":
                q = [1 - r for r in rates]
                # Π_e q_e^{Δt_e − 1} = Π_e q_e^{(gaps spanned by e) − 1} · Π_m y_m^{g_m − 1}
                spans = [sum(e in span for span in gaps) for e in range(diagram.order)]
                front = arithmetic.product(q[e] ** (k - 1) for e, k in enumerate(spans))
                ys = [arithmetic.product(q[e] for e in span) for span in gaps]
                if self.limit:
                    total += front / arithmetic.product(1 - y for y in ys)
                else:
                    total += front * arithmetic.power_difference([arithmetic.one, *ys], T)
            else:
                sums = [arithmetic.total(rates[e] for e in span) for span in gaps]
                if self.limit:
                    total += 1 / arithmetic.product(sums)
                else:
                    total += arithmetic.exp_difference([arithmetic.zero, *(-a for a in sums)], T)
        return arithmetic.steps(self.schedule.B) ** _row_parts(diagram) * total


@lru_cache(maxsize=1 << 12)
def _exact_sum(propagation: Propagation, diagram: Diagram, rates: tuple) -> sympy.Expr:
    """:meth:`Propagation.z` in exact arithmetic, remembered (series reuse it across quantities)."""
    return propagation._sum(diagram, rates, SYMBOLIC)


@lru_cache(maxsize=4096)
def gap_structures(diagram: Diagram, units: str) -> tuple[Gaps, ...]:
    """For each weak order of the units compatible with the tree, the edges spanning each gap.

    A unit is a non-root part (``units='parts'``) or a non-root node
    (``'nodes'``).  Unit levels increase strictly from child to parent; a part
    holding an ancestor–descendant pair has no compatible order.

    >>> from diagrams import parse
    >>> gap_structures(parse("[a][b][ab]"), "parts")      # either leaf first, or both at once
    (((0,), (0, 1)), ((1,), (0, 1)), ((0, 1),))
    """
    root = diagram.root
    if units == "parts":
        names = sorted(set(diagram.part_of[:root]))
        index = {p: i for i, p in enumerate(names)}
        unit_of = [index[p] for p in diagram.part_of[:root]]
    else:
        unit_of = list(range(root))
    found = []
    for height, level in weak_orders(len(set(unit_of))):
        node_level = [level[u] for u in unit_of] + [height]  # the root sits above every level
        if any(node_level[v] >= node_level[p] for v, p in diagram.edges):
            continue
        found.append(
            tuple(tuple(v for v, p in diagram.edges if node_level[v] <= m < node_level[p]) for m in range(height))
        )
    return tuple(found)


def _structures(diagram: Diagram, units: str, form: str) -> tuple[Gaps, ...]:
    """The gap structures a form sums over.

    Sums become integrals in the continuous form, where different units at one
    time are a set of measure zero: only strict orders of the units (one unit
    per level) remain.
    """
    found = gap_structures(diagram, units)
    if form == "exact":
        return found
    count = _row_parts(diagram) if units == "parts" else diagram.order
    return tuple(gaps for gaps in found if len(gaps) == count)


def _row_parts(diagram: Diagram) -> int:
    """How many parts the non-root nodes form; each chooses one of B rows in its batch."""
    return len(set(diagram.part_of[: diagram.root]))


# -- arithmetic: exact (sympy) and numeric (numpy arrays) ------------------------------


def divided_difference(nodes: Sequence[Any], function: Callable[[sympy.Expr], sympy.Expr]) -> sympy.Expr:
    """[x₀, …, x_k] f for sympy nodes, confluent where nodes are equal.

    For distinct groups x with multiplicity m: Σ (1/(m−1)!) ∂^{m−1}/∂t^{m−1}
    [f(t) / Π_{other groups y} (t − y)^{m_y}] at t = x.  Nodes are ints or sympy
    expressions (text is refused).

    >>> t, T = sympy.symbols("t T")
    >>> divided_difference([1, 1, 1], lambda t: t**T)        # f''(1)/2 = C(T, 2)
    T*(T - 1)/2
    >>> sympy.simplify(divided_difference([2, 3], lambda t: t**2) - 5)
    0
    """
    groups: dict[sympy.Expr, int] = {}
    representatives: dict[sympy.Expr, sympy.Expr] = {}
    for x in nodes:
        x = _node(x)
        key = sympy.expand(x)
        representatives.setdefault(key, x)
        groups[key] = groups.get(key, 0) + 1
    by_node = {representatives[key]: m for key, m in groups.items()}
    t = sympy.Dummy("t")
    total = sympy.Integer(0)
    for x, m in by_node.items():
        rest = sympy.Integer(1)
        for y, my in by_node.items():
            if y != x:
                rest *= (t - y) ** my
        expr = function(t) / rest
        if m > 1:
            expr = sympy.diff(expr, t, m - 1) / factorial(m - 1)
        total += expr.subs(t, x)
    return sympy.factor_terms(total)


def _node(x: Any) -> sympy.Expr:
    if isinstance(x, sympy.Expr):
        return x
    if isinstance(x, int) and not isinstance(x, bool):
        return sympy.Integer(x)
    raise TypeError(f"a divided difference's nodes are ints or sympy expressions, not {type(x).__name__} {x!r}")


class _Symbolic:
    """Exact arithmetic on sympy expressions."""

    zero, one = sympy.Integer(0), sympy.Integer(1)

    @staticmethod
    def steps(count) -> sympy.Expr:
        return sympy.Integer(count) if isinstance(count, int) else count

    @staticmethod
    def product(items) -> sympy.Expr:
        return sympy.Mul(*items)

    @staticmethod
    def total(items) -> sympy.Expr:
        return sympy.Add(*items)

    @staticmethod
    def power_difference(nodes, T) -> sympy.Expr:
        """[nodes] t^T: a polynomial (Opitz) for concrete T ≤ POLYNOMIAL_STEPS, else confluent differences."""
        if T.is_Integer and T <= POLYNOMIAL_STEPS:
            symbols = sorted(set().union(*(x.free_symbols for x in nodes)), key=sympy.default_sort_key)
            if not symbols:
                symbols = [sympy.Dummy("x")]
            polys = [sympy.Poly(x, *symbols) for x in nodes]
            vector = [polys[0].one] + [polys[0].zero] * (len(nodes) - 1)
            for _ in range(int(T)):
                vector = [polys[i] * vector[i] + (vector[i - 1] if i else polys[i].zero) for i in range(len(nodes))]
            return vector[-1].as_expr()
        return divided_difference(nodes, lambda t: t**T)

    @staticmethod
    def exp_difference(nodes, T) -> sympy.Expr:
        return divided_difference(nodes, lambda t: sympy.exp(T * t))


class _Numeric:
    """Float arithmetic on numpy arrays that broadcast (one entry per eigen-assignment)."""

    zero, one = 0.0, 1.0

    @staticmethod
    def steps(count) -> int:
        if not isinstance(count, int):
            raise ValueError(f"numeric evaluation needs a concrete schedule (integers N, B, E), got T = {count}")
        return count

    @staticmethod
    def product(items):
        return reduce(operator.mul, items, 1.0)

    @staticmethod
    def total(items):
        return reduce(operator.add, items, 0.0)

    @staticmethod
    def power_difference(nodes, T: int):
        """(k, 0) entry of the T-th power of the bidiagonal matrix of the nodes, entrywise."""
        return np.linalg.matrix_power(_bidiagonal(nodes), T)[..., -1, 0]

    @staticmethod
    def exp_difference(nodes, T: int):
        return _expm(T * _bidiagonal(nodes))[..., -1, 0]


SYMBOLIC, NUMERIC = _Symbolic(), _Numeric()


def _bidiagonal(nodes) -> np.ndarray:
    """Stacked lower bidiagonal matrices: the nodes (arrays that broadcast) on the diagonal, ones below."""
    arrays = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in nodes))
    k = len(arrays)
    matrix = np.zeros(arrays[0].shape + (k, k))
    for i, x in enumerate(arrays):
        matrix[..., i, i] = x
        if i:
            matrix[..., i, i - 1] = 1.0
    return matrix


def _expm(matrix: np.ndarray) -> np.ndarray:
    """exp of stacked small matrices by scaling and squaring with a Taylor polynomial."""
    norm = float(np.abs(matrix).sum(axis=-1).max()) if matrix.size else 0.0
    squarings = max(0, int(np.ceil(np.log2(norm))) + 1) if norm > 0 else 0
    scaled = matrix / 2.0**squarings
    result = term = np.broadcast_to(np.eye(matrix.shape[-1]), matrix.shape).copy()
    for n in range(1, 30):
        term = term @ scaled / n
        result = result + term
    for _ in range(squarings):
        result = result @ result
    return result


# -- any concrete schedule ------------------------------------------------------------------


def embedding_sum(diagram: Diagram, schedule: Schedule, weight: Callable[[int, int], Any], *, zero: Any = 0):
    """Σ over labelled embeddings of Π_edges weight(e, Δt_e), for a concrete schedule.

    Exact dynamic programming: for every assignment of batches to the
    non-root parts, a tree recursion over the nodes' epochs.  ``weight`` may
    return sympy expressions, floats or arrays.  With ``weight = 1`` this is L(D).

    >>> from diagrams import parse, count_embeddings
    >>> D, S = parse("[a:b][ab]"), Schedule(4, 2, 2)
    >>> embedding_sum(D, S, lambda e, dt: 1) == count_embeddings(D, S)
    True
    """
    M, B, E, T = schedule.steps_per_epoch, schedule.B, schedule.E, schedule.T
    if not all(isinstance(x, int) for x in (M, B, E)):
        raise ValueError("this sum needs a concrete schedule (integers N, B, E)")
    root = diagram.root
    parts = [part for part in diagram.parts if root not in part]
    tied = [v for v in diagram.parts[-1] if v != root]
    if tied:
        parts.append(tuple(tied))
    part_index = {v: i for i, part in enumerate(parts) for v in part}
    total = zero
    for batches in product(range(M), repeat=len(parts)):
        times = {v: [e * M + batches[part_index[v]] for e in range(E)] for v in range(root)}
        ways: dict[int, dict[int, Any]] = {}
        for v in range(root):  # postorder: children first
            table = {}
            for t in times[v]:
                value = 1
                for c in diagram.children[v]:
                    value = value * sum((weight(c, t - tc) * w for tc, w in ways[c].items() if tc < t), zero)
                table[t] = value
            ways[v] = table
        value = 1
        for c in diagram.children[root]:
            value = value * sum((weight(c, T - tc) * w for tc, w in ways[c].items()), zero)
        total = total + value
    return total * B ** len(parts)

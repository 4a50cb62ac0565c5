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

**Any schedule** (several epochs and several batches) is summed by
:func:`embedding_sum`, in closed form at a cost independent of E and M.

Derivation.  Write a node's time as t = e·M + k (epoch e ∈ {0…E−1}, batch
k ∈ {0…M−1}); the root sits at epoch E, batch 0.  A part chooses a batch and
one of its B rows (the factor B^p, p parts); each node chooses its epoch.  For
an edge from v up to its parent u let s_v = [k_v ≥ k_u] (s_v = 1 below the
root).  Then t_v < t_u ⇔ e_v ≤ e_u − s_v, and the exponent splits into two
non-negative parts (k_u > k_v where s_v = 0, and k_v ≤ M − 1),

    Δt − 1 = M·(e_u − e_v − s_v) + (s_v·M + k_u − k_v − 1),

so q^{Δt−1} = y^{e_u − e_v − s_v} · q^{s_v·M + k_u − k_v − 1} with y = q^M.  The
batch factor depends only on the parts' batches, the epoch factor only on the
nodes' epochs and the pattern s.  Sum over the weak orders W of the parts
(their batches' relative order, which fixes s) and, for each s, over the weak
orders of the nodes compatible with it (level(v) < level(u) where s_v = 1,
≤ where s_v = 0; the root above all):

    Z = B^p Σ_W batch(W) · Σ_{W′ compatible with s(W)} epoch(W′).

Each factor is a "levels with gaps" sum.  Levels 1…ℓ take strictly increasing
values c₁ < … < c_ℓ in {0…R−1} (R = M for batches, E for epochs).  Name the
gaps G₀ = c₁ ≥ 0, G_j = c_{j+1} − c_j ≥ 1 (0 < j < ℓ), G_ℓ = R − 1 − c_ℓ ≥ 0;
they sum to R − 1.  Every edge's exponent is Σ_{j ∈ S_v} G_j + a_v for a span
S_v of gaps and a constant a_v:

    batches, u the root:      S = [L(v), ℓ],                       a = 0   (M − 1 − k_v)
    batches, L(v) < L(u):     S = [L(v), L(u) − 1],                a = −1  (k_u − k_v − 1)
    batches, L(v) ≥ L(u):     S = [0, L(u) − 1] ∪ [L(v), ℓ],       a = 0   (M + k_u − k_v − 1)
    epochs,  u the root:      S = [L(v), ℓ],                       a = 0   (E − 1 − e_v)
    epochs,  otherwise:       S = [L(v), L(u) − 1],                a = −s_v

(L = level, the levels of the parts for batches and of the nodes for
epochs).  With G′_j = G_j − [0 < j < ℓ] ≥ 0, which sum to R − ℓ, and the
edge's base x_v (q_v for batches, y_v for epochs),

    Σ Π_v x_v^{exponent_v} = Π_v x_v^{a_v + |S_v ∩ (0, ℓ)|} · h_{R−ℓ}(z₀, …, z_ℓ),
    z_j = Π_{v : j ∈ S_v} x_v,

with h_n the complete homogeneous symmetric polynomial; h_{R−ℓ}(z₀…z_ℓ) =
[z₀, …, z_ℓ] t^R, a divided difference of t ↦ t^R (zero when R < ℓ).  Every
front exponent is ≥ 0 and every z_j a product of bases: no division, no
negative power.  At q = 1 each factor is a binomial, [1, …, 1] t^R = C(R, ℓ),
which gives the count of :mod:`diagrams.core.schedule`.

Divided differences.  Floats: Opitz's formula, the (ℓ, 0) entry of Z^R for
Z lower bidiagonal with the nodes on its diagonal and ones below it, as a
batched matrix power (O(log R) products; accurate when nodes coincide; no
cancellation when every q ≥ 0, i.e. ηλ ≤ 1, for then every entry is a sum of
non-negative terms; a negative q gives alternating terms, and relative
accuracy is lost where they cancel).  Exact: when all q are rational and the
schedule concrete, the same matrix power in Python fractions; for nodes
polynomial in some symbols, the expanded polynomial h_{R−ℓ} when it is small
(``POLYNOMIAL_TERMS``); else, and for a symbolic R (then M, B, E may be
symbols and Z is general), the confluent closed form
Σ_x (1/(m−1)!) ∂^{m−1}/∂t^{m−1} [t^R / Π_{y≠x} (t − y)^{m_y}] at t = x, grouping
nodes that are equal as expressions.  That is a rational function: values of
the symbols that make two different nodes equal are removable singularities.

Cost: Fubini(p) weak orders of the parts, and per strictness pattern the
compatible weak orders of the d nodes, each with one divided difference on at
most d + 1 nodes (sums with equal gaps share it); the structures are cached
per diagram.  Nothing grows with M or E but the O(log R) matrix products (and,
in exact arithmetic, the size of the numbers); float arrays multiply the cost
by their broadcast size.

Reference: C. de Boor, *Divided differences*, Surveys in Approximation Theory 1
(2005) 46–69 (confluent divided differences, Hermite–Genocchi, Opitz's formula).

>>> import sympy
>>> from diagrams import parse, Schedule
>>> q = sympy.Symbol("q")
>>> Propagation(Schedule.sgd(3)).z(parse("[a][a]"), [1 - q])     # Σ_{t<3} q^(3−t−1)
q**2 + q + 1
"""

from __future__ import annotations

import math
import operator
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache, reduce
from itertools import product
from typing import Any, Literal

import numpy as np
import sympy

from .diagram import Diagram
from .partitions import weak_orders
from .schedule import Schedule, embedding_shape

__all__ = [
    "FORMS",
    "POLYNOMIAL_STEPS",
    "POLYNOMIAL_TERMS",
    "Propagation",
    "units_of",
    "gap_structures",
    "divided_difference",
    "power_divided_difference",
    "embedding_sum",
    "weighted_embedding_sum",
]

FORMS = ("exact", "continuous")

#: Up to this many steps an exact divided difference of t^T at symbolic nodes is expanded into a polynomial…
POLYNOMIAL_STEPS = 64
#: …and beyond, while the polynomial h_{T−k} has at most this many terms (C(T, k)); else it is a closed form.
POLYNOMIAL_TERMS = 2000

#: Largest float stack (number of matrix entries) one batched matrix power handles at once.
_STACK_ENTRIES = 1 << 22

Gaps = tuple[tuple[int, ...], ...]  # per gap, the edges (child nodes) spanning it
# (front exponent per edge, edges whose base multiplies each gap's node): one levels-with-gaps sum
Levels = tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]


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
            return self._sum(diagram, rates, FLOAT)
        return _exact_sum(self, diagram, tuple(rates))

    def _sum(self, diagram: Diagram, rates: Sequence[Any], arithmetic: _Exact | _Float) -> Any:
        units = units_of(self.schedule)
        if units is None:
            return embedding_sum(diagram, self.schedule, [1 - r for r in rates], arithmetic.name)
        T = arithmetic.constant(self.schedule.T)
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
        return arithmetic.constant(self.schedule.B) ** _row_parts(diagram) * total


@lru_cache(maxsize=1 << 12)
def _exact_sum(propagation: Propagation, diagram: Diagram, rates: tuple) -> sympy.Expr:
    """:meth:`Propagation.z` in exact arithmetic, remembered (series reuse it across quantities)."""
    return propagation._sum(diagram, rates, EXACT)


# -- single epoch and full batch: weak orders of the units -------------------------------


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


# -- any schedule: batches and epochs --------------------------------------------------------


def embedding_sum(diagram: Diagram, schedule: Schedule, q: Sequence, arithmetic: Literal["exact", "float"] = "exact"):
    """Z(D) = Σ over labelled embeddings of Π_e q[e]^{Δt_e − 1}, in closed form, for any schedule.

    ``q[e]`` belongs to the edge above node e.  ``arithmetic='exact'``: ints,
    Fractions or sympy expressions, and a sympy result (the schedule may hold
    symbols).  ``'float'``: numbers or numpy arrays that broadcast against
    each other, and a numpy result of their broadcast shape (the schedule must
    be concrete).  The cost grows with the diagram only, not with E or M.

    >>> from diagrams import parse, count_embeddings
    >>> q = sympy.Symbol("q")
    >>> D = parse("[a:b][ab]")
    >>> embedding_sum(D, Schedule(4, 2, 1), [1, 1]) == count_embeddings(D, Schedule(4, 2, 1))
    True
    >>> sympy.expand(embedding_sum(parse("[a][a]"), Schedule(2, 1, 2), [q]))   # Δt − 1 = 3, 2, 1, 0
    q**3 + q**2 + q + 1
    >>> float(embedding_sum(parse("[a][a]"), Schedule(10**6, 1, 10**12), [0.5], "float"))   # Σ_k 0.5^k
    2.0
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be a Schedule, not {type(schedule).__name__}")
    if arithmetic not in ARITHMETICS:
        raise ValueError(f"arithmetic must be 'exact' or 'float', got {arithmetic!r}")
    rules = ARITHMETICS[arithmetic]
    if len(q) != diagram.order:
        raise ValueError(f"q needs one number per edge: {diagram.order} for {diagram}, got {len(q)}")
    M, B, E = schedule.steps_per_epoch, schedule.B, schedule.E
    if arithmetic == "float" and not all(isinstance(x, int) for x in (M, B, E)):
        raise ValueError(f"float arithmetic needs a concrete schedule, not {schedule}")
    q = [rules.number(x, f"q[{e}]") for e, x in enumerate(q)]
    rational = arithmetic == "exact" and all(x.is_Rational for x in q) and all(isinstance(x, int) for x in (M, B, E))
    if rational:  # the same sum in Python fractions, much faster than sympy numbers
        rules, q = RATIONAL, [Fraction(int(x.p), int(x.q)) for x in q]
    y = [x**M for x in q]
    parent, parts = embedding_shape(diagram)
    batches = _batch_structures(parent, parts)
    patterns = sorted({strict for strict, _ in batches})
    epochs = [_epoch_structures(parent, strict) for strict in patterns]
    batch_values = _level_sums([levels for _, levels in batches], q, M, rules)
    epoch_values = iter(_level_sums([levels for group in epochs for levels in group], y, E, rules))
    epoch_total = {strict: sum((next(epoch_values) for _ in group), 0) for strict, group in zip(patterns, epochs)}
    total = sum((value * epoch_total[strict] for (strict, _), value in zip(batches, batch_values)), 0)
    total = rules.constant(B) ** len(parts) * total
    return sympy.Rational(total.numerator, total.denominator) if rational else total


def _levels(ell: int, spans: Sequence[Sequence[int]], shifts: Sequence[int]) -> Levels:
    """The levels-with-gaps sum whose edge v has exponent Σ_{j ∈ spans[v]} G_j + shifts[v]."""
    front = tuple(shift + sum(0 < j < ell for j in span) for span, shift in zip(spans, shifts))
    gaps = tuple(tuple(v for v, span in enumerate(spans) if j in span) for j in range(ell + 1))
    return front, gaps


@lru_cache(maxsize=1 << 12)
def _batch_structures(
    parent: tuple[int, ...], parts: tuple[tuple[int, ...], ...]
) -> tuple[tuple[tuple[bool, ...], Levels], ...]:
    """Per weak order of the parts: the strictness pattern s and its batch sum."""
    d = len(parent)
    part_of = [0] * d
    for index, part in enumerate(parts):
        for v in part:
            part_of[v] = index
    found = []
    for ell, order in weak_orders(len(parts)):
        level = [order[part_of[v]] + 1 for v in range(d)]
        edges = [_batch_edge(level[v], level[u] if u < d else 0, ell) for v, u in enumerate(parent)]
        strict, spans, shifts = zip(*edges) if edges else ((), (), ())
        found.append((strict, _levels(ell, spans, shifts)))
    return tuple(found)


def _batch_edge(child: int, parent: int, ell: int) -> tuple[bool, Sequence[int], int]:
    """(s, span, shift) of an edge whose nodes' parts sit on levels ``child``, ``parent`` (0: the root)."""
    if 0 < parent and child < parent:  # k_u − k_v − 1
        return False, range(child, parent), -1
    return True, [*range(parent), *range(child, ell + 1)], 0  # M + k_u − k_v − 1, with k = 0 at the root


@lru_cache(maxsize=1 << 12)
def _epoch_structures(parent: tuple[int, ...], strict: tuple[bool, ...]) -> tuple[Levels, ...]:
    """The epoch sums, one per weak order of the nodes compatible with the pattern ``strict``."""
    d = len(parent)
    found = []
    for ell, level in _node_orders(parent, strict):
        spans = [range(level[v], ell + 1 if u == d else level[u]) for v, u in enumerate(parent)]
        shifts = [0 if u == d else -strict[v] for v, u in enumerate(parent)]
        found.append(_levels(ell, spans, shifts))
    return tuple(found)


def _node_orders(parent: tuple[int, ...], strict: tuple[bool, ...]) -> list[tuple[int, tuple[int, ...]]]:
    """(ℓ, levels 1…ℓ of the nodes) with level(v) < level(parent) where strict, ≤ elsewhere.

    Built from the top level down: a level is a non-empty set of the nodes
    left whose parents are placed above or sit in the same level by a weak edge.

    >>> _node_orders((1, 2), (False, True))    # a chain whose lower edge is weak: level with, or below
    [(1, (1, 1)), (2, (1, 2))]
    """
    d = len(parent)
    found = []

    def extend(rest: frozenset[int], layers: list[frozenset[int]]):
        if not rest:
            level = [0] * d
            for depth, layer in enumerate(layers):
                for v in layer:
                    level[v] = len(layers) - depth
            found.append((len(layers), tuple(level)))
            return
        nodes = sorted(rest)
        for mask in range(1, 1 << len(nodes)):
            layer = frozenset(v for i, v in enumerate(nodes) if mask >> i & 1)
            if all(parent[v] not in rest or (parent[v] in layer and not strict[v]) for v in layer):
                extend(rest - layer, [*layers, layer])

    extend(frozenset(range(d)), [])
    return sorted(found)


def _level_sums(structures: Sequence[Levels], bases: list, R, rules: _Arithmetic) -> list:
    """Each levels-with-gaps sum for the edges' ``bases`` and values in {0…R−1}.

    Sums with the same gaps share their divided difference, computed once.
    """
    distinct = list(dict.fromkeys(gaps for _, gaps in structures))
    nodes = [[math.prod(bases[v] for v in gap) for gap in gaps] for gaps in distinct]
    differences = dict(zip(distinct, rules.power_differences(nodes, R)))
    fronts = [math.prod(bases[v] ** k for v, k in enumerate(front) if k) for front, _ in structures]
    return [front * differences[gaps] for front, (_, gaps) in zip(fronts, structures)]


# -- arithmetic: exact (sympy), rational (Python fractions), float (numpy arrays that broadcast) ----------


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
        x = _exact_number(x, "a node")
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
            expr = sympy.diff(expr, t, m - 1) / math.factorial(m - 1)
        total += expr.subs(t, x)
    return sympy.factor_terms(total)


def power_divided_difference(nodes: Sequence, power, arithmetic: Literal["exact", "float"] = "exact"):
    """[x₀, …, x_k] t^power, confluent where nodes coincide (the module docstring says how).

    >>> x, y, R = sympy.symbols("x y R")
    >>> power_divided_difference([x, y], 3)
    x**2 + x*y + y**2
    >>> power_divided_difference([1, 1, 1], R)        # C(R, 2)
    R*(R - 1)/2
    >>> float(power_divided_difference([0.5, 1.0], 10**12, "float"))   # (1 − 0.5^10¹²)/(1 − 0.5)
    2.0
    """
    if arithmetic not in ARITHMETICS:
        raise ValueError(f"arithmetic must be 'exact' or 'float', got {arithmetic!r}")
    rules = ARITHMETICS[arithmetic]
    return rules.power_difference([rules.number(x, f"nodes[{i}]") for i, x in enumerate(nodes)], power)


class _Arithmetic:
    """One number system for the sums: how to read numbers, multiply, add, and take divided differences."""

    name: str
    zero: Any
    one: Any

    def number(self, value: Any, where: str) -> Any:
        raise NotImplementedError

    def constant(self, size: Any) -> Any:
        """A schedule size (an int, or a sympy expression for symbolic schedules) in this arithmetic."""
        raise NotImplementedError

    def product(self, items) -> Any:
        return reduce(operator.mul, items, self.one)

    def total(self, items) -> Any:
        return reduce(operator.add, items, self.zero)

    def power_difference(self, nodes: Sequence[Any], power: Any) -> Any:
        """[nodes] t^power."""
        return self.power_differences([list(nodes)], power)[0]

    def power_differences(self, node_lists: list[list], power: Any) -> list:
        return [self.power_difference(nodes, power) for nodes in node_lists]

    def exp_difference(self, nodes: Sequence[Any], T: Any) -> Any:
        """[nodes] e^{Tt}."""
        raise NotImplementedError


class _Exact(_Arithmetic):
    """sympy expressions: symbolic η, λ, T, schedule sizes."""

    name: Literal["exact"] = "exact"
    zero, one = sympy.Integer(0), sympy.Integer(1)

    def number(self, value: Any, where: str) -> sympy.Expr:
        return _exact_number(value, where)

    def constant(self, size: Any) -> sympy.Expr:
        return sympy.Integer(size) if isinstance(size, int) else size

    def product(self, items) -> sympy.Expr:
        return sympy.Mul(*items)

    def total(self, items) -> sympy.Expr:
        return sympy.Add(*items)

    def power_difference(self, nodes: Sequence[Any], power: Any) -> sympy.Expr:
        return _exact_power_difference(tuple(self.number(x, "a node") for x in nodes), self.constant(power))

    def exp_difference(self, nodes: Sequence[Any], T: Any) -> sympy.Expr:
        return divided_difference(nodes, lambda t: sympy.exp(T * t))


@lru_cache(maxsize=1 << 14)
def _exact_power_difference(nodes: tuple[sympy.Expr, ...], power: sympy.Expr) -> sympy.Expr:
    """Rational nodes: Opitz in integers; polynomial nodes and a concrete power: the expanded polynomial
    while it is small; otherwise the confluent closed form (a rational function)."""
    if power.is_Integer:
        R = int(power)
        if all(x.is_Rational for x in nodes):
            value = _opitz_power(tuple(Fraction(int(x.p), int(x.q)) for x in nodes), R)
            return sympy.Rational(value.numerator, value.denominator)
        symbols = sorted(set().union(*(x.free_symbols for x in nodes)), key=sympy.default_sort_key)
        small = R <= POLYNOMIAL_STEPS or math.comb(R, len(nodes) - 1) <= POLYNOMIAL_TERMS
        if small and all(x.is_polynomial(*symbols) for x in nodes):
            return _opitz_polynomial(nodes, R, symbols or [sympy.Dummy("x")])
    return divided_difference(nodes, lambda t: t**power)


def _opitz_polynomial(nodes: Sequence[sympy.Expr], power: int, symbols: list[sympy.Symbol]) -> sympy.Expr:
    """[x₀, …, x_k] t^power for nodes polynomial in ``symbols``, expanded: v ← Z·v from v = e₀ (in Polys)."""
    polys = [sympy.Poly(x, *symbols) for x in nodes]
    vector = [polys[0].one] + [polys[0].zero] * (len(nodes) - 1)
    for _ in range(power):
        vector = [polys[i] * vector[i] + (vector[i - 1] if i else polys[i].zero) for i in range(len(nodes))]
    return vector[-1].as_expr()


@lru_cache(maxsize=1 << 14)
def _opitz_power(nodes: tuple[Fraction, ...], power: int) -> Fraction:
    """[x₀, …, x_k] t^power at rational nodes: Opitz's matrix power by repeated squaring, in integers.

    h_{power−k} is homogeneous, so with a common denominator D and integer
    nodes a = D·x the result is h_{power−k}(a) / D^{power−k}.
    """
    size = len(nodes)
    if power < size - 1:
        return Fraction(0)
    denominator = math.lcm(*(x.denominator for x in nodes))
    scaled = [x.numerator * (denominator // x.denominator) for x in nodes]

    def product(a, b):  # lower-triangular integer matrices as lists of rows
        return [[sum(a[i][m] * b[m][j] for m in range(j, i + 1)) for j in range(size)] for i in range(size)]

    result = [[int(i == j) for j in range(size)] for i in range(size)]
    base = [[scaled[i] if i == j else int(i == j + 1) for j in range(size)] for i in range(size)]
    exponent = power
    while exponent:
        if exponent & 1:
            result = product(result, base)
        exponent >>= 1
        if exponent:
            base = product(base, base)
    return Fraction(result[size - 1][0], denominator ** (power - size + 1))


class _Rational(_Arithmetic):
    """Python fractions: exact sums at rational q on a concrete schedule, much faster than sympy numbers."""

    name = "rational"
    zero, one = Fraction(0), Fraction(1)

    def number(self, value: Any, where: str) -> Fraction:
        return Fraction(value)

    def constant(self, size: Any) -> int:
        return int(size)

    def power_difference(self, nodes: Sequence[Any], power: Any) -> Fraction:
        return _opitz_power(tuple(Fraction(x) for x in nodes), int(power))


class _Float(_Arithmetic):
    """Floats in numpy arrays that broadcast (one entry per eigen-assignment of the edges)."""

    name: Literal["float"] = "float"
    zero, one = 0.0, 1.0

    def number(self, value: Any, where: str) -> np.ndarray:
        return _float_number(value, where)

    def constant(self, size: Any) -> int:
        if not isinstance(size, int):
            raise ValueError(f"numeric evaluation needs a concrete schedule (integers N, B, E), got {size}")
        return size

    def power_differences(self, node_lists: list[list], power: Any) -> list[np.ndarray]:
        """Opitz's formula for many node lists: one batched matrix power per list length."""
        power = self.constant(power)
        results: list = [None] * len(node_lists)
        by_size = defaultdict(list)
        for index, nodes in enumerate(node_lists):
            by_size[len(nodes)].append(index)
        for size, indices in by_size.items():
            shape = np.broadcast_shapes(*(np.shape(x) for i in indices for x in node_lists[i]))
            step = max(1, _STACK_ENTRIES // (size * size * math.prod(shape)))
            for start in range(0, len(indices), step):
                chunk = indices[start : start + step]
                matrices = np.zeros((len(chunk), *shape, size, size))
                for row, index in enumerate(chunk):
                    for j, x in enumerate(node_lists[index]):
                        matrices[row, ..., j, j] = x
                matrices[..., np.arange(1, size), np.arange(size - 1)] = 1.0
                entries = np.linalg.matrix_power(matrices, power)[..., size - 1, 0]
                for row, index in enumerate(chunk):
                    results[index] = entries[row]
        return results

    def power_difference(self, nodes: Sequence[Any], power: Any) -> np.ndarray:
        return self.power_differences([list(nodes)], power)[0]

    def exp_difference(self, nodes: Sequence[Any], T: Any) -> np.ndarray:
        return _expm(T * _bidiagonal(nodes))[..., -1, 0]


def _exact_number(value: Any, where: str) -> sympy.Expr:
    if isinstance(value, sympy.Expr):
        return value
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if not isinstance(value, bool):
        try:
            return sympy.Integer(operator.index(value))
        except TypeError:
            pass
    raise TypeError(
        f"{where}: exact arithmetic takes ints, Fractions or sympy expressions, not {type(value).__name__} {value!r}"
    )


def _float_number(value: Any, where: str) -> np.ndarray:
    if isinstance(value, sympy.Basic):
        if not (value.is_number and value.is_real):
            raise TypeError(f"{where}: float arithmetic takes real numbers, got {value}")
        value = float(value)
    array = np.asarray(value)
    if isinstance(value, bool) or array.dtype.kind not in "iuf":
        raise TypeError(f"{where}: float arithmetic takes real numbers or numeric arrays, not {value!r}")
    return array.astype(float)


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


EXACT, RATIONAL, FLOAT = _Exact(), _Rational(), _Float()
ARITHMETICS = {"exact": EXACT, "float": FLOAT}


# -- any weights: an explicit sum (matrix propagators) -----------------------------------------------


def weighted_embedding_sum(diagram: Diagram, schedule: Schedule, weight: Callable[[int, int], Any], *, zero: Any = 0):
    """Σ over labelled embeddings of Π_edges weight(e, Δt_e), for a concrete schedule and any weights.

    Dynamic programming: for every assignment of batches to the non-root
    parts, a tree recursion over the nodes' epochs (cost grows with M^p and
    E).  For weights that are powers q_e^{Δt−1}, :func:`embedding_sum` gives
    the same in closed form; this one serves matrix entries (m-dimensional
    propagators with a symbolic η).

    >>> from diagrams import parse, count_embeddings
    >>> D, S = parse("[a:b][ab]"), Schedule(4, 2, 2)
    >>> weighted_embedding_sum(D, S, lambda e, dt: 1) == count_embeddings(D, S)
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

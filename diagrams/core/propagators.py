"""Propagator sums over labelled embeddings, for any schedule, at a cost independent of E and M.

Resummation (SPEC §6) needs, for a diagram D, a schedule (N, B, E; M = N/B
steps per epoch, T = E·M) and one number q_e per edge (the edge above node e),

    Z(D) = Σ_{labelled embeddings f} Π_e q_e^{Δt_e − 1},

Δt_e the time of e's parent minus the time of its child, the root at time T.
With every q_e = 1 this is L(D) (:func:`~diagrams.core.schedule.count_embeddings`);
the embedding rules are those of :mod:`diagrams.core.schedule` (for a
root-tied diagram the root is not mapped and its part-mates form an ordinary
part).  :func:`embedding_sum` computes Z exactly (sympy) or in floating point
(numpy arrays that broadcast, e.g. one axis per edge over the eigenvalues of
H), by the closed form below.

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
(2005) 46–69 (Opitz's formula, confluent divided differences).
"""

from __future__ import annotations

import math
import operator
from collections import defaultdict
from fractions import Fraction
from functools import lru_cache
from typing import Callable, Literal, NamedTuple, Sequence

import numpy as np
import sympy

from .partitions import weak_orders
from .schedule import Schedule, embedding_shape

__all__ = ["embedding_sum", "power_divided_difference", "POLYNOMIAL_TERMS"]

#: A divided difference of t^R at k + 1 symbolic nodes is expanded into a polynomial (h_{R−k}, at
#: most C(R, k) terms) when C(R, k) is at most this; else it is the closed form (a rational function).
POLYNOMIAL_TERMS = 2000

#: Largest float stack (number of matrix entries) one batched matrix power handles at once.
_STACK_ENTRIES = 1 << 22

# (front exponent per edge, edges whose base multiplies each gap's node): one levels-with-gaps sum
Levels = tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]


def embedding_sum(diagram, schedule: Schedule, q: Sequence, arithmetic: Literal["exact", "float"] = "exact"):
    """Z(D) = Σ over labelled embeddings of Π_e q[e]^{Δt_e − 1}, in closed form (see the module docstring).

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
    if arithmetic not in _ARITHMETICS:
        raise ValueError(f"arithmetic must be 'exact' or 'float', got {arithmetic!r}")
    rules = _ARITHMETICS[arithmetic]
    if len(q) != diagram.order:
        raise ValueError(f"q needs one number per edge: {diagram.order} for {diagram}, got {len(q)}")
    M, B, E = schedule.steps_per_epoch, schedule.B, schedule.E
    if arithmetic == "float" and not all(isinstance(x, int) for x in (M, B, E)):
        raise ValueError(f"float arithmetic needs a concrete schedule, not {schedule}")
    q = [rules.number(x, f"q[{e}]") for e, x in enumerate(q)]
    rational = arithmetic == "exact" and all(x.is_Rational for x in q) and all(isinstance(x, int) for x in (M, B, E))
    if rational:  # the same sum in Python fractions, much faster than sympy numbers
        rules, q = _RATIONAL, [Fraction(int(x.p), int(x.q)) for x in q]
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
    if arithmetic not in _ARITHMETICS:
        raise ValueError(f"arithmetic must be 'exact' or 'float', got {arithmetic!r}")
    rules = _ARITHMETICS[arithmetic]
    return rules.power_divided_differences([[rules.number(x, f"nodes[{i}]") for i, x in enumerate(nodes)]], power)[0]


# -- structures (per diagram, cached) -----------------------------------------------


def _levels(ell: int, spans: list[Sequence[int]], shifts: list[int]) -> Levels:
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


# -- evaluation ----------------------------------------------------------------------


def _level_sums(structures: Sequence[Levels], bases: list, R, rules: _Arithmetic) -> list:
    """Each levels-with-gaps sum for the edges' ``bases`` and values in {0…R−1}.

    Sums with the same gaps share their divided difference, computed once.
    """
    distinct = list(dict.fromkeys(gaps for _, gaps in structures))
    nodes = [[math.prod(bases[v] for v in gap) for gap in gaps] for gaps in distinct]
    differences = dict(zip(distinct, rules.power_divided_differences(nodes, R)))
    fronts = [math.prod(bases[v] ** k for v, k in enumerate(front) if k) for front, _ in structures]
    return [front * differences[gaps] for front, (_, gaps) in zip(fronts, structures)]


class _Arithmetic(NamedTuple):
    number: Callable  # (user's number, where it was given) -> the number this arithmetic computes with
    constant: Callable  # a schedule size -> a number of this arithmetic
    power_divided_differences: Callable  # (list of node lists, power R) -> list of [nodes] t^R


def _exact_number(value, where: str) -> sympy.Expr:
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


def _float_number(value, where: str) -> np.ndarray:
    if isinstance(value, sympy.Basic):
        if not (value.is_number and value.is_real):
            raise TypeError(f"{where}: float arithmetic takes real numbers, got {value}")
        value = float(value)
    array = np.asarray(value)
    if isinstance(value, bool) or array.dtype.kind not in "iuf":
        raise TypeError(f"{where}: float arithmetic takes real numbers or numeric arrays, not {value!r}")
    return array.astype(float)


def _exact_power_divided_differences(node_lists: list[list], power) -> list[sympy.Expr]:
    return [
        _exact_power_divided_difference(tuple(sympy.Integer(x) if isinstance(x, int) else x for x in nodes), power)
        for nodes in node_lists
    ]


@lru_cache(maxsize=1 << 14)
def _exact_power_divided_difference(nodes: tuple[sympy.Expr, ...], power) -> sympy.Expr:
    if isinstance(power, int):
        if all(x.is_Rational for x in nodes):
            value = _opitz_power(tuple(Fraction(int(x.p), int(x.q)) for x in nodes), power)
            return sympy.Rational(value.numerator, value.denominator)
        symbols = sorted(set().union(*(x.free_symbols for x in nodes)), key=sympy.default_sort_key)
        small = math.comb(power, len(nodes) - 1) <= POLYNOMIAL_TERMS
        if small and symbols and all(x.is_polynomial(*symbols) for x in nodes):
            return _opitz_polynomial(nodes, power, symbols)
    return _confluent_power_divided_difference(nodes, power)


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


def _opitz_polynomial(nodes: Sequence[sympy.Expr], power: int, symbols: list[sympy.Symbol]) -> sympy.Expr:
    """[x₀, …, x_k] t^power for nodes polynomial in ``symbols``, expanded: v ← Z·v from v = e₀ (in Polys)."""
    polys = [sympy.Poly(x, *symbols) for x in nodes]
    zero = sympy.Poly(0, *symbols, domain=polys[0].domain)
    vector = [sympy.Poly(1, *symbols, domain=polys[0].domain)] + [zero] * (len(nodes) - 1)
    for _ in range(power):
        vector = [polys[i] * vector[i] + (vector[i - 1] if i else zero) for i in range(len(nodes))]
    return vector[-1].as_expr()


def _confluent_power_divided_difference(nodes: Sequence[sympy.Expr], power) -> sympy.Expr:
    """Σ over distinct nodes x (multiplicity m): (1/(m−1)!) ∂^{m−1}[t^power / Π_{y≠x} (t − y)^{m_y}] at t = x."""
    groups: dict[sympy.Expr, list] = {}
    for x in nodes:
        groups.setdefault(sympy.expand(x), [x, 0])[1] += 1
    t = sympy.Dummy("t")
    total = sympy.Integer(0)
    for key, (x, m) in groups.items():
        rest = sympy.Mul(*((t - y) ** my for other, (y, my) in groups.items() if other != key))
        term = t**power / rest
        if m > 1:
            term = sympy.diff(term, t, m - 1) / math.factorial(m - 1)
        total += term.subs(t, x)
    return total


def _float_power_divided_differences(node_lists: list[list], power: int) -> list[np.ndarray]:
    """Opitz's formula for many node lists: one batched matrix power per list length."""
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


def _rational_power_divided_differences(node_lists: list[list], power: int) -> list[Fraction]:
    return [_opitz_power(tuple(Fraction(x) for x in nodes), power) for nodes in node_lists]


# Exact sums whose q are all rational and whose schedule is concrete use Python fractions.
_RATIONAL = _Arithmetic(Fraction, int, _rational_power_divided_differences)

_ARITHMETICS = {
    "exact": _Arithmetic(_exact_number, sympy.sympify, _exact_power_divided_differences),
    "float": _Arithmetic(_float_number, float, _float_power_divided_differences),
}

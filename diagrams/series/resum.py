"""Resummation (SPEC §6): linkless diagrams whose edges carry propagators.

    E[s(θ_T)] = Σ_{D linkless} (−1/B)^d / |Aut(D)| · Σ_{embeddings f} rvalue_f(D)

where an edge from a child at time t to its parent at time t′ (the root at T)
carries K^{t′−t−1}η with K = I − ηH.  In one dimension, or in an eigenbasis
of H where the edge with eigen-index i carries the scalar q_i = 1 − ηλ_i,

    Σ_f rvalue_f(D) = uvalue(D) · Z(D),   Z(D) = Σ_f Π_edges q_e^{Δt_e − 1}.

Closed forms of Z.  When every part's nodes share one time — single-epoch
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

Any other concrete schedule is summed exactly by dynamic programming over the
parts' batches and the nodes' epochs (:func:`propagator_sum`).

Reference: C. de Boor, *Divided differences*, Surveys in Approximation Theory 1
(2005) 46–69 (confluent divided differences, Hermite–Genocchi, Opitz's formula).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product
from math import factorial
from typing import Callable, Sequence

import sympy

from ..core.assumptions import assumption_flags, vanishes
from ..core.diagram import EDGE_LETTERS, Diagram
from ..core.enumeration import enumerate_diagrams
from ..core.partitions import weak_orders
from ..core.schedule import Schedule
from ..values.statistics import Statistics
from ..core.observables import LOSS, as_observable
from ..values.base import eta, root_derivative, uvalue

__all__ = [
    "gap_structures",
    "divided_difference",
    "closed_form_sum",
    "propagator_sum",
    "units_of",
    "resummed_expectation",
    "resummed_numeric",
    "linkless_terms",
    "eigenvalue_symbol",
]

Gaps = tuple[tuple[int, ...], ...]  # per gap, the edges (child nodes) spanning it


def units_of(schedule: Schedule) -> str | None:
    """'parts' for single-epoch schedules, 'nodes' for full batch, None otherwise."""
    if schedule.steps_per_epoch == 1:
        return "nodes"
    if schedule.E == 1:
        return "parts"
    return None


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
        unit_of = [p for p in diagram.part_of[:root]]
        names = sorted(set(unit_of))
        index = {p: i for i, p in enumerate(names)}
        unit_of = [index[p] for p in unit_of]
    else:
        unit_of = list(range(root))
    n_units = len(set(unit_of))
    found = []
    for height, level in weak_orders(n_units):
        node_level = [level[u] for u in unit_of] + [height]  # the root sits above every level
        if any(node_level[v] >= node_level[p] for v, p in diagram.edges):
            continue
        found.append(
            tuple(
                tuple(v for v, p in diagram.edges if node_level[v] <= m < node_level[p]) for m in range(height)
            )
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


def divided_difference(nodes: Sequence[sympy.Expr], function: Callable[[sympy.Expr], sympy.Expr]) -> sympy.Expr:
    """[x₀, …, x_k] f for sympy nodes, confluent where nodes are equal.

    For distinct groups x with multiplicity m: Σ (1/(m−1)!) ∂^{m−1}/∂t^{m−1}
    [f(t) / Π_{other groups y} (t − y)^{m_y}] at t = x.

    >>> t, T = sympy.symbols("t T")
    >>> divided_difference([1, 1, 1], lambda t: t**T)        # f''(1)/2 = C(T, 2)
    T*(T - 1)/2
    >>> sympy.simplify(divided_difference([2, 3], lambda t: t**2) - 5)
    0
    """
    groups: dict[sympy.Expr, int] = {}
    representatives: dict[sympy.Expr, sympy.Expr] = {}
    for x in nodes:
        x = sympy.sympify(x)
        key = sympy.expand(x)
        representatives.setdefault(key, x)
        groups[key] = groups.get(key, 0) + 1
    groups = {representatives[key]: m for key, m in groups.items()}
    t = sympy.Dummy("t")
    total = sympy.Integer(0)
    for x, m in groups.items():
        rest = sympy.Integer(1)
        for y, my in groups.items():
            if y != x:
                rest *= (t - y) ** my
        expr = function(t) / rest
        if m > 1:
            expr = sympy.diff(expr, t, m - 1) / factorial(m - 1)
        total += expr.subs(t, x)
    return sympy.factor_terms(total)


def _power_divided_difference(nodes: Sequence[sympy.Expr], power: int) -> sympy.Expr:
    """[x₀, …, x_k] t^power for a whole number ``power``: a polynomial in the nodes.

    Opitz's formula: the (k, 0) entry of Z^power, Z lower bidiagonal with the
    nodes on its diagonal and ones below it; v ← Z·v from v = e₀.

    >>> x, y = sympy.symbols("x y")
    >>> _power_divided_difference([x, y], 3)
    x**2 + x*y + y**2
    """
    vector = [sympy.Integer(1)] + [sympy.Integer(0)] * (len(nodes) - 1)
    for _ in range(power):
        vector = [sympy.expand(nodes[i] * vector[i] + (vector[i - 1] if i else 0)) for i in range(len(nodes))]
    return vector[-1]


#: Up to this many steps a concrete-T closed form is expanded into a polynomial in η.
POLYNOMIAL_STEPS = 64


def closed_form_sum(
    diagram: Diagram,
    schedule: Schedule,
    base: Callable[[int], sympy.Expr],
    *,
    form: str = "exact",
    limit: bool = False,
) -> sympy.Expr:
    """Z(D) in closed form for single-epoch or full-batch schedules.

    ``base(e)`` is q_e for the edge above node ``e`` (``form='exact'``) or its
    rate a_e = ηλ_e (``form='continuous'``).  ``limit=True`` gives T → ∞.
    """
    units = units_of(schedule)
    if units is None:
        raise ValueError(f"closed forms need a single-epoch or full-batch schedule, not {schedule}")
    T = sympy.sympify(schedule.T)
    total = sympy.Integer(0)
    for gaps in _structures(diagram, units, form):
        if form == "exact":
            # Π_e q_e^{Δt_e − 1} = Π_e q_e^{(gaps spanned by e) − 1} · Π_m y_m^{g_m − 1}
            spans = [sum(e in span for span in gaps) for e in range(diagram.order)]
            front = sympy.Mul(*(base(e) ** (k - 1) for e, k in enumerate(spans)))
            ys = [sympy.Mul(*(base(e) for e in span)) for span in gaps]
            if limit:
                total += front / sympy.Mul(*(1 - y for y in ys))
            elif T.is_Integer and T <= POLYNOMIAL_STEPS:  # a polynomial: no division at all
                total += front * _power_divided_difference([1, *ys], int(T))
            else:
                total += front * divided_difference([1, *ys], lambda t: t**T)
        else:
            rates = [sympy.Add(*(base(e) for e in span)) for span in gaps]
            if limit:
                total += 1 / sympy.Mul(*rates)
            else:
                total += divided_difference([0, *(-a for a in rates)], lambda t: sympy.exp(T * t))
    return sympy.sympify(schedule.B) ** _row_parts(diagram) * total


def propagator_sum(diagram: Diagram, schedule: Schedule, weight: Callable[[int, int], object]):
    """Σ over labelled embeddings of Π_edges weight(e, Δt_e), for a concrete schedule.

    Exact dynamic programming: for every assignment of batches to the
    non-root parts, a tree recursion over the nodes' epochs.  ``weight`` may
    return sympy expressions or floats.  With ``weight = 1`` this is L(D).

    >>> from diagrams import parse, count_embeddings
    >>> D, S = parse("[a:b][ab]"), Schedule(4, 2, 2)
    >>> propagator_sum(D, S, lambda e, dt: 1) == count_embeddings(D, S)
    True
    """
    M, B, E, T = schedule.steps_per_epoch, schedule.B, schedule.E, schedule.T
    if not all(isinstance(x, int) for x in (M, B, E)):
        raise ValueError("propagator_sum needs a concrete schedule (integers N, B, E)")
    root = diagram.root
    parts = [part for part in diagram.parts if root not in part]
    tied = [v for v in diagram.parts[-1] if v != root]
    if tied:
        parts.append(tuple(tied))
    part_index = {v: i for i, part in enumerate(parts) for v in part}
    total = 0
    for batches in product(range(M), repeat=len(parts)):
        times = {v: [e * M + batches[part_index[v]] for e in range(E)] for v in range(root)}
        ways: dict[int, dict[int, object]] = {}
        for v in range(root):  # postorder: children first
            table = {}
            for t in times[v]:
                value = 1
                for c in diagram.children[v]:
                    value *= sum((weight(c, t - tc) * w for tc, w in ways[c].items() if tc < t), 0)
                table[t] = value
            ways[v] = table
        value = 1
        for c in diagram.children[root]:
            value *= sum((weight(c, T - tc) * w for tc, w in ways[c].items()), 0)
        total += value
    return total * B ** len(parts)


# -- series -------------------------------------------------------------------------


def eigenvalue_symbol(edge: int) -> sympy.Symbol:
    """λ of the eigen-index carried by an edge letter, in symbolic m-dimensional forms."""
    return sympy.Symbol(f"lambda_{EDGE_LETTERS[edge]}")


def resummed_expectation(
    observable,
    stats: Statistics,
    schedule: Schedule,
    order: int,
    *,
    root_tied: bool = False,
    form: str = "exact",
    limit: bool = False,
    assume=(),
) -> sympy.Expr:
    """Σ over linkless diagrams of order ≤ ``order`` of (−1/B)^d/|Aut| · Σ_f rvalue_f.

    One dimension: values times Z(D) with q = 1 − ηH.  Symbolic tensors
    (``Statistics.symbolic(dim>1)``): the Einstein value times Z with
    q_e = 1 − η·lambda_<letter>, summed over eigen-indices of H (the value's
    components are taken in H's eigenbasis).  Other multi-dimensional
    statistics: exact matrix propagators (I − ηH)^{Δt−1}η on a concrete
    schedule.
    """
    observable = as_observable(observable)
    units = _check_form(schedule, form, limit)
    total = sympy.Integer(0)
    for diagram, weight in linkless_terms(schedule, order, root_tied=root_tied, assume=assume, observable=observable):
        total += weight * _rvalue_sum(diagram, observable, stats, schedule, units, form, limit)
    return total


def linkless_terms(schedule: Schedule, order: int, *, root_tied=False, assume=(), observable=LOSS):
    """(D, (−1/B)^d/|Aut(D)|) for the linkless diagrams of order ≤ ``order`` not ruled out by ``assume``.

    >>> [(str(D), w) for D, w in linkless_terms(Schedule(4, 2, 1), 2)][1:]
    [('[a][a]', -1/2), ('[a:ab][b]', 1/4), ('[a:b][ab]', 1/8), ('[a][b][ab]', 1/8)]
    """
    flags = assumption_flags(assume)
    for d in range(order + 1):
        sign = (-1 / sympy.sympify(schedule.B)) ** d
        for diagram in enumerate_diagrams(d, linkless=True, root_tied=root_tied):
            if not (flags and vanishes(diagram, observable=observable, **flags)):
                yield diagram, sign / diagram.automorphism_count


def _check_form(schedule: Schedule, form: str, limit: bool) -> str | None:
    """The schedule's units (see :func:`units_of`), after checking the form fits it."""
    if form not in ("exact", "continuous"):
        raise ValueError(f"form must be 'exact' or 'continuous', got {form!r}")
    units = units_of(schedule)
    if (form == "continuous" or limit) and units is None:
        raise ValueError("continuous forms and T → ∞ limits need a single-epoch or full-batch schedule")
    return units


def _rvalue_sum(diagram, observable, stats, schedule, units, form, limit) -> sympy.Expr:
    if stats.einstein:
        value = uvalue(diagram, stats, observable, representative=False)
        if value == 0:
            return value

        def base(e):
            rate = eta * eigenvalue_symbol(e)
            return 1 - rate if form == "exact" else rate

        return value * closed_form_sum(diagram, schedule, base, form=form, limit=limit)
    if stats.dim == 1:
        value = uvalue(diagram, stats, observable)
        if value == 0:
            return value
        curvature = stats.cumulant(((0, 0),))
        if units is None:
            K = 1 - eta * curvature
            return value * propagator_sum(diagram, schedule, lambda e, dt: K ** (dt - 1))

        def base(e):
            return 1 - eta * curvature if form == "exact" else eta * curvature

        return value * closed_form_sum(diagram, schedule, base, form=form, limit=limit)
    if form != "exact" or limit:
        raise ValueError("for multi-dimensional numbers use resummed_numeric (eigenbasis) for these forms")
    return _matrix_rvalue_sum(diagram, observable, stats, schedule)


def _matrix_rvalue_sum(diagram, observable, stats, schedule) -> sympy.Expr:
    """Σ_f rvalue_f with matrix propagators, for a concrete schedule (exact, any dimension)."""
    m, d = stats.dim, diagram.order
    H = sympy.Matrix(m, m, lambda i, j: stats.cumulant(((i, j),)))
    K = sympy.eye(m) - eta * H
    powers = [sympy.eye(m)]
    for _ in range(int(schedule.T)):
        powers.append((powers[-1] * K).applyfunc(sympy.expand))
    children, root = diagram.children, diagram.root
    total = sympy.Integer(0)
    for lower in product(range(m), repeat=d):  # index at the child end of each edge
        for upper in product(range(m), repeat=d):  # index at the parent end
            value = sympy.Integer(1)
            for part in diagram.parts:
                indices = [tuple(sorted([upper[c] for c in children[v]] + ([lower[v]] if v != root else []))) for v in part]
                if part == (root,):
                    value *= root_derivative(observable, indices[0], stats)
                else:
                    value *= stats.cumulant(indices)
                if value == 0:
                    break
            if value == 0:
                continue
            total += value * propagator_sum(
                diagram, schedule, lambda e, dt: eta * powers[dt - 1][lower[e], upper[e]]
            )
    return sympy.expand(total)


# -- numbers -----------------------------------------------------------------------


def resummed_numeric(
    observable,
    stats: Statistics,
    schedule: Schedule,
    order: int,
    eta_value: float,
    *,
    root_tied: bool = False,
    form: str = "exact",
    limit: bool = False,
    assume=(),
) -> float:
    """The resummed sum as a float, in an eigenbasis of H (any dimension, concrete schedule).

    Each linkless diagram's value becomes a tensor over the eigen-indices of
    its edges (cumulant tensors rotated into H's eigenbasis and contracted);
    each eigen-assignment multiplies Z(D) with q_i = 1 − ηλ_i.  Divided
    differences are evaluated by Opitz's formula — the (k, 0) entry of f
    applied to the bidiagonal matrix with the nodes on its diagonal — as a
    matrix power (exact form; O(log T)) or a matrix exponential (continuous
    form), which stays accurate when eigenvalue sums coincide or vanish.
    """
    import numpy as np

    observable = as_observable(observable)
    units = _check_form(schedule, form, limit)
    if not isinstance(schedule.T, int):
        raise ValueError("numeric evaluation needs a concrete schedule (integers N, B, E)")
    m = stats.dim
    hessian = np.array([[float(stats.cumulant(((i, j),))) for j in range(m)] for i in range(m)])
    eigenvalues, basis = np.linalg.eigh(hessian)
    total = 0.0
    for diagram, weight in linkless_terms(schedule, order, root_tied=root_tied, assume=assume, observable=observable):
        values = _eigen_value_tensor(diagram, observable, stats, basis)
        sums = np.zeros_like(values)
        for assignment in product(range(m), repeat=diagram.order):
            if values[assignment] != 0:
                rates = [eta_value * eigenvalues[i] for i in assignment]
                sums[assignment] = _numeric_z(diagram, schedule, units, rates, form, limit)
        total += float(weight) * eta_value**diagram.order * float((values * sums).sum())
    return total


def _eigen_value_tensor(diagram, observable, stats, basis):
    """The diagram's value without η, as an array over eigen-indices of its edges."""
    import numpy as np

    m, root = stats.dim, diagram.root
    letters = EDGE_LETTERS
    operands, subscripts = [], []
    for part in diagram.parts:
        node_edges = [list(diagram.children[v]) + ([v] if v != root else []) for v in part]
        axes = [e for edges in node_edges for e in edges]
        tensor = np.zeros((m,) * len(axes))
        for index in product(range(m), repeat=len(axes)):
            groups, start = [], 0
            for edges in node_edges:
                groups.append(tuple(index[start : start + len(edges)]))
                start += len(edges)
            if part == (root,):
                tensor[index] = float(root_derivative(observable, groups[0], stats))
            else:
                tensor[index] = float(stats.cumulant(groups))
        for axis in range(len(axes)):  # rotate every axis into the eigenbasis
            tensor = np.moveaxis(np.tensordot(tensor, basis, axes=([axis], [0])), -1, axis)
        operands.append(tensor)
        subscripts.append("".join(letters[e] for e in axes))
    output = "".join(letters[e] for e in range(diagram.order))
    return np.asarray(np.einsum(",".join(subscripts) + "->" + output, *operands))


def _numeric_z(diagram, schedule, units, rates, form, limit) -> float:
    import numpy as np

    if units is None:
        q = [1 - r for r in rates]
        return float(propagator_sum(diagram, schedule, lambda e, dt: q[e] ** (dt - 1)))
    T = schedule.T
    total = 0.0
    for gaps in _structures(diagram, units, form):
        k = len(gaps)
        if form == "exact":
            q = [1 - r for r in rates]
            spans = [sum(e in span for span in gaps) for e in range(diagram.order)]
            front = float(np.prod([q[e] ** (s - 1) for e, s in enumerate(spans)]))
            ys = [float(np.prod([q[e] for e in span])) for span in gaps]
            if limit:
                total += front / float(np.prod([1 - y for y in ys]))
            else:
                total += front * np.linalg.matrix_power(_bidiagonal([1.0, *ys]), T)[k, 0]
        else:
            sums = [sum(rates[e] for e in span) for span in gaps]
            if limit:
                total += 1.0 / float(np.prod(sums))
            else:
                total += _expm(T * _bidiagonal([0.0, *(-a for a in sums)]))[k, 0]
    return float(schedule.B ** _row_parts(diagram) * total)


def _bidiagonal(nodes):
    import numpy as np

    matrix = np.diag(np.asarray(nodes, dtype=float))
    matrix[np.arange(1, len(nodes)), np.arange(len(nodes) - 1)] = 1.0
    return matrix


def _expm(matrix):
    """exp of a small matrix by scaling and squaring with a Taylor polynomial."""
    import numpy as np

    norm = np.abs(matrix).sum(axis=1).max()
    squarings = max(0, int(np.ceil(np.log2(norm))) + 1) if norm > 0 else 0
    scaled = matrix / 2.0**squarings
    result = term = np.eye(len(matrix))
    for n in range(1, 30):
        term = term @ scaled / n
        result = result + term
    for _ in range(squarings):
        result = result @ result
    return result

"""Propagator sums Z(D) = Σ_f Π_e q_e^{Δt_e − 1} for any schedule, against independent oracles:
a brute force over labelled embeddings, a dynamic program over batches and epochs, the counts
L(D) at q = 1, and the single-epoch / full-batch closed forms of the resummation module."""

from __future__ import annotations

import re
from collections import Counter
from fractions import Fraction
from itertools import product

import numpy as np
import pytest
import sympy

from diagrams import enumerate_diagrams
from diagrams.core.propagators import Propagation, embedding_sum, power_divided_difference
from diagrams.core.schedule import Schedule, count_embeddings


def closed_form_sum(diagram, schedule, base):
    """Z(D) by the single-epoch / full-batch closed forms, with q_e = base(e)."""
    exact = [sympy.Integer(b) if isinstance(b, int) else b for b in map(base, range(diagram.order))]
    return Propagation(schedule).z(diagram, [1 - b for b in exact])


SCHEDULES = [(3, 1, 1), (2, 1, 2), (2, 2, 1), (4, 2, 1), (2, 1, 3), (4, 2, 2), (6, 2, 3), (6, 3, 2)]
q = sympy.symbols("q0:6")


def all_diagrams(d):
    """Every diagram of order d, ordinary and root-tied."""
    return [*enumerate_diagrams(d), *enumerate_diagrams(d, root_tied=True)]


SMALL_DIAGRAMS = [D for d in range(4) for D in all_diagrams(d)]


# -- oracles ---------------------------------------------------------------------------


def brute_force_exponents(diagram, N, B, E) -> Counter:
    """{(Δt_e − 1 for each edge e): number of labelled embeddings}, one embedding at a time.

    The rules of SPEC §5, literally: a non-root node goes to a cell (n, t) of
    the grid (point n is in batch t mod M), its time below its parent's (the
    root at T), and non-root nodes of one part on one row.
    """
    d, M = diagram.order, N // B
    T = E * M
    cells = [(n, t) for n in range(N) for t in range(T) if t % M == n // B]
    mates = [[u for u in part if u != v and u != d] for v in range(d) for part in diagram.parts if v in part]
    placed = {d: (None, T)}
    found = Counter()

    def place(v):  # nodes from the root down (parent[v] > v)
        if v < 0:
            found[tuple(placed[diagram.parent[u]][1] - placed[u][1] - 1 for u in range(d))] += 1
            return
        rows = {placed[u][0] for u in mates[v] if u in placed}
        for cell in cells:
            if cell[1] < placed[diagram.parent[v]][1] and (not rows or cell[0] in rows):
                placed[v] = cell
                place(v - 1)
                del placed[v]

    place(d - 1)
    return found


def polynomial(exponents: Counter, symbols) -> sympy.Expr:
    return sympy.Add(*(count * sympy.Mul(*(x**k for x, k in zip(symbols, key))) for key, count in exponents.items()))


def dynamic_program(diagram, N, B, E, weight):
    """Σ_f Π_e weight(e, Δt_e): for each assignment of batches to the parts, a tree recursion over epochs.

    (The resummation module's former general-schedule method, kept here as an oracle.)
    """
    M = N // B
    T, root = E * M, diagram.root
    parts = [part for part in diagram.parts if root not in part]
    tied = [v for v in diagram.parts[-1] if v != root]
    if tied:
        parts.append(tuple(tied))
    part_index = {v: i for i, part in enumerate(parts) for v in part}
    total = 0
    for batches in product(range(M), repeat=len(parts)):
        ways = {}
        for v in range(root):  # children first
            table = {}
            for t in (e * M + batches[part_index[v]] for e in range(E)):
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


def test_oracles_on_hand_counts():
    # one leaf on (N, B, E) = (2, 1, 2): times 0, 1, 2, 3 (each on one of the rows of its batch)
    assert brute_force_exponents(all_diagrams(1)[0], 2, 1, 2) == Counter({(3,): 1, (2,): 1, (1,): 1, (0,): 1})
    chain_tied = [D for D in all_diagrams(2) if str(D) == "[a:ab][b]"][0]  # leaf tied to the middle node
    # same row, so the leaf sits one epoch below the middle node: Δt − 1 = M − 1 = 0 on E = 3, M = 1
    assert brute_force_exponents(chain_tied, 1, 1, 3) == Counter({(0, 0): 1, (0, 1): 1, (1, 0): 1})
    assert dynamic_program(chain_tied, 1, 1, 3, lambda e, dt: q[e] ** (dt - 1)) == 1 + q[0] + q[1]


# -- exact sums against the oracles ---------------------------------------------------------


@pytest.mark.parametrize("N,B,E", SCHEDULES, ids=str)
def test_exact_sums_match_brute_force(N, B, E):
    schedule = Schedule(N, B, E)
    for diagram in SMALL_DIAGRAMS:
        symbols = q[: diagram.order]
        expected = polynomial(brute_force_exponents(diagram, N, B, E), symbols)
        assert sympy.expand(embedding_sum(diagram, schedule, symbols) - expected) == 0, (str(diagram), schedule)


@pytest.mark.parametrize("N,B,E", [(2, 1, 2), (4, 2, 2), (6, 2, 3), (6, 3, 2), (3, 1, 4)], ids=str)
def test_order_four_rational_sums_match_the_dynamic_program(N, B, E):
    values = [Fraction(3, 4), Fraction(-1, 2), Fraction(5, 3), Fraction(1, 7)]
    schedule = Schedule(N, B, E)
    for diagram in all_diagrams(4)[::3]:
        expected = dynamic_program(diagram, N, B, E, lambda e, dt: values[e] ** (dt - 1))
        got = embedding_sum(diagram, schedule, values)
        assert isinstance(got, sympy.Rational) and got == expected, (str(diagram), schedule)


@pytest.mark.parametrize("N,B,E", [(4, 2, 2), (2, 1, 3), (6, 3, 2)], ids=str)
def test_symbolic_sums_match_the_dynamic_program(N, B, E):
    schedule = Schedule(N, B, E)
    for diagram in SMALL_DIAGRAMS:
        expected = dynamic_program(diagram, N, B, E, lambda e, dt: q[e] ** (dt - 1))
        assert sympy.expand(embedding_sum(diagram, schedule, q[: diagram.order]) - expected) == 0, str(diagram)


@pytest.mark.parametrize(
    "schedule",
    [*(Schedule(*S) for S in SCHEDULES), Schedule(10**4, 1, 3), Schedule(30, 3, 10**12), Schedule(7, 7, 10**12)],
    ids=repr,
)
def test_sums_at_q_one_are_the_counts(schedule):
    for d in range(5):
        for diagram in all_diagrams(d):
            got = embedding_sum(diagram, schedule, [1] * d)
            assert isinstance(got, sympy.Integer) and got == count_embeddings(diagram, schedule), str(diagram)


def test_sums_for_a_symbolic_schedule_at_q_one_are_the_count_polynomials():
    schedule = Schedule.symbolic()
    for d in range(4):
        for diagram in all_diagrams(d):
            got = embedding_sum(diagram, schedule, [1] * d)
            assert sympy.expand(got - count_embeddings(diagram, schedule)) == 0, str(diagram)


def test_sums_for_a_symbolic_schedule_specialize_to_concrete_schedules():
    M, B, E = Schedule.symbolic().steps_per_epoch, Schedule.symbolic().B, Schedule.symbolic().E
    values = {x: sympy.Rational(2 * i + 3, 2 * i + 7) for i, x in enumerate(q)}
    for diagram in [D for d in range(3) for D in all_diagrams(d)]:
        general = embedding_sum(diagram, Schedule.symbolic(), q[: diagram.order])
        for N, B_, E_ in [(2, 1, 2), (4, 2, 2), (6, 3, 2), (3, 3, 3)]:
            got = general.subs({M: N // B_, B: B_, E: E_}).subs(values)
            expected = dynamic_program(diagram, N, B_, E_, lambda e, dt: values[q[e]] ** (dt - 1))
            assert got == expected, (str(diagram), N, B_, E_)


@pytest.mark.parametrize(
    "schedule",
    [Schedule(3, 1, 1), Schedule(4, 2, 1), Schedule(6, 3, 1), Schedule(2, 2, 3), Schedule(3, 3, 5), Schedule.sgd(7)],
    ids=repr,
)
def test_single_epoch_and_full_batch_closed_forms(schedule):
    for diagram in SMALL_DIAGRAMS:
        expected = closed_form_sum(diagram, schedule, lambda e: q[e])
        assert sympy.expand(embedding_sum(diagram, schedule, q[: diagram.order]) - expected) == 0, str(diagram)


def test_symbolic_single_epoch_closed_form():
    """Single-epoch SGD with a symbolic number of steps T, at rational q: both closed forms in T agree."""
    T = sympy.Symbol("T", positive=True, integer=True)
    values = [sympy.Rational(1, 2), sympy.Rational(2, 3), sympy.Rational(3, 4)]
    for diagram in [D for d in range(4) for D in enumerate_diagrams(d)]:
        ours = embedding_sum(diagram, Schedule.sgd(T), values[: diagram.order])
        theirs = closed_form_sum(diagram, Schedule.sgd(T), lambda e: values[e])
        for t in (1, 2, 5, 9):
            assert ours.subs(T, t) == theirs.subs(T, t), (str(diagram), t)


# -- floats ------------------------------------------------------------------------------------

TINY = float(np.finfo(float).tiny)
DYADIC = [Fraction(7, 8), Fraction(61, 64), Fraction(251, 256)]  # exact in binary: no rounding of the inputs


def eigen_axes(d, values):
    """q_e over the eigen-indices of edge e, as an array with its own axis: shapes (m,1,…), (1,m,…), …"""
    m = len(values)
    return [np.array([float(x) for x in values]).reshape([m if i == e else 1 for i in range(d)]) for e in range(d)]


@pytest.mark.parametrize("N,B,E", [(6, 2, 3), (7, 1, 5), (5, 5, 12), (12, 4, 6)], ids=str)
def test_float_arrays_agree_with_exact_sums(N, B, E):
    schedule = Schedule(N, B, E)
    for diagram in SMALL_DIAGRAMS:
        d = diagram.order
        got = embedding_sum(diagram, schedule, eigen_axes(d, DYADIC), "float")
        assert got.shape == (3,) * d
        for index in product(range(3), repeat=d):
            if len(set(index)) < d - 1:  # at order 3, the assignments with at least two distinct values
                continue
            exact = embedding_sum(diagram, schedule, [DYADIC[i] for i in index])
            assert abs(Fraction(float(got[index])) - Fraction(int(exact.p), int(exact.q))) <= 1e-12 * abs(exact)


@pytest.mark.parametrize("N,B", [(7, 1), (12, 3), (5, 5), (10**4, 1), (2 * 10**4, 2)], ids=str)
def test_float_sums_for_huge_schedules(N, B):
    """E up to 10¹², M up to 10⁴: the Opitz matrix powers against the exact sum (E = 2) and
    against the closed form in a symbolic E evaluated to 60 digits (E = 10¹²).

    For M = 10⁴ (orders 1 and 2: exact arithmetic is slow there) the q are 1, 1/2 and 3/4, whose
    M-th powers stay short exact numbers (and may underflow in floating point: hence the absolute
    tolerance of the smallest normal float)."""
    M, epochs = N // B, sympy.Symbol("E", positive=True, integer=True)
    values = DYADIC if M < 100 else [Fraction(1), Fraction(1, 2), Fraction(3, 4)]
    for diagram in [D for D in SMALL_DIAGRAMS if 0 < D.order < (4 if M < 100 else 3)]:
        d = diagram.order
        closed = embedding_sum(diagram, Schedule(N, B, epochs), values[:d])
        for E in (2, 10**12):
            got = embedding_sum(diagram, Schedule(N, B, E), [float(x) for x in values[:d]], "float")
            if E == 2:
                exact = embedding_sum(diagram, Schedule(N, B, E), values[:d])
                expected = Fraction(int(exact.p), int(exact.q))
                assert abs(Fraction(float(got)) - expected) <= 1e-12 * abs(expected) + TINY, (str(diagram), N, B, E)
            else:
                expected = closed.evalf(60, subs={epochs: E})
                assert abs(float(got) - expected) <= 1e-12 * abs(expected) + TINY, (str(diagram), N, B, E)


def test_float_counts_for_huge_schedules():
    for schedule in (Schedule(10**4, 1, 10**12), Schedule(10**4, 10, 10**12), Schedule(10**4, 10**4, 10**12)):
        for diagram in [D for d in range(5) for D in all_diagrams(d)]:
            got = embedding_sum(diagram, schedule, [1.0] * diagram.order, "float")
            exact = count_embeddings(diagram, schedule)
            assert abs(Fraction(float(got)) - int(exact)) <= 1e-12 * exact, str(diagram)


def test_float_sums_stay_accurate_where_nodes_coincide():
    """Equal q on several edges make divided-difference nodes coincide: no division, no loss."""
    schedule = Schedule(6, 2, 3)
    for diagram in all_diagrams(3):
        for value in (Fraction(1), Fraction(1, 2), Fraction(0)):
            got = embedding_sum(diagram, schedule, [float(value)] * 3, "float")
            exact = embedding_sum(diagram, schedule, [value] * 3)
            assert Fraction(float(got)) == Fraction(int(exact.p), int(exact.q)), (str(diagram), value)


# -- divided differences ---------------------------------------------------------------------


def recursive_divided_difference(nodes, power):
    """[x₀…x_k] t^power from its definition, for distinct nodes."""
    if len(nodes) == 1:
        return nodes[0] ** power
    return (recursive_divided_difference(nodes[1:], power) - recursive_divided_difference(nodes[:-1], power)) / (
        nodes[-1] - nodes[0]
    )


def test_power_divided_difference():
    nodes = [Fraction(1, 3), Fraction(-2), Fraction(5, 4), Fraction(1)]
    for power in range(8):
        assert power_divided_difference(nodes, power) == recursive_divided_difference(nodes, power)
    x, R = sympy.symbols("x R")
    # confluent: [x, x, x] t^R = (R choose 2) x^(R−2); at R = 5
    assert sympy.simplify(power_divided_difference([x, x, x], R).subs(R, 5) - 10 * x**3) == 0
    assert sympy.expand(power_divided_difference([x, x, x], 5) - 10 * x**3) == 0
    assert power_divided_difference([Fraction(1, 2)] * 3, 5) == 10 * sympy.Rational(1, 8)
    assert power_divided_difference([1, 2, 3], 1) == 0  # degree below the number of gaps
    floats = power_divided_difference([np.array([0.5, 1.0]), 0.25], 6, "float")
    expected = [float(recursive_divided_difference([x, Fraction(1, 4)], 6)) for x in (Fraction(1, 2), Fraction(1))]
    assert floats.shape == (2,) and np.allclose(floats, expected, rtol=1e-15, atol=0)


# -- bad input ---------------------------------------------------------------------------------


def test_bad_input():
    diagram = all_diagrams(2)[0]
    schedule = Schedule(4, 2, 2)
    with pytest.raises(TypeError, match="schedule must be a Schedule"):
        embedding_sum(diagram, (4, 2, 2), [1, 1])
    with pytest.raises(ValueError, match=re.escape("q needs one number per edge: 2")):
        embedding_sum(diagram, schedule, [1])
    with pytest.raises(ValueError, match="arithmetic must be 'exact' or 'float'"):
        embedding_sum(diagram, schedule, [1, 1], "double")
    with pytest.raises(TypeError, match=re.escape("q[1]: exact arithmetic takes ints, Fractions or sympy")):
        embedding_sum(diagram, schedule, [1, 0.5])
    for text in ("0.5", b"1"):
        with pytest.raises(TypeError, match=re.escape("q[0]")):
            embedding_sum(diagram, schedule, [text, 1])
        with pytest.raises(TypeError, match=re.escape("q[0]: float arithmetic takes real numbers")):
            embedding_sum(diagram, schedule, [text, 1], "float")
    with pytest.raises(TypeError, match=re.escape("q[1]: float arithmetic takes real numbers")):
        embedding_sum(diagram, schedule, [1, q[0]], "float")
    with pytest.raises(TypeError, match=re.escape("q[0]: float arithmetic takes real numbers or numeric arrays")):
        embedding_sum(diagram, schedule, [np.array(["1"]), 1], "float")
    with pytest.raises(ValueError, match="float arithmetic needs a concrete schedule"):
        embedding_sum(diagram, Schedule.symbolic(), [0.5, 0.5], "float")
    for arithmetic in ("exact", "float"):
        with pytest.raises(TypeError, match=re.escape("q[1]")):
            embedding_sum(diagram, schedule, [1, True], arithmetic)
    # sympy numbers are fine in floating point
    assert float(embedding_sum(diagram, schedule, [sympy.Rational(1, 2), 1], "float")) == float(
        embedding_sum(diagram, schedule, [Fraction(1, 2), 1])
    )

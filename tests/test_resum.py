"""Resummation (SPEC §6): closed forms against direct sums, re-expansion against the plain
series, MeanEstimation exactly, and the oracle through the plain series."""

from __future__ import annotations

import pytest
import sympy
from landscape_factory import random_landscape

import diagrams as dg
from diagrams.core.propagators import Propagation, divided_difference
from diagrams.core.propagators import weighted_embedding_sum as propagator_sum


def closed_form_sum(D, S, base):
    """Z(D) in closed form with q_e = base(e) on edge e."""
    return Propagation(S).z(
        D, [1 - sympy.Integer(base(e)) if isinstance(base(e), int) else 1 - base(e) for e in range(D.order)]
    )


eta = dg.eta
T = sympy.Symbol("T", positive=True, integer=True)


def taylor(expr, order):
    """Coefficients of η^0..η^order of a rational function of η that is analytic at η = 0.

    Power-series division of numerator by denominator (exact), which is much
    faster than sympy.series on these expressions.
    """
    numerator, denominator = sympy.fraction(sympy.cancel(sympy.together(expr)))
    top = sympy.Poly(numerator, eta)
    bottom = sympy.Poly(denominator, eta)
    a = [top.coeff_monomial(eta**k) for k in range(order + 1)]
    b = [bottom.coeff_monomial(eta**k) for k in range(order + 1)]
    assert b[0] != 0, "not analytic at η = 0"
    c = []
    for k in range(order + 1):
        c.append(sympy.simplify((a[k] - sum(b[j] * c[k - j] for j in range(1, k + 1))) / b[0]))
    return c


def plain(expr, order):
    poly = sympy.Poly(sympy.expand(expr), eta)
    return [poly.coeff_monomial(eta**k) for k in range(order + 1)]


def landscape_stats(seed, dim, degree):
    loss, params, sample, distribution, theta0 = random_landscape(seed, dim, degree)
    return dg.Landscape(loss, params, sample, distribution).statistics(at=theta0)


@pytest.mark.parametrize("schedule", [(3, 1, 1), (4, 2, 1), (2, 2, 3), (2, 1, 2)], ids=str)
@pytest.mark.parametrize("seed", [1, 2])
def test_resummed_reexpands_to_plain_series_1d(seed, schedule):
    st = landscape_stats(seed, 1, 4)
    S = dg.Schedule(*schedule)
    order = 3
    for function in (dg.expected_loss, dg.generalization_gap):
        resummed = function(st, S, order, method=dg.Resummed())
        assert taylor(resummed, order) == plain(function(st, S, order), order)
    (move,) = dg.displacement(st, S, order, method=dg.Resummed())
    assert taylor(move, order) == plain(dg.displacement(st, S, order)[0], order)


@pytest.mark.parametrize("schedule", [(2, 1, 1), (2, 2, 1), (2, 1, 2)], ids=str)
def test_resummed_reexpands_to_plain_series_2d(schedule):
    st = landscape_stats(3, 2, 3)
    S = dg.Schedule(*schedule)
    order = 2
    resummed = dg.expected_loss(st, S, order, method=dg.Resummed())
    assert plain(resummed, order) == plain(dg.expected_loss(st, S, order), order)
    moves = dg.displacement(st, S, order, method=dg.Resummed())
    assert [plain(m, order) for m in moves] == [plain(m, order) for m in dg.displacement(st, S, order)]


def test_mean_estimation_exact_for_all_T():
    """SPEC §6: l_x = Hθ²/2 + xSθ, E x = 0, E x² = 1, E = B = 1."""
    theta, x = sympy.symbols("theta x")
    H, S, theta0 = sympy.symbols("H S theta0", positive=True)
    land = dg.Landscape(
        H * theta**2 / 2 + x * S * theta, [theta], x, {-1: sympy.Rational(1, 2), 1: sympy.Rational(1, 2)}
    )
    st = land.statistics(at={theta: theta0})
    K = 1 - eta * H
    expected = H / 2 * theta0**2 * K ** (2 * T) + eta**2 * S**2 * H / 2 * (1 - K ** (2 * T)) / (1 - K**2)
    assert sympy.simplify(dg.expected_loss(st, dg.Schedule.sgd(T), 2, method=dg.Resummed()) - expected) == 0
    # higher linkless diagrams vanish here, so more orders change nothing
    assert sympy.simplify(dg.expected_loss(st, dg.Schedule.sgd(T), 4, method=dg.Resummed()) - expected) == 0
    at_zero = dg.Landscape(land.loss, [theta], x, land.distribution).statistics(at={theta: 0})
    continuous = dg.expected_loss(at_zero, dg.Schedule.sgd(T), 2, method=dg.Resummed("continuous"))
    assert sympy.limit(continuous, T, sympy.oo) == eta * S**2 / 4
    assert (
        sympy.simplify(dg.expected_loss(at_zero, dg.Schedule.sgd(T), 2, method=dg.Resummed("continuous", limit=True)))
        == eta * S**2 / 4
    )


@pytest.mark.parametrize(
    "text", ["[a][a]", "[a][b][ab]", "[a:b][ab]", "[a:b:c][abc]", "[a][ab:c:d][bcd]", "[a:a]", "[a:b][ac][bc]"]
)
@pytest.mark.parametrize("schedule", [(3, 1, 1), (4, 2, 1), (3, 3, 3), (2, 2, 4)], ids=str)
def test_closed_forms_equal_direct_sums(text, schedule):
    D, S = dg.parse(text), dg.Schedule(*schedule)
    q = {e: sympy.Rational(e + 2, 3 * e + 5) for e in range(D.order)}  # distinct bases per edge
    direct = propagator_sum(D, S, lambda e, dt: q[e] ** (dt - 1))
    assert closed_form_sum(D, S, q.__getitem__) == direct
    same = sympy.Rational(1, 2)  # equal bases: confluent divided differences
    assert closed_form_sum(D, S, lambda e: same) == propagator_sum(D, S, lambda e, dt: same ** (dt - 1))
    assert closed_form_sum(D, S, lambda e: 1) == dg.count_embeddings(D, S)  # zero eigenvalue: K = 1


def test_symbolic_T_closed_form_matches_concrete_T():
    D = dg.parse("[a][ab:c:d][bcd]")
    K = sympy.Rational(2, 5)
    symbolic = closed_form_sum(D, dg.Schedule.sgd(T), lambda e: K)
    for t in range(1, 6):
        assert sympy.simplify(symbolic.subs(T, t)) == propagator_sum(D, dg.Schedule.sgd(t), lambda e, dt: K ** (dt - 1))


def test_divided_differences():
    assert divided_difference([2, 5], lambda s: s**3) == (125 - 8) / sympy.Integer(3)
    assert sympy.expand(divided_difference([1, 1, 1], lambda s: s**T)) == sympy.expand(T * (T - 1) / 2)
    assert divided_difference([0, 0], lambda s: sympy.exp(T * s)) == T

"""Symbolic series: SPEC §5's order-2 formula, the skewness term, the paper's corollaries,
crossing symmetry, and a sympy.stats Normal sample end to end (the Gauss landscape)."""

from __future__ import annotations

import pytest
import sympy
import sympy.stats
from oracle_sgd import sgd_series

import diagrams as dg

T, N, M0, eta0 = sympy.symbols("T N M0 eta0", positive=True)
l, G, H, J, C, S = sympy.symbols("l G H J C S")
K12 = sympy.Symbol("kappa_{1,2}")
eta = dg.eta
SYM = dg.Statistics.symbolic()


def coefficient(expr, k):
    return sympy.expand(expr).coeff(eta, k)


def order_two_formula(T_, N_, B_, E_):
    """SPEC §5, 1-D."""
    return (
        l
        - eta * T_ * G**2
        + eta**2
        * (T_ * (T_ - sympy.Rational(1, 2)) * G**2 * H + T_**2 / (2 * N_) * C * H + T_ * (E_ - 1) / (2 * B_) * K12 * G)
    )


@pytest.mark.parametrize(
    "schedule, params",
    [
        (dg.Schedule.sgd(T), (T, T, 1, 1)),
        (dg.Schedule.gd(N, T), (T, N, N, T)),
        (dg.Schedule(N=N, B=1, E=M0), (M0 * N, N, 1, M0)),
        (dg.Schedule(6, 2, 3), (9, 6, 2, 3)),
        (dg.Schedule(4, 4, 2), (2, 4, 4, 2)),
    ],
    ids=["sgd", "gd", "sgd-epochs", "6-2-3", "4-4-2"],
)
def test_order_two_formula(schedule, params):
    got = dg.expected_loss(SYM, schedule, 2)
    assert sympy.expand(got - order_two_formula(*params)) == 0


def test_skewness_term_single_epoch():
    series = dg.expected_loss(SYM, dg.Schedule.sgd(T), 3)
    assert sympy.expand(coefficient(series, 3)).coeff(S * J) == -T / 6


def test_batch_corollary_gd_minus_sgd():
    """SPEC §9 Cor. 'batch': T = N, GD (B = N) minus SGD (B = 1)."""
    gd = dg.expected_loss(SYM, dg.Schedule.gd(N, N), 2)
    sgd = dg.expected_loss(SYM, dg.Schedule.sgd(N), 2)
    assert sympy.expand(gd - sgd - eta**2 * (N - 1) / 2 * K12 * G) == 0


def test_epochs_corollary():
    """SPEC §9 Cor. 'epochs': M0 epochs at η0/M0 versus one epoch at η0, B = 1."""
    many = dg.expected_loss(SYM, dg.Schedule(N=N, B=1, E=M0), 2).subs(eta, eta0 / M0)
    one = dg.expected_loss(SYM, dg.Schedule(N=N, B=1, E=1), 2).subs(eta, eta0)
    expected = eta0**2 * (N / 2 * (1 - 1 / M0) * G**2 * H + N * (M0 - 1) / (2 * M0) * K12 * G)
    assert sympy.simplify(many - one - expected) == 0


def test_generalization_gap_leads_with_tr_eta_c():
    gap = dg.generalization_gap(SYM, dg.Schedule.gd(N, T), 1)
    assert sympy.expand(gap - eta * T * C / N) == 0


def test_crossing_symmetry_in_einstein_notation():
    st = dg.Statistics.symbolic(dim=3)
    chain, cherry = dg.parse("[a][ab][b]"), dg.parse("[a][b][ab]")
    assert chain != cherry
    assert dg.uvalue(chain, st) == dg.uvalue(cherry, st)
    series = dg.expected_loss(st, dg.Schedule.sgd(T), 2)
    # T(T-1)/2 from the chain plus T^2/2 from the cherry combine into T(T - 1/2)
    (value_symbol,) = dg.uvalue(chain, st).free_symbols - {eta}
    assert value_symbol.name == "G_{a} H_{ab} G_{b}"
    assert sympy.expand(coefficient(series, 2).coeff(value_symbol)) == sympy.expand(T * (T - sympy.Rational(1, 2)))


def test_symbolic_dim_one_matches_landscape_substitution():
    """A 1-D symbolic series with the landscape's cumulants substituted equals the landscape series."""
    w, x = sympy.symbols("w x")
    land = dg.Landscape(
        w**4 / 4 - w**2 + x * w**3 / 3 + x**2 * w, [w], x, {-1: sympy.Rational(1, 3), 2: sympy.Rational(2, 3)}
    )
    st = land.statistics(at={w: sympy.Rational(1, 2)})
    schedule = dg.Schedule(4, 2, 2)
    symbolic = dg.expected_loss(SYM, schedule, 3)
    values = {}
    for symbol in symbolic.free_symbols - {eta}:
        name = symbol.name
        degrees = {"l": (0,), "G": (1,), "H": (2,), "J": (3,), "C": (1, 1), "S": (1, 1, 1)}.get(name)
        if degrees is None:
            degrees = tuple(int(k) for k in name[len("kappa_{") : -1].split(","))
        values[symbol] = st.cumulant(tuple((0,) * k for k in degrees))
    assert sympy.expand(symbolic.subs(values) - dg.expected_loss(st, schedule, 3)) == 0


def gauss_loss(h, y, truncate=None):
    decay = sympy.exp(-h) if truncate is None else sum((-h) ** j / sympy.factorial(j) for j in range(truncate + 1))
    return (h + y * decay) / 2


def test_gauss_landscape_with_a_normal_sample():
    """SPEC §8 'Gauss': l_x(h) = (h + x² e^{-h})/2, x ~ N(0,1), from h = 0.

    The engine uses sympy.stats; the oracle runs SGD on y = x² drawn from a
    five-point distribution with the moments of χ²₁ up to the fourth
    (1, 3, 15, 105), with e^{-h} truncated (only derivatives up to order 4 and
    moments up to 4 enter the series to η³).
    """
    h = sympy.Symbol("h")
    z = sympy.stats.Normal("z", 0, 1)
    st = dg.Landscape(gauss_loss(h, z**2), [h], z).statistics(at={h: 0})
    assert [st.cumulant(i) for i in [((0,),), ((0, 0),), ((0, 0, 0),), ((0,), (0,)), ((0,), (0,), (0,))]] == [
        0,
        sympy.Rational(1, 2),
        -sympy.Rational(1, 2),
        sympy.Rational(1, 2),
        -1,
    ]
    y = sympy.Symbol("y")
    chi2 = dict(zip([0, 1, 2, 4, 9], map(sympy.Rational, ["17/36", "1/4", "3/14", "1/20", "17/1260"])))
    for schedule in [(3, 1, 1), (2, 2, 1), (2, 1, 2)]:
        oracle = sgd_series(gauss_loss(h, y, truncate=4), [h], y, chi2, *schedule, 3)
        engine = sympy.Poly(dg.expected_loss(st, dg.Schedule(*schedule), 3), eta)
        assert [engine.coeff_monomial(eta**k) for k in range(4)] == oracle["test_loss"]
        gap = sympy.Poly(dg.generalization_gap(st, dg.Schedule(*schedule), 3), eta)
        assert [gap.coeff_monomial(eta**k) for k in range(4)] == oracle["gap"]

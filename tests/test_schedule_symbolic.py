"""Every schedule at once: Schedule.symbolic() (N = M·B, T = E·M with M, B, E symbols).

The general formulas must specialize, by substitution, to the paper's corollaries (SPEC §5, §9)
and to the brute-force SGD oracle at concrete (N, B, E)."""

from __future__ import annotations

import re

import pytest
import sympy
from landscape_factory import random_landscape
from oracle_sgd import count_embeddings_bruteforce, sgd_series

import diagrams as dg
from diagrams.core.schedule import Schedule, ScheduleError, count_embeddings, embedding_polynomial

GENERAL = Schedule.symbolic()
M, B, E = GENERAL.steps_per_epoch, GENERAL.B, GENERAL.E
N, M0, eta0 = sympy.symbols("N M0 eta0")
l, G, H, C, J, S = sympy.symbols("l G H C J S")
K12 = sympy.Symbol("kappa_{1,2}")
eta = dg.eta
SYM = dg.Statistics.symbolic()
SCHEDULES = [(3, 1, 1), (2, 1, 2), (2, 2, 1), (4, 2, 1), (2, 1, 3), (4, 2, 2), (6, 2, 3), (6, 3, 2)]


def at(expr, N_, B_, E_):
    """The general expression at a concrete or partly symbolic schedule (M = N/B)."""
    return expr.subs({M: N_ / sympy.sympify(B_), B: B_, E: E_}, simultaneous=True)


def all_diagrams(d):
    return [*dg.enumerate_diagrams(d), *dg.enumerate_diagrams(d, root_tied=True)]


# -- the schedule itself -------------------------------------------------------------------


def test_symbolic_schedule():
    assert repr(GENERAL) == "Schedule(N=B*M, B=B, E=E)"
    assert (GENERAL.N, GENERAL.T) == (M * B, E * M)
    assert (M.name, B.name, E.name) == ("M", "B", "E")
    assert not GENERAL.is_full_batch and not GENERAL.is_single_epoch_sgd
    assert GENERAL == Schedule(N=M * B, B=B, E=E) and hash(GENERAL) == hash(Schedule(N=M * B, B=B, E=E))
    assert Schedule.symbolic(B=1) == Schedule(N=M, B=1, E=E)
    assert Schedule.symbolic(M=1) == Schedule(N=B, B=B, E=E) and Schedule.symbolic(M=1).is_full_batch
    assert Schedule.symbolic(M=3, B=2, E=4) == Schedule(6, 2, 4)
    assert Schedule.symbolic(M=3).steps_per_epoch == 3 and isinstance(Schedule.symbolic(M=3).steps_per_epoch, int)
    assert Schedule(N=2 * B, B=B).steps_per_epoch == 2
    assert Schedule(N=M * B**2, B=B).steps_per_epoch == M * B


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"N": M + 1, "B": 1}, "a product of Symbols such as M*B, got M + 1"),
        ({"N": M / 2, "B": 1}, "got M/2"),
        ({"N": -M, "B": 1}, "got -M"),
        ({"N": M * B, "B": N}, "cannot check that B=N divides N=B*M"),
        ({"N": M * sympy.Symbol("k", negative=True), "B": 1}, "N must be a positive integer"),
        ({"N": 2 * M, "B": 4}, "cannot check that B=4 divides N=2*M"),
    ],
)
def test_symbolic_schedule_rejects(kwargs, message):
    with pytest.raises(ScheduleError, match=re.escape(message)):
        Schedule(**kwargs)
    with pytest.raises(ScheduleError, match="M must be a positive int"):
        Schedule.symbolic(M=0)


# -- counts ------------------------------------------------------------------------------------


def test_general_counts_are_the_embedding_polynomials():
    for d in range(5):
        for diagram in all_diagrams(d):
            assert count_embeddings(diagram, GENERAL) == embedding_polynomial(diagram).as_expr(), str(diagram)


@pytest.mark.parametrize("N_,B_,E_", SCHEDULES, ids=str)
def test_general_counts_specialize_to_brute_force_counts(N_, B_, E_):
    for d in range(4):
        for diagram in all_diagrams(d):
            expected = count_embeddings_bruteforce(diagram.parent, diagram.parts, N_, B_, E_)
            assert at(count_embeddings(diagram, GENERAL), N_, B_, E_) == expected, str(diagram)


# -- the paper's formulas as special cases ---------------------------------------------------------


@pytest.fixture(scope="module")
def general_loss():
    return dg.expected_loss(SYM, GENERAL, 3)


def test_order_two_formula_for_every_schedule(general_loss):
    """SPEC §5 with T = E·M and N = M·B."""
    T = E * M
    expected = (
        l
        - eta * T * G**2
        + eta**2
        * (T * (T - sympy.Rational(1, 2)) * G**2 * H + T**2 / (2 * M * B) * C * H + T * (E - 1) / (2 * B) * K12 * G)
    )
    truncated = sum(sympy.expand(general_loss).coeff(eta, k) * eta**k for k in range(3))
    assert sympy.expand(truncated - expected) == 0


def test_skewness_term_of_single_epoch_sgd(general_loss):
    third = sympy.expand(at(general_loss, N, 1, 1)).coeff(eta, 3)
    assert third.coeff(S * J) == -N / 6


def test_epochs_corollary(general_loss):
    """SPEC §9 Cor. 'epochs' (corrected): B = 1, M₀ epochs at η₀/M₀ versus one epoch at η₀."""
    truncated = sum(sympy.expand(general_loss).coeff(eta, k) * eta**k for k in range(3))
    many = at(truncated, N, 1, M0).subs(eta, eta0 / M0)
    one = at(truncated, N, 1, 1).subs(eta, eta0)
    expected = eta0**2 * (N / 2 * (1 - 1 / M0) * G**2 * H + N * (M0 - 1) / (2 * M0) * K12 * G)
    assert sympy.simplify(many - one - expected) == 0


def test_batch_corollary(general_loss):
    """SPEC §9 Cor. 'batch' (corrected): T = N steps of GD (B = N) versus SGD (B = 1)."""
    truncated = sum(sympy.expand(general_loss).coeff(eta, k) * eta**k for k in range(3))
    gd, sgd = at(truncated, N, N, N), at(truncated, N, 1, 1)
    assert sympy.expand(gd - sgd - eta**2 * (N - 1) / 2 * K12 * G) == 0


def test_general_series_specialize_to_concrete_schedules(general_loss):
    general_gap = dg.generalization_gap(SYM, GENERAL, 3)
    for N_, B_, E_ in SCHEDULES:
        schedule = Schedule(N_, B_, E_)
        assert sympy.expand(at(general_loss, N_, B_, E_) - dg.expected_loss(SYM, schedule, 3)) == 0
        assert sympy.expand(at(general_gap, N_, B_, E_) - dg.generalization_gap(SYM, schedule, 3)) == 0


def test_general_gap_leads_with_tr_eta_c():
    """gap = −(1/N)·Σ(…): the 1/N is 1/(M·B); at order one, E·M·(η C)/(M·B)·… = η T C / N."""
    gap = dg.generalization_gap(SYM, GENERAL, 1)
    assert sympy.expand(gap - eta * (E * M) * C / (M * B)) == 0


# -- against the brute-force SGD oracle -------------------------------------------------------------


@pytest.mark.parametrize("seed, dim, degree, order", [(1, 1, 4, 3), (3, 2, 3, 2)], ids=str)
def test_general_formula_matches_the_sgd_oracle(seed, dim, degree, order):
    loss, params, sample, distribution, theta0 = random_landscape(seed, dim, degree)
    stats = dg.Landscape(loss, params, sample, distribution).statistics(at=theta0)
    general_loss = dg.expected_loss(stats, GENERAL, order)
    general_gap = dg.generalization_gap(stats, GENERAL, order)
    for N_, B_, E_ in [(3, 1, 1), (2, 1, 2), (2, 2, 1), (4, 2, 2), (4, 4, 2)]:
        oracle = sgd_series(loss, params, sample, distribution, N_, B_, E_, order, theta0=theta0)
        for general, key in ((general_loss, "test_loss"), (general_gap, "gap")):
            poly = sympy.Poly(sympy.expand(at(general, N_, B_, E_)), eta)
            assert [poly.coeff_monomial(eta**k) for k in range(order + 1)] == oracle[key], (key, N_, B_, E_)

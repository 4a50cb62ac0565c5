"""The η-series engine against the brute-force SGD oracle: exact equality, coefficient by coefficient."""

from __future__ import annotations

import pytest
import sympy

import diagrams as dg
from landscape_factory import random_landscape
from oracle_sgd import sgd_series

SCHEDULES = [(3, 1, 1), (2, 1, 2), (2, 2, 1), (4, 2, 1), (2, 1, 3), (4, 2, 2)]
CASES = [(seed, 1, 4, 4) for seed in (1, 2)] + [(seed, 2, 3, 3) for seed in (3,)]


def coefficients(expr: sympy.Expr, order: int) -> list[sympy.Expr]:
    poly = sympy.Poly(sympy.expand(expr), dg.eta)
    return [poly.coeff_monomial(dg.eta**k) for k in range(order + 1)]


@pytest.fixture(scope="module")
def oracle_cache():
    return {}


def oracle(cache, seed, dim, degree, order, schedule):
    key = (seed, dim, degree, order, schedule)
    if key not in cache:
        loss, params, sample, distribution, theta0 = random_landscape(seed, dim, degree)
        cache[key] = sgd_series(loss, params, sample, distribution, *schedule, order, theta0=theta0)
    return cache[key]


def engine_stats(seed, dim, degree):
    loss, params, sample, distribution, theta0 = random_landscape(seed, dim, degree)
    return dg.Landscape(loss, params, sample, distribution).statistics(at=theta0)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=str)
@pytest.mark.parametrize("seed, dim, degree, order", CASES, ids=lambda c: str(c))
def test_test_loss_matches_oracle(oracle_cache, seed, dim, degree, order, schedule):
    expected = oracle(oracle_cache, seed, dim, degree, order, schedule)["test_loss"]
    got = dg.expected_loss(engine_stats(seed, dim, degree), dg.Schedule(*schedule), order)
    assert coefficients(got, order) == expected


@pytest.mark.parametrize("schedule", SCHEDULES, ids=str)
@pytest.mark.parametrize("seed, dim, degree, order", CASES, ids=lambda c: str(c))
def test_gap_matches_oracle(oracle_cache, seed, dim, degree, order, schedule):
    expected = oracle(oracle_cache, seed, dim, degree, order, schedule)["gap"]
    got = dg.generalization_gap(engine_stats(seed, dim, degree), dg.Schedule(*schedule), order)
    assert coefficients(got, order) == expected


@pytest.mark.parametrize("schedule", SCHEDULES, ids=str)
@pytest.mark.parametrize("seed, dim, degree, order", CASES, ids=lambda c: str(c))
def test_displacement_matches_oracle(oracle_cache, seed, dim, degree, order, schedule):
    expected = oracle(oracle_cache, seed, dim, degree, order, schedule)["displacement"]
    got = dg.displacement(engine_stats(seed, dim, degree), dg.Schedule(*schedule), order)
    assert [coefficients(g, order) for g in got] == expected

"""The η-series engine against the brute-force SGD oracle: exact equality, coefficient by coefficient."""

from __future__ import annotations

import pytest
import sympy
from landscape_factory import random_landscape
from oracle_sgd import sgd_series

import diagrams as dg

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


@pytest.mark.parametrize("schedule", [(3, 1, 1), (2, 1, 2), (4, 2, 2)], ids=str)
def test_general_observable_matches_oracle(schedule):
    """E[s(θ_T)] for s = l(θ)² (the second moment of the test loss) and s = θ³."""
    loss, params, sample, distribution, theta0 = random_landscape(4, 1, 4)
    land = dg.Landscape(loss, params, sample, distribution)
    stats = land.statistics(at=theta0)
    for observable in (land.mean_loss() ** 2, params[0] ** 3):
        expected = sgd_series(loss, params, sample, distribution, *schedule, 3, theta0=theta0, observable=observable)
        got = dg.expectation(observable, stats, dg.Schedule(*schedule), 3)
        assert coefficients(got, 3) == expected["observable"]


def test_numeric_statistics_equal_landscape_statistics():
    """Statistics.numeric built from arrays gives the landscape's series (2-D, order 2)."""
    import numpy as np

    stats = engine_stats(3, 2, 3)
    m = 2

    def table(*degrees):
        shape = (m,) * sum(degrees)
        array = np.empty(shape, dtype=object)
        for index in np.ndindex(*shape):
            groups, start = [], 0
            for k in degrees:
                groups.append(index[start : start + k])
                start += k
            array[index] = stats.cumulant(groups)
        return array

    numeric = dg.Statistics.numeric(
        l=stats.cumulant(((),)), G=table(1), H=table(2), C=table(1, 1), kappa={(1, 2): table(1, 2)}
    )
    schedule = dg.Schedule(4, 2, 2)
    assert sympy.expand(dg.expected_loss(numeric, schedule, 2) - dg.expected_loss(stats, schedule, 2)) == 0
    with pytest.raises(KeyError, match="no numeric value given for the cumulant"):
        dg.expected_loss(numeric, schedule, 3)

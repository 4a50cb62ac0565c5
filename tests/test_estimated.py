"""Estimated values (diagrams.values.estimated): the arithmetic of independent estimates, checked by hand."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy

from diagrams import eta, parse
from diagrams.core.observables import LOSS, coordinate
from diagrams.values.estimated import (
    DISPLACEMENT,
    Estimate,
    EstimatedValues,
    PolynomialEstimate,
    ResummedValues,
    RunningMoments,
)

D1, D2, D3 = parse("[a][a]"), parse("[a:b][ab]"), parse("[a:a]")


def test_estimate_confidence_intervals_and_arithmetic():
    e = Estimate(1.0, 0.5, 100)
    low, high = e.ci(0.9)
    assert (high - low) / 2 == pytest.approx(1.6448536269514722 * 0.5)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        e.ci(1.0)
    total = e + Estimate(2.0, 1.2, 40) - Estimate(0.5, 0.0, 7)
    assert (total.mean, total.n) == (2.5, 7) and total.stderr == pytest.approx(1.3)
    scaled = sympy.Rational(-3, 2) * e / 3
    assert (scaled.mean, scaled.stderr) == (-0.5, 0.25)
    assert sum([e, e]) == Estimate(2.0, math.sqrt(0.5), 100)
    vector = Estimate(np.array([1.0, 2.0]), np.array([0.1, 0.2]), 9) * 2
    np.testing.assert_array_equal(vector.stderr, [0.2, 0.4])
    for bad in ("2", sympy.Symbol("T"), [1, 2]):
        with pytest.raises(TypeError):
            e * bad


def test_polynomial_estimate_adds_variances_and_scales_by_squares():
    p = PolynomialEstimate({1: (2.0, 0.04)}, n=50)
    q = PolynomialEstimate({1: (1.0, 0.09), 3: (-4.0, 1.0)}, n=20)
    r = Fraction(1, 2) * (p + q) + sympy.Integer(0)
    assert r.powers == (1, 3) and r.n == 20
    assert r.coefficient(1) == Estimate(1.5, math.sqrt(0.13) / 2, 20)
    assert r.coefficient(2) == Estimate(0.0, 0.0, 20)
    at = r.at(0.5)
    assert at.mean == pytest.approx(1.5 * 0.5 - 2.0 * 0.125)
    assert at.stderr == pytest.approx(math.sqrt(0.13 / 4 * 0.25 + 0.25 * 0.5**6))
    assert r.mean == sympy.Float(1.5) * eta - sympy.Float(2.0) * eta**3
    assert (p / 2 - p / 2).coefficient(1).mean == 0.0
    assert repr(p) == "PolynomialEstimate((2 ± 0.2)·eta)"
    with pytest.raises(ValueError, match="variance cannot be negative"):
        PolynomialEstimate({0: (1.0, -1.0)}, n=2)
    with pytest.raises(TypeError):
        p + Estimate(1.0, 0.1, 2)


def test_estimated_values_give_eta_powers_and_refuse_what_they_do_not_hold():
    values = EstimatedValues({D1: Estimate(0.25, 0.01, 1000), D3: Estimate(1.5, 0.2, 10)})
    assert values.value(D1).coefficient(1) == Estimate(0.25, 0.01, 1000)
    assert values.value(D3).powers == (1,) and D3 in values and len(values) == 2
    with pytest.raises(ValueError, match=r"\[a:b\]\[ab\] \(order 2\) was not estimated.*parse\('\[a:b\]\[ab\]'\)"):
        values.value(D2)
    with pytest.raises(ValueError, match="not coordinate 0"):
        values.value(D1, coordinate(0))
    merged = values | EstimatedValues({D2: Estimate(3.0, 0.3, 5)})
    assert set(merged) == {D1, D2, D3}
    with pytest.raises(ValueError, match="different estimates"):
        values | EstimatedValues({D1: Estimate(0.0, 0.3, 5)})
    with pytest.raises(ValueError, match="cannot merge"):
        values | EstimatedValues({D2: Estimate(np.zeros(2), np.ones(2), 5)}, DISPLACEMENT)


def test_displacement_values_pick_a_coordinate():
    values = EstimatedValues({D1: Estimate(np.array([1.0, -2.0]), np.array([0.1, 0.3]), 30)}, DISPLACEMENT)
    assert values.value(D1, coordinate(1)).coefficient(1) == Estimate(-2.0, 0.3, 30)
    both = values.value(D1, DISPLACEMENT)
    np.testing.assert_array_equal(both.at(2.0).mean, [2.0, -4.0])
    assert both.mean == sympy.ImmutableMatrix([sympy.Float(1.0) * eta, sympy.Float(-2.0) * eta])
    with pytest.raises(ValueError, match="with observable='displacement'|estimated with the displacement"):
        values.value(D1, LOSS)


def test_resummed_values_total_and_errors():
    resummed = ResummedValues(
        schedule=None,
        eta=0.1,
        observable=LOSS,
        form="exact",
        limit=False,
        estimates={D1: Estimate(2.0, 0.3, 10), D2: Estimate(-1.0, 0.4, 10)},
        projection_errors={},
        ritz_values=(1.0,),
        residual_norms=(0.0,),
        dim=2,
    )
    terms = (resummed.term(w, resummed.resummed_value(D)) for D, w in [(D1, -3), (D2, sympy.Rational(1, 2))])
    total = resummed.total([resummed.subtotal(terms)])
    assert total.mean == -6.5 and total.stderr == pytest.approx(math.hypot(0.9, 0.2))
    assert resummed.rank == 1
    with pytest.raises(ValueError, match="only linkless diagrams are resummed"):
        resummed.resummed_value(parse("[a][ab][b]"))


def test_running_moments_match_numpy_over_chunks():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(101, 3))
    moments = RunningMoments()
    for chunk in np.array_split(data, 7):
        moments.add(chunk)
    estimate = moments.estimate()
    np.testing.assert_allclose(estimate.mean, data.mean(axis=0))
    np.testing.assert_allclose(estimate.stderr, data.std(axis=0, ddof=1) / np.sqrt(101))
    assert estimate.n == 101

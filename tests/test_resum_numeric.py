"""Numeric resummation in an eigenbasis of H: against the exact moment recursion of a
quadratic landscape, and against the symbolic resummed forms."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from landscape_factory import random_landscape

import diagrams as dg

u, v, x = sympy.symbols("u v x")
HESSIAN = sympy.Matrix([[2, sympy.Rational(1, 2)], [sympy.Rational(1, 2), 1]])
SHIFT = sympy.Matrix([1, -1])
NOISE = {-1: sympy.Rational(1, 4), 0: sympy.Rational(1, 4), 1: sympy.Rational(1, 4), 2: sympy.Rational(1, 4)}


def quadratic_with_additive_noise():
    """l_x(θ) = θᵀHθ/2 + (g + ξ_x)ᵀθ with ξ_x = (x, x²): gradient noise independent of θ."""
    theta = sympy.Matrix([u, v])
    loss = (theta.T * HESSIAN * theta)[0] / 2 + ((SHIFT + sympy.Matrix([x, x**2])).T * theta)[0]
    return dg.Landscape(loss, [u, v], x, NOISE)


def moment_recursion(T: int, B: int, eta: float, theta0) -> float:
    """m_T = K^T m₀ about the minimum, Σ_T = (η²/B) Σ_{k<T} K^k C K^k; E l = l* + δᵀHδ/2 + tr(HΣ)/2."""
    H = np.array(HESSIAN, dtype=float)
    xs = np.array([float(k) for k in NOISE])
    noise = np.stack([xs, xs**2])
    mean, C = noise.mean(axis=1), np.cov(noise, bias=True)
    g = np.array(SHIFT, dtype=float).ravel() + mean
    K = np.eye(2) - eta * H
    star = -np.linalg.solve(H, g)
    delta = np.linalg.matrix_power(K, T) @ (np.asarray(theta0, dtype=float) - star)
    sigma, power = np.zeros((2, 2)), np.eye(2)
    for _ in range(T):
        sigma += power @ C @ power.T
        power = K @ power
    sigma *= eta**2 / B
    return 0.5 * star @ H @ star + g @ star + 0.5 * delta @ H @ delta + 0.5 * np.trace(H @ sigma)


@pytest.mark.parametrize("T, B", [(1, 1), (7, 1), (10, 3), (1000, 2), (10_000, 1)])
def test_quadratic_additive_noise_matches_moment_recursion(T, B):
    stats = quadratic_with_additive_noise().statistics(at={u: 1, v: 0})
    got = dg.expected_loss(stats, dg.Schedule(T * B, B, 1), 2, method=dg.Resummed(), at_eta=0.05)
    assert got == pytest.approx(moment_recursion(T, B, 0.05, [1, 0]), rel=1e-10, abs=1e-12)


def landscape_stats(seed, dim, degree):
    loss, params, sample, distribution, theta0 = random_landscape(seed, dim, degree)
    return dg.Landscape(loss, params, sample, distribution).statistics(at=theta0)


@pytest.mark.parametrize(
    "form, limit", [("exact", False), ("continuous", False), ("exact", True), ("continuous", True)]
)
@pytest.mark.parametrize("schedule", [(5, 1, 1), (6, 2, 1), (2, 2, 4)], ids=str)
def test_numeric_equals_symbolic_1d(schedule, form, limit):
    stats = landscape_stats(7, 1, 4)
    S = dg.Schedule(*schedule)
    options = dict(method=dg.Resummed(form, limit=limit))
    if stats.cumulant(((0, 0),)) <= 0 and limit:
        pytest.fail("the random landscape must have H > 0 for limits")  # pragma: no cover - seed is fixed
    symbolic = dg.expected_loss(stats, S, 3, **options)
    numeric = dg.expected_loss(stats, S, 3, at_eta=0.03, **options)
    assert numeric == pytest.approx(float(symbolic.subs(dg.eta, 0.03)), rel=1e-9)
    gap = dg.generalization_gap(stats, S, 3, **options)
    assert dg.generalization_gap(stats, S, 3, at_eta=0.03, **options) == pytest.approx(
        float(gap.subs(dg.eta, 0.03)), rel=1e-9, abs=1e-12
    )


@pytest.mark.parametrize("schedule", [(3, 1, 1), (2, 2, 2), (2, 1, 2)], ids=str)
def test_numeric_equals_exact_matrix_propagators_2d(schedule):
    stats = landscape_stats(3, 2, 3)
    S = dg.Schedule(*schedule)
    exact = dg.expected_loss(stats, S, 2, method=dg.Resummed())
    assert dg.expected_loss(stats, S, 2, method=dg.Resummed(), at_eta=0.07) == pytest.approx(
        float(exact.subs(dg.eta, 0.07)), rel=1e-9
    )
    exact_moves = dg.displacement(stats, S, 2, method=dg.Resummed())
    numeric_moves = dg.displacement(stats, S, 2, method=dg.Resummed(), at_eta=0.07)
    assert numeric_moves == pytest.approx([float(m.subs(dg.eta, 0.07)) for m in exact_moves], rel=1e-9, abs=1e-12)

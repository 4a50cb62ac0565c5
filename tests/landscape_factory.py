"""Random polynomial landscapes with a finite sample distribution, for oracle comparisons."""

from __future__ import annotations

import random

import sympy

x = sympy.Symbol("x")
w, v = sympy.symbols("w v")


def random_landscape(seed: int, dim: int, degree: int, points: int = 3):
    """(loss, params, sample, distribution, theta0): exact rational coefficients, skewed noise."""
    rng = random.Random(seed)
    params = [w, v][:dim]

    def coefficient() -> sympy.Rational:
        return sympy.Rational(rng.randint(-4, 4), rng.randint(1, 3))

    # itermonomials returns a set: sort it, so a seed gives one landscape in every process
    monomials = sorted((m for m in sympy.itermonomials(params, degree) if m != 1), key=sympy.default_sort_key)
    loss = sum(coefficient() * m for m in monomials)
    # noise: the sample multiplies a random low-degree polynomial, so every cumulant can appear
    noise_terms = sorted((m for m in sympy.itermonomials(params, min(degree, 3)) if m != 1), key=sympy.default_sort_key)
    loss += x * sum(coefficient() * m for m in noise_terms) + x**2 * sum(coefficient() * m for m in noise_terms[:2])
    values = rng.sample(range(-3, 4), points)
    weights = [rng.randint(1, 4) for _ in values]
    distribution = {value: sympy.Rational(wt, sum(weights)) for value, wt in zip(values, weights)}
    theta0 = {p: sympy.Rational(rng.randint(-2, 2), 2) for p in params}
    return loss, params, x, distribution, theta0

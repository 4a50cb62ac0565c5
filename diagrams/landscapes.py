"""Landscapes: a sample loss l_x(θ) and a sample distribution, with exact statistics.

>>> import sympy
>>> from diagrams import Landscape
>>> w, x = sympy.symbols("w x")
>>> land = Landscape(w**2 / 2 + x * w, [w], x, {-1: sympy.Rational(1, 2), 1: sympy.Rational(1, 2)})
>>> st = land.statistics(at={w: 1})
>>> st.cumulant(((0,),)), st.cumulant(((0,), (0,))), st.cumulant(((0, 0),))
(1, 1, 1)
"""

from __future__ import annotations

from functools import lru_cache
from math import factorial
from typing import Mapping, Sequence

import sympy
import sympy.stats
from sympy.stats.rv import RandomSymbol

from .statistics import Indices, Statistics, _to_sympy

__all__ = ["Landscape", "set_partitions"]


class Landscape:
    """A sample loss ``loss`` in the parameters ``params`` and the sample ``sample``.

    ``distribution`` is a dict {sample value: probability} for a discrete
    sample; omit it when ``sample`` is a sympy.stats random variable such as
    ``sympy.stats.Normal('z', 0, 1)``.
    """

    def __init__(self, loss, params: Sequence[sympy.Symbol], sample, distribution: Mapping | None = None):
        if not isinstance(loss, sympy.Basic):
            raise TypeError(f"loss must be a sympy expression, not {type(loss).__name__} (text is never evaluated)")
        self.loss = loss
        self.params = tuple(params)
        if not self.params or not all(isinstance(p, sympy.Symbol) for p in self.params):
            raise ValueError("params must be a non-empty sequence of sympy Symbols")
        self.sample = sample
        if distribution is None:
            if not isinstance(sample, RandomSymbol):
                raise ValueError("give a distribution {value: probability} or make sample a sympy.stats random variable")
            self.distribution = None
        else:
            self.distribution = {_to_sympy(v): _to_sympy(p) for v, p in dict(distribution).items()}
            total = sum(self.distribution.values())
            if total != 1:
                raise ValueError(f"probabilities must sum to 1, got {total}")

    @property
    def dim(self) -> int:
        return len(self.params)

    def expectation(self, expr) -> sympy.Expr:
        """E over the sample of an expression in the sample symbol."""
        if self.distribution is None:
            return sympy.simplify(sympy.stats.E(expr))
        return sympy.expand(sum(p * expr.subs(self.sample, v) for v, p in self.distribution.items()))

    def mean_loss(self) -> sympy.Expr:
        """The test loss l(θ) = E_x l_x(θ)."""
        return self.expectation(self.loss)

    def statistics(self, at: Mapping | None = None) -> LandscapeStatistics:
        """Exact joint cumulants of the loss's derivatives at θ₀ = ``at`` (default all zeros)."""
        point = {p: 0 for p in self.params}
        point.update(dict(at or {}))
        unknown = set(point) - set(self.params)
        if unknown:
            raise ValueError(f"'at' names symbols that are not parameters: {sorted(map(str, unknown))}")
        return LandscapeStatistics(self, {p: _to_sympy(v) for p, v in point.items()})

    def __repr__(self) -> str:
        return f"Landscape({self.loss}, params={list(self.params)}, sample={self.sample})"


class LandscapeStatistics(Statistics):
    """Statistics of a :class:`Landscape` at a point θ₀, computed exactly on demand."""

    def __init__(self, landscape: Landscape, theta0: Mapping):
        self.landscape = landscape
        self.theta0 = dict(theta0)
        self.params = landscape.params
        self.dim = landscape.dim

    @lru_cache(maxsize=None)  # noqa: B019
    def derivative(self, index: tuple[int, ...]) -> sympy.Expr:
        """∂_I l_x at θ₀, an expression in the sample."""
        expr = self.landscape.loss
        for i in index:
            expr = sympy.diff(expr, self.params[i])
        return sympy.expand(expr.subs(self.theta0))

    @lru_cache(maxsize=None)  # noqa: B019
    def moment(self, indices: Indices) -> sympy.Expr:
        product = sympy.Integer(1)
        for node in indices:
            product *= self.derivative(node)
        return self.landscape.expectation(sympy.expand(product))

    def _cumulant(self, indices: Indices) -> sympy.Expr:
        return joint_cumulant(indices, self.moment)

    def __repr__(self) -> str:
        return f"{self.landscape!r}.statistics(at={self.theta0})"


def joint_cumulant(items: Sequence, moment) -> sympy.Expr:
    """κ(X₁,…,X_j) = Σ_π (|π|−1)!(−1)^{|π|−1} Π_{B∈π} E[Π_{i∈B} X_i] (Möbius inversion).

    ``moment`` maps a sorted tuple of items to the expectation of their product.
    """
    total = sympy.Integer(0)
    for blocks in set_partitions(len(items)):
        k = len(blocks)
        term = sympy.Integer((-1) ** (k - 1) * factorial(k - 1))
        for block in blocks:
            term *= moment(tuple(sorted(items[i] for i in block)))
        total += term
    return sympy.expand(total)


def set_partitions(n: int):
    """All set partitions of range(n), as lists of blocks (new lists each time)."""
    if n == 0:
        yield []
        return
    for smaller in set_partitions(n - 1):
        for i in range(len(smaller)):
            yield [block + [n - 1] if j == i else list(block) for j, block in enumerate(smaller)]
        yield [list(block) for block in smaller] + [[n - 1]]

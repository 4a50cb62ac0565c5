"""Exact statistics of a sympy landscape at a point θ₀ (``Landscape(...).statistics(at=...)``).

Derivatives of the sample loss are taken symbolically, products of them are
averaged over the sample exactly (a finite sum for a discrete distribution,
``sympy.stats.E`` for a random variable), and joint cumulants follow by the
moment–cumulant formula.  Values, resummed values and the numeric
eigenbasis are those of :mod:`diagrams.values.components`.

>>> import sympy
>>> from diagrams import Landscape
>>> w, x = sympy.symbols("w x")
>>> half = sympy.Rational(1, 2)
>>> st = Landscape(w**3 / 3 + x * w, [w], x, {-1: half, 1: half}).statistics(at={w: 2})
>>> st.cumulant(((0,),)), st.cumulant(((0,), (0,))), st.cumulant(((0, 0),))
(4, 1, 4)
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import sympy

from ..core.partitions import joint_cumulant
from .base import Indices
from .components import ComponentStatistics

__all__ = ["LandscapeStatistics"]


class LandscapeStatistics(ComponentStatistics, kind="landscape"):
    """Statistics of a landscape (an object with ``loss``, ``params``, ``dim`` and ``expectation``) at θ₀."""

    def __init__(self, landscape: Any, theta0: Mapping[sympy.Symbol, sympy.Expr]):
        self.landscape = landscape
        self.theta0 = dict(theta0)
        self.params = tuple(landscape.params)
        self.dim = landscape.dim

    def __repr__(self) -> str:
        return f"{self.landscape!r}.statistics(at={self.theta0})"

    @cache  # noqa: B019 - statistics objects are few and long-lived
    def derivative(self, index: tuple[int, ...]) -> sympy.Expr:
        """∂_I l_x at θ₀, an expression in the sample."""
        expr = self.landscape.loss
        for i in index:
            expr = sympy.diff(expr, self.params[i])
        return sympy.expand(expr.subs(self.theta0))

    @cache  # noqa: B019
    def moment(self, indices: Indices) -> sympy.Expr:
        """E[Π_nodes ∂_{I} l_x] at θ₀ for one shared sample."""
        product = sympy.Integer(1)
        for node in indices:
            product *= self.derivative(node)
        return self.landscape.expectation(sympy.expand(product))

    def _cumulant(self, indices: Indices) -> sympy.Expr:
        return sympy.expand(sympy.Integer(0) + joint_cumulant(indices, self.moment))

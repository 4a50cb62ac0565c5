"""Values from known components: the shared machinery of numeric arrays and exact landscapes.

When every joint cumulant of derivatives at θ₀ is known as a number (or an
exact expression), a diagram's value is the sum, over every assignment of a
coordinate to each edge letter, of the product of its parts' cumulant
entries (SPEC §4).  Resummed in one dimension it is that value times Z(D)
with q = 1 − ηH; in m dimensions, on a concrete schedule and with a symbolic
η, every edge carries the matrix propagator (I − ηH)^{Δt−1}η exactly; at a
numeric η the sum is taken in an eigenbasis of H instead
(:mod:`diagrams.values.eigenbasis`).

Subclasses give the components (:meth:`ComponentStatistics._cumulant`):
:mod:`diagrams.values.arrays` (user arrays) and
:mod:`diagrams.values.landscape` (exact cumulants of a sympy landscape).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import product

import sympy

from ..core.diagram import Diagram
from ..core.observables import LOSS, Observable
from ..core.propagators import Propagation, weighted_embedding_sum
from ..errors import ResummationError
from .base import Indices, Statistics, canonical_indices, check_curvature, eta, incident_edges
from .eigenbasis import EigenbasisStatistics

__all__ = ["ComponentStatistics", "MATRIX_STEPS"]

#: Exact matrix propagators with a symbolic η are expanded up to this many steps.
MATRIX_STEPS = 256


class ComponentStatistics(Statistics):
    """Statistics whose joint cumulants are known component by component (see the module docstring)."""

    def cumulant(self, indices: Sequence[Sequence[int]]) -> sympy.Expr:
        """κ(∂_{I₁} l_x, …, ∂_{I_j} l_x) at θ₀ for one shared sample x (a mean when j = 1)."""
        return self._cached(canonical_indices(indices))

    @lru_cache(maxsize=4096)  # noqa: B019 - statistics objects are few and long-lived
    def _cached(self, indices: Indices) -> sympy.Expr:
        return self._cumulant(indices)

    def _cumulant(self, indices: Indices) -> sympy.Expr:
        raise NotImplementedError

    def root_derivative(self, observable: Observable, index: tuple[int, ...]) -> sympy.Expr:
        """∂_I s(θ₀) for the observable s at the root (alone in its part)."""
        if observable.is_loss:
            return self.cumulant((index,))
        if observable.kind == "coordinate":
            return sympy.Integer(index == (observable.detail,))
        if self.theta0 is None:
            raise ValueError("a general observable s(θ) needs statistics from a Landscape (θ₀ must be known)")
        expr = observable.detail
        for i in index:
            expr = sympy.diff(expr, self.params[i])
        return expr.subs(self.theta0)

    def hessian(self) -> sympy.Matrix:
        """H = E∇²l_x at θ₀."""
        return sympy.Matrix(self.dim, self.dim, lambda i, j: self.cumulant(((i, j),)))

    # -- values ---------------------------------------------------------------------

    def value(self, diagram: Diagram, observable: Observable = LOSS) -> sympy.Expr:
        total = sympy.Integer(0)
        incident = incident_edges(diagram)
        for assignment in product(range(self.dim), repeat=diagram.order):
            term = sympy.Integer(1)
            for part in diagram.parts:
                indices = [tuple(sorted(assignment[e] for e in incident[v])) for v in part]
                if part == (diagram.root,):
                    term *= self.root_derivative(observable, indices[0])
                else:
                    term *= self.cumulant(indices)
                if term == 0:
                    break
            total += term
        return sympy.expand(eta**diagram.order * total)

    def resummed_value(self, diagram: Diagram, observable: Observable, propagation: Propagation) -> sympy.Expr:
        if self.dim == 1:
            value = self.value(diagram, observable)
            if value == 0:
                return value
            rate = eta * self.cumulant(((0, 0),))
            return value * propagation.z(diagram, [rate] * diagram.order)
        return self._matrix_resummed_value(diagram, observable, propagation)

    def _matrix_resummed_value(self, diagram: Diagram, observable: Observable, propagation: Propagation):
        """Σ_f rvalue_f with matrix propagators (I − ηH)^{Δt−1}η, exact, for a concrete schedule."""
        m, d, root = self.dim, diagram.order, diagram.root
        K = sympy.eye(m) - eta * self.hessian()
        powers = [sympy.eye(m)]
        for _ in range(int(propagation.schedule.T)):
            powers.append((powers[-1] * K).applyfunc(sympy.expand))
        children = diagram.children
        total = sympy.Integer(0)
        for lower in product(range(m), repeat=d):  # index at the child end of each edge
            for upper in product(range(m), repeat=d):  # index at the parent end
                value = sympy.Integer(1)
                for part in diagram.parts:
                    indices = [
                        tuple(sorted([upper[c] for c in children[v]] + ([lower[v]] if v != root else []))) for v in part
                    ]
                    if part == (root,):
                        value *= self.root_derivative(observable, indices[0])
                    else:
                        value *= self.cumulant(indices)
                    if value == 0:
                        break
                if value == 0:
                    continue

                def weight(e: int, dt: int, lower=lower, upper=upper) -> sympy.Expr:  # the loop's indices bound
                    return eta * powers[dt - 1][lower[e], upper[e]]

                total += value * weighted_embedding_sum(diagram, propagation.schedule, weight)
        return sympy.expand(total)

    # -- before a series ----------------------------------------------------------------

    def prepare(self, diagrams, observable, propagation, at_eta) -> Statistics:
        super().prepare(diagrams, observable, propagation, at_eta)
        self.check_known(diagrams, observable, resummed=propagation is not None)
        if propagation is None:
            return self
        if at_eta is not None:
            return EigenbasisStatistics(self, at_eta, propagation)
        if self.dim == 1:
            check_curvature([self.cumulant(((0, 0),))], propagation, None)
            return self
        if propagation.form != "exact" or propagation.limit:
            raise ResummationError(
                "continuous forms and T → ∞ limits of multi-dimensional numeric statistics are summed in an"
                " eigenbasis of H at a numeric learning rate: pass at_eta=<number>"
            )
        steps = propagation.schedule.T
        if not isinstance(steps, int) or steps > MATRIX_STEPS:
            raise ResummationError(
                f"exact matrix propagators with a symbolic η need a concrete schedule of at most {MATRIX_STEPS}"
                f" steps (T = {steps}); pass at_eta=<number> to sum in an eigenbasis at any T"
            )
        return self

    def check_known(self, diagrams: Iterable[Diagram], observable: Observable, *, resummed: bool) -> None:
        """Raise :class:`~diagrams.values.base.MissingStatisticError` if a needed cumulant is unknown."""

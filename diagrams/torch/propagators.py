"""Propagator sums Z(D) on a grid of eigenvalues: one rate ηλ_i per edge, every assignment of Ritz values to edges.

The engine's :meth:`~diagrams.core.propagators.Propagation.z` sums the
propagators (1 − ηλ_e)^{Δt_e − 1} over all labelled embeddings (SPEC §6) for
numpy arrays that broadcast; here edge e's rates vary along axis e, so one
call gives Z for all k^d assignments at once.
"""

from __future__ import annotations

import numpy as np

from ..core.diagram import Diagram
from ..core.propagators import Propagation
from ..core.schedule import Schedule

__all__ = ["propagator_grid", "check_form"]


def check_form(schedule: Schedule, form: str, limit: bool) -> Propagation:
    """The propagation of a concrete schedule (a form it does not have is refused)."""
    if not all(isinstance(x, int) for x in (schedule.N, schedule.B, schedule.E)):
        raise ValueError(f"resummed estimates need a concrete schedule (integers N, B, E), got {schedule}")
    return Propagation(schedule, form, limit)


def propagator_grid(
    diagram: Diagram,
    schedule: Schedule,
    eta: float,
    eigenvalues: np.ndarray,
    *,
    form: str = "exact",
    limit: bool = False,
) -> np.ndarray:
    """Z(D)[i₁…i_d] with edge e carrying the rate η·eigenvalues[i_e]; shape (k,)·order.

    >>> from diagrams import parse, Schedule
    >>> grid = propagator_grid(parse("[a][a]"), Schedule.sgd(3), 0.5, np.array([0.0, 1.0]))
    >>> grid.tolist()          # Σ_{t<3} (1 − ηλ)^(2−t): 3 for λ = 0, 1 + 1/2 + 1/4 for λ = 1
    [3.0, 1.75]
    """
    propagation = check_form(schedule, form, limit)
    rates = eta * np.asarray(eigenvalues, dtype=float)
    d = diagram.order
    per_edge = [rates.reshape([-1 if axis == e else 1 for axis in range(d)]) for e in range(d)]
    z = propagation.z(diagram, per_edge, numeric=True)
    return np.array(np.broadcast_to(np.asarray(z, dtype=float), (len(rates),) * d))

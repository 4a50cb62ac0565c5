"""Propagator sums Z(D) on a grid of eigenvalues: one rate ηλ_i per edge, every assignment of Ritz values to edges.

The engine's numeric resummation sums, for each assignment of eigen-indices
to a linkless diagram's edges, the propagators over all labelled embeddings
(SPEC §6).  This module is the one place that asks the engine for Z; it
evaluates the engine's scalar routine for every assignment.
"""

from __future__ import annotations

from itertools import product

import numpy as np

from ..core.diagram import Diagram
from ..core.schedule import Schedule
from ..series.resum import _numeric_z, units_of

__all__ = ["propagator_grid", "check_form"]


def check_form(schedule: Schedule, form: str, limit: bool) -> None:
    """Refuse a schedule that is not concrete, or a form the schedule does not have."""
    if not all(isinstance(x, int) for x in (schedule.N, schedule.B, schedule.E)):
        raise ValueError(f"resummed estimates need a concrete schedule (integers N, B, E), got {schedule}")
    if form not in ("exact", "continuous"):
        raise ValueError(f"form must be 'exact' or 'continuous', got {form!r}")
    if (form == "continuous" or limit) and units_of(schedule) is None:
        raise ValueError("continuous forms and T → ∞ limits need a single-epoch or full-batch schedule")


def propagator_grid(
    diagram: Diagram, schedule: Schedule, eta: float, eigenvalues: np.ndarray, *, form: str = "exact", limit: bool = False
) -> np.ndarray:
    """Z(D)[i₁…i_d] with edge e carrying the rate η·eigenvalues[i_e]; shape (k,)·order.

    >>> from diagrams import parse, Schedule
    >>> grid = propagator_grid(parse("[a][a]"), Schedule.sgd(3), 0.5, np.array([0.0, 1.0]))
    >>> grid.tolist()          # Σ_{t<3} (1 − ηλ)^(2−t): 3 for λ = 0, 1 + 1/2 + 1/4 for λ = 1
    [3.0, 1.75]
    """
    check_form(schedule, form, limit)
    units = units_of(schedule)
    rates = eta * np.asarray(eigenvalues, dtype=float)
    grid = np.empty((len(rates),) * diagram.order)
    for assignment in product(range(len(rates)), repeat=diagram.order):
        grid[assignment] = _numeric_z(diagram, schedule, units, [rates[i] for i in assignment], form, limit)
    return grid

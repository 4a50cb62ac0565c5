"""Propagator sums Z(D) on a grid of eigenvalues: one rate ηλ_i per edge, every assignment of Ritz values to edges.

For each assignment of eigen-indices to a linkless diagram's edges, Z sums the
propagators (1 − ηλ_e)^{Δt_e − 1} over all labelled embeddings (SPEC §6).  This
module is the one place that computes Z for the backend: it evaluates the
engine's forms (:mod:`diagrams.series.resum`) for all k^d assignments at once,
as arrays.

* Single-epoch and full-batch schedules: the engine's closed forms over its
  gap structures (:func:`~diagrams.series.resum.gap_structures`), divided
  differences by Opitz's formula as batched powers (exact form) or
  exponentials (continuous form) of bidiagonal matrices, or the T → ∞ limits.
* Any other concrete schedule: the engine's exact dynamic programme
  (:func:`~diagrams.series.resum.propagator_sum`) with array-valued weights.

The tests compare every entry with the engine's scalar routine.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import torch

from ..core.diagram import Diagram
from ..core.schedule import Schedule
from ..series.resum import gap_structures, propagator_sum, units_of

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
    rates = eta * np.asarray(eigenvalues, dtype=float)
    k, d = len(rates), diagram.order
    assignment = np.array(list(product(range(k), repeat=d)), dtype=int).reshape(k**d, d)
    edge_rates = [rates[assignment[:, e]] for e in range(d)]  # per edge, one rate per assignment
    units = units_of(schedule)
    if units is None:
        q = [1 - r for r in edge_rates]
        values = propagator_sum(diagram, schedule, lambda e, dt: q[e] ** (dt - 1))
    else:
        values = _closed_form(diagram, schedule, units, edge_rates, form, limit)
    return np.array(np.broadcast_to(np.asarray(values, dtype=float), (k**d,))).reshape((k,) * d)


def _closed_form(diagram: Diagram, schedule: Schedule, units: str, rates: list[np.ndarray], form: str, limit: bool):
    """Σ over the gap structures of the closed forms, each entry one assignment (see diagrams.series.resum)."""
    parts = len(set(diagram.part_of[: diagram.root]))
    structures = gap_structures(diagram, units)
    if form == "continuous":  # only strict orders of the units: one unit per level
        structures = [gaps for gaps in structures if len(gaps) == (parts if units == "parts" else diagram.order)]
    size = len(rates[0]) if rates else 1
    total = np.zeros(size)
    for gaps in structures:
        if form == "exact":
            q = [1 - r for r in rates]
            spans = [sum(e in span for span in gaps) for e in range(diagram.order)]
            front = np.prod([q[e] ** (s - 1) for e, s in enumerate(spans)], axis=0) if spans else np.ones(size)
            ys = [np.prod([q[e] for e in span], axis=0) for span in gaps]
            if limit:
                total += front / np.prod([1 - y for y in ys], axis=0) if ys else front
            else:
                total += front * _opitz([np.ones(size), *ys], lambda m: torch.linalg.matrix_power(m, schedule.T))
        else:
            sums = [np.sum([rates[e] for e in span], axis=0) for span in gaps]
            if limit:
                total += 1.0 / np.prod(sums, axis=0) if sums else np.ones(size)
            else:
                total += _opitz([np.zeros(size), *(-a for a in sums)], lambda m: torch.linalg.matrix_exp(schedule.T * m))
    return schedule.B**parts * total


def _opitz(nodes: list[np.ndarray], function) -> np.ndarray:
    """[x₀, …, x_k] f per entry: the (k, 0) entry of f(bidiagonal(x₀…x_k)) (Opitz's formula), batched."""
    count, size = len(nodes), len(nodes[0])
    matrix = torch.zeros(size, count, count, dtype=torch.float64)
    diagonal = torch.arange(count)
    matrix[:, diagonal, diagonal] = torch.as_tensor(np.stack(nodes, axis=1), dtype=torch.float64)
    matrix[:, diagonal[1:], diagonal[:-1]] = 1.0
    return function(matrix)[:, count - 1, 0].numpy()

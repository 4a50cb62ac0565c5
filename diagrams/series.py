"""Expected observables after SGD as exact η-series (SPEC §5).

    E[s(θ_T)] = Σ_d Σ_{D of order d} (−1/B)^d · L(D)/|Aut(D)| · uvalue_s(D)

    gap = −(1/N) Σ_{D′ root-tied} (−1/B)^d · L(D′)/|Aut(D′)| · uvalue(D′)

Each function returns a sympy expression, a polynomial in :data:`eta` whose
coefficients are exact (rationals, statistics symbols, schedule symbols).

>>> import sympy
>>> from diagrams import Schedule, Statistics, expected_loss
>>> T = sympy.Symbol("T")
>>> expected_loss(Statistics.symbolic(), Schedule.sgd(T), order=1)
-G**2*T*eta + l
"""

from __future__ import annotations

from typing import Iterable

import sympy

from .diagram import Diagram
from .enumerate import enumerate_diagrams
from .schedule import Schedule, count_embeddings
from .statistics import Statistics
from .values import LOSS, as_observable, coordinate, eta, uvalue

__all__ = ["expectation", "expected_loss", "generalization_gap", "displacement", "diagram_terms"]


def diagram_terms(
    schedule: Schedule, order: int, *, root_tied: bool = False
) -> Iterable[tuple[Diagram, sympy.Expr]]:
    """(D, (−1/B)^d · L(D)/|Aut(D)|) for every diagram of order ≤ ``order`` that embeds.

    >>> [(str(D), w) for D, w in diagram_terms(Schedule.sgd(3), 1)]
    [('[]', 1), ('[a][a]', -3)]
    """
    _check_order(order)
    for d in range(order + 1):
        sign = (-1 / sympy.sympify(schedule.B)) ** d
        for diagram in enumerate_diagrams(d, root_tied=root_tied):
            count = count_embeddings(diagram, schedule)
            if count != 0:
                yield diagram, sign * count / diagram.automorphism_count


def expectation(observable, stats: Statistics, schedule: Schedule, order: int) -> sympy.Expr:
    """E[s(θ_T)] to O(η^(order+1)) for an analytic observable s.

    ``observable`` is ``"loss"`` (the test loss), an Observable, or a sympy
    expression in the landscape's parameters (then ``stats`` must come from
    :meth:`Landscape.statistics`).
    """
    observable = as_observable(observable)
    total = sum(
        (weight * uvalue(D, stats, observable) for D, weight in diagram_terms(schedule, order)),
        sympy.Integer(0),
    )
    return _tidy(total)


def expected_loss(stats: Statistics, schedule: Schedule, order: int) -> sympy.Expr:
    """E[l(θ_T)], the expected test loss after training, to order η^order."""
    return expectation(LOSS, stats, schedule, order)


def generalization_gap(stats: Statistics, schedule: Schedule, order: int) -> sympy.Expr:
    """E[l(θ_T) − (1/N)Σₙ l_{xₙ}(θ_T)] to order η^order (root-tied diagrams)."""
    total = sum(
        (weight * uvalue(D, stats) for D, weight in diagram_terms(schedule, order, root_tied=True)),
        sympy.Integer(0),
    )
    return _tidy(-total / sympy.sympify(schedule.N))


def displacement(stats: Statistics, schedule: Schedule, order: int) -> tuple[sympy.Expr, ...]:
    """E[θ_T − θ₀], one expression per parameter, to order η^order."""
    return tuple(expectation(coordinate(mu), stats, schedule, order) for mu in range(stats.dim))


def _check_order(order: int) -> None:
    if isinstance(order, bool) or not isinstance(order, int):
        raise TypeError(f"order must be an int, not {type(order).__name__}")
    if order < 0:
        raise ValueError(f"order must be non-negative, got {order}")


def _tidy(expr: sympy.Expr) -> sympy.Expr:
    """Expand and group by powers of η."""
    return sympy.collect(sympy.expand(expr), eta)

"""The one source of a series' terms: each diagram with its weight (SPEC §5, §6).

A plain series sums every diagram of order ≤ d with the weight
(−1/B)^d · L(D)/|Aut(D)| (left out where L(D) = 0); a resummed one sums the
linkless diagrams with (−1/B)^d/|Aut(D)| (their embeddings are inside the
propagator sum).  Assumptions (SPEC §7) leave out the diagrams they make
vanish; which vanish depends on the observable at the root.

>>> from diagrams import Schedule
>>> from diagrams.series.methods import Resummed
>>> [(str(D), w) for D, w in diagram_terms(Schedule.sgd(3), 1)]
[('[]', 1), ('[a][a]', -3)]
>>> [(str(D), w) for D, w in diagram_terms(Schedule(4, 2, 1), 2, method=Resummed())][1:]
[('[a][a]', -1/2), ('[a:ab][b]', 1/4), ('[a:b][ab]', 1/8), ('[a][b][ab]', 1/8)]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial

import sympy

from ..core.assumptions import assumption_flags, vanishes
from ..core.diagram import MAX_ORDER, Diagram
from ..core.enumeration import enumerate_diagrams
from ..core.observables import LOSS, Observable, as_observable
from ..core.schedule import Schedule, count_embeddings
from ..runtime.execution import Runtime, runs_long
from .methods import PLAIN, Method, as_method

__all__ = ["diagram_terms", "series_diagrams", "weight", "check_order"]


def check_order(order: object) -> int:
    """``order`` as a checked int (0 … MAX_ORDER)."""
    if isinstance(order, bool) or not isinstance(order, int):
        raise TypeError(f"order must be an int, not {type(order).__name__}")
    if not 0 <= order <= MAX_ORDER:
        raise ValueError(f"order must be between 0 and {MAX_ORDER}, got {order}")
    return order


def series_diagrams(
    order: int, method: Method, *, root_tied: bool = False, assume: Iterable[str] = (), observable: Observable = LOSS
) -> Iterator[Diagram]:
    """The diagrams of order ≤ ``order`` a series sums, without those the assumptions make vanish."""
    flags = assumption_flags(assume)
    for d in range(order + 1):
        for diagram in enumerate_diagrams(d, linkless=method.resummed, root_tied=root_tied):
            if not (flags and vanishes(diagram, observable=observable, **flags)):
                yield diagram


def weight(diagram: Diagram, schedule: Schedule, method: Method = PLAIN) -> sympy.Expr | None:
    """(−1/B)^d/|Aut(D)|, times L(D) for a plain series; None when D does not embed."""
    B = sympy.Integer(schedule.B) if isinstance(schedule.B, int) else schedule.B
    sign = (-1 / B) ** diagram.order
    if method.resummed:
        return sign / diagram.automorphism_count
    count = count_embeddings(diagram, schedule)
    if count == 0:
        return None
    return sign * count / diagram.automorphism_count


def _weights(diagrams: list[Diagram], schedule: Schedule, method: Method) -> list[sympy.Expr | None]:
    return [weight(D, schedule, method) for D in diagrams]


@runs_long
def diagram_terms(
    schedule: Schedule,
    order: int,
    *,
    method: Method = PLAIN,
    root_tied: bool = False,
    assume: Iterable[str] = (),
    observable=LOSS,
    runtime: Runtime,
) -> Iterator[tuple[Diagram, sympy.Expr]]:
    """(D, weight) for every diagram a series of order ≤ ``order`` sums, in enumeration order.

    The weights are computed on the runtime's backend (the same terms, in the
    same order, on every backend).
    """
    check_order(order)
    method = as_method(method)
    diagrams = list(
        series_diagrams(order, method, root_tied=root_tied, assume=assume, observable=as_observable(observable))
    )
    weights = runtime.map(partial(_weights, schedule=schedule, method=method), diagrams, "weights")
    return ((D, w) for D, w in zip(diagrams, weights) if w is not None)

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
from dataclasses import dataclass
from fractions import Fraction
from functools import partial

import sympy

from ..core.assumptions import assumption_flags, vanishes
from ..core.diagram import MAX_ORDER, Diagram
from ..core.enumeration import shape_cost, shape_count, shape_diagrams
from ..core.observables import LOSS, Observable, as_observable
from ..core.schedule import Schedule, scaled_embedding_count
from ..runtime.execution import Runtime, runs_long
from .methods import PLAIN, Method, as_method

__all__ = ["diagram_terms", "series_diagrams", "SeriesDiagrams", "weight", "check_order"]


def check_order(order: object) -> int:
    """``order`` as a checked int (0 … MAX_ORDER)."""
    if isinstance(order, bool) or not isinstance(order, int):
        raise TypeError(f"order must be an int, not {type(order).__name__}")
    if not 0 <= order <= MAX_ORDER:
        raise ValueError(f"order must be between 0 and {MAX_ORDER}, got {order}")
    return order


@dataclass(frozen=True)
class SeriesDiagrams:
    """The diagrams of order ≤ ``order`` a series sums, without those the assumptions make vanish.

    Iterable (again and again, in enumeration order) and split by tree shape:
    :meth:`shapes` lists the (order, shape) pairs and :meth:`on` yields the
    diagrams of some of them, so a parallel run hands each worker shapes to
    enumerate instead of diagrams to unpickle.

    >>> from diagrams.series.methods import PLAIN
    >>> found = series_diagrams(2, PLAIN)
    >>> found.shapes()
    [(0, 0), (1, 0), (2, 0), (2, 1)]
    >>> [str(D) for D in found.on([(2, 1)])], len(list(found))
    (['[a:b][ab]', '[a][b][ab]'], 6)
    """

    order: int
    linkless: bool
    root_tied: bool
    assume: tuple[str, ...]
    observable: Observable

    def shapes(self) -> list[tuple[int, int]]:
        """Every (order, tree shape) the series' diagrams lie on, in enumeration order."""
        return [(d, shape) for d in range(self.order + 1) for shape in range(shape_count(d))]

    def costs(self, shapes: Iterable[tuple[int, int]]) -> list[int]:
        """The relative cost of valuing each shape's diagrams (for sharing shapes out evenly)."""
        return [shape_cost(d) for d, _ in shapes]

    def on(self, shapes: Iterable[tuple[int, int]]) -> Iterator[Diagram]:
        """The series' diagrams on these shapes, in their order."""
        flags = assumption_flags(self.assume)
        for d, shape in shapes:
            for diagram in shape_diagrams(d, shape, linkless=self.linkless, root_tied=self.root_tied):
                if not (flags and vanishes(diagram, observable=self.observable, **flags)):
                    yield diagram

    def __iter__(self) -> Iterator[Diagram]:
        return self.on(self.shapes())


def series_diagrams(
    order: int, method: Method, *, root_tied: bool = False, assume: Iterable[str] = (), observable: Observable = LOSS
) -> SeriesDiagrams:
    """The diagrams of order ≤ ``order`` a series sums (the assumptions are checked here)."""
    names = (assume,) if isinstance(assume, str) else tuple(assume)
    assumption_flags(names)
    return SeriesDiagrams(check_order(order), method.resummed, bool(root_tied), names, observable)


def weight(diagram: Diagram, schedule: Schedule, method: Method = PLAIN) -> sympy.Expr | None:
    """(−1/B)^d/|Aut(D)|, times L(D) for a plain series; None when D does not embed."""
    d, factor = diagram.order, Fraction((-1) ** diagram.order, diagram.automorphism_count)
    if method.resummed:
        B = sympy.Integer(schedule.B) if isinstance(schedule.B, int) else schedule.B
        return sympy.Rational(factor.numerator, factor.denominator) / B**d
    count = scaled_embedding_count(diagram, schedule, factor, -d)
    return None if count == 0 else count


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

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

from functools import partial
from typing import Any, Iterable

import sympy

from ..core.assumptions import assumption_flags, vanishes
from ..core.diagram import Diagram
from ..core.enumeration import enumerate_diagrams
from ..runtime.parallel import chunked_map, parallel_options
from ..runtime.progress import track
from .resum import resummed_expectation, resummed_numeric
from ..core.schedule import Schedule, count_embeddings
from ..values.statistics import Statistics
from ..core.observables import LOSS, as_observable, coordinate
from ..values.base import eta, uvalue

__all__ = ["expectation", "expected_loss", "generalization_gap", "displacement", "diagram_terms"]


def diagram_terms(
    schedule: Schedule,
    order: int,
    *,
    root_tied: bool = False,
    assume: Iterable[str] = (),
    observable=LOSS,
    progress: bool = False,
    workers: int | None = None,
    backend: str | None = None,
    client: Any = None,
) -> Iterable[tuple[Diagram, sympy.Expr]]:
    """(D, (−1/B)^d · L(D)/|Aut(D)|) for every diagram of order ≤ ``order`` that embeds.

    ``assume`` names SPEC §7 assumptions (see :mod:`diagrams.assumptions`)
    whose vanishing diagrams are left out; they depend on the ``observable``
    at the root (for the displacement the root's gradient is not G).
    ``progress=True`` shows a progress bar per order.  ``workers``/
    ``backend``/``client`` count the embeddings on a process pool or a Dask
    cluster (see :mod:`diagrams.parallel`): the same terms, in the same order.

    >>> [(str(D), w) for D, w in diagram_terms(Schedule.sgd(3), 1)]
    [('[]', 1), ('[a][a]', -3)]
    >>> [str(D) for D, w in diagram_terms(Schedule.sgd(3), 1, assume=["at_minimum"])]
    ['[]']
    """
    _check_order(order)
    parallel = parallel_options(workers, backend, client)
    diagrams = _diagrams(order, root_tied, assume, observable, progress)
    if parallel.is_serial:
        pairs = ((diagram, _weight(diagram, schedule)) for diagram in diagrams)
    else:
        diagrams = list(diagrams)
        pairs = zip(diagrams, chunked_map(partial(_weights, schedule=schedule), diagrams, parallel))
    for diagram, weight in pairs:
        if weight is not None:
            yield diagram, weight


def _diagrams(order: int, root_tied: bool, assume: Iterable[str], observable, progress: bool) -> Iterable[Diagram]:
    """The diagrams of order ≤ ``order`` that the assumptions do not make vanish."""
    flags = assumption_flags(assume)
    for d in range(order + 1):
        found = enumerate_diagrams(d, root_tied=root_tied)
        for diagram in track(found, f"order {d}", enabled=progress):
            if not (flags and vanishes(diagram, observable=observable, **flags)):
                yield diagram


def _weight(diagram: Diagram, schedule: Schedule) -> sympy.Expr | None:
    """(−1/B)^d · L(D)/|Aut(D)|, or None when D does not embed."""
    count = count_embeddings(diagram, schedule)
    if count == 0:
        return None
    return (-1 / sympy.sympify(schedule.B)) ** diagram.order * count / diagram.automorphism_count


def _weights(diagrams: list[Diagram], schedule: Schedule) -> list[sympy.Expr | None]:
    """:func:`_weight` of each diagram (one task of a parallel run)."""
    return [_weight(D, schedule) for D in diagrams]


def _terms(diagrams: list[Diagram], schedule: Schedule, stats: Statistics, observable) -> list[sympy.Expr | None]:
    """weight · uvalue of each diagram, None where it does not embed (one task of a parallel run)."""
    weights = _weights(diagrams, schedule)
    return [None if w is None else w * uvalue(D, stats, observable) for D, w in zip(diagrams, weights)]


def _total(schedule, order, stats, observable, *, root_tied=False, assume=(), progress=False, parallel=None):
    """Σ weight · uvalue over :func:`diagram_terms`, added up in diagram order on every backend."""
    if parallel is None or parallel.is_serial:
        terms = diagram_terms(
            schedule, order, root_tied=root_tied, assume=assume, observable=observable, progress=progress
        )
        return sum((weight * uvalue(D, stats, observable) for D, weight in terms), sympy.Integer(0))
    diagrams = list(_diagrams(order, root_tied, assume, observable, progress))
    job = partial(_terms, schedule=schedule, stats=stats, observable=observable)
    return sum((term for term in chunked_map(job, diagrams, parallel) if term is not None), sympy.Integer(0))


def expectation(
    observable,
    stats: Statistics,
    schedule: Schedule,
    order: int,
    *,
    assume: Iterable[str] = (),
    resum: bool = False,
    form: str = "exact",
    limit_T_infinity: bool = False,
    eta_value: float | None = None,
    progress: bool = False,
    workers: int | None = None,
    backend: str | None = None,
    client: Any = None,
) -> sympy.Expr:
    """E[s(θ_T)] to O(η^(order+1)) for an analytic observable s.

    ``observable`` is ``"loss"`` (the test loss), an Observable, or a sympy
    expression in the landscape's parameters (then ``stats`` must come from
    :meth:`Landscape.statistics`).

    ``resum=True`` sums linkless diagrams of order ≤ ``order`` with propagators
    instead (SPEC §6; see :mod:`diagrams.resum`): ``form="exact"`` uses
    (I − ηH)^{Δt−1}, ``form="continuous"`` exp(−ηHΔt) with integrals, and
    ``limit_T_infinity=True`` the stationary value for H positive definite.
    With ``eta_value`` a resummed result is evaluated numerically in an
    eigenbasis of H (fast for any T and dimension; a float), and a plain
    series is evaluated at that η.  ``progress=True`` shows a progress bar
    (plain series).

    ``workers=k`` computes the plain series' terms on ``k`` processes,
    ``backend="dask"`` (with ``client=``) on a Dask cluster (see
    :mod:`diagrams.parallel`); they are added up in the serial order, so the
    result is identical.  Resummed sums run serially.
    """
    _check_order(order)
    return _quantity(
        as_observable(observable),
        stats,
        schedule,
        order,
        scale=lambda total: total,
        options=dict(assume=assume, resum=resum, form=form, limit_T_infinity=limit_T_infinity, eta_value=eta_value),
        parallel=parallel_options(workers, backend, client),
        progress=progress,
    )


def _quantity(observable, stats, schedule, order, *, scale, options, parallel, progress, root_tied=False):
    """scale(Σ over the diagrams): resummed, numeric (``eta_value``) or the plain series, tidied by powers of η."""
    assume, eta_value = options["assume"], options["eta_value"]
    form, limit = options["form"], options["limit_T_infinity"]
    if options["resum"] or limit or form != "exact":
        resummed = dict(root_tied=root_tied, form=form, limit=limit, assume=assume)
        if eta_value is not None:
            return scale(resummed_numeric(observable, stats, schedule, order, eta_value, **resummed))
        return scale(resummed_expectation(observable, stats, schedule, order, **resummed))
    total = _total(
        schedule, order, stats, observable, root_tied=root_tied, assume=assume, progress=progress, parallel=parallel
    )
    result = _tidy(scale(total))
    return result if eta_value is None else _at(result, eta_value)


def expected_loss(stats: Statistics, schedule: Schedule, order: int, **options) -> sympy.Expr:
    """E[l(θ_T)], the expected test loss after training, to order η^order.

    ``options`` as for :func:`expectation` (``assume``, ``resum``, ``form``,
    ``limit_T_infinity``, ``eta_value``, ``progress``, ``workers``, ``backend``, ``client``).
    """
    return expectation(LOSS, stats, schedule, order, **options)


def generalization_gap(
    stats: Statistics,
    schedule: Schedule,
    order: int,
    *,
    assume: Iterable[str] = (),
    resum: bool = False,
    form: str = "exact",
    limit_T_infinity: bool = False,
    eta_value: float | None = None,
    progress: bool = False,
    workers: int | None = None,
    backend: str | None = None,
    client: Any = None,
) -> sympy.Expr:
    """E[l(θ_T) − (1/N)Σₙ l_{xₙ}(θ_T)] to order η^order (root-tied diagrams; options as for :func:`expectation`)."""
    _check_order(order)
    return _quantity(
        LOSS,
        stats,
        schedule,
        order,
        scale=lambda total: -total / schedule.N,
        options=dict(assume=assume, resum=resum, form=form, limit_T_infinity=limit_T_infinity, eta_value=eta_value),
        parallel=parallel_options(workers, backend, client),
        progress=progress,
        root_tied=True,
    )


def displacement(stats: Statistics, schedule: Schedule, order: int, **options) -> tuple[sympy.Expr, ...]:
    """E[θ_T − θ₀], one expression per parameter, to order η^order (``options`` as for :func:`expectation`)."""
    return tuple(expectation(coordinate(mu), stats, schedule, order, **options) for mu in range(stats.dim))


def _at(expr: sympy.Expr, value: float) -> float | sympy.Expr:
    """Evaluate at η = value; a float when nothing symbolic is left."""
    result = expr.subs(eta, value)
    return float(result) if not result.free_symbols else result


def _check_order(order: int) -> None:
    if isinstance(order, bool) or not isinstance(order, int):
        raise TypeError(f"order must be an int, not {type(order).__name__}")
    if order < 0:
        raise ValueError(f"order must be non-negative, got {order}")


def _tidy(expr: sympy.Expr) -> sympy.Expr:
    """Expand and group by powers of η."""
    return sympy.collect(sympy.expand(expr), eta)

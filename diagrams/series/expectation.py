r"""Expected observables after SGD as η-series, plain or resummed (SPEC §5, §6).

    E[s(θ_T)] = Σ_d Σ_{D of order d} (−1/B)^d · L(D)/|Aut(D)| · uvalue_s(D)

    gap = −(1/N) Σ_{D′ root-tied} (−1/B)^d · L(D′)/|Aut(D′)| · uvalue(D′)

and, resummed, Σ over linkless diagrams of (−1/B)^d/|Aut(D)| times the sum of
rvalues over embeddings.  The four public functions share one path: the
terms (:mod:`diagrams.series.terms`), one value per term from the
statistics' valuation (:mod:`diagrams.values`), their sum.

Keywords, the same for every function:

* ``method``: :data:`~diagrams.series.methods.PLAIN` (default) or
  ``Resummed(form="exact" | "continuous", limit=False | True)``.
* ``assume``: names of SPEC §7 assumptions whose vanishing diagrams are left out.
* ``at_eta``: a number; the result is evaluated at η = at_eta.  It is then
  a float when the statistics are numbers (resummed sums of numeric
  statistics are taken in an eigenbasis of H, fast for any T), a sympy
  expression in the symbols left otherwise, and for estimated values an
  :class:`~diagrams.values.estimated.Estimate`.  Without ``at_eta`` the
  result is exact: a sympy expression (plain series: a polynomial in
  :data:`~diagrams.values.base.eta` grouped by its powers).
* ``workers``, ``backend``, ``client``, ``progress``: how the terms are
  computed (see :mod:`diagrams.runtime.execution`); the result is identical
  on every backend.  A parallel run shares the diagrams' tree shapes out in
  consecutive chunks of about equal cost: each worker enumerates, weighs,
  values and adds up its own, and only the subtotals cross back.

Resummed T → ∞ limits assume what they need (H positive definite; for the
exact form 0 < ηλ < 2 for every eigenvalue λ of H) and are refused with a
:class:`~diagrams.errors.ResummationError` where the statistics show that
the limit does not exist.

>>> import sympy
>>> from diagrams import Schedule, Statistics
>>> T = sympy.Symbol("T")
>>> expected_loss(Statistics.symbolic(), Schedule.sgd(T), order=1)
-G**2*T*eta + l
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from ..core.numbers import to_float
from ..core.observables import LOSS, Observable, as_observable, coordinate
from ..core.propagators import Propagation
from ..core.schedule import Schedule
from ..runtime.execution import Runtime, runs_long
from ..values.base import Statistics
from .methods import PLAIN, Method, as_method
from .terms import SeriesDiagrams, check_order, series_diagrams, weight

__all__ = ["expectation", "expected_loss", "generalization_gap", "displacement"]

_RENAMED = {
    "resum": "method=Resummed()",
    "form": "method=Resummed(form)",
    "limit_T_infinity": "method=Resummed(form, limit=True)",
    "eta_value": "at_eta=",
}


@runs_long
def expectation(
    observable: Any,
    stats: Statistics,
    schedule: Schedule,
    order: int,
    *,
    method: Method = PLAIN,
    assume: Iterable[str] = (),
    at_eta: Any = None,
    runtime: Runtime,
    **renamed,
) -> Any:
    """E[s(θ_T)] to O(η^(order+1)) for an analytic observable s (keywords: see the module docstring).

    ``observable`` is ``"loss"`` (the test loss), an Observable (e.g.
    :func:`~diagrams.core.observables.coordinate`), or a sympy expression in the
    landscape's parameters (then ``stats`` must come from
    :meth:`~diagrams.Landscape.statistics`).
    """
    _refuse_renamed(renamed)
    return _series(as_observable(observable), stats, schedule, order, method, assume, at_eta, runtime)


@runs_long
def expected_loss(
    stats: Statistics,
    schedule: Schedule,
    order: int,
    *,
    method: Method = PLAIN,
    assume: Iterable[str] = (),
    at_eta: Any = None,
    runtime: Runtime,
    **renamed,
) -> Any:
    """E[l(θ_T)], the expected test loss after training, to order η^order (keywords: see the module docstring)."""
    _refuse_renamed(renamed)
    return _series(LOSS, stats, schedule, order, method, assume, at_eta, runtime)


@runs_long
def generalization_gap(
    stats: Statistics,
    schedule: Schedule,
    order: int,
    *,
    method: Method = PLAIN,
    assume: Iterable[str] = (),
    at_eta: Any = None,
    runtime: Runtime,
    **renamed,
) -> Any:
    """E[l(θ_T) − (1/N)Σₙ l_{xₙ}(θ_T)] to order η^order, from root-tied diagrams (keywords: see the module docstring)."""
    _refuse_renamed(renamed)
    return _series(
        LOSS, stats, schedule, order, method, assume, at_eta, runtime, root_tied=True, scale=lambda t: -t / schedule.N
    )


@runs_long
def displacement(
    stats: Statistics,
    schedule: Schedule,
    order: int,
    *,
    method: Method = PLAIN,
    assume: Iterable[str] = (),
    at_eta: Any = None,
    runtime: Runtime,
    **renamed,
) -> tuple[Any, ...]:
    """E[θ_T − θ₀], one entry per parameter, to order η^order (keywords: see the module docstring)."""
    _refuse_renamed(renamed)
    return tuple(
        _series(coordinate(mu), stats, schedule, order, method, assume, at_eta, runtime) for mu in range(stats.dim)
    )


def _series(
    observable: Observable,
    stats: Statistics,
    schedule: Schedule,
    order: int,
    method: Method,
    assume: Iterable[str],
    at_eta: Any,
    runtime: Runtime,
    *,
    root_tied: bool = False,
    scale: Callable[[Any], Any] | None = None,
) -> Any:
    """Σ weight · value over the series' terms, summed by the statistics' valuation."""
    check_order(order)
    method = as_method(method)
    if not isinstance(stats, Statistics):
        raise TypeError(f"stats must be Statistics (e.g. Statistics.symbolic()), not {type(stats).__name__}")
    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be a Schedule, not {type(schedule).__name__}")
    if at_eta is not None:
        to_float(at_eta, "at_eta")  # text, NaN and infinities are refused before any work
    propagation = method.propagation(schedule)
    diagrams = series_diagrams(order, method, root_tied=root_tied, assume=assume, observable=observable)
    valuation = stats.prepare(diagrams, observable, propagation, at_eta)
    job = partial(
        _subtotal,
        diagrams=diagrams,
        schedule=schedule,
        method=method,
        valuation=valuation,
        propagation=propagation,
    )
    shapes = diagrams.shapes()
    subtotals = runtime.chunks(job, shapes, f"series to order {order}", sizes=diagrams.costs(shapes), unit=" shapes")
    total = valuation.total(subtotals, plain=propagation is None)
    if scale is not None:
        total = scale(total)
    return valuation.finish(total, plain=propagation is None, at_eta=at_eta)


def _subtotal(
    shapes: Iterable[tuple[int, int]],
    diagrams: SeriesDiagrams,
    schedule: Schedule,
    method: Method,
    valuation: Statistics,
    propagation: Propagation | None,
) -> Any:
    """Σ weight · value over the series' diagrams on some tree shapes, as the valuation's subtotal
    (one task of a parallel run: the worker enumerates its own diagrams), valued at their observable."""
    observable = diagrams.observable

    def terms():
        for diagram in diagrams.on(shapes):
            w = weight(diagram, schedule, method)
            if w is None:
                continue
            if propagation is None:
                yield valuation.term(w, valuation.value(diagram, observable))
            else:
                yield valuation.term(w, valuation.resummed_value(diagram, observable, propagation))

    return valuation.subtotal(terms(), plain=propagation is None)


def _refuse_renamed(renamed: dict) -> None:
    if not renamed:
        return
    name = next(iter(renamed))
    if name in _RENAMED:
        raise TypeError(f"the keyword {name}= was replaced: use {_RENAMED[name]} (see help(diagrams.expected_loss))")
    raise TypeError(f"unexpected keyword argument {name!r}")

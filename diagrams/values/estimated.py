"""Estimated values: means with standard errors, for Monte-Carlo SGD and for diagram values of real models.

Nothing here depends on how the numbers were obtained; the PyTorch backend
(:mod:`diagrams.torch`) fills these types, and so does Monte-Carlo SGD.

* :class:`Estimate` — one mean (a float or an array) with its standard error
  and the number of samples behind it.
* :class:`PolynomialEstimate` — an estimated polynomial in η: per power of η a
  mean and a variance.  Sums of independent estimates add their variances.
* :class:`EstimatedValues` — {diagram: Estimate of its η-free value}, each
  diagram estimated from its own independent samples; ``value(D)`` is the
  un-resummed value η^order·(that estimate), a :class:`PolynomialEstimate`.
* :class:`ResummedValues` — per linkless diagram the estimated Σ over
  embeddings of its resummed values at one η, with the diagnostics of the
  eigenbasis they were computed in.
* :class:`RunningMoments` — count, mean and spread of samples arriving in chunks.

A series is a weighted sum of values; with independent estimates per diagram
the error bars come out right:

>>> from diagrams import parse
>>> D1, D2 = parse("[a][a]"), parse("[a:b][ab]")
>>> values = EstimatedValues({D1: Estimate(2.0, 0.1, 100), D2: Estimate(-1.0, 0.2, 100)})
>>> series = -3 * values.value(D1) + sympy.Rational(1, 2) * values.value(D2)
>>> series
PolynomialEstimate((-6 ± 0.3)·eta + (-0.5 ± 0.1)·eta**2)
>>> at = series.at(0.1)
>>> round(at.mean, 12), round(at.stderr, 6), at.n
(-0.605, 0.030017, 100)
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from statistics import NormalDist
from types import MappingProxyType
from typing import Any

import numpy as np
import sympy

from ..core.diagram import Diagram
from ..core.observables import LOSS, Observable, as_observable
from ..core.propagators import Propagation
from ..errors import ResummationError
from .base import Statistics, eta

__all__ = [
    "Estimate",
    "PolynomialEstimate",
    "EstimatedValues",
    "ResummedValues",
    "RunningMoments",
    "DISPLACEMENT",
    "as_number",
]

#: The observable of vector-valued estimates: entry μ is the value for ``coordinate(μ)``.
DISPLACEMENT = "displacement"


def as_number(value, what: str = "a factor") -> float:
    """A plain or sympy number as a float; text and symbolic expressions are refused (TypeError).

    >>> as_number(sympy.Rational(-3, 2)), as_number(2)
    (-1.5, 2.0)
    >>> as_number("2")
    Traceback (most recent call last):
    ...
    TypeError: a factor must be a number, not the text '2' (text is never evaluated)
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{what} must be a number, not the text {value!r} (text is never evaluated)")
    if isinstance(value, sympy.Basic):
        if value.free_symbols or not value.is_number:
            raise TypeError(f"{what} must be a number, not the expression {value} (it has symbols)")
        return float(value)
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{what} must be a number, not {type(value).__name__}")
    return float(value)


def _frozen(value):
    """A float, or a read-only float array."""
    array = np.array(value, dtype=float)
    if array.ndim == 0:
        return float(array)
    array.flags.writeable = False
    return array


class _LinearArithmetic:
    """The arithmetic of estimates, from two operations a subclass defines: ``_plus`` (another estimate
    of its kind, as independent) and ``_times`` (a number).  ``sum()`` works, as it starts from 0."""

    def _plus(self, other):
        raise NotImplementedError

    def _times(self, c):
        raise NotImplementedError

    def __add__(self, other):
        if isinstance(other, type(self)):
            return self._plus(other)
        if isinstance(other, numbers.Number) and other == 0:
            return self
        return NotImplemented

    __radd__ = __add__

    def __mul__(self, factor):
        if isinstance(factor, _LinearArithmetic):
            return NotImplemented
        return self._times(as_number(factor))

    __rmul__ = __mul__

    def __truediv__(self, divisor):
        return self * (1 / as_number(divisor, "a divisor"))

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)


@dataclass(frozen=True)
class Estimate(_LinearArithmetic):
    """A Monte-Carlo mean with its standard error and the number of samples behind it.

    ``mean`` and ``stderr`` are floats for scalar quantities and arrays for
    vector ones (the displacement) or trajectories (one row per recorded
    step).  ``ci(level)`` is the normal confidence interval.  ``+`` adds two
    estimates as *independent* (variances add); ``*`` and ``/`` scale by a
    number; ``n`` of a combination is the smallest ``n`` in it.

    >>> e = Estimate(mean=1.0, stderr=0.5, n=100)
    >>> [round(bound, 6) for bound in e.ci()], [round(bound, 6) for bound in e.ci(0.5)]
    ([0.020018, 1.979982], [0.662755, 1.337245])
    >>> e.zscore(2.0)
    -2.0
    >>> 2 * e + Estimate(0.5, 1.0, 50)
    Estimate(mean=2.5, stderr=1.4142135623730951, n=50)
    """

    mean: Any
    stderr: Any
    n: int

    def ci(self, level: float = 0.95) -> tuple:
        """(mean − z·stderr, mean + z·stderr), z the two-sided standard-normal quantile of ``level``."""
        if not 0 < level < 1:
            raise ValueError(f"a confidence level lies strictly between 0 and 1, got {level!r}")
        z = NormalDist().inv_cdf((1 + level) / 2)
        return self.mean - z * self.stderr, self.mean + z * self.stderr

    def zscore(self, value):
        """(mean − value)/stderr: how many standard errors the mean is from ``value``."""
        return (self.mean - value) / self.stderr

    def _plus(self, other: Estimate) -> Estimate:
        stderr = np.sqrt(np.square(self.stderr) + np.square(other.stderr))
        return Estimate(_frozen(self.mean + other.mean), _frozen(stderr), min(self.n, other.n))

    def _times(self, c) -> Estimate:
        return Estimate(_frozen(c * np.asarray(self.mean)), _frozen(abs(c) * np.asarray(self.stderr)), self.n)

    def __repr__(self) -> str:
        return f"Estimate(mean={self.mean!r}, stderr={self.stderr!r}, n={self.n})"


class PolynomialEstimate(_LinearArithmetic):
    """An estimated polynomial in η: per power of η a mean and a variance.

    Terms of different estimates are independent, so ``+`` adds means and
    variances; ``*`` and ``/`` by a number c scale means by c and variances
    by c².  ``at(η)`` evaluates to an :class:`Estimate`, ``coefficient(k)``
    gives the term of η^k, and ``mean`` is the polynomial of means (sympy,
    Float coefficients, in :data:`diagrams.eta`; a column Matrix for vector
    estimates).  ``n`` is the smallest number of samples behind any term.

    >>> p = PolynomialEstimate({1: (2.0, 0.01)}, n=400) + PolynomialEstimate({0: (0.5, 0.0)}, n=10**6)
    >>> p.mean
    2.0*eta + 0.5
    >>> p.coefficient(1), p.coefficient(2)
    (Estimate(mean=2.0, stderr=0.1, n=400), Estimate(mean=0.0, stderr=0.0, n=400))
    >>> (p / 2).at(1.0)
    Estimate(mean=1.25, stderr=0.05, n=400)
    """

    __slots__ = ("_terms", "n")

    _terms: Mapping[int, tuple[Any, Any]]  # power -> (mean, variance), each a float or a read-only array
    n: int

    def __init__(self, terms: Mapping[int, tuple], n: int):
        cleaned = {}
        for power, (mean, variance) in sorted(terms.items()):
            if isinstance(power, bool) or not isinstance(power, int) or power < 0:
                raise ValueError(f"a power of η is a non-negative int, got {power!r}")
            if np.any(np.asarray(variance) < 0):
                raise ValueError(f"a variance cannot be negative (power {power}: {variance!r})")
            cleaned[power] = (_frozen(mean), _frozen(variance))
        object.__setattr__(self, "_terms", MappingProxyType(cleaned))
        object.__setattr__(self, "n", int(n))

    def __setattr__(self, name, value):
        raise AttributeError("PolynomialEstimate is immutable")

    @property
    def powers(self) -> tuple[int, ...]:
        """The powers of η that have a term."""
        return tuple(self._terms)

    def coefficient(self, power: int) -> Estimate:
        """The estimated coefficient of η^power (zero, exactly, when there is no such term)."""
        mean, variance = self._terms.get(power, (0.0, 0.0))
        return Estimate(mean, _frozen(np.sqrt(variance)), self.n)

    def at(self, eta_value) -> Estimate:
        """The polynomial at η = ``eta_value``: Σ mean_k η^k ± sqrt(Σ variance_k η^2k)."""
        x = as_number(eta_value, "η")
        mean = sum((np.asarray(m) * x**k for k, (m, _) in self._terms.items()), np.asarray(0.0))
        variance = sum((np.asarray(v) * x ** (2 * k) for k, (_, v) in self._terms.items()), np.asarray(0.0))
        return Estimate(_frozen(mean), _frozen(np.sqrt(variance)), self.n)

    @property
    def mean(self) -> sympy.Expr:
        """Σ mean_k η^k as a sympy polynomial in :data:`diagrams.eta` (Float coefficients)."""
        means = [(k, np.asarray(m)) for k, (m, _) in self._terms.items()]
        if any(m.ndim for _, m in means):
            size = max(m.size for _, m in means)
            return sympy.ImmutableMatrix(
                [
                    sum(
                        (sympy.Float(float(np.broadcast_to(m, (size,))[i])) * eta**k for k, m in means),
                        sympy.Integer(0),
                    )
                    for i in range(size)
                ]
            )
        return sum((sympy.Float(float(m)) * eta**k for k, m in means), sympy.Integer(0))

    def _plus(self, other: PolynomialEstimate) -> PolynomialEstimate:
        terms = dict(self._terms)
        for k, (m, v) in other._terms.items():
            m0, v0 = terms.get(k, (0.0, 0.0))
            terms[k] = (np.add(m0, m), np.add(v0, v))
        return PolynomialEstimate(terms, min(self.n, other.n))

    def _times(self, c) -> PolynomialEstimate:
        return PolynomialEstimate(
            {k: (np.multiply(c, m), np.multiply(c * c, v)) for k, (m, v) in self._terms.items()}, self.n
        )

    def __repr__(self) -> str:
        if not self._terms:
            return "PolynomialEstimate(0)"
        shown = []
        for k, (m, v) in self._terms.items():
            term = f"({_short(m)} ± {_short(np.sqrt(v))})"
            shown.append(term if k == 0 else f"{term}·eta" + (f"**{k}" if k > 1 else ""))
        return "PolynomialEstimate(" + " + ".join(shown) + ")"


def _short(value) -> str:
    value = np.asarray(value)
    if value.ndim:
        return np.array2string(value, precision=4, threshold=6)
    return f"{float(value):.4g}"


class _SummedAsEstimates:
    """How a series of estimated values is summed: weight · Estimate, added in the terms' order."""

    def term(self, weight: Any, value: Any) -> Any:
        return value * as_number(weight, "a weight")

    def subtotal(self, values: Iterable[Any], *, plain: bool = False) -> list:
        return list(values)  # added in the terms' order, whatever the chunks

    def total(self, subtotals: Iterable[list], *, plain: bool = False) -> Any:
        return sum(itertools.chain.from_iterable(subtotals), 0)


class EstimatedValues(_SummedAsEstimates, Statistics, kind="estimated"):
    """Estimates of diagrams' η-free values for one observable: {Diagram: Estimate}, a kind of statistics.

    Each diagram is estimated from its own independent samples, so the
    variances of a weighted sum of values add.  ``observable`` is what sits at
    the root: :data:`~diagrams.core.observables.LOSS`, ``"displacement"``
    (vector estimates whose entry μ is the value for ``coordinate(μ)``), or
    another :class:`~diagrams.core.observables.Observable` (a model's own
    observable).  ``value(D)`` is the un-resummed value η^order · estimate, as
    :func:`diagrams.uvalue` gives it for exact statistics (η a scalar).

    Every series function takes these in place of statistics: a plain series
    is then a :class:`PolynomialEstimate` (an :class:`Estimate` with
    ``at_eta=``).  A resummed series needs ``at_eta=`` and a ``resummer``,
    which :meth:`diagrams.torch.ModelLandscape.estimate` attaches: the model
    then estimates the resummed values of the series' diagrams at that η
    (:class:`ResummedValues`).  ``dim`` is the number of parameters (the
    displacement has that many entries).

    >>> from diagrams import parse, Schedule, expected_loss
    >>> values = EstimatedValues({parse("[a][a]"): Estimate(0.25, 0.01, 1000), parse("[]"): Estimate(1.0, 0.0, 1000)})
    >>> expected_loss(values, Schedule.sgd(10), 1)        # l − ηT·GG
    PolynomialEstimate((1 ± 0) + (-2.5 ± 0.1)·eta)
    >>> expected_loss(values, Schedule.sgd(10), 1, at_eta=0.1)
    Estimate(mean=0.75, stderr=0.01, n=1000)
    >>> values.value(parse("[a][a]")).coefficient(1)
    Estimate(mean=0.25, stderr=0.01, n=1000)
    >>> values.value(parse("[a:b][ab]"))
    Traceback (most recent call last):
    ...
    ValueError: the diagram [a:b][ab] (order 2) was not estimated: these values hold the loss at the root, orders 0..1 (2 diagrams); estimate it, e.g. model.estimate(2, diagrams=[parse('[a:b][ab]')], samples=..., seed=...)
    """

    estimates: Mapping[Diagram, Estimate]
    observable: Observable | str  # an Observable, or DISPLACEMENT
    resummer: Callable[[Propagation, float, list[Diagram]], ResummedValues] | None

    def __init__(
        self,
        estimates: Mapping[Diagram, Estimate],
        observable=LOSS,
        *,
        dim: int | None = None,
        resummer: Callable[[Propagation, float, list[Diagram]], ResummedValues] | None = None,
    ):
        for diagram, estimate in estimates.items():
            if not isinstance(diagram, Diagram):
                raise TypeError(f"keys must be Diagrams, got {diagram!r}")
            if not isinstance(estimate, Estimate):
                raise TypeError(f"values must be Estimates, got {estimate!r} for {diagram}")
        object.__setattr__(self, "estimates", MappingProxyType(dict(estimates)))
        object.__setattr__(self, "observable", observable if observable == DISPLACEMENT else as_observable(observable))
        if dim is None:
            sizes = {np.size(e.mean) for e in estimates.values()} if observable == DISPLACEMENT else {1}
            dim = max(sizes, default=1)
        object.__setattr__(self, "dim", dim)
        object.__setattr__(self, "resummer", resummer)

    def __setattr__(self, name, value):
        raise AttributeError("EstimatedValues is immutable")

    def __contains__(self, diagram) -> bool:
        return diagram in self.estimates

    def __len__(self) -> int:
        return len(self.estimates)

    def __iter__(self):
        return iter(self.estimates)

    def __getitem__(self, diagram: Diagram) -> Estimate:
        return self._estimate(diagram)

    def __or__(self, other: EstimatedValues) -> EstimatedValues:
        """The union of two sets of estimates for one observable (a diagram in both must agree)."""
        if not isinstance(other, EstimatedValues):
            return NotImplemented
        if other.observable != self.observable:
            raise ValueError(f"cannot merge values for {self.observable!r} with values for {other.observable!r}")
        for diagram in set(self.estimates) & set(other.estimates):
            if (
                self.estimates[diagram] is not other.estimates[diagram]
                and self.estimates[diagram] != other.estimates[diagram]
            ):
                raise ValueError(f"both hold different estimates of {diagram}")
        return EstimatedValues(
            {**self.estimates, **other.estimates},
            self.observable,
            dim=self.dim,
            resummer=self.resummer or other.resummer,
        )

    def value(self, diagram: Diagram, observable=LOSS) -> PolynomialEstimate:
        """η^order times the estimate of ``diagram`` (for ``coordinate(μ)``: entry μ of a displacement estimate)."""
        estimate = self._estimate(diagram)
        mean, stderr = estimate.mean, estimate.stderr
        if observable == DISPLACEMENT:
            self._check_observable(DISPLACEMENT, diagram)
        else:
            wanted = as_observable(observable)
            if self.observable == DISPLACEMENT and wanted.kind == "coordinate":
                mean, stderr = np.asarray(mean)[wanted.detail], np.asarray(stderr)[wanted.detail]
            else:
                self._check_observable(wanted, diagram)
        return PolynomialEstimate({diagram.order: (mean, np.square(stderr))}, estimate.n)

    def prepare(self, diagrams, observable, propagation, at_eta) -> Statistics:
        """Every diagram of the series must be estimated; a resummed series is estimated by the model at ``at_eta``."""
        if propagation is None:
            for diagram in diagrams:
                self._estimate(diagram)
            return self
        if at_eta is None:
            raise ResummationError(
                "estimated resummed values are numbers at one learning rate: give at_eta= (a series of estimated"
                " plain values is a polynomial in η without it)"
            )
        if self.resummer is None:
            raise ResummationError(
                "these estimates carry no model to resum with: estimate them with diagrams.torch.ModelLandscape.estimate"
                " (or use ModelLandscape.estimate_resummed)"
            )
        return self.resummer(propagation, as_number(at_eta, "at_eta"), list(diagrams))

    def finish(self, total: Any, *, plain: bool, at_eta: Any) -> Any:
        return total if at_eta is None else total.at(at_eta)

    def _check_observable(self, wanted, diagram) -> None:
        if wanted != self.observable:
            raise ValueError(
                f"the value of {diagram} was estimated with {_describe(self.observable)} at the root, "
                f"not {_describe(wanted)}; estimate it with observable={_hint(wanted)}"
            )

    def _estimate(self, diagram: Diagram) -> Estimate:
        if not isinstance(diagram, Diagram):
            raise TypeError(f"expected a Diagram, got {diagram!r}")
        try:
            return self.estimates[diagram]
        except KeyError:
            raise ValueError(self._missing(diagram)) from None

    def _missing(self, diagram: Diagram) -> str:
        orders = sorted({D.order for D in self.estimates})
        count = len(self.estimates)
        held = f"orders {orders[0]}..{orders[-1]} ({count} diagram{'s' * (count != 1)})" if orders else "no diagrams"
        kind = "root-tied " if diagram.is_root_tied else ""
        return (
            f"the {kind}diagram {diagram} (order {diagram.order}) was not estimated: these values hold "
            f"{_describe(self.observable)} at the root, {held}; estimate it, e.g. "
            f"model.estimate({diagram.order}, diagrams=[parse({str(diagram)!r})], samples=..., seed=...)"
        )

    def __repr__(self) -> str:
        lines = [f"EstimatedValues({_describe(self.observable)}, {len(self.estimates)} diagrams)"]
        for diagram, estimate in sorted(self.estimates.items(), key=lambda item: item[0].sort_key):
            lines.append(f"  {diagram}: {_short(estimate.mean)} ± {_short(estimate.stderr)} (n={estimate.n})")
        return "\n".join(lines)


def _describe(observable) -> str:
    if observable == DISPLACEMENT:
        return "the displacement"
    if observable == LOSS:
        return "the loss"
    if isinstance(observable, Observable) and observable.kind == "coordinate":
        return f"coordinate {observable.detail} of the displacement"
    return f"the observable {getattr(observable, 'detail', observable)!r}"


def _hint(observable) -> str:
    if observable == LOSS:
        return "'loss'"
    if observable == DISPLACEMENT or (isinstance(observable, Observable) and observable.kind == "coordinate"):
        return "'displacement'"
    return "model.observable"


@dataclass(frozen=True, eq=False)
class ResummedValues(_SummedAsEstimates, Statistics, kind="estimated resummed"):
    """Estimated resummed values of linkless diagrams at one learning rate (SPEC §6), a kind of statistics.

    ``estimates[D]`` estimates Σ over labelled embeddings f of rvalue_f(D) —
    η^order times the diagram's value tensor in an eigenbasis of H contracted
    with the propagator sums Z(D) — for ``schedule`` at η = ``eta`` (form
    ``form``, T → ∞ when ``limit``).  The resummed series is
    Σ_D (−1/B)^d/|Aut(D)| · estimates[D] over linkless D.  Each diagram uses
    its own independent samples, so variances add across diagrams.

    The eigenbasis is a Ritz basis of H (``ritz_values``, with Lanczos
    ``residual_norms`` ‖H q − λ q‖); when it does not span parameter space the
    values lose the part of each tensor outside it (or propagate it
    un-resummed, ``complement="flat"``).  ``projection_errors[D]`` measures
    that part: the plain (η-free) value in the Ritz basis minus the plain
    value computed matrix-free, on the same samples.
    """

    schedule: Any
    eta: float
    observable: Any
    form: str
    limit: bool
    estimates: Mapping[Diagram, Estimate]
    projection_errors: Mapping[Diagram, Estimate]
    ritz_values: tuple[float, ...]
    residual_norms: tuple[float, ...]
    dim: int
    complement: str = "drop"

    def __post_init__(self):
        object.__setattr__(self, "estimates", MappingProxyType(dict(self.estimates)))
        object.__setattr__(self, "projection_errors", MappingProxyType(dict(self.projection_errors)))

    @property
    def rank(self) -> int:
        """How many Ritz vectors the eigenbasis has (``dim`` when it is complete)."""
        return len(self.ritz_values)

    def value(self, diagram: Diagram, observable=LOSS) -> Any:
        raise ResummationError("these are resummed values; plain values come from ModelLandscape.estimate")

    def resummed_value(self, diagram: Diagram, observable=LOSS, propagation: Propagation | None = None) -> Estimate:
        """The estimate of Σ_f rvalue_f(``diagram``) (an entry μ of it for ``coordinate(μ)``).

        ``propagation``, when given, must be the one these values were estimated for.
        """
        if propagation is not None:
            self._check(propagation)
        try:
            estimate = self.estimates[diagram]
        except KeyError:
            raise ValueError(
                f"the diagram {diagram} was not resummed: these values hold {len(self.estimates)} linkless "
                f"diagrams of order ≤ {max((D.order for D in self.estimates), default=0)}"
                + ("" if diagram.is_linkless else " (and only linkless diagrams are resummed)")
            ) from None
        if observable != DISPLACEMENT:
            wanted = as_observable(observable)
            if self.observable == DISPLACEMENT and wanted.kind == "coordinate":
                return Estimate(float(estimate.mean[wanted.detail]), float(estimate.stderr[wanted.detail]), estimate.n)
            observable = wanted
        if observable != self.observable:
            raise ValueError(
                f"these values were resummed with {_describe(self.observable)} at the root, not {_describe(observable)}"
            )
        return estimate

    def _check(self, propagation: Propagation) -> None:
        wanted = (propagation.schedule, propagation.form, propagation.limit)
        if wanted != (self.schedule, self.form, self.limit):
            raise ResummationError(
                f"these values were resummed for {self.schedule} ({self.form} form, limit={self.limit}), "
                f"not {propagation.schedule} ({propagation.form} form, limit={propagation.limit})"
            )

    def prepare(self, diagrams, observable, propagation, at_eta) -> Statistics:
        if propagation is None:
            raise ResummationError("these are resummed values: use them with method=Resummed(...)")
        self._check(propagation)
        if at_eta is not None and as_number(at_eta, "at_eta") != self.eta:
            raise ResummationError(f"these values were resummed at η = {self.eta}, not at_eta = {at_eta}")
        return self

    def finish(self, total: Any, *, plain: bool, at_eta: Any) -> Any:
        return total


class RunningMoments:
    """Count, mean and sum of squared deviations of samples that arrive in chunks (Chan et al.'s update).

    Constant samples give a standard error of exactly zero.

    >>> moments = RunningMoments()
    >>> moments.add(np.array([1.0, 2.0])); moments.add(np.array([3.0, 6.0]))
    >>> moments.estimate()
    Estimate(mean=3.0, stderr=1.0801234497346435, n=4)
    """

    def __init__(self):
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, values: np.ndarray) -> None:
        """Add a chunk of samples (first axis: samples)."""
        values = np.asarray(values, dtype=float)
        k = values.shape[0]
        if k == 0:
            return
        shift = values[0]  # deviations from a sample: a constant chunk has exactly zero spread
        centred = values - shift
        offset = centred.mean(axis=0)
        m2 = ((centred - offset) ** 2).sum(axis=0)
        mean = shift + offset
        if self.n == 0:
            self.n, self.mean, self.m2 = k, mean, m2
            return
        n = self.n + k
        delta = mean - self.mean
        self.mean = self.mean + delta * (k / n)
        self.m2 = self.m2 + m2 + delta**2 * (self.n * k / n)
        self.n = n

    def estimate(self) -> Estimate:
        """The mean with its standard error sqrt(sample variance / n) (NaN for fewer than 2 samples)."""
        variance = self.m2 / (self.n - 1) if self.n > 1 else np.asarray(self.m2) * np.nan
        return Estimate(_frozen(self.mean), _frozen(np.sqrt(variance / self.n)), self.n)

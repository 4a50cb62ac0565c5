"""Monte-Carlo SGD on a :class:`~diagrams.landscapes.Landscape` (SPEC §1), vectorized over trials.

Every trial draws a fresh training set of N i.i.d. samples and runs the
schedule on it: step t uses batch k = t mod (N/B), i.e. points kB … kB+B−1,
for T = E·N/B steps, θ_{t+1} = θ_t − η·(1/B)Σ_{n∈batch} ∇l_{x_n}(θ_t).  The
trials advance together as numpy arrays (one array entry per trial), so the
cost is a few numpy operations per step, whatever the number of trials.

Observables, measured at θ_T for every trial and averaged:

* ``"test_loss"``: l(θ_T) with l(θ) = E_x l_x(θ) (see *the test loss* below);
* ``"train_loss"``: (1/N)Σₙ l_{x_n}(θ_T) on the trial's own training set;
* ``"gap"``: test_loss − train_loss, per trial (so its error bar is the
  paired one);
* ``"displacement"``: θ_T − θ₀, one entry per parameter;
* any sympy expression s(θ) in the landscape's parameters: s(θ_T).

The test loss.  A discrete distribution gives l(θ) exactly (a finite sum).
For a sympy.stats random variable, a loss that is a polynomial in the sample
is averaged exactly with the sample's moments (sympy.stats.moment); otherwise
sympy.stats.E is asked for a closed form.  If that fails (an unevaluated
integral, or an error), or with ``test_loss="sampled"``, the test loss of each
trial is instead estimated by averaging l_x(θ_T) over ``test_samples`` fresh
samples drawn for that trial.  That estimate is unbiased for E[l(θ_T)], and
the extra noise it adds is included in the standard error.  The method used
is recorded in :attr:`SimulationResult.test_loss_method`.

Sampling.  A discrete distribution is sampled with numpy's ``choice`` and
the probabilities.  A Normal, Uniform or Exponential random variable is drawn
with numpy directly, a finite sympy.stats variable (Bernoulli, Die, …)
through its probabilities, and any other variable with ``sympy.stats.sample``
(numpy library).

Reproducibility.  Trials are grouped in blocks of :data:`BLOCK` trials and
each block draws its random numbers from its own stream, spawned from
``numpy.random.SeedSequence(seed)``.  For a given ``seed`` and ``trials``
the results are therefore the same whatever ``batch_trials`` (the number of
trials held in memory at once) is, up to floating-point rounding in the final
averages.

Example: the MeanEstimation landscape, whose expected test loss SPEC §6 gives
exactly.

>>> import sympy
>>> from diagrams import Landscape, Schedule
>>> land = Landscape.mean_estimation(H=1, S=1)
>>> theta = land.params[0]
>>> res = land.simulate_sgd(Schedule.sgd(20), 0.1, at={theta: 1}, trials=4000, seed=1)
>>> q = (1 - 0.1) ** 40
>>> exact = q / 2 + 0.1**2 / 2 * (1 - q) / (1 - 0.9**2)
>>> abs(res["test_loss"].mean - exact) < 4 * res["test_loss"].stderr
True
>>> res["displacement"].mean.shape
(1,)
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
import sympy.stats
from sympy.stats.rv import RandomSymbol

from ..core.numbers import to_float, to_sympy
from ..core.schedule import Schedule
from ..values.estimated import Estimate, RunningMoments

__all__ = [
    "simulate_sgd",
    "SimulationResult",
    "Estimate",
    "draw_samples",
    "run_sgd",
    "BLOCK",
    "DEFAULT_OBSERVABLES",
]

#: Trials per random stream (see *Reproducibility* in the module docstring).
BLOCK = 1024

DEFAULT_OBSERVABLES = ("test_loss", "train_loss", "gap", "displacement")
_NAMED = frozenset(DEFAULT_OBSERVABLES)

# Roughly this many float64 entries per sample array held at once (about 32 MB).
_MEMORY_ENTRIES = 1 << 22


# -- results ---------------------------------------------------------------------


@dataclass(frozen=True)
class SimulationResult:
    """What :func:`simulate_sgd` measured.

    ``estimates[name]`` (also ``result[name]``) is the :class:`Estimate` of
    an observable at θ_T over ``trials`` trials.  With ``record_every``,
    ``steps`` lists the recorded steps (0, r, 2r, …, and T) and
    ``trajectory[name]`` holds Estimates whose arrays have one row per
    recorded step.  ``nonfinite`` counts trials whose θ_T overflowed (their
    values make the means non-finite).
    """

    schedule: Schedule
    eta: Any
    theta0: np.ndarray
    trials: int
    seed: int
    estimates: dict
    steps: np.ndarray | None = None
    trajectory: dict | None = None
    nonfinite: int = 0
    test_loss_method: str | None = None

    def __getitem__(self, name) -> Estimate:
        return self.estimates[name]

    def __repr__(self) -> str:
        lines = [f"SimulationResult({self.schedule}, eta={self.eta}, trials={self.trials}, seed={self.seed})"]
        for name, est in self.estimates.items():
            lines.append(f"  {name}: {est.mean} ± {est.stderr}")
        return "\n".join(lines)


# -- compiling a landscape ----------------------------------------------------------


class _Compiled:
    """Numpy functions for one landscape: gradient, loss, test loss, and a sampler."""

    def __init__(self, landscape):
        # No reference to the landscape itself: it is this object's weak key in _COMPILED.
        self.params = landscape.params
        self.sample = sample = landscape.sample
        self.x = sympy.Dummy("x")
        loss = landscape.loss.xreplace({sample: self.x}) if isinstance(sample, sympy.Basic) else landscape.loss
        self.loss_expr = loss
        args = [*self.params, self.x]
        self.loss = sympy.lambdify(args, loss, modules="numpy", cse=True)
        gradient = [sympy.diff(loss, p) for p in self.params]
        self.gradient = sympy.lambdify(args, gradient, modules="numpy", cse=True)
        # A loss polynomial in the sample, Σ_k d_k(θ) x^k, is averaged over a
        # batch through the batch's sample moments: one evaluation per trial.
        self.powers = None
        if loss.is_polynomial(self.x):
            coefficients = _taylor_coefficients(loss, self.x)
            self.powers = sorted(coefficients)
            coefficients = [coefficients[k] for k in self.powers]
            self.loss_coefficients = sympy.lambdify(self.params, coefficients, modules="numpy", cse=True)
            flat = [sympy.diff(c, p) for p in self.params for c in coefficients]
            self.gradient_coefficients = sympy.lambdify(self.params, flat, modules="numpy", cse=True)
        self._setup_sampler(landscape.distribution)
        self._mean_loss = None
        self.mean_loss_method = None
        self._observables: dict = {}

    # sampling
    def _setup_sampler(self, distribution) -> None:
        self.support = self.probabilities = None
        self.rv_kind = None
        if distribution is None and _is_finite_rv(self.sample):
            distribution = dict(sympy.stats.density(self.sample).dict)
        if distribution is not None:
            items = list(distribution.items())
            try:
                self.support = np.array([float(v) for v, _ in items])
                probabilities = np.array([float(p) for _, p in items])
            except TypeError:
                raise ValueError("simulation needs numeric sample values and probabilities") from None
            self.probabilities = probabilities / probabilities.sum()
            self.exact_distribution = {to_sympy(v): to_sympy(p) for v, p in items}
            return
        dist = self.sample.pspace.distribution
        kind = _NUMPY_SAMPLERS.get(type(dist).__name__, "sympy")
        if kind != "sympy":
            try:
                self.rv_params = [float(a) for a in dist.args]
            except TypeError:
                raise ValueError(
                    f"simulation needs numeric parameters for the sample's distribution, got {dist}"
                ) from None
        self.rv_kind = kind

    def draw(self, rng: np.random.Generator, shape) -> np.ndarray:
        if self.support is not None:
            return self.support[rng.choice(len(self.support), size=shape, p=self.probabilities)]
        if self.rv_kind == "normal":
            mean, std = self.rv_params
            return rng.normal(mean, std, size=shape)
        if self.rv_kind == "uniform":
            low, high = self.rv_params
            return rng.uniform(low, high, size=shape)
        if self.rv_kind == "exponential":
            (rate,) = self.rv_params
            return rng.exponential(1.0 / rate, size=shape)
        values = sympy.stats.sample(self.sample, size=shape, library="numpy", seed=rng)
        return np.asarray(values, dtype=float).reshape(shape)

    # the test loss
    def mean_loss(self, method: str):
        """A numpy function of θ for l(θ), or None when it must be sampled."""
        if method == "sampled":
            return None
        if self._mean_loss is None:
            expr, how = self._mean_loss_expr()
            self.mean_loss_method = how
            self._mean_loss = False if expr is None else sympy.lambdify(self.params, expr, modules="numpy", cse=True)
        if self._mean_loss is False and method == "exact":
            raise ValueError("sympy could not give the test loss E_x l_x(θ) in closed form; use test_loss='sampled'")
        return self._mean_loss or None

    def _mean_loss_expr(self):
        x, loss = self.x, self.loss_expr
        if self.support is not None:
            return sympy.expand(sum(p * loss.subs(x, v) for v, p in self.exact_distribution.items())), "exact"
        sample = self.sample
        try:
            if self.powers is not None:
                terms = _taylor_coefficients(loss, x)
                return sum(c * sympy.stats.moment(sample, k) for k, c in terms.items()), "moments"
            expr = sympy.stats.E(loss.xreplace({x: sample}))
        except Exception:  # sympy cannot integrate this loss: sample the test loss instead
            return None, "sampled"
        if expr.has(sympy.Integral) or expr.atoms(RandomSymbol) or not expr.free_symbols <= set(self.params):
            return None, "sampled"
        return expr, "sympy.stats"

    def observable(self, expr):
        if expr not in self._observables:
            if not isinstance(expr, sympy.Basic):
                raise ValueError(f"unknown observable {expr!r}; use one of {sorted(_NAMED)} or a sympy expression")
            extra = expr.free_symbols - set(self.params)
            if extra:
                raise ValueError(f"observable {expr} has symbols that are not parameters: {sorted(map(str, extra))}")
            self._observables[expr] = sympy.lambdify(self.params, expr, modules="numpy", cse=True)
        return self._observables[expr]


def _taylor_coefficients(expr, x) -> dict:
    """{k: d_k} with expr = Σ_k d_k x^k for an expression polynomial in x (d_k ≠ 0, left unexpanded)."""
    degree = sympy.Poly(sympy.expand(expr), x).degree()
    out, derivative = {}, expr
    for k in range(degree + 1):
        coefficient = derivative.subs(x, 0) / sympy.factorial(k)
        if coefficient != 0:
            out[k] = coefficient
        derivative = sympy.diff(derivative, x)
    return out


# sympy.stats distributions drawn with numpy directly (their args in numpy's order)
_NUMPY_SAMPLERS = {
    "NormalDistribution": "normal",
    "UniformDistribution": "uniform",
    "ExponentialDistribution": "exponential",
}

_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _compiled(landscape) -> _Compiled:
    try:
        return _COMPILED[landscape]
    except KeyError:
        compiled = _COMPILED[landscape] = _Compiled(landscape)
        return compiled


def _is_finite_rv(sample) -> bool:
    if not isinstance(sample, RandomSymbol):
        return False
    from sympy.stats.frv import FinitePSpace, SingleFinitePSpace

    return isinstance(sample.pspace, (FinitePSpace, SingleFinitePSpace))


# -- the SGD loop ---------------------------------------------------------------------


def draw_samples(landscape, shape, rng: np.random.Generator) -> np.ndarray:
    """An array of i.i.d. samples from the landscape's distribution, of the given shape.

    >>> from diagrams import Landscape
    >>> draw_samples(Landscape.mean_estimation(), (2, 3), np.random.default_rng(0)).shape
    (2, 3)
    """
    return _compiled(landscape).draw(rng, shape)


def _moments(compiled: _Compiled, samples: np.ndarray) -> list:
    """For each power k of the loss, the mean of x^k over the last axis (the number 1 for k = 0)."""
    return [1.0 if k == 0 else (samples if k == 1 else samples**k).mean(axis=-1) for k in compiled.powers]


def _combine(coefficients, moments, trials: int) -> np.ndarray:
    """Σ_k coefficient_k · moment_k, broadcast to (trials,)."""
    total = 0.0
    for c, mo in zip(coefficients, moments):
        total = total + c * mo
    return np.broadcast_to(total, (trials,))


def _batches(compiled: _Compiled, training_sets: np.ndarray, B: int) -> list:
    """Per batch k (points kB … kB+B−1): its sample moments, or its (trials, B) samples."""
    trials, N = training_sets.shape
    grouped = training_sets.reshape(trials, N // B, B).transpose(1, 0, 2)  # (N/B, trials, B)
    if compiled.powers is not None:
        moments = [mo if np.ndim(mo) == 0 else np.ascontiguousarray(mo) for mo in _moments(compiled, grouped)]
        return [[mo if np.ndim(mo) == 0 else mo[k] for mo in moments] for k in range(N // B)]
    return [np.ascontiguousarray(grouped[k]) for k in range(N // B)]


def _batch_gradient(compiled: _Compiled, theta: np.ndarray, batch) -> np.ndarray:
    """(1/B)Σ over the batch's samples of ∇l_x(θ): shape (m, trials) from θ of shape (m, trials)."""
    trials = theta.shape[1]
    if compiled.powers is not None:
        flat, K = compiled.gradient_coefficients(*theta), len(compiled.powers)
        return np.stack([_combine(flat[i : i + K], batch, trials) for i in range(0, len(flat), K)])
    if batch.shape[1] == 1:
        parts = compiled.gradient(*theta, batch[:, 0])
        return np.stack([np.broadcast_to(g, (trials,)) for g in parts])
    parts = compiled.gradient(*theta[:, :, None], batch)
    return np.stack([np.broadcast_to(g, batch.shape).mean(axis=1) for g in parts])


def _step_size(eta, m: int):
    """η as a float, or as an m×m float array (an inverse metric)."""
    if isinstance(eta, (str, bytes)):
        raise TypeError(f"expected a number, not the text {eta!r} (text is never evaluated)")
    if isinstance(eta, sympy.Basic) and not isinstance(eta, sympy.MatrixBase):
        if eta.free_symbols:
            raise ValueError(f"simulation needs a numeric learning rate, got {eta}")
        return float(eta)
    array = np.asarray(eta.tolist() if isinstance(eta, sympy.MatrixBase) else eta, dtype=float)
    if not np.isfinite(array).all():
        raise ValueError(f"the learning rate must be finite, got {eta}")
    if array.ndim == 0:
        return float(array)
    if array.shape != (m, m):
        raise ValueError(f"a matrix learning rate must be {m}×{m}, got shape {array.shape}")
    if not np.allclose(array, array.T):
        raise ValueError("a matrix learning rate must be symmetric")
    return array


def run_sgd(landscape, schedule: Schedule, eta, theta0, training_sets: np.ndarray, *, callback=None) -> np.ndarray:
    """Run the schedule on each row of ``training_sets`` (shape (trials, N)); return θ_T, shape (m, trials).

    ``theta0`` is a sequence of m numbers (the parameters in the landscape's
    order).  ``callback(t, theta)``, if given, is called before the first step
    (t = 0) and after every step t = 1…T with the (m, trials) array θ_t.

    >>> from diagrams import Landscape
    >>> land = Landscape.mean_estimation(H=1, S=1)
    >>> run_sgd(land, Schedule(N=2, B=1, E=2), 0.5, [1.0], np.array([[1.0, -1.0]]))  # θ: 1, 0, 1/2, -1/4, 3/8
    array([[0.375]])
    """
    N, B, E = _concrete(schedule)
    compiled = _compiled(landscape)
    m = len(compiled.params)
    step = _step_size(eta, m)
    training_sets = np.asarray(training_sets, dtype=float)
    if training_sets.ndim != 2 or training_sets.shape[1] != N:
        raise ValueError(f"training_sets must have shape (trials, N={N}), got {training_sets.shape}")
    trials = training_sets.shape[0]
    theta = np.tile(np.asarray(theta0, dtype=float).reshape(m, 1), (1, trials))
    if callback is not None:
        callback(0, theta)
    per_epoch = N // B
    batches = _batches(compiled, training_sets, B)
    for t in range(E * per_epoch):
        gradient = _batch_gradient(compiled, theta, batches[t % per_epoch])
        theta = theta - (step * gradient if np.ndim(step) == 0 else step @ gradient)
        if callback is not None:
            callback(t + 1, theta)
    return theta


def _concrete(schedule: Schedule) -> tuple[int, int, int]:
    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be a Schedule, not {type(schedule).__name__}")
    if not all(isinstance(v, int) for v in (schedule.N, schedule.B, schedule.E)):
        raise ValueError(f"simulation needs integer N, B and E, got {schedule}")
    return schedule.N, schedule.B, schedule.E


def _start(landscape, at) -> np.ndarray:
    point = {p: 0 for p in landscape.params}
    unknown = set(at or {}) - set(point)
    if unknown:
        raise ValueError(f"'at' names symbols that are not parameters: {sorted(map(str, unknown))}")
    point.update(dict(at or {}))
    return np.array([to_float(point[p], str(p)) for p in landscape.params])


# -- Monte Carlo -----------------------------------------------------------------------


def simulate_sgd(
    landscape,
    schedule: Schedule,
    eta,
    *,
    at: Mapping | None = None,
    trials: int,
    seed: int = 0,
    observables: Sequence = DEFAULT_OBSERVABLES,
    batch_trials: int | None = None,
    record_every: int | None = None,
    test_loss: str = "auto",
    test_samples: int = 256,
) -> SimulationResult:
    """Monte-Carlo estimates of E[observable(θ_T)] after SGD on fresh training sets.

    ``schedule`` must have integer N, B, E; ``eta`` is a positive number or
    a symmetric m×m array (an inverse metric); ``at`` maps parameters to
    θ₀ (missing ones start at 0).  ``trials`` independent training sets are
    drawn, ``batch_trials`` of them held in memory at a time (default: about
    32 MB of samples; rounded up to a multiple of :data:`BLOCK`).
    ``observables`` names what to measure (see the module docstring).
    ``record_every=r`` also records the observables' means at steps 0, r,
    2r, … and T (``result.steps``, ``result.trajectory``).  ``test_loss`` is
    ``"auto"`` (exact when possible, else sampled), ``"exact"`` (fail if
    sympy cannot average the loss) or ``"sampled"`` (``test_samples`` fresh
    samples per trial).
    """
    N, B, E = _concrete(schedule)
    if isinstance(trials, bool) or not isinstance(trials, (int, np.integer)) or trials < 2:
        raise ValueError(f"trials must be an int ≥ 2, got {trials!r}")
    if test_loss not in ("auto", "exact", "sampled"):
        raise ValueError(f"test_loss must be 'auto', 'exact' or 'sampled', got {test_loss!r}")
    if record_every is not None and (not isinstance(record_every, int) or record_every < 1):
        raise ValueError(f"record_every must be a positive int, got {record_every!r}")
    if isinstance(test_samples, bool) or not isinstance(test_samples, int) or test_samples < 1:
        raise ValueError(f"test_samples must be a positive int, got {test_samples!r}")
    trials = int(trials)
    compiled = _compiled(landscape)
    m = len(compiled.params)
    theta0 = _start(landscape, at)
    step = _step_size(eta, m)
    names = list(observables)
    for name in names:
        if not (isinstance(name, str) and name in _NAMED):
            compiled.observable(name)  # validates
    need_test = any(isinstance(n, str) and n in ("test_loss", "gap") for n in names)
    mean_loss = compiled.mean_loss(test_loss) if need_test else None
    method = None
    if need_test:
        method = "sampled" if mean_loss is None else compiled.mean_loss_method
    T = E * (N // B)
    if record_every is None:
        steps = [T]
    else:
        steps = sorted(set(range(0, T + 1, record_every)) | {T})
    record_at = {t: i for i, t in enumerate(steps)}
    moments = {name: [RunningMoments() for _ in steps] for name in names}
    per_trial = N + (test_samples if method == "sampled" else 0)
    if batch_trials is None:
        batch_trials = max(1, _MEMORY_ENTRIES // max(per_trial, 1))
    blocks_per_chunk = max(1, -(-int(batch_trials) // BLOCK))
    n_blocks = -(-trials // BLOCK)
    streams = np.random.SeedSequence(seed).spawn(n_blocks)
    nonfinite = 0

    for first in range(0, n_blocks, blocks_per_chunk):
        chunk = range(first, min(first + blocks_per_chunk, n_blocks))
        sizes = [min(BLOCK, trials - b * BLOCK) for b in chunk]
        rngs = [np.random.default_rng(streams[b]) for b in chunk]
        training = np.concatenate([compiled.draw(rng, (size, N)) for rng, size in zip(rngs, sizes)])

        def measure(t, theta, training=training, rngs=rngs, sizes=sizes):
            if t not in record_at:
                return
            values = _observe(compiled, names, theta, theta0, training, mean_loss, rngs, sizes, test_samples)
            for name, value in values.items():
                moments[name][record_at[t]].add(value)

        with np.errstate(over="ignore", invalid="ignore"):
            theta = run_sgd(landscape, schedule, step, theta0, training, callback=measure)
        nonfinite += int((~np.isfinite(theta)).any(axis=0).sum())

    if nonfinite:
        message = f"{nonfinite} of {trials} trials overflowed (θ_T not finite); is η too large?"
        warnings.warn(message, RuntimeWarning, stacklevel=2)
    final = {name: moments[name][-1].estimate() for name in names}
    trajectory = None
    if record_every is not None:
        trajectory = {name: _stack([mo.estimate() for mo in moments[name]]) for name in names}
    return SimulationResult(
        schedule=schedule,
        eta=eta,
        theta0=theta0,
        trials=trials,
        seed=seed,
        estimates=final,
        steps=np.array(steps) if record_every is not None else None,
        trajectory=trajectory,
        nonfinite=nonfinite,
        test_loss_method=method,
    )


def _observe(compiled, names, theta, theta0, training, mean_loss, rngs, sizes, test_samples) -> dict:
    """Per-trial values (first axis: trials) of the requested observables at θ."""
    trials = theta.shape[1]
    out, cache = {}, {}

    def test():
        if "test" not in cache:
            if mean_loss is not None:
                cache["test"] = np.broadcast_to(np.asarray(mean_loss(*theta), dtype=float), (trials,))
            else:
                fresh = np.concatenate([compiled.draw(rng, (size, test_samples)) for rng, size in zip(rngs, sizes)])
                cache["test"] = _average_loss(compiled, theta, fresh)
        return cache["test"]

    def train():
        if "train" not in cache:
            cache["train"] = _average_loss(compiled, theta, training)
        return cache["train"]

    for name in names:
        if isinstance(name, str) and name == "test_loss":
            out[name] = test()
        elif isinstance(name, str) and name == "train_loss":
            out[name] = train()
        elif isinstance(name, str) and name == "gap":
            out[name] = test() - train()
        elif isinstance(name, str) and name == "displacement":
            out[name] = (theta - theta0[:, None]).T
        else:
            value = compiled.observable(name)(*theta)
            out[name] = np.broadcast_to(np.asarray(value, dtype=float), (trials,))
    return out


def _average_loss(compiled, theta, samples) -> np.ndarray:
    """(1/K)Σ_k l_{x_k}(θ) per trial, for samples of shape (trials, K)."""
    if compiled.powers is not None:
        return _combine(compiled.loss_coefficients(*theta), _moments(compiled, samples), theta.shape[1])
    values = compiled.loss(*theta[:, :, None], samples)
    return np.broadcast_to(np.asarray(values, dtype=float), samples.shape).mean(axis=1)


def _stack(estimates: list[Estimate]) -> Estimate:
    return Estimate(
        np.array([e.mean for e in estimates]),
        np.array([e.stderr for e in estimates]),
        estimates[-1].n,
    )

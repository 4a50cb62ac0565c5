"""Real SGD on a :class:`~diagrams.torch.ModelLandscape`, vectorized over trials with ``torch.func.vmap``.

Every trial draws a fresh training set of N samples from the dataset (with
replacement) and runs the schedule on it: step t uses batch k = t mod (N/B),
i.e. points kB … kB+B−1, for T = E·N/B steps, θ ← θ − η·(1/B)Σ_batch ∇l_x(θ).
Measured at θ_T, per trial, then averaged over trials:

* ``"test_loss"``: the mean loss over the whole dataset (the population), exactly;
* ``"train_loss"``: the mean loss over the trial's own training set;
* ``"gap"``: test_loss − train_loss, per trial (a paired error bar);
* ``"displacement"``: θ_T − θ₀, one entry per parameter;
* ``"observable"``: s(θ_T), when the model has an observable.

Reproducibility: trials come in blocks of :data:`~diagrams.landscapes.simulate.BLOCK`,
each drawing its training sets from its own stream spawned from
``numpy.random.SeedSequence(seed)``, so results do not depend on ``batch_trials``.

>>> import torch
>>> from diagrams import Schedule
>>> from diagrams.torch import ModelLandscape
>>> model = ModelLandscape(lambda p, x: (p - x) ** 2 / 2, torch.tensor(0.0), torch.tensor([-1.0, 1.0, 3.0]))
>>> result = model.simulate_sgd(Schedule.sgd(4), 0.5, trials=2000, seed=0)
>>> displacement = result["displacement"]       # E θ_T = (1 − (1/2)^4)·E x
>>> bool(abs(displacement.zscore(1 - 0.5**4)[0]) < 4)
True
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch.func import grad, vmap

from ..core.schedule import Schedule
from ..landscapes.simulate import BLOCK, SimulationResult
from ..values.estimated import RunningMoments, as_number

__all__ = ["simulate_sgd"]

#: Trials advanced together by default (rounded up to whole blocks).
BATCH_TRIALS = 4096


def simulate_sgd(
    model, schedule: Schedule, eta, *, trials: int, seed: int = 0, batch_trials: int | None = None
) -> SimulationResult:
    """Monte-Carlo estimates of the test loss, train loss, gap and displacement after real SGD."""
    if not isinstance(schedule, Schedule) or not all(isinstance(v, int) for v in (schedule.N, schedule.B, schedule.E)):
        raise ValueError(f"simulation needs a Schedule with integer N, B and E, got {schedule!r}")
    if isinstance(trials, bool) or not isinstance(trials, (int, np.integer)) or trials < 2:
        raise ValueError(f"trials must be an int ≥ 2, got {trials!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    step = as_number(eta, "η")
    N, B, E = schedule.N, schedule.B, schedule.E
    per_epoch = N // B
    names = ["test_loss", "train_loss", "gap", "displacement"] + (["observable"] if model.observable_function else [])
    moments = {name: RunningMoments() for name in names}
    n_blocks = -(-int(trials) // BLOCK)
    streams = np.random.SeedSequence(int(seed)).spawn(n_blocks)
    per_chunk = max(1, -(-(batch_trials or BATCH_TRIALS) // BLOCK))

    def batch_loss(theta, batch):
        return vmap(model.sample_loss, in_dims=(None, 0))(theta, batch).mean()

    batch_gradient = vmap(grad(batch_loss))
    test_loss = vmap(model.population_loss)
    observable = vmap(model.observe) if model.observable_function else None
    nonfinite = 0
    for first in range(0, n_blocks, per_chunk):
        blocks = range(first, min(first + per_chunk, n_blocks))
        sizes = [min(BLOCK, trials - b * BLOCK) for b in blocks]
        indices = np.concatenate(
            [np.random.default_rng(streams[b]).integers(0, model.size, size=(n, N)) for b, n in zip(blocks, sizes)]
        )
        training = torch.as_tensor(indices, device=model.device)
        theta = model.theta0.expand(training.shape[0], -1).clone()
        for t in range(E * per_epoch):
            k = t % per_epoch
            theta = theta - step * batch_gradient(theta, model.samples(training[:, k * B : (k + 1) * B]))
        with torch.no_grad():
            test = test_loss(theta)
            train = vmap(batch_loss)(theta, model.samples(training))
            values = {"test_loss": test, "train_loss": train, "gap": test - train, "displacement": theta - model.theta0}
            if observable is not None:
                values["observable"] = observable(theta)
        nonfinite += int((~torch.isfinite(theta)).any(dim=1).sum())
        for name in names:
            moments[name].add(values[name].detach().cpu().numpy())
    if nonfinite:
        message = f"{nonfinite} of {trials} trials overflowed (θ_T not finite); is η too large?"
        warnings.warn(message, RuntimeWarning, stacklevel=3)
    return SimulationResult(
        schedule=schedule,
        eta=step,
        theta0=model.theta0.detach().cpu().numpy(),
        trials=int(trials),
        seed=int(seed),
        estimates={name: moments[name].estimate() for name in names},
        nonfinite=nonfinite,
        test_loss_method="exact",
    )

"""Predictions beside real SGD on real data: scikit-learn's breast-cancer dataset (569 samples, 30 features).

The features are standardized (mean 0, variance 1 over the dataset) and the
labels are 0/1; the loss is the binary cross-entropy of a logit.  Two models:

* ``"logistic"``: logistic regression, P = 31, starting at θ₀ = 0;
* ``"mlp"``: one tanh hidden layer of ``hidden`` units, P = 32·hidden + 1,
  starting at a seeded Gaussian initialization (variance 1/fan-in).

:func:`compare` runs one model on a grid of schedules and learning rates: the
plain and resummed predictions of each order with their standard errors, and
real SGD with its confidence interval, for the test loss and the
generalization gap.  The notebook ``03-real-model.ipynb`` and the script
``benchmarks/real_model.py`` print and plot its rows.

>>> model = breast_cancer_model("logistic")
>>> model.dim, model.size, round(float(model.population_loss(model.theta0)), 6)
(31, 569, 0.693147)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from math import sqrt

import torch

from ..core.schedule import Schedule
from ..series.expectation import expected_loss, generalization_gap
from ..series.methods import Resummed
from ..values.estimated import Estimate
from .model import ModelLandscape

__all__ = ["breast_cancer_model", "Comparison", "compare", "agreement_table", "holding_range", "QUANTITIES"]

#: What is compared: the final test loss and the generalization gap.
QUANTITIES = ("test_loss", "gap")


def breast_cancer_model(
    kind: str = "logistic", *, hidden: int = 8, seed: int = 0, dtype=torch.float64
) -> ModelLandscape:
    """Logistic regression or a tanh MLP on the standardized breast-cancer dataset (see the module docstring)."""
    try:
        from sklearn.datasets import load_breast_cancer
    except ImportError as error:  # pragma: no cover - scikit-learn comes with the torch extra
        raise ImportError("the real-data experiment needs scikit-learn: pip install 'sgd-diagrams[torch]'") from error
    features, labels = load_breast_cancer(return_X_y=True)
    features = torch.as_tensor(features, dtype=dtype)
    features = (features - features.mean(dim=0)) / features.std(dim=0, unbiased=False)
    labels = torch.as_tensor(labels, dtype=dtype)
    inputs = features.shape[1]
    if kind == "logistic":
        params = {"w": torch.zeros(inputs, dtype=dtype), "b": torch.zeros((), dtype=dtype)}
        return ModelLandscape(_logistic_loss, params, (features, labels), dtype=dtype)
    if kind == "mlp":
        if isinstance(hidden, bool) or not isinstance(hidden, int) or hidden < 1:
            raise ValueError(f"hidden must be a positive int, got {hidden!r}")
        generator = torch.Generator().manual_seed(seed)
        params = {
            "w1": torch.randn(inputs, hidden, generator=generator, dtype=dtype) / sqrt(inputs),
            "b1": torch.zeros(hidden, dtype=dtype),
            "w2": torch.randn(hidden, generator=generator, dtype=dtype) / sqrt(hidden),
            "b2": torch.zeros((), dtype=dtype),
        }
        return ModelLandscape(_mlp_loss, params, (features, labels), dtype=dtype)
    raise ValueError(f"kind must be 'logistic' or 'mlp', got {kind!r}")


def _cross_entropy(logit: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.softplus(logit) - label * logit


def _logistic_loss(params, sample) -> torch.Tensor:
    features, label = sample
    return _cross_entropy(features @ params["w"] + params["b"], label)


def _mlp_loss(params, sample) -> torch.Tensor:
    features, label = sample
    hidden = torch.tanh(features @ params["w1"] + params["b1"])
    return _cross_entropy(hidden @ params["w2"] + params["b2"], label)


@dataclass(frozen=True)
class Comparison:
    """One point of the grid: real SGD and the predictions of each order, all at η = ``eta``.

    ``plain[k]`` and ``resummed[k]`` are the order-k predictions (Estimates:
    mean and standard error); ``sgd`` is the Monte-Carlo estimate from real
    SGD.  ``largest_rate`` is η·λ_max with λ_max the largest Ritz value.
    """

    quantity: str
    schedule: Schedule
    eta: float
    sgd: Estimate
    start: float
    plain: dict[int, Estimate] = field(default_factory=dict)
    resummed: dict[int, Estimate] = field(default_factory=dict)
    largest_rate: float = float("nan")

    def zscore(self, prediction: Estimate) -> float:
        """(prediction − SGD) in units of their combined standard error."""
        return (prediction.mean - self.sgd.mean) / sqrt(prediction.stderr**2 + self.sgd.stderr**2)

    def verdict(self, prediction: Estimate, sigmas: float = 3.0, precision: float = 0.1) -> str:
        """'✓': within ``sigmas`` combined standard errors of SGD, with a standard error below
        ``precision`` times SGD's change from the start (``start``: l(θ₀), or 0 for the gap);
        '?': within them but less precise than that; '✗': not within them."""
        if abs(self.zscore(prediction)) > sigmas:
            return "✗"
        return "✓" if prediction.stderr <= precision * abs(self.sgd.mean - self.start) else "?"

    def holds(self, prediction: Estimate) -> bool:
        """Whether the prediction agrees with SGD, precisely enough to mean it (verdict '✓')."""
        return self.verdict(prediction) == "✓"


def compare(
    model: ModelLandscape,
    schedules: Sequence[Schedule],
    etas: Sequence[float],
    *,
    orders: Sequence[int] = (1, 2, 3),
    samples: int,
    trials: int,
    rank: int,
    seed: int = 0,
    complement: str = "flat",
    device=None,
) -> list[Comparison]:
    """Predictions of every order beside real SGD for every (schedule, η), for the test loss and the gap.

    The plain values are estimated once (they depend on neither schedule
    nor η), and so are the draws of the resummed values, in a Lanczos basis
    of ``rank`` Ritz vectors (only their propagator sums change); the part
    of each value outside the basis is handled as ``complement`` says (see
    :meth:`ModelLandscape.estimate_resummed`).
    """
    top = max(orders)
    start = float(model.population_loss(model.theta0))
    values = model.estimate(top, samples=samples, seed=seed, device=device)
    gap_values = model.estimate(top, samples=samples, seed=seed, root_tied=True, device=device)
    ritz = model.ritz_pairs(rank, seed=seed)
    largest = float(ritz.values.abs().max())
    options = dict(samples=samples, seed=seed, ritz=ritz, complement=complement, device=device)
    resummed = model.estimate_resummed(list(schedules), list(etas), top, **options)
    resummed_gap = model.estimate_resummed(list(schedules), list(etas), top, root_tied=True, **options)
    assert isinstance(resummed, tuple) and isinstance(resummed_gap, tuple)  # sequences given: one result per pair
    rows = []
    for i, schedule in enumerate(schedules):
        loss_series = {k: expected_loss(values, schedule, k) for k in orders}
        gap_series = {k: generalization_gap(gap_values, schedule, k) for k in orders}
        for j, eta in enumerate(etas):
            loss_at, gap_at = resummed[i * len(etas) + j], resummed_gap[i * len(etas) + j]
            sgd = model.simulate_sgd(schedule, eta, trials=trials, seed=seed, device=device)
            for quantity, series, resummed_at, gap in [
                ("test_loss", loss_series, loss_at, False),
                ("gap", gap_series, gap_at, True),
            ]:
                rows.append(
                    Comparison(
                        quantity=quantity,
                        schedule=schedule,
                        eta=eta,
                        sgd=sgd[quantity],
                        start=0.0 if gap else start,
                        plain={k: series[k].at(eta) for k in orders},
                        resummed={k: _resummed(resummed_at, k, gap) for k in orders},
                        largest_rate=eta * largest,
                    )
                )
    return rows


def _resummed(values, order: int, gap: bool) -> Estimate:
    """The resummed series of estimated resummed values (at their own schedule and η)."""
    series = generalization_gap if gap else expected_loss
    return series(values, values.schedule, order, method=Resummed(values.form, limit=values.limit))


def agreement_table(rows: Sequence[Comparison], *, title: str = "") -> str:
    """A Markdown table: real SGD (mean ± 95% half-width) and each prediction (mean ± standard error).

    Each prediction carries its :meth:`Comparison.verdict`: ✓ agrees with SGD
    within 3 combined standard errors and is precise, ? agrees only because
    its error bar is wide, ✗ disagrees.
    """
    orders = sorted({k for row in rows for k in row.plain})
    head = ["quantity", "schedule (N, B, E)", "T", "η", "ηT", "ηλ_max T", "real SGD"]
    head += [f"plain {k}" for k in orders] + [f"resummed {k}" for k in orders]
    lines = [f"**{title}**\n" if title else "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        S = row.schedule
        low, high = row.sgd.ci()
        cells = [
            row.quantity,
            f"({S.N}, {S.B}, {S.E})",
            str(S.T),
            f"{row.eta:g}",
            f"{row.eta * S.T:.3g}",
            f"{row.largest_rate * S.T:.3g}",
            f"{row.sgd.mean:.4f} ± {(high - low) / 2:.4f}",
        ]
        for kind in (row.plain, row.resummed):
            for k in orders:
                prediction = kind[k]
                mark = row.verdict(prediction)
                cells.append(f"{prediction.mean:.4f} ± {prediction.stderr:.4f} {mark}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(line for line in lines if line) + "\n"


def holding_range(rows: Sequence[Comparison]) -> dict[tuple[str, str, int], float]:
    """Per (quantity, 'plain' or 'resummed', order): the largest ηλ_max·T up to which every grid point holds (✓).

    Grid points are taken in increasing ηλ_max·T (λ_max the largest Ritz
    value in magnitude), the dimensionless reach of training; 0 when even the
    first one fails.
    """
    found = {}
    for quantity in sorted({row.quantity for row in rows}):
        chosen = sorted(
            (row for row in rows if row.quantity == quantity), key=lambda row: row.largest_rate * row.schedule.T
        )
        for kind in ("plain", "resummed"):
            for k in sorted({k for row in chosen for k in row.plain}):
                reach = 0.0
                for row in chosen:
                    if not row.holds(getattr(row, kind)[k]):
                        break
                    reach = row.largest_rate * row.schedule.T
                found[(quantity, kind, k)] = reach
    return found

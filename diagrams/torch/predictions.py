"""Series from estimated values: the expected test loss, gap or displacement with error bars.

The weights are the engine's: (−1/B)^d·L(D)/|Aut(D)| for the plain series
(:func:`diagrams.series.expectation.diagram_terms`, SPEC §5) and
(−1/B)^d/|Aut(D)| over linkless diagrams for the resummed one
(:func:`diagrams.series.resum.linkless_terms`, SPEC §6); the generalization gap
sums root-tied diagrams and scales by −1/N.  Every diagram's estimate has its
own samples, so the variances of the terms add.

>>> import torch, diagrams as dg
>>> from diagrams.torch import ModelLandscape
>>> model = ModelLandscape(lambda p, x: (p - x) ** 2 / 2, torch.tensor(0.0), torch.tensor([-1.0, 1.0, 3.0]))
>>> series = plain_prediction(model.estimate(2, samples=4000, seed=0), dg.Schedule.sgd(10), 2)
>>> series.coefficient(1)          # −T·G·G: exact, G is the dataset's mean gradient (−1)
Estimate(mean=-10.0, stderr=0.0, n=4000)
>>> abs(series.coefficient(2).zscore(95 + 5 * 8 / 3)) < 4      # T(T−½)·GHG + T²/(2N)·C·H, C = 8/3
True
"""

from __future__ import annotations

from ..core.schedule import Schedule
from ..series.expectation import diagram_terms
from ..series.resum import linkless_terms
from ..values.estimated import Estimate, EstimatedValues, PolynomialEstimate, ResummedValues

__all__ = ["plain_prediction", "resummed_prediction"]


def plain_prediction(values: EstimatedValues, schedule: Schedule, order: int, *, gap: bool = False) -> PolynomialEstimate:
    """Σ_D weight(D)·value(D) over the diagrams of order ≤ ``order`` that embed; ``gap=True``: the generalization gap."""
    terms = diagram_terms(schedule, order, root_tied=gap)
    total = sum((weight * values.value(D, values.observable) for D, weight in terms), 0)
    return -total / schedule.N if gap else total


def resummed_prediction(resummed: ResummedValues, order: int, *, gap: bool = False) -> Estimate:
    """Σ_D (−1/B)^d/|Aut(D)|·Σ_f rvalue_f(D) over linkless D of order ≤ ``order``; ``gap=True``: the gap."""
    schedule = resummed.schedule
    total = resummed.total(linkless_terms(schedule, order, root_tied=gap))
    return -total / schedule.N if gap else total

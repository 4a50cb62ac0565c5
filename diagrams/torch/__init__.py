"""PyTorch backend: diagram values estimated from a model and a dataset, and real SGD to compare with.

``pip install 'sgd-diagrams[torch]'``.  A :class:`ModelLandscape` wraps a
per-sample loss written with torch.func-compatible code, its parameters and a
dataset (the population).  It estimates any diagram's value matrix-free
(nested automatic differentiation, never a Hessian), resums linkless
diagrams in a Lanczos eigenbasis of the Hessian, and runs real SGD.  Its
estimates are a kind of statistics: every series function takes them
(``dg.expected_loss(model.estimate(3, samples=..., seed=...), schedule, 3)``)
and returns estimates with error bars.

>>> import torch
>>> from diagrams.torch import ModelLandscape
>>> data = torch.linspace(-1, 1, 5)
>>> model = ModelLandscape(lambda p, x: (p["w"] - x) ** 2 / 2, {"w": torch.tensor(1.0)}, data)
>>> model.dim, model.size
(1, 5)
"""

try:
    import torch  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised only without torch
    raise ImportError("diagrams.torch needs PyTorch: pip install 'sgd-diagrams[torch]'") from error

from .lanczos import RitzPairs, lanczos
from .model import ModelLandscape

__all__ = ["ModelLandscape", "RitzPairs", "lanczos"]

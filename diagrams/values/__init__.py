"""Values of diagrams: one kind of statistics (a valuation) per module; see :mod:`diagrams.values.base`."""

from . import arrays, eigenbasis, einstein, landscape, symbolic  # noqa: F401 - each module registers its kind
from .base import Statistics, eta, uvalue
from .einstein import Contraction, evaluate

__all__ = ["Statistics", "eta", "uvalue", "Contraction", "evaluate"]

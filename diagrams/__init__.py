"""sgd-diagrams: the diagram calculus of stochastic gradient descent.

>>> import diagrams as dg
>>> D = dg.parse("[a:b][ab]")
>>> D.order, D.automorphism_count, str(D)
(2, 2, '[a:b][ab]')
>>> sum(1 for _ in dg.enumerate_diagrams(3))
17
"""

from .core.diagram import EDGE_LETTERS, MAX_ORDER, Diagram
from .core.enumeration import count_diagrams, enumerate_diagrams
from .errors import DiagramSyntaxError, InvalidDiagramError, NotationError
from .landscapes.landscape import Landscape
from .output.latex import latex, table
from .notation import parse
from .core.schedule import Schedule, ScheduleError, count_embeddings, embedding_polynomial
from .series.expectation import displacement, expectation, expected_loss, generalization_gap
from .values.statistics import Statistics
from .values.base import eta, uvalue
from .algebra import DiagramSum, parse_sum, vanishes
from .landscapes.simulate import Estimate, SimulationResult, simulate_sgd

__all__ = [
    # diagrams and their notation
    "Diagram",
    "parse",
    "EDGE_LETTERS",
    "MAX_ORDER",
    # enumeration
    "enumerate_diagrams",
    "count_diagrams",
    # schedules and embedding counts
    "Schedule",
    "count_embeddings",
    "embedding_polynomial",
    # statistics and values
    "Statistics",
    "Landscape",
    "eta",
    "uvalue",
    # series
    "expected_loss",
    "generalization_gap",
    "displacement",
    "expectation",
    # presentation
    "latex",
    "table",
    # errors
    "ScheduleError",
    "NotationError",
    "DiagramSyntaxError",
    "InvalidDiagramError",
    # linear combinations of diagrams
    "DiagramSum",
    "parse_sum",
    "vanishes",
    # Monte-Carlo SGD
    "simulate_sgd",
    "SimulationResult",
    "Estimate",
]

__version__ = "0.1.0"

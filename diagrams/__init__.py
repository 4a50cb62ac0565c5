"""sgd-diagrams: the diagram calculus of stochastic gradient descent.

>>> import diagrams as dg
>>> D = dg.parse("[a:b][ab]")
>>> D.order, D.automorphism_count, str(D)
(2, 2, '[a:b][ab]')
>>> sum(1 for _ in dg.enumerate_diagrams(3))
17
"""

from .diagram import EDGE_LETTERS, MAX_ORDER, Diagram
from .enumerate import count_diagrams, enumerate_diagrams
from .errors import DiagramSyntaxError, InvalidDiagramError, NotationError
from .landscapes import Landscape
from .latex import latex, table
from .notation import parse
from .schedule import Schedule, ScheduleError, count_embeddings, embedding_polynomial
from .series import displacement, expectation, expected_loss, generalization_gap
from .statistics import Statistics
from .values import eta, uvalue
from .algebra import DiagramSum, parse_sum, vanishes
from .simulate import Estimate, SimulationResult, simulate_sgd

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

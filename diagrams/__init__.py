"""sgd-diagrams: the diagram calculus of stochastic gradient descent.

>>> import diagrams as dg
>>> D = dg.parse("[a:b][ab]")
>>> D.order, D.automorphism_count, str(D)
(2, 2, '[a:b][ab]')
>>> sum(1 for _ in dg.enumerate_diagrams(3))
17
"""

from .algebra import DiagramSum
from .core.assumptions import vanishes
from .core.diagram import EDGE_LETTERS, MAX_ORDER, Diagram
from .core.enumeration import count_diagrams, enumerate_diagrams
from .core.observables import LOSS, Observable, coordinate
from .core.schedule import Schedule, count_embeddings, embedding_polynomial
from .errors import (
    DiagramSyntaxError,
    InvalidDiagramError,
    MissingStatisticError,
    NotationError,
    ResummationError,
    ScheduleError,
)
from .landscapes.landscape import Landscape
from .landscapes.simulate import Estimate, SimulationResult, simulate_sgd
from .notation import parse, parse_sum
from .output.latex import latex
from .output.notebook import register_formatter, show
from .output.tables import table
from .series.expectation import displacement, expectation, expected_loss, generalization_gap
from .series.methods import PLAIN, Plain, Resummed
from .series.terms import diagram_terms
from .values import Contraction, Statistics, eta, evaluate, uvalue

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
    "Contraction",
    "evaluate",
    # series
    "expected_loss",
    "generalization_gap",
    "displacement",
    "expectation",
    "diagram_terms",
    "PLAIN",
    "Plain",
    "Resummed",
    "LOSS",
    "Observable",
    "coordinate",
    # presentation
    "latex",
    "table",
    "show",
    # errors
    "NotationError",
    "DiagramSyntaxError",
    "InvalidDiagramError",
    "ScheduleError",
    "MissingStatisticError",
    "ResummationError",
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

register_formatter()  # in a Jupyter kernel, series display grouped by powers of η (see diagrams.output.notebook)

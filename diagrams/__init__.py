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
from .notation import parse

__all__ = [
    # diagrams and their notation
    "Diagram",
    "parse",
    "EDGE_LETTERS",
    "MAX_ORDER",
    # enumeration
    "enumerate_diagrams",
    "count_diagrams",
    # errors
    "NotationError",
    "DiagramSyntaxError",
    "InvalidDiagramError",
]

__version__ = "0.1.0"

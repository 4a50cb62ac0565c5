"""Symbolic one-dimensional values: products of the named statistics (``Statistics.symbolic()``).

In one dimension a part with node degrees (k₁,…,k_j) is the symbol
``l, G, H, J, C, S`` where that name applies (SPEC §1) and ``kappa_{k1,…,kj}``
otherwise (degrees sorted); the root of the test loss is ∇^k l, of the
displacement 1 when k = 1.  Resummed values are values times Z(D) with
q = 1 − ηH on every edge; T → ∞ limits assume H > 0 (and 0 < ηH < 2 for
the exact form), since H is a free symbol.

>>> from diagrams import parse
>>> st = Statistics.symbolic()
>>> st.value(parse("[a:b:c][abc]"))
J*S*eta**3
>>> st.cumulant(((0,), (0, 0)))
kappa_{1,2}
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import sympy

from ..core.diagram import Diagram
from ..core.observables import LOSS, Observable
from ..core.propagators import Propagation
from .base import Statistics, cumulant_name, eta

__all__ = ["SymbolicStatistics"]


@lru_cache(maxsize=1 << 14)
def _monomial(order: int, parts: tuple[tuple[int, ...], ...], root: int | None, observable: Observable) -> sympy.Expr:
    """η^order times the named cumulants of the parts (a root alone in its part: ∇^k s at the root)."""
    factors = [sympy.Symbol(cumulant_name(degrees)) for degrees in parts]
    if root is not None:
        if observable.kind == "coordinate":
            factors.append(sympy.Integer(root == 1 and observable.detail == 0))
        else:
            factors.append(sympy.Symbol(cumulant_name([root])))
    return sympy.Mul(eta**order, *factors)  # a product of symbols: already expanded


class SymbolicStatistics(Statistics, kind="symbolic"):
    """Named sympy symbols for the cumulants of a one-dimensional landscape."""

    def __init__(self, dim: int = 1):
        if dim != 1:
            raise ValueError(f"named 1-D symbols have dim 1; use Statistics.symbolic(dim={dim}) for tensors")
        self.dim = 1

    def __repr__(self) -> str:
        return "Statistics.symbolic(dim=1)"

    def __eq__(self, other) -> bool:
        return isinstance(other, SymbolicStatistics)

    def __hash__(self) -> int:
        return hash("symbolic")

    def cumulant(self, indices: Sequence[Sequence[int]]) -> sympy.Symbol:
        """The named symbol of the cumulant with these node degrees."""
        return sympy.Symbol(cumulant_name([len(node) for node in indices]))

    def value(self, diagram: Diagram, observable: Observable = LOSS) -> sympy.Expr:
        if observable.kind == "expression":
            raise ValueError("a general observable s(θ) needs statistics from a Landscape (θ₀ must be known)")
        root = diagram.root
        others = tuple(
            sorted(tuple(sorted(diagram.degrees[v] for v in part)) for part in diagram.parts if part != (root,))
        )
        alone = diagram.degrees[root] if diagram.parts[-1] == (root,) else None
        return _monomial(diagram.order, others, alone, observable)

    def resummed_value(self, diagram: Diagram, observable: Observable, propagation: Propagation) -> sympy.Expr:
        value = self.value(diagram, observable)
        if value == 0:
            return value
        return value * propagation.z(diagram, [eta * sympy.Symbol("H")] * diagram.order)

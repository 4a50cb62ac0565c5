"""Resummed values as floats, in an eigenbasis of H, at a numeric learning rate.

Built from statistics with known components (numeric arrays or a landscape)
when a resummed series is asked for at ``at_eta=<number>``.  Each diagram's
value becomes an array over the eigen-indices of its edges (the cumulant
tensors rotated into H's eigenbasis and contracted, edge letters kept as
output axes); the edge with eigen-index i carries the rate r_i = ηλ_i, and
:meth:`~diagrams.core.propagators.Propagation.z` sums every eigen-assignment
at once (numpy broadcasting; Opitz's matrix power or exponential, accurate
when eigenvalue sums coincide or vanish).  The cost does not grow with T.

>>> import numpy as np
>>> from diagrams import parse, Schedule, Statistics
>>> from diagrams.core.propagators import Propagation
>>> stats = Statistics.numeric(G=np.array([1.0, 0.0]), H=np.diag([0.5, 2.0]))
>>> eigen = EigenbasisStatistics(stats, 0.1, Propagation(Schedule.sgd(3)))
>>> round(eigen.resummed_value(parse("[a][a]"), LOSS, Propagation(Schedule.sgd(3))), 12)  # η Σ_t q^(2−t)
0.28525
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from itertools import product
from typing import Any, Protocol

import numpy as np

from ..core.diagram import EDGE_LETTERS, Diagram
from ..core.numbers import to_float
from ..core.observables import LOSS, Observable
from ..core.propagators import Propagation
from ..errors import ResummationError
from .base import Statistics, check_curvature


class Components(Protocol):
    """What the eigenbasis reads of statistics with known components (:mod:`diagrams.values.components`)."""

    dim: int

    def cumulant(self, indices: Sequence[Sequence[int]]) -> Any: ...

    def root_derivative(self, observable: Observable, index: tuple[int, ...]) -> Any: ...


__all__ = ["EigenbasisStatistics"]


class EigenbasisStatistics(Statistics, kind="eigenbasis"):
    """Float values over eigen-indices of H, for ``components`` (statistics with ``cumulant``) at η = ``at_eta``."""

    def __init__(self, components: Components, at_eta: Any, propagation: Propagation | None = None):
        self.components = components
        self.dim = components.dim
        self.eta = to_float(at_eta, "at_eta")
        if not self.eta > 0:
            raise ValueError(f"at_eta must be a positive learning rate, got {self.eta}")
        try:
            hessian = np.array(
                [[float(components.cumulant(((i, j),))) for j in range(self.dim)] for i in range(self.dim)]
            )
        except TypeError:
            raise ValueError(
                "a numeric η needs numeric statistics for the resummation (H has symbols); "
                "leave at_eta out for a symbolic result"
            ) from None
        if not np.isfinite(hessian).all():
            raise ValueError("H has non-finite entries")
        self.eigenvalues, self.basis = np.linalg.eigh(hessian)
        if propagation is not None:
            check_curvature(list(self.eigenvalues), propagation, self.eta)
        self._tensors: dict = {}

    def __repr__(self) -> str:
        return f"EigenbasisStatistics({self.components!r}, at_eta={self.eta})"

    def value_tensor(self, diagram: Diagram, observable: Observable = LOSS) -> np.ndarray:
        """The value without η as an array over the eigen-indices of the edges (edge e is axis e)."""
        key = (diagram, observable)
        if key not in self._tensors:
            self._tensors[key] = self._value_tensor(diagram, observable)
        return self._tensors[key]

    def _value_tensor(self, diagram: Diagram, observable: Observable) -> np.ndarray:
        m, root = self.dim, diagram.root
        operands, subscripts = [], []
        for part in diagram.parts:
            node_edges = [list(diagram.children[v]) + ([v] if v != root else []) for v in part]
            axes = [e for edges in node_edges for e in edges]
            tensor = np.zeros((m,) * len(axes))
            for index in product(range(m), repeat=len(axes)):
                groups, start = [], 0
                for edges in node_edges:
                    groups.append(tuple(index[start : start + len(edges)]))
                    start += len(edges)
                if part == (root,):
                    tensor[index] = float(self.components.root_derivative(observable, groups[0]))
                else:
                    tensor[index] = float(self.components.cumulant(groups))
            for axis in range(len(axes)):  # rotate every axis into the eigenbasis
                tensor = np.moveaxis(np.tensordot(tensor, self.basis, axes=([axis], [0])), -1, axis)
            operands.append(tensor)
            subscripts.append("".join(EDGE_LETTERS[e] for e in axes))
        output = "".join(EDGE_LETTERS[e] for e in range(diagram.order))
        return np.asarray(np.einsum(",".join(subscripts) + "->" + output, *operands))

    def value(self, diagram: Diagram, observable: Observable = LOSS) -> float:
        return self.eta**diagram.order * float(self.value_tensor(diagram, observable).sum())

    def resummed_value(self, diagram: Diagram, observable: Observable, propagation: Propagation) -> float:
        values = self.value_tensor(diagram, observable)
        d = diagram.order
        rates = [self.eta * self.eigenvalues.reshape([-1 if axis == e else 1 for axis in range(d)]) for e in range(d)]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            sums = np.broadcast_to(propagation.z(diagram, rates, numeric=True), values.shape)
            used = values != 0
            if not np.isfinite(sums[used]).all():
                raise ResummationError(self._divergence(diagram, propagation))
            total = float((values[used] * sums[used]).sum())
        if not np.isfinite(total):
            raise ResummationError(self._divergence(diagram, propagation))
        return self.eta**d * total

    def _divergence(self, diagram: Diagram, propagation: Propagation) -> str:
        worst = float(np.max(np.abs(1 - self.eta * self.eigenvalues)))
        return (
            f"the resummed value of {diagram} overflows: SGD diverges at η = {self.eta:g}, where"
            f" max |1 − ηλ| = {worst:g} over the eigenvalues λ of H, for T = {propagation.schedule.T} steps"
        )

    def term(self, weight: Any, value: Any) -> float:
        return float(weight) * value

    def subtotal(self, values: Iterable[Any], *, plain: bool = False) -> list[float]:
        return list(values)  # floats are added in the terms' order, whatever the chunks

    def total(self, subtotals: Iterable[list[float]], *, plain: bool = False) -> float:
        return float(sum(itertools.chain.from_iterable(subtotals), 0.0))

    def finish(self, total: Any, *, plain: bool, at_eta: Any) -> float:
        return float(total)

"""Statistics given as numbers: arrays for the named tensors and other cumulants (``Statistics.numeric``).

The array for node degrees (k₁,…,k_j) (sorted ascending) has k₁+…+k_j axes
of length ``dim``, the first k₁ for the first node, and so on.  Any
array-like is read (numpy arrays, nested lists, numbers); the dimension is
inferred from the arrays unless given, and every array's shape, symmetry
(within a node's axes, and between nodes of equal degree) and finiteness is
checked when the statistics are built.  Exact entries (ints, Fractions,
sympy numbers) stay exact; floats are compared for symmetry to
:data:`SYMMETRY_TOLERANCE`, relative to the largest entry (absolute when
that is below 1: the rounding noise of a tensor that vanishes).

>>> from diagrams import Statistics
>>> st = Statistics.numeric(G=[1, 2], H=[[1, 0], [0, 3]])
>>> st.dim, st.cumulant(((1, 1),))
(2, 3)
>>> Statistics.numeric(G=[1, 2], H=[[1, 0]])
Traceback (most recent call last):
...
ValueError: the arrays disagree on the dimension: G (2,), H (1, 2)
>>> Statistics.numeric(G=[1, 2], H=[[1, 0], [2, 3]])
Traceback (most recent call last):
...
ValueError: H is not symmetric: a derivative tensor is symmetric in its indices; it differs under the axis permutation (1, 0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import chain
from typing import Any

import numpy as np
import sympy

from ..core.diagram import Diagram
from ..core.numbers import to_sympy
from ..core.observables import Observable
from ..errors import MissingStatisticError
from .base import NAMED_CUMULANTS, Indices, cumulant_name
from .components import ComponentStatistics

__all__ = ["ArrayStatistics", "SYMMETRY_TOLERANCE"]

#: Float arrays must be symmetric to this relative tolerance.
SYMMETRY_TOLERANCE = 1e-12

_BY_NAME = {name: degrees for degrees, name in NAMED_CUMULANTS.items()}


class ArrayStatistics(ComponentStatistics, kind="arrays"):
    """Cumulant tensors given as numbers (see the module docstring)."""

    def __init__(self, dim: int | None, tensors: Mapping[str, Any]):
        given: dict[tuple[int, ...], tuple[str, Any]] = {}
        for name, array in tensors.items():
            if name == "kappa":
                if not isinstance(array, Mapping):
                    raise TypeError("kappa must be a dict {node degrees: array}, e.g. kappa={(1, 2): K}")
                for degrees, value in array.items():
                    key = _degrees(degrees)
                    given[key] = (cumulant_name(key), value)
            elif name in _BY_NAME:
                given[_BY_NAME[name]] = (name, array)
            else:
                raise ValueError(f"unknown statistic {name!r}; expected one of {sorted(_BY_NAME)} or kappa")
        arrays = {key: (name, _as_array(name, value)) for key, (name, value) in given.items()}
        self.dim = _dimension(dim, arrays)
        self.tables = {key: _checked(name, key, array, self.dim) for key, (name, array) in arrays.items()}

    def __repr__(self) -> str:
        names = ", ".join(cumulant_name(k) for k in self.tables)
        return f"Statistics.numeric(dim={self.dim}; {names})"

    def _cumulant(self, indices: Indices) -> sympy.Expr:
        key = tuple(sorted(len(node) for node in indices))
        if key not in self.tables:
            raise MissingStatisticError(_missing(key))
        flat = tuple(i for node in sorted(indices, key=len) for i in node)
        return to_sympy(self.tables[key][flat])

    def check_known(self, diagrams: Iterable[Diagram], observable: Observable, *, resummed: bool) -> None:
        needed: dict[tuple[int, ...], Diagram] = {}
        for diagram in diagrams:
            for part in diagram.parts:
                degrees = tuple(sorted(diagram.degrees[v] for v in part))
                if part == (diagram.root,) and not observable.is_loss:
                    continue
                needed.setdefault(degrees, diagram)
            if resummed and diagram.order:
                needed.setdefault((2,), diagram)
        for key, diagram in needed.items():
            if key not in self.tables:
                raise MissingStatisticError(_missing(key, diagram))


def _missing(key: tuple[int, ...], diagram: Diagram | None = None) -> str:
    name = cumulant_name(key)
    how = f"{name}=..." if name in _BY_NAME else f"kappa={{{key}: ...}}"
    needs = f", which the diagram {diagram} needs" if diagram is not None else ""
    return (
        f"no numeric value given for the cumulant {name} (node degrees {key}){needs};"
        f" give it with {how} (an array of zeros if it vanishes)"
    )


def _degrees(degrees: Any) -> tuple[int, ...]:
    try:
        key = tuple(sorted(int(k) for k in degrees))
    except TypeError:
        raise TypeError(f"kappa's keys are tuples of node degrees, e.g. (1, 2), not {degrees!r}") from None
    if not key or any(k < 1 for k in key) and key != (0,):
        raise ValueError(f"node degrees must be positive, got {degrees!r}")
    return key


def _as_array(name: str, value: Any) -> np.ndarray:
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name}: expected numbers, not the text {value!r} (text is never evaluated)")
    array = np.asarray(value)
    if array.dtype.kind in "US":
        raise TypeError(f"{name}: expected numbers, not text (text is never evaluated)")
    if array.dtype.kind == "b":
        raise TypeError(f"{name}: expected numbers, not booleans")
    if array.dtype.kind in "iuf":
        if not np.isfinite(array).all():
            raise ValueError(f"{name} has non-finite entries (NaN or infinity)")
        return array
    if array.dtype.kind == "c":
        raise TypeError(f"{name}: statistics are real; got complex numbers")
    converted = np.empty(array.shape, dtype=object)
    for index in np.ndindex(*array.shape):
        try:
            converted[index] = to_sympy(array[index])
        except (TypeError, ValueError) as error:
            raise type(error)(f"{name}{list(index) if index else ''}: {error}") from None
    return converted


def _dimension(dim: int | None, arrays: Mapping[tuple[int, ...], tuple[str, np.ndarray]]) -> int:
    found = {array.shape[0] for _, array in arrays.values() if array.ndim}
    if dim is not None:
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
            raise ValueError(f"dim must be a positive int, got {dim!r}")
        found.add(dim)
    if len(found) > 1:
        shapes = ", ".join(f"{name} {array.shape}" for name, array in arrays.values())
        raise ValueError(f"the arrays disagree on the dimension: {shapes}")
    return found.pop() if found else 1


def _checked(name: str, key: tuple[int, ...], array: np.ndarray, dim: int) -> np.ndarray:
    rank = sum(key)
    shape = (dim,) * rank
    if array.ndim == 0 and dim == 1:
        array = np.full(shape, array.item() if array.dtype != object else array[()], dtype=array.dtype)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape} (dimension {dim} from the other arrays), got {array.shape}")
    for permutation in _symmetries(key):
        if not _equal(array, np.transpose(array, permutation)):
            raise ValueError(
                f"{name} is not symmetric: {_symmetry_words(key)}; it differs under the axis permutation {permutation}"
            )
    return array


def _symmetries(key: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Generators of the axis permutations a cumulant array is invariant under."""
    starts = [sum(key[:i]) for i in range(len(key))]
    rank = sum(key)
    found = []
    for start, k in zip(starts, key):  # derivatives commute: swap neighbouring axes of one node
        for a in range(start, start + k - 1):
            p = list(range(rank))
            p[a], p[a + 1] = p[a + 1], p[a]
            found.append(tuple(p))
    for i in range(len(key) - 1):  # a cumulant is symmetric in its arguments: swap equal-degree nodes
        if key[i] == key[i + 1]:
            first, second = range(starts[i], starts[i] + key[i]), range(starts[i + 1], starts[i + 1] + key[i])
            p = list(range(rank))
            for a, b in zip(first, second):
                p[a], p[b] = b, a
            found.append(tuple(p))
    return found


def _symmetry_words(key: tuple[int, ...]) -> str:
    if len(key) == 1:
        return "a derivative tensor is symmetric in its indices"
    return "a joint cumulant is symmetric within each node's indices and between nodes of equal degree"


def _equal(a: np.ndarray, b: np.ndarray) -> bool:
    if a.dtype != object:
        scale = max(float(np.abs(a).max()) if a.size else 0.0, 1.0)  # rounding noise of a tensor that is ~0
        return bool(np.allclose(a, b, rtol=SYMMETRY_TOLERANCE, atol=SYMMETRY_TOLERANCE * scale))
    return all(sympy.simplify(x - y) == 0 if x != y else True for x, y in zip(chain(a.flat), chain(b.flat)))

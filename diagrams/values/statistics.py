"""Landscape statistics at the initialization θ₀: the numbers diagrams are made of.

A part of a diagram evaluates to the joint cumulant of its nodes' derivative
tensors for one shared sample (SPEC §4).  Every kind of statistics answers one
question, :meth:`Statistics.cumulant`: given, for each node of a part, the
tuple of parameter indices it is differentiated along, what is the joint
cumulant of those partial derivatives of l_x at θ₀?

* :meth:`Statistics.symbolic` — sympy symbols.  In one dimension a part with
  node degrees (k₁,…,k_j) is the symbol ``l, G, H, J, C, S`` where that name
  applies and ``kappa_{k1,…,kj}`` otherwise.  With ``dim > 1`` values are
  written in Einstein notation instead (see :mod:`diagrams.values`).
* :meth:`Statistics.numeric` — arrays for the named tensors.
* :class:`diagrams.landscapes.Landscape` ``.statistics(at=…)`` — exact
  cumulants of a sympy landscape.

>>> st = Statistics.symbolic()
>>> st.cumulant(((0,), (0, 0)))
kappa_{1,2}
>>> st.cumulant(((0,), (0,)))
C
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Mapping, Sequence

import sympy

__all__ = ["Statistics", "NAMED_CUMULANTS", "cumulant_name"]

Indices = tuple[tuple[int, ...], ...]

#: Names of the statistics the paper uses, keyed by the sorted node degrees of a part.
NAMED_CUMULANTS: dict[tuple[int, ...], str] = {
    (0,): "l",
    (1,): "G",
    (2,): "H",
    (3,): "J",
    (1, 1): "C",
    (1, 1, 1): "S",
}


def cumulant_name(degrees: Sequence[int]) -> str:
    """The name of the joint cumulant of ∇^k l_x over the given node degrees.

    >>> cumulant_name((1, 1)), cumulant_name((2, 1)), cumulant_name((4,))
    ('C', 'kappa_{1,2}', 'kappa_{4}')
    """
    key = tuple(sorted(degrees))
    return NAMED_CUMULANTS.get(key) or "kappa_{" + ",".join(map(str, key)) + "}"


def canonical_indices(indices: Sequence[Sequence[int]]) -> Indices:
    """Sort each node's indices and the nodes (cumulants are symmetric in both)."""
    return tuple(sorted(tuple(sorted(node)) for node in indices))


class Statistics:
    """Joint cumulants of derivatives of the sample loss at θ₀, in ``dim`` dimensions.

    Subclasses implement :meth:`_cumulant`; ``einstein`` is True for symbolic
    tensors, whose diagram values are Einstein expressions rather than numbers.
    """

    dim: int = 1
    einstein: bool = False
    params: tuple[sympy.Symbol, ...] = ()

    def cumulant(self, indices: Sequence[Sequence[int]]) -> sympy.Expr:
        """κ(∂_{I₁} l_x, …, ∂_{I_j} l_x) at θ₀ for one shared sample x (a mean when j = 1)."""
        return self._cached(canonical_indices(indices))

    @lru_cache(maxsize=4096)  # noqa: B019 - statistics objects are few and long-lived
    def _cached(self, indices: Indices) -> sympy.Expr:
        return self._cumulant(indices)

    def _cumulant(self, indices: Indices) -> sympy.Expr:
        raise NotImplementedError

    @staticmethod
    def symbolic(dim: int = 1) -> Statistics:
        """Named sympy symbols (``dim=1``) or symbolic tensors in Einstein notation (``dim>1``).

        >>> Statistics.symbolic().cumulant(((0, 0, 0),))
        J
        """
        return SymbolicStatistics(dim)

    @staticmethod
    def numeric(dim: int | None = None, **tensors) -> Statistics:
        """Statistics from arrays: ``l, G, H, J, C, S`` and ``kappa={degrees: array}``.

        An array for node degrees (k₁,…,k_j) (sorted ascending) has k₁+…+k_j
        axes of length ``dim``, the first k₁ for the first node, and so on.
        Entries may be ints, Fractions, sympy numbers or floats.

        >>> import numpy as np
        >>> st = Statistics.numeric(G=np.array([1, 2]), H=np.eye(2))
        >>> st.cumulant(((1,),)), st.cumulant(((0,), ))
        (2, 1)
        """
        return NumericStatistics(dim, tensors)


class SymbolicStatistics(Statistics):
    def __init__(self, dim: int = 1):
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
            raise ValueError(f"dim must be a positive int, got {dim!r}")
        self.dim = dim
        self.einstein = dim > 1

    def _cumulant(self, indices: Indices) -> sympy.Expr:
        return sympy.Symbol(cumulant_name([len(node) for node in indices]))

    def __repr__(self) -> str:
        return f"Statistics.symbolic(dim={self.dim})"


class NumericStatistics(Statistics):
    def __init__(self, dim: int | None, tensors: Mapping[str, object]):
        tables: dict[tuple[int, ...], object] = {}
        by_name = {name: degrees for degrees, name in NAMED_CUMULANTS.items()}
        for name, array in tensors.items():
            if name == "kappa":
                for degrees, value in dict(array).items():
                    tables[tuple(sorted(degrees))] = value
            elif name in by_name:
                tables[by_name[name]] = array
            else:
                raise ValueError(f"unknown statistic {name!r}; expected one of {sorted(by_name)} or kappa")
        if dim is None:
            shapes = [getattr(a, "shape", ()) for a in tables.values()]
            dims = {s[0] for s in shapes if s}
            dim = dims.pop() if len(dims) == 1 else 1
        self.dim = dim
        self.tables = tables

    def _cumulant(self, indices: Indices) -> sympy.Expr:
        degrees = tuple(len(node) for node in indices)  # ascending, by canonical_indices
        key = tuple(sorted(degrees))
        if key not in self.tables:
            raise KeyError(f"no numeric value given for the cumulant {cumulant_name(key)} (node degrees {key})")
        entry = self.tables[key]
        flat = tuple(i for node in sorted(indices, key=len) for i in node)
        for i in flat:
            entry = entry[i]
        return _to_sympy(entry)

    def __repr__(self) -> str:
        names = ", ".join(cumulant_name(k) for k in self.tables)
        return f"Statistics.numeric(dim={self.dim}; {names})"


def _to_sympy(value) -> sympy.Expr:
    """An exact sympy number for ints, Fractions and sympy values; a Float for floats.

    Text is refused, never parsed:

    >>> _to_sympy("1/2")
    Traceback (most recent call last):
    ...
    TypeError: expected a number, not the text '1/2' (text is never evaluated)
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"expected a number, not the text {value!r} (text is never evaluated)")
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, int):
        return sympy.Integer(value)
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, int):
        return sympy.Integer(value)
    return sympy.Float(value)

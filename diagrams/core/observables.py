"""What is measured at θ_T (SPEC §1): the test loss, a coordinate of the displacement, or any s(θ).

An :class:`Observable` is an immutable value; only its derivatives at θ₀ enter
a diagram's value, at the root.

>>> LOSS, coordinate(1)
(LOSS, Observable('coordinate', 1))
>>> as_observable("loss") is LOSS
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

__all__ = ["Observable", "LOSS", "coordinate", "as_observable"]

KINDS = ("loss", "coordinate", "expression")


@dataclass(frozen=True)
class Observable:
    """The test loss (``kind="loss"``), θ^μ − θ₀^μ (``"coordinate"``, detail μ), or s(θ) (``"expression"``)."""

    kind: str
    detail: Any = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"an observable's kind is one of {KINDS}, not {self.kind!r}")

    @property
    def is_loss(self) -> bool:
        return self.kind == "loss"

    def __repr__(self) -> str:
        return "LOSS" if self.is_loss else f"Observable({self.kind!r}, {self.detail!r})"


LOSS = Observable("loss")


def coordinate(index: int) -> Observable:
    """The displacement θ^μ − θ₀^μ along parameter ``index``."""
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValueError(f"a coordinate index is a non-negative int, not {index!r}")
    return Observable("coordinate", index)


def as_observable(observable: str | Observable | sympy.Expr) -> Observable:
    """``"loss"``, an :class:`Observable` or a sympy expression s(θ), as an Observable."""
    if isinstance(observable, Observable):
        return observable
    if isinstance(observable, str):
        if observable == "loss":
            return LOSS
        raise ValueError(f"observable must be 'loss', an Observable or a sympy expression, not the text {observable!r}")
    if isinstance(observable, sympy.Basic):
        return Observable("expression", observable)
    raise TypeError(f"observable must be 'loss', an Observable or a sympy expression, got {observable!r}")

"""Numbers from users, converted explicitly: text is refused, never parsed.

sympy's ``subs``, ``Matrix`` and arithmetic would read a string as code
(``sympify``), so every number a user hands the engine passes through here
first.  Accepted: ``int``, :class:`fractions.Fraction`, ``float``, numpy
scalars and sympy numbers (and, where symbols make sense, sympy expressions).

>>> to_sympy(3), to_sympy(Fraction(1, 3)), to_sympy(0.5)
(3, 1/3, 0.500000000000000)
>>> to_sympy("1/2")
Traceback (most recent call last):
...
TypeError: expected a number, not the text '1/2' (text is never evaluated)
>>> to_sympy(float("nan"))
Traceback (most recent call last):
...
ValueError: expected a finite number, got nan
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any

import sympy
import sympy.tensor.tensor  # noqa: F401  (sympy's Add imports it on first use: here, once, before any worker forks)

__all__ = ["to_sympy", "to_exact", "to_float", "is_real_number"]


def _refuse_text(value: Any) -> None:
    if isinstance(value, (str, bytes)):
        raise TypeError(f"expected a number, not the text {value!r} (text is never evaluated)")


def to_sympy(value: Any, *, symbols: bool = True) -> sympy.Expr:
    """An exact sympy number for ints, Fractions and sympy values; a Float for floats.

    ``symbols=False`` also refuses sympy expressions that are not numbers.
    Booleans, text, NaN and infinities are refused.
    """
    _refuse_text(value)
    if isinstance(value, bool):
        raise TypeError(f"expected a number, not the boolean {value!r}")
    if isinstance(value, sympy.Basic):
        if not isinstance(value, sympy.Expr):
            raise TypeError(f"expected a number or a sympy expression, not {type(value).__name__}")
        if value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            raise ValueError(f"expected a finite number, got {value}")
        if not symbols and not value.is_number:
            raise TypeError(f"expected a number, not the expression {value}")
        return value
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if hasattr(value, "item") and getattr(value, "shape", None) == ():  # numpy scalar or 0-d array
        value = value.item()
    if isinstance(value, bool):
        raise TypeError(f"expected a number, not the boolean {value!r}")
    if isinstance(value, numbers.Integral):
        return sympy.Integer(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"expected a finite number, got {number}")
        return sympy.Float(number)
    raise TypeError(f"expected a number, not {type(value).__name__} {value!r}")


def to_exact(value: Any, *, denominator: int = 10**12) -> sympy.Rational:
    """A sympy Rational: ints and Fractions exactly, floats as the nearest fraction with a
    denominator at most ``denominator`` (so ``0.1`` is ``1/10``).

    >>> to_exact(0.1), to_exact(Fraction(2, 6)), to_exact(sympy.Rational(1, 3))
    (1/10, 1/3, 1/3)
    """
    number = to_sympy(value, symbols=False)
    if isinstance(number, sympy.Float):
        fraction = Fraction(float(number)).limit_denominator(denominator)
        return sympy.Rational(fraction.numerator, fraction.denominator)
    if not number.is_Rational:
        raise TypeError(f"expected a rational number, got {number}")
    return number


def to_float(value: Any, what: str = "value") -> float:
    """A finite Python float (for numeric evaluation); text, NaN and infinities are refused."""
    number = to_sympy(value, symbols=False)
    if not number.is_real:
        raise ValueError(f"{what} must be a real number, got {number}")
    return float(number)


def is_real_number(value: Any) -> bool:
    """Whether ``value`` is a plain real number (not text, not a symbol, not a boolean)."""
    try:
        to_sympy(value, symbols=False)
    except (TypeError, ValueError):
        return False
    return True

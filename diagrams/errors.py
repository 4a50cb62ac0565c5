"""Exceptions raised by the engine; each is a ValueError, so callers can catch either."""

from __future__ import annotations

__all__ = [
    "NotationError",
    "DiagramSyntaxError",
    "InvalidDiagramError",
    "ScheduleError",
    "MissingStatisticError",
    "ResummationError",
]


class NotationError(ValueError):
    """A diagram text that cannot be read.

    ``rule`` names the rule that broke; ``text`` is the input and ``position``
    the 0-based offset of the offending character (``None`` when the error has
    no single position).  ``line`` and ``column`` (1-based) are derived from
    them, and the message draws the offending line with a caret under it.
    """

    def __init__(self, rule: str, text: str | None = None, position: int | None = None):
        self.rule = rule
        self.text = text
        self.position = position
        super().__init__(str(self))

    @property
    def line(self) -> int | None:
        if self.text is None or self.position is None:
            return None
        return self.text.count("\n", 0, self.position) + 1

    @property
    def column(self) -> int | None:
        if self.text is None or self.position is None:
            return None
        return self.position - (self.text.rfind("\n", 0, self.position) + 1) + 1

    def __str__(self) -> str:
        line, column = self.line, self.column
        if self.text is None or line is None or column is None:
            return self.rule
        lines = self.text.split("\n")
        where = f"column {column}" if len(lines) == 1 else f"line {line}, column {column}"
        shown = lines[line - 1] if line <= len(lines) else ""
        return f"{self.rule} ({where})\n  {shown}\n  {' ' * (column - 1)}^"


class DiagramSyntaxError(NotationError):
    """The text does not follow the grammar (a stray character, an unbalanced bracket...)."""


class InvalidDiagramError(NotationError):
    """The text is grammatical, or the data well-formed, but it is not a diagram."""


class ScheduleError(ValueError):
    """A schedule whose N, B or E is not allowed; the message names the value."""


class MissingStatisticError(ValueError, KeyError):
    """Numeric statistics lack a cumulant that a diagram of the series needs (the message names it)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ResummationError(ValueError):
    """A resummed form that does not exist for these statistics: SGD diverges, or the T → ∞ limit does not exist."""

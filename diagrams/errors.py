"""Exceptions raised by the engine; each is a ValueError, so callers can catch either."""

from __future__ import annotations

__all__ = ["NotationError", "DiagramSyntaxError", "InvalidDiagramError"]


class NotationError(ValueError):
    """A diagram text that cannot be read.

    ``rule`` names the rule that broke, ``column`` is 1-based (``None`` when the
    error has no single position) and ``text`` is the input, kept so the message
    can draw a caret under the offending character.
    """

    def __init__(self, rule: str, text: str | None = None, column: int | None = None):
        self.rule = rule
        self.text = text
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.text is None or self.column is None:
            return self.rule
        return f"{self.rule} (column {self.column})\n  {self.text}\n  {' ' * (self.column - 1)}^"


class DiagramSyntaxError(NotationError):
    """The text does not follow the grammar (a stray character, an unbalanced bracket...)."""


class InvalidDiagramError(NotationError):
    """The text is grammatical, or the data well-formed, but it is not a diagram."""

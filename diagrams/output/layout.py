r"""Series laid out in display environments that fit a page width: one η power per line, long ones broken.

A series reaches this module as :class:`Row` objects, one per power of η
(built by :mod:`diagrams.output.latex`, grouped by statistic or by diagram),
each a list of :class:`Term` objects.  :func:`render` writes them into an
amsmath environment:

* ``"align"`` (``align*``, or ``align`` with one number when ``numbered``)
  and ``"split"`` (inside ``equation*``/``equation``): every η power starts
  a line aligned after the left-hand side's ``=``;
* ``"multline"``: the same lines, the first flush left, the last flush right.

A line never exceeds ``width`` by the width model of
:mod:`diagrams.output.metrics` (an upper bound of TeX's).  When a power's
terms do not fit on one line they are broken *between* terms, the group's
parentheses becoming ``\biggl(``/``\biggr)`` and each further line starting
``&\quad +``; a single term wider than a line is broken between its factors
(its coefficient and its tensors, never inside a tensor), further lines of
it starting ``&\qquad``.  Should a single factor still not fit, it is set on
its own line and a :class:`LayoutWarning` says how far it sticks out.

>>> rows = [Row(0, False, "", (Term("l"),)), Row(1, True, r"\eta", (Term(r"\eta T G^{2}", ("\\eta", "T", "G^{2}")),))]
>>> print(render(rows, environment="align", width=345))
\begin{align*}
& l \\
& - \eta T G^{2}
\end{align*}
>>> print(render(rows, environment="align", width=345, lhs=r"\mathrm{E}\,l"))
\begin{align*}
\mathrm{E}\,l ={}& l \\
& - \eta T G^{2}
\end{align*}
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

from .metrics import math_width

__all__ = ["Term", "Row", "ENVIRONMENTS", "LayoutWarning", "render", "inline"]

#: The display environments :func:`render` writes.
ENVIRONMENTS = ("align", "split", "multline")

_OPEN, _CLOSE = r"\biggl(", r"\biggr)"
_CONTINUE_TERM = r"\quad"  # a further line of a power's terms
_CONTINUE_FACTOR = r"\qquad"  # a further line of one term's factors
_MULTLINE_GAP = 10.0  # \multlinegap
_TAG_RESERVE = 30.0  # an equation number "(99)" and its separation


class LayoutWarning(UserWarning):
    """A line of a laid-out series is wider than the target: one factor alone does not fit."""


@dataclass(frozen=True)
class Term:
    """One term of a series without its sign: its LaTeX, and the same as unbreakable chunks.

    ``chunks`` (joined by spaces) is how the term is written when it must be
    broken across lines; by default the term is one chunk.
    """

    text: str
    chunks: tuple[str, ...] = ()
    negative: bool = False

    @property
    def pieces(self) -> tuple[str, ...]:
        return self.chunks or (self.text,)


@dataclass(frozen=True)
class Row:
    r"""One power of η: ``η^k (t₁ + t₂ + …)``, or with a single term the term alone (η inside its text).

    ``negative`` is the sign in front of the whole row; ``eta`` the LaTeX of
    η^k (empty for k = 0, and for rows that are not a power of η).
    """

    power: int | None
    negative: bool
    eta: str
    terms: tuple[Term, ...] = field(default_factory=tuple)

    @property
    def grouped(self) -> bool:
        """Whether the terms stand in parentheses after η^k."""
        return len(self.terms) > 1 and bool(self.eta)


def inline(rows: list[Row]) -> str:
    r"""The rows on one line, as :func:`diagrams.latex` prints a series by default.

    >>> inline([Row(2, False, r"\eta^{2}", (Term("a"), Term("b", negative=True)))])
    '\\eta^{2} \\left(a - b\\right)'
    """
    text = ""
    for row in rows:
        body = _joined(row.terms)
        if row.grouped:
            body = r"%s \left(%s\right)" % (row.eta, body)
        if not text:
            text = ("- " if row.negative else "") + body
        else:
            text += (" - " if row.negative else " + ") + body
    return text or "0"


def _joined(terms: tuple[Term, ...]) -> str:
    text = ""
    for term in terms:
        if not text:
            text = ("- " if term.negative else "") + term.text
        else:
            text += (" - " if term.negative else " + ") + term.text
    return text


def render(rows: list[Row], *, environment: str, width: float, lhs: str | None = None, numbered: bool = False) -> str:
    """The rows in ``environment`` (see the module docstring), every line at most ``width`` pt wide."""
    if environment not in ENVIRONMENTS:
        raise ValueError(f"environment must be one of {ENVIRONMENTS}, got {environment!r}")
    budget = width - (_TAG_RESERVE if numbered else 0.0)
    aligned = environment != "multline"
    left = f"{lhs} ={{}}" if lhs else ""
    if aligned:
        budget -= math_width(left) if left else 0.0
    else:
        budget -= _MULTLINE_GAP
    lines: list[str] = []
    for k, row in enumerate(rows or [Row(0, False, "", (Term("0"),))]):
        for line in _row_lines(row, first=k == 0, budget=budget, first_prefix=left if (not aligned and k == 0) else ""):
            lines.append(line)
    if aligned:
        body = [(left if k == 0 else "") + "& " + line for k, line in enumerate(lines)]
    else:
        body = [line if k == 0 else "{} " + line for k, line in enumerate(lines)]
        if left:
            body[0] = left + " " + body[0]
    star = "" if numbered else "*"
    if environment == "align":
        if numbered:
            body = [line + r" \notag" for line in body[:-1]] + body[-1:]
        return "\n".join([rf"\begin{{align{star}}}", " \\\\\n".join(body), rf"\end{{align{star}}}"])
    if environment == "split":
        return "\n".join(
            [rf"\begin{{equation{star}}}", r"\begin{split}", " \\\\\n".join(body), r"\end{split}",
             rf"\end{{equation{star}}}"]
        )  # fmt: skip
    return "\n".join([rf"\begin{{multline{star}}}", " \\\\\n".join(body), rf"\end{{multline{star}}}"])


def _fits(text: str, budget: float) -> bool:
    return math_width("{}" + text) <= budget


def _row_lines(row: Row, *, first: bool, budget: float, first_prefix: str = "") -> list[str]:
    """The lines of one row; the first carries the row's sign (none for a positive first row)."""
    sign = ("- " if row.negative else "") if first else ("- " if row.negative else "+ ")
    whole = sign + inline([Row(row.power, False, row.eta, row.terms)])
    if _fits(first_prefix + " " + whole if first_prefix else whole, budget):
        return [whole]
    budget -= math_width(first_prefix) if first_prefix else 0.0
    if not row.grouped:
        # a single term (η inside it) or an ungrouped sum: break between terms, then inside them
        head = sign.rstrip()
        return _fill(row.terms, head=head, close="", budget=budget)
    head = f"{sign}{row.eta} {_OPEN}"
    return _fill(row.terms, head=head, close=" " + _CLOSE, budget=budget)


def _fill(terms: tuple[Term, ...], *, head: str, close: str, budget: float) -> list[str]:
    """Greedy lines: whole terms while they fit; a term that fits on no line is broken into its chunks."""
    lines: list[str] = []
    current = head

    def join(line: str, piece: str) -> str:
        return f"{line} {piece}" if line else piece

    def bare(line: str) -> bool:  # nothing on the line yet that a break could follow
        return line in ("", "-", "+", _CONTINUE_TERM, _CONTINUE_FACTOR)

    for k, term in enumerate(terms):
        tail = close if k == len(terms) - 1 else ""
        operator = ("- " if term.negative else "") if k == 0 else ("- " if term.negative else "+ ")
        if _fits(join(current, operator + term.text) + tail, budget):
            current = join(current, operator + term.text)
            continue
        fresh = join(_CONTINUE_TERM, operator + term.text)
        if current != head and not bare(current) and _fits(fresh + tail, budget):
            lines.append(current)
            current = fresh
            continue
        pieces = term.pieces
        for j, chunk in enumerate(pieces):
            piece = (operator if j == 0 else "") + chunk
            end = tail if j == len(pieces) - 1 else ""
            if bare(current) or _fits(join(current, piece) + end, budget):
                current = join(current, piece)
            else:
                lines.append(current)
                current = join(_CONTINUE_TERM if j == 0 else _CONTINUE_FACTOR, piece)
    lines.append(current + close)
    for line in lines:
        if not _fits(line, budget):
            excess = math_width("{}" + line) - budget
            warnings.warn(
                f"a line is {excess:.0f} pt wider than the target: one factor alone does not fit ({line.strip()[:50]}…)",
                LayoutWarning,
                stacklevel=5,
            )
    return lines

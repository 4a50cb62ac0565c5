r"""LaTeX tables of diagrams, like the paper's, sized to fit a page width.

:func:`table` writes a ``tabular`` (or a ``longtable``, which breaks across
pages) with the columns chosen from :data:`COLUMNS`: the picture (TikZ),
the bracket text, |Aut(D)|, the value and the embedding count L(D).  Every
picture is drawn at one scale, and every picture cell carries a strut as
tall as the tallest picture, so all rows have the same height.

The table fits ``width`` (default: the article column, 345 pt) by the width
model of :mod:`diagrams.output.metrics`.  When the natural table is wider,
the first of these that fits is used: smaller pictures (scale 0.8); values
broken into lines between their tensors (``\allowbreak`` in a ``\parbox``,
never inside a tensor); pictures at 0.6; then the same in ``\small``,
``\footnotesize`` and ``\scriptsize`` type; last, bracket texts broken
between their parts too (and throughout, when it helps, ``\tabcolsep`` 3 pt
instead of 6).  Should nothing fit, the narrowest is used and a
:class:`~diagrams.output.layout.LayoutWarning` says by how much it is too wide.

Needs ``\usepackage{tikz}`` (and ``{longtable}`` for ``longtable=True``);
:func:`~diagrams.output.documents.standalone_document` writes a whole document.

>>> import sympy
>>> from diagrams import parse, Schedule
>>> T = sympy.Symbol("T")
>>> text = table([parse("[a][a]")], schedule=Schedule.sgd(T))
>>> print(text.splitlines()[2])
$D$ & text & $|\mathrm{Aut}(D)|$ & value & $L(D)$ \\
>>> print(text.split(r"\end{tikzpicture} & ")[1].splitlines()[0])
\texttt{[a][a]} & $1$ & $G_{\mu}G^{\mu}$ & $T$ \\
>>> print(table([parse("[a][a]")], columns=("text", "aut"), longtable=True))
\begin{longtable}{ll}
\hline
text & $|\mathrm{Aut}(D)|$ \\
\hline
\endhead
\hline
\endfoot
\texttt{[a][a]} & $1$ \\
\end{longtable}
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sympy

from ..core.diagram import Diagram
from ..core.schedule import count_embeddings
from .draw import TIKZ_UNIT_CM, layout, to_tikz
from .latex import DiagramLatexPrinter, latex
from .layout import LayoutWarning
from .metrics import COLUMN_WIDTH, SIZES, math_width, parse_length, text_width

__all__ = ["table", "COLUMNS"]

#: The columns a table can have, with their headers.
COLUMNS = {
    "picture": "$D$",
    "text": "text",
    "aut": r"$|\mathrm{Aut}(D)|$",
    "value": "value",
    "count": "$L(D)$",
}

_TABCOLSEP = 6.0  # LaTeX's \tabcolsep at 10 pt, on both sides of every column
_NARROW_TABCOLSEP = 3.0  # the separation of a table that needs every point
_POINTS_PER_CM = 72.27 / 2.54
_ROW_PADDING = 1.5  # pt of air above and below the tallest picture
_EX = 0.431  # the x-height of Computer Modern, per pt of font size


@dataclass(frozen=True)
class _Plan:
    """One way to set the table: type size, picture scale, and widths (pt) of the columns set as paragraphs."""

    size: str
    scale: float
    wrapped: dict  # column name -> paragraph width in pt
    separation: float = _TABCOLSEP


def table(
    diagrams: Iterable[Diagram],
    schedule=None,
    stats=None,
    *,
    columns: Sequence[str] | None = None,
    longtable: bool = False,
    width: str | float | None = None,
    picture_scale: float | None = None,
) -> str:
    r"""A LaTeX table of diagrams (see the module docstring).

    ``columns``: names from :data:`COLUMNS`, in order (default: picture,
    text, aut, value, and count when a ``schedule`` is given; ``count``
    needs one).  The value is the Einstein contraction, or
    ``stats.value(D)`` when ``stats`` is given; L(D) is factored.
    ``longtable``: a ``longtable`` whose header repeats on every page.
    ``width``: the width to fit (pt or a LaTeX length, default 345 pt).
    ``picture_scale``: fixes the pictures' scale instead of choosing it.
    """
    diagrams = list(diagrams)
    if columns is None:
        columns = ("picture", "text", "aut", "value") + (("count",) if schedule is not None else ())
    columns = tuple(columns)
    unknown = [name for name in columns if name not in COLUMNS]
    if unknown or not columns or len(set(columns)) != len(columns):
        raise ValueError(f"columns are distinct names from {tuple(COLUMNS)}, got {columns!r}")
    if "count" in columns and schedule is None:
        raise ValueError("the count column L(D) needs a schedule")
    target = parse_length(COLUMN_WIDTH if width is None else width)
    if picture_scale is not None and (isinstance(picture_scale, bool) or not float(picture_scale) > 0):
        raise ValueError(f"picture_scale must be a positive number, got {picture_scale!r}")
    cells = {name: [_cell(name, D, schedule, stats) for D in diagrams] for name in columns if name != "picture"}
    pieces = {
        "value": [_value_pieces(D, stats) for D in diagrams] if "value" in columns else [],
        "text": [_text_pieces(D) for D in diagrams] if "text" in columns else [],
    }
    plan, excess = _choose(diagrams, columns, cells, pieces, picture_scale, target)
    if excess > 0:
        warnings.warn(f"the table is about {excess:.0f} pt wider than {target:.0f} pt", LayoutWarning, stacklevel=2)
    return _write(diagrams, columns, cells, pieces, plan, longtable)


def _cell(name: str, diagram: Diagram, schedule, stats) -> str:
    if name == "text":
        return latex(diagram, diagram_style="text")
    if name == "aut":
        return f"${diagram.automorphism_count}$"
    if name == "value":
        return f"${latex(diagram if stats is None else stats.value(diagram))}$"
    return f"${latex(sympy.factor(count_embeddings(diagram, schedule)))}$"


def _value_pieces(diagram: Diagram, stats) -> list[str]:
    """The value's tensors (or statistics), the places a value cell may break."""
    return DiagramLatexPrinter().chunks(diagram if stats is None else stats.value(diagram))


def _text_pieces(diagram: Diagram) -> list[str]:
    """The bracket text's parts, ``[a:b]`` ``[ab]``."""
    parts = diagram.text.replace("][", "]\n[").split("\n")
    return [r"\texttt{%s}" % part for part in parts]


def _picture_extent(diagrams: list[Diagram], scale: float) -> tuple[float, float]:
    """(width, height) in pt of the widest and of the tallest picture at ``scale``."""
    shapes = [layout(D) for D in diagrams]
    unit = TIKZ_UNIT_CM * _POINTS_PER_CM * scale
    return (max((s.width for s in shapes), default=0.0) * unit, max((s.height for s in shapes), default=0.0) * unit)


def _choose(diagrams, columns, cells, pieces, picture_scale, target) -> tuple[_Plan, float]:
    """The first plan that fits (see the module docstring), else the narrowest one and its excess width."""
    value, both = frozenset({"value"}), frozenset({"value", "text"})
    if picture_scale is not None:
        steps = [(float(picture_scale), frozenset(), _TABCOLSEP), (float(picture_scale), value, _TABCOLSEP)]
    else:  # smaller pictures first, then values in lines, then the smallest pictures
        steps = [(1.0, frozenset(), _TABCOLSEP), (0.8, frozenset(), _TABCOLSEP), (0.8, value, _TABCOLSEP),
                 (0.6, value, _TABCOLSEP)]  # fmt: skip
    last = steps[-1][0]
    steps.append((last, value, _NARROW_TABCOLSEP))
    candidates = [(size, *step) for size in SIZES for step in steps]
    candidates += [(size, last, both, _NARROW_TABCOLSEP) for size in SIZES]  # bracket texts in lines: a last resort
    best: tuple[float, _Plan] | None = None
    for size, scale, wrap, separation in candidates:
        plan, total = _plan(diagrams, columns, cells, pieces, size, scale, wrap, separation, target)
        if total <= target:
            return plan, 0.0
        if best is None or total < best[0]:
            best = (total, plan)
    assert best is not None
    return best[1], best[0] - target


def _plan(diagrams, columns, cells, pieces, size, scale, wrap, separation, target) -> tuple[_Plan, float]:
    """The plan for one size, scale and set of wrapped columns, and the table's width with it."""
    natural, minimum = {}, {}
    for name in columns:
        header = text_width(COLUMNS[name], size=size)
        if name == "picture":
            natural[name] = minimum[name] = max(header, _picture_extent(diagrams, scale)[0])
            continue
        natural[name] = minimum[name] = max([header] + [text_width(c, size=size) for c in cells[name]])
        if name in wrap:
            measure = (lambda p: math_width(p, display=False, size=size)) if name == "value" else (
                lambda p: text_width(p, size=size))  # fmt: skip
            minimum[name] = max([header] + [measure(p) for ps in pieces[name] for p in ps])
    widths = dict(natural)
    spare = target - 2 * separation * len(columns) - sum(w for name, w in natural.items() if name not in wrap)
    wrappable = [name for name in ("value", "text") if name in wrap and name in columns]
    for k, name in enumerate(wrappable):  # the value first: as wide as the room left after the others' minimum
        others = sum(minimum[n] for n in wrappable[k + 1 :])
        widths[name] = max(minimum[name], min(natural[name], spare - others))
        spare -= widths[name]
    wrapped = {name: widths[name] for name in wrappable if widths[name] < natural[name]}
    return _Plan(size, scale, wrapped, separation), sum(widths.values()) + 2 * separation * len(columns)


def _write(diagrams, columns, cells, pieces, plan: _Plan, longtable: bool) -> str:
    header = " & ".join(COLUMNS[name] for name in columns) + r" \\"
    spec = "".join("c" if name == "picture" else "l" for name in columns)
    strut = ""
    if "picture" in columns and diagrams:
        height = _picture_extent(diagrams, plan.scale)[1]
        ex = _EX * SIZES[plan.size][0]
        above, below = height / 2 + ex / 2 + _ROW_PADDING, height / 2 - ex / 2 + _ROW_PADDING
        strut = rf"\rule[-{below:.1f}pt]{{0pt}}{{{above + below:.1f}pt}}"
    rows = []
    for k, diagram in enumerate(diagrams):
        row = []
        for name in columns:
            if name == "picture":
                row.append(strut + to_tikz(diagram, scale=plan.scale))
            elif name in plan.wrapped and text_width(cells[name][k], size=plan.size) > plan.wrapped[name]:
                joined = (r" \allowbreak " if name == "value" else r"\allowbreak ").join(pieces[name][k])
                body = f"${joined}$" if name == "value" else joined
                row.append(rf"\parbox[c]{{{plan.wrapped[name]:.1f}pt}}{{\raggedright {body}}}")
            else:
                row.append(cells[name][k])
        rows.append(" & ".join(row) + r" \\")
    if longtable:
        lines = [rf"\begin{{longtable}}{{{spec}}}", r"\hline", header, r"\hline", r"\endhead", r"\hline", r"\endfoot"]
        lines += rows + [r"\end{longtable}"]
    else:
        lines = [rf"\begin{{tabular}}{{{spec}}}", r"\hline", header, r"\hline"] + rows + [r"\hline", r"\end{tabular}"]
    setup = ("" if plan.size == "normalsize" else "\\" + plan.size) + (
        "" if plan.separation == _TABCOLSEP else rf"\setlength{{\tabcolsep}}{{{plan.separation:g}pt}}"
    )
    if setup:
        lines = [rf"\begingroup{setup}"] + lines + [r"\endgroup"]
    return "\n".join(lines)

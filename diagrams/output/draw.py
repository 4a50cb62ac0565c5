r"""Pictures of diagrams: one pure layout, four backends (TikZ, SVG, PNG, PDF).

The picture follows the paper's figures: the nodes sit on one horizontal
line in canonical postorder, so every node lies to the right of all its
descendants and the root is rightmost; each edge is an arc above the line
from a child to its parent.  Non-root nodes are black dots; the root is a
larger open circle.  Two choices keep the picture readable where the paper's
is ambiguous (docs/pictures.md compares them):

* **Parts** of two or more nodes are tinted regions below the line, one
  *comb* per part: a lobe round each member node, a stem down from each lobe
  and a bar joining the stems.  A bar runs below the nodes it passes, so it
  never touches a node outside its part; parts whose spans overlap get bars
  at different depths (a part nested inside another's span sits higher), and
  every part of a diagram has its own tint and dash pattern
  (:data:`PART_STYLES`), distinguishable in greyscale print.
* **Edges** into one node arrive at distinct angles (the shortest edge
  lowest), so several edges into the root fan out instead of merging.

:func:`layout` computes the primitives (:class:`Layout`) in abstract units,
one unit between neighbouring nodes, y pointing up.  The backends only
translate them: :func:`to_tikz` (a ``tikzpicture`` drawn with named styles a
document can restyle, see :func:`tikz_styles`), :func:`to_svg` (hand-written
SVG text), :func:`to_png` and :func:`to_pdf` (matplotlib, an optional
dependency: ``pip install sgd-diagrams[draw]``).  :func:`draw` writes a
file, :func:`gallery` draws every diagram of one order on one SVG sheet.

>>> from diagrams import parse
>>> L = layout(parse("[a:b][ab]"))
>>> [(n.node, n.x, n.root, n.part) for n in L.nodes]
[(0, 0.0, False, 1), (1, 1.0, False, 1), (2, 2.0, True, None)]
>>> [(e.child, e.parent) for e in L.edges], [(o.number, o.nodes, o.level) for o in L.outlines]
([(0, 2), (1, 2)], [(1, (0, 1), 0)])
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ..core.diagram import Diagram
from ..core.display import renders
from ..core.enumeration import enumerate_diagrams

__all__ = [
    "Layout",
    "NodeMark",
    "EdgeCurve",
    "PartOutline",
    "PartStyle",
    "PART_STYLES",
    "layout",
    "tikz_styles",
    "to_tikz",
    "to_svg",
    "to_png",
    "to_pdf",
    "draw",
    "gallery",
    "write_gallery",
]

# -- geometry (layout units: 1 = distance between neighbouring nodes) --------

NODE_SPACING = 1.0
NODE_RADIUS = 0.1
ROOT_RADIUS = 0.15
PADDING = 0.2

EDGE_LEAVE_DEG = 55.0  # direction in which an edge leaves its child, in degrees above the +x axis
EDGE_ARRIVE_DEG = 125.0  # direction, seen from the parent, of a lone incoming edge (a symmetric arc)
EDGE_FAN_DEG = (90.0, 165.0)  # directions, seen from a parent, that several incoming edges spread over...
ROOT_FAN_DEG = (60.0, 165.0)  # ...or at the root, which has no outgoing edge to keep clear of
EDGE_FAN_STEP_DEG = 30.0  # at most this far apart, centred in the range
EDGE_HANDLE = 0.4  # length of the Bézier handles per unit of span

LOBE_RADIUS = 0.26  # the round lobe a part draws about each of its nodes
STEM_HALF_WIDTH = 0.15  # half the width of a part's stems and bar
FILLET = 0.1  # radius of the rounded inside corner where a stem meets its bar
BAR_DEPTH = 0.58  # depth below the nodes of the centre line of a level-0 bar
BAR_STEP = 0.42  # further depth per level

# -- style ------------------------------------------------------------------


@dataclass(frozen=True)
class PartStyle:
    """How one part is painted: a grey tint and a dash pattern for its outline.

    ``tint`` is the share of black in the fill (0 white, 1 black); ``dash``
    alternates on and off lengths in points, ``()`` for a solid line.
    """

    tint: float
    dash: tuple[float, ...]


# Part k of a diagram (numbered from 1 by its first node) is painted with
# PART_STYLES[(k - 1) % 6]: tints and dashes both differ, so any two of the
# six stay apart in greyscale print.  Diagrams of order <= 11 have at most six
# parts of two or more nodes.
PART_STYLES = (
    PartStyle(0.14, ()),
    PartStyle(0.34, (2.4, 1.2)),
    PartStyle(0.04, (0.3, 1.2)),
    PartStyle(0.24, (3.2, 1.0, 0.3, 1.0)),
    PartStyle(0.45, (4.5, 1.8)),
    PartStyle(0.09, (1.2, 1.2, 1.2, 3.0)),
)
PART_LINE_PT = 0.5  # outline of a part
PART_LINE_GREY = 0.25  # grey level of part outlines (0 black, 1 white)
EDGE_WIDTH_PT = 0.8  # line widths of edges and of the root's ring, in points
ROOT_RING_PT = 1.0

TIKZ_UNIT_CM = 0.5  # a layout unit in the TikZ picture (the style "sgd diagram")
POINTS_PER_UNIT = TIKZ_UNIT_CM / 2.54 * 72  # the same, in points: line widths keep this proportion everywhere
SVG_UNIT_PX = 40.0
MPL_UNIT_INCH = 0.6
PNG_DPI = 300

Point = tuple[float, float]
Segment = tuple[Point, ...]  # two points: a straight line; four: a cubic Bézier curve


@dataclass(frozen=True)
class NodeMark:
    """A node drawn as a disc: black for ordinary nodes, an open ring for the root.

    ``part`` is the number of the drawn part (:class:`PartOutline`) holding
    the node, ``None`` when the node is alone in its part.
    """

    node: int
    x: float
    y: float
    radius: float
    root: bool
    part: int | None


@dataclass(frozen=True)
class EdgeCurve:
    """The edge from ``child`` to ``parent``: a cubic Bézier curve start → control1 → control2 → end."""

    child: int
    parent: int
    start: Point
    control1: Point
    control2: Point
    end: Point


@dataclass(frozen=True)
class PartOutline:
    """The closed outline of a part of two or more nodes (a comb: lobes, stems and a bar).

    ``number`` counts the drawn parts from 1 in the order of ``Diagram.parts``
    and picks the style (``sgd part k`` in TikZ, ``PART_STYLES[(k-1) % 6]``);
    ``level`` is the depth of the bar (0 just below the nodes).  ``boundary``
    is a closed path of segments, each starting where the previous one ends;
    the last one is a straight line back to the first point.
    """

    number: int
    nodes: tuple[int, ...]
    level: int
    boundary: tuple[Segment, ...]

    @property
    def style(self) -> PartStyle:
        return PART_STYLES[(self.number - 1) % len(PART_STYLES)]


@dataclass(frozen=True)
class Layout:
    """Everything a backend draws, back to front: part fills, part outlines, edges, nodes."""

    nodes: tuple[NodeMark, ...]
    edges: tuple[EdgeCurve, ...]
    outlines: tuple[PartOutline, ...]
    bounds: tuple[float, float, float, float]  # xmin, ymin, xmax, ymax

    @property
    def width(self) -> float:
        return self.bounds[2] - self.bounds[0]

    @property
    def height(self) -> float:
        return self.bounds[3] - self.bounds[1]


# -- layout ------------------------------------------------------------------


def layout(diagram: Diagram) -> Layout:
    """The picture of ``diagram`` as primitives (see the module docstring).

    Node ``v`` (canonical numbering, root last) sits at ``x = v·NODE_SPACING``
    on ``y = 0``; since ``parent[v] > v``, a node's x exceeds its descendants'.

    >>> from diagrams import parse
    >>> L = layout(parse("[a][a]"))
    >>> L.edges[0]
    EdgeCurve(child=0, parent=1, start=(0.0, 0.0), control1=(0.229431, 0.327661), control2=(0.770569, 0.327661), end=(1.0, 0.0))
    >>> L.bounds
    (-0.3, -0.35, 1.35, 0.446)
    """
    x = [v * NODE_SPACING for v in range(diagram.order + 1)]
    drawn = [part for part in diagram.parts if len(part) > 1]
    number = {v: k for k, part in enumerate(drawn, 1) for v in part}
    nodes = tuple(
        NodeMark(v, x[v], 0.0, ROOT_RADIUS if v == diagram.root else NODE_RADIUS, v == diagram.root, number.get(v))
        for v in range(diagram.order + 1)
    )
    edges = tuple(_edge(child, parent, x, diagram) for child, parent in diagram.edges)
    levels = _bar_levels(drawn)
    outlines = tuple(
        PartOutline(k, part, level, _comb([x[v] for v in part], BAR_DEPTH + BAR_STEP * level))
        for k, (part, level) in enumerate(zip(drawn, levels), 1)
    )
    points = [p for e in edges for p in _extremes((e.start, e.control1, e.control2, e.end))]
    for o in outlines:  # a comb reaches from lobe to lobe, and from the lobes' tops to its bar's bottom
        bottom = -(BAR_DEPTH + BAR_STEP * o.level + STEM_HALF_WIDTH)
        points += [(x[o.nodes[0]] - LOBE_RADIUS, bottom), (x[o.nodes[-1]] + LOBE_RADIUS, LOBE_RADIUS)]
    points += [(n.x + dx * n.radius, n.y + dy * n.radius) for n in nodes for dx, dy in ((-1, -1), (1, 1))]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    bounds = (  # padded, and rounded outwards to 3 places (rounding first drops float noise such as 0.30000000000000004)
        math.floor(round((min(xs) - PADDING) * 1000, 6)) / 1000,
        math.floor(round((min(ys) - PADDING) * 1000, 6)) / 1000,
        math.ceil(round((max(xs) + PADDING) * 1000, 6)) / 1000,
        math.ceil(round((max(ys) + PADDING) * 1000, 6)) / 1000,
    )
    return Layout(nodes, edges, outlines, bounds)


def _edge(child: int, parent: int, x: list[float], diagram: Diagram) -> EdgeCurve:
    """A cubic arc leaving the child at EDGE_LEAVE_DEG and reaching the parent at its own fan angle.

    A lone child arrives at EDGE_ARRIVE_DEG; several arrive in order of span,
    the nearest lowest, their directions spread evenly about the middle of
    the parent's fan range.
    """
    siblings = sorted(diagram.children[parent], reverse=True)  # nearest child first
    k, i = len(siblings), siblings.index(child)
    if k == 1:
        arrive = math.radians(EDGE_ARRIVE_DEG)
    else:
        lo, hi = ROOT_FAN_DEG if parent == diagram.root else EDGE_FAN_DEG
        step = min(EDGE_FAN_STEP_DEG, (hi - lo) / (k - 1))
        arrive = math.radians((lo + hi) / 2 + step * ((k - 1) / 2 - i))
    leave = math.radians(EDGE_LEAVE_DEG)
    handle = EDGE_HANDLE * (x[parent] - x[child])
    start, end = (x[child], 0.0), (x[parent], 0.0)
    control1 = _round((start[0] + handle * math.cos(leave), handle * math.sin(leave)))
    control2 = _round((end[0] + handle * math.cos(arrive), handle * math.sin(arrive)))
    return EdgeCurve(child, parent, start, control1, control2, end)


def _bar_levels(parts: list[tuple[int, ...]]) -> list[int]:
    """A depth level for each part's bar: parts whose spans overlap get different levels.

    Parts are placed shortest span first, each on the first level that is
    deeper than every part inside its span and free of every overlapping part,
    so a part nested inside another's span is drawn above it.

    >>> _bar_levels([(0, 3), (1, 2)]), _bar_levels([(0, 2), (1, 3)]), _bar_levels([(0, 1), (2, 3)])
    ([1, 0], [0, 1], [0, 0])
    """
    levels: dict[int, int] = {}
    for i in sorted(range(len(parts)), key=lambda i: (parts[i][-1] - parts[i][0], parts[i][0])):
        lo, hi = parts[i][0], parts[i][-1]
        overlapping = [j for j in levels if parts[j][0] < hi and lo < parts[j][-1]]
        inside = [levels[j] for j in overlapping if lo < parts[j][0] and parts[j][-1] < hi]
        taken = {levels[j] for j in overlapping}
        level = max(inside, default=-1) + 1
        while level in taken:
            level += 1
        levels[i] = level
    return [levels[i] for i in range(len(parts))]


def _comb(members: list[float], depth: float) -> tuple[Segment, ...]:
    """The closed outline round lobes at ``members`` (x on y = 0) joined by stems to a bar at ``-depth``.

    Traced clockwise from the left side of the first stem: over each lobe,
    down its stem and along the top of the bar to the next stem (with rounded
    inside corners), then round the far end, back along the bottom of the bar
    and up the first stem.
    """
    h, f, r = STEM_HALF_WIDTH, FILLET, LOBE_RADIUS
    s = math.sqrt(r * r - h * h)  # the lobe meets its stem at y = -s
    meet = math.atan2(s, h)
    top = -depth + h  # the top edge of the bar
    segments: list[Segment] = []
    for i, m in enumerate(members):
        segments += _arc((m, 0.0), r, math.pi + meet, -meet)
        if i + 1 < len(members):
            n = members[i + 1]
            segments.append(((m + h, -s), (m + h, top + f)))
            segments += _arc((m + h + f, top + f), f, math.pi, 1.5 * math.pi)
            segments.append(((m + h + f, top), (n - h - f, top)))
            segments += _arc((n - h - f, top + f), f, 1.5 * math.pi, 2 * math.pi)
            segments.append(((n - h, top + f), (n - h, -s)))
    first, last = members[0], members[-1]
    segments.append(((last + h, -s), (last + h, -depth)))
    segments += _arc((last, -depth), h, 0.0, -0.5 * math.pi)
    segments.append(((last, -depth - h), (first, -depth - h)))
    segments += _arc((first, -depth), h, -0.5 * math.pi, -math.pi)
    segments.append(((first - h, -depth), (first - h, -s)))
    path = [segments[0]]  # each segment starts exactly where the last ended (arcs end up to float noise off)
    for segment in segments[1:]:
        path.append((path[-1][-1],) + segment[1:])
    path[-1] = (path[-1][0], path[0][0])
    return tuple(path)


def _arc(centre: Point, radius: float, start: float, end: float) -> list[Segment]:
    """A circular arc from angle ``start`` to ``end`` (radians, either way round) as cubic Béziers of ≤ 90°."""
    pieces = max(1, math.ceil(abs(end - start) / (math.pi / 2) - 1e-9))
    delta = (end - start) / pieces
    k = 4 / 3 * math.tan(delta / 4) * radius
    cx, cy = centre
    out: list[Segment] = []
    for j in range(pieces):
        a, b = start + j * delta, start + (j + 1) * delta
        p0 = (cx + radius * math.cos(a), cy + radius * math.sin(a))
        p3 = (cx + radius * math.cos(b), cy + radius * math.sin(b))
        p1 = (p0[0] - k * math.sin(a), p0[1] + k * math.cos(a))
        p2 = (p3[0] + k * math.sin(b), p3[1] - k * math.cos(b))
        out.append((p0, p1, p2, p3))
    return out


def _round(point: Point) -> Point:
    """Coordinates to 6 places (and no ``-0.0``), so the layout is stable and prints short."""
    return (round(point[0], 6) + 0.0, round(point[1], 6) + 0.0)


def _extremes(segment: Segment) -> list[Point]:
    """Points of a segment that include its extremes in x and in y: the ends, and for a cubic the
    points where dx/dt or dy/dt vanishes (roots of the derivative, a quadratic in t).

    >>> _extremes(((0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)))[-1]
    (0.5, 0.75)
    """
    if len(segment) == 2:
        return list(segment)
    times = []
    for axis in (0, 1):
        p0, p1, p2, p3 = (point[axis] for point in segment)
        a, b, c = (p1 - p0) - 2 * (p2 - p1) + (p3 - p2), 2 * ((p2 - p1) - (p1 - p0)), p1 - p0
        if abs(a) < 1e-12:
            times += [-c / b] if abs(b) > 1e-12 else []
        elif b * b - 4 * a * c >= 0:
            root = math.sqrt(b * b - 4 * a * c)
            times += [(-b - root) / (2 * a), (-b + root) / (2 * a)]
    out = [segment[0], segment[3]]
    for t in times:
        if 0 < t < 1:
            weights = ((1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3)
            x, y = (sum(w * point[axis] for w, point in zip(weights, segment)) for axis in (0, 1))
            out.append((x, y))
    return out


# -- options -----------------------------------------------------------------


def _positive(value, name: str) -> float:
    """``value`` as a positive finite float; refuses text and booleans (TypeError) and others (ValueError)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a positive number, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return value


# -- TikZ --------------------------------------------------------------------


def _num(value: float) -> str:
    """A short decimal: at most three places, no trailing zeros, no ``-0``."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _pt(point: Point) -> str:
    return f"({_num(point[0])},{_num(point[1])})"


def _percent(share: float) -> str:
    return _num(100 * share)


def _tikz_dash(dash: tuple[float, ...]) -> str:
    if not dash:
        return "solid"
    return "dash pattern=" + " ".join(
        f"{'on' if j % 2 == 0 else 'off'} {_num(length)}pt" for j, length in enumerate(dash)
    )


def _style_bodies(parts: int) -> dict[str, str]:
    """The default TikZ styles, by name, for a picture with ``parts`` drawn parts."""
    bodies = {
        "sgd diagram": f"x={_num(TIKZ_UNIT_CM)}cm, y={_num(TIKZ_UNIT_CM)}cm",
        "sgd edge": f"draw=black, line width={_num(EDGE_WIDTH_PT)}pt",
        "sgd node": "fill=black",
        "sgd root": f"draw=black, fill=white, line width={_num(ROOT_RING_PT)}pt",
        "sgd part": (
            f"draw=black!{_percent(1 - PART_LINE_GREY)}, line width={_num(PART_LINE_PT)}pt, "
            "line cap=round, line join=round"
        ),
    }
    for k in range(1, parts + 1):
        style = PART_STYLES[(k - 1) % len(PART_STYLES)]
        bodies[f"sgd part {k}"] = f"fill=black!{_percent(style.tint)}, {_tikz_dash(style.dash)}"
    return bodies


def tikz_styles() -> str:
    r"""The ``\tikzset`` block of the styles :func:`to_tikz` draws with, for a document's preamble.

    Put it in the preamble, then restyle any of them after it, e.g.
    ``\tikzset{sgd part 1/.append style={fill=blue!20}}`` or
    ``\tikzset{sgd diagram/.style={x=0.3cm, y=0.3cm}}``.  The styles:
    ``sgd diagram`` (the scope of the whole picture: its unit), ``sgd edge``,
    ``sgd node``, ``sgd root`` (the root's ring), ``sgd part`` (every part's
    region) and ``sgd part 1`` … ``sgd part 6`` (tint and dash of the k-th
    part; a picture with more parts cycles through these six).  Nodes of part
    k also get ``sgd part k node`` when the document defines it (it has no
    default), e.g. ``\tikzset{sgd part 1 node/.style={fill=red}}`` colours
    the nodes by part, as the paper does.

    >>> print(tikz_styles().splitlines()[2])
      sgd edge/.style={draw=black, line width=0.8pt},
    """
    bodies = _style_bodies(len(PART_STYLES))
    lines = [f"  {name}/.style={{{body}}}," for name, body in bodies.items()]
    lines[-1] = lines[-1].rstrip(",")
    return "\n".join([r"\tikzset{"] + lines + ["}"])


@renders("tikz")
def to_tikz(diagram: Diagram, *, scale: float = 1.0, define_styles: bool = True, standalone: bool = False) -> str:
    r"""A ``tikzpicture`` of ``diagram``, drawn with the named styles of :func:`tikz_styles`.

    By default (``define_styles``) the picture first defines, with their
    default values, the styles it uses that the document has not defined, so
    it needs nothing but ``\usepackage{tikz}`` (pdflatex is fine) and follows
    whatever the document's ``\tikzset`` says.  With ``define_styles=False``
    the document must provide them (include :func:`tikz_styles`).
    ``standalone=True`` returns a whole LaTeX document, one page the size of
    the picture, with the styles (:func:`tikz_styles`) in its preamble.  ``scale`` multiplies the picture's size, not
    its line widths.  The baseline is the picture's vertical centre, so it
    sits well in text, formulas and table cells.

    >>> from diagrams import parse
    >>> print(to_tikz(parse("[a][a]"), define_styles=False))
    \begin{tikzpicture}[baseline={([yshift=-0.5ex]current bounding box.center)}]
    \begin{scope}[sgd diagram]
    \useasboundingbox (-0.3,-0.35) rectangle (1.35,0.446);
    \path[sgd edge] (0,0) .. controls (0.229,0.328) and (0.771,0.328) .. (1,0);
    \path[sgd node] (0,0) circle[radius=0.1];
    \path[sgd root] (1,0) circle[radius=0.15];
    \end{scope}
    \end{tikzpicture}
    >>> print(to_tikz(parse("[a][a]")).splitlines()[1])
    \pgfkeysifdefined{/tikz/sgd diagram/.@cmd}{}{\tikzset{sgd diagram/.style={x=0.5cm, y=0.5cm}}}
    """
    scale = _positive(scale, "scale")
    shape = layout(diagram)
    if standalone:  # a page exactly the picture's size (the standalone class is not in every TeX installation)
        size = (f"{_num(extent * TIKZ_UNIT_CM * scale)}cm" for extent in (shape.width, shape.height))
        return "\n".join(
            [
                r"\documentclass{article}",
                r"\usepackage[paperwidth=%s, paperheight=%s, margin=0pt]{geometry}" % tuple(size),
                r"\usepackage{tikz}",
                r"\pagestyle{empty}",
                r"\setlength{\topskip}{0pt}",
                r"\setlength{\parindent}{0pt}",
                tikz_styles(),
                r"\begin{document}",
                r"\enlargethispage{1cm}%  the page's own \write nodes must not push the picture onto a second page",
                r"\raisebox{\depth}{%",
                to_tikz(diagram, scale=scale, define_styles=False) + "%",
                "}",
                r"\end{document}",
            ]
        )
    xmin, ymin, xmax, ymax = shape.bounds
    lines = [r"\begin{tikzpicture}[baseline={([yshift=-0.5ex]current bounding box.center)}]"]
    if define_styles:
        for name, body in _style_bodies(len(shape.outlines)).items():
            if name == "sgd part" and not shape.outlines:
                continue
            lines.append(rf"\pgfkeysifdefined{{/tikz/{name}/.@cmd}}{{}}{{\tikzset{{{name}/.style={{{body}}}}}}}")
    lines.append(r"\begin{scope}[sgd diagram" + ("" if scale == 1 else f", scale={_num(scale)}") + "]")
    lines.append(rf"\useasboundingbox {_pt((xmin, ymin))} rectangle {_pt((xmax, ymax))};")
    for paint in ("draw=none", "fill=none"):  # every fill first, then every outline on top
        for outline in shape.outlines:
            lines.append(rf"\path[sgd part, sgd part {outline.number}, {paint}] {_tikz_path(outline.boundary)};")
    for edge in shape.edges:
        lines.append(rf"\path[sgd edge] {_tikz_path([(edge.start, edge.control1, edge.control2, edge.end)])};")
    for node in shape.nodes:
        style = "sgd root" if node.root else "sgd node"
        if node.part is not None:
            style += f", sgd part {node.part} node/.try"
        lines.append(rf"\path[{style}] {_pt((node.x, node.y))} circle[radius={_num(node.radius)}];")
    lines += [r"\end{scope}", r"\end{tikzpicture}"]
    return "\n".join(lines)


def _tikz_path(segments) -> str:
    """TikZ path text; a closed outline (``segments`` ends with the line back to its start) ends in ``cycle``."""
    closed = len(segments) > 1 and segments[-1][-1] == segments[0][0]
    text = _pt(segments[0][0])
    for segment in segments[:-1] if closed else segments:
        if len(segment) == 2:
            text += f" -- {_pt(segment[1])}"
        else:
            text += f" .. controls {_pt(segment[1])} and {_pt(segment[2])} .. {_pt(segment[3])}"
    return text + (" -- cycle" if closed else "")


# -- SVG ---------------------------------------------------------------------


def _grey_hex(share_of_black: float) -> str:
    return "#" + f"{round(255 * (1 - share_of_black)):02x}" * 3


def _svg_path(segments, unit: float) -> str:
    """SVG path data (y flipped); a closed outline ends in ``Z`` instead of its last line."""
    closed = len(segments) > 1 and segments[-1][-1] == segments[0][0]

    def xy(point: Point) -> str:
        return f"{_num(point[0] * unit)} {_num(-point[1] * unit)}"

    text = "M " + xy(segments[0][0])
    for segment in segments[:-1] if closed else segments:
        text += (" L " if len(segment) == 2 else " C ") + " ".join(xy(p) for p in segment[1:])
    return text + (" Z" if closed else "")


def _svg_elements(shape: Layout, unit: float) -> list[str]:
    """The SVG elements of a picture, in user units of ``unit`` per layout unit."""
    px_per_pt = unit / POINTS_PER_UNIT  # line widths keep their proportion to the TikZ picture
    elements = []
    for outline in shape.outlines:
        style = outline.style
        members = " ".join(map(str, outline.nodes))
        elements.append(
            f'<path class="part part-{outline.number}" data-nodes="{members}" d="{_svg_path(outline.boundary, unit)}" '
            f'fill="{_grey_hex(style.tint)}" stroke="none"/>'
        )
    for outline in shape.outlines:
        style = outline.style
        dash = ""
        if style.dash:
            dash = f' stroke-dasharray="{" ".join(_num(length * px_per_pt) for length in style.dash)}"'
        elements.append(
            f'<path class="part-outline part-{outline.number}" d="{_svg_path(outline.boundary, unit)}" fill="none" '
            f'stroke="{_grey_hex(1 - PART_LINE_GREY)}" stroke-width="{_num(PART_LINE_PT * px_per_pt)}"{dash} '
            'stroke-linecap="round" stroke-linejoin="round"/>'
        )
    for edge in shape.edges:
        curve = _svg_path([(edge.start, edge.control1, edge.control2, edge.end)], unit)
        elements.append(
            f'<path class="edge" d="{curve}" fill="none" stroke="black" '
            f'stroke-width="{_num(EDGE_WIDTH_PT * px_per_pt)}"/>'
        )
    for node in shape.nodes:
        where = f'data-node="{node.node}" cx="{_num(node.x * unit)}" cy="{_num(-node.y * unit)}" r="{_num(node.radius * unit)}"'
        if node.root:
            elements.append(
                f'<circle class="node root" {where} fill="white" stroke="black" '
                f'stroke-width="{_num(ROOT_RING_PT * px_per_pt)}"/>'
            )
        else:
            elements.append(f'<circle class="node" {where} fill="black"/>')
    return elements


@renders("svg")
def to_svg(diagram: Diagram, *, scale: float = 1.0) -> str:
    """An SVG document of ``diagram``, written by hand (no dependencies).

    ``scale`` multiplies the size, line widths included (1 is 40 px per
    node spacing).  Elements carry classes a style sheet can address:
    ``part part-k`` (the fill of the k-th part, ``data-nodes`` listing its
    nodes), ``part-outline part-k`` (its outline, drawn after every fill),
    ``edge``, and ``node`` (one circle per node, ``data-node`` its number; the
    root's also has class ``root``).

    >>> from diagrams import parse
    >>> svg = to_svg(parse("[a:b][ab]"))
    >>> svg.count('class="edge"'), svg.count('class="part '), svg.count("<circle")
    (2, 1, 3)
    """
    scale = _positive(scale, "scale")
    unit = SVG_UNIT_PX * scale
    shape = layout(diagram)
    xmin, ymin, xmax, ymax = (value * unit for value in shape.bounds)
    width, height = xmax - xmin, ymax - ymin
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="{_num(xmin)} {_num(-ymax)} {_num(width)} {_num(height)}">',
        f"<title>{escape(diagram.text)}</title>",
    ]
    lines += _svg_elements(shape, unit)
    lines.append("</svg>")
    return "\n".join(lines)


# -- PNG and PDF (matplotlib) ------------------------------------------------


def _figure(diagram: Diagram, scale: float):
    """A matplotlib Figure of ``diagram``, MPL_UNIT_INCH·scale inches per layout unit."""
    try:
        from matplotlib.figure import Figure
        from matplotlib.patches import Circle, PathPatch
        from matplotlib.path import Path as MplPath
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("PNG and PDF output need matplotlib: pip install 'sgd-diagrams[draw]'") from error

    shape = layout(diagram)
    xmin, ymin, xmax, ymax = shape.bounds
    inch = MPL_UNIT_INCH * scale
    figure = Figure(figsize=(shape.width * inch, shape.height * inch))
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(xmin, xmax)
    axes.set_ylim(ymin, ymax)
    axes.set_aspect("equal")
    axes.axis("off")
    pt = inch * 72 / POINTS_PER_UNIT  # figure points per TikZ point: line widths keep their proportion

    def path(segments):
        closed = len(segments) > 1 and segments[-1][-1] == segments[0][0]
        vertices, codes = [segments[0][0]], [MplPath.MOVETO]
        for segment in segments[:-1] if closed else segments:
            vertices += segment[1:]
            codes += [MplPath.LINETO] if len(segment) == 2 else [MplPath.CURVE4] * 3
        if closed:
            vertices.append(segments[0][0])
            codes.append(MplPath.CLOSEPOLY)
        return MplPath(vertices, codes)

    for outline in shape.outlines:
        grey = 1 - outline.style.tint
        axes.add_patch(PathPatch(path(outline.boundary), facecolor=(grey,) * 3, edgecolor="none", zorder=1))
    for outline in shape.outlines:
        width = PART_LINE_PT * pt
        patch = PathPatch(
            path(outline.boundary),
            fill=False,
            edgecolor=(PART_LINE_GREY,) * 3,
            linewidth=width,
            capstyle="round",
            joinstyle="round",
            zorder=2,
        )
        if outline.style.dash:  # matplotlib scales dashes by the line width: undo that
            patch.set_linestyle((0, tuple(length * pt / width for length in outline.style.dash)))
        axes.add_patch(patch)
    for edge in shape.edges:
        curve = path([(edge.start, edge.control1, edge.control2, edge.end)])
        axes.add_patch(PathPatch(curve, fill=False, edgecolor="black", linewidth=EDGE_WIDTH_PT * pt, zorder=3))
    for node in shape.nodes:
        if node.root:
            ring = ROOT_RING_PT * pt
            disc = Circle((node.x, node.y), node.radius, facecolor="white", edgecolor="black", linewidth=ring)
        else:
            disc = Circle((node.x, node.y), node.radius, facecolor="black", edgecolor="none")
        disc.set_zorder(4)
        axes.add_patch(disc)
    return figure


def to_png(diagram: Diagram, dpi: float = PNG_DPI, *, scale: float = 1.0) -> bytes:
    """PNG bytes of ``diagram`` at ``dpi`` pixels per inch (``pip install sgd-diagrams[draw]``).

    ``scale`` multiplies the size, line widths included (1 is 0.6 inch per
    node spacing).
    """
    dpi, scale = _positive(dpi, "dpi"), _positive(scale, "scale")
    buffer = io.BytesIO()
    _figure(diagram, scale).savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def to_pdf(diagram: Diagram, *, scale: float = 1.0) -> bytes:
    """PDF bytes of ``diagram`` (vector; ``pip install sgd-diagrams[draw]``); ``scale`` as in :func:`to_png`."""
    scale = _positive(scale, "scale")
    buffer = io.BytesIO()
    _figure(diagram, scale).savefig(buffer, format="pdf", facecolor="white", metadata={"CreationDate": None})
    return buffer.getvalue()


# -- files -------------------------------------------------------------------

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".tex": "tex"}


@renders("draw")
def draw(diagram: Diagram, path, format: str | None = None, *, dpi: float | None = None, scale: float = 1.0) -> Path:
    """Write a picture of ``diagram`` to ``path``; the format comes from the suffix (.svg, .png, .pdf, .tex).

    ``dpi`` is the resolution of a PNG (default PNG_DPI); the vector formats
    have none and ignore it.  ``scale`` multiplies the picture's size (see
    :func:`to_svg`, :func:`to_png`, :func:`to_tikz`).  A ``.tex`` file holds
    the bare ``tikzpicture`` (for ``\\input``; it defines its own styles).

    >>> import tempfile, os
    >>> from diagrams import parse
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = draw(parse("[a:b][ab]"), os.path.join(folder, "d.svg"), scale=2)
    ...     out.read_text().startswith("<svg")
    True
    """
    path = Path(path)
    kind = format or FORMATS.get(path.suffix.lower())
    if kind not in FORMATS.values():
        raise ValueError(f"cannot tell the picture format of {str(path)!r}: use a .svg, .png, .pdf or .tex file name")
    dpi = PNG_DPI if dpi is None else _positive(dpi, "dpi")
    if kind == "png":
        path.write_bytes(to_png(diagram, dpi, scale=scale))
    elif kind == "pdf":
        path.write_bytes(to_pdf(diagram, scale=scale))
    elif kind == "svg":
        path.write_text(to_svg(diagram, scale=scale) + "\n", encoding="utf-8")
    else:
        path.write_text(to_tikz(diagram, scale=scale) + "\n", encoding="utf-8")
    return path


# -- gallery -----------------------------------------------------------------

GALLERY_COLUMNS = 6
CAPTION_PX = 12.0  # font size of the captions under the pictures


def gallery(order: int, *, root_tied: bool = False, columns: int = GALLERY_COLUMNS) -> str:
    """One SVG sheet with every diagram of ``order`` (ordinary or root-tied), each captioned with its text.

    The diagrams come in enumeration order, row by row; each picture sits
    centred in a cell as wide as the widest of them, all node lines of a row
    at one height.

    >>> sheet = gallery(2)
    >>> sheet.count("<title>"), sheet.count('class="caption"'), sheet.count('class="node root"')
    (1, 4, 4)
    """
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise ValueError(f"columns must be a whole number >= 1, got {columns!r}")
    diagrams = list(enumerate_diagrams(order, root_tied=root_tied))
    if not diagrams:
        raise ValueError(f"there are no {'root-tied ' if root_tied else ''}diagrams of order {order} to draw")
    shapes = [layout(D) for D in diagrams]
    unit = SVG_UNIT_PX
    cell_w = max(s.width for s in shapes) * unit + CAPTION_PX
    above = max(s.bounds[3] for s in shapes) * unit  # room above the node line
    picture_h = above - min(s.bounds[1] for s in shapes) * unit
    cell_h = picture_h + 2 * CAPTION_PX
    rows = -(-len(diagrams) // columns)
    width, height = min(columns, len(diagrams)) * cell_w, rows * cell_h
    kind = "root-tied diagrams" if root_tied else "diagrams"
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}">',
        f"<title>{escape(f'All {len(diagrams)} {kind} of order {order}')}</title>",
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    for i, (D, shape) in enumerate(zip(diagrams, shapes)):
        left = (i % columns) * cell_w + (cell_w - shape.width * unit) / 2
        dx, dy = left - shape.bounds[0] * unit, (i // columns) * cell_h + above
        lines.append(f'<g class="diagram" data-text={quoteattr(D.text)} transform="translate({_num(dx)} {_num(dy)})">')
        lines += _svg_elements(shape, unit)
        lines.append("</g>")
        cx, cy = (i % columns + 0.5) * cell_w, (i // columns) * cell_h + picture_h + 1.25 * CAPTION_PX
        lines.append(
            f'<text class="caption" x="{_num(cx)}" y="{_num(cy)}" text-anchor="middle" '
            f'font-family="monospace" font-size="{_num(CAPTION_PX)}">{escape(D.text)}</text>'
        )
    lines.append("</svg>")
    return "\n".join(lines)


def write_gallery(folder, max_order: int = 3) -> list[Path]:
    """Write :func:`gallery` sheets of orders ``0 … max_order`` (ordinary and root-tied) and an index.md to ``folder``.

    Returns the paths written: ``order-d.svg``, ``root-tied-order-d.svg``
    (from order 1, the first with root-tied diagrams) and ``index.md``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    index = [
        "# Gallery",
        "",
        "Every diagram of order ≤ %d, drawn by `diagrams.output.draw` (regenerate with" % max_order,
        "`python benchmarks/gallery.py`).  Nodes sit on a line in canonical order, root (open circle)",
        "rightmost; edges are arcs above the line; each part of two or more nodes is a tinted comb",
        "below the line, with its own tint and dash pattern.  [pictures.md](../pictures.md) explains the",
        "choices and how they differ from the paper's figures.",
        "",
    ]
    for root_tied in (False, True):
        for order in range(1 if root_tied else 0, max_order + 1):
            name = f"{'root-tied-' if root_tied else ''}order-{order}.svg"
            (folder / name).write_text(gallery(order, root_tied=root_tied) + "\n", encoding="utf-8")
            written.append(folder / name)
            texts = [D.text for D in enumerate_diagrams(order, root_tied=root_tied)]
            kind = ("root-tied " if root_tied else "") + ("diagram" if len(texts) == 1 else "diagrams")
            index += [f"## {len(texts)} {kind} of order {order}", "", f"![{kind} of order {order}]({name})", ""]
            index.append(", ".join(f"`{text}`" for text in texts))
            index.append("")
    (folder / "index.md").write_text("\n".join(index), encoding="utf-8")
    written.append(folder / "index.md")
    return written

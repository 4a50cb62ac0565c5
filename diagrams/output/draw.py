r"""Pictures of diagrams: one pure layout, three backends (TikZ, SVG, PNG).

The picture follows the paper's figures: the nodes sit on one horizontal
line in canonical postorder, so every node lies to the right of all its
descendants and the root is rightmost; each edge is an arc above the line
from a child to its parent (taller for longer spans, so arcs that share an
end stay apart); each part with two or more nodes is a grey rounded band
below the line through its nodes (the paper's "fuzzy ties").  Non-root nodes
are black dots; the root is a larger open circle.

:func:`layout` computes the primitives (:class:`Layout`: nodes, edges as
quadratic Bézier curves, part outlines) in abstract units, one unit between
neighbouring nodes, y pointing up.  The backends only translate them:
:func:`to_tikz` (a ``tikzpicture`` needing nothing but ``\usepackage{tikz}``),
:func:`to_svg` (hand-written SVG text) and :func:`to_png` (matplotlib, an
optional dependency: ``pip install sgd-diagrams[draw]``).

>>> from diagrams import parse
>>> L = layout(parse("[a:b][ab]"))
>>> [(n.node, n.x, n.root) for n in L.nodes]
[(0, 0.0, False), (1, 1.0, False), (2, 2.0, True)]
>>> [(e.child, e.parent) for e in L.edges], [o.nodes for o in L.outlines]
([(0, 2), (1, 2)], [(0, 1)])
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from ..core.diagram import Diagram

__all__ = [
    "Layout",
    "NodeMark",
    "EdgeCurve",
    "PartOutline",
    "layout",
    "to_tikz",
    "to_svg",
    "to_png",
    "draw",
]

# -- spacing and style (layout units: 1 = distance between neighbouring nodes) --

NODE_SPACING = 1.0
NODE_RADIUS = 0.1
ROOT_RADIUS = 0.15
EDGE_BEND = 0.5  # height of an edge's Bézier control point per unit of span (apex = half of it)
TIE_BEND = 0.5  # depth of a part outline's control point per unit of span
TIE_WIDTH = 0.42  # thickness of a part outline: a band wider than the nodes it holds
PADDING = 0.25

EDGE_COLOR = "black"
TIE_GREY = 0.55  # grey level of part outlines (0 black, 1 white)
TIE_OPACITY = 0.55
EDGE_WIDTH_PT = 0.8  # line widths of edges and of the root's ring, in points
ROOT_RING_PT = 1.0

TIKZ_UNIT_CM = 0.5
SVG_UNIT_PX = 40.0
PNG_UNIT_INCH = 0.6
PNG_DPI = 150

Point = tuple[float, float]


@dataclass(frozen=True)
class NodeMark:
    """A node drawn as a disc: black for ordinary nodes, an open ring for the root."""

    node: int
    x: float
    y: float
    radius: float
    root: bool


@dataclass(frozen=True)
class EdgeCurve:
    """The edge from ``child`` to ``parent``: a quadratic Bézier curve start → control → end."""

    child: int
    parent: int
    start: Point
    control: Point
    end: Point


@dataclass(frozen=True)
class PartOutline:
    """A part of two or more nodes: a wide rounded grey band along quadratic Bézier segments.

    ``segments`` holds (start, control, end) triples joining the part's nodes
    from left to right.
    """

    part: int
    nodes: tuple[int, ...]
    segments: tuple[tuple[Point, Point, Point], ...]
    width: float


@dataclass(frozen=True)
class Layout:
    """Everything a backend draws, back to front: outlines, then edges, then nodes."""

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


def layout(diagram: Diagram) -> Layout:
    """The picture of ``diagram`` as primitives (see the module docstring).

    Node ``v`` (canonical numbering, root last) sits at ``x = v·NODE_SPACING``
    on ``y = 0``; since ``parent[v] > v``, a node's x exceeds its descendants'.

    >>> from diagrams import parse
    >>> L = layout(parse("[a][a]"))
    >>> L.edges[0]
    EdgeCurve(child=0, parent=1, start=(0.0, 0.0), control=(0.5, 0.5), end=(1.0, 0.0))
    >>> L.bounds
    (-0.25, -0.4, 1.25, 0.5)
    """
    x = [v * NODE_SPACING for v in range(diagram.order + 1)]
    nodes = tuple(
        NodeMark(v, x[v], 0.0, ROOT_RADIUS if v == diagram.root else NODE_RADIUS, v == diagram.root)
        for v in range(diagram.order + 1)
    )
    edges = tuple(
        EdgeCurve(v, p, (x[v], 0.0), ((x[v] + x[p]) / 2, EDGE_BEND * (p - v)), (x[p], 0.0))
        for v, p in diagram.edges
    )
    outlines = tuple(
        PartOutline(
            number,
            part,
            tuple(((x[a], 0.0), ((x[a] + x[b]) / 2, -TIE_BEND * (b - a)), (x[b], 0.0)) for a, b in zip(part, part[1:])),
            TIE_WIDTH,
        )
        for number, part in enumerate(diagram.parts)
        if len(part) > 1
    )
    top = max([e.control[1] / 2 for e in edges] + [ROOT_RADIUS]) + PADDING
    bottom = min([s[1][1] / 2 - TIE_WIDTH / 2 for o in outlines for s in o.segments] + [-ROOT_RADIUS]) - PADDING
    bounds = (-PADDING, round(bottom, 6), x[-1] + PADDING, round(top, 6))
    return Layout(nodes, edges, outlines, bounds)


# -- TikZ ------------------------------------------------------------------


def _num(value: float) -> str:
    """A short decimal: at most three places, no trailing zeros, no ``-0``."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _pt(point: Point) -> str:
    return f"({_num(point[0])},{_num(point[1])})"


def _cubic(start: Point, control: Point, end: Point) -> tuple[Point, Point]:
    """The two control points of the cubic Bézier equal to a quadratic one."""
    return (
        (start[0] + 2 * (control[0] - start[0]) / 3, start[1] + 2 * (control[1] - start[1]) / 3),
        (end[0] + 2 * (control[0] - end[0]) / 3, end[1] + 2 * (control[1] - end[1]) / 3),
    )


def _tikz_curve(segments) -> str:
    text = _pt(segments[0][0])
    for start, control, end in segments:
        c1, c2 = _cubic(start, control, end)
        text += f" .. controls {_pt(c1)} and {_pt(c2)} .. {_pt(end)}"
    return text


def to_tikz(diagram: Diagram) -> str:
    r"""A ``tikzpicture`` of ``diagram``; needs only ``\usepackage{tikz}`` (pdflatex is fine).

    The picture's baseline is its vertical centre, so it sits well in text,
    formulas and table cells.

    >>> from diagrams import parse
    >>> print(to_tikz(parse("[a][a]")))
    \begin{tikzpicture}[x=0.5cm, y=0.5cm, baseline={([yshift=-0.5ex]current bounding box.center)}]
    \useasboundingbox (-0.25,-0.4) rectangle (1.25,0.5);
    \draw[line width=0.8pt] (0,0) .. controls (0.333,0.333) and (0.667,0.333) .. (1,0);
    \fill (0,0) circle[radius=0.1];
    \filldraw[fill=white, line width=1pt] (1,0) circle[radius=0.15];
    \end{tikzpicture}
    """
    shape = layout(diagram)
    xmin, ymin, xmax, ymax = shape.bounds
    unit = f"{_num(TIKZ_UNIT_CM)}cm"
    grey = round(100 * (1 - TIE_GREY))
    lines = [
        rf"\begin{{tikzpicture}}[x={unit}, y={unit}, baseline={{([yshift=-0.5ex]current bounding box.center)}}]",
        rf"\useasboundingbox {_pt((xmin, ymin))} rectangle {_pt((xmax, ymax))};",
    ]
    for outline in shape.outlines:
        width = f"{_num(outline.width * TIKZ_UNIT_CM)}cm"
        lines.append(
            rf"\draw[line width={width}, line cap=round, line join=round, black!{grey}, opacity={_num(TIE_OPACITY)}] "
            + _tikz_curve(outline.segments)
            + ";"
        )
    for edge in shape.edges:
        curve = _tikz_curve([(edge.start, edge.control, edge.end)])
        lines.append(rf"\draw[line width={_num(EDGE_WIDTH_PT)}pt] {curve};")
    for node in shape.nodes:
        where = f"{_pt((node.x, node.y))} circle[radius={_num(node.radius)}]"
        if node.root:
            lines.append(rf"\filldraw[fill=white, line width={_num(ROOT_RING_PT)}pt] {where};")
        else:
            lines.append(rf"\fill {where};")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)


# -- SVG -------------------------------------------------------------------


def _svg_xy(point: Point) -> str:
    return f"{_num(point[0] * SVG_UNIT_PX)} {_num(-point[1] * SVG_UNIT_PX)}"


def _svg_path(segments) -> str:
    text = "M " + _svg_xy(segments[0][0])
    for _start, control, end in segments:
        text += " Q " + _svg_xy(control) + " " + _svg_xy(end)
    return text


def to_svg(diagram: Diagram) -> str:
    """An SVG document of ``diagram``, written by hand (no dependencies).

    Elements carry classes: ``part`` (one path per part outline), ``edge``
    (one path per edge) and ``node`` (one circle per node; the root's also has
    class ``root``).

    >>> from diagrams import parse
    >>> svg = to_svg(parse("[a:b][ab]"))
    >>> svg.count('class="edge"'), svg.count('class="part"'), svg.count("<circle")
    (2, 1, 3)
    """
    shape = layout(diagram)
    xmin, ymin, xmax, ymax = (value * SVG_UNIT_PX for value in shape.bounds)
    width, height = xmax - xmin, ymax - ymin
    grey = "#" + f"{round(255 * TIE_GREY):02x}" * 3
    px_per_pt = SVG_UNIT_PX / (TIKZ_UNIT_CM / 2.54 * 72)  # keep line widths in proportion with the TikZ picture
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="{_num(xmin)} {_num(-ymax)} {_num(width)} {_num(height)}">',
        f"<title>{escape(diagram.text)}</title>",
    ]
    for outline in shape.outlines:
        lines.append(
            f'<path class="part" d="{_svg_path(outline.segments)}" fill="none" stroke="{grey}" '
            f'stroke-opacity="{_num(TIE_OPACITY)}" stroke-width="{_num(outline.width * SVG_UNIT_PX)}" '
            'stroke-linecap="round" stroke-linejoin="round"/>'
        )
    for edge in shape.edges:
        lines.append(
            f'<path class="edge" d="{_svg_path([(edge.start, edge.control, edge.end)])}" fill="none" '
            f'stroke="{EDGE_COLOR}" stroke-width="{_num(EDGE_WIDTH_PT * px_per_pt)}"/>'
        )
    for node in shape.nodes:
        x, y = _svg_xy((node.x, node.y)).split()
        r = _num(node.radius * SVG_UNIT_PX)
        if node.root:
            lines.append(
                f'<circle class="node root" cx="{x}" cy="{y}" r="{r}" fill="white" stroke="{EDGE_COLOR}" '
                f'stroke-width="{_num(ROOT_RING_PT * px_per_pt)}"/>'
            )
        else:
            lines.append(f'<circle class="node" cx="{x}" cy="{y}" r="{r}" fill="{EDGE_COLOR}"/>')
    lines.append("</svg>")
    return "\n".join(lines)


# -- PNG (matplotlib) ------------------------------------------------------


def to_png(diagram: Diagram, dpi: int = PNG_DPI) -> bytes:
    """PNG bytes of ``diagram``, drawn with matplotlib (``pip install sgd-diagrams[draw]``)."""
    try:
        from matplotlib.figure import Figure
        from matplotlib.patches import Circle, PathPatch
        from matplotlib.path import Path as MplPath
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("PNG output needs matplotlib: pip install 'sgd-diagrams[draw]'") from error

    shape = layout(diagram)
    xmin, ymin, xmax, ymax = shape.bounds
    figure = Figure(figsize=(shape.width * PNG_UNIT_INCH, shape.height * PNG_UNIT_INCH))
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(xmin, xmax)
    axes.set_ylim(ymin, ymax)
    axes.set_aspect("equal")
    axes.axis("off")
    points_per_unit = PNG_UNIT_INCH * 72
    scale_pt = points_per_unit / (TIKZ_UNIT_CM / 2.54 * 72)

    def curve(segments):
        vertices, codes = [segments[0][0]], [MplPath.MOVETO]
        for _start, control, end in segments:
            vertices += [control, end]
            codes += [MplPath.CURVE3, MplPath.CURVE3]
        return MplPath(vertices, codes)

    for outline in shape.outlines:
        patch = PathPatch(
            curve(outline.segments),
            fill=False,
            edgecolor=(TIE_GREY,) * 3,
            alpha=TIE_OPACITY,
            linewidth=outline.width * points_per_unit,
            capstyle="round",
            joinstyle="round",
        )
        axes.add_patch(patch)
    for edge in shape.edges:
        patch = PathPatch(
            curve([(edge.start, edge.control, edge.end)]),
            fill=False,
            edgecolor=EDGE_COLOR,
            linewidth=EDGE_WIDTH_PT * scale_pt,
        )
        axes.add_patch(patch)
    for node in shape.nodes:
        if node.root:
            ring = ROOT_RING_PT * scale_pt
            disc = Circle((node.x, node.y), node.radius, facecolor="white", edgecolor=EDGE_COLOR, linewidth=ring)
        else:
            disc = Circle((node.x, node.y), node.radius, facecolor=EDGE_COLOR, edgecolor="none")
        disc.set_zorder(3)
        axes.add_patch(disc)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


# -- files -----------------------------------------------------------------

FORMATS = {".svg": "svg", ".png": "png", ".tex": "tex"}


def draw(diagram: Diagram, path, format: str | None = None) -> Path:
    """Write a picture of ``diagram`` to ``path``; the format comes from the suffix (.svg, .png, .tex).

    A ``.tex`` file holds the bare ``tikzpicture`` (for ``\\input``).

    >>> import tempfile, os
    >>> from diagrams import parse
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = draw(parse("[a:b][ab]"), os.path.join(folder, "d.svg"))
    ...     out.read_text().startswith("<svg")
    True
    """
    path = Path(path)
    kind = format or FORMATS.get(path.suffix.lower())
    if kind not in FORMATS.values():
        raise ValueError(f"cannot tell the picture format of {str(path)!r}: use a .svg, .png or .tex file name")
    if kind == "png":
        path.write_bytes(to_png(diagram))
    elif kind == "svg":
        path.write_text(to_svg(diagram) + "\n", encoding="utf-8")
    else:
        path.write_text(to_tikz(diagram) + "\n", encoding="utf-8")
    return path

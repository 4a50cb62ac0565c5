"""Pictures of diagrams (diagrams.output.draw): the layout, and the TikZ, SVG, PNG and PDF backends.

The geometric checks read the SVG back (path data sampled into polygons by
the helpers below, written independently of the package), so they test what
a reader sees: every part's outline holds its own nodes and keeps clear of
every other node, parts of one diagram look different, and edges into one
node arrive at different angles without crossing each other.
"""

import functools
import io
import math
import re
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from pdflatex_required import require_pdflatex
from strategies import blocks, structures

import diagrams as dg
from diagrams.cli import main
from diagrams.core.diagram import Diagram
from diagrams.output.draw import (
    PART_STYLES,
    draw,
    gallery,
    layout,
    tikz_styles,
    to_pdf,
    to_png,
    to_svg,
    to_tikz,
    write_gallery,
)

SVG = "{http://www.w3.org/2000/svg}"
UNIT_PX = 40.0  # SVG pixels per layout unit at scale 1 (the documented default)
REPO = Path(__file__).resolve().parents[1]


def small_diagrams(max_order=4):
    for order in range(max_order + 1):
        yield from dg.enumerate_diagrams(order)
        yield from dg.enumerate_diagrams(order, root_tied=True)


UP_TO_5 = list(small_diagrams(5))


def ancestors(D, v):
    while v != D.root:
        v = D.parent[v]
        yield v


# -- reading SVG back (independent of the package) ---------------------------------------


def path_pieces(d: str) -> list[list[tuple[float, float]]]:
    """The pieces of SVG path data (M, L, C, Z only) as lists of control points, y flipped back up.

    Each piece is [start, end] for a line or [start, c1, c2, end] for a cubic.
    """
    tokens = re.findall(r"[MLCZ]|-?\d+(?:\.\d+)?", d)
    pieces, i, current, start = [], 0, None, None
    while i < len(tokens):
        command = tokens[i]
        i += 1
        if command == "Z":
            pieces.append([current, start])
            current = start
            continue
        count = {"M": 1, "L": 1, "C": 3}[command]
        points = [(float(tokens[i + 2 * j]), -float(tokens[i + 2 * j + 1])) for j in range(count)]
        i += 2 * count
        if command == "M":
            current = start = points[0]
        else:
            pieces.append([current] + points)
            current = points[-1]
    return pieces


@functools.cache
def bernstein(steps: int) -> np.ndarray:
    """The cubic Bernstein weights at t = 1/steps … 1, one row per t."""
    t = np.arange(1, steps + 1)[:, None] / steps
    return np.hstack([(1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t**2 * (1 - t), t**3])


def polyline(pieces, steps=12) -> np.ndarray:
    """Points along the pieces: each cubic Bézier evaluated at ``steps`` values of t, each line at its end."""
    weights = bernstein(steps)
    out = [np.array([pieces[0][0]], dtype=float)]
    for piece in pieces:
        points = np.array(piece, dtype=float)
        out.append(points[1:] if len(piece) == 2 else weights @ points)
    return np.vstack(out)


def inside(points, polygon: np.ndarray) -> np.ndarray:
    """Ray casting (even-odd) of points (k × 2) against a closed polygon given as its vertex list."""
    points = np.atleast_2d(np.asarray(points, dtype=float))
    x, y = points[:, :1], points[:, 1:]
    xs, ys = polygon[:, 0], polygon[:, 1]
    xn, yn = np.roll(xs, -1), np.roll(ys, -1)
    crosses = (ys > y) != (yn > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = xs + (y - ys) * (xn - xs) / (yn - ys)
    return np.count_nonzero(crosses & (x < x_at), axis=1) % 2 == 1


def distance(points, line: np.ndarray, closed: bool) -> np.ndarray:
    """Distances from points (k × 2) to a polyline (closed: also its last vertex back to the first)."""
    points = np.atleast_2d(np.asarray(points, dtype=float))
    a = line if closed else line[:-1]
    b = np.roll(line, -1, axis=0) if closed else line[1:]
    ab = b - a
    ap = points[:, None, :] - a[None, :, :]
    t = np.clip((ap * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-18), 0, 1)
    return np.hypot(*np.moveaxis(ap - t[..., None] * ab, -1, 0)).min(axis=1)


def crossings(x: float, polygon: np.ndarray) -> np.ndarray:
    """The sorted heights at which the vertical line at ``x`` crosses a closed polygon."""
    a, b = polygon, np.roll(polygon, -1, axis=0)
    hit = (a[:, 0] > x) != (b[:, 0] > x)
    t = (x - a[hit, 0]) / (b[hit, 0] - a[hit, 0])
    return np.sort(a[hit, 1] + t * (b[hit, 1] - a[hit, 1]))


def polylines_cross(p: np.ndarray, q: np.ndarray) -> bool:
    """Whether two polylines have a proper crossing of two of their segments."""
    a, b = p[:-1][:, None, :], p[1:][:, None, :]
    c, d = q[:-1][None, :, :], q[1:][None, :, :]

    def orient(u, v, w):
        return np.sign(
            (v[..., 0] - u[..., 0]) * (w[..., 1] - u[..., 1]) - (v[..., 1] - u[..., 1]) * (w[..., 0] - u[..., 0])
        )

    return bool(np.any((orient(a, b, c) * orient(a, b, d) < 0) & (orient(c, d, a) * orient(c, d, b) < 0)))


@functools.cache
def read_svg(D, scale=1.0):
    """Nodes (centre, radius, root) by number, parts (members, fill, dash, outline polygon) and edges, in layout units."""
    root = ET.fromstring(to_svg(D, scale=scale))
    unit = UNIT_PX * scale
    nodes = {}
    for c in root.iter(SVG + "circle"):
        nodes[int(c.get("data-node"))] = (
            (float(c.get("cx")) / unit, -float(c.get("cy")) / unit),
            float(c.get("r")) / unit,
            "root" in c.get("class").split(),
        )
    fills, outlines, edges = {}, {}, []
    for p in root.iter(SVG + "path"):
        classes = p.get("class").split()
        pieces = [[(x / unit, y / unit) for x, y in piece] for piece in path_pieces(p.get("d"))]
        if classes[0] == "part":
            fills[classes[1]] = (tuple(int(v) for v in p.get("data-nodes").split()), p.get("fill"), pieces)
        elif classes[0] == "part-outline":
            outlines[classes[1]] = (p.get("stroke-dasharray"), pieces)
        else:
            assert classes == ["edge"]
            edges.append(pieces[0])
    assert fills.keys() == outlines.keys()
    parts = [
        (members, fill, outlines[key][0], polyline(pieces))
        for key, (members, fill, pieces) in fills.items()
        if outlines[key][1] == pieces
    ]
    assert len(parts) == len(fills), "a part's fill and outline must trace one path"
    return nodes, parts, edges


# -- layout ------------------------------------------------------------------------------------


def test_layout_puts_parents_right_of_descendants_and_the_root_last():
    for D in small_diagrams():
        L = layout(D)
        x = {n.node: n.x for n in L.nodes}
        assert len(L.nodes) == D.order + 1 and len(L.edges) == D.order
        assert [n.node for n in L.nodes if n.root] == [D.root]
        assert max(x, key=x.get) == D.root
        for v in range(D.order):
            assert all(x[a] > x[v] for a in ancestors(D, v)), str(D)
        assert {(e.child, e.parent) for e in L.edges} == set(D.edges)
        assert [o.nodes for o in L.outlines] == [p for p in D.parts if len(p) > 1]
        assert [o.number for o in L.outlines] == list(range(1, len(L.outlines) + 1))
        assert {n.node: n.part for n in L.nodes if n.part} == {v: o.number for o in L.outlines for v in o.nodes}


def test_layout_geometry():
    for D in small_diagrams(3):
        L = layout(D)
        xmin, ymin, xmax, ymax = L.bounds
        x = {n.node: n.x for n in L.nodes}
        for e in L.edges:  # arcs above the line, from the child's node to the parent's
            assert e.start == (x[e.child], 0.0) and e.end == (x[e.parent], 0.0)
            assert e.control1[1] > 0 and e.control2[1] > 0
            curve = polyline([[e.start, e.control1, e.control2, e.end]], steps=64)
            assert curve[:, 0].min() > xmin and curve[:, 0].max() < xmax and curve[:, 1].max() < ymax
        for o in L.outlines:  # closed paths of lines and cubics, below the nodes but for the lobes
            assert all(len(s) in (2, 4) for s in o.boundary)
            assert all(s[-1] == t[0] for s, t in zip(o.boundary, o.boundary[1:]))
            assert o.boundary[-1][-1] == o.boundary[0][0] and len(o.boundary[-1]) == 2
            outline = polyline(o.boundary, steps=64)
            assert outline[:, 0].min() > xmin and outline[:, 0].max() < xmax
            assert outline[:, 1].min() > ymin and outline[:, 1].max() < ymax
            assert min(p[1] for s in o.boundary for p in s) < -0.5  # the bar runs below the nodes
        assert all(xmin < n.x - n.radius and n.x + n.radius < xmax for n in L.nodes)
        assert L.width > 0 and L.height > 0


def test_nested_parts_sit_above_the_part_around_them_and_overlapping_parts_apart():
    nested = dg.parse("[a:cd][ab:bc][d]")  # parts (0, 3) around (1, 2)
    assert [(o.nodes, o.level) for o in layout(nested).outlines] == [((0, 3), 1), ((1, 2), 0)]
    for D in UP_TO_5:
        outlines = layout(D).outlines
        for o in outlines:
            for p in outlines:
                if o is not p and o.nodes[0] < p.nodes[-1] and p.nodes[0] < o.nodes[-1]:
                    assert o.level != p.level, str(D)
                if o.nodes[0] < p.nodes[0] and p.nodes[-1] < o.nodes[-1]:
                    assert o.level > p.level, str(D)


# -- acceptance: parts, read back from the SVG ------------------------------------------------


def check_parts(D):
    nodes, parts, _edges = read_svg(D)
    assert sorted(members for members, *_ in parts) == sorted(p for p in D.parts if len(p) > 1), str(D)
    order = sorted(nodes)
    centres = np.array([nodes[v][0] for v in order])
    radii = np.array([nodes[v][1] for v in order])
    for members, _fill, _dash, outline in parts:
        member = np.isin(order, members)
        holds, gaps = inside(centres, outline), distance(centres, outline, closed=True) - radii
        assert np.array_equal(holds, member), f"{D}: part {members} holds nodes {np.array(order)[holds]}"
        assert np.all(gaps[member] > 0), f"{D}: a node of part {members} sticks out of it"
        assert np.all(gaps[~member] > 0.2), f"{D}: part {members} comes within {gaps[~member].min():.3f} of a node"
    # half-way between two nodes only bars pass (lobes and stems hug the nodes): a part's outline
    # crosses there twice, and the bars of two parts never overlap, so each stem joins one bar
    for i, (a, *_rest, p) in enumerate(parts):
        for b, *_rest, q in parts[i + 1 :]:
            for x in np.arange(max(a[0], b[0]), min(a[-1], b[-1])) + 0.5:
                (p_low, p_high), (q_low, q_high) = crossings(x, p), crossings(x, q)
                assert p_high < q_low - 0.05 or q_high < p_low - 0.05, f"{D}: bars of {a} and {b} overlap at x={x}"


def check_distinct_styles(D):
    _nodes, parts, _edges = read_svg(D)
    fills = [fill for _m, fill, _d, _o in parts]
    dashes = [dash for _m, _f, dash, _o in parts]
    # tint and dash both differ, so either alone tells the parts apart (greyscale, or a faint copy)
    assert len(set(fills)) == len(fills) and len(set(dashes)) == len(dashes), str(D)


def test_every_part_holds_its_nodes_and_keeps_clear_of_the_others_up_to_order_5():
    assert len(UP_TO_5) == 1 + 1 + 4 + 17 + 101 + 700 + 1 + 5 + 31 + 228 + 1933
    for D in UP_TO_5:
        check_parts(D)


def test_parts_of_one_diagram_have_distinct_tints_and_dashes_up_to_order_5():
    assert max(sum(len(p) > 1 for p in D.parts) for D in UP_TO_5) == 3
    for D in UP_TO_5:
        check_distinct_styles(D)


def test_the_defects_of_the_old_pictures_are_gone():
    # a part skipping a node: the node in between is outside the outline, well clear of it
    nodes, ((members, *_rest, outline),), _ = read_svg(dg.parse("[a:bc][ab][c]"))
    assert members == (0, 2) and not inside(nodes[1][0], outline)[0] and distance(nodes[1][0], outline, True)[0] > 0.3
    # interleaved parts: each holds exactly its own nodes, and they look different
    nodes, parts, _ = read_svg(dg.parse("[a:abc][b:d][cd]"))
    assert [(m, [v for v in nodes if inside(nodes[v][0], o)[0]]) for m, _f, _d, o in parts] == [
        ((0, 2), [0, 2]),
        ((1, 3), [1, 3]),
    ]
    assert parts[0][1] != parts[1][1] and parts[0][2] != parts[1][2]


def test_part_styles_are_pairwise_distinct_in_tint_and_dash():
    for i, a in enumerate(PART_STYLES):
        for b in PART_STYLES[i + 1 :]:
            assert abs(a.tint - b.tint) >= 0.04 and a.dash != b.dash


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(structures(min_nodes=7, max_nodes=11))
def test_parts_and_edges_at_higher_orders(structure):
    parent, part_of = structure
    D = Diagram.from_tree(parent, blocks(part_of))
    check_parts(D)
    if sum(len(p) > 1 for p in D.parts) <= len(PART_STYLES):
        check_distinct_styles(D)
    check_edges(D, min_gap_deg=10)


# -- acceptance: edges, read back from the SVG -------------------------------------------------


def angle(u, v) -> float:
    return math.degrees(math.atan2(v[1] - u[1], v[0] - u[0]))


def check_edges(D, min_gap_deg):
    nodes, _parts, edges = read_svg(D)
    at = {v: centre for v, (centre, _r, _root) in nodes.items()}
    node_at = {(round(x, 2), round(y, 2)): v for v, (x, y) in at.items()}
    ends = {}
    for curve in edges:
        (start, c1, c2, end) = curve
        child, parent = (node_at[(round(p[0], 2), round(p[1], 2))] for p in (start, end))
        ends[(child, parent)] = curve
    assert set(ends) == set(D.edges), str(D)
    lines = {key: polyline([curve], steps=20) for key, curve in ends.items()}
    for (child, parent), line in lines.items():
        assert np.all(line[1:-1, 1] > 0), f"{D}: edge {child}-{parent} dips below the line"
        others = [v for v in nodes if v not in (child, parent)]
        if others:
            gaps = distance([at[v] for v in others], line, closed=False) - [nodes[v][1] for v in others]
            assert np.all(gaps > 0.1), f"{D}: edge {child}-{parent} grazes a node"
    for parent in range(D.order + 1):
        arriving = sorted(angle(ends[e][3], ends[e][2]) for e in ends if e[1] == parent)  # seen from the parent
        assert all(b - a >= min_gap_deg for a, b in zip(arriving, arriving[1:])), f"{D}: edges merge at {parent}"
        leaving = [angle(ends[e][0], ends[e][1]) for e in ends if e[0] == parent]
        assert all(abs(a - b) >= 25 for a in arriving for b in leaving), f"{D}: edges merge at {parent}"
    keys = sorted(lines)
    for i, e in enumerate(keys):
        for f in keys[i + 1 :]:
            p, q = lines[e], lines[f]
            shared = set(e) & set(f)
            if shared:  # leave out the stretch inside the shared node's disc
                (v,) = shared
                p = p[np.hypot(*(p - at[v]).T) > nodes[v][1]]
                q = q[np.hypot(*(q - at[v]).T) > nodes[v][1]]
            assert not polylines_cross(p, q), f"{D}: edges {e} and {f} cross"


def test_edges_into_a_node_fan_out_and_never_cross_up_to_order_5():
    for D in UP_TO_5:
        check_edges(D, min_gap_deg=20)


def test_edges_into_the_root_no_longer_merge():
    _nodes, _parts, edges = read_svg(dg.parse("[a][b][c][d][abcd]"))
    arriving = sorted(angle(end, c2) for _start, _c1, c2, end in edges)
    assert len(arriving) == 4 and min(b - a for a, b in zip(arriving, arriving[1:])) >= 25


# -- every backend draws the layout --------------------------------------------------------------


def outline_points(L):
    """The points of the part outlines, as drawn: each outline's start and its segments' other points but the closing line."""
    return [p for o in L.outlines for p in [o.boundary[0][0]] + [q for s in o.boundary[:-1] for q in s[1:]]]


def edge_points(L):
    return [p for e in L.edges for p in (e.start, e.control1, e.control2, e.end)]


def test_svg_draws_the_layout_at_any_scale():
    for D in list(small_diagrams(3)):
        L = layout(D)
        for scale in (1, 2.5):
            root = ET.fromstring(to_svg(D, scale=scale))
            unit = UNIT_PX * scale
            paths = list(root.iter(SVG + "path"))
            fills = [p for p in paths if p.get("class").startswith("part ")]
            strokes = [p for p in paths if p.get("class").startswith("part-outline ")]
            assert [p.get("d") for p in fills] == [p.get("d") for p in strokes]
            points = []
            for p in fills + [p for p in paths if p.get("class") == "edge"]:
                numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", p.get("d"))]
                points += [(a / unit, -b / unit) for a, b in zip(numbers[::2], numbers[1::2])]
            assert np.allclose(points, outline_points(L) + edge_points(L), atol=0.6 / unit), str(D)
            circles = [float(c.get(key)) / unit for c in root.iter(SVG + "circle") for key in ("cx", "r")]
            assert circles == pytest.approx([v for n in L.nodes for v in (n.x, n.radius)], abs=0.6 / unit)
            xmin, ymin, xmax, ymax = L.bounds
            assert float(root.get("width")) == pytest.approx((xmax - xmin) * unit, abs=0.01)
            assert float(root.get("height")) == pytest.approx((ymax - ymin) * unit, abs=0.01)


def test_tikz_draws_the_layout():
    for D in small_diagrams(3):
        L = layout(D)
        text = to_tikz(D, define_styles=False)
        body = text.split(";\n", 1)[1]  # after the bounding box
        points = [(float(a), float(b)) for a, b in re.findall(r"\((-?[\d.]+),(-?[\d.]+)\)", body)]
        # each outline is drawn twice (fill, then outline), then the edges, then one centre per node
        expected = outline_points(L) * 2 + edge_points(L) + [(n.x, n.y) for n in L.nodes]
        assert np.allclose(points, expected, atol=5e-4), str(D)
        assert text.count("-- cycle;") == 2 * len(L.outlines)
        assert text.count(r"\path[sgd edge]") == D.order
        assert text.count(r"\path[sgd node") == D.order and text.count(r"\path[sgd root") == 1
        for o in L.outlines:
            assert text.count(f"sgd part {o.number}, draw=none]") == text.count(f"sgd part {o.number}, fill=none]") == 1
            assert text.count(f"sgd part {o.number} node/.try]") == len(o.nodes)


def test_tikz_defines_the_styles_it_uses_unless_told_not_to():
    D = dg.parse("[a:abc][b:d][cd]")
    with_styles, bare = to_tikz(D), to_tikz(D, define_styles=False)
    assert r"\pgfkeysifdefined" not in bare and "/.style=" not in bare
    used = set(re.findall(r"(sgd [a-z]+(?: \d+)?)[,\]]", bare))
    assert used == {"sgd diagram", "sgd edge", "sgd node", "sgd root", "sgd part", "sgd part 1", "sgd part 2"}
    guarded = re.findall(
        r"\\pgfkeysifdefined\{/tikz/(sgd [a-z0-9 ]+)/\.@cmd\}\{\}\{\\tikzset\{\1/\.style=", with_styles
    )
    assert set(guarded) == used and len(guarded) == len(used)
    assert with_styles.splitlines()[len(used) + 1 :] == bare.splitlines()[1:]
    assert to_tikz(dg.parse("[a][a]")).count(r"\pgfkeysifdefined") == 4  # no part styles without parts
    preamble = tikz_styles()
    assert all(f"  {name}/.style={{" in preamble for name in used)
    assert all(f"  sgd part {k}/.style={{" in preamble for k in range(1, len(PART_STYLES) + 1))
    assert D.to_tikz() == to_tikz(D) and dg.latex(D, diagram_style="tikz") == to_tikz(D)


def test_tikz_scale():
    D = dg.parse("[a:b][ab]")
    assert "[sgd diagram]" in to_tikz(D) and "[sgd diagram, scale=1.5]" in to_tikz(D, scale=1.5)


def test_tikz_of_the_one_node_diagram():
    text = to_tikz(dg.parse("[]"), define_styles=False)
    assert "sgd edge" not in text and "sgd part" not in text and text.count(r"\path[sgd root]") == 1


def test_svg_parses_and_has_the_right_elements():
    for D in small_diagrams(3):
        root = ET.fromstring(to_svg(D))
        assert root.tag == SVG + "svg"
        assert root.find(SVG + "title").text == D.text
        circles = root.findall(SVG + "circle")
        paths = root.findall(SVG + "path")
        drawn = sum(len(p) > 1 for p in D.parts)
        assert len(circles) == D.order + 1
        assert [c.get("class") for c in circles].count("node root") == 1
        assert sum(p.get("class") == "edge" for p in paths) == D.order
        assert sum(p.get("class").startswith("part ") for p in paths) == drawn
        assert sum(p.get("class").startswith("part-outline ") for p in paths) == drawn
        width, height = float(root.get("width")), float(root.get("height"))
        assert [float(v) for v in root.get("viewBox").split()][2:] == [width, height]


def test_svg_line_widths_grow_with_scale():
    widths = []
    for scale in (1, 3):
        root = ET.fromstring(to_svg(dg.parse("[a:b][ab]"), scale=scale))
        widths.append([float(p.get("stroke-width")) for p in root.iter(SVG + "path") if p.get("stroke-width")])
    assert widths[1] == pytest.approx([3 * w for w in widths[0]], abs=0.002)


def test_repr_svg():
    D = dg.parse("[a:ab][b]")
    assert D._repr_svg_() == to_svg(D)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_png_renders_at_the_asked_resolution_and_scale():
    D = dg.parse("[a][ab:c:d][bcd]")
    L = layout(D)
    width, height = png_size(to_png(D))
    assert width > height > 0
    assert width == pytest.approx(L.width * 0.6 * 300, abs=2)  # 0.6 inch per unit, 300 dpi by default
    assert png_size(to_png(D, dpi=100)) == pytest.approx((L.width * 60, L.height * 60), abs=2)
    assert png_size(to_png(D, dpi=100, scale=2)) == pytest.approx((L.width * 120, L.height * 120), abs=2)


def test_png_shows_the_parts_in_their_tints():
    from matplotlib.image import imread

    D = dg.parse("[a:abc][b:d][cd]")
    image = imread(io.BytesIO(to_png(D, dpi=100)))  # 60 pixels per layout unit
    L = layout(D)
    xmin, ymin, xmax, ymax = L.bounds
    for o in L.outlines:  # inside the bar, half-way from the first node to the next one
        x, y = o.nodes[0] + 0.5, min(p[1] for s in o.boundary for p in s) + 0.1
        pixel = image[int((ymax - y) * 60), int((x - xmin) * 60)]
        assert pixel[:3] == pytest.approx([1 - o.style.tint] * 3, abs=0.01)
    assert L.outlines[0].style != L.outlines[1].style


def test_pdf_is_a_vector_page_of_the_right_size():
    D = dg.parse("[a:b][ab]")
    L = layout(D)
    for scale in (1, 1.5):
        data = to_pdf(D, scale=scale)
        assert data.startswith(b"%PDF")
        box = [float(v) for v in re.search(rb"/MediaBox \[ *([\d. ]+)\]", data).group(1).split()]
        assert box[2:] == pytest.approx([L.width * 0.6 * 72 * scale, L.height * 0.6 * 72 * scale], abs=0.1)
    assert to_pdf(D) == to_pdf(D)  # no time stamp: the same picture gives the same bytes


def test_draw_chooses_the_format_from_the_suffix(tmp_path):
    D = dg.parse("[a:b][ab]")
    assert png_size(draw(D, tmp_path / "d.png").read_bytes())[0] > 0
    assert ET.parse(D.draw(tmp_path / "d.svg")).getroot().tag == SVG + "svg"
    assert (D.draw(tmp_path / "d.tex")).read_text() == D.to_tikz() + "\n"
    assert draw(D, tmp_path / "d.pdf").read_bytes().startswith(b"%PDF")
    assert ET.fromstring(draw(D, tmp_path / "picture", format="svg").read_text()).tag == SVG + "svg"
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf or \.tex"):
        draw(D, tmp_path / "d.jpg")


def test_draw_passes_dpi_and_scale(tmp_path):
    D = dg.parse("[a:b][ab]")
    small = png_size(draw(D, tmp_path / "a.png", dpi=72).read_bytes())
    large = png_size(draw(D, tmp_path / "b.png", dpi=144, scale=1.5).read_bytes())
    assert large == pytest.approx((3 * small[0], 3 * small[1]), abs=3)
    assert draw(D, tmp_path / "c.svg", scale=2).read_text() == to_svg(D, scale=2) + "\n"
    assert draw(D, tmp_path / "c.pdf", dpi=300, scale=2).read_bytes() == to_pdf(D, scale=2)  # dpi: vector, ignored
    assert draw(D, tmp_path / "c.tex", scale=2).read_text() == to_tikz(D, scale=2) + "\n"


@pytest.mark.parametrize("bad", [0, -1.5, float("nan"), float("inf")])
def test_dpi_and_scale_must_be_positive_numbers(tmp_path, bad):
    D = dg.parse("[a][a]")
    with pytest.raises(ValueError, match="scale must be a positive number"):
        to_svg(D, scale=bad)
    with pytest.raises(ValueError, match="dpi must be a positive number"):
        draw(D, tmp_path / "d.png", dpi=bad)
    with pytest.raises(ValueError, match="scale must be a positive number"):
        to_tikz(D, scale=bad)


@pytest.mark.parametrize("bad", ["2", True, None])
def test_dpi_and_scale_refuse_text_and_flags(bad):
    D = dg.parse("[a][a]")
    with pytest.raises(TypeError, match="scale"):
        to_pdf(D, scale=bad)
    with pytest.raises(TypeError, match="dpi"):
        to_png(D, dpi=bad)


def test_cli_draw(tmp_path, capsys):
    out = io.StringIO()
    target = tmp_path / "d.svg"
    assert main(["draw", "[a:b:c][abc]", "-o", str(target)], stdout=out) == 0
    assert out.getvalue().strip() == str(target)
    assert len(ET.parse(target).getroot().findall(SVG + "circle")) == 4
    assert main(["draw", "[a:b:c][abc]", "-o", str(tmp_path / "d.jpg")]) == 2
    assert ".svg, .png, .pdf or .tex" in capsys.readouterr().err
    assert main(["draw", "[a:b:c]", "-o", str(target)]) == 2


def test_cli_draw_dpi_and_scale(tmp_path, capsys):
    D = dg.parse("[a:b:c][abc]")
    pdf, png = tmp_path / "d.pdf", tmp_path / "d.png"
    assert main(["draw", D.text, "-o", str(pdf), "--dpi", "300", "--scale", "1.5"], stdout=io.StringIO()) == 0
    assert pdf.read_bytes() == to_pdf(D, scale=1.5)
    assert main(["draw", D.text, "-o", str(png), "--dpi", "50", "--scale", "2"], stdout=io.StringIO()) == 0
    assert png.read_bytes() == to_png(D, dpi=50, scale=2)
    assert main(["draw", D.text, "-o", str(png), "--scale", "0"]) == 2
    assert "scale must be a positive number" in capsys.readouterr().err


# -- gallery ------------------------------------------------------------------------------------


def test_gallery_shows_every_diagram_of_an_order_with_its_caption():
    for order in range(4):
        for root_tied in (False, True) if order else (False,):
            expected = [D.text for D in dg.enumerate_diagrams(order, root_tied=root_tied)]
            sheet = ET.fromstring(gallery(order, root_tied=root_tied))
            groups = sheet.findall(SVG + "g")
            assert [g.get("data-text") for g in groups] == expected
            assert [t.text for t in sheet.findall(SVG + "text")] == expected
            for g, text in zip(groups, expected):
                assert len(g.findall(SVG + "circle")) == dg.parse(text, root_tied=root_tied).order + 1
    with pytest.raises(ValueError, match="no root-tied diagrams of order 0"):
        gallery(0, root_tied=True)


def test_committed_gallery_is_up_to_date(tmp_path):
    written = write_gallery(tmp_path, max_order=3)
    names = sorted(p.name for p in written)
    assert names == sorted(p.name for p in (REPO / "docs" / "gallery").iterdir() if p.suffix in (".svg", ".md"))
    for path in written:
        assert path.read_text() == (REPO / "docs" / "gallery" / path.name).read_text(), (
            f"docs/gallery/{path.name} is stale: run python benchmarks/gallery.py"
        )


# -- pdflatex ----------------------------------------------------------------------------------


def pdflatex(folder: Path, source: str) -> str:
    """Compile ``source`` in ``folder``; return the log (the test fails if pdflatex does)."""
    executable = require_pdflatex()
    (folder / "doc.tex").write_text(source)
    run = subprocess.run(
        [executable, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = (folder / "doc.log").read_text(errors="replace")
    assert run.returncode == 0, log[-3000:]
    return log


SAMPLES = ["[]", "[a][a]", "[a:abc][b:d][cd]", "[a:bc][ab][c]", "[a][b][c][d][abcd]", "[a:a]", "[a:b:c][abc]"]


def test_tikz_compiles_and_follows_the_documents_styles(tmp_path):
    pictures = [to_tikz(dg.parse(text)) for text in SAMPLES]
    overrides = (
        r"\tikzset{sgd edge/.style={draw=black, /utils/exec={\typeout{EDGE-RESTYLED}}},"
        "\n"
        r"  sgd part 2/.style={fill=blue!20, /utils/exec={\typeout{PART2-RESTYLED}}},"
        "\n"
        r"  sgd part 1 node/.style={fill=red, /utils/exec={\typeout{PART1-NODE}}}}"
    )
    source = "\n".join(
        [r"\documentclass{article}", r"\usepackage{tikz}", overrides, r"\begin{document}"]
        + [f"Picture {p} here." for p in pictures]
        + [r"\end{document}"]
    )
    log = pdflatex(tmp_path, source)
    diagrams = [dg.parse(text) for text in SAMPLES]
    assert log.count("EDGE-RESTYLED") == sum(D.order for D in diagrams)  # the document's style, not the default
    assert log.count("PART2-RESTYLED") == 2 * sum(sum(len(p) > 1 for p in D.parts) >= 2 for D in diagrams)
    first_parts = [next((p for p in D.parts if len(p) > 1), ()) for D in diagrams]
    assert log.count("PART1-NODE") == sum(len(p) for p in first_parts)


def test_tikz_compiles_with_the_preamble_styles_and_standalone(tmp_path):
    source = "\n".join(
        [r"\documentclass{article}", r"\usepackage{tikz}", tikz_styles(), r"\begin{document}"]
        + [to_tikz(dg.parse(text), define_styles=False, scale=0.8) for text in SAMPLES]
        + [r"\end{document}"]
    )
    assert "Output written on doc.pdf (1 page" in pdflatex(tmp_path, source)
    for text in ("[a:abc][b:d][cd]", "[]"):
        log = pdflatex(tmp_path, to_tikz(dg.parse(text), standalone=True, scale=2))
        assert "Output written on doc.pdf (1 page" in log  # one page, the picture's size

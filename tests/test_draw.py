"""Pictures of diagrams (diagrams.output.draw): the layout, and the TikZ, SVG and PNG backends."""

import io
import struct
import xml.etree.ElementTree as ET

import pytest

import diagrams as dg
from diagrams.cli import main
from diagrams.output.draw import TIE_WIDTH, draw, layout, to_png, to_svg, to_tikz

SVG = "{http://www.w3.org/2000/svg}"


def small_diagrams(max_order=4):
    for order in range(max_order + 1):
        yield from dg.enumerate_diagrams(order)
        yield from dg.enumerate_diagrams(order, root_tied=True)


def ancestors(D, v):
    while v != D.root:
        v = D.parent[v]
        yield v


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


def test_layout_geometry():
    for D in small_diagrams(3):
        L = layout(D)
        xmin, ymin, xmax, ymax = L.bounds
        x = {n.node: n.x for n in L.nodes}
        for e in L.edges:  # arcs above the line, from the child's node to the parent's
            assert e.start == (x[e.child], 0.0) and e.end == (x[e.parent], 0.0)
            assert 0 < e.control[1] / 2 < ymax
        for o in L.outlines:  # ties below the line, through the part's nodes left to right
            assert [s[0][0] for s in o.segments] + [o.segments[-1][2][0]] == [x[v] for v in o.nodes]
            assert all(s[1][1] < 0 and s[1][1] / 2 - o.width / 2 > ymin for s in o.segments)
        assert all(xmin < n.x - n.radius and n.x + n.radius < xmax for n in L.nodes)
        assert L.width > 0 and L.height > 0


def test_tikz_golden():
    assert to_tikz(dg.parse("[a:b][ab]")) == "\n".join(
        [
            r"\begin{tikzpicture}[x=0.5cm, y=0.5cm, baseline={([yshift=-0.5ex]current bounding box.center)}]",
            r"\useasboundingbox (-0.25,-0.71) rectangle (2.25,0.75);",
            r"\draw[line width=0.21cm, line cap=round, line join=round, black!45, opacity=0.55] "
            r"(0,0) .. controls (0.333,-0.333) and (0.667,-0.333) .. (1,0);",
            r"\draw[line width=0.8pt] (0,0) .. controls (0.667,0.667) and (1.333,0.667) .. (2,0);",
            r"\draw[line width=0.8pt] (1,0) .. controls (1.333,0.333) and (1.667,0.333) .. (2,0);",
            r"\fill (0,0) circle[radius=0.1];",
            r"\fill (1,0) circle[radius=0.1];",
            r"\filldraw[fill=white, line width=1pt] (2,0) circle[radius=0.15];",
            r"\end{tikzpicture}",
        ]
    )
    assert dg.parse("[a:b][ab]").to_tikz() == to_tikz(dg.parse("[a:b][ab]"))


def test_tikz_of_the_one_node_diagram():
    text = to_tikz(dg.parse("[]"))
    assert r"\draw" not in text and text.count(r"\filldraw") == 1


def test_tikz_counts():
    for D in small_diagrams(3):
        text = to_tikz(D)
        ties = sum(len(p) > 1 for p in D.parts)
        assert text.count("line cap=round") == ties
        assert text.count(r"\draw[line width=0.8pt]") == D.order
        assert text.count(r"\fill ") == D.order and text.count(r"\filldraw") == 1
        assert text.count(" .. controls ") == D.order + sum(len(p) - 1 for p in D.parts)


def test_svg_parses_and_has_the_right_elements():
    for D in small_diagrams(3):
        root = ET.fromstring(to_svg(D))
        assert root.tag == SVG + "svg"
        assert root.find(SVG + "title").text == D.text
        circles = root.findall(SVG + "circle")
        paths = root.findall(SVG + "path")
        assert len(circles) == D.order + 1
        assert [c.get("class") for c in circles].count("node root") == 1
        assert sum(p.get("class") == "edge" for p in paths) == D.order
        assert sum(p.get("class") == "part" for p in paths) == sum(len(p) > 1 for p in D.parts)
        width, height = float(root.get("width")), float(root.get("height"))
        assert [float(v) for v in root.get("viewBox").split()][2:] == [width, height]


def test_svg_part_outline_is_a_wide_round_band():
    root = ET.fromstring(to_svg(dg.parse("[a][ab:c:d][bcd]")))
    (part,) = [p for p in root.findall(SVG + "path") if p.get("class") == "part"]
    assert part.get("stroke-linecap") == "round" and part.get("fill") == "none"
    assert part.get("d").count(" Q ") == 2  # three tied nodes, two segments
    radius = float(root.find(SVG + "circle").get("r"))
    assert float(part.get("stroke-width")) > 2 * radius
    assert float(part.get("stroke-width")) == pytest.approx(TIE_WIDTH * 40)


def test_repr_svg():
    D = dg.parse("[a:ab][b]")
    assert D._repr_svg_() == to_svg(D)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_png_renders():
    data = to_png(dg.parse("[a][ab:c:d][bcd]"))
    width, height = png_size(data)
    assert len(data) > 1000 and width > height > 0


def test_draw_chooses_the_format_from_the_suffix(tmp_path):
    D = dg.parse("[a:b][ab]")
    assert png_size(draw(D, tmp_path / "d.png").read_bytes())[0] > 0
    assert ET.parse(D.draw(tmp_path / "d.svg")).getroot().tag == SVG + "svg"
    assert (D.draw(tmp_path / "d.tex")).read_text() == D.to_tikz() + "\n"
    assert ET.fromstring(draw(D, tmp_path / "picture", format="svg").read_text()).tag == SVG + "svg"
    with pytest.raises(ValueError, match=r"\.svg, \.png or \.tex"):
        draw(D, tmp_path / "d.pdf")


def test_cli_draw(tmp_path, capsys):
    out = io.StringIO()
    target = tmp_path / "d.svg"
    assert main(["draw", "[a:b:c][abc]", "-o", str(target)], stdout=out) == 0
    assert out.getvalue().strip() == str(target)
    assert len(ET.parse(target).getroot().findall(SVG + "circle")) == 4
    assert main(["draw", "[a:b:c][abc]", "-o", str(tmp_path / "d.jpg")]) == 2
    assert ".svg, .png or .tex" in capsys.readouterr().err
    assert main(["draw", "[a:b:c]", "-o", str(target)]) == 2

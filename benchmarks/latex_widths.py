"""Calibration of the LaTeX width model (diagrams.output.metrics) against pdflatex.

    python benchmarks/latex_widths.py [--max-order 4] [--glyphs]

Prints, for a corpus of what the package prints (every term and every laid-out
line of the test loss and generalization gap in 1-D and 2-D for several
schedules, and every table cell), how the model's estimate compares with the
width pdflatex gives the same math: the number of snippets, how many the model
underestimates (must be 0: the model is an upper bound), and the quantiles of
estimate / measured.  ``--glyphs`` measures the glyph widths instead and prints
them in the format of ``_GLYPH_TABLE`` (fonts of 10, 9, 8, 7, 6 and 5 pt).

Needs pdflatex (Debian: texlive-latex-base).
"""

from __future__ import annotations

import argparse
import math
import statistics
import string
import sys

import sympy

import diagrams as dg
from diagrams.output.latex import DiagramLatexPrinter
from diagrams.output.layout import inline
from diagrams.output.metrics import FONT_SIZES, math_width, text_width
from diagrams.output.texrun import measure_math, pdflatex_path

GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi rho "
    "varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi "
    "Psi Omega nabla partial ell infty cdot times pm mp cdots ldots dots"
).split()


def glyph_table() -> str:
    """The measured glyph widths at FONT_SIZES, rounded up to 0.01 pt, two spaces apart."""
    glyphs = list(string.ascii_letters) + list(string.digits) + list("()[]+-=<>,;:!|/.'*")
    glyphs += ["\\" + g for g in GREEK] + ["\\{", "\\}", "\\|"]
    sizes = [
        measure_math([rf"\hbox{{\fontsize{{{size}}}{{{size + 2}}}\selectfont ${g}$}}" for g in glyphs], display=False)
        for size in FONT_SIZES
    ]
    entries = [
        f"{g} " + " ".join(f"{math.ceil(widths[k] * 100) / 100:g}" for widths in sizes) for k, g in enumerate(glyphs)
    ]
    lines, line = [], ""
    for entry in entries:
        if line and len(line) + len(entry) + 2 > 104:
            lines.append(line)
            line = entry
        else:
            line = f"{line}  {entry}" if line else entry
    return "\n".join(lines + [line])


def corpus(max_order: int) -> tuple[list[str], list[str]]:
    """(display-math snippets, table cells) of what the package prints."""
    T, N, E = sympy.symbols("T N E")
    schedules = [dg.Schedule.sgd(T), dg.Schedule.gd(N, T), dg.Schedule(N, 1, E), dg.Schedule(4, 2, 2)]
    display, cells = set(), set()
    printer = DiagramLatexPrinter()
    for dim in (1, 2):
        stats = dg.Statistics.symbolic(dim)
        for schedule in schedules:
            order = max_order if dim == 1 or schedule.B == 1 and schedule.E == 1 else min(max_order, 3)
            for series in (dg.expected_loss(stats, schedule, order), dg.generalization_gap(stats, schedule, order)):
                rows = printer.series_rows(series)
                for row in rows:
                    display.add(inline([row]))
                    for term in row.terms:
                        display.add(term.text)
                        display.update(term.pieces)
                for environment in ("align", "multline"):
                    for width in (200, 345, 500):
                        text = dg.latex(series, environment=environment, width=width)
                        for line in text.split(" \\\\\n"):
                            body = line.split("& ", 1)[-1].split("\n")[-1]
                            display.add("{}" + body.replace("\\end{align*}", "").replace("\\end{multline*}", ""))
    for order in range(max_order + 1):
        for diagram in dg.enumerate_diagrams(order):
            text = dg.table([diagram], schedule=dg.Schedule.gd(N, T), width=1000)
            row = text.splitlines()[-3]
            cells.update(cell.strip().removesuffix("\\\\").strip() for cell in row.split(" & ")[1:])
    return sorted(display), sorted(cells)


def compare(estimates: list[float], measured: list[float]) -> str:
    ratios = [e / m for e, m in zip(estimates, measured) if m > 0]
    under = sum(1 for e, m in zip(estimates, measured) if e < m - 0.01)
    q = statistics.quantiles(ratios, n=20)
    return (
        f"{len(ratios):5d} snippets, {under} underestimated; estimate/measured: min {min(ratios):.3f}, "
        f"5% {q[0]:.3f}, median {statistics.median(ratios):.3f}, 95% {q[-1]:.3f}, max {max(ratios):.3f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-order", type=int, default=4)
    parser.add_argument("--glyphs", action="store_true", help="print the measured glyph table")
    args = parser.parse_args()
    if pdflatex_path() is None:
        print("pdflatex is not installed", file=sys.stderr)
        return 1
    if args.glyphs:
        print(glyph_table())
        return 0
    display, cells = corpus(args.max_order)
    print("display math:".ljust(24), compare([math_width(s) for s in display], measure_math(display)))
    print(
        "text math:".ljust(24),
        compare([math_width(s, display=False) for s in display], measure_math(display, display=False)),
    )
    for size in ("normalsize", "small", "footnotesize", "scriptsize"):
        measured = measure_math([rf"\hbox{{\{size} {c}}}" for c in cells], display=False)
        print(f"cells, {size}:".ljust(24), compare([text_width(c, size=size) for c in cells], measured))
    return 0


if __name__ == "__main__":
    sys.exit(main())

r"""LaTeX that fits a page: the width model, series broken into display lines, tables, documents, notebooks.

The compile tests run pdflatex and read its log: no ``Overfull \hbox`` may
appear for what the package lays out at its default width (the article
column, 345 pt), while the same series on one line does overflow (so the
check can fail).  The width model is compared with widths pdflatex reports.
"""

from __future__ import annotations

import io
import re
import sys
import warnings

import pytest
import sympy
from pdflatex_required import require_pdflatex

import diagrams as dg
from diagrams.cli import main
from diagrams.output import notebook
from diagrams.output.documents import standalone_document, write_document
from diagrams.output.latex import DiagramLatexPrinter
from diagrams.output.layout import LayoutWarning
from diagrams.output.metrics import COLUMN_WIDTH, math_width, parse_length, text_width
from diagrams.output.texrun import compile_pdf, measure_math, overfull_boxes, pdflatex_path
from diagrams.runtime.progress import progress_bar_class, track

T, N = sympy.symbols("T N")
SYM1, SYM2 = dg.Statistics.symbolic(1), dg.Statistics.symbolic(2)


def needs_pdflatex() -> None:
    """Skip (with the reason) where pdflatex is missing, or fail when CI is set (.ci/run installs it)."""
    require_pdflatex()


def order_three_series() -> dict[str, sympy.Expr]:
    return {
        f"{name} {dim}-D": function(stats, dg.Schedule.sgd(T), 3)
        for dim, stats in ((1, SYM1), (2, SYM2))
        for name, function in (("loss", dg.expected_loss), ("gap", dg.generalization_gap))
    }


def display_lines(text: str) -> list[str]:
    """The math of each line of a laid-out display, without the alignment and the environment."""
    body = [line for line in text.splitlines() if not line.startswith((r"\begin", r"\end"))]
    lines = " ".join(body).split(r" \\ ")
    return ["{}" + line.split("& ", 1)[-1].replace(r"\notag", "").strip() for line in lines]


# -- acceptance: compiled with pdflatex ----------------------------------------------


def test_order_three_series_fit_an_article_column(tmp_path):
    """1-D and 2-D test loss and generalization gap at order 3: no overfull box with the default breaking."""
    needs_pdflatex()
    series = order_three_series()
    displays = [dg.latex(expr, environment="align") for expr in series.values()]
    displays += [dg.latex(series["loss 2-D"], environment=env, lhs=r"\mathrm{E}\,l") for env in ("split", "multline")]
    displays.append(dg.latex(series["gap 2-D"], environment="align", numbered=True))
    assert all(text.count(r"\\") >= 3 for text in displays)  # one η power per line at least
    assert sum(text.count(r"&\quad") + text.count(r"& \quad") for text in displays) >= 4  # long powers were broken
    run = compile_pdf(standalone_document(["Some text before the displays."] + displays))
    assert run.pdf.startswith(b"%PDF")
    assert "Overfull \\hbox" not in run.log, re.findall(r"Overfull.*", run.log)


def test_the_same_series_on_one_line_overflow():
    """The check above can fail: printed on one line, the order-3 series stick out of the column."""
    needs_pdflatex()
    series = order_three_series()
    lines = [rf"\[ {dg.latex(series['loss 1-D'])} \]", rf"\[ {dg.latex(series['loss 2-D'])} \]"]
    run = compile_pdf(standalone_document(lines))
    assert len(run.overfull) == 2 and min(run.overfull) > 100


def test_order_four_embeddable_longtable_fits(tmp_path):
    """``table --order 4 --embeddable --schedule sgd --longtable``: a compilable document, no overfull box."""
    needs_pdflatex()
    out = io.StringIO()
    argv = ["table", "--order", "4", "--embeddable", "--schedule", "sgd", "--longtable", "--standalone"]
    assert main(argv, stdout=out) == 0
    document = out.getvalue()
    assert r"\begin{longtable}" in document and r"\usepackage{longtable}" in document
    assert document.count(r"\begin{tikzpicture}") == 36  # the order-4 diagrams that embed when E = B = 1
    run = compile_pdf(document, runs=2)
    assert "Overfull \\hbox" not in run.log, re.findall(r"Overfull.*", run.log)
    assert int(re.search(r"Output written on \S+ \((\d+) pages?", run.log)[1]) >= 2  # broken across pages


def test_order_three_table_fits_by_default():
    needs_pdflatex()
    run = compile_pdf(standalone_document([dg.table(dg.enumerate_diagrams(3), schedule=dg.Schedule.sgd(T))]))
    assert "Overfull \\hbox" not in run.log, re.findall(r"Overfull.*", run.log)


# -- the width model ------------------------------------------------------------------


def corpus() -> list[str]:
    """What the package prints: terms, their chunks and laid-out lines of order-3 series, a few odd cases."""
    printer = DiagramLatexPrinter()
    snippets = set()
    for expr in list(order_three_series().values()) + [dg.expected_loss(SYM2, dg.Schedule.gd(N, T), 3)]:
        for row in printer.series_rows(expr):
            for term in row.terms:
                snippets.add(term.text)
                snippets.update(term.pieces)
        for width in (150, 345):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", LayoutWarning)
                snippets.update(display_lines(dg.latex(expr, environment="align", width=width)))
    snippets.update([r"\left(\frac{T^{2}}{2 N}\right)", r"\frac{\frac{1}{2}}{3}", r"e^{- \eta T \lambda_{\mu}}",
                     r"\sqrt{x} + \log y", r"\mathrm{E}\,l(\theta_T) = {}", r"a \quad b \qquad c \, d"])  # fmt: skip
    return sorted(snippets)


@pytest.mark.parametrize("display", [True, False], ids=["display", "text"])
def test_width_model_is_an_upper_bound_close_to_tex(display):
    needs_pdflatex()
    snippets = corpus()
    measured = measure_math(snippets, display=display)
    for snippet, real in zip(snippets, measured):
        estimate = math_width(snippet, display=display)
        assert real - 0.01 <= estimate <= 1.2 * real + 1.0, (snippet, estimate, real)


@pytest.mark.parametrize("size", ["normalsize", "footnotesize", "scriptsize"])
def test_table_cell_widths_are_upper_bounds(size):
    needs_pdflatex()
    cells = set()
    for diagram in dg.enumerate_diagrams(3):
        text = dg.table([diagram], schedule=dg.Schedule.gd(N, T), width=1000)
        cells.update(cell.removesuffix(r" \\") for cell in text.splitlines()[-3].split(" & ")[1:])
    cells = sorted(cells) + [r"$|\mathrm{Aut}(D)|$", "$L(D)$", "text"]
    measured = measure_math([rf"\hbox{{\{size} {cell}}}" for cell in cells], display=False)
    for cell, real in zip(cells, measured):
        assert real - 0.01 <= text_width(cell, size=size) <= 1.2 * real + 1.0, (cell, real)


def test_width_model_on_known_widths():
    """Values pdflatex gave (article, 10 pt); the model is at or just above them."""
    known = {"G_{\\mu}G^{\\mu}": 26.45, "a + b": 21.80, r"\left(x\right)": 13.49, r"\left(G^{2}\right)": 21.52,
             r"\left(\frac{T}{2}\right)": 24.35, r"\texttt{[a][b]}": 31.50}  # fmt: skip
    for text, width in known.items():
        assert width <= math_width(text) <= width * 1.02 + 0.1, text
    assert math_width(r"\frac{T}{2}", display=False) < math_width(r"\frac{T}{2}")
    assert text_width(r"\texttt{[a][a]}", size="scriptsize") < text_width(r"\texttt{[a][a]}")
    assert text_width(r"\parbox[c]{50pt}{\raggedright $\kappa$}") == 50


def test_lengths():
    assert parse_length(345) == parse_length("345pt") == parse_length(r"\columnwidth") == COLUMN_WIDTH
    assert parse_length("0.5\\textwidth") == COLUMN_WIDTH / 2
    assert parse_length("1in") == 72.27 and parse_length("2.54cm") == pytest.approx(72.27)
    for bad in ("wide", "12", "cm", "-3pt", "0pt", ".pt"):
        with pytest.raises(ValueError, match="width"):
            parse_length(bad)
    with pytest.raises(TypeError):
        parse_length(True)
    with pytest.raises(ValueError, match="size"):
        math_width("x", size="huge")


# -- series layout without TeX ----------------------------------------------------------


def flat(text: str) -> str:
    """A laid-out or inline series with the layout markup and all spaces taken out."""
    for markup in (r"\begin{align*}", r"\end{align*}", r"\begin{multline*}", r"\end{multline*}", r"\biggl(",
                   r"\biggr)", r"\left(", r"\right)", r"\qquad", r"\quad", r"\\", "&", "{}"):  # fmt: skip
        text = text.replace(markup, "")
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("width", [120, 200, 345, "8cm"])
@pytest.mark.parametrize("environment", ["align", "multline"])
def test_lines_fit_and_keep_every_term(width, environment):
    series = dg.expected_loss(SYM2, dg.Schedule.gd(N, T), 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LayoutWarning)  # at 120 pt a single κ(…) does not fit
        text = dg.latex(series, environment=environment, width=width)
    lines = display_lines(text)
    budget = parse_length(width) - (10 if environment == "multline" else 0)
    for line in lines:
        if math_width(line) > budget:  # only a lone unbreakable tensor may stick out
            assert parse_length(width) == 120 and line.count(r"\kappa") == 1 and "+" not in line, line
        assert line.count("{") == line.count("}"), line  # never inside a tensor or a fraction
        assert line.count(r"\left") == line.count(r"\right"), line
    assert flat(text) == flat(dg.latex(series))  # the same terms, in the same order


def test_one_power_per_line_and_the_breaks():
    series = dg.expected_loss(SYM1, dg.Schedule.sgd(T), 3)
    text = dg.latex(series, environment="align", lhs=r"\mathrm{E}\,l")
    lines = text.splitlines()
    assert lines[0] == r"\begin{align*}" and lines[-1] == r"\end{align*}"
    assert lines[1] == r"\mathrm{E}\,l ={}& l \\"
    assert lines[2] == r"& - \eta T G^{2} \\"
    assert lines[3].startswith(r"& + \eta^{2} \left(")
    assert lines[4].startswith(r"& - \eta^{3} \biggl( ") and lines[-2].endswith(r" \biggr)")
    assert all(line.startswith(r"& \quad + ") for line in lines[5:-1])
    assert dg.latex(series, width=COLUMN_WIDTH) == dg.latex(series, environment="align")  # width alone: align


def test_a_term_wider_than_the_line_breaks_between_its_factors():
    series = dg.expected_loss(SYM2, dg.Schedule.sgd(T), 3)
    with pytest.warns(LayoutWarning, match="wider than the target"):
        text = dg.latex(series, environment="align", width=90)
    lines = text.splitlines()
    assert any(line.startswith(r"& \qquad ") for line in lines)  # a product continued
    assert flat(text) == flat(dg.latex(series))


def test_environments_and_numbers():
    series = dg.expected_loss(SYM2, dg.Schedule.sgd(T), 2)
    split = dg.latex(series, environment="split", numbered=True)
    assert split.startswith("\\begin{equation}\n\\begin{split}\n") and split.endswith("\\end{split}\n\\end{equation}")
    align = dg.latex(series, environment="align", numbered=True)
    assert align.startswith(r"\begin{align}") and align.count(r"\notag") == align.count(r"\\")
    multline = dg.latex(series, environment="multline", lhs="L")
    assert multline.splitlines()[1].startswith("L ={} l") and multline.splitlines()[2].startswith("{} - ")
    assert dg.latex(series, lhs="L") == "L = " + dg.latex(series)


def test_group_by_diagram():
    terms = dg.DiagramSum(dg.diagram_terms(dg.Schedule.sgd(T), 3))
    by_statistic = dg.latex(terms, stats=SYM1)
    assert by_statistic == dg.latex(dg.expected_loss(SYM1, dg.Schedule.sgd(T), 3))
    text = dg.latex(terms, group="diagram", stats=SYM1, environment="align")
    order_three = [D for D, _ in terms if D.order == 3]
    assert len(order_three) == 9  # SPEC §9: 9 of the 17 order-3 diagrams embed when E = B = 1
    third = text.split(r"\eta^{3}")[1]
    assert third.count("+") == len(order_three) - 1  # one term per diagram (all of one sign)
    assert r"\frac{T^{3}}{6} G^{3} J" in third and r"\frac{T}{6} J S" in third
    einstein = dg.latex(terms, group="diagram")
    assert r"\frac{T^{3}}{6} G_{\mu}G_{\nu}J^{\mu\nu}{}_{\lambda}G^{\lambda}" in einstein
    with pytest.raises(TypeError, match="DiagramSum"):
        dg.latex(dg.expected_loss(SYM1, dg.Schedule.gd(N, T), 2), group="diagram")
    # the gap as the CLI builds it for --group diagram: −1/N times the root-tied terms
    gap_terms = dg.DiagramSum(dg.diagram_terms(dg.Schedule.gd(N, T), 3, root_tied=True)) * (-1 / N)
    gap = dg.generalization_gap(SYM1, dg.Schedule.gd(N, T), 3)
    assert sympy.expand(gap_terms.value(SYM1) - gap) == 0
    assert dg.latex(gap_terms, stats=SYM1) == dg.latex(gap)


def test_layout_options_are_checked():
    series = dg.expected_loss(SYM1, dg.Schedule.sgd(T), 1)
    with pytest.raises(ValueError, match="environment"):
        dg.latex(series, environment="eqnarray")
    with pytest.raises(ValueError, match="group"):
        dg.latex(series, group="tensor")
    with pytest.raises(ValueError, match="width"):
        dg.latex(series, width="wide")
    with pytest.raises(TypeError, match="lhs"):
        dg.latex(series, lhs=3)
    with pytest.raises(TypeError, match="series"):
        dg.latex(dg.parse("[a][a]"), environment="align")
    moves = dg.latex(dg.displacement(SYM2, dg.Schedule.sgd(T), 1), environment="align")
    assert moves.count(r"\begin{align*}") == 2  # one display per coordinate


def test_series_that_are_not_polynomials_in_eta_break_between_terms():
    T_ = sympy.Symbol("T", positive=True, integer=True)
    resummed = dg.expected_loss(SYM1, dg.Schedule.sgd(T_), 2, method=dg.Resummed("continuous", limit=False))
    terms = sympy.Add.make_args(resummed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LayoutWarning)  # a resummed term may be wider than a line by itself
        text = dg.latex(resummed, environment="align", width=150)
    assert 1 <= text.count(r"\\") <= len(terms) - 1  # broken, only between terms
    for term in terms:
        printed = dg.latex(-term if term.could_extract_minus_sign() else term)
        assert printed in text


# -- tables ---------------------------------------------------------------------------


def test_table_columns_longtable_and_equal_rows():
    diagrams = list(dg.enumerate_diagrams(3))
    text = dg.table(diagrams, schedule=dg.Schedule.sgd(T), columns=("picture", "value", "count"), longtable=True)
    assert text.splitlines()[:7] == [
        r"\begin{longtable}{cll}", r"\hline", r"$D$ & value & $L(D)$ \\", r"\hline", r"\endhead", r"\hline", r"\endfoot",
    ]  # fmt: skip
    struts = re.findall(r"\\rule\[[^]]*\]\{0pt\}\{[^}]*\}\\begin\{tikzpicture\}", text)
    assert len(struts) == len(diagrams) and len(set(struts)) == 1  # one height for every row
    scales = set(re.findall(r"\[sgd diagram(?:, scale=([0-9.]+))?\]", text))
    assert len(scales) == 1  # one picture scale
    with pytest.raises(ValueError, match="columns"):
        dg.table(diagrams, columns=("picture", "weight"))
    with pytest.raises(ValueError, match="schedule"):
        dg.table(diagrams, columns=("count",))
    with pytest.raises(ValueError, match="picture_scale"):
        dg.table(diagrams, picture_scale=0)


def test_table_fits_its_width_by_the_model():
    for order, width in ((3, 345), (3, 250), (4, 345)):
        diagrams = [D for D in dg.enumerate_diagrams(order) if dg.count_embeddings(D, dg.Schedule.sgd(T))]
        text = dg.table(diagrams, schedule=dg.Schedule.sgd(T), width=width)
        size = next((s for s in ("small", "footnotesize", "scriptsize") if rf"\begingroup\{s}" in text), "normalsize")
        separation = 3.0 if r"\setlength{\tabcolsep}{3pt}" in text else 6.0
        scale = float((re.findall(r"\[sgd diagram, scale=([0-9.]+)\]", text) or ["1"])[0])
        boxes = re.findall(r"useasboundingbox \((-?[0-9.]+),[^)]*\) rectangle \((-?[0-9.]+),", text)
        pictures = max(float(x1) - float(x0) for x0, x1 in boxes) * 0.5 * scale * 72.27 / 2.54
        rows = [line for line in text.splitlines() if line.startswith(r"\end{tikzpicture} & ")]
        cells = [row.removesuffix(r" \\").split(" & ")[1:] for row in rows]
        headers = [r"text", r"$|\mathrm{Aut}(D)|$", "value", "$L(D)$"]
        widths = [
            max(text_width(cell, size=size) for cell in column + (header,))
            for column, header in zip(zip(*cells), headers)
        ]
        assert pictures + sum(widths) + 2 * separation * 5 <= width
    assert r"\parbox" not in dg.table(dg.enumerate_diagrams(2), schedule=dg.Schedule.sgd(T))  # small: untouched


def test_a_table_too_wide_for_any_plan_warns():
    with pytest.warns(LayoutWarning, match="wider than"):
        dg.table(dg.enumerate_diagrams(3), schedule=dg.Schedule.sgd(T), width=100)


# -- documents and the command line ---------------------------------------------------------


def run(*argv: str) -> str:
    out = io.StringIO()
    assert main(list(argv), stdout=out) == 0
    return out.getvalue()


def test_cli_series_display_options():
    text = run("latex", "--series", "--order", "3", "--environment", "align", "--width", "250pt")
    series = dg.expected_loss(SYM1, dg.Schedule.sgd(sympy.Symbol("T", positive=True, integer=True)), 3)
    assert text == dg.latex(series, environment="align", width=250, lhs=r"\mathrm{E}\,l(\theta_T)") + "\n"
    by_diagram = run("latex", "--series", "--order", "2", "--group", "diagram")
    assert by_diagram.count("G^{2} H") == 2  # [a][ab][b] and [a][b][ab], one term each
    gap = run("latex", "--series", "--order", "2", "--quantity", "gap", "--group", "diagram", "--environment", "align")
    assert gap.startswith("\\begin{align*}\n\\mathrm{gap} ={}& \\eta C")
    assert main(["latex", "--series", "--order", "1", "--quantity", "displacement", "--group", "diagram"]) == 2
    assert main(["latex", "[a][a]", "--environment", "align"]) == 2
    assert main(["latex", "--series", "--order", "1", "--width", "wide"]) == 2


def test_cli_documents(tmp_path):
    document = run("latex", "--series", "--order", "2", "--dim", "2", "--standalone")
    assert document.startswith("\\documentclass{article}\n\\usepackage{amsmath}\n") and r"\begin{align*}" in document
    assert run("latex", "[a:b][ab]", "--standalone").splitlines()[3] == r"\[ C_{\mu\nu}H^{\mu\nu} \]"
    table = run("table", "--order", "2", "--columns", "text,value", "--standalone")
    assert r"\begin{center}" in table and r"\begin{tabular}{ll}" in table and "tikz" not in table
    target = tmp_path / "series.tex"
    written = run("latex", "--series", "--order", "2", "-o", str(target)).split()
    assert written[0] == str(target) and target.read_text().startswith("\\documentclass{article}")
    if pdflatex_path() is not None:
        assert written == [str(target), str(tmp_path / "series.pdf")]
        assert (tmp_path / "series.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(SystemExit):
        main(["table", "--order", "2", "--columns", "text,weight"])
    assert main(["latex", "--series", "--order", "2", "-o", str(tmp_path / "x.txt")]) == 2


def test_write_document_refuses_other_suffixes(tmp_path):
    with pytest.raises(ValueError, match=".tex or .pdf"):
        write_document(standalone_document(["x"]), tmp_path / "x.docx")


def test_overfull_boxes_are_read_from_a_log():
    log = "Overfull \\hbox (3.5pt too wide) in alignment\nUnderfull \\hbox\nOverfull \\hbox (10.0pt too wide) in x"
    assert overfull_boxes(log) == [3.5, 10.0]


# -- Jupyter ----------------------------------------------------------------------------------


class FakeFormatter:
    def __init__(self):
        self.printers = {}

    def lookup_by_type(self, kind):
        return self.printers[kind]

    def for_type(self, kind, function):
        self.printers[kind] = function


class FakeShell:
    def __init__(self):
        self.display_formatter = type("Display", (), {"formatters": {"text/latex": FakeFormatter()}})()


def test_notebook_formatter_groups_series_and_leaves_other_expressions():
    shell = FakeShell()
    assert notebook.register_formatter(shell) and notebook.register_formatter(shell)  # twice: wrapped once
    format_latex = shell.display_formatter.formatters["text/latex"].printers[sympy.Basic]
    series = dg.expected_loss(SYM1, dg.Schedule.sgd(T), 2)
    assert format_latex(series) == rf"$\displaystyle {dg.latex(series)}$"
    assert format_latex(series).index(r"\eta^{2}") > format_latex(series).index(r"\eta T")  # ascending
    x = sympy.Symbol("x")
    assert format_latex(x**2 + 1) == (x**2 + 1)._repr_latex_()
    assert format_latex(dg.uvalue(dg.parse("[a:ab][b]"))) == r"$\displaystyle \eta^{2} G \kappa_{1,2}$"
    assert notebook.register_formatter(object()) is False
    shown = dg.show(series, environment="align")
    assert shown._repr_latex_() == str(shown) == dg.latex(series, environment="align")


def test_notebook_kernel_shows_series_grouped_and_progress_without_warnings():
    """In a real kernel: the series' LaTeX output is dg.latex's, and progress=True writes no warning."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [
        "import sympy, diagrams as dg\nT = sympy.Symbol('T')",
        "dg.expected_loss(dg.Statistics.symbolic(), dg.Schedule.sgd(T), 2, progress=True)",
    ]
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(book, timeout=120, kernel_name="python3").execute()
    outputs = book.cells[1].outputs
    shown = [o for o in outputs if o.output_type == "execute_result"][0]
    series = dg.expected_loss(SYM1, dg.Schedule.sgd(sympy.Symbol("T")), 2)
    assert shown.data["text/latex"] == rf"$\displaystyle {dg.latex(series)}$"
    streams = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "Warning" not in streams and "IProgress" not in streams, streams


def test_progress_bars_fall_back_to_text_without_ipywidgets(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # importing it now fails, as when it is not installed
    assert progress_bar_class().__module__ == "tqdm.std"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(track(range(3), "test", enabled=True)) == [0, 1, 2]

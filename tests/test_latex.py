r"""LaTeX of values, diagrams, series and tables (diagrams.output.latex), and that it compiles.

Golden strings were derived by hand from the rules in diagrams/latex.py:
letters become μ ν λ ρ … in order of first appearance, lower at the first
occurrence and upper at the second; free (numeric) indices upper.
"""

import io
import re
import subprocess
from collections import Counter

import pytest
import sympy

import diagrams as dg
from diagrams.cli import main
from diagrams.core.observables import LOSS, coordinate
from diagrams.output.latex import INDEX_SYMBOLS, einstein_latex, index_symbol
from diagrams.values.einstein import Contraction, EinsteinStatistics


def einstein(diagram, observable=LOSS):
    """The text of a diagram's Einstein value."""
    return EinsteinStatistics.contraction(diagram, observable).name


T, N, E = sympy.symbols("T N E")
SYM1 = dg.Statistics.symbolic()
SYM2 = dg.Statistics.symbolic(2)


# -- Einstein notation --------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("C_{ab} H_{ab}", r"C_{\mu\nu}H^{\mu\nu}"),
        ("H_{ab} C_{ab}", r"H_{\mu\nu}C^{\mu\nu}"),
        ("G_{a} H_{ab} G_{b}", r"G_{\mu}H^{\mu}{}_{\nu}G^{\nu}"),
        ("G_{a} G_{a}", r"G_{\mu}G^{\mu}"),
        ("S_{abc} J_{abc}", r"S_{\mu\nu\lambda}J^{\mu\nu\lambda}"),
        ("C_{aa}", r"C_{\mu}{}^{\mu}"),
        ("C_{ac} H_{ab} J_{bcd} G_{d}", r"C_{\mu\nu}H^{\mu}{}_{\lambda}J^{\lambda\nu}{}_{\rho}G^{\rho}"),
        (
            "G_{a} kappa_{c|d|ab} J_{bcd}",
            r"G_{\mu}\kappa\left(\nabla_{\nu} l_{x}, \nabla_{\lambda} l_{x}, \nabla^{\mu}{}_{\rho} l_{x}\right)J^{\rho\nu\lambda}",
        ),
        ("kappa_{a|ab} G_{b}", r"\kappa\left(\nabla_{\mu} l_{x}, \nabla^{\mu}{}_{\nu} l_{x}\right)G^{\nu}"),
        ("kappa_{abcd} G_{a} G_{b} G_{c} G_{d}", r"(\nabla_{\mu\nu\lambda\rho} l)G^{\mu}G^{\nu}G^{\lambda}G^{\rho}"),
        ("l", "l"),
        ("s_{a} G_{a}", r"s_{\mu}G^{\mu}"),
        ("G_{0}", "G^{0}"),
        ("G_{a} H_{a0}", r"G_{\mu}H^{\mu0}"),
        ("kappa_{a|a0}", r"\kappa\left(\nabla_{\mu} l_{x}, \nabla^{\mu0} l_{x}\right)"),
    ],
)
def test_einstein_golden(name, expected):
    assert einstein_latex(name) == expected


def test_free_indices_can_be_written_lower():
    assert einstein_latex("G_{a} H_{a0}", free_indices="lower") == r"G_{\mu}H^{\mu}{}_{0}"
    assert einstein_latex("G_{0}", free_indices="lower") == "G_{0}"
    assert dg.latex(Contraction.from_text("G_{0}"), free_indices="lower") == "G_{0}"


def test_index_symbols_avoid_letters_with_other_meanings():
    assert len(set(INDEX_SYMBOLS)) == len(INDEX_SYMBOLS)
    assert not {r"\eta", r"\theta", r"\kappa"} & set(INDEX_SYMBOLS)
    assert index_symbol(len(INDEX_SYMBOLS)) == r"\mu_{1}"


def test_bad_names_are_rejected():
    for bad in ("C_{ab} + H_{ab}", "x_{ab}", "kappa", ""):
        with pytest.raises(ValueError, match="Einstein"):
            einstein_latex(bad)
    with pytest.raises(ValueError, match="free_indices"):
        einstein_latex("G_{0}", free_indices="up")


_INDEX = re.compile(r"\\(" + "|".join(s[1:] for s in INDEX_SYMBOLS) + r")(?![a-z])")


def _all_value_names(max_order=4):
    names = set()
    for order in range(max_order + 1):
        for root_tied in (False, True):
            for D in dg.enumerate_diagrams(order, root_tied=root_tied):
                names.add(einstein(D))
                if not root_tied and D.degrees[D.root] == 1:
                    names.add(einstein(D, coordinate(1)))
    return sorted(names)


def test_every_contracted_index_appears_once_lower_once_upper():
    for name in _all_value_names():
        text = einstein_latex(name)
        letters = set(re.findall(r"[a-zA-Z]", "".join(re.findall(r"\{([^}]*)\}", name)).replace("|", "")))
        counts = Counter(_INDEX.findall(text))
        assert len(counts) == len(letters), (name, text)
        assert set(counts.values()) <= {2}, (name, text)
        assert text.count("{") == text.count("}"), (name, text)
        assert "^{" in text or not letters, (name, text)


# -- 1-D symbols, values, diagrams ------------------------------------------------


def test_one_dimensional_symbols():
    assert dg.latex(sympy.Symbol("kappa_{1,2}")) == r"\kappa_{1,2}"
    assert dg.latex(sympy.Symbol("kappa_{1,1,2}")) == r"\kappa_{1,1,2}"
    assert dg.latex(dg.eta) == r"\eta"
    assert dg.latex(dg.uvalue(dg.parse("[a:ab][b]"))) == r"\eta^{2} G \kappa_{1,2}"
    assert dg.latex(dg.uvalue(dg.parse("[a:b:c][abc]"))) == r"\eta^{3} J S"


def test_einstein_values_are_structured_with_a_latex_hook():
    value = dg.uvalue(dg.parse("[a:b][ab]"), SYM2)
    (symbol,) = value.free_symbols - {dg.eta}
    assert isinstance(symbol, Contraction) and [f.name for f in symbol.factors] == ["C", "H"]
    assert [f.groups for f in symbol.factors] == [(("a",), ("b",)), (("a", "b"),)]
    assert str(symbol) == symbol.name == "C_{ab} H_{ab}"
    assert symbol == Contraction.from_text("C_{ab} H_{ab}") and hash(symbol) == hash(
        Contraction.from_text("C_{ab} H_{ab}")
    )
    assert sympy.latex(2 * symbol + 1) == r"2 C_{\mu\nu}H^{\mu\nu} + 1"
    assert sympy.latex(value) == r"C_{\mu\nu}H^{\mu\nu} \eta^{2}"  # sympy orders; dg.latex groups by η
    assert dg.latex(value) == r"\eta^{2} C_{\mu\nu}H^{\mu\nu}"
    assert dg.latex(2 * symbol + 1) == r"2 C_{\mu\nu}H^{\mu\nu} + 1"


def test_plain_symbols_with_einstein_names_print_the_same_way():
    assert dg.latex(sympy.Symbol("G_{a} H_{ab} G_{b}")) == r"G_{\mu}H^{\mu}{}_{\nu}G^{\nu}"
    assert dg.latex(sympy.Symbol("x_{ab}")) == sympy.latex(sympy.Symbol("x_{ab}"))


def test_diagrams_print_their_value_or_text():
    D1, D2 = dg.parse("[a:b][ab]"), dg.parse("[a][ab][b]")
    assert dg.latex(D1) == r"C_{\mu\nu}H^{\mu\nu}"
    assert D2.to_latex() == r"G_{\mu}H^{\mu}{}_{\nu}G^{\nu}"
    assert dg.latex(D1, diagram_style="text") == r"\texttt{[a:b][ab]}"
    assert dg.latex(dg.parse("[]"), diagram_style="text") == r"\texttt{[]}"
    assert dg.latex(D1, diagram_style="tikz") == D1.to_tikz()
    assert sympy.latex([D1, D2]) == r"\left[ C_{\mu\nu}H^{\mu\nu}, \  G_{\mu}H^{\mu}{}_{\nu}G^{\nu}\right]"
    assert dg.latex([D1, D2], diagram_style="text") == r"\left[ \texttt{[a:b][ab]}, \  \texttt{[a][ab][b]}\right]"
    assert D1._repr_latex_() == r"$\displaystyle C_{\mu\nu}H^{\mu\nu}$"
    assert sympy.sstr([D1]) == "[[a:b][ab]]"


def test_crossing_symmetric_diagrams_print_alike():
    assert dg.latex(dg.parse("[a][b][ab]")) == dg.latex(dg.parse("[a][ab][b]"))


def test_root_tied_and_order_zero():
    assert dg.latex(dg.parse("[a:a]")) == r"C_{\mu}{}^{\mu}"
    assert dg.latex(dg.parse("[]")) == "l"


def test_settings_are_checked():
    with pytest.raises(TypeError, match="Unknown setting"):
        dg.latex(dg.eta, colour="red")
    with pytest.raises(ValueError, match="diagram_style"):
        dg.latex(dg.parse("[a][a]"), diagram_style="picture")


# -- series ------------------------------------------------------------------


def test_order_two_series_in_einstein_notation():
    """SPEC §5 with N = T, B = E = 1: η²[T(T−½) GHG + T/2 CH]."""
    series = dg.expected_loss(SYM2, dg.Schedule.sgd(T), 2)
    assert dg.latex(series) == (
        r"l - \eta T G_{\mu}G^{\mu} + \eta^{2} \left(\frac{T}{2} C_{\mu\nu}H^{\mu\nu}"
        r" + \frac{T \left(2 T - 1\right)}{2} G_{\mu}H^{\mu}{}_{\nu}G^{\nu}\right)"
    )


def test_order_two_series_for_a_symbolic_multi_epoch_schedule():
    """SPEC §5 with B = 1, T = EN: T²/(2N) = E²N/2, T(T−½), T(E−1)/2 = EN(E−1)/2."""
    series = dg.expected_loss(SYM1, dg.Schedule(N, 1, E), 2)
    assert dg.latex(series) == (
        r"l - \eta E N G^{2} + \eta^{2} \left(\frac{E^{2} N}{2} C H"
        r" + \frac{E N \left(2 E N - 1\right)}{2} G^{2} H"
        r" + \frac{E N \left(E - 1\right)}{2} G \kappa_{1,2}\right)"
    )


def test_numeric_schedule_puts_numbers_before_eta():
    """(N, B, E) = (4, 2, 2): T = 4, so 14 G²H, 2 CH and 1·Gκ at η²."""
    series = dg.expected_loss(SYM1, dg.Schedule(4, 2, 2), 2)
    assert dg.latex(series) == r"l - 4 \eta G^{2} + \eta^{2} \left(2 C H + 14 G^{2} H + G \kappa_{1,2}\right)"


def test_skewness_term_and_negative_groups():
    """At order 3 for E = B = 1 every η³ term is negative, so the sign comes out: −η³(… + T/6 SJ + …)."""
    text = dg.latex(dg.expected_loss(SYM2, dg.Schedule.sgd(T), 3))
    assert r" - \eta^{3} \left(" in text
    assert r"\frac{T}{6} S_{\mu\nu\lambda}J^{\mu\nu\lambda}" in text


def test_generalization_gap_and_displacement():
    assert dg.latex(dg.generalization_gap(SYM2, dg.Schedule.gd(N, T), 1)) == r"\eta \frac{T}{N} C_{\mu}{}^{\mu}"
    moves = dg.displacement(SYM2, dg.Schedule.sgd(T), 1)
    assert dg.latex(moves) == r"\left( - \eta T G^{0}, \  - \eta T G^{1}\right)"


def test_series_grouping_edge_cases():
    assert dg.latex(sympy.Integer(0)) == "0"
    assert dg.latex(-2 * dg.eta) == r"- 2 \eta"
    assert dg.latex(dg.eta**2 * (T + N) * sympy.Symbol("G")) == r"\eta^{2} \left(N + T\right) G"
    assert dg.latex(dg.eta * (T + N)) == r"\eta \left(N + T\right)"
    assert dg.latex(1 - dg.eta * T, group_eta=False) == sympy.latex(1 - dg.eta * T)
    # non-polynomial expressions in η keep sympy's layout
    assert dg.latex(sympy.exp(-dg.eta * T)) == r"e^{- \eta T}"


# -- tables ------------------------------------------------------------------


def test_table_golden_row():
    D = dg.parse("[a][ab][b]")
    text = dg.table([D], schedule=dg.Schedule.sgd(T))
    lines = text.splitlines()
    assert lines[:4] == [
        r"\begin{tabular}{cllll}",
        r"\hline",
        r"$D$ & text & $|\mathrm{Aut}(D)|$ & value & $L(D)$ \\",
        r"\hline",
    ]
    assert lines[-2:] == [r"\hline", r"\end{tabular}"]
    row = text.split(r"\end{tikzpicture} & ")[1].splitlines()[0]
    assert row == r"\texttt{[a][ab][b]} & $1$ & $G_{\mu}H^{\mu}{}_{\nu}G^{\nu}$ & $\frac{T \left(T - 1\right)}{2}$ \\"
    assert D.to_tikz() in text


def test_table_without_schedule_and_with_statistics():
    diagrams = list(dg.enumerate_diagrams(2))
    text = dg.table(diagrams)
    assert text.startswith(r"\begin{tabular}{clll}")
    assert text.count(r"\begin{tikzpicture}") == len(diagrams) == 4
    assert "$L(D)$" not in text
    one_d = dg.table([dg.parse("[a:b][ab]")], stats=SYM1)
    assert r"& $2$ & $\eta^{2} C H$ \\" in one_d


# -- command line ----------------------------------------------------------------


def run(*argv) -> str:
    out = io.StringIO()
    assert main(list(argv), stdout=out) == 0
    return out.getvalue()


def test_cli_latex_of_a_diagram():
    assert run("latex", "[b:a][ab]") == "C_{\\mu\\nu}H^{\\mu\\nu}\n"
    assert run("latex", "c(01-2)(02-12)", "--text") == "\\texttt{[a:b][ab]}\n"
    assert run("latex", "[a:b][ab]", "--tikz") == dg.parse("[a:b][ab]").to_tikz() + "\n"


def test_cli_latex_of_a_series():
    text = run("latex", "--series", "--order", "2", "--schedule", "4,2,2")
    assert text == dg.latex(dg.expected_loss(SYM1, dg.Schedule(4, 2, 2), 2)) + "\n"
    lines = run("latex", "--series", "--order", "1", "--dim", "2", "--quantity", "displacement").splitlines()
    assert lines == [r"- \eta T G^{0}", r"- \eta T G^{1}"]
    assert "G" not in run("latex", "--series", "--order", "2", "--at-minimum")


def test_cli_latex_usage_errors(capsys):
    assert main(["latex"]) == 2
    assert main(["latex", "--series"]) == 2
    assert "--order" in capsys.readouterr().err
    assert main(["latex", "[a:b]"]) == 2
    assert "only one node" in capsys.readouterr().err


def test_cli_table():
    text = run("table", "--order", "3", "--schedule", "sgd", "--embeddable")
    assert text.count(r"\begin{tikzpicture}") == 9  # SPEC §9: 9 of the 17 embed when E = B = 1
    assert text.count(r"\begin{tikzpicture}") == run("table", "--order", "3").count(r"\begin{tikzpicture}") - 8
    assert main(["table", "--order", "2", "--embeddable"]) == 2


# -- compiling -----------------------------------------------------------------

DOCUMENT = r"""\documentclass{article}
\usepackage{tikz}
\begin{document}
Value: $%(value)s$, diagrams: $%(diagrams)s$, texts: $%(texts)s$.

Series: $%(series)s$

One-dimensional, multi-epoch: $%(series_1d)s$

Gap: $%(gap)s$. Displacement: $%(displacement)s$. Free index lower: $%(lower)s$.

Inline pictures: %(pictures)s

%(table)s

\bigskip
%(tied_table)s

Sums of diagrams: $%(sum)s$ and $%(sum_pictures)s$.
\end{document}
"""


def compile_latex(source: str, folder, pdflatex: str) -> None:
    (folder / "doc.tex").write_text(source, encoding="utf-8")
    done = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert (folder / "doc.pdf").stat().st_size > 1000


def test_everything_compiles_with_pdflatex(tmp_path, pdflatex):  # pdflatex: see conftest.py
    small = [D for order in range(3) for D in dg.enumerate_diagrams(order)]
    fields = {
        "value": dg.latex(2 * dg.uvalue(dg.parse("[a][ab:c:d][bcd]"), SYM2) + 1),
        "diagrams": dg.latex(small),
        "texts": dg.latex(small, diagram_style="text"),
        "series": dg.latex(dg.expected_loss(SYM2, dg.Schedule.sgd(T), 3)),
        "series_1d": dg.latex(dg.expected_loss(SYM1, dg.Schedule(N, 1, E), 3)),
        "gap": dg.latex(dg.generalization_gap(SYM2, dg.Schedule.gd(N, T), 2)),
        "displacement": dg.latex(dg.displacement(SYM2, dg.Schedule(4, 2, 2), 2)),
        "lower": dg.latex(dg.displacement(SYM2, dg.Schedule.sgd(T), 2), free_indices="lower"),
        "pictures": " ".join(D.to_tikz() for D in small),
        "table": dg.table(dg.enumerate_diagrams(3), schedule=dg.Schedule.sgd(T)),
        "tied_table": dg.table(dg.enumerate_diagrams(2, root_tied=True), schedule=dg.Schedule(4, 2, 2), stats=SYM1),
        "sum": dg.latex(dg.parse_sum("(T - 1) [a][a] - 1/2 [a:b][ab] + eta^2 N [a:ab][b]")),
        "sum_pictures": dg.latex(dg.parse_sum("T [a][a] - 1/2 [a:b][ab]"), diagram_style="tikz"),
    }
    compile_latex(DOCUMENT % fields, tmp_path, pdflatex)


def test_einstein_values_pickle():
    import pickle

    symbol = Contraction.from_text("G_{a} H_{ab} G_{b}")
    again = pickle.loads(pickle.dumps(symbol))
    assert again == symbol and type(again) is Contraction


def test_eigenvalue_symbols_share_the_values_index_names():
    """In resummed m-dimensional forms, lambda_<letter> is printed with the Greek index of its letter."""
    T_ = sympy.Symbol("T", positive=True, integer=True)
    resummed = dg.expected_loss(SYM2, dg.Schedule.sgd(T_), 2, method=dg.Resummed("continuous", limit=True))
    text = dg.latex(resummed)
    assert r"\frac{G_{\mu}G^{\mu}}{\lambda_{\mu}}" in text
    assert r"\lambda_{\mu} + \lambda_{\nu}" in text and "lambda_{a}" not in text

"""`sgd-diagrams series`: the printed series equals the library's."""

import io
import json

import pytest
import sympy

import diagrams as dg
from diagrams import cli
from diagrams.cli import main


def run(*argv) -> str:
    out = io.StringIO()
    assert main(list(argv), stdout=out) == 0
    return out.getvalue()


def library_coefficients(expr, order):
    return {str(k): sympy.factor(sympy.expand(expr).coeff(dg.eta, k)) for k in range(order + 1)}


T_, N_ = sympy.symbols("T N", positive=True, integer=True)
SCHEDULES = {"sgd": dg.Schedule.sgd(T_), "gd": dg.Schedule.gd(N_, T_), "4,2,2": dg.Schedule(4, 2, 2)}
FUNCTIONS = {"loss": dg.expected_loss, "gap": dg.generalization_gap}
SYMPY = {name: getattr(sympy, name) for name in dir(sympy) if not name.startswith("_")}


def rebuilt(srepr: str) -> sympy.Expr:
    """What a reader with sympy alone makes of a printed srepr (here only: the package never evals)."""
    return eval(srepr, {"__builtins__": {}}, SYMPY)


def same_value(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Exactly equal (rebuilding re-evaluates: -(6*C + 2*G)/4 comes back as -3*C/2 - G/2);
    symbols must agree in name and assumptions to cancel."""
    return sympy.expand(a - b) == 0


def plain(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with Einstein symbols (a Symbol subclass) as plain Symbols of the same name."""
    return expr.xreplace({s: sympy.Symbol(s.name, **s.assumptions0) for s in expr.free_symbols})


@pytest.mark.parametrize("schedule", ["sgd", "gd", "4,2,2"])
@pytest.mark.parametrize("quantity", ["loss", "gap"])
def test_series_json_matches_library(schedule, quantity):
    # Each coefficient is an object {text, srepr, latex} now (it was the text alone), and the
    # series sit in a list under "series" (a displacement has one per coordinate).
    argv = ["series", "--order", "2", "--schedule", schedule, "--quantity", quantity, "--format", "json"]
    document = json.loads(run(*argv))
    assert (document["quantity"], document["order"], document["dim"], document["assume"]) == (quantity, 2, 1, [])
    (series,) = document["series"]
    expected = library_coefficients(FUNCTIONS[quantity](dg.Statistics.symbolic(), SCHEDULES[schedule], 2), 2)
    assert list(series["eta_powers"]) == ["0", "1", "2"]
    for k, printed in series["eta_powers"].items():
        assert printed["text"] == str(expected[k])
        assert same_value(rebuilt(printed["srepr"]), expected[k])
        assert printed["latex"] == dg.latex(expected[k])


def test_series_json_round_trips_einstein_values():
    document = json.loads(run("series", "--order", "2", "--dim", "2", "--quantity", "displacement", "--format", "json"))
    moves = dg.displacement(dg.Statistics.symbolic(2), SCHEDULES["sgd"], 2)
    assert len(document["series"]) == len(moves) == 2
    for series, move in zip(document["series"], moves):
        expected = library_coefficients(move, 2)
        for k, printed in series["eta_powers"].items():
            assert same_value(rebuilt(printed["srepr"]), plain(expected[k]))
            assert printed["latex"] == dg.latex(expected[k])  # Greek indices, raised the second time
    lines = run("series", "--order", "2", "--dim", "2", "--quantity", "displacement", "--format", "jsonl").splitlines()
    assert [json.loads(line)["name"] for line in lines] == [s["name"] for s in document["series"]]
    assert all(json.loads(line)["quantity"] == "displacement" for line in lines)


def coefficient_lines(text: str) -> str:
    """The series part of text output (the legend comes after it)."""
    return text.split("\nwhere\n")[0]


def test_series_at_minimum_drops_gradient_terms():
    text = coefficient_lines(run("series", "--order", "3", "--at-minimum"))
    assert "G" not in text and "C*H" in text
    full = coefficient_lines(run("series", "--order", "3"))
    assert "G**2" in full


@pytest.mark.parametrize(
    "argv, schedule, assume",
    [
        (["--order", "3"], "sgd", ()),
        (["--order", "3", "--schedule", "gd", "--quantity", "gap"], "gd", ()),
        (["--order", "4", "--gaussian", "--at-minimum"], "sgd", ("gaussian", "at_minimum")),
    ],
)
def test_the_legend_names_exactly_the_symbols_printed(argv, schedule, assume):
    text = run("series", *argv)
    series, legend = text.split("\nwhere\n")
    listed = {line.split()[0] for line in legend.splitlines()}
    function = FUNCTIONS["gap" if "gap" in argv else "loss"]
    expr = function(dg.Statistics.symbolic(), SCHEDULES[schedule], int(argv[1]), assume=assume)
    names = {str(s) for s in expr.free_symbols} - {"eta"}
    expected = {"kappa_{k1,...,kj}" if name.startswith("kappa_") else name for name in names} | {"eta"}
    assert listed == expected
    meanings = dict(cli.LEGEND)
    for line in legend.splitlines():
        symbol = line.split()[0]
        assert line.split(None, 1)[1] == meanings[symbol]


def test_the_legend_can_be_left_out_and_is_not_in_json():
    assert "where" not in run("series", "--order", "2", "--no-legend")
    assert run("series", "--order", "2", "--no-legend") == coefficient_lines(run("series", "--order", "2")) + "\n"


def test_series_help_explains_every_symbol(capsys):
    with pytest.raises(SystemExit):
        main(["series", "--help"])
    help_text = capsys.readouterr().out
    for symbol, meaning in cli.LEGEND:
        assert f"{symbol}  " in help_text and meaning[:40] in " ".join(help_text.split())


def test_series_displacement_in_two_dimensions_has_free_index():
    text = coefficient_lines(run("series", "--order", "1", "--dim", "2", "--quantity", "displacement"))
    assert "eta^1: -G_{0}*T" in text and "eta^1: -G_{1}*T" in text


def test_series_rejects_bad_schedule(capsys):
    with pytest.raises(SystemExit):
        main(["series", "--order", "2", "--schedule", "5,2,1"])
    assert "must divide" in capsys.readouterr().err


def test_progress_bar_goes_to_stderr_and_leaves_output_alone(capsys):
    quiet = run("enumerate", "--order", "4", "--no-progress")
    assert capsys.readouterr().err == ""
    loud = run("enumerate", "--order", "4", "--progress")
    assert loud == quiet and quiet.count("\n") == 101
    error = capsys.readouterr().err
    assert "order 4" in error and "/101" in error  # the bar knows its total (a closed count)
    assert run("series", "--order", "2", "--progress") == run("series", "--order", "2", "--no-progress")
    assert "order 2" in capsys.readouterr().err

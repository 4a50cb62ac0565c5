"""`sgd-diagrams series`: the printed series equals the library's."""

import io
import json

import pytest
import sympy

import diagrams as dg
from diagrams.cli import main


def run(*argv) -> str:
    out = io.StringIO()
    assert main(list(argv), stdout=out) == 0
    return out.getvalue()


def library_coefficients(expr, order):
    return {str(k): sympy.factor(sympy.expand(expr).coeff(dg.eta, k)) for k in range(order + 1)}


@pytest.mark.parametrize("schedule", ["sgd", "gd", "4,2,2"])
@pytest.mark.parametrize("quantity", ["loss", "gap"])
def test_series_json_matches_library(schedule, quantity):
    (line,) = run("series", "--order", "2", "--schedule", schedule, "--quantity", quantity, "--format", "json").splitlines()
    printed = json.loads(line)["eta_powers"]
    T, N = sympy.symbols("T N", positive=True, integer=True)
    sched = {"sgd": dg.Schedule.sgd(T), "gd": dg.Schedule.gd(N, T), "4,2,2": dg.Schedule(4, 2, 2)}[schedule]
    function = dg.expected_loss if quantity == "loss" else dg.generalization_gap
    expected = library_coefficients(function(dg.Statistics.symbolic(), sched, 2), 2)
    assert printed == {k: str(v) for k, v in expected.items()}


def test_series_at_minimum_drops_gradient_terms():
    text = run("series", "--order", "3", "--at-minimum")
    assert "G" not in text and "C*H" in text
    full = run("series", "--order", "3")
    assert "G**2" in full


def test_series_displacement_in_two_dimensions_has_free_index():
    text = run("series", "--order", "1", "--dim", "2", "--quantity", "displacement")
    assert "eta^1: -G_{0}*T" in text and "eta^1: -G_{1}*T" in text


def test_series_rejects_bad_schedule(capsys):
    with pytest.raises(SystemExit):
        main(["series", "--order", "2", "--schedule", "5,2,1"])
    assert "must divide" in capsys.readouterr().err


def test_progress_bar_goes_to_stderr_and_leaves_output_alone(capsys):
    quiet = run("enumerate", "--order", "4", "--count", "--no-progress")
    assert capsys.readouterr().err == ""
    loud = run("enumerate", "--order", "4", "--count", "--progress")
    assert loud == quiet == "101\n"
    assert "order 4" in capsys.readouterr().err
    assert run("series", "--order", "2", "--progress") == run("series", "--order", "2", "--no-progress")
    assert "order 2" in capsys.readouterr().err

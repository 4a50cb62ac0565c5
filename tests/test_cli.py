"""The command line: parse and enumerate, text and JSON output, errors, limits, pipes and
signals, python -m and the console entry point."""

from __future__ import annotations

import importlib.metadata
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

import diagrams as dg
from diagrams import cli, parse
from diagrams.cli import main
from diagrams.core.enumeration import estimated_count

ROOT = Path(__file__).resolve().parent.parent


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(argv), stdout=out)
    return status, out.getvalue()


def test_parse_text_output():
    status, out = run("parse", "[b:a][ba]")
    assert status == 0
    fields = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    # two tied leaves under the root: order 2, |Aut| = 2, not root-tied, no link
    assert parse(fields["canonical"]) == parse("[a:b][ab]")
    assert fields["canonical"] == str(parse("[a:b][ab]"))
    assert fields["order"] == "2"
    assert fields["|Aut|"] == "2"
    assert fields["linkless"] == "true"
    assert fields["root_tied"] == "false"
    assert parse(fields["legacy"]) == parse("[a:b][ab]")


def test_parse_json_output():
    status, out = run("parse", "--format", "json", "c(0-123-4)(01-14-34-24)")
    assert status == 0
    facts = json.loads(out)
    # SPEC §3: a leaf under a node tied with two leaves, all under the root; only the
    # two tied leaves of the root may be swapped: |Aut| = 2
    assert parse(facts["text"]) == parse("[a][ab:c:d][bcd]")
    assert facts["order"] == 4
    assert facts["automorphisms"] == 2
    assert facts["linkless"] is True
    assert facts["root_tied"] is False
    assert parse(facts["legacy"]) == parse("[a][ab:c:d][bcd]")


def test_parse_root_tied_json():
    status, out = run("parse", "[a:a]", "--format", "json")
    assert status == 0
    facts = json.loads(out)
    assert facts["root_tied"] is True and facts["order"] == 1 and facts["automorphisms"] == 1


def test_enumerate_count():
    # SPEC §2: 17 diagrams of order 3
    assert run("enumerate", "--order", "3", "--count") == (0, "17\n")
    status, out = run("enumerate", "--order", "3", "--count", "--format", "json")
    assert status == 0 and json.loads(out) == {"order": 3, "count": 17}


def test_enumerate_order_two_json():
    # --format json is one JSON array (it was one object per line, which is now --format jsonl)
    status, out = run("enumerate", "--order", "2", "--format", "json")
    assert status == 0
    records = json.loads(out)
    assert isinstance(records, list) and len(records) == 4
    # SPEC §2's four: two single leaves; two tied leaves; chain; chain with leaf tied to middle
    expected = {parse("[a][b][ab]"), parse("[a:b][ab]"), parse("[a][ab][b]"), parse("[a:ab][b]")}
    assert {parse(r["text"]) for r in records} == expected
    for r in records:
        D = parse(r["text"])
        assert r["order"] == 2
        assert r["automorphisms"] == D.automorphism_count
        assert r["root_tied"] is False
        assert r["linkless"] == (r["text"] != str(parse("[a][ab][b]")))  # only the bare chain has a link
    auts = {str(parse(r["text"])): r["automorphisms"] for r in records}
    assert auts[str(parse("[a][b][ab]"))] == 2 and auts[str(parse("[a:b][ab]"))] == 2
    assert auts[str(parse("[a][ab][b]"))] == 1 and auts[str(parse("[a:ab][b]"))] == 1


def test_enumerate_text_output():
    status, out = run("enumerate", "--order", "2")
    assert status == 0
    lines = out.strip().splitlines()
    assert len(lines) == 4
    assert {parse(line.split()[0]) for line in lines} == {
        parse("[a][b][ab]"),
        parse("[a:b][ab]"),
        parse("[a][ab][b]"),
        parse("[a:ab][b]"),
    }


def test_enumerate_linkless_count():
    # Hand count in test_enumerate.test_linkless_order_three_by_hand: 3 + 3 + 4 + 2 = 12.
    assert run("enumerate", "--order", "3", "--linkless", "--count") == (0, "12\n")


def test_enumerate_root_tied():
    # Order 2 root-tied: 2 on the two-leaf star + 3 on the chain (see test_enumerate).
    assert run("enumerate", "--order", "2", "--root-tied", "--count") == (0, "5\n")
    status, out = run("enumerate", "--order", "1", "--root-tied", "--format", "json")
    assert status == 0
    (record,) = json.loads(out)
    assert parse(record["text"]) == parse("[a:a]")


def test_bad_diagram_exits_2_with_caret(capsys):
    status, out = run("parse", "[a][ab]")
    assert status == 2
    assert out == ""
    err = capsys.readouterr().err
    assert "only one node" in err
    assert "Traceback" not in err
    lines = err.rstrip("\n").split("\n")
    assert lines[-2].strip() == "[a][ab]"
    # the caret sits under the lone 'b' (column 6)
    assert lines[-1].index("^") - lines[-2].index("[") == 5


def test_bad_arguments_exit_via_argparse(capsys):
    with pytest.raises(SystemExit) as info:
        main(["enumerate", "--order", "-1"], stdout=io.StringIO())
    assert info.value.code == 2
    with pytest.raises(SystemExit):
        main(["enumerate", "--order", "x"], stdout=io.StringIO())
    with pytest.raises(SystemExit):
        main([], stdout=io.StringIO())
    capsys.readouterr()


def test_enumerate_order_out_of_range_is_a_usage_error(capsys):
    # enumerate_diagrams accepts orders 0..52 (one letter per edge); beyond that the
    # command line should say so and exit with status 2, not crash with a traceback.
    try:
        status = main(["enumerate", "--order", "53", "--count"], stdout=io.StringIO())
    except SystemExit as exit:
        status = exit.code
    assert status == 2
    assert "52" in capsys.readouterr().err


def test_python_dash_m():
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run(
        [sys.executable, "-m", "diagrams", "parse", "[a:b][ab]"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert str(parse("[a:b][ab]")) in result.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "diagrams", "parse", "[a:]"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 2 and "empty node" in bad.stderr and "^" in bad.stderr


def test_enumerate_jsonl_is_one_object_per_line_and_json_the_same_as_an_array():
    status, out = run("enumerate", "--order", "3", "--format", "jsonl")
    assert status == 0
    lines = out.splitlines()
    assert len(lines) == 17  # SPEC §2
    records = [json.loads(line) for line in lines]
    assert json.loads(run("enumerate", "--order", "3", "--format", "json")[1]) == records
    assert [parse(r["text"]) for r in records] == list(dg.enumerate_diagrams(3))


def test_enumerate_json_of_nothing_is_an_empty_array():
    # no root-tied diagram of order 0: the root has nobody to share its part with
    status, out = run("enumerate", "--order", "0", "--root-tied", "--format", "json")
    assert status == 0 and json.loads(out) == []


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"sgd-diagrams {dg.__version__}\n"
    assert dg.__version__ == importlib.metadata.version("sgd-diagrams")


# -- every user error is one line -------------------------------------------------------------


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("where", ["missing folder", "a folder", "under a file"])
def test_draw_to_a_path_that_cannot_be_written(where, tmp_path, capsys):
    (tmp_path / "d.svg").mkdir()
    (tmp_path / "file").write_text("")
    target = {
        "missing folder": tmp_path / "missing" / "d.svg",
        "a folder": tmp_path / "d.svg",
        "under a file": tmp_path / "file" / "d.svg",
    }[where]
    out = io.StringIO()
    assert main(["draw", "[a:b][ab]", "-o", str(target)], stdout=out) == 1
    assert out.getvalue() == ""
    err = one_line_error(capsys)
    assert err.startswith("sgd-diagrams draw: cannot write") and str(target) in err


def test_bad_arguments_are_one_line(capsys):
    for argv in (["enumerate", "--order", "x"], ["series", "--order", "2", "--schedule", "3,2,1"], ["nonsense"]):
        with pytest.raises(SystemExit) as info:
            main(argv, stdout=io.StringIO())
        assert info.value.code == 2
        err = one_line_error(capsys)
        assert err.startswith("sgd-diagrams") and "--help" in err


def test_usage_errors_inside_commands_are_one_line(capsys):
    for argv in (
        ["latex"],
        ["latex", "--series"],
        ["latex", "[a][a]", "--series", "--order", "1"],
        ["table", "--order", "2", "--embeddable"],
        ["draw", "[a][a]", "-o", "d.jpg"],
    ):
        assert main(argv, stdout=io.StringIO()) == 2, argv
        assert one_line_error(capsys).startswith(f"sgd-diagrams {argv[0]}: ")


# -- requests too large to finish are refused, with the expected count -------------------------


# Runs main() on each argv in one fresh process and reports (status, stdout, stderr) of each:
# a fresh process, with a timeout, because without the limits these requests never finish.
DRIVER = """
import contextlib, io, json, sys
from diagrams.cli import main
results = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(argv, stdout=out)
    results.append([status, out.getvalue(), err.getvalue()])
print(json.dumps(results))
"""

REFUSED = [
    (["enumerate", "--order", "50"], "about 3.5e+66"),
    (["enumerate", "--order", "10"], "91,341,253"),
    (["enumerate", "--order", "21", "--count"], "about 8.0e+21"),
    (["series", "--order", "7"], "62,503"),
    (["series", "--order", "2", "--dim", "1000000", "--quantity", "displacement"], "1,000,000 series"),
    (["latex", "--series", "--order", "40"], "diagrams"),
    (["table", "--order", "9"], "7,075,470"),
]


def test_counts_are_exact_without_enumerating():
    """enumerate --count answers from the closed count (order 12: 19 billion diagrams) at once."""
    assert run("enumerate", "--order", "12", "--count") == (0, "19083260795\n")
    expected = dg.count_diagrams(5, root_tied=True, linkless=True)
    assert run("enumerate", "--order", "5", "--count", "--root-tied", "--linkless") == (0, f"{expected}\n")
    assert expected == sum(1 for _ in dg.enumerate_diagrams(5, root_tied=True, linkless=True))


def test_requests_that_cannot_finish_are_refused():
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    argvs = json.dumps([argv for argv, _ in REFUSED])
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, argvs], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    for (argv, expected), (status, out, err) in zip(REFUSED, json.loads(done.stdout)):
        assert status == 2 and out == "", argv
        assert err.count("\n") == 1 and err.startswith(f"sgd-diagrams {argv[0]}: "), err
        assert expected in err and "--force" in err, err


def test_expected_counts_in_the_refusals_are_sound():
    # exact where enumerated (the enumeration is checked against brute force in test_enumerate)
    assert [estimated_count(d) for d in range(7)] == [dg.count_diagrams(d) for d in range(7)]
    # the orbit-counting identity: sum over D of 1/|Aut(D)| = (d+1)^(d-1) Bell(d) / d!, a lower
    # bound on the count; the estimate stays above it, within the factor seen at order 8
    for d in range(9, 40):
        bound = sympy.Rational((d + 1) ** (d - 1) * sympy.bell(d), sympy.factorial(d))
        assert bound <= estimated_count(d) <= sympy.Rational(122, 100) * bound + 1, d
    assert all(estimated_count(d) < estimated_count(d + 1) for d in range(1, 60))
    # orders 9 and 10 are as large as the limits' documentation says
    assert 10**6 < estimated_count(9) < 10**7 < estimated_count(10)


def test_force_runs_what_the_limits_refuse(monkeypatch, capsys):
    monkeypatch.setattr(cli, "COUNT_LIMIT", 10)
    monkeypatch.setattr(cli, "STREAM_LIMIT", 10)
    monkeypatch.setattr(cli, "SERIES_LIMIT", 3)
    monkeypatch.setattr(cli, "DISPLACEMENT_DIM_LIMIT", 1)
    assert run("enumerate", "--order", "3")[0] == 2  # listing 17 diagrams passes the limit of 10
    assert "17 diagrams" in one_line_error(capsys)
    assert run("enumerate", "--order", "3", "--force")[1].count("\n") == 17
    assert run("enumerate", "--order", "3", "--count") == (0, "17\n")  # a closed count: never refused
    assert run("series", "--order", "2")[0] == 2
    assert "6 diagrams" in one_line_error(capsys)  # 1 + 1 + 4 of orders 0, 1, 2
    status, out = run("series", "--order", "2", "--force")
    assert status == 0 and "eta^2:" in out
    assert run("series", "--order", "1", "--dim", "2", "--quantity", "displacement")[0] == 2
    status, out = run("series", "--order", "1", "--dim", "2", "--quantity", "displacement", "--force")
    assert status == 0 and "theta_1" in out


# -- pipes, Ctrl-C and the console entry point ---------------------------------------------------


def popen_cli(*argv: str, entry: str = "python -m diagrams") -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    if entry == "python -m diagrams":
        command = [sys.executable, "-m", "diagrams", *argv]
    else:  # what the installed sgd-diagrams script runs
        command = [sys.executable, "-c", "import sys, sgd_diagrams_cli; sys.exit(sgd_diagrams_cli.main())", *argv]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)


def test_a_reader_that_stops_early_ends_the_command_quietly():
    # sgd-diagrams enumerate --order 6 | head -1
    job = popen_cli("enumerate", "--order", "6")
    first = job.stdout.readline()
    job.stdout.close()
    assert job.wait(timeout=60) == 141
    assert job.stderr.read() == ""
    assert parse(first.split()[0]).order == 6


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT, which Windows processes cannot receive")
def test_ctrl_c_ends_the_command_quietly_with_status_130():
    job = popen_cli("enumerate", "--order", "8", entry="sgd-diagrams")
    assert job.stdout.readline()  # running, well past the imports
    job.send_signal(signal.SIGINT)
    out, err = job.communicate(timeout=60)
    assert job.returncode == 130
    assert err == ""


FOREIGN = '''"""Stands in for PyPI's "diagrams" (cloud-architecture pictures)."""
class Diagram:
    pass
'''


def foreign_package(folder: Path, *, metadata: bool, broken: bool = False) -> Path:
    """A ``diagrams`` package that is not sgd-diagrams in ``folder`` (with its dist-info if ``metadata``)."""
    (folder / "diagrams").mkdir(parents=True)
    (folder / "diagrams" / "__init__.py").write_text(("import graphviz_is_missing\n" if broken else "") + FOREIGN)
    if metadata:
        info = folder / "diagrams-0.23.4.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: diagrams\nVersion: 0.23.4\n")
        (info / "RECORD").write_text("diagrams/__init__.py,,\ndiagrams-0.23.4.dist-info/METADATA,,\n")
    return folder


@pytest.mark.parametrize("metadata, broken", [(False, False), (True, False), (True, True)])
def test_the_console_command_explains_a_foreign_diagrams_package(tmp_path, metadata, broken):
    foreign = foreign_package(tmp_path / "site", metadata=metadata, broken=broken)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(foreign), str(ROOT)]))
    command = [sys.executable, "-c", "import sys, sgd_diagrams_cli; sys.exit(sgd_diagrams_cli.main())"]
    done = subprocess.run(
        [*command, "parse", "[a][a]"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60
    )
    assert done.returncode == 1 and done.stdout == ""
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("sgd-diagrams: the Python package 'diagrams'")
    assert "virtual environment" in done.stderr
    assert ("diagrams 0.23.4" in done.stderr) == metadata
    if not broken:
        assert str(foreign / "diagrams") in done.stderr
    # (without the impostor the same entry point runs: the Ctrl-C test above uses it)


def subcommands() -> dict:
    (choices,) = [a.choices for a in cli.build_parser()._actions if isinstance(a.choices, dict)]
    return choices


def test_every_option_has_help_and_every_command_examples():
    commands = subcommands()
    assert set(commands) == {"parse", "enumerate", "series", "latex", "draw", "table"}
    for name, command in commands.items():
        assert "examples:\n  sgd-diagrams " + name in command.epilog, name
        for action in command._actions:
            assert action.help and action.help.strip(), (name, action.dest)


@pytest.mark.parametrize("command", [[], ["parse"], ["enumerate"], ["series"], ["latex"], ["draw"], ["table"]])
def test_help_is_plain_ascii(command, capsys):
    # help goes to consoles of any encoding; so do the legends (the series lines are ASCII)
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    help_text = capsys.readouterr().out
    assert help_text.isascii() and "usage: sgd-diagrams" in help_text

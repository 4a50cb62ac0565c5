"""The command line: parse and enumerate, text and JSON output, errors, python -m."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from diagrams import parse
from diagrams.cli import main

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
    status, out = run("enumerate", "--order", "2", "--format", "json")
    assert status == 0
    lines = out.strip().splitlines()
    assert len(lines) == 4
    records = [json.loads(line) for line in lines]
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
        parse("[a][b][ab]"), parse("[a:b][ab]"), parse("[a][ab][b]"), parse("[a:ab][b]")
    }


def test_enumerate_linkless_count():
    # Hand count in test_enumerate.test_linkless_order_three_by_hand: 3 + 3 + 4 + 2 = 12.
    assert run("enumerate", "--order", "3", "--linkless", "--count") == (0, "12\n")


def test_enumerate_root_tied():
    # Order 2 root-tied: 2 on the two-leaf star + 3 on the chain (see test_enumerate).
    assert run("enumerate", "--order", "2", "--root-tied", "--count") == (0, "5\n")
    status, out = run("enumerate", "--order", "1", "--root-tied", "--format", "json")
    assert status == 0
    (line,) = out.strip().splitlines()
    assert parse(json.loads(line)["text"]) == parse("[a:a]")


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
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert str(parse("[a:b][ab]")) in result.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "diagrams", "parse", "[a:]"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )
    assert bad.returncode == 2 and "empty node" in bad.stderr and "^" in bad.stderr

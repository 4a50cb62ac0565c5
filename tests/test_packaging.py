"""The wheel ships the grammar: a plain (non-editable) install parses diagrams."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
    )
    (path,) = out.glob("sgd_diagrams-*.whl")
    return path


def test_wheel_contains_grammar_and_entry_point(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        shipped = archive.read("diagrams/grammar/diagram.lark").decode()
        entry_points = next(archive.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    assert shipped == (ROOT / "grammar" / "diagram.lark").read_text()
    # the console script is a module outside diagrams/ (see sgd_diagrams_cli.py), shipped beside it
    assert "sgd-diagrams = sgd_diagrams_cli:main" in entry_points
    assert "sgd_diagrams_cli.py" in names
    assert not any(n.startswith("tests/") for n in names)


def test_installed_wheel_parses_outside_the_source_tree(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True,
    )
    script = (
        "import diagrams, sys; "
        f"assert diagrams.__file__.startswith({str(target)!r}), diagrams.__file__; "
        "print(diagrams.parse('[b:a][ab]'), diagrams.parse('c(0-123-4)(01-14-34-24)'))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["[a:b][ab]", "[a][ab:c:d][bcd]"]
    entry = "import sys, sgd_diagrams_cli; sys.exit(sgd_diagrams_cli.main())"
    done = subprocess.run(
        [sys.executable, "-c", entry, "parse", "[b:a][ab]"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0 and "canonical:   [a:b][ab]" in done.stdout, done.stderr


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = "pip install '.[test]' && pytest"
    assert command in readme
    assert ci.rstrip().endswith(command)

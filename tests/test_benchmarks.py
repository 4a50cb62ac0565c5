"""The benchmark scripts still run (on their smallest settings) and print their tables.

They are not timed here: benchmarks/README.md holds the figures.  These runs
catch a script left behind by a change of the library (a renamed function).
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_enumeration_benchmark_runs_and_checks_its_counts():
    out = run("enumeration.py", "--orders", "3", "--repeats", "1", "--baseline-max-order", "3",
              "--naive-max-order", "3", "--naive-repeats", "1")  # fmt: skip
    assert "17" in out  # the 17 diagrams of order 3, checked against count_diagrams by the script


def test_series_benchmark_runs():
    out = run("series.py", "--repeats", "1", "--cases", "sgd-4")
    assert "sgd-4" in out


def test_frontier_benchmark_runs_without_baseline():
    out = run("frontier.py", "--no-baseline", "--repeats", "1", "--jobs", "counts-12", "general-4")
    rows = [line.split() for line in out.splitlines()[1:]]
    assert [row[0] for row in rows] == ["counts-12", "general-4"]
    assert all(row[1] == "-" and float(row[2]) > 0 for row in rows)  # no baseline; a time, not "cannot"

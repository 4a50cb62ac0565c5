"""The symbolic series at the frontier: each budgeted job, now and in a baseline commit, in one run.

    python benchmarks/frontier.py [--repeats 3] [--baseline REV] [--no-baseline]

Every run is a fresh process (cold caches) that prints its own time; the
table reports medians.  The baseline is the engine at ``REV`` (default: the
commit this work started from), checked out with ``git worktree`` into a
temporary folder and imported from there, so both columns come from the same
machine in the same run.  A job the baseline cannot do is reported as such.

Jobs (issue "Speed at the frontier"):

* ``sgd-6``, ``sgd-7``: ``expected_loss(Statistics.symbolic(), Schedule.sgd(T), order)``;
* ``sgd-6 workers=2``, ``sgd-7 workers=2``: the same with a process pool of two workers;
* ``gap-N1E-5``: ``generalization_gap(Statistics.symbolic(), Schedule(N, 1, E), 5)``, N and E symbols;
* ``general-4``: the expected loss and the gap of ``Schedule.symbolic()`` (M, B, E symbols) at order 4;
* ``counts-12``: ``count_diagrams(d)`` for every d ≤ 12 (the slowest d is reported; the baseline
  enumerates, which takes hours beyond order 9, so it is not run there).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "29b2d62"  # main before the valuation layer and the speed work

SETUP = "import time, sympy\nimport diagrams as dg\nT, N, E = sympy.symbols('T N E')\n"
JOBS = {
    "sgd-6": ("t = time.perf_counter(); dg.expected_loss(dg.Statistics.symbolic(), dg.Schedule.sgd(T), 6)", "< 1.5 s"),
    "sgd-7": ("t = time.perf_counter(); dg.expected_loss(dg.Statistics.symbolic(), dg.Schedule.sgd(T), 7)", "< 20 s"),
    "sgd-6 workers=2": (
        "t = time.perf_counter(); dg.expected_loss(dg.Statistics.symbolic(), dg.Schedule.sgd(T), 6, workers=2)",
        "≥ 1.6× faster than sgd-6",
    ),
    "sgd-7 workers=2": (
        "t = time.perf_counter(); dg.expected_loss(dg.Statistics.symbolic(), dg.Schedule.sgd(T), 7, workers=2)",
        "(for comparison with sgd-7)",
    ),
    "gap-N1E-5": (
        "t = time.perf_counter(); dg.generalization_gap(dg.Statistics.symbolic(), dg.Schedule(N, 1, E), 5)",
        "< 3 s",
    ),
    "general-4": (
        "S = dg.Schedule.symbolic(); st = dg.Statistics.symbolic()\n"
        "t = time.perf_counter(); dg.expected_loss(st, S, 4); dg.generalization_gap(st, S, 4)",
        "< 5 s",
    ),
    "counts-12": (
        "worst = 0.0\nfor d in range(13):\n    s = time.perf_counter(); dg.count_diagrams(d); worst = max(worst, time.perf_counter() - s)\n"
        "t = time.perf_counter() - worst",
        "< 1 s each",
    ),
}

NOT_RUN_IN_BASELINE = {"counts-12": "hours"}  # the default baseline enumerates every diagram of order 12
SERIAL_OF = {"sgd-6 workers=2": "sgd-6", "sgd-7 workers=2": "sgd-7"}  # speed-ups are printed beside these


def run_once(job: str, tree: Path) -> float | None:
    """Seconds of one fresh run of ``job`` with the engine of ``tree``; None when it cannot run there."""
    code = SETUP + JOBS[job][0] + "\nprint(time.perf_counter() - t)\n"
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run(
        [sys.executable, "-c", "if __name__ == '__main__':\n" + "\n".join("    " + line for line in code.splitlines())],
        capture_output=True,
        text=True,
        env=env,
        cwd=tree,
    )
    if done.returncode != 0:
        return None
    return float(done.stdout.strip().splitlines()[-1])


def median(job: str, tree: Path, repeats: int) -> float | None:
    times = [run_once(job, tree) for _ in range(repeats)]
    return None if any(t is None for t in times) else statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline", default=BASELINE, help="the commit to compare with (default: %(default)s)")
    parser.add_argument("--no-baseline", action="store_true", help="time only the working tree")
    parser.add_argument("--jobs", nargs="*", default=list(JOBS), choices=list(JOBS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        baseline = None
        if not args.no_baseline:
            baseline = Path(folder) / "baseline"
            subprocess.run(
                ["git", "worktree", "add", "--detach", "-q", str(baseline), args.baseline], cwd=ROOT, check=True
            )
        try:
            print(f"{'job':>18}  {'baseline s':>10}  {'now s':>8}  budget")
            nows, befores = {}, {}
            for job in args.jobs:
                now = nows[job] = median(job, ROOT, args.repeats)
                shown = [f"{now:.3f}" if now is not None else "cannot"]
                if baseline is None:
                    shown.insert(0, "-")
                elif job in NOT_RUN_IN_BASELINE and args.baseline == BASELINE:
                    shown.insert(0, NOT_RUN_IN_BASELINE[job])
                else:
                    before = befores[job] = median(job, baseline, args.repeats)
                    shown.insert(0, f"{before:.3f}" if before is not None else "cannot")
                print(f"{job:>18}  {shown[0]:>10}  {shown[1]:>8}  {JOBS[job][1]}", flush=True)
            for job, serial in SERIAL_OF.items():
                for label, times in (("baseline", befores), ("now", nows)):
                    if times.get(job) and times.get(serial):
                        print(f"{job} speed-up over {serial} ({label}): {times[serial] / times[job]:.2f}x")
        finally:
            if baseline is not None:
                subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT, check=False)


if __name__ == "__main__":
    main()

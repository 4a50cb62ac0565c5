"""Series speed: median wall time of each case, every run in a fresh process (cold caches).

    python benchmarks/series.py [--repeats 3] [--cases sgd-4 sgd-5 numeric-2d resum-3 resum-4]
                                [--workers 2]

Cases:

* ``sgd-4``, ``sgd-5``: the symbolic single-epoch SGD test loss in 1-D with a
  symbolic number of steps T, ``expected_loss(Statistics.symbolic(),
  Schedule.sgd(T), order)``;
* ``numeric-2d``: the order-3 test loss of a random 2-D quartic landscape
  (exact rational statistics, four-point noise) on Schedule(N=100, B=10, E=3);
* ``resum-3``, ``resum-4``: the resummed symbolic SGD test loss
  (``method=Resummed()``, propagators (1 − ηH)^{Δt−1}) to orders 3 and 4.

``--workers k`` also times each case with ``workers=k`` (a process pool).
Each run prints nothing but its own time; the parent reports the medians.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time

CASES = ("sgd-4", "sgd-5", "numeric-2d", "resum-3", "resum-4")


def random_landscape(seed: int = 11, degree: int = 4):
    """A 2-D polynomial loss with rational coefficients, noise x·(cubic) + x²·(linear), four sample points."""
    import sympy

    import diagrams as dg

    rng = random.Random(seed)
    w, v, x = sympy.symbols("w v x")
    params = [w, v]

    def coefficient():
        return sympy.Rational(rng.randint(-4, 4), rng.randint(1, 3))

    # itermonomials returns a set: sort it, so the seed gives one landscape in every process
    monomials = sorted((m for m in sympy.itermonomials(params, degree) if m != 1), key=sympy.default_sort_key)
    noise = sorted((m for m in sympy.itermonomials(params, 3) if m != 1), key=sympy.default_sort_key)
    loss = sum(coefficient() * m for m in monomials)
    loss += x * sum(coefficient() * m for m in noise) + x**2 * sum(coefficient() * m for m in noise[:2])
    values = rng.sample(range(-3, 4), 4)
    weights = [rng.randint(1, 4) for _ in values]
    distribution = {value: sympy.Rational(wt, sum(weights)) for value, wt in zip(values, weights)}
    theta0 = {p: sympy.Rational(rng.randint(-2, 2), 2) for p in params}
    return dg.Landscape(loss, params, x, distribution).statistics(at=theta0)


def run_case(case: str, workers: int | None) -> float:
    import sympy

    import diagrams as dg

    parallel = {"workers": workers} if workers else {}
    T = sympy.Symbol("T")
    if case == "numeric-2d":
        start = time.perf_counter()
        stats = random_landscape()
        dg.expected_loss(stats, dg.Schedule(N=100, B=10, E=3), 3, **parallel)
        return time.perf_counter() - start
    kind, order = case.split("-")
    start = time.perf_counter()
    dg.expected_loss(
        dg.Statistics.symbolic(),
        dg.Schedule.sgd(T),
        int(order),
        method=dg.Resummed() if kind == "resum" else dg.PLAIN,
        **parallel,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=CASES)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case, print its time
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.workers)))
        return
    header = f"{'case':>12} {'median s':>9} {'min s':>8} {'max s':>8}"
    if args.workers:
        header += f" {'pool s':>8}"
    print(header)
    for case in args.cases:
        times = [_fresh(case, None) for _ in range(args.repeats)]
        row = f"{case:>12} {statistics.median(times):>9.3f} {min(times):>8.3f} {max(times):>8.3f}"
        if args.workers:
            pooled = [_fresh(case, args.workers) for _ in range(args.repeats)]
            row += f" {statistics.median(pooled):>8.3f}"
        print(row, flush=True)


def _fresh(case: str, workers: int | None) -> float:
    command = [sys.executable, __file__, "--case", case] + (["--workers", str(workers)] if workers else [])
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()

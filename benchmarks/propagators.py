"""Propagator sums Z(D) for general schedules: closed form (embedding_sum) versus the batch/epoch DP.

    python benchmarks/propagators.py [--repeats 5]

Prints median wall times (caches warm) of
* the float path summed over all linkless diagrams of one order, q over an m-dimensional
  eigenbasis (one array axis per edge), for huge schedules (E = 10¹², M = 10⁴);
* the exact path with symbolic q on a small schedule, and with a fully symbolic schedule;
* the dynamic program of diagrams.core.propagators.weighted_embedding_sum on moderate schedules, next to
  the closed form on the same ones (floats, one eigenvalue per edge).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import sympy

from diagrams import enumerate_diagrams
from diagrams.core.propagators import embedding_sum
from diagrams.core.propagators import weighted_embedding_sum as propagator_sum
from diagrams.core.schedule import Schedule


def median_seconds(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def eigen_axes(order: int, m: int) -> list[np.ndarray]:
    values = 1 - np.linspace(1e-4, 1e-2, m)
    return [values.reshape([m if i == e else 1 for i in range(order)]) for e in range(order)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{'case':72} {'median s':>9}")

    def row(name, function):
        function()  # warm the per-diagram caches
        print(f"{name:72} {median_seconds(function, args.repeats):9.4f}", flush=True)

    for order in (2, 3, 4):
        diagrams = list(enumerate_diagrams(order, linkless=True))
        for m in (1, 3, 10) if order < 4 else (1, 3):
            for N, B, E in ((10**4, 1, 10**12), (10**6, 100, 10**6)):
                schedule = Schedule(N, B, E)
                q = eigen_axes(order, m)
                row(
                    f"float, order {order} ({len(diagrams)} linkless), m = {m}, (N, B, E) = ({N:.0e}, {B}, {E:.0e})",
                    lambda: [embedding_sum(D, schedule, q, "float") for D in diagrams],
                )
    calls = iter(range(10**9))

    def fresh(order):  # new symbols on every call: the exact path caches its divided differences
        return sympy.symbols(f"q{next(calls)}_0:{order}")

    diagrams = list(enumerate_diagrams(3, linkless=True))
    row(
        "exact, symbolic q, order 3 linkless, (N, B, E) = (6, 2, 3)",
        lambda: [embedding_sum(D, Schedule(6, 2, 3), fresh(3)) for D in diagrams],
    )
    diagrams = list(enumerate_diagrams(2, linkless=True))
    row(
        "exact, symbolic q, order 2 linkless, Schedule.symbolic()",
        lambda: [embedding_sum(D, Schedule.symbolic(), fresh(2)) for D in diagrams],
    )
    diagrams = list(enumerate_diagrams(3, linkless=True))
    for N, B, E in ((12, 3, 10), (40, 4, 20), (100, 10, 50)):
        schedule = Schedule(N, B, E)
        values = [0.999, 0.99, 0.9]
        row(
            f"dynamic program, order 3 linkless, (N, B, E) = ({N}, {B}, {E})",
            lambda: [propagator_sum(D, schedule, lambda e, dt: values[e] ** (dt - 1)) for D in diagrams],
        )
        row(
            f"closed form,     order 3 linkless, (N, B, E) = ({N}, {B}, {E})",
            lambda: [embedding_sum(D, schedule, values, "float") for D in diagrams],
        )


if __name__ == "__main__":
    main()

"""Resummation speed: numeric eigenbasis evaluation for long runs, and symbolic closed forms.

    python benchmarks/resummation.py [--repeats 5]

Prints the median wall time of
* the resummed expected loss of a 2-D quadratic landscape with additive noise
  (order 2, single-epoch SGD, η = 0.05) evaluated numerically for T = 10², 10⁴, 10⁶;
* the symbolic resummed expected loss (symbolic T) on Mean Estimation and on a
  random quartic landscape, to orders 2 and 3.
"""

from __future__ import annotations

import argparse
import statistics
import time

import sympy

import diagrams as dg


def median_seconds(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def quadratic_statistics():
    u, v, x = sympy.symbols("u v x")
    theta = sympy.Matrix([u, v])
    hessian = sympy.Matrix([[2, sympy.Rational(1, 2)], [sympy.Rational(1, 2), 1]])
    loss = (theta.T * hessian * theta)[0] / 2 + ((sympy.Matrix([1, -1]) + sympy.Matrix([x, x**2])).T * theta)[0]
    noise = {k: sympy.Rational(1, 4) for k in (-1, 0, 1, 2)}
    return dg.Landscape(loss, [u, v], x, noise).statistics(at={u: 1, v: 0})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    stats = quadratic_statistics()
    dg.expected_loss(stats, dg.Schedule.sgd(10), 2, method=dg.Resummed(), at_eta=0.05)  # warm the caches
    print(f"{'case':58} {'median s':>9}")
    for T in (10**2, 10**4, 10**6):
        seconds = median_seconds(
            lambda: dg.expected_loss(stats, dg.Schedule.sgd(T), 2, method=dg.Resummed(), at_eta=0.05), args.repeats
        )
        print(f"{f'2-D quadratic, numeric, T = {T:,}':58} {seconds:9.4f}", flush=True)
    T = sympy.Symbol("T", positive=True, integer=True)
    me = dg.Landscape.mean_estimation()
    me_stats = me.statistics(at={me.params[0]: 1})
    w, x = sympy.symbols("w x")
    quartic = dg.Landscape(
        w**4 / 4 - w**2 + x * w + x**2 * w**2 / 3, [w], x, {-1: sympy.Rational(1, 3), 2: sympy.Rational(2, 3)}
    )
    quartic_stats = quartic.statistics(at={w: sympy.Rational(3, 2)})
    for name, stats_, order in (
        ("Mean Estimation", me_stats, 2),
        ("quartic", quartic_stats, 2),
        ("quartic", quartic_stats, 3),
    ):
        seconds = median_seconds(
            lambda: dg.expected_loss(stats_, dg.Schedule.sgd(T), order, method=dg.Resummed()), args.repeats
        )
        print(f"{f'{name}, symbolic T, order {order}':58} {seconds:9.4f}", flush=True)


if __name__ == "__main__":
    main()

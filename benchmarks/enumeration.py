"""Enumeration speed: median wall time and diagrams per second for each order.

    python benchmarks/enumeration.py [--max-order 6] [--repeats 3]

Prints one row per (order, kind) with the count, the median time of
``--repeats`` full enumerations and the throughput.
"""

from __future__ import annotations

import argparse
import statistics
import time

import diagrams as dg

KINDS = {
    "all": {},
    "linkless": {"linkless": True},
    "root-tied": {"root_tied": True},
}


def median_time(order: int, options: dict, repeats: int) -> tuple[int, float]:
    times, count = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        count = sum(1 for _ in dg.enumerate_diagrams(order, **options))
        times.append(time.perf_counter() - start)
    return count, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-order", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'order':>5} {'kind':>10} {'count':>8} {'median s':>10} {'diagrams/s':>11}")
    for order in range(args.max_order + 1):
        for kind, options in KINDS.items():
            count, seconds = median_time(order, options, args.repeats)
            rate = count / seconds if seconds else float("inf")
            print(f"{order:>5} {kind:>10} {count:>8} {seconds:>10.3f} {rate:>11.0f}", flush=True)


if __name__ == "__main__":
    main()

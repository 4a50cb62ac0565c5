"""Enumeration speed: median wall time and diagrams per second for each order, beside a naive baseline.

    python benchmarks/enumeration.py [--max-order 7] [--repeats 3]
                                     [--naive-max-order 6] [--naive-repeats 3] [--workers 2] [--dask 2]

One row per (order, kind) for kinds all / linkless / root-tied: the count, the
median of ``--repeats`` full enumerations (each iterates without keeping the
diagrams), the throughput, and, up to ``--naive-max-order``, the median time
of the naive baseline (benchmarks/naive.py: labelled trees × set partitions,
networkx isomorphism) and the ratio naive/ours.  The naive counts are checked
against ours.  ``--workers k`` adds the median time with a k-process pool,
``--dask k`` with a Dask LocalCluster of k single-threaded worker processes.
``--kinds`` picks kinds (e.g. ``--kinds all``), ``--orders`` exact orders.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import diagrams as dg  # noqa: E402
from naive import naive_diagrams  # noqa: E402

KINDS = {
    "all": {},
    "linkless": {"linkless": True},
    "root-tied": {"root_tied": True},
}


def median_time(function, repeats: int) -> tuple[object, float]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def count(order: int, options: dict, **parallel) -> int:
    return sum(1 for _ in dg.enumerate_diagrams(order, **options, **parallel))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-order", type=int, default=7)
    parser.add_argument("--orders", type=int, nargs="*", help="exact orders (overrides --max-order)")
    parser.add_argument("--kinds", nargs="*", default=list(KINDS), choices=list(KINDS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--naive-max-order", type=int, default=6)
    parser.add_argument("--naive-repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="also time a process pool of this size")
    parser.add_argument("--dask", type=int, default=None, help="also time a Dask LocalCluster of this many workers")
    args = parser.parse_args()
    client = None
    if args.dask:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=args.dask, threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
    orders = args.orders if args.orders else range(args.max_order + 1)

    header = f"{'order':>5} {'kind':>9} {'count':>8} {'median s':>9} {'diagrams/s':>11}"
    header += f" {'naive s':>9} {'naive/s':>8} {'ratio':>7}"
    if args.workers:
        header += f" {'pool s':>8}"
    if client:
        header += f" {'dask s':>8}"
    print(header)
    for order in orders:
        for kind in args.kinds:
            options = KINDS[kind]
            found, seconds = median_time(lambda: count(order, options), args.repeats)
            rate = found / seconds if seconds else float("inf")
            row = f"{order:>5} {kind:>9} {found:>8} {seconds:>9.3f} {rate:>11.0f}"
            if order <= args.naive_max_order:
                naive, naive_seconds = median_time(lambda: naive_diagrams(order, **options), args.naive_repeats)
                if len(naive) != found:
                    raise SystemExit(f"naive baseline found {len(naive)} diagrams, enumerate_diagrams {found}")
                naive_rate = len(naive) / naive_seconds if naive_seconds else float("inf")
                ratio = naive_seconds / seconds if seconds else float("inf")
                row += f" {naive_seconds:>9.3f} {naive_rate:>8.0f} {ratio:>6.0f}x"
            else:
                row += f" {'-':>9} {'-':>8} {'-':>7}"
            if args.workers:
                pooled, pool_seconds = median_time(lambda: count(order, options, workers=args.workers), args.repeats)
                assert pooled == found
                row += f" {pool_seconds:>8.3f}"
            if client:
                spread, dask_seconds = median_time(lambda: count(order, options, client=client), args.repeats)
                assert spread == found
                row += f" {dask_seconds:>8.3f}"
            print(row, flush=True)
    if client:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()

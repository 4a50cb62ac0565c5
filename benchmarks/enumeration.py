"""Enumeration speed: median wall time per order beside the previous enumerator and a naive
baseline, and the budget table of the issue "Speed at the frontier".

    python benchmarks/enumeration.py [--max-order 7] [--orders 5 6] [--kinds all linkless]
                                     [--repeats 3] [--baseline-max-order 7]
                                     [--naive-max-order 6] [--naive-repeats 3] [--workers 2] [--dask 2]
    python benchmarks/enumeration.py --budgets [--repeats 3] [--baseline-order-9]

Per-order rows, for kinds all / linkless / root-tied: the count (checked
against ``count_diagrams``, which does not enumerate), the median of
``--repeats`` full enumerations (each iterates without keeping the diagrams),
the throughput, CPU seconds, the median of the previous enumerator
(benchmarks/baseline_enumeration.py, a frozen copy, run in the same process,
its output checked equal) up to ``--baseline-max-order`` and the ratio, and up
to ``--naive-max-order`` the naive baseline (benchmarks/naive.py: labelled
trees × set partitions, networkx isomorphism).  ``--workers k`` adds the median
with a k-process pool, ``--dask k`` with a Dask LocalCluster of k
single-threaded worker processes.

``--budgets`` prints one row per budget with today's figure (the previous
enumerator, same run) beside the new one: order 8 with |Aut|; order 9 streamed
(one run: its count is checked against ``count_diagrams(9)`` and the
orbit-counting identity Σ 9!/|Aut(D)| = 10^8 · Bell(9), and the growth of peak
memory is printed; the previous enumerator's order 9 takes minutes, so only
with ``--baseline-order-9``); ``count_diagrams(d)`` for d ≤ 12 from cold
caches (the slowest); and the speed-up of ``workers=2`` at order 8 (medians of
at least five runs of each, alternating).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from math import factorial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline_enumeration import baseline_diagrams  # noqa: E402
from naive import naive_diagrams  # noqa: E402

import diagrams as dg  # noqa: E402
from diagrams.core import counting  # noqa: E402

KINDS = {
    "all": {},
    "linkless": {"linkless": True},
    "root-tied": {"root_tied": True},
}


def median_time(function, repeats: int) -> tuple[object, float, float]:
    """(result, median wall seconds, median CPU seconds of this process)."""
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return result, statistics.median(walls), statistics.median(cpus)


def count(order: int, options: dict, **parallel) -> int:
    return sum(1 for _ in dg.enumerate_diagrams(order, **options, **parallel))


def count_baseline(order: int, options: dict) -> int:
    return sum(1 for _ in baseline_diagrams(order, **options))


def bell(n: int) -> int:
    row = [1]
    for _ in range(n):
        new = [row[-1]]
        for x in row:
            new.append(new[-1] + x)
        row = new
    return row[0]


def per_order(args, client) -> None:
    orders = args.orders if args.orders else range(args.max_order + 1)
    header = f"{'order':>5} {'kind':>9} {'count':>9} {'median s':>9} {'cpu s':>7} {'diagrams/s':>11}"
    header += f" {'before s':>9} {'before/now':>10} {'naive s':>8} {'naive/now':>9}"
    if args.workers:
        header += f" {'pool s':>8}"
    if client:
        header += f" {'dask s':>8}"
    print(header)
    for order in orders:
        for kind in args.kinds:
            options = KINDS[kind]
            found, seconds, cpu = median_time(lambda: count(order, options), args.repeats)
            if found != dg.count_diagrams(order, **options):
                raise SystemExit(f"order {order} {kind}: enumerated {found}, count_diagrams says otherwise")
            rate = found / seconds if seconds else float("inf")
            row = f"{order:>5} {kind:>9} {found:>9} {seconds:>9.3f} {cpu:>7.2f} {rate:>11.0f}"
            if order <= args.baseline_max_order:
                if order <= 6 and list(baseline_diagrams(order, **options)) != list(
                    dg.enumerate_diagrams(order, **options)
                ):
                    raise SystemExit(f"order {order} {kind}: the previous enumerator's output differs")
                before, before_seconds, _ = median_time(lambda: count_baseline(order, options), args.repeats)
                assert before == found
                row += f" {before_seconds:>9.3f} {before_seconds / seconds:>9.1f}x"
            else:
                row += f" {'-':>9} {'-':>10}"
            if order <= args.naive_max_order:
                naive, naive_seconds, _ = median_time(lambda: naive_diagrams(order, **options), args.naive_repeats)
                if len(naive) != found:
                    raise SystemExit(f"naive baseline found {len(naive)} diagrams, enumerate_diagrams {found}")
                row += f" {naive_seconds:>8.3f} {naive_seconds / seconds:>8.0f}x"
            else:
                row += f" {'-':>8} {'-':>9}"
            if args.workers:
                pooled, pool_seconds, _ = median_time(lambda: count(order, options, workers=args.workers), args.repeats)
                assert pooled == found
                row += f" {pool_seconds:>8.3f}"
            if client:
                spread, dask_seconds, _ = median_time(lambda: count(order, options, client=client), args.repeats)
                assert spread == found
                row += f" {dask_seconds:>8.3f}"
            print(row, flush=True)


def stream_order_nine() -> tuple[int, int]:
    """(number of diagrams, Σ 9!/|Aut(D)|) over all order-9 diagrams, keeping none."""
    n, total, nine = 0, 0, factorial(9)
    for diagram in dg.enumerate_diagrams(9):
        n += 1
        total += nine // diagram.automorphism_count  # |Aut(D)| divides 9!: it acts on the 9 non-root nodes
    return n, total


def budgets(args) -> None:
    rows = []

    def report(job, before, now, budget, met):
        rows.append((job, before, now, budget, "yes" if met else "NO"))
        print(f"  {job}: before {before}; now {now}; budget {budget}: {'met' if met else 'NOT MET'}", flush=True)

    print(f"load average at start: {os.getloadavg()[0]:.1f} (2-core machine)")
    # order 9 first, so that the peak-memory growth is its own
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    (n9, orbits), seconds9, cpu9 = median_time(stream_order_nine, 1)
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024
    identity = 10**8 * bell(9)
    print(
        f"  order 9: {n9} diagrams = count_diagrams(9) {dg.count_diagrams(9)}: {n9 == dg.count_diagrams(9)}; "
        f"Σ 9!/|Aut| = {orbits} = 10^8·Bell(9) {identity}: {orbits == identity}"
    )
    if n9 != dg.count_diagrams(9) or orbits != identity:
        raise SystemExit("order 9 check failed")
    before9 = "minutes (not run; --baseline-order-9)"
    if args.baseline_order_9:
        _, before_seconds, _ = median_time(lambda: count_baseline(9, {}), 1)
        before9 = f"{before_seconds:.0f} s"
    report(
        "all order-9 diagrams, streamed",
        before9,
        f"{seconds9:.1f} s (cpu {cpu9:.1f} s, peak memory +{grown:.0f} MB)",
        "< 90 s",
        seconds9 < 90,
    )

    found, seconds8, cpu8 = median_time(lambda: count(8, {}), args.repeats)
    assert found == 598201
    _, before8, _ = median_time(lambda: count_baseline(8, {}), args.repeats)
    report(
        "all order-8 diagrams, with automorphism counts",
        f"{before8:.1f} s",
        f"{seconds8:.2f} s (cpu {cpu8:.2f} s)",
        "< 6 s",
        seconds8 < 6,
    )

    slowest, slowest_order = 0.0, 0
    for d in range(13):
        counting._series.cache_clear()
        counting.invariant_partitions.cache_clear()
        start = time.perf_counter()
        dg.count_diagrams(d), dg.count_diagrams(d, linkless=True), dg.count_diagrams(d, root_tied=True)
        spent = time.perf_counter() - start
        if spent > slowest:
            slowest, slowest_order = spent, d
    report(
        "count_diagrams(d) for d ≤ 12 (all, linkless, root-tied; cold)",
        f"enumerates (order 8: {before8:.0f} s)",
        f"{slowest:.3f} s at most (d = {slowest_order})",
        "< 1 s each",
        slowest < 1,
    )

    serials, pooleds = [], []
    for _ in range(max(args.repeats, 5)):  # alternating, so both see the same machine
        serials.append(median_time(lambda: count(8, {}), 1)[1])
        pooleds.append(median_time(lambda: count(8, {}, workers=2), 1)[1])
    serial, pooled = statistics.median(serials), statistics.median(pooleds)
    report(
        "workers=2 speed-up, order 8",
        "-",
        f"{serial / pooled:.2f}x ({serial:.2f} s / {pooled:.2f} s)",
        "≥ 1.6x",
        serial / pooled >= 1.6,
    )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print()
    print("| job | before | now | budget | met |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-order", type=int, default=7)
    parser.add_argument("--orders", type=int, nargs="*", help="exact orders (overrides --max-order)")
    parser.add_argument("--kinds", nargs="*", default=list(KINDS), choices=list(KINDS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline-max-order", type=int, default=7)
    parser.add_argument("--naive-max-order", type=int, default=6)
    parser.add_argument("--naive-repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="also time a process pool of this size")
    parser.add_argument("--dask", type=int, default=None, help="also time a Dask LocalCluster of this many workers")
    parser.add_argument("--budgets", action="store_true", help="print the budget table instead")
    parser.add_argument("--baseline-order-9", action="store_true", help="also time the previous enumerator at order 9")
    args = parser.parse_args()
    if args.budgets:
        budgets(args)
        return
    client = cluster = None
    if args.dask:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=args.dask, threads_per_worker=1, dashboard_address=None)
        client = Client(cluster)
    per_order(args, client)
    if client:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()

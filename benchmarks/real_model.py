"""Real models on real data: diagram predictions with error bars beside real SGD, and the estimator's speed.

    python benchmarks/real_model.py [--quick] [--models logistic mlp] [--samples 1000] [--trials 1000]
    python benchmarks/real_model.py --scale [--samples 1000]
    python benchmarks/real_model.py --figure notebooks/figures/real-model.png [--samples 1000] [--trials 1000]

Needs the torch extra (``pip install -e '.[torch]'``).  The models are
logistic regression (P = 31; resummed in its complete eigenbasis, rank 31)
and a tanh MLP with 8 hidden units (P = 257; rank 8, the rest of each value
propagated un-resummed) on scikit-learn's standardized breast-cancer data
(569 samples, the population);
see :mod:`diagrams.torch.experiment`.  For every schedule and η the table
shows real SGD's mean with its 95% half-width, then the order-1, 2 and 3
plain and resummed predictions with their standard errors, marked ✓ when they
agree with SGD within 3 combined standard errors and their standard error is
below a tenth of SGD's change from the start, ? when they agree only thanks to
a wide error bar, ✗ otherwise.  Below each table: up to which ηλ_max·T each
prediction holds (✓) at every grid point, the Ritz spectrum, and the
projection errors of the resummed values.

``--scale`` instead prints, for the MLP, draws per second of the matrix-free
estimator per diagram order (median over the diagrams of that order, ordinary
and root-tied; wall clock) with the wall and CPU seconds for all of them, and
the time of a resummed estimate per diagram.

``--figure PATH`` draws the README's picture: the logistic model's test
loss after T = 10 single-epoch steps against η, real SGD beside the plain
series (on a fine grid of η) and the resummed one, orders 1–3.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

import diagrams as dg
from diagrams.torch.experiment import agreement_table, breast_cancer_model, compare, holding_range

FULL = {
    "schedules": [
        dg.Schedule.sgd(10),
        dg.Schedule.sgd(30),
        dg.Schedule.sgd(100),
        dg.Schedule(10, 1, 3),
        dg.Schedule(120, 4, 1),
    ],
    "etas": {"logistic": [0.001, 0.003, 0.01, 0.03], "mlp": [0.003, 0.01, 0.03, 0.1]},
    "rank": {"logistic": 31, "mlp": 8},
}
QUICK = {
    "schedules": [dg.Schedule.sgd(10), dg.Schedule(10, 1, 3)],
    "etas": {"logistic": [0.003, 0.03], "mlp": [0.01, 0.1]},
    "rank": {"logistic": 6, "mlp": 4},
}


def experiment(args) -> None:
    grid = QUICK if args.quick else FULL
    for name in args.models:
        model = breast_cancer_model(name)
        start = time.perf_counter()
        samples = {0: 2, 1: args.samples, 2: args.samples, 3: args.samples // 2}
        rows = compare(
            model,
            grid["schedules"],
            grid["etas"][name],
            samples=samples,
            trials=args.trials,
            rank=grid["rank"][name],
            seed=args.seed,
        )
        seconds = time.perf_counter() - start
        print(agreement_table(rows, title=f"{name} (P = {model.dim}), {seconds:.0f} s"))
        print("Holds (✓) at every grid point up to ηλ_max·T =")
        for (quantity, kind, order), reach in holding_range(rows).items():
            print(f"  {quantity:9s} {kind:8s} order {order}: {reach:g}")
        ritz = model.ritz_pairs(grid["rank"][name], seed=args.seed)
        residual = ritz.residual_norms.max().item()
        print(f"Ritz values {[round(v, 3) for v in ritz.values.tolist()]}, largest residual {residual:.2g}")
        first = (grid["schedules"][0], grid["etas"][name][0])
        resummed = model.estimate_resummed(*first, 2, samples=args.samples, seed=args.seed, ritz=ritz)
        values = model.estimate(2, samples=args.samples, seed=args.seed)
        print("Projection errors (Ritz-basis plain value − matrix-free, same draws) beside the value:")
        for diagram, error in resummed.projection_errors.items():
            value = values[diagram]
            print(
                f"  {str(diagram):12s} error {error.mean: .4g} ± {error.stderr:.2g}"
                f"   value {value.mean: .4g} ± {value.stderr:.2g}"
            )
        print()


def scale(args) -> None:
    model = breast_cancer_model("mlp")
    print(f"MLP, P = {model.dim}; torch threads {torch.get_num_threads()}; {args.samples} draws per diagram")
    model.estimate(1, samples=16, seed=0)  # warm up torch.func
    print(f"{'order':>5} {'kind':>9} {'diagrams':>8} {'draws/s':>9} {'min':>7} {'max':>7} {'wall s':>7} {'CPU s':>7}")
    for order in (1, 2, 3):
        for root_tied in (False, True):
            rates, wall, cpu = [], 0.0, 0.0
            for diagram in dg.enumerate_diagrams(order, root_tied=root_tied):
                start, start_cpu = time.perf_counter(), time.process_time()
                model.estimate(order, samples=args.samples, seed=0, diagrams=[diagram])
                seconds = time.perf_counter() - start
                wall, cpu = wall + seconds, cpu + time.process_time() - start_cpu
                rates.append(args.samples / seconds)
            kind = "root-tied" if root_tied else "ordinary"
            print(
                f"{order:>5} {kind:>9} {len(rates):>8} {statistics.median(rates):>9.0f} {min(rates):>7.0f} "
                f"{max(rates):>7.0f} {wall:>7.1f} {cpu:>7.1f}"
            )
    draws = args.samples // 4
    for rank in (4, 8, 16):
        ritz = model.ritz_pairs(rank)
        for order in (1, 2, 3):
            chosen = list(dg.enumerate_diagrams(order, linkless=True))
            start, start_cpu = time.perf_counter(), time.process_time()
            model.estimate_resummed(dg.Schedule.sgd(30), 0.01, order, samples=draws, seed=0, ritz=ritz, diagrams=chosen)
            wall = (time.perf_counter() - start) / len(chosen)
            cpu = (time.process_time() - start_cpu) / len(chosen)
            print(
                f"resummed, rank {rank:2d}, order {order}: {wall:6.2f} s wall, {cpu:6.2f} s CPU per diagram ({draws} draws)"
            )


def figure(args) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np

    from diagrams.output.plots import Comparison
    from diagrams.values.estimated import Estimate

    model, schedule = breast_cancer_model("logistic"), dg.Schedule.sgd(10)
    etas = [0.001, 0.002, 0.004, 0.007, 0.01, 0.015, 0.02, 0.03]
    samples = {0: 2, 1: args.samples, 2: args.samples, 3: args.samples // 2}
    rows = compare(model, [schedule], etas, samples=samples, trials=args.trials, rank=model.dim, seed=args.seed)
    chosen = [r for r in rows if r.quantity == "test_loss"]
    values = model.estimate(3, samples=samples, seed=args.seed)
    plot = Comparison(
        "Logistic regression, breast cancer: test loss after $T = 10$ steps",
        r"learning rate $\eta$",
        r"$E[l(\theta_T)]$",
        {"N": schedule.N, "B": schedule.B, "E": schedule.E, "P": model.dim, "SGD runs": args.trials},
        xscale="log",
    )
    x = np.array([r.eta for r in chosen])
    sgd = Estimate(np.array([r.sgd.mean for r in chosen]), np.array([r.sgd.stderr for r in chosen]), args.trials)
    plot.simulation(x, sgd, "real SGD (95% CI)")
    fine = np.geomspace(x.min(), x.max(), 80)
    for k in (1, 2, 3):
        series = dg.expected_loss(values, schedule, k)
        color = f"C{k + 1}"
        plot.estimates(fine, [series.at(eta) for eta in fine], f"plain series, order {k}", color=color, linestyle="-")
        resummed = [r.resummed[k] for r in chosen]
        plot.estimates(x, resummed, f"resummed, order {k}", color=color, linestyle="--", marker="s", ms=4)
    plot.finish().savefig(args.figure, dpi=150)
    print(f"wrote {args.figure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a reduced grid (the notebook's)")
    parser.add_argument("--models", nargs="+", default=["logistic", "mlp"], choices=["logistic", "mlp"])
    parser.add_argument("--samples", type=int, default=1000, help="draws per diagram (half at order 3)")
    parser.add_argument("--trials", type=int, default=1000, help="real SGD runs per grid point")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", action="store_true", help="print the estimator's speed on the MLP instead")
    parser.add_argument("--figure", metavar="PATH", help="draw the README's picture (logistic, T = 10) instead")
    args = parser.parse_args()
    if args.figure:
        figure(args)
    elif args.scale:
        scale(args)
    else:
        experiment(args)


if __name__ == "__main__":
    main()

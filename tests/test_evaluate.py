"""Symbolic m-dimensional results evaluated with numbers (dg.evaluate) against the numeric eigenbasis path.

The symbolic resummed form of a diagram is its Einstein value (in its own
letters) times Z(D) with the edge letter a carrying lambda_a; evaluating it
means contracting the numeric tensors in H's eigenbasis.  The numeric path
(at_eta=) computes the same sum independently: value tensors over
eigen-indices times Z evaluated by Opitz's matrix functions.  A wrong letter
anywhere — the silent bug this file guards against — makes them differ.
"""

from __future__ import annotations

from itertools import permutations, product

import numpy as np
import pytest
import sympy

import diagrams as dg
from diagrams.core.observables import LOSS
from diagrams.core.propagators import Propagation
from diagrams.values.eigenbasis import EigenbasisStatistics
from diagrams.values.einstein import EinsteinStatistics

ETA = 0.07


def _symmetries(degrees):
    """All axis permutations that keep a cumulant array of these node degrees (sorted ascending) unchanged."""
    starts = [sum(degrees[:i]) for i in range(len(degrees))]
    blocks = [list(range(s, s + k)) for s, k in zip(starts, degrees)]
    found = set()
    for order in permutations(range(len(degrees))):
        if any(degrees[i] != degrees[j] for i, j in zip(order, range(len(degrees)))):
            continue
        for inner in product(*(permutations(blocks[i]) for i in order)):
            found.add(tuple(axis for block in inner for axis in block))
    return sorted(found)


def random_statistics(dim: int, keys, seed: int) -> dg.Statistics:
    """Random symmetric cumulant arrays for every key, and a positive definite H with well-separated eigenvalues."""
    rng = np.random.default_rng(seed)
    kappa = {}
    for key in keys:
        array = rng.normal(size=(dim,) * sum(key))
        group = _symmetries(key)
        kappa[key] = sum(np.transpose(array, p) for p in group) / len(group)
    basis, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    eigenvalues = np.linspace(0.6, 2.9, dim) + rng.uniform(-0.1, 0.1, size=dim)
    kappa[(2,)] = basis @ np.diag(eigenvalues) @ basis.T
    kappa[(0,)] = np.array(rng.normal())
    return dg.Statistics.numeric(kappa=kappa)


def linkless(order: int, root_tied: bool):
    return [D for d in range(order + 1) for D in dg.enumerate_diagrams(d, linkless=True, root_tied=root_tied)]


def needed_keys(diagrams):
    return {tuple(sorted(D.degrees[v] for v in part)) for D in diagrams for part in D.parts}


DIAGRAMS = linkless(4, False) + linkless(4, True)
KEYS = needed_keys(DIAGRAMS)


@pytest.fixture(scope="module", params=[2, 3], ids=lambda m: f"{m}-D")
def stats(request):
    return random_statistics(request.param, KEYS, seed=request.param)


def symbolic_against_numeric(stats, diagrams, symbolic_schedule, form, values):
    """Each diagram's symbolic resummed form, evaluated, against the eigenbasis path at T = 3."""
    symbolic = EinsteinStatistics(stats.dim)
    propagation = Propagation(symbolic_schedule, form)
    numeric_propagation = Propagation(dg.Schedule.sgd(3), form)
    numeric = EigenbasisStatistics(stats, ETA, numeric_propagation)
    for D in diagrams:
        expected = numeric.resummed_value(D, LOSS, numeric_propagation)
        got = dg.evaluate(symbolic.resummed_value(D, LOSS, propagation), stats, {dg.eta: ETA, **values})
        assert got == pytest.approx(expected, rel=1e-10, abs=1e-14), str(D)


@pytest.mark.parametrize("form", ["exact", "continuous"])
def test_every_linkless_diagram_of_order_four(stats, form):
    """Each linkless diagram of order ≤ 4, ordinary and root-tied, single-epoch with T = 3, to 1e-10 relative.

    (T = 3 keeps the exact forms small polynomials; the generic forms of a
    symbolic T are the next test.)
    """
    symbolic_against_numeric(stats, DIAGRAMS, dg.Schedule.sgd(3), form, {})


@pytest.mark.parametrize("form", ["exact", "continuous"])
def test_generic_forms_of_a_symbolic_T(stats, form):
    """The generic closed forms (symbolic T: divided differences with eigenvalue sums in denominators),
    evaluated at T = 3 — coincident eigen-indices are the removable singularities evaluate() must resolve."""
    T = sympy.Symbol("T", positive=True, integer=True)
    ordinary = [D for D in DIAGRAMS if not D.is_root_tied]
    symbolic_against_numeric(stats, ordinary if stats.dim == 2 else ordinary[:20], dg.Schedule.sgd(T), form, {T: 3})


@pytest.mark.parametrize(
    "method",
    [dg.Resummed(), dg.Resummed("continuous"), dg.Resummed(limit=True), dg.Resummed("continuous", limit=True)],
    ids=repr,
)
@pytest.mark.parametrize("schedule", [dg.Schedule.sgd(6), dg.Schedule.gd(3, 4)], ids=str)
def test_series_evaluate_to_the_numeric_path(stats, schedule, method):
    """Whole series: the issue's example (order 3, SGD with T = 6) and full-batch GD, every form and limit."""
    symbolic = dg.expected_loss(dg.Statistics.symbolic(dim=stats.dim), schedule, 3, method=method)
    numeric = dg.expected_loss(stats, schedule, 3, method=method, at_eta=ETA)
    assert dg.evaluate(symbolic, stats, {dg.eta: ETA}) == pytest.approx(numeric, rel=1e-10)
    gap = dg.generalization_gap(dg.Statistics.symbolic(dim=stats.dim), schedule, 2, method=method)
    N = schedule.N
    assert dg.evaluate(gap, stats, {dg.eta: ETA}) == pytest.approx(
        dg.generalization_gap(stats, schedule, 2, method=method, at_eta=ETA), rel=1e-10
    ), N


def test_plain_einstein_series_evaluate_to_the_exact_series(stats):
    """Plain series (no eigenbasis): the Einstein form evaluated equals the exact component sum."""
    T = sympy.Symbol("T")
    symbolic = dg.expected_loss(dg.Statistics.symbolic(dim=stats.dim), dg.Schedule(4, 2, 2), 3)
    exact = dg.expected_loss(stats, dg.Schedule(4, 2, 2), 3)
    assert dg.evaluate(symbolic, stats, {dg.eta: ETA}) == pytest.approx(float(exact.subs(dg.eta, ETA)), rel=1e-10)
    moves = dg.displacement(dg.Statistics.symbolic(dim=stats.dim), dg.Schedule.sgd(T), 2)
    for mu, move in enumerate(moves):
        concrete = dg.displacement(stats, dg.Schedule.sgd(5), 2)[mu]
        assert dg.evaluate(move, stats, {dg.eta: ETA, T: 5}) == pytest.approx(
            float(concrete.subs(dg.eta, ETA)), rel=1e-10
        )


def test_evaluate_refuses_what_it_cannot_do(stats):
    value = dg.uvalue(dg.parse("[a][ab][b]"), dg.Statistics.symbolic(dim=stats.dim))
    with pytest.raises(ValueError, match="give numbers for eta"):
        dg.evaluate(value, stats)
    with pytest.raises(TypeError, match="text is never evaluated"):
        dg.evaluate(value, stats, {dg.eta: "0.1"})
    with pytest.raises(TypeError, match="numeric statistics"):
        dg.evaluate(value, dg.Statistics.symbolic(dim=2), {dg.eta: 0.1})

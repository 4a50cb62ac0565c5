"""Parallel paths give exactly the serial results: a process pool and a Dask LocalCluster
(in-process workers), for enumeration and for the series."""

from __future__ import annotations

import pytest
import sympy
from distributed import Client, LocalCluster

import diagrams as dg
from diagrams.runtime.parallel import ParallelOptions, parallel_map, parallel_options

KINDS = [
    {},
    {"linkless": True},
    {"root_tied": True},
    {"root_tied": True, "linkless": True},
]


@pytest.fixture(scope="module")
def client():
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster, Client(cluster) as client:
        yield client


def signature(diagrams) -> list[tuple]:
    return [(D.parent, D.part_of, D.automorphism_count, str(D)) for D in diagrams]


# -- options --------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [0, -1, 1.5, True, "2"])
def test_bad_workers_are_refused_eagerly(workers):
    with pytest.raises(ValueError, match="workers must be a positive int"):
        dg.enumerate_diagrams(3, workers=workers)  # no next() needed


def test_bad_backend_and_stray_client_are_refused():
    with pytest.raises(ValueError, match="backend must be one of 'serial', 'process', 'dask'"):
        dg.enumerate_diagrams(3, backend="threads")
    with pytest.raises(ValueError, match="client= is for backend='dask'"):
        dg.enumerate_diagrams(3, backend="process", client=object())


def test_backend_defaults():
    assert parallel_options().backend == "serial"
    assert parallel_options(workers=1).backend == "serial"
    assert parallel_options(workers=3) == ParallelOptions("process", 3, None)
    assert parallel_options(backend="process").workers >= 1
    marker = object()
    assert parallel_options(client=marker).backend == "dask"


def test_process_map_keeps_order_with_a_small_window():
    items = list(range(-30, 30))
    assert list(parallel_map(abs, items, workers=2, window=3)) == [abs(i) for i in items]
    assert list(parallel_map(abs, [], workers=2)) == []


def test_dask_map_keeps_order(client):
    items = list(range(-30, 30))
    assert list(parallel_map(abs, items, client=client, window=4)) == [abs(i) for i in items]


# -- enumeration ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: "-".join(k) or "all")
def test_enumeration_is_the_same_on_every_backend(kind, client):
    for d in range(6):
        serial = signature(dg.enumerate_diagrams(d, **kind))
        assert signature(dg.enumerate_diagrams(d, workers=2, **kind)) == serial, d
        assert signature(dg.enumerate_diagrams(d, backend="dask", client=client, **kind)) == serial, d


def test_dask_uses_the_default_client(client):
    assert list(dg.enumerate_diagrams(4, backend="dask")) == list(dg.enumerate_diagrams(4))
    assert dg.count_diagrams(4, root_tied=True, client=client) == 228


def test_process_pool_counts_and_early_close():
    assert dg.count_diagrams(5, workers=2) == 700
    iterator = dg.enumerate_diagrams(5, workers=2)
    first = next(iterator)
    iterator.close()  # cancels the rest and shuts the pool down
    assert first == next(dg.enumerate_diagrams(5))


# -- series -------------------------------------------------------------------------------------


def landscape_statistics():
    from landscape_factory import random_landscape

    loss, params, sample, distribution, theta0 = random_landscape(3, 2, 3)
    return dg.Landscape(loss, params, sample, distribution).statistics(at=theta0)


def test_series_are_the_same_on_every_backend(client):
    T = sympy.Symbol("T")
    symbolic, schedule = dg.Statistics.symbolic(), dg.Schedule.sgd(T)
    serial = dg.expected_loss(symbolic, schedule, 3)
    assert dg.expected_loss(symbolic, schedule, 3, workers=2) == serial
    assert dg.expected_loss(symbolic, schedule, 3, backend="dask", client=client) == serial

    stats, schedule = landscape_statistics(), dg.Schedule(N=4, B=2, E=2)
    for function in (dg.expected_loss, dg.generalization_gap, dg.displacement):
        serial = function(stats, schedule, 2)
        assert function(stats, schedule, 2, workers=2) == serial, function.__name__
        assert function(stats, schedule, 2, client=client) == serial, function.__name__
    at = dg.expected_loss(stats, schedule, 2, at_eta=0.01)
    assert dg.expected_loss(stats, schedule, 2, at_eta=0.01, workers=2) == at


def test_diagram_terms_are_the_same_on_every_backend(client):
    schedule = dg.Schedule(N=6, B=2, E=3)
    for options in ({}, {"root_tied": True}, {"assume": ["at_minimum"]}):
        serial = list(dg.diagram_terms(schedule, 3, **options))
        assert list(dg.diagram_terms(schedule, 3, workers=2, **options)) == serial
        assert list(dg.diagram_terms(schedule, 3, client=client, **options)) == serial


def test_series_refuse_bad_workers():
    with pytest.raises(ValueError, match="workers"):
        dg.expected_loss(dg.Statistics.symbolic(), dg.Schedule.sgd(3), 2, workers=0)

"""Parallel paths give exactly the serial results: a process pool and a Dask LocalCluster
(in-process workers), for enumeration and for the series."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import sympy
from distributed import Client, LocalCluster
from hypothesis import given
from hypothesis import strategies as st

import diagrams as dg
from diagrams.runtime.execution import split
from diagrams.runtime.parallel import ParallelOptions, parallel_map, parallel_options

ROOT = Path(__file__).resolve().parent.parent

KINDS = [
    {},
    {"linkless": True},
    {"root_tied": True},
    {"root_tied": True, "linkless": True},
]


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
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


def test_series_shared_out_by_tree_shape_are_the_same_with_assumptions_and_resummed():
    """The workers enumerate their own shapes: assumptions, root-tied and linkless diagrams included."""
    T = sympy.Symbol("T")
    symbolic = dg.Statistics.symbolic()
    cases = [
        (dg.expected_loss, dg.Schedule.sgd(T), 4, {"assume": ["at_minimum"]}),
        (dg.generalization_gap, dg.Schedule(N=T, B=1, E=2), 4, {}),
        (dg.expected_loss, dg.Schedule.sgd(T), 3, {"method": dg.Resummed()}),
    ]
    for function, schedule, order, options in cases:
        serial = function(symbolic, schedule, order, **options)
        assert function(symbolic, schedule, order, workers=2, **options) == serial, (function.__name__, options)


@given(st.lists(st.integers(0, 50), min_size=1, max_size=40), st.integers(1, 8))
def test_split_cuts_where_the_running_cost_first_reaches_each_share(sizes, k):
    items = list(range(len(sizes)))
    k = min(k, len(items))
    chunks = split(items, sizes, k)
    assert len(chunks) == k and all(chunks)
    assert [item for chunk in chunks for item in chunk] == items
    whole, running = sum(sizes), [0]
    for size in sizes:
        running.append(running[-1] + size)
    bounds = [0]
    for chunk in chunks:
        bounds.append(bounds[-1] + len(chunk))
    for i in range(1, k):
        cut, previous = bounds[i], bounds[i - 1]
        as_late_as_possible = len(items) - cut == k - i
        assert running[cut] * k >= whole * i or as_late_as_possible
        if cut - 1 > previous:  # no earlier place after the previous cut reached the share
            assert running[cut - 1] * k < whole * i


def test_diagram_terms_are_the_same_on_every_backend(client):
    schedule = dg.Schedule(N=6, B=2, E=3)
    for options in ({}, {"root_tied": True}, {"assume": ["at_minimum"]}):
        serial = list(dg.diagram_terms(schedule, 3, **options))
        assert list(dg.diagram_terms(schedule, 3, workers=2, **options)) == serial
        assert list(dg.diagram_terms(schedule, 3, client=client, **options)) == serial


def test_series_refuse_bad_workers():
    with pytest.raises(ValueError, match="workers"):
        dg.expected_loss(dg.Statistics.symbolic(), dg.Schedule.sgd(3), 2, workers=0)


# -- worker processes end with their parent ---------------------------------------------------

on_linux = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="finds the worker processes through Linux's /proc"
)

# A script that keeps two workers busy for a long time; with an idle extra thread the pool's
# workers come from a fork server instead of being forked (parallel._context).
WORK = "import diagrams as dg\nsum(1 for _ in dg.enumerate_diagrams(8, workers=2))\n"
IDLE_THREAD = "import threading, time\nthreading.Thread(target=time.sleep, args=(3600,), daemon=True).start()\n"


def proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/pid/stat after the command name (state, ppid, ...), or None."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def descendants(root: int) -> set[int]:
    """The live processes below ``root``."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        fields = proc_stat(int(name)) if name.isdigit() else None
        if fields and fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(name))
    found, todo = set(), [root]
    while todo:
        below = children.get(todo.pop(), [])
        found.update(below)
        todo.extend(below)
    return found


def session(leader: int) -> set[int]:
    """The live processes of the session that ``leader`` started: everything the job
    started, even after the job died and its orphans moved to another parent."""
    members = set()
    for name in os.listdir("/proc"):
        fields = proc_stat(int(name)) if name.isdigit() else None
        if fields and fields[0] != "Z" and int(fields[3]) == leader:
            members.add(int(name))
    return members


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@contextmanager
def python_job(code: str, **popen):
    """Run ``code`` in a child Python in a session of its own; afterwards kill whatever
    of that session is left (each by its pid)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    job = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT, start_new_session=True, **popen)
    try:
        yield job
    finally:
        job.kill()
        job.wait()
        for pid in session(job.pid):
            os.kill(pid, signal.SIGKILL)


def workers_started(job, start: str = "fork") -> bool:
    """The job's pool is up: two forked workers, or a fork server, its two workers and
    the resource tracker of the fork server's semaphores."""
    return wait_until(lambda: len(descendants(job.pid)) >= (2 if start == "fork" else 4), 60)


def nothing_left(job) -> bool:
    return wait_until(lambda: not session(job.pid), 10)


@on_linux
@pytest.mark.parametrize("start", ["fork", "forkserver"])
def test_sigterm_to_the_parent_leaves_no_worker_behind(start):
    code = (IDLE_THREAD if start == "forkserver" else "") + WORK
    with python_job(code) as job:
        assert workers_started(job, start), descendants(job.pid)
        job.send_signal(signal.SIGTERM)
        job.wait(timeout=10)
        assert nothing_left(job), session(job.pid)


@on_linux
def test_sigkill_to_the_parent_leaves_no_worker_behind():
    with python_job(WORK) as job:
        assert workers_started(job), descendants(job.pid)
        job.kill()
        job.wait(timeout=10)
        assert nothing_left(job), session(job.pid)


@on_linux
def test_ctrl_c_in_the_parent_stops_busy_workers_at_once():
    # Each task sleeps a minute; after Ctrl-C the parent must not wait for them.  (The
    # signal is sent once both workers are busy: one that comes while the parent forks is
    # lost in Python's after-fork hooks.)
    code = (
        "import time\nfrom diagrams.runtime.parallel import parallel_map\n"
        "def work(seconds):\n    print('working', flush=True)\n    time.sleep(seconds)\n"
        "list(parallel_map(work, [60] * 4, workers=2))\n"
    )
    with python_job(code, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as job:
        started = job.stdout.read(len("working\n") * 2)  # two workers may interleave their writes
        assert started.count("working") == 2 and started.count("\n") == 2, started
        job.send_signal(signal.SIGINT)
        job.wait(timeout=10)  # not 60 s
        assert nothing_left(job), session(job.pid)
        err = job.stderr.read()
        assert err.count("Traceback") == 1 and err.rstrip().endswith("KeyboardInterrupt"), err


@on_linux
def test_watch_parent_alone_ends_a_spawned_child(tmp_path):
    # The portable half without the Linux death signal: a spawned child (as on macOS and
    # Windows) that calls watch_parent() exits once its parent is killed.
    script = tmp_path / "watched.py"
    script.write_text(
        "import multiprocessing, time\n"
        "from diagrams.runtime.parallel import watch_parent\n"
        "def child():\n"
        "    watch_parent()\n"
        "    print('watching', flush=True)\n"
        "    time.sleep(600)\n"
        "if __name__ == '__main__':\n"
        "    multiprocessing.get_context('spawn').Process(target=child).start()\n"
        "    time.sleep(600)\n"
    )
    code = f"import runpy; runpy.run_path({str(script)!r}, run_name='__main__')"
    with python_job(code, stdout=subprocess.PIPE, text=True) as job:
        assert job.stdout.readline() == "watching\n"
        job.kill()
        job.wait(timeout=10)
        assert nothing_left(job), session(job.pid)

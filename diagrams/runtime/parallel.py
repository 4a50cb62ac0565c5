"""Ordered parallel maps: a process pool or a Dask cluster behind one function.

Enumeration shards by tree shape and the series by diagram; both call
:func:`parallel_map`, which yields ``function(item)`` for every item *in the
order of the items*, so a parallel run returns exactly what the serial loop
returns.  The work items and ``function`` must be picklable (module-level
functions, ``functools.partial`` of them, tuples of plain data).

Backends, chosen by :func:`parallel_options` from the ``workers``, ``backend``
and ``client`` keywords that the public functions accept:

* ``"serial"``: a plain loop in this process (``workers`` None or 1);
* ``"process"``: a :class:`concurrent.futures.ProcessPoolExecutor` with
  ``workers`` processes, the default when ``workers > 1``.  Processes are
  forked when the caller has no other thread, and come from a fork server
  otherwise (a Dask client, a notebook kernel), see :func:`_context`;
* ``"dask"``: tasks on a ``dask.distributed`` cluster, through ``client`` or
  the current default client (``pip install 'sgd-diagrams[dask]'``).

At most ``window`` tasks are in flight, so memory stays bounded however long
the input is, and closing the iterator early cancels the rest.

Process-pool workers never outlive the run.  Each ignores Ctrl-C and ends
when the process that started it ends, however that happens (a SIGTERM, a
SIGKILL, a crash): on Linux the kernel kills it (:func:`set_parent_death_signal`),
and everywhere a watch thread exits it (:func:`watch_parent`).  When the
iteration stops early (Ctrl-C, an exception, ``close()``) the workers are
terminated at once instead of finishing their tasks.

>>> list(parallel_map(abs, [-2, 3, -5]))
[2, 3, 5]
>>> parallel_options(workers=2)
ParallelOptions(backend='process', workers=2, client=None)
>>> parallel_options(workers=0)
Traceback (most recent call last):
...
ValueError: workers must be a positive int or None, got 0
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

__all__ = [
    "BACKENDS",
    "ParallelOptions",
    "parallel_options",
    "parallel_map",
    "chunked_map",
    "start_worker",
    "set_parent_death_signal",
    "watch_parent",
    "run",
    "width",
]

T = TypeVar("T")
R = TypeVar("R")

BACKENDS = ("serial", "process", "dask")

_DASK_HINT = "backend='dask' needs dask.distributed: pip install 'sgd-diagrams[dask]'"

#: prctl option of <linux/prctl.h>: the signal this process gets when its parent ends.
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ParallelOptions:
    """A validated choice of backend (see the module docstring)."""

    backend: str
    workers: int | None = None
    client: Any = None

    @property
    def is_serial(self) -> bool:
        return self.backend == "serial"


def parallel_options(workers: int | None = None, backend: str | None = None, client: Any = None) -> ParallelOptions:
    """Check the ``workers``/``backend``/``client`` keywords eagerly and pick the backend.

    ``backend`` defaults to ``"process"`` when ``workers > 1``, to ``"dask"``
    when a ``client`` is given, and to ``"serial"`` otherwise.  With
    ``"dask"`` and no ``client`` the current default client is used when the
    work starts.

    >>> parallel_options()
    ParallelOptions(backend='serial', workers=None, client=None)
    >>> parallel_options(backend="threads")
    Traceback (most recent call last):
    ...
    ValueError: backend must be one of 'serial', 'process', 'dask', got 'threads'
    """
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a positive int or None, got {workers!r}")
    if backend is None:
        backend = "dask" if client is not None else "process" if workers and workers > 1 else "serial"
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, got {backend!r}")
    if client is not None and backend != "dask":
        raise ValueError(f"client= is for backend='dask', not {backend!r}")
    if backend == "process" and workers is None:
        workers = os.cpu_count() or 1
    return ParallelOptions(backend, workers, client)


def parallel_map(
    function: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int | None = None,
    backend: str | None = None,
    client: Any = None,
    window: int | None = None,
) -> Iterator[R]:
    """Yield ``function(item)`` for each item, in order, on the chosen backend.

    ``window`` bounds the tasks in flight (default four per worker).
    Options are checked before anything runs.
    """
    options = parallel_options(workers, backend, client)
    return run(options, function, items, window=window)


def run(options: ParallelOptions, function: Callable[[T], R], items: Iterable[T], *, window: int | None = None):
    """:func:`parallel_map` with already-checked options."""
    if options.backend == "serial":
        return map(function, items)
    if options.backend == "process":
        workers = options.workers  # set by parallel_options(); None lets the pool choose
        if not window:
            assert workers is not None, "the default window needs a number of workers"
            window = 4 * workers
        return _process_map(function, items, workers, window)
    return _dask_map(function, items, options.client, window)


def _process_map(function, items, workers: int | None, window: int) -> Iterator:
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=start_worker)
    finished = False
    try:
        # Tasks left over when the iteration stops early are not cancelled one by one: the
        # workers are terminated, which fails them all (cancelling them as well upsets
        # Python 3.11's pool, whose cleanup then sets an exception on a cancelled future).
        submit = partial(_without_interruption, pool.submit)
        yield from _ordered(submit, function, items, window, cancel=lambda f: None)
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # Ctrl-C, an error, or close(): nobody wants the running tasks' results
            _terminate_workers(pool)
            # no waiting: a Ctrl-C may have come while the pool was starting its threads
            pool.shutdown(wait=False)


def _without_interruption(call, *args):
    """``call(*args)`` with Ctrl-C held back until it returns (in the main thread).

    A submission may fork the workers, and a KeyboardInterrupt raised inside
    Python's after-fork hooks is printed as "Exception ignored" and lost.
    """
    if threading.current_thread() is not threading.main_thread():
        return call(*args)
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return call(*args)
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        result = call(*args)
    finally:
        signal.signal(signal.SIGINT, previous)
    if held:
        raise KeyboardInterrupt
    return result


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    """Stop the pool's worker processes now, without waiting for their tasks."""
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
        return
    # Older Pythons have no public way; the pool keeps its processes by pid, and a
    # terminated worker makes it shut itself down as broken, as terminate_workers does.
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


def start_worker() -> None:
    """Set up a pool worker process: Ctrl-C is the parent's business, and the
    worker ends with its parent (:func:`set_parent_death_signal`, :func:`watch_parent`).

    A worker whose parent died before this ran exits at once.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    set_parent_death_signal()
    parent = multiprocessing.parent_process()
    if parent is not None and not parent.is_alive():
        os._exit(1)
    watch_parent()


def set_parent_death_signal(signum: int | None = None) -> bool:
    """Have the Linux kernel send ``signum`` (default SIGKILL) to this process when its parent ends.

    Uses ``prctl(PR_SET_PDEATHSIG)``; returns False where that is unavailable
    (other systems), and :func:`watch_parent` has to do.  The parent is the
    thread that forked this process: the caller's main thread for forked pool
    workers, the fork server for the others.  SIGKILL (the default) cannot be
    caught, so a handler inherited through ``fork`` cannot keep the worker alive.
    """
    if not sys.platform.startswith("linux"):
        return False
    if signum is None:
        signum = signal.SIGKILL
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):  # pragma: no cover - a Linux without prctl in its C library
        return False
    return (
        prctl(
            ctypes.c_int(_PR_SET_PDEATHSIG),
            ctypes.c_ulong(signum),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
        )
        == 0
    )


def watch_parent() -> None:
    """Exit this process (``os._exit``) as soon as the process that started it has ended.

    Portable (fork, fork server and spawn): a daemon thread waits on the
    sentinel :mod:`multiprocessing` gives every child for its parent, without
    polling.  Does nothing in a process that multiprocessing did not start.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    threading.Thread(target=_exit_after, args=(parent,), name="sgd-diagrams: exit with parent", daemon=True).start()


def _exit_after(parent) -> None:
    parent.join()
    os._exit(1)


def _dask_map(function, items, client, window: int | None) -> Iterator:
    try:
        from distributed import get_client
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(_DASK_HINT) from error
    if client is None:
        try:
            client = get_client()
        except ValueError as error:
            raise ValueError("backend='dask' needs a client: pass client= or start distributed.Client()") from error
    if window is None:
        window = max(8, 4 * sum(client.nthreads().values()))

    def submit(f, item):
        return client.submit(f, item, pure=False)

    yield from _ordered(submit, function, items, window, cancel=lambda f: f.cancel())


def _ordered(submit, function, items, window: int, cancel) -> Iterator:
    """Keep ``window`` tasks running; hand results back in submission order."""
    iterator = iter(items)
    pending: deque = deque()
    try:
        for item in iterator:
            pending.append(submit(function, item))
            if len(pending) >= window:
                break
        while pending:
            result = pending.popleft().result()
            for item in iterator:
                pending.append(submit(function, item))
                break
            yield result
    finally:
        for future in pending:
            cancel(future)


def _context():
    """How to start worker processes.

    A process with no other Python thread forks (Linux): fast, no main-module
    guard needed, and the workers inherit the parent's caches.  With threads
    running (a Dask client, a notebook kernel) forking is unsafe, so a fork
    server is used, which imports ``diagrams`` once; its workers, like spawned
    ones, import a script's main module, so scripts need the usual
    ``if __name__ == "__main__":`` guard.  Elsewhere the platform's default.
    """
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["diagrams"])
        return context
    return multiprocessing.get_context()  # pragma: no cover - macOS and Windows spawn


def chunked_map(
    function: Callable[[list[T]], list[R]], items: Sequence[T], options: ParallelOptions, chunks: int | None = None
) -> list[R]:
    """``function`` over interleaved chunks of ``items``, the results put back in item order.

    Chunk i holds items i, i+k, i+2k, … (k = ``chunks``, by default twice the
    number of workers), so cheap and costly items mix and each task carries its
    shared arguments once.  ``function`` maps a list of items to a list of as
    many results.

    >>> chunked_map(lambda xs: [x * x for x in xs], [1, 2, 3, 4, 5], parallel_options(), chunks=2)
    [1, 4, 9, 16, 25]
    """
    items = list(items)
    k = max(1, min(chunks or 2 * width(options), len(items)))
    results: list = [None] * len(items)
    for i, done in enumerate(run(options, function, [items[i::k] for i in range(k)])):
        results[i::k] = done
    return results


def width(options: ParallelOptions) -> int:
    """How many tasks the backend runs at once."""
    if options.backend == "process":
        assert options.workers is not None  # set by parallel_options()
        return options.workers
    if options.backend == "dask":
        client = options.client
        if client is None:
            from distributed import get_client

            client = get_client()
        return max(1, sum(client.nthreads().values()))
    return 1

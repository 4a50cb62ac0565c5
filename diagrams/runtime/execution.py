"""How a long computation runs, chosen once: serially or in parallel, with or without a progress bar.

Public functions that do long work take the same keywords — ``workers``,
``backend``, ``client`` (see :mod:`diagrams.runtime.parallel`) and
``progress`` — through the :func:`runs_long` decorator, which checks them
before anything runs and hands the function one :class:`Runtime`.  Work goes
through :meth:`Runtime.chunks` (or :meth:`Runtime.map`, built on it), so every
path honours the choice: the results come back in the items' order whatever
the backend, hence identical to the serial ones.

>>> Runtime().map(lambda xs: [x * x for x in xs], [1, 2, 3])
[1, 4, 9]
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .parallel import ParallelOptions, parallel_options, run, width
from .progress import track

__all__ = ["Runtime", "runs_long", "split"]

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Runtime:
    """A checked choice of backend and whether to show progress."""

    parallel: ParallelOptions = field(default_factory=parallel_options)
    progress: bool = False

    def map(
        self, function: Callable[[list[Item]], list[Result]], items: Sequence[Item], description: str = "diagrams"
    ) -> list[Result]:
        """``function`` (it maps a list to a list) over ``items``, one item at a time, results in item order:
        :meth:`chunks`, concatenated."""
        parts = self.chunks(functools.partial(_map_each, function), items, description)
        return [result for part in parts for result in part]

    def chunks(
        self,
        function: Callable[[Iterable[Item]], Result],
        items: Sequence[Item],
        description: str = "diagrams",
        *,
        sizes: Sequence[Any] | None = None,
        unit: str = " diagrams",
    ) -> list[Result]:
        """``function`` over consecutive chunks of ``items`` (it reduces an iterable to one result), in order.

        Serially there is one chunk, the items passing one at a time (so a
        progress bar, counting ``unit``, moves smoothly); in parallel there are
        two chunks per worker, so the workers also do the reducing (and little
        crosses back).  The chunks hold about equal shares of ``sizes`` (the
        items' costs, default all equal).

        >>> Runtime().chunks(sum, [1, 2, 3])
        [6]
        >>> split(list("abcde"), [8, 1, 1, 1, 1], 2), split(list("abcd"), None, 2)
        ([['a'], ['b', 'c', 'd', 'e']], [['a', 'b'], ['c', 'd']])
        """
        items = list(items)
        if self.parallel.is_serial:
            return [function(track(items, description, enabled=self.progress, total=len(items), unit=unit))]
        k = max(1, min(2 * width(self.parallel), len(items)))
        done = run(self.parallel, function, split(items, sizes, k))
        return list(track(done, description + " (chunks)", enabled=self.progress, total=k, unit=" chunks"))


def split(items: list[Item], sizes: Sequence[Any] | None, k: int) -> list[list[Item]]:
    """``items`` cut into ``k`` consecutive, non-empty chunks (k ≤ len(items)) of about equal total size.

    A cut goes where the running total of sizes first reaches the next k-th
    of the whole.
    """
    if sizes is None:
        bounds = [len(items) * i // k for i in range(k + 1)]
    else:
        whole, running, bounds = sum(sizes), 0, [0]
        for index, size in enumerate(sizes[:-1]):
            running += size
            # a cut after this item once the running total reaches the next share, leaving an item per chunk to come
            if len(bounds) < k and running * k >= whole * len(bounds) and len(items) - index - 1 >= k - len(bounds):
                bounds.append(index + 1)
        while len(bounds) < k:  # too few cuts (sizes all at the end): take them just before the end
            bounds.append(len(items) - (k - len(bounds)))
        bounds.append(len(items))
    return [items[bounds[i] : bounds[i + 1]] for i in range(k)]


def _map_each(function: Callable[[list[Item]], list[Result]], items: Iterable[Item]) -> list[Result]:
    """``function`` on each item alone (one task of :meth:`Runtime.map`)."""
    return [result for item in items for result in function([item])]


RUNTIME_KEYWORDS = ("workers", "backend", "client", "progress")


def runs_long(function: Callable) -> Callable:
    """Give ``function`` (which takes ``runtime=``) the keywords ``workers``, ``backend``, ``client``, ``progress``.

    They are checked when the function is called, before any work; the
    function receives one :class:`Runtime`.  Its signature, for help() and
    documentation, shows the four keywords instead of ``runtime``.
    """
    signature = inspect.signature(function)
    if "runtime" not in signature.parameters:
        raise TypeError(f"{function.__name__} must take a runtime= keyword")

    @functools.wraps(function)
    def wrapper(
        *args,
        workers: int | None = None,
        backend: str | None = None,
        client: Any = None,
        progress: bool = False,
        **kwargs,
    ):
        if "runtime" in kwargs:
            raise TypeError(f"{function.__name__}() takes workers=, backend=, client= and progress=, not runtime=")
        if not isinstance(progress, bool):
            raise TypeError(f"progress must be True or False, got {progress!r}")
        runtime = Runtime(parallel_options(workers, backend, client), progress)
        return function(*args, runtime=runtime, **kwargs)

    parameters = [p for name, p in signature.parameters.items() if name != "runtime"]
    extra = [
        inspect.Parameter("workers", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="int | None"),
        inspect.Parameter("backend", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="str | None"),
        inspect.Parameter("client", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="Any"),
        inspect.Parameter("progress", inspect.Parameter.KEYWORD_ONLY, default=False, annotation="bool"),
    ]
    variadic = [p for p in parameters if p.kind == inspect.Parameter.VAR_KEYWORD]
    named = [p for p in parameters if p.kind != inspect.Parameter.VAR_KEYWORD]
    wrapper.__signature__ = signature.replace(parameters=named + extra + variadic)  # type: ignore[attr-defined]
    return wrapper

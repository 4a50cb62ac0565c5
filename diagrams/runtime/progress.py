"""Progress bars for long enumerations and series (tqdm, on standard error).

In a Jupyter kernel the bar is a widget when ipywidgets is installed; without
it, plain text bars (tqdm's ``tqdm.auto`` would warn "IProgress not found"
instead).  Outside Jupyter it is tqdm's text bar.

>>> list(track(range(3), "counting", enabled=False))
[0, 1, 2]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["track", "progress_bar_class"]

Item = TypeVar("Item")


def progress_bar_class() -> type:
    """tqdm's class for this environment: ``tqdm.auto`` when ipywidgets is installed, else the text bar.

    >>> progress_bar_class().__module__ in ("tqdm.std", "tqdm.asyncio", "tqdm.notebook")
    True
    """
    try:
        import ipywidgets  # noqa: F401  (tqdm's notebook bar needs it)
    except ImportError:
        from tqdm.std import tqdm
    else:
        from tqdm.auto import tqdm
    return tqdm


def track(
    items: Iterable[Item], description: str, *, enabled: bool, total: int | None = None, unit: str = " diagrams"
) -> Iterator[Item]:
    """``items`` unchanged, with a tqdm progress bar (counting ``unit``) when ``enabled``."""
    if not enabled:
        return iter(items)
    bar = progress_bar_class()
    return iter(bar(items, desc=description, total=total, unit=unit, leave=False))

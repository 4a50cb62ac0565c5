"""Progress bars for long enumerations and series (tqdm, on standard error).

>>> list(track(range(3), "counting", enabled=False))
[0, 1, 2]
"""

from __future__ import annotations

from typing import Iterable, Iterator, TypeVar

__all__ = ["track"]

Item = TypeVar("Item")


def track(items: Iterable[Item], description: str, *, enabled: bool, total: int | None = None) -> Iterator[Item]:
    """``items`` unchanged, with a tqdm progress bar when ``enabled``."""
    if not enabled:
        return iter(items)
    from tqdm.auto import tqdm

    return iter(tqdm(items, desc=description, total=total, unit=" diagrams", leave=False))

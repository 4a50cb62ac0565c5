"""Set partitions, ordered set partitions and the moment–cumulant formula.

>>> [sorted(map(tuple, p)) for p in set_partitions(3)][:2]
[[(0, 1, 2)], [(0, 1), (2,)]]
>>> [height for height, _ in weak_orders(2)]
[2, 2, 1]
>>> joint_cumulant((0, 1), lambda items: {(0,): 2, (1,): 3, (0, 1): 7}[items])
1
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from itertools import combinations
from math import factorial
from typing import Any

__all__ = ["set_partitions", "weak_orders", "mobius", "joint_cumulant"]


def set_partitions(n: int) -> Iterator[list[list[int]]]:
    """All set partitions of range(n), as lists of blocks (new lists each time)."""
    if n == 0:
        yield []
        return
    for smaller in set_partitions(n - 1):
        for i in range(len(smaller)):
            yield [block + [n - 1] if j == i else list(block) for j, block in enumerate(smaller)]
        yield [list(block) for block in smaller] + [[n - 1]]


@lru_cache(maxsize=8)
def weak_orders(n: int) -> tuple[tuple[int, tuple[int, ...]], ...]:
    """Every map of range(n) onto some range(ℓ) (an ordered set partition), as (ℓ, map)."""
    found = []
    level = [0] * n

    def extend(rest: tuple[int, ...], height: int):
        if not rest:
            found.append((height, tuple(level)))
            return
        for size in range(1, len(rest) + 1):
            for chosen in combinations(rest, size):
                for i in chosen:
                    level[i] = height
                extend(tuple(i for i in rest if i not in chosen), height + 1)

    extend(tuple(range(n)), 0)
    return tuple(found)


def mobius(blocks: int) -> int:
    """μ of the partition lattice from a partition with ``blocks`` blocks up to the one-block partition."""
    return (-1) ** (blocks - 1) * factorial(blocks - 1)


def joint_cumulant(items: Sequence, moment: Callable[[tuple], Any]):
    """κ(X₁,…,X_j) = Σ_π (|π|−1)!(−1)^{|π|−1} Π_{B∈π} E[Π_{i∈B} X_i] (Möbius inversion).

    ``moment`` maps a sorted tuple of items to the expectation of their product;
    its values may be of any number type that adds and multiplies with ints.
    """
    total = 0
    for blocks in set_partitions(len(items)):
        term = mobius(len(blocks))
        for block in blocks:
            term *= moment(tuple(sorted(items[i] for i in block)))
        total += term
    return total

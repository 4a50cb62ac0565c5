"""Every diagram of a given order, once each (SPEC §2).

For each unlabelled rooted tree with ``order + 1`` nodes (generated directly
in canonical form, children as a non-increasing sequence of subtrees) we run
through the set partitions of its nodes, canonicalize each decorated tree and
keep the first of each isomorphism class.  Different tree shapes never give
equal diagrams, so duplicates are removed shape by shape and memory stays
bounded by the diagrams of one shape.

The counts for orders 0…4 are 1, 1, 4, 17, 101; the tests check them against
an independent brute force and, beyond, the orbit-counting identity
Σ_D order!/|Aut(D)| = (order+1)^(order−1) · Bell(order).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterator

from .canonical import canonical_form
from .diagram import MAX_ORDER, Diagram

__all__ = ["enumerate_diagrams", "count_diagrams"]


def enumerate_diagrams(order: int, *, linkless: bool = False, root_tied: bool = False) -> Iterator[Diagram]:
    """Yield every distinct diagram with ``order`` edges, once each.

    ``linkless=True`` keeps only diagrams without links (non-root nodes of
    degree 2 alone in their part); ``root_tied=True`` yields the root-tied
    diagrams (root sharing its part) instead of the ordinary ones.  The order
    of the output is deterministic: grouped by tree shape.

    >>> [str(D) for D in enumerate_diagrams(2)]
    ['[a:ab][b]', '[a][ab][b]', '[a:b][ab]', '[a][b][ab]']
    >>> [str(D) for D in enumerate_diagrams(1, root_tied=True)]
    ['[a:a]']
    """
    if isinstance(order, bool) or not isinstance(order, int):
        raise TypeError(f"order must be an int, not {type(order).__name__}")
    if not 0 <= order <= MAX_ORDER:
        raise ValueError(f"order must be between 0 and {MAX_ORDER}, got {order}")
    return _generate(order, linkless, root_tied)


def count_diagrams(order: int, *, linkless: bool = False, root_tied: bool = False) -> int:
    """The number of diagrams :func:`enumerate_diagrams` yields.

    >>> [count_diagrams(d) for d in range(5)]
    [1, 1, 4, 17, 101]
    """
    return sum(1 for _ in enumerate_diagrams(order, linkless=linkless, root_tied=root_tied))


def _generate(order: int, linkless: bool, root_tied: bool) -> Iterator[Diagram]:
    n = order + 1
    for parent in map(_parent_array, _rooted_trees(n)):
        root = n - 1
        degree = [1] * root + [0]
        for p in parent[:-1]:
            degree[p] += 1
        seen: dict[Diagram, None] = {}
        for part_of in _set_partitions(n, root_tied):
            if linkless and _has_link(part_of, degree, root):
                continue
            diagram = Diagram(*canonical_form(parent, part_of))
            if diagram not in seen:
                seen[diagram] = None
                yield diagram


def _has_link(part_of: tuple[int, ...], degree: list[int], root: int) -> bool:
    sizes: dict[int, int] = {}
    for p in part_of:
        sizes[p] = sizes.get(p, 0) + 1
    return any(degree[v] == 2 and sizes[part_of[v]] == 1 for v in range(root))


@lru_cache(maxsize=None)
def _rooted_trees(n: int) -> tuple[tuple, ...]:
    """All unlabelled rooted trees with n nodes, each a sorted tuple of child subtrees."""
    if n == 1:
        return ((),)
    return tuple(_forests(n - 1, None))


def _forests(size: int, bound) -> Iterator[tuple]:
    """Non-increasing tuples of rooted trees with ``size`` nodes in all, each tree ≤ ``bound``."""
    if size == 0:
        yield ()
        return
    for first_size in range(size, 0, -1):
        for tree in _rooted_trees(first_size):
            key = (first_size, tree)
            if bound is not None and key > bound:
                continue
            for rest in _forests(size - first_size, key):
                yield (tree,) + rest


def _parent_array(tree: tuple) -> tuple[int | None, ...]:
    """Parent pointers in postorder (root last, ``None``)."""
    parent: list[int | None] = []

    def place(subtree: tuple) -> int:
        kids = [place(child) for child in subtree]
        me = len(parent)
        parent.append(None)
        for k in kids:
            parent[k] = me
        return me

    place(tree)
    return tuple(parent)


def _set_partitions(n: int, root_tied: bool) -> Iterator[tuple[int, ...]]:
    """Restricted growth strings of length n; the last node (root) alone unless root_tied.

    With ``root_tied`` the root's block must hold another node too.
    """
    rgs = [0] * n

    def extend(i: int, blocks: int) -> Iterator[tuple[int, ...]]:
        if i == n - 1:
            if root_tied:
                for b in range(blocks):
                    rgs[i] = b
                    yield tuple(rgs)
            else:
                rgs[i] = blocks
                yield tuple(rgs)
            return
        for b in range(blocks + 1):
            rgs[i] = b
            yield from extend(i + 1, max(blocks, b + 1))

    return extend(0, 0)

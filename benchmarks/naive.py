"""The naive baseline: labelled trees × set partitions, deduplicated with networkx isomorphism.

No canonical form anywhere.  Labelled rooted trees on the nodes 0…d (root d)
come from Prüfer sequences; a labelled tree isomorphic (as a rooted tree) to
one already kept is skipped, because its partitions would only repeat those of
the kept one (this is the one shortcut taken: without it order 6 means 3.4
million networkx-deduplicated structures).  Every set partition of every kept
tree is then compared, by networkx's VF2 matcher on a node-coloured digraph,
with the structures already found that share a cheap invariant.

Counts agree with :func:`diagrams.enumerate_diagrams` (checked by
``benchmarks/enumeration.py`` on every row it prints).
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence

import networkx as nx
from networkx.algorithms.isomorphism import DiGraphMatcher

Structure = tuple[tuple, tuple]  # (parent pointers with None at the root, part of each node)


def naive_diagrams(order: int, *, linkless: bool = False, root_tied: bool = False) -> list[Structure]:
    """One labelled (parent, part_of) per diagram of ``order`` edges."""
    classes = _Classes()
    for parent in _tree_shapes(order):
        degree = [0] * (order + 1)
        for v, p in enumerate(parent):
            if p is not None:
                degree[v] += 1
                degree[p] += 1
        for part_of in _partitions(order, root_tied):
            if linkless and _has_link(parent, part_of, degree):
                continue
            classes.add((parent, part_of))
    return classes.representatives


def _tree_shapes(order: int) -> list[tuple]:
    """Labelled rooted trees, one per isomorphism class (networkx decides)."""
    classes = _Classes()
    for parent in _labelled_rooted_trees(order):
        classes.add((parent, tuple(range(order + 1))))  # every node its own part: the bare tree
    return [parent for parent, _ in classes.representatives]


def _labelled_rooted_trees(order: int) -> Iterator[tuple]:
    n = order + 1
    if n == 1:
        yield (None,)
        return
    for sequence in itertools.product(range(n), repeat=n - 2):
        yield _orient(n, _prufer_edges(sequence, n), root=order)


def _prufer_edges(sequence: Sequence[int], n: int) -> list[tuple[int, int]]:
    degree = [1] * n
    for v in sequence:
        degree[v] += 1
    leaves = [v for v in range(n) if degree[v] == 1]
    heapq.heapify(leaves)
    edges = []
    for v in sequence:
        leaf = heapq.heappop(leaves)
        edges.append((leaf, v))
        degree[v] -= 1
        if degree[v] == 1:
            heapq.heappush(leaves, v)
    edges.append((heapq.heappop(leaves), heapq.heappop(leaves)))
    return edges


def _orient(n: int, edges, root: int) -> tuple:
    neighbours = defaultdict(list)
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    parent: list = [None] * n
    stack, seen = [root], {root}
    while stack:
        u = stack.pop()
        for w in neighbours[u]:
            if w not in seen:
                seen.add(w)
                parent[w] = u
                stack.append(w)
    return tuple(parent)


def _partitions(order: int, root_tied: bool) -> Iterator[tuple]:
    """part_of tuples: partitions of the non-root nodes with the root alone, or (root-tied)
    of all nodes with the root's block holding another node."""
    n = order + 1
    items = list(range(n if root_tied else order))
    for blocks in _set_partitions(items):
        part_of = [len(blocks)] * n
        for i, block in enumerate(blocks):
            for v in block:
                part_of[v] = i
        if root_tied and part_of.count(part_of[order]) < 2:
            continue
        yield tuple(part_of)


def _set_partitions(items: list) -> Iterator[list[list]]:
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in _set_partitions(rest):
        for i in range(len(partition)):
            yield partition[:i] + [[first] + partition[i]] + partition[i + 1 :]
        yield [[first]] + partition


def _has_link(parent, part_of, degree) -> bool:
    sizes = defaultdict(int)
    for p in part_of:
        sizes[p] += 1
    return any(parent[v] is not None and degree[v] == 2 and sizes[part_of[v]] == 1 for v in range(len(parent)))


class _Classes:
    """Isomorphism classes by invariant buckets and networkx VF2."""

    def __init__(self):
        self.buckets: dict[tuple, list[nx.DiGraph]] = defaultdict(list)
        self.representatives: list[Structure] = []

    def add(self, structure: Structure) -> bool:
        graph = _graph(structure)
        bucket = self.buckets[_invariant(structure)]
        if any(DiGraphMatcher(graph, other, node_match=_same_kind).is_isomorphic() for other in bucket):
            return False
        bucket.append(graph)
        self.representatives.append(structure)
        return True


def _graph(structure: Structure) -> nx.DiGraph:
    """Tree edges parent → child, plus a 'part' vertex per part with an edge from each member."""
    parent, part_of = structure
    graph = nx.DiGraph()
    for v, p in enumerate(parent):
        graph.add_node(("v", v), kind="root" if p is None else "node")
        if p is not None:
            graph.add_edge(("v", p), ("v", v))
    for v, part in enumerate(part_of):
        graph.add_node(("p", part), kind="part")
        graph.add_edge(("v", v), ("p", part))
    return graph


def _same_kind(a, b) -> bool:
    return a["kind"] == b["kind"]


def _invariant(structure: Structure) -> tuple:
    parent, part_of = structure
    n = len(parent)
    depth, kids = [0] * n, [0] * n
    for v in range(n):
        u = v
        while parent[u] is not None:
            depth[v] += 1
            u = parent[u]
        if parent[v] is not None:
            kids[parent[v]] += 1
    node = [(depth[v], kids[v]) for v in range(n)]
    parts = defaultdict(list)
    for v, p in enumerate(part_of):
        parts[p].append(node[v])
    return tuple(sorted(node)), tuple(sorted(tuple(sorted(b)) for b in parts.values()))

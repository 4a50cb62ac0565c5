"""Independent helpers for the foundation tests: labelled structures, text
builders, brute-force automorphisms, networkx isomorphism and a brute-force
diagram enumerator.

Nothing here uses ``diagrams.core.canonical`` (or any other part of the package):
these are the reference implementations the package is checked against.

A *labelled structure* is a pair ``(parent, part_of)`` of tuples indexed by
node: ``parent[v]`` is ``None`` exactly for the root, ``part_of[v]`` is any
hashable naming the part of ``v``.  The root need not be the last node.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence

import networkx as nx
from hypothesis import strategies as st
from networkx.algorithms.isomorphism import DiGraphMatcher

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

Structure = tuple  # (parent: tuple[int | None, ...], part_of: tuple)


# -- elementary combinatorics ---------------------------------------------------


def bell(n: int) -> int:
    """Bell numbers by the Bell triangle (independent of sympy and of the package)."""
    row = [1]
    for _ in range(n):
        new = [row[-1]]
        for x in row:
            new.append(new[-1] + x)
        row = new
    return row[0]


def set_partitions(items: Sequence) -> Iterator[list[list]]:
    """Every set partition of ``items`` (each block a list), once each."""
    items = list(items)
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for smaller in set_partitions(rest):
        yield [[first]] + smaller
        for i in range(len(smaller)):
            yield smaller[:i] + [[first] + smaller[i]] + smaller[i + 1 :]


def prufer_tree(sequence: Sequence[int], n: int) -> list[tuple[int, int]]:
    """Edges of the labelled tree on 0..n-1 with the given Prüfer sequence (length n-2)."""
    if n == 1:
        return []
    degree = [1] * n
    for x in sequence:
        degree[x] += 1
    edges = []
    for x in sequence:
        leaf = min(v for v in range(n) if degree[v] == 1)
        edges.append((leaf, x))
        degree[leaf] -= 1
        degree[x] -= 1
    u, w = [v for v in range(n) if degree[v] == 1]
    edges.append((u, w))
    return edges


def orient(n: int, edges: Sequence[tuple[int, int]], root: int) -> tuple:
    """Parent pointers of an undirected tree, rooted at ``root``."""
    adjacency = defaultdict(list)
    for u, w in edges:
        adjacency[u].append(w)
        adjacency[w].append(u)
    parent: list[int | None] = [None] * n
    seen, stack = {root}, [root]
    while stack:
        u = stack.pop()
        for w in adjacency[u]:
            if w not in seen:
                seen.add(w)
                parent[w] = u
                stack.append(w)
    assert len(seen) == n
    return tuple(parent)


def labelled_rooted_trees(d: int) -> Iterator[tuple]:
    """All labelled trees on nodes 0..d rooted at d, via Prüfer sequences: (d+1)^(d-1) of them."""
    n = d + 1
    if n == 1:
        yield (None,)
        return
    for sequence in itertools.product(range(n), repeat=n - 2):
        yield orient(n, prufer_tree(sequence, n), d)


# -- facts about a labelled structure ------------------------------------------------


def root_of(parent: Sequence) -> int:
    (root,) = [v for v, p in enumerate(parent) if p is None]
    return root


def degrees(parent: Sequence) -> list[int]:
    deg = [0] * len(parent)
    for v, p in enumerate(parent):
        if p is not None:
            deg[v] += 1
            deg[p] += 1
    return deg


def blocks(part_of: Sequence) -> list[list[int]]:
    """Parts as lists of nodes, in order of first appearance."""
    groups: dict = {}
    for v, name in enumerate(part_of):
        groups.setdefault(name, []).append(v)
    return list(groups.values())


def is_root_tied(structure: Structure) -> bool:
    parent, part_of = structure
    root = root_of(parent)
    return sum(1 for name in part_of if name == part_of[root]) > 1


def is_linkless(structure: Structure) -> bool:
    """No non-root node of degree 2 alone in its part (SPEC §2)."""
    parent, part_of = structure
    deg = degrees(parent)
    size = defaultdict(int)
    for name in part_of:
        size[name] += 1
    return not any(parent[v] is not None and deg[v] == 2 and size[part_of[v]] == 1 for v in range(len(parent)))


def relabel(structure: Structure, perm: Sequence[int]) -> Structure:
    """The same structure with node v renamed perm[v]."""
    parent, part_of = structure
    n = len(parent)
    new_parent: list = [None] * n
    new_part: list = [None] * n
    for v in range(n):
        new_parent[perm[v]] = None if parent[v] is None else perm[parent[v]]
        new_part[perm[v]] = part_of[v]
    return tuple(new_parent), tuple(new_part)


def brute_force_automorphisms(structure: Structure) -> int:
    """Count node permutations fixing the root that preserve parent pointers and the partition."""
    parent, part_of = structure
    n = len(parent)
    root = root_of(parent)
    others = [v for v in range(n) if v != root]
    partition = {frozenset(b) for b in blocks(part_of)}
    deg = degrees(parent)
    count = 0
    for image in itertools.permutations(others):
        g = dict(zip(others, image))
        g[root] = root
        if any(deg[g[v]] != deg[v] for v in others):
            continue
        if any(parent[g[v]] != g[parent[v]] for v in others):
            continue
        if {frozenset(g[v] for v in b) for b in partition} != partition:
            continue
        count += 1
    return count


# -- networkx: the colored graph of a diagram ---------------------------------------------


def colored_graph(structure: Structure) -> nx.DiGraph:
    """Tree nodes (kind 'root' / 'node') with edges parent -> child, plus one vertex of
    kind 'part' per part with edges node -> part.  Isomorphisms of these graphs that
    preserve ``kind`` are exactly the diagram isomorphisms of SPEC §2."""
    parent, part_of = structure
    graph = nx.DiGraph()
    for v, p in enumerate(parent):
        graph.add_node(("v", v), kind="root" if p is None else "node")
    for v, p in enumerate(parent):
        if p is not None:
            graph.add_edge(("v", p), ("v", v))
    for i, block in enumerate(blocks(part_of)):
        graph.add_node(("p", i), kind="part")
        for v in block:
            graph.add_edge(("v", v), ("p", i))
    return graph


def _kind_match(a, b) -> bool:
    return a["kind"] == b["kind"]


def nx_isomorphic(g1: nx.DiGraph, g2: nx.DiGraph) -> bool:
    return DiGraphMatcher(g1, g2, node_match=_kind_match).is_isomorphic()


def nx_automorphism_count(structure: Structure) -> int:
    graph = colored_graph(structure)
    return sum(1 for _ in DiGraphMatcher(graph, graph, node_match=_kind_match).isomorphisms_iter())


def invariant(structure: Structure) -> tuple:
    """A cheap isomorphism invariant (for bucketing before the exact networkx test)."""
    parent, part_of = structure
    n = len(parent)
    depth = [0] * n
    for v in range(n):
        u = v
        while parent[u] is not None:
            depth[v] += 1
            u = parent[u]
    kids = [0] * n
    for p in parent:
        if p is not None:
            kids[p] += 1
    node_sig = [(depth[v], kids[v], parent[v] is None) for v in range(n)]
    part_sigs = sorted(tuple(sorted(node_sig[v] for v in block)) for block in blocks(part_of))
    return tuple(sorted(node_sig)), tuple(part_sigs)


class IsomorphismClasses:
    """Deduplicate labelled structures up to isomorphism (invariant buckets + networkx)."""

    def __init__(self):
        self.buckets: dict[tuple, list[tuple[Structure, nx.DiGraph]]] = defaultdict(list)
        self.representatives: list[Structure] = []

    def add(self, structure: Structure) -> bool:
        bucket = self.buckets[invariant(structure)]
        graph = colored_graph(structure)
        if any(nx_isomorphic(graph, other) for _, other in bucket):
            return False
        bucket.append((structure, graph))
        self.representatives.append(structure)
        return True


@functools.cache
def tree_shapes(d: int) -> tuple[tuple, ...]:
    """One labelled rooted tree (root d) per isomorphism class of rooted trees with d+1 nodes,
    found by deduplicating all (d+1)^(d-1) labelled trees with networkx."""
    classes = IsomorphismClasses()
    for parent in labelled_rooted_trees(d):
        classes.add((parent, tuple(range(d + 1))))  # every node its own part: plain tree
    return tuple(parent for parent, _ in classes.representatives)


def brute_force_diagrams(d: int, root_tied: bool = False, all_labelled_trees: bool = True) -> list[Structure]:
    """Representatives of every diagram of order d, by brute force.

    Runs through labelled rooted trees on 0..d with root d times set partitions
    (of the non-root nodes, the root alone, for ordinary diagrams; of all nodes
    with the root's block of size >= 2 for root-tied ones) and keeps one
    structure per networkx isomorphism class.

    With ``all_labelled_trees=False`` only one labelled tree per tree shape is
    used.  That loses nothing: an isomorphism of decorated trees is in
    particular an isomorphism of the trees, so every (tree, partition) is
    isomorphic to (representative tree, transported partition).
    """
    trees = labelled_rooted_trees(d) if all_labelled_trees else tree_shapes(d)
    classes = IsomorphismClasses()
    for parent in trees:
        if root_tied:
            for partition in set_partitions(range(d + 1)):
                part_of = [0] * (d + 1)
                for i, block in enumerate(partition):
                    for v in block:
                        part_of[v] = i
                if sum(1 for v in range(d + 1) if part_of[v] == part_of[d]) >= 2:
                    classes.add((parent, tuple(part_of)))
        else:
            for partition in set_partitions(range(d)):
                part_of = [len(partition)] * (d + 1)
                for i, block in enumerate(partition):
                    for v in block:
                        part_of[v] = i
                classes.add((parent, tuple(part_of)))
    return classes.representatives


# -- text --------------------------------------------------------------------------


def structure_text(structure: Structure, rng: random.Random, letters: str = LETTERS, spaces: bool = False) -> str:
    """Bracket text of a labelled structure with random edge letters and random order.

    Each edge gets a distinct letter (a random injective map into ``letters``),
    the letters of each node are shuffled, the parts and the nodes within each
    part are shuffled, except that the root's part is the last bracket and the
    root is the last node in it.  With ``spaces`` random whitespace is put
    between tokens.
    """
    parent, part_of = structure
    n = len(parent)
    root = root_of(parent)
    edge_nodes = [v for v in range(n) if parent[v] is not None]
    names = rng.sample(letters, len(edge_nodes))
    node_letters: list[list[str]] = [[] for _ in range(n)]
    for v, name in zip(edge_nodes, names):
        node_letters[v].append(name)
        node_letters[parent[v]].append(name)
    for ls in node_letters:
        rng.shuffle(ls)
    parts = blocks(part_of)
    root_part = next(b for b in parts if root in b)
    others = [b[:] for b in parts if b is not root_part]
    rng.shuffle(others)
    for b in others:
        rng.shuffle(b)
    last = [v for v in root_part if v != root]
    rng.shuffle(last)
    last.append(root)

    def gap() -> str:
        return rng.choice(["", "", " ", "  ", "\t", "\n"]) if spaces else ""

    def node(v: int) -> str:
        return "".join(node_letters[v])  # no whitespace inside a node: it is one token

    out = []
    for b in others + [last]:
        out.append(gap() + "[" + gap() + (gap() + ":" + gap()).join(node(v) for v in b) + gap() + "]" + gap())
    return "".join(out)


# -- hypothesis strategies -------------------------------------------------------------


@st.composite
def structures(draw, min_nodes: int = 1, max_nodes: int = 9, root_tied: bool | None = None) -> Structure:
    """A random labelled structure: a uniform random labelled tree (Prüfer), a random
    root, a random set partition; ordinary, root-tied, or either (``None``)."""
    if root_tied is None:
        root_tied = draw(st.booleans())
    lo = max(min_nodes, 2) if root_tied else min_nodes
    n = draw(st.integers(lo, max(lo, max_nodes)))
    sequence = draw(st.lists(st.integers(0, n - 1), min_size=max(n - 2, 0), max_size=max(n - 2, 0)))
    root = draw(st.integers(0, n - 1))
    parent = orient(n, prufer_tree(sequence, n), root)
    part_of = draw(st.lists(st.integers(0, n - 1), min_size=n, max_size=n))
    part_of = list(part_of)
    if root_tied:
        mate = draw(st.sampled_from([v for v in range(n) if v != root]))
        part_of[root] = part_of[mate]
    else:
        part_of[root] = "root"
    return parent, tuple(part_of)


@st.composite
def mutated(draw, structure: Structure) -> Structure:
    """A small change of a structure (it may or may not stay isomorphic):
    move a node to another part, or hang a node (with its subtree) elsewhere."""
    parent, part_of = list(structure[0]), list(structure[1])
    n = len(parent)
    root = root_of(parent)
    if n == 1:
        return structure
    kind = draw(st.sampled_from(["part", "parent", "both"]))
    if kind in ("part", "both"):
        v = draw(st.sampled_from([u for u in range(n) if u != root]))
        names = sorted(set(map(str, part_of)) - {str(part_of[root])}) + ["fresh"]
        part_of = [str(x) for x in part_of]
        part_of[v] = draw(st.sampled_from(names))
    if kind in ("parent", "both"):
        v = draw(st.sampled_from([u for u in range(n) if u != root]))
        below = {v}
        changed = True
        while changed:
            changed = False
            for u in range(n):
                if parent[u] in below and u not in below:
                    below.add(u)
                    changed = True
        parent[v] = draw(st.sampled_from([u for u in range(n) if u not in below]))
    return tuple(parent), tuple(part_of)

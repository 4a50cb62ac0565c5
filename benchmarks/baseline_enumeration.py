"""The enumerator as it was before the numpy batch (kept frozen, serial, as the benchmark's baseline).

A verbatim copy of the earlier ``diagrams/core/enumeration.py`` (per shape: RGS
table, swap prefilter as integer bit sets, one individualization-refinement
certificate per surviving partition) and of the search of
``diagrams/core/canonical.py`` it used, so ``benchmarks/enumeration.py`` can time
today's enumerator against it in the same run, on any checkout.  Only the
public entry point :func:`baseline_diagrams` is new; it yields the same
diagrams, in the same order, as :func:`diagrams.enumerate_diagrams`.
"""

from __future__ import annotations

import gc
from collections.abc import Hashable, Iterator, Sequence
from functools import cache, lru_cache
from itertools import compress

from diagrams import Diagram

TABLE_NODES = 10

# (parts, big, mask): the parts' node lists, the indices of the non-singleton parts, their nodes as bits
Record = tuple
Raw = tuple[tuple[int, ...], tuple[int, ...], int]  # canonical (parent, part_of, |Aut|)


def baseline_diagrams(order: int, *, linkless: bool = False, root_tied: bool = False) -> Iterator[Diagram]:
    """Every diagram of ``order`` edges, as the previous enumerator made them (serially)."""
    n = order + 1
    make = Diagram.from_canonical
    for tree in _rooted_trees(n):
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            raws = list(_shape_diagrams(tree, linkless, root_tied))
        finally:
            if paused:
                gc.enable()
        for raw in raws:
            yield make(*raw)


# -- the previous enumerator (diagrams/core/enumeration.py) ---------------------------------


def _shape_diagrams(tree: tuple, linkless: bool, root_tied: bool) -> Iterator[Raw]:
    """Canonical data of the diagrams on one tree shape, by smallest RGS of each orbit."""
    parent, swaps = _layout(tree)
    n = len(parent)
    search = TreeSearch(parent)
    links = 0
    if linkless:
        degree = [1] * (n - 1) + [0]
        for p in parent[:-1]:
            degree[p] += 1
        links = sum(1 << v for v in range(n - 1) if degree[v] == 2)
    seen: set = set()
    for parts, big, mask in _candidates(n, root_tied, swaps, links):
        cert, orbits = search.certificate(parts, big, mask)
        if cert in seen:
            continue
        seen.add(cert)
        new_parent, part_of, kernel = emit(cert)
        yield new_parent, part_of, kernel * orbits


def _candidates(n: int, root_tied: bool, swaps: tuple, links: int) -> Iterator[Record]:
    """Partition records in RGS order, without those a swap makes smaller or that leave a link."""
    if n > TABLE_NODES:
        yield from _streamed_candidates(n, root_tied, swaps, links)
        return
    table = _table(n, root_tied)
    skip = 0
    for start, size in swaps:
        skip |= _swap_rejects(n, root_tied, start, size)
    v = 0
    while links >> v:
        if (links >> v) & 1:
            skip |= _singleton_rows(n, root_tied, v)
        v += 1
    if not skip:
        yield from table
        return
    skipped = bin(skip)[:1:-1].ljust(len(table), "0")  # skipped[i] is bit i of skip
    yield from compress(table, map("0".__eq__, skipped))


def _streamed_candidates(n: int, root_tied: bool, swaps: tuple, links: int) -> Iterator[Record]:
    for rgs in _set_partitions(n, root_tied):
        record = _record(rgs)
        if links and links & ~record[2]:
            continue
        if any(_swap_is_smaller(rgs, start, size) for start, size in swaps):
            continue
        yield record


# -- the shared RGS table and the prefilter -------------------------------------------------


@lru_cache(maxsize=4)
def _table(n: int, root_tied: bool) -> tuple[Record, ...]:
    return tuple(map(_record, _set_partitions(n, root_tied)))


@lru_cache(maxsize=4)
def _table_rgs(n: int, root_tied: bool) -> tuple[tuple[int, ...], ...]:
    return tuple(_set_partitions(n, root_tied))


def _record(rgs: tuple[int, ...]) -> Record:
    parts: list[list[int]] = [[] for _ in range(max(rgs) + 1)]
    for v, block in enumerate(rgs):
        parts[block].append(v)
    big = [i for i, members in enumerate(parts) if len(members) > 1]
    mask = 0
    for i in big:
        for v in parts[i]:
            mask |= 1 << v
    return parts, big, mask


@lru_cache(maxsize=256)
def _swap_rejects(n: int, root_tied: bool, start: int, size: int) -> int:
    """Bit i set when the swap of nodes start… and start+size… makes RGS row i smaller."""
    bits = 0
    for i, rgs in enumerate(_table_rgs(n, root_tied)):
        if _swap_is_smaller(rgs, start, size):
            bits |= 1 << i
    return bits


@lru_cache(maxsize=256)
def _singleton_rows(n: int, root_tied: bool, v: int) -> int:
    """Bit i set when node v is alone in its part in RGS row i."""
    bits = 0
    for i, (_, _, mask) in enumerate(_table(n, root_tied)):
        if not (mask >> v) & 1:
            bits |= 1 << i
    return bits


def _swap_is_smaller(rgs: tuple[int, ...], start: int, size: int) -> bool:
    """Whether exchanging nodes start+i and start+size+i (i < size) gives a smaller RGS.

    The nodes before ``start`` keep their blocks and numbers; the others are
    renumbered by first appearance, and the first difference decides.
    """
    seen = max(rgs[:start], default=-1) + 1  # blocks numbered before start keep their numbers
    number: dict[int, int] = {}
    middle, end = start + size, start + 2 * size
    for u in range(start, len(rgs)):
        block = rgs[u + size] if u < middle else rgs[u - size] if u < end else rgs[u]
        if block >= seen:
            if block not in number:
                number[block] = seen + len(number)
            block = number[block]
        if block != rgs[u]:
            return block < rgs[u]
    return False


# -- tree shapes and set partitions ---------------------------------------------------------


@cache
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


def _layout(tree: tuple) -> tuple[tuple[int | None, ...], tuple[tuple[int, int], ...]]:
    """Parent pointers in postorder (root last, ``None``) and the generators of Aut(tree).

    A generator is ``(start, size)``: two adjacent identical sibling subtrees of
    ``size`` nodes occupying ``start…start+size−1`` and the next ``size`` nodes.
    """
    parent: list[int | None] = []
    swaps: list[tuple[int, int]] = []

    def place(subtree: tuple) -> int:
        kids = []
        for child in subtree:
            start = len(parent)
            kids.append((place(child), start, child))
        me = len(parent)
        parent.append(None)
        for kid, _, _ in kids:
            parent[kid] = me
        for (_, start, child), (_, next_start, next_child) in zip(kids, kids[1:]):
            if child == next_child:
                swaps.append((start, next_start - start))
        return me

    place(tree)
    return tuple(parent), tuple(swaps)


def _set_partitions(n: int, root_tied: bool) -> Iterator[tuple[int, ...]]:
    """Restricted growth strings of length n, in lexicographic order; the last node (root)
    alone unless root_tied.

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


# -- the search it used (diagrams/core/canonical.py) ----------------------------------------


Code = tuple  # (size, label, children codes in descending order)
Result = tuple[tuple[int, ...], tuple[int, ...], int]

_FIRST_CACHE = 1 << 12  # first-refinement entries kept per tree (2^nodes at most are possible)


class TreeSearch:
    """The tree-only half of :func:`canonical_form`, reusable across partitions.

    >>> search = TreeSearch((2, 2, None))
    >>> search.canonical_form((0, 0, 1)), search.canonical_form((0, 1, 2))
    (((2, 2), (0, 0, 1), 2), ((2, 2), (0, 1, 2), 2))
    """

    __slots__ = ("n", "root", "parent", "children", "postorder", "preorder", "internal", "_first")

    def __init__(self, parent: Sequence[int | None]):
        n = len(parent)
        children: list[list[int]] = [[] for _ in range(n)]
        root = -1
        for v, p in enumerate(parent):
            if p is None:
                root = v
            else:
                children[p].append(v)
        postorder, stack = [], [(root, False)]
        while stack:
            v, done = stack.pop()
            if done:
                postorder.append(v)
            else:
                stack.append((v, True))
                stack.extend((c, False) for c in children[v])
        size = [1] * n
        for v in postorder:
            for c in children[v]:
                size[v] += size[c]
        self.n, self.root, self.parent = n, root, tuple(parent)
        self.children = tuple(map(tuple, children))
        self.postorder = tuple(postorder)
        self.preorder = tuple(reversed(postorder))  # parents before children
        # (node, subtree size, children) of the inner nodes, children before parents
        self.internal = tuple((v, size[v], self.children[v]) for v in postorder if children[v])
        self._first: dict[int, tuple[list[Code], list[tuple[int, ...]]]] = {}

    # -- codes ---------------------------------------------------------------

    def codes(self, labels: Sequence[int]) -> list[Code]:
        """AHU code ``(size, label, children's codes, descending)`` of every node."""
        code: list[Code] = [(1, label, ()) for label in labels]
        for v, size, kids in self.internal:
            if len(kids) == 1:
                code[v] = (size, labels[v], (code[kids[0]],))
            else:
                code[v] = (size, labels[v], tuple(sorted([code[c] for c in kids], reverse=True)))
        return code

    def paths(self, code: list[Code]) -> list[tuple[int, ...]]:
        """Each node's root path of subtree-code ranks (an isomorphism-invariant place)."""
        rank = {c: i for i, c in enumerate(sorted(set(code)))}
        parent = self.parent
        path: list[tuple[int, ...]] = [()] * self.n
        for v in self.preorder:
            p = parent[v]
            path[v] = (rank[code[v]],) if p is None else path[p] + (rank[code[v]],)
        return path

    def first_refinement(self, mask: int) -> tuple[list[Code], list[tuple[int, ...]]]:
        """Codes and paths when the nodes of ``mask`` (a bit set) carry label 1, the rest 0.

        This is the first step of every search (all non-singleton parts in one
        cell), so it is cached per tree: it depends on the set of tied nodes only.
        """
        found = self._first.get(mask)
        if found is None:
            if len(self._first) >= _FIRST_CACHE:
                self._first.clear()
            code = self.codes([(mask >> v) & 1 for v in range(self.n)])
            found = self._first[mask] = (code, self.paths(code))
        return found

    # -- canonical form ----------------------------------------------------------

    def canonical_form(self, part_of: Sequence[Hashable]) -> Result:
        """:func:`canonical_form` for this tree and ``part_of``."""
        members: dict[Hashable, list[int]] = {}
        for v, name in enumerate(part_of):
            members.setdefault(name, []).append(v)
        parts = list(members.values())
        big = [i for i, m in enumerate(parts) if len(m) > 1]
        mask = 0
        for i in big:
            for v in parts[i]:
                mask |= 1 << v
        cert, orbits = self.certificate(parts, big, mask)
        parent, part_numbers, kernel = emit(cert)
        return parent, part_numbers, kernel * orbits

    def certificate(self, parts: Sequence[Sequence[int]], big: Sequence[int], mask: int) -> tuple[Code, int]:
        """(smallest root code over the search, order of the group induced on the parts).

        ``parts`` lists the node lists of every part, ``big`` the indices of the
        parts with two or more nodes, ``mask`` the bit set of their nodes.  The
        certificate is a complete invariant: equal certificates, equal diagrams.
        """
        if len(big) <= 1:  # labels are forced: 1 on the tied part, 0 elsewhere
            return self.first_refinement(mask)[0][self.root], 1
        search = _Search(self, parts, big, mask)
        search.explore([list(big)], (), True)
        return search.best_cert, search.orbit_product


def emit(cert: Code) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """Canonical (parent, part_of) and kernel Π m! of a certificate (a labelled root code).

    Nodes are numbered in postorder with children in descending code order (the
    order they have in the code); label 0 marks singleton parts, equal positive
    labels one part; parts are numbered by their first node, the root's last.
    The kernel counts the label-preserving tree automorphisms.

    >>> emit((3, 0, ((1, 1, ()), (1, 1, ()))))
    ((2, 2), (0, 0, 1), 2)
    """
    labels, ups, kernel = _subtree(cert)  # the whole diagram is not worth caching
    parent = tuple([v + up for v, up in enumerate(ups[:-1])])
    root_label = cert[1]
    number: dict[int, int] = {}
    part_of: list[int] = []
    count = 0
    for label in labels[:-1]:
        if label == 0:  # a singleton (the root's label is 0 only when it is alone)
            part_of.append(count)
            count += 1
        elif label == root_label:
            part_of.append(-1)
        else:
            if label not in number:
                number[label] = count
                count += 1
            part_of.append(number[label])
    part_of = [count if p < 0 else p for p in part_of]
    part_of.append(count)
    return parent, tuple(part_of), kernel


def _subtree(code: Code) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """(labels in postorder, distance from each node up to its parent, kernel) of a subtree.

    Distances do not change when the subtree is placed at another offset, so
    the pieces of a subtree are cached and reused across diagrams.  The root's
    distance is 0 until its parent places it.
    """
    size, label, kids = code
    if not kids:
        return (label,), (0,), 1
    labels: list[int] = []
    ups: list[int] = []
    kernel, run, previous = 1, 1, None
    for kid in kids:
        kid_labels, kid_ups, kid_kernel = _cached_subtree(kid)
        labels += kid_labels
        ups += kid_ups
        ups[-1] = size - len(labels)  # the kid's root sits at len(labels) − 1, the parent at size − 1
        kernel *= kid_kernel
        if kid == previous:
            run += 1
            kernel *= run
        else:
            run, previous = 1, kid
    labels.append(label)
    ups.append(0)
    return tuple(labels), tuple(ups), kernel


_cached_subtree = lru_cache(maxsize=1 << 15)(_subtree)


class _Search:
    """One run of individualization–refinement on the non-singleton parts."""

    __slots__ = (
        "tree",
        "parts",
        "mask",
        "size",
        "first_cert",
        "first_labels",
        "best_cert",
        "generators",
        "orbit_product",
    )

    def __init__(self, tree: TreeSearch, parts: Sequence[Sequence[int]], big: Sequence[int], mask: int):
        self.tree = tree
        self.parts = parts
        self.mask = mask  # the nodes of the non-singleton parts
        self.size = len(big)  # their number
        self.first_cert: Code | None = None
        self.first_labels: dict[int, int] = {}
        self.best_cert: Code = ()
        self.generators: list[dict[int, int]] = []
        self.orbit_product = 1

    def labels(self, cells: list[list[int]]) -> list[int]:
        labels = [0] * self.tree.n
        parts = self.parts
        for index, cell in enumerate(cells, start=1):
            for part in cell:
                for v in parts[part]:
                    labels[v] = index
        return labels

    def split(self, cells: list[list[int]], path: list[tuple[int, ...]]) -> list[list[int]] | None:
        """Cells split into groups of equal part signature (sorted node paths), in increasing
        signature order; None when no cell splits."""
        parts = self.parts
        new_cells: list[list[int]] = []
        split = False
        for cell in cells:
            if len(cell) == 1:
                new_cells.append(cell)
                continue
            groups: dict[tuple, list[int]] = {}
            for part in cell:
                signature = tuple(sorted([path[v] for v in parts[part]]))
                groups.setdefault(signature, []).append(part)
            if len(groups) == 1:
                new_cells.append(cell)
            else:
                split = True
                new_cells.extend(groups[s] for s in sorted(groups))
        return new_cells if split else None

    def refine(self, cells: list[list[int]], first: bool = False) -> tuple[list[list[int]], list[Code]]:
        """Split cells by an invariant signature of their parts until stable.

        A node's signature is the path of subtree-code ranks from the root down
        to it; a part's signature is the sorted list of its nodes' signatures.
        Returns the stable cells and the codes labelled by them.  ``first``: the
        cells are the single cell of all non-singleton parts (cached codes).
        """
        tree = self.tree
        if first:
            code, path = tree.first_refinement(self.mask)
        else:
            code = tree.codes(self.labels(cells))
            path = tree.paths(code)
        while True:
            new_cells = self.split(cells, path)
            if new_cells is None:
                return cells, code
            cells = new_cells
            code = tree.codes(self.labels(cells))
            if len(cells) == self.size:  # discrete: nothing left to split
                return cells, code
            path = tree.paths(code)

    def explore(self, cells: list[list[int]], prefix: tuple[int, ...], first_path: bool) -> bool:
        """Search below ``prefix``; True when a leaf equivalent to the first leaf was found.

        Off the first path the search stops at such a leaf (the subtree is then
        isomorphic to the first one).  On the first path every part of the
        target cell is tried, so the orbit of the first choice is known exactly.
        """
        cells, code = self.refine(cells, first=not prefix)
        target = next((cell for cell in cells if len(cell) > 1), None)
        if target is None:
            return self.leaf(cells, code)
        explored: list[int] = []
        for part in target:
            if explored and self.in_orbit(part, explored, prefix):
                continue
            found = self.explore(_individualize(cells, part), prefix + (part,), first_path and not explored)
            if found and not first_path:
                return True
            explored.append(part)
        if first_path:
            self.orbit_product *= len(self.orbit(target[0], prefix))
        return False

    def leaf(self, cells: list[list[int]], code: list[Code]) -> bool:
        cert = code[self.tree.root]
        if self.first_cert is None:
            self.first_cert = self.best_cert = cert
            self.first_labels = {cell[0]: index for index, cell in enumerate(cells, start=1)}
            return True
        if cert == self.first_cert:
            inverse = {index: cell[0] for index, cell in enumerate(cells, start=1)}
            self.generators.append({p: inverse[label] for p, label in self.first_labels.items()})
            return True
        if cert < self.best_cert:
            self.best_cert = cert
        return False

    def orbit(self, part: int, prefix: tuple[int, ...]) -> set[int]:
        """Orbit of ``part`` under the known automorphisms that fix ``prefix`` pointwise."""
        gens = [g for g in self.generators if all(g[p] == p for p in prefix)]
        orbit, frontier = {part}, [part]
        while frontier:
            p = frontier.pop()
            for g in gens:
                q = g[p]
                if q not in orbit:
                    orbit.add(q)
                    frontier.append(q)
        return orbit

    def in_orbit(self, part: int, explored: list[int], prefix: tuple[int, ...]) -> bool:
        if not self.generators:
            return False
        return any(part in self.orbit(e, prefix) for e in explored)


def _individualize(cells: list[list[int]], part: int) -> list[list[int]]:
    out = []
    for cell in cells:
        if part in cell:
            out.append([part])
            rest = [p for p in cell if p != part]
            if rest:
                out.append(rest)
        else:
            out.append(cell)
    return out

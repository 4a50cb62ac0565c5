"""Canonical labelling and automorphism count of a rooted tree with parts.

A diagram is a rooted tree plus a partition of its nodes.  Two diagrams are
equal when some bijection of nodes maps root to root, edges to edges and parts
to parts.  Plain rooted trees have a canonical code by the Aho–Hopcroft–Ullman
algorithm (sort each node's children by their codes); parts couple distant
subtrees, so we label them first:

* singleton parts need no name (label 0): every tree automorphism maps them to
  singletons;
* the k parts with two or more nodes get distinct labels 1..k, found by
  individualization–refinement over those parts (as in McKay's nauty): refine
  an ordered partition of the parts by isomorphism-invariant signatures,
  individualize a part of the first non-singleton cell, and take the smallest
  labelled-tree code over all branches, pruning branches that known
  automorphisms map onto explored ones.

The code of a node is ``(size, label, children's codes in descending order)``;
the canonical labelling is the leaf of the search whose root code (its
*certificate*) is smallest, and the canonical numbering is the postorder of the
tree with every node's children in descending code order.

|Aut| is the product of (i) the number of label-preserving tree automorphisms
at a leaf of the search (Π m! over runs of equal sibling codes) and (ii) the
order of the group the automorphisms induce on the parts, which is the product
of the orbit sizes met along the first path of the search (orbit–stabilizer).

Everything that depends on the tree alone (children, postorder, subtree sizes)
is computed once per tree by :class:`TreeSearch` and reused for every
partition, which is how :mod:`diagrams.enumerate` canonicalizes thousands of
partitions of one tree shape; the first refinement step, which depends only
on which nodes are tied, is cached per tree.  With zero or one non-singleton
part the labels are forced and there is no search.  The certificate is a
complete invariant, and the canonical numbering is read straight off it
(:func:`emit`), piecing together cached subtrees.

:class:`TreeBatch` runs the same refinement for many partitions of one tree
at once on numpy arrays (per-row ranks of codes, paths and signatures packed
into integers); a partition that refinement alone makes discrete, all but
about 1 % of those enumeration meets, is finished there with the very same
canonical form and |Aut|, the rest are left to :class:`TreeSearch`.

tests/reference_canonical.py keeps the first, plain implementation of this
algorithm; the tests check that both agree on every input.

Reference: B. D. McKay and A. Piperno, *Practical graph isomorphism II*,
J. Symbolic Comput. 60 (2014) 94–112, §2–3.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from functools import lru_cache

import numpy as np

__all__ = ["canonical_form", "TreeSearch", "TreeBatch", "BATCH_NODES"]

Code = tuple  # (size, label, children codes in descending order)
Result = tuple[tuple[int, ...], tuple[int, ...], int]

_FIRST_CACHE = 1 << 12  # first-refinement entries kept per tree (2^nodes at most are possible)


def canonical_form(parent: Sequence[int | None], part_of: Sequence[Hashable]) -> Result:
    """Canonical (parent, part_of) of a rooted tree with parts, and |Aut|.

    ``parent[v]`` is v's parent, ``None`` for the root; ``part_of[v]`` is any
    hashable naming v's part.  Returned nodes are numbered in postorder of the
    canonically sorted tree, so the root is the last node and every parent has a
    larger number than its children; parts are numbered by their first node,
    the root's part last.  The input must already be a valid rooted tree.

    >>> canonical_form([2, 2, None], ["x", "x", "r"])   # two tied leaves
    ((2, 2), (0, 0, 1), 2)
    >>> canonical_form([None, 0, 1], [0, 1, 1])          # chain, leaf tied to middle
    ((1, 2), (0, 0, 1), 1)
    """
    return _tree_search(tuple(parent)).canonical_form(part_of)


@lru_cache(maxsize=1024)
def _tree_search(parent: tuple[int | None, ...]) -> TreeSearch:
    return TreeSearch(parent)


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


# -- many partitions of one tree at once ------------------------------------------------------

#: Largest tree :class:`TreeBatch` handles: its packed keys take ``(nodes + 1) × bits`` ≤ 63 bits.
BATCH_NODES = 14
#: Rows :class:`TreeBatch` works on at once (cache-sized arrays).
BLOCK_ROWS = 2048


class TreeBatch:
    """:meth:`TreeSearch.canonical_form` for many partitions of one tree at once, with numpy.

    The tree's nodes must be numbered children first (``parent[v] > v``, the
    root last), as :mod:`diagrams.core.enumeration` lays its shapes out; the
    partitions are the rows of an integer matrix (``rgs[i, v]``: the part of
    node ``v``, parts numbered ``0 … n−1``).  Each step of the search's
    refinement is done for all rows together, on per-row ranks instead of the
    codes themselves: a code, a path or a signature is replaced by its rank
    among the distinct ones of its row, which is all that the refinement and
    the output compare.  Ranks are below the number of nodes, so a code
    (label, children's ranks), a path (ranks from the root down) or a
    signature (its nodes' path ranks, sorted) packs into one 64-bit integer,
    ``bits`` bits an entry, and compares as the tuple does.  The first
    refinement step depends only on which nodes are tied, so it is done once
    per distinct set of tied nodes.

    Rows whose refinement ends discrete (every non-singleton part told apart:
    all but about 1 % of the partitions enumeration meets) are finished here,
    |Aut| being the kernel Π m! since no search means no automorphism moves a
    part; the others are marked undone, for :class:`TreeSearch`.

    >>> batch = TreeBatch((2, 2, None))
    >>> done, parents, parts, auts = batch.canonical_forms(np.array([[0, 0, 1], [0, 1, 2]]))
    >>> done.tolist(), parents.tolist(), parts.tolist(), auts.tolist()
    ([True, True], [[2, 2], [2, 2]], [[0, 0, 1], [0, 1, 2]], [2, 2])
    """

    def __init__(self, parent: Sequence[int | None]):
        n = len(parent)
        if n > BATCH_NODES or parent[-1] is not None or any(p is None or p <= v for v, p in enumerate(parent[:-1])):
            raise ValueError(f"TreeBatch needs at most {BATCH_NODES} nodes numbered children first, got {parent!r}")
        up = [p for p in parent[:-1] if p is not None]  # the non-root nodes' parents: all ints, as just checked
        children: list[list[int]] = [[] for _ in range(n)]
        for v, p in enumerate(up):
            children[p].append(v)
        size, depth = [1] * n, [0] * n
        for v in range(n - 1):
            size[up[v]] += size[v]
        for v in range(n - 2, -1, -1):
            depth[v] = depth[up[v]] + 1
        self.n = n
        self.bits = n.bit_length()  # ranks + 1 ≤ n fit
        self.parent = np.array(parent[:-1], dtype=np.int64)
        self.leaves = np.array([v for v in range(n) if not children[v]], dtype=np.int64)
        # internal nodes by subtree size: (nodes, children padded with the dummy column n, width)
        self.classes = []
        for s in sorted({size[v] for v in range(n) if children[v]}):
            nodes = [v for v in range(n) if children[v] and size[v] == s]
            width = max(len(children[v]) for v in nodes)
            kids = [children[v] + [n] * (width - len(children[v])) for v in nodes]
            self.classes.append((np.array(nodes), np.array(kids), width))
        # nodes by depth (the root's children first) with the shift of their entry in a packed path
        self.levels = []
        for d in range(1, max(depth) + 1):
            nodes = [v for v in range(n) if depth[v] == d]
            self.levels.append((np.array(nodes), self.parent[nodes], self.bits * (n - 1 - d)))
        # ordered pairs of distinct siblings (node, sibling), for the output numbering and kernel
        pairs = [(c, t) for kids in children for c in kids for t in kids if t != c]
        self.node = np.array([c for c, _ in pairs], dtype=np.int64)
        self.sibling = np.array([t for _, t in pairs], dtype=np.int64)
        self.sibling_first = self.sibling < self.node  # equal siblings go by number
        # start of a node's subtree = Σ sizes of the siblings before it and before its ancestors
        into = np.zeros((len(pairs), n))  # floats: exact small integers, and BLAS matrix products
        for i, (c, _) in enumerate(pairs):
            into[i, c] = 1
        ancestors = np.zeros((n, n))
        for v in range(n - 1):
            a = v
            while a != n - 1:
                ancestors[a, v] = 1
                a = up[a]
        self.into = into
        self.shift = (into * np.array([size[t] for _, t in pairs])[:, None]) @ ancestors
        self.last = np.array(size, dtype=np.int64) - 1  # a node's place in its subtree (postorder)

    def canonical_forms(self, rgs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(done, parent, part_of, |Aut|) per row, the last three meaningful where ``done``.

        Rows go through in blocks of ``BLOCK_ROWS``: arrays that fit the
        processor's caches make the whole several times faster than one pass.
        """
        rgs = np.ascontiguousarray(rgs, dtype=np.int64)
        if len(rgs) <= BLOCK_ROWS:
            return self._canonical_block(rgs)
        blocks = [self._canonical_block(rgs[i : i + BLOCK_ROWS]) for i in range(0, len(rgs), BLOCK_ROWS)]
        done, parents, parts, auts = (np.concatenate(pieces) for pieces in zip(*blocks))
        return done, parents, parts, auts

    def _canonical_block(self, rgs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        rows, n = rgs.shape
        flat = np.arange(0, rows * n, n)[:, None]  # each row's offset in a raveled matrix
        counts = np.bincount((rgs + flat).ravel(), minlength=rows * n).reshape(rows, n)
        tied = counts.ravel()[rgs + flat] > 1
        parts = (counts > 1).sum(1)  # non-singleton parts
        # where each part's nodes start when a row is sorted by part (the nodes of smaller parts first)
        starts = (counts @ _running_sum(n, strict=True)).astype(np.int64)
        # the first step, once per distinct set of tied nodes
        masks, inverse = np.unique(tied @ (1 << np.arange(n)), return_inverse=True)
        first_ranks = self.codes((masks[:, None] >> np.arange(n)) & 1)
        ranks = first_ranks[inverse]
        done = parts <= 1
        active = np.flatnonzero(~done)
        paths = self.paths(first_ranks)[inverse[active]]
        labels = tied[active].astype(np.int64)
        cells = np.ones(len(active), dtype=np.int64)
        while len(active):
            labels = self.split(labels, paths, rgs[active], starts[active], counts[active])
            count = labels.max(1)
            split = count > cells  # the others are stuck: TreeSearch individualizes
            active, labels, cells = active[split], labels[split], count[split]
            ranks[active] = self.codes(labels)
            finished = cells == parts[active]
            done[active[finished]] = True
            active, labels, cells = active[~finished], labels[~finished], cells[~finished]
            if len(active):
                paths = self.paths(ranks[active])
        return (done,) + self.emit(ranks, rgs)

    def codes(self, labels: np.ndarray) -> np.ndarray:
        """Per-row rank of every node's AHU code (size, label, children's codes descending).

        Codes of a smaller subtree are smaller, so sizes are ranked in turn,
        each above the distinct codes of the sizes before; the dummy column
        ``n`` (rank −1) pads the children.
        """
        rows, n = labels.shape
        bits = self.bits
        ranks = np.full((rows, n + 1), -1, dtype=np.int64)
        leaf_ranks, below = _small_ranks(labels[:, self.leaves])
        ranks[:, self.leaves] = leaf_ranks
        for nodes, kids, width in self.classes:
            key = labels[:, nodes]
            if width == 1:
                key = (key << bits) | (ranks[:, kids[:, 0]] + 1)
            else:
                entries = np.sort(ranks[:, kids] + 1, axis=2, kind="stable")  # (rows, nodes, width), ascending
                for j in range(width - 1, -1, -1):  # the largest child first
                    key = (key << bits) | entries[:, :, j]
            class_ranks, distinct = _row_ranks(key)
            ranks[:, nodes] = class_ranks + below[:, None]
            below = below + distinct
        return ranks[:, :n]

    def paths(self, ranks: np.ndarray) -> np.ndarray:
        """Per-row rank of every node's root path of code ranks (tuples compared as such)."""
        n, bits = self.n, self.bits
        key = np.empty_like(ranks)
        key[:, n - 1] = (ranks[:, n - 1] + 1) << (bits * (n - 1))
        for nodes, parents, shift in self.levels:
            key[:, nodes] = key[:, parents] | ((ranks[:, nodes] + 1) << shift)
        return _row_ranks(key)[0]

    def split(
        self, labels: np.ndarray, paths: np.ndarray, rgs: np.ndarray, starts: np.ndarray, counts: np.ndarray
    ) -> np.ndarray:
        """Each tied node's cell after splitting the cells by part signature, numbered from 1.

        ``labels`` holds each tied node's cell (0 for singletons).  A part's
        signature is the sorted tuple of its nodes' paths; a cell's parts with
        equal signatures stay together, the groups ordered by signature, and
        the cells keep their order.  Sorting a row by (part, path) lines each
        part's paths up (part p from ``starts[p]`` on, ``counts[p]`` of them),
        and their packed tuple is a difference of running sums.
        """
        rows, n = labels.shape
        bits = self.bits
        flat = np.arange(0, rows * n, n)[:, None]
        order = np.argsort((rgs << bits) | paths, axis=1, kind="stable") + flat
        part = rgs.ravel()[order] + flat
        start = starts.ravel()[part]
        end = start + counts.ravel()[part] - 1 + flat
        start += flat
        entry = (paths.ravel()[order] + 1) << (bits * (n - 1) - bits * (np.arange(n) - start + flat))
        total = np.cumsum(entry, axis=1).ravel()  # may wrap past 2**63 harmlessly: only differences count
        signature = total[end] - total[start] + entry.ravel()[start]
        key = np.zeros((rows, n + 1), dtype=np.int64)  # column n: a singleton, so cells start at 1
        cell = labels.ravel()[order]
        key[:, :n] = np.where(cell > 0, (cell << (bits * n)) | signature, 0)
        cells = np.empty(rows * n, dtype=np.int64)
        cells[order] = _row_ranks(key)[0][:, :n]
        return cells.reshape(rows, n)

    def emit(self, ranks: np.ndarray, rgs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Canonical (parent, part_of) and kernel Π m! from the final code ranks (as :func:`emit`).

        Children go in descending code order: a node's subtree starts after
        its larger siblings' subtrees (equal ones by number), and after those
        of each ancestor.  Parts are numbered by their first node, the root's
        last; the kernel is Π over nodes of (1 + its equal siblings numbered before it).
        """
        rows, n = ranks.shape
        mine, theirs = ranks[:, self.node], ranks[:, self.sibling]
        equal = theirs == mine
        before = (theirs > mine) | (equal & self.sibling_first)
        position = (before @ self.shift).astype(np.int64) + self.last
        kernel = ((equal & self.sibling_first) @ self.into + 1).astype(np.int64).prod(1)
        flat = np.arange(0, rows * n, n)[:, None]
        parents = np.empty(rows * n, dtype=np.int64)  # the root's entry (last) is dropped
        parents[position + flat] = np.concatenate([position[:, self.parent], np.zeros((rows, 1), np.int64)], 1)
        node_at = np.empty(rows * n, dtype=np.int64)
        node_at[position + flat] = np.arange(n)
        part = rgs.ravel()[node_at.reshape(rows, n) + flat]  # the parts in canonical order
        bit = np.left_shift(1, part)
        seen = np.zeros((rows, n), dtype=np.int64)
        np.bitwise_or.accumulate(bit[:, :-1], axis=1, out=seen[:, 1:])
        new = (seen & bit) == 0
        new &= part != part[:, -1:]  # the root's part is numbered last
        numbered = (new @ _running_sum(n)).astype(np.int64) - 1
        numbers = np.empty(rows * n, dtype=np.int64)
        slot = part + flat
        numbers[slot[new]] = numbered[new]
        numbers[slot[:, -1]] = numbered[:, -1] + 1  # the root's part
        return parents.reshape(rows, n)[:, :-1], numbers[slot], kernel


def _row_ranks(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense rank of each entry among the distinct entries of its row, and their number per row."""
    rows, width = keys.shape
    if width == 1:
        return np.zeros_like(keys), np.ones(rows, dtype=np.int64)
    order = np.argsort(keys, axis=1, kind="stable")
    order += np.arange(0, rows * width, width)[:, None]
    ordered = keys.ravel()[order]
    dense = np.zeros((rows, width), dtype=np.int64)
    dense[:, 1:] = (ordered[:, 1:] != ordered[:, :-1]) @ _running_sum(width - 1)
    ranks = np.empty(rows * width, dtype=np.int64)
    ranks[order] = dense
    return ranks.reshape(rows, width), dense[:, -1] + 1


def _small_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_row_ranks` of numbers below 16 (labels), by bit masks instead of sorting: a
    value's rank is the number of distinct smaller values present in its row."""
    present = np.bitwise_or.reduce(np.left_shift(1, values), axis=1)
    return _ONES[present[:, None] & (np.left_shift(1, values) - 1)], _ONES[present]


_ONES = np.array([bin(mask).count("1") for mask in range(1 << 16)], dtype=np.int64)  # bits set in each mask


@lru_cache(maxsize=64)
def _running_sum(width: int, strict: bool = False) -> np.ndarray:
    """x @ _running_sum(w) is the running sum of each row of x (before the entry when ``strict``),
    as a matrix product of floats, exact for these small integers and faster than cumsum."""
    return np.triu(np.ones((width, width)), k=1 if strict else 0)

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

tests/reference_canonical.py keeps the first, plain implementation of this
algorithm; the tests check that both agree on every input.

Reference: B. D. McKay and A. Piperno, *Practical graph isomorphism II*,
J. Symbolic Comput. 60 (2014) 94–112, §2–3.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Hashable, Sequence

__all__ = ["canonical_form", "TreeSearch"]

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

    __slots__ = ("tree", "parts", "mask", "size", "first_cert", "first_labels", "best_cert", "generators",
                 "orbit_product")

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

"""Reference canonical form: the first, plain implementation of diagrams.canonical.

Kept verbatim (bar this docstring) as a test oracle for the fast one, which
reuses per-tree work across partitions, caches the first refinement step and
emits the canonical numbering straight from the certificate.  Both must give
the same (parent, part_of, |Aut|) on every input, so the canonical strings
never change.  Reference: McKay and Piperno, Practical graph isomorphism II
(2014), §2–3.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import factorial

__all__ = ["canonical_form"]

Code = tuple  # (size, label, children codes in descending order)


def canonical_form(
    parent: Sequence[int | None], part_of: Sequence[int]
) -> tuple[tuple[int, ...], tuple[int, ...], int]:
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
    search = _Search(parent, part_of)
    return search.result()


class _Search:
    """One run of individualization–refinement on the non-singleton parts."""

    def __init__(self, parent: Sequence[int | None], part_of: Sequence[int]):
        n = len(parent)
        self.children: list[list[int]] = [[] for _ in range(n)]
        for v, p in enumerate(parent):
            if p is None:
                self.root = v
            else:
                self.children[p].append(v)
        members: dict[object, list[int]] = {}
        for v, name in enumerate(part_of):
            members.setdefault(name, []).append(v)
        self.parts = [tuple(m) for m in members.values()]
        self.part_index = [0] * n
        for i, m in enumerate(self.parts):
            for v in m:
                self.part_index[v] = i
        self.big = [i for i, m in enumerate(self.parts) if len(m) > 1]
        self.postorder = self._postorder()
        self.depth_order = self.postorder[::-1]  # parents before children
        self.parent = list(parent)
        self.first_cert: Code | None = None
        self.first_labels: dict[int, int] | None = None
        self.best_cert: Code | None = None
        self.best_labels: dict[int, int] | None = None
        self.generators: list[dict[int, int]] = []
        self.orbit_product = 1

    def _postorder(self) -> list[int]:
        order, stack = [], [(self.root, False)]
        while stack:
            v, done = stack.pop()
            if done:
                order.append(v)
            else:
                stack.append((v, True))
                stack.extend((c, False) for c in self.children[v])
        return order

    # -- labels and codes --------------------------------------------------

    def _node_labels(self, cells: list[list[int]]) -> list[int]:
        labels = [0] * len(self.parent)
        for index, cell in enumerate(cells, start=1):
            for part in cell:
                for v in self.parts[part]:
                    labels[v] = index
        return labels

    def _codes(self, labels: list[int]) -> list[Code]:
        code: list[Code] = [()] * len(labels)
        for v in self.postorder:
            kids = sorted((code[c] for c in self.children[v]), reverse=True)
            code[v] = (1 + sum(k[0] for k in kids), labels[v], tuple(kids))
        return code

    def _refine(self, cells: list[list[int]]) -> list[list[int]]:
        """Split cells by an invariant signature of their parts until stable.

        A node's signature is the path of subtree-code ranks from the root down
        to it; a part's signature is the sorted list of its nodes' signatures.
        """
        while True:
            rank = _ranks(self._codes(self._node_labels(cells)))
            path: list[tuple[int, ...]] = [()] * len(rank)
            for v in self.depth_order:
                p = self.parent[v]
                path[v] = (rank[v],) if p is None else path[p] + (rank[v],)
            place = _ranks(path)
            new_cells: list[list[int]] = []
            for cell in cells:
                groups: dict[tuple[int, ...], list[int]] = {}
                for part in cell:
                    signature = tuple(sorted(place[v] for v in self.parts[part]))
                    groups.setdefault(signature, []).append(part)
                new_cells.extend(groups[s] for s in sorted(groups))
            if len(new_cells) == len(cells):
                return cells
            cells = new_cells

    # -- search ------------------------------------------------------------

    def result(self) -> tuple[tuple[int, ...], tuple[int, ...], int]:
        if self.big:
            self._explore([list(self.big)], (), first_path=True)
            labels = self._node_labels([[p] for p in sorted(self.best_labels, key=self.best_labels.get)])
        else:
            labels = [0] * len(self.parent)
        code = self._codes(labels)
        kernel = 1
        for v in self.postorder:
            runs: dict[Code, int] = {}
            for c in self.children[v]:
                runs[code[c]] = runs.get(code[c], 0) + 1
            for m in runs.values():
                kernel *= factorial(m)
        return self._emit(code, labels) + (kernel * self.orbit_product,)

    def _explore(self, cells: list[list[int]], prefix: tuple[int, ...], first_path: bool) -> bool:
        """Search below ``prefix``; True when a leaf equivalent to the first leaf was found.

        Off the first path the search stops at such a leaf (the subtree is then
        isomorphic to the first one).  On the first path every part of the
        target cell is tried, so the orbit of the first choice is known exactly.
        """
        cells = self._refine(cells)
        target = next((cell for cell in cells if len(cell) > 1), None)
        if target is None:
            return self._leaf(cells)
        explored: list[int] = []
        for part in target:
            if explored and self._in_orbit(part, explored, prefix):
                continue
            found = self._explore(_individualize(cells, part), prefix + (part,), first_path and not explored)
            if found and not first_path:
                return True
            explored.append(part)
        if first_path:
            self.orbit_product *= len(self._orbit(target[0], prefix))
        return False

    def _leaf(self, cells: list[list[int]]) -> bool:
        labelling = {cell[0]: index for index, cell in enumerate(cells, start=1)}
        cert = self._codes(self._node_labels(cells))[self.root]
        if self.first_cert is None:
            self.first_cert = self.best_cert = cert
            self.first_labels = self.best_labels = labelling
            return True
        if cert == self.first_cert:
            inverse = {label: part for part, label in labelling.items()}
            self.generators.append({p: inverse[label] for p, label in self.first_labels.items()})
            return True
        if cert < self.best_cert:
            self.best_cert, self.best_labels = cert, labelling
        return False

    def _orbit(self, part: int, prefix: tuple[int, ...]) -> set[int]:
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

    def _in_orbit(self, part: int, explored: list[int], prefix: tuple[int, ...]) -> bool:
        return any(part in self._orbit(e, prefix) for e in explored)

    # -- output ------------------------------------------------------------

    def _emit(self, code: list[Code], labels: list[int]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Postorder numbering of the tree with children in descending code order."""
        order: list[int] = []
        stack = [(self.root, False)]
        while stack:
            v, done = stack.pop()
            if done:
                order.append(v)
                continue
            stack.append((v, True))
            kids = sorted(self.children[v], key=code.__getitem__, reverse=True)
            stack.extend((c, False) for c in reversed(kids))
        number = {v: i for i, v in enumerate(order)}
        parent = tuple(number[self.parent[v]] for v in order[:-1])
        root_part = self.part_index[self.root]
        part_number: dict[int, int] = {}
        for v in order:
            p = self.part_index[v]
            if p != root_part and p not in part_number:
                part_number[p] = len(part_number)
        part_number[root_part] = len(part_number)
        return parent, tuple(part_number[self.part_index[v]] for v in order)


def _ranks(values: list) -> list[int]:
    """Replace each value by its rank among the distinct values (an invariant relabelling)."""
    index = {v: i for i, v in enumerate(sorted(set(values)))}
    return [index[v] for v in values]


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

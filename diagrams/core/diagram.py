"""Diagram: a rooted tree whose nodes are grouped into parts (SPEC §2).

A Diagram is an immutable value.  It is canonicalized when it is built, so
``==`` and ``hash`` mean isomorphism: two diagrams are equal exactly when a
bijection of nodes maps root to root, edges to edges and parts to parts.

Canonical data (read-only attributes):

* nodes are ``0 … order``; the root is node ``order``; nodes are in postorder
  of the canonically sorted tree, so ``parent[v] > v``;
* ``parent[v]`` for every non-root node ``v``; edge ``v`` joins ``v`` to its
  parent and is written with the letter ``EDGE_LETTERS[v]``;
* ``parts`` lists node tuples, numbered by their first node, the root's part
  last; ``part_of[v]`` is the number of ``v``'s part.

>>> from diagrams import parse
>>> D = parse("[b:a][ab]")
>>> D
Diagram('[a:b][ab]')
>>> D.order, D.automorphism_count, D.parts, D.degrees
(2, 2, ((0, 1), (2,)), (1, 1, 2))
>>> D == parse("[y:x][yx]") == parse("c(01-2)(02-12)")
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cached_property

import networkx as nx

from ..errors import InvalidDiagramError
from .canonical import canonical_form
from .display import show
from .observables import as_observable

__all__ = ["Diagram", "EDGE_LETTERS", "MAX_ORDER", "parents_from_root"]

EDGE_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_ORDER = len(EDGE_LETTERS)


def parents_from_root(neighbours: Sequence[Sequence[int]], root: int) -> list[int | None]:
    """Parent pointers of the graph's nodes reachable from ``root`` (``None`` elsewhere and at the root).

    >>> parents_from_root([[1], [0, 2], [1]], 2)
    [1, 2, None]
    """
    parent: list[int | None] = [None] * len(neighbours)
    seen, stack = {root}, [root]
    while stack:
        u = stack.pop()
        for w in neighbours[u]:
            if w not in seen:
                seen.add(w)
                parent[w] = u
                stack.append(w)
    return parent


class Diagram:
    """A rooted tree plus a partition of its nodes into parts, up to isomorphism.

    Build one with :func:`diagrams.parse`, the checked constructor
    ``Diagram(parent, parts)`` (the same as :meth:`from_tree`) or the
    enumerator.  Whatever the input's labelling, the result is canonical.

    >>> Diagram([None, 0, 0], [[0], [1, 2]])
    Diagram('[a:b][ab]')
    >>> Diagram((1, 0), (0, 0, 0))
    Traceback (most recent call last):
    ...
    diagrams.errors.InvalidDiagramError: a diagram has exactly one root (parent None), got 0
    """

    __slots__ = ("parent", "part_of", "automorphism_count", "_hash", "__dict__")

    parent: tuple[int, ...]
    part_of: tuple[int, ...]
    automorphism_count: int
    _hash: int

    def __init__(self, parent: Sequence[int | None], parts: Iterable[Iterable[int]]):
        self._set(*canonical_form(*_checked_tree(parent, parts)))

    def _set(self, parent: tuple[int, ...], part_of: tuple[int, ...], automorphism_count: int) -> None:
        _set_parent(self, parent)
        _set_part_of(self, part_of)
        _set_automorphism_count(self, automorphism_count)

    @classmethod
    def from_canonical(cls, parent: tuple[int, ...], part_of: tuple[int, ...], automorphism_count: int) -> Diagram:
        """The fast, unchecked path for data that is already canonical (as ``canonical_form`` returns it).

        For the enumerator and unpickling; anything else should use the checked
        constructor, since wrong data here gives a wrong diagram.
        """
        self = _new(cls)
        _set_parent(self, parent)
        _set_part_of(self, part_of)
        _set_automorphism_count(self, automorphism_count)
        return self

    @classmethod
    def from_tree(cls, parent: Sequence[int | None], parts: Iterable[Iterable[int]]) -> Diagram:
        """The diagram of a rooted tree given by parent pointers, with the given parts.

        ``parent[v]`` is the parent of node ``v`` and ``None`` for the root;
        ``parts`` must partition the nodes ``0 … len(parent)-1``.

        >>> Diagram.from_tree([None, 0, 0], [[0], [1, 2]])
        Diagram('[a:b][ab]')
        >>> Diagram.from_tree([None, 0], [[0, 1]]).is_root_tied
        True
        """
        return cls(parent, parts)

    # -- value semantics -------------------------------------------------

    def __setattr__(self, name, value):
        raise AttributeError("Diagram is immutable")

    def __delattr__(self, name):
        raise AttributeError("Diagram is immutable")

    def __eq__(self, other) -> bool:
        if not isinstance(other, Diagram):
            return NotImplemented
        return self.parent == other.parent and self.part_of == other.part_of

    def __hash__(self) -> int:
        try:
            return self._hash
        except AttributeError:  # hashed on first use: the enumerator builds many diagrams nobody hashes
            value = hash((self.parent, self.part_of))
            _set_hash(self, value)
            return value

    def __lt__(self, other: Diagram) -> bool:
        if not isinstance(other, Diagram):
            return NotImplemented
        return self.sort_key < other.sort_key

    @property
    def sort_key(self) -> tuple:
        """A total order consistent with ``==``: by order, then canonical data."""
        return (self.order, self.parent, self.part_of)

    def __reduce__(self):
        return (Diagram.from_canonical, (self.parent, self.part_of, self.automorphism_count))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __repr__(self) -> str:
        return f"Diagram({str(self)!r})"

    def __str__(self) -> str:
        return self.text

    # -- structure -------------------------------------------------------

    @property
    def order(self) -> int:
        """Number of edges (= number of non-root nodes); the power of η in the value."""
        return len(self.parent)

    @property
    def root(self) -> int:
        return len(self.parent)

    @property
    def symmetry_factor(self) -> int:
        """|Aut(D)|, the denominator of the diagram's weight (same as ``automorphism_count``)."""
        return self.automorphism_count

    @cached_property
    def parts(self) -> tuple[tuple[int, ...], ...]:
        """Node tuples of each part, in part-number order; the root's part is last."""
        parts: list[list[int]] = [[] for _ in range(max(self.part_of) + 1)]
        for v, p in enumerate(self.part_of):
            parts[p].append(v)
        return tuple(map(tuple, parts))

    @cached_property
    def children(self) -> tuple[tuple[int, ...], ...]:
        """Children of each node, in canonical order."""
        kids: list[list[int]] = [[] for _ in range(self.order + 1)]
        for v, p in enumerate(self.parent):
            kids[p].append(v)
        return tuple(map(tuple, kids))

    @cached_property
    def degrees(self) -> tuple[int, ...]:
        """Number of incident edges of each node (the node's tensor rank ∇^k)."""
        return tuple(len(c) + (v != self.root) for v, c in enumerate(self.children))

    @property
    def edges(self) -> tuple[tuple[int, int], ...]:
        """(child, parent) pairs; edge ``v`` has letter ``EDGE_LETTERS[v]``."""
        return tuple(enumerate(self.parent))

    @property
    def is_root_tied(self) -> bool:
        """True when the root shares its part with other nodes (a generalized diagram)."""
        return len(self.parts[-1]) > 1

    @cached_property
    def links(self) -> tuple[int, ...]:
        """Non-root nodes of degree 2 alone in their part: the chains resummation removes."""
        return tuple(v for v in range(self.order) if self.degrees[v] == 2 and len(self.parts[self.part_of[v]]) == 1)

    @property
    def is_linkless(self) -> bool:
        return not self.links

    def rerooted(self, node: int) -> Diagram:
        """The same tree and parts with ``node`` as the root.

        >>> from diagrams import parse
        >>> parse("[a][ab][b]").rerooted(1)          # the middle node becomes the root
        Diagram('[a][b][ab]')
        """
        neighbours: list[list[int]] = [list(c) for c in self.children]
        for v, p in self.edges:
            neighbours[v].append(p)
        return Diagram.from_canonical(*canonical_form(parents_from_root(neighbours, node), self.part_of))

    def to_networkx(self) -> nx.DiGraph:
        """A fresh networkx DiGraph with edges directed from parent to child.

        Node attributes: ``part`` (part number), ``degree``, ``root`` (bool);
        edge attribute ``letter``.

        >>> from diagrams import parse
        >>> G = parse("[a:ab][b]").to_networkx()
        >>> sorted(G.edges(data="letter"))
        [(1, 0, 'a'), (2, 1, 'b')]
        """
        graph = nx.DiGraph(text=self.text)
        for v in range(self.order + 1):
            graph.add_node(v, part=self.part_of[v], degree=self.degrees[v], root=v == self.root)
        for v, p in self.edges:
            graph.add_edge(p, v, letter=EDGE_LETTERS[v])
        return graph

    def value(self, stats, observable="loss"):
        """The un-resummed value uvalue(D) (SPEC §4) for ``stats``: ``stats.value(D, observable)``.

        >>> from diagrams import parse, Statistics
        >>> parse("[a:b][ab]").value(Statistics.symbolic())
        C*H*eta**2
        """
        return stats.value(self, as_observable(observable))

    # -- presentation: sympy's and Jupyter's display hooks, rendered by diagrams.output ----------

    def _latex(self, printer) -> str:
        """sympy's LaTeX hook: the value in Einstein notation, or by the printer's ``diagram_style``."""
        return show("diagram latex", self, printer)

    def _sympystr(self, printer) -> str:
        return self.text

    def _repr_latex_(self) -> str:
        return "$\\displaystyle %s$" % show("latex", self)

    def _repr_svg_(self) -> str:
        return show("svg", self)

    def to_latex(self, **settings) -> str:
        r"""LaTeX of the value (``diagram_style="text"`` for the bracket text); see :func:`diagrams.output.latex.latex`.

        >>> from diagrams import parse
        >>> print(parse("[a][ab][b]").to_latex())
        G_{\mu}H^{\mu}{}_{\nu}G^{\nu}
        """
        return show("latex", self, **settings)

    def to_tikz(self, **options) -> str:
        """A ``tikzpicture`` of the diagram (see :func:`diagrams.output.draw.to_tikz`)."""
        return show("tikz", self, **options)

    def draw(self, path, format: str | None = None, *, dpi: float | None = None, scale: float = 1.0):
        """Write a picture to ``path`` (.svg, .png, .pdf or .tex); see :func:`diagrams.output.draw.draw`."""
        return show("draw", self, path, format, dpi=dpi, scale=scale)

    # -- text ------------------------------------------------------------

    @cached_property
    def text(self) -> str:
        """Canonical bracket notation: one bracket per part, ``:`` between nodes, letters per edge."""
        letters: list[list[str]] = [[] for _ in range(self.order + 1)]
        for v, p in self.edges:
            letters[v].append(EDGE_LETTERS[v])
            letters[p].append(EDGE_LETTERS[v])
        node_text = ["".join(sorted(ls, key=EDGE_LETTERS.index)) for ls in letters]
        return "".join("[" + ":".join(node_text[v] for v in part) + "]" for part in self.parts)

    @property
    def legacy_name(self) -> str | None:
        """The paper's name ``c(PARTS)(EDGES)``, nodes as digits with the root largest.

        ``None`` when the diagram has more than ten nodes (digits run out).

        >>> from diagrams import parse
        >>> parse("[a][ab:c:d][bcd]").legacy_name
        'c(0-123-4)(01-14-24-34)'
        """
        if self.order > 9:
            return None
        parts = "-".join("".join(map(str, part)) for part in self.parts)
        edges = "-".join(f"{v}{p}" for v, p in self.edges)
        return f"c({parts})({edges})"


# Diagram.from_canonical fills the slots straight through their descriptors (the enumerator
# makes millions of diagrams; this is a third faster than object.__setattr__).  The descriptors
# are read from the class __dict__, which is what Diagram.parent etc. return too (a type checker
# sees the attributes' declared types there instead).
_new = object.__new__
_set_parent: Callable[[Diagram, tuple[int, ...]], None] = Diagram.__dict__["parent"].__set__
_set_part_of: Callable[[Diagram, tuple[int, ...]], None] = Diagram.__dict__["part_of"].__set__
_set_automorphism_count: Callable[[Diagram, int], None] = Diagram.__dict__["automorphism_count"].__set__
_set_hash: Callable[[Diagram, int], None] = Diagram.__dict__["_hash"].__set__


def _checked_tree(parent: Sequence[int | None], parts: Iterable[Iterable[int]]) -> tuple[list, list]:
    """Parent pointers and part numbers, checked to describe a rooted tree and a partition of its nodes."""
    if isinstance(parent, (str, bytes)) or isinstance(parts, (str, bytes)):
        raise TypeError("a Diagram is built from parent pointers and parts, not text; read text with diagrams.parse")
    parent = list(parent)
    n = len(parent)
    roots = [v for v, p in enumerate(parent) if p is None]
    if len(roots) != 1:
        raise InvalidDiagramError(f"a diagram has exactly one root (parent None), got {len(roots)}")
    if n - 1 > MAX_ORDER:
        raise InvalidDiagramError(f"at most {MAX_ORDER} edges (letters a-z, A-Z), got {n - 1}")
    for v, p in enumerate(parent):
        if p is not None and not (isinstance(p, int) and 0 <= p < n and p != v):
            raise InvalidDiagramError(f"parent of node {v} must be another node 0..{n - 1}, got {p!r}")
    for v in range(n):  # every node must reach the root without a cycle
        seen, u = set(), v
        while (up := parent[u]) is not None:
            if u in seen:
                raise InvalidDiagramError(f"the parent pointers contain a cycle through node {u}")
            seen.add(u)
            u = up
    part_of: list[int | None] = [None] * n
    for index, part in enumerate(parts):
        part = list(part)
        if not part:
            raise InvalidDiagramError(f"part {index} is empty")
        for v in part:
            if not (isinstance(v, int) and 0 <= v < n):
                raise InvalidDiagramError(f"part {index} names node {v!r}, not one of 0..{n - 1}")
            if part_of[v] == index:
                raise InvalidDiagramError(f"node {v} appears twice in part {index}")
            if part_of[v] is not None:
                raise InvalidDiagramError(f"node {v} lies in two parts")
            part_of[v] = index
    missing = [v for v in range(n) if part_of[v] is None]
    if missing:
        raise InvalidDiagramError(f"nodes {missing} lie in no part")
    return parent, part_of

"""Reading diagram text: the bracket notation and the paper's legacy notation (SPEC §3).

The grammar lives in ``grammar/diagram.lark``; lark turns text into a parse
tree, and this module checks the rules the grammar leaves open (every letter
joins exactly two nodes, no letter twice in one node, a connected acyclic
graph, no empty node) and builds a :class:`~diagrams.diagram.Diagram`.

Every failure raises a :class:`~diagrams.errors.NotationError` (a
``ValueError``) naming the broken rule, with the column and a caret line.

>>> from diagrams import parse
>>> parse("[a][ab:c:d][bcd]").automorphism_count
2
>>> parse("c(01-2)(02-12)") == parse("[a:b][ab]")
True
>>> parse("[a][ab]")
Traceback (most recent call last):
    ...
diagrams.errors.InvalidDiagramError: edge letter 'b' occurs in only one node; every letter joins exactly two nodes (column 6)
  [a][ab]
       ^
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .core.diagram import MAX_ORDER, Diagram, parents_from_root
from .errors import DiagramSyntaxError, InvalidDiagramError

__all__ = ["parse", "grammar_text"]

MAX_TEXT_LENGTH = 10_000

_TOKEN_WORDS = {
    "LBRACK": "'['",
    "RBRACK": "']'",
    "COLON": "':'",
    "LPAR": "'('",
    "RPAR": "')'",
    "DASH": "'-'",
    "LEGACY_PREFIX": "'c'",
    "LETTERS": "edge letters a-z, A-Z",
    "DIGITS": "digits",
    "$END": "end of text",
    # coefficients in sums of diagrams (start symbol diagram_sum, see diagrams.algebra)
    "PLUS": "'+'",
    "STAR": "'*'",
    "DSTAR": "'**'",
    "SLASH": "'/'",
    "CARET": "'^'",
    "ETA": "'eta'",
    "STEPS": "'T'",
    "POINTS": "'N'",
    "BATCH": "'B'",
    "EPOCHS": "'E'",
}


def grammar_text() -> str:
    """The lark grammar of the notation (shipped inside the package as ``diagrams/grammar/diagram.lark``)."""
    shipped = resources.files("diagrams").joinpath("grammar", "diagram.lark")
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    source_tree = Path(__file__).resolve().parent.parent / "grammar" / "diagram.lark"
    return source_tree.read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _parser() -> Lark:
    return Lark(grammar_text(), parser="lalr", propagate_positions=True, maybe_placeholders=False)


def parse(text: str, *, root_tied: bool | None = None) -> Diagram:
    """Read a diagram from bracket or legacy notation.

    ``root_tied=False`` demands an ordinary diagram (the root alone in the last
    bracket), ``True`` a root-tied one; the default accepts both.

    >>> str(parse("[ b : a ] [ ba ]"))
    '[a:b][ab]'
    >>> parse("[a:a]").is_root_tied
    True
    >>> parse("[]").order
    0
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() takes a str, not {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidDiagramError(
            f"text too long: {len(text)} characters, at most {MAX_TEXT_LENGTH} are read"
        )
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(error, text) from None
    body = tree.children[0]
    if body.data == "bracket_diagram":
        diagram = _bracket_diagram(body, text)
    else:
        diagram = _legacy_diagram(body, text)
    if root_tied is not None and diagram.is_root_tied != root_tied:
        rule = (
            "the last bracket must hold the root alone (an ordinary diagram is required)"
            if not root_tied
            else "the last bracket must tie the root to other nodes (a root-tied diagram is required)"
        )
        last = body.children[-1] if body.data == "bracket_diagram" else body
        raise InvalidDiagramError(rule, text, last.meta.start_pos)
    return diagram


# -- syntax errors -----------------------------------------------------------


def _syntax_error(error: UnexpectedInput, text: str) -> DiagramSyntaxError:
    if isinstance(error, UnexpectedCharacters):
        char = text[error.pos_in_stream]
        expected = _words(error.allowed)
        return DiagramSyntaxError(f"unexpected character {char!r}; expected {expected}", text, error.pos_in_stream)
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        token = error.token
        expected = _words(error.expected)
        rule = f"unexpected {token.value!r}; expected {expected}"
        if token.type == "RBRACK":
            rule = f"unbalanced bracket: ']' without '['; expected {expected}"
        return DiagramSyntaxError(rule, text, token.start_pos)
    # End of text (UnexpectedToken on $END, or UnexpectedEOF): point just past the last character.
    expected = getattr(error, "expected", None) or ()
    stripped = text.rstrip()
    position = len(stripped)
    if "RBRACK" in expected or "COLON" in expected:
        rule = "unbalanced bracket: '[' is never closed"
    elif "RPAR" in expected or "DASH" in expected:
        rule = "unbalanced parenthesis: '(' is never closed"
    elif not stripped:
        rule = "empty text: a diagram has at least one bracket, e.g. '[]'"
    else:
        rule = f"unexpected end of text; expected {_words(expected)}"
    return DiagramSyntaxError(rule, text, position)


def _words(names) -> str:
    return " or ".join(sorted(_TOKEN_WORDS.get(name, name) for name in names))


# -- for grammars that embed diagrams (diagrams.algebra reads sums of them) ----


def diagram_from_parse_tree(body: Tree, text: str) -> Diagram:
    """The diagram of a ``bracket_diagram`` subtree, or of a legacy one, of a parse of ``text``.

    Raises :class:`InvalidDiagramError` with positions (line, column) in ``text``.
    """
    if body.data == "bracket_diagram":
        return _bracket_diagram(body, text)
    return _legacy_diagram(body, text)


def syntax_error(error: UnexpectedInput, text: str) -> DiagramSyntaxError:
    """The :class:`DiagramSyntaxError` (rule, column, caret) for a lark error while parsing ``text``."""
    return _syntax_error(error, text)


def token_words(names) -> str:
    """Terminal names of the grammar in words, e.g. ``"'[' or end of text"``."""
    return _words(names)


# -- bracket notation ----------------------------------------------------------


def _bracket_diagram(body: Tree, text: str) -> Diagram:
    nodes: list[tuple[str, int]] = []  # (letters, position) per node
    parts: list[list[int]] = []
    for part in body.children:
        members = []
        after = part.children[0]  # the token before the current node: '[' or ':'
        for child in part.children[1:]:
            if isinstance(child, Token):
                after = child
                continue
            if child.children:
                token = child.children[0]
                nodes.append((str(token), token.start_pos))
            else:
                nodes.append(("", after.end_pos))
            members.append(len(nodes) - 1)
        parts.append(members)
    occurrences = sum(len(letters) for letters, _ in nodes)
    if occurrences > 2 * MAX_ORDER:
        raise InvalidDiagramError(
            f"too many edges: {occurrences} letter occurrences, but a diagram has at most {MAX_ORDER} edges"
            " (letters a-z, A-Z, each written twice)",
            text,
            nodes[0][1],
        )
    if len(nodes) == 1 and not nodes[0][0]:
        return Diagram.from_tree([None], [[0]])
    for letters, position in nodes:
        if not letters:
            raise InvalidDiagramError(
                "empty node: a node needs at least one edge letter ('[]' alone is the order-0 diagram)",
                text,
                position,
            )
    ends: dict[str, list[tuple[int, int]]] = {}  # letter -> [(node, position)]
    for v, (letters, start) in enumerate(nodes):
        for offset, letter in enumerate(letters):
            place = (v, start + offset)
            if any(node == v for node, _ in ends.get(letter, ())):
                raise InvalidDiagramError(
                    f"edge letter {letter!r} appears twice in one node; an edge joins two different nodes",
                    text,
                    place[1],
                )
            ends.setdefault(letter, []).append(place)
            if len(ends[letter]) == 3:
                raise InvalidDiagramError(
                    f"edge letter {letter!r} occurs in three nodes; every letter joins exactly two nodes",
                    text,
                    place[1],
                )
    for letter, places in ends.items():
        if len(places) == 1:
            raise InvalidDiagramError(
                f"edge letter {letter!r} occurs in only one node; every letter joins exactly two nodes",
                text,
                places[0][1],
            )
    edges = [(places[0][0], places[1][0], places[1][1]) for places in ends.values()]
    root = len(nodes) - 1
    return Diagram.from_tree(_orient(len(nodes), edges, root, [p for _, p in nodes], text), parts)


def _orient(n: int, edges: list[tuple[int, int, int]], root: int, positions: list[int], text: str) -> list:
    """Parent pointers of the tree spanned by ``edges`` (u, v, position), rooted at ``root``."""
    leader = list(range(n))

    def find(u: int) -> int:
        while leader[u] != u:
            leader[u] = leader[leader[u]]
            u = leader[u]
        return u

    adjacency: list[list[int]] = [[] for _ in range(n)]
    for u, v, position in edges:
        a, b = find(u), find(v)
        if a == b:
            raise InvalidDiagramError("the edges form a cycle; a diagram is a tree", text, position)
        leader[a] = b
        adjacency[u].append(v)
        adjacency[v].append(u)
    parent = parents_from_root(adjacency, root)
    unreached = [v for v in range(n) if parent[v] is None and v != root]
    if unreached:
        stray = unreached[0]
        raise InvalidDiagramError(
            "the diagram has two or more components; every node must connect to the root", text, positions[stray]
        )
    return parent


# -- legacy notation -----------------------------------------------------------


def _legacy_diagram(body: Tree, text: str) -> Diagram:
    parts_tree = next(c for c in body.children if isinstance(c, Tree) and c.data == "legacy_parts")
    edges_tree = next(c for c in body.children if isinstance(c, Tree) and c.data == "legacy_edges")
    names: dict[str, int] = {}
    digit_positions: dict[str, int] = {}
    parts: list[list[str]] = []
    for token in parts_tree.children:
        if token.type != "DIGITS":
            continue
        for offset, digit in enumerate(str(token)):
            if digit in names:
                raise InvalidDiagramError(
                    f"node {digit} is listed in two parts; each node lies in exactly one part",
                    text,
                    token.start_pos + offset,
                )
            names[digit] = len(names)
            digit_positions[digit] = token.start_pos + offset
        parts.append(list(str(token)))
    edges = []
    for token in edges_tree.children:
        if token.type != "DIGITS":
            continue
        if len(token) != 2:
            raise InvalidDiagramError(
                f"legacy edge {str(token)!r} must be a pair of node digits", text, token.start_pos
            )
        for offset, digit in enumerate(str(token)):
            if digit not in names:
                raise InvalidDiagramError(
                    f"edge names node {digit}, which is in no part", text, token.start_pos + offset
                )
        if token[0] == token[1]:
            raise InvalidDiagramError(
                f"legacy edge {str(token)!r} joins a node to itself", text, token.start_pos
            )
        edges.append((names[token[0]], names[token[1]], token.start_pos))
    order = sorted(names)  # node digits; the largest is the root
    index = {digit: i for i, digit in enumerate(order)}
    relabel = [index[d] for d in names]  # first-seen index -> sorted index
    edges = [(relabel[u], relabel[v], position) for u, v, position in edges]
    positions = [digit_positions[digit] for digit in order]
    parent = _orient(len(order), edges, len(order) - 1, positions, text)
    return Diagram.from_tree(parent, [[index[d] for d in part] for part in parts])

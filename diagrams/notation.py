"""Reading text: a diagram in bracket or legacy notation (SPEC §3), and sums of diagrams.

The grammar is ``grammar/diagram.lark``: one strict LALR parser with two
start symbols, ``diagram`` for :func:`parse` and ``diagram_sum`` for
:func:`parse_sum`.  A lark ``Transformer`` per language turns the parse tree
into domain objects, checking the rules the grammar leaves open (every letter
joins exactly two nodes, no letter twice in one node, a connected acyclic
graph, no empty node, coefficients that stay small enough to compute with).

Every failure raises a :class:`~diagrams.errors.NotationError` (a
``ValueError``) naming the broken rule, with the column and a caret line.
The input is hostile until read: texts are capped in length, coefficients in
size (see :mod:`diagrams.coefficient_bounds`), and nothing recurses on its depth.

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
>>> parse_sum("2*T*(T-1) [a][ab][b] - 1/2 c(01-2)(02-12)")
DiagramSum('(2*T**2 - 2*T) [a][ab][b] - 1/2 [a:b][ab]')
>>> parse_sum("(T + N + B + E + eta)^60 [a][a]")
Traceback (most recent call last):
    ...
diagrams.errors.DiagramSyntaxError: coefficient too large: expanding it could take 3812257 term operations (at most 1500) (column 22)
  (T + N + B + E + eta)^60 [a][a]
                       ^
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import sympy
from lark import Lark, Token, Transformer_NonRecursive, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from .algebra import B, DiagramSum, E, N, T
from .coefficient_bounds import MAX_EXPANSION, MAX_GCD_SIZE, CoefficientBound
from .core.diagram import MAX_ORDER, Diagram, parents_from_root
from .errors import DiagramSyntaxError, InvalidDiagramError, NotationError
from .values.base import eta

__all__ = ["parse", "parse_sum", "MAX_TEXT_LENGTH", "MAX_SUM_LENGTH"]

#: The longest text :func:`parse` reads (a diagram has at most 52 edges).
MAX_TEXT_LENGTH = 10_000
#: The longest text :func:`parse_sum` reads.  Reading costs some 30 µs a character, and
#: the order-5 series of single-epoch SGD (208 terms) is 9984 characters long.
MAX_SUM_LENGTH = 10_000
_MAX_DIGITS = 1000  # of an integer in a coefficient
_MAX_EXPONENT = 1000

_SYMBOLS = {"ETA": eta, "STEPS": T, "POINTS": N, "BATCH": B, "EPOCHS": E}

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
    # coefficients (sums only)
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
# Operators that only sums have.  The lexer knows them in every state, so where a
# diagram is read they arrive as tokens; to a diagram they are characters it lacks.
_SUM_OPERATORS = {"PLUS", "STAR", "DSTAR", "SLASH", "CARET"}


# -- the parser ------------------------------------------------------------------


def _grammar_text() -> str:
    """The grammar, shipped inside the package as ``diagrams/grammar/diagram.lark`` (or the source tree's)."""
    shipped = resources.files("diagrams").joinpath("grammar").joinpath("diagram.lark")
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parent.parent / "grammar" / "diagram.lark").read_text(encoding="utf-8")


@cache
def _parser() -> Lark:
    # strict: shift/reduce conflicts and colliding terminals fail here, when the
    # parser is built, not on some input (needs interegular, a dependency).
    return Lark(
        _grammar_text(),
        parser="lalr",
        start=["diagram", "diagram_sum"],
        strict=True,
        propagate_positions=True,
        maybe_placeholders=False,
    )


def parse(text: str, *, root_tied: bool | None = None) -> Diagram:
    """Read a diagram from bracket or legacy notation (at most :data:`MAX_TEXT_LENGTH` characters).

    ``root_tied=False`` demands an ordinary diagram (the root alone in the last
    bracket), ``True`` a root-tied one; the default accepts both.

    >>> str(parse("[ b : a ] [ ba ]"))
    '[a:b][ab]'
    >>> parse("[a:a]").is_root_tied
    True
    >>> parse("[]").order
    0
    """
    return _read(text, "diagram", MAX_TEXT_LENGTH, _DiagramReader(text, root_tied))


def parse_sum(text: str) -> DiagramSum:
    """Read a linear combination of diagrams, e.g. ``"T [a][a] - 1/2 [a:b][ab]"``.

    Terms are joined by ``+`` and ``-``; each is an optional coefficient and a
    diagram in bracket notation (or legacy notation with its ``c`` prefix).  A
    coefficient multiplies integers, fractions and the symbols T, N, B, E,
    eta by juxtaposition, ``*`` or ``/`` (left to right), with powers ``^`` or
    ``**`` and integer exponents, and sums in parentheses (not nested).  ``0``
    is the empty sum.  Errors are :class:`~diagrams.errors.DiagramSyntaxError`
    or :class:`~diagrams.errors.InvalidDiagramError` with a column and caret.

    Hostile input is refused quickly: a text has at most
    :data:`MAX_SUM_LENGTH` characters, an integer at most 1000 digits, an
    exponent at most 1000 in absolute value, and every coefficient, as well as
    all the coefficients of the sum together, must stay within the limits of
    :mod:`diagrams.coefficient_bounds` (checked before anything is expanded).

    >>> parse_sum("-[a][a] + eta^2 N/3 [a:ab][b]")
    DiagramSum('-[a][a] + N*eta**2/3 [a:ab][b]')
    >>> parse_sum("T - 1 [a][a]")
    Traceback (most recent call last):
        ...
    diagrams.errors.InvalidDiagramError: a coefficient needs a diagram after it; put a sum of coefficients in parentheses, e.g. (T - 1) [a][a] (column 1)
      T - 1 [a][a]
      ^
    """
    return _read(text, "diagram_sum", MAX_SUM_LENGTH, _SumReader(text))


def _read(text: str, start: str, limit: int, reader: Transformer_NonRecursive):
    """Parse ``text`` from ``start`` and transform the tree with ``reader``; every error is a NotationError."""
    if not isinstance(text, str):
        name = "parse" if start == "diagram" else "parse_sum"
        raise TypeError(f"{name}() takes a str, not {type(text).__name__}")
    if len(text) > limit:
        raise DiagramSyntaxError(f"text too long: {len(text)} characters, at most {limit} are read")
    try:
        return reader.transform(_parser().parse(text, start=start))
    except UnexpectedInput as error:
        raise _syntax_error(error, text, start) from None
    except VisitError as error:
        if isinstance(error.orig_exc, NotationError):
            raise error.orig_exc from None
        raise


# -- syntax errors -----------------------------------------------------------


def _syntax_error(error: UnexpectedInput, text: str, start: str) -> DiagramSyntaxError:
    """The DiagramSyntaxError (rule, position) for a lark error while reading ``text`` from ``start``."""
    if isinstance(error, UnexpectedCharacters):
        char = text[error.pos_in_stream]  # type: ignore[index]  # lark declares pos_in_stream None; its lexer sets it
        rule = f"unexpected character {char!r}; expected {_words(error.allowed)}"
        return DiagramSyntaxError(rule, text, error.pos_in_stream)
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        token, expected = error.token, _words(error.expected)
        if start == "diagram" and token.type in _SUM_OPERATORS:
            char = text[token.start_pos]
            return DiagramSyntaxError(f"unexpected character {char!r}; expected {expected}", text, token.start_pos)
        rule = f"unexpected {token.value!r}; expected {expected}"
        if token.type == "RBRACK":
            rule = f"unbalanced bracket: ']' without '['; expected {expected}"
        return DiagramSyntaxError(rule, text, token.start_pos)
    # End of text (UnexpectedToken on $END, or UnexpectedEOF): point just past the last character.
    # A diagram tells what is left open by the tokens the parser expects next; a sum
    # by the innermost '[' or '(' left open in the text.
    wanted = getattr(error, "expected", None) or ()  # the token names the parser expected
    stripped = text.rstrip()
    if start == "diagram":
        unclosed = "[" if {"RBRACK", "COLON"} & set(wanted) else "(" if {"RPAR", "DASH"} & set(wanted) else None
        empty = "empty text: a diagram has at least one bracket, e.g. '[]'"
    else:
        unclosed = _innermost_unclosed(text)
        empty = "empty text: a sum has at least one term; '0' is the empty sum"
    if unclosed == "[":
        rule = "unbalanced bracket: '[' is never closed"
    elif unclosed == "(":
        rule = "unbalanced parenthesis: '(' is never closed"
    elif not stripped:
        rule = empty
    else:
        rule = f"unexpected end of text; expected {_words(wanted)}"
    return DiagramSyntaxError(rule, text, len(stripped))


def _innermost_unclosed(text: str) -> str | None:
    """The last '[' or '(' of ``text`` left open, if any."""
    stack = []
    for char in text:
        if char in "[(":
            stack.append(char)
        elif char in "])" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _words(names) -> str:
    return " or ".join(sorted(_TOKEN_WORDS.get(name, name) for name in names))


# -- diagrams ------------------------------------------------------------------


def _start(token: Token) -> int:
    """Where ``token`` starts in the text (lark types its positions Optional; its lexer always sets them)."""
    assert token.start_pos is not None
    return token.start_pos


def _end(token: Token) -> int:
    """Where ``token`` ends in the text."""
    assert token.end_pos is not None
    return token.end_pos


class _Node(NamedTuple):
    letters: str
    position: int  # of the first letter, or where the empty node is


class _Part(NamedTuple):
    nodes: list[_Node]
    position: int  # of its '['


@v_args(inline=True)
class _DiagramReader(Transformer_NonRecursive):
    """Builds the Diagram of a ``diagram`` parse tree of ``text``; errors point into ``text``."""

    def __init__(self, text: str, root_tied: bool | None = None):
        super().__init__(visit_tokens=False)  # tokens stay tokens: the rules' callbacks read them
        self.text = text
        self.root_tied = root_tied

    def _error(self, rule: str, position: int) -> InvalidDiagramError:
        return InvalidDiagramError(rule, self.text, position)

    def diagram(self, diagram: Diagram) -> Diagram:
        return diagram

    # bracket notation

    def node(self) -> None:  # only empty nodes have a tree of their own (`?node` inlines the others)
        return None

    def part(self, opening: Token, *rest) -> _Part:
        nodes, before = [], opening  # `before`: the '[' or ':' ahead of the current node
        for child in rest:
            if child is None:
                nodes.append(_Node("", _end(before)))
            elif child.type == "LETTERS":
                nodes.append(_Node(str(child), child.start_pos))
            else:
                before = child
        return _Part(nodes, _start(opening))

    def bracket_diagram(self, *parts: _Part) -> Diagram:
        nodes = [node for part in parts for node in part.nodes]
        occurrences = sum(len(node.letters) for node in nodes)
        if occurrences > 2 * MAX_ORDER:
            raise self._error(
                f"too many edges: {occurrences} letter occurrences, but a diagram has at most {MAX_ORDER} edges"
                " (letters a-z, A-Z, each written twice)",
                nodes[0].position,
            )
        if len(nodes) == 1 and not nodes[0].letters:
            return self._checked(Diagram.from_tree([None], [[0]]), parts[-1].position)
        for node in nodes:
            if not node.letters:
                raise self._error(
                    "empty node: a node needs at least one edge letter ('[]' alone is the order-0 diagram)",
                    node.position,
                )
        ends: dict[str, list[tuple[int, int]]] = {}  # letter -> [(node, position)]
        for v, node in enumerate(nodes):
            for offset, letter in enumerate(node.letters):
                position = node.position + offset
                if any(u == v for u, _ in ends.get(letter, ())):
                    raise self._error(
                        f"edge letter {letter!r} appears twice in one node; an edge joins two different nodes",
                        position,
                    )
                ends.setdefault(letter, []).append((v, position))
                if len(ends[letter]) == 3:
                    raise self._error(
                        f"edge letter {letter!r} occurs in three nodes; every letter joins exactly two nodes", position
                    )
        for letter, places in ends.items():
            if len(places) == 1:
                raise self._error(
                    f"edge letter {letter!r} occurs in only one node; every letter joins exactly two nodes",
                    places[0][1],
                )
        edges = [(places[0][0], places[1][0], places[1][1]) for places in ends.values()]
        parent = self._orient(len(nodes), edges, len(nodes) - 1, [node.position for node in nodes])
        indices, first = [], 0
        for part in parts:
            indices.append(list(range(first, first + len(part.nodes))))
            first += len(part.nodes)
        return self._checked(Diagram.from_tree(parent, indices), parts[-1].position)

    def _orient(self, n: int, edges: list[tuple[int, int, int]], root: int, positions: list[int]) -> list:
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
                raise self._error("the edges form a cycle; a diagram is a tree", position)
            leader[a] = b
            adjacency[u].append(v)
            adjacency[v].append(u)
        parent = parents_from_root(adjacency, root)
        unreached = [v for v in range(n) if parent[v] is None and v != root]
        if unreached:
            raise self._error(
                "the diagram has two or more components; every node must connect to the root", positions[unreached[0]]
            )
        return parent

    def _checked(self, diagram: Diagram, position: int) -> Diagram:
        """``diagram``, if it is root-tied or not as demanded (else an error at ``position``, its last part)."""
        if self.root_tied is not None and diagram.is_root_tied != self.root_tied:
            rule = (
                "the last bracket must hold the root alone (an ordinary diagram is required)"
                if not self.root_tied
                else "the last bracket must tie the root to other nodes (a root-tied diagram is required)"
            )
            raise self._error(rule, position)
        return diagram

    # legacy notation

    def legacy_parts(self, *tokens: Token) -> list[Token]:
        return [token for token in tokens if token.type == "DIGITS"]

    legacy_edges = legacy_parts

    @v_args(inline=True, meta=True)
    def legacy_diagram(self, meta, *children) -> Diagram:
        parts_digits, edge_digits = (child for child in children if isinstance(child, list))
        names: dict[str, int] = {}
        digit_positions: dict[str, int] = {}
        parts: list[list[str]] = []
        for token in parts_digits:
            for offset, digit in enumerate(str(token)):
                if digit in names:
                    raise self._error(
                        f"node {digit} is listed in two parts; each node lies in exactly one part",
                        token.start_pos + offset,
                    )
                names[digit] = len(names)
                digit_positions[digit] = token.start_pos + offset
            parts.append(list(str(token)))
        edges = []
        for token in edge_digits:
            if len(token) != 2:
                raise self._error(f"legacy edge {str(token)!r} must be a pair of node digits", token.start_pos)
            for offset, digit in enumerate(str(token)):
                if digit not in names:
                    raise self._error(f"edge names node {digit}, which is in no part", token.start_pos + offset)
            if token[0] == token[1]:
                raise self._error(f"legacy edge {str(token)!r} joins a node to itself", token.start_pos)
            edges.append((names[token[0]], names[token[1]], token.start_pos))
        order = sorted(names)  # node digits; the largest is the root
        index = {digit: i for i, digit in enumerate(order)}
        relabel = [index[d] for d in names]  # first-seen index -> sorted index
        edges = [(relabel[u], relabel[v], position) for u, v, position in edges]
        positions = [digit_positions[digit] for digit in order]
        parent = self._orient(len(order), edges, len(order) - 1, positions)
        diagram = Diagram.from_tree(parent, [[index[d] for d in part] for part in parts])
        return self._checked(diagram, meta.start_pos)


# -- sums ------------------------------------------------------------------------


class _Coefficient(NamedTuple):
    value: sympy.Expr
    bound: CoefficientBound  # of its canonical form, followed along the text
    position: int  # where it starts in the text


class _Term(NamedTuple):
    coefficient: _Coefficient | None
    diagram: Diagram | None
    position: int


@v_args(inline=True)
class _SumReader(_DiagramReader):
    """Builds the DiagramSum of a ``diagram_sum`` parse tree of ``text``; errors point into ``text``.

    Each operation on coefficients is bounded before it is computed (see
    :mod:`diagrams.coefficient_bounds`), so that a short text cannot ask for
    a huge expansion; the error points at the operation that would.
    """

    def _check(self, bound: CoefficientBound, position: int) -> CoefficientBound:
        """``bound``, if it is within the limits (else an error at ``position``): checked before computing."""
        broken = bound.broken_limit()
        if broken is not None:
            raise DiagramSyntaxError(f"coefficient too large: {broken}", self.text, position)
        return bound

    def coef_integer(self, digits: Token) -> _Coefficient:
        if len(digits) > _MAX_DIGITS:
            raise self._error(f"number too long: at most {_MAX_DIGITS} digits", _start(digits))
        number = int(digits)
        return _Coefficient(sympy.Integer(number), CoefficientBound.number(number), _start(digits))

    def coef_symbol(self, name: Token) -> _Coefficient:
        symbol = _SYMBOLS[name.type]
        return _Coefficient(symbol, CoefficientBound.generator(symbol), _start(name))

    def coef_group(self, opening: Token, inner: _Coefficient, closing: Token) -> _Coefficient:
        return inner._replace(position=_start(opening))

    def coef_sum(self, *children) -> _Coefficient:
        summands, sign = [], 1
        for child in children:
            if isinstance(child, Token):
                sign = -1 if child.type == "DASH" else 1
            else:
                summands.append((sign, child))
                sign = 1
        start = _start(children[0]) if isinstance(children[0], Token) else children[0].position
        bound = self._check(CoefficientBound.total([summand.bound for _, summand in summands]), start)
        return _Coefficient(sympy.Add(*(sign * summand.value for sign, summand in summands)), bound, start)

    def coef_times(self, left: _Coefficient, *rest) -> _Coefficient:
        right = rest[-1]  # after an optional '*'
        bound = self._check(left.bound * right.bound, right.position)
        return _Coefficient(left.value * right.value, bound, left.position)

    def coef_divide(self, left: _Coefficient, slash: Token, right: _Coefficient) -> _Coefficient:
        if right.value == 0:
            raise self._error("division by zero in a coefficient", _start(slash))
        bound = self._check(left.bound / right.bound, _start(slash))
        return _Coefficient(left.value / right.value, bound, left.position)

    def coef_power(self, base: _Coefficient, operator: Token, exponent: int) -> _Coefficient:
        if base.value == 0 and exponent < 0:
            raise self._error("division by zero in a coefficient (0 to a negative power)", base.position)
        bound = self._check(base.bound**exponent, _start(operator))
        return _Coefficient(base.value**exponent, bound, base.position)

    def coef_exponent(self, *tokens: Token) -> int:
        digits = next(token for token in tokens if token.type == "DIGITS")
        sign = -1 if any(token.type == "DASH" for token in tokens) else 1
        if len(digits) > 4 or int(digits) > _MAX_EXPONENT:
            raise self._error(f"exponent too large: at most {_MAX_EXPONENT} in absolute value", _start(digits))
        return sign * int(digits)

    @v_args(inline=True, meta=True)
    def sum_term(self, meta, *children) -> _Term:
        coefficient = next((child for child in children if isinstance(child, _Coefficient)), None)
        diagram = next((child for child in children if isinstance(child, Diagram)), None)
        if diagram is None:
            assert coefficient is not None  # the grammar: a term has a coefficient, a diagram or both
            if coefficient.value != 0:
                rule = (
                    "a coefficient needs a diagram after it; put a sum of coefficients in parentheses,"
                    " e.g. (T - 1) [a][a]"
                )
                if self.text[meta.start_pos] == "(":
                    rule += "; a legacy diagram in a sum needs its 'c' prefix, e.g. c(01-2)(02-12)"
                raise self._error(rule, meta.start_pos)
        return _Term(coefficient, diagram, meta.start_pos)

    def diagram_sum(self, *children) -> DiagramSum:
        coefficients: dict[Diagram, list[sympy.Expr]] = {}
        last: dict[Diagram, int] = {}  # position of the last term of each diagram
        sign = 1
        for child in children:
            if isinstance(child, Token):
                sign = -1 if child.type == "DASH" else 1
                continue
            if child.diagram is not None:
                value = sympy.Integer(1) if child.coefficient is None else child.coefficient.value
                coefficients.setdefault(child.diagram, []).append(sign * value)
                last[child.diagram] = child.position
            sign = 1
        # Each diagram's coefficient as DiagramSum will canonicalize it: within the limits,
        # and all of them together within the expansion and gcd work allowed for one.
        terms, work, gcd = [], 0, 0
        for diagram, values in coefficients.items():
            total = sympy.Add(*values)
            bound = CoefficientBound.of(total)
            work, gcd = work + bound.work, gcd + bound.gcd_size
            broken = bound.broken_limit()
            if broken is None and work > MAX_EXPANSION:
                broken = f"expanding all the coefficients could take {work} term operations (at most {MAX_EXPANSION})"
            if broken is None and gcd > MAX_GCD_SIZE:
                broken = (
                    f"cancelling all the coefficients could need dense polynomials of {gcd} terms"
                    f" (at most {MAX_GCD_SIZE})"
                )
            if broken is not None:
                raise DiagramSyntaxError(f"coefficient too large: {broken}", self.text, last[diagram])
            terms.append((diagram, total))
        return DiagramSum(terms)

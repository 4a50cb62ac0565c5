"""The text notation (SPEC §3): the examples, round trips, relabelling invariance,
robustness on arbitrary text, and error messages with their positions."""

from __future__ import annotations

import random
import re

import pytest
import strategies as S
from hypothesis import example, given, settings
from hypothesis import strategies as st

import diagrams as dg
from diagrams import Diagram, DiagramSyntaxError, InvalidDiagramError, NotationError, parse

# -- SPEC §3's table -------------------------------------------------------------------
#
# Each row: bracket text, legacy name, an independent description of the structure
# (parent pointers with None for the root, parts), order, |Aut|, root-tied, linkless.

TABLE = [
    pytest.param(
        "[a][a]",
        "c(0-1)(01)",
        ([None, 0], [[0], [1]]),
        # one edge; the only non-root node is fixed: |Aut| = 1
        1,
        1,
        False,
        True,
        id="leaf",
    ),
    pytest.param(
        "[a:b][ab]",
        "c(01-2)(02-12)",
        ([None, 0, 0], [[0], [1, 2]]),
        # the two tied leaves may be swapped: |Aut| = 2! = 2
        2,
        2,
        False,
        True,
        id="two-tied-leaves",
    ),
    pytest.param(
        "[a:ab][b]",
        "c(01-2)(01-12)",
        ([None, 0, 1], [[0], [1, 2]]),
        # a chain has no nontrivial automorphism fixing the root: |Aut| = 1
        # (the middle node has degree 2 but is tied, so it is not a link)
        2,
        1,
        False,
        True,
        id="tied-chain",
    ),
    pytest.param(
        "[a:b:c][abc]",
        "c(012-3)(03-13-23)",
        ([None, 0, 0, 0], [[0], [1, 2, 3]]),
        # three tied leaves under the root, any permutation: |Aut| = 3! = 6
        3,
        6,
        False,
        True,
        id="three-tied-leaves",
    ),
    pytest.param(
        "[a][ab:c:d][bcd]",
        "c(0-123-4)(01-14-34-24)",
        ([None, 0, 0, 0, 1], [[0], [1, 2, 3], [4]]),
        # root children: m (which has a leaf child) and leaves c, d, all three tied;
        # m is the only child with a child, so only c <-> d: |Aut| = 2
        4,
        2,
        False,
        True,
        id="leaf-under-tied-node",
    ),
    pytest.param(
        "[a:a]",
        "c(01)(01)",
        ([None, 0], [[0, 1]]),
        # one leaf, tied to the root: |Aut| = 1
        1,
        1,
        True,
        True,
        id="root-tied-leaf",
    ),
]

# Extra rows (not in the SPEC table) so that links and order 0 are covered too.
EXTRA = [
    pytest.param(
        "[]",
        "c(0)()",
        ([None], [[0]]),
        0,
        1,
        False,
        True,
        id="order-0",
    ),
    pytest.param(
        "[a][ab][b]",
        "c(0-1-2)(01-12)",
        ([None, 0, 1], [[0], [1], [2]]),
        # chain of two, the middle node (degree 2) alone in its part: a link
        2,
        1,
        False,
        False,
        id="chain-with-link",
    ),
    pytest.param(
        "[a][b][ab]",
        "c(0-1-2)(02-12)",
        ([None, 0, 0], [[0], [1], [2]]),
        # two single leaves: swappable, |Aut| = 2; no degree-2 node
        2,
        2,
        False,
        True,
        id="two-leaves",
    ),
    pytest.param(
        "[a:b][abc][c]",
        "c(01-2-3)(02-12-23)",
        ([None, 0, 1, 1], [[0], [1], [2, 3]]),
        # root - m (degree 3) - two tied leaves: only the leaf swap, |Aut| = 2
        3,
        2,
        False,
        True,
        id="tied-leaves-below",
    ),
    pytest.param(
        "[a:ab:b]",
        "c(012)(01-12)",
        ([None, 0, 1], [[0, 1, 2]]),
        # chain with all three nodes (root included) in one part: |Aut| = 1
        2,
        1,
        True,
        True,
        id="root-tied-chain",
    ),
]


def _check_row(text, legacy, structure, order, aut, root_tied, linkless):
    D = parse(text)
    parent, parts = structure
    assert D == Diagram.from_tree(parent, parts)
    assert D.order == order
    assert D.automorphism_count == aut
    assert D.is_root_tied is root_tied
    assert D.is_linkless is linkless
    # canonical round trip
    canonical = str(D)
    assert parse(canonical) == D
    assert str(parse(canonical)) == canonical
    # legacy equivalence, and our own legacy name reads back
    assert parse(legacy) == D
    assert parse(D.legacy_name) == D
    # the text of D parses under the matching root_tied demand and fails the other one
    assert parse(text, root_tied=root_tied) == D
    with pytest.raises(InvalidDiagramError, match="last bracket"):
        parse(text, root_tied=not root_tied)


@pytest.mark.parametrize("text,legacy,structure,order,aut,root_tied,linkless", TABLE)
def test_spec_table(text, legacy, structure, order, aut, root_tied, linkless):
    _check_row(text, legacy, structure, order, aut, root_tied, linkless)


@pytest.mark.parametrize("text,legacy,structure,order,aut,root_tied,linkless", EXTRA)
def test_more_examples(text, legacy, structure, order, aut, root_tied, linkless):
    _check_row(text, legacy, structure, order, aut, root_tied, linkless)


def test_root_is_the_last_node_of_the_last_bracket():
    # The same three nodes b, a, ab all in one part; which one is the root decides the tree.
    star = Diagram.from_tree([None, 0, 0], [[0, 1, 2]])  # root 'ab' with two leaves, all tied
    chain = Diagram.from_tree([None, 0, 1], [[0, 1, 2]])  # root 'b' - 'ab' - 'a', all tied
    assert star != chain
    assert parse("[b:a:ab]") == star
    assert parse("[ab:a:b]") == chain
    assert parse("[a:ab:b]") == chain
    # and for ordinary diagrams the last bracket's single node is the root
    assert parse("[ab][a][b]") == Diagram.from_tree([None, 0, 1], [[0], [1], [2]])  # chain, rooted at an end
    assert parse("[a][b][ab]") == Diagram.from_tree([None, 0, 0], [[0], [1], [2]])  # two leaves


def test_two_tied_leaves_is_not_three_tied_leaves():
    assert parse("[a:b][ab]") != parse("[a:b:c][abc]")
    assert parse("[a:b][ab]") != parse("[a][b][ab]")
    assert parse("[a:ab][b]") != parse("[a][ab][b]")


# -- syntax details ----------------------------------------------------------------------


def test_whitespace_between_tokens():
    D = parse("[a:b][ab]")
    for text in ["[ b : a ] [ ba ]", " [a:b]\n[ab] ", "\t[a\t:\tb]  [ab]\n", "[b:a][ab]", "[B:A][AB]"]:
        assert parse(text) == D
        assert str(parse(text)) == str(D)


def test_any_letter_names_an_edge():
    # Edge letters are a-z and A-Z, including letters that look like keywords elsewhere
    # ('c' of the legacy prefix; T, N, B, E and "eta" of coefficient expressions).
    assert parse("[E:T][ET]") == parse("[a:b][ab]")
    assert parse("[e:t:a][eta]") == parse("[a:b:c][abc]")
    assert parse("[c:b][cb]") == parse("[a:b][ab]")
    assert parse("[c][c]") == parse("[a][a]")
    assert parse("[N][NB][B]") == parse("[a][ab][b]")
    assert parse("[Z:z][zZ]") == parse("[a:b][ab]")


def test_parse_reads_one_diagram_not_a_sum():
    for text in ["[a][a] + [a:a]", "2 [a][a]", "T[a][a]", "[a][a]*2", "eta", "-[a][a]", "[a][a] [a:a]x"]:
        with pytest.raises(NotationError):
            parse(text)


def test_empty_diagram():
    for text in ["[]", "[ ]", " [] ", "c(0)()", "(5)()"]:
        D = parse(text)
        assert D.order == 0 and D.automorphism_count == 1
        assert not D.is_root_tied and D.is_linkless
        assert str(parse(str(D))) == str(D)


def test_legacy_prefix_is_optional_and_digits_need_not_be_contiguous():
    # The largest digit is the root, whatever the digits are.
    assert parse("(01-2)(02-12)") == parse("[a:b][ab]")
    assert parse("c(13-7)(17-37)") == parse("[a:b][ab]")
    # the root is the largest digit even when it is listed first
    assert parse("c(2-01)(20-21)") == parse("[a:b][ab]")
    assert parse(" c ( 0 - 1 ) ( 01 ) ") == parse("[a][a]")


def test_parse_rejects_non_strings():
    with pytest.raises(TypeError):
        parse(b"[a][a]")
    with pytest.raises(TypeError):
        parse(None)


def test_errors_are_value_errors():
    assert issubclass(NotationError, ValueError)
    assert issubclass(DiagramSyntaxError, NotationError)
    assert issubclass(InvalidDiagramError, NotationError)


# -- errors: rule, column, caret ----------------------------------------------------------


def caret_column(message: str) -> int:
    """1-based column of the caret drawn in the error message (under the text line)."""
    lines = message.split("\n")
    assert lines[-1].strip() == "^", message
    return len(lines[-1]) - len("  ^") + 1


STAR52 = "".join(f"[{x}]" for x in dg.EDGE_LETTERS) + "[" + dg.EDGE_LETTERS + "]"

ERRORS = [
    # (text, kwargs, error type, rule regex, column, character at the column)
    pytest.param("[a][ab]", {}, InvalidDiagramError, "'b'.*only one node", 6, "b", id="letter-once"),
    pytest.param("[ab][a][ab]", {}, InvalidDiagramError, "'a'.*three nodes", 9, "a", id="letter-three-times"),
    pytest.param("[aab][b]", {}, InvalidDiagramError, "'a'.*twice in one node", 3, "a", id="letter-twice-in-node"),
    pytest.param("[b][a:ab:b]", {}, InvalidDiagramError, "'b'.*three nodes", 10, "b", id="letter-three-times-2"),
    pytest.param("[a][a][b][b]", {}, InvalidDiagramError, "two or more components", 2, "a", id="two-components"),
    pytest.param(
        "[c][c]  [ab][a][b]", {}, InvalidDiagramError, "two or more components", 2, "c", id="two-components-2"
    ),
    pytest.param("[a][ab", {}, DiagramSyntaxError, "unbalanced bracket", 7, None, id="unclosed"),
    pytest.param("[a]]", {}, DiagramSyntaxError, "unbalanced bracket", 4, "]", id="unopened"),
    pytest.param("[a][[a]", {}, DiagramSyntaxError, "unexpected '\\['", 5, "[", id="nested-bracket"),
    pytest.param("[a:]", {}, InvalidDiagramError, "empty node", 4, "]", id="empty-node-last"),
    pytest.param("[:a][a]", {}, InvalidDiagramError, "empty node", 2, ":", id="empty-node-first"),
    pytest.param("[a::b][ab]", {}, InvalidDiagramError, "empty node", 4, ":", id="empty-node-middle"),
    pytest.param("[][a][a]", {}, InvalidDiagramError, "empty node", 2, "]", id="empty-bracket"),
    pytest.param(
        "[a:a]",
        {"root_tied": False},
        InvalidDiagramError,
        "last bracket must hold the root alone",
        1,
        "[",
        id="root-tied-not-allowed",
    ),
    pytest.param(
        "[b][a:ab]",
        {"root_tied": False},
        InvalidDiagramError,
        "last bracket must hold the root alone",
        4,
        "[",
        id="root-tied-not-allowed-2",
    ),
    pytest.param(
        "[a][ab][b]",
        {"root_tied": True},
        InvalidDiagramError,
        "last bracket must tie the root",
        8,
        "[",
        id="root-tied-required",
    ),
    pytest.param("[a$][a]", {}, DiagramSyntaxError, "unexpected character '\\$'", 3, "$", id="bad-character"),
    pytest.param("[a][á]", {}, DiagramSyntaxError, "unexpected character 'á'", 5, "á", id="non-ascii-letter"),
    pytest.param("[a][b]x", {}, DiagramSyntaxError, "unexpected", 7, "x", id="trailing-garbage"),
    pytest.param("", {}, DiagramSyntaxError, "empty text", 1, None, id="empty-string"),
    pytest.param("  ", {}, DiagramSyntaxError, "empty text", 1, " ", id="blank-string"),
    # legacy form
    pytest.param(
        "c(01-12)(01-12)",
        {},
        InvalidDiagramError,
        "node 1 is listed in two parts",
        6,
        "1",
        id="legacy-node-in-two-parts",
    ),
    pytest.param(
        "c(0-1)(01-12)", {}, InvalidDiagramError, "node 2, which is in no part", 12, "2", id="legacy-unknown-node"
    ),
    pytest.param("c(0-12)(012)", {}, InvalidDiagramError, "'012' must be a pair", 9, "0", id="legacy-3-digit-edge"),
    pytest.param("c(0-1)(11)", {}, InvalidDiagramError, "joins a node to itself", 8, "1", id="legacy-self-loop"),
    pytest.param("c(0-1-2)(01-12-02", {}, DiagramSyntaxError, "unbalanced parenthesis", 18, None, id="legacy-unclosed"),
    pytest.param(
        "c(01)(01)",
        {"root_tied": False},
        InvalidDiagramError,
        "last bracket must hold the root alone",
        1,
        "c",
        id="legacy-root-tied-not-allowed",
    ),
]


@pytest.mark.parametrize("text,kwargs,error,rule,column,char", ERRORS)
def test_error_names_rule_and_position(text, kwargs, error, rule, column, char):
    with pytest.raises(error, match=rule) as info:
        parse(text, **kwargs)
    e = info.value
    assert isinstance(e, ValueError)
    assert e.column == column
    if char is not None:
        assert text[column - 1] == char
    else:
        assert column == len(text.rstrip()) + 1  # just past the end
    message = str(e)
    assert text in message
    assert caret_column(message) == column


def test_cycle_error_points_at_a_letter_of_the_cycle():
    # Edges: d joins node 0 to node 1; a, b, c form the cycle 1-3-2-1 (node 3 'ca' is
    # the root).  Any letter of the cycle is a fair position; the pendant 'd' is not.
    text = "[d][abd][bc][ca]"
    with pytest.raises(InvalidDiagramError, match="cycle") as info:
        parse(text)
    e = info.value
    assert text[e.column - 1] in "abc"
    assert caret_column(str(e)) == e.column
    # a double edge is a cycle of length two
    with pytest.raises(InvalidDiagramError, match="cycle") as info:
        parse("[ab:ab]")
    assert "[ab:ab]"[info.value.column - 1] in "ab"
    # Read left to right, edge a joins the two nodes and edge b then closes the cycle:
    # the caret goes under the second 'b' (column 7).
    with pytest.raises(InvalidDiagramError, match="cycle") as info:
        parse("[ab][ab]")
    assert info.value.column == 7 and caret_column(str(info.value)) == 7


def test_legacy_cycle_and_components():
    with pytest.raises(InvalidDiagramError, match="cycle"):
        parse("c(0-1-2)(01-12-02)")
    with pytest.raises(InvalidDiagramError, match="cycle"):
        parse("c(0-1)(01-01)")
    with pytest.raises(InvalidDiagramError, match="components"):
        parse("c(0-1-2)(02)")


def test_legacy_component_error_points_at_the_stray_node():
    # Node 1 is joined to nothing; the caret should be under the digit '1'
    # (as the bracket form points at the stray node), not at the first part.
    text = "c(0-1-2)(02)"
    with pytest.raises(InvalidDiagramError, match="components") as info:
        parse(text)
    assert info.value.column == 5 and text[4] == "1"


def test_too_many_edges():
    # 52 edges (every letter once as a leaf and once at the root) is the maximum ...
    D = parse(STAR52)
    assert D.order == dg.MAX_ORDER == 52
    # 52 untied leaves under the root: all 52! permutations are automorphisms
    import math

    assert D.automorphism_count == math.factorial(52)
    assert parse(str(D)) == D
    # ... and 53 edges are too many: a 53rd leaf needs a 53rd letter, so reuse 'a'.
    text53 = "[a]" + STAR52[:-1] + "a]"
    assert text53.count("[") == 54  # 53 leaves + the root
    with pytest.raises(InvalidDiagramError, match="at most 52 edges") as info:
        parse(text53)
    e = info.value
    assert e.column is not None and 1 <= e.column <= len(text53)
    assert text53[e.column - 1].isalpha()
    assert caret_column(str(e)) == e.column
    # the same limit for Diagram.from_tree
    with pytest.raises(InvalidDiagramError, match="52"):
        Diagram.from_tree([None] + [0] * 53, [[v] for v in range(54)])


def test_error_column_on_multiline_text_points_at_the_character():
    # Whitespace (newlines included) is allowed between tokens.  The caret drawn in the
    # message must sit under the offending character: the line shown above the caret
    # has the bad letter 'b' at the caret's position.
    text = "[a]\n[ab]"
    with pytest.raises(InvalidDiagramError, match="'b'.*only one node") as info:
        parse(text)
    lines = str(info.value).split("\n")
    shown, caret = lines[-2], lines[-1]
    position = len(caret) - 1
    assert position < len(shown) and shown[position] == "b", str(info.value)


# -- hypothesis: round trips ----------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(S.structures(max_nodes=9))
def test_random_diagrams_round_trip(structure):
    parent, part_of = structure
    D = Diagram.from_tree(parent, S.blocks(part_of))
    text = str(D)
    again = parse(text)
    assert again == D
    assert str(again) == text
    assert hash(again) == hash(D)
    assert parse(text, root_tied=D.is_root_tied) == D
    assert D.is_root_tied == S.is_root_tied(structure)
    # canonical text: the last bracket ends with the root's letters and nothing is tied
    # to it for ordinary diagrams
    last = re.findall(r"\[([^\]]*)\]", text)[-1]
    assert (":" in last) == D.is_root_tied


@settings(max_examples=100, deadline=None)
@given(S.structures(max_nodes=9), st.randoms(use_true_random=False), st.randoms(use_true_random=False))
def test_relabelled_texts_give_one_diagram(structure, rng1, rng2):
    expected = Diagram.from_tree(structure[0], S.blocks(structure[1]))
    text1 = S.structure_text(structure, rng1)
    text2 = S.structure_text(structure, rng2, spaces=True)
    # permute the node numbering too
    perm = list(range(len(structure[0])))
    rng2.shuffle(perm)
    text3 = S.structure_text(S.relabel(structure, perm), rng1)
    results = [parse(t) for t in (text1, text2, text3)]
    assert all(D == expected for D in results), (text1, text2, text3)
    assert {str(D) for D in results} == {str(expected)}


@settings(max_examples=30, deadline=None)
@given(S.structures(min_nodes=10, max_nodes=30), st.randoms(use_true_random=False))
def test_relabelled_texts_give_one_diagram_large(structure, rng):
    first = parse(S.structure_text(structure, rng))
    perm = list(range(len(structure[0])))
    rng.shuffle(perm)
    second = parse(S.structure_text(S.relabel(structure, perm), rng, spaces=True))
    assert first == second and str(first) == str(second)
    assert parse(str(first)) == first


def cycle_structure(sigma, rng):
    """Root with k children c_i, each with two leaves x_i, y_i; parts {y_i, x_sigma(i)}.

    The parts make a 2-regular multigraph on the children whose cycles are the
    cycles of sigma, so two such diagrams are equal exactly when the permutations
    have the same cycle type -- a case colour refinement cannot settle alone."""
    k = len(sigma)
    n = 1 + 3 * k
    root = n - 1
    parent = [None] * n
    part_of = list(range(n))
    for i in range(k):
        x, y = k + 2 * i, k + 2 * i + 1
        parent[i] = root
        parent[x] = parent[y] = i
    for i in range(k):
        part_of[k + 2 * sigma[i]] = part_of[k + 2 * i + 1]
    structure = (tuple(parent), tuple(part_of))
    perm = list(range(n))
    rng.shuffle(perm)
    return S.relabel(structure, perm)


def random_permutation_with_cycles(lengths, rng):
    items = list(range(sum(lengths)))
    rng.shuffle(items)
    sigma = [None] * len(items)
    start = 0
    for m in lengths:
        cycle = items[start : start + m]
        for a, b in zip(cycle, cycle[1:] + cycle[:1]):
            sigma[a] = b
        start += m
    return sigma


def expected_cycle_automorphisms(lengths):
    # Each cycle of length m >= 3 has the dihedral group (2m), a 2-cycle 2*2 (swap the
    # children, swap the two parallel ties), a 1-cycle 2 (swap its two leaves); equal
    # cycles may be permuted among themselves (k_m!).
    from collections import Counter
    from math import factorial

    total = 1
    for m, k in Counter(lengths).items():
        per = 2 if m == 1 else 4 if m == 2 else 2 * m
        total *= per**k * factorial(k)
    return total


CYCLE_TYPES = [
    (6,),
    (3, 3),
    (4, 2),
    (2, 2, 2),
    (5, 1),
    (4, 1, 1),
    (3, 2, 1),
    (1,) * 6,
    (7,),
    (4, 3),
    (8,),
    (4, 4),
    (5, 3),
    (3, 3, 2),
    (9,),
    (6, 3),
    (3, 3, 3),
]


def test_cycle_types_are_told_apart():
    rng = random.Random(7)
    seen = {}
    for lengths in CYCLE_TYPES:
        texts = set()
        for _ in range(4):
            structure = cycle_structure(random_permutation_with_cycles(lengths, rng), rng)
            D = parse(S.structure_text(structure, rng, spaces=True))
            assert D == Diagram.from_tree(structure[0], S.blocks(structure[1]))
            assert D.automorphism_count == expected_cycle_automorphisms(lengths), lengths
            texts.add(str(D))
        assert len(texts) == 1, lengths
        seen[tuple(sorted(lengths))] = texts.pop()
    # different cycle types (of the same size) are different diagrams
    assert len(set(seen.values())) == len(seen)


# -- hypothesis: arbitrary text ---------------------------------------------------------------


def _check_arbitrary(text):
    try:
        D = parse(text)
    except NotationError as e:
        assert isinstance(e, (DiagramSyntaxError, InvalidDiagramError))
        message = str(e)
        assert e.rule in message
        if e.column is not None:
            assert e.column >= 1
            assert "^" in message.split("\n")[-1]
            if "\n" not in text and "\r" not in text:
                assert e.column <= len(text) + 1
                assert caret_column(message) == e.column
        return
    canonical = str(D)
    assert parse(canonical) == D
    assert str(parse(canonical)) == canonical


@settings(max_examples=150, deadline=None)
@given(st.text())
@example("[a][a]")
@example("c(01)(01)")
@example("[]")
@example("\x00")
def test_any_text_parses_or_raises_notation_error(text):
    _check_arbitrary(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="[]:()-c0123abAB \n", max_size=40))
def test_notation_alphabet_parses_or_raises_notation_error(text):
    _check_arbitrary(text)


@st.composite
def near_diagram_texts(draw):
    """Texts close to valid ones: a random valid text with a few random edits."""
    structure = draw(S.structures(max_nodes=7))
    rng = draw(st.randoms(use_true_random=False))
    text = S.structure_text(structure, rng, spaces=draw(st.booleans()))
    if draw(st.booleans()):
        parent, part_of = structure
        text = dg.Diagram.from_tree(parent, S.blocks(part_of)).legacy_name or text
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "replace"]))
        char = draw(st.sampled_from("[]:()-c0123456789abcdAB \n"))
        if edit == "insert":
            text = text[:i] + char + text[i:]
        elif edit == "delete":
            text = text[:i] + text[i + 1 :]
        else:
            text = text[:i] + char + text[i + 1 :]
    return text


@settings(max_examples=250, deadline=None)
@given(near_diagram_texts())
def test_edited_texts_parse_or_raise_notation_error(text):
    _check_arbitrary(text)

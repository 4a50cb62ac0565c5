"""The Diagram value: isomorphism semantics (==, hash, |Aut|) checked against brute
force and networkx, and its API (immutability, pickling, networkx export, sorting,
legacy names, from_tree validation)."""

from __future__ import annotations

import copy
import itertools
import pickle
import random

import networkx as nx
import pytest
import strategies as S
from hypothesis import given, settings
from hypothesis import strategies as st

import diagrams as dg
from diagrams import Diagram, InvalidDiagramError, parse


def diagram_of(structure) -> Diagram:
    parent, part_of = structure
    return Diagram.from_tree(parent, S.blocks(part_of))


def aut_by_orbit_stabilizer(structure) -> int:
    """|Aut| = Π orbit sizes along a stabilizer chain; each orbit found with networkx by
    colouring the already-fixed nodes and the candidate image (works beyond brute force)."""
    parent, _ = structure
    graph = S.colored_graph(structure)
    others = [v for v, p in enumerate(parent) if p is not None]
    # a cheap invariant of each node filters the candidates before networkx is asked
    n = len(parent)
    depth = [0] * n
    for v in range(n):
        u = v
        while parent[u] is not None:
            depth[v], u = depth[v] + 1, parent[u]
    kids = [sum(1 for p in parent if p == v) for v in range(n)]
    mates = {v: sorted((depth[u], kids[u]) for u in range(n) if structure[1][u] == structure[1][v]) for v in range(n)}
    signature = [(depth[v], kids[v], tuple(mates[v])) for v in range(n)]

    def coloured(fixed, special):
        g = graph.copy()
        for i, v in enumerate(fixed):
            g.nodes[("v", v)]["kind"] = ("fixed", i)
        g.nodes[("v", special)]["kind"] = "special"
        return g

    total, fixed = 1, []
    for v in others:
        g1 = coloured(fixed, v)
        orbit = sum(
            1
            for w in others
            if w not in fixed and signature[w] == signature[v] and S.nx_isomorphic(g1, coloured(fixed, w))
        )
        total *= orbit
        fixed.append(v)
    return total


# -- isomorphism semantics --------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(S.structures(max_nodes=7))
def test_automorphism_count_is_brute_force(structure):
    D = diagram_of(structure)
    assert D.automorphism_count == S.brute_force_automorphisms(structure)
    assert D.symmetry_factor == D.automorphism_count


@settings(max_examples=40, deadline=None)
@given(S.structures(min_nodes=8, max_nodes=14))
def test_automorphism_count_by_orbit_stabilizer(structure):
    assert diagram_of(structure).automorphism_count == aut_by_orbit_stabilizer(structure)


def test_orbit_stabilizer_helper_agrees_with_brute_force():
    rng = random.Random(3)
    for _ in range(30):
        n = rng.randint(1, 7)
        parent = S.orient(n, S.prufer_tree([rng.randrange(n) for _ in range(max(n - 2, 0))], n), rng.randrange(n))
        part_of = tuple(rng.randrange(n) for _ in range(n))
        structure = (parent, part_of)
        assert aut_by_orbit_stabilizer(structure) == S.brute_force_automorphisms(structure)


@st.composite
def structure_pairs(draw, max_nodes=9):
    """Two structures that are often, but not always, isomorphic."""
    first = draw(S.structures(max_nodes=max_nodes))
    second = first
    if draw(st.booleans()):
        second = draw(S.mutated(first))
    perm = draw(st.permutations(list(range(len(second[0])))))
    return first, S.relabel(second, perm)


@settings(max_examples=300, deadline=None)
@given(structure_pairs())
def test_equality_is_isomorphism(pair):
    first, second = pair
    D1, D2 = diagram_of(first), diagram_of(second)
    isomorphic = S.nx_isomorphic(S.colored_graph(first), S.colored_graph(second))
    assert (D1 == D2) is isomorphic
    assert (D1 != D2) is (not isomorphic)
    assert (str(D1) == str(D2)) is isomorphic
    if isomorphic:
        assert hash(D1) == hash(D2)
        assert D1.automorphism_count == D2.automorphism_count
        assert len({D1, D2}) == 1
    else:
        assert len({D1, D2}) == 2
        assert not (D1 < D2 and D2 < D1)
        assert (D1 < D2) or (D2 < D1)


@settings(max_examples=40, deadline=None)
@given(structure_pairs(max_nodes=16))
def test_equality_is_isomorphism_larger(pair):
    first, second = pair
    isomorphic = S.nx_isomorphic(S.colored_graph(first), S.colored_graph(second))
    assert (diagram_of(first) == diagram_of(second)) is isomorphic


@settings(max_examples=100, deadline=None)
@given(S.structures(max_nodes=9), st.randoms(use_true_random=False))
def test_hash_and_equality_are_consistent(structure, rng):
    D = diagram_of(structure)
    perm = list(range(len(structure[0])))
    rng.shuffle(perm)
    E = diagram_of(S.relabel(structure, perm))
    assert D == E and hash(D) == hash(E)
    assert {D: 1}[E] == 1
    assert D == D and not (D != D)
    assert not (D < D)
    assert D != str(D) and D != None  # noqa: E711
    assert (D == 1) is False


def two_level(rng, k, m, s, tie_inner):
    """Root with k children of m leaves each; leaves tied in random groups of s."""
    n = 1 + k + k * m
    root = n - 1
    parent = [None] * n
    leaves = []
    for i in range(k):
        parent[i] = root
        for j in range(m):
            v = k + i * m + j
            parent[v] = i
            leaves.append(v)
    rng.shuffle(leaves)
    part_of = list(range(n))
    for a in range(0, len(leaves) - len(leaves) % s, s):
        for v in leaves[a : a + s]:
            part_of[v] = part_of[leaves[a]]
    if tie_inner:
        inner = list(range(k))
        rng.shuffle(inner)
        for a in range(0, k - 1, 2):
            part_of[inner[a + 1]] = part_of[inner[a]]
    return tuple(parent), tuple(part_of)


def test_symmetric_structures_are_relabelling_invariant():
    # Many parts spread over interchangeable subtrees: the hard case for canonical
    # labelling.  Equal diagrams after renumbering; on the smaller ones |Aut| and
    # equality are also checked with networkx (VF2 is exponential on the larger ones).
    rng = random.Random(11)
    small = []
    for _ in range(40):
        k, m = rng.choice([(3, 2), (4, 2), (3, 3), (6, 2), (4, 3), (8, 2)])
        structure = two_level(rng, k, m, rng.choice([2, 3]), rng.random() < 0.5)
        perm = list(range(len(structure[0])))
        rng.shuffle(perm)
        D, E = diagram_of(structure), diagram_of(S.relabel(structure, perm))
        assert D == E and str(D) == str(E) and D.automorphism_count == E.automorphism_count
        if k * m <= 9:
            assert D.automorphism_count == aut_by_orbit_stabilizer(structure)
            small.append(structure)
    for first, second in itertools.combinations(small, 2):
        if len(first[0]) == len(second[0]):
            isomorphic = S.nx_isomorphic(S.colored_graph(first), S.colored_graph(second))
            assert (diagram_of(first) == diagram_of(second)) is isomorphic


def test_order_52_is_fast_and_invariant():
    rng = random.Random(5)
    for k, m, s in [(4, 12, 2), (13, 3, 3), (26, 1, 2), (17, 2, 2)]:
        structure = two_level(rng, k, m, s, True)
        assert len(structure[0]) - 1 <= 52
        perm = list(range(len(structure[0])))
        rng.shuffle(perm)
        D, E = diagram_of(structure), diagram_of(S.relabel(structure, perm))
        assert D == E and str(D) == str(E)
        assert parse(str(D)) == D


# -- structural attributes ----------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(S.structures(max_nodes=9))
def test_structure_attributes(structure):
    D = diagram_of(structure)
    parent, part_of = structure
    n = len(parent)
    assert D.order == n - 1 == len(D.parent) == len(D.edges)
    assert D.root == D.order
    assert sorted(D.degrees) == sorted(S.degrees(parent))
    assert sorted(map(len, D.parts)) == sorted(map(len, S.blocks(part_of)))
    assert sorted(v for part in D.parts for v in part) == list(range(n))
    assert D.root in D.parts[-1]
    for i, part in enumerate(D.parts):
        assert all(D.part_of[v] == i for v in part)
    for v, p in D.edges:
        assert v in D.children[p]
    assert sum(map(len, D.children)) == D.order
    assert D.is_linkless == (not D.links) == S.is_linkless(structure)
    for v in D.links:
        assert D.degrees[v] == 2 and len(D.parts[D.part_of[v]]) == 1 and v != D.root


@settings(max_examples=100, deadline=None)
@given(S.structures(max_nodes=9))
def test_to_networkx(structure):
    D = diagram_of(structure)
    G = D.to_networkx()
    assert isinstance(G, nx.DiGraph)
    assert set(G.nodes) == set(range(D.order + 1))
    assert G.number_of_edges() == D.order
    assert set(G.edges) == {(p, v) for v, p in D.edges}  # parent -> child
    assert [v for v in G if G.nodes[v]["root"]] == [D.root]
    assert G.in_degree(D.root) == 0 and all(G.in_degree(v) == 1 for v in G if v != D.root)
    for v in G:
        assert G.nodes[v]["degree"] == G.degree(v)
        assert G.nodes[v]["part"] == D.part_of[v]
    letters = [G.edges[e]["letter"] for e in G.edges]
    assert len(set(letters)) == len(letters) and set(letters) <= set(dg.EDGE_LETTERS)
    # The exported graph describes the same diagram: rebuild a structure from it...
    parent = [None] * (D.order + 1)
    for p, v in G.edges:
        parent[v] = p
    rebuilt = (tuple(parent), tuple(G.nodes[v]["part"] for v in range(D.order + 1)))
    assert S.nx_isomorphic(S.colored_graph(rebuilt), S.colored_graph(structure))
    # ... and a bracket text from its letters and parts.
    node_letters = {v: sorted(G.edges[e]["letter"] for e in G.edges if v in e) for v in G}
    parts = {}
    for v in sorted(G, key=lambda v: (G.nodes[v]["root"], v)):
        parts.setdefault(G.nodes[v]["part"], []).append("".join(node_letters[v]))
    root_part = G.nodes[D.root]["part"]
    order = [p for p in parts if p != root_part] + [root_part]
    text = "".join("[" + ":".join(parts[p]) + "]" for p in order)
    assert parse(text) == D
    # a fresh graph each time
    G.add_node("x")
    assert "x" not in D.to_networkx()


def test_to_networkx_example():
    # [a:ab][b]: chain root - m - leaf, leaf tied to m.
    G = parse("[a:ab][b]").to_networkx()
    root = next(v for v in G if G.nodes[v]["root"])
    (middle,) = G.successors(root)
    (leaf,) = G.successors(middle)
    assert G.nodes[leaf]["part"] == G.nodes[middle]["part"] != G.nodes[root]["part"]
    assert [G.nodes[v]["degree"] for v in (leaf, middle, root)] == [1, 2, 1]


# -- value semantics ------------------------------------------------------------------------


def test_immutable():
    D = parse("[a:b][ab]")
    before = (D.parent, D.part_of, D.automorphism_count, str(D), D.parts, hash(D))
    for name, value in [
        ("parent", (0,)),
        ("part_of", (0,)),
        ("automorphism_count", 5),
        ("foo", 1),
        ("text", "x"),
        ("parts", ((0, 1, 2),)),
    ]:
        with pytest.raises(AttributeError):
            setattr(D, name, value)
    for name in ("parent", "automorphism_count", "parts"):
        with pytest.raises(AttributeError):
            delattr(D, name)
    assert (D.parent, D.part_of, D.automorphism_count, str(D), D.parts, hash(D)) == before
    assert D == parse("[b:a][ba]")


@settings(max_examples=60, deadline=None)
@given(S.structures(max_nodes=9))
def test_pickle_and_copy(structure):
    D = diagram_of(structure)
    for E in (pickle.loads(pickle.dumps(D)), copy.copy(D), copy.deepcopy(D), copy.deepcopy([D])[0]):
        assert E == D and hash(E) == hash(D)
        assert str(E) == str(D)
        assert E.automorphism_count == D.automorphism_count
        assert E.parts == D.parts


def test_repr_round_trips():
    D = parse("[a][ab:c:d][bcd]")
    assert eval(repr(D), {"Diagram": parse}) == D


def test_sorting():
    everything = [D for d in range(5) for D in dg.enumerate_diagrams(d)]
    everything += [D for d in range(1, 4) for D in dg.enumerate_diagrams(d, root_tied=True)]
    rng = random.Random(0)
    shuffled = everything[:]
    rng.shuffle(shuffled)
    ordered = sorted(shuffled)
    assert ordered == sorted(everything)
    assert [D.order for D in ordered] == sorted(D.order for D in everything)
    # a strict total order
    for a, b in itertools.combinations(ordered, 2):
        assert a < b and not (b < a) and a != b
    assert sorted(ordered, reverse=True) == ordered[::-1]
    assert max(everything) == ordered[-1] and min(everything) == ordered[0]
    with pytest.raises(TypeError):
        _ = everything[0] < "[a][a]"


@settings(max_examples=100, deadline=None)
@given(S.structures(max_nodes=10))
def test_legacy_name_parses_back(structure):
    D = diagram_of(structure)
    name = D.legacy_name
    assert name is not None  # at most ten nodes: digits suffice
    assert name.startswith("c(")
    assert parse(name) == D


def test_legacy_name_beyond_ten_nodes():
    chain10 = Diagram.from_tree([None] + list(range(10)), [[v] for v in range(11)])
    assert chain10.order == 10 and chain10.legacy_name is None
    chain9 = Diagram.from_tree([None] + list(range(9)), [[v] for v in range(10)])
    assert parse(chain9.legacy_name) == chain9


# -- from_tree validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "parent,parts,rule",
    [
        ([None, None], [[0], [1]], "exactly one root"),
        ([1, 0], [[0], [1]], "exactly one root"),
        ([None, 1, 1], [[0], [1], [2]], "must be another node"),
        ([None, 2, 1], [[0], [1], [2]], "cycle"),
        ([None, 5], [[0], [1]], "must be another node"),
        ([None, -1], [[0], [1]], "must be another node"),
        ([None, 0], [[0], [0, 1]], "two parts"),
        ([None, 0], [[0]], "no part"),
        ([None, 0], [[0], [1], []], "empty"),
        ([None, 0], [[0], [1, 2]], "not one of"),
        ([None, 0.0], [[0], [1]], "must be another node"),
    ],
)
def test_from_tree_validation(parent, parts, rule):
    with pytest.raises(InvalidDiagramError, match=rule):
        Diagram.from_tree(parent, parts)


def test_from_tree_accepts_any_root_position_and_iterables():
    D = Diagram.from_tree((2, 2, None), ({0, 1}, (2,)))
    assert D == parse("[a:b][ab]")
    assert Diagram.from_tree([None], [[0]]) == parse("[]")


def test_the_public_constructor_checks_and_canonicalizes():
    """Diagram(...) used to take raw canonical data unchecked: Diagram((1, 0), (0, 0, 0), 99) gave '[ab:ab:]'."""
    with pytest.raises(TypeError):
        Diagram((1, 0), (0, 0, 0), 99)
    with pytest.raises(InvalidDiagramError, match="exactly one root"):
        Diagram((1, 0), [[0, 1]])
    D = Diagram([2, 2, None], [[1], [0], [2]])  # any labelling: the result is canonical
    assert D == parse("[a][b][ab]") and D.automorphism_count == 2

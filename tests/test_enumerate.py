"""Enumeration is exact: compared with an independent brute force (orders <= 5)
and, beyond, with the orbit-counting identity."""

from __future__ import annotations

import functools
import itertools
import random
from fractions import Fraction
from math import factorial

import pytest
import strategies as S

import diagrams as dg
from diagrams import Diagram, count_diagrams, enumerate_diagrams
from diagrams.core import counting


@functools.cache
def brute(d: int, root_tied: bool) -> tuple:
    """Brute-force representatives: every labelled tree up to order 3, one labelled tree
    per tree shape at orders 4 and 5 (the same classes, see
    strategies.brute_force_diagrams; checked at order 3 below)."""
    return tuple(S.brute_force_diagrams(d, root_tied, all_labelled_trees=d <= 3))


@pytest.mark.parametrize("root_tied", [False, True])
def test_shape_reduction_is_harmless(root_tied):
    by_shapes = {from_structure(s) for s in S.brute_force_diagrams(3, root_tied, all_labelled_trees=False)}
    assert by_shapes == {from_structure(s) for s in brute(3, root_tied)}
    assert len(by_shapes) == len(brute(3, root_tied))


def from_structure(structure) -> Diagram:
    parent, part_of = structure
    return Diagram.from_tree(parent, S.blocks(part_of))


@functools.cache
def enumerated(d: int, root_tied: bool = False, linkless: bool = False) -> tuple:
    return tuple(enumerate_diagrams(d, root_tied=root_tied, linkless=linkless))


CASES = [(d, rt) for d in range(6) for rt in (False, True)]


# -- the reference implementation itself ------------------------------------------------


def test_reference_combinatorics():
    # Bell numbers 1, 1, 2, 5, 15, 52, 203 (OEIS A000110) and Cayley's (d+1)^(d-1).
    assert [S.bell(n) for n in range(7)] == [1, 1, 2, 5, 15, 52, 203]
    for n in range(7):
        parts = list(S.set_partitions(range(n)))
        assert len(parts) == S.bell(n)
        assert len({frozenset(map(frozenset, p)) for p in parts}) == len(parts)
    for d in range(6):
        trees = list(S.labelled_rooted_trees(d))
        assert len(set(trees)) == len(trees) == Fraction(d + 1) ** (d - 1)
        assert all(t[d] is None for t in trees)
    # Unlabelled rooted trees with 1..6 nodes: 1, 1, 2, 4, 9, 20 (OEIS A000081).
    assert [len(S.tree_shapes(d)) for d in range(6)] == [1, 1, 2, 4, 9, 20]


def test_brute_force_counts_match_spec():
    # SPEC §2: 1, 1, 4, 17, 101 diagrams of order 0..4 (not root-tied).
    assert [len(brute(d, False)) for d in range(5)] == [1, 1, 4, 17, 101]


def test_root_tied_small_counts_by_hand():
    # Order 0: the root has no one to share with -> none.  Order 1: [a:a] only.
    # Order 2: star r(a,b): {r,a}{b} ~ {r,b}{a}, {r,a,b} -> 2;
    #          chain r-m-l: {r,m}{l}, {r,l}{m}, {r,m,l} -> 3.  Total 5.
    assert [count_diagrams(d, root_tied=True) for d in range(3)] == [0, 1, 5]
    assert [len(brute(d, True)) for d in range(3)] == [0, 1, 5]
    assert [str(D) for D in enumerated(1, True)] == [str(dg.parse("[a:a]"))]


def test_order_two_is_the_four_of_the_spec():
    # SPEC §2: root with two single leaves; two tied leaves; chain of two;
    # chain of two whose leaf and middle node are tied.
    expected = {
        Diagram.from_tree([None, 0, 0], [[0], [1], [2]]),
        Diagram.from_tree([None, 0, 0], [[0], [1, 2]]),
        Diagram.from_tree([None, 0, 1], [[0], [1], [2]]),
        Diagram.from_tree([None, 0, 1], [[0], [1, 2]]),
    }
    assert len(expected) == 4
    assert set(enumerated(2)) == expected
    assert len(enumerated(2)) == 4


def test_linkless_order_three_by_hand():
    # Order-3 trees (4 nodes) and their partitions, links = single degree-2 non-root nodes:
    #   star r(x,y,z): 3 partitions up to S3, no degree-2 node        -> 3 linkless of 3
    #   r(x, m(y)):    5 partitions, m must be tied                   -> 3 linkless of 5
    #   r(m(y1,y2)):   4 partitions up to y1<->y2, m has degree 3     -> 4 linkless of 4
    #   chain r-m1-m2-l: 5 partitions, m1 and m2 both tied: {m1,m2}{l}, {m1,m2,l} -> 2 of 5
    # Totals 3+5+4+5 = 17 and 3+3+4+2 = 12.
    assert len(enumerated(3)) == 17
    assert len(enumerated(3, linkless=True)) == 12
    assert count_diagrams(3, linkless=True) == 12


# -- exact comparison with the brute force ------------------------------------------------


@pytest.mark.parametrize("d,root_tied", CASES)
def test_enumeration_equals_brute_force(d, root_tied):
    reference = {from_structure(s) for s in brute(d, root_tied)}
    # The brute force found pairwise non-isomorphic structures; the package must agree.
    assert len(reference) == len(brute(d, root_tied))
    found = enumerated(d, root_tied)
    assert len(set(found)) == len(found), "enumerate_diagrams yielded a duplicate"
    assert set(found) == reference
    assert count_diagrams(d, root_tied=root_tied) == len(reference)
    assert len({str(D) for D in found}) == len(found)


@pytest.mark.parametrize("d,root_tied", CASES)
def test_properties_agree_with_reference(d, root_tied):
    for structure in brute(d, root_tied):
        D = from_structure(structure)
        assert D.order == d
        assert D.is_root_tied == root_tied == S.is_root_tied(structure)
        assert D.is_linkless == S.is_linkless(structure)
        assert D.automorphism_count == S.brute_force_automorphisms(structure), str(D)


@pytest.mark.parametrize("d,root_tied", CASES)
def test_linkless_filter(d, root_tied):
    reference = {from_structure(s) for s in brute(d, root_tied) if S.is_linkless(s)}
    found = enumerated(d, root_tied, linkless=True)
    assert len(set(found)) == len(found)
    assert set(found) == reference
    assert set(found) == {D for D in enumerated(d, root_tied) if D.is_linkless}
    assert count_diagrams(d, root_tied=root_tied, linkless=True) == len(reference)


@pytest.mark.parametrize("d,root_tied", CASES + [(6, False)])
def test_yielded_diagrams_are_canonical(d, root_tied):
    rng = random.Random(d)
    found = enumerated(d, root_tied)
    if d == 6:
        found = found[::25]  # a sample of the 5861, to keep the suite fast
    for index, D in enumerate(found):
        parent = list(D.parent) + [None]
        again = Diagram.from_tree(parent, D.parts)
        assert again == D and str(again) == str(D)
        reread = dg.parse(str(D))
        assert reread == D and str(reread) == str(D)
        # The canonical data themselves are as documented: postorder, root last.
        assert all(D.parent[v] > v for v in range(D.order))
        assert D.part_of[-1] == max(D.part_of)
        if index % 4:
            continue  # the renumbering check on a quarter of them, for speed
        # A random renumbering of the same structure re-canonicalizes to D too.
        n = D.order + 1
        perm = list(range(n))
        rng.shuffle(perm)
        moved = S.relabel((tuple(parent), D.part_of), perm)
        assert from_structure(moved) == D


def test_enumeration_is_deterministic():
    assert [str(D) for D in enumerate_diagrams(4)] == [str(D) for D in enumerate_diagrams(4)]


# -- beyond brute force: orbit counting ----------------------------------------------------


def orbit_sum(diagrams) -> tuple[Fraction, int]:
    total, n = Fraction(0), 0
    for D in diagrams:
        total += Fraction(factorial(D.order), D.automorphism_count)
        n += 1
    return total, n


def test_orbit_identity_ordinary():
    """Σ_D d!/|Aut(D)| = (d+1)^(d-1) · Bell(d).

    Labelled rooted trees on nodes 0..d with the root fixed at d number
    (d+1)^(d-1) (Cayley: (d+1)^(d-1) labelled trees on d+1 vertices, each rooted at
    d in one way); decorating the d non-root nodes with a set partition gives
    (d+1)^(d-1)·Bell(d) labelled diagrams.  S_d acts on the non-root labels; the
    orbits are the diagrams and the stabilizer of a labelled copy of D is Aut(D)
    (automorphisms fix the root), so each D accounts for d!/|Aut(D)| of them.
    """
    for d in range(7):
        found = enumerated(d)
        assert len(set(found)) == len(found)
        total, _ = orbit_sum(found)
        assert total == Fraction(d + 1) ** (d - 1) * S.bell(d), d


@pytest.mark.parametrize("d", range(6))
def test_orbit_identity_root_tied(d):
    """Root-tied: the partition is of all d+1 nodes with the root's block of size >= 2.
    Partitions of d+1 nodes with the root alone are partitions of the other d, so there
    are Bell(d+1) − Bell(d) of them; the orbit argument is as for ordinary diagrams."""
    total, _ = orbit_sum(enumerate_diagrams(d, root_tied=True))
    assert total == Fraction(d + 1) ** (d - 1) * (S.bell(d + 1) - S.bell(d))


@pytest.mark.parametrize("d", range(6))
def test_orbit_identity_linkless(d):
    # Being linkless is invariant under relabelling, so the orbit identity restricts:
    # Σ over linkless D of d!/|Aut(D)| = number of labelled linkless structures,
    # counted here directly (labelled tree × partition, test the link rule).
    labelled = 0
    for parent in S.labelled_rooted_trees(d):
        for partition in S.set_partitions(range(d)):
            part_of = [len(partition)] * (d + 1)
            for i, block in enumerate(partition):
                for v in block:
                    part_of[v] = i
            labelled += S.is_linkless((parent, tuple(part_of)))
    total, _ = orbit_sum(enumerate_diagrams(d, linkless=True))
    assert total == labelled


# -- argument validation --------------------------------------------------------------------


def test_enumerate_validates_eagerly():
    with pytest.raises(ValueError, match="order"):
        enumerate_diagrams(-1)  # no next() needed
    with pytest.raises(ValueError, match="order"):
        enumerate_diagrams(dg.MAX_ORDER + 1)
    with pytest.raises(TypeError, match="int"):
        enumerate_diagrams(1.5)
    with pytest.raises(TypeError):
        enumerate_diagrams("3")
    with pytest.raises(TypeError):
        enumerate_diagrams(True)
    with pytest.raises(ValueError):
        count_diagrams(-2)


def test_enumerate_returns_fresh_iterators():
    first = enumerate_diagrams(2)
    assert next(iter(first)) in set(enumerated(2))
    assert len(list(enumerate_diagrams(2))) == 4
    assert len(list(itertools.islice(enumerate_diagrams(3), 5))) == 5


# -- exact counts without enumerating (diagrams.core.counting) -------------------------------

COUNT_KINDS = [
    {},
    {"linkless": True},
    {"root_tied": True},
    {"root_tied": True, "linkless": True},
]


@pytest.mark.parametrize("kind", COUNT_KINDS, ids=lambda k: "-".join(k) or "all")
def test_exact_counts_equal_enumeration(kind):
    for d in range(8):
        assert count_diagrams(d, **kind) == sum(1 for _ in enumerate_diagrams(d, **kind)), d


def test_exact_counts_satisfy_the_orbit_identity_at_order_seven():
    """The orbit identity (see test_orbit_identity_ordinary) holds at order 7 too, over the
    diagrams whose number the closed count gives."""
    total, n = orbit_sum(enumerate_diagrams(7))
    assert total == Fraction(8) ** 6 * S.bell(7)
    assert n == count_diagrams(7)


def invariant_partitions_by_brute_force(cycles) -> int:
    """Set partitions of 0..n-1 mapped onto themselves by a permutation with these cycle lengths."""
    perm, start = [], 0
    for length in cycles:
        perm += [start + (i + 1) % length for i in range(length)]
        start += length
    fixed = 0
    for partition in S.set_partitions(range(start)):
        blocks = {frozenset(b) for b in partition}
        fixed += all(frozenset(perm[v] for v in b) in blocks for b in blocks)
    return fixed


def cycle_types(n: int, largest: int | None = None):
    """Every multiset of cycle lengths adding up to n (partitions of n), longest first."""
    if n == 0:
        yield ()
        return
    for first in range(min(n, largest or n), 0, -1):
        for rest in cycle_types(n - first, first):
            yield (first,) + rest


def test_invariant_partitions_by_brute_force():
    for n in range(8):
        for cycles in cycle_types(n):
            assert counting.invariant_partitions(cycles) == invariant_partitions_by_brute_force(cycles), cycles
    assert [counting.invariant_partitions((1,) * n) for n in range(8)] == [S.bell(n) for n in range(8)]


def tree_automorphisms(parent) -> list[tuple[int, ...]]:
    """All permutations of the nodes that map the rooted tree to itself (brute force)."""
    n = len(parent)
    return [
        g
        for g in itertools.permutations(range(n))
        if all(
            (parent[v] is None) == (parent[g[v]] is None) and (parent[v] is None or g[parent[v]] == parent[g[v]])
            for v in range(n)
        )
    ]


@pytest.mark.parametrize("root_tied", [False, True])
def test_counts_by_burnside_on_each_tree(root_tied):
    """Burnside's lemma shape by shape, with automorphisms and fixed partitions by brute force
    (no cycle index, no formula for fixed partitions), against the closed count."""
    for d in range(6):
        total = Fraction(0)
        for tree in S.tree_shapes(d):
            group = tree_automorphisms(tree)
            root = S.root_of(tree)
            fixed = 0
            for g in group:
                nodes = [v for v in range(d + 1) if root_tied or v != root]
                for partition in S.set_partitions(nodes):
                    blocks = {frozenset(b) for b in partition}
                    if root_tied and len(next(b for b in blocks if root in b)) == 1:
                        continue
                    fixed += all(frozenset(g[v] for v in b) in blocks for b in blocks)
            total += Fraction(fixed, len(group))
        assert total == count_diagrams(d, root_tied=root_tied), d


def test_counts_grow_to_order_twelve_and_refuse_bad_input():
    counts = [count_diagrams(d) for d in range(13)]
    assert counts[:9] == [1, 1, 4, 17, 101, 700, 5861, 55818, 598201]
    assert all(a < b for a, b in zip(counts[1:], counts[2:]))
    for root_tied in (False, True):
        assert count_diagrams(12, linkless=True, root_tied=root_tied) < count_diagrams(12, root_tied=root_tied)
    with pytest.raises(ValueError, match="workers"):
        count_diagrams(3, workers=0)
    with pytest.raises(TypeError):
        count_diagrams(2.0)
    with pytest.raises(ValueError):
        counting.diagram_count(counting.COUNT_MAX_ORDER + 1)

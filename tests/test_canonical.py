"""The fast canonical form equals the reference one (tests/reference_canonical.py) on
every input, and enumeration yields the same canonical strings, |Aut| and order as
before it was made fast (golden digests recorded with the reference implementation)."""

from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import given, settings

import diagrams as dg
import reference_canonical as reference
import strategies as S
from diagrams.core import enumeration
from diagrams.core.canonical import TreeSearch, canonical_form, emit

# sha256 of "\n".join(f"{D} {|Aut(D)|}") over enumerate_diagrams(d, root_tied=...),
# recorded with the reference canonical form and the original generate-and-deduplicate
# enumerator; orders 7 give 55 818 / 201 427 diagrams (digests 7ae53eee41e6095b, 35e9f675ecf5f628).
GOLDEN = {
    (4, False): (101, "7902cadafff8d6a8"),
    (4, True): (228, "fdae973cc6b5ec9d"),
    (5, False): (700, "78e0cf529aeae7ac"),
    (5, True): (1933, "02f259db8c25627e"),
    (6, False): (5861, "0099c12fa42bc746"),
    (6, True): (18672, "73870ec2177d1ea4"),
}


def digest(diagrams) -> tuple[int, str]:
    lines = [f"{D} {D.automorphism_count}" for D in diagrams]
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


@pytest.mark.parametrize("case", sorted(GOLDEN), ids=str)
def test_enumeration_output_is_unchanged(case):
    d, root_tied = case
    assert digest(dg.enumerate_diagrams(d, root_tied=root_tied)) == GOLDEN[case]


@pytest.mark.parametrize("root_tied", [False, True])
def test_streamed_partitions_equal_the_table(monkeypatch, root_tied):
    """Large orders stream the set partitions instead of using the shared table: same output."""
    tabled = {(d, lk): list(dg.enumerate_diagrams(d, root_tied=root_tied, linkless=lk)) for d in range(6) for lk in (0, 1)}
    monkeypatch.setattr(enumeration, "TABLE_NODES", 0)
    for (d, lk), expected in tabled.items():
        assert list(dg.enumerate_diagrams(d, root_tied=root_tied, linkless=lk)) == expected


@settings(max_examples=300, deadline=None)
@given(S.structures(max_nodes=14))
def test_fast_equals_reference_on_random_structures(structure):
    parent, part_of = structure
    assert canonical_form(parent, part_of) == reference.canonical_form(parent, part_of)


def symmetric_structure(rng: random.Random) -> tuple[tuple, tuple]:
    """k copies of a random small subtree under one node, parts repeated or paired across
    copies (many automorphisms, deep searches), then randomly renumbered."""
    m, k = rng.randint(1, 4), rng.randint(2, 4)
    sub_parent = [None] + [rng.randrange(i) for i in range(1, m)]  # node 0 is the subtree root
    parent: list = [None]  # node 0: the root
    part_of: list = ["root"]
    pattern = [rng.choice("aabc") for _ in range(m)]
    tie_across = rng.random() < 0.5
    for copy in range(k):
        base = len(parent)
        for i in range(m):
            parent.append(0 if sub_parent[i] is None else base + sub_parent[i])
            label = pattern[i]
            part_of.append((label, copy // 2) if tie_across else (label, copy) if label != "a" else ("a",))
    if rng.random() < 0.3:
        part_of[0] = part_of[1]  # root-tied
    perm = list(range(len(parent)))
    rng.shuffle(perm)
    return S.relabel((tuple(parent), tuple(part_of)), perm)


def test_fast_equals_reference_on_symmetric_structures():
    rng = random.Random(7)
    for _ in range(400):
        parent, part_of = symmetric_structure(rng)
        assert canonical_form(parent, part_of) == reference.canonical_form(parent, part_of), (parent, part_of)


@pytest.mark.parametrize("root_tied", [False, True])
def test_every_partition_of_every_shape(root_tied):
    """One TreeSearch per shape, reused for all its partitions (as enumeration does)."""
    n = 6
    for tree in enumeration._rooted_trees(n):
        parent, _ = enumeration._layout(tree)
        search = TreeSearch(parent)
        for rgs in enumeration._set_partitions(n, root_tied):
            assert search.canonical_form(rgs) == reference.canonical_form(parent, rgs)


def test_emit_reads_the_certificate():
    # a root with a tied pair of leaves and a chain of two whose end is tied to the root
    cert = (5, 2, ((2, 0, ((1, 2, ()),)), (1, 1, ()), (1, 1, ())))
    expected = ((1, 4, 4, 4), (2, 0, 1, 1, 2), 2)
    assert emit(cert) == expected
    assert reference.canonical_form([1, 4, 4, 4, None], [2, 0, 1, 1, 2]) == expected
    assert str(dg.Diagram.from_canonical(*expected)) == "[ab][c:d][a:bcd]"

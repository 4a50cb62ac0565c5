"""The fast canonical form equals the reference one (tests/reference_canonical.py) on
every input, and enumeration yields the same canonical strings, |Aut| and order as
before it was made fast (golden digests recorded with the reference implementation)."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest
import reference_canonical as reference
import strategies as S
from hypothesis import given, settings

import diagrams as dg
from diagrams.core import enumeration
from diagrams.core.canonical import BATCH_NODES, TreeBatch, TreeSearch, canonical_form, emit

# sha256 of "\n".join(f"{D} {|Aut(D)|}") over enumerate_diagrams(d, root_tied=...),
# recorded with the reference canonical form and the original generate-and-deduplicate
# enumerator; order 7 root-tied (201 427 diagrams) gives 35e9f675ecf5f628.
GOLDEN = {
    (4, False): (101, "7902cadafff8d6a8"),
    (4, True): (228, "fdae973cc6b5ec9d"),
    (5, False): (700, "78e0cf529aeae7ac"),
    (5, True): (1933, "02f259db8c25627e"),
    (6, False): (5861, "0099c12fa42bc746"),
    (6, True): (18672, "73870ec2177d1ea4"),
    (7, False): (55818, "7ae53eee41e6095b"),
}


def digest(diagrams) -> tuple[int, str]:
    lines = [f"{D} {D.automorphism_count}" for D in diagrams]
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


@pytest.mark.parametrize("case", sorted(GOLDEN), ids=str)
def test_enumeration_output_is_unchanged(case):
    d, root_tied = case
    assert digest(dg.enumerate_diagrams(d, root_tied=root_tied)) == GOLDEN[case]


@pytest.mark.parametrize("root_tied", [False, True])
def test_partitions_stream_in_chunks_and_search_alone(monkeypatch, root_tied):
    """The batch on every shape, chunks of a few rows (orbits met again in a later chunk) and
    the search without the batch (trees too big to pack) give the same output as the default
    (batch on the table, search on shapes with few candidates)."""
    tabled = {
        (d, lk): list(dg.enumerate_diagrams(d, root_tied=root_tied, linkless=lk)) for d in range(6) for lk in (0, 1)
    }
    monkeypatch.setattr(enumeration, "SEARCH_ROWS", 0)  # every shape through the batch
    for (d, lk), expected in tabled.items():
        assert list(dg.enumerate_diagrams(d, root_tied=root_tied, linkless=lk)) == expected
    monkeypatch.setattr(enumeration, "TABLE_NODES", 0)
    monkeypatch.setattr(enumeration, "CHUNK_ROWS", 7)
    for (d, lk), expected in tabled.items():
        assert list(dg.enumerate_diagrams(d, root_tied=root_tied, linkless=lk)) == expected
    monkeypatch.setattr(enumeration, "BATCH_NODES", 0)
    for (d, lk), expected in tabled.items():
        found = list(dg.enumerate_diagrams(d, root_tied=root_tied, linkless=lk))
        assert [(D, D.automorphism_count) for D in found] == [(D, D.automorphism_count) for D in expected]


def children_first(structure) -> tuple[tuple, list[int]]:
    """The structure renumbered in postorder (children before parents, root last), as
    TreeBatch wants it, with its parts numbered 0, 1, ..."""
    parent, part_of = structure
    n = len(parent)
    kids = [[] for _ in range(n)]
    for v, p in enumerate(parent):
        if p is not None:
            kids[p].append(v)
    order, stack = [], [(S.root_of(parent), False)]
    while stack:
        v, done = stack.pop()
        if done:
            order.append(v)
        else:
            stack.append((v, True))
            stack.extend((c, False) for c in kids[v])
    new = {v: i for i, v in enumerate(order)}
    names: dict = {}
    renamed_parent = tuple(None if parent[v] is None else new[parent[v]] for v in order)
    return renamed_parent, [names.setdefault(part_of[v], len(names)) for v in order]


def check_batch(structures) -> int:
    """TreeBatch's finished rows equal the reference canonical form; returns how many finished."""
    finished = 0
    for structure in structures:
        parent, rgs = children_first(structure)
        done, parents, part_of, auts = TreeBatch(parent).canonical_forms(np.array([rgs]))
        if done[0]:
            got = (tuple(parents[0].tolist()), tuple(part_of[0].tolist()), int(auts[0]))
            assert got == reference.canonical_form(*structure), structure
            finished += 1
    return finished


@settings(max_examples=300, deadline=None)
@given(S.structures(max_nodes=14))
def test_batch_equals_reference_on_random_structures(structure):
    check_batch([structure])


def test_batch_equals_reference_on_symmetric_structures():
    rng = random.Random(11)
    structures = [symmetric_structure(rng) for _ in range(600)]
    assert check_batch([s for s in structures if len(s[0]) <= BATCH_NODES]) > 100


@pytest.mark.parametrize("root_tied", [False, True])
def test_batch_of_every_partition_of_every_shape(root_tied):
    """One TreeBatch per shape over the whole RGS table, as enumeration runs it: every
    row it finishes equals the search's answer, and it leaves few to the search."""
    n, left, total = 7, 0, 0
    table = np.array(list(enumeration._set_partitions(n, root_tied)))
    for tree in enumeration._rooted_trees(n):
        parent, _ = enumeration._layout(tree)
        search = TreeSearch(parent)
        done, parents, part_of, auts = TreeBatch(parent).canonical_forms(table)
        for i, rgs in enumerate(table.tolist()):
            if done[i]:
                got = (tuple(parents[i].tolist()), tuple(part_of[i].tolist()), int(auts[i]))
                assert got == search.canonical_form(rgs), (parent, rgs)
        left += int((~done).sum())
        total += len(table)
    assert left < total // 20


def test_batch_refuses_trees_it_cannot_pack():
    with pytest.raises(ValueError, match="children first"):
        TreeBatch((None, 0))  # root first
    with pytest.raises(ValueError, match="at most"):
        TreeBatch(tuple(range(1, 16)) + (None,))


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

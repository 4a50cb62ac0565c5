"""Schedules and embedding counts, checked against a brute-force count over the grid."""

from __future__ import annotations

import re
import time
from functools import cache
from itertools import product

import pytest
import sympy

from diagrams import enumerate_diagrams, parse
from diagrams.core.diagram import EDGE_LETTERS
from diagrams.core.schedule import Schedule, ScheduleError, count_embeddings, embedding_polynomial

SCHEDULES = [(3, 1, 1), (2, 1, 2), (2, 2, 1), (4, 2, 1), (2, 1, 3), (4, 2, 2), (6, 3, 2), (6, 2, 3)]
SMALL_SCHEDULES = [S for S in SCHEDULES if S[0] * S[2] <= 8]  # at most 8 cells


# -- independent oracle -------------------------------------------------------


def brute_force_count(parent, parts, N, B, E):
    """Labelled embeddings, found one by one among all maps of the non-root nodes to cells.

    ``parent[v] > v`` is v's parent (the root is ``len(parent)``), ``parts``
    partitions all nodes.  Nodes are placed from the root down, each on every
    cell in turn, skipping a cell that breaks a rule with a placed node.
    """
    M, d = N // B, len(parent)
    T = E * M
    row_cells = [[(n, t) for t in range(T) if t % M == n // B] for n in range(N)]
    mates = {v: [u for u in part if u != v and u != d] for part in parts for v in part}
    placed = {d: (None, T)}

    def place(v):
        if v < 0:
            return 1
        rows = {placed[u][0] for u in mates[v] if u in placed} or range(N)
        total = 0
        for n in rows:
            for cell in row_cells[n]:
                if cell[1] < placed[parent[v]][1]:
                    placed[v] = cell
                    total += place(v - 1)
                    del placed[v]
        return total

    return place(d - 1)


def text_of(parent, parts):
    """Bracket notation of a labelled tree with parts (root last in the last part)."""
    d = len(parent)
    letters = [[] for _ in range(d + 1)]
    for v, p in enumerate(parent):
        letters[v].append(EDGE_LETTERS[v])
        letters[p].append(EDGE_LETTERS[v])
    parts = sorted((sorted(part, key=lambda v: v == d) for part in parts), key=lambda part: d in part)
    return "".join("[" + ":".join("".join(letters[v]) for v in part) + "]" for part in parts)


def set_partitions(items):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in set_partitions(rest):
        yield [[first], *partition]
        for i in range(len(partition)):
            yield [*partition[:i], [first, *partition[i]], *partition[i + 1 :]]


@cache
def labelled_diagrams(d):
    """{diagram: (parent, parts)} over every increasing tree on d edges and every partition."""
    found = {}
    for parent in product(*(range(v + 1, d + 1) for v in range(d))):
        for parts in set_partitions(list(range(d + 1))):
            found.setdefault(parse(text_of(parent, parts)), (parent, parts))
    return found


def all_diagrams(d):
    """Every diagram of order d, ordinary and root-tied."""
    return [*enumerate_diagrams(d), *enumerate_diagrams(d, root_tied=True)]


# -- the oracle itself ----------------------------------------------------------


def test_oracle_on_hand_counts():
    # one leaf: any of the N·E cells; two tied leaves: a row, then E·E times.
    assert brute_force_count((1,), [[0], [1]], 4, 2, 2) == 8
    assert brute_force_count((2, 2), [[0, 1], [2]], 4, 2, 2) == 4 * 2 * 2
    # chain with leaf tied to middle: same row, so epochs strictly increase.
    assert brute_force_count((1, 2), [[0, 1], [2]], 2, 1, 3) == 2 * 3


# -- counts against the oracle ----------------------------------------------------


@pytest.mark.parametrize("N,B,E", SCHEDULES)
@pytest.mark.parametrize("d", [0, 1, 2, 3, 4])
def test_counts_match_brute_force(d, N, B, E):
    schedule = Schedule(N, B, E)
    for diagram, (parent, parts) in labelled_diagrams(d).items():
        expected = brute_force_count(parent, parts, N, B, E)
        assert count_embeddings(diagram, schedule) == expected, (str(diagram), schedule)


@pytest.mark.parametrize("N,B,E", SMALL_SCHEDULES)
def test_counts_match_brute_force_order_5(N, B, E):
    schedule = Schedule(N, B, E)
    for diagram in all_diagrams(5):
        expected = brute_force_count(diagram.parent, diagram.parts, N, B, E)
        assert count_embeddings(diagram, schedule) == expected, str(diagram)


def test_labelled_diagrams_are_the_enumerated_ones():
    for d in range(5):
        assert set(labelled_diagrams(d)) == set(all_diagrams(d))


def test_counts_are_exact_sympy_integers():
    value = count_embeddings(parse("[a:b][ab]"), Schedule(4, 2, 2))
    assert isinstance(value, sympy.Integer) and value == 4 * 2 * 2


# -- closed forms from the spec ---------------------------------------------------


def test_order_two_coefficients_of_spec_section_5():
    """Σ_D L(D)/(B²|Aut D|) per value reproduces the order-η² term of SPEC §5."""
    N, B, E = sympy.symbols("N B E")
    T = E * N / B

    def L(text):
        poly = embedding_polynomial(parse(text))
        return poly.as_expr().subs(dict(zip(poly.gens, (N / B, B, E))))

    GHG = L("[a][b][ab]") / 2 + L("[a][ab][b]")  # two diagrams share the value G·H·G
    assert sympy.simplify(GHG / B**2 - T * (T - sympy.Rational(1, 2))) == 0
    assert sympy.simplify(L("[a:b][ab]") / (2 * B**2) - T**2 / (2 * N)) == 0
    assert sympy.simplify(L("[a:ab][b]") / B**2 - T * (E - 1) / (2 * B)) == 0


def test_skewness_and_gap_leaders():
    T = sympy.Symbol("T")
    assert count_embeddings(parse("[a:b:c][abc]"), Schedule.sgd(T)) == T
    assert count_embeddings(parse("[a:a]"), Schedule.sgd(T)) == T  # gap leader T·tr(ηC)/N at N = T
    assert count_embeddings(parse("[]"), Schedule(6, 2, 3)) == 1


def test_ancestor_tied_to_descendant_never_embeds_in_single_epoch_sgd():
    for diagram in labelled_diagrams(4):
        ancestor_tied = any(_ancestor(diagram, u, v) for part in diagram.parts for u in part for v in part if u != v)
        if ancestor_tied and not diagram.is_root_tied:
            assert count_embeddings(diagram, Schedule.sgd(sympy.Symbol("T"))) == 0, str(diagram)


def _ancestor(diagram, u, v):
    while v < diagram.order:
        v = diagram.parent[v]
        if v == u:
            return True
    return False


# -- symbolic schedules -----------------------------------------------------------


def test_symbolic_sgd_and_gd_agree_with_concrete_schedules():
    T, N = sympy.symbols("T N", positive=True, integer=True)
    for diagram in [*labelled_diagrams(3), *list(labelled_diagrams(4))[::7]]:
        sgd = count_embeddings(diagram, Schedule.sgd(T))
        gd = count_embeddings(diagram, Schedule.gd(N, T))
        for t in range(1, 7):
            assert sgd.subs(T, t) == count_embeddings(diagram, Schedule.sgd(t)), str(diagram)
            for n in (1, 2, 5):
                assert gd.subs({N: n, T: t}) == count_embeddings(diagram, Schedule.gd(n, t)), str(diagram)


def test_symbolic_epochs():
    N, E = sympy.symbols("N E")
    assert count_embeddings(parse("[a:ab][b]"), Schedule(6, 2, E)) == sympy.expand(3 * E * (E - 1))
    for diagram in labelled_diagrams(3):
        multi_epoch_sgd = count_embeddings(diagram, Schedule(N, 1, E))
        for n, e in product(range(1, 4), repeat=2):
            assert multi_epoch_sgd.subs({N: n, E: e}) == count_embeddings(diagram, Schedule(n, 1, e))


def test_polynomial_matches_concrete_counts():
    M, B, E = embedding_polynomial(parse("[a][a]")).gens
    for diagram in labelled_diagrams(3):
        poly = embedding_polynomial(diagram)
        for N, B_, E_ in SCHEDULES:
            assert poly.eval({M: N // B_, B: B_, E: E_}) == count_embeddings(diagram, Schedule(N, B_, E_))


@pytest.mark.parametrize("B", [1, 10, 1000])
def test_large_schedule_is_instant_and_agrees_with_the_polynomial(B):
    schedule = Schedule(N=1000, B=B, E=5)
    diagrams = all_diagrams(4)
    for diagram in diagrams:
        embedding_polynomial(diagram)  # warm the per-diagram tables
    start = time.perf_counter()
    counts = [count_embeddings(D, schedule) for D in diagrams]
    assert time.perf_counter() - start < 1
    for diagram, count in zip(diagrams, counts):
        poly = embedding_polynomial(diagram)
        assert poly.eval(dict(zip(poly.gens, (1000 // B, B, 5)))) == count


def test_large_schedule_known_counts():
    assert count_embeddings(parse("[a][b][ab]"), Schedule(1000, 1, 5)) == 5000**2
    assert count_embeddings(parse("[a:b][ab]"), Schedule(1000, 10, 5)) == 1000 * 5**2
    assert count_embeddings(parse("[a:ab][b]"), Schedule(1000, 10, 5)) == 1000 * 10


# -- Schedule ---------------------------------------------------------------------


def test_schedule_properties():
    S = Schedule(6, 2, 3)
    assert (S.T, S.steps_per_epoch, S.is_single_epoch_sgd, S.is_full_batch) == (9, 3, False, False)
    assert Schedule.sgd(5) == Schedule(5) and Schedule.sgd(5).is_single_epoch_sgd
    assert Schedule.gd(4, 7) == Schedule(4, 4, 7) and Schedule.gd(4, 7).T == 7
    T, N = sympy.symbols("T N")
    assert Schedule.sgd(T).T == T and Schedule.gd(N, T).T == T and Schedule.gd(N, T).is_full_batch
    assert Schedule(sympy.Integer(4), sympy.Integer(2)) == Schedule(4, 2)
    assert hash(Schedule(4, 2)) == hash(Schedule(4, 2, 1))


@pytest.mark.parametrize(
    "args,message",
    [
        ((6, 4, 1), "B=4 must divide N=6"),
        ((2, 4, 1), "B=4 must divide N=2"),
        ((0, 1, 1), "N must be a positive int, got 0"),
        ((3, 1, -2), "E must be a positive int, got -2"),
        ((3.0, 1, 1), "N must be a positive int or a sympy Symbol, got 3.0"),
        ((True, 1, 1), "N must be a positive int or a sympy Symbol, got True"),
        ((sympy.Rational(1, 2), 1, 1), "got 1/2"),
        (("6", 1, 1), "got '6'"),
        ((sympy.Symbol("N"), 2, 1), "B=2 divides N=N"),
        ((6, sympy.Symbol("b"), 1), "B=b divides N=6"),
        ((sympy.Symbol("N", negative=True), 1, 1), "N must be a positive integer"),
    ],
)
def test_schedule_rejects_bad_values(args, message):
    with pytest.raises(ScheduleError, match=re.escape(message)):
        Schedule(*args)
    assert issubclass(ScheduleError, ValueError)


def test_count_needs_a_schedule():
    with pytest.raises(TypeError):
        count_embeddings(parse("[a][a]"), (3, 1, 1))

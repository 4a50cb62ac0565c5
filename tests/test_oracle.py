"""Checks of the brute-force oracle against math derived independently of it.

Statistics (G, H, C, ...) are computed here directly from the landscape with
sympy (differentiate, substitute the support values, average); nothing is
copied from the oracle's own output.
"""

from fractions import Fraction
from functools import lru_cache
from itertools import product
from math import comb, factorial

import pytest
import sympy as sp
from oracle_sgd import _count_embeddings_literal, _sgd_series_naive, count_embeddings_bruteforce, sgd_series

R = sp.Rational
th, u, v, x, eta = sp.symbols("theta u v x eta")

# random-ish quartic 1-D landscape, non-symmetric three-point noise
LOSS1 = R(1, 3) * th**4 + (R(1, 2) + x) * th**3 / 3 + (1 + x**2) * th**2 / 2 + (x - R(1, 4)) * th + x**2
DIST = {-1: R(1, 5), 0: R(1, 2), 2: R(3, 10)}
TH0_1 = {th: R(1, 2)}
# 2-D cubic landscape
LOSS2 = u**3 / 3 + x * u * v**2 + (1 + x) * u**2 / 2 + v**2 + x * u - x**2 * v + u * v + R(1, 2) * x * v**3
TH0_2 = {u: R(1, 3), v: R(-1, 2)}
SCHEDULES = [(3, 1, 1), (2, 1, 2), (2, 2, 1), (4, 2, 1), (2, 1, 3), (4, 2, 2)]


def mean(expr, at):
    """E_x[expr] evaluated at the point `at`."""
    return sp.nsimplify(sum(p * expr.subs(x, val) for val, p in DIST.items()).subs(at))


def cov(a, b, at):
    return mean(a * b, at) - mean(a, at) * mean(b, at)


def steps(N, B, E):
    return E * N // B


# ---------------------------------------------------------------- SGD series


@pytest.mark.parametrize("N,B,E", SCHEDULES)
def test_orders_0_1_and_2_in_1d(N, B, E):
    """SPEC §5 order-2 formula, 1-D, statistics taken straight from the landscape."""
    T = steps(N, B, E)
    res = sgd_series(LOSS1, [th], x, DIST, N, B, E, 2, theta0=TH0_1)["test_loss"]
    g, h = sp.diff(LOSS1, th), sp.diff(LOSS1, th, 2)
    G, H, C, CG = mean(g, TH0_1), mean(h, TH0_1), cov(g, g, TH0_1), cov(g, h, TH0_1)
    assert res[0] == mean(LOSS1, TH0_1)
    assert res[1] == -T * G**2
    assert res[2] == (T * (T - R(1, 2)) * G * H * G + R(T**2, 2 * N) * C * H + R(T * (E - 1), 2 * B) * CG * G)


@pytest.mark.parametrize("N,B,E", [(4, 2, 2), (2, 1, 2), (3, 3, 1)])
def test_orders_0_1_and_2_in_2d(N, B, E):
    """Same formula with indices contracted by the identity metric."""
    T, ps = steps(N, B, E), [u, v]
    res = sgd_series(LOSS2, ps, x, DIST, N, B, E, 2, theta0=TH0_2)["test_loss"]
    g = [sp.diff(LOSS2, p) for p in ps]
    h = [[sp.diff(LOSS2, p, q) for q in ps] for p in ps]
    G = [mean(a, TH0_2) for a in g]
    H = [[mean(a, TH0_2) for a in row] for row in h]
    rng = range(2)
    GHG = sum(G[i] * H[i][j] * G[j] for i in rng for j in rng)
    CH = sum(cov(g[i], g[j], TH0_2) * H[i][j] for i in rng for j in rng)
    CovG = sum(cov(g[i], h[i][j], TH0_2) * G[j] for i in rng for j in rng)
    assert res[0] == mean(LOSS2, TH0_2)
    assert res[1] == -T * sum(a * a for a in G)
    assert res[2] == T * (T - R(1, 2)) * GHG + R(T**2, 2 * N) * CH + R(T * (E - 1), 2 * B) * CovG


@pytest.mark.parametrize("N,B,E", [(3, 1, 1), (2, 1, 2), (4, 2, 2), (3, 3, 2)])
def test_gap_leading_term(N, B, E):
    """gap = η·T·C/N + O(η²) (SPEC §3 `[a:a]`); 1-D and 2-D (trace of C)."""
    T = steps(N, B, E)
    gap = sgd_series(LOSS1, [th], x, DIST, N, B, E, 1, theta0=TH0_1)["gap"]
    g = sp.diff(LOSS1, th)
    assert gap == [0, R(T, N) * cov(g, g, TH0_1)]
    gap2 = sgd_series(LOSS2, [u, v], x, DIST, N, B, E, 1, theta0=TH0_2)["gap"]
    trC = sum(cov(sp.diff(LOSS2, p), sp.diff(LOSS2, p), TH0_2) for p in (u, v))
    assert gap2 == [0, R(T, N) * trC]


@pytest.mark.parametrize("N,B,E", [(2, 1, 2), (4, 2, 2), (3, 1, 1)])
def test_quadratic_additive_noise_displacement(N, B, E):
    """Affine gradient: E[θ_{t+1}] = (I − ηA)E[θ_t] − η·E[noise], exactly."""
    A = sp.Matrix([[2, 1], [1, 3]])
    th_vec = sp.Matrix([u, v])
    loss = (th_vec.T * A * th_vec)[0] / 2 + x * (u - 2 * v) + x**2 * u
    noise = sp.Matrix([mean(sp.Integer(1) * x + x**2, {}), mean(-2 * x, {})])
    start = sp.Matrix([R(1, 2), R(-1, 3)])
    T = steps(N, B, E)
    m = start
    for _ in range(T):
        m = (sp.eye(2) - eta * A) * m - eta * noise
    res = sgd_series(loss, [u, v], x, DIST, N, B, E, T, theta0={u: start[0], v: start[1]}, observable=u)
    for j in range(2):
        want = sp.Poly(sp.expand(m[j] - start[j]), eta).all_coeffs()[::-1]
        want += [0] * (T + 1 - len(want))
        assert res["displacement"][j] == want
    assert res["observable"] == [start[0] + res["displacement"][0][0]] + res["displacement"][0][1:]


def test_mean_estimation_exact():
    """SPEC §6 test vector: l_x = Hθ²/2 + xSθ, E x = 0, E x² = 1, E=B=1; exact in η."""
    H, S, t0, T = R(3, 2), R(2, 3), R(1, 2), 3
    loss = H * th**2 / 2 + x * S * th
    K = 1 - eta * H
    exact = H / 2 * t0**2 * K ** (2 * T) + eta**2 * S**2 * H / 2 * sp.cancel((1 - K ** (2 * T)) / (1 - K**2))
    want = sp.Poly(sp.expand(exact), eta).all_coeffs()[::-1]
    res = sgd_series(loss, [th], x, {-1: R(1, 2), 1: R(1, 2)}, T, 1, 1, 2 * T, theta0={th: t0}, observable=th**2)
    assert res["test_loss"] == want
    assert res["observable"] == [c * 2 / H for c in want]


def test_compressed_enumeration_matches_naive():
    """Multiset/prefix-sharing enumeration equals literal enumeration of tuples."""
    for loss, ps, t0, sched, order in [
        (LOSS1, [th], TH0_1, (4, 2, 2), 4),
        (LOSS2, [u, v], TH0_2, (4, 2, 2), 3),
        (LOSS1, [th], TH0_1, (3, 3, 2), 3),
    ]:
        kw = dict(theta0=t0, observable=ps[0] ** 2)
        assert sgd_series(loss, ps, x, DIST, *sched, order, **kw) == _sgd_series_naive(
            loss, ps, x, DIST, *sched, order, **kw
        )


def _stats1():
    g, h = sp.diff(LOSS1, th), sp.diff(LOSS1, th, 2)
    return mean(g, TH0_1), mean(h, TH0_1), cov(g, h, TH0_1)


@pytest.mark.parametrize("N", [2, 3])
def test_corollary_batch(N):
    """SPEC §9, T = N: l_GD − l_SGD = η²(N−1)/2·Cov(l′,l″)·G + O(η³)."""
    G, H, CG = _stats1()
    gd = sgd_series(LOSS1, [th], x, DIST, N, N, N, 2, theta0=TH0_1)["test_loss"]
    sgd = sgd_series(LOSS1, [th], x, DIST, N, 1, 1, 2, theta0=TH0_1)["test_loss"]
    assert [a - b for a, b in zip(gd, sgd)] == [0, 0, R(N - 1, 2) * CG * G]


@pytest.mark.parametrize("N,M", [(2, 2), (3, 2), (2, 3)])
def test_corollary_epochs(N, M):
    """SPEC §9, B=1: M epochs at η₀/M minus one epoch at η₀, in powers of η₀."""
    G, H, CG = _stats1()
    many = sgd_series(LOSS1, [th], x, DIST, N, 1, M, 2, theta0=TH0_1)["test_loss"]
    one = sgd_series(LOSS1, [th], x, DIST, N, 1, 1, 2, theta0=TH0_1)["test_loss"]
    diff = [c / M**k - o for k, (c, o) in enumerate(zip(many, one))]
    assert diff == [0, 0, R(N, 2) * (1 - R(1, M)) * G * H * G + R(N * (M - 1), 2 * M) * CG * G]


# ---------------------------------------------------------------- embeddings


@pytest.mark.parametrize("N,B,E", SCHEDULES + [(6, 3, 2), (3, 3, 3)])
def test_one_leaf_counts_every_cell(N, B, E):
    assert count_embeddings_bruteforce((1,), ((0,), (1,)), N, B, E) == N * E
    assert count_embeddings_bruteforce((1,), ((0, 1),), N, B, E) == N * E  # root-tied [a:a]


@pytest.mark.parametrize("T", [1, 2, 3, 4, 5])
def test_single_epoch_sgd_counts(T):
    """E=B=1: tied leaves → T; chain → C(T,2); three tied leaves → T (SPEC §5);
    a part holding an ancestor–descendant pair → 0 (SPEC §7)."""

    def L(parent, parts):
        return count_embeddings_bruteforce(parent, parts, T, 1, 1)

    assert L((2, 2), ((0, 1), (2,))) == T
    assert L((2, 2), ((0,), (1,), (2,))) == T * T
    assert L((1, 2), ((0,), (1,), (2,))) == comb(T, 2)
    assert L((1, 2), ((0, 1), (2,))) == 0
    assert L((3, 3, 3), ((0, 1, 2), (3,))) == T


def _tree_order_maps(parent, T):
    """Number of time maps with every node strictly before its parent (root at T)."""
    d = len(parent)
    children = {j: [i for i in range(d) if parent[i] == j] for j in range(d + 1)}

    @lru_cache(None)
    def ways(node, below):  # node placed at a time < below
        return sum(_prod(ways(c, t) for c in children[node]) for t in range(below))

    return _prod(ways(c, T) for c in children[d])


def _prod(it):
    out = 1
    for a in it:
        out *= a
    return out


DIAGRAMS = [  # (parent, parts) with root = len(parent), ordinary (root alone)
    ((1,), ((0,), (1,))),
    ((2, 2), ((0,), (1,), (2,))),
    ((2, 2), ((0, 1), (2,))),
    ((1, 2), ((0,), (1,), (2,))),
    ((1, 2), ((0, 1), (2,))),
    ((3, 3, 3), ((0, 1, 2), (3,))),
    ((1, 3, 3), ((0, 2), (1,), (3,))),
    ((1, 2, 3), ((0, 2), (1,), (3,))),
    ((2, 2, 3), ((0,), (1, 2), (3,))),
]


@pytest.mark.parametrize("N,E", [(1, 3), (2, 2), (3, 1), (2, 3)])
@pytest.mark.parametrize("parent,parts", DIAGRAMS)
def test_gd_counts(parent, parts, N, E):
    """GD (B=N): L = N^{#parts} × #strictly order-preserving time maps (SPEC §5)."""
    nonroot_parts = sum(1 for p in parts if len(parent) not in p)
    assert count_embeddings_bruteforce(parent, parts, N, N, E) == N**nonroot_parts * _tree_order_maps(parent, E)


ROOT_TIED = [
    ((1,), ((0, 1),)),
    ((2, 2), ((0, 2), (1,))),
    ((1, 2), ((0, 2), (1,))),
    ((2, 2), ((0, 1, 2),)),
    ((3, 3, 3), ((0, 1, 3), (2,))),
]


@pytest.mark.parametrize("N,B,E", SCHEDULES + [(3, 3, 2), (6, 2, 1)])
def test_pruned_count_matches_literal_enumeration(N, B, E):
    for parent, parts in DIAGRAMS + ROOT_TIED:
        assert count_embeddings_bruteforce(parent, parts, N, B, E) == _count_embeddings_literal(parent, parts, N, B, E)


@pytest.mark.parametrize("parent,parts", DIAGRAMS)
def test_single_epoch_polynomial(parent, parts):
    """E=B=1: L = Σ_k w_k C(T,k), w_k = order-respecting surjections of parts onto k times."""
    d = len(parent)
    parts = [p for p in parts if d not in p]
    part_of = {i: j for j, p in enumerate(parts) for i in p}
    w = [0] * (len(parts) + 1)
    for k in range(len(parts) + 1):
        for times in product(range(k), repeat=len(parts)):
            if len(set(times)) == k and all(
                parent[i] == d or times[part_of[i]] < times[part_of[parent[i]]] for i in range(d)
            ):
                w[k] += 1
    for T in range(1, 5):
        assert count_embeddings_bruteforce(parent, tuple(parts) + ((d,),), T, 1, 1) == sum(
            wk * comb(T, k) for k, wk in enumerate(w)
        )


# ------------------------------------------ SPEC §5 main formula, order ≤ 3/4


def _set_partitions(items):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for p in _set_partitions(rest):
        yield [[first]] + p
        for i in range(len(p)):
            yield p[:i] + [[first] + p[i]] + p[i + 1 :]


def _labelled_trees(d):
    """All parent tuples on non-root nodes 0..d-1 with root d that form a tree."""
    for par in product(range(d + 1), repeat=d):
        ok = True
        for i in range(d):
            seen, j = set(), i
            while j != d and ok:
                if j in seen or par[j] == j:
                    ok = False
                seen.add(j)
                j = par[j]
        if ok:
            yield par


def _diagram_series(loss, ps, t0, N, B, E, order, root_tied):
    """Σ_d (−1/B)^d/d! Σ_{labelled diagrams} L·uvalue (η = identity metric).

    Each unlabelled diagram D has d!/|Aut(D)| labellings of its non-root nodes,
    so the labelled sum divided by d! equals Σ_D L/|Aut(D)|·uvalue.  A part
    evaluates to the joint cumulant (Möbius over set partitions) of its nodes'
    derivative components at θ0; edges carry summed indices."""
    sup = list(DIST)
    probs = [Fraction(int(DIST[s].p), int(DIST[s].q)) for s in sup]

    @lru_cache(None)
    def deriv(idx):  # values of ∂_idx l_x at θ0, one per support point
        e = sp.diff(loss, *[ps[i] for i in idx]) if idx else loss
        out = []
        for s in sup:
            c = sp.nsimplify(e.subs(x, s).subs(t0))
            out.append(Fraction(int(c.p), int(c.q)))
        return tuple(out)

    @lru_cache(None)
    def cumulant(idxs):
        tot = Fraction(0)
        for pi in _set_partitions(list(range(len(idxs)))):
            term = Fraction((-1) ** (len(pi) - 1) * factorial(len(pi) - 1))
            for blk in pi:
                term *= sum(pr * _prod(deriv(idxs[i])[k] for i in blk) for k, pr in enumerate(probs))
            tot += term
        return tot

    out = []
    for d in range(order + 1):
        total = Fraction(0)
        for par in _labelled_trees(d):
            for pi in _set_partitions(list(range(d + 1))):
                root_part = next(p for p in pi if d in p)
                if (len(root_part) > 1) != root_tied:
                    continue
                L = count_embeddings_bruteforce(par, tuple(map(tuple, pi)), N, B, E)
                if not L:
                    continue
                val = Fraction(0)
                for a in product(range(len(ps)), repeat=d):  # index on edge i→par[i]
                    node_idx = [
                        tuple(sorted(([a[j]] if j < d else []) + [a[i] for i in range(d) if par[i] == j]))
                        for j in range(d + 1)
                    ]
                    val += _prod(cumulant(tuple(sorted(node_idx[j] for j in p))) for p in pi)
                total += L * val
        c = Fraction(-1, B) ** d / factorial(d) * total
        out.append(-c / N if root_tied else c)
    return [sp.Rational(c.numerator, c.denominator) for c in out]


@pytest.mark.parametrize("N,B,E", SCHEDULES)
def test_diagram_formula_1d_order3(N, B, E):
    """SPEC §5: test loss and generalization gap from diagrams vs brute-force SGD."""
    res = sgd_series(LOSS1, [th], x, DIST, N, B, E, 3, theta0=TH0_1)
    assert res["test_loss"] == _diagram_series(LOSS1, [th], TH0_1, N, B, E, 3, False)
    assert res["gap"] == _diagram_series(LOSS1, [th], TH0_1, N, B, E, 3, True)


def test_diagram_formula_2d_order3():
    res = sgd_series(LOSS2, [u, v], x, DIST, 4, 2, 2, 3, theta0=TH0_2)
    assert res["test_loss"] == _diagram_series(LOSS2, [u, v], TH0_2, 4, 2, 2, 3, False)
    assert res["gap"] == _diagram_series(LOSS2, [u, v], TH0_2, 4, 2, 2, 3, True)


@pytest.mark.parametrize("N,B,E", [(3, 1, 1), (2, 2, 1), (4, 2, 2)])
def test_diagram_formula_1d_order4(N, B, E):
    res = sgd_series(LOSS1, [th], x, DIST, N, B, E, 4, theta0=TH0_1)
    assert res["test_loss"] == _diagram_series(LOSS1, [th], TH0_1, N, B, E, 4, False)
    assert res["gap"] == _diagram_series(LOSS1, [th], TH0_1, N, B, E, 4, True)

"""Brute-force oracle for the SGD diagram calculus (independent of `diagrams`).

Two public functions:

* :func:`sgd_series` runs SGD symbolically as a power series in the scalar
  learning rate η, truncated after η^order, for every possible training set,
  and averages exactly (SPEC §1).
* :func:`count_embeddings_bruteforce` counts labelled embeddings of a diagram
  into the (N, B, E) grid by trying every map of nodes to cells (SPEC §5).

All arithmetic is exact: internally ``fractions.Fraction``; results are
returned as ``sympy.Rational``.  Nothing here imports the ``diagrams`` package.
"""

from fractions import Fraction
from itertools import combinations_with_replacement, product
from math import factorial

import sympy

__all__ = ["sgd_series", "count_embeddings_bruteforce"]


# --------------------------------------------------------------------------
# truncated power series in η: lists of Fractions [c_0, ..., c_order]
# --------------------------------------------------------------------------


def _ps_mul(a, b):
    """Product of two truncated series of the same length."""
    K = len(a)
    out = [Fraction(0)] * K
    for i, ai in enumerate(a):
        if ai:
            for j in range(K - i):
                if b[j]:
                    out[i + j] += ai * b[j]
    return out


def _ps_axpy(acc, w, a):
    """acc += w * a (in place)."""
    for i, ai in enumerate(a):
        if ai:
            acc[i] += w * ai


def _to_fraction(c):
    """Exact sympy/int rational -> Fraction; anything else is an error."""
    c = sympy.sympify(c)
    if not c.is_Rational:
        raise ValueError(f"oracle needs exact rational numbers, got {c!r}")
    return Fraction(int(c.p), int(c.q))


def _poly_dict(expr, params):
    """Polynomial in `params` with rational coefficients -> {exponents: Fraction}."""
    poly = sympy.Poly(sympy.expand(expr), *params, domain=sympy.QQ)
    return {m: _to_fraction(c) for m, c in poly.terms() if c != 0}


def _poly_add(dicts_and_weights):
    """Weighted sum of coefficient dicts."""
    out = {}
    for w, d in dicts_and_weights:
        for m, c in d.items():
            out[m] = out.get(m, Fraction(0)) + w * c
    return {m: c for m, c in out.items() if c}


class _Evaluator:
    """Evaluates coefficient-dict polynomials at a point given as series."""

    def __init__(self, xs, K):
        self.xs, self.K, self.pw = xs, K, [{0: [Fraction(1)] + [Fraction(0)] * (K - 1)} for _ in xs]

    def power(self, i, e):
        cache = self.pw[i]
        if e not in cache:
            cache[e] = _ps_mul(self.power(i, e - 1), self.xs[i])
        return cache[e]

    def __call__(self, poly):
        out = [Fraction(0)] * self.K
        for mono, c in poly.items():
            term = None
            for i, e in enumerate(mono):
                if e:
                    p = self.power(i, e)
                    term = p if term is None else _ps_mul(term, p)
            if term is None:
                out[0] += c
            else:
                _ps_axpy(out, c, term)
        return out


# --------------------------------------------------------------------------
# SGD
# --------------------------------------------------------------------------


def _prepare(loss, params, sample, distribution, observable):
    """Per-sample loss and gradient coefficient dicts, probabilities, extras."""
    params = list(params)
    support = list(distribution)
    probs = [_to_fraction(distribution[v]) for v in support]
    if sum(probs) != 1 or any(p < 0 for p in probs):
        raise ValueError("distribution probabilities must be >= 0 and sum to 1")
    losses, grads = [], []
    for v in support:
        lv = sympy.expand(sympy.sympify(loss).subs(sample, v))
        losses.append(_poly_dict(lv, params))
        grads.append([_poly_dict(sympy.diff(lv, q), params) for q in params])
    test = _poly_add(zip(probs, losses))
    obs = None if observable is None else _poly_dict(observable, params)
    return params, probs, losses, grads, test, obs


def _start(params, theta0, K):
    theta0 = theta0 or {}
    th = []
    for q in params:
        s = [Fraction(0)] * K
        s[0] = _to_fraction(theta0.get(q, 0))
        th.append(s)
    return th


def _step(theta, batch_grad, K):
    """θ ← θ − η·g(θ), where batch_grad is the already batch-averaged gradient."""
    ev = _Evaluator(theta, K)
    new = []
    for th, gpoly in zip(theta, batch_grad):
        g = ev(gpoly)
        new.append([th[0]] + [th[k] - g[k - 1] for k in range(1, K)])
    return new


def _finish(acc, K):
    def R(s):
        return [sympy.Rational(c.numerator, c.denominator) for c in s]

    out = {
        "test_loss": R(acc["test"]),
        "train_loss": R(acc["train"]),
        "gap": R([a - b for a, b in zip(acc["test"], acc["train"])]),
        "displacement": [R(s) for s in acc["disp"]],
    }
    if acc["obs"] is not None:
        out["observable"] = R(acc["obs"])
    return out


def sgd_series(loss, params, sample, distribution, N, B, E, order, theta0=None, observable=None):
    """Exact η-expansion of averaged SGD, by brute force over training sets.

    Parameters
    ----------
    loss : sympy expression, polynomial in ``params`` with coefficients that
        become rational once ``sample`` is replaced by a support value.
    params : list of sympy Symbols (the weights θ).
    sample : sympy Symbol standing for the data point x.
    distribution : dict {support value: probability}; exact rationals summing to 1.
    N, B, E : training-set size, batch size (B | N), epochs; T = E·N/B steps.
        Step t uses points kB..kB+B−1 with k = t mod (N/B); no reshuffling.
    order : keep η^0 .. η^order.
    theta0 : dict {param: rational} (default: all zeros).
    observable : optional sympy polynomial s(θ) in ``params``.

    Returns
    -------
    dict of coefficient lists (length order+1, entry k = coefficient of η^k,
    exact ``sympy.Rational``):
      'test_loss'    E[l(θ_T)], l = Σ_x p(x) l_x
      'train_loss'   E[(1/N) Σ_n l_{x_n}(θ_T)]
      'gap'          test_loss − train_loss
      'displacement' list (one per param, in ``params`` order) of E[θ_T − θ_0]
      'observable'   E[s(θ_T)]  (only if ``observable`` is given)

    Averaging: the batch gradient depends only on the multiset of points in the
    batch, so each batch is enumerated as a multiset with multinomial weight
    (exact, since points are i.i.d.), and the first epoch is explored
    depth-first so that trajectories sharing a prefix share the work.
    """
    if N % B:
        raise ValueError("B must divide N")
    K = order + 1
    params, probs, losses, grads, test, obs = _prepare(loss, params, sample, distribution, observable)
    nb, m = N // B, len(params)
    # every multiset of B support indices: (weight, mean gradient, summed loss)
    batches = []
    for combo in combinations_with_replacement(range(len(probs)), B):
        w = Fraction(factorial(B))
        for i in set(combo):
            w /= factorial(combo.count(i))
        for i in combo:
            w *= probs[i]
        g = [_poly_add((Fraction(1, B), grads[i][j]) for i in combo) for j in range(m)]
        batches.append((w, g, _poly_add((Fraction(1), losses[i]) for i in combo)))

    theta_init = _start(params, theta0, K)
    acc = {
        "test": [Fraction(0)] * K,
        "train": [Fraction(0)] * K,
        "disp": [[Fraction(0)] * K for _ in range(m)],
        "obs": None if obs is None else [Fraction(0)] * K,
    }

    def leaf(theta, weight, chosen):
        for _ in range(E - 1):  # later epochs replay batches
            for b in chosen:
                theta = _step(theta, b[1], K)
        ev = _Evaluator(theta, K)
        _ps_axpy(acc["test"], weight, ev(test))
        train = _poly_add((Fraction(1, N), b[2]) for b in chosen)
        _ps_axpy(acc["train"], weight, ev(train))
        for j in range(m):
            d = list(theta[j])
            d[0] -= theta_init[j][0]
            _ps_axpy(acc["disp"][j], weight, d)
        if obs is not None:
            _ps_axpy(acc["obs"], weight, ev(obs))

    def first_epoch(theta, weight, chosen):
        if len(chosen) == nb:
            leaf(theta, weight, chosen)
            return
        for b in batches:
            first_epoch(_step(theta, b[1], K), weight * b[0], chosen + [b])

    first_epoch(theta_init, Fraction(1), [])
    return _finish(acc, K)


def _sgd_series_naive(loss, params, sample, distribution, N, B, E, order, theta0=None, observable=None):
    """Same contract as :func:`sgd_series`, enumerating all |support|^N ordered
    training sets literally and recomputing every step (slow; for cross-checks)."""
    K = order + 1
    params, probs, losses, grads, test, obs = _prepare(loss, params, sample, distribution, observable)
    T, nb, m = E * N // B, N // B, len(params)
    theta_init = _start(params, theta0, K)
    acc = {
        "test": [Fraction(0)] * K,
        "train": [Fraction(0)] * K,
        "disp": [[Fraction(0)] * K for _ in range(m)],
        "obs": None if obs is None else [Fraction(0)] * K,
    }
    for xs in product(range(len(probs)), repeat=N):
        weight = Fraction(1)
        for i in xs:
            weight *= probs[i]
        theta = theta_init
        for t in range(T):
            k = t % nb
            ev = _Evaluator(theta, K)
            new = []
            for j in range(m):
                g = [Fraction(0)] * K
                for n in range(k * B, k * B + B):
                    _ps_axpy(g, Fraction(1, B), ev(grads[xs[n]][j]))
                new.append([theta[j][0]] + [theta[j][i] - g[i - 1] for i in range(1, K)])
            theta = new
        ev = _Evaluator(theta, K)
        _ps_axpy(acc["test"], weight, ev(test))
        for n in range(N):
            _ps_axpy(acc["train"], weight / N, ev(losses[xs[n]]))
        for j in range(m):
            d = list(theta[j])
            d[0] -= theta_init[j][0]
            _ps_axpy(acc["disp"][j], weight, d)
        if obs is not None:
            _ps_axpy(acc["obs"], weight, ev(obs))
    return _finish(acc, K)


# --------------------------------------------------------------------------
# embeddings
# --------------------------------------------------------------------------


def _grid(N, B, E, parent, parts):
    """Validate the input; return T, the cells (n, t) and the row-sharing groups."""
    d = len(parent)
    if N % B:
        raise ValueError("B must divide N")
    if sorted(i for p in parts for i in p) != list(range(d + 1)):
        raise ValueError("parts must partition the nodes 0..d")
    T, nb = E * N // B, N // B
    cells = [(n, t) for t in range(T) for n in range((t % nb) * B, (t % nb) * B + B)]
    groups = [[i for i in p if i != d] for p in parts]
    return T, cells, [g for g in groups if len(g) > 1]


def count_embeddings_bruteforce(parent, parts, N, B, E):
    """Number of labelled embeddings of a diagram into the (N, B, E) grid.

    Nodes are 0..d with root d; ``parent[i]`` is node i's parent (i < d);
    ``parts`` partitions 0..d (the root's part may hold other nodes: a
    root-tied diagram; the root itself is not mapped).  A map of the non-root
    nodes to grid cells (n, t) (point n lies in batch t, i.e.
    n // B == t mod (N/B)) is an embedding iff each node's time is strictly
    below its parent's (root time = T) and all non-root nodes of one part
    share the row n.  Maps are enumerated cell by cell, parents before
    children, abandoning a partial map as soon as it breaks a rule, so every
    embedding is visited once.  Returns an int.
    """
    d = len(parent)
    T, cells, groups = _grid(N, B, E, parent, parts)
    order, seen = [], {d}
    while len(order) < d:  # parents before children
        new = [i for i in range(d) if i not in seen and parent[i] in seen]
        if not new:
            return 0  # not a tree rooted at d
        order += new
        seen.update(new)
    mate = {i: [j for j in g if j != i] for g in groups for i in g}
    emb = {d: (None, T)}

    def extend(k):
        if k == d:
            return 1
        i = order[k]
        tmax = emb[parent[i]][1]
        rows = {emb[j][0] for j in mate.get(i, ()) if j in emb}
        total = 0
        for n, t in cells:
            if t < tmax and (not rows or n in rows):
                emb[i] = (n, t)
                total += extend(k + 1)
                del emb[i]
        return total

    return extend(0)


def _count_embeddings_literal(parent, parts, N, B, E):
    """Same count by testing all |cells|^d maps (slow; for cross-checks)."""
    d = len(parent)
    T, cells, groups = _grid(N, B, E, parent, parts)
    return sum(
        all(emb[i][1] < (T if parent[i] == d else emb[parent[i]][1]) for i in range(d))
        and all(len({emb[i][0] for i in g}) == 1 for g in groups)
        for emb in product(cells, repeat=d)
    )

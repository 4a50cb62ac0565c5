r"""Exact numbers of diagrams without enumerating them (Burnside's lemma, Pólya's cycle index).

A diagram of order d is a rooted tree T with d + 1 nodes and a set partition
of its nodes (the root alone, or for root-tied diagrams sharing its part) up
to isomorphism; the diagrams on one tree shape T are the orbits of its
partitions under Aut(T).  Burnside's lemma counts them:

    #diagrams on T = (1/|Aut T|) Σ_{g ∈ Aut T} Fix(g),

Fix(g) being the number of partitions that g maps to themselves.

*Partitions fixed by a permutation.*  Fix(g) depends only on the cycle type of
g.  If g fixes a partition, it permutes its blocks; take an orbit of m blocks
B, gB, …, g^{m−1}B.  A cycle C of g (length L) meeting B meets every block of
the orbit, x ∈ B gives g^t x ∈ g^t B, so m divides L and C ∩ B is every m-th
element of C.  So an orbit of m blocks is made from a set S of cycles whose
lengths m divides, in m^{|S|−1} ways (the offset of each cycle but the first
within the orbit).  Choosing for every cycle the size m of its block orbit
(a divisor of its length) and then grouping the cycles given m into orbits:

    Fix(g) = Σ_{m(C) | len(C)}  Π_m T_m(#{C : m(C) = m}),   T_m(j) = Σ_k S(j, k) m^{j−k},

with S the Stirling numbers of the second kind (T_1(j) is the Bell number:
the identity fixes every partition).  :func:`invariant_partitions` computes it.

*Summing over all trees at once.*  Σ_T (1/|Aut T|) Σ_g Π_k x_k^{c_k(g)} over the
rooted trees T with n nodes (c_k(g) the number of k-cycles of g on the nodes)
is the degree-n part of the cycle index Z_A of the species of rooted trees,
which satisfies A = X · E(A), i.e.

    Z_A = x_1 · exp(Σ_{k ≥ 1} Z_A[k] / k),     Z_A[k] = Z_A with x_j ↦ x_{jk}

(Pólya).  A diagram's root is fixed by every automorphism and the rest is a
forest, whose cycle index is F = exp(Σ_k Z_A[k]/k); so

    #diagrams of order d = Σ_λ [x^λ] F_d · Fix(λ),
    #root-tied diagrams  = Σ_λ [x^λ] F_d · (Fix(λ ∪ 1) − Fix(λ)),

(partitions of all nodes with the root's part not a singleton).

*Linkless.*  A link is a non-root node with one child alone in its part.
Automorphisms preserve the number of children, and a fixed partition has a
singleton at one node of a cycle exactly when it has them at all its nodes, so
by inclusion–exclusion over the cycles of one-child nodes that are forced to be
singletons, Fix_linkless(g) = Σ_Q (−1)^{|Q|} Fix(g without the cycles Q).  In
the cycle index this is the substitution x_k ↦ x_k − 1 for the cycles of
one-child nodes, with a variable t counting all nodes (t ↦ t^k in Z[k]);
marking a node by whether it has one child, A = t x_1 (E(A) − A) + t (x_1 − u) A,
that is

    A = t x_1 E(A) / (1 + u t),    E(A) = exp(Σ_k A[k]/k),

with u = 1 for linkless diagrams and u = 0 otherwise (then t only counts the
degree).  With a_m = m! [t^m] A, g_m = m! [t^m] Σ_k A[k]/k, e_m = m! [t^m] E(A),
all with integer coefficients,

    a_m = m x_1 e_{m−1} − u m a_{m−1},
    g_m = Σ_{k | m} m! / (k (m/k)!) · a_{m/k}[k],
    e_m = Σ_{j=1}^{m} C(m−1, j−1) g_j e_{m−j},

(the last from t dE/dt = E · t dG/dt), and the count of order d is
(1/d!) Σ_λ [x^λ] e_d · Fix(λ), an exact integer division.

The tests compare these numbers with enumeration (orders ≤ 7, every variant)
and with a brute force of invariant partitions; benchmarks/enumeration.py
compares them at orders 8 and 9.

References: F. Harary and E. M. Palmer, *Graphical Enumeration*, Academic
Press 1973, ch. 2–3 (Burnside's lemma, cycle indices, rooted trees);
F. Bergeron, G. Labelle and P. Leroux, *Combinatorial Species and Tree-like
Structures*, Cambridge University Press 1998, §1.2 and §3.1 (cycle index
series, Z_A = X · Z_E ∘ Z_A).

>>> [diagram_count(d) for d in range(7)]
[1, 1, 4, 17, 101, 700, 5861]
>>> [diagram_count(d, root_tied=True) for d in range(4)], [diagram_count(d, linkless=True) for d in range(4)]
([0, 1, 5, 31], [1, 1, 3, 12])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import cache, lru_cache
from math import comb, factorial

__all__ = ["COUNT_MAX_ORDER", "diagram_count", "invariant_partitions"]

#: :func:`diagram_count` answers up to this order (order 20 takes about a second).
COUNT_MAX_ORDER = 20

_DIGIT = 5  # bits per cycle length in a monomial's code: counts up to 31 (a degree ≤ COUNT_MAX_ORDER + 1)
_MASK = (1 << _DIGIT) - 1

Polynomial = dict[int, int]  # monomial code (Σ_k c_k << DIGIT·(k−1)) -> integer coefficient


def diagram_count(order: int, *, linkless: bool = False, root_tied: bool = False) -> int:
    """The exact number of diagrams with ``order`` edges (see the module docstring).

    >>> diagram_count(9), diagram_count(12)
    (7075470, 19083260795)
    """
    if not 0 <= order <= COUNT_MAX_ORDER:
        raise ValueError(f"order must be between 0 and {COUNT_MAX_ORDER}, got {order}")
    forests = _series(1 if linkless else 0).forest(order)
    total = 0
    for code, coefficient in forests.items():
        cycles = _cycles(code)
        fixed = invariant_partitions(cycles)
        if root_tied:
            fixed = invariant_partitions(cycles + (1,)) - fixed
        total += coefficient * fixed
    count, remainder = divmod(total, factorial(order))
    assert not remainder, "Burnside's sum is a whole number of orbits"
    return count


@lru_cache(maxsize=4096)
def invariant_partitions(cycles: tuple[int, ...]) -> int:
    """The number of set partitions that a permutation with these cycle lengths maps to themselves.

    >>> invariant_partitions((1, 1, 1)), invariant_partitions((2, 1)), invariant_partitions((2, 2))
    (5, 3, 7)
    """
    assignments: Counter = Counter({(): 1})  # (count per orbit size m, m = 1…) -> ways
    for length, copies in sorted(Counter(cycles).items()):
        sizes = [m for m in range(1, length + 1) if length % m == 0]
        grown: Counter = Counter()
        for assigned, ways in assignments.items():
            for split in _compositions(copies, len(sizes)):
                counts = list(assigned) + [0] * (length - len(assigned))
                multinomial = factorial(copies)
                for m, j in zip(sizes, split):
                    counts[m - 1] += j
                    multinomial //= factorial(j)
                grown[tuple(counts)] += ways * multinomial
        assignments = grown
    total = 0
    for counts, ways in assignments.items():
        for m, j in enumerate(counts, start=1):
            ways *= _orbit_groupings(m, j)
        total += ways
    return total


def _compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Tuples of ``parts`` non-negative integers adding up to ``total``."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _compositions(total - first, parts - 1):
            yield (first,) + rest


@cache
def _orbit_groupings(m: int, j: int) -> int:
    """T_m(j) = Σ_k S(j, k) m^{j−k}: j cycles grouped into orbits of m blocks each."""
    return sum(_stirling2(j, k) * m ** (j - k) for k in range(j + 1))


@cache
def _stirling2(j: int, k: int) -> int:
    if j == k:
        return 1
    if k == 0 or k > j:
        return 0
    return k * _stirling2(j - 1, k) + _stirling2(j - 1, k - 1)


def _cycles(code: int) -> tuple[int, ...]:
    """The cycle lengths of a monomial code, longest first."""
    cycles: list[int] = []
    length = 1
    while code:
        cycles += [length] * (code & _MASK)
        code >>= _DIGIT
        length += 1
    return tuple(reversed(cycles))


def _stretched(code: int, k: int) -> int:
    """The monomial with x_j ↦ x_{jk}."""
    out, length = 0, 1
    while code:
        out |= (code & _MASK) << (_DIGIT * (length * k - 1))
        code >>= _DIGIT
        length += 1
    return out


class _Series:
    """The scaled series a_m, g_m, e_m of the module docstring, extended on demand."""

    def __init__(self, u: int):
        self.u = u
        self.a: list[Polynomial] = [{}]
        self.g: list[Polynomial] = [{}]
        self.e: list[Polynomial] = [{0: 1}]

    def forest(self, order: int) -> Polynomial:
        """e_order: order! times the cycle index of the forests with ``order`` nodes."""
        while len(self.e) <= order:
            self._extend()
        return self.e[order]

    def _extend(self) -> None:
        m = len(self.e)
        x1 = 1  # the code of x_1
        a: Polynomial = {}
        for code, c in self.e[m - 1].items():
            a[code + x1] = m * c
        if self.u:
            for code, c in self.a[m - 1].items():
                a[code] = a.get(code, 0) - self.u * m * c
        self.a.append(_nonzero(a))
        g: Polynomial = {}
        for k in range(1, m + 1):
            if m % k:
                continue
            scale = factorial(m) // (k * factorial(m // k))
            for code, c in self.a[m // k].items():
                stretched = _stretched(code, k) if k > 1 else code
                g[stretched] = g.get(stretched, 0) + scale * c
        self.g.append(_nonzero(g))
        e: Polynomial = {}
        for j in range(1, m + 1):
            _add_product(e, self.g[j], self.e[m - j], comb(m - 1, j - 1))
        self.e.append(_nonzero(e))


def _add_product(out: Polynomial, left: Polynomial, right: Polynomial, scale: int) -> None:
    get = out.get
    for code, c in left.items():
        c *= scale
        for other, d in right.items():
            key = code + other
            out[key] = get(key, 0) + c * d


def _nonzero(polynomial: Polynomial) -> Polynomial:
    return {code: c for code, c in polynomial.items() if c}


@lru_cache(maxsize=2)
def _series(u: int) -> _Series:
    return _Series(u)

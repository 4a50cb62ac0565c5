"""Upper bounds on what canonicalizing a coefficient costs, found without expanding it.

A :class:`~diagrams.algebra.DiagramSum` keeps each coefficient as
:func:`sympy.cancel` leaves it: numerator and denominator expanded, with no
common factor.  A short expression can make that astronomically costly:
``(T + N + B + E + eta)**60`` expands to 635 376 terms, and the gcd that
removes common factors works on dense polynomials, whose size is the product
over the symbols of (degree + 1), so ``(T**30 + N**30 + B**30 + E**30 +
eta**30)/(T**29 + N**29 + B**29 + E**29 + eta**29)`` does not finish either.

A :class:`CoefficientBound` bounds, from the expression as written, the terms
of the numerator and the denominator expanded, the products of terms made
while expanding, their degrees (total and per symbol) and the bits of their
integers.  It has the arithmetic of the expressions it bounds, so a parser
can follow a text operation by operation, and :meth:`CoefficientBound.of`
bounds any sympy expression.  :meth:`~CoefficientBound.broken_limit` names
the first limit below that a bound exceeds; the limits keep sympy's
canonicalization of one coefficient well under a second.  The bounds are
upper bounds: an expression may be refused although it cancels to something
small.

>>> import sympy
>>> T, N, B, E, eta = sympy.symbols("T N B E eta")
>>> bound = CoefficientBound.of((T + N)**3 / (2*T))
>>> bound.numerator_terms, bound.denominator_terms, bound.numerator_degree, bound.denominator_degree
(4, 1, 3, 1)
>>> print(bound.broken_limit())
None
>>> CoefficientBound.of((T + N + B + E + eta)**60).broken_limit()
'expanding it could take 3812257 term operations (at most 1500)'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import prod

import sympy

__all__ = ["CoefficientBound", "MAX_DEGREE", "MAX_BITS", "MAX_EXPANSION", "MAX_GCD_SIZE"]

#: Total degree of the numerator or of the denominator.
MAX_DEGREE = 200
#: Bits of an integer coefficient (Python prints integers of up to 4300 digits, about 14 284 bits;
#: removing common factors adds at most about MAX_DEGREE bits).
MAX_BITS = 14_000
#: Term operations: the products of terms made while expanding, plus the terms made.
MAX_EXPANSION = 1500
#: Dense size, the product over the symbols of (degree + 1), of a numerator and a
#: denominator whose common factors must be found (when the denominator is not a number).
MAX_GCD_SIZE = 100_000

_CEILING = 1 << 64  # every count saturates here, so that arithmetic on bounds stays cheap


def _cap(n: int) -> int:
    return n if n < _CEILING else _CEILING


def _log2_ceiling(n: int) -> int:
    """⌈log₂ n⌉ for n ≥ 1: the bits that a sum of n numbers can add to the largest."""
    return (n - 1).bit_length()


def _binomial(n: int, k: int) -> int:
    """C(n, k), saturated at the ceiling (without computing huge binomials)."""
    k = min(k, n - k)
    result = 1
    for i in range(1, k + 1):
        result = result * (n - k + i) // i  # = C(n-k+i, i), increasing in i
        if result >= _CEILING:
            return _CEILING
    return result


@dataclass(frozen=True)
class CoefficientBound:
    """Upper bounds on the canonical form p/q of an expression (p, q integer polynomials) and on the work to reach it.

    ``numerator_terms``/``denominator_terms`` bound the terms of p and q
    expanded, ``numerator_degree``/``denominator_degree`` their total
    degrees, ``degrees`` the degree in each generator (a symbol, or a
    subexpression sympy treats as one, like ``sqrt(T)``) as (generator,
    degree in p, degree in q) triples, ``numerator_bits``/``denominator_bits``
    the bits of their largest integer coefficient, and ``work`` the products
    of terms made while expanding.
    """

    numerator_terms: int
    denominator_terms: int
    numerator_degree: int
    denominator_degree: int
    degrees: tuple[tuple[sympy.Expr, int, int], ...]
    numerator_bits: int
    denominator_bits: int
    work: int

    # -- leaves ------------------------------------------------------------------

    @classmethod
    def number(cls, numerator: int, denominator: int = 1) -> CoefficientBound:
        """The bound of the rational number numerator/denominator.

        >>> bound = CoefficientBound.number(-12, 5)
        >>> bound.numerator_bits, bound.denominator_bits, bound.numerator_degree
        (4, 3, 0)
        """
        return cls(1, 1, 0, 0, (), _log2_ceiling(abs(numerator) or 1), _log2_ceiling(abs(denominator)), 0)

    @classmethod
    def generator(cls, atom: sympy.Expr, work: int = 0) -> CoefficientBound:
        """The bound of a symbol, or of a subexpression taken as one (``work`` to expand inside it)."""
        return cls(1, 1, 1, 0, ((atom, 1, 0),), 0, 0, _cap(work))

    # -- arithmetic --------------------------------------------------------------

    @property
    def is_number(self) -> bool:
        return self.numerator_degree == 0 and self.denominator_degree == 0

    @property
    def has_constant_denominator(self) -> bool:
        return self.denominator_degree == 0

    @classmethod
    def total(cls, bounds: Sequence[CoefficientBound]) -> CoefficientBound:
        """The bound of a sum: Σ p_i/q_i = (Σ_i p_i Π_{j≠i} q_j) / Π_j q_j.

        >>> T = sympy.Symbol("T")
        >>> bound = CoefficientBound.total([CoefficientBound.of(1 / (T + i)) for i in range(3)])
        >>> bound.numerator_terms, bound.denominator_terms, bound.denominator_degree
        (3, 4, 3)
        """
        first, *rest = bounds
        if not rest:
            return first
        tables = [{atom: (p, q) for atom, p, q in b.degrees} for b in bounds]
        atoms = list({atom: None for table in tables for atom in table})
        # the product of the denominators, built factor by factor
        below_terms, below_work, prefix = first.denominator_terms, 0, dict.fromkeys(atoms, 0)
        for b, table in zip(bounds, tables):
            for atom, (_, q) in table.items():
                prefix[atom] += q
            if b is not first:
                below_work += below_terms * b.denominator_terms
                below_terms = min(below_terms * b.denominator_terms, prod(d + 1 for d in prefix.values()))
        below_bits = sum(b.denominator_bits + _log2_ceiling(b.denominator_terms) for b in bounds)
        below_degree = sum(b.denominator_degree for b in bounds)
        above_degree = max(b.numerator_degree + below_degree - b.denominator_degree for b in bounds)
        above_bits = max(
            b.numerator_bits + _log2_ceiling(b.numerator_terms) + below_bits - b.denominator_bits for b in bounds
        ) + _log2_ceiling(len(bounds))
        degrees = {}
        for atom in atoms:
            pairs = [table.get(atom, (0, 0)) for table in tables]
            degrees[atom] = (max(p + prefix[atom] - q for p, q in pairs), prefix[atom])
        work = sum(b.work for b in bounds)
        if all(b.has_constant_denominator for b in bounds):
            above_terms = sum(b.numerator_terms for b in bounds)
        else:
            # each numerator times the product of the other denominators, that product built anew
            dense_above = prod(p + 1 for p, _ in degrees.values())
            products = [min(b.numerator_terms * below_terms, dense_above) for b in bounds]
            above_terms = sum(products)
            work += len(bounds) * below_work + above_terms
        return _bound(above_terms, below_terms, above_degree, below_degree, degrees, above_bits, below_bits, work)

    def __mul__(self, other: CoefficientBound) -> CoefficientBound:
        a, b = self, other
        tables = ({atom: (p, q) for atom, p, q in a.degrees}, {atom: (p, q) for atom, p, q in b.degrees})
        degrees = {}
        for atom in {**tables[0], **tables[1]}:
            (p1, q1), (p2, q2) = (table.get(atom, (0, 0)) for table in tables)
            degrees[atom] = (p1 + p2, q1 + q2)
        work = a.work + b.work
        if not (a.is_number or b.is_number):
            work += a.numerator_terms * b.numerator_terms + a.denominator_terms * b.denominator_terms
        return _bound(
            a.numerator_terms * b.numerator_terms,
            a.denominator_terms * b.denominator_terms,
            a.numerator_degree + b.numerator_degree,
            a.denominator_degree + b.denominator_degree,
            degrees,
            a.numerator_bits + b.numerator_bits + _log2_ceiling(min(a.numerator_terms, b.numerator_terms)),
            a.denominator_bits + b.denominator_bits + _log2_ceiling(min(a.denominator_terms, b.denominator_terms)),
            work,
        )

    def reciprocal(self) -> CoefficientBound:
        """The bound of 1/x: numerator and denominator swapped."""
        return CoefficientBound(
            self.denominator_terms,
            self.numerator_terms,
            self.denominator_degree,
            self.numerator_degree,
            tuple((atom, q, p) for atom, p, q in self.degrees),
            self.denominator_bits,
            self.numerator_bits,
            self.work,
        )

    def __truediv__(self, other: CoefficientBound) -> CoefficientBound:
        return self * other.reciprocal()

    def __pow__(self, exponent: int) -> CoefficientBound:
        if exponent == 0:
            return CoefficientBound.number(1)
        if exponent < 0:
            return self.reciprocal() ** -exponent
        n, p, q = exponent, self.numerator_terms, self.denominator_terms
        # t terms to the n-th: at most C(n + t - 1, t - 1) terms, multinomial coefficients below t**n
        above, below = _binomial(n + p - 1, p - 1), _binomial(n + q - 1, q - 1)
        work = self.work + (above * p if p > 1 else 0) + (below * q if q > 1 else 0)
        return _bound(
            above,
            below,
            self.numerator_degree * n,
            self.denominator_degree * n,
            {atom: (d1 * n, d2 * n) for atom, d1, d2 in self.degrees},
            n * (self.numerator_bits + _log2_ceiling(p)),
            n * (self.denominator_bits + _log2_ceiling(q)),
            work,
        )

    # -- limits ----------------------------------------------------------------------

    @property
    def expansion(self) -> int:
        """Term operations to expand: the products of terms, plus the terms made."""
        return _cap(self.work + self.numerator_terms + self.denominator_terms)

    @property
    def gcd_size(self) -> int:
        """Dense size of the polynomials whose gcd cancelling needs (0 when the denominator is a number)."""
        if self.has_constant_denominator:
            return 0
        return _cap(prod(max(p, q) + 1 for _, p, q in self.degrees))

    def broken_limit(self) -> str | None:
        """Words for the first limit this bound exceeds, or None when it is within all of them.

        >>> T = sympy.Symbol("T")
        >>> CoefficientBound.of(T**150 * (T + 1)**150).broken_limit()
        'its degree could reach 300 (at most 200)'
        """
        degree = max(self.numerator_degree, self.denominator_degree)
        if degree > MAX_DEGREE:
            return f"its degree could reach {degree} (at most {MAX_DEGREE})"
        bits = max(self.numerator_bits, self.denominator_bits)
        if bits > MAX_BITS:
            return f"its integers could reach {bits} bits (at most {MAX_BITS})"
        if self.expansion > MAX_EXPANSION:
            return f"expanding it could take {self.expansion} term operations (at most {MAX_EXPANSION})"
        if self.gcd_size > MAX_GCD_SIZE:
            return (
                f"cancelling common factors could need dense polynomials of {self.gcd_size} terms"
                f" (at most {MAX_GCD_SIZE})"
            )
        return None

    # -- any sympy expression -------------------------------------------------------

    @classmethod
    def of(cls, expr: sympy.Expr) -> CoefficientBound:
        """The bound of a sympy expression as written (unexpanded), in time linear in its size.

        A subexpression other than a number, symbol, sum, product or power
        with a rational exponent (a function call, a power with a symbolic
        exponent) counts as one generator, plus the work of expanding inside it.

        >>> T = sympy.Symbol("T")
        >>> bound = CoefficientBound.of((T + 1)**10 / (T - 1))
        >>> bound.numerator_terms, bound.numerator_degree, bound.gcd_size
        (11, 10, 11)
        """
        bounds: dict[sympy.Expr, CoefficientBound] = {}
        stack: list[tuple[sympy.Expr, bool]] = [(expr, False)]
        while stack:  # post-order without recursion, each distinct subexpression once
            node, ready = stack.pop()
            if node in bounds:
                continue
            operands = _operands(node)
            if not ready:
                stack.append((node, True))
                stack.extend((child, False) for child in operands if child not in bounds)
                continue
            bounds[node] = _combine(node, [bounds[child] for child in operands])
        return bounds[expr]


def _bound(above, below, above_degree, below_degree, degrees: dict, above_bits, below_bits, work) -> CoefficientBound:
    """A bound with the term counts tightened by the dense sizes, every count saturated."""
    dense_above = prod(p + 1 for p, _ in degrees.values())
    dense_below = prod(q + 1 for _, q in degrees.values())
    return CoefficientBound(
        _cap(min(above, dense_above)),
        _cap(min(below, dense_below)),
        _cap(above_degree),
        _cap(below_degree),
        tuple((atom, _cap(p), _cap(q)) for atom, (p, q) in degrees.items()),
        _cap(above_bits),
        _cap(below_bits),
        _cap(work),
    )


def _operands(node: sympy.Expr) -> list[sympy.Expr]:
    """The subexpressions whose bounds make up the bound of ``node``."""
    if node.is_Number or node.is_Symbol:
        return []
    if node.is_Add or node.is_Mul:
        return list(node.args)
    if node.is_Pow:
        base, exponent = node.args
        return [base] if exponent.is_Rational else [base, exponent]
    return [arg for arg in node.args if isinstance(arg, sympy.Expr)]


def _combine(node: sympy.Expr, operands: list[CoefficientBound]) -> CoefficientBound:
    """The bound of ``node`` from the bounds of its operands (see :func:`_operands`)."""
    if node.is_Rational:
        return CoefficientBound.number(int(node.p), int(node.q))
    if node.is_Float:
        return CoefficientBound(1, 1, 0, 0, (), int(node._prec), int(node._prec), 0)
    if node.is_Add:
        return CoefficientBound.total(operands)
    if node.is_Mul:
        product = operands[0]
        for operand in operands[1:]:
            product = product * operand
        return product
    if node.is_Pow:
        base, exponent = node.args
        if exponent.is_Integer:
            return operands[0] ** int(exponent)
        # x**(k + r) expands to x**k · x**r, k the integer part of a rational or of a sum's constant
        constant, _ = exponent.as_coeff_Add()
        whole = int(constant) if constant.is_Rational else 0
        inside = sum(operand.expansion for operand in operands)
        return operands[0] ** whole * CoefficientBound.generator(node.func(base, exponent - whole), inside)
    return CoefficientBound.generator(node, sum(operand.expansion for operand in operands))

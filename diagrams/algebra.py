"""Linear combinations of diagrams: add, scale, combine equal values, simplify (SPEC §4, §7).

A :class:`DiagramSum` is an immutable formal sum Σ c_D·D with sympy
coefficients.  It is what the η-series is made of before the diagrams are
evaluated: ``DiagramSum(diagram_terms(schedule, order))`` is E[l(θ_T)] term by
term.  Its text form is read by :func:`diagrams.notation.parse_sum` (the
grammar's ``diagram_sum``), never by eval; coefficients are rationals and the
symbols T, N, B, E, eta.

>>> from diagrams import parse, parse_sum
>>> S = parse_sum("T [a][a] - 1/2 [a:b][ab]")
>>> S
DiagramSum('T [a][a] - 1/2 [a:b][ab]')
>>> 2 * S - parse_sum("T [a][a]")
DiagramSum('T [a][a] - [a:b][ab]')
>>> S.value()
-C*H*eta**2/2 + G**2*T*eta
>>> parse_sum("[a][ab][b] - [a][b][ab]").combine_values()   # crossing symmetry
DiagramSum('0')
>>> parse_sum("[a][a] + [a:b][ab] + [a:ab][b]").simplify(at_minimum=True)
DiagramSum('[a:b][ab]')
>>> parse_sum("[a:b][ab]").to_cumulants()          # E[XY] = κ(X,Y) + κ(X)κ(Y)
DiagramSum('[a:b][ab] + [a][b][ab]')
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from functools import lru_cache
from itertools import product
from typing import TypeAlias

import sympy

from .coefficient_bounds import CoefficientBound
from .core.assumptions import vanishes
from .core.diagram import Diagram
from .core.display import show
from .core.numbers import to_sympy
from .core.partitions import mobius, set_partitions
from .values.base import uvalue, value_representative

__all__ = ["DiagramSum", "vanishes", "T", "N", "B", "E"]

#: Schedule symbols as the text form of sums names them (plain sympy Symbols, no assumptions).
T, N, B, E = sympy.symbols("T N B E")

Scalar: TypeAlias = int | Fraction | sympy.Expr


# -- coefficients ----------------------------------------------------------------


def _scalar(value) -> sympy.Expr | None:
    """``value`` as a sympy expression, or None when it is not a scalar."""
    if isinstance(value, bool):
        return None
    if isinstance(value, sympy.Expr):
        return value
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        return sympy.Float(value)
    try:
        return sympy.Integer(operator.index(value))
    except TypeError:
        return None


@lru_cache(maxsize=1 << 14)
def _canonical(coefficient: sympy.Expr) -> sympy.Expr:
    """One form per value for rational functions: expanded numerator and denominator, no common factor.

    A coefficient whose canonical form could be too costly to compute is refused
    (ValueError naming the limit) before anything is expanded; see
    :mod:`diagrams.coefficient_bounds`.
    """
    broken = CoefficientBound.of(coefficient).broken_limit()
    if broken is not None:
        raise ValueError(f"coefficient too large for exact arithmetic: {broken}")
    return sympy.cancel(coefficient) if coefficient.free_symbols else coefficient


def _over_common_denominators(coefficients: list[sympy.Expr]) -> sympy.Expr:
    """Their sum, the numerators of equal denominators added first (one Add: linear in the terms).

    Sums made by the algebra (moments ⇄ cumulants, scaling) repeat one
    denominator many times; adding those numerators first keeps the sum's
    canonical form cheap, so the size limit of :func:`_canonical` refuses
    only sums that really are costly.

    >>> B, T = sympy.symbols("B T")
    >>> _over_common_denominators([(T + 1) / (B * T), 2 * (T + 1) / (B * T), sympy.Integer(1)])
    1 + (3*T + 3)/(B*T)
    """
    if len(coefficients) < 2:
        return sympy.Add(*coefficients)
    numerators: dict[sympy.Expr, list[sympy.Expr]] = {}
    for c in coefficients:
        numerator, denominator = sympy.fraction(c)
        numerators.setdefault(denominator, []).append(numerator)
    return sympy.Add(*(sympy.Add(*found) / denominator for denominator, found in numerators.items()))


def _coefficient_text(c: sympy.Expr) -> str:
    """``c`` (canonical, not 1) in the coefficient grammar; parentheses never nest."""
    numerator, denominator = sympy.fraction(c)
    text = sympy.sstr(numerator)
    if numerator.is_Add:
        text = f"({text})"
    if denominator == 1:
        return text
    below = sympy.sstr(denominator)
    if denominator.is_Add or denominator.is_Mul:
        below = f"({below})"
    return f"{text}/{below}"


# -- sums --------------------------------------------------------------------------


class DiagramSum:
    """An immutable linear combination Σ c_D·D of diagrams with sympy coefficients.

    Build one from a mapping {Diagram: coefficient} or an iterable of
    (Diagram, coefficient) pairs (repeated diagrams add up), with
    :meth:`from_diagram`, or with :func:`~diagrams.notation.parse_sum`.  Coefficients are stored in
    a canonical form (:func:`sympy.cancel`) and zero terms are dropped, so
    ``==`` and ``hash`` compare sums term by term.  Iteration yields
    (diagram, coefficient) pairs in the diagrams' canonical order.

    Arithmetic: ``+``, ``-`` with sums (and ``0``, so ``sum()`` works),
    unary ``-``, and ``*`` or ``/`` by a scalar (int, Fraction, sympy
    expression) on either side.

    >>> from diagrams import parse
    >>> D = parse("[a][a]")
    >>> S = DiagramSum({D: 3, parse("[a:a]"): sympy.Rational(1, 2)})
    >>> S, len(S), S[D]
    (DiagramSum('3 [a][a] + 1/2 [a:a]'), 2, 3)
    >>> [(str(D), c) for D, c in S]
    [('[a][a]', 3), ('[a:a]', 1/2)]
    >>> S - 3 * DiagramSum.from_diagram(D) == DiagramSum({parse("[a:a]"): sympy.Rational(1, 2)})
    True
    >>> S * T / 3
    DiagramSum('T [a][a] + T/6 [a:a]')

    A coefficient whose canonical form could be too costly to compute (see
    :mod:`diagrams.coefficient_bounds`) is refused before anything is expanded:

    >>> DiagramSum({D: (T + N + B + E)**60})
    Traceback (most recent call last):
        ...
    ValueError: coefficient too large for exact arithmetic: expanding it could take 198556 term operations (at most 1500)
    """

    __slots__ = ("_terms", "_index", "_hash")

    _terms: tuple[tuple[Diagram, sympy.Expr], ...]
    _index: dict[Diagram, sympy.Expr]
    _hash: int

    def __init__(self, terms: Mapping[Diagram, Scalar] | Iterable[tuple[Diagram, Scalar]] = ()):
        if isinstance(terms, str):
            raise TypeError("DiagramSum() takes terms, not text; read text with parse_sum()")
        pairs = terms.items() if isinstance(terms, Mapping) else terms
        values: dict[Diagram, list[sympy.Expr]] = {}
        for diagram, coefficient in pairs:
            if not isinstance(diagram, Diagram):
                raise TypeError(f"a DiagramSum's terms are Diagrams, not {type(diagram).__name__}")
            value = _scalar(coefficient)
            if value is None:
                raise TypeError(f"a coefficient must be a number or sympy expression, not {type(coefficient).__name__}")
            values.setdefault(diagram, []).append(value)
        canonical = ((D, _canonical(_over_common_denominators(cs))) for D, cs in values.items())
        kept = tuple(sorted(((D, c) for D, c in canonical if c != 0), key=_term_order))
        object.__setattr__(self, "_terms", kept)
        object.__setattr__(self, "_index", dict(kept))
        object.__setattr__(self, "_hash", hash(kept))

    @classmethod
    def from_diagram(cls, diagram: Diagram, coefficient: Scalar = 1) -> DiagramSum:
        """The one-term sum ``coefficient · diagram``.

        >>> from diagrams import eta, parse
        >>> DiagramSum.from_diagram(parse("[a:b][ab]"), -eta)
        DiagramSum('-eta [a:b][ab]')
        """
        return cls(((diagram, coefficient),))

    # -- value semantics -----------------------------------------------------

    def __setattr__(self, name, value):
        raise AttributeError("DiagramSum is immutable")

    def __delattr__(self, name):
        raise AttributeError("DiagramSum is immutable")

    def __reduce__(self):
        return (DiagramSum, (self._terms,))

    def __eq__(self, other) -> bool:
        if not isinstance(other, DiagramSum):
            return NotImplemented
        return self._terms == other._terms

    def __hash__(self) -> int:
        return self._hash

    def __iter__(self) -> Iterator[tuple[Diagram, sympy.Expr]]:
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)

    def __bool__(self) -> bool:
        return bool(self._terms)

    def __contains__(self, diagram) -> bool:
        return diagram in self._index

    def __getitem__(self, diagram: Diagram) -> sympy.Expr:
        """The coefficient of ``diagram`` (0 when it does not occur)."""
        return self._index.get(diagram, sympy.Integer(0))

    @property
    def terms(self) -> tuple[tuple[Diagram, sympy.Expr], ...]:
        """(diagram, coefficient) pairs in canonical order."""
        return self._terms

    @property
    def diagrams(self) -> tuple[Diagram, ...]:
        return tuple(D for D, _ in self._terms)

    # -- arithmetic ------------------------------------------------------------

    def __add__(self, other) -> DiagramSum:
        if isinstance(other, DiagramSum):
            return DiagramSum(self._terms + other._terms)
        if _is_zero_scalar(other):
            return self
        return NotImplemented

    __radd__ = __add__

    def __neg__(self) -> DiagramSum:
        return DiagramSum((D, -c) for D, c in self._terms)

    def __pos__(self) -> DiagramSum:
        return self

    def __sub__(self, other) -> DiagramSum:
        if isinstance(other, DiagramSum):
            return self + (-other)
        if _is_zero_scalar(other):
            return self
        return NotImplemented

    def __rsub__(self, other) -> DiagramSum:
        if _is_zero_scalar(other):
            return -self
        return NotImplemented

    def __mul__(self, other) -> DiagramSum:
        factor = _scalar(other)
        if factor is None:
            return NotImplemented
        return DiagramSum((D, c * factor) for D, c in self._terms)

    __rmul__ = __mul__

    def __truediv__(self, other) -> DiagramSum:
        divisor = _scalar(other)
        if divisor is None:
            return NotImplemented
        if divisor == 0:
            raise ZeroDivisionError("DiagramSum divided by zero")
        return self * (1 / divisor)

    def subs(self, *args) -> DiagramSum:
        """Substitute numbers or expressions for symbols in every coefficient.

        ``subs(symbol, value)`` or ``subs({symbol: value, ...})``; a symbol is a
        sympy Symbol (e.g. T, N, B, E, eta) and a value a number or a sympy
        expression — text is refused (it would be read as code).

        >>> from diagrams import parse_sum
        >>> parse_sum("T [a][a] + (T - 1) [a:a]").subs(T, 1)
        DiagramSum('[a][a]')
        >>> parse_sum("T [a][a]").subs(T, "1")
        Traceback (most recent call last):
        ...
        TypeError: expected a number, not the text '1' (text is never evaluated)
        """
        if len(args) == 2:
            pairs = {args[0]: args[1]}
        elif len(args) == 1 and isinstance(args[0], Mapping):
            pairs = dict(args[0])
        else:
            raise TypeError("subs() takes (symbol, value) or {symbol: value}")
        replacements = {}
        for symbol, value in pairs.items():
            if not isinstance(symbol, sympy.Symbol):
                raise TypeError(f"subs() replaces sympy Symbols, not {symbol!r}")
            replacements[symbol] = to_sympy(value)
        return DiagramSum((D, c.xreplace(replacements)) for D, c in self._terms)

    # -- meaning -----------------------------------------------------------------

    def value(self, stats=None, observable="loss") -> sympy.Expr:
        """Σ c_D · uvalue(D, stats, observable) (SPEC §4), expanded.

        >>> from diagrams import parse_sum
        >>> parse_sum("[a][a] - 2 [a][ab][b]").value()
        -2*G**2*H*eta**2 + G**2*eta
        """
        total = sum((c * uvalue(D, stats, observable) for D, c in self._terms), sympy.Integer(0))
        return sympy.expand(total)

    def combine_values(self) -> DiagramSum:
        """Merge the terms whose diagrams have equal test-loss values (crossing symmetry).

        Each diagram is replaced by :func:`~diagrams.values.value_representative`;
        the value for the test loss (``observable="loss"``) is unchanged.

        >>> from diagrams import parse_sum
        >>> parse_sum("[a][b][ab] + 2 [a][ab][b]").combine_values()
        DiagramSum('3 [a][ab][b]')
        """
        return DiagramSum((value_representative(D), c) for D, c in self._terms)

    def simplify(self, **assumptions) -> DiagramSum:
        """Drop the terms that vanish under the given assumptions (SPEC §7).

        The keywords are those of :func:`vanishes` (``at_minimum``,
        ``noiseless``, ``gaussian``, ``quadratic``, ``constant_hessian``,
        ``single_epoch``, ``observable``); an unknown one raises ``TypeError``.

        >>> from diagrams import parse_sum
        >>> parse_sum("[a][a] + [a:b][ab] + [a:b:c][abc] + [abc][a][b][c]").simplify(gaussian=True, quadratic=True)
        DiagramSum('[a][a] + [a:b][ab]')
        """
        return DiagramSum((D, c) for D, c in self._terms if not vanishes(D, **assumptions))

    def to_cumulants(self) -> DiagramSum:
        """Read every diagram as a MOMENT diagram and rewrite it with cumulant diagrams.

        In the moment reading a part stands for E[Π_{v∈P} ∇^{k_v} l_x], which
        is Σ over set partitions π of P of Π_{blocks b} κ(b); so a diagram
        becomes the sum of the same tree with every refinement of its parts
        (the block holding the root is the root's part).

        >>> from diagrams import parse_sum
        >>> parse_sum("[a:b:c][abc]").to_cumulants()
        DiagramSum('[a:b:c][abc] + 3 [a:b][c][abc] + [a][b][c][abc]')
        """
        return DiagramSum((R, c * w) for D, c in self._terms for R, w in _refinements(D, moments=False))

    def to_moments(self) -> DiagramSum:
        """The inverse of :meth:`to_cumulants`: rewrite cumulant diagrams with moment diagrams.

        κ(P) = Σ_π (−1)^{|π|−1}(|π|−1)! Π_{blocks b} E(b), part by part.

        >>> from diagrams import parse_sum
        >>> parse_sum("[a:b][ab]").to_moments()
        DiagramSum('[a:b][ab] - [a][b][ab]')
        """
        return DiagramSum((R, c * w) for D, c in self._terms for R, w in _refinements(D, moments=True))

    # -- text ----------------------------------------------------------------------

    def _signed_terms(self) -> Iterator[tuple[Diagram, bool, sympy.Expr]]:
        """(D, whether its coefficient is written with a minus, the coefficient's size) per term."""
        for D, c in self._terms:
            negative = c.could_extract_minus_sign()
            yield D, negative, _canonical(-c) if negative else c

    def __str__(self) -> str:
        """Text that :func:`parse_sum` reads back to an equal sum (``0`` for the empty sum)."""
        if not self._terms:
            return "0"
        out: list[str] = []
        for D, negative, size in self._signed_terms():
            body = D.text if size == 1 else f"{_coefficient_text(size)} {D.text}"
            if not out:
                out.append(("-" if negative else "") + body)
            else:
                out.append((" - " if negative else " + ") + body)
        return "".join(out)

    def __repr__(self) -> str:
        return f"DiagramSum({str(self)!r})"

    def _latex(self, printer) -> str:
        r"""Σ c·D with each diagram printed by the printer's ``diagram_style`` (its value by default).

        >>> from diagrams import parse_sum
        >>> from diagrams import latex
        >>> print(latex(parse_sum("(T - 1) [a][a] - 1/2 [a:b][ab]"), diagram_style="text"))
        \left(T - 1\right) \texttt{[a][a]} - \frac{1}{2} \texttt{[a:b][ab]}
        """
        if not self._terms:
            return "0"
        pieces: list[str] = []
        for D, negative, size in self._signed_terms():
            body = printer._print(D)
            if size != 1:
                factor = printer._print(size)
                body = (rf"\left({factor}\right)" if isinstance(size, sympy.Add) else factor) + " " + body
            sign = ("-" if negative else "") if not pieces else (" - " if negative else " + ")
            pieces.append(sign + body)
        return "".join(pieces)

    def _repr_latex_(self) -> str:
        return "$\\displaystyle " + show("latex", self) + "$"  # diagrams.output registers "latex"


def _term_order(term: tuple[Diagram, sympy.Expr]) -> tuple:
    """By order, ordinary diagrams before root-tied ones, then canonical data."""
    diagram = term[0]
    return (diagram.order, diagram.is_root_tied, diagram.sort_key)


def _is_zero_scalar(value) -> bool:
    scalar = _scalar(value)
    return scalar is not None and scalar == 0


# -- moments and cumulants ----------------------------------------------------------


@lru_cache(maxsize=4096)
def _refinements(diagram: Diagram, moments: bool) -> tuple[tuple[Diagram, int], ...]:
    """(diagram with refined parts, weight) summed over every refinement of the parts.

    Weight 1 each for moments → cumulants; Π μ(|π_P|) for cumulants → moments.
    """
    parent = list(diagram.parent) + [None]
    choices = []
    for part in diagram.parts:
        choices.append(
            [([[part[i] for i in block] for block in blocks], len(blocks)) for blocks in set_partitions(len(part))]
        )
    totals: dict[Diagram, int] = {}
    for combination in product(*choices):
        parts = [block for blocks, _ in combination for block in blocks]
        weight = 1
        if moments:
            for _, count in combination:
                weight *= mobius(count)
        refined = Diagram.from_tree(parent, parts)
        totals[refined] = totals.get(refined, 0) + weight
    return tuple((D, w) for D, w in totals.items() if w)

"""Linear combinations of diagrams: add, scale, combine equal values, simplify (SPEC §4, §7).

A :class:`DiagramSum` is an immutable formal sum Σ c_D·D with sympy
coefficients.  It is what the η-series is made of before the diagrams are
evaluated: ``DiagramSum(diagram_terms(schedule, order))`` is E[l(θ_T)] term by
term.  Its text form is read by the grammar (``diagram_sum`` in
``grammar/diagram.lark``), never by eval; coefficients are rationals and the
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
from fractions import Fraction
from functools import lru_cache
from itertools import product
from math import factorial
from typing import Iterable, Iterator, Mapping, Union

import sympy
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .coefficient_bounds import CoefficientBound
from .core.diagram import Diagram
from .core.numbers import to_sympy
from .errors import DiagramSyntaxError, InvalidDiagramError
from .core.assumptions import vanishes
from .core.partitions import mobius, set_partitions
from .notation import diagram_from_parse_tree, grammar_text, syntax_error, token_words
from .values.base import eta, uvalue, value_representative

__all__ = ["DiagramSum", "parse_sum", "vanishes", "T", "N", "B", "E"]

#: Schedule symbols as the text form of sums names them (plain sympy Symbols, no assumptions).
T, N, B, E = sympy.symbols("T N B E")

_SYMBOLS = {"ETA": eta, "STEPS": T, "POINTS": N, "BATCH": B, "EPOCHS": E}
_MAX_EXPONENT = 1000
_MAX_DIGITS = 1000

Scalar = Union[int, Fraction, sympy.Expr]


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
    :meth:`from_diagram`, or with :func:`parse_sum`.  Coefficients are stored in
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
        canonical = ((D, _canonical(sympy.Add(*cs))) for D, cs in values.items())  # one Add: linear in the terms
        kept = tuple(sorted(((D, c) for D, c in canonical if c != 0), key=_term_order))
        object.__setattr__(self, "_terms", kept)
        object.__setattr__(self, "_index", dict(kept))
        object.__setattr__(self, "_hash", hash(kept))

    @classmethod
    def from_diagram(cls, diagram: Diagram, coefficient: Scalar = 1) -> DiagramSum:
        """The one-term sum ``coefficient · diagram``.

        >>> from diagrams import parse
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

        >>> parse_sum("[a][a] - 2 [a][ab][b]").value()
        -2*G**2*H*eta**2 + G**2*eta
        """
        total = sum((c * uvalue(D, stats, observable) for D, c in self._terms), sympy.Integer(0))
        return sympy.expand(total)

    def combine_values(self) -> DiagramSum:
        """Merge the terms whose diagrams have equal test-loss values (crossing symmetry).

        Each diagram is replaced by :func:`~diagrams.values.value_representative`;
        the value for the test loss (``observable="loss"``) is unchanged.

        >>> parse_sum("[a][b][ab] + 2 [a][ab][b]").combine_values()
        DiagramSum('3 [a][ab][b]')
        """
        return DiagramSum((value_representative(D), c) for D, c in self._terms)

    def simplify(self, **assumptions) -> DiagramSum:
        """Drop the terms that vanish under the given assumptions (SPEC §7).

        The keywords are those of :func:`vanishes` (``at_minimum``,
        ``noiseless``, ``gaussian``, ``quadratic``, ``constant_hessian``,
        ``single_epoch``, ``observable``); an unknown one raises ``TypeError``.

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

        >>> parse_sum("[a:b:c][abc]").to_cumulants()
        DiagramSum('[a:b:c][abc] + 3 [a:b][c][abc] + [a][b][c][abc]')
        """
        return DiagramSum((R, c * w) for D, c in self._terms for R, w in _refinements(D, moments=False))

    def to_moments(self) -> DiagramSum:
        """The inverse of :meth:`to_cumulants`: rewrite cumulant diagrams with moment diagrams.

        κ(P) = Σ_π (−1)^{|π|−1}(|π|−1)! Π_{blocks b} E(b), part by part.

        >>> parse_sum("[a:b][ab]").to_moments()
        DiagramSum('[a:b][ab] - [a][b][ab]')
        """
        return DiagramSum((R, c * w) for D, c in self._terms for R, w in _refinements(D, moments=True))

    # -- text ----------------------------------------------------------------------

    def __str__(self) -> str:
        """Text that :func:`parse_sum` reads back to an equal sum (``0`` for the empty sum)."""
        if not self._terms:
            return "0"
        out = []
        for D, c in self._terms:
            negative = c.could_extract_minus_sign()
            size = _canonical(-c) if negative else c
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

        >>> from diagrams import latex
        >>> print(latex(parse_sum("(T - 1) [a][a] - 1/2 [a:b][ab]"), diagram_style="text"))
        \left(T - 1\right) \texttt{[a][a]} - \frac{1}{2} \texttt{[a:b][ab]}
        """
        if not self._terms:
            return "0"
        pieces = []
        for D, c in self._terms:
            negative = c.could_extract_minus_sign()
            size = _canonical(-c) if negative else c
            body = printer._print(D)
            if size != 1:
                factor = printer._print(size)
                body = (rf"\left({factor}\right)" if isinstance(size, sympy.Add) else factor) + " " + body
            sign = ("-" if negative else "") if not pieces else (" - " if negative else " + ")
            pieces.append(sign + body)
        return "".join(pieces)

    def _repr_latex_(self) -> str:
        from .output.latex import latex

        return "$\\displaystyle " + latex(self) + "$"


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
        choices.append([([[part[i] for i in block] for block in blocks], len(blocks))
                        for blocks in set_partitions(len(part))])
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


# -- text -------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _sum_parser() -> Lark:
    return Lark(grammar_text(), parser="lalr", start="diagram_sum", propagate_positions=True, maybe_placeholders=False)


def parse_sum(text: str) -> DiagramSum:
    """Read a linear combination of diagrams, e.g. ``"T [a][a] - 1/2 [a:b][ab]"``.

    Terms are joined by ``+`` and ``-``; each is an optional coefficient and a
    diagram in bracket notation (or legacy notation with its ``c`` prefix).  A
    coefficient multiplies integers, fractions and the symbols T, N, B, E,
    eta by juxtaposition, ``*`` or ``/`` (left to right), with powers ``^`` or
    ``**`` and integer exponents, and sums in parentheses (not nested).  ``0``
    is the empty sum.  Errors are :class:`~diagrams.errors.DiagramSyntaxError`
    or :class:`~diagrams.errors.InvalidDiagramError` with a column and caret.

    >>> parse_sum("-[a][a] + eta^2 N/3 [a:ab][b]")
    DiagramSum('-[a][a] + N*eta**2/3 [a:ab][b]')
    >>> parse_sum("2*T*(T-1) [a][ab][b] + c(01-2)(02-12)")
    DiagramSum('(2*T**2 - 2*T) [a][ab][b] + [a:b][ab]')
    >>> parse_sum("T - 1 [a][a]")
    Traceback (most recent call last):
        ...
    diagrams.errors.InvalidDiagramError: a coefficient needs a diagram after it; put a sum of coefficients in parentheses, e.g. (T - 1) [a][a] (column 1)
      T - 1 [a][a]
      ^
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_sum() takes a str, not {type(text).__name__}")
    try:
        tree = _sum_parser().parse(text)
    except UnexpectedInput as error:
        raise _sum_syntax_error(error, text) from None
    return _Reader(text).sum(tree)


class _Reader:
    """Evaluates a ``diagram_sum`` parse tree of ``text``; errors point into ``text``."""

    def __init__(self, text: str):
        self.text = text

    def error(self, rule: str, position: int) -> InvalidDiagramError:
        """An InvalidDiagramError at the 0-based offset ``position`` of the text."""
        return InvalidDiagramError(rule, self.text, position)

    def sum(self, tree: Tree) -> DiagramSum:
        terms, sign = [], 1
        for child in tree.children:
            if isinstance(child, Token):
                sign = -1 if child.type == "DASH" else 1
                continue
            coefficient, diagram = self.term(child)
            if diagram is not None:
                terms.append((diagram, sign * coefficient))
            sign = 1
        return DiagramSum(terms)

    def term(self, tree: Tree) -> tuple[sympy.Expr, Diagram | None]:
        coefficient, diagram = sympy.Integer(1), None
        has_coefficient = False
        for child in tree.children:
            if isinstance(child, Token):  # '*' between coefficient and diagram
                continue
            if child.data == "sum_diagram":
                diagram = diagram_from_parse_tree(child.children[0], self.text)
            else:
                coefficient, has_coefficient = self.coefficient(child), True
        if diagram is None and has_coefficient and coefficient != 0:
            rule = "a coefficient needs a diagram after it; put a sum of coefficients in parentheses, e.g. (T - 1) [a][a]"
            if self.text[tree.meta.start_pos] == "(":
                rule += "; a legacy diagram in a sum needs its 'c' prefix, e.g. c(01-2)(02-12)"
            raise self.error(rule, tree.meta.start_pos)
        return coefficient, diagram

    def coefficient(self, tree: Tree) -> sympy.Expr:
        kind, children = tree.data, tree.children
        if kind == "coef_integer":
            digits = str(children[0])
            if len(digits) > _MAX_DIGITS:
                raise self.error(f"number too long: at most {_MAX_DIGITS} digits", children[0].start_pos)
            return sympy.Integer(int(digits))
        if kind == "coef_symbol":
            return _SYMBOLS[children[0].type]
        if kind == "coef_group":
            return self.coefficient(children[1])
        if kind == "coef_sum":
            total, sign = sympy.Integer(0), 1
            for child in children:
                if isinstance(child, Token):
                    sign = -1 if child.type == "DASH" else 1
                else:
                    total += sign * self.coefficient(child)
                    sign = 1
            return total
        if kind == "coef_times":
            factors = [self.coefficient(c) for c in children if isinstance(c, Tree)]
            return factors[0] * factors[1]
        if kind == "coef_divide":
            left, slash, right = children
            divisor = self.coefficient(right)
            if divisor == 0:
                raise self.error("division by zero in a coefficient", slash.start_pos)
            return self.coefficient(left) / divisor
        if kind == "coef_power":
            base = self.coefficient(children[0])
            exponent_tree = children[-1]
            exponent = self.exponent(exponent_tree)
            if base == 0 and exponent < 0:
                raise self.error("division by zero in a coefficient (0 to a negative power)", tree.meta.start_pos)
            return base**exponent
        raise AssertionError(f"unknown coefficient rule {kind}")  # pragma: no cover - grammar and reader agree

    def exponent(self, tree: Tree) -> int:
        tokens = [c for c in tree.children if isinstance(c, Token)]
        digits = next(t for t in tokens if t.type == "DIGITS")
        sign = -1 if any(t.type == "DASH" for t in tokens) else 1
        if len(str(digits)) > 4 or int(digits) > _MAX_EXPONENT:
            raise self.error(f"exponent too large: at most {_MAX_EXPONENT} in absolute value", digits.start_pos)
        return sign * int(digits)


def _sum_syntax_error(error: UnexpectedInput, text: str) -> DiagramSyntaxError:
    at_end = isinstance(error, UnexpectedEOF) or (isinstance(error, UnexpectedToken) and error.token.type == "$END")
    if not at_end:
        return syntax_error(error, text)
    stripped = text.rstrip()
    position = len(stripped)  # just past the last character
    opener = _innermost_unclosed(text)
    if not stripped:
        rule = "empty text: a sum has at least one term; '0' is the empty sum"
    elif opener == "[":
        rule = "unbalanced bracket: '[' is never closed"
    elif opener == "(":
        rule = "unbalanced parenthesis: '(' is never closed"
    else:
        rule = f"unexpected end of text; expected {token_words(getattr(error, 'expected', None) or ())}"
    return DiagramSyntaxError(rule, text, position)


def _innermost_unclosed(text: str) -> str | None:
    stack = []
    for char in text:
        if char in "[(":
            stack.append(char)
        elif char in "])" and stack:
            stack.pop()
    return stack[-1] if stack else None

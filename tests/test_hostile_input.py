"""Hostile text and oversized coefficients: refused quickly, with an error that names the rule.

Regressions first (each failed before the limits existed: a RecursionError, sympy
expanding for minutes, seconds of parsing a megabyte), then the bounds the limits
rest on, then a fuzz test of ``parse`` and ``parse_sum`` (only NotationErrors, each
call within a second), then round trips through the text of random diagrams and sums.
"""

from __future__ import annotations

import gc
import random
import time
from functools import cache

import pytest
import strategies as S
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st

import diagrams as dg
from diagrams import DiagramSum, DiagramSyntaxError, NotationError, parse, parse_sum
from diagrams.algebra import B, E, N, T
from diagrams.coefficient_bounds import MAX_DEGREE, CoefficientBound
from diagrams.notation import MAX_SUM_LENGTH, MAX_TEXT_LENGTH

eta = dg.eta
R = sympy.Rational
LEAF = parse("[a][a]")
S5 = "(T + N + B + E + eta)"


def _diagrams(count: int) -> list[dg.Diagram]:
    found = [D for order in range(1, 5) for D in dg.enumerate_diagrams(order)]
    return found[:count]


# -- regressions: text -------------------------------------------------------------------------


def test_long_products_are_read_without_recursion():
    # 497 juxtaposed T's raised RecursionError; now the product's degree is bounded on the way
    with pytest.raises(DiagramSyntaxError, match="coefficient too large: its degree could reach") as info:
        parse_sum("T " * 497 + "[a][a]")
    assert info.value.column == 2 * MAX_DEGREE + 1  # under the T that goes past the limit
    assert parse_sum("2*" * 3000 + "[a][a]") == DiagramSum({LEAF: 2**3000})
    assert parse_sum("1 " * 4000 + "[a][a]") == DiagramSum({LEAF: 1})
    assert parse_sum("T " * MAX_DEGREE + "[a][a]") == DiagramSum({LEAF: T**MAX_DEGREE})


@pytest.mark.parametrize(
    "text, column, limit",
    [
        # (T+N+B+E+eta)^60 has 635 376 terms: minutes and gigabytes in sympy.cancel
        (S5 + "^60 [a][a]", len(S5) + 1, "expanding it could take"),
        # five terms above and below, but a dense gcd of 31^5 coefficients: sympy does not finish
        (
            "(T^30 + N^30 + B^30 + E^30 + eta^30)/(T^29 + N^29 + B^29 + E^29 + eta^29) [a][a]",
            37,
            "cancelling common factors",
        ),
        ("(T + 1)^1000 [a][a]", 8, "its degree could reach 1000"),
        ("(T + N)(T + 2N)(T + 3N)(T + 4N)(T + 5N)" * 8 + " [a][a]", 94, "expanding it could take"),  # the 13th factor
        ("99" * 500 + "^1000 [a][a]", 1001, "its integers could reach"),
    ],
)
def test_coefficients_that_would_expand_hugely_are_refused(text, column, limit):
    with pytest.raises(DiagramSyntaxError, match="coefficient too large: " + limit) as info:
        parse_sum(text)
    assert info.value.column == column
    assert text[column - 1] in "^/(9" or text[column - 2] == ")"  # at the operator, or the factor, that tips it


def test_the_coefficients_of_one_diagram_are_bounded_together():
    # each term is small, but one diagram's coefficient is a sum of 40 fractions (seconds for sympy)
    text = " + ".join(f"1/(T + {i}) [a][a]" for i in range(40))
    with pytest.raises(DiagramSyntaxError, match="coefficient too large") as info:
        parse_sum(text)
    assert text[info.value.column - 1 :].startswith("1/(T + ")
    assert parse_sum(" + ".join(f"1/(T + {i}) [a][a]" for i in range(3))) == DiagramSum(
        {LEAF: 1 / T + 1 / (T + 1) + 1 / (T + 2)}
    )


def test_the_coefficients_of_a_sum_are_bounded_together():
    # every coefficient is allowed alone; all of them together would expand for seconds
    diagrams = _diagrams(40)
    text = " + ".join(f"(T + N + B + E + eta + {i})^4 {D}" for i, D in enumerate(diagrams))
    with pytest.raises(DiagramSyntaxError, match="coefficient too large: expanding all the coefficients"):
        parse_sum(text)
    few = " + ".join(f"(T + N + B + E + eta + {i})^2 {D}" for i, D in enumerate(diagrams[:3]))
    assert parse_sum(few) == DiagramSum({D: (T + N + B + E + eta + i) ** 2 for i, D in enumerate(diagrams[:3])})


def test_texts_are_capped_in_length():
    megabyte = "T [a][a] + " * 95_000 + "[a][a]"  # took 40 s to read
    rule = f"text too long: {len(megabyte)} characters, at most {MAX_SUM_LENGTH} are read"
    with pytest.raises(DiagramSyntaxError, match=rule):
        parse_sum(megabyte)
    with pytest.raises(DiagramSyntaxError, match=f"at most {MAX_TEXT_LENGTH} are read"):
        parse("[" * (MAX_TEXT_LENGTH + 1))
    terms = (MAX_SUM_LENGTH - 6) // 9
    longest = ("[a][a] + " * terms + "[a][a]").ljust(MAX_SUM_LENGTH)
    assert len(longest) == MAX_SUM_LENGTH and parse_sum(longest) == DiagramSum({LEAF: terms + 1})


# -- regressions: DiagramSum from Python ---------------------------------------------------------


def test_diagram_sums_refuse_coefficients_too_costly_to_canonicalize():
    with pytest.raises(ValueError, match="coefficient too large for exact arithmetic: expanding"):
        DiagramSum({LEAF: (T + N + B + E + eta) ** 60})  # minutes and gigabytes before
    with pytest.raises(ValueError, match="coefficient too large for exact arithmetic: cancelling"):
        DiagramSum({LEAF: (T**30 + N**30 + B**30 + E**30 + eta**30) / (T**29 + N**29 + B**29 + E**29 + eta**29)})
    S = DiagramSum({LEAF: T + N, parse("[a:a]"): 1})
    with pytest.raises(ValueError, match="its degree could reach 601"):
        S * (T + N) ** 600
    with pytest.raises(ValueError, match="coefficient too large"):
        S * (T + N + B + E) ** 30
    with pytest.raises(ValueError, match="coefficient too large"):
        S.subs(T, (T + N + B) ** 100)
    with pytest.raises(ValueError, match="its integers could reach"):
        DiagramSum({LEAF: sympy.Integer(10) ** 5000 * T})  # would not even print
    # within the limits nothing changes: the canonical form of a polynomial is its expansion
    assert DiagramSum({LEAF: (T + N) ** 20})[LEAF] == sympy.expand((T + N) ** 20)
    assert (S * (T - 1) ** 3)[LEAF] == sympy.expand((T + N) * (T - 1) ** 3)


# -- the bounds are upper bounds -------------------------------------------------------------------

SYMBOLS = [T, N, B, E, eta]
leaves = st.one_of(
    st.sampled_from(SYMBOLS),
    st.fractions(min_value=-9, max_value=9, max_denominator=7).map(lambda f: R(f.numerator, f.denominator)),
)


def _expressions(children):
    return st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda xs: sympy.Add(*xs)),
        st.lists(children, min_size=2, max_size=3).map(lambda xs: sympy.Mul(*xs)),
        st.tuples(children, st.integers(-3, 4)).map(lambda t: t[0] ** t[1] if t[0] != 0 or t[1] >= 0 else t[0]),
    )


expressions = st.recursive(leaves, _expressions, max_leaves=8)


@settings(max_examples=60, deadline=None)
@given(expressions)
def test_bounds_bound_the_canonical_form(expr):
    bound = CoefficientBound.of(expr)
    numerator, denominator = sympy.fraction(sympy.cancel(sympy.together(expr)))
    degrees = {atom: (p, q) for atom, p, q in bound.degrees}
    for part, total_degree, side in (
        (numerator, bound.numerator_degree, 0),
        (denominator, bound.denominator_degree, 1),
    ):
        poly = sympy.Poly(part, *SYMBOLS)
        assert poly.total_degree() <= total_degree
        for symbol in SYMBOLS:
            assert poly.degree(symbol) <= degrees.get(symbol, (0, 0))[side]
    if bound.has_constant_denominator:  # a polynomial: its terms, and ⌈log₂⌉ of its rational coefficients
        assert len(sympy.Add.make_args(sympy.expand(numerator))) <= bound.numerator_terms
        for coefficient in sympy.Poly(sympy.cancel(expr), *SYMBOLS).coeffs():
            assert ((abs(coefficient.p) or 1) - 1).bit_length() <= bound.numerator_bits
            assert (coefficient.q - 1).bit_length() <= bound.denominator_bits


def test_bounds_of_the_examples():
    bound = CoefficientBound.of((T + N + B + E + eta) ** 60)
    assert bound.numerator_terms == sympy.binomial(64, 4) and bound.numerator_degree == 60  # C(60+4, 4) monomials
    assert CoefficientBound.of((T + 1) ** 10 / (T - 1)).gcd_size == 11
    assert CoefficientBound.of(sympy.sin((T + N) ** 40)).work > CoefficientBound.of((T + N) ** 40).work
    assert CoefficientBound.of(T ** (10**30)).broken_limit().startswith("its degree could reach")
    assert CoefficientBound.of(sympy.Float(0.5) * T).numerator_bits == 53


# -- fuzz: only NotationErrors, each within a second -------------------------------------------------

ALPHABET = "[]:()-c0123456789abcABTNBEeta+*/^ \n"
PIECES = ["T [a][a] + ", "(T + N)^9 ", "[a:b][ab] - ", "2*", "c(01-2)(02-12) + ", "(", "[", "eta**", "1/(T+1) "]


@cache
def _warmed_up() -> bool:
    """Build the parser, and its lexer's states, once: a cost of the process, not of any text."""
    for text in PIECES + ["[a:b][ab]", "c(0-1)(01)", "-2*T^2/(N eta)**(-1) [a][a] + 0", "[a][a]+", "x"]:
        for read in (parse, parse_sum):
            try:
                read(text)
            except NotationError:
                pass
    gc.collect()
    return True


def _read_within_a_second(text: str) -> None:
    assert _warmed_up()
    for read in (parse, parse_sum):
        gc.disable()  # a collection of the whole test process's heap is no cost of this text
        try:
            start = time.perf_counter()
            try:
                read(text)
            except NotationError as error:
                assert error.rule and error.rule in str(error)
            elapsed = time.perf_counter() - start
        finally:
            gc.enable()
        assert elapsed < 1.0, (read.__name__, len(text), text[:80], elapsed)


@st.composite
def edited_texts(draw):
    """A valid diagram or sum text with a few edits: characters, or pieces of the grammar."""
    structure = draw(S.structures(max_nodes=8))
    D = dg.Diagram.from_tree(structure[0], S.blocks(structure[1]))
    text = draw(st.sampled_from([str(D), D.legacy_name or str(D), f"(T - 1)/(2 N) {D} - eta^2 [a][a]"]))
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "replace", "piece", "repeat"]))
        if edit == "insert":
            text = text[:i] + draw(st.sampled_from(ALPHABET)) + text[i:]
        elif edit == "delete":
            text = text[:i] + text[i + 1 :]
        elif edit == "replace":
            text = text[:i] + draw(st.sampled_from(ALPHABET)) + text[i + 1 :]
        elif edit == "piece":
            text = text[:i] + draw(st.sampled_from(PIECES + ["^1000", "**60", "^-999", "9" * 40])) + text[i:]
        else:
            j = draw(st.integers(i, len(text)))
            text = text[:i] + text[i:j] * draw(st.integers(2, 50)) + text[j:]
    return text


@st.composite
def long_texts(draw):
    """A piece repeated to a length from a thousand characters to a megabyte."""
    piece = draw(st.one_of(st.sampled_from(PIECES), st.text(alphabet=ALPHABET, min_size=1, max_size=12)))
    size = draw(st.one_of(st.integers(1000, MAX_SUM_LENGTH), st.integers(MAX_SUM_LENGTH, 1_000_000)))
    return (piece * (size // len(piece) + 1))[:size]


MEGABYTE = 1_000_000


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=200), st.text(alphabet=ALPHABET, max_size=300), edited_texts(), long_texts()))
@example("[" * MEGABYTE)
@example("(" * MEGABYTE)
@example(("T [a][a] + " * (MEGABYTE // 11 + 1))[:MEGABYTE])
@example(("2*" * MEGABYTE)[: MEGABYTE - 6] + "[a][a]")
@example("".join(random.Random(7).choices(ALPHABET, k=MEGABYTE)))
@example(S5 + "^60 [a][a]")
@example(("[a][a] + " * ((MAX_SUM_LENGTH - 6) // 9) + "[a][a]").ljust(MAX_SUM_LENGTH))
@example(("1 " * ((MAX_SUM_LENGTH - 6) // 2) + "[a][a]").ljust(MAX_SUM_LENGTH))
def test_any_text_is_read_or_refused_with_a_notation_error_within_a_second(text):
    _read_within_a_second(text)


# -- round trips through the text -------------------------------------------------------------------

monomials = st.tuples(
    st.fractions(min_value=-20, max_value=20, max_denominator=12).filter(bool),
    st.lists(st.integers(0, 2), min_size=5, max_size=5),
).map(lambda t: R(t[0].numerator, t[0].denominator) * sympy.Mul(*(s**k for s, k in zip(SYMBOLS, t[1]))))
polynomials = st.lists(monomials, min_size=1, max_size=4).map(lambda ms: sympy.Add(*ms)).filter(lambda p: p != 0)
coefficients = st.one_of(polynomials, st.tuples(polynomials, polynomials).map(lambda t: t[0] / t[1]))
random_diagrams = S.structures(max_nodes=8).map(lambda s: dg.Diagram.from_tree(s[0], S.blocks(s[1])))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(random_diagrams, coefficients), max_size=3))
def test_random_sums_read_back_from_their_text(terms):
    S_ = DiagramSum(terms)
    text = str(S_)
    assert parse_sum(text) == S_
    assert str(parse_sum(text)) == text
    for D, _ in S_:
        assert parse(str(D)) == D and parse(D.text, root_tied=D.is_root_tied) == D


@settings(max_examples=60, deadline=None)
@given(S.structures(max_nodes=12), st.randoms(use_true_random=False))
def test_random_diagrams_read_back_from_any_of_their_texts(structure, rng):
    D = dg.Diagram.from_tree(structure[0], S.blocks(structure[1]))
    assert parse(str(D)) == D
    assert parse(S.structure_text(structure, rng, spaces=True)) == D
    assert parse_sum(f"{S.structure_text(structure, rng)} - 2 {D}") == DiagramSum({D: -1})


def test_the_limits_let_the_engine_series_read_back():
    series = DiagramSum(dg.diagram_terms(dg.Schedule.sgd(T), 5))  # 208 terms
    text = str(series)
    assert len(text) <= MAX_SUM_LENGTH and parse_sum(text) == series
    schedule = dg.Schedule(N=N, B=1, E=E)
    gap = DiagramSum(dg.diagram_terms(schedule, 3, root_tied=True)) / (-N * (T - 1))  # a symbolic denominator
    assert parse_sum(str(gap)) == gap

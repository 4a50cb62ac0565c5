r"""How wide printed LaTeX math comes out, estimated without running TeX.

A small model of TeX's math typesetting (The TeXbook, appendix G) for the
LaTeX this package prints: glyph widths of Computer Modern at the sizes of
LaTeX's \normalsize … \scriptsize (measured with pdflatex, :data:`GLYPHS`), the
spacing between atoms (ordinary, operator, binary, relation, opening,
closing, punctuation, inner) with binary operators turned ordinary where TeX
turns them, sub- and superscripts, fractions, ``\left…\right`` delimiters
sized by what they enclose, and TikZ pictures (from their bounding box).
Where it must guess it guesses wide: an unknown command counts as one em, a
character's italic correction is always added, a delimiter is assumed as
tall as its contents could make it.  The estimate is therefore an upper
bound of TeX's natural width, a few percent above it (the calibration script
``benchmarks/latex_widths.py`` and tests/test_latex_layout.py compare it with
pdflatex).

Widths are in TeX points (1/72.27 in) for the article class at 10 pt;
:func:`parse_length` reads the lengths users give (``"345pt"``,
``"12cm"``, ``"\\columnwidth"``, ``"0.9\\textwidth"``).

>>> round(math_width("G_{\\mu}G^{\\mu}"), 2)      # pdflatex: 26.45
26.48
>>> math_width(r"\frac{T}{2} C H") > math_width(r"\frac{T}{2} C H", display=False)
True
>>> parse_length("0.5\\columnwidth"), parse_length(100), parse_length("1in")
(172.5, 100.0, 72.27)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from numbers import Real

__all__ = ["math_width", "text_width", "parse_length", "COLUMN_WIDTH", "GLYPHS", "FONT_SIZES", "SIZES"]

#: The text width of LaTeX's article class at 10 pt, one column (pt): the default target.
COLUMN_WIDTH = 345.0

#: Glyph widths (pt, rounded up) in fonts of 10, 9, 8, 7, 6 and 5 pt: math italic letters and
#: Greek, upright digits and symbols, as pdflatex sets each alone in math mode (italic
#: correction included), two spaces apart.  Measured by benchmarks/latex_widths.py --glyphs.
_GLYPH_TABLE = r"""
a 5.29 4.91 4.52 4.34 4.05 3.88  b 4.3 3.97 3.64 3.52 3.29 3.17  c 4.33 4.01 3.69 3.58 3.36 3.25
d 5.21 4.8 4.38 4.17 3.86 3.7  e 4.66 4.31 3.95 3.8 3.54 3.39  f 5.98 5.47 4.97 4.69 4.3 4.02
g 5.13 4.74 4.34 4.16 3.87 3.69  h 5.77 5.33 4.9 4.69 4.36 4.14  i 3.45 3.17 2.9 2.83 2.68 2.67
j 4.7 4.3 3.9 3.72 3.42 3.24  k 5.53 5.08 4.64 4.43 4.1 3.88  l 3.19 2.91 2.64 2.57 2.41 2.41
m 8.79 8.15 7.52 7.1 6.57 6.15  n 6.01 5.58 5.16 4.95 4.62 4.41  o 4.85 4.48 4.11 3.95 3.68 3.52
p 5.04 4.65 4.28 4.13 3.86 3.7  q 4.83 4.46 4.09 3.92 3.64 3.48  r 4.79 4.44 4.08 3.93 3.68 3.54
s 4.69 4.31 3.94 3.78 3.51 3.36  t 3.62 3.35 3.07 3.03 2.87 2.82  u 5.73 5.33 4.93 4.73 4.43 4.24
v 5.21 4.82 4.43 4.26 3.97 3.8  w 7.43 6.88 6.32 5.98 5.53 5.18  x 5.72 5.25 4.79 4.54 4.19 3.96
y 5.27 4.88 4.49 4.31 4.02 3.84  z 5.1 4.7 4.3 4.11 3.82 3.63  A 7.51 6.94 6.37 6.02 5.55 5.19
B 8.09 7.45 6.81 6.39 5.85 5.42  C 7.87 7.25 6.63 6.23 5.72 5.33  D 8.56 7.89 7.21 6.76 6.19 5.73
E 7.96 7.32 6.68 6.26 5.72 5.3  F 7.82 7.2 6.56 6.15 5.63 5.21  G 7.87 7.25 6.63 6.23 5.72 5.33
H 9.13 8.37 7.6 7.09 6.45 5.93  I 5.19 4.75 4.31 4.09 3.75 3.52  J 6.51 5.96 5.4 5.09 4.66 4.35
K 9.21 8.48 7.74 7.21 6.57 6.04  L 6.81 6.3 5.79 5.49 5.08 4.78  M 10.8 9.91 9.02 8.38 7.62 6.97
N 9.13 8.37 7.6 7.09 6.45 5.93  O 7.91 7.3 6.69 6.3 5.8 5.42  P 7.81 7.2 6.57 6.17 5.66 5.25
Q 7.91 7.3 6.69 6.3 5.8 5.42  R 7.68 7.07 6.46 6.07 5.56 5.16  S 6.71 6.17 5.62 5.3 4.86 4.54
T 7.24 6.69 6.13 5.8 5.36 5.03  U 7.92 7.27 6.61 6.2 5.68 5.27  V 8.06 7.45 6.84 6.45 5.94 5.53
W 10.84 10.02 9.21 8.6 7.88 7.27  X 9.07 8.35 7.62 7.11 6.48 5.95  Y 8.03 7.43 6.82 6.43 5.92 5.52
Z 7.55 6.94 6.33 5.94 5.45 5.06  0 5.01 4.63 4.26 3.99 3.67 3.41  1 5.01 4.63 4.26 3.99 3.67 3.41
2 5.01 4.63 4.26 3.99 3.67 3.41  3 5.01 4.63 4.26 3.99 3.67 3.41  4 5.01 4.63 4.26 3.99 3.67 3.41
5 5.01 4.63 4.26 3.99 3.67 3.41  6 5.01 4.63 4.26 3.99 3.67 3.41  7 5.01 4.63 4.26 3.99 3.67 3.41
8 5.01 4.63 4.26 3.99 3.67 3.41  9 5.01 4.63 4.26 3.99 3.67 3.41  ( 3.89 3.6 3.31 3.13 2.89 2.71
) 3.89 3.6 3.31 3.13 2.89 2.71  [ 2.78 2.57 2.37 2.27 2.12 2.02  ] 2.78 2.57 2.37 2.27 2.12 2.02
+ 7.78 7.2 6.62 6.14 5.62 5.14  - 7.78 7.2 6.62 6.26 5.78 5.42  = 7.78 7.2 6.62 6.14 5.62 5.14
< 7.78 7.2 6.62 6.26 5.78 5.42  > 7.78 7.2 6.62 6.26 5.78 5.42  , 2.78 2.57 2.37 2.38 2.28 2.3
; 2.78 2.57 2.37 2.27 2.12 2.02  : 2.78 2.57 2.37 2.27 2.12 2.02  ! 2.78 2.57 2.37 2.27 2.12 2.02
| 2.78 2.57 2.37 2.38 2.28 2.3  / 5.01 4.63 4.26 4.1 3.84 3.69  . 2.78 2.57 2.37 2.38 2.28 2.3
' 2.81 2.7 2.7 2.71 2.71 2.71  * 5.01 4.63 4.26 4.1 3.84 3.69  \alpha 6.44 5.94 5.46 5.2 4.83 4.57
\beta 6.19 5.69 5.19 4.9 4.5 4.22  \gamma 5.74 5.3 4.86 4.64 4.31 4.09
\delta 4.83 4.45 4.07 3.89 3.61 3.44  \epsilon 4.06 3.75 3.44 3.34 3.14 3.07
\varepsilon 4.67 4.3 3.93 3.78 3.53 3.38  \zeta 5.12 4.7 4.29 4.1 3.79 3.6
\eta 5.33 4.95 4.56 4.38 4.08 3.9  \theta 4.98 4.59 4.21 4.03 3.74 3.56
\vartheta 5.92 5.49 5.06 4.83 4.51 4.28  \iota 3.54 3.28 3.01 2.96 2.8 2.75
\kappa 5.77 5.33 4.9 4.69 4.36 4.14  \lambda 5.84 5.4 4.96 4.75 4.42 4.21
\mu 6.03 5.58 5.12 4.87 4.5 4.25  \nu 5.58 5.15 4.71 4.48 4.14 3.92  \xi 4.84 4.45 4.05 3.88 3.6 3.43
\pi 6.06 5.62 5.17 4.93 4.58 4.34  \varpi 8.56 7.93 7.3 6.87 6.33 5.9
\rho 5.18 4.77 4.36 4.15 3.84 3.64  \varrho 5.18 4.77 4.36 4.15 3.84 3.64
\sigma 6.08 5.62 5.15 4.89 4.52 4.26  \varsigma 4.43 4.09 3.74 3.62 3.38 3.26
\tau 5.51 5.11 4.7 4.5 4.19 3.99  \upsilon 5.77 5.33 4.9 4.69 4.36 4.14
\phi 5.96 5.51 5.06 4.81 4.46 4.21  \varphi 6.55 6.05 5.54 5.26 4.87 4.6
\chi 6.26 5.77 5.28 5 4.61 4.33  \psi 6.88 6.36 5.85 5.55 5.14 4.84  \omega 6.59 6.08 5.58 5.29 4.9 4.62
\Gamma 6.26 5.79 5.31 4.95 4.53 4.16  \Delta 8.34 7.71 7.09 6.57 6 5.49
\Theta 7.78 7.2 6.62 6.14 5.62 5.14  \Lambda 6.95 6.43 5.9 5.48 4.99 4.56
\Xi 6.67 6.17 5.67 5.28 4.84 4.45  \Pi 7.51 6.94 6.37 5.91 5.38 4.91
\Sigma 7.23 6.69 6.14 5.71 5.23 4.8  \Upsilon 7.78 7.2 6.62 6.14 5.62 5.14
\Phi 7.23 6.69 6.14 5.71 5.23 4.8  \Psi 7.78 7.2 6.62 6.14 5.62 5.14
\Omega 7.23 6.69 6.14 5.71 5.23 4.8  \nabla 8.34 7.71 7.09 6.69 6.17 5.77
\partial 5.87 5.41 4.96 4.71 4.35 4.1  \ell 4.17 3.82 3.48 3.35 3.12 2.99
\infty 10.01 9.25 8.51 7.98 7.34 6.81  \cdot 2.78 2.57 2.37 2.38 2.28 2.3
\times 7.78 7.2 6.62 6.26 5.78 5.42  \pm 7.78 7.2 6.62 6.26 5.78 5.42  \mp 7.78 7.2 6.62 6.26 5.78 5.42
\cdots 13.34 12.34 11.34 11.23 10.67 10.56  \ldots 11.67 10.8 9.92 9.86 9.39 9.33
\dots 13.34 12.34 11.34 11.23 10.67 10.56  \{ 5.01 4.63 4.26 4.1 3.84 3.69
\} 5.01 4.63 4.26 4.1 3.84 3.69  \| 5.01 4.63 4.26 4.1 3.84 3.69
"""

#: Font sizes (pt) of the glyph table's columns.
FONT_SIZES = (10, 9, 8, 7, 6, 5)

#: {glyph: widths (pt) at FONT_SIZES}.
GLYPHS: dict[str, tuple[float, ...]] = {
    name: tuple(float(w) for w in widths)
    for entry in re.split(r"\s\s+|\n", _GLYPH_TABLE)
    if entry.strip()
    for name, *widths in [entry.rsplit(" ", len(FONT_SIZES))]
}

#: LaTeX's size commands (10 pt class): font sizes (pt) of text, script and scriptscript style.
SIZES = {"normalsize": (10, 7, 5), "small": (9, 6, 5), "footnotesize": (8, 6, 5), "scriptsize": (7, 5, 5)}

#: Upright (roman) letters at 10 pt, for \mathrm, \operatorname, named functions and text.
_ROMAN = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        (5.01, 5.56, 4.45, 5.56, 4.45, 3.84, 5.14, 5.56, 2.78, 3.06, 5.28, 2.78, 8.34, 5.56, 5.01, 5.56, 5.28,
         3.92, 3.95, 3.89, 5.56, 5.42, 7.37, 5.28, 5.42, 4.45, 7.51, 7.09, 7.23, 7.64, 6.81, 6.53, 7.85, 7.51,
         3.62, 5.14, 7.78, 6.26, 9.17, 7.51, 7.78, 6.81, 7.78, 7.37, 5.56, 7.23, 7.51, 7.64, 10.42, 7.51, 7.75,
         6.12),
    )
)  # fmt: skip
#: Roman glyphs at a smaller size relative to 10 pt (smaller fonts are drawn wider: cmr5's m is 0.66 of cmr10's).
_ROMAN_SCALE = {10: 1.0, 9: 0.93, 8: 0.86, 7: 0.8, 6: 0.73, 5: 0.67}
#: A \quad (one em of the text font) at each font size.
_QUAD = {10: 10.0, 9: 9.25, 8: 8.51, 7: 7.98, 6: 7.34, 5: 6.81}
#: 18 math units (the quad of the math symbol font, cmsy) at each font size: wider than the text quad below 8 pt.
_MATH_QUAD = {10: 10.0, 9: 9.25, 8: 8.5, 7: 8.2, 6: 7.67, 5: 7.37}

_TYPEWRITER = 0.532  # one \texttt character, in ems of its font (5.25 pt at 10 pt, 4.25 at 8)
_SCRIPT_SPACE = 0.5  # \scriptspace after a sub- or superscript
_NULL_DELIMITER = 1.2  # \nulldelimiterspace, on both sides of a fraction
_UNKNOWN = 1.0  # an unknown command: one em, generously
_POINTS_PER_CM = 72.27 / 2.54
#: Widths of ( and [ at TeX's delimiter sizes: normal, \big, \Big, \bigg, \Bigg (10 pt; never less at smaller sizes).
_PAREN = (3.89, 4.59, 5.98, 7.37, 7.92)
_BRACKET = (2.78, 4.17, 4.73, 5.29, 5.84)
_BAR = (2.78, 3.34, 3.89, 4.45, 5.01)
_EXPLICIT_SIZES = {"big": 1, "Big": 2, "bigg": 3, "Bigg": 4}

#: Spaces, in ems (\quad) of the current font or in math units (1/18 em of the math font).
_EM_KERNS = {r"\quad": 1.0, r"\qquad": 2.0, r"\enspace": 0.5, r"\ ": 0.34, "~": 0.34}
_MU_KERNS = {r"\,": 3, r"\:": 4, r"\;": 5, r"\!": -3, r"\thinspace": 3}
_BIN = {"+", "-", "*", r"\cdot", r"\times", r"\pm", r"\mp", r"\circ", r"\ast", r"\otimes", r"\oplus", r"\setminus"}
_REL = {"=", "<", ">", ":", r"\leq", r"\geq", r"\le", r"\ge", r"\neq", r"\approx", r"\sim", r"\simeq",
        r"\equiv", r"\to", r"\mapsto", r"\propto", r"\in", r"\subset", r"\rightarrow", r"\leftarrow"}  # fmt: skip
_OPEN = {"(", "[", r"\{", r"\langle", r"\lbrace", r"\lbrack"}
_CLOSE = {")", "]", r"\}", r"\rangle", r"\rbrace", r"\rbrack", "!"}
_PUNCT = {",", ";"}
_NAMED_OPERATORS = {r"\log", r"\ln", r"\exp", r"\sin", r"\cos", r"\tan", r"\lim", r"\max", r"\min", r"\det",
                    r"\sup", r"\inf", r"\arg", r"\sinh", r"\cosh", r"\tanh", r"\operatorname"}  # fmt: skip
_LARGE_OPERATORS = {r"\sum": (10.56, 14.45), r"\prod": (9.45, 12.78), r"\int": (5.56, 8.34)}  # text, display
_FONTS = {r"\mathrm", r"\mathit", r"\mathbf", r"\mathsf", r"\mathtt", r"\mathbb", r"\mathcal", r"\mathfrak",
          r"\boldsymbol", r"\text", r"\textrm", r"\textit", r"\textbf", r"\texttt", r"\mbox"}  # fmt: skip
_WIDE_FONTS = {r"\mathbf", r"\boldsymbol", r"\textbf", r"\mathbb", r"\mathcal", r"\mathfrak"}
_ACCENTS = {r"\hat", r"\bar", r"\tilde", r"\vec", r"\dot", r"\ddot", r"\overline", r"\underline", r"\widehat",
            r"\widetilde", r"\check", r"\breve", r"\acute", r"\grave"}  # fmt: skip
_IGNORED = {r"\limits", r"\nolimits", r"\nonumber", r"\notag", r"\allowbreak", r"\displaylimits", r"\relax",
            r"\strut", r"\mathstrut", r"\vphantom", "&"}  # fmt: skip
_STYLES = {r"\displaystyle": 0, r"\textstyle": 1, r"\scriptstyle": 2, r"\scriptscriptstyle": 3}

_TOKEN = re.compile(r"\\begin\{tikzpicture\}.*?\\end\{tikzpicture\}|\\[A-Za-z]+|\\.|\s+|.", re.DOTALL)
_BOUNDING_BOX = re.compile(r"\\useasboundingbox \((?P<x0>-?[0-9.]+),[^)]*\) rectangle \((?P<x1>-?[0-9.]+),")
_PICTURE_UNIT = re.compile(r"sgd diagram/\.style=\{x=(?P<unit>[0-9.]+)cm")
_PICTURE_SCALE = re.compile(r"\[sgd diagram, scale=(?P<scale>[0-9.]+)\]")

# -- atoms and spacing (The TeXbook, chapter 18) ---------------------------------

ORD, OP, BIN, REL, OPEN, CLOSE, PUNCT, INNER = range(8)
#: Space between two adjacent atoms, by (left, right) kind: 0 none, 1 thin, 2 medium, 3 thick;
#: negative where the space is left out in script styles.
_SPACING = (
    (0, 1, -2, -3, 0, 0, 0, -1),
    (1, 1, 0, -3, 0, 0, 0, -1),
    (-2, -2, 0, 0, -2, 0, 0, -2),
    (-3, -3, 0, 0, -3, 0, 0, -3),
    (0, 0, 0, 0, 0, 0, 0, 0),
    (0, 1, -2, -3, 0, 0, 0, -1),
    (-1, -1, 0, -1, -1, -1, -1, -1),
    (-1, 1, -2, -3, -1, 0, -1, -1),
)
_SPACE_MU = (0, 3, 4, 5)


@dataclass
class _Atom:
    kind: int
    width: float
    tall: int = 0  # how tall a delimiter around it must be: 0 … 4, the sizes of _PAREN
    deep: bool = False  # it has a subscript (below 10 pt, \left( then takes a larger size than the font's)


def math_width(text: str, *, display: bool = True, size: str = "normalsize") -> float:
    r"""An upper bound of the natural width (pt) TeX gives the math ``text`` (Computer Modern, 10 pt class).

    ``display`` sets it in display style (``align``, ``equation``), else in
    text style (between ``$…$``, a table cell); ``size`` is a LaTeX size
    command's name (:data:`SIZES`).

    >>> round(math_width("a + b"), 1), round(math_width(r"\frac{T}{2}", display=False), 1)  # pdflatex: 21.8, 8.2
    (21.8, 8.2)
    """
    setter = _Setter(_sizes(size))
    atoms, _ = setter.parse_list(_TOKEN.findall(text), 0, 0 if display else 1, stop=None)
    return setter.list_width(atoms, 0 if display else 1)


def text_width(text: str, *, size: str = "normalsize") -> float:
    r"""An upper bound of the width (pt) of a table cell or paragraph fragment: text with ``$…$`` math.

    >>> text_width(r"\texttt{[a][a]}") == 6 * 5.32
    True
    """
    setter = _Setter(_sizes(size))
    total = 0.0
    for k, piece in enumerate(_math_shifts(text)):
        if k % 2:
            atoms, _ = setter.parse_list(_TOKEN.findall(piece), 0, 1, stop=None)
            total += setter.list_width(atoms, 1)
        else:
            atoms, _ = setter.parse_list(_TOKEN.findall(piece), 0, 1, stop=None, text_mode=True)
            total += sum(a.width for a in atoms)
    return total


def _math_shifts(text: str) -> list[str]:
    """``text`` split at the ``$`` signs outside braces: text, math, text, …"""
    pieces, depth, start, k = [], 0, 0, 0
    while k < len(text):
        char = text[k]
        if char == "\\":
            k += 2
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "$" and depth == 0:
            pieces.append(text[start:k])
            start = k + 1
        k += 1
    return pieces + [text[start:]]


def _sizes(size: str) -> tuple[int, int, int]:
    try:
        return SIZES[size]
    except KeyError:
        raise ValueError(f"size must be one of {tuple(SIZES)}, got {size!r}") from None


def parse_length(length: str | float | Real) -> float:
    r"""A length in pt: a number (pt), ``"<number><unit>"`` (pt, bp, mm, cm, in, em, ex) or a
    multiple of ``\columnwidth``, ``\textwidth`` or ``\linewidth`` (taken as the article's 345 pt).

    >>> parse_length("10cm"), parse_length(r"\textwidth")
    (284.5275590551181, 345.0)
    """
    if isinstance(length, bool) or not isinstance(length, (str, Real)):
        raise TypeError(f"a width is a number of pt or a LaTeX length such as '345pt', not {type(length).__name__}")
    if isinstance(length, Real):
        value = float(length)
    else:
        match = _LENGTH.fullmatch(length)
        if match is None or match["factor"] == "." or (not match["factor"] and match["unit"][0] != "\\"):
            raise ValueError(
                f"width {length!r}: give a number of pt, '<number><unit>' (pt, bp, mm, cm, in, em, ex) "
                r"or a multiple of \columnwidth, \textwidth or \linewidth"
            )
        factor = float(match["factor"]) if match["factor"] else 1.0
        value = factor * _UNITS.get(match["unit"], COLUMN_WIDTH)
    if not 0 < value < float("inf"):
        raise ValueError(f"width must be positive and finite, got {length!r}")
    return value


_LENGTH = re.compile(
    r"\s*(?P<factor>\d*\.?\d*)\s*(?P<unit>pt|bp|mm|cm|in|em|ex|\\columnwidth|\\textwidth|\\linewidth)\s*"
)
_UNITS = {
    "pt": 1.0,
    "bp": 72.27 / 72,
    "mm": _POINTS_PER_CM / 10,
    "cm": _POINTS_PER_CM,
    "in": 72.27,
    "em": 10.0,
    "ex": 4.31,
}


def _script_style(style: int) -> int:
    return 2 if style < 2 else 3


def _fraction_style(style: int) -> int:
    return min(style + 1, 3)


def _skip_space(tokens: list[str], i: int) -> int:
    while i < len(tokens) and tokens[i].isspace():
        i += 1
    return i


def _kind(token: str) -> int:
    for kinds, kind in ((_BIN, BIN), (_REL, REL), (_OPEN, OPEN), (_CLOSE, CLOSE), (_PUNCT, PUNCT)):
        if token in kinds:
            return kind
    return ORD


def _delimiter(token: str, level: int) -> float:
    if token == ".":
        return _NULL_DELIMITER
    if token in ("[", "]", r"\lbrack", r"\rbrack"):
        return _BRACKET[level]
    if token in ("|", r"\vert", r"\|", r"\Vert"):
        return _BAR[level] * (1.8 if token in (r"\|", r"\Vert") else 1.0)
    return _PAREN[level]


def _picture_width(picture: str) -> float:
    """The width of one of :func:`~diagrams.output.draw.to_tikz`'s pictures, from its bounding box."""
    box = _BOUNDING_BOX.search(picture)
    if box is None:
        return 100.0
    unit = _PICTURE_UNIT.search(picture)
    scale = _PICTURE_SCALE.search(picture)
    centimetres = (float(box["x1"]) - float(box["x0"])) * (float(unit["unit"]) if unit else 0.5)
    return centimetres * (float(scale["scale"]) if scale else 1.0) * _POINTS_PER_CM


def _raw_argument(tokens: list[str], i: int) -> tuple[list[str], int]:
    """The tokens of a braced group (or the single token) at ``i``, unparsed."""
    i = _skip_space(tokens, i)
    if i < len(tokens) and tokens[i] == "{":
        depth, j = 0, i
        while j < len(tokens):
            depth += {"{": 1, "}": -1}.get(tokens[j], 0)
            if depth == 0:
                return tokens[i + 1 : j], j + 1
            j += 1
        return tokens[i + 1 :], len(tokens)
    return tokens[i : i + 1], i + 1


class _Setter:
    """TeX's math list to width, for fonts of the given text, script and scriptscript sizes (pt)."""

    def __init__(self, fonts: tuple[int, int, int]):
        self.fonts = fonts

    def font(self, style: int) -> int:
        """The font size (pt) of a style: 0 display, 1 text, 2 script, 3 scriptscript."""
        return self.fonts[max(0, style - 1)]

    def glyph(self, token: str, style: int) -> float:
        font = self.font(style)
        # below 10 pt TeX sizes delimiters less predictably than the model: glyphs 1 % wider keep it an upper bound
        margin = 1.0 if self.fonts[0] == 10 else 1.01
        if token in GLYPHS:
            return GLYPHS[token][FONT_SIZES.index(font)] * margin
        return _UNKNOWN * _QUAD[font]

    def roman(self, token: str, style: int) -> float:
        font = self.font(style)
        if token in _ROMAN:
            return max(_ROMAN[token] * _ROMAN_SCALE[font], self.glyph(token, style))
        return self.glyph(token, style)

    def parse_list(self, tokens: list[str], start: int, style: int, stop: str | None, text_mode: bool = False):
        """Atoms from ``tokens[start:]`` up to the ``stop`` token (``}`` or ``\\right``); returns (atoms, next index)."""
        atoms: list[_Atom] = []
        i = start
        while i < len(tokens):
            token = tokens[i]
            if token == stop:
                return atoms, i
            if token.isspace() and not text_mode:
                i += 1
            elif token in ("^", "_") and atoms and not text_mode:
                i = self.attach_scripts(atoms[-1], tokens, i, style)
            elif token in _STYLES:
                style = _STYLES[token]
                i += 1
            else:
                atom, i = self.parse_atom(tokens, i, style, text_mode)
                if atom is not None:
                    atoms.append(atom)
        return atoms, i

    def attach_scripts(self, nucleus: _Atom, tokens: list[str], i: int, style: int) -> int:
        """Attach the ``^``/``_`` scripts at ``tokens[i]`` to ``nucleus``; return the next index."""
        widths = {"^": 0.0, "_": 0.0}
        while i < len(tokens) and tokens[i] in widths:
            mark = tokens[i]
            argument, i = self.argument(tokens, i + 1, _script_style(style))
            widths[mark] = max(widths[mark], argument.width)
            nucleus.tall = max(nucleus.tall, 1 if mark == "^" else 0, argument.tall)
            nucleus.deep = nucleus.deep or mark == "_"
            i = _skip_space(tokens, i)
        nucleus.width += max(widths.values()) + _SCRIPT_SPACE
        return i

    def argument(self, tokens: list[str], i: int, style: int) -> tuple[_Atom, int]:
        """One argument: a braced group or a single token, as an ordinary atom."""
        i = _skip_space(tokens, i)
        if i >= len(tokens):
            return _Atom(ORD, 0.0), i
        if tokens[i] == "{":
            atoms, j = self.parse_list(tokens, i + 1, style, stop="}")
            # delimiters and fractions inside make a group tall even where their own size is small
            tall = max([a.tall for a in atoms] + [1 for a in atoms if a.kind == INNER], default=0)
            return _Atom(ORD, self.list_width(atoms, style), tall), j + 1
        atom, j = self.parse_atom(tokens, i, style, False)
        return (atom or _Atom(ORD, 0.0)), j

    def parse_atom(self, tokens: list[str], i: int, style: int, text_mode: bool) -> tuple[_Atom | None, int]:
        token = tokens[i]
        font = self.font(style)
        if text_mode and not token.startswith("\\") and token not in "{}":
            if token.isspace():
                return _Atom(ORD, _EM_KERNS[r"\ "] * _QUAD[font]), i + 1
            return _Atom(ORD, self.roman(token, style)), i + 1
        if token == "{":
            atoms, j = self.parse_list(tokens, i + 1, style, stop="}", text_mode=text_mode)
            return _Atom(ORD, self.list_width(atoms, style), max((a.tall for a in atoms), default=0)), j + 1
        if token == "}":
            return None, i + 1
        if token in _IGNORED:
            return None, (_raw_argument(tokens, i + 1)[1] if token == r"\vphantom" else i + 1)
        if token in _EM_KERNS:
            return _Atom(-1, _EM_KERNS[token] * _QUAD[font]), i + 1
        if token in _MU_KERNS:
            return _Atom(-1, _MU_KERNS[token] * _MATH_QUAD[font] / 18), i + 1
        if token.startswith(r"\begin{tikzpicture}"):
            return _Atom(ORD, _picture_width(token), 4), i + 1
        if token in (r"\parbox", r"\rule", r"\makebox"):
            return self.sized_box(tokens, i)
        if token in (r"\frac", r"\dfrac", r"\tfrac", r"\binom"):
            return self.fraction(tokens, i, style)
        if token == r"\left":
            return self.left_right(tokens, i, style)
        if token == r"\sqrt":
            j = _skip_space(tokens, i + 1)
            if j < len(tokens) and tokens[j] == "[":
                while j < len(tokens) and tokens[j] != "]":
                    j += 1
                j += 1
            body, j = self.argument(tokens, j, style)
            return _Atom(ORD, body.width + 0.834 * _QUAD[font] + 2.0, max(2, body.tall)), j
        if token in _FONTS:
            raw, j = _raw_argument(tokens, i + 1)
            if token in (r"\texttt", r"\mathtt"):
                width = _TYPEWRITER * _QUAD[font] * len(raw)
            else:
                atoms, _ = self.parse_list(raw, 0, style, stop=None, text_mode=True)
                width = sum(a.width for a in atoms) * (1.15 if token in _WIDE_FONTS else 1.0)
            return _Atom(ORD, width), j
        if token in _ACCENTS:
            body, j = self.argument(tokens, i + 1, style)
            body.tall = max(body.tall, 1)
            return body, j
        if token in _NAMED_OPERATORS:
            raw, j = _raw_argument(tokens, i + 1) if token == r"\operatorname" else (list(token[1:]), i + 1)
            return _Atom(OP, sum(self.roman(t, style) for t in raw)), j
        if token in _LARGE_OPERATORS:
            text_size, display_size = _LARGE_OPERATORS[token]
            return _Atom(OP, display_size if style == 0 else text_size * _QUAD[font] / 10, 4), i + 1
        if token[1:].rstrip("lr") in _EXPLICIT_SIZES:
            j = _skip_space(tokens, i + 1)
            delimiter = tokens[j] if j < len(tokens) else "("
            name = token[1:]
            if name[-1] in "lr" and name[:-1] in _EXPLICIT_SIZES:
                level, kind = _EXPLICIT_SIZES[name[:-1]], OPEN if name[-1] == "l" else CLOSE
            else:
                level, kind = _EXPLICIT_SIZES[name], _kind(delimiter)
            return _Atom(kind, _delimiter(delimiter, level)), j + 1
        if token == "'":
            return _Atom(ORD, self.glyph("'", _script_style(style)) + _SCRIPT_SPACE), i + 1
        return _Atom(_kind(token), self.glyph(token, style)), i + 1

    def sized_box(self, tokens: list[str], i: int) -> tuple[_Atom, int]:
        r"""``\parbox[…]{width}{…}``, ``\rule[…]{width}{height}``, ``\makebox[width]{…}``: as wide as they say."""
        j, options = i + 1, []
        while (j := _skip_space(tokens, j)) < len(tokens) and tokens[j] == "[":
            end = tokens.index("]", j) if "]" in tokens[j:] else len(tokens) - 1
            options.append("".join(tokens[j + 1 : end]))
            j = end + 1
        given = options[0] if tokens[i] == r"\makebox" and options else None
        if given is None:
            raw, j = _raw_argument(tokens, j)
            given = "".join(raw)
        _, j = _raw_argument(tokens, j)  # the contents (or the rule's height)
        try:
            width = parse_length(given) if given.strip() not in ("0pt", "0") else 0.0
        except ValueError:
            width = COLUMN_WIDTH
        return _Atom(ORD, width, 2), j

    def delimiter(self, token: str, level: int, style: int) -> float:
        """A delimiter's width: at level 0 the current font's glyph, above it TeX's fixed larger sizes."""
        if level == 0 and token in GLYPHS:
            return self.glyph(token, style)
        return _delimiter(token, level)

    def fraction(self, tokens: list[str], i: int, style: int) -> tuple[_Atom, int]:
        r"""``\frac{a}{b}``: an inner atom as wide as its wider part, with null delimiters."""
        token = tokens[i]
        inner = {r"\dfrac": 1, r"\tfrac": max(2, _fraction_style(style))}.get(token, _fraction_style(style))
        numerator, j = self.argument(tokens, i + 1, inner)
        denominator, j = self.argument(tokens, j, inner)
        width = max(numerator.width, denominator.width) + 2 * _NULL_DELIMITER
        # delimiters around it: \bigg in display style, \big in text style, small in scripts; one size up
        # when its parts carry superscripts, delimiters or fractions
        tall = {1: 3, 2: 1}.get(inner, 0) + (1 if max(numerator.tall, denominator.tall) >= 1 else 0)
        if token == r"\binom":
            width += 2 * _PAREN[tall]
        return _Atom(INNER, width, tall), j

    def left_right(self, tokens: list[str], i: int, style: int) -> tuple[_Atom, int]:
        r"""``\left( … \right)``: an inner atom, its delimiters as tall as the contents could need."""
        k = _skip_space(tokens, i + 1)
        opening = tokens[k] if k < len(tokens) else "."
        atoms, j = self.parse_list(tokens, k + 1, style, stop=r"\right")
        end = _skip_space(tokens, j + 1)
        closing = tokens[end] if end < len(tokens) and j < len(tokens) else "."
        tall = max((a.tall for a in atoms), default=0)
        if tall == 0 and self.font(style) < 10 and any(a.deep for a in atoms):
            tall = 1
        width = (
            self.list_width(atoms, style) + self.delimiter(opening, tall, style) + self.delimiter(closing, tall, style)
        )
        return _Atom(INNER, width, tall), min(end + 1, len(tokens))

    def list_width(self, atoms: list[_Atom], style: int) -> float:
        """The width of a list of atoms with TeX's inter-atom spacing (rules 5, 6 and the spacing table)."""
        kinds = [a.kind for a in atoms]
        previous = None  # index of the previous atom (spaces, kind -1, are not atoms)
        for k, kind in enumerate(kinds):
            if kind < 0:
                continue
            if kind == BIN and (previous is None or kinds[previous] in (BIN, OP, REL, OPEN, PUNCT)):
                kinds[k] = ORD
            if kind in (REL, CLOSE, PUNCT) and previous is not None and kinds[previous] == BIN:
                kinds[previous] = ORD
            previous = k
        if previous is not None and kinds[previous] == BIN:
            kinds[previous] = ORD
        mu = _MATH_QUAD[self.font(style)] / 18
        total, previous = 0.0, None
        for atom, kind in zip(atoms, kinds):
            total += atom.width
            if kind < 0:
                continue
            if previous is not None:
                code = _SPACING[previous][kind]
                if code > 0 or (code < 0 and style < 2):
                    total += _SPACE_MU[abs(code)] * mu
            previous = kind
        return total

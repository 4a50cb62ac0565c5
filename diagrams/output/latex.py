r"""LaTeX for diagrams, their values and η-series.

Everything prints through sympy's printer protocol: :class:`Diagram` and
:class:`~diagrams.values.einstein.Contraction` carry ``_latex(printer)`` hooks, so
``sympy.latex([D1, D2])`` and ``sympy.latex(2*value + 1)`` work, and
:func:`latex` adds what plain sympy cannot know: η-series grouped by powers
of η, and the 1-D cumulant names ``kappa_{1,2}`` as ``\kappa_{1,2}``.  Its
layout keywords (``environment``, ``width``, ``group``, …) set a series as a
display that fits a page (:mod:`diagrams.output.layout`); tables of diagrams
are :mod:`diagrams.output.tables`, whole documents :mod:`diagrams.output.documents`.

**Einstein notation** (values of ``Statistics.symbolic(dim>1)``).  A
:class:`~diagrams.values.einstein.Contraction` (text ``'G_{a} H_{ab} G_{b}'``)
names contracted indices by letters, each used twice; its factors are walked.  In LaTeX the letters become Greek indices in order of first
appearance (μ ν λ ρ σ τ α β …; η, θ and κ are skipped, they mean other
things here); an index is written lower at its first occurrence and upper at
its second, i.e. raised by η.  A digit is a free index (the coordinate of a
displacement θ^i); it is written *upper* by default, because the edge into
the root carries η and so raises it (setting ``free_indices="lower"`` writes
it lower).  ``{}`` spacers keep the slot order when lower indices follow upper
ones on one tensor.  Named tensors: ``l`` (the loss), ``G, H, J`` (its mean
derivatives), ``C, S`` (covariance and third cumulant of the gradient), ``s``
(a general observable at the root).  Other joint cumulants, ``kappa_{c|d|ab}``
in the engine's text (one ``|``-separated group per node), print as a
cumulant of derivative tensors, ``\kappa\left(\nabla_{\nu} l_{x}, …\right)``;
a one-node ``kappa_{abcd}`` is the mean ``(\nabla_{\mu\nu\lambda\rho} l)``,
parenthesized so that ∇ is not read as acting on the factors after it.

>>> print(einstein_latex("G_{a} H_{ab} G_{b}"))
G_{\mu}H^{\mu}{}_{\nu}G^{\nu}
>>> print(einstein_latex("G_{a} kappa_{c|d|ab} J_{bcd}"))
G_{\mu}\kappa\left(\nabla_{\nu} l_{x}, \nabla_{\lambda} l_{x}, \nabla^{\mu}{}_{\rho} l_{x}\right)J^{\rho\nu\lambda}

**Series** (sympy expressions polynomial in η) print in ascending powers of
η; each coefficient is split into statistics monomials whose schedule
coefficients are factored, as in the paper's ``η² [T(T−½) G_μH^{μν}G_ν + …]``:

>>> import sympy
>>> from diagrams import Schedule, Statistics, expected_loss
>>> T = sympy.Symbol("T")
>>> print(latex(expected_loss(Statistics.symbolic(2), Schedule.sgd(T), 2)))
l - \eta T G_{\mu}G^{\mu} + \eta^{2} \left(\frac{T}{2} C_{\mu\nu}H^{\mu\nu} + \frac{T \left(2 T - 1\right)}{2} G_{\mu}H^{\mu}{}_{\nu}G^{\nu}\right)
"""

from __future__ import annotations

import re
from fractions import Fraction

import sympy
from sympy.printing.latex import LatexPrinter

from ..algebra import DiagramSum
from ..core.diagram import Diagram
from ..core.display import renders
from ..values.base import eta
from ..values.einstein import Contraction, EinsteinStatistics
from .draw import to_tikz
from .layout import ENVIRONMENTS, Row, Term, inline, render
from .metrics import COLUMN_WIDTH, parse_length

__all__ = [
    "latex",
    "einstein_latex",
    "contraction_latex",
    "contraction_pieces",
    "index_symbol",
    "DiagramLatexPrinter",
    "INDEX_SYMBOLS",
    "GROUPS",
]

#: Greek index names in order of use (η, θ, κ and ο are left out).
INDEX_SYMBOLS = (
    r"\mu", r"\nu", r"\lambda", r"\rho", r"\sigma", r"\tau", r"\alpha", r"\beta", r"\gamma", r"\delta",
    r"\epsilon", r"\zeta", r"\iota", r"\xi", r"\pi", r"\phi", r"\chi", r"\psi", r"\omega",
)  # fmt: skip

#: LaTeX of the named tensors of SPEC §1 (the root of a general observable is ``s``).
NAMED_TENSORS = {"l": "l", "G": "G", "H": "H", "J": "J", "C": "C", "S": "S", "s": "s"}

DIAGRAM_STYLES = ("value", "text", "tikz")
#: How a laid-out series groups its terms: per monomial of statistics, or per diagram.
GROUPS = ("statistic", "diagram")
FREE_INDEX_POSITIONS = ("upper", "lower")

_EIGENVALUE = re.compile(r"lambda_(?P<letter>[a-zA-Z])")
_ONE_D_KAPPA = re.compile(r"kappa_\{(?P<degrees>\d+(?:,\d+)*)\}")


def index_symbol(number: int) -> str:
    r"""The LaTeX name of the ``number``-th contracted index (0 → ``\mu``).

    >>> index_symbol(0), index_symbol(2), index_symbol(19)
    ('\\mu', '\\lambda', '\\mu_{1}')
    """
    base, cycle = INDEX_SYMBOLS[number % len(INDEX_SYMBOLS)], number // len(INDEX_SYMBOLS)
    return base if cycle == 0 else f"{base}_{{{cycle}}}"


def _slots(indices: list[tuple[str, str]]) -> str:
    """``_{..}`` / ``^{..}`` runs for (symbol, 'lower'|'upper') pairs, ``{}`` between runs."""
    runs: list[tuple[str, list[str]]] = []
    for symbol, position in indices:
        if runs and runs[-1][0] == position:
            runs[-1][1].append(symbol)
        else:
            runs.append((position, [symbol]))
    text = "{}".join(("_" if position == "lower" else "^") + "{" + "".join(symbols) + "}" for position, symbols in runs)
    return text


def einstein_latex(name: str, *, free_indices: str = "upper") -> str:
    r"""LaTeX of a value given in the engine's Einstein text (see the module docstring).

    The text is read into a :class:`~diagrams.values.einstein.Contraction`
    and printed from its structure.

    >>> print(einstein_latex("C_{ab} H_{ab}"))
    C_{\mu\nu}H^{\mu\nu}
    >>> print(einstein_latex("C_{aa}"))
    C_{\mu}{}^{\mu}
    >>> print(einstein_latex("G_{a} H_{a0}"))
    G_{\mu}H^{\mu0}
    >>> print(einstein_latex("G_{a} H_{a0}", free_indices="lower"))
    G_{\mu}H^{\mu}{}_{0}
    >>> print(einstein_latex("kappa_{abcd}"))
    (\nabla_{\mu\nu\lambda\rho} l)
    >>> print(einstein_latex("l"))
    l
    """
    if free_indices not in FREE_INDEX_POSITIONS:
        raise ValueError(f"free_indices must be one of {FREE_INDEX_POSITIONS}, got {free_indices!r}")
    return _contraction_text(Contraction.from_text(name), free_indices, None)


@renders("contraction latex")
def contraction_latex(contraction: Contraction, printer) -> str:
    """The ``_latex`` hook of :class:`~diagrams.values.einstein.Contraction`: its factors, walked."""
    settings = getattr(printer, "_settings", {})
    return _contraction_text(contraction, settings.get("free_indices", "upper"), settings.get("index_names"))


def _contraction_text(contraction: Contraction, free_indices: str, index_names: dict | None) -> str:
    """The contraction's tensors, joined (a bare ``l`` or ``s`` must not run into a following name)."""
    text = ""
    for piece in contraction_pieces(contraction, free_indices=free_indices, index_names=index_names):
        text += (" " if text and text[-1].isalpha() else "") + piece
    return text


def contraction_pieces(
    contraction: Contraction, *, free_indices: str = "upper", index_names: dict | None = None
) -> list[str]:
    r"""The LaTeX of each tensor of a contraction, in order: the places a long line may break.

    Greek indices by first appearance (or ``index_names``), lower first, upper at the second occurrence.

    >>> contraction_pieces(Contraction.from_text("G_{a} H_{ab} G_{b}"))
    ['G_{\\mu}', 'H^{\\mu}{}_{\\nu}', 'G^{\\nu}']
    """
    numbers = dict(index_names or _index_numbers(contraction))
    seen: set[str] = set()

    def place(token) -> tuple[str, str]:
        if isinstance(token, int):
            return str(token), free_indices
        position = "upper" if token in seen else "lower"
        seen.add(token)
        return index_symbol(numbers[token]), position

    pieces = []
    for factor in contraction.factors:
        placed = [[place(token) for token in group] for group in factor.groups]
        if factor.name != "kappa":
            pieces.append(NAMED_TENSORS[factor.name] + _slots([slot for group in placed for slot in group]))
        elif len(placed) == 1:
            pieces.append(r"(\nabla" + _slots(placed[0]) + " l)")
        else:
            nodes = ", ".join(r"\nabla" + _slots(group) + " l_{x}" for group in placed)
            pieces.append(r"\kappa\left(" + nodes + r"\right)")
    return pieces


def _index_numbers(contraction: Contraction) -> dict[str, int]:
    """The contracted letters numbered in order of first appearance."""
    return {letter: k for k, letter in enumerate(contraction.letters)}


def _is_statistic(symbol: sympy.Basic) -> bool:
    """Whether ``symbol`` is a landscape statistic (as opposed to a schedule size like T or N)."""
    if isinstance(symbol, Contraction):
        return True
    name = getattr(symbol, "name", "")
    return name in NAMED_TENSORS or bool(_ONE_D_KAPPA.fullmatch(name)) or _einstein_name(name) is not None


def _einstein_name(name: str) -> Contraction | None:
    """The contraction a plain symbol's name spells in Einstein text, if it does."""
    if " " not in name and "_{" not in name and name not in NAMED_TENSORS:
        return None
    try:
        return Contraction.from_text(name)
    except ValueError:
        return None


@renders("diagram latex")
def diagram_latex(diagram: Diagram, printer) -> str:
    """The ``_latex`` hook of :class:`Diagram`, by the printer's ``diagram_style`` setting."""
    style = printer._settings.get("diagram_style", "value")
    if style == "text":
        return r"\texttt{%s}" % diagram.text
    if style == "tikz":
        return to_tikz(diagram)
    return printer._print(EinsteinStatistics.contraction(diagram))


class DiagramLatexPrinter(LatexPrinter):
    """sympy's LaTeX printer with the settings of :func:`latex`.

    Extra settings: ``diagram_style`` (``"value"``, ``"text"`` or ``"tikz"``:
    how a Diagram prints), ``group_eta`` (print polynomials in η as series,
    default True), ``free_indices`` (``"upper"`` or ``"lower"``) and
    ``index_names`` ({letter: number}: the Greek index of each letter, for
    the eigenvalue symbols of a term; set while a term is printed).
    """

    _default_settings = {
        **LatexPrinter._default_settings,
        "diagram_style": "value",
        "group_eta": True,
        "free_indices": "upper",
        "index_names": None,
    }

    def __init__(self, settings=None):
        super().__init__(settings)
        for key, allowed in (("diagram_style", DIAGRAM_STYLES), ("free_indices", FREE_INDEX_POSITIONS)):
            if self._settings[key] not in allowed:
                raise ValueError(f"{key} must be one of {allowed}, got {self._settings[key]!r}")

    def _print_Symbol(self, expr, style="plain"):
        names = self._settings["index_names"]
        eigen = _EIGENVALUE.fullmatch(expr.name)
        if eigen and names and eigen["letter"] in names:
            return r"\lambda_{%s}" % index_symbol(names[eigen["letter"]])
        match = _ONE_D_KAPPA.fullmatch(expr.name)
        if match:
            return r"\kappa_{%s}" % match["degrees"]
        spelled = _einstein_name(expr.name)
        if spelled is not None and (" " in expr.name or "_{" in expr.name):
            return self._print(spelled)
        return super()._print_Symbol(expr, style)

    def _print_Add(self, expr, order=None):
        if self._is_series(expr):
            return self._print_series(expr)
        return super()._print_Add(expr, order)

    def _print_Mul(self, expr):
        if self._is_series(expr):
            return self._print_series(expr)
        values = [f for f in expr.args if isinstance(f, Contraction)]
        if len(values) != 1 or self._settings["index_names"] is not None:
            return super()._print_Mul(expr)
        # the eigenvalue symbols lambda_<letter> of a resummed form take its value's index names
        settings = {key: value for key, value in self._settings.items() if key in self._default_settings}
        named = type(self)({**settings, "index_names": _index_numbers(values[0])})
        return named._print_Mul(expr)

    def _is_series(self, expr) -> bool:
        return self._settings["group_eta"] and eta in expr.free_symbols and expr.is_polynomial(eta)

    def _print_series(self, expr) -> str:
        """Ascending powers of η; per power, statistics monomials with factored coefficients."""
        return inline(self.series_rows(expr))

    def series_rows(self, expr) -> list[Row]:
        """The rows of a series (a polynomial in η) grouped by statistic: one per power of η."""
        poly = sympy.Poly(sympy.expand(expr), eta)
        return [self.row(power, _split_coefficient(coefficient)) for (power,), coefficient in sorted(poly.terms())]

    def row(self, power: int, pieces: list[tuple[sympy.Expr, object]]) -> Row:
        """η^power times Σ coefficient·monomial; the sign comes out when every coefficient is negative."""
        negative = all(c.could_extract_minus_sign() for c, _ in pieces)
        if negative:
            pieces = [(-c, m) for c, m in pieces]
        eta_text = self._print(eta**power) if power else ""
        if len(pieces) == 1:
            return Row(power, negative, eta_text, (self._term(*pieces[0], eta_text=eta_text),))
        terms = []
        for coefficient, monomial in pieces:
            sign = coefficient.could_extract_minus_sign()
            terms.append(self._term(-coefficient if sign else coefficient, monomial, negative=sign))
        return Row(power, negative, eta_text, tuple(terms))

    def _term(self, coefficient, monomial, eta_text: str = "", negative: bool = False) -> Term:
        return Term(
            self._piece(coefficient, monomial, eta_text),
            tuple(self.term_chunks(coefficient, monomial, eta_text)),
            negative,
        )

    def _coefficient_parts(self, coefficient, monomial, eta_text: str) -> list[str]:
        """A number goes before η (``4 \\eta G``), other coefficients after it, sums in parentheses unless alone."""
        if coefficient == 1:
            return [eta_text]
        if coefficient.is_Number:
            return [self._print(coefficient), eta_text]
        if isinstance(coefficient, sympy.Add) and (eta_text or monomial != 1):
            return [eta_text, r"\left(%s\right)" % self._print(coefficient)]
        return [eta_text, self._print(coefficient)]

    def _piece(self, coefficient, monomial, eta_text: str = "") -> str:
        """``coefficient·η^k·monomial`` for a non-negative coefficient; ``"1"`` when all are 1."""
        parts = self._coefficient_parts(coefficient, monomial, eta_text)
        if monomial != 1:
            parts.append(self._print(monomial))
        return " ".join(part for part in parts if part) or "1"

    def chunks(self, obj) -> list[str]:
        """``obj`` as unbreakable LaTeX chunks (joined by spaces it prints the same in math).

        A Diagram (or a Contraction): its tensors; a one-term series: its
        coefficient, η^k and each statistic; anything else: one chunk.
        """
        if isinstance(obj, (Diagram, Contraction)):
            return self.term_chunks(sympy.Integer(1), obj)
        if isinstance(obj, sympy.Expr) and self._is_series(obj):
            rows = self.series_rows(obj)
            if len(rows) == 1 and len(rows[0].terms) == 1 and not rows[0].negative:
                return list(rows[0].terms[0].pieces)
        return [self._print(obj)]

    def term_chunks(self, coefficient, monomial, eta_text: str = "") -> list[str]:
        """The same term as unbreakable chunks: coefficient parts, then each statistic or tensor."""
        parts = [part for part in self._coefficient_parts(coefficient, monomial, eta_text) if part]
        if monomial == 1:
            return parts or ["1"]
        if isinstance(monomial, Diagram):
            if self._settings["diagram_style"] != "value":
                return parts + [self._print(monomial)]
            monomial = EinsteinStatistics.contraction(monomial)
        for factor in monomial.as_ordered_factors() if isinstance(monomial, sympy.Expr) else [monomial]:
            if isinstance(factor, Contraction) and self._settings["index_names"] is None:
                parts += contraction_pieces(factor, free_indices=self._settings["free_indices"])
            else:
                parts.append(self._print(factor))
        return parts


def _split_coefficient(coefficient: sympy.Expr) -> list[tuple[sympy.Expr, sympy.Expr]]:
    """``[(factored schedule coefficient, statistics monomial), ...]`` summing to ``coefficient``."""
    statistics = sorted((s for s in coefficient.free_symbols if _is_statistic(s)), key=sympy.default_sort_key)
    if not statistics or not coefficient.is_polynomial(*statistics):
        return [(sympy.factor(coefficient), sympy.Integer(1))]
    poly = sympy.Poly(coefficient, *statistics)
    pieces = []
    for exponents, schedule_part in poly.terms():
        monomial = sympy.Mul(*(s**k for s, k in zip(statistics, exponents)))
        pieces.append((sympy.factor(schedule_part), monomial))
    return pieces


@renders("latex")
def latex(
    obj,
    *,
    environment: str | None = None,
    width: str | float | None = None,
    group: str | None = None,
    lhs: str | None = None,
    numbered: bool = False,
    stats=None,
    **settings,
) -> str:
    r"""LaTeX (math mode, no delimiters) for a Diagram, a value, a series or a container of them.

    Settings are sympy's :func:`sympy.latex` settings plus those of
    :class:`DiagramLatexPrinter`; unknown settings raise ``TypeError``.

    >>> from diagrams import parse, uvalue, Statistics
    >>> D = parse("[a:b][ab]")
    >>> print(latex(D))
    C_{\mu\nu}H^{\mu\nu}
    >>> print(latex(D, diagram_style="text"))
    \texttt{[a:b][ab]}
    >>> print(latex(uvalue(parse("[a:ab][b]"))))
    \eta^{2} G \kappa_{1,2}
    >>> print(latex([D, parse("[a][a]")]))
    \left[ C_{\mu\nu}H^{\mu\nu}, \  G_{\mu}G^{\mu}\right]

    **Series for a page.**  With any of the keywords below, a series (a
    sympy expression, or a :class:`~diagrams.DiagramSum` of its diagram
    terms; a tuple of them gives one display each) is laid out by
    :mod:`diagrams.output.layout`:

    * ``environment``: ``"align"``, ``"split"`` or ``"multline"`` — one power
      of η per line, a whole display (``align*`` …) ready for a document
      with ``\usepackage{amsmath}``.  Default: ``"align"`` when ``width`` is
      given, else one line in math mode as without keywords.
    * ``width``: the line width the display must fit, in pt or as a LaTeX
      length (``"345pt"``, ``"8cm"``, ``"\\columnwidth"``); default the
      article class's column, 345 pt.  Long powers are broken between
      their terms (``\\`` and an indented ``&\quad +`` line), a term wider
      than a line between its factors, never inside a tensor.
    * ``group``: ``"statistic"`` (default; per power of η, one term per
      monomial of statistics, with factored schedule coefficients) or
      ``"diagram"`` (one term per diagram, its weight times its value;
      needs the :class:`~diagrams.DiagramSum` of the series, e.g.
      ``DiagramSum(diagram_terms(schedule, order))``; ``stats`` gives the
      values, default the Einstein contraction).
    * ``lhs``: LaTeX of a left-hand side, written ``lhs = …`` and aligned.
    * ``numbered``: one equation number (default: none).

    >>> import sympy
    >>> from diagrams import Schedule, expected_loss
    >>> series = expected_loss(Statistics.symbolic(2), Schedule.sgd(sympy.Symbol("T")), 2)
    >>> print(latex(series, environment="align", width="150pt"))
    \begin{align*}
    & l \\
    & - \eta T G_{\mu}G^{\mu} \\
    & + \eta^{2} \biggl( \frac{T}{2} C_{\mu\nu}H^{\mu\nu} \\
    & \quad + \frac{T \left(2 T - 1\right)}{2} G_{\mu}H^{\mu}{}_{\nu}G^{\nu} \biggr)
    \end{align*}
    """
    if isinstance(obj, (str, bytes)):
        raise TypeError("latex() prints diagrams, values and series, not text; parse a diagram's text first (dg.parse)")
    if environment is None and width is None and group is None and lhs is None and not numbered and stats is None:
        return DiagramLatexPrinter(settings).doprint(obj)
    if environment is not None and environment not in ENVIRONMENTS:
        raise ValueError(f"environment must be one of {ENVIRONMENTS}, got {environment!r}")
    if group is not None and group not in GROUPS:
        raise ValueError(f"group must be one of {GROUPS}, got {group!r}")
    if lhs is not None and not isinstance(lhs, str):
        raise TypeError(f"lhs is the LaTeX of a left-hand side (a str), not {type(lhs).__name__}")
    if isinstance(obj, (tuple, list)):
        return "\n".join(
            latex(entry, environment=environment, width=width, group=group, lhs=lhs, numbered=numbered, stats=stats,
                  **settings)
            for entry in obj
        )  # fmt: skip
    target = parse_length(COLUMN_WIDTH if width is None else width)
    printer = DiagramLatexPrinter(settings)
    rows = _rows(obj, printer, group or "statistic", stats)
    if environment is None and width is None:
        text = inline(rows)
        return f"{lhs} = {text}" if lhs else text
    return render(rows, environment=environment or "align", width=target, lhs=lhs, numbered=numbered)


def _rows(obj, printer: DiagramLatexPrinter, group: str, stats) -> list[Row]:
    """The rows of a series, grouped by statistic or by diagram."""
    if isinstance(obj, DiagramSum):
        if group == "statistic":
            return _rows(obj.value(stats), printer, group, None)
        by_order: dict[int, list] = {}
        for diagram, weight in obj:
            value = diagram if stats is None else sympy.expand(stats.value(diagram) / eta**diagram.order)
            if value != 0:
                by_order.setdefault(diagram.order, []).append((sympy.factor(weight), value))
        return [printer.row(order, pieces) for order, pieces in sorted(by_order.items())]
    if group == "diagram":
        raise TypeError(
            "group='diagram' needs the series' diagram terms, not its sum: "
            "pass DiagramSum(diagram_terms(schedule, order)) (a sympy expression has lost its diagrams)"
        )
    if not isinstance(obj, sympy.Basic):
        if isinstance(obj, (int, Fraction)) and not isinstance(obj, bool):
            obj = sympy.Rational(obj)
        else:
            raise TypeError(f"only series (sympy expressions or DiagramSums) are laid out, not {type(obj).__name__}")
    if printer._is_series(obj):
        return printer.series_rows(obj)
    terms = []
    for term in sympy.Add.make_args(obj):
        negative = term.could_extract_minus_sign()
        terms.append(Term(printer.doprint(-term if negative else term), negative=negative))
    return [Row(None, False, "", tuple(terms))]

r"""LaTeX for diagrams, their values and η-series, and generated diagram tables.

Everything prints through sympy's printer protocol: :class:`Diagram` and
:class:`~diagrams.values.einstein.Contraction` carry ``_latex(printer)`` hooks, so
``sympy.latex([D1, D2])`` and ``sympy.latex(2*value + 1)`` work, and
:func:`latex` adds what plain sympy cannot know: η-series grouped by powers
of η, and the 1-D cumulant names ``kappa_{1,2}`` as ``\kappa_{1,2}``.

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
from typing import Iterable

import sympy
from sympy.printing.latex import LatexPrinter

from ..core.diagram import Diagram
from ..core.display import renders
from ..core.schedule import count_embeddings
from ..values.base import eta
from ..values.einstein import Contraction, EinsteinStatistics
from .draw import to_tikz

__all__ = ["latex", "table", "einstein_latex", "contraction_latex", "index_symbol", "DiagramLatexPrinter", "INDEX_SYMBOLS"]

#: Greek index names in order of use (η, θ, κ and ο are left out).
INDEX_SYMBOLS = (
    r"\mu", r"\nu", r"\lambda", r"\rho", r"\sigma", r"\tau", r"\alpha", r"\beta", r"\gamma", r"\delta",
    r"\epsilon", r"\zeta", r"\iota", r"\xi", r"\pi", r"\phi", r"\chi", r"\psi", r"\omega",
)  # fmt: skip

#: LaTeX of the named tensors of SPEC §1 (the root of a general observable is ``s``).
NAMED_TENSORS = {"l": "l", "G": "G", "H": "H", "J": "J", "C": "C", "S": "S", "s": "s"}

DIAGRAM_STYLES = ("value", "text", "tikz")
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
    """Greek indices by first appearance (or ``index_names``), lower first, upper at the second occurrence."""
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
    text = ""
    for piece in pieces:  # a bare 'l' or 's' must not run into a following name
        text += (" " if text and text[-1].isalpha() else "") + piece
    return text


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
        poly = sympy.Poly(sympy.expand(expr), eta)
        text = ""
        for (power,), coefficient in sorted(poly.terms()):
            pieces = _split_coefficient(coefficient)
            negative = all(c.could_extract_minus_sign() for c, _ in pieces)
            if negative:
                pieces = [(-c, m) for c, m in pieces]
            eta_text = self._print(eta**power) if power else ""
            if len(pieces) == 1:
                body = self._piece(*pieces[0], eta_text=eta_text)
            elif power:
                body = r"%s \left(%s\right)" % (eta_text, self._join(pieces))
            else:
                body = self._join(pieces)
            if not text:
                text = ("- " if negative else "") + body
            else:
                text += (" - " if negative else " + ") + body
        return text or "0"

    def _join(self, pieces) -> str:
        text = ""
        for coefficient, monomial in pieces:
            negative = coefficient.could_extract_minus_sign()
            body = self._piece(-coefficient if negative else coefficient, monomial)
            if not text:
                text = ("- " if negative else "") + body
            else:
                text += (" - " if negative else " + ") + body
        return text

    def _piece(self, coefficient, monomial, eta_text: str = "") -> str:
        """``coefficient·η^k·monomial`` for a non-negative coefficient; ``"1"`` when all are 1.

        A number goes before η (``4 \\eta G``), other coefficients after it
        (``\\eta T G``), sums in parentheses unless they stand alone.
        """
        if coefficient == 1:
            parts = [eta_text]
        elif coefficient.is_Number:
            parts = [self._print(coefficient), eta_text]
        elif isinstance(coefficient, sympy.Add) and (eta_text or monomial != 1):
            parts = [eta_text, r"\left(%s\right)" % self._print(coefficient)]
        else:
            parts = [eta_text, self._print(coefficient)]
        if monomial != 1:
            parts.append(self._print(monomial))
        return " ".join(part for part in parts if part) or "1"


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
def latex(obj, **settings) -> str:
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
    """
    if isinstance(obj, (str, bytes)):
        raise TypeError("latex() prints diagrams, values and series, not text; parse a diagram's text first (dg.parse)")
    return DiagramLatexPrinter(settings).doprint(obj)


def table(diagrams: Iterable[Diagram], schedule=None, stats=None) -> str:
    r"""A LaTeX ``tabular`` of diagrams, like the paper's tables.

    Columns: the picture (TikZ), the text (``\texttt``), |Aut(D)|, the value
    (Einstein notation, or ``uvalue(D, stats)`` when ``stats`` is given) and,
    when a ``schedule`` is given, the embedding count L(D), factored.  Needs
    ``\usepackage{tikz}`` in the document.

    >>> from diagrams import parse, Schedule
    >>> T = sympy.Symbol("T")
    >>> text = table([parse("[a][a]")], schedule=Schedule.sgd(T))
    >>> print(text.splitlines()[2])
    $D$ & text & $|\mathrm{Aut}(D)|$ & value & $L(D)$ \\
    >>> print(text.split(r"\end{tikzpicture} & ")[1].splitlines()[0])
    \texttt{[a][a]} & $1$ & $G_{\mu}G^{\mu}$ & $T$ \\
    """
    headers = ["$D$", "text", r"$|\mathrm{Aut}(D)|$", "value"]
    if schedule is not None:
        headers.append("$L(D)$")
    lines = [r"\begin{tabular}{c" + "l" * (len(headers) - 1) + "}", r"\hline", " & ".join(headers) + r" \\", r"\hline"]
    for diagram in diagrams:
        value = diagram if stats is None else stats.value(diagram)
        cells = [
            to_tikz(diagram),
            latex(diagram, diagram_style="text"),
            f"${diagram.automorphism_count}$",
            f"${latex(value)}$",
        ]
        if schedule is not None:
            cells.append(f"${latex(sympy.factor(count_embeddings(diagram, schedule)))}$")
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\hline", r"\end{tabular}"]
    return "\n".join(lines)

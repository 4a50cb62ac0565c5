r"""Series in Jupyter: shown as :func:`diagrams.latex` prints them (ascending powers of η, κ as κ).

The series functions return plain sympy expressions, and sympy's own
``_repr_latex_`` orders terms its way (``- G^2 T \eta + l``) and prints
``kappa_{1,2}`` literally.  Two ways to show them grouped, and the choice:

* **Automatic, narrowly.**  When ``import diagrams`` runs inside an IPython
  kernel, :func:`register_formatter` adds a LaTeX formatter for sympy
  expressions to that shell.  It handles only the engine's results —
  expressions with η (:data:`~diagrams.values.base.eta`) or a
  :class:`~diagrams.values.einstein.Contraction` among their symbols — and
  hands every other expression to the formatter that was there before (or
  sympy's ``_repr_latex_``), so other sympy work in the notebook looks as it
  did.  This is the least surprising option we found: returning a wrapper
  from ``expected_loss`` would change the type users compute with (sympy
  expressions must stay sympy expressions), and changing sympy's printing
  globally would touch every expression, not just series.
* **Explicit, with layout options.**  :func:`show` returns an object that
  displays any series with the options of :func:`diagrams.latex`
  (``dg.show(series, environment="align")`` breaks a long series into lines).

>>> import sympy
>>> from diagrams.values.base import eta
>>> print(series_latex(1 - eta * sympy.Symbol("T") * sympy.Symbol("G")**2))
$\displaystyle 1 - \eta T G^{2}$
>>> series_latex(sympy.Symbol("x") + 1) is None     # not a result of the engine: left to sympy
True
>>> show(eta**2 * sympy.Symbol("kappa_{1,2}"))._repr_latex_()
'$\\displaystyle \\eta^{2} \\kappa_{1,2}$'
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import sympy

from ..values.base import eta
from ..values.einstein import Contraction
from .latex import latex

__all__ = ["Shown", "show", "series_latex", "register_formatter"]


class Shown:
    """LaTeX that Jupyter displays (``_repr_latex_``); ``str()`` gives the LaTeX itself."""

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Shown({self.text!r})"

    def _repr_latex_(self) -> str:
        if self.text.startswith(r"\begin{"):
            return self.text  # a whole display environment: MathJax and LaTeX take it as it is
        return rf"$\displaystyle {self.text}$"


def show(obj: Any, **options: Any) -> Shown:
    r"""``obj`` displayed in Jupyter as ``dg.latex(obj, **options)`` prints it.

    >>> show(eta, environment="align")._repr_latex_().splitlines()[0]
    '\\begin{align*}'
    """
    return Shown(latex(obj, **options))


def series_latex(expr: Any) -> str | None:
    """The notebook LaTeX of an engine result (η or a Contraction among its symbols); None for anything else."""
    if not isinstance(expr, sympy.Basic):
        return None
    symbols = expr.free_symbols
    if eta not in symbols and not any(isinstance(s, Contraction) for s in symbols):
        return None
    return show(expr)._repr_latex_()


def register_formatter(shell: Any = None) -> bool:
    """Show the engine's results with :func:`series_latex` in an IPython shell (the running one by default).

    Returns whether a formatter was registered: False outside IPython.  Other
    sympy expressions go to the formatter registered before, if any, else to
    their ``_repr_latex_``.
    """
    if shell is None:
        ipython = sys.modules.get("IPython")  # never import IPython just to find it is not running
        shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    formatters = getattr(getattr(shell, "display_formatter", None), "formatters", None)
    if not formatters or "text/latex" not in formatters:
        return False
    formatter = formatters["text/latex"]
    try:
        previous: Callable[[Any], Any] | None = formatter.lookup_by_type(sympy.Basic)
    except KeyError:
        previous = None
    if getattr(previous, "__wrapped_by_diagrams__", False):
        return True

    def format_latex(expr: Any) -> Any:
        text = series_latex(expr)
        if text is not None:
            return text
        if previous is not None:
            return previous(expr)
        method = getattr(expr, "_repr_latex_", None)
        return method() if method is not None else None

    format_latex.__wrapped_by_diagrams__ = True  # type: ignore[attr-defined]
    formatter.for_type(sympy.Basic, format_latex)
    return True

"""Where presentation plugs into the core objects, without the core importing it.

:class:`~diagrams.core.diagram.Diagram` and the Einstein values print through
sympy's printer protocol and Jupyter's display hooks (``_latex``,
``_repr_svg_`` …).  Those methods call :func:`show`, and the modules of
:mod:`diagrams.output` register the functions that do the work when they are
imported (``import diagrams`` imports them), so imports only ever point from
presentation to the core.

>>> {"contraction latex", "diagram latex", "latex", "svg", "tikz", "draw"} <= set(RENDERERS)
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["RENDERERS", "renders", "show"]

#: Registered presentation functions by name.
RENDERERS: dict[str, Callable[..., Any]] = {}


def renders(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the renderer ``name``."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        RENDERERS[name] = function
        return function

    return register


def show(name: str, *args: Any, **options: Any) -> Any:
    """Call the renderer ``name``."""
    try:
        renderer = RENDERERS[name]
    except KeyError:
        raise RuntimeError(f"no renderer {name!r}: import diagrams (it registers diagrams.output)") from None
    return renderer(*args, **options)

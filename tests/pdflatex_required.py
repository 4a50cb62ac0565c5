"""Whether the LaTeX output can be compiled here: pdflatex, required in CI, optional on a fresh machine."""

from __future__ import annotations

import os
import shutil

import pytest

PDFLATEX_MISSING = (
    "pdflatex is not installed, so the LaTeX output is not compiled "
    "(apt-get install --no-install-recommends texlive-latex-base texlive-pictures)"
)


def require_pdflatex() -> str:
    """The path of ``pdflatex``; a skip without it, or a failure when ``CI`` is set."""
    path = shutil.which("pdflatex")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{PDFLATEX_MISSING}; it is required when CI is set", pytrace=False)
        pytest.skip(PDFLATEX_MISSING)
    return path

"""Shared test set-up: the pdflatex fixture.

The LaTeX compile tests need ``pdflatex``.  On a machine without it they are
skipped, saying how to install it; where the environment variable ``CI`` is set
(``.ci/run`` sets it) they are mandatory and fail instead, so that a CI image
without TeX cannot pass by skipping them.
"""

from __future__ import annotations

import os
import shutil

import pytest

PDFLATEX_MISSING = (
    "pdflatex is not installed, so the LaTeX output is not compiled "
    "(apt-get install --no-install-recommends texlive-latex-base texlive-pictures)"
)


@pytest.fixture
def pdflatex() -> str:
    """The path of ``pdflatex``; a skip without it, or a failure when ``CI`` is set."""
    path = shutil.which("pdflatex")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{PDFLATEX_MISSING}; it is required when CI is set", pytrace=False)
        pytest.skip(PDFLATEX_MISSING)
    return path

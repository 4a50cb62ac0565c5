"""Shared test set-up: the pdflatex fixture.

The LaTeX compile tests need ``pdflatex``.  On a machine without it they are
skipped, saying how to install it; where the environment variable ``CI`` is set
(``.ci/run`` sets it) they are mandatory and fail instead, so that a CI image
without TeX cannot pass by skipping them (see tests/pdflatex_required.py).
"""

from __future__ import annotations

import pytest
from pdflatex_required import require_pdflatex


@pytest.fixture
def pdflatex() -> str:
    """The path of ``pdflatex``; a skip without it, or a failure when ``CI`` is set."""
    return require_pdflatex()

"""Shared test set-up: the pdflatex fixture, and hypothesis's profile.

The LaTeX compile tests need ``pdflatex``.  On a machine without it they are
skipped, saying how to install it; where the environment variable ``CI`` is set
(``.ci/run`` sets it) they are mandatory and fail instead, so that a CI image
without TeX cannot pass by skipping them (see tests/pdflatex_required.py).

Where ``CI`` is set, hypothesis draws the same examples on every run
(``derandomize``), so that a verdict on a clean clone does not depend on luck;
elsewhere each run explores new examples, and a failure found there prints the
seed that reproduces it.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings
from pdflatex_required import require_pdflatex

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def pdflatex() -> str:
    """The path of ``pdflatex``; a skip without it, or a failure when ``CI`` is set."""
    return require_pdflatex()

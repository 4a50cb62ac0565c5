"""Sphinx configuration of the sgd-diagrams documentation.

Build (from the repository root, after ``pip install '.[docs]'``)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

``api/`` and ``notebooks/`` in this folder are generated at each build (see
``_ext/sgd_docs.py``) and are not kept in git.  The notebooks are rendered as
stored, without outputs; ``-D nb_execution_mode=auto`` executes them (about
a minute, and the PyTorch notebook needs torch).
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # document the source tree, as the tests test it
sys.path.insert(0, str(HERE / "_ext"))

import diagrams  # noqa: E402

project = "sgd-diagrams"
author = "sgd-diagrams developers"
copyright = "sgd-diagrams developers"
release = version = diagrams.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinxarg.ext",
    "myst_nb",
    "sgd_docs",
]

exclude_patterns = ["_build", "_ext", "**.ipynb_checkpoints"]
highlight_language = "text"  # literal blocks are usage lines and formulas; Python examples say so
smartquotes_action = "qe"  # quotes and ellipses, but "--option" stays two hyphens

# Markdown pages and notebooks (myst-nb reads both; it needs no pandoc)
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off"
nb_execution_timeout = 600

# API reference
autodoc_mock_imports = ["torch"]  # the optional PyTorch backend is documented without torch
autodoc_typehints = "signature"
autosummary_generate = False  # the pages come from sgd_docs, from the __all__ lists
add_module_names = False
python_use_unqualified_type_names = True

# HTML
html_theme = "furo"
html_title = f"sgd-diagrams {release}"
html_static_path = []
html_show_sourcelink = False
html_copy_source = False

r"""Whole LaTeX documents around printed series and tables, and writing them (with a PDF when pdflatex is there).

:func:`standalone_document` wraps bodies (displays from :func:`diagrams.latex`,
tables from :func:`diagrams.table`) in an ``article`` at 10 pt — the page the
default widths are made for — with the packages they use: amsmath always,
tikz and the diagram styles (:func:`~diagrams.output.draw.tikz_styles`) for
pictures, longtable, amssymb for ``\mathbb``.  A ``tabular`` is centred.
:func:`write_document` writes it to a ``.tex`` file and, when pdflatex is
installed, compiles the ``.pdf`` beside it (or only the PDF, for a ``.pdf`` path).

>>> print(standalone_document([r"\begin{align*}", r"& l", r"\end{align*}"]))
\documentclass{article}
\usepackage{amsmath}
\begin{document}
\begin{align*}
& l
\end{align*}
\end{document}
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .draw import tikz_styles
from .texrun import compile_pdf, pdflatex_path

__all__ = ["standalone_document", "write_document"]


def standalone_document(bodies: Iterable[str]) -> str:
    """A compilable article holding ``bodies``, one after the other, with the packages they need."""
    body = "\n".join(_placed(text) for text in bodies)
    preamble = [r"\documentclass{article}", r"\usepackage{amsmath}"]
    if r"\mathbb" in body:
        preamble.append(r"\usepackage{amssymb}")
    if r"\begin{longtable}" in body:
        preamble.append(r"\usepackage{longtable}")
    if r"\begin{tikzpicture}" in body:
        preamble += [r"\usepackage{tikz}", tikz_styles()]
    return "\n".join(preamble + [r"\begin{document}", body, r"\end{document}"])


def _placed(text: str) -> str:
    """A tabular centred (no paragraph indent before it); everything else as it is."""
    if r"\begin{tabular}" in text and r"\begin{longtable}" not in text:
        return "\n".join([r"\begin{center}", text, r"\end{center}"])
    return text


def write_document(document: str, path) -> list[Path]:
    """Write ``document`` to ``path`` (``.tex``: the source, plus a PDF when pdflatex is there; ``.pdf``:
    the PDF, which needs pdflatex).  Returns the files written.

    Raises :class:`~diagrams.output.texrun.TexError` when pdflatex fails (or is missing for a ``.pdf``).
    """
    path = Path(path)
    if path.suffix not in (".tex", ".pdf"):
        raise ValueError(f"the output file must end in .tex or .pdf, got {path.name!r}")
    written = []
    if path.suffix == ".tex":
        path.write_text(document + "\n", encoding="utf-8")
        written.append(path)
        if pdflatex_path() is None:
            return written
    runs = 2 if r"\begin{longtable}" in document else 1  # a longtable settles its column widths in a second run
    pdf = path.with_suffix(".pdf")
    pdf.write_bytes(compile_pdf(document, runs=runs).pdf)
    return written + [pdf]

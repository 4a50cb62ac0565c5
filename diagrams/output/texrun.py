r"""Running pdflatex, when it is installed: compile a document, read its log, measure boxes.

Nothing else in the package needs TeX: the LaTeX it prints is laid out by a
width model (:mod:`diagrams.output.layout`).  This module is how that model is
calibrated and checked, and how the command line turns a document into a PDF.

* :func:`pdflatex_path` — the pdflatex program, or None.
* :func:`compile_pdf` — run pdflatex on a document's text; returns the PDF's
  bytes and the log (a :class:`TexRun`), raises :class:`TexError` on failure.
* :func:`overfull_boxes` — the ``Overfull \hbox`` warnings of a log.
* :func:`measure_math` — the natural widths (pt) of math snippets, as TeX sets
  them, in one run.

>>> overfull_boxes("Overfull \\hbox (12.5pt too wide) in paragraph at lines 3--4\nok")
[12.5]
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TexError", "TexRun", "pdflatex_path", "compile_pdf", "overfull_boxes", "measure_math"]

_OVERFULL = re.compile(r"Overfull \\hbox \((?P<excess>[0-9.]+)pt too wide\)")
_WIDTH = re.compile(r"^SGDWIDTH (?P<number>\d+) (?P<width>-?[0-9.]+)pt$", re.MULTILINE)

#: Seconds one pdflatex run may take.
TIMEOUT = 300


class TexError(RuntimeError):
    """pdflatex is missing or failed; the message ends with the end of its log."""


@dataclass(frozen=True)
class TexRun:
    """A finished pdflatex run: the PDF's bytes (empty when no page was shipped out) and the log's text."""

    pdf: bytes
    log: str

    @property
    def overfull(self) -> list[float]:
        """How far (pt) each overfull ``\\hbox`` sticks out."""
        return overfull_boxes(self.log)


def pdflatex_path() -> str | None:
    """The pdflatex program on the PATH, or None."""
    return shutil.which("pdflatex")


def overfull_boxes(log: str) -> list[float]:
    """The excess widths (pt) of the ``Overfull \\hbox`` warnings in a pdflatex log."""
    return [float(match["excess"]) for match in _OVERFULL.finditer(log)]


def compile_pdf(document: str, *, runs: int = 1) -> TexRun:
    """Compile a whole LaTeX document with pdflatex (``runs`` passes, e.g. 2 for a longtable's widths)."""
    program = pdflatex_path()
    if program is None:
        raise TexError("pdflatex is not installed (Debian: apt-get install texlive-latex-base texlive-pictures)")
    with tempfile.TemporaryDirectory(prefix="sgd-diagrams-tex-") as folder:
        source = Path(folder) / "document.tex"
        source.write_text(document, encoding="utf-8")
        for _ in range(runs):
            done = subprocess.run(
                [program, "-interaction=nonstopmode", "-halt-on-error", source.name],
                cwd=folder,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=TIMEOUT,
            )
            log_path = source.with_suffix(".log")
            log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else done.stdout
            if done.returncode != 0:
                raise TexError("pdflatex failed:\n" + log[-3000:])
        pdf = source.with_suffix(".pdf")
        return TexRun(pdf.read_bytes() if pdf.exists() else b"", log)


def measure_math(snippets: Iterable[str], *, display: bool = True, preamble: str = "") -> list[float]:
    r"""The natural widths in pt of math-mode snippets, set by pdflatex in an article at 10 pt.

    ``display`` sets them in ``\displaystyle`` (as in an ``align``), else in
    text style (as between ``$…$``).  A snippet is the body of a math formula.
    """
    style = r"\displaystyle" if display else r"\textstyle"
    lines = [r"\documentclass{article}", r"\usepackage{amsmath}", preamble, r"\begin{document}"]
    snippets = list(snippets)
    for number, snippet in enumerate(snippets):
        lines.append(rf"\setbox0=\hbox{{${style} {snippet}$}}\typeout{{SGDWIDTH {number} \the\wd0}}")
    lines += [r"\end{document}"]
    run = compile_pdf("\n".join(lines)) if snippets else None
    found = {int(m["number"]): float(m["width"]) for m in _WIDTH.finditer(run.log)} if run else {}
    if len(found) != len(snippets):
        raise TexError("pdflatex did not report every width")
    return [found[k] for k in range(len(snippets))]

"""The ``sgd-diagrams`` command line (also ``python -m diagrams``).

Usage::

    sgd-diagrams parse "[a][ab:c:d][bcd]"
    sgd-diagrams enumerate --order 3 [--linkless] [--root-tied] [--count] [--format text|json|jsonl]
    sgd-diagrams series --order 2 --schedule sgd|gd|N,B,E [--quantity loss|gap|displacement]
                        [--dim M] [--at-minimum] [--gaussian] [--noiseless] [--quadratic] [--constant-hessian]
                        [--format text|json|jsonl] [--no-legend]
    sgd-diagrams latex "[a:b][ab]" [--tikz | --text]
    sgd-diagrams latex --series --order 2 --schedule sgd|gd|N,B,E [--quantity ...] [--dim M] [assumptions]
                       [--environment align|split|multline] [--width 345pt] [--group statistic|diagram]
                       [--standalone] [-o FILE.tex|FILE.pdf]
    sgd-diagrams draw "[a:b][ab]" -o picture.svg|png|tex
    sgd-diagrams table --order 2 [--schedule sgd|gd|N,B,E] [--linkless] [--root-tied] [--embeddable]
                       [--longtable] [--columns picture,text,aut,value,count] [--width 345pt]
                       [--standalone] [-o FILE.tex|FILE.pdf]
    sgd-diagrams --version

Results go to standard output.  Every error is one line on standard error
(a notation error adds the offending line and a caret under it) and a
non-zero exit status: 2 for a bad request (usage, notation, a request too
large to finish, see the limits below), 1 when a file cannot be written.  A
reader that stops early (``| head``) ends the command quietly with status 141,
Ctrl-C with status 130.  Requests above the limits are refused with the number
of diagrams they would go through, unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from typing import TextIO

import sympy

from . import __version__
from .algebra import DiagramSum
from .core.assumptions import ASSUMPTIONS
from .core.counting import COUNT_MAX_ORDER
from .core.diagram import MAX_ORDER, Diagram
from .core.enumeration import count_diagrams, enumerate_diagrams, estimated_count
from .core.schedule import Schedule, ScheduleError, count_embeddings
from .errors import NotationError
from .notation import parse
from .output.documents import standalone_document, write_document
from .output.draw import draw
from .output.latex import GROUPS, latex
from .output.layout import ENVIRONMENTS
from .output.tables import COLUMNS, table
from .output.texrun import TexError
from .runtime.progress import track
from .series.expectation import displacement, expected_loss, generalization_gap
from .series.terms import diagram_terms
from .values import Statistics, eta

__all__ = [
    "main",
    "build_parser",
    "PROGRAM",
    "LEGEND",
    "COUNT_LIMIT",
    "STREAM_LIMIT",
    "SERIES_LIMIT",
    "DISPLACEMENT_DIM_LIMIT",
]

#: The program's name; also what the console entry point checks to know the ``diagrams`` it imported is this one.
PROGRAM = "sgd-diagrams"

EXIT_FAILURE = 1  # a file could not be written, memory ran out
EXIT_USAGE = 2  # a bad request: usage, notation, too large
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
EXIT_BROKEN_PIPE = 141  # the reader went away (128 + SIGPIPE), as for any tool killed by SIGPIPE

# -- limits: requests above them need --force -------------------------------------------------

#: Diagrams that ``enumerate --count`` and ``table`` go through without ``--force``.  Counting
#: means enumerating: order 8 (598 201 diagrams) takes about half a minute, order 9 (about
#: 7 million) ten times that and more.
COUNT_LIMIT = 10**6
#: Diagrams that ``enumerate`` prints without ``--force``: order 9 (about 7 million lines,
#: streamed as they are found, minutes); order 10 has about 92 million (hours).
STREAM_LIMIT = 10**7
#: Diagrams that ``series`` and ``latex --series`` sum without ``--force``: orders 0 to 6
#: (6 685 diagrams, half a minute for the single-epoch loss, minutes for a full-batch
#: gap); orders 0 to 7 are 62 503, each with its embedding count and value (hours).
SERIES_LIMIT = 10**4
#: Coordinates of ``--quantity displacement`` without ``--force``: it is one series per
#: coordinate, each computed on its own.  (For the loss and the gap, ``--dim`` only
#: switches to Einstein notation and any value is quick.)
DISPLACEMENT_DIM_LIMIT = 100

# -- the symbols of the series (SPEC §1) -----------------------------------------------------

_EINSTEIN = "G_{a} H_{ab} G_{b}"

#: (symbol, meaning) of every symbol a printed series can hold; statistics are at theta_0.
LEGEND: tuple[tuple[str, str], ...] = (
    ("eta", "the learning rate; 'eta^k:' marks the coefficient of eta^k"),
    ("l", "E[l_x(theta_0)], the test loss at the initialization theta_0"),
    ("G", "E[grad l_x], the mean gradient"),
    ("H", "E[grad^2 l_x], the mean Hessian"),
    ("J", "E[grad^3 l_x], the mean third derivative"),
    ("C", "Cov(grad l_x, grad l_x), the covariance of the gradient noise"),
    ("S", "the third joint cumulant of grad l_x (the skew of the gradient noise)"),
    ("kappa_{k1,...,kj}", "the joint cumulant of grad^k1 l_x, ..., grad^kj l_x for one shared sample x"),
    ("T", "the number of SGD steps"),
    ("N", "the number of training points"),
    ("theta", "the weights; theta_i(T) - theta_i(0) is the displacement of coordinate i after T steps"),
    (
        _EINSTEIN,
        "Einstein notation (--dim > 1): a letter that occurs twice is an index summed over the "
        "coordinates, a digit is a fixed coordinate",
    ),
)
#: How each statistic and schedule symbol shows in a printed coefficient.
_TOKENS = {
    "l": r"(?<![\w{])l(?![\w{])",
    "G": r"\bG(?![A-Za-z0-9])",
    "H": r"\bH(?![A-Za-z0-9])",
    "J": r"\bJ(?![A-Za-z0-9])",
    "C": r"\bC(?![A-Za-z0-9])",
    "S": r"\bS(?![A-Za-z0-9])",
    "kappa_{k1,...,kj}": r"\bkappa_\{",
    "T": r"\bT\b",
    "N": r"\bN\b",
}

ASSUMPTION_HELP = {
    "at_minimum": "assume theta_0 is a minimum of the test loss (G = 0)",
    "noiseless": "assume no sampling noise (l_x = l for every x): parts of two or more nodes vanish",
    "gaussian": "assume jointly Gaussian derivatives of l_x: cumulants of three or more vanish",
    "quadratic": "assume a quadratic loss: derivatives of order three and more vanish",
    "constant_hessian": "assume the Hessian of l_x is the same for every x",
    "single_epoch": "assume E = B = 1 (each training point used once); only true for --schedule sgd",
}

_SCHEDULE_HELP = (
    "'sgd': single-epoch SGD, T steps of batch 1 (N = T); 'gd': full-batch gradient descent, "
    "T steps on N points; N,B,E: N points, batches of B (B divides N), E epochs, e.g. 4,2,2 "
    "(default: sgd)"
)

_FORMAT_HELP = (
    "text (the default): for reading; json: one JSON document (enumerate: an array of diagrams); "
    "jsonl: one JSON object per line (enumerate: one per diagram)"
)


class CommandError(Exception):
    """A request this command refuses; ``status`` is the exit status."""

    def __init__(self, message: str, status: int = EXIT_USAGE):
        super().__init__(message)
        self.status = status


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    Bad arguments, ``--help`` and ``--version`` exit through :class:`SystemExit`
    as argparse does.
    """
    out = stdout or sys.stdout
    try:
        return _main(argv, out)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _discard(out)
        return EXIT_BROKEN_PIPE


def _main(argv: Sequence[str] | None, out: TextIO) -> int:
    try:
        args = build_parser().parse_args(argv)
    finally:
        sys.stdout.flush()  # --help and --version: a closed pipe shows up here, not at exit
    where = f"{PROGRAM} {args.command}"
    try:
        status = args.run(args, out)
        out.flush()
        return status
    except NotationError as error:
        return _complain(f"{PROGRAM}: {error}", EXIT_USAGE)  # the rule, then the line and a caret
    except CommandError as error:
        return _complain(f"{where}: {error}", error.status)
    except BrokenPipeError:
        raise
    except OSError as error:
        return _complain(f"{where}: {_os_message(error)}", EXIT_FAILURE)
    except ValueError as error:  # the engine's word for bad input
        return _complain(f"{where}: {' '.join(str(error).split())}", EXIT_USAGE)
    except MemoryError:
        return _complain(f"{where}: out of memory", EXIT_FAILURE)


def _complain(message: str, status: int) -> int:
    print(message, file=sys.stderr)
    return status


def _os_message(error: OSError) -> str:
    reason = error.strerror or str(error)
    return f"{error.filename}: {reason}" if error.filename else reason


def _discard(stream: TextIO) -> None:
    """Point ``stream``'s file descriptor at the null device, so that flushing what is
    still buffered at exit does not fail again on the closed pipe."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


# -- the parser -----------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are one line, pointing at --help."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see '{self.prog} --help')\n")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples' line breaks."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command (the help texts and examples are in it)."""
    common = _Parser(add_help=False)
    common.add_argument("--format", choices=("text", "json", "jsonl"), default="text", help=_FORMAT_HELP)
    common.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on standard error (default: when standard error is a terminal)",
    )
    force = _Parser(add_help=False)
    force.add_argument(
        "--force",
        action="store_true",
        help="run even a request above the size limits (they are listed under 'limits' below)",
    )

    parser = _Parser(
        prog=PROGRAM,
        description="The diagram calculus of stochastic gradient descent: diagrams, their values "
        "and the exact eta-series of SGD's test loss, generalization gap and displacement.",
        epilog=_examples(
            'parse "[a][ab:c:d][bcd]"',
            "enumerate --order 4 --count",
            "series --order 3 --schedule gd --quantity gap",
            'latex "[a:b][ab]"',
            'draw "[a][ab:c:d][bcd]" -o d.svg',
        )
        + "\n\nErrors are one line on standard error; exit status 2 for a bad request, 1 for a file "
        "that cannot be written, 130 after Ctrl-C, 141 when the reader of the output went away.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROGRAM} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, epilog: str, parents=()) -> argparse.ArgumentParser:
        return commands.add_parser(
            name, parents=list(parents), help=help, description=help, epilog=epilog, formatter_class=_Formatter
        )

    p = command(
        "parse",
        "the canonical form and properties of a diagram",
        _examples('parse "[b:a][ba]"', 'parse "c(01-2)(02-12)" --format json'),
        [common],
    )
    p.add_argument("text", help=_DIAGRAM_HELP)
    p.set_defaults(run=_run_parse)

    e = command(
        "enumerate",
        "all diagrams of one order, each once, with |Aut|",
        _examples(
            "enumerate --order 3",
            "enumerate --order 4 --count",
            "enumerate --order 3 --linkless --format json",
            "enumerate --order 6 --format jsonl | head -3",
        )
        + _limits(
            f"--count: {COUNT_LIMIT:,} diagrams (order 8, {count_diagrams(8):,} diagrams, is about half a minute)",
            f"listing: {STREAM_LIMIT:,} diagrams (order 9, {_how_many(9)}, is streamed in minutes)",
        ),
        [common, force],
    )
    e.add_argument("--order", type=_order, required=True, help=f"the number of edges d (0 to {MAX_ORDER})")
    e.add_argument(
        "--linkless",
        action="store_true",
        help="only diagrams without links (a link: a non-root node of degree 2 alone in its part)",
    )
    e.add_argument(
        "--root-tied",
        action="store_true",
        help="root-tied diagrams (the root shares its part) instead of ordinary ones",
    )
    e.add_argument("--count", action="store_true", help="print only how many there are")
    e.set_defaults(run=_run_enumerate)

    s = command(
        "series",
        "the exact eta-series of SGD's expected test loss, generalization gap or displacement",
        _examples(
            "series --order 3",
            "series --order 3 --schedule gd --quantity gap",
            "series --order 2 --schedule 4,2,2 --at-minimum --format json",
            "series --order 2 --dim 2 --quantity displacement",
        )
        + _legend_text()
        + _limits(*_series_limits()),
        [common, force],
    )
    _add_series_options(s, order_required=True)
    s.add_argument(
        "--legend",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after text output, say what the symbols in it mean (default: yes)",
    )
    s.set_defaults(run=_run_series)

    x = command(
        "latex",
        "LaTeX of a diagram's value, its TikZ picture, or a whole series",
        _examples(
            'latex "[a:b][ab]"',
            'latex "[a][ab:c:d][bcd]" --tikz',
            "latex --series --order 2 --schedule sgd",
        )
        + _limits(*_series_limits()),
        [force],
    )
    x.add_argument("text", nargs="?", help=_DIAGRAM_HELP + " (omit with --series)")
    shown = x.add_mutually_exclusive_group()
    shown.add_argument("--tikz", action="store_true", help="the diagram's picture as a tikzpicture")
    shown.add_argument("--text", dest="as_text", action="store_true", help="the bracket text in \\texttt")
    shown.add_argument(
        "--series", action="store_true", help="the eta-series (see 'series --help') instead of a diagram"
    )
    _add_series_options(x, order_required=False)
    x.add_argument("--environment", choices=ENVIRONMENTS, help="a series as a display, one power of eta per line")
    x.add_argument("--width", help="the width a display fits, e.g. 345pt, 8cm or '\\columnwidth' (default 345pt)")
    x.add_argument("--group", choices=GROUPS, help="a series' terms: per statistic (default) or per diagram")
    _add_document_options(x)
    x.set_defaults(run=_run_latex)

    d = command(
        "draw",
        "a picture of a diagram as SVG, PNG or PDF (these two need matplotlib) or TikZ",
        _examples(
            'draw "[a:b][ab]" -o d.svg',
            'draw "[a][ab:c:d][bcd]" -o d.png --dpi 600',
            'draw "[a][ab:c:d][bcd]" -o d.pdf --scale 1.5',
            'draw "[a:a]" -o d.tex',
        ),
    )
    d.add_argument("text", help=_DIAGRAM_HELP)
    d.add_argument(
        "-o", "--output", required=True, help="the file to write; its suffix .svg, .png, .pdf or .tex sets the format"
    )
    d.add_argument(
        "--dpi", type=float, help="resolution of a PNG in pixels per inch (default 300; vector formats ignore it)"
    )
    d.add_argument("--scale", type=float, default=1.0, help="multiply the picture's size (default 1)")
    d.set_defaults(run=_run_draw)

    t = command(
        "table",
        "a LaTeX table of all diagrams of one order (needs \\usepackage{tikz})",
        _examples("table --order 2", "table --order 3 --schedule sgd --embeddable")
        + _limits(f"{COUNT_LIMIT:,} diagrams (order 8)"),
        [force],
    )
    t.add_argument("--order", type=_order, required=True, help="the number of edges d")
    t.add_argument(
        "--schedule", type=_schedule, help="add the embedding counts L(D) for this schedule: " + _SCHEDULE_HELP
    )
    t.add_argument("--linkless", action="store_true", help="only diagrams without links")
    t.add_argument("--root-tied", action="store_true", help="root-tied diagrams instead of ordinary ones")
    t.add_argument("--embeddable", action="store_true", help="only diagrams with L(D) != 0 (needs --schedule)")
    t.add_argument("--longtable", action="store_true", help="a longtable, which breaks across pages")
    t.add_argument("--columns", type=_columns, help=f"comma-separated, from {','.join(COLUMNS)}")
    t.add_argument("--width", help="the width the table fits, e.g. 345pt or '\\textwidth' (default 345pt)")
    _add_document_options(t)
    t.set_defaults(run=_run_table)
    return parser


_DIAGRAM_HELP = "a diagram in bracket notation, e.g. '[a][ab:c:d][bcd]', or a legacy name, e.g. 'c(01-2)(02-12)'"


def _examples(*commands: str) -> str:
    return "examples:\n" + "\n".join(f"  {PROGRAM} {c}" for c in commands)


def _limits(*lines: str) -> str:
    listed = "\n".join(f"  {line}" for line in lines)
    return "\n\nlimits (above them the request is refused, unless --force):\n" + listed


def _series_limits() -> tuple[str, ...]:
    return (
        f"--order: {SERIES_LIMIT:,} diagrams summed (orders 0 to 6, {sum(map(count_diagrams, range(7))):,} diagrams; "
        f"orders 0 to 7 are {sum(map(count_diagrams, range(8))):,})",
        f"--dim with --quantity displacement: {DISPLACEMENT_DIM_LIMIT} coordinates (one series each)",
    )


def _legend_text() -> str:
    width = max(len(symbol) for symbol, _ in LEGEND)
    return "\n\nsymbols (l_x is the loss of one sample x; the statistics are taken at theta_0):\n" + "\n".join(
        f"  {symbol:{width}}  {meaning}" for symbol, meaning in LEGEND
    )


def _add_series_options(p: argparse.ArgumentParser, order_required: bool) -> None:
    p.add_argument(
        "--order",
        type=_order,
        required=order_required,
        help="the highest power of eta kept: the series is exact up to O(eta^(order+1))",
    )
    p.add_argument("--schedule", type=_schedule, default="sgd", help=_SCHEDULE_HELP)
    p.add_argument(
        "--quantity",
        choices=("loss", "gap", "displacement"),
        default="loss",
        help="loss: the expected test loss after training (the default); gap: the generalization gap, "
        "test minus training loss; displacement: the expected change of each weight",
    )
    p.add_argument(
        "--dim",
        type=_positive,
        default=1,
        help="the number of weights m; above 1 the statistics are tensors in Einstein notation (default: 1)",
    )
    assumptions = p.add_argument_group(
        "assumptions", "each drops the diagrams whose terms vanish under it (any number of them)"
    )
    for name in ASSUMPTIONS:
        assumptions.add_argument(
            "--" + name.replace("_", "-"),
            action="append_const",
            const=name,
            dest="assume",
            help=ASSUMPTION_HELP.get(name, f"assume {name.replace('_', ' ')}"),
        )


def _add_document_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--standalone", action="store_true", help="a whole LaTeX document (amsmath, tikz, ...)")
    p.add_argument(
        "-o", "--output", help="write the document to FILE.tex (and FILE.pdf when pdflatex is there) or FILE.pdf"
    )


def _columns(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(","))
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown column {unknown[0]!r}; choose from {','.join(COLUMNS)}")
    return names


def _whole_number(text: str, what: str, low: int, high: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} must be a whole number, got {text!r}") from None
    if value < low or (high is not None and value > high):
        bounds = f"at least {low}" if high is None else f"between {low} and {high}"
        raise argparse.ArgumentTypeError(f"{what} must be {bounds}, got {value}")
    return value


def _order(text: str) -> int:
    return _whole_number(text, "order", 0, MAX_ORDER)


def _positive(text: str) -> int:
    return _whole_number(text, "dimension", 1)


def _schedule(text: str) -> Schedule:
    T, N = sympy.symbols("T N", positive=True, integer=True)
    if text == "sgd":
        return Schedule.sgd(T)
    if text == "gd":
        return Schedule.gd(N, T)
    fields = text.split(",")
    if len(fields) != 3 or not all(f.strip().isdigit() for f in fields):
        raise argparse.ArgumentTypeError(f"schedule must be 'sgd', 'gd' or three whole numbers N,B,E; got {text!r}")
    try:
        return Schedule(*(int(f) for f in fields))
    except ScheduleError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


# -- size checks ----------------------------------------------------------------------------


def _how_many(order: int) -> str:
    """The number of diagrams of ``order``, exact where known, else an estimate."""
    count = estimated_count(order)
    return f"{count:,}" if order <= COUNT_MAX_ORDER else f"about {count:.1e}"


def _refuse_unless_forced(args, too_many: bool, message: str) -> None:
    if too_many and not args.force:
        raise CommandError(f"{message}; pass --force to run it anyway")


def _check_series_size(args) -> None:
    summed = sum(estimated_count(d) for d in range(args.order + 1))
    _refuse_unless_forced(
        args,
        summed > SERIES_LIMIT,
        f"a series to order {args.order} sums over "
        + (f"{summed:,}" if args.order <= COUNT_MAX_ORDER else f"about {summed:.1e}")
        + f" diagrams (orders 0 to {args.order}; more for the gap), above the limit of {SERIES_LIMIT:,}"
        f" (order 6, {sum(map(count_diagrams, range(7))):,} diagrams, takes from half a minute to minutes)",
    )
    if args.quantity == "displacement":
        _refuse_unless_forced(
            args,
            args.dim > DISPLACEMENT_DIM_LIMIT,
            f"the displacement is one series per coordinate: --dim {args.dim} asks for {args.dim:,} series, "
            f"above the limit of {DISPLACEMENT_DIM_LIMIT}",
        )


# -- the commands ---------------------------------------------------------------------------


def _facts(diagram: Diagram) -> dict:
    return {
        "text": str(diagram),
        "order": diagram.order,
        "automorphisms": diagram.automorphism_count,
        "linkless": diagram.is_linkless,
        "root_tied": diagram.is_root_tied,
        "legacy": diagram.legacy_name,
    }


def _run_parse(args, out: TextIO) -> int:
    facts = _facts(parse(args.text))
    if args.format != "text":
        print(json.dumps(facts), file=out)
    else:
        labels = {"text": "canonical", "automorphisms": "|Aut|"}
        for key, value in facts.items():
            shown = "-" if value is None else str(value).lower() if isinstance(value, bool) else value
            print(f"{labels.get(key, key) + ':':12} {shown}", file=out)
    return 0


def _show_progress(args) -> bool:
    chosen = getattr(args, "progress", None)
    return sys.stderr.isatty() if chosen is None else chosen


def _run_enumerate(args, out: TextIO) -> int:
    if args.count and args.order <= COUNT_MAX_ORDER:  # an exact count, without enumerating
        total = count_diagrams(args.order, linkless=args.linkless, root_tied=args.root_tied)
        print(total if args.format == "text" else json.dumps({"order": args.order, "count": total}), file=out)
        return 0
    if args.count:
        _refuse_unless_forced(
            args,
            estimated_count(args.order) > COUNT_LIMIT,
            f"order {args.order} has {_how_many(args.order)} diagrams and counting them means enumerating "
            f"them all; the limit is {COUNT_LIMIT:,} (order 8, {count_diagrams(8):,} diagrams, takes about half "
            "a minute)",
        )
    else:
        _refuse_unless_forced(
            args,
            estimated_count(args.order) > STREAM_LIMIT,
            f"order {args.order} has {_how_many(args.order)} diagrams, above the limit of {STREAM_LIMIT:,} "
            f"for listing them (order 9, {_how_many(9)}, takes minutes)",
        )
    found = enumerate_diagrams(args.order, linkless=args.linkless, root_tied=args.root_tied)
    total = estimated_count(args.order, linkless=args.linkless, root_tied=args.root_tied)
    found = track(found, f"order {args.order}", enabled=_show_progress(args), total=total)
    if args.count:
        total = sum(1 for _ in found)
        print(total if args.format == "text" else json.dumps({"order": args.order, "count": total}), file=out)
    elif args.format == "json":
        _write_json_array((_facts(diagram) for diagram in found), out)
    elif args.format == "jsonl":
        for diagram in found:
            print(json.dumps(_facts(diagram)), file=out)
    else:
        for diagram in found:
            print(f"{diagram.text}\t|Aut|={diagram.automorphism_count}", file=out)
    return 0


def _write_json_array(records: Iterable[dict], out: TextIO) -> None:
    """A JSON array written one element per line as the elements come (it streams)."""
    separator = "[\n"
    for record in records:
        out.write(separator + json.dumps(record))
        separator = ",\n"
    out.write("[]\n" if separator == "[\n" else "\n]\n")


def _series_results(args) -> dict[str, sympy.Expr]:
    """The one place that calls the series functions: name -> series in eta."""
    stats = Statistics.symbolic(args.dim)
    options = dict(assume=args.assume or (), progress=_show_progress(args))
    if args.quantity == "loss":
        return {"E[l]": expected_loss(stats, args.schedule, args.order, **options)}
    if args.quantity == "gap":
        return {"gap": generalization_gap(stats, args.schedule, args.order, **options)}
    moves = displacement(stats, args.schedule, args.order, **options)
    return {f"E[theta_{mu}(T) - theta_{mu}(0)]": move for mu, move in enumerate(moves)}


def _coefficients(expr: sympy.Expr, order: int) -> list[sympy.Expr]:
    expanded = sympy.expand(expr)
    return [sympy.factor(expanded.coeff(eta, k)) for k in range(order + 1)]


def _plain(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with every symbol a plain sympy Symbol of the same name and assumptions, so
    that its srepr can be rebuilt by sympy alone (Einstein values are a Symbol subclass)."""
    special = {s for s in expr.free_symbols if type(s) is not sympy.Symbol}
    return expr.xreplace({s: sympy.Symbol(s.name, **s.assumptions0) for s in special})


def _coefficient_record(coefficient: sympy.Expr) -> dict:
    return {"text": str(coefficient), "srepr": sympy.srepr(_plain(coefficient)), "latex": latex(coefficient)}


def _run_series(args, out: TextIO) -> int:
    _check_series_size(args)
    results = {name: _coefficients(expr, args.order) for name, expr in _series_results(args).items()}
    about = {
        "quantity": args.quantity,
        "schedule": str(args.schedule),
        "order": args.order,
        "dim": args.dim,
        "assume": list(args.assume or ()),
    }
    records = [
        {"name": name, "eta_powers": {str(k): _coefficient_record(c) for k, c in enumerate(coefficients)}}
        for name, coefficients in results.items()
    ]
    if args.format == "json":
        print(json.dumps({**about, "series": records}), file=out)
    elif args.format == "jsonl":
        for record in records:
            print(json.dumps({**about, **record}), file=out)
    else:
        for name, coefficients in results.items():
            print(f"{name} =", file=out)
            shown = [f"  eta^{k}: {c}" for k, c in enumerate(coefficients) if c != 0]
            print("\n".join(shown or ["  0"]), file=out)
        if args.legend:
            printed = "\n".join(str(c) for coefficients in results.values() for c in coefficients)
            print(_legend_for(printed, args), file=out)
    return 0


def _legend_for(coefficients: str, args) -> str:
    """The legend of the symbols in the printed ``coefficients`` and the headings."""
    wanted = {"eta"} | {symbol for symbol, token in _TOKENS.items() if re.search(token, coefficients)}
    if args.quantity == "displacement":
        wanted.add("theta")
    if args.dim > 1:
        wanted.add(_EINSTEIN)
    used = [(symbol, meaning) for symbol, meaning in LEGEND if symbol in wanted]
    width = max(len(symbol) for symbol, _ in used)
    return "where\n" + "\n".join(f"  {symbol:{width}}  {meaning}" for symbol, meaning in used)


def _run_latex(args, out: TextIO) -> int:
    if args.series:
        if args.text is not None:
            raise CommandError("give either a diagram or --series, not both")
        if args.order is None:
            raise CommandError("--series needs --order")
        _check_series_size(args)
        if args.group == "diagram" and args.quantity == "displacement":
            raise CommandError("--group diagram is for --quantity loss or gap")
        layout = dict(environment=args.environment, width=args.width, group=args.group)
        if args.group == "diagram":
            layout["stats"] = Statistics.symbolic(args.dim)  # each diagram's value, in the series' notation
        if (args.standalone or args.output) and args.environment is None:
            layout["environment"] = "align"  # a series in a document: a display that fits the page
        try:
            texts = [
                latex(expr, lhs=_LEFT_SIDES.get(name) if layout["environment"] else None, **layout)
                for name, expr in _series_to_print(args).items()
            ]
        except ValueError as error:
            raise CommandError(str(error)) from None
        return _emit(texts, args, out, "latex")
    if args.text is None:
        raise CommandError("give a diagram, e.g. '[a:b][ab]', or --series")
    if args.environment or args.width or args.group:
        raise CommandError("--environment, --width and --group lay out a --series")
    diagram = parse(args.text)
    if args.tikz:
        text = diagram.to_tikz()
    else:
        text = latex(diagram, diagram_style="text" if args.as_text else "value")
        if args.standalone or args.output:
            text = rf"\[ {text} \]"
    return _emit([text], args, out, "latex")


#: The left-hand sides a series display is given (keys of _series_results).
_LEFT_SIDES = {"E[l]": r"\mathrm{E}\,l(\theta_T)", "gap": r"\mathrm{gap}"}


def _series_to_print(args) -> dict:
    """The series of ``args``: expressions, or with ``--group diagram`` their diagram terms."""
    if args.group != "diagram":
        return _series_results(args)
    gap = args.quantity == "gap"
    terms = DiagramSum(
        diagram_terms(args.schedule, args.order, root_tied=gap, assume=args.assume or (), progress=_show_progress(args))
    )
    N = args.schedule.N
    return {"gap": terms * -(sympy.Rational(1, N) if isinstance(N, int) else 1 / N)} if gap else {"E[l]": terms}


def _emit(texts: list[str], args, out: TextIO, command: str) -> int:
    """Print the texts, or a whole document (--standalone), or write it to --output."""
    if not (args.standalone or args.output):
        for text in texts:
            print(text, file=out)
        return 0
    document = standalone_document(texts)
    if not args.output:
        print(document, file=out)
        return 0
    try:
        for path in write_document(document, args.output):
            print(path, file=out)
    except (ValueError, TexError) as error:
        raise CommandError(str(error)) from None
    return 0


def _run_draw(args, out: TextIO) -> int:
    diagram = parse(args.text)
    try:
        path = draw(diagram, args.output, dpi=args.dpi, scale=args.scale)
    except (ValueError, ImportError) as error:  # an unknown suffix or a bad option; PNG/PDF without matplotlib
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"cannot write {args.output!r}: {error.strerror or error}", EXIT_FAILURE) from None
    print(path, file=out)
    return 0


def _run_table(args, out: TextIO) -> int:
    if args.embeddable and args.schedule is None:
        raise CommandError("--embeddable needs --schedule")
    _refuse_unless_forced(
        args,
        estimated_count(args.order) > COUNT_LIMIT,
        f"order {args.order} has {_how_many(args.order)} diagrams, above the limit of {COUNT_LIMIT:,} for a table",
    )
    found = enumerate_diagrams(args.order, linkless=args.linkless, root_tied=args.root_tied)
    total = estimated_count(args.order, linkless=args.linkless, root_tied=args.root_tied)
    found = track(found, f"order {args.order}", enabled=_show_progress(args), total=total)
    if args.embeddable:
        found = (D for D in found if count_embeddings(D, args.schedule) != 0)
    try:
        text = table(found, schedule=args.schedule, columns=args.columns, longtable=args.longtable, width=args.width)
    except ValueError as error:
        raise CommandError(str(error)) from None
    return _emit([text], args, out, "table")

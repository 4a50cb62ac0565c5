"""The ``sgd-diagrams`` command line (also ``python -m diagrams``).

    sgd-diagrams parse "[a][ab:c:d][bcd]"
    sgd-diagrams enumerate --order 3 [--linkless] [--root-tied] [--count] [--format text|json]
    sgd-diagrams series --order 2 --schedule sgd|gd|N,B,E [--quantity loss|gap|displacement]
                        [--dim M] [--at-minimum] [--gaussian] [--noiseless] [--quadratic] [--constant-hessian]
    sgd-diagrams latex "[a:b][ab]" [--tikz | --text]
    sgd-diagrams latex --series --order 2 --schedule sgd|gd|N,B,E [--quantity ...] [--dim M] [assumptions]
                       [--environment align|split|multline] [--width 345pt] [--group statistic|diagram]
                       [--standalone] [-o FILE.tex|FILE.pdf]
    sgd-diagrams draw "[a:b][ab]" -o picture.svg|png|tex
    sgd-diagrams table --order 2 [--schedule sgd|gd|N,B,E] [--linkless] [--root-tied] [--embeddable]
                       [--longtable] [--columns picture,text,aut,value,count] [--width 345pt]
                       [--standalone] [-o FILE.tex|FILE.pdf]

Errors in the diagram text print the rule and a caret to stderr and exit with
status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence, TextIO

import sympy

from .core.diagram import MAX_ORDER, Diagram
from .core.enumeration import enumerate_diagrams
from .errors import NotationError
from .algebra import DiagramSum
from .output.documents import standalone_document, write_document
from .output.latex import GROUPS, latex
from .output.layout import ENVIRONMENTS
from .output.tables import COLUMNS, table
from .output.texrun import TexError
from .series.terms import diagram_terms
from .notation import parse
from .runtime.progress import track
from .core.schedule import Schedule, ScheduleError, count_embeddings
from .core.assumptions import ASSUMPTIONS
from .series.expectation import displacement, expected_loss, generalization_gap
from .values import Statistics, eta

__all__ = ["main"]


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    out = stdout or sys.stdout
    args = _parser().parse_args(argv)
    try:
        return args.run(args, out)
    except NotationError as error:
        print(f"sgd-diagrams: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    common.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on standard error (default: when it is a terminal)",
    )

    parser = argparse.ArgumentParser(
        prog="sgd-diagrams", description="Diagram calculus of stochastic gradient descent."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("parse", parents=[common], help="canonical form and properties of a diagram")
    p.add_argument("text", help="a diagram, e.g. '[a][ab:c:d][bcd]' or 'c(01-2)(02-12)'")
    p.set_defaults(run=_run_parse)

    e = commands.add_parser("enumerate", parents=[common], help="all diagrams of one order")
    e.add_argument("--order", type=_order, required=True, help="number of edges d")
    e.add_argument("--linkless", action="store_true", help="only diagrams without links")
    e.add_argument("--root-tied", action="store_true", help="root-tied diagrams instead of ordinary ones")
    e.add_argument("--count", action="store_true", help="print only how many there are")
    e.set_defaults(run=_run_enumerate)

    s = commands.add_parser("series", parents=[common], help="the symbolic η-series of SGD")
    _add_series_options(s, order_required=True)
    s.set_defaults(run=_run_series)

    x = commands.add_parser("latex", help="LaTeX of a diagram's value, its TikZ picture, or a whole series")
    x.add_argument("text", nargs="?", help="a diagram (omit with --series)")
    shown = x.add_mutually_exclusive_group()
    shown.add_argument("--tikz", action="store_true", help="the diagram's picture as a tikzpicture")
    shown.add_argument("--text", dest="as_text", action="store_true", help="the bracket text in \\texttt")
    shown.add_argument("--series", action="store_true", help="the η-series instead of a diagram")
    _add_series_options(x, order_required=False)
    x.add_argument("--environment", choices=ENVIRONMENTS, help="a series as a display, one power of η per line")
    x.add_argument("--width", help="the width a display fits, e.g. 345pt, 8cm or '\\columnwidth' (default 345pt)")
    x.add_argument("--group", choices=GROUPS, help="a series' terms: per statistic (default) or per diagram")
    _add_document_options(x)
    x.set_defaults(run=_run_latex)

    d = commands.add_parser("draw", help="a picture of a diagram as SVG, PNG or PDF (need matplotlib) or TikZ")
    d.add_argument("text", help="a diagram, e.g. '[a:b][ab]'")
    d.add_argument("-o", "--output", required=True, help="output file; the format comes from .svg, .png, .pdf or .tex")
    d.add_argument("--dpi", type=float, help="resolution of a PNG in pixels per inch (default 300; vector formats ignore it)")
    d.add_argument("--scale", type=float, default=1.0, help="multiply the picture's size (default 1)")
    d.set_defaults(run=_run_draw)

    t = commands.add_parser("table", help="a LaTeX table of all diagrams of one order (needs tikz)")
    t.add_argument("--order", type=_order, required=True, help="number of edges d")
    t.add_argument("--schedule", type=_schedule, help="add the embedding counts L(D) for this schedule")
    t.add_argument("--linkless", action="store_true", help="only diagrams without links")
    t.add_argument("--root-tied", action="store_true", help="root-tied diagrams instead of ordinary ones")
    t.add_argument("--embeddable", action="store_true", help="only diagrams with L(D) != 0 (needs --schedule)")
    t.add_argument("--longtable", action="store_true", help="a longtable, which breaks across pages")
    t.add_argument("--columns", type=_columns, help=f"comma-separated, from {','.join(COLUMNS)}")
    t.add_argument("--width", help="the width the table fits, e.g. 345pt or '\\textwidth' (default 345pt)")
    _add_document_options(t)
    t.set_defaults(run=_run_table)
    return parser


def _add_series_options(p: argparse.ArgumentParser, order_required: bool) -> None:
    p.add_argument("--order", type=_order, required=order_required, help="highest power of η")
    p.add_argument(
        "--schedule",
        type=_schedule,
        default="sgd",
        help="'sgd' (single epoch, T steps), 'gd' (full batch, N points, T steps) or N,B,E (default: sgd)",
    )
    p.add_argument("--quantity", choices=("loss", "gap", "displacement"), default="loss")
    p.add_argument("--dim", type=_positive, default=1, help="number of parameters (>1: Einstein notation)")
    for name in ASSUMPTIONS:
        p.add_argument("--" + name.replace("_", "-"), action="append_const", const=name, dest="assume")


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
    if args.format == "json":
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
    found = enumerate_diagrams(args.order, linkless=args.linkless, root_tied=args.root_tied)
    found = track(found, f"order {args.order}", enabled=_show_progress(args))
    if args.count:
        total = sum(1 for _ in found)
        print(json.dumps({"order": args.order, "count": total}) if args.format == "json" else total, file=out)
        return 0
    for diagram in found:
        if args.format == "json":
            print(json.dumps(_facts(diagram)), file=out)
        else:
            print(f"{diagram.text}\t|Aut|={diagram.automorphism_count}", file=out)
    return 0


def _series_results(args) -> dict[str, sympy.Expr]:
    stats = Statistics.symbolic(args.dim)
    options = dict(assume=args.assume or (), progress=_show_progress(args))
    if args.quantity == "loss":
        return {"E[l]": expected_loss(stats, args.schedule, args.order, **options)}
    if args.quantity == "gap":
        return {"gap": generalization_gap(stats, args.schedule, args.order, **options)}
    moves = displacement(stats, args.schedule, args.order, **options)
    return {f"E[theta_{mu}(T) - theta_{mu}(0)]": move for mu, move in enumerate(moves)}


def _run_series(args, out: TextIO) -> int:
    results = _series_results(args)
    for name, expr in results.items():
        terms = {str(k): str(sympy.factor(sympy.expand(expr).coeff(eta, k))) for k in range(args.order + 1)}
        if args.format == "json":
            print(json.dumps({"quantity": name, "schedule": str(args.schedule), "eta_powers": terms}), file=out)
        else:
            print(f"{name} =", file=out)
            for k, coefficient in terms.items():
                if coefficient != "0":
                    print(f"  eta^{k}: {coefficient}", file=out)
    return 0


def _run_latex(args, out: TextIO) -> int:
    if args.series:
        if args.text is not None:
            return _usage("latex", "give either a diagram or --series, not both")
        if args.order is None:
            return _usage("latex", "--series needs --order")
        if args.group == "diagram" and args.quantity == "displacement":
            return _usage("latex", "--group diagram is for --quantity loss or gap")
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
            return _usage("latex", str(error))
        return _emit(texts, args, out, "latex")
    if args.text is None:
        return _usage("latex", "give a diagram, e.g. '[a:b][ab]', or --series")
    if args.environment or args.width or args.group:
        return _usage("latex", "--environment, --width and --group lay out a --series")
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
        return _usage(command, str(error))
    return 0


def _run_draw(args, out: TextIO) -> int:
    from .output.draw import draw

    diagram = parse(args.text)
    try:
        path = draw(diagram, args.output, dpi=args.dpi, scale=args.scale)
    except (ValueError, ImportError) as error:
        return _usage("draw", str(error))
    print(path, file=out)
    return 0


def _run_table(args, out: TextIO) -> int:
    if args.embeddable and args.schedule is None:
        return _usage("table", "--embeddable needs --schedule")
    found = enumerate_diagrams(args.order, linkless=args.linkless, root_tied=args.root_tied)
    found = track(found, f"order {args.order}", enabled=_show_progress(args))
    if args.embeddable:
        found = (D for D in found if count_embeddings(D, args.schedule) != 0)
    try:
        text = table(found, schedule=args.schedule, columns=args.columns, longtable=args.longtable, width=args.width)
    except ValueError as error:
        return _usage("table", str(error))
    return _emit([text], args, out, "table")


def _usage(command: str, message: str) -> int:
    print(f"sgd-diagrams {command}: {message}", file=sys.stderr)
    return 2

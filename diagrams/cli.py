"""The ``sgd-diagrams`` command line (also ``python -m diagrams``).

    sgd-diagrams parse "[a][ab:c:d][bcd]"
    sgd-diagrams enumerate --order 3 [--linkless] [--root-tied] [--count] [--format text|json]

Errors in the diagram text print the rule and a caret to stderr and exit with
status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence, TextIO

from .diagram import Diagram
from .enumerate import enumerate_diagrams
from .errors import NotationError
from .notation import parse

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
    return parser


def _order(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"order must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"order must be non-negative, got {value}")
    return value


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


def _run_enumerate(args, out: TextIO) -> int:
    found = enumerate_diagrams(args.order, linkless=args.linkless, root_tied=args.root_tied)
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

"""Write the picture gallery (docs/gallery/) and print how long drawing takes.

    python benchmarks/gallery.py [--max-order 3] [--out docs/gallery] [--time-order 5] [--repeats 3]

The gallery holds one SVG sheet per order and kind (``order-d.svg``,
``root-tied-order-d.svg``) with every diagram of that order, and an
``index.md``; ``diagrams.output.draw.write_gallery`` makes them and
tests/test_draw.py checks that the committed files are up to date.  The
timing is the median, over ``--repeats`` runs, of drawing every diagram of
order ``--time-order`` (ordinary and root-tied) as SVG and as TikZ.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from diagrams import enumerate_diagrams
from diagrams.output.draw import to_svg, to_tikz, write_gallery


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-order", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "gallery")
    parser.add_argument("--time-order", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    for path in write_gallery(args.out, max_order=args.max_order):
        print(f"wrote {path}")

    diagrams = list(enumerate_diagrams(args.time_order)) + list(enumerate_diagrams(args.time_order, root_tied=True))
    for name, backend in (("svg", to_svg), ("tikz", to_tikz)):
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            for D in diagrams:
                backend(D)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        print(
            f"{name}: {len(diagrams)} diagrams of order {args.time_order} in {median:.2f} s "
            f"(median of {args.repeats}), {1000 * median / len(diagrams):.2f} ms each"
        )


if __name__ == "__main__":
    main()

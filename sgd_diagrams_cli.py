"""The ``sgd-diagrams`` console command: a guard in front of :func:`diagrams.cli.main`.

sgd-diagrams is imported as ``diagrams``, and so is the unrelated PyPI package
"diagrams" (cloud-architecture pictures).  Installed in one environment, the two
write into the same ``diagrams/`` folder, and whichever came last owns
``import diagrams``.  The entry point therefore lives outside that folder: it
imports the command line, checks that it is sgd-diagrams', and otherwise says
so in one line instead of a traceback.  ``python -m diagrams`` runs the same
command line without the check.
"""

from __future__ import annotations

import importlib.util
import sys

__all__ = ["main", "clash"]

PROGRAM = "sgd-diagrams"


def main() -> int:
    """Run ``sgd-diagrams`` with ``sys.argv``; return the exit status."""
    try:
        try:
            from diagrams import cli
        except ImportError:
            problem = clash()
            if problem is None:
                raise  # sgd-diagrams itself is broken (a dependency missing): show why
            print(problem, file=sys.stderr)
            return 1
        if getattr(cli, "PROGRAM", None) != PROGRAM:
            print(clash() or _explanation(_location(), []), file=sys.stderr)
            return 1
        return cli.main()
    except KeyboardInterrupt:  # Ctrl-C while the modules load
        return 130


def clash() -> str | None:
    """A one-line explanation when ``diagrams`` is another package's, else None.

    Another package's when the ``diagrams`` Python finds lacks sgd-diagrams'
    command line, or when another installed distribution claims the name.
    """
    others = _other_owners()
    loaded = sys.modules.get("diagrams")
    foreign = loaded is not None and importlib.util.find_spec("diagrams.cli") is None
    if not (others or foreign):
        return None
    return _explanation(_location(), others)


def _explanation(where: str, others: list[str]) -> str:
    owner = f" from {', '.join(others)}" if others else ""
    return (
        f"{PROGRAM}: the Python package 'diagrams'{owner} at {where} is not sgd-diagrams: "
        "the PyPI package 'diagrams' (cloud-architecture pictures) has the same import name, and only one "
        "of them can be installed in an environment; install sgd-diagrams in a virtual environment of its "
        "own (python3 -m venv .venv && . .venv/bin/activate && pip install sgd-diagrams)"
    )


def _location() -> str:
    try:
        spec = importlib.util.find_spec("diagrams")
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return "(not found)"
    folders = list(spec.submodule_search_locations or [])
    return folders[0] if folders else str(spec.origin)


def _other_owners() -> list[str]:
    """'name version' of every installed distribution, other than sgd-diagrams, that has ``diagrams``."""
    from importlib import metadata

    owners = []
    for distribution in metadata.distributions():
        name = distribution.metadata["Name"] or ""
        if name.lower().replace("_", "-") == PROGRAM:
            continue
        if "diagrams" in _top_level_names(distribution):
            owners.append(f"{name} {distribution.version}")
    return sorted(set(owners))


def _top_level_names(distribution) -> set[str]:
    listed = distribution.read_text("top_level.txt")
    if listed:
        return set(listed.split())
    return {file.parts[0] for file in distribution.files or () if len(file.parts) > 1}


if __name__ == "__main__":
    sys.exit(main())

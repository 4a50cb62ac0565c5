"""The documentation: every public name is in the API reference, the pages' examples run, the site builds.

The API pages are generated from the ``__all__`` lists by ``docs/_ext/sgd_docs.py``;
the checks here find the objects independently (by importing them) and ask
that the reference documents each one.  The full Sphinx build needs the
``docs`` extra (``pip install '.[docs]'``).
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import diagrams

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))
import sgd_docs  # noqa: E402

SKIPPED = {"diagrams.__main__"}
MISSING = object()


def public_modules() -> dict[str, object]:
    """Every importable module of the package with an ``__all__``, by name (those needing torch only where it is)."""
    found = {"diagrams": diagrams}
    for info in pkgutil.walk_packages(diagrams.__path__, "diagrams."):
        if info.name in SKIPPED or any(part.startswith("_") for part in info.name.split(".")):
            continue
        try:
            found[info.name] = importlib.import_module(info.name)
        except ImportError as error:  # the optional PyTorch backend without torch
            assert "torch" in str(error), error
    return {name: module for name, module in found.items() if hasattr(module, "__all__")}


def resolve(path: str) -> object:
    """The object named by a dotted path (a module, then attributes: ``diagrams.core.diagram.Diagram.order``)."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute, MISSING)  # a dataclass field is documented but is no class attribute
        return obj
    raise ImportError(path)


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return sgd_docs.api_pages(ROOT)


def documented_members(page: str) -> list[str]:
    """The names a module page documents (the ``:members:`` of its automodule, and its autodata)."""
    match = re.search(r"^   :members: (.*)$", page, re.MULTILINE)
    members = [name.strip() for name in match.group(1).split(",")] if match else []
    return members + [path.rpartition(".")[2] for path in re.findall(r"^\.\. autodata:: ([\w.]+)$", page, re.MULTILINE)]


def test_every_name_of_diagrams_all_is_in_the_api_index(pages):
    index = pages["index.rst"]
    targets = re.findall(r"^   ~([\w.]+)$", index, re.MULTILINE)
    by_name = {target.rpartition(".")[2]: target for target in targets}
    assert sorted(by_name) == sorted(diagrams.__all__)
    for name, target in by_name.items():
        assert resolve(target) is getattr(diagrams, name), target
        module = target.rpartition(".")[0]
        assert name in documented_members(pages[f"{module}.rst"]), (name, module)


def test_every_public_name_of_every_module_is_on_its_page(pages):
    modules = public_modules()
    assert {"diagrams.core.diagram", "diagrams.series.expectation", "diagrams.values.base"} <= set(modules)
    for module_name, module in modules.items():
        if module_name == "diagrams":
            continue
        page = pages[f"{module_name}.rst"]
        members = documented_members(page)
        links = dict(re.findall(r":py:obj:`(\w+) <([\w.]+)>`", page))
        for name in module.__all__:
            obj = getattr(module, name)
            if name in members:
                continue
            assert name in links, f"{module_name}.{name} is neither documented nor linked on its page"
            home = links[name].rpartition(".")[0]
            assert resolve(links[name]) is obj and name in documented_members(pages[f"{home}.rst"])


def test_a_name_is_documented_once_where_it_is_defined(pages):
    modules = public_modules()
    seen = {}
    for page_name, page in pages.items():
        module_name = page_name.removesuffix(".rst")
        if module_name not in modules:  # no __all__ (documents nothing), or needs torch where it is missing
            assert not documented_members(page) or "torch" in module_name, page_name
            continue
        for name in documented_members(page):
            obj = getattr(modules[module_name], name)
            assert seen.setdefault(id(obj), module_name) == module_name, (name, module_name, seen[id(obj)])
            if isinstance(obj, type) or inspect.isfunction(obj):
                assert obj.__module__ == module_name, (name, module_name, obj.__module__)


def test_prose_bars_are_escaped_outside_literals():
    lines = [
        "weight (−1/B)^d/|Aut(D)| and ``|x|`` and :math:`|y|`",
        "",
        ">>> abs(-1) | 2",
        "3",
        "",
        "Example::",
        "",
        "    a | b",
        "back |π| here",
    ]
    assert sgd_docs.prose_bars(lines) == [
        r"weight (−1/B)^d/\|Aut(D)\| and ``|x|`` and :math:`|y|`",
        "",
        ">>> abs(-1) | 2",
        "3",
        "",
        "Example::",
        "",
        "    a | b",
        r"back \|π\| here",
    ]


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md") if ">>>" in p.read_text()))
def test_page_examples_run(page):
    result = doctest.testfile(str(DOCS / page), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_notation_table_names_match_the_engine():
    rows = re.findall(r"^\| `([^`]*)` \|.*\| `([^`]*)` \|$", (DOCS / "notation.md").read_text(), re.MULTILINE)
    assert len(rows) >= 8
    for text, legacy in rows:
        diagram = diagrams.parse(text)
        assert diagram.legacy_name == legacy, text
        assert diagrams.parse(legacy) == diagram


def read_inventory(path: Path) -> dict[str, str]:
    """{object name: role} from a Sphinx objects.inv (version 2: four header lines, then zlib)."""
    data = path.read_bytes()
    header_end = 0
    for _ in range(4):
        header_end = data.index(b"\n", header_end) + 1
    assert data.startswith(b"# Sphinx inventory version 2")
    entries = {}
    for line in zlib.decompress(data[header_end:]).decode().splitlines():
        name, role = re.match(r"(\S+)\s+(\S+)\s", line).groups()
        entries[name] = role
    return entries


def test_the_site_builds_without_warnings_and_documents_every_public_name(tmp_path):
    pytest.importorskip("sphinx", reason="the docs extra is not installed: pip install '.[docs]'")
    out = tmp_path / "html"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS), str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    inventory = read_inventory(out / "objects.inv")
    for name in diagrams.__all__:
        obj = getattr(diagrams, name)
        homes = [entry for entry in inventory if entry.rpartition(".")[2] == name and entry.startswith("diagrams.")]
        assert any(resolve(entry) is obj for entry in homes if inventory[entry] != "py:module"), name
    for module_name in public_modules():
        assert inventory.get(module_name) == "py:module", module_name
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        assert (out / "notebooks" / f"{notebook.stem}.html").exists(), notebook.name
    cli = re.sub(r"<[^>]+>", "", (out / "cli.html").read_text())  # the text of the page
    for command in ("parse", "enumerate", "series", "latex", "draw", "table"):
        assert f"sgd-diagrams {command} [-h]" in cli, command

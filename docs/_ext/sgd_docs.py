"""Sphinx extension of the sgd-diagrams documentation: pages generated from the source tree.

* The API reference, from the ``__all__`` lists: one page per module of the
  package, documenting (with autodoc) the public names defined there and
  linking the names it re-exports to the module that defines them, and an
  index page listing every name of ``diagrams.__all__``, grouped as the
  comments in that list group them.  Nothing is listed by hand, so a name added
  to an ``__all__`` appears in the reference at the next build.
* The notebooks: ``notebooks/*.ipynb`` are copied into the documentation's
  source tree (they live outside it), to be rendered by myst-nb.
* The command-line reference: :func:`command_line_parser` hands the program's
  argparse parser to sphinx-argparse, its texts made to read as reST.
* Docstrings as autodoc reads them: ``|Aut(D)|``-style bars in prose are
  escaped (:func:`prose_bars`), and module-level data without a docstring of
  its own (a sympy Symbol, a constant) gets one line naming its type instead
  of its type's docstring.

The generated folders (``api/`` and ``notebooks/`` under the documentation's
source folder) are rewritten at each build and are not kept in git.

:func:`api_pages` reads the ``__all__`` lists and import statements
statically (``ast``), so generating the pages imports nothing: the optional
PyTorch backend is listed even where torch is missing (autodoc then documents
it against a mock of torch, see ``autodoc_mock_imports`` in ``conf.py``).
"""

from __future__ import annotations

import argparse
import ast
import inspect
import io
import re
import shutil
import textwrap
import tokenize
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "diagrams"
API_FOLDER = "api"
NOTEBOOK_FOLDER = "notebooks"
SKIPPED_MODULES = {f"{PACKAGE}.__main__"}  # importing it runs the command line


@dataclass(frozen=True)
class Module:
    """One module of the package, read statically."""

    name: str
    is_package: bool
    public: tuple[str, ...] | None  # its __all__, None if it has none
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # (comment heading, names) in __all__ order
    imports: dict[str, tuple[str, str]]  # bound name -> (source module, name there), package-internal only
    data: frozenset[str]  # names bound at top level by assignment (documented with autodata)
    derived: frozenset[str]  # classes defined here with explicit base classes

    @property
    def parent(self) -> str:
        return self.name.rpartition(".")[0]


def _absolute(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute name of ``from <level dots><target> import ...`` written in ``module``."""
    if level == 0:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _all_literal(tree: ast.Module) -> tuple[str, ...] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            value = ast.literal_eval(node.value)
            return tuple(value)
    return None


def _all_groups(source: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The names of ``__all__`` grouped under the ``# comment`` lines that precede them."""
    groups: list[tuple[str, list[str]]] = [("", [])]
    inside = False
    depth = 0
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if not inside:
            inside = token.type == tokenize.NAME and token.string == "__all__" and token.start[1] == 0
            continue
        if token.type == tokenize.OP and token.string in "[(":
            depth += 1
        elif token.type == tokenize.OP and token.string in "])":
            depth -= 1
            if depth == 0:
                break
        elif token.type == tokenize.COMMENT and depth == 1:
            groups.append((token.string.lstrip("#").strip(), []))
        elif token.type == tokenize.STRING and depth == 1:
            groups[-1][1].append(ast.literal_eval(token.string))
    return tuple((heading, tuple(names)) for heading, names in groups if names)


def _imports(name: str, is_package: bool, tree: ast.Module) -> dict[str, tuple[str, str]]:
    """Names bound by ``from ... import ...`` to objects of the package (top level and ``try`` blocks)."""
    statements = list(tree.body)
    for node in tree.body:
        if isinstance(node, ast.Try):
            statements.extend(node.body)
    bound = {}
    for node in statements:
        if isinstance(node, ast.ImportFrom):
            source = _absolute(name, is_package, node.level, node.module)
            if source == PACKAGE or source.startswith(PACKAGE + "."):
                for alias in node.names:
                    bound[alias.asname or alias.name] = (source, alias.name)
    return bound


def _assigned(tree: ast.Module) -> frozenset[str]:
    names = set()
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        for target in targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Name):
                    names.add(leaf.id)
    return frozenset(names)


def read_modules(root: Path) -> dict[str, Module]:
    """Every module of the package under ``root`` (the repository), by dotted name."""
    modules = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        if name in SKIPPED_MODULES or any(p.startswith("_") and p != "__init__" for p in parts):
            continue
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        modules[name] = Module(
            name=name,
            is_package=is_package,
            public=_all_literal(tree),
            groups=_all_groups(source),
            imports=_imports(name, is_package, tree),
            data=_assigned(tree),
            derived=frozenset(n.name for n in tree.body if isinstance(n, ast.ClassDef) and n.bases),
        )
    return modules


def defining_module(modules: dict[str, Module], module: str, name: str) -> str:
    """The module that defines ``name`` as exported by ``module`` (following re-exports)."""
    seen = set()
    while (module, name) not in seen:
        seen.add((module, name))
        source = modules[module].imports.get(name)
        if source is None:
            return module
        if source[0] not in modules:  # `from package import submodule`-style or unknown: stop here
            return module
        module, name = source
    raise ValueError(f"import cycle for {name!r} through {module}")


def _title(text: str, underline: str = "=") -> str:
    return f"{text}\n{underline * len(text)}\n"


def _children(modules: dict[str, Module], package: str) -> list[str]:
    return [m for m in modules if modules[m].parent == package and m != package]


def _module_page(modules: dict[str, Module], module: Module) -> str:
    lines = [_title(f"``{module.name}``"), f".. automodule:: {module.name}"]
    defined, reexported = [], []
    for name in module.public or ():
        home = defining_module(modules, module.name, name)
        (defined if home == module.name else reexported).append((name, home))
    members = [name for name, _ in defined if name not in module.data]
    if members:
        lines += [
            f"   :members: {', '.join(members)}",
            "   :undoc-members:",
            "   :member-order: bysource",
        ]
        if module.derived & set(members):  # (autodoc would print "Bases: object" for every other class)
            lines.append("   :show-inheritance:")
    else:
        lines.append("   :no-members:")
    lines.append("")
    # autodoc documents module-level data only when it has a ``#:`` comment, so each gets its own directive
    for name, _ in defined:
        if name in module.data:
            lines += [f".. autodata:: {module.name}.{name}", ""]
    if reexported:
        lines += ["Also exported here (documented where they are defined):", ""]
        lines += [f"* :py:obj:`{name} <{home}.{name}>` from :py:mod:`{home}`" for name, home in reexported]
        lines.append("")
    children = _children(modules, module.name)
    if children:
        lines += [".. toctree::", "   :maxdepth: 1", ""]
        lines += [f"   {child}" for child in children]
        lines.append("")
    return "\n".join(lines)


def _index_page(modules: dict[str, Module]) -> str:
    top = modules[PACKAGE]
    lines = [
        _title("API reference"),
        f".. automodule:: {PACKAGE}",
        "   :no-members:",
        "",
        ".. currentmodule:: None",
        "",
        "Every public name is importable from the package itself (``import diagrams as dg``,",
        "then ``dg.parse``, ``dg.expected_loss``, ...).  The tables link each name to its",
        "documentation in the module that defines it; the module pages below also document",
        "the names that those modules export for finer work.",
        "",
    ]
    for heading, names in top.groups:
        lines += [_title(heading[:1].upper() + heading[1:] if heading else "Other names", "-")]
        lines += [".. autosummary::", ""]
        for name in names:
            lines.append(f"   ~{defining_module(modules, PACKAGE, name)}.{name}")
        lines.append("")
    lines += [_title("Modules", "-"), ".. toctree::", "   :maxdepth: 1", ""]
    lines += [f"   {child}" for child in _children(modules, PACKAGE)]
    lines.append("")
    return "\n".join(lines)


def api_pages(root: Path) -> dict[str, str]:
    """The API reference's reST pages ({file name: text}) for the package under ``root``."""
    modules = read_modules(root)
    pages = {"index.rst": _index_page(modules)}
    for name, module in modules.items():
        if name != PACKAGE:
            pages[f"{name}.rst"] = _module_page(modules, module)
    return pages


def _write_folder(folder: Path, files: dict[str, str | Path]) -> None:
    """Make ``folder`` hold exactly ``files`` (text or a file to copy), touching only what changed."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        if stale.name not in files:
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    for name, content in files.items():
        target = folder / name
        data = content.read_bytes() if isinstance(content, Path) else content.encode("utf-8")
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)


def _generate(app) -> None:
    source = Path(app.srcdir)
    root = source.parent
    _write_folder(source / API_FOLDER, api_pages(root))
    _write_folder(source / NOTEBOOK_FOLDER, {p.name: p for p in sorted((root / "notebooks").glob("*.ipynb"))})


def _plain_data_docstring(app, what, name, obj, options, lines) -> None:
    """Data whose only docstring is its type's (a Symbol, a dict...) gets one line naming the type."""
    if what not in ("data", "attribute"):
        return
    kind = type(obj)
    own = inspect.cleandoc(kind.__doc__ or "").split("\n")[0].strip()
    if own and lines and lines[0].strip() == own:
        where = f"{kind.__module__}.{kind.__qualname__}"
        if kind.__module__ == "builtins":
            lines[:] = []  # the value, shown with the name, says it all
        elif kind.__module__.split(".")[0] == PACKAGE:
            lines[:] = [f"An instance of :py:class:`~{where}`."]
        else:
            lines[:] = [f"An instance of ``{where}``."]


def command_line_parser() -> argparse.ArgumentParser:
    """The ``sgd-diagrams`` argparse parser, for the CLI page (sphinx-argparse reads it from here).

    sphinx-argparse reads help texts as reST, so their ``|Aut|`` and the like
    are escaped as in docstrings (:func:`prose_bars`).
    """
    from diagrams import cli

    parser = cli.build_parser()
    _escape_help(parser, set())
    return parser


def _escape_text(text):
    return "\n".join(prose_bars(text.split("\n"))) if isinstance(text, str) else text


def _preformatted(text):
    """A text laid out in lines (a raw description or epilog: examples, lists) as a reST literal block."""
    if isinstance(text, str) and "\n" in text.strip():
        return "::\n\n" + textwrap.indent(textwrap.dedent(text.strip("\n")), "    ")
    return _escape_text(text)


def _escape_help(parser: argparse.ArgumentParser, done: set[int]) -> None:
    """Make the texts of ``parser`` and its subcommands read as reST, in place (argparse has no public walk).

    Help texts are prose; a parser whose formatter keeps the description's
    line breaks (``RawDescriptionHelpFormatter``) has its multi-line
    description and epilog shown as they are in ``--help``.
    """
    if id(parser) in done:
        return
    done.add(id(parser))
    raw = issubclass(parser.formatter_class, argparse.RawDescriptionHelpFormatter)
    layout = _preformatted if raw else _escape_text
    parser.description = layout(parser.description)
    parser.epilog = layout(parser.epilog)
    for action in parser._actions:
        action.help = _escape_text(action.help)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                choice.help = _escape_text(choice.help)
            for subparser in action.choices.values():
                _escape_help(subparser, done)


_LITERAL_SPANS = re.compile(r"(``.*?``|`[^`]*`)")


def _escape_bars(text: str) -> str:
    """``|`` in prose, outside backquoted spans, escaped so reST does not read ``|x|`` as a substitution."""
    return "".join(
        piece if index % 2 else piece.replace("\\|", "|").replace("|", "\\|")
        for index, piece in enumerate(_LITERAL_SPANS.split(text))
    )


def prose_bars(lines: list[str]) -> list[str]:
    """The docstring ``lines`` with every ``|`` of the prose escaped (|Aut(D)|, |π|, |1 − ηλ| read as text).

    Our docstrings write cardinalities and absolute values as ``|x|``, which
    reST would take for substitution references.  Literal blocks (after
    ``::`` or a directive), doctest blocks, line blocks and tables are left alone.
    """
    out = []
    literal_indent = None  # indentation of the paragraph that opened a literal block
    in_doctest = False
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if literal_indent is not None and stripped and indent <= literal_indent:
            literal_indent = None
        if in_doctest and not stripped:
            in_doctest = False
        if stripped.startswith(">>>"):
            in_doctest = True
        verbatim = literal_indent is not None or in_doctest or stripped.startswith(("| ", "+-", "+="))
        out.append(line if verbatim else _escape_bars(line))
        if literal_indent is None and not in_doctest and (stripped.endswith("::") or stripped.startswith(".. ")):
            literal_indent = indent
    return out


def _escape_prose_bars(app, what, name, obj, options, lines) -> None:
    lines[:] = prose_bars(lines)


def setup(app):
    app.connect("builder-inited", _generate)
    app.connect("autodoc-process-docstring", _escape_prose_bars)
    app.connect("autodoc-process-docstring", _plain_data_docstring)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

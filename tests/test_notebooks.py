"""Every notebook runs top to bottom (their cells assert what they show), and is stored without outputs."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["01-tour.ipynb", "02-paper-results.ipynb", "03-real-model.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    assert all(
        not cell.get("outputs") and cell.get("execution_count") is None
        for cell in notebook.cells
        if cell.cell_type == "code"
    )


#: Notebooks that need optional packages (the torch extra), by name.
NEEDS = {"03-real-model.ipynb": ("torch", "sklearn")}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path):
    for module in NEEDS.get(path.name, ()):
        pytest.importorskip(module, reason=f"{path.name} needs the torch extra: pip install 'sgd-diagrams[torch]'")
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    plotted = [c for c in notebook.cells if c.cell_type == "code" and ".finish()" in "".join(c.source)]
    assert all(any("image/png" in o.get("data", {}) for o in c.outputs) for c in plotted)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_figures_go_through_the_plot_helper(path):
    """One plotting style: every figure is a Comparison (title, labels and parameters required), finished."""
    sources = ["".join(cell.source) for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    assert not [s for s in sources if "plt." in s or "pyplot" in s]
    plots = [s for s in sources if "Comparison(" in s and "import" not in s.split("Comparison(")[0].splitlines()[-1]]
    assert all(s.count("Comparison(") == s.count(".finish()") for s in plots)


def test_the_plot_helper_insists_on_titles_and_labels():
    from diagrams.output.plots import Comparison

    with pytest.raises(ValueError, match="title"):
        Comparison("", "$T$", "$y$")
    with pytest.raises(ValueError, match="ylabel"):
        Comparison("a title", "$T$", " ")

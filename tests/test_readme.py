"""The README's Python examples run as written."""

import doctest
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_examples():
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_readme_pytorch_example_runs_as_written():
    """The Real models section's example (a script, not a doctest: its numbers are estimates)."""
    pytest.importorskip("torch", reason="the PyTorch example needs torch: pip install 'sgd-diagrams[torch]'")
    text = README.read_text()
    section = text[text.index("## Real models") :]
    script = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    assert "model.estimate(" in script and "simulate_sgd" in script
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    assert len(printed) == 3 and all(line.startswith("Estimate(mean=") for line in printed), printed

"""The pdflatex fixture of conftest.py: skipped without pdflatex, but a failure when CI is set."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).with_name("conftest.py")
REQUIRED = Path(__file__).with_name("pdflatex_required.py")


def copy_fixture(pytester) -> None:
    """Our conftest.py and the module it reads, in pytester's folder."""
    pytester.makeconftest(CONFTEST.read_text())
    pytester.makepyfile(pdflatex_required=REQUIRED.read_text())
    pytester.syspathinsert()


USES_PDFLATEX = """
def test_compiles(pdflatex):
    assert pdflatex
"""


@pytest.fixture
def suite(pytester, monkeypatch):
    """A one-test suite with our conftest.py, on a PATH without pdflatex."""
    copy_fixture(pytester)
    pytester.makepyfile(test_suite=USES_PDFLATEX)
    monkeypatch.setenv("PATH", str(pytester.path))  # nothing to run there
    return pytester


def test_without_pdflatex_the_compile_tests_are_skipped_with_the_reason(suite, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    result = suite.runpytest_inprocess("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*pdflatex is not installed*texlive-latex-base*"])


def test_without_pdflatex_the_compile_tests_fail_on_ci(suite, monkeypatch):
    monkeypatch.setenv("CI", "1")
    result = suite.runpytest_inprocess()
    result.assert_outcomes(errors=1)  # a fixture that fails makes its test an error
    result.stdout.fnmatch_lines(["*pdflatex is not installed*required when CI is set*"])


def test_with_pdflatex_the_fixture_gives_its_path(pytester, monkeypatch, tmp_path):
    fake = tmp_path / "bin" / "pdflatex"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    copy_fixture(pytester)
    pytester.makepyfile(test_path=f"def test_path(pdflatex):\n    assert pdflatex == {str(fake)!r}\n")
    monkeypatch.setenv("PATH", str(fake.parent))
    pytester.runpytest_inprocess().assert_outcomes(passed=1)

"""pytest: modules that need the optional torch (its backend, a test helper) are collected only where it is installed."""

import importlib.util


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a module blocked or half-imported counts as absent
        return False


collect_ignore_glob = [] if _installed("torch") else ["diagrams/torch/*", "tests/torch_exact.py"]

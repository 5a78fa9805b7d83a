"""Fixtures shared across the test packages."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def har_generator() -> ModuleType:
    """``benchmarks/generate.py``, the seeded generator of DevTools-shaped HARs (not a package)."""
    path = ROOT / "benchmarks" / "generate.py"
    if not path.exists():  # an sdist without benchmarks/
        pytest.skip("benchmarks/ is not part of this checkout")
    spec = importlib.util.spec_from_file_location("harcors_benchmarks_generate", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # type: ignore[union-attr]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module

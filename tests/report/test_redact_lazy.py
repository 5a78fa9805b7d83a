"""Redaction on a big-HAR load: learns the secrets of what the report shows, reads nothing else."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from harcors.analysis import analyze_file
from harcors.har.fast import LazyExchange
from harcors.report.redact import Redactor
from harcors.report.render import render

ROOT = Path(__file__).resolve().parents[2]
SECRET = "planted-secret-value-4711"


def _generate(path: Path) -> dict[str, Any]:
    source = ROOT / "benchmarks" / "generate.py"
    if not source.exists():
        pytest.skip("benchmarks/ is not part of this checkout")
    spec = importlib.util.spec_from_file_location("harcors_benchmarks_generate_r", source)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # type: ignore[union-attr]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    module.write_har(path, 400, seed=11, image_kb=2)
    return json.loads(path.read_bytes())


def test_secrets_of_findings_redacted_and_other_entries_left_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.har"
    doc = _generate(path)
    first = analyze_file(path)
    assert first.findings
    # A secret on a finding's own request, also as the bare value of a header no pattern knows.
    target = first.findings[0].request.index
    headers = doc["log"]["entries"][target]["request"]["headers"]
    headers += [{"name": "Cookie", "value": f"sid={SECRET}"}, {"name": "X-Echo", "value": SECRET}]
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")

    analysis = analyze_file(path, fix_stack=None)
    shown = {ex.index for f in analysis.findings for ex in (f.request, f.preflight) if ex is not None}
    lazy_before = [ex for ex in analysis.exchanges if type(ex) is LazyExchange and ex.index not in shown]
    assert lazy_before, "the generated HAR should have entries that cannot concern CORS"
    for fmt in ("json", "md"):
        assert SECRET not in render([analysis], fmt)
    # The finding's headers were read, so the value is known and scrubbed from any free text.
    assert SECRET not in Redactor.for_exchanges(analysis.exchanges).text(f"echoed: {SECRET}.")
    # Exporting did not read the headers of entries no report shows.
    assert all(type(ex) is LazyExchange for ex in lazy_before)

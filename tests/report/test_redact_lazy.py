"""Redaction on a big-HAR load: learns the secrets of what the report shows, reads nothing else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harcors.analysis import analyze_file
from harcors.har.fast import LazyExchange
from harcors.report.redact import Redactor
from harcors.report.render import render

ROOT = Path(__file__).resolve().parents[2]
SECRET = "planted-secret-value-4711"


def test_secrets_of_findings_redacted_and_other_entries_left_in_the_file(
    tmp_path: Path, har_generator: Any
) -> None:
    path = tmp_path / "s.har"
    har_generator.write_har(path, 400, seed=11, image_kb=2)
    doc = json.loads(path.read_bytes())
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

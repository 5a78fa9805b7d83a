"""One entry point for every export format, shared by ``harcors analyze`` and the GUI's Export."""

from __future__ import annotations

import json
from collections.abc import Sequence

from harcors.analysis import Analysis
from harcors.report.json_doc import analysis_document
from harcors.report.table import render_table

FORMATS = ("table", "json", "md", "html", "csv", "sarif")


def render(analyses: Sequence[Analysis], fmt: str, *, redact: bool = True, stack: str | None = None) -> str:
    """The report for ``analyses`` in format ``fmt`` (one of :data:`FORMATS`), as text."""
    if fmt == "table":
        return "\n".join(render_table(a) for a in analyses)
    if fmt == "json":
        docs = [analysis_document(a) for a in analyses]
        return json.dumps(docs[0] if len(docs) == 1 else docs, indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")

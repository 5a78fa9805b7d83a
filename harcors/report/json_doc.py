"""The JSON document of ``harcors analyze --format json`` (schema: resources/schema/report.schema.json).

Field names here are a published interface: add fields freely, never remove or rename one.
"""

from __future__ import annotations

from typing import Any

from harcors import __version__
from harcors.analysis import Analysis
from harcors.cors.model import Finding


def finding_document(finding: Finding) -> dict[str, Any]:
    req = finding.request
    pre = finding.preflight
    return {
        "rule": finding.rule,
        "severity": str(finding.severity),
        "title": finding.title,
        "request": {
            "index": req.index,
            "method": req.method,
            "url": req.url,
            "origin": finding.page_origin,
            "resource_type": req.resource_type,
            "status": req.status,
        },
        "preflight": None if pre is None else {"index": pre.index, "status": pre.status},
        "messages": {
            "chrome": finding.messages.chrome,
            "firefox": finding.messages.firefox,
            "safari": finding.messages.safari,
        },
        "explanation": finding.explanation,
        "root_cause": finding.root_cause,
        "failed_parameter": finding.failed_parameter,
        "credentials": finding.credentials,
        "confidence": str(finding.confidence),
        "is_cors": finding.is_cors,
        "cors_error": finding.cors_error,
        "docs": None if finding.docs is None else f"resources/{finding.docs}",
        "notes": list(finding.notes),
        "fixes": [
            {"stack": f.stack, "title": f.title, "code": f.code, "language": f.language, "notes": f.notes}
            for f in finding.fixes
        ],
        "curl": list(finding.curl),
    }


def analysis_document(
    analysis: Analysis, *, redacted: bool | None = None, stack: str | None = None
) -> dict[str, Any]:
    """The published document for one HAR. Pass an already redacted analysis to export it safely
    (``harcors.report.render`` does); ``redacted`` and ``stack`` are recorded for the reader."""
    info = analysis.info
    doc: dict[str, Any] = {
        "harcors": __version__,
        "source": {
            "path": info.path,
            "creator": info.creator,
            "creator_version": info.creator_version,
            "browser": info.browser,
            "producer": info.producer,
            "har_version": info.version,
            "entries": analysis.entries_seen,
            "skipped": [{"index": s.index, "reason": s.reason} for s in analysis.skipped],
            "problem": analysis.problem,
        },
        "summary": {
            "errors": sum(1 for f in analysis.findings if f.is_error),
            "warnings": sum(1 for f in analysis.findings if not f.is_error),
        },
        "findings": [finding_document(f) for f in analysis.findings],
    }
    if redacted is not None:
        doc["redacted"] = redacted
    if stack:
        doc["stack"] = stack
    return doc

"""The JSON document of ``harcors analyze --format json`` (schema: resources/schema/report.schema.json).

Field names here are a published interface: add fields freely, never remove or rename one.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from harcors import __version__
from harcors.analysis import Analysis
from harcors.cors.model import Finding, Fix
from harcors.report.redact import Redactor


class _AsIs(Redactor):
    """The identity "redactor", for an export without redaction."""

    def text(self, text: str) -> str:
        return text

    def curl(self, command: str) -> str:
        return command

    def fix(self, fix: Fix) -> Fix:
        return fix


_AS_IS = _AsIs()


def finding_document(finding: Finding, redactor: Redactor = _AS_IS) -> dict[str, Any]:
    """One finding's entry; ``redactor`` scrubs every text that can quote the traffic.

    Redacting only the fields the document shows (not the exchanges' headers, which it leaves
    out) gives the same text as documenting a :func:`~harcors.report.redact.redact_analysis` copy.
    """
    req = finding.request
    pre = finding.preflight
    text, opt = redactor.text, redactor.opt
    messages = finding.messages
    return {
        "rule": finding.rule,
        "severity": str(finding.severity),
        "title": text(finding.title),
        "request": {
            "index": req.index,
            "method": req.method,
            "url": text(req.url),
            "origin": opt(finding.page_origin),
            "resource_type": req.resource_type,
            "status": req.status,
        },
        "preflight": None if pre is None else {"index": pre.index, "status": pre.status},
        "messages": {
            "chrome": text(messages.chrome),
            "firefox": opt(messages.firefox),
            "safari": opt(messages.safari),
        },
        "explanation": text(finding.explanation),
        "root_cause": opt(finding.root_cause),
        "failed_parameter": opt(finding.failed_parameter),
        "credentials": finding.credentials,
        "confidence": str(finding.confidence),
        "is_cors": finding.is_cors,
        "cors_error": finding.cors_error,
        "docs": None if finding.docs is None else f"resources/{finding.docs}",
        "notes": [text(n) for n in finding.notes],
        "fixes": [_fix_document(f, redactor) for f in finding.fixes],
        "curl": [redactor.curl(c) for c in finding.curl],
    }


def _fix_document(fix: Fix, redactor: Redactor) -> dict[str, Any]:
    fix = redactor.fix(fix)
    return {"stack": fix.stack, "title": fix.title, "code": fix.code, "language": fix.language,
            "notes": fix.notes}


def analysis_document(
    analysis: Analysis,
    *,
    redacted: bool | None = None,
    stack: str | None = None,
    redactor: Redactor | None = None,
) -> dict[str, Any]:
    """The published document for one HAR; ``redacted`` and ``stack`` are recorded for the reader.

    To export it safely pass either an already redacted analysis or the analysis's ``redactor``
    (:func:`~harcors.report.redact.redactor_for`; ``harcors.report.render`` does).
    """
    r = redactor or _AS_IS
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
            "skipped": [{"index": s.index, "reason": r.text(s.reason)} for s in analysis.skipped],
            "problem": r.opt(analysis.problem),
        },
        "summary": {
            "errors": sum(1 for f in analysis.findings if f.is_error),
            "warnings": sum(1 for f in analysis.findings if not f.is_error),
        },
        "findings": [finding_document(f, r) for f in analysis.findings],
    }
    if redacted is not None:
        doc["redacted"] = redacted
    if stack:
        doc["stack"] = stack
    return doc


def dumps(doc: object, *, floats: bool = True) -> str:
    """``json.dumps(doc, indent=2, ensure_ascii=False)``, byte for byte, several times faster.

    The pure-Python encoder that ``indent`` selects costs 0.2 s on a 50,000-entry HAR's document;
    msgspec re-indents compact text instead, which it copies string by string. With ``floats=False``
    the caller vouches that ``doc`` holds no float (:func:`analysis_document`'s never do: every
    number is a count, an index or a status) and msgspec writes the compact text too: its escapes
    are the json module's, but not its spelling of NaN or 1e+300. A document msgspec cannot write
    or read back (a lone surrogate, a ``str`` subclass, NaN) takes the slow way.
    """
    try:
        if not floats:
            return msgspec.json.format(msgspec.json.encode(doc), indent=2).decode()
        compact = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        return msgspec.json.format(compact, indent=2)
    except (TypeError, UnicodeError, msgspec.EncodeError, msgspec.DecodeError):
        return json.dumps(doc, indent=2, ensure_ascii=False)

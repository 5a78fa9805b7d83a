"""SARIF 2.1.0 (OASIS): one result per finding, for CI systems and code-scanning dashboards.

The HAR file is the artifact; the request is a logical location (``log.entries[N]``), since a
HAR has no meaningful line numbers. Validated in the tests against the official schema in
``resources/schema/sarif-schema-2.1.0.json``.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from harcors.report.model import FindingView, Report

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

#: Larger HARs are not re-read for line numbers (results then carry no region).
LINE_SCAN_LIMIT = 64 << 20
# JSON strings (which cannot hold a raw newline), structural characters and newlines.
_JSON_TOKEN_RE = re.compile(rb'"(?:[^"\\\n]|\\.)*"|[{}\[\]:\n]')


def entry_lines(path: str) -> dict[int, int]:
    """Line number of each ``log.entries[i]`` in a plain-text HAR, for SARIF regions.

    Code-scanning dashboards (GitHub's among them) place a result only by line, and a pretty-printed
    HAR (Chrome's, Firefox's) has one entry per block of lines. Compressed, missing, huge or
    malformed files give ``{}``: regions are optional in SARIF.
    """
    try:
        p = Path(path)
        if p.stat().st_size > LINE_SCAN_LIMIT or p.suffix.lower() in (".gz", ".zip"):
            return {}
        data = p.read_bytes()
    except OSError:
        return {}
    lines: dict[int, int] = {}
    line = 1
    keys: list[bytes | None] = []  # key (or None in an array) of each open container
    kinds: list[bytes] = []
    last_string: bytes | None = None
    pending_key: bytes | None = None
    for m in _JSON_TOKEN_RE.finditer(data):
        tok = m.group()
        if tok == b"\n":
            line += 1
        elif tok[:1] == b'"':
            last_string = tok
        elif tok == b":":
            pending_key = last_string
        elif tok in (b"{", b"["):
            if kinds and kinds[-1] == b"[" and keys == [None, b'"log"', b'"entries"'] and tok == b"{":
                lines[len(lines)] = line
            keys.append(pending_key if kinds and kinds[-1] == b"{" else None)
            kinds.append(tok)
            pending_key = None
        elif tok in (b"}", b"]"):
            if not kinds:
                return {}
            keys.pop()
            kinds.pop()
    return lines


def _artifact_uri(path: str) -> str:
    """A URI reference for the HAR: relative paths stay relative (resolved against the checkout)."""
    p = PurePath(path)
    if p.is_absolute():
        return "file://" + quote(p.as_posix(), safe="/:")
    return quote(p.as_posix(), safe="/")


def _rule_descriptors(report: Report) -> list[dict[str, Any]]:
    """Rules from the registry when it has them, else described by the findings themselves."""
    from harcors.report.rules import describe_rules

    used: dict[str, str] = {}
    for fr in report.files:
        for v in fr.findings:
            used.setdefault(v.finding.rule, v.finding.title)
    return describe_rules(used)


def _fingerprint(v: FindingView) -> str:
    # Stable across re-recordings of the same failure: rule, method and URL without its query.
    f = v.finding
    url = f.request.url.split("?", 1)[0].split("#", 1)[0]
    key = "\x1f".join((f.rule, f.request.method.upper(), url, f.page_origin or ""))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _message(v: FindingView) -> str:
    f = v.finding
    text = f"{f.title}: {f.request.method} {f.request.url}"
    if f.page_origin:
        text += f" from {f.page_origin}"
    text += "."
    if f.messages.chrome:
        text += f"\nChrome: {f.messages.chrome}"
    return text


def _result(
    v: FindingView, artifact_index: int, uri: str, rule_index: dict[str, int], lines: dict[int, int]
) -> dict[str, Any]:
    f = v.finding
    req = f.request
    properties: dict[str, Any] = {
        "severity": str(f.severity),
        "confidence": str(f.confidence),
        "method": req.method,
        "url": req.url,
        "status": req.status,
        "resourceType": req.resource_type,
        "entry": req.index,
        "messages": {"chrome": f.messages.chrome, "firefox": f.messages.firefox, "safari": f.messages.safari},
    }
    if f.page_origin:
        properties["origin"] = f.page_origin
    if f.preflight is not None:
        properties["preflight"] = {"entry": f.preflight.index, "status": f.preflight.status}
    if f.failed_parameter:
        properties["failedParameter"] = f.failed_parameter
    if f.curl:
        properties["curl"] = list(f.curl)
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "level": "error" if f.is_error else "warning",
        "message": {"text": _message(v)},
        "locations": [{
            "physicalLocation": {"artifactLocation": {"uri": uri, "index": artifact_index}},
            "logicalLocations": [{
                "name": f"{req.method} {req.url}",
                "fullyQualifiedName": f"log.entries[{req.index}]",
                "kind": "object",
            }],
        }],
        "partialFingerprints": {"harcorsRequest/v1": _fingerprint(v)},
        "properties": properties,
    }
    if req.index in lines:
        result["locations"][0]["physicalLocation"]["region"] = {"startLine": lines[req.index]}
    if f.rule in rule_index:
        result["ruleIndex"] = rule_index[f.rule]
    if v.fix is not None:
        # SARIF's "fixes" are edits to artifacts; a server config snippet is not one, so it rides
        # along as a property that dashboards can show.
        properties["suggestedFix"] = {"stack": v.fix.stack, "title": v.fix.title, "code": v.fix.code}
    return result


def sarif_document(report: Report) -> dict[str, Any]:
    rules = _rule_descriptors(report)
    rule_index = {r["id"]: i for i, r in enumerate(rules)}
    artifacts = []
    results = []
    for n, fr in enumerate(report.files):
        uri = _artifact_uri(fr.analysis.info.path)
        artifacts.append({
            "location": {"uri": uri},
            "mimeType": "application/json",
            "description": {"text": f"HAR recorded by {fr.analysis.info.producer}"},
        })
        lines = entry_lines(fr.analysis.info.path) if fr.findings else {}
        results += [_result(v, n, uri, rule_index, lines) for v in fr.findings]
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "harcors",
                "version": report.version,
                "semanticVersion": report.version,
                "rules": rules,
            }},
            "artifacts": artifacts,
            "results": results,
            "columnKind": "unicodeCodePoints",
            "properties": {"redacted": report.redacted},
        }],
    }


def render_sarif(report: Report) -> str:
    return json.dumps(sarif_document(report), indent=2, ensure_ascii=False) + "\n"

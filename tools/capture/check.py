"""`--check`: compare a fresh capture with the committed corpus, ignoring what always varies.

Timestamps, timings, Date headers, CDP request/script ids and connection ids change on
every run; entry order among parallel requests (images in a session page) can too, so
entries are compared as a sorted list. Everything else — statuses, headers, errors,
console lines, the Chromium version — must match.
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .corpus import expected_path, har_path, playwright_path
from .scenarios import Scenario

_VOLATILE_ENTRY_KEYS = ("startedDateTime", "time", "timings", "_connectionId", "_monotonicTime")
_MAX_DIFF_LINES = 80


def _scrub_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("<id>" if k in ("requestId", "scriptId") else _scrub_ids(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_ids(v) for v in value]
    return value


def normalize_har(har: dict[str, Any]) -> dict[str, Any]:
    log = copy.deepcopy(har["log"])
    playwright = log.get("creator", {}).get("name") == "Playwright"
    for page in log.get("pages", []):
        page.pop("startedDateTime", None)
        page.pop("pageTimings", None)
        if playwright:
            page["id"] = "<page>"  # random ids
            page.pop("title", None)  # document.title at the moment Playwright looked
    entries = []
    for entry in log.get("entries", []):
        for key in _VOLATILE_ENTRY_KEYS:
            entry.pop(key, None)
        if playwright:
            entry["pageref"] = "<page>"
            entry.pop("_frameref", None)
        if entry.get("_resourceType") == "image":
            # Images start "Low" and are raised once laid out in the viewport: timing-dependent.
            entry.pop("_priority", None)
        for part in ("request", "response"):
            for header in entry.get(part, {}).get("headers", []):
                if header["name"].lower() == "date":
                    header["value"] = "<date>"
        entries.append(_scrub_ids(entry))
    log["entries"] = sorted(entries, key=lambda e: json.dumps(e, sort_keys=True))
    return {"log": log}


def normalize_expected(doc: dict[str, Any]) -> dict[str, Any]:
    # Only what this tool writes; other browsers' sections are someone else's evidence.
    return {k: doc.get(k) for k in ("scenario", "description", "tags", "page", "chromium")}


def _diff(label: str, old: Any, new: Any) -> list[str]:
    a = json.dumps(old, indent=1, sort_keys=False, ensure_ascii=False).splitlines()
    b = json.dumps(new, indent=1, sort_keys=False, ensure_ascii=False).splitlines()
    lines = list(difflib.unified_diff(a, b, f"committed/{label}", f"captured/{label}", n=2, lineterm=""))
    if len(lines) > _MAX_DIFF_LINES:
        lines = [*lines[:_MAX_DIFF_LINES], f"... ({len(lines) - _MAX_DIFF_LINES} more diff lines)"]
    return lines


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def compare(scenarios: Sequence[Scenario], committed: Path, captured: Path) -> list[str]:
    """Human-readable differences between two corpus directories (empty: identical)."""
    problems: list[str] = []
    versions = set()
    for scenario in scenarios:
        pairs = [(har_path, normalize_har), (expected_path, normalize_expected)]
        if scenario.playwright:
            pairs.append((playwright_path, normalize_har))
        for path_of, normalize in pairs:
            old_path, new_path = path_of(committed, scenario.name), path_of(captured, scenario.name)
            if not old_path.exists():
                problems.append(f"{old_path.name}: not in the committed corpus")
                continue
            if not new_path.exists():
                problems.append(f"{new_path.name}: not produced by the capture")
                continue
            old, new = _load(old_path), _load(new_path)
            if path_of is expected_path:
                before = (old.get("chromium") or {}).get("version")
                after = (new.get("chromium") or {}).get("version")
                if before != after:
                    versions.add(f"Chromium version changed: {before} -> {after}")
            old_n, new_n = normalize(old), normalize(new)
            if old_n != new_n:
                problems.append(f"{old_path.name} differs:")
                problems.extend("  " + line for line in _diff(old_path.name, old_n, new_n))
    return sorted(versions) + problems

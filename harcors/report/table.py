"""The plain-text summary ``harcors analyze`` prints by default.

It is given an analysis the report model has already redacted (see ``render.py``)."""

from __future__ import annotations

import shlex
import shutil

from harcors.analysis import Analysis


def _elide(text: str, width: int) -> str:
    """Cut the middle of a long URL, where it says least."""
    if len(text) <= width:
        return text
    keep = max(width - 1, 2)
    head = keep * 2 // 3
    return text[:head] + "…" + text[len(text) - (keep - head):]


def render_table(analysis: Analysis, *, width: int | None = None) -> str:
    width = width or shutil.get_terminal_size((120, 24)).columns
    info = analysis.info
    lines = [
        f"{info.path}  ({info.producer}, {analysis.entries_seen} entries"
        + (f", {len(analysis.skipped)} skipped" if analysis.skipped else "")
        + ")"
    ]
    if analysis.problem:
        lines.append(f"  ! {analysis.problem}")
    for s in analysis.skipped[:5]:
        lines.append(f"  ! entry {s.index} skipped: {s.reason}")
    if len(analysis.skipped) > 5:
        lines.append(f"  ! … and {len(analysis.skipped) - 5} more skipped entries")
    errors = [f for f in analysis.findings if f.is_error]
    warnings = [f for f in analysis.findings if not f.is_error]
    if not analysis.findings:
        lines.append("  No CORS problems found.")
        return "\n".join(lines) + "\n"
    lines.append(
        f"  {len(errors)} blocked by CORS, {len(warnings)} warning{'' if len(warnings) == 1 else 's'}"
    )
    url_width = max(30, width - 40)
    for f in analysis.findings:
        mark = "✖" if f.is_error else "⚠"
        status = f.request.status if f.request.status > 0 else "no response"
        lines.append(f"\n  {mark} {f.request.method} {_elide(f.request.url, url_width)}  [{status}]")
        lines.append(f"    rule: {f.rule} — {f.title}  (entry {f.request.index})")
        if f.messages.chrome:
            lines.append(f"    chrome: {f.messages.chrome}")
        if f.root_cause:
            lines.append(f"    cause: {f.root_cause}")
        if f.fixes:
            lines.append(f"    fix ({f.fixes[0].stack}): {f.fixes[0].title}")
    if errors:
        again = f"harcors analyze {shlex.quote(info.path)} --format md"
        lines.append(f"\n  Explanations, server fixes and curl repros: {again}")
    return "\n".join(lines) + "\n"

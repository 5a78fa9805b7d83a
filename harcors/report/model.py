"""The report model: what every export format shows, computed once from the analyses.

Redaction happens here, before any format sees the data, so no writer can forget it. The
tabular parts (one row per finding, counts by rule and by host) are pandas frames; the document
formats (Markdown, HTML) render the same model through Jinja2 templates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import pandas as pd

from harcors import __version__
from harcors.analysis import Analysis
from harcors.cors.model import Finding, Fix
from harcors.har.model import Exchange
from harcors.report.redact import redact_analysis

# Request headers that decide a CORS outcome (besides the non-safelisted ones a finding names).
_PREFLIGHT_REQUEST = ("origin", "access-control-request-method", "access-control-request-headers",
                      "access-control-request-private-network", "sec-fetch-mode")
_REQUEST = ("origin", "content-type", "sec-fetch-mode")
# Shown even when absent on the actual request: they decide the credentials mode.
_CREDENTIAL_HEADERS = ("cookie", "authorization")
_RESPONSE_EXTRA = ("vary", "location", "set-cookie")

#: What people try that cannot fix a CORS error, as harcors's own Markdown (used when the fixes
#: package has no list of its own).
DEFAULT_WHAT_DOES_NOT_FIX = """
- **Adding `Access-Control-Allow-Origin` (or any `Access-Control-*` header) to the request.**
  They are response headers; on a request they only make it non-simple, which forces a preflight.
- **`mode: 'no-cors'`.** The request goes out, but the response is opaque: status 0, no headers
  or body your code can read, and `Content-Type: application/json` or custom headers are not sent.
- **`--disable-web-security` or a "CORS unblock" extension.** It changes only your browser;
  every user still gets the error.
- **Sending an `Origin` header or setting `withCredentials` in the page.** The page cannot grant
  itself access.
- **Public CORS proxies.** Your users' requests, cookies and tokens pass through someone else's
  server; not a production fix.

Only the server that answers the request (or a proxy you run) can allow an origin.
"""


@dataclass(frozen=True, slots=True)
class TrustedList:
    """harcors's own Markdown split into bullet items and closing paragraphs (one line each)."""

    items: tuple[str, ...]
    closing: tuple[str, ...]

    @classmethod
    def parse(cls, markdown: str) -> TrustedList:
        items: list[str] = []
        closing: list[str] = []
        current: list[str] | None = None
        for line in markdown.strip().splitlines():
            stripped = line.strip()
            if stripped.startswith("#"):  # the template has its own heading
                continue
            if stripped.startswith(("- ", "* ")):
                items.append(stripped[2:].strip())
                current = items
            elif not stripped:
                current = None
            elif current is items and items:
                items[-1] += " " + stripped
            elif current is closing and closing:
                closing[-1] += " " + stripped
            else:
                closing.append(stripped)
                current = closing
        return cls(tuple(items), tuple(closing))


def what_does_not_fix() -> TrustedList:
    """The fixes catalog's "what does not fix CORS" section when it has one, else ours."""
    text = None
    try:
        from harcors import fixes

        text = getattr(fixes, "WHAT_DOES_NOT_FIX", None)
        if text is None:
            from harcors.fixes.catalog import section

            text = section("what_does_not_fix")
    except (ImportError, KeyError, OSError, ValueError):
        text = None
    if isinstance(text, list | tuple):
        text = "\n".join(f"- {item}" for item in text)
    parsed = TrustedList.parse(text) if isinstance(text, str) else TrustedList((), ())
    return parsed if parsed.items else TrustedList.parse(DEFAULT_WHAT_DOES_NOT_FIX)


@dataclass(frozen=True, slots=True)
class HeaderRow:
    """One header line that matters, as sent or received; ``value`` None means "not in the HAR"."""

    sent: bool
    name: str
    value: str | None


@dataclass(frozen=True, slots=True)
class ExchangeView:
    role: str  # "Preflight" or "Request"
    exchange: Exchange
    rows: tuple[HeaderRow, ...]

    @property
    def got_response(self) -> bool:
        return self.exchange.got_response


@dataclass(frozen=True, slots=True)
class FixView:
    fix: Fix
    notes: str  # the fix's notes less paragraphs an earlier variant already showed


@dataclass(frozen=True, slots=True)
class FindingView:
    number: int  # 1-based within its file
    anchor: str  # a stable id for the HTML table of contents
    finding: Finding
    host: str
    exchanges: tuple[ExchangeView, ...]
    fix_stack: str | None  # the stack whose fixes are shown
    fixes: tuple[FixView, ...]  # every variant for that stack, most likely first
    other_fixes: tuple[FixView, ...]  # the other stacks' fixes
    fix_note: str | None  # why the fixes shown are not for the stack asked for

    @property
    def fix(self) -> Fix | None:
        """The fix a one-line summary names (CSV, SARIF)."""
        return self.fixes[0].fix if self.fixes else None

    @property
    def fix_is_for_the_page(self) -> bool:
        return self.fix_stack == ANY_STACK

    @property
    def other_stacks(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.fix.stack for v in self.other_fixes))

    @property
    def separate_preflight(self) -> Exchange | None:
        """The preflight, when the HAR also has the actual request (else None)."""
        pre = self.finding.preflight
        return pre if pre is not None and pre is not self.finding.request else None


@dataclass(frozen=True, slots=True)
class Count:
    key: str  # rule id or host
    title: str
    errors: int
    warnings: int


@dataclass(frozen=True, slots=True)
class FileReport:
    number: int
    analysis: Analysis
    findings: tuple[FindingView, ...]
    by_rule: tuple[Count, ...]
    by_host: tuple[Count, ...]

    @property
    def errors(self) -> int:
        return sum(1 for v in self.findings if v.finding.is_error)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors


@dataclass(frozen=True)
class Report:
    files: tuple[FileReport, ...]
    frame: pd.DataFrame  # one row per finding, every file
    redacted: bool
    stack: str | None
    version: str
    what_does_not_fix: TrustedList

    @property
    def errors(self) -> int:
        return sum(f.errors for f in self.files)

    @property
    def warnings(self) -> int:
        return sum(f.warnings for f in self.files)


def host_of(url: str) -> str:
    """host[:port] of a URL, without any user:password."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return ""
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if port else host


def _rows(ex: Exchange, *, preflight: bool, finding: Finding) -> tuple[HeaderRow, ...]:
    rows: list[HeaderRow] = []
    seen: set[str] = set()

    def add(name: str, *, sent: bool, always: bool = False) -> None:
        if name in seen:
            return
        seen.add(name)
        headers = ex.request_headers if sent else ex.response_headers
        # Keep the HAR's spelling of the name and every duplicate line: two ACAO lines are a finding.
        lines = [(n, v) for n, v in headers if n.lower() == name]
        rows.extend(HeaderRow(sent, n, v) for n, v in lines)
        if not lines and always:
            rows.append(HeaderRow(sent, _canonical(name), None))

    for name in _PREFLIGHT_REQUEST if preflight else _REQUEST:
        add(name, sent=True, always=name == "origin")
    if not preflight:
        for name in finding.needed_headers:
            add(name.lower(), sent=True)
        for name in _CREDENTIAL_HEADERS:
            add(name, sent=True, always=True)
    if ex.got_response:
        add("access-control-allow-origin", sent=False, always=True)
        if finding.credentials:
            add("access-control-allow-credentials", sent=False, always=True)
        if preflight:
            if "access-control-request-method" in ex.request_headers:
                add("access-control-allow-methods", sent=False, always=True)
            if "access-control-request-headers" in ex.request_headers:
                add("access-control-allow-headers", sent=False, always=True)
        for name in ex.response_headers.names():
            if name.startswith("access-control-"):
                add(name, sent=False)
        for name in _RESPONSE_EXTRA:
            add(name, sent=False)
    return tuple(rows)


def _canonical(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


#: harcors.fixes.ANY_STACK: a fix the page makes, the same whatever the server runs.
ANY_STACK = "any"


def _pick_fixes(fixes: Sequence[Fix], stack: str | None) -> tuple[str | None, tuple[Fix, ...], str | None]:
    """The stack whose fixes to show (the one asked for, else the first = most likely), and a note
    when the stack asked for has none. A stack can have several variants (e.g. Next.js route
    handler or middleware): all of them are shown."""
    if not fixes:
        return None, (), None
    target = fixes[0].stack
    note = None
    if stack:
        match = next((f.stack for f in fixes if f.stack.lower() == stack.lower()), None)
        if match is not None:
            target = match
        elif target != ANY_STACK:
            note = f"No fix for the stack {stack!r}; showing {target!r}, the most likely one."
    return target, tuple(f for f in fixes if f.stack == target), note


def _fix_views(fixes: Sequence[Fix]) -> tuple[FixView, ...]:
    # Variants of one stack share their general notes; print each paragraph once.
    seen: set[str] = set()
    views = []
    for fix in fixes:
        paragraphs = [p.strip() for p in re.split(r"\n[ \t]*\n", fix.notes) if p.strip()]
        fresh = [p for p in paragraphs if p not in seen]
        seen.update(fresh)
        views.append(FixView(fix, "\n\n".join(fresh)))
    return tuple(views)


def _finding_view(number: int, file_number: int, f: Finding, stack: str | None) -> FindingView:
    views = []
    if f.preflight is not None:
        views.append(ExchangeView("Preflight", f.preflight, _rows(f.preflight, preflight=True, finding=f)))
    if f.preflight is None or f.preflight is not f.request:
        views.append(ExchangeView("Request", f.request, _rows(f.request, preflight=False, finding=f)))
    target, chosen, note = _pick_fixes(f.fixes, stack)
    others = tuple(x for x in f.fixes if x.stack != target)
    return FindingView(
        number=number,
        anchor=f"f{file_number}-{number}",
        finding=f,
        host=host_of(f.request.url),
        exchanges=tuple(views),
        fix_stack=target,
        fixes=_fix_views(chosen),
        other_fixes=_fix_views(others),
        fix_note=note,
    )


FRAME_COLUMNS = (
    "file", "finding", "severity", "rule", "title", "confidence", "method", "url", "host", "origin",
    "resource_type", "status", "entry", "preflight_entry", "preflight_status", "failed_parameter",
    "credentials", "chrome_message", "firefox_message", "safari_message", "explanation", "root_cause",
    "fix_stack", "fix_title", "curl",
)


def _frame(files: Sequence[FileReport]) -> pd.DataFrame:
    records = []
    for fr in files:
        for v in fr.findings:
            f = v.finding
            pre = f.preflight if f.preflight is not None and f.preflight is not f.request else None
            records.append({
                "file": fr.analysis.info.path,
                "finding": v.number,
                "severity": str(f.severity),
                "rule": f.rule,
                "title": f.title,
                "confidence": str(f.confidence),
                "method": f.request.method,
                "url": f.request.url,
                "host": v.host,
                "origin": f.page_origin,
                "resource_type": f.request.resource_type,
                "status": f.request.status,
                "entry": f.request.index,
                "preflight_entry": None if f.preflight is None else f.preflight.index,
                "preflight_status": None if pre is None else pre.status,
                "failed_parameter": f.failed_parameter,
                "credentials": f.credentials,
                "chrome_message": f.messages.chrome,
                "firefox_message": f.messages.firefox,
                "safari_message": f.messages.safari,
                "explanation": f.explanation,
                "root_cause": f.root_cause,
                "fix_stack": v.fix.stack if v.fix else None,
                "fix_title": v.fix.title if v.fix else None,
                "curl": "\n".join(f.curl),
            })
    frame = pd.DataFrame.from_records(records, columns=list(FRAME_COLUMNS))
    # Nullable ints: a finding without a preflight has no preflight entry, not a float NaN.
    for col in ("finding", "status", "entry", "preflight_entry", "preflight_status"):
        frame[col] = frame[col].astype("Int64")
    return frame


def _counts(frame: pd.DataFrame, key: str, titles: dict[str, str]) -> tuple[Count, ...]:
    if frame.empty:
        return ()
    table = pd.crosstab(frame[key], frame["severity"])
    for col in ("error", "warning"):
        if col not in table:
            table[col] = 0
    # Most blocked first, then most warnings, then by name for a stable order.
    table = table.reset_index().sort_values(["error", "warning", key], ascending=[False, False, True])
    return tuple(
        Count(str(row[key]), titles.get(str(row[key]), ""), int(row["error"]), int(row["warning"]))
        for _, row in table.iterrows()
    )


def build_report(analyses: Sequence[Analysis], *, redact: bool = True, stack: str | None = None) -> Report:
    """The model every format renders; with ``redact`` (the default) secrets are already gone."""
    if redact:
        analyses = [redact_analysis(a) for a in analyses]
    files: list[FileReport] = []
    for n, analysis in enumerate(analyses, 1):
        views = tuple(_finding_view(i, n, f, stack) for i, f in enumerate(analysis.findings, 1))
        files.append(FileReport(n, analysis, views, (), ()))
    done = []
    frames = []
    for fr in files:
        part = _frame([fr])
        frames.append(part)
        titles: dict[str, str] = {}
        for v in fr.findings:
            titles.setdefault(v.finding.rule, v.finding.title)
        done.append(FileReport(fr.number, fr.analysis, fr.findings, _counts(part, "rule", titles),
                               _counts(part, "host", {})))
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else (frames[0] if frames else _frame([]))
    return Report(
        files=tuple(done),
        frame=frame,
        redacted=redact,
        stack=stack,
        version=__version__,
        what_does_not_fix=what_does_not_fix(),
    )

"""The rows behind the app's table: one DataFrame per view, built once off the GUI thread.

Qt-free on purpose: the background loader builds these right after the analysis, so the GUI thread
only swaps a model's frame. Filtering and sorting are whole-column numpy/pandas operations, so a
100,000-row HAR costs a handful of vectorised passes, never a Python call per row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from harcors.analysis import Analysis
from harcors.cors.model import Finding
from harcors.har.model import Exchange

#: The table's columns, in display order.
COLUMNS: tuple[str, ...] = ("severity", "method", "url", "origin", "type", "status", "rule", "message")
TITLES: dict[str, str] = {
    "severity": "",
    "method": "Method",
    "url": "URL",
    "origin": "Origin",
    "type": "Type",
    "status": "Status",
    "rule": "Rule",
    "message": "Message",
}
#: What each column sorts by (numbers sort as numbers, severity by rank, not by name).
SORT_KEYS: dict[str, str] = {"severity": "sev_rank", "status": "status"}

#: How a preflight row is indented under its request in the "All requests" view.
CHILD_PREFIX = "  ↳ "
#: Columns whose distinct values the filter bar offers.
FILTER_CHOICES = ("type", "host", "rule")
_SEV_RANK = {"error": 0, "warning": 1}
_CHROME_BLOCKED = "has been blocked by CORS policy: "
_STRING = np.dtypes.StringDType()


@dataclass(frozen=True)
class Filter:
    """What the table shows. ``None`` for a set means "any"; empty strings mean "any"."""

    severities: frozenset[str] | None = None
    types: frozenset[str] | None = None
    host: str = ""
    rule: str = ""
    text: str = ""

    @property
    def is_xhr_fetch_failures(self) -> bool:
        return self.severities == XHR_FETCH_FAILURES.severities and self.types == XHR_FETCH_FAILURES.types


#: The default view: requests made from script that the browser blocked.
XHR_FETCH_FAILURES = Filter(severities=frozenset({"error"}), types=frozenset({"fetch", "xhr"}))
SHOW_EVERYTHING = Filter()


@dataclass
class Rows:
    """One view's rows: ``frame`` has the display columns plus the bookkeeping ones below.

    ``fid`` indexes ``findings`` (-1: no finding), ``xpos`` indexes the analysis' exchanges,
    ``group``/``child``/``parent_pos`` keep a preflight row under the request it belongs to.
    """

    frame: pd.DataFrame
    findings: Sequence[Finding]
    exchanges: Sequence[Exchange]
    #: lower-cased URL + messages per row, as a numpy string array so search runs in C
    haystack: np.ndarray = field(repr=False, default_factory=lambda: np.array([], dtype=_STRING))
    _sort_codes: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _choices: dict[str, list[tuple[str, int]]] = field(default_factory=dict, repr=False)
    _arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _lists: dict[str, list] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.frame)

    def choices(self, column: str) -> list[tuple[str, int]]:
        """Distinct non-empty values of ``column`` with their counts, most frequent first."""
        cached = self._choices.get(column)
        if cached is None:
            counts = self.frame[column].value_counts(sort=False)
            pairs = [(str(k), int(v)) for k, v in counts.items() if k != ""]
            cached = self._choices[column] = sorted(pairs, key=lambda kv: (-kv[1], kv[0]))
        return cached

    def prepare(self) -> Rows:
        """Compute sort codes and filter choices now (in the loader thread), not on first use."""
        for column in COLUMNS:
            self._codes(column)
        for column in FILTER_CHOICES:
            self.choices(column)
        for column in ("severity", "type", "host", "rule", "child", "parent_pos", "group", "fid", "xpos"):
            self.array(column)
        for column in (*COLUMNS, "status_label", "child", "fid", "xpos"):
            self.as_list(column)
        return self

    def array(self, column: str) -> np.ndarray:
        """``column`` as a numpy array, cached: plain numpy is much cheaper per call than a Series."""
        values = self._arrays.get(column)
        if values is None:
            values = self._arrays[column] = self.frame[column].to_numpy()
        return values

    def as_list(self, column: str) -> list:
        """``column`` as a Python list, cached: the table model indexes these per painted cell.

        "method" carries the indent that puts a preflight under its request.
        """
        values = self._lists.get(column)
        if values is None:
            array = self.array(column)
            if column == "method":
                child = self.array("child")
                if child.any():
                    array = np.where(child, CHILD_PREFIX + array.astype(object), array)
            values = self._lists[column] = array.tolist()
        return values

    def _any_of(self, column: str, wanted: frozenset[str]) -> np.ndarray:
        values = self.array(column)
        keep = np.zeros(len(values), dtype=bool)
        for value in wanted:  # a handful of values: one C-speed comparison pass each
            keep |= values == value
        return keep

    def mask(self, flt: Filter) -> np.ndarray:
        """Which rows ``flt`` lets through (a preflight row follows its request in and out)."""
        keep = np.ones(len(self.frame), dtype=bool)
        if flt.severities is not None:
            keep &= self._any_of("severity", flt.severities)
        if flt.types is not None:
            keep &= self._any_of("type", flt.types)
        if flt.host:
            keep &= self.array("host") == flt.host
        if flt.rule:
            keep &= self.array("rule") == flt.rule
        needle = flt.text.strip().lower()
        if needle:
            keep &= np.strings.find(self.haystack, needle) >= 0
        child = self.array("child")
        if child.any():
            parent = self.array("parent_pos")
            keep[parent[keep & child]] = True  # a matching preflight brings its request along
            keep |= child & keep[parent]  # a shown request keeps its preflight under it
        return keep

    def order(self, keep: np.ndarray, column: str | None = None, descending: bool = False) -> np.ndarray:
        """Positions of the kept rows in display order: HAR order, or sorted by ``column``.

        Rows sort by their group's parent value, so a preflight stays right under its request.
        """
        visible = np.flatnonzero(keep)
        if column is None:
            return visible
        key = self._codes(column)[self.array("parent_pos")[visible]]
        if descending:
            key = -key
        child = self.array("child")[visible]
        group = self.array("group")[visible]
        return visible[np.lexsort((child, group, key))]

    def _codes(self, column: str) -> np.ndarray:
        """Integer sort codes for ``column``, computed once per column."""
        codes = self._sort_codes.get(column)
        if codes is None:
            values = self.frame[SORT_KEYS.get(column, column)]
            if values.dtype.kind in "iuf":
                codes = values.to_numpy(dtype=np.int64, copy=True)
            else:
                codes = dense_rank(string_array(values.tolist(), lower=True))
            self._sort_codes[column] = codes
        return codes


# Slices of this many rows per numpy call. Each call holds the GIL from start to end, and the GUI
# thread needs the GIL between calls to stay responsive (tens of ms per 100,000 strings otherwise).
_SLICE = 16_384


def string_array(values: Sequence[str], *, lower: bool = False) -> np.ndarray:
    """``values`` as a numpy StringDType array (optionally lower-cased), built a slice at a time."""
    parts = []
    for start in range(0, len(values), _SLICE):
        part = np.array(values[start:start + _SLICE], dtype=_STRING)
        parts.append(np.strings.lower(part) if lower else part)
    return np.concatenate(parts) if parts else np.array([], dtype=_STRING)


def dense_rank(keys: np.ndarray) -> np.ndarray:
    """0 for the smallest key, 1 for the next distinct one, …: integer codes that sort like the keys.

    numpy sorts a StringDType array without the GIL; the comparisons around it go a slice at a time.
    """
    order = np.argsort(keys, kind="stable")
    starts_run = np.empty(len(keys), dtype=bool)
    previous = None
    for start in range(0, len(order), _SLICE):
        ordered = keys[order[start:start + _SLICE]]
        starts_run[start] = previous is None or bool(ordered[0] != previous)
        starts_run[start + 1:start + len(ordered)] = ordered[1:] != ordered[:-1]
        previous = ordered[-1]
    codes = np.empty(len(keys), dtype=np.int64)
    codes[order] = np.cumsum(starts_run) - 1
    return codes


def browser_of(producer: str) -> str:
    """Whose console wording a HAR written by ``producer`` is read in: its Message column and the
    detail pane's first message tab (a Firefox user compares with Firefox's console)."""
    p = producer.lower()
    if "firefox" in p:
        return "firefox"
    if "safari" in p or "webkit" in p:
        return "safari"
    return "chrome"


_FIREFOX_REASON = re.compile(r"\(Reason: (.+?)\)(?:\.|$)")  # "… (Reason: X). Status code: 200."
_WEBKIT_CANNOT_LOAD = ("Fetch API cannot load ", "XMLHttpRequest cannot load ", "EventSource cannot load ")


def short_message(finding: Finding, browser: str = "chrome") -> str:
    """The reason ``browser`` printed, without the part that repeats the URL and origin, else the
    title: Chrome's text after "has been blocked by CORS policy:", Firefox's "(Reason: …)", or
    WebKit's first line (its second only says the load failed)."""
    m = finding.messages
    if browser == "firefox" and m.firefox:
        found = _FIREFOX_REASON.search(m.firefox.splitlines()[0])
        if found:
            return found.group(1)
    elif browser == "safari" and m.safari:
        first = m.safari.splitlines()[0]
        if not first.startswith(_WEBKIT_CANNOT_LOAD):
            return first
    chrome = m.chrome or ""
    _, sep, reason = chrome.partition(_CHROME_BLOCKED)
    reason = reason.strip() if sep else ""
    return reason.splitlines()[0] if reason else finding.title


def request_type(finding: Finding) -> str:
    """fetch / xhr / script / …; a finding on a lone preflight counts as the call that caused it."""
    req = finding.request
    if req.resource_type == "preflight" or req.is_preflight:
        return "xhr" if finding.initiator == "XMLHttpRequest" else "fetch"
    return req.resource_type


def _host(url: str) -> str:
    """The URL's host, lower-cased ("" if none): urlsplit's answer at a fifth of its cost per row."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme:
        return ""
    end = len(rest)
    for stop in "/?#":
        i = rest.find(stop, 0, end)
        if i >= 0:
            end = i
    netloc = rest[:end].rpartition("@")[2]
    if netloc.startswith("["):  # IPv6 literal
        return netloc[1:netloc.find("]")].lower() if "]" in netloc else ""
    return netloc.partition(":")[0].lower()


def _haystack(parts: Iterable[str | None]) -> str:
    return "\n".join(p for p in parts if p).lower()


class _Record(NamedTuple):
    """One table row's values, before they become columns."""

    severity: str
    method: str
    url: str
    origin: str
    type: str
    status: int
    rule: str
    message: str
    host: str
    haystack: str  # lower-cased URL and messages, for the search box


def _finding_record(f: Finding, browser: str = "chrome") -> _Record:
    req = f.request
    m = f.messages
    return _Record(
        str(f.severity), req.method, req.url, f.page_origin or req.origin or "", request_type(f),
        req.status, f.rule, short_message(f, browser), _host(req.url),
        _haystack((req.url, m.chrome, m.firefox, m.safari, f.title, f.rule)),
    )


def _finish(records: list[_Record], findings: Sequence[Finding], exchanges: Sequence[Exchange],
            fid: list[int], xpos: list[int], group: list[int], child: list[bool],
            parent_pos: list[int]) -> Rows:
    values = zip(*records, strict=True) if records else [()] * len(_Record._fields)
    columns = dict(zip(_Record._fields, values, strict=True))
    haystack = string_array(columns.pop("haystack"))
    status = np.array(columns.pop("status"), dtype=np.int64)
    frame = pd.DataFrame({name: np.array(values, dtype=object) for name, values in columns.items()})
    frame["status"] = status
    frame["sev_rank"] = frame["severity"].map(_SEV_RANK).fillna(2).astype(np.int8)
    frame["status_label"] = np.where(frame["status"].to_numpy() > 0, frame["status"].astype(str), "—")
    frame["fid"] = np.array(fid, dtype=np.int64)
    frame["xpos"] = np.array(xpos, dtype=np.int64)
    frame["group"] = np.array(group, dtype=np.int64)
    frame["child"] = np.array(child, dtype=bool)
    frame["parent_pos"] = np.array(parent_pos, dtype=np.int64)
    return Rows(frame=frame, findings=findings, exchanges=exchanges, haystack=haystack)


def findings_rows(findings: Sequence[Finding], exchanges: Sequence[Exchange] = (),
                  browser: str = "chrome") -> Rows:
    """One row per finding, in the engine's order; messages in ``browser``'s words."""
    records = [_finding_record(f, browser) for f in findings]
    position = {e.index: i for i, e in enumerate(exchanges)}
    n = len(records)
    positions = list(range(n))
    xpos = [position.get(f.request.index, -1) for f in findings]
    return _finish(records, findings, exchanges, positions, xpos, positions, [False] * n, positions)


def _worst(findings: Sequence[Finding]) -> dict[int, int]:
    """Exchange index → the position of its most severe finding (the first one on a tie)."""
    best: dict[int, int] = {}
    for i, f in enumerate(findings):
        key = f.request.index
        j = best.get(key)
        if j is None or (_SEV_RANK[str(f.severity)] < _SEV_RANK[str(findings[j].severity)]):
            best[key] = i
    return best


def requests_rows(
    exchanges: Sequence[Exchange], findings: Sequence[Finding], pairs: dict[int, int],
    browser: str = "chrome",
) -> Rows:
    """One row per exchange, in HAR order, with each paired preflight right under its request."""
    worst = _worst(findings)
    position = {e.index: i for i, e in enumerate(exchanges)}
    preflights_of: dict[int, list[int]] = {}
    paired: set[int] = set()
    for req_index, pre_index in pairs.items():
        if req_index in position and pre_index in position and pre_index != req_index:
            preflights_of.setdefault(req_index, []).append(pre_index)
            paired.add(pre_index)

    records: list[_Record] = []
    fid: list[int] = []
    xpos: list[int] = []
    group: list[int] = []
    child: list[bool] = []
    parent_pos: list[int] = []

    def add(ex: Exchange, is_child: bool, parent: int, grp: int) -> None:
        i = worst.get(ex.index, -1)
        if i >= 0:
            # The row is the exchange: its own method, URL, status and type; the finding's verdict.
            rec = _finding_record(findings[i], browser)._replace(
                method=ex.method, url=ex.url, type=ex.resource_type, status=ex.status, host=_host(ex.url))
        else:
            rec = _Record("", ex.method, ex.url, ex.origin or "", ex.resource_type, ex.status, "", "",
                          _host(ex.url), _haystack((ex.url,)))
        records.append(rec)
        fid.append(i)
        xpos.append(position[ex.index])
        group.append(grp)
        child.append(is_child)
        parent_pos.append(parent)

    for ex in exchanges:
        if ex.index in paired:
            continue  # shown under its request
        me = len(records)
        add(ex, False, me, ex.index)
        for pre_index in preflights_of.get(ex.index, ()):
            add(exchanges[position[pre_index]], True, me, ex.index)
    return _finish(records, findings, exchanges, fid, xpos, group, child, parent_pos)


@dataclass
class TableData:
    """Both views of one analysis, ready for the table model."""

    analysis: Analysis
    findings: Rows
    requests: Rows


def build_table_data(analysis: Analysis) -> TableData:
    """Both views with their sort codes and filter choices computed: the GUI thread only shows them."""
    browser = browser_of(analysis.info.producer)
    return TableData(
        analysis=analysis,
        findings=findings_rows(analysis.findings, analysis.exchanges, browser).prepare(),
        requests=requests_rows(analysis.exchanges, analysis.findings, analysis.pairs, browser).prepare(),
    )


def build_early_table_data(analysis: Analysis) -> TableData:
    """The findings view of a provisional analysis (see ``analyze_file(on_early=...)``).

    Its "All requests" view stays empty until the final analysis: building it costs a Python call
    per request read, which the early findings must not wait for. Their fixes are the likely
    stack's only, like the final analysis's (compiling every stack's templates would delay the
    first findings by ~0.4 s); the detail pane renders the stack the user picks.
    """
    return TableData(
        analysis=analysis,
        findings=findings_rows(analysis.findings, browser=browser_of(analysis.info.producer)).prepare(),
        requests=findings_rows(()).prepare(),
    )

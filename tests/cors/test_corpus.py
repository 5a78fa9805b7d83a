"""The engine against real browsers: every ``sample_hars/<scenario>.expected.json``.

* Chrome DevTools-shaped HAR: each request Chromium blocked gets exactly one error finding whose
  ``messages.chrome`` is the console line Chromium printed (and whose ``cors_error`` and
  ``failed_parameter`` are Chromium's); no other request gets an error.
* The same findings carry Firefox's and WebKit's console lines, as those browsers printed them for
  the same scenario (where the expected file has ``firefox`` / ``webkit`` keys).
* Firefox's own HAR (no verdict fields): each request Firefox blocked is found, with Firefox's exact
  lines, and there are no false alarms. A credentialed request whose response arrived looks exactly
  like an uncredentialed success in a Firefox HAR when no cookie was sent; those are counted apart.
* Playwright's HAR (no preflight rows, no response for blocked requests): each blocked request is
  found, no false alarms, and the message matches wherever the HAR holds the evidence.

``python -m pytest tests/cors/test_corpus.py -q -s -k figures`` prints the corpus figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from harcors.analysis import Analysis, analyze_file
from harcors.cors.model import Finding

CORPUS = Path(__file__).resolve().parents[2] / "sample_hars"
# The engine's own extra Chromium recordings (tests/cors/chromium/capture.py): cases the corpus lacks.
EXTRA = Path(__file__).resolve().parent / "chromium"
SCENARIOS = sorted(p.name[: -len(".expected.json")] for p in CORPUS.glob("*.expected.json"))
EXTRA_SCENARIOS = sorted(p.name[: -len(".expected.json")] for p in EXTRA.glob("*.expected.json"))
PLAYWRIGHT = [s for s in SCENARIOS if (CORPUS / f"{s}.playwright.har").exists()]
FIREFOX_HARS = [s for s in SCENARIOS if (CORPUS / f"{s}.firefox.har").exists()]
# What only credentials mode "include" explains; invisible in a HAR without verdicts or cookies.
CREDENTIAL_ERRORS = {"WildcardOriginNotAllowed", "InvalidAllowCredentials"}


@dataclass
class Outcome:
    """How the findings for one HAR compare with what a browser did."""

    blocked: int = 0
    found: int = 0
    exact: int = 0
    false_alarms: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    wrong_message: list[tuple[str, str | None]] = field(default_factory=list)  # (expected, got)
    wrong_detail: list[str] = field(default_factory=list)  # cors_error / failed_parameter
    unexplained: int = 0  # found, but the HAR lacked the evidence for the exact message
    invisible: list[str] = field(default_factory=list)  # blocked, but nothing in this HAR can show it

    def add(self, other: Outcome) -> None:
        for name in ("blocked", "found", "exact", "unexplained"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("false_alarms", "missed", "wrong_message", "wrong_detail", "invisible"):
            getattr(self, name).extend(getattr(other, name))


@cache
def _expected(scenario: str, where: Path = CORPUS) -> dict[str, Any]:
    return json.loads((where / f"{scenario}.expected.json").read_text(encoding="utf-8"))


@cache
def _analysis(path: Path) -> Analysis:
    return analyze_file(path)


def _urls(scenario: str, request: dict[str, Any], where: Path = CORPUS) -> set[str]:
    """The request's URL and its redirect targets (recorded on Chromium's side)."""
    urls = {request["url"], *request.get("redirected_to", [])}
    for other in _expected(scenario, where)["chromium"]["requests"]:
        if other["url"] == request["url"]:
            urls.update(other.get("redirected_to", []))
    return urls


def _take(
    candidates: list[Finding], scenario: str, req: dict[str, Any], where: Path = CORPUS
) -> Finding | None:
    urls = _urls(scenario, req, where)
    match = next((f for f in candidates if f.request.url in urls and f.request.method == req["method"]), None)
    if match is None:  # a proxy-style HAR may only hold the preflight
        match = next((f for f in candidates if f.request.url in urls and f.request.method == "OPTIONS"), None)
    if match is not None:
        candidates.remove(match)
    return match


def _reported(analysis: Analysis) -> list[Finding]:
    """Errors, plus not-CORS failures (which Firefox does print a CORS-looking line for)."""
    found = [f for f in analysis.findings if f.is_error or f.rule == "not-cors"]
    return sorted(found, key=lambda f: f.request.index)


def compare_chrome(scenario: str, har: Path) -> Outcome:
    expected = _expected(scenario, har.parent)["chromium"]["requests"]
    unclaimed = sorted((f for f in _analysis(har).findings if f.is_error), key=lambda f: f.request.index)
    out = Outcome()
    for req in expected:
        if not req["blocked"]:
            continue
        out.blocked += 1
        match = _take(unclaimed, scenario, req, har.parent)
        if match is None:
            out.missed.append(f"{req['method']} {req['url']}")
            continue
        out.found += 1
        line = next((m for m in req.get("messages", []) if m.startswith("Access to ")), None)
        if match.messages.chrome == line:
            out.exact += 1
        elif match.rule == "cors-blocked":
            out.unexplained += 1
            continue
        else:
            out.wrong_message.append((line or "", match.messages.chrome))
        if match.cors_error != req["cors_error"] or (match.failed_parameter or "") != (
            req["failed_parameter"] or ""
        ):
            out.wrong_detail.append(f"{req['url']}: {match.cors_error} {match.failed_parameter!r}")
    out.false_alarms = [f"{f.rule}: {f.request.method} {f.request.url}" for f in unclaimed]
    return out


def compare_lines(scenario: str, har: Path, browser: str, *, verdict_in_har: bool) -> Outcome:
    """Firefox's or WebKit's console lines against ``messages.firefox`` / ``messages.safari``."""
    attr = {"firefox": "firefox", "webkit": "safari"}[browser]
    unclaimed = _reported(_analysis(har))
    out = Outcome()
    for req in _expected(scenario)[browser]["requests"]:
        if not req["blocked"]:
            continue
        match = _take(unclaimed, scenario, req)
        if match is None:
            if verdict_in_har:
                # Chromium let it through or never sent it (mode 'same-origin'): its HAR rightly has
                # no finding to carry this browser's lines; compare_chrome covers Chromium's blocks.
                continue
            chromium = next(
                (c for c in _expected(scenario)["chromium"]["requests"] if c["url"] == req["url"]), {}
            )
            if chromium.get("cors_error") in CREDENTIAL_ERRORS and req["status"] > 0:
                out.invisible.append(f"{req['method']} {req['url']}")
                continue
            out.blocked += 1
            out.missed.append(f"{req['method']} {req['url']}")
            continue
        out.blocked += 1
        out.found += 1
        expected = "\n".join(req.get("messages", [])) or None
        got = getattr(match.messages, attr)
        if got == expected:
            out.exact += 1
        else:
            out.wrong_message.append((expected or "", got))
    if not verdict_in_har:
        out.false_alarms = [f"{f.rule}: {f.request.method} {f.request.url}" for f in unclaimed if f.is_error]
    return out


@pytest.mark.skipif(not SCENARIOS, reason="sample_hars/ is empty")
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_chrome_har_matches_chromium(scenario: str) -> None:
    out = compare_chrome(scenario, CORPUS / f"{scenario}.har")
    assert out.missed == [], "blocked requests without an error finding"
    assert out.false_alarms == [], "errors for requests Chromium let through"
    assert out.wrong_message == [], "messages.chrome differs from Chromium's console line"
    assert out.wrong_detail == [], "cors_error / failed_parameter differ from Chromium's"
    assert out.unexplained == 0
    assert out.exact == out.blocked


@pytest.mark.parametrize("scenario", EXTRA_SCENARIOS)
def test_extra_chromium_recordings(scenario: str) -> None:
    out = compare_chrome(scenario, EXTRA / f"{scenario}.har")
    assert (out.missed, out.false_alarms, out.wrong_message, out.wrong_detail) == ([], [], [], [])
    assert out.exact == out.blocked


@pytest.mark.parametrize("browser", ["firefox", "webkit"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_chrome_har_findings_carry_other_browsers_lines(scenario: str, browser: str) -> None:
    if browser not in _expected(scenario):
        pytest.skip(f"no {browser} capture for this scenario yet")
    out = compare_lines(scenario, CORPUS / f"{scenario}.har", browser, verdict_in_har=True)
    assert out.wrong_message == []


@pytest.mark.skipif(not FIREFOX_HARS, reason="no Firefox HARs in sample_hars/")
@pytest.mark.parametrize("scenario", FIREFOX_HARS)
def test_firefox_har_finds_every_block_it_can_show(scenario: str) -> None:
    out = compare_lines(scenario, CORPUS / f"{scenario}.firefox.har", "firefox", verdict_in_har=False)
    assert out.missed == []
    assert out.false_alarms == []
    assert out.wrong_message == []


@pytest.mark.skipif(not PLAYWRIGHT, reason="no Playwright HARs in sample_hars/")
@pytest.mark.parametrize("scenario", PLAYWRIGHT)
def test_playwright_har_finds_every_block_without_false_alarms(scenario: str) -> None:
    out = compare_chrome(scenario, CORPUS / f"{scenario}.playwright.har")
    assert out.missed == []
    assert out.false_alarms == []
    assert out.wrong_message == [], "where the HAR holds the evidence, the message must be Chromium's"


def _line(label: str, o: Outcome) -> str:
    text = (
        f"{label}: blocked found {o.found}/{o.blocked}, exact {o.exact}/{o.blocked}, false alarms "
        f"{len(o.false_alarms)}"
    )
    if o.unexplained:
        text += f", {o.unexplained} found without the evidence for the exact message"
    if o.invisible:
        text += f", {len(o.invisible)} invisible in this HAR (credentialed, no cookie, no verdict)"
    return text


def test_corpus_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """Sums over the corpus, printed for the engineering notes (run with -s)."""
    if not SCENARIOS:
        pytest.skip("sample_hars/ is empty")
    totals = {k: Outcome() for k in ("chrome", "playwright", "firefox-lines", "webkit-lines", "firefox-har")}
    for s in SCENARIOS:
        totals["chrome"].add(compare_chrome(s, CORPUS / f"{s}.har"))
        for browser in ("firefox", "webkit"):
            if browser in _expected(s):
                totals[f"{browser}-lines"].add(
                    compare_lines(s, CORPUS / f"{s}.har", browser, verdict_in_har=True)
                )
    extra = Outcome()
    for s in EXTRA_SCENARIOS:
        extra.add(compare_chrome(s, EXTRA / f"{s}.har"))
    for s in PLAYWRIGHT:
        totals["playwright"].add(compare_chrome(s, CORPUS / f"{s}.playwright.har"))
    for s in FIREFOX_HARS:
        totals["firefox-har"].add(
            compare_lines(s, CORPUS / f"{s}.firefox.har", "firefox", verdict_in_har=False)
        )
    chrome = totals["chrome"]
    assert chrome.found == chrome.exact == chrome.blocked and not chrome.false_alarms
    labels = {
        "chrome": f"Chrome HARs ({len(SCENARIOS)}), messages.chrome",
        "playwright": f"Playwright HARs ({len(PLAYWRIGHT)}), messages.chrome",
        "firefox-lines": "Chrome HARs, messages.firefox vs Firefox's console",
        "webkit-lines": "Chrome HARs, messages.safari vs WebKit's console",
        "firefox-har": f"Firefox HARs ({len(FIREFOX_HARS)}), messages.firefox",
    }
    rows = [_line(labels[k], o) for k, o in totals.items()]
    rows.append(_line(f"Extra Chromium recordings ({len(EXTRA_SCENARIOS)}, tests/cors/chromium)", extra))
    with capsys.disabled():
        print("\n" + "\n".join(rows))


NETWORK_FAILURES = [
    s
    for s in SCENARIOS
    if any(
        r.get("net_error") not in (None, "net::ERR_FAILED", "net::ERR_ABORTED")
        for r in _expected(s)["chromium"]["requests"]
    )
]


@pytest.mark.parametrize("scenario", NETWORK_FAILURES)
def test_network_failures_are_labelled_not_cors(scenario: str) -> None:
    findings = _analysis(CORPUS / f"{scenario}.har").findings
    for req in _expected(scenario)["chromium"]["requests"]:
        if req.get("net_error") in (None, "net::ERR_FAILED", "net::ERR_ABORTED"):
            continue
        (f,) = [f for f in findings if f.request.url == req["url"]]
        assert f.rule == "not-cors" and not f.is_error and not f.is_cors
        assert f.messages.chrome == req["messages"][0]

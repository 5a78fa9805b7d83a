"""The engine against real Chromium: every ``sample_hars/<scenario>.expected.json``.

For the Chrome DevTools-shaped HAR: each request Chromium blocked gets exactly one error finding
whose ``messages.chrome`` is the console line Chromium printed, and no other request gets an error.
For Playwright's HAR (no preflight rows, no response for blocked requests): each blocked request is
found, there are no false alarms, and the message matches wherever the HAR holds the evidence.

``python -m pytest tests/cors/test_corpus.py -q -s`` prints the corpus figures.
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
SCENARIOS = sorted(p.name[: -len(".expected.json")] for p in CORPUS.glob("*.expected.json"))
PLAYWRIGHT = [s for s in SCENARIOS if (CORPUS / f"{s}.playwright.har").exists()]


@dataclass
class Outcome:
    """How the findings for one HAR compare with what Chromium did."""

    blocked: int = 0
    found: int = 0
    exact: int = 0
    false_alarms: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    wrong_message: list[tuple[str, str]] = field(default_factory=list)  # (expected, got)
    unexplained: int = 0  # found, but the HAR lacked the evidence for the exact message


def _expected(scenario: str) -> dict[str, Any]:
    return json.loads((CORPUS / f"{scenario}.expected.json").read_text(encoding="utf-8"))


def _cors_line(request: dict[str, Any]) -> str | None:
    return next((m for m in request.get("messages", []) if m.startswith("Access to ")), None)


def _urls(request: dict[str, Any]) -> set[str]:
    return {request["url"], *request.get("redirected_to", [])}


@cache
def _analysis(path: Path) -> Analysis:
    return analyze_file(path)


def compare(scenario: str, har: Path) -> Outcome:
    expected = _expected(scenario)["chromium"]["requests"]
    errors: list[Finding] = sorted(
        (f for f in _analysis(har).findings if f.is_error), key=lambda f: f.request.index
    )
    out = Outcome()
    unclaimed = list(errors)
    for req in expected:
        if not req["blocked"]:
            continue
        out.blocked += 1
        match = next(
            (f for f in unclaimed if f.request.url in _urls(req) and f.request.method == req["method"]), None
        )
        if match is None:
            out.missed.append(f"{req['method']} {req['url']}")
            continue
        unclaimed.remove(match)
        out.found += 1
        line = _cors_line(req)
        if match.messages.chrome == line:
            out.exact += 1
        elif match.rule == "cors-blocked":
            out.unexplained += 1
        else:
            out.wrong_message.append((line or "", match.messages.chrome))
    out.false_alarms = [f"{f.rule}: {f.request.method} {f.request.url}" for f in unclaimed]
    return out


@pytest.mark.skipif(not SCENARIOS, reason="sample_hars/ is empty")
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_chrome_har_matches_chromium(scenario: str) -> None:
    out = compare(scenario, CORPUS / f"{scenario}.har")
    assert out.missed == [], "blocked requests without an error finding"
    assert out.false_alarms == [], "errors for requests Chromium let through"
    assert out.wrong_message == [], "messages.chrome differs from Chromium's console line"
    assert out.unexplained == 0
    assert out.exact == out.blocked


@pytest.mark.skipif(not PLAYWRIGHT, reason="no Playwright HARs in sample_hars/")
@pytest.mark.parametrize("scenario", PLAYWRIGHT)
def test_playwright_har_finds_every_block_without_false_alarms(scenario: str) -> None:
    out = compare(scenario, CORPUS / f"{scenario}.playwright.har")
    assert out.missed == []
    assert out.false_alarms == []
    assert out.wrong_message == [], "where the HAR holds the evidence, the message must be Chromium's"


def test_corpus_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """Sums over the corpus, printed for the engineering notes (run with -s)."""
    if not SCENARIOS:
        pytest.skip("sample_hars/ is empty")
    rows = []
    for label, names, suffix in (
        ("chrome", SCENARIOS, ".har"),
        ("playwright", PLAYWRIGHT, ".playwright.har"),
    ):
        total = Outcome()
        for s in names:
            o = compare(s, CORPUS / f"{s}{suffix}")
            total.blocked += o.blocked
            total.found += o.found
            total.exact += o.exact
            total.unexplained += o.unexplained
            total.false_alarms += o.false_alarms
        rows.append(
            f"{label}: {len(names)} HARs, blocked found {total.found}/{total.blocked}, exact Chrome "
            f"message {total.exact}/{total.blocked} ({total.unexplained} without evidence in the "
            "HAR), "
            f"false alarms {len(total.false_alarms)}"
        )
        if label == "chrome":
            assert total.found == total.exact == total.blocked and not total.false_alarms
    with capsys.disabled():
        print("\n" + "\n".join(rows))

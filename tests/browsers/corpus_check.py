"""Check harcors against what Firefox and WebKit really did (the `firefox` / `webkit` keys of
`sample_hars/<scenario>.expected.json`), one scenario at a time.

Run directly for the figures: `python -m tests.browsers.corpus_check`.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "sample_hars"
if str(REPO / "tools") not in sys.path:
    sys.path.insert(0, str(REPO / "tools"))

from capture.firefox_webkit import hop_urls  # noqa: E402
from capture.scenarios import BY_NAME  # noqa: E402

from harcors.analysis import Analysis, analyze_file  # noqa: E402
from harcors.cors import Finding  # noqa: E402


def expected(name: str) -> dict[str, Any]:
    return json.loads((CORPUS / f"{name}.expected.json").read_text(encoding="utf-8"))


def firefox_scenarios() -> list[str]:
    return sorted(p.name.removesuffix(".firefox.har") for p in CORPUS.glob("*.firefox.har"))


def chromium_scenarios_with_webkit() -> list[str]:
    return sorted(n for p in CORPUS.glob("*.expected.json")
                  if (CORPUS / f"{(n := p.name.removesuffix('.expected.json'))}.har").exists()
                  and "requests" in expected(n).get("webkit", {}))


@cache
def analysis(har: str) -> Analysis:
    return analyze_file(CORPUS / har)


def call_exchanges(name: str, result: Analysis) -> list[set[int]]:
    """Per call of the scenario, the HAR entries that are its request, redirect hops and preflights.

    Calls run one at a time, so the k-th entry with a call's URL and method is the k-th such call.
    """
    scenario = BY_NAME[name]
    used: set[int] = set()
    out: list[set[int]] = []
    for call in scenario.calls:
        mine: set[int] = set()
        for hop, url in enumerate(hop_urls(scenario, call)):
            methods = (call.method, "GET") if hop else (call.method,)
            found = next((x.index for x in result.exchanges if x.index not in used and not x.is_preflight
                          and x.url == url and x.method in methods), None)
            if found is None:
                break
            mine.add(found)
            used.add(found)
        paired = {result.pairs[i] for i in mine if i in result.pairs}
        if not mine:  # the producer dropped the request: its preflight stands for it
            url = scenario.expand(call.url)
            paired = {x.index for x in result.exchanges if x.is_preflight and x.url == url
                      and x.index not in used}
        used |= paired
        out.append(mine | paired)
    return out


@dataclass
class Report:
    """What one scenario's HAR got right and wrong for one browser's ground truth."""

    blocked: int = 0  # calls the browser blocked after a response reached it
    found: int = 0  # ... of which harcors raised exactly one error for
    lines: int = 0  # console lines the browser printed for those calls
    exact: int = 0  # ... of which harcors' message holds verbatim
    problems: list[str] = field(default_factory=list)


def check(name: str, har: str, browser: str) -> Report:
    """`browser` "firefox" checks `messages.firefox`, "webkit" `messages.safari`, against `har`."""
    truth = expected(name)[browser]["requests"]
    result = analysis(har)
    per_call = call_exchanges(name, result)
    errors = result.errors
    claimed: set[int] = set()
    rep = Report()
    for i, (call, entries) in enumerate(zip(truth, per_call, strict=True)):
        mine = [f for f in errors if f.request.index in entries]
        claimed.update(id(f) for f in mine)
        label = f"{name} call {i} {call['method']} {call['url']}"
        if not call["blocked"]:
            if mine:
                rep.problems.append(f"{label}: {browser} allowed it, harcors says {mine[0].rule}")
            continue
        if not call["reached_server"]:
            continue  # refused before sending / connection refused: no CORS verdict to find
        rep.blocked += 1
        rep.lines += len(call["messages"])
        if len(mine) != 1:
            rep.problems.append(f"{label}: {browser} blocked it, harcors raised {len(mine)} error(s)")
            if not mine:
                continue
        rep.found += len(mine) == 1
        text = _messages(mine[0], browser)
        got = text.split("\n") if text is not None else []
        for line in call["messages"]:
            if line in got:
                rep.exact += 1
            else:
                rep.problems.append(f"{label}: {browser} line not in harcors' message:\n    want {line!r}\n"
                                    f"    got  {text!r}")
    for f in errors:
        if id(f) not in claimed:
            rep.problems.append(f"{name}: false alarm {f.rule} on entry {f.request.index} {f.request.url}")
    return rep


def _messages(finding: Finding, browser: str) -> str | None:
    return finding.messages.firefox if browser == "firefox" else finding.messages.safari


def figures() -> dict[str, tuple[int, int]]:
    ff = [check(n, f"{n}.firefox.har", "firefox") for n in firefox_scenarios()]
    wk = [check(n, f"{n}.har", "webkit") for n in chromium_scenarios_with_webkit()]
    return {
        "Firefox blocked found": (sum(r.found for r in ff), sum(r.blocked for r in ff)),
        "Firefox lines exact": (sum(r.exact for r in ff), sum(r.lines for r in ff)),
        "WebKit lines exact": (sum(r.exact for r in wk), sum(r.lines for r in wk)),
    }


if __name__ == "__main__":
    for n in firefox_scenarios():
        for p in check(n, f"{n}.firefox.har", "firefox").problems:
            print("firefox:", p)
    for n in chromium_scenarios_with_webkit():
        for p in check(n, f"{n}.har", "webkit").problems:
            print("webkit:", p)
    for label, (good, total) in figures().items():
        print(f"{label}: {good} / {total}")

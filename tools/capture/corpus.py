"""Capture scenarios and write the corpus files: `<name>.har`, `<name>.expected.json`,
`<name>.playwright.har`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import server, verdict
from .chromium import CHROMIUM, CHROMIUM_FLAGS, CaptureError, Chromium
from .harwriter import NetworkLog
from .page import DONE_TITLE
from .scenarios import Scenario

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "sample_hars"


@dataclass
class Outcome:
    scenario: Scenario
    entries: int
    chromium: dict[str, Any]

    def summary(self) -> str:
        parts = []
        for r in self.chromium["requests"]:
            if r["blocked"]:
                parts.append(f"blocked:{r['cors_error']}")
            elif r["net_error"]:
                parts.append(r["net_error"])
            elif not r.get("sent", True):
                parts.append("not sent")
            else:
                parts.append(f"ok:{r['status']}")
        shown = ", ".join(dict.fromkeys(parts))
        return f"{self.scenario.name:45} {self.entries:3} entries  {shown}"


def har_path(out: Path, name: str) -> Path:
    return out / f"{name}.har"


def expected_path(out: Path, name: str) -> Path:
    return out / f"{name}.expected.json"


def playwright_path(out: Path, name: str) -> Path:
    return out / f"{name}.playwright.har"


def write_har(path: Path, har: dict[str, Any]) -> None:
    # DevTools' Writer: JSON.stringify(..., null, 2), no trailing newline.
    path.write_text(json.dumps(har, indent=2, ensure_ascii=False), encoding="utf-8")


def write_expected(path: Path, scenario: Scenario, chromium: dict[str, Any]) -> None:
    """Write the verdict, replacing only the scenario metadata and the `chromium` key.

    Other keys (another browser's verdict) already in the file are kept, in place.
    """
    doc: dict[str, Any] = {}
    if path.exists():
        doc = json.loads(path.read_text(encoding="utf-8"))
    doc.update(
        {
            "scenario": scenario.name,
            "description": scenario.description,
            "tags": list(scenario.tags),
            "page": scenario.page_url,
            "chromium": chromium,
        }
    )
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")


async def _capture_chromium(
    scenarios: Sequence[Scenario], out: Path, executable: str, report: Callable[[str], None]
) -> list[Outcome]:
    outcomes = []
    async with Chromium(executable) as browser:
        report(f"Chromium {browser.version}")
        for scenario in scenarios:
            try:
                raw = await browser.capture(scenario.page_url)
            except CaptureError as e:
                raise CaptureError(f"{scenario.name}: {e}") from e
            log = NetworkLog(raw.user_agent)
            for event in raw.events:
                log.add(event["method"], event["params"], event.get("sessionId"))
            log.set_bodies(raw.bodies)
            har = log.har()
            chromium = verdict.build(scenario, raw, log)
            write_har(har_path(out, scenario.name), har)
            write_expected(expected_path(out, scenario.name), scenario, chromium)
            outcome = Outcome(scenario, len(har["log"]["entries"]), chromium)
            report(outcome.summary())
            outcomes.append(outcome)
    return outcomes


async def _capture_playwright(
    scenarios: Sequence[Scenario], out: Path, executable: str, report: Callable[[str], None]
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=executable, headless=True, args=[f for f in CHROMIUM_FLAGS if f != "--headless"]
        )
        try:
            for scenario in scenarios:
                path = playwright_path(out, scenario.name)
                context = await browser.new_context(record_har_path=str(path))
                page = await context.new_page()
                await page.goto(scenario.page_url)
                await page.wait_for_function(f"document.title === {json.dumps(DONE_TITLE)}", timeout=20_000)
                await page.wait_for_timeout(400)
                await context.close()  # writes the HAR
                report(f"{scenario.name:45} playwright record_har")
        finally:
            await browser.close()


def capture(
    scenarios: Sequence[Scenario],
    out: Path,
    *,
    executable: str = CHROMIUM,
    playwright: bool = True,
    report: Callable[[str], None] = print,
) -> list[Outcome]:
    """Capture `scenarios` into `out` with the scenario server running."""
    out.mkdir(parents=True, exist_ok=True)
    with server.serving():
        outcomes = asyncio.run(_capture_chromium(scenarios, out, executable, report))
        wanted = [s for s in scenarios if s.playwright]
        if playwright and wanted:
            asyncio.run(_capture_playwright(wanted, out, executable, report))
    return outcomes

"""Command line: `python tools/capture [--only NAME ...] [--check] [--out DIR] [--list]`."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

from . import check, corpus
from .chromium import CHROMIUM, CaptureError
from .scenarios import BY_NAME, SCENARIOS, Scenario


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python tools/capture",
        description="Record CORS scenarios in real Chromium (headless, over the DevTools protocol) and "
        "write sample_hars/<scenario>.har (DevTools 'Export HAR' shape), "
        "<scenario>.expected.json (Chromium's verdict and console lines) and, for some "
        "scenarios, <scenario>.playwright.har (Playwright record_har).",
        epilog="examples:\n"
        "  python tools/capture                       re-capture the whole corpus\n"
        "  python tools/capture --only preflight-404  re-capture one scenario\n"
        "  python tools/capture --check               capture to a temp dir and diff\n"
        "  python tools/capture --list                list the scenarios",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--only", metavar="NAME", nargs="+", action="extend", default=[], help="capture only these scenarios"
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="capture into a temporary directory and compare with the corpus; exit 1 on differences",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=corpus.CORPUS,
        help="output directory, or the corpus to compare against with --check (default: sample_hars/)",
    )
    p.add_argument("--list", action="store_true", help="list scenario names and descriptions, then exit")
    p.add_argument("--no-playwright", action="store_true", help="skip the Playwright record_har captures")
    p.add_argument(
        "--chromium", metavar="PATH", default=CHROMIUM, help=f"browser binary (default: {CHROMIUM})"
    )
    p.add_argument(
        "--browser", choices=("chromium", "firefox", "webkit", "all"), default="chromium",
        help="which browser records (default: chromium); firefox/webkit write <scenario>.firefox.har and "
        "the firefox/webkit keys of <scenario>.expected.json (see firefox_webkit_run.py)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    unknown = [n for n in args.only if n not in BY_NAME]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)} (see --list)", file=sys.stderr)
        return 2
    scenarios = [BY_NAME[n] for n in dict.fromkeys(args.only)] if args.only else list(SCENARIOS)
    if args.list:
        for s in scenarios:
            print(f"{s.name:45} {s.description}")
        return 0
    other_status = 0  # Firefox / WebKit (firefox_webkit_run.py); "all" then records Chromium too
    if args.browser != "chromium":
        from .firefox_webkit_run import run

        other_status = run(args.browser, scenarios, args.out, check=args.check)
        if args.browser != "all":
            return other_status
    try:
        if not args.check:
            corpus.capture(scenarios, args.out, executable=args.chromium, playwright=not args.no_playwright)
            print(f"wrote {len(scenarios)} scenario(s) to {args.out}")
            return other_status
        with tempfile.TemporaryDirectory(prefix="harcors-capture-") as tmp:
            corpus.capture(
                scenarios,
                Path(tmp),
                executable=args.chromium,
                playwright=not args.no_playwright,
                report=lambda line: None,
            )
            if args.no_playwright:
                scenarios = [s for s in scenarios if not s.playwright] + [
                    _without_playwright(s) for s in scenarios if s.playwright
                ]
            problems = check.compare(scenarios, args.out, Path(tmp))
    except CaptureError as e:
        print(f"capture failed: {e}", file=sys.stderr)
        return 2
    for line in problems:
        print(line)
    print(f"{len(scenarios)} scenario(s) checked: " + ("differences found" if problems else "no differences"))
    return 1 if problems else other_status


def _without_playwright(scenario: Scenario) -> Scenario:
    return dataclasses.replace(scenario, playwright=False)

"""`python tools/capture --browser firefox|webkit|all`: the Firefox and WebKit half of the command line.

Capture writes `<scenario>.firefox.har` and the `firefox` / `webkit` keys of
`<scenario>.expected.json` (every other key is kept). `--check` captures into a temporary
directory and compares those keys with the corpus, ignoring only the console order of lines that
belong to no call (none are expected) — verdicts, statuses, preflight counts and every console
line must match.
"""

from __future__ import annotations

import difflib
import json
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .scenarios import Scenario

BROWSERS = {"firefox": ("firefox",), "webkit": ("webkit",), "all": ("firefox", "webkit")}


def capture(browser: str, scenarios: Sequence[Scenario], out: Path,
            report: Callable[[str], None] = print) -> list[str]:
    """Run one browser over the scenarios into `out`; the names that failed."""
    if browser == "firefox":
        from . import firefox

        return firefox.capture_all(list(scenarios), out, report)
    from . import webkit

    return webkit.capture_all(list(scenarios), out, report)


def _key(path: Path, browser: str) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get(browser)
    except FileNotFoundError:
        return None


def compare(browser: str, scenarios: Sequence[Scenario], committed: Path, captured: Path) -> list[str]:
    """Differences in one browser's key between two corpus directories (empty: the same)."""
    problems: list[str] = []
    for scenario in scenarios:
        name = f"{scenario.name}.expected.json"
        old, new = _key(committed / name, browser), _key(captured / name, browser)
        if old is None:
            problems.append(f"{name}: no `{browser}` key in the committed corpus")
            continue
        if new is None or "skipped" in new:
            problems.append(f"{name}: `{browser}` not captured ({(new or {}).get('skipped', 'missing')})")
            continue
        if old != new:
            a = json.dumps(old, indent=1, ensure_ascii=False).splitlines()
            b = json.dumps(new, indent=1, ensure_ascii=False).splitlines()
            problems.append(f"{name} `{browser}` differs:")
            problems.extend("  " + line for line in difflib.unified_diff(
                a, b, f"committed/{name}", f"captured/{name}", n=2, lineterm=""))
    return problems


def run(browser: str, scenarios: Sequence[Scenario], out: Path, *, check: bool = False) -> int:
    """Capture (or with `check`, capture and compare) in Firefox and/or WebKit; an exit status."""
    status = 0
    for name in BROWSERS[browser]:
        if not check:
            failed = capture(name, scenarios, out)
            print(f"{name}: wrote {len(scenarios) - len(failed)} scenario(s) to {out}"
                  + (f"; failed: {', '.join(failed)}" if failed else ""))
            status = max(status, 2 if failed else 0)
            continue
        with tempfile.TemporaryDirectory(prefix=f"harcors-capture-{name}-") as tmp:
            capture(name, scenarios, Path(tmp), report=lambda line: None)
            problems = compare(name, scenarios, out, Path(tmp))
        for line in problems:
            print(line)
        print(f"{name}: {len(scenarios)} scenario(s) checked: "
              + ("differences found" if problems else "no differences"))
        status = max(status, 1 if problems else 0)
    return status

"""Golden files: every format for hand-made findings and for real Chromium captures.

Regenerate after an intended change and review the diff:

    HARCORS_REGEN_GOLDENS=1 python -m pytest tests/report/test_golden.py
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from harcors import __version__
from harcors.analysis import Analysis, analyze_file
from harcors.cors.model import Finding
from harcors.report.render import FORMATS, render

from .factory import sample_analysis

GOLDEN = Path(__file__).parent / "golden"
SAMPLES = Path(__file__).resolve().parents[2] / "sample_hars"
REGEN = bool(os.environ.get("HARCORS_REGEN_GOLDENS"))
EXTENSION = {"table": "txt", "json": "json", "md": "md", "html": "html", "csv": "csv", "sarif": "sarif"}

# Real captures (sample_hars/, recorded by tools/capture) chosen to cover every part of a report:
# several rules in one session, XHR with credentials, a preflight and its request, a duplicated
# header, Playwright's shape (no preflight entries), and a clean HAR.
SAMPLE_CASES: tuple[str, ...] = (
    "session-dashboard.har",
    "session-shop-xhr.har",
    "preflight-custom-header-not-allowed.har",
    "fetch-acao-duplicated-header.har",
    "error-500-without-cors-headers.playwright.har",
    "success-simple-get.har",
)


def _two_stacks(finding: Finding) -> Finding:
    """The fixes of the first two stacks only: enough to show the chosen fix and "other stacks",
    without copying the whole fix catalog (tests/fixes covers it) into every golden."""
    keep = list(dict.fromkeys(f.stack for f in finding.fixes))[:2]
    return dataclasses.replace(finding, fixes=tuple(f for f in finding.fixes if f.stack in keep))


def _sample(name: str) -> Callable[[], Analysis]:
    def load() -> Analysis:
        analysis = analyze_file(SAMPLES / name)
        return dataclasses.replace(
            analysis,
            # Goldens must not depend on where the checkout lives.
            info=dataclasses.replace(analysis.info, path=name),
            findings=[_two_stacks(f) for f in analysis.findings],
        )

    return load


CASES: dict[str, Callable[[], Analysis]] = {
    "constructed": sample_analysis,
    **{name.removesuffix(".har"): _sample(name) for name in SAMPLE_CASES},
}


def _isolate_from_catalogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hand-made case tests the report alone: no rule registry, harcors's own closing list."""
    from harcors.report import model, rules

    monkeypatch.setattr(rules, "_registry", dict)
    default = model.TrustedList.parse(model.DEFAULT_WHAT_DOES_NOT_FIX)
    monkeypatch.setattr(model, "what_does_not_fix", lambda: default)


def _normalize(text: str) -> str:
    return text.replace(__version__, "<version>")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")  # the table fits the terminal
    if case == "constructed":
        _isolate_from_catalogs(monkeypatch)
    out = _normalize(render([CASES[case]()], fmt))
    golden = GOLDEN / f"{case}.{EXTENSION[fmt]}"
    if REGEN:
        golden.write_text(out, encoding="utf-8", newline="")
        return
    assert golden.exists(), f"no golden {golden.name}; run HARCORS_REGEN_GOLDENS=1 pytest {__file__}"
    expected = golden.read_text(encoding="utf-8")
    assert out == expected, f"{golden.name} differs; if intended, regenerate (see this module's docstring)"


def test_no_stale_goldens() -> None:
    expected = {f"{case}.{ext}" for case in CASES for ext in EXTENSION.values()}
    present = {p.name for p in GOLDEN.iterdir() if p.name != "README.md"}
    assert present <= expected, f"goldens without a case: {sorted(present - expected)}"

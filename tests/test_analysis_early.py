"""Early findings (``analyze_file(on_early=...)``): published while reading, never a false alarm."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from harcors.analysis import Analysis, EarlyPolicy, analyze_file, is_early_kind
from harcors.cors.model import Finding

ROOT = Path(__file__).resolve().parents[1]

#: Publishes after every 150 entries, for requests 60 entries and 10 s of HAR time behind the front
#: (the generator spaces entries ~200 ms apart, and lists a preflight right after its request).
EVERY_150 = EarlyPolicy(first_after=0, every=0, max_count=4, check_every=150, margin_entries=60,
                        margin_seconds=10, overlap_entries=30, overlap_seconds=10)


def engine_key(f: Finding) -> tuple[Any, ...]:
    """What the CORS engine says about a request: everything but the fix stage's additions."""
    return (f.request.index, f.preflight.index if f.preflight else None, f.rule, f.severity, f.messages,
            f.title, f.root_cause, f.confidence, f.failed_parameter, f.page_origin, f.initiator,
            f.credentials, f.curl, f.cors_error)


def analyse(path: Path, policy: EarlyPolicy) -> tuple[Analysis, list[Analysis]]:
    early: list[Analysis] = []
    return analyze_file(path, on_early=early.append, early=policy), early


def false_alarms(final: Analysis, early: list[Analysis]) -> list[Finding]:
    known = {engine_key(f) for f in final.findings}
    return [f for a in early for f in a.findings if engine_key(f) not in known]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, har_generator: Any) -> Path:
    path = tmp_path_factory.mktemp("early") / "session.har"
    har_generator.write_har(path, 1200, seed=3, image_kb=2)  # ~7 MB, 15 CORS failures
    return path


def test_early_failures_come_while_reading_and_all_are_in_the_final_result(generated):
    final, early = analyse(generated, EVERY_150)
    assert final == analyze_file(generated)  # the result does not depend on on_early
    assert len(early) == EVERY_150.max_count
    assert all(a.provisional and not a.pairs for a in early)
    sizes = [len(a.findings) for a in early]
    assert sizes == sorted(sizes) and 0 < sizes[0] < sizes[-1] < len(final.errors)
    assert [len(a.exchanges) for a in early] == sorted({len(a.exchanges) for a in early})
    assert all(is_early_kind(f) and f.fixes for a in early for f in a.findings)
    assert false_alarms(final, early) == []


def test_without_a_margin_a_request_is_published_before_its_preflight_is_read(generated):
    """The margin is what keeps DevTools' preflight-after-request order from causing false alarms."""
    per_entry = dataclasses.replace(EVERY_150, check_every=1, max_count=10_000, margin_seconds=0)
    final, early = analyse(generated, dataclasses.replace(per_entry, margin_entries=2))
    assert len(early) > 10 and false_alarms(final, early) == []
    final, early = analyse(generated, dataclasses.replace(per_entry, margin_entries=0))
    assert false_alarms(final, early)


def test_no_false_alarm_on_the_real_browser_captures():
    """Publishing after every entry, one entry behind the front, with a two-entry overlap."""
    policy = EarlyPolicy(first_after=0, every=0, max_count=10_000, check_every=1, margin_entries=1,
                         margin_seconds=0, overlap_entries=2, overlap_seconds=0, max_context_ratio=1e9)
    files = sorted([*ROOT.glob("sample_hars/*.har"), *ROOT.glob("tests/cors/chromium/*.har")])
    assert len(files) > 100
    published = set()
    for path in files:
        final, early = analyse(path, policy)
        assert false_alarms(final, early) == [], path.name
        published |= {(path, f.request.index) for a in early for f in a.findings}
    assert len(published) > 60, len(published)  # enough was published early for this to mean something


def test_a_file_read_quickly_publishes_nothing(generated):
    stopped = EarlyPolicy(clock=lambda: 0.0)  # the clock never reaches first_after
    final, early = analyse(generated, stopped)
    assert early == [] and final.findings


def test_publications_are_spaced_by_the_clock(generated):
    ticks = iter(range(10_000))
    policy = dataclasses.replace(EVERY_150, first_after=5, every=3, max_count=100,
                                 clock=lambda: float(next(ticks)))
    _final, early = analyse(generated, policy)
    # The clock ticks once at the start, after every 150 entries and after each publication: the
    # first publication comes at the fifth tick (750 entries), the next three ticks after the one
    # that follows it (1,200 entries).
    assert [len(a.exchanges) for a in early] == [750, 1200]

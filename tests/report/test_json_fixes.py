"""Which stacks' fixes a report carries: the JSON document one stack by default, all on request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harcors.analysis import analyze_file
from harcors.cli import main
from harcors.fixes import ALL_STACKS, ANY_STACK

SAMPLES = Path(__file__).resolve().parents[2] / "sample_hars"
CASES = ["session-dashboard.har", "session-shop-xhr.har", "fetch-acao-duplicated-header.har"]


def _chosen(fixes: tuple) -> str | None:
    return next((f.stack for f in fixes if f.stack != ANY_STACK), None)


@pytest.mark.parametrize("name", CASES)
def test_likely_stack_only_is_the_all_stacks_choice(name: str) -> None:
    every = analyze_file(SAMPLES / name)
    one = analyze_file(SAMPLES / name, fix_stack=None)
    assert [f.rule for f in every.findings] == [f.rule for f in one.findings]
    assert every.findings, "the sample should have findings"
    for full, short in zip(every.findings, one.findings, strict=True):
        keep = {ANY_STACK, _chosen(full.fixes)}
        assert short.fixes == tuple(f for f in full.fixes if f.stack in keep)
        assert short.notes == full.notes


def _stacks(tmp_path: Path, *extra: str) -> list[set[str]]:
    out = tmp_path / "r.json"
    main(["analyze", str(SAMPLES / "session-dashboard.har"), "--format", "json", "-o", str(out), *extra])
    return [{x["stack"] for x in f["fixes"]} for f in json.loads(out.read_text("utf-8"))["findings"]]


def test_cli_json_stack_choice(tmp_path: Path) -> None:
    default = _stacks(tmp_path)
    assert default and all(len(s - {ANY_STACK}) == 1 for s in default)
    assert all(s - {ANY_STACK} == {"flask"} for s in _stacks(tmp_path, "--stack", "Flask"))
    # An unknown stack falls back to the likely one, as the other formats do.
    assert _stacks(tmp_path, "--stack", "no-such-stack") == default
    everything = _stacks(tmp_path, "--stack", ALL_STACKS)
    assert all(len(s) > 10 and d <= s for s, d in zip(everything, default, strict=True))

"""The likely stack's fixes now, the others on demand: what is rendered later is what
``attach_fixes(stack=ALL_STACKS)`` would have rendered up front, in the same order."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from harcors.analysis import analyze_file
from harcors.cors.model import Finding, Fix
from harcors.fixes import (
    ALL_STACKS,
    ANY_STACK,
    FIX_STACKS,
    StackFixes,
    attach_fixes,
    every_stack_fixes,
    fix_plan,
    fixes_for,
    with_every_stack,
)

from .factory import finding

SAMPLES = Path(__file__).resolve().parents[2] / "sample_hars"

#: Samples of different fix kinds: server-side ones, redirects and failed preflights (whose
#: variants some stacks skip), and ones only the page can fix, with and without a server follow-up.
KINDS = (
    "session-dashboard.har", "preflight-401-with-acao.har", "preflight-301-redirect.har",
    "preflight-custom-header-not-allowed.har", "error-500-without-cors-headers.har",
    "request-header-acao-set-by-client.har", "fetch-no-cors-opaque.har", "connection-refused.har",
    "preflight-patch-lowercase.har",
)
#: Response headers that make the stack guess name one stack, or two (their order matters).
SERVERS = {
    "none": [],
    "express-behind-nginx": [("Server", "nginx/1.25.3"), ("X-Powered-By", "Express")],
    "nextjs": [("X-Powered-By", "Next.js")],  # three variants, one skipping some kinds
    "spring": [("Set-Cookie", "JSESSIONID=0123; Path=/")],
}


def har_on(server: str, name: str, folder: Path) -> Path:
    """The sample ``name`` with every response saying it came from ``server``."""
    path = folder / f"{server}-{name}"
    if not path.exists():
        har = json.loads((SAMPLES / name).read_text("utf-8"))
        for entry in har["log"]["entries"]:
            headers = entry.setdefault("response", {}).setdefault("headers", [])
            headers.extend({"name": n, "value": v} for n, v in SERVERS[server])
        path.write_text(json.dumps(har), "utf-8")
    return path


@pytest.fixture(scope="module")
def analyses(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[list[Finding], list[Finding]]]:
    """(every stack, likely stack only) findings of each sample on each server."""
    folder = tmp_path_factory.mktemp("stacks")
    out = []
    for name in KINDS:
        if not (SAMPLES / name).is_file():
            continue
        for server in SERVERS:
            path = har_on(server, name, folder)
            out.append((analyze_file(path).findings, analyze_file(path, fix_stack=None).findings))
    assert len(out) > 20
    return out


def test_the_samples_cover_several_stacks_and_kinds(analyses) -> None:
    likely = {f.extras["stack_guess"].stack for _every, likely in analyses for f in likely}
    assert {None, "express", "nextjs", "spring"} <= likely
    first = {f.fixes[0].stack for _every, likely in analyses for f in likely}
    assert ANY_STACK in first and "express" in first


def test_the_rest_rendered_later_is_what_every_stack_rendered_up_front(analyses) -> None:
    for every, likely in analyses:
        assert [f.extras[FIX_STACKS] for f in every] == [ALL_STACKS] * len(every)
        completed = with_every_stack(likely)
        for full, partial, done in zip(every, likely, completed, strict=True):
            assert partial.extras[FIX_STACKS] != ALL_STACKS
            assert len(partial.fixes) < len(full.fixes) or not any(f.stack != ANY_STACK for f in full.fixes)
            assert every_stack_fixes(partial) == done.fixes == full.fixes
            assert done.extras[FIX_STACKS] == ALL_STACKS and done.notes == full.notes
            assert with_every_stack([done])[0] is done  # nothing left to render


def test_the_plan_lists_every_fix_without_rendering_it(analyses, monkeypatch) -> None:
    for every, _likely in analyses:
        for full in every:
            assert fix_plan(full) == tuple(f.stack for f in full.fixes)
    import harcors.fixes as fixes_module

    monkeypatch.setattr(fixes_module, "render_fixes", None)  # any rendering would fail
    for every, likely in analyses:
        for full, partial in zip(every, likely, strict=True):
            assert fix_plan(partial) == tuple(f.stack for f in full.fixes)


def test_stack_fixes_renders_each_stack_once_on_demand(analyses) -> None:
    every, likely = next((e, lk) for e, lk in analyses if len(e[0].fixes) > 20)
    full, partial = every[0], likely[0]
    fixes = StackFixes(partial)
    assert fixes.plan == tuple(f.stack for f in full.fixes)
    assert fixes.fix(0) == full.fixes[0] and fixes.rendered == []  # the likely stack: rendered already
    last = len(fixes.plan) - 1
    assert fixes.fix(last) == full.fixes[last]
    assert fixes.rendered == [fixes.plan[last]]
    for _ in range(3):  # back and forth
        assert fixes.fix(0) == full.fixes[0] and fixes.fix(last) == full.fixes[last]
    assert fixes.rendered == [fixes.plan[last]]
    assert [fixes.fix(i) for i in range(len(fixes.plan))] == list(full.fixes)
    assert sorted(fixes.rendered) == sorted(set(fixes.plan) - {fixes.plan[0], ANY_STACK})


def test_a_finding_made_by_hand_keeps_its_fixes() -> None:
    made = [Fix("nginx", "Fix it", "code", "nginx"), Fix("express", "Fix it", "code", "js")]
    f = dataclasses.replace(finding("missing-allow-origin"), fixes=tuple(made))
    assert fix_plan(f) == ("nginx", "express") and every_stack_fixes(f) == f.fixes
    assert with_every_stack([f])[0] is f
    assert StackFixes(f).fix(1) == made[1]


def test_a_stack_that_cannot_write_the_request_is_planned_but_has_no_fix() -> None:
    # Next.js names a route handler after the method: "M-SEARCH" is a token but no identifier.
    raw = finding("method-not-allowed", method="M-SEARCH", preflight_status=204,
                  preflight_response={"Access-Control-Allow-Origin": "http://localhost:5173",
                                      "Access-Control-Allow-Methods": "GET", "X-Powered-By": "Express"})
    [partial] = attach_fixes([raw], [raw.preflight, raw.request], stack=None)
    assert partial.extras["stack_guess"].stack == "express"
    every = fixes_for(raw, guess=partial.extras["stack_guess"])
    assert "nextjs" not in {f.stack for f in every}
    plan = fix_plan(partial)
    assert plan.count("nextjs") == 3 and [s for s in plan if s != "nextjs"] == [f.stack for f in every]
    fixes = StackFixes(partial)
    assert fixes.fix(plan.index("nextjs")) is None
    assert every_stack_fixes(partial) == every

"""Live proof: the rendered fixes make real servers pass harcors' own CORS checks.

For every error in the real-browser sample HARs that a server can fix — and for one hand-made
finding per kind of fix, so kinds the corpus lacks are proven too — render the fix for Flask,
FastAPI, Django, Express, Fastify and nginx, start that server with the fix pasted in verbatim,
replay the preflight and the request with the same Origin, method and headers, and run the engine
on the answers: no error may remain. A control run without any fix must fail, so a harness that
cannot see failures does not pass silently.

Needs tools/proof/setup.sh (CI runs it); without Node packages or nginx these tests fail, saying so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixes.factory import PAGE, finding
from fixes.proof_apps import PROOF_STACKS, ForkServer, MissingTool, require_tools, start
from fixes.proof_replay import Scenario, judge, replay, scenario_for
from harcors.cors import evaluate
from harcors.cors.model import Finding
from harcors.fixes import fixes_for
from harcors.har import load_har

pytestmark = pytest.mark.live

SAMPLES = Path(__file__).resolve().parents[2] / "sample_hars"


def sample_findings() -> list[tuple[str, Finding]]:
    """Every error finding in the sample HARs (the engine's verdict on real Chromium captures)."""
    out = []
    for har in sorted(SAMPLES.glob("*.har")):
        loaded = load_har(har)
        for f in evaluate(loaded.exchanges, loaded.info).findings:
            if f.is_error:
                out.append((f"{har.stem}#{f.request.index}", f))
    return out


def synthetic_findings() -> list[tuple[str, Finding]]:
    """One finding per kind of server fix, shaped like the browser reports it."""
    api = "http://api.test:8000/api/items"
    return [
        ("synthetic/allow-origin", finding("missing-allow-origin", url=api)),
        ("synthetic/mismatch", finding("allow-origin-mismatch", url=api,
                                       response={"Access-Control-Allow-Origin": "https://other.example"})),
        ("synthetic/credentials", finding("wildcard-with-credentials", url=api, credentials=True,
                                          response={"Access-Control-Allow-Origin": "*"})),
        ("synthetic/method", finding("method-not-allowed", method="DELETE", url=api, preflight_status=204,
                                     preflight_response={"Access-Control-Allow-Origin": PAGE,
                                                         "Access-Control-Allow-Methods": "GET, POST"})),
        ("synthetic/header", finding("header-not-allowed", method="POST", url=api,
                                     headers=("Content-Type", "Authorization", "X-Request-Id"),
                                     credentials=True, preflight_status=204,
                                     preflight_response={"Access-Control-Allow-Origin": PAGE,
                                                         "Access-Control-Allow-Credentials": "true"})),
        ("synthetic/preflight-auth", finding("preflight-status", method="PUT", url=api,
                                             headers=("Authorization",), preflight_status=401)),
        ("synthetic/preflight-route", finding("missing-allow-origin", method="PATCH", url=api,
                                              headers=("Content-Type",), preflight_status=404)),
        ("synthetic/redirect", finding("preflight-redirect", method="PUT", url="http://api.test:8000/api/items",
                                       headers=("Content-Type",), preflight_status=301,
                                       redirect_url="http://api.test:8000/api/items/")),
        ("synthetic/error-response", finding(
            "missing-allow-origin", method="POST", url=api, status=500, headers=("Content-Type",),
            preflight_status=204,
            preflight_response={"Access-Control-Allow-Origin": PAGE,
                                "Access-Control-Allow-Headers": "content-type"},
        )),
        ("synthetic/single-origin", finding("multiple-allow-origin", url=api,
                                            response=[("Access-Control-Allow-Origin", "*"),
                                                      ("Access-Control-Allow-Origin", PAGE)])),
    ]


@dataclass
class Case:
    name: str
    scenario: Scenario
    code: str


@dataclass
class Outcome:
    case: Case
    errors: list[str]


def cases_for(stack: str, findings: list[tuple[str, Finding]]) -> list[Case]:
    out = []
    for name, f in findings:
        scenario = scenario_for(f, name)
        if scenario is None:
            continue
        rendered = fixes_for(f, stack)
        assert len(rendered) == 1, f"{stack}: the proof expects one fix per finding, got {len(rendered)}"
        out.append(Case(name, scenario, rendered[0].code))
    return out


def run_cases(stack: str, cases: list[Case], workdir: Path, forks: ForkServer) -> list[Outcome]:
    """One server per distinct (fix, app behaviour), all started at once, then each case replayed."""
    groups: dict[tuple[object, ...], list[Case]] = defaultdict(list)
    for case in cases:
        groups[(case.code, case.scenario.app_key())].append(case)
    items = list(groups.values())
    host = start(stack, [(group[0].code, group[0].scenario) for group in items], workdir, forks)
    outcomes: list[Outcome] = []
    try:
        for i, group in enumerate(items):
            for case in group:
                found = judge(replay(case.scenario, host.ports[i]))
                errors = [f"{f.rule}: {f.messages.chrome}" for f in found]
                if errors:
                    errors.append(f"server log:\n{host.log(i)}")
                outcomes.append(Outcome(case, errors))
    finally:
        host.stop()
    return outcomes


@pytest.fixture(scope="module")
def proof_findings() -> list[tuple[str, Finding]]:
    return sample_findings() + synthetic_findings()


@pytest.fixture(scope="module")
def tools() -> None:
    try:
        require_tools()
    except MissingTool as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def forks(tools) -> Iterator[ForkServer]:
    server = ForkServer()
    try:
        yield server
    finally:
        server.close()


PROVEN: dict[str, tuple[int, int]] = {}


@pytest.mark.parametrize("stack", PROOF_STACKS)
def test_fix_makes_server_pass(stack: str, proof_findings, forks: ForkServer, tmp_path: Path) -> None:
    cases = cases_for(stack, proof_findings)
    assert cases, "no fixable error found in sample_hars/ or the synthetic findings"
    outcomes = run_cases(stack, cases, tmp_path, forks)
    failed = [o for o in outcomes if o.errors]
    PROVEN[stack] = (len(outcomes) - len(failed), len(outcomes))
    report = "\n\n".join(
        f"{o.case.name} ({o.case.scenario.rule}, {o.case.scenario.kind}):\n  " + "\n  ".join(o.errors)
        + f"\n--- fix ---\n{o.case.code}"
        for o in failed
    )
    assert not failed, f"{len(failed)}/{len(outcomes)} {stack} fixes still fail:\n{report}"


def test_control_without_fix_fails(proof_findings, forks: ForkServer, tmp_path: Path) -> None:
    """The same replay against the apps *without* a fix finds the failure: the harness can see it."""
    cases = [Case(c.name, c.scenario, "") for c in cases_for("express", proof_findings)]
    outcomes = run_cases("express", cases, tmp_path, forks)
    unseen = [o.case.name for o in outcomes if not o.errors]
    assert not unseen, f"the engine saw no failure without a fix for: {unseen}"


def test_report_figure(capsys: pytest.CaptureFixture[str]) -> None:
    """Prints fixes proven / fixes rendered (run with -s to see it); runs after the stacks."""
    if not PROVEN:
        pytest.skip("run together with test_fix_makes_server_pass")
    proven = sum(p for p, _ in PROVEN.values())
    total = sum(t for _, t in PROVEN.values())
    with capsys.disabled():
        per_stack = ", ".join(f"{s} {p}/{t}" for s, (p, t) in PROVEN.items())
        print(f"\nlive proof: {proven}/{total} fixes proven ({per_stack})")
    assert proven == total

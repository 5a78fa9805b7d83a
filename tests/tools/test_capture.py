"""tools/capture: a live capture in Debian's Chromium, and the integrity of the committed corpus.

The live test needs /usr/bin/chromium (CI installs it); without it the test fails, it does not
skip, so a broken CI image is noticed.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))

from capture import check, corpus  # noqa: E402
from capture.chromium import CHROMIUM  # noqa: E402
from capture.harwriter import _headers_array  # noqa: E402
from capture.scenarios import BY_NAME, SCENARIOS  # noqa: E402

CORPUS = REPO / "sample_hars"
EXPECTED = sorted(CORPUS.glob("*.expected.json"))
VERSION = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
CORS_LINE = re.compile(
    r"^Access to (fetch|XMLHttpRequest) at '[^']+' (\(redirected from '[^']+'\) )?"
    r"from origin '[^']+' has been blocked by CORS policy: .+"
)


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _har(path: Path) -> dict[str, Any]:
    return _load(path)


def _entries(har: dict[str, Any]) -> list[dict[str, Any]]:
    return har["log"]["entries"]


def _key(entry: dict[str, Any]) -> tuple[str, str]:
    return entry["request"]["url"], entry["request"]["method"]


def _assert_devtools_shape(har: dict[str, Any]) -> None:
    log = har["log"]
    assert log["version"] == "1.2"
    assert log["creator"] == {"name": "WebInspector", "version": "537.36"}
    assert [p["id"] for p in log["pages"]] == ["page_1"]
    started = [e["startedDateTime"] for e in log["entries"]]
    assert started == sorted(started), "entries are sorted by issue time"
    for e in log["entries"]:
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", e["startedDateTime"])
        assert {
            "_initiator",
            "_priority",
            "_resourceType",
            "cache",
            "request",
            "response",
            "serverIPAddress",
            "startedDateTime",
            "time",
            "timings",
        } <= e.keys()
        assert {"_transferSize", "_error", "redirectURL", "headersSize", "bodySize"} <= e["response"].keys()
        if e["_resourceType"] == "preflight":
            assert e["request"]["method"] == "OPTIONS"
            assert e["_initiator"]["type"] == "preflight"
            assert e["_initiator"]["url"].startswith("http")
            assert isinstance(e["_initiator"]["requestId"], str)


# --- live --------------------------------------------------------------------------------


@pytest.mark.live
def test_live_capture_in_chromium(tmp_path: Path) -> None:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (CI must have it)")
    scenarios = [BY_NAME["fetch-no-acao"], BY_NAME["preflight-404"]]
    outcomes = corpus.capture(scenarios, tmp_path, report=lambda line: None)
    assert [o.scenario.name for o in outcomes] == ["fetch-no-acao", "preflight-404"]

    # A blocked simple GET: the response arrived, so the HAR keeps its real status and headers.
    har = _load(tmp_path / "fetch-no-acao.har")
    _assert_devtools_shape(har)
    doc, fetch = _entries(har)
    assert doc["_resourceType"] == "document"
    assert fetch["_resourceType"] == "fetch"
    assert fetch["response"]["status"] == 200
    assert fetch["response"]["_error"] == "net::ERR_FAILED"
    names = [h["name"].lower() for h in fetch["response"]["headers"]]
    assert "content-type" in names and "access-control-allow-origin" not in names
    assert {"name": "Origin", "value": "http://127.0.0.1:8701"} in fetch["request"]["headers"]

    expected = _load(tmp_path / "fetch-no-acao.expected.json")
    assert list(expected)[:5] == ["scenario", "description", "tags", "page", "chromium"]
    chromium = expected["chromium"]
    assert VERSION.match(chromium["version"])
    [request] = chromium["requests"]
    url = "http://127.0.0.1:8702/api/fetch-no-acao/data"
    line = (
        f"Access to fetch at '{url}' from origin 'http://127.0.0.1:8701' has been blocked by CORS "
        "policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."
    )
    assert request == request | {
        "url": url,
        "method": "GET",
        "initiator": "fetch",
        "blocked": True,
        "cors_error": "MissingAllowOriginHeader",
        "failed_parameter": "",
        "net_error": "net::ERR_FAILED",
        "status": 200,
    }
    assert line in request["messages"] and line in chromium["console"]
    assert "Failed to load resource: net::ERR_FAILED" in chromium["console"]

    # A failed preflight: its own entry keeps the 404, the never-sent request has status 0.
    har = _load(tmp_path / "preflight-404.har")
    _assert_devtools_shape(har)
    _, put, options = _entries(har)
    assert (put["request"]["method"], put["response"]["status"], put["response"]["_error"]) == (
        "PUT",
        0,
        "net::ERR_FAILED",
    )
    assert put["response"]["headers"] == []
    assert options["_initiator"]["url"] == put["request"]["url"]
    assert (options["response"]["status"], options["response"]["_error"]) == (404, None)
    [request] = _load(tmp_path / "preflight-404.expected.json")["chromium"]["requests"]
    assert request["cors_error"] == "PreflightMissingAllowOriginHeader" and request["status"] == 0
    assert CORS_LINE.match(request["messages"][0])
    assert "Response to preflight request doesn't pass access control check" in request["messages"][0]

    # Playwright's own record_har: no OPTIONS rows at all.
    pw = _load(tmp_path / "preflight-404.playwright.har")
    assert pw["log"]["creator"]["name"] == "Playwright"
    assert all(e["request"]["method"] != "OPTIONS" for e in _entries(pw))


# --- the committed corpus ------------------------------------------------------------------


def test_corpus_covers_every_scenario() -> None:
    assert len(SCENARIOS) >= 40
    names = {p.name.removesuffix(".expected.json") for p in EXPECTED}
    assert names == set(BY_NAME), "run `python tools/capture` after changing the scenario list"
    succeeded = [
        s
        for s in SCENARIOS
        if all(not r["blocked"] for r in _load(CORPUS / f"{s.name}.expected.json")["chromium"]["requests"])
        and "success" in s.tags
    ]
    assert len(succeeded) >= 6
    pw = list(CORPUS.glob("*.playwright.har"))
    assert len(pw) >= 4
    total = sum(p.stat().st_size for p in CORPUS.iterdir())
    assert total < 10_000_000


def test_corpus_single_chromium_version() -> None:
    versions = {_load(p)["chromium"]["version"] for p in EXPECTED}
    assert len(versions) == 1 and VERSION.match(versions.pop())


@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.name.removesuffix(".expected.json"))
def test_corpus_scenario(path: Path) -> None:
    name = path.name.removesuffix(".expected.json")
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.startswith('{\n  "')
    expected = json.loads(text)
    assert isinstance(expected, dict)
    assert expected["scenario"] == name
    assert expected["tags"] == list(BY_NAME[name].tags)
    chromium = expected["chromium"]
    assert VERSION.match(chromium["version"]) and "Chrome/" in chromium["user_agent"]

    har_file = CORPUS / f"{name}.har"
    assert har_file.exists()
    har = _har(har_file)
    _assert_devtools_shape(har)
    entries = _entries(har)
    assert entries[0]["request"]["url"] == expected["page"] == har["log"]["pages"][0]["title"]

    script_entries = [e for e in entries if e["_resourceType"] in ("fetch", "xhr")]
    for req in chromium["requests"]:
        key = (req["url"], req["method"])
        assert req["initiator"] in ("fetch", "xhr", "other")
        assert set(req["messages"]) <= set(chromium["console"])
        if req.get("sent") is False:
            assert not any(_key(e) == key for e in entries)
            continue
        # The first hop of each request, in order; later hops of a redirect follow it.
        first = next((e for e in script_entries if _key(e) == key), None)
        assert first is not None, f"{key} not in the HAR"
        hops = [first]
        for url in req.get("redirected_to", []):
            later = script_entries[script_entries.index(hops[-1]) + 1 :]
            hops.append(next(e for e in later if e["request"]["url"] == url))
        script_entries = [e for e in script_entries if e not in hops]
        assert first["_resourceType"] == req["initiator"]
        last = hops[-1]
        assert last["response"]["status"] == req["status"]
        assert last["response"]["_error"] == req["net_error"]
        if req["blocked"]:
            assert req["cors_error"] and req["failed_parameter"] is not None
            assert any(CORS_LINE.match(m) for m in req["messages"])
            assert req["net_error"] == "net::ERR_FAILED"
        else:
            assert req["cors_error"] is None

    # Every preflight belongs to a request of this page.
    urls = {e["request"]["url"] for e in entries if e["_resourceType"] in ("fetch", "xhr")}
    for e in entries:
        if e["_resourceType"] == "preflight":
            assert e["_initiator"]["url"] in urls

    pw_file = CORPUS / f"{name}.playwright.har"
    assert pw_file.exists() == BY_NAME[name].playwright
    if pw_file.exists():
        pw = _load(pw_file)
        assert pw["log"]["creator"]["name"] == "Playwright"
        assert pw["log"]["browser"]["version"] == chromium["version"]


# --- offline pieces ----------------------------------------------------------------------


def test_repeated_headers_become_separate_entries() -> None:
    # CDP joins a header sent twice with "\n"; DevTools (and so the HAR) lists it twice.
    assert _headers_array({"Access-Control-Allow-Origin": "a\nb", "Vary": "Origin"}) == [
        {"name": "Access-Control-Allow-Origin", "value": "a"},
        {"name": "Access-Control-Allow-Origin", "value": "b"},
        {"name": "Vary", "value": "Origin"},
    ]


def test_check_ignores_volatile_fields_and_reports_real_changes(tmp_path: Path) -> None:
    scenario = BY_NAME["preflight-404"]
    files = [corpus.har_path, corpus.expected_path, corpus.playwright_path]
    for path_of in files:
        shutil.copy(path_of(CORPUS, scenario.name), path_of(tmp_path, scenario.name))
    har = _load(corpus.har_path(tmp_path, scenario.name))
    for e in _entries(har):
        e["startedDateTime"] = "2000-01-01T00:00:00.000Z"
        e["time"] = 1
        if e["_initiator"].get("requestId"):
            e["_initiator"]["requestId"] = "999.9"
    corpus.write_har(corpus.har_path(tmp_path, scenario.name), har)
    assert check.compare([scenario], CORPUS, tmp_path) == []

    _entries(har)[-1]["response"]["status"] = 200
    corpus.write_har(corpus.har_path(tmp_path, scenario.name), har)
    expected = _load(corpus.expected_path(tmp_path, scenario.name))
    expected["chromium"]["version"] = "999.0.0.1"
    corpus.expected_path(tmp_path, scenario.name).write_text(json.dumps(expected), encoding="utf-8")
    problems = check.compare([scenario], CORPUS, tmp_path)
    assert problems[0].startswith("Chromium version changed: ")
    assert any("preflight-404.har differs" in p for p in problems)
    assert any('"status": 200' in p for p in problems)


def test_write_expected_keeps_other_browsers(tmp_path: Path) -> None:
    scenario = BY_NAME["fetch-no-acao"]
    path = corpus.expected_path(tmp_path, scenario.name)
    other = {"scenario": "x", "firefox": {"version": "128"}, "chromium": {}}
    path.write_text(json.dumps(other), encoding="utf-8")
    corpus.write_expected(path, scenario, {"version": "1.2.3.4", "requests": []})
    doc = _load(path)
    assert list(doc) == ["scenario", "firefox", "chromium", "description", "tags", "page"]
    assert doc["firefox"] == {"version": "128"} and doc["chromium"]["version"] == "1.2.3.4"

"""HARs from every producer: what harcors reads from each, and how sure its verdicts are.

One fixture per producer under tests/fixtures/producers/ (see docs/producers.md for which are
recorded from the real tool and which are written from its documented format), each with a
golden ``*.expected.json`` of what the loader reads (``python tests/har/goldens.py`` rewrites them).
All fixtures replay the same scenario, so the verdicts can be compared across producers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harcors.analysis import Analysis, analyze_file
from harcors.cors import Confidence
from harcors.har import load_har
from harcors.har.loader import HarStream

from .goldens import fixtures, golden_path, render

FIXTURES = {p.name.removesuffix(".har"): p for p in fixtures()}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_reading_matches_golden(name):
    path = FIXTURES[name]
    golden = golden_path(path)
    assert golden.exists(), f"no golden for {name}: run python tests/har/goldens.py"
    assert render(path) == golden.read_text(encoding="utf-8"), (
        "run python tests/har/goldens.py and review the diff"
    )


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fast_and_streaming_paths_agree(name):
    path = FIXTURES[name]
    streamed = HarStream(path, fast=False)
    assert list(streamed) == load_har(path).exchanges
    assert streamed.skipped == [] and streamed.problem is None


def test_every_producer_has_a_fixture():
    assert {
        "chrome-devtools",
        "chrome-2020",
        "chrome-sanitized",
        "firefox",
        "firefox-esr-153",
        "safari",
        "playwright-chromium",
        "playwright-chromium-minimal",
        "chrome-har",
        "charles",
        "fiddler",
        "mitmproxy",
    } <= set(FIXTURES)


# --- what each producer's quirks come out as ---------------------------------------------------


def loaded(name: str):
    return load_har(FIXTURES[name])


def by_path(name: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for e in loaded(name).exchanges:
        out.setdefault(e.url.split("8802", 1)[-1], []).append(e)
    return out


def test_chrome_preflight_is_linked_to_its_request():
    pre = by_path("chrome-devtools")["/api/put"][1]
    assert pre.is_preflight and pre.initiator.type == "preflight" and pre.initiator.url.endswith("/api/put")


def test_chrome_2020_has_no_preflight_rows():
    assert not any(e.is_preflight for e in loaded("chrome-2020").exchanges)


def test_chrome_sanitized_has_no_credentials():
    for e in loaded("chrome-sanitized").exchanges:
        assert "cookie" not in e.request_headers and "authorization" not in e.request_headers
        assert "set-cookie" not in e.response_headers


def test_firefox_quirks():
    har = loaded("firefox")
    assert (har.info.version, har.info.browser) == ("1.1", "Firefox")
    never_sent = by_path("firefox")["/api/put"][0]
    assert (never_sent.status, never_sent.got_response, never_sent.initiator) == (0, False, None)
    assert all(e.resource_type_inferred and e.error is None for e in har.exchanges)
    upload = by_path("firefox")["/api/upload"][0]
    assert "content-disposition" not in upload.request_headers
    assert upload.request_headers.get_all("content-type")[0].startswith("multipart/form-data")
    assert (
        never_sent.started == by_path("chrome-devtools")["/api/put"][0].started
    )  # +02:00 is the same instant


def test_firefox_esr_153_recorded():
    """Firefox's own export, recorded headless (tools/capture/firefox.py): HAR 1.2 by now, no "_" fields."""
    har = loaded("firefox-esr-153")
    assert (har.info.version, har.info.producer) == ("1.2", "firefox")
    put, options = (e for e in har.exchanges if "/item/1" in e.url)
    assert (put.method, put.status, options.method, options.status) == ("PUT", 0, "OPTIONS", 404)
    assert options.is_preflight and options.resource_type_inferred  # from Access-Control-Request-Method
    assert any(e.url == "data:," for e in har.exchanges)  # Firefox records data: URLs too


def test_safari_quirks():
    paths = by_path("safari")
    assert paths["/api/put"][0].started is None  # startedDateTime: ""
    assert paths["/api/cred"][0].response_headers.get_all("access-control-allow-origin") == [
        "*, http://127.0.0.1:8801"
    ]  # WebKit merged the two header lines into one


def test_playwright_quirks():
    for name in ("playwright-chromium", "playwright-chromium-minimal"):
        har = loaded(name)
        blocked = [e for e in har.exchanges if e.error]
        assert {e.status for e in blocked} == {-1} and not any(e.got_response for e in blocked)
        assert not any(e.method == "OPTIONS" for e in har.exchanges)
    assert loaded("playwright-chromium-minimal").info.pages == 0  # no "pages" key at all


def test_chrome_har_quirks():
    har = loaded("chrome-har")
    assert not any(e.error for e in har.exchanges)  # chrome-har drops failed requests
    pre = next(e for e in har.exchanges if e.method == "OPTIONS")
    assert pre.is_preflight and pre.initiator.url.endswith("/api/put")  # from _initiator_detail
    fetch = by_path("chrome-har")["/api/ok"][0]
    assert (fetch.initiator.type, fetch.initiator.url) == ("script", "http://127.0.0.1:8801/")


@pytest.mark.parametrize("name", ["mitmproxy", "charles", "fiddler"])
def test_proxy_quirks(name):
    har = loaded(name)
    paths = by_path(name)
    assert all(e.pageref is None for e in har.exchanges)
    assert [e.method for e in paths["/api/put"]] == ["OPTIONS"]  # the blocked PUT was never sent


def test_mitmproxy_failed_flow():
    failed = next(e for e in loaded("mitmproxy").exchanges if e.status == 0)
    assert failed.error and failed.response_mime is None and failed.started is not None


def test_charles_http2_pseudo_header():
    ok = by_path("charles")["/api/ok"][0]
    assert ok.response_headers.get(":status") == "200" and ok.status_text == ""


# --- verdict quality: the real pipeline, loader and CORS engine ---------------------------------

C, L, U = Confidence.CERTAIN, Confidence.LIKELY, Confidence.UNCERTAIN
MISSING, WILDCARD, BLOCKED = "missing-allow-origin", "wildcard-with-credentials", "cors-blocked"

#: producer -> path -> (rule, confidence) of the error finding for that request; None: no finding.
#: The scenario: /api/ok works, /api/no-acao lacks ACAO, /api/put's preflight fails, /api/cred is
#: credentialed and answered "*".
VERDICTS = {
    "chrome-devtools": {
        "/api/ok": None,
        "/api/no-acao": (MISSING, C),
        "/api/put": (MISSING, C),
        "/api/cred": (WILDCARD, C),
    },
    # sanitized: no Cookie header, so credentials mode "include" is inferred from the failure itself
    "chrome-sanitized": {
        "/api/ok": None,
        "/api/no-acao": (MISSING, C),
        "/api/put": (MISSING, C),
        "/api/cred": (WILDCARD, L),
    },
    # no preflight row: the PUT's failure cannot be explained
    "chrome-2020": {
        "/api/ok": None,
        "/api/no-acao": (MISSING, C),
        "/api/put": (BLOCKED, U),
        "/api/cred": (WILDCARD, C),
    },
    # no browser verdict in the HAR: found by running the Fetch checks
    "firefox": {
        "/api/ok": None,
        "/api/no-acao": (MISSING, L),
        "/api/put": (MISSING, L),
        "/api/cred": (WILDCARD, L),
    },
    "safari": {
        "/api/ok": None,
        "/api/no-acao": (MISSING, L),
        "/api/put": (BLOCKED, U),
        "/api/cred": ("multiple-allow-origin", L),
    },
    # blocked requests have no response at all (status -1) and no preflight rows
    "playwright-chromium": {
        "/api/ok": None,
        "/api/no-acao": (BLOCKED, U),
        "/api/put": (BLOCKED, U),
        "/api/cred": (BLOCKED, U),
    },
    "playwright-chromium-minimal": {
        "/api/ok": None,
        "/api/no-acao": (BLOCKED, U),
        "/api/put": (BLOCKED, U),
        "/api/cred": (BLOCKED, U),
    },
    # drops failed requests: only the failed preflight is left to show the PUT's problem
    "chrome-har": {"/api/ok": None, "/api/put": (MISSING, L)},
    # proxies: the PUT was never sent, its preflight is the finding; no browser verdict
    "charles": {
        "/api/ok": None,
        "/api/no-acao": (MISSING, L),
        "/api/put": (MISSING, L),
        "/api/cred": (WILDCARD, L),
    },
    "fiddler": {
        "/api/ok": None,
        "/api/no-acao": (MISSING, L),
        "/api/put": (MISSING, L),
        "/api/cred": (WILDCARD, L),
    },
    # the real capture sent no cookie, and a proxy cannot see credentials mode; the page's script in the
    # HAR can: fetch(api + "/api/cred", {credentials: "include"}) (harcors/cors/credentials.py)
    "mitmproxy": {
        "/api/ok": None,
        "/api/no-acao": (MISSING, L),
        "/api/put": (MISSING, L),
        "/api/cred": (WILDCARD, L),
    },
}


@pytest.fixture(scope="module")
def analyses() -> dict[str, Analysis]:
    return {name: analyze_file(path) for name, path in FIXTURES.items()}


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_verdicts(analyses, name):
    analysis = analyses[name]
    got = {}
    for f in analysis.errors:
        got[f.request.url.split("8802", 1)[-1]] = (f.rule, f.confidence)
    want = {path: verdict for path, verdict in VERDICTS[name].items() if verdict is not None}
    assert {path: got.get(path) for path in VERDICTS[name]} == {
        path: want.get(path) for path in VERDICTS[name]
    }


def test_chrome_har_cors_fetch_is_not_taken_for_no_cors(analyses):
    """chrome-har records no Origin header; a fetch that went through with a matching
    Access-Control-Allow-Origin was cors-mode, not an opaque no-cors request."""
    ok = [f for f in analyses["chrome-har"].findings if f.request.url.endswith("/api/ok")]
    assert ok and all(f.rule != "no-cors-opaque" for f in ok)


def test_proxy_leaves_out_the_browsers_own_failed_request(analyses):
    """mitmproxy also saw Chromium's component-update POST (no Origin, Referer or Sec-Fetch-*),
    which failed at DNS: nothing the page's developer can fix."""
    analysis = analyses["mitmproxy"]
    background = next(e for e in loaded("mitmproxy").exchanges if "update.googleapis.com" in e.url)
    assert background.error  # it is in the HAR, failed at the network level
    assert not any("update.googleapis.com" in f.request.url for f in analysis.findings)


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_every_inference_is_explained(analyses, name):
    """A verdict that is not certain says what was inferred, and from what."""
    for f in analyses[name].findings:
        if f.confidence is not Confidence.CERTAIN:
            assert f.notes and all(n.strip() for n in f.notes), (f.rule, f.request.url)


def test_firefox_esr_153_verdict(analyses):
    """No browser verdict in a Firefox HAR: the failed preflight is found by the Fetch checks, and says so."""
    analysis = analyses["firefox-esr-153"]
    (finding,) = analysis.errors
    assert (finding.rule, finding.confidence, finding.request.method) == (MISSING, L, "PUT")
    assert finding.preflight is not None and finding.preflight.status == 404
    assert any("does not record the browser's verdict" in n for n in finding.notes)


def test_sanitized_export_says_credentials_were_inferred(analyses):
    full = next(f for f in analyses["chrome-devtools"].errors if f.rule == WILDCARD)
    sanitized = next(f for f in analyses["chrome-sanitized"].errors if f.rule == WILDCARD)
    assert full.credentials and sanitized.credentials
    assert any("Cookie header" in n for n in full.notes)
    assert any("sanitized" in n and "inferred" in n for n in sanitized.notes)


def test_json_report_carries_confidence_and_notes(analyses):
    from harcors.report.json_doc import analysis_document

    doc = json.loads(json.dumps(analysis_document(analyses["chrome-2020"])))
    put = next(f for f in doc["findings"] if f["request"]["url"].endswith("/api/put"))
    assert put["confidence"] == "uncertain" and put["notes"]


def test_fixture_files_are_small():
    assert all(p.stat().st_size < 64_000 for p in Path(next(iter(FIXTURES.values()))).parent.glob("*.har"))

"""Properties that hold for any HAR, however odd (hypothesis-generated entries)."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harcors.cors import evaluate
from harcors.cors.rules import RULES

from .har import API, CHROME, FIREFOX, PAGE, entry, exchanges

_URLS = st.sampled_from([f"{API}/a", f"{API}/a?x=1", f"{PAGE}/same", "http://other.test/b", "file:///x.json"])
_ORIGINS = st.sampled_from([PAGE, "null", None, "http://other.test", "HTTP://APP.TEST:8080"])
_ACAO = st.sampled_from([PAGE, "*", "null", "", "app.test", PAGE + "/", f"{PAGE}, http://x.test", None])
_HEADER_NAMES = st.sampled_from(
    ["X-A", "Content-Type", "Authorization", "Accept", "Range", "Cookie", "Access-Control-Allow-Origin"]
)
_HEADER_VALUES = st.sampled_from(
    ["1", "application/json", "text/plain", "bytes=0-1", "Bearer x", "é" * 3, "a" * 200]
)


@st.composite
def _entries(draw: st.DrawFn) -> dict:
    method = draw(st.sampled_from(["GET", "POST", "PUT", "patch", "OPTIONS", "DELETE"]))
    req = dict(draw(st.lists(st.tuples(_HEADER_NAMES, _HEADER_VALUES), max_size=3)))
    resp: dict[str, str] = {}
    acao = draw(_ACAO)
    if acao is not None:
        resp["Access-Control-Allow-Origin"] = acao
    if draw(st.booleans()):
        resp["Access-Control-Allow-Credentials"] = draw(st.sampled_from(["true", "false", "TRUE"]))
    if method == "OPTIONS":
        req["Access-Control-Request-Method"] = draw(st.sampled_from(["PUT", "patch", "GET"]))
        if draw(st.booleans()):
            req["Access-Control-Request-Headers"] = draw(st.sampled_from(["x-a", "authorization,x-a", ""]))
        resp["Access-Control-Allow-Methods"] = draw(st.sampled_from(["PUT", "*", "GET PUT", ""]))
        resp["Access-Control-Allow-Headers"] = draw(st.sampled_from(["x-a", "*", "a; b", ""]))
    status = draw(st.sampled_from([0, -1, 200, 204, 301, 302, 401, 404, 500]))
    url = draw(_URLS)
    redirect = (
        draw(st.sampled_from(["", "http://other.test/b", "/rel", "http://u:p@x.test/"]))
        if 300 <= status < 400
        else ""
    )
    return entry(
        url,
        method,
        req=req,
        resp=resp,
        status=status,
        redirect=redirect,
        origin=draw(_ORIGINS),
        error=draw(
            st.sampled_from([None, "net::ERR_FAILED", "net::ERR_ABORTED", "net::ERR_CONNECTION_REFUSED"])
        ),
        rtype=draw(st.sampled_from(["fetch", "xhr", "preflight", "image", None])),
        ms=draw(st.integers(0, 20)),
        page=draw(st.sampled_from(["page_1", "page_2", None])),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_entries(), min_size=1, max_size=6), st.booleans())
def test_any_har_gives_well_formed_findings(entries: list[dict], chrome: bool) -> None:
    result = evaluate(exchanges(*entries), CHROME if chrome else FIREFOX)
    per_request = Counter(f.request.index for f in result.findings if f.is_error)
    assert all(n == 1 for n in per_request.values()), "at most one error per request"
    for f in result.findings:
        rule = RULES[f.rule]
        assert f.severity is rule.severity
        assert isinstance(f.messages.chrome, str) and f.messages.chrome
        if f.is_error and rule.is_cors and f.rule != "same-origin-mode":
            assert f.messages.chrome.startswith("Access to ")
            assert " has been blocked by CORS policy: " in f.messages.chrome
    assert len(set(result.pairs.values())) == len(result.pairs), "a preflight pairs with one request"

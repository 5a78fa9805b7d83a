"""What does not fix CORS: the fixed section, and notes when the traffic shows one was tried."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixes.factory import finding
from harcors.cors import evaluate
from harcors.fixes import DEV_ONLY_ALTERNATIVES, WHAT_DOES_NOT_FIX, attach_fixes, cors_proxy_host
from harcors.har import load_har

SAMPLES = Path(__file__).resolve().parents[2] / "sample_hars"


def test_what_does_not_fix_names_the_usual_attempts() -> None:
    attempts = ("Access-Control-Allow-Origin", "mode: 'no-cors'", "--disable-web-security", "cors-anywhere")
    for attempt in attempts:
        assert attempt in WHAT_DOES_NOT_FIX


def test_dev_only_alternatives_are_labelled_development_only() -> None:
    for tool in ("Vite", "server: { proxy:", "rewrites()", "Create React App", '"proxy"'):
        assert tool in DEV_ONLY_ALTERNATIVES
    assert "only in development" in DEV_ONLY_ALTERNATIVES


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://cors-anywhere.herokuapp.com/https://api.example.com/data", "cors-anywhere.herokuapp.com"),
        ("https://corsproxy.io/?https%3A%2F%2Fapi.example.com%2Fdata", "corsproxy.io"),
        ("https://api.allorigins.win/raw?url=https://api.example.com", "api.allorigins.win"),
        ("https://my-proxy.example.net/https://api.example.com/data", "my-proxy.example.net"),
        ("https://proxy.example.net/fetch?url=https://api.example.com", "proxy.example.net"),
        ("https://api.example.com/login?redirect=https://app.example.com/", None),
        ("https://api.example.com/v1/items", None),
    ],
)
def test_cors_proxy_urls(url: str, host: str | None) -> None:
    assert cors_proxy_host(url) == host


def test_finding_through_a_proxy_gets_a_note() -> None:
    f = finding("missing-allow-origin", url="https://cors-anywhere.herokuapp.com/https://api.example.com/x")
    (out,) = attach_fixes([f], [f.request])
    assert any("public CORS proxy" in n for n in out.notes)


def test_sample_where_the_page_sent_acao_gets_the_note_and_fixes() -> None:
    loaded = load_har(SAMPLES / "request-header-acao-set-by-client.har")
    findings = attach_fixes(evaluate(loaded.exchanges, loaded.info).findings, loaded.exchanges)
    errors = [f for f in findings if f.is_error]
    assert errors, "the sample's request is blocked"
    for f in errors:
        assert any("Access-Control-Allow-Origin" in n and "does not fix CORS" in n for n in f.notes)
        assert f.fixes and f.extras["stack_guess"].origin == f.request.target_origin
    client = [f for f in findings if f.rule == "acao-in-request"]
    assert client and client[0].fixes[0].stack == "any"


def test_no_cors_sample_gets_the_page_fix_then_the_server_fixes() -> None:
    loaded = load_har(SAMPLES / "fetch-no-cors-opaque.har")
    findings = attach_fixes(evaluate(loaded.exchanges, loaded.info).findings, loaded.exchanges)
    (opaque,) = [f for f in findings if f.rule == "no-cors-opaque"]
    assert opaque.fixes[0].stack == "any" and "mode: 'no-cors'" in opaque.fixes[0].code
    assert {x.stack for x in opaque.fixes[1:]} >= {"express", "nginx", "django"}


def test_attach_fixes_keeps_order_and_fills_every_finding() -> None:
    loaded = load_har(SAMPLES / "session-dashboard.har")
    findings = evaluate(loaded.exchanges, loaded.info).findings
    attached = attach_fixes(findings, loaded.exchanges)
    assert [(f.rule, f.request.index) for f in attached] == [(f.rule, f.request.index) for f in findings]
    assert all(f.fixes for f in attached)

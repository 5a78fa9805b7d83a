"""The values and the kind of fix read from real Chromium captures (sample_hars/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixes.factory import PAGE, finding
from harcors.cors import evaluate
from harcors.fixes import build_context, kind_of
from harcors.fixes.context import PLACEHOLDER_ORIGIN, generalize_path, public_url
from harcors.har import load_har

SAMPLES = Path(__file__).resolve().parents[2] / "sample_hars"


def errors_of(name: str):
    loaded = load_har(SAMPLES / f"{name}.har")
    found = [f for f in evaluate(loaded.exchanges, loaded.info).findings if f.is_error]
    assert found, f"{name}: the browser blocked a request here"
    return found


@pytest.mark.parametrize(
    ("sample", "kind"),
    [
        ("fetch-no-acao", "allow-origin"),
        ("fetch-acao-other-origin", "allow-origin"),
        ("fetch-acao-wildcard-credentials", "credentials"),
        ("fetch-credentials-no-acac", "credentials"),
        ("fetch-acao-two-values", "single-origin"),
        ("preflight-put-method-not-allowed", "method"),
        ("preflight-custom-header-not-allowed", "header"),
        ("preflight-401-with-acao", "preflight-auth"),  # Chrome: "does not have HTTP ok status"
        ("preflight-401-without-acao", "preflight-auth"),  # Chrome: "No 'Access-Control-Allow-Origin'"
        ("preflight-404", "preflight-route"),
        ("preflight-405", "preflight-route"),
        ("preflight-500", "preflight-route"),
        ("preflight-301-redirect", "redirect"),
        ("redirect-without-acao", "redirect"),
        ("error-500-without-cors-headers", "error-response"),
        ("error-404-without-cors-headers", "error-response"),
        ("request-header-acao-set-by-client", "client-header"),
    ],
)
def test_kind_follows_the_failing_response(sample: str, kind: str) -> None:
    assert {kind_of(f) for f in errors_of(sample)} == {kind}


def test_values_come_from_the_traffic() -> None:
    (f,) = errors_of("preflight-delete-method-not-allowed")
    ctx = build_context(f)
    assert ctx.origin == f.preflight.origin == f.page_origin and ctx.origin_from_traffic  # type: ignore[union-attr]
    assert ctx.request_method == "DELETE" and ctx.added_methods == ("DELETE",)
    allowed = f.preflight.response_headers.get("access-control-allow-methods")  # type: ignore[union-attr]
    assert [m.strip() for m in allowed.split(",")] == list(ctx.methods[: len(ctx.methods) - 1])
    assert ctx.stage == "preflight"


def test_redirect_location_and_status() -> None:
    (f,) = errors_of("preflight-301-redirect")
    ctx = build_context(f)
    assert ctx.status == 301 and ctx.location and ctx.location.endswith("/items/")


def test_sandboxed_page_origin_null_gets_the_placeholder() -> None:
    (f,) = errors_of("sandboxed-iframe-no-acao")
    ctx = build_context(f)
    assert ctx.seen_origin == "null" and ctx.origin == PLACEHOLDER_ORIGIN and not ctx.origin_from_traffic


def test_credentials_kept_when_the_server_already_sent_acac() -> None:
    answer = {"Access-Control-Allow-Origin": PAGE, "Access-Control-Allow-Credentials": "true",
              "Access-Control-Max-Age": "86400"}
    f = finding("method-not-allowed", method="PUT", preflight_status=204, preflight_response=answer)
    ctx = build_context(f)
    assert ctx.credentials and ctx.max_age == 7200  # Chromium's cap


def test_wildcards_are_never_carried_over() -> None:
    f = finding("header-not-allowed", method="PUT", headers=("Authorization",), preflight_status=204,
                preflight_response={"Access-Control-Allow-Origin": PAGE, "Access-Control-Allow-Methods": "*",
                                    "Access-Control-Allow-Headers": "*"})
    ctx = build_context(f)
    assert "*" not in ctx.methods and ctx.headers == ("authorization",)


@pytest.mark.parametrize(
    ("path", "route", "prefix"),
    [
        ("/api/items", "/api/items", "/api/"),
        ("/users/42/avatar", "/users/[id]/avatar", "/users/"),
        ("/files/3f2c1a9e-1b2c-4d5e-8f90-123456789abc", "/files/[id]", "/files/"),
        ("/api/preflight-301-redirect/x", "/api/preflight-301-redirect/x", "/api/preflight-301-redirect/"),
        ("/data", "/data", "/"),
    ],
)
def test_routes_hide_data_segments(path: str, route: str, prefix: str) -> None:
    assert generalize_path(path) == (route, prefix)


def test_public_url_drops_userinfo_query_and_tokens() -> None:
    url = "https://u:pw@api.test:8443/v1/keys/AbCdEf1234567890xyz?token=s#frag"
    assert public_url(url) == "https://api.test:8443/v1/keys/[id]"

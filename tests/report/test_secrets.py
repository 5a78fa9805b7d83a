"""Secrets planted in every place a HAR can hold them never reach any export format (issue 8)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from harcors.analysis import Analysis, analyze_file
from harcors.cors.model import Finding, Fix, Messages, Severity
from harcors.har.model import Exchange
from harcors.report.redact import REDACTED
from harcors.report.render import FORMATS, render

from .hars import entry, write_har

PAGE = "https://app.example.com"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkSnd0U3ViamVjdCJ9.UGxhbnRlZEp3dFNpZ25hdHVyZQ"

# Every secret is unique and alphanumeric, so a leak cannot hide behind escaping.
HEADER_SECRETS = {
    "Cookie": "sid=CookieSecret0001; theme=CookieSecret0002",
    "Authorization": "Bearer AuthzSecret0003",
    "Proxy-Authorization": "Basic ProxyAuthSecret0004",
    "X-Api-Key": "ApiKeySecret0005",
    "X-Auth-Token": "AuthTokenSecret0006",
    "X-Session-Token": "StarTokenSecret0007",
    "X-Client-Secret": "StarSecretSecret0008",
    "X-Signing-Key": "StarKeySecret0009",
    "X-CSRF-Token": "CsrfSecret0010",
    "X-Amz-Security-Token": "AmzTokenSecret0011",
    "X-Trace-Context": JWT,  # an innocent name, a JWT-shaped value
}
PARAM_SECRETS = {
    "token": "QpTokenSecret0101",
    "access_token": "QpAccessSecret0102",
    "id_token": "QpIdSecret0103",
    "refresh_token": "QpRefreshSecret0104",
    "key": "QpKeySecret0105",
    "api_key": "QpApiKeySecret0106",
    "apikey": "QpApikeySecret0107",
    "sig": "QpSigSecret0108",
    "signature": "QpSignatureSecret0109",
    "code": "QpCodeSecret0110",
    "password": "QpPasswordSecret0111",
    "secret": "QpSecretSecret0112",
    "X-Amz-Signature": "QpAmzSigSecret0113",
    "X-Amz-Credential": "QpAmzCredSecret0114",
}
URL_PASSWORD = "UrlPasswordSecret0201"
SET_COOKIE = "session=SetCookieSecret0301; Path=/; HttpOnly"
REFERER_TOKEN = "RefererTokenSecret0401"
LOCATION_TOKEN = "LocationTokenSecret0501"
BODY_SECRETS = ("RequestBodySecret0601", "ResponseBodySecret0602")

ALL_SECRETS = [
    "CookieSecret0001", "CookieSecret0002", *(v.split()[-1] for k, v in HEADER_SECRETS.items()
                                              if k not in ("Cookie", "X-Trace-Context")),
    JWT.split(".")[1], JWT.split(".")[2], *PARAM_SECRETS.values(), URL_PASSWORD,
    "SetCookieSecret0301", REFERER_TOKEN, LOCATION_TOKEN, *BODY_SECRETS,
]
SECRET_HEADER_NAMES = [n for n in HEADER_SECRETS if n != "X-Trace-Context"]

QUERY = "&".join(f"{k}={v}" for k, v in PARAM_SECRETS.items())
URL = f"https://carol:{URL_PASSWORD}@api.example.com/v1/orders/{JWT}/items?page=2&{QUERY}"


def _har(tmp_path: Path) -> Path:
    request_headers = [("Origin", PAGE), ("Referer", f"{PAGE}/checkout?token={REFERER_TOKEN}"),
                       ("Content-Type", "application/json"), *HEADER_SECRETS.items()]
    preflight = entry(
        "OPTIONS", URL,
        [("Origin", PAGE), ("Access-Control-Request-Method", "PUT"),
         ("Access-Control-Request-Headers", ",".join(n.lower() for n in HEADER_SECRETS))],
        [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "PUT"),
         ("Set-Cookie", SET_COOKIE), ("Location", f"https://api.example.com/login?token={LOCATION_TOKEN}")],
        204, resource_type="preflight", initiator={"type": "preflight", "url": URL},
    )
    actual = entry("PUT", URL, request_headers, [], 0, error="net::ERR_FAILED",
                   post_text=f'{{"card": "{BODY_SECRETS[0]}"}}', response_text=BODY_SECRETS[1])
    return write_har(tmp_path / "secrets.har", [preflight, actual])


def _curl(ex: Exchange) -> str:
    # The shape a curl repro takes: the URL and every header, as the HAR recorded them.
    headers = " ".join(f"-H '{n}: {v}'" for n, v in ex.request_headers)
    cookie = HEADER_SECRETS["Cookie"]
    return f"curl -i -X {ex.method} '{ex.url}' {headers} -b '{cookie}' -u carol:{URL_PASSWORD}"


def _planted_finding(pre: Exchange, req: Exchange) -> Finding:
    """A finding whose every text quotes the traffic verbatim, as an engine might."""
    return Finding(
        rule="wildcard-with-credentials",
        severity=Severity.ERROR,
        request=req,
        preflight=pre,
        messages=Messages(
            chrome=f"Access to fetch at '{URL}' from origin '{PAGE}' has been blocked by CORS policy: "
            "Response to preflight request doesn't pass access control check: The value of the "
            "'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the "
            "request's credentials mode is 'include'.",
            firefox=f"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
            f"resource at {URL}. (Reason: Credential is not supported if the CORS header "
            "‘Access-Control-Allow-Origin’ is ‘*’).",
            safari=f"Failed to load resource: Cannot load {URL} due to access control checks.",
        ),
        title="Access-Control-Allow-Origin is * on a request with credentials",
        explanation=f"The page sent Cookie {HEADER_SECRETS['Cookie']} and Authorization "
        f"{HEADER_SECRETS['Authorization']}, so the wildcard is refused.",
        page_origin=PAGE,
        credentials=True,
        failed_parameter="*",
        root_cause=f"The API at {URL} answers preflights with a fixed '*'.",
        notes=(f"Token {PARAM_SECRETS['token']} seen in the query.",),
        needed_headers=tuple(n.lower() for n in HEADER_SECRETS if n not in ("Cookie", "Authorization")),
        fixes=(
            Fix("express", "Echo the origin",
                f"// seen: {URL}\n// Authorization: {HEADER_SECRETS['Authorization']}\n"
                "app.use(cors({ origin: 'https://app.example.com', credentials: true }));", "js",
                notes=f"Test with X-Api-Key {HEADER_SECRETS['X-Api-Key']}."),
            Fix("nginx", "Echo the origin",
                f"# {URL}\nadd_header Access-Control-Allow-Origin $http_origin always;", "nginx"),
        ),
        curl=(_curl(pre), _curl(req)),
    )


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    analysis = analyze_file(_har(tmp_path_factory.mktemp("secrets")))
    pre, req = analysis.exchanges
    # Whatever the engine finds in this HAR is exported too, beside the hand-made finding.
    return dataclasses.replace(analysis, findings=[*analysis.findings, _planted_finding(pre, req)])


def _leaks(text: str) -> list[str]:
    plain = text.replace("\\", "")  # Markdown escapes punctuation; the secrets have none
    return [s for s in ALL_SECRETS if s in text or s in plain]


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_in_any_format(planted: Analysis, fmt: str) -> None:
    out = render([planted], fmt)
    assert _leaks(out) == []
    assert REDACTED in out or fmt == "table"


@pytest.mark.parametrize("fmt", ["md", "html", "json", "csv", "sarif"])
def test_header_names_stay_visible(planted: Analysis, fmt: str) -> None:
    out = render([planted], fmt)
    for name in SECRET_HEADER_NAMES:
        assert re.search(re.escape(name), out, re.IGNORECASE), name
    assert "Authorization: [redacted]" in out
    assert "token=[redacted]" in out.replace("\\", "")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_header_table_marks_presence(planted: Analysis, fmt: str) -> None:
    out = render([planted], fmt)
    cookie_row = "| sent | `Cookie` | `[redacted]` |" if fmt == "md" else \
        '<td class="name"><code>Cookie</code></td><td><code>[redacted]</code></td>'
    assert cookie_row in out


def test_bodies_are_never_exported(planted: Analysis) -> None:
    for fmt in FORMATS:
        out = render([planted], fmt, redact=False)
        assert not [s for s in BODY_SECRETS if s in out], fmt


def test_no_redact_keeps_everything_but_bodies(planted: Analysis) -> None:
    """The check above would notice a leak: without redaction the secrets are all there."""
    out = render([planted], "md", redact=False).replace("\\", "")
    missing = [s for s in ALL_SECRETS if s not in out and s not in BODY_SECRETS]
    assert missing == []

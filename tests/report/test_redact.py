"""Redaction building blocks: which names are secret, and how URLs, headers and commands are scrubbed."""

from __future__ import annotations

import pytest

from harcors.har.model import Headers
from harcors.report.redact import (
    REDACTED,
    Redactor,
    is_secret_header,
    is_secret_param,
    redact_curl,
    redact_text,
    redact_url,
)

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


@pytest.mark.parametrize("name", [
    "Cookie", "set-cookie", "Authorization", "Proxy-Authorization", "X-Api-Key", "x-auth-token",
    "X-Amz-Security-Token", "X-CSRF-Token", "x-xsrf-token", "X-Csrf", "my-client-secret", "X-Signing-Key",
    "X-Refresh-Token", "Api-Key", "X-Goog-Api-Key", "X-Authorization",
])
def test_secret_headers(name: str) -> None:
    assert is_secret_header(name)


@pytest.mark.parametrize("name", [
    "Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Headers",
    "Access-Control-Request-Headers", "Content-Type", "Vary", "X-Request-Id", "Sec-Fetch-Mode", "Accept",
    "Keyboard-Layout", "Monkey",
])
def test_ordinary_headers(name: str) -> None:
    assert not is_secret_header(name)


@pytest.mark.parametrize("name", [
    "token", "access_token", "id_token", "refresh_token", "key", "api_key", "apikey", "sig", "signature",
    "code", "password", "secret", "client_secret", "X-Amz-Signature", "X-Amz-Credential",
    "X-Amz-Security-Token", "pageToken", "x%2Damz%2Dsignature",
])
def test_secret_params(name: str) -> None:
    assert is_secret_param(name)


@pytest.mark.parametrize("name", ["page", "q", "keyword", "lang", "state", "monkey", "redirect_uri"])
def test_ordinary_params(name: str) -> None:
    assert not is_secret_param(name)


def test_url_keeps_names_and_shape() -> None:
    url = ("https://alice:hunter22@api.example.com/v1/x?page=2&access_token=abc&X-Amz-Signature=f00d"
           f"&q=ok&t={JWT}#id_token=zzz")
    assert redact_url(url) == (
        f"https://alice:{REDACTED}@api.example.com/v1/x?page=2&access_token={REDACTED}"
        f"&X-Amz-Signature={REDACTED}&q=ok&t={REDACTED}#id_token={REDACTED}"
    )


def test_url_without_secrets_is_unchanged() -> None:
    url = "https://api.example.com:8443/v1/items?page=2&sort=name"
    assert redact_url(url) == url
    assert redact_text(f"see http://auth:8080/x and {url}") == f"see http://auth:8080/x and {url}"


def test_text_redacts_urls_inside_messages() -> None:
    msg = ("Access to fetch at 'https://api.example.com/cb?code=4/0AbCd&state=xyz' from origin "
           "'https://app.example.com' has been blocked by CORS policy: "
           "No 'Access-Control-Allow-Origin' header")
    out = redact_text(msg)
    assert "4/0AbCd" not in out
    assert f"?code={REDACTED}&state=xyz'" in out
    assert out.endswith("No 'Access-Control-Allow-Origin' header")


def test_text_redacts_header_lines_but_not_cors_headers() -> None:
    acah = "Access-Control-Allow-Headers: authorization, x-api-key"
    text = f"Authorization: Bearer abc.def\n{acah}\nX-Api-Key: k-123"
    assert redact_text(text) == f"Authorization: {REDACTED}\n{acah}\nX-Api-Key: {REDACTED}"


def test_curl_credentials_and_bodies() -> None:
    cmd = ("curl -i 'https://api.example.com/x?key=K1' -H 'Origin: https://app.example.com' "
           "-H 'Authorization: Bearer t0k3n' -H \"Cookie: a=1; b=2\" -b 'sid=99' -u bob:pw "
           "--data-raw '{\"password\":\"p\"}' -H 'x-custom-token:zz'")
    out = redact_curl(cmd)
    for secret in ("K1", "t0k3n", "a=1", "sid=99", "bob:pw", '"password"', "zz"):
        assert secret not in out
    assert "-H 'Origin: https://app.example.com'" in out
    assert f"-H 'Authorization: {REDACTED}'" in out
    assert f'-H "Cookie: {REDACTED}"' in out
    assert f"--data-raw '{REDACTED}'" in out


def test_literal_secrets_are_scrubbed_anywhere() -> None:
    r = Redactor(["Bearer-less-value-9f8e", "abc"])  # "abc" is too short to scrub from free text
    assert r.text("the server saw Bearer-less-value-9f8e twice") == f"the server saw {REDACTED} twice"
    assert r.text("abc stays") == "abc stays"


def test_headers_keep_names_and_duplicates() -> None:
    h = Headers([("Cookie", "a=1"), ("Set-Cookie", "x=1; Path=/"), ("Set-Cookie", "y=2"),
                 ("Access-Control-Allow-Origin", "https://app.example.com"), ("Authorization", "")])
    out = list(Redactor().headers(h))
    assert out == [("Cookie", REDACTED), ("Set-Cookie", REDACTED), ("Set-Cookie", REDACTED),
                   ("Access-Control-Allow-Origin", "https://app.example.com"), ("Authorization", "")]


def test_jwt_anywhere() -> None:
    assert redact_text(f"X-Custom: {JWT} and /path/{JWT}/x") == f"X-Custom: {REDACTED} and /path/{REDACTED}/x"


def test_curl_values_with_shell_quoted_quotes() -> None:
    # shlex.quote("X-My-Token: ab'cd") is 'X-My-Token: ab'"'"'cd'; the whole value is the secret.
    import shlex

    cmd = "curl -H " + shlex.quote("X-My-Token: ab'cd'ef") + " -H 'X-Key: a'\\''b' -H 'Origin: https://a'"
    assert redact_curl(cmd) == f"curl -H 'X-My-Token: {REDACTED}' -H 'X-Key: {REDACTED}' -H 'Origin: https://a'"


def test_literal_index_prefers_the_longest_secret_and_odd_starts() -> None:
    r = Redactor(["abcdef", "abcdefghij", "'quoted secret'", *(f"other{i:05d}" for i in range(5000))])
    assert r.text("x=abcdefghij; y=abcdef; z='quoted secret'") == f"x={REDACTED}; y={REDACTED}; z={REDACTED}"
    # A secret is matched where a value starts, not in the middle of a longer word.
    assert r.text("xabcdef") == "xabcdef"
    assert r.text("other01234 other12345") == f"{REDACTED} other12345"  # only 5000 were planted

"""The Fetch standard's safelists and list syntax, edge cases included (harcors/cors/fetch.py)."""

from __future__ import annotations

import pytest

from harcors.cors import fetch
from harcors.har.model import Headers


@pytest.mark.parametrize(
    ("method", "safe"),
    [
        ("GET", True),
        ("HEAD", True),
        ("POST", True),
        ("post", True),
        ("PUT", False),
        ("DELETE", False),
        ("PATCH", False),
        ("patch", False),
        ("OPTIONS", False),
    ],
)
def test_safelisted_methods(method: str, safe: bool) -> None:
    assert fetch.is_safelisted_method(method) is safe


@pytest.mark.parametrize(
    ("method", "wire"),
    [
        ("put", "PUT"),
        ("delete", "DELETE"),
        ("patch", "patch"),
        ("Patch", "Patch"),
        ("get", "GET"),
    ],
)
def test_only_six_methods_are_normalized(method: str, wire: str) -> None:
    assert fetch.normalize_method(method) == wire


@pytest.mark.parametrize(
    ("name", "value", "safe"),
    [
        ("Content-Type", "text/plain", True),
        ("Content-Type", "text/plain;charset=UTF-8", True),
        ("content-type", "Multipart/Form-Data; boundary=abc", True),
        ("Content-Type", "application/x-www-form-urlencoded", True),
        ("Content-Type", "application/json", False),
        ("Content-Type", "text/html", False),
        ("Content-Type", 'text/plain; charset="utf-8"', False),  # '"' is a CORS-unsafe byte
        ("Content-Type", "text/plain(x)", False),
        ("Content-Type", "text", False),  # no subtype: not a MIME type
        ("Accept", "application/json, text/plain, */*", True),
        ("Accept", "text/html{}", False),
        ("Accept", "a" * 128, True),
        ("Accept", "a" * 129, False),  # 128-byte value limit
        ("Accept-Language", "en-US,en;q=0.9", True),
        ("Accept-Language", "en_US", False),  # '_' is not allowed
        ("Content-Language", "de-DE", True),
        ("Content-Language", "de/DE", False),
        ("Range", "bytes=0-499", True),
        ("Range", "bytes=500-", True),
        ("Range", "bytes=-500", False),  # suffix ranges are not simple
        ("Range", "bytes=0-1,5-6", False),
        ("Range", "bytes=9-1", False),
        ("X-Custom", "1", False),
        ("Authorization", "Bearer x", False),
        ("Save-Data", "on", True),
        ("Save-Data", "off", False),
    ],
)
def test_safelisted_request_headers(name: str, value: str, safe: bool) -> None:
    assert fetch.is_safelisted_header(name, value) is safe


def test_unsafe_names_are_sorted_lowercase_and_skip_forbidden() -> None:
    headers = [
        ("X-Zed", "1"),
        ("Content-Type", "application/json"),
        ("Accept", "*/*"),
        ("X-Alpha", "2"),
        ("User-Agent", "ua"),
        ("Sec-Fetch-Mode", "cors"),
        ("Origin", "http://a"),
        ("Proxy-Foo", "1"),
    ]
    assert fetch.unsafe_header_names(headers) == ["content-type", "x-alpha", "x-zed"]


def test_safelisted_values_over_1024_bytes_make_all_of_them_unsafe() -> None:
    small = [("Accept", "a" * 100), ("Accept-Language", "b" * 100)]
    assert fetch.unsafe_header_names(small) == []
    big = [("Accept", "a" * 128), ("Accept-Language", "b" * 128), ("Content-Language", "c" * 128)] + [
        ("Accept", "d" * 128) for _ in range(6)
    ]
    assert fetch.unsafe_header_names(big) == ["accept", "accept-language", "content-language"]


def test_page_set_headers_drop_browser_additions() -> None:
    wire = Headers(
        [
            (":authority", "api"),
            ("Host", "api"),
            ("Connection", "keep-alive"),
            ("sec-ch-ua", "x"),
            ("User-Agent", "ua"),
            ("Accept-Encoding", "gzip"),
            ("Referer", "http://a/"),
            ("priority", "u=1, i"),
            ("Pragma", "no-cache"),
            ("Cache-Control", "no-cache"),
            ("X-Request-Id", "42"),
            ("Accept", "*/*"),
        ]
    )
    assert [n for n, _ in fetch.page_set_headers(wire)] == ["X-Request-Id", "Accept"]
    # A page-set Cache-Control on its own counts: it triggers a preflight.
    own = Headers([("Cache-Control", "max-age=0")])
    assert fetch.unsafe_header_names(fetch.page_set_headers(own)) == ["cache-control"]


@pytest.mark.parametrize(
    ("value", "items", "bad"),
    [
        (None, [], None),
        ("GET, POST", ["GET", "POST"], None),
        ("GET,,POST, ", ["GET", "POST"], None),
        ("*", ["*"], None),
        ("GET POST", None, "GET POST"),
        ('x-a, "x-b"', None, '"x-b"'),
        ("x-a; x-b", None, "x-a; x-b"),
    ],
)
def test_allow_list_parsing(value: str | None, items: list[str] | None, bad: str | None) -> None:
    assert fetch.parse_allow_list(value) == (items, bad)


@pytest.mark.parametrize(
    ("status", "ok"),
    [
        (199, False),
        (200, True),
        (204, True),
        (299, True),
        (300, False),
        (304, False),
        (401, False),
        (0, False),
    ],
)
def test_ok_status(status: int, ok: bool) -> None:
    assert fetch.is_ok_status(status) is ok


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("https://app.example", True),
        ("http://127.0.0.1:8701/", True),
        ("HTTP://127.0.0.1:8701", True),
        ("app.example", False),
        ("*.example.com", False),
        ("https://", False),
        ("", False),
        ("foo:bar", True),
    ],
)
def test_acao_validity_as_chromium_sees_it(value: str, valid: bool) -> None:
    assert fetch.is_valid_url_for_chromium(value) is valid


def test_repeated_response_headers_are_joined_like_chromium() -> None:
    h = Headers([("Access-Control-Allow-Origin", "http://a"), ("access-control-allow-origin", " http://a ")])
    assert fetch.header_value(h, "Access-Control-Allow-Origin") == "http://a, http://a"
    assert fetch.header_value(h, "Access-Control-Allow-Methods") is None

"""The Fetch standard's CORS vocabulary, as Chromium implements it.

Pure functions over strings: which methods and request headers are CORS-safelisted, which headers
a page may not set, how the ``Access-Control-Allow-*`` lists parse, what an ok status is. Where
Chromium deviates from https://fetch.spec.whatwg.org/ the comment says so and Chromium wins,
because harcors reports what the browser did.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from harcors.har.model import Headers, lower_name, origin_of

# The same URLs come back thousands of times in a big HAR; urlsplit is the engine's hottest call.
origin = lru_cache(maxsize=65536)(origin_of)  # origin_of, cached

# https://fetch.spec.whatwg.org/#cors-safelisted-method
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})

# https://fetch.spec.whatwg.org/#concept-method-normalize: fetch() and XHR upper-case only these,
# so a page's "patch" goes on the wire (and into Chrome's messages) as "patch".
NORMALIZED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})

# https://fetch.spec.whatwg.org/#forbidden-request-header plus Chromium's own additions
# (net::HttpUtil::IsSafeHeader still forbids user-agent). The browser adds these itself; they never
# count towards a preflight.
FORBIDDEN_REQUEST_HEADERS = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "access-control-request-private-network",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "user-agent",
        "via",
    }
)
FORBIDDEN_PREFIXES = ("proxy-", "sec-", ":")  # ":" = HTTP/2 pseudo-headers in HAR exports

# Headers the browser's network stack adds after the CORS decision (so they are never part of
# Access-Control-Request-Headers) but that a HAR lists among the request headers: h2/h3 priority,
# the revalidation pair, Google's variations header, and the pair DevTools' "Disable cache" adds.
BROWSER_ADDED_HEADERS = frozenset(
    {
        "priority",
        "x-client-data",
        "if-none-match",
        "if-modified-since",
        "upgrade-insecure-requests",
        "purpose",
        "x-purpose",
    }
)

# Chromium treats these client hints as safelisted (services/network/public/cpp/cors/cors.cc).
_CHROMIUM_EXTRA_SAFE = frozenset(
    {
        "intervention",
        "device-memory",
        "dpr",
        "width",
        "viewport-width",
        "rtt",
        "downlink",
        "ect",
        "save-data",
    }
)

SAFELISTED_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)

# https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte
_UNSAFE_BYTES = frozenset(b'"():<>?@[\\]{}\x7f') | (frozenset(range(0x20)) - {0x09})
_LANGUAGE_BYTES = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz *,-.;=")
# The same sets as bytes for bytes.translate(None, delete), which tests a whole value in C.
_UNSAFE_DELETE = bytes(sorted(_UNSAFE_BYTES))
_LANGUAGE_DELETE = bytes(sorted(_LANGUAGE_BYTES))
_TCHAR = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 9110 token
_SIMPLE_RANGE = re.compile(r"^bytes=(\d+)-(\d+)?$")

SAFELIST_VALUE_LIMIT = 128  # bytes per header value
SAFELIST_TOTAL_LIMIT = 1024  # bytes over all safelisted values


def _has_unsafe_byte(raw: bytes) -> bool:
    return len(raw.translate(None, _UNSAFE_DELETE)) != len(raw)


def _bytes(value: str) -> bytes:
    # Header values are byte strings; HAR producers decode them as Latin-1 or UTF-8.
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace")


def is_safelisted_method(method: str) -> bool:
    """GET, HEAD or POST. Chromium compares upper-cased, so "post" is safelisted too."""
    return method.upper() in SAFELISTED_METHODS


def normalize_method(method: str) -> str:
    """What fetch()/XHR put on the wire for ``method``: only the six standard ones are upper-cased."""
    return method.upper() if method.upper() in NORMALIZED_METHODS else method


@lru_cache(maxsize=4096)
def is_forbidden_request_header(name: str) -> bool:
    lower = name.lower()
    return lower in FORBIDDEN_REQUEST_HEADERS or lower.startswith(FORBIDDEN_PREFIXES)


class _BrowserAdded(dict[str, bool]):
    """name -> set by the browser, never by the page (the name as the HAR spells it). A dict rather
    than an lru_cache because it is asked of every request header of every CORS request (hot)."""

    __slots__ = ()

    def __missing__(self, name: str) -> bool:
        if len(self) >= 4096:  # bounded, whatever the HAR holds
            self.clear()
        added = self[name] = is_forbidden_request_header(name) or name.lower() in BROWSER_ADDED_HEADERS
        return added


_browser_added = _BrowserAdded().__getitem__


def mime_essence(value: str) -> str | None:
    """The essence (type/subtype, lower-case) of a MIME type, or None if it does not parse."""
    essence = value.split(";", 1)[0].strip().lower()
    if "/" not in essence:
        return None
    kind, _, sub = essence.partition("/")
    if not _TCHAR.match(kind) or not _TCHAR.match(sub):
        return None
    return essence


# Names is_safelisted_header can say yes to (save-data is among Chromium's client hints).
_SAFELIST_CANDIDATES = _CHROMIUM_EXTRA_SAFE | {
    "accept",
    "accept-language",
    "content-language",
    "content-type",
    "range",
}


def is_safelisted_header(name: str, value: str) -> bool:
    """https://fetch.spec.whatwg.org/#cors-safelisted-request-header, with Chromium's client hints."""
    lower = lower_name(name)
    if lower not in _SAFELIST_CANDIDATES:
        return False  # hot: most headers a page sets (X-*, Authorization) are not even candidates
    raw = _bytes(value)
    if len(raw) > SAFELIST_VALUE_LIMIT:
        return False
    if lower == "accept":
        return not _has_unsafe_byte(raw)
    if lower in ("accept-language", "content-language"):
        return not raw.translate(None, _LANGUAGE_DELETE)  # nothing but language bytes
    if lower == "content-type":
        if _has_unsafe_byte(raw):
            return False
        return mime_essence(value) in SAFELISTED_CONTENT_TYPES
    if lower == "range":
        # https://fetch.spec.whatwg.org/#simple-range-header-value: one "bytes=N-" or "bytes=N-M" range.
        m = _SIMPLE_RANGE.match(value)
        return bool(m) and (m.group(2) is None or int(m.group(1)) <= int(m.group(2)))
    if lower == "save-data":
        return value.lower() == "on"
    return lower in _CHROMIUM_EXTRA_SAFE


@lru_cache(maxsize=4096)
def _safelisted_size(lower: str, value: str) -> int | None:
    """What a header that may be safelisted adds to the safelisted total (its size in bytes), or None
    when it is not. Cached: a HAR repeats the same Accept and Content-Type lines on thousands of
    requests (only these candidates' values are kept, never an Authorization or a custom header's)."""
    return len(_bytes(value)) if is_safelisted_header(lower, value) else None


def unsafe_header_names(headers: Iterable[tuple[str, str]]) -> list[str]:
    """https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names, sorted and lower-case.

    ``headers`` are the ones the page set; forbidden names are skipped, as Chromium skips them. When
    the safelisted values add up to more than 1024 bytes, they all become unsafe.
    """
    unsafe: set[str] = set()
    safe: set[str] = set()
    total = 0
    for name, value in headers:  # hot: every header the page set, on every CORS request
        lower = lower_name(name)
        if lower in _SAFELIST_CANDIDATES:  # never a forbidden name
            size = _safelisted_size(lower, value)
            if size is None:
                unsafe.add(lower)
            else:
                safe.add(lower)
                total += size
        elif not is_forbidden_request_header(lower):
            unsafe.add(lower)  # is_safelisted_header says no to any other name
    if total > SAFELIST_TOTAL_LIMIT:
        unsafe |= safe
    return sorted(unsafe)


def page_set_headers(request_headers: Headers) -> list[tuple[str, str]]:
    """The request headers the page itself probably set, from a HAR's (wire) request headers.

    A HAR lists what went on the wire, so browser-added headers are removed: forbidden names,
    network-stack additions, and the ``Cache-Control``/``Pragma: no-cache`` pair DevTools adds
    when "Disable cache" is ticked.
    """
    # Hot: every header of every CORS request.
    out = [pair for pair in request_headers if not _browser_added(pair[0])]  # the loader's shared pairs
    if len(out) >= 2:
        # The last line of each name decides, as a dict of all of them would.
        last = {lower: v for n, v in out if (lower := lower_name(n)) in _DISABLE_CACHE_PAIR}
        if len(last) == 2 and all(v.lower() == "no-cache" for v in last.values()):
            out = [(n, v) for n, v in out if lower_name(n) not in _DISABLE_CACHE_PAIR]
    return out


_DISABLE_CACHE_PAIR = frozenset({"pragma", "cache-control"})


def parse_request_headers_list(value: str | None) -> list[str]:
    """``Access-Control-Request-Headers`` as sorted lower-case names."""
    if not value:
        return []
    return list(_request_headers_list(value))


@lru_cache(maxsize=4096)
def _request_headers_list(value: str) -> tuple[str, ...]:
    # Cached: a page sends the same few Access-Control-Request-Headers values on every preflight.
    return tuple(sorted({item.strip().lower() for item in value.split(",") if item.strip()}))


def parse_allow_list(value: str | None) -> tuple[list[str] | None, str | None]:
    """Parse an ``Access-Control-Allow-Methods``/``-Headers`` value (#http-new-header-syntax).

    Returns ``(items, None)``; ``([], None)`` when absent; ``(None, bad_item)`` when an item is not an
    HTTP token, which Chromium reports as "Cannot parse ...". Empty items are skipped, as Chromium's
    ValuesIterator skips them.
    """
    if value is None:
        return [], None
    items, bad = _allow_list(value)
    return (None, bad) if items is None else (list(items), None)


@lru_cache(maxsize=4096)
def _allow_list(value: str) -> tuple[tuple[str, ...] | None, str | None]:
    # Cached: a server answers every preflight with the same few lists.
    items = []
    for part in value.split(","):
        item = part.strip(" \t")
        if not item:
            continue
        if not _TCHAR.match(item):
            return None, item
        items.append(item)
    return tuple(items), None


def is_ok_status(status: int) -> bool:
    """https://fetch.spec.whatwg.org/#ok-status: 200 to 299."""
    return 200 <= status <= 299


def is_redirect_status(status: int) -> bool:
    return status in (301, 302, 303, 307, 308)


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):(.*)$", re.S)
_SPECIAL = frozenset({"http", "https", "ws", "wss", "ftp", "file"})


def is_valid_url_for_chromium(value: str) -> bool:
    """Roughly ``GURL(value).is_valid()``: what Chromium uses to tell kInvalidAllowOriginValue from
    kAllowOriginMismatch. A scheme is required; special schemes need a host."""
    m = _SCHEME.match(value)
    if not m:
        return False
    scheme, rest = m.group(1).lower(), m.group(2)
    if scheme not in _SPECIAL:
        return True
    rest = rest.lstrip("/\\")
    host = re.split(r"[/\\?#]", rest, maxsplit=1)[0].rpartition("@")[2]
    if host.startswith("["):
        return host.find("]") > 1
    host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if scheme == "file":
        return True
    return bool(host) and not any(c in host for c in ' <>^|%"')


def header_value(headers: Headers, name: str) -> str | None:
    """A response header as Chromium reads it: repeated lines joined with ", ", whitespace trimmed."""
    values = headers.get_all(name)
    if not values:
        return None
    if len(values) == 1:  # hot: nearly always one line
        return values[0].strip(" \t")
    return ", ".join(v.strip(" \t") for v in values)

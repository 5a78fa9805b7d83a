"""Turn one decoded HAR entry (a dict) into an :class:`Exchange`, tolerating every producer's quirks.

haralyzer's ``HarEntry`` is not used here: its accessors index with ``[]`` and raise KeyError on
fields that real producers omit (``serverIPAddress``, ``pageref``, ``connection``, ``content.text``),
and it keeps only the first of repeated headers, which hides duplicated CORS headers.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from harcors.har.model import Exchange, Headers, Initiator


class EntryError(ValueError):
    """An entry that cannot be understood; the message says what is wrong with it."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float, bool)):
        return str(value)
    return ""


def _int(value: Any, default: int = 0) -> int:
    """Numbers in third-party HARs are not always numbers ("200", "error", 200.0, null)."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else default
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return default
        return int(number) if math.isfinite(number) else default  # "1e999", "nan"
    return default


def _float(value: Any, default: float = 0.0) -> float:
    if isinstance(value, bool):
        return default
    if isinstance(value, (int, float)):
        f = float(value)
        return f if math.isfinite(f) else default
    return default


def parse_time(value: Any) -> float | None:
    """ISO 8601 start time to epoch seconds: Chrome's ``Z``, Firefox's local offset, mitmproxy's µs."""
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if dt.tzinfo is None:  # no offset given: the HAR spec says ISO 8601; treat as UTC
        from datetime import UTC

        dt = dt.replace(tzinfo=UTC)
    try:
        return dt.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def headers_from(raw: Any) -> Headers:
    """A HAR header list ``[{"name", "value"}]``; malformed items are dropped, values coerced to text."""
    if not isinstance(raw, list):
        return Headers()
    pairs = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name:
            continue
        pairs.append((name, _text(item.get("value"))))
    return Headers(pairs)


def without_part_headers(headers: Headers, post_mime: str | None) -> Headers:
    """Drop the multipart part headers Firefox appends to ``request.headers``.

    Firefox's HAR builder adds each body part's ``Content-Disposition`` and ``Content-Type`` to the
    request's headers. They were never sent, and would look like a non-safelisted Content-Type and a
    custom header to the CORS checks. Browsers do not send Content-Disposition on requests.
    """
    if not (post_mime and post_mime.lower().startswith("multipart/") and "content-disposition" in headers):
        return headers
    kept = []
    seen_type = False
    for name, value in headers:
        lower = name.lower()
        if lower == "content-disposition":
            continue
        if lower == "content-type":
            if seen_type or not value.lower().startswith("multipart/"):
                continue
            seen_type = True
        kept.append((name, value))
    return Headers(kept)


# Sec-Fetch-Dest → DevTools resource type, for HARs that do not carry _resourceType (Firefox, Safari,
# proxies). "empty" is fetch()/XHR/beacon; X-Requested-With tells XHR apart where libraries send it.
_DEST_TYPES = {
    "document": "document", "iframe": "document", "frame": "document",
    "script": "script", "serviceworker": "script", "sharedworker": "script", "worker": "script",
    "style": "stylesheet", "image": "image", "font": "font", "audio": "media", "video": "media",
    "track": "texttrack", "manifest": "manifest", "report": "csp-violation-report",
}


def infer_resource_type(method: str, req: Headers, response_mime: str | None) -> str:
    if method == "OPTIONS" and "access-control-request-method" in req:
        return "preflight"
    if (req.get("x-requested-with") or "").lower() == "xmlhttprequest":
        return "xhr"
    dest = (req.get("sec-fetch-dest") or "").lower()
    if dest == "empty":
        mode = (req.get("sec-fetch-mode") or "").lower()
        return "fetch" if mode in ("cors", "no-cors", "same-origin", "") else "other"
    if dest in _DEST_TYPES:
        return _DEST_TYPES[dest]
    accept = (req.get("accept") or "").lower()
    mime = (response_mime or "").lower()
    if accept.startswith("text/html") or mime.startswith("text/html"):
        return "document"
    if accept.startswith("text/css") or mime == "text/css":
        return "stylesheet"
    if accept.startswith("image/") or mime.startswith("image/"):
        return "image"
    if "javascript" in mime or "ecmascript" in mime:
        return "script"
    if "origin" in req or "json" in accept or "json" in mime:
        return "fetch"
    return "other"


def chrome_har_initiator(raw: Any, kind: Any, detail: Any) -> Initiator | None:
    """The initiator as the npm package chrome-har writes it.

    ``_initiator`` is the initiator's URL as a string (absent for preflights), ``_initiator_type`` the
    CDP type, and ``_initiator_detail`` the whole CDP initiator serialized as a JSON *string*; for a
    preflight only the detail holds the URL of the request it belongs to.
    """
    url = raw if isinstance(raw, str) and raw else None
    kind = kind if isinstance(kind, str) and kind else None
    request_id = None
    if isinstance(detail, str) and detail and (url is None or kind == "preflight") and len(detail) <= 1 << 20:
        try:
            parsed = json.loads(detail)
        except (ValueError, RecursionError):
            parsed = None
        if isinstance(parsed, dict):
            if kind is None and isinstance(parsed.get("type"), str) and parsed["type"]:
                kind = parsed["type"]
            if isinstance(parsed.get("url"), str) and parsed["url"]:
                url = parsed["url"]
            request_id = _text(parsed.get("requestId")) or None
    if url is None and kind is None:
        return None
    return Initiator(type=kind or "other", url=url, request_id=request_id)


def _initiator(entry: dict[str, Any]) -> Initiator | None:
    raw = entry.get("_initiator")
    if isinstance(raw, dict):
        return Initiator(
            type=_text(raw.get("type")) or "other",
            url=raw.get("url") if isinstance(raw.get("url"), str) else None,
            request_id=_text(raw.get("requestId")) or None,
        )
    return chrome_har_initiator(raw, entry.get("_initiator_type"), entry.get("_initiator_detail"))


def exchange_from_entry(index: int, entry: Any) -> Exchange:
    """Build the Exchange for entry ``index``; raises :class:`EntryError` naming what is wrong."""
    if not isinstance(entry, dict):
        raise EntryError(f"entry is a {type(entry).__name__}, not an object")
    request = entry.get("request")
    if not isinstance(request, dict):
        raise EntryError("entry has no 'request' object")
    method = request.get("method")
    url = request.get("url")
    if not isinstance(method, str) or not method:
        raise EntryError("request.method is missing or not a string")
    if not isinstance(url, str) or not url:
        raise EntryError("request.url is missing or not a string")
    response = entry.get("response")
    if not isinstance(response, dict):
        response = {}  # Some tools write null for requests that never got an answer.
    resp_headers = headers_from(response.get("headers"))
    content = response.get("content") if isinstance(response.get("content"), dict) else {}
    response_mime = content.get("mimeType") if isinstance(content.get("mimeType"), str) else None
    post = request.get("postData")
    request_mime = None
    if isinstance(post, dict):
        request_mime = post.get("mimeType") if isinstance(post.get("mimeType"), str) else None
    req_headers = without_part_headers(headers_from(request.get("headers")), request_mime)

    raw_type = entry.get("_resourceType")
    if isinstance(raw_type, str) and raw_type:
        resource_type, inferred = raw_type.lower(), False
    else:
        resource_type, inferred = infer_resource_type(method.upper(), req_headers, response_mime), True

    error = response.get("_error")
    if not isinstance(error, str) or not error:
        error = response.get("_failureText")  # Playwright
    if not isinstance(error, str) or not error:
        error = entry.get("_error") if isinstance(entry.get("_error"), str) else None

    redirect = _text(response.get("redirectURL")) or ""
    status = _int(response.get("status"), 0)
    if not redirect and 300 <= status < 400:
        redirect = resp_headers.get("location") or ""

    from_cache = entry.get("_fromCache")
    return Exchange(
        index=index,
        started=parse_time(entry.get("startedDateTime")),
        # Kept as written: fetch() normalizes only DELETE/GET/HEAD/OPTIONS/POST/PUT, so a page's
        # "patch" stays lower-case on the wire and in Chrome's message.
        method=method,
        url=url,
        request_headers=req_headers,
        response_headers=resp_headers,
        status=status,
        status_text=_text(response.get("statusText")),
        resource_type=resource_type,
        resource_type_inferred=inferred,
        initiator=_initiator(entry),
        error=error or None,
        redirect_url=redirect,
        server_ip=_text(entry.get("serverIPAddress")),
        pageref=entry.get("pageref") if isinstance(entry.get("pageref"), str) else None,
        http_version=_text(response.get("httpVersion")) or _text(request.get("httpVersion")),
        time_ms=_float(entry.get("time")),
        has_body=isinstance(post, dict),
        request_mime=request_mime,
        response_mime=response_mime,
        from_cache=from_cache if isinstance(from_cache, str) else None,
    )

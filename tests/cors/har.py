"""Small hand-made HAR entries in the Chrome DevTools export shape, turned into Exchanges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from harcors.cors import CorsResult, evaluate
from harcors.har.convert import exchange_from_entry
from harcors.har.model import Exchange, HarInfo

PAGE = "http://app.test:8080"
API = "http://api.test:9090"
_T0 = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)


def _hs(headers: dict[str, str] | list[tuple[str, str]] | None) -> list[dict[str, str]]:
    items = headers.items() if isinstance(headers, dict) else (headers or [])
    return [{"name": k, "value": v} for k, v in items]


def entry(
    url: str,
    method: str = "GET",
    *,
    req: dict[str, str] | list[tuple[str, str]] | None = None,
    resp: dict[str, str] | list[tuple[str, str]] | None = None,
    status: int = 200,
    error: str | None = None,
    rtype: str | None = "fetch",
    ms: int = 0,
    origin: str | None = PAGE,
    initiator: dict[str, Any] | None = None,
    redirect: str = "",
    page: str | None = "page_1",
) -> dict[str, Any]:
    """One HAR entry; ``origin`` adds an Origin request header (None: leave it out)."""
    rh = _hs(req)
    if origin is not None and not any(h["name"].lower() == "origin" for h in rh):
        rh.append({"name": "Origin", "value": origin})
    e: dict[str, Any] = {
        "startedDateTime": (_T0 + timedelta(milliseconds=ms)).isoformat().replace("+00:00", "Z"),
        "time": 1.0,
        "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": rh},
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "headers": _hs(resp),
            "redirectURL": redirect,
            "content": {"size": 0, "mimeType": "x-unknown"},
            "_error": error,
        },
    }
    if rtype is not None:
        e["_resourceType"] = rtype
    if initiator is not None:
        e["_initiator"] = initiator
    if page is not None:
        e["pageref"] = page
    return e


def preflight(
    url: str,
    method: str,
    headers: str | None = None,
    *,
    resp: dict[str, str] | list | None = None,
    status: int = 204,
    ms: int = 1,
    origin: str = PAGE,
    error: str | None = None,
    rtype: str = "preflight",
) -> dict[str, Any]:
    req = {"Access-Control-Request-Method": method, "Accept": "*/*"}
    if headers:
        req["Access-Control-Request-Headers"] = headers
    return entry(
        url,
        "OPTIONS",
        req=req,
        resp=resp,
        status=status,
        ms=ms,
        origin=origin,
        error=error,
        rtype=rtype,
        initiator={"type": "preflight", "url": url, "requestId": "1.2"},
    )


def blocked(
    url: str,
    method: str = "GET",
    *,
    req: dict[str, str] | None = None,
    ms: int = 0,
    rtype: str = "fetch",
    origin: str | None = PAGE,
) -> dict[str, Any]:
    """A request Chrome blocked before sending it (its preflight failed)."""
    return entry(url, method, req=req, status=0, error="net::ERR_FAILED", ms=ms, rtype=rtype, origin=origin)


def exchanges(*entries: dict[str, Any]) -> list[Exchange]:
    return [exchange_from_entry(i, e) for i, e in enumerate(entries)]


CHROME = HarInfo(path="test.har", version="1.2", creator="WebInspector", creator_version="537.36")
FIREFOX = HarInfo(path="test.har", version="1.1", creator="Firefox", creator_version="153.0")


def run(*entries: dict[str, Any], info: HarInfo | None = CHROME) -> CorsResult:
    return evaluate(exchanges(*entries), info)


def errors(result: CorsResult) -> list:
    return [f for f in result.findings if f.is_error]


def warnings(result: CorsResult) -> list:
    return [f for f in result.findings if not f.is_error]

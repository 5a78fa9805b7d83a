"""Hand-made findings for the fix tests: one request (and its preflight) as a browser would log it."""

from __future__ import annotations

from harcors.cors.model import Finding, Messages, Severity
from harcors.har.model import Exchange, Headers, Initiator

PAGE = "http://localhost:5173"
API = "http://api.test:8000"


def exchange(
    method: str,
    url: str,
    request: dict[str, str] | list[tuple[str, str]] | None = None,
    response: dict[str, str] | list[tuple[str, str]] | None = None,
    status: int = 200,
    *,
    index: int = 0,
    preflight: bool = False,
    redirect_url: str = "",
) -> Exchange:
    def headers(h: dict[str, str] | list[tuple[str, str]] | None) -> Headers:
        return Headers(list(h.items()) if isinstance(h, dict) else list(h or []))

    return Exchange(
        index=index,
        started=None,
        method=method,
        url=url,
        request_headers=headers(request),
        response_headers=headers(response),
        status=status,
        resource_type="preflight" if preflight else "fetch",
        initiator=Initiator("preflight", url) if preflight else Initiator("script"),
        redirect_url=redirect_url,
    )


def finding(
    rule: str,
    *,
    method: str = "GET",
    url: str = f"{API}/api/items",
    origin: str = PAGE,
    headers: tuple[str, ...] = (),
    credentials: bool = False,
    status: int = 200,
    response: dict[str, str] | list[tuple[str, str]] | None = None,
    preflight_status: int | None = None,
    preflight_response: dict[str, str] | list[tuple[str, str]] | None = None,
    redirect_url: str = "",
    severity: Severity = Severity.ERROR,
    request_extra: dict[str, str] | None = None,
) -> Finding:
    """A finding for ``rule``; with ``preflight_status`` the request had a preflight answered so."""
    req_headers = {"Origin": origin, **{h: "1" for h in headers}, **(request_extra or {})}
    if credentials:
        req_headers["Cookie"] = "session=1"
    pre = None
    if preflight_status is not None:
        pre_req = {"Origin": origin, "Access-Control-Request-Method": method}
        if headers:
            pre_req["Access-Control-Request-Headers"] = ",".join(h.lower() for h in headers)
        pre = exchange(
            "OPTIONS", url, pre_req, preflight_response, preflight_status, index=1, preflight=True,
            redirect_url=redirect_url if 300 <= preflight_status < 400 else "",
        )
    request = exchange(
        method, url, req_headers, response, status, index=2,
        redirect_url=redirect_url if 300 <= status < 400 else "",
    )
    return Finding(
        rule=rule,
        severity=severity,
        request=request,
        preflight=pre,
        messages=Messages(chrome=f"(test) {rule}"),
        title=rule,
        explanation="",
        page_origin=origin,
        credentials=credentials,
        needed_headers=tuple(h.lower() for h in headers),
    )

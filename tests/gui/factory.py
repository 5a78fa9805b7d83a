"""Build Exchanges and Findings directly, for tests that need exact control over the rows."""

from __future__ import annotations

from harcors.cors.model import Finding, Fix, Messages, Severity
from harcors.har.model import Exchange, Headers

PAGE = "https://app.example.com"


def exchange(index: int, method: str = "GET", url: str = "https://api.example.com/v1/items",
             status: int = 200, resource_type: str = "fetch", request_headers=(), response_headers=(),
             **extra) -> Exchange:
    return Exchange(
        index=index, started=None, method=method, url=url,
        request_headers=Headers(request_headers or [("Origin", PAGE)]),
        response_headers=Headers(response_headers), status=status, resource_type=resource_type, **extra,
    )


def preflight(index: int, url: str = "https://api.example.com/v1/items", method: str = "PUT",
              response_headers=(("Access-Control-Allow-Origin", PAGE),
                                ("Access-Control-Allow-Methods", "GET, POST")),
              status: int = 204) -> Exchange:
    return exchange(index, "OPTIONS", url, status, "preflight",
                    [("Origin", PAGE), ("Access-Control-Request-Method", method)], response_headers)


def finding(request: Exchange, rule: str = "missing-allow-origin", severity: Severity = Severity.ERROR,
            pre: Exchange | None = None, chrome: str | None = None, firefox: str | None = None,
            safari: str | None = None, fixes=(), failed_parameter: str | None = None,
            initiator: str = "fetch", **extra) -> Finding:
    if chrome is None:
        chrome = (f"Access to {initiator} at '{request.url}' from origin '{PAGE}' has been blocked by CORS "
                  "policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.")
    return Finding(
        rule=rule, severity=severity, request=request, preflight=pre,
        messages=Messages(chrome=chrome, firefox=firefox, safari=safari),
        title=f"title of {rule}", explanation=f"explanation of {rule}", page_origin=PAGE,
        initiator=initiator, failed_parameter=failed_parameter, fixes=tuple(fixes),
        curl=(f"curl -i '{request.url}' -H 'Origin: {PAGE}'",), **extra,
    )


def fix(stack: str, code: str = "code") -> Fix:
    return Fix(stack=stack, title=f"Fix it in {stack}", code=f"{code} for {stack}", language="text")

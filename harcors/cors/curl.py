"""curl commands that replay a failing exchange outside the browser, to see the server's CORS headers."""

from __future__ import annotations

import shlex

from harcors.cors import fetch
from harcors.har.model import Exchange

# Replaced by a placeholder: a reproduction needs the header, not the user's secret.
_SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "x-api-key", "x-auth-token"}


def _h(name: str, value: str) -> str:
    return "-H " + shlex.quote(f"{name}: {value}")


def preflight_command(url: str, origin: str, method: str, header_names: list[str] | tuple[str, ...]) -> str:
    """The OPTIONS request the browser sends before ``method`` with ``header_names``."""
    parts = [
        "curl -i -X OPTIONS",
        shlex.quote(url),
        _h("Origin", origin),
        _h("Access-Control-Request-Method", method),
    ]
    if header_names:
        parts.append(_h("Access-Control-Request-Headers", ",".join(sorted(header_names))))
    return " ".join(parts)


def _placeholder(name: str, value: str) -> str:
    if name.lower() == "authorization":
        scheme = value.split(" ", 1)[0] if " " in value else ""
        return f"{scheme} <token>" if scheme else "<token>"
    return "<redacted>"


def actual_command(
    request: Exchange, origin: str, credentials: bool, header_names: list[str] | tuple[str, ...] = ()
) -> str:
    """The actual request: its method, the Origin, Content-Type and the non-safelisted headers the
    page set (browser defaults such as Accept-Language are left out: they change nothing for CORS)."""
    relevant = {n.lower() for n in header_names} | {"content-type"}
    method = request.method
    parts = ["curl -i"]
    if method.upper() not in ("GET",):
        parts.append("-X " + shlex.quote(method))
    parts.append(shlex.quote(request.url))
    parts.append(_h("Origin", origin))
    for name, value in fetch.page_set_headers(request.request_headers):
        if name.lower() not in relevant:
            continue
        if name.lower() in _SECRET_HEADERS:
            value = _placeholder(name, value)
        parts.append(_h(name, value))
    if credentials and "cookie" not in request.request_headers:
        parts.append(_h("Cookie", "<the user's cookies>"))
    if request.has_body and method.upper() not in ("GET", "HEAD"):
        parts.append("--data-raw " + shlex.quote("<request body>"))
    return " ".join(parts)

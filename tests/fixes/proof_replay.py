"""Replay a failing request against a live server and let harcors' engine judge the answers.

The replay sends what the browser would: the preflight (when the request needs one) with the same
Origin, method and header names, then the request itself. The answers become Exchanges and go
through ``harcors.cors.evaluate`` as a verdict-less HAR (like a proxy capture), so the engine runs
every Fetch check itself instead of trusting a browser verdict.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from harcors.cors import evaluate
from harcors.cors.model import Finding, Severity
from harcors.fixes import SERVER_KINDS, kind_of
from harcors.fixes.context import build_context
from harcors.har.model import Exchange, HarInfo, Headers, Initiator

# Request-header values a page would send for these names; anything else gets a token.
_SAMPLE_VALUES = {
    "content-type": "application/json",
    "authorization": "Bearer proof-token",
    "accept": "application/json",
}
_SAFELISTED_METHODS = ("GET", "HEAD", "POST")
# What the proof cannot replay: the page or the browser must change, not the server.
NOT_SERVER_FIXABLE = ("private-network",)


@dataclass(frozen=True, slots=True)
class Scenario:
    """What to replay, and how the app behind the CORS layer behaves (as the HAR showed)."""

    name: str
    rule: str
    kind: str
    origin: str
    method: str
    path: str  # the path to call: for a redirect, where it pointed (the fix says to call that)
    headers: tuple[str, ...]  # non-safelisted request header names, lower case
    credentials: bool
    preflight: bool
    status: int  # what the app answers the actual request
    auth: bool  # the app rejects requests without credentials (preflight was 401/403)

    @property
    def crash(self) -> bool:
        return self.status >= 500

    def app_key(self) -> tuple[object, ...]:
        """Servers are shared by scenarios whose app behaves the same and whose fix renders the same."""
        return (self.path, self.status, self.auth, self.method)


def scenario_for(finding: Finding, name: str) -> Scenario | None:
    """The replay for an error finding, or None when no server change can fix it."""
    if finding.severity is not Severity.ERROR:
        return None
    kind = kind_of(finding)
    ctx = build_context(finding)
    if kind not in SERVER_KINDS or kind in NOT_SERVER_FIXABLE:
        return None
    method = ctx.request_method
    headers = tuple(sorted({h.lower() for h in _needed(finding)}))
    status = ctx.status if kind == "error-response" else 200
    preflight = finding.preflight is not None or method not in _SAFELISTED_METHODS or bool(headers)
    return Scenario(
        name=name,
        rule=finding.rule,
        kind=kind,
        origin=ctx.origin,
        method=method,
        path=_real_path(finding, kind),
        headers=headers,
        credentials=ctx.credentials,
        preflight=preflight,
        status=status,
        auth=kind == "preflight-auth",
    )


def _real_path(finding: Finding, kind: str) -> str:
    """The path the page calls once fixed: where a redirect pointed, else the request's own."""
    url = finding.request.url
    if kind == "redirect":
        for ex in (finding.preflight, finding.request):
            target = ex.redirect_url or ex.response_headers.get("location") if ex is not None else None
            if target:
                url = urljoin(ex.url, target)  # type: ignore[union-attr]
                break
    return urlsplit(url).path or "/"


def _needed(finding: Finding) -> tuple[str, ...]:
    if finding.needed_headers:
        return finding.needed_headers
    if finding.preflight is not None:
        raw = finding.preflight.request_headers.get("access-control-request-headers") or ""
        return tuple(h.strip() for h in raw.split(",") if h.strip())
    return ()


def _send(
    port: int, method: str, path: str, headers: list[tuple[str, str]], body: bytes | None
) -> tuple[int, str, Headers]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        resp.read()
        return resp.status, resp.reason, Headers(resp.getheaders())
    finally:
        conn.close()


def replay(scenario: Scenario, port: int) -> list[Exchange]:
    """Send the preflight (if needed) and the request; the answers as Exchanges."""
    base = f"http://127.0.0.1:{port}"
    url = base + scenario.path
    common = [("Origin", scenario.origin), ("Sec-Fetch-Mode", "cors"), ("User-Agent", "harcors-proof")]
    exchanges: list[Exchange] = []
    now = time.time()
    if scenario.preflight:
        pre_headers = [*common, ("Access-Control-Request-Method", scenario.method)]
        if scenario.headers:
            # As Chromium sends it: sorted, lower-case, comma-separated without spaces.
            pre_headers.append(("Access-Control-Request-Headers", ",".join(scenario.headers)))
        status, reason, resp = _send(port, "OPTIONS", scenario.path, pre_headers, None)
        exchanges.append(Exchange(
            index=0, started=now, method="OPTIONS", url=url, request_headers=Headers(pre_headers),
            response_headers=resp, status=status, status_text=reason, resource_type="preflight",
            initiator=Initiator("preflight", url),
        ))
    req_headers = list(common)
    for name in scenario.headers:
        req_headers.append((name, _SAMPLE_VALUES.get(name, "proof")))
    if scenario.credentials:
        req_headers.append(("Cookie", "session=proof"))
    body = b"{}" if scenario.method.upper() in ("POST", "PUT", "PATCH") else None
    if body is not None and "content-type" not in scenario.headers:
        req_headers.append(("Content-Type", "text/plain;charset=UTF-8"))  # what fetch() sends for a string
    status, reason, resp = _send(port, scenario.method, scenario.path, req_headers, body)
    exchanges.append(Exchange(
        index=1, started=now + 0.001, method=scenario.method, url=url, request_headers=Headers(req_headers),
        response_headers=resp, status=status, status_text=reason, resource_type="fetch",
        initiator=Initiator("script"),
    ))
    return exchanges


def judge(exchanges: list[Exchange]) -> list[Finding]:
    """The engine's error findings for the replayed exchanges (none = the fix works)."""
    # A proxy-style producer: no browser verdict, so the engine checks every header itself.
    info = HarInfo(path="live-proof.har", creator="mitmproxy")
    return [f for f in evaluate(exchanges, info).findings if f.severity is Severity.ERROR]

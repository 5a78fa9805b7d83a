"""Root cause: what the HAR shows beyond the browser's message.

The browser says *which* check failed; the status codes, ``Location`` and the other exchanges in
the HAR often say *why* the server answered that way (auth before CORS, no OPTIONS route, an
error handler that drops the headers, a trailing-slash redirect ...).
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from harcors.cors import fetch
from harcors.cors.checks import ACAH, ACAO, Failure
from harcors.cors.context import RequestContext
from harcors.cors.findings import failing_view
from harcors.har.model import Exchange


def _redirect_cause(url: str, location: str, what: str) -> str:
    loc = urljoin(url, location)
    u, v = urlsplit(url), urlsplit(loc)
    if u.scheme == "http" and v.scheme == "https" and u.netloc.split(":")[0] == v.netloc.split(":")[0]:
        return (
            f"{what} was redirected from http to https ({loc}). Call the https URL directly; "
            "browsers never follow a redirect for a preflight."
        )
    if u.netloc == v.netloc and u.path.rstrip("/") == v.path.rstrip("/") and u.path != v.path:
        slash = "adds" if v.path.endswith("/") else "removes"
        return (
            f"{what} was redirected to the same path with a trailing slash difference ({loc}): the framework "
            f"{slash} the slash. Call {loc} directly, or turn off the slash redirect."
        )
    if any(k in v.path.lower() for k in ("login", "signin", "sign-in", "auth", "sso")):
        return (
            f"{what} was redirected to a login page ({loc}): an authentication layer intercepts the "
            "request before CORS is handled. Let OPTIONS through without authentication."
        )
    return f"{what} was redirected to {loc}."


def _preflight_cause(failure: Failure, pf: Exchange) -> str | None:
    status = pf.status
    loc = pf.redirect_url or pf.response_headers.get("location") or ""
    if failure.rule == "preflight-redirect":
        if loc:
            return _redirect_cause(pf.url, loc, "The OPTIONS preflight")
        return (
            "The OPTIONS preflight was answered with a redirect (Chrome records no Location for it). "
            "Browsers never follow a redirect for a preflight."
        )
    if status in (401, 403):
        return (
            f"The OPTIONS preflight was answered {status}: authentication or authorization runs before "
            "CORS. Browsers never send cookies or Authorization on a preflight, so the auth layer must let "
            "OPTIONS through (or the CORS middleware must run first)."
        )
    if status == 404:
        return (
            "The OPTIONS preflight got 404: there is no route for OPTIONS on this path. Enable the CORS "
            "middleware for this route (it answers OPTIONS), or add an OPTIONS handler."
        )
    if status == 405:
        allow = pf.response_headers.get("allow")
        extra = f" (Allow: {allow})" if allow else ""
        return (
            f"The OPTIONS preflight got 405 Method Not Allowed{extra}: the server does not handle "
            "OPTIONS on this path. Let the CORS middleware answer OPTIONS before routing."
        )
    if status >= 500:
        return (
            f"The OPTIONS preflight crashed with {status}: the server's OPTIONS handling fails. Check "
            "the server logs for this OPTIONS request."
        )
    if 300 <= status < 400:
        return _redirect_cause(pf.url, loc, "The OPTIONS preflight") if loc else None
    if failure.rule == "missing-allow-origin" and fetch.is_ok_status(status):
        return (
            f"The server answers OPTIONS ({status}) but adds no Access-Control-Allow-Origin: the CORS "
            "configuration does not cover this path or this origin, or a proxy strips the header."
        )
    return None


def _origin_difference(page: str, value: str) -> str | None:
    if value.rstrip("/") == page and value != page:
        return (
            f"Access-Control-Allow-Origin is '{value}', the page origin with a trailing slash. An origin has "
            f"no path: send exactly '{page}'."
        )
    if value.lower() == page.lower() and value != page:
        return (
            f"Access-Control-Allow-Origin differs from the page origin only in letter case: send exactly "
            f"'{page}'."
        )
    try:
        a, b = urlsplit(page), urlsplit(value)
        ha, hb = a.hostname or "", b.hostname or ""
        pa, pb = a.port, b.port
    except ValueError:
        return None
    loop = {"localhost", "127.0.0.1", "::1"}
    if ha in loop and hb in loop and ha != hb:
        return (
            f"The page runs on {ha} but Access-Control-Allow-Origin names {hb}: the same machine, but a "
            f"different origin. Send '{page}' (or open the page on {hb})."
        )
    if ha == hb and a.scheme != b.scheme:
        return f"Access-Control-Allow-Origin uses {b.scheme}:// but the page is {a.scheme}://: send '{page}'."
    if ha == hb and pa != pb:
        return f"Access-Control-Allow-Origin names another port: send '{page}'."
    if hb and ha != hb and (ha.endswith("." + hb) or hb.endswith("." + ha)):
        return f"Access-Control-Allow-Origin names a sibling host ({hb}): send '{page}'."
    return None


def root_cause(ctx: RequestContext, failure: Failure, credentials_inferred: bool) -> str | None:
    """A sentence on why the server answered the way it did, or None when the HAR shows nothing more."""
    page = ctx.page_origin or "null"
    if failure.rule == "header-not-allowed" and (failure.hint or "").startswith("access-control-allow-"):
        return (
            f"The page itself sets {failure.hint} as a request header. That is a response header: "
            "on a request it fixes nothing, and being non-safelisted it forces the preflight that now fails. "
            "Remove it from the client code."
        )
    pf = failure.response if failure.on_preflight else None
    if pf is not None:
        cause = _preflight_cause(failure, pf)
        if cause is not None or failure.rule == "missing-allow-origin":
            return cause
    resp = failure.response
    if failure.rule == "missing-allow-origin" and resp is not None:
        view = failing_view(ctx, failure)
        pre = view.preflight
        if fetch.is_redirect_status(resp.status):
            loc = failure.params.get("location", "")
            return (
                f"The {resp.status} redirect response (to {loc}) has no CORS headers: for a cross-origin "
                "request the redirect itself must carry Access-Control-Allow-Origin."
            )
        if resp.status >= 400:
            tail = (
                " The preflight did carry CORS headers, so only the error path drops them."
                if pre is not None and pre.response_headers.get(ACAO)
                else ""
            )
            return (
                f"The response is a {resp.status} error without CORS headers: the error handler (or a "
                "proxy error page) bypasses the CORS middleware, so the browser hides the real error from "
                "the page. Add the CORS headers to error responses too (register CORS before error handling)."
                + tail
            )
        if pre is not None and pre.response_headers.get(ACAO):
            return (
                "The preflight carried Access-Control-Allow-Origin but the actual response did not: CORS "
                "headers are only added to OPTIONS. Add them to every response of this endpoint."
            )
        cached = view.cached
        if cached is not None and cached.response_headers.get(ACAO):
            return (
                "An earlier preflight for this URL (still cached) carried Access-Control-Allow-Origin, but "
                "the actual response does not: CORS headers are only added to OPTIONS."
            )
        return None
    if failure.rule == "allow-origin-mismatch":
        value = failure.params.get("value", "")
        if page != "null" and any(
            fetch.origin(v.hop.url) != fetch.origin(ctx.req.first.url) for v in ctx.hops[1:]
        ):
            return (
                "After a redirect to another origin the browser sends 'Origin: null' and compares "
                "Access-Control-Allow-Origin with 'null': naming the page origin can no longer match. Call "
                "the final URL directly, or have the final server answer '*' (non-credentialed)."
            )
        if page == "null":
            return (
                "The request comes from an opaque origin ('null': a sandboxed iframe, a file: page or a "
                "data: URL), so only 'Access-Control-Allow-Origin: null' or '*' can match."
            )
        if value == "null":
            return "The server answers 'null', which only matches opaque origins, not this page."
        return _origin_difference(page, value)
    if failure.rule == "multiple-allow-origin" and resp is not None:
        if resp.response_headers.count(ACAO) > 1:
            return (
                "Access-Control-Allow-Origin is sent twice: typically the application and a proxy (or two "
                "middlewares) both add it. Remove one of them."
            )
        return (
            "Access-Control-Allow-Origin holds a list. Keep the allow-list on the server and echo only the "
            "request's Origin when it is in the list."
        )
    if failure.rule in ("wildcard-with-credentials", "invalid-allow-credentials") and credentials_inferred:
        return (
            "The HAR does not record the credentials mode, but the block can only be explained by "
            "credentials: 'include' (or withCredentials = true) in the page's code."
        )
    if failure.rule == "method-not-allowed" and resp is not None:
        m = failure.params.get("method", "")
        allowed, _ = fetch.parse_allow_list(
            fetch.header_value(resp.response_headers, "access-control-allow-methods")
        )
        if m != m.upper() and m.upper() in (allowed or ()):
            return (
                f"The page wrote the method in lower case ('{m}'). fetch() upper-cases only DELETE, GET, "
                f"HEAD, OPTIONS, POST and PUT, and methods are compared case-sensitively: write "
                f"'{m.upper()}' "
                "in the page's code."
            )
    if failure.rule == "header-not-allowed" and resp is not None:
        h = failure.hint or ""
        if h == "content-type":
            return (
                "Content-Type is safelisted only for text/plain, multipart/form-data and "
                "application/x-www-form-urlencoded; any other type (application/json) must be allowed in "
                "Access-Control-Allow-Headers."
            )
        if not resp.response_headers.get(ACAH):
            return "The preflight response has no Access-Control-Allow-Headers at all."
    return None


def net_error_cause(error: str, url: str) -> str:
    e = error.upper()
    host = urlsplit(url).netloc
    if "BLOCKED_BY_CLIENT" in e:
        return (
            "Blocked by the browser itself, usually an ad or privacy blocking extension matching the URL. "
            "Not CORS: test with extensions disabled, or rename the endpoint."
        )
    if "CONNECTION_REFUSED" in e:
        return f"Nothing accepted the connection at {host}: the server is down or listens on another port."
    if "NAME_NOT_RESOLVED" in e or "NAME_RESOLUTION" in e:
        return f"The host name in {host} could not be resolved (DNS)."
    if "CERT" in e or "SSL" in e:
        return f"The TLS certificate of {host} was rejected; the browser never got to CORS."
    if "TIMED_OUT" in e:
        return f"The connection to {host} timed out."
    if "BLOCKED_BY_RESPONSE" in e or "BLOCKED_BY_ORB" in e:
        return "Blocked by a response policy (CORP/ORB/COEP), not by CORS."
    return f"The request failed with {error} before any CORS check."

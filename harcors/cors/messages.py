"""The console lines each browser prints for a failure, character for character.

Chromium: blink::cors::GetErrorString (cors_error_string.cc) as Chromium 156 prints it — one
line, "Access to <kind> at '<url>' [(redirected from '<first url>') ]from origin '<page origin>'
has been blocked by CORS policy: " + preflight prefix + reason + suffix.
Firefox: security.properties' CORS strings, typographic quotes, one line per failed channel (a
failed preflight adds "CORS request did not succeed" for the request itself).
WebKit: the reason line, then "Fetch API cannot load <url> due to access control checks.".
"""

from __future__ import annotations

import re

from harcors.cors import fetch
from harcors.cors.checks import Failure
from harcors.cors.context import RequestContext
from harcors.cors.rules import RULES

CHROME_PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "
# Observed in Chromium 156: the 'no-cors' half of this suffix is gone (as is the whole "opaque
# response" suffix after a missing ACAO), older versions printed ", or, if an opaque response ...".
CHROME_NO_CORS_INFO = " Have the server send the header with a valid value."
CHROME_XHR_CREDENTIALS = (
    " The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials "
    "attribute."
)
FIREFOX_PREFIX = (
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at "
)


def _is_preflight_class(chrome_error: str | None) -> bool:
    # IsPreflightError(): every kPreflight* value; the method/header/parse errors carry their own
    # "in preflight response" wording instead.
    return bool(chrome_error) and chrome_error.startswith("Preflight")


def chrome_head(ctx: RequestContext, url: str) -> str:
    """Everything before the reason: names the API, the URL (and the first URL after redirects)."""
    first = ctx.req.first.url
    redirected = f"(redirected from '{first}') " if url != first and not ctx.req.orphan else ""
    origin = ctx.page_origin or "null"
    return (
        f"Access to {ctx.kind} at '{url}' {redirected}from origin '{origin}' "
        "has been blocked by CORS policy: "
    )


def chrome_reason(failure: Failure, kind: str) -> str:
    rule = RULES[failure.rule]
    params = {"hint": failure.hint or "", "space": failure.params.get("space", "")}
    reason = (rule.chrome or "").format(**params)
    prefix = CHROME_PREFLIGHT_PREFIX if _is_preflight_class(failure.chrome_error) else ""
    suffix = ""
    if rule.chrome_suffix == "no-cors-info" and kind == "fetch":
        suffix = CHROME_NO_CORS_INFO
    elif rule.chrome_suffix == "credentials-xhr" and kind == "XMLHttpRequest":
        suffix = CHROME_XHR_CREDENTIALS
    return prefix + reason + suffix


def chrome_line(ctx: RequestContext, failure: Failure) -> str:
    return chrome_head(ctx, failure.hop.url) + chrome_reason(failure, ctx.kind)


def firefox_lines(ctx: RequestContext, failure: Failure) -> str | None:
    rule = RULES[failure.rule]
    if rule.firefox is None:
        return None
    url = failure.hop.url
    reason = rule.firefox.format(
        value=failure.params.get("value", ""),
        header=failure.params.get("header", ""),
        method=failure.params.get("method", ""),
    )
    where = f"‘{url}’" if failure.rule == "wildcard-with-credentials" else url
    line = f"{FIREFOX_PREFIX}{where}. (Reason: {reason})."
    if rule.firefox_status:
        line += f" Status code: {failure.params.get('status', '(null)')}."
    lines = [line]
    did_not_succeed = not_cors_firefox(url)  # the request's own channel failing
    resp = failure.response
    if failure.on_preflight and resp is not None and fetch.is_redirect_status(resp.status):
        # Observed (Firefox 153): a redirected preflight logs the redirect's own failure, then the
        # preflight channel's ("preflight response did not succeed" with the 3xx when the redirect
        # itself passed the ACAO check, else "did not succeed"), then the request's.
        if failure.rule == "preflight-redirect":
            lines.append(
                f"{FIREFOX_PREFIX}{url}. (Reason: CORS preflight response did not succeed). Status code: "
                f"{resp.status}."
            )
        else:
            lines.append(did_not_succeed)
    if failure.on_preflight or (resp is not None and fetch.is_redirect_status(resp.status)):
        # The request's own channel then fails too (observed for a redirect that fails its ACAO check).
        lines.append(did_not_succeed)
    return "\n".join(lines)


def _safari_kind(kind: str) -> str:
    return {"fetch": "Fetch API", "XMLHttpRequest": "XMLHttpRequest", "resource": "EventSource"}.get(kind, "")


def safari_lines(ctx: RequestContext, failure: Failure, check_origin: str) -> str | None:
    rule = RULES[failure.rule]
    if rule.safari is None:
        return None
    reason = rule.safari.format(
        origin=check_origin,
        status=failure.params.get("status", "0"),
        method=failure.params.get("method", ""),
        header=failure.params.get("header", ""),
        value=failure.params.get("value", ""),
        location=failure.params.get("location", ""),
    )
    loc = failure.params.get("location")
    if loc and not failure.on_preflight and failure.rule != "redirect-with-credentials":
        reason = f"Cross-origin redirection to {loc} denied by Cross-Origin Resource Sharing policy: {reason}"
    return f"{reason}\n{safari_tail(ctx, failure.hop.url)}"


def safari_tail(ctx: RequestContext, url: str) -> str:
    kind = _safari_kind(ctx.kind)
    return (
        f"{kind} cannot load {url} due to access control checks."
        if kind
        else f"Cannot load {url} due to access control checks."
    )


_WEBKIT_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^Method (?P<method>\S+) is not allowed by Access-Control-Allow-Methods\.$"),
        "method-not-allowed",
    ),
    (
        re.compile(
            r"^Request header field (?P<header>\S+) is not allowed by Access-Control-Allow-Headers\.$"
        ),
        "header-not-allowed",
    ),
    (
        re.compile(r"^Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true\.$"),
        "wildcard-with-credentials",
    ),
    (
        re.compile(r'^Credentials flag is true, but Access-Control-Allow-Credentials is not "true"\.$'),
        "invalid-allow-credentials",
    ),
    (
        re.compile(r"^Access-Control-Allow-Origin cannot contain more than one origin\.$"),
        "multiple-allow-origin",
    ),
    (
        re.compile(r"^Header Access-Control-Allow-Methods has an invalid value: (?P<value>.*)$"),
        "invalid-allow-methods",
    ),
    (
        re.compile(r"^Header Access-Control-Allow-Headers has an invalid value: (?P<value>.*)$"),
        "invalid-allow-headers",
    ),
    (
        re.compile(r"^Preflight response is not successful(?:\. Status code: (?P<status>\d+))?$"),
        "preflight-status",
    ),
    (
        re.compile(
            r"^Origin (?P<origin>\S+) is not allowed by Access-Control-Allow-Origin\."
            r"(?: Status code: (?P<status>\d+))?$"
        ),
        "origin-not-allowed",
    ),
)


def parse_webkit_reason(text: str | None) -> tuple[str, dict[str, str]] | None:
    """WebKit's reason text (Safari's ``_error``, Playwright-WebKit's ``_failureText``) -> a rule id
    and its fields. "origin-not-allowed" stands for WebKit's one wording for a missing *or*
    mismatched Access-Control-Allow-Origin, which only the headers can tell apart."""
    if not text:
        return None
    line = text.strip().splitlines()[0].strip()
    for pattern, rule in _WEBKIT_REASONS:
        m = pattern.match(line)
        if m:
            return rule, {k: v for k, v in m.groupdict().items() if v is not None}
    return None


def not_cors_chrome(net_error: str) -> str:
    return (RULES["not-cors"].chrome or "").format(net_error=net_error)


def not_cors_firefox(url: str) -> str:
    return f"{FIREFOX_PREFIX}{url}. (Reason: CORS request did not succeed). Status code: (null)."

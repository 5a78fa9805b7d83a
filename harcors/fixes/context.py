"""The values a fix is rendered with, read from one finding's traffic, and the kind of fix it needs.

A rule says what the browser rejected; the *kind* says what the server must change. They differ:
Chrome reports a preflight answered ``404`` without CORS headers as "No 'Access-Control-Allow-Origin'
header" (it checks the header before the status), yet the fix is "answer OPTIONS", not "add an origin".
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, fields
from urllib.parse import urljoin, urlsplit

from harcors.cors.model import Finding
from harcors.fixes.catalog import RuleEntry, rules
from harcors.har.model import Exchange

#: Written into a fix when the traffic has no usable page origin (``null``, or not an origin at all).
PLACEHOLDER_ORIGIN = "https://app.example.com"
#: The environment variable every fix reads its allow-list from (comma-separated, per environment).
ENV_VAR = "ALLOWED_ORIGINS"
#: Chromium caps Access-Control-Max-Age at two hours; Firefox at 24 h. Ten minutes is a safe default.
DEFAULT_MAX_AGE = 600
MAX_AGE_CAP = 7200

# A serialized origin (scheme "://" host [":" port]). Anything else from a HAR is not written into code.
_ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:[0-9]{1,5})?$", re.IGNORECASE)
# RFC 9110 token, without "$": every config language here can quote the rest, but nginx cannot write
# a literal "$" and a real method or header name never has one.
_TOKEN = re.compile(r"^[!#%&'*+.^_`|~0-9A-Za-z-]+$")
_SIMPLE_METHODS = ("GET", "HEAD", "POST")
# Listed when the server allowed no method yet: safelisted, so only for libraries that check a
# preflight's method against their own list (Starlette does, even for GET).
_BASE_METHODS = ("GET", "POST")


@dataclass(frozen=True, slots=True)
class FixContext:
    """Everything a template may use. Strings here are raw; templates must quote them (see quoting.py)."""

    rule: str
    kind: str
    origin: str
    origin_from_traffic: bool  # False when ``origin`` is the placeholder
    seen_origin: str | None  # what the traffic said, for the notes
    methods: tuple[str, ...]
    added_methods: tuple[str, ...]  # methods the server did not allow yet
    headers: tuple[str, ...]
    added_headers: tuple[str, ...]
    expose: tuple[str, ...]
    credentials: bool
    max_age: int
    private_network: bool
    url: str  # shown without user:password, query or data segments (see public_url)
    path: str  # the route, data segments as "[id]"
    path_dir: str  # the folder route patterns cover: "/api/" for "/api/items", "/v1/x/" for "/v1/x/7"
    stage: str  # "preflight" or "request": which response failed
    status: int  # that response's status (0: none arrived / never sent)
    location: str | None  # where a redirect pointed
    location_path: str | None
    env_var: str
    request_method: str
    page_method: str  # the method as the page wrote it (differs only for a lower-case "patch")
    existing_origin: str | None  # the Access-Control-Allow-Origin the server did send

    @property
    def redirect_target(self) -> str:
        return self.location or self.url

    def variables(self) -> dict[str, object]:
        values: dict[str, object] = {name: getattr(self, name) for name in _FIELD_NAMES}
        values["redirect_target"] = self.redirect_target
        return values


_FIELD_NAMES = tuple(f.name for f in fields(FixContext))


def _tokens(value: str | None) -> list[str]:
    if not value:
        return []
    return [t.strip() for t in value.split(",") if t.strip()]


def _unique(values: list[str], *, fold: bool = False) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for v in values:
        key = v.lower() if fold else v
        if key not in seen:
            seen.add(key)
            out.append(v)
    return tuple(out)


def is_valid_origin(value: str | None) -> bool:
    return bool(value) and value != "null" and bool(_ORIGIN.match(value or ""))


@functools.lru_cache(maxsize=4096)  # hot: every method and header name of every finding, a few dozen distinct
def _is_token(value: str) -> bool:
    return bool(_TOKEN.match(value))


def page_origin(finding: Finding) -> str | None:
    for candidate in (
        finding.page_origin,
        finding.request.origin,
        finding.preflight.origin if finding.preflight else None,
    ):
        if candidate:
            return candidate
    return None


def failing_response(finding: Finding, entry: RuleEntry) -> tuple[str, Exchange]:
    """Which response the browser rejected: the preflight's or the actual request's."""
    pre = finding.preflight
    if pre is None or pre is finding.request:
        return ("preflight" if finding.request.is_preflight else "request"), finding.request
    if entry.stage == "preflight":
        return "preflight", pre
    if pre.got_response and not 200 <= pre.status < 300:
        return "preflight", pre  # a non-ok preflight fails whatever its headers say
    if entry.stage == "either" and not _acao_matches(pre, page_origin(finding)):
        return "preflight", pre
    return "request", finding.request


def _acao_matches(exchange: Exchange, origin: str | None) -> bool:
    values = exchange.response_headers.get_all("access-control-allow-origin")
    return len(values) == 1 and values[0].strip() in ("*", origin or "")


def kind_of(finding: Finding) -> str:
    """The kind of server change the finding needs (a key of ``[kind.*]`` in the stack files)."""
    entry = rules().get(finding.rule)
    if entry is None:
        return "allow-origin"
    return _kind(finding, entry, None)


def _kind(finding: Finding, entry: RuleEntry, failing_pair: tuple[str, Exchange] | None) -> str:
    """kind_of for a rule the catalog knows; ``failing_pair``: failing_response's answer, if known."""
    if entry.kind == "header" and _is_acao_request(finding.failed_parameter or ""):
        # The header the preflight asked for is Access-Control-Allow-Origin & co., which the page set
        # itself: removing it from the request is the fix, not allowing it on the server.
        return "client-header"
    if not entry.refine:
        return entry.kind
    stage, failing = failing_pair or failing_response(finding, entry)
    status = failing.status
    if 300 <= status < 400 and (failing.redirect_url or failing.response_headers.get("location")):
        return "redirect"
    if stage == "preflight" and failing.got_response and not 200 <= status < 300:
        return "preflight-auth" if status in (401, 403, 407) else "preflight-route"
    if stage == "request" and status >= 400 and entry.kind == "allow-origin":
        return "error-response"
    return entry.kind


def _is_acao_request(name: str) -> bool:
    return name.strip().lower().startswith("access-control-")


def _location(exchange: Exchange) -> str | None:
    target = exchange.redirect_url or exchange.response_headers.get("location")
    return urljoin(exchange.url, target) if target else None


# A path segment that is data, not a route: numbers, UUIDs, hashes, JWTs and other tokens. Fixes
# show the route with "[id]" there (Next.js' and Vercel's syntax for a dynamic segment) — which is
# also what a route pattern must cover — and never the value, which may be a secret.
# Lower-case words joined by hyphens ("preflight-301-redirect") are routes; tokens mix case or digits.
_ID_SEGMENT = re.compile(
    r"^(\d+"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # UUID
    r"|[0-9a-fA-F]{12,}"  # hashes, ObjectIds
    r"|eyJ.*"  # JWT (base64url of '{"')
    r"|.*[=%~+].{8,}|.*\..*\..{8,}"  # encoded or dotted tokens
    r"|(?=.*\d)(?=.*[a-z])(?=.*[A-Z])[\w-]{16,}"  # mixed-case tokens
    r"|(?=.*\d)(?=.*[a-z])[a-z0-9_]{16,}"  # lower-case tokens without hyphens
    r"|(?=(?:.*\d){4})[\w-]{20,}"
    r"|.{41,})$"
)


# Hot path: every segment of every finding's path. The route's words recur on every URL (numbers,
# the usual ids, are settled by isdecimal: "\d+" matches just those strings).
@functools.lru_cache(maxsize=4096)
def _is_data_segment(segment: str) -> bool:
    return _ID_SEGMENT.match(segment) is not None


@functools.lru_cache(maxsize=1024)  # build_context asks for its URL's path twice (public_url, route)
def generalize_path(path: str) -> tuple[str, str]:
    """``(route, prefix)``: the path with data segments as ``[id]``, and the folder before the first.

    ``/v1/orders/8f3a.../items`` gives ``("/v1/orders/[id]/items", "/v1/orders/")``.
    """
    segments = path.split("/")
    route = ["[id]" if seg and (seg.isdecimal() or _is_data_segment(seg)) else seg for seg in segments]
    prefix = ""
    for i, seg in enumerate(route):
        if seg == "[id]":
            prefix = "/".join(route[:i]) + "/"
            break
    else:
        prefix = path[: path.rfind("/") + 1] if "/" in path else "/"
    return "/".join(route) or "/", prefix or "/"


def public_url(url: str) -> str:
    """The URL to show in a fix: no user:password, no query or fragment, data segments as ``[id]``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "the request URL"
    if ":" in host:
        host = f"[{host}]"
    route, _ = generalize_path(parts.path or ("/" if host else ""))
    return f"{parts.scheme}://{host}{port}{route}" if parts.netloc or parts.scheme in ("file",) \
        else f"{parts.scheme}:{route}"


def _path(url: str) -> str:
    try:
        return urlsplit(url).path or "/"
    except ValueError:
        return "/"


def _needed_headers(finding: Finding) -> list[str]:
    if finding.needed_headers:
        return list(finding.needed_headers)
    if finding.preflight is not None:
        return _tokens(finding.preflight.request_headers.get("access-control-request-headers"))
    return []


def build_context(finding: Finding) -> FixContext:
    known = rules().get(finding.rule)
    entry = known or RuleEntry(finding.rule, "allow-origin", "", refine=True)
    stage, failing = failing_response(finding, entry)
    kind = _kind(finding, known, (stage, failing)) if known else "allow-origin"  # kind_of, answer reused
    pre = finding.preflight
    answer = pre if pre is not None and pre.got_response else None

    seen = page_origin(finding)
    from_traffic = is_valid_origin(seen)
    origin = seen if from_traffic and seen else PLACEHOLDER_ORIGIN

    method = finding.request.method
    if finding.request.is_preflight:
        method = finding.request.request_headers.get("access-control-request-method") or method
    method = method if _is_token(method) else "GET"
    # fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT; "patch" goes out as written and
    # is compared case-sensitively, while most CORS libraries upper-case their method list. The fix
    # is to write PATCH in the page (the notes say so), so the server side lists the upper-case name.
    page_method = method
    if method.upper() == "PATCH":
        method = "PATCH"
    # Keep what the server already allows and add what this request needs, so the fix never takes
    # a method or header away from another page that works today.
    allowed_methods = [m for m in _tokens(answer.response_headers.combined("access-control-allow-methods")
                                          if answer else None) if m != "*" and _is_token(m)]
    base_methods = allowed_methods or list(_BASE_METHODS)
    methods = _unique([*base_methods, method])
    added_methods = () if method in allowed_methods or (method in _SIMPLE_METHODS and not allowed_methods) \
        else (method,)

    allowed_headers = [h for h in _tokens(answer.response_headers.combined("access-control-allow-headers")
                                          if answer else None)
                       if h != "*" and _is_token(h) and not _is_acao_request(h)]
    # Access-Control-* request headers are the page's mistake (see kind_of): never suggest allowing them.
    needed = [h.lower() for h in _needed_headers(finding) if _is_token(h) and not _is_acao_request(h)]
    headers = _unique([*allowed_headers, *needed], fold=True)
    allowed_lower = {h.lower() for h in allowed_headers}
    added_headers = tuple(h for h in _unique(needed, fold=True) if h not in allowed_lower)

    exposing = finding.request.response_headers.combined("access-control-expose-headers")
    expose = _unique([h for h in _tokens(exposing) if h != "*" and _is_token(h)], fold=True)

    acac_seen = any(
        (ex.response_headers.get("access-control-allow-credentials") or "").strip() == "true"
        for ex in (finding.request, answer) if ex is not None
    )
    credentials = finding.credentials or entry.kind == "credentials" or acac_seen

    max_age = DEFAULT_MAX_AGE
    if answer is not None:
        raw = (answer.response_headers.get("access-control-max-age") or "").strip()
        if raw.isdigit() and int(raw) > 0:
            max_age = min(int(raw), MAX_AGE_CAP)

    private_network = finding.rule == "private-network-access" or (
        pre is not None
        and (pre.request_headers.get("access-control-request-private-network") or "").lower() == "true"
    )

    location = _location(failing) if kind == "redirect" else None
    route, prefix = generalize_path(_path(location) if location else _path(finding.request.url))
    return FixContext(
        rule=finding.rule,
        kind=kind,
        origin=origin,
        origin_from_traffic=from_traffic,
        seen_origin=seen,
        methods=methods,
        added_methods=added_methods,
        headers=headers,
        added_headers=added_headers,
        expose=expose,
        credentials=credentials,
        max_age=max_age,
        private_network=private_network,
        url=public_url(finding.request.url),
        path=route,
        path_dir=prefix,
        stage=stage,
        status=failing.status,
        location=public_url(location) if location else None,
        location_path=route if location else None,  # route is the location's when there is one
        env_var=ENV_VAR,
        request_method=method,
        page_method=page_method,
        existing_origin=finding.request.response_headers.combined("access-control-allow-origin")
        if stage == "request" or answer is None
        else answer.response_headers.combined("access-control-allow-origin"),
    )

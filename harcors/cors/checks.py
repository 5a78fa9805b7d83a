"""The CORS checks, in each browser's own order, so the first failing check is the one it reports.

One walk over a request's hops is shared (preflight of a hop, then the hop's response, then the
redirect it asks for: https://fetch.spec.whatwg.org/#http-fetch); what differs per browser is how a
response is checked (``access``) and the order of the preflight checks (``preflight``):

* Chromium (services/network/public/cpp/cors/cors.cc, cors/preflight_controller.cc): preflight
  redirect -> ACAO/ACAC -> ok status -> parse ACAM -> parse ACAH -> method -> headers.
  Observed in 156: ``Access-Control-Allow-Headers: *`` still covers Authorization; ACAM compared
  case-sensitively (``patch`` is not ``PATCH``).
* Firefox (nsCORSListenerProxy.cpp): several ACAO lines -> ACAO missing/empty -> ``*`` with
  credentials -> mismatch -> ACAC, and for the preflight the status and lists after that.
* WebKit (CrossOriginAccessControl.cpp): preflight status first, then ACAO/ACAC, then lists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

from harcors.cors import fetch
from harcors.cors.context import HopView, RequestContext, scheme_of, url_has_userinfo
from harcors.cors.model import slot_init
from harcors.cors.rules import RULES
from harcors.har.model import Exchange, Headers

ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"
ACAM = "access-control-allow-methods"
ACAH = "access-control-allow-headers"

CORS_SCHEMES = frozenset({"http", "https", "data"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})


@slot_init  # several per blocked request
@dataclass(frozen=True, slots=True)
class Failure:
    """The first check a browser fails for a request."""

    rule: str
    hop: Exchange  # the hop being fetched: its URL is the one the browser names
    response: Exchange | None  # the response that failed the check (a preflight or the hop)
    on_preflight: bool
    chrome_error: str | None = None  # CDP CorsError name
    hint: str | None = None  # Chromium's failed_parameter
    params: Mapping[str, str] = field(default_factory=dict)  # template fields for the messages


def chrome_error_name(rule: str, on_preflight: bool) -> str | None:
    """The CDP CorsError Chromium reports for ``rule``: its kPreflight* twin when a preflight failed."""
    names = RULES[rule].chrome_errors
    if not names:
        return None
    if on_preflight:
        return next((n for n in names if n.startswith("Preflight")), names[0])
    return names[0]


# --- response checks ("CORS check", https://fetch.spec.whatwg.org/#cors-check) ---------------

AccessResult = tuple[str, str | None, dict[str, str]] | None  # (rule, chrome hint, params)


def chrome_access(headers: Headers, credentials: bool, origin: str) -> AccessResult:
    acao = fetch.header_value(headers, ACAO)
    if acao == "*":
        if credentials:
            return "wildcard-with-credentials", None, {}
    elif acao is None:
        return "missing-allow-origin", None, {}
    elif acao != origin:
        if " " in acao or "," in acao:
            return "multiple-allow-origin", acao, {"value": acao}
        if acao == "null":
            return "allow-origin-mismatch", acao, {"value": acao}
        if not fetch.is_valid_url_for_chromium(acao):
            return "invalid-allow-origin", acao, {"value": acao}
        return "allow-origin-mismatch", acao, {"value": acao}
    if credentials:
        acac = fetch.header_value(headers, ACAC)
        if acac != "true":
            return "invalid-allow-credentials", acac or "", {"value": acac or ""}
    return None


def firefox_access(headers: Headers, credentials: bool, origin: str) -> AccessResult:
    lines = [v.strip() for v in headers.get_all(ACAO)]
    if len(lines) > 1:
        return "multiple-allow-origin", None, {}
    acao = lines[0] if lines else ""
    if not acao:
        return "missing-allow-origin", None, {}
    if acao == "*":
        if credentials:
            return "wildcard-with-credentials", None, {}
    elif acao != origin:
        return "allow-origin-mismatch", None, {"value": acao}
    if credentials and (headers.get(ACAC) or "").strip() != "true":
        return "invalid-allow-credentials", None, {}
    return None


def webkit_access(headers: Headers, credentials: bool, origin: str) -> AccessResult:
    # WebKit keeps one value per header name, joined with ", " when repeated.
    values = headers.get_all(ACAO)
    acao = ", ".join(v.strip() for v in values) if values else ""
    if not (acao == "*" and not credentials) and acao != origin:
        if acao == "*":
            return "wildcard-with-credentials", None, {}
        if "," in acao:
            return "multiple-allow-origin", None, {}
        return ("missing-allow-origin" if not values else "allow-origin-mismatch"), None, {"value": acao}
    if credentials and fetch.header_value(headers, ACAC) != "true":
        return "invalid-allow-credentials", None, {}
    return None


# --- preflight checks (https://fetch.spec.whatwg.org/#cors-preflight-fetch) -------------------


def _is_redirect(pf: Exchange) -> bool:
    return fetch.is_redirect_status(pf.status) or pf.error == "net::ERR_INVALID_REDIRECT"


def _methods_allow(methods: list[str], method: str, credentials: bool) -> bool:
    # Case-sensitive, as the standard says and as Chromium 156 does (observed: "patch" vs "PATCH").
    return method in methods or method in fetch.SAFELISTED_METHODS or (not credentials and "*" in methods)


def _first_missing_header(allowed: list[str], names: tuple[str, ...], credentials: bool) -> str | None:
    lower = {a.lower() for a in allowed}
    if not credentials and "*" in lower:
        return None
    for name in sorted(names):
        if name not in lower:
            return name
    return None


def _pf_result(
    rule: str,
    view: HopView,
    pf: Exchange,
    hint: str | None = None,
    params: dict[str, str] | None = None,
    on_preflight: bool = True,
) -> Failure:
    p = {"status": str(pf.status), **(params or {})}
    return Failure(rule, view.hop, pf, on_preflight, chrome_error_name(rule, on_preflight), hint, p)


def chrome_preflight(view: HopView, pf: Exchange, credentials: bool, origin: str) -> Failure | None:
    if _is_redirect(pf):
        return _pf_result("preflight-redirect", view, pf)
    if not pf.got_response:
        return None  # a network error: the request fails with it, not with a CORS error
    res = chrome_access(pf.response_headers, credentials, origin)
    if res is not None:
        rule, hint, params = res
        return _pf_result(rule, view, pf, hint, params)
    if not fetch.is_ok_status(pf.status):
        return _pf_result("preflight-status", view, pf)
    methods, bad_m = fetch.parse_allow_list(fetch.header_value(pf.response_headers, ACAM))
    if methods is None:
        return _pf_result("invalid-allow-methods", view, pf, None, {"value": bad_m or ""})
    headers, bad_h = fetch.parse_allow_list(fetch.header_value(pf.response_headers, ACAH))
    if headers is None:
        return _pf_result("invalid-allow-headers", view, pf, None, {"value": bad_h or ""})
    if not _methods_allow(methods, view.method, credentials):
        return _pf_result("method-not-allowed", view, pf, view.method, {"method": view.method})
    missing = _first_missing_header(headers, view.unsafe_names, credentials)
    if missing is not None:
        return _pf_result(
            "header-not-allowed",
            view,
            pf,
            missing,
            {"header": missing, "page_header": view.page_names.get(missing, missing)},
        )
    return None


def firefox_preflight(view: HopView, pf: Exchange, credentials: bool, origin: str) -> Failure | None:
    if not pf.got_response and not _is_redirect(pf):
        return None
    res = firefox_access(pf.response_headers, credentials, origin)
    if res is not None and pf.got_response:
        rule, _, params = res
        return _pf_result(rule, view, pf, None, params)
    if _is_redirect(pf):
        return _pf_result("preflight-redirect", view, pf)
    if not fetch.is_ok_status(pf.status):
        return _pf_result("preflight-status", view, pf)
    methods, bad_m = fetch.parse_allow_list(fetch.header_value(pf.response_headers, ACAM))
    if methods is None:
        return _pf_result("invalid-allow-methods", view, pf, None, {"value": bad_m or ""})
    if not _methods_allow(methods, view.method, credentials):
        return _pf_result("method-not-allowed", view, pf, None, {"method": view.method})
    headers, bad_h = fetch.parse_allow_list(fetch.header_value(pf.response_headers, ACAH))
    if headers is None:
        return _pf_result("invalid-allow-headers", view, pf, None, {"value": bad_h or ""})
    missing = _first_missing_header(headers, view.unsafe_names, credentials)
    if missing is not None:
        return _pf_result("header-not-allowed", view, pf, None, {"header": missing})
    return None


def webkit_preflight(view: HopView, pf: Exchange, credentials: bool, origin: str) -> Failure | None:
    if _is_redirect(pf) or (pf.got_response and not fetch.is_ok_status(pf.status)):
        return _pf_result("preflight-status", view, pf)
    if not pf.got_response:
        return None
    res = webkit_access(pf.response_headers, credentials, origin)
    if res is not None:
        rule, _, params = res
        return _pf_result(rule, view, pf, None, params)
    raw_m = fetch.header_value(pf.response_headers, ACAM)
    methods, _ = fetch.parse_allow_list(raw_m)
    if methods is None:
        return _pf_result("invalid-allow-methods", view, pf, None, {"value": raw_m or ""})
    raw_h = fetch.header_value(pf.response_headers, ACAH)
    headers, _ = fetch.parse_allow_list(raw_h)
    if headers is None:
        return _pf_result("invalid-allow-headers", view, pf, None, {"value": raw_h or ""})
    if not _methods_allow(methods, view.method, credentials):
        return _pf_result("method-not-allowed", view, pf, None, {"method": view.method})
    missing = _first_missing_header(headers, view.unsafe_names, credentials)
    if missing is not None:
        return _pf_result(
            "header-not-allowed", view, pf, None, {"header": view.page_names.get(missing, missing)}
        )
    return None


@dataclass(frozen=True, slots=True)
class Browser:
    name: str
    access: Callable[[Headers, bool, str], AccessResult]
    preflight: Callable[[HopView, Exchange, bool, str], Failure | None]


CHROME = Browser("chrome", chrome_access, chrome_preflight)
FIREFOX = Browser("firefox", firefox_access, firefox_preflight)
WEBKIT = Browser("safari", webkit_access, webkit_preflight)


def _failure(
    rule: str,
    hop: Exchange,
    response: Exchange | None,
    hint: str | None = None,
    params: dict[str, str] | None = None,
) -> Failure:
    """A failure outside any preflight (the hop's own response, its redirect or its scheme)."""
    return Failure(rule, hop, response, False, chrome_error_name(rule, False), hint, params or {})


def walk(ctx: RequestContext, credentials: bool, browser: Browser = CHROME) -> Failure | None:
    """The first check ``browser`` fails for this request, or None if every check the HAR can
    show passes. ``credentials`` is the credentials mode being "include"."""
    page = ctx.page_origin or "null"
    tainted = page == "null"
    for i, view in enumerate(ctx.hops):
        hop = view.hop
        if scheme_of(hop.url) in LOCAL_SCHEMES:
            return None  # data:, blob: and about: are fetched without any CORS check
        target = fetch.origin(hop.url)
        check_origin = "null" if tainted else page
        cors_flag = tainted or target != page
        if cors_flag:
            if scheme_of(hop.url) not in CORS_SCHEMES and not ctx.req.orphan:
                return _failure("disallowed-scheme", hop, None)
            pf = view.preflight
            if pf is not None:
                fail = browser.preflight(view, pf, credentials, check_origin)
                if fail is not None:
                    return fail
            if ctx.req.orphan:
                return None
        if not hop.got_response:
            return None
        redirect = hop.redirect_url if fetch.is_redirect_status(hop.status) and hop.redirect_url else ""
        location = urljoin(hop.url, redirect) if redirect else ""
        if cors_flag:
            res = browser.access(hop.response_headers, credentials, check_origin)
            if res is not None:
                rule, hint, params = res
                p = {"status": str(hop.status), **params}
                if redirect:
                    p["location"] = location
                return _failure(rule, hop, hop, hint, p)
        if not redirect:
            return None
        location_origin = fetch.origin(location)
        if cors_flag or location_origin != page:
            if scheme_of(location) not in CORS_SCHEMES:
                return _failure("disallowed-scheme", hop, hop, None, {"location": location})
            if url_has_userinfo(location) and (cors_flag or location_origin != target):
                return _failure("redirect-with-credentials", hop, hop, location, {"location": location})
        # https://fetch.spec.whatwg.org/#http-redirect-fetch step 12: the tainted origin flag.
        if location_origin != target and check_origin != target:
            tainted = True
        if i == len(ctx.hops) - 1:
            return None  # the HAR ends the chain here
    return None


def authorization_by_wildcard(views: Iterable[HopView], credentials: bool) -> Exchange | None:
    """The preflight that let Authorization through only via ``Access-Control-Allow-Headers: *``
    (``views``: a request's hops)."""
    if credentials:
        return None
    for view in views:
        pf = authorization_wildcard_preflight(view.preflight or view.cached, view.unsafe_names)
        if pf is not None:
            return pf
    return None


def authorization_wildcard_preflight(pf: Exchange | None, unsafe_names: Sequence[str]) -> Exchange | None:
    """:func:`authorization_by_wildcard` for one hop (its preflight, fresh or cached, and the unsafe
    header names), whatever the credentials mode."""
    if pf is None or "authorization" not in unsafe_names:
        return None
    allowed, _ = fetch.parse_allow_list(fetch.header_value(pf.response_headers, ACAH))
    lower = {a.lower() for a in allowed or ()}
    if "*" in lower and "authorization" not in lower:
        return pf
    return None

"""The scenario catalogue: what the page asks for and how the local server answers.

Every scenario is data. The server (server.py) answers from `routes`, the page script
(page.py) replays `calls` in order, one at a time, so each request's console lines and
network events can be told apart.

URLs in calls, routes and header values are templates: `{page}`, `{api}`, `{alt}`,
`{closed}` expand to the fixed origins below and `{name}` to the scenario name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

PAGE_PORT = 8701
API_PORT = 8702
CLOSED_PORT = 8709  # nothing listens here: a connection-refused failure, not CORS

PAGE = f"http://127.0.0.1:{PAGE_PORT}"
API = f"http://127.0.0.1:{API_PORT}"
# Same server as API, but a different origin: `localhost` and `127.0.0.1` never match.
ALT = f"http://localhost:{API_PORT}"
CLOSED = f"http://127.0.0.1:{CLOSED_PORT}"

Header = tuple[str, str]


@dataclass(frozen=True)
class Reply:
    """One HTTP answer. `headers` is sent in order, so a name may repeat on the wire."""

    status: int = 200
    headers: tuple[Header, ...] = ()
    body: str = ""
    content_type: str | None = "application/json"

    def with_headers(self, *extra: Header) -> Reply:
        return Reply(self.status, self.headers + extra, self.body, self.content_type)


@dataclass(frozen=True)
class Route:
    """How `/api/<scenario>/<path>` answers: OPTIONS gets `preflight`, any other method `actual`."""

    actual: Reply = field(default_factory=Reply)
    preflight: Reply | None = None


@dataclass(frozen=True)
class Call:
    """One fetch() or XMLHttpRequest made by the page script."""

    url: str
    api: Literal["fetch", "xhr"] = "fetch"
    method: str = "GET"
    headers: tuple[Header, ...] = ()
    # fetch: the `credentials` member; xhr: "include" sets withCredentials.
    credentials: str | None = None
    mode: str | None = None  # fetch only
    body: str | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    tags: tuple[str, ...]
    calls: tuple[Call, ...]
    routes: dict[str, Route] = field(default_factory=dict)
    # "sandboxed-iframe": the calls run in <iframe sandbox="allow-scripts" srcdoc>, origin "null".
    frame: Literal["top", "sandboxed-iframe"] = "top"
    # Extra same-origin subresources in the page HTML (realistic sessions).
    assets: tuple[str, ...] = ()
    playwright: bool = False  # also record with Playwright's record_har

    def expand(self, template: str) -> str:
        return template.format(page=PAGE, api=API, alt=ALT, closed=CLOSED, name=self.name)

    @property
    def page_url(self) -> str:
        return f"{PAGE}/s/{self.name}"


# --- building blocks -------------------------------------------------------------------

DATA = '{"items":[1,2,3]}'
ACAO_PAGE: Header = ("Access-Control-Allow-Origin", "{page}")
ACAO_ANY: Header = ("Access-Control-Allow-Origin", "*")
ACAC_TRUE: Header = ("Access-Control-Allow-Credentials", "true")
VARY_ORIGIN: Header = ("Vary", "Origin")
JSON_CT: Header = ("Content-Type", "application/json")

OK_NO_CORS = Reply(200, body=DATA)
OK_CORS = Reply(200, (ACAO_PAGE,), DATA)
EMPTY_204 = Reply(204, content_type=None)


def preflight_ok(
    methods: str = "GET, POST, PUT, DELETE, PATCH", headers: str | None = "Content-Type", *extra: Header
) -> Reply:
    """A preflight answer that allows the page origin, `methods` and `headers`."""
    hs: list[Header] = [ACAO_PAGE, ("Access-Control-Allow-Methods", methods)]
    if headers is not None:
        hs.append(("Access-Control-Allow-Headers", headers))
    return Reply(204, tuple(hs) + extra, content_type=None)


def api(path: str) -> str:
    return "{api}/api/{name}/" + path


def same(path: str) -> str:
    return "{page}/api/{name}/" + path


def _s(
    name: str,
    description: str,
    tags: tuple[str, ...],
    calls: tuple[Call, ...] | Call,
    routes: dict[str, Route],
    **kw: object,
) -> Scenario:
    if isinstance(calls, Call):
        calls = (calls,)
    return Scenario(name, description, tags, calls, routes, **kw)  # type: ignore[arg-type]


# --- the catalogue ---------------------------------------------------------------------

SIMPLE: list[Scenario] = [
    _s(
        "fetch-no-acao",
        "GET with no Access-Control-Allow-Origin on the response.",
        ("simple", "fetch", "blocked", "acao-missing"),
        Call(api("data")),
        {"data": Route(OK_NO_CORS)},
        playwright=True,
    ),
    _s(
        "fetch-acao-other-origin",
        "ACAO names a different origin (a production host).",
        ("simple", "fetch", "blocked", "acao-mismatch"),
        Call(api("data")),
        {"data": Route(Reply(200, (("Access-Control-Allow-Origin", "https://app.example.com"),), DATA))},
    ),
    _s(
        "fetch-acao-localhost-vs-ip",
        "Page is on 127.0.0.1 but ACAO says localhost: same machine, different origin.",
        ("simple", "fetch", "blocked", "acao-mismatch"),
        Call(api("data")),
        {"data": Route(Reply(200, (("Access-Control-Allow-Origin", "http://localhost:8701"),), DATA))},
    ),
    _s(
        "fetch-acao-two-values",
        "ACAO with two comma-separated origins in one header.",
        ("simple", "fetch", "blocked", "acao-multiple"),
        Call(api("data")),
        {
            "data": Route(
                Reply(200, (("Access-Control-Allow-Origin", "{page}, https://app.example.com"),), DATA)
            )
        },
    ),
    _s(
        "fetch-acao-duplicated-header",
        "The same ACAO header sent twice (app and proxy both add it).",
        ("simple", "fetch", "blocked", "acao-multiple", "duplicate-header"),
        Call(api("data")),
        {"data": Route(Reply(200, (ACAO_PAGE, ACAO_PAGE), DATA))},
    ),
    _s(
        "fetch-acao-trailing-slash",
        "ACAO is the page origin with a trailing slash.",
        ("simple", "fetch", "blocked", "acao-mismatch"),
        Call(api("data")),
        {"data": Route(Reply(200, (("Access-Control-Allow-Origin", "{page}/"),), DATA))},
    ),
    _s(
        "fetch-acao-uppercase",
        "ACAO is the page origin in upper case.",
        ("simple", "fetch", "blocked", "acao-mismatch"),
        Call(api("data")),
        {"data": Route(Reply(200, (("Access-Control-Allow-Origin", "HTTP://127.0.0.1:8701"),), DATA))},
    ),
    _s(
        "fetch-acao-null-for-page",
        "ACAO: null answered to a normal (non-opaque) page origin.",
        ("simple", "fetch", "blocked", "acao-mismatch"),
        Call(api("data")),
        {"data": Route(Reply(200, (("Access-Control-Allow-Origin", "null"),), DATA))},
    ),
    _s(
        "fetch-acao-wildcard-credentials",
        "ACAO * on a request made with credentials: 'include'.",
        ("simple", "fetch", "blocked", "credentials", "wildcard"),
        Call(api("me"), credentials="include"),
        {"me": Route(Reply(200, (ACAO_ANY, ACAC_TRUE), DATA))},
    ),
    _s(
        "fetch-credentials-no-acac",
        "Credentialed GET, exact ACAO but no Access-Control-Allow-Credentials.",
        ("simple", "fetch", "blocked", "credentials", "acac"),
        Call(api("me"), credentials="include"),
        {"me": Route(Reply(200, (ACAO_PAGE, VARY_ORIGIN), DATA))},
    ),
    _s(
        "fetch-credentials-acac-false",
        "Credentialed GET answered Access-Control-Allow-Credentials: false.",
        ("simple", "fetch", "blocked", "credentials", "acac"),
        Call(api("me"), credentials="include"),
        {"me": Route(Reply(200, (ACAO_PAGE, ("Access-Control-Allow-Credentials", "false")), DATA))},
    ),
    _s(
        "error-500-without-cors-headers",
        "The endpoint's error handler returns a 500 HTML page without the CORS headers its 200s carry.",
        ("simple", "fetch", "blocked", "acao-missing", "error-status"),
        Call(
            api("orders"),
            method="POST",
            body="q=1",
            headers=(("Content-Type", "application/x-www-form-urlencoded"),),
        ),
        {"orders": Route(Reply(500, body="<h1>Internal Server Error</h1>", content_type="text/html"))},
        playwright=True,
    ),
    _s(
        "error-404-without-cors-headers",
        "A typo in the path: the framework's 404 page has no CORS headers.",
        ("simple", "fetch", "blocked", "acao-missing", "error-status"),
        Call(api("userz")),
        {"userz": Route(Reply(404, body="Not Found", content_type="text/plain"))},
    ),
]

PREFLIGHT: list[Scenario] = [
    _s(
        "preflight-put-method-not-allowed",
        "PUT; the preflight's Access-Control-Allow-Methods lacks PUT.",
        ("preflight", "fetch", "blocked", "acam"),
        Call(api("item/1"), method="PUT", body='{"a":1}', headers=(JSON_CT,)),
        {"item/1": Route(OK_CORS, preflight_ok("GET, POST"))},
    ),
    _s(
        "preflight-delete-method-not-allowed",
        "DELETE; ACAM only lists GET, POST, PUT.",
        ("preflight", "fetch", "blocked", "acam"),
        Call(api("item/1"), method="DELETE"),
        {"item/1": Route(OK_CORS, preflight_ok("GET, POST, PUT"))},
    ),
    _s(
        "preflight-patch-method-not-allowed",
        "PATCH; ACAM lists GET, POST, PUT, DELETE.",
        ("preflight", "fetch", "blocked", "acam"),
        Call(api("item/1"), method="PATCH", body='{"a":1}', headers=(JSON_CT,)),
        {"item/1": Route(OK_CORS, preflight_ok("GET, POST, PUT, DELETE"))},
    ),
    _s(
        "preflight-patch-lowercase",
        "fetch(method: 'patch'): fetch() only upper-cases the six standard "
        "methods, so 'patch' goes out as-is and does not match ACAM 'PATCH'.",
        ("preflight", "fetch", "blocked", "acam", "method-case"),
        Call(api("item/1"), method="patch", body='{"a":1}', headers=(JSON_CT,)),
        {"item/1": Route(OK_CORS, preflight_ok("GET, POST, PUT, PATCH, DELETE"))},
    ),
    _s(
        "preflight-custom-header-not-allowed",
        "X-Request-Id request header; ACAH only allows Content-Type.",
        ("preflight", "fetch", "blocked", "acah"),
        Call(api("data"), headers=(("X-Request-Id", "42"),)),
        {"data": Route(OK_CORS, preflight_ok("GET", "Content-Type"))},
    ),
    _s(
        "preflight-json-content-type-not-allowed",
        "POST with Content-Type: application/json; the preflight "
        "allows the origin and POST but sends no Access-Control-Allow-Headers.",
        ("preflight", "fetch", "blocked", "acah", "content-type"),
        Call(api("orders"), method="POST", body='{"sku":"A1"}', headers=(JSON_CT,)),
        {"orders": Route(OK_CORS, preflight_ok("GET, POST", None))},
    ),
    _s(
        "preflight-authorization-not-allowed",
        "Authorization: Bearer header; ACAH allows only Content-Type.",
        ("preflight", "fetch", "blocked", "acah", "authorization"),
        Call(api("me"), headers=(("Authorization", "Bearer abc.def"),)),
        {"me": Route(OK_CORS, preflight_ok("GET", "Content-Type"))},
    ),
    _s(
        "preflight-404",
        "OPTIONS is not routed: 404 without CORS headers.",
        ("preflight", "fetch", "blocked", "preflight-status", "acao-missing"),
        Call(api("item/1"), method="PUT", body='{"a":1}', headers=(JSON_CT,)),
        {"item/1": Route(OK_CORS, Reply(404, body="Not Found", content_type="text/plain"))},
        playwright=True,
    ),
    _s(
        "preflight-405",
        "OPTIONS answered 405 Method Not Allowed with an Allow header, no CORS headers.",
        ("preflight", "fetch", "blocked", "preflight-status", "acao-missing"),
        Call(api("item/1"), method="DELETE"),
        {
            "item/1": Route(
                OK_CORS, Reply(405, (("Allow", "GET, PUT, DELETE"),), "Method Not Allowed", "text/plain")
            )
        },
    ),
    _s(
        "preflight-401-without-acao",
        "Auth middleware runs before CORS: OPTIONS gets 401 and no CORS headers.",
        ("preflight", "fetch", "blocked", "preflight-status", "acao-missing", "authorization"),
        Call(api("me"), headers=(("Authorization", "Bearer abc.def"),)),
        {
            "me": Route(
                OK_CORS, Reply(401, (("WWW-Authenticate", 'Bearer realm="api"'),), '{"error":"unauthorized"}')
            )
        },
    ),
    _s(
        "preflight-401-with-acao",
        "OPTIONS gets 401 but does carry valid CORS headers: the status is the problem.",
        ("preflight", "fetch", "blocked", "preflight-status", "authorization"),
        Call(api("me"), headers=(("Authorization", "Bearer abc.def"),)),
        {
            "me": Route(
                OK_CORS,
                Reply(
                    401,
                    (
                        *preflight_ok("GET", "Authorization").headers,
                        ("WWW-Authenticate", 'Bearer realm="api"'),
                    ),
                    '{"error":"unauthorized"}',
                ),
            )
        },
    ),
    _s(
        "preflight-500",
        "OPTIONS crashes: 500 without CORS headers.",
        ("preflight", "fetch", "blocked", "preflight-status", "acao-missing"),
        Call(api("item/1"), method="PUT", body='{"a":1}', headers=(JSON_CT,)),
        {"item/1": Route(OK_CORS, Reply(500, body="Internal Server Error", content_type="text/plain"))},
    ),
    _s(
        "preflight-301-redirect",
        "OPTIONS answered with 301 to the same path with a trailing slash.",
        ("preflight", "fetch", "blocked", "preflight-redirect"),
        Call(api("items"), method="POST", body='{"a":1}', headers=(JSON_CT,)),
        {
            "items": Route(OK_CORS, Reply(301, (("Location", api("items/")),), content_type=None)),
            "items/": Route(OK_CORS, preflight_ok()),
        },
    ),
    _s(
        "preflight-302-redirect-with-acao",
        "OPTIONS answered 302 to a login page, even though it carries ACAO.",
        ("preflight", "fetch", "blocked", "preflight-redirect"),
        Call(api("account"), method="PUT", body='{"a":1}', headers=(JSON_CT,)),
        {"account": Route(OK_CORS, Reply(302, (ACAO_PAGE, ("Location", "{api}/login")), content_type=None))},
    ),
    _s(
        "preflight-200-without-acao",
        "OPTIONS 200 with Allow-Methods/Headers but no Allow-Origin.",
        ("preflight", "fetch", "blocked", "acao-missing"),
        Call(api("item/1"), method="PUT", body='{"a":1}', headers=(JSON_CT,)),
        {
            "item/1": Route(
                OK_CORS,
                Reply(
                    200,
                    (
                        ("Access-Control-Allow-Methods", "GET, PUT"),
                        ("Access-Control-Allow-Headers", "Content-Type"),
                    ),
                    content_type=None,
                ),
            )
        },
    ),
    _s(
        "preflight-acao-other-origin",
        "The preflight allows a different origin.",
        ("preflight", "fetch", "blocked", "acao-mismatch"),
        Call(api("item/1"), method="PUT", body='{"a":1}', headers=(JSON_CT,)),
        {
            "item/1": Route(
                OK_CORS,
                Reply(
                    204,
                    (
                        ("Access-Control-Allow-Origin", "https://app.example.com"),
                        ("Access-Control-Allow-Methods", "PUT"),
                        ("Access-Control-Allow-Headers", "Content-Type"),
                    ),
                    content_type=None,
                ),
            )
        },
    ),
    _s(
        "preflight-wildcard-credentials",
        "Credentialed PUT; the preflight answers ACAO * (with ACAC true).",
        ("preflight", "fetch", "blocked", "credentials", "wildcard"),
        Call(api("cart"), method="PUT", body='{"a":1}', headers=(JSON_CT,), credentials="include"),
        {
            "cart": Route(
                Reply(200, (ACAO_PAGE, ACAC_TRUE), DATA),
                Reply(
                    204,
                    (
                        ACAO_ANY,
                        ACAC_TRUE,
                        ("Access-Control-Allow-Methods", "PUT"),
                        ("Access-Control-Allow-Headers", "Content-Type"),
                    ),
                    content_type=None,
                ),
            )
        },
    ),
    _s(
        "preflight-credentials-no-acac",
        "Credentialed PUT; the preflight has exact ACAO but no ACAC.",
        ("preflight", "fetch", "blocked", "credentials", "acac"),
        Call(api("cart"), method="PUT", body='{"a":1}', headers=(JSON_CT,), credentials="include"),
        {"cart": Route(Reply(200, (ACAO_PAGE, ACAC_TRUE), DATA), preflight_ok("PUT", "Content-Type"))},
    ),
    _s(
        "preflight-acah-wildcard-authorization",
        "ACAH * with an Authorization request header (not credentialed). "
        "The Fetch standard says * does not cover Authorization; record what Chromium does.",
        ("preflight", "fetch", "wildcard", "authorization", "acah"),
        Call(api("me"), headers=(("Authorization", "Bearer abc.def"),)),
        {"me": Route(OK_CORS, preflight_ok("GET", "*"))},
    ),
    _s(
        "preflight-acam-wildcard-credentials",
        "Credentialed PUT; ACAM * (literal with credentials) and exact ACAO + ACAC.",
        ("preflight", "fetch", "blocked", "credentials", "wildcard", "acam"),
        Call(api("cart"), method="PUT", body='{"a":1}', headers=(JSON_CT,), credentials="include"),
        {
            "cart": Route(
                Reply(200, (ACAO_PAGE, ACAC_TRUE), DATA), preflight_ok("*", "Content-Type", ACAC_TRUE)
            )
        },
    ),
    _s(
        "preflight-acah-wildcard-credentials",
        "Credentialed GET with X-Request-Id; ACAH * (literal with credentials).",
        ("preflight", "fetch", "blocked", "credentials", "wildcard", "acah"),
        Call(api("me"), headers=(("X-Request-Id", "42"),), credentials="include"),
        {"me": Route(Reply(200, (ACAO_PAGE, ACAC_TRUE), DATA), preflight_ok("GET", "*", ACAC_TRUE))},
    ),
    _s(
        "preflight-ok-actual-without-acao",
        "The preflight passes but the actual PUT response has no ACAO.",
        ("preflight", "fetch", "blocked", "acao-missing"),
        Call(api("item/1"), method="PUT", body='{"a":1}', headers=(JSON_CT,)),
        {"item/1": Route(OK_NO_CORS, preflight_ok("PUT", "Content-Type"))},
    ),
    _s(
        "request-header-acao-set-by-client",
        "The page sets Access-Control-Allow-Origin as a REQUEST header "
        "(a client-side 'fix'); that makes it a non-safelisted header and triggers a preflight.",
        ("preflight", "fetch", "blocked", "acah", "client-side-fix"),
        Call(api("data"), headers=(("Access-Control-Allow-Origin", "*"),)),
        {"data": Route(OK_CORS, preflight_ok("GET", "Content-Type"))},
    ),
]

REDIRECTS: list[Scenario] = [
    _s(
        "redirect-cross-origin-acao-page",
        "GET answered 302 (with ACAO) to another origin whose response "
        "allows the page origin; after a cross-origin redirect the request's origin is 'null'.",
        ("redirect", "fetch", "blocked", "acao-mismatch", "origin-null"),
        Call(api("old")),
        {
            "old": Route(Reply(302, (ACAO_PAGE, ("Location", "{alt}/api/{name}/new")), content_type=None)),
            "new": Route(OK_CORS),
        },
        playwright=True,
    ),
    _s(
        "redirect-without-acao",
        "GET answered 302 without CORS headers: blocked on the redirect itself.",
        ("redirect", "fetch", "blocked", "acao-missing"),
        Call(api("old")),
        {
            "old": Route(Reply(302, (("Location", "{alt}/api/{name}/new"),), content_type=None)),
            "new": Route(OK_CORS),
        },
    ),
    _s(
        "redirect-cross-origin-ok",
        "GET 302 (with ACAO) to another origin that answers ACAO *: allowed.",
        ("redirect", "fetch", "success"),
        Call(api("old")),
        {
            "old": Route(Reply(302, (ACAO_PAGE, ("Location", "{alt}/api/{name}/new")), content_type=None)),
            "new": Route(Reply(200, (ACAO_ANY,), DATA)),
        },
    ),
]

XHR: list[Scenario] = [
    _s(
        "xhr-no-acao",
        "XMLHttpRequest GET without ACAO.",
        ("simple", "xhr", "blocked", "acao-missing"),
        Call(api("data"), api="xhr"),
        {"data": Route(OK_NO_CORS)},
    ),
    _s(
        "xhr-acao-other-origin",
        "XMLHttpRequest GET; ACAO names another origin.",
        ("simple", "xhr", "blocked", "acao-mismatch"),
        Call(api("data"), api="xhr"),
        {"data": Route(Reply(200, (("Access-Control-Allow-Origin", "https://app.example.com"),), DATA))},
    ),
    _s(
        "xhr-acao-wildcard-credentials",
        "XMLHttpRequest with withCredentials = true; ACAO *.",
        ("simple", "xhr", "blocked", "credentials", "wildcard"),
        Call(api("me"), api="xhr", credentials="include"),
        {"me": Route(Reply(200, (ACAO_ANY,), DATA))},
    ),
    _s(
        "xhr-credentials-no-acac",
        "XMLHttpRequest withCredentials; exact ACAO, no ACAC.",
        ("simple", "xhr", "blocked", "credentials", "acac"),
        Call(api("me"), api="xhr", credentials="include"),
        {"me": Route(OK_CORS)},
    ),
    _s(
        "xhr-preflight-put-method-not-allowed",
        "XMLHttpRequest PUT; ACAM lacks PUT.",
        ("preflight", "xhr", "blocked", "acam"),
        Call(api("item/1"), api="xhr", method="PUT", body='{"a":1}', headers=(JSON_CT,)),
        {"item/1": Route(OK_CORS, preflight_ok("GET, POST"))},
    ),
    _s(
        "xhr-preflight-404",
        "XMLHttpRequest with a custom header; OPTIONS 404.",
        ("preflight", "xhr", "blocked", "preflight-status", "acao-missing"),
        Call(api("data"), api="xhr", headers=(("X-Requested-With", "XMLHttpRequest"),)),
        {"data": Route(OK_CORS, Reply(404, body="Not Found", content_type="text/plain"))},
    ),
    _s(
        "xhr-preflight-header-not-allowed",
        "XMLHttpRequest with Authorization; ACAH lacks it.",
        ("preflight", "xhr", "blocked", "acah", "authorization"),
        Call(api("me"), api="xhr", headers=(("Authorization", "Bearer abc.def"),)),
        {"me": Route(OK_CORS, preflight_ok("GET", "Content-Type"))},
    ),
    _s(
        "xhr-success",
        "XMLHttpRequest GET with exact ACAO: allowed.",
        ("simple", "xhr", "success"),
        Call(api("data"), api="xhr"),
        {"data": Route(OK_CORS)},
    ),
]

OTHER: list[Scenario] = [
    _s(
        "sandboxed-iframe-acao-page-origin",
        "fetch from a sandboxed iframe (origin 'null'); ACAO names the embedding page's origin.",
        ("origin-null", "fetch", "blocked", "acao-mismatch", "iframe"),
        Call(api("data")),
        {"data": Route(OK_CORS)},
        frame="sandboxed-iframe",
    ),
    _s(
        "sandboxed-iframe-no-acao",
        "fetch from a sandboxed iframe (origin 'null'); no ACAO.",
        ("origin-null", "fetch", "blocked", "acao-missing", "iframe"),
        Call(api("data")),
        {"data": Route(OK_NO_CORS)},
        frame="sandboxed-iframe",
    ),
    _s(
        "sandboxed-iframe-acao-null",
        "fetch from a sandboxed iframe; server answers ACAO: null, which matches.",
        ("origin-null", "fetch", "success", "iframe"),
        Call(api("data")),
        {"data": Route(Reply(200, (("Access-Control-Allow-Origin", "null"),), DATA))},
        frame="sandboxed-iframe",
    ),
    _s(
        "fetch-no-cors-opaque",
        "mode: 'no-cors' to an API without CORS headers: an opaque response, not a "
        "CORS error (the JSON body is then withheld by ORB).",
        ("mode", "fetch", "no-cors"),
        Call(api("data"), mode="no-cors"),
        {"data": Route(OK_NO_CORS)},
    ),
    _s(
        "fetch-same-origin-mode-cross-origin",
        "mode: 'same-origin' used for a cross-origin URL: refused before any request is sent.",
        ("mode", "fetch", "same-origin-mode"),
        Call(api("data"), mode="same-origin"),
        {"data": Route(OK_CORS)},
    ),
    _s(
        "same-origin-get",
        "A same-origin GET: CORS does not apply.",
        ("same-origin", "fetch", "success"),
        Call(same("data")),
        {"data": Route(OK_NO_CORS)},
    ),
    _s(
        "same-origin-put-json",
        "A same-origin PUT with JSON: no preflight, no CORS headers needed.",
        ("same-origin", "fetch", "success"),
        Call(same("item/1"), method="PUT", body='{"a":1}', headers=(JSON_CT,)),
        {"item/1": Route(OK_NO_CORS)},
    ),
    _s(
        "connection-refused",
        "fetch to a port where nothing listens: a network error, not CORS.",
        ("network-error", "fetch"),
        Call("{closed}/api/{name}/data"),
        {},
    ),
]

SUCCESS: list[Scenario] = [
    _s(
        "success-simple-get",
        "GET with exact ACAO.",
        ("simple", "fetch", "success"),
        Call(api("data")),
        {"data": Route(Reply(200, (ACAO_PAGE, VARY_ORIGIN), DATA))},
    ),
    _s(
        "success-wildcard-get",
        "Non-credentialed GET with ACAO *.",
        ("simple", "fetch", "success", "wildcard"),
        Call(api("data")),
        {"data": Route(Reply(200, (ACAO_ANY,), DATA))},
    ),
    _s(
        "success-credentialed",
        "Credentialed GET with exact ACAO, ACAC true and Vary: Origin.",
        ("simple", "fetch", "success", "credentials"),
        Call(api("me"), credentials="include"),
        {"me": Route(Reply(200, (ACAO_PAGE, ACAC_TRUE, VARY_ORIGIN), DATA))},
    ),
    _s(
        "success-preflight-put-json",
        "PUT with JSON; the preflight allows origin, PUT and Content-Type.",
        ("preflight", "fetch", "success", "content-type"),
        Call(api("item/1"), method="PUT", body='{"a":1}', headers=(JSON_CT,)),
        {"item/1": Route(OK_CORS, preflight_ok("GET, PUT", "Content-Type"))},
        playwright=True,
    ),
    _s(
        "success-preflight-custom-header",
        "GET with X-Request-Id; the preflight allows it (any case).",
        ("preflight", "fetch", "success"),
        Call(api("data"), headers=(("X-Request-Id", "42"),)),
        {"data": Route(OK_CORS, preflight_ok("GET", "x-request-id"))},
    ),
    _s(
        "success-preflight-credentialed",
        "Credentialed DELETE with exact ACAO + ACAC on preflight and response.",
        ("preflight", "fetch", "success", "credentials"),
        Call(api("cart/7"), method="DELETE", credentials="include"),
        {"cart/7": Route(Reply(200, (ACAO_PAGE, ACAC_TRUE), DATA), preflight_ok("DELETE", None, ACAC_TRUE))},
    ),
    _s(
        "success-cached-preflight",
        "Two PUTs to the same URL within Access-Control-Max-Age: the second sends "
        "no OPTIONS. A third PUT with a different query string gets a new preflight.",
        ("preflight", "fetch", "success", "preflight-cache"),
        (
            Call(api("item/1"), method="PUT", body='{"a":1}', headers=(JSON_CT,)),
            Call(api("item/1"), method="PUT", body='{"a":2}', headers=(JSON_CT,)),
            Call(api("item/1?v=2"), method="PUT", body='{"a":3}', headers=(JSON_CT,)),
        ),
        {"item/1": Route(OK_CORS, preflight_ok("PUT", "Content-Type", ("Access-Control-Max-Age", "600")))},
    ),
    _s(
        "cached-preflight-actual-without-acao",
        "The preflight is cached (Max-Age) and both actual PUTs lack ACAO: "
        "the second failure has no OPTIONS beside it.",
        ("preflight", "fetch", "blocked", "preflight-cache", "acao-missing"),
        (
            Call(api("item/1"), method="PUT", body='{"a":1}', headers=(JSON_CT,)),
            Call(api("item/1"), method="PUT", body='{"a":2}', headers=(JSON_CT,)),
        ),
        {"item/1": Route(OK_NO_CORS, preflight_ok("PUT", "Content-Type", ("Access-Control-Max-Age", "600")))},
    ),
]


def _session_dashboard() -> Scenario:
    calls: list[Call] = []
    routes: dict[str, Route] = {}
    for i in range(1, 13):
        calls.append(Call(same(f"widgets/{i}")))
        routes[f"widgets/{i}"] = Route(Reply(200, (("Cache-Control", "no-store"),), f'{{"id":{i}}}'))
    # The CORS traffic sits between ordinary same-origin calls, as in a real app.
    calls[3:3] = [Call(api("profile"), credentials="include")]
    routes["profile"] = Route(Reply(200, (ACAO_PAGE, ACAC_TRUE, VARY_ORIGIN), DATA))
    calls[6:6] = [Call(api("notifications"))]
    routes["notifications"] = Route(OK_NO_CORS)
    calls[8:8] = [Call(api("settings"), method="PUT", body='{"theme":"dark"}', headers=(JSON_CT,))]
    routes["settings"] = Route(OK_CORS, preflight_ok("GET, POST"))
    calls[10:10] = [Call(api("avatar"), credentials="include")]
    routes["avatar"] = Route(Reply(200, (ACAO_ANY,), DATA))
    calls.append(Call(api("metrics"), method="POST", body='{"m":1}', headers=(JSON_CT,)))
    routes["metrics"] = Route(OK_CORS, preflight_ok("POST", "Content-Type"))
    assets = (
        "app.css",
        "theme.css",
        "vendor.js",
        "app.js",
        *(f"img/icon-{i}.png" for i in range(1, 11)),
        "img/logo.svg",
    )
    return _s(
        "session-dashboard",
        "A dashboard page: stylesheets, scripts, a dozen images and a dozen "
        "same-origin JSON calls, with five cross-origin calls mixed in (credentialed success, missing "
        "ACAO, PUT not in ACAM, credentialed request answered ACAO *, preflighted POST success).",
        ("session", "fetch", "blocked", "success", "preflight", "credentials"),
        tuple(calls),
        routes,
        assets=assets,
        playwright=True,
    )


def _session_xhr_app() -> Scenario:
    calls: list[Call] = []
    routes: dict[str, Route] = {}
    for i in range(1, 9):
        calls.append(Call(same(f"page/{i}"), api="xhr"))
        routes[f"page/{i}"] = Route(Reply(200, body=f'{{"page":{i}}}'))
    calls[2:2] = [Call(api("search?q=shoes"), api="xhr")]
    routes["search"] = Route(Reply(200, (ACAO_ANY,), DATA))
    calls[4:4] = [
        Call(
            api("cart"),
            api="xhr",
            method="POST",
            body='{"sku":"A1"}',
            headers=(JSON_CT,),
            credentials="include",
        )
    ]
    routes["cart"] = Route(Reply(200, (ACAO_PAGE, ACAC_TRUE), DATA), preflight_ok("POST", "Content-Type"))
    calls[6:6] = [Call(api("recommendations"), api="xhr")]
    routes["recommendations"] = Route(Reply(500, body="upstream timeout", content_type="text/plain"))
    assets = ("app.css", "app.js", *(f"img/product-{i}.png" for i in range(1, 7)))
    return _s(
        "session-shop-xhr",
        "A jQuery-style shop page using XMLHttpRequest: same-origin page loads "
        "around a cross-origin search (ACAO *), a credentialed cart POST whose preflight lacks ACAC, "
        "and a 500 from a recommendations service without CORS headers.",
        ("session", "xhr", "blocked", "success", "preflight", "credentials"),
        tuple(calls),
        routes,
        assets=assets,
    )


# --- credentialed calls that really carry a cookie -------------------------------------
#
# In real life a page asks for credentials because it holds a cookie for the API. Here the page
# first logs in against the API origin (a credentialed POST the server answers correctly, with
# `Set-Cookie`), then makes the call under test, which sends that cookie: the `Cookie` request
# header is the evidence a HAR without verdict fields (Firefox's) has of credentials mode
# "include". 127.0.0.1:8701 and :8702 are the same site, so the SameSite=Lax cookie goes along on
# the cross-origin call. The cookie is a session cookie whose path is the scenario's own API, so it
# cannot reach another scenario even in a browser that outlives one page.

SET_SESSION: Header = ("Set-Cookie", "sid=s3ss10n-{name}; SameSite=Lax; Path=/api/{name}")


def _with_cookie(
    name: str, description: str, tags: tuple[str, ...], me: Reply, kind: Literal["fetch", "xhr"] = "fetch"
) -> Scenario:
    login = Reply(200, (ACAO_PAGE, ACAC_TRUE, VARY_ORIGIN, SET_SESSION), '{"ok":true}')
    return _s(
        name,
        description + " The page first logs in (credentialed POST, answered with ACAC true and Set-Cookie).",
        tags,
        (
            Call(api("login"), api=kind, method="POST", body='{"user":"ada"}', credentials="include"),
            Call(api("me"), api=kind, credentials="include"),
        ),
        {"login": Route(login), "me": Route(me)},
    )


WITH_COOKIE: list[Scenario] = [
    _with_cookie(
        "fetch-credentials-cookie-wildcard",
        "Credentialed GET carrying the session cookie; ACAO *.",
        ("simple", "fetch", "blocked", "credentials", "cookie", "wildcard"),
        Reply(200, (ACAO_ANY, ACAC_TRUE), DATA),
    ),
    _with_cookie(
        "fetch-credentials-cookie-no-acac",
        "Credentialed GET carrying the session cookie; exact ACAO, no ACAC.",
        ("simple", "fetch", "blocked", "credentials", "cookie", "acac"),
        Reply(200, (ACAO_PAGE, VARY_ORIGIN), DATA),
    ),
    _with_cookie(
        "fetch-credentials-cookie-acac-false",
        "Credentialed GET carrying the session cookie; ACAC false.",
        ("simple", "fetch", "blocked", "credentials", "cookie", "acac"),
        Reply(200, (ACAO_PAGE, ("Access-Control-Allow-Credentials", "false"), VARY_ORIGIN), DATA),
    ),
    _with_cookie(
        "xhr-credentials-cookie-wildcard",
        "XMLHttpRequest withCredentials carrying the session cookie; ACAO *.",
        ("simple", "xhr", "blocked", "credentials", "cookie", "wildcard"),
        Reply(200, (ACAO_ANY,), DATA),
        kind="xhr",
    ),
    _with_cookie(
        "xhr-credentials-cookie-no-acac",
        "XMLHttpRequest withCredentials carrying the session cookie; exact ACAO, no ACAC.",
        ("simple", "xhr", "blocked", "credentials", "cookie", "acac"),
        Reply(200, (ACAO_PAGE, VARY_ORIGIN), DATA),
        kind="xhr",
    ),
    _with_cookie(
        "success-credentialed-cookie",
        "Credentialed GET carrying the session cookie; exact ACAO, ACAC true and Vary: Origin.",
        ("simple", "fetch", "success", "credentials", "cookie"),
        Reply(200, (ACAO_PAGE, ACAC_TRUE, VARY_ORIGIN), DATA),
    ),
]


SCENARIOS: tuple[Scenario, ...] = (
    *SIMPLE,
    *PREFLIGHT,
    *REDIRECTS,
    *XHR,
    *OTHER,
    *SUCCESS,
    _session_dashboard(),
    _session_xhr_app(),
    *WITH_COOKIE,
)

BY_NAME: dict[str, Scenario] = {s.name: s for s in SCENARIOS}
assert len(BY_NAME) == len(SCENARIOS), "duplicate scenario name"

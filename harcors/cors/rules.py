"""The rule registry: one small object per CORS rule, with a stable id.

A rule owns its title, the Fetch-standard check it encodes, Chromium's CorsError names, each
browser's message template, a plain-language explanation and its docs page
(``resources/rules/<id>.md``). The checks that decide *whether* a rule fires live in
``checks.py`` (one function per browser, in that browser's order); the wording lives here.

Template fields: ``{hint}`` (Chromium's failed parameter), ``{origin}``, ``{status}``, ``{url}``,
``{method}``, ``{header}``, ``{value}``, ``{location}``, ``{space}``, ``{net_error}``.
Firefox templates are the reason only; ``firefox_status`` says whether Firefox appends
" Status code: N.". Safari templates are WebKit's first (reason) line; the "cannot load" line
is added by the message builder.
"""

from __future__ import annotations

from dataclasses import dataclass

from harcors.cors.model import Severity

FETCH = "https://fetch.spec.whatwg.org/"

# Chromium 156, observed: the list in kCorsDisabledScheme's message.
CHROME_CORS_SCHEMES = (
    "chrome, chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, http, https, "
    "isolated-app"
)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    severity: Severity
    spec: str  # the Fetch-standard step this rule encodes, in words
    spec_url: str
    explanation: str
    chrome_errors: tuple[str, ...] = ()  # CDP CorsError names (kPreflight* twins included)
    chrome: str | None = None  # reason text after "... blocked by CORS policy: "
    # Suffix Chromium appends: "no-cors-info" (fetch only), "credentials-xhr" (XHR only), or None.
    chrome_suffix: str | None = None
    firefox: str | None = None
    firefox_status: bool = False
    safari: str | None = None
    is_cors: bool = True  # False: a failure or note the browser does not report as CORS

    @property
    def docs(self) -> str:
        """Path of the rule's page under the top-level ``resources/`` directory."""
        return f"rules/{self.id}.md"


_E, _W = Severity.ERROR, Severity.WARNING

# WebKit's one wording for a missing, mismatched or invalid Access-Control-Allow-Origin.
_WEBKIT_ORIGIN_NOT_ALLOWED = (
    "Origin {origin} is not allowed by Access-Control-Allow-Origin. Status code: {status}"
)

_RULE_LIST: tuple[Rule, ...] = (
    Rule(
        id="missing-allow-origin",
        title="No Access-Control-Allow-Origin header",
        severity=_E,
        spec=(
            "CORS check step 2: the response has no `Access-Control-Allow-Origin` header, so the check fails."
        ),
        spec_url=FETCH + "#cors-check",
        explanation=(
            "The server answered, but without an Access-Control-Allow-Origin header, so the "
            "browser would not let the page read the response. The server (or the proxy in front "
            "of it) must name the page's origin in that header."
        ),
        chrome_errors=("MissingAllowOriginHeader", "PreflightMissingAllowOriginHeader"),
        # No suffix: Chromium 156 no longer appends the "opaque response" hint here (observed).
        chrome="No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        firefox="CORS header ‘Access-Control-Allow-Origin’ missing",
        firefox_status=True,
        safari=_WEBKIT_ORIGIN_NOT_ALLOWED,
    ),
    Rule(
        id="allow-origin-mismatch",
        title="Access-Control-Allow-Origin names a different origin",
        severity=_E,
        spec=(
            "CORS check step 4: the `Access-Control-Allow-Origin` value must be byte-for-byte the "
            "request's serialized origin (scheme, host and non-default port; no path, no trailing slash)."
        ),
        spec_url=FETCH + "#cors-check",
        explanation=(
            "The server sent Access-Control-Allow-Origin, but its value is not exactly the page's "
            "origin. The comparison is an exact string match: a trailing slash, a different "
            "scheme, port or letter case, or localhost instead of 127.0.0.1 are all different "
            "origins."
        ),
        chrome_errors=("AllowOriginMismatch", "PreflightAllowOriginMismatch"),
        chrome=(
            "The 'Access-Control-Allow-Origin' header has a value '{hint}' that is not equal to the "
            "supplied origin."
        ),
        chrome_suffix="no-cors-info",
        firefox="CORS header ‘Access-Control-Allow-Origin’ does not match ‘{value}’",
        safari=_WEBKIT_ORIGIN_NOT_ALLOWED,
    ),
    Rule(
        id="multiple-allow-origin",
        title="Access-Control-Allow-Origin has more than one value",
        severity=_E,
        spec=(
            "`Access-Control-Allow-Origin` takes exactly one origin or `*`; a list (or the header sent "
            "twice, which HTTP folds into a list) never equals the request's origin."
        ),
        spec_url=FETCH + "#http-access-control-allow-origin",
        explanation=(
            "The response carries several origins in Access-Control-Allow-Origin, either as a list "
            "or because the header was added twice (typically once by the application and once by "
            "a proxy or a second middleware). Only one origin is allowed: send just the one that "
            "made the request."
        ),
        chrome_errors=("MultipleAllowOriginValues", "PreflightMultipleAllowOriginValues"),
        chrome=(
            "The 'Access-Control-Allow-Origin' header contains multiple values '{hint}', but only one "
            "is allowed."
        ),
        chrome_suffix="no-cors-info",
        firefox="Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed",
        safari="Access-Control-Allow-Origin cannot contain more than one origin.",
    ),
    Rule(
        id="invalid-allow-origin",
        title="Access-Control-Allow-Origin is not a valid origin",
        severity=_E,
        spec="CORS check step 4: the value is neither `*`, `null` nor an origin, so it cannot match.",
        spec_url=FETCH + "#http-access-control-allow-origin",
        explanation=(
            "Access-Control-Allow-Origin must be a full origin such as https://app.example.com "
            "(with the scheme), `*`, or `null`. A bare host name or a pattern such as "
            "*.example.com is not understood by browsers."
        ),
        chrome_errors=("InvalidAllowOriginValue", "PreflightInvalidAllowOriginValue"),
        chrome="The 'Access-Control-Allow-Origin' header contains the invalid value '{hint}'.",
        chrome_suffix="no-cors-info",
        firefox="CORS header ‘Access-Control-Allow-Origin’ does not match ‘{value}’",
        safari=_WEBKIT_ORIGIN_NOT_ALLOWED,
    ),
    Rule(
        id="wildcard-with-credentials",
        title="Access-Control-Allow-Origin is * on a request with credentials",
        severity=_E,
        spec=(
            'CORS check step 3: when the request\'s credentials mode is "include", `*` is not a wildcard '
            "and the check fails."
        ),
        spec_url=FETCH + "#cors-protocol-and-credentials",
        explanation=(
            "The page sent the request with credentials (fetch credentials: 'include' or "
            "XMLHttpRequest withCredentials = true), and for such requests the browser refuses the "
            "wildcard `*`. The server must echo the page's exact origin instead, together with "
            "Access-Control-Allow-Credentials: true and Vary: Origin."
        ),
        chrome_errors=("WildcardOriginNotAllowed", "PreflightWildcardOriginNotAllowed"),
        chrome=(
            "The value of the 'Access-Control-Allow-Origin' header in the response must not be the "
            "wildcard '*' when the request's credentials mode is 'include'."
        ),
        chrome_suffix="credentials-xhr",
        firefox="Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’",
        safari="Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true.",
    ),
    Rule(
        id="invalid-allow-credentials",
        title="Access-Control-Allow-Credentials is not 'true' on a request with credentials",
        severity=_E,
        spec=(
            'CORS check step 6: with credentials mode "include", `Access-Control-Allow-Credentials` '
            "must be exactly `true` (lower case)."
        ),
        spec_url=FETCH + "#http-access-control-allow-credentials",
        explanation=(
            "The page sent the request with credentials, so the response must also carry "
            "Access-Control-Allow-Credentials: true (exactly that, lower case). It is missing or "
            "has another value."
        ),
        chrome_errors=("InvalidAllowCredentials", "PreflightInvalidAllowCredentials"),
        chrome=(
            "The value of the 'Access-Control-Allow-Credentials' header in the response is '{hint}' "
            "which must be 'true' when the request's credentials mode is 'include'."
        ),
        chrome_suffix="credentials-xhr",
        firefox="expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’",
        safari='Credentials flag is true, but Access-Control-Allow-Credentials is not "true".',
    ),
    Rule(
        id="preflight-status",
        title="The preflight (OPTIONS) response is not a 2xx",
        severity=_E,
        spec="CORS-preflight fetch step 7: the preflight response must have an ok status (200-299).",
        spec_url=FETCH + "#cors-preflight-fetch",
        explanation=(
            "Before the real request the browser sent an OPTIONS preflight, and the server "
            "answered it with an error status. The OPTIONS request must succeed with a 2xx (204 is "
            "usual) and the CORS headers, without requiring authentication."
        ),
        chrome_errors=("PreflightInvalidStatus",),
        chrome="It does not have HTTP ok status.",
        firefox="CORS preflight response did not succeed",
        firefox_status=True,
        safari="Preflight response is not successful. Status code: {status}",
    ),
    Rule(
        id="preflight-redirect",
        title="The preflight (OPTIONS) was answered with a redirect",
        severity=_E,
        spec=(
            "CORS-preflight fetch steps 6-7: the preflight goes through HTTP-network-or-cache fetch, "
            "which never follows redirects, and a 3xx is not an ok status, so it is a network error."
        ),
        spec_url=FETCH + "#cors-preflight-fetch",
        explanation=(
            "The server answered the OPTIONS preflight with a redirect (often a trailing-slash or "
            "http-to-https redirect, or a redirect to a login page). Browsers never follow a "
            "redirect for a preflight: request the final URL directly, or answer OPTIONS before "
            "redirecting."
        ),
        chrome_errors=("PreflightDisallowedRedirect",),
        chrome="Redirect is not allowed for a preflight request.",
        firefox="CORS request external redirect not allowed",
        safari="Preflight response is not successful. Status code: {status}",
    ),
    Rule(
        id="method-not-allowed",
        title="The method is not listed in Access-Control-Allow-Methods",
        severity=_E,
        spec=(
            "CORS-preflight fetch step 7.6: the request's method must be a CORS-safelisted method or "
            "appear in `Access-Control-Allow-Methods` (compared case-sensitively; `*` counts only without "
            "credentials)."
        ),
        spec_url=FETCH + "#cors-preflight-fetch",
        explanation=(
            "The preflight response does not allow the request's method. Add it to "
            "Access-Control-Allow-Methods, spelled exactly as the page sends it (methods are "
            "case-sensitive: fetch() sends 'patch' as written)."
        ),
        chrome_errors=("MethodDisallowedByPreflightResponse",),
        chrome="Method {hint} is not allowed by Access-Control-Allow-Methods in preflight response.",
        firefox="Did not find method in CORS header ‘Access-Control-Allow-Methods’",
        safari="Method {method} is not allowed by Access-Control-Allow-Methods.",
    ),
    Rule(
        id="header-not-allowed",
        title="A request header is not listed in Access-Control-Allow-Headers",
        severity=_E,
        spec=(
            "CORS-preflight fetch step 7.7: every CORS-unsafe request-header name must appear in "
            "`Access-Control-Allow-Headers` (case-insensitively; `*` counts only without credentials)."
        ),
        spec_url=FETCH + "#cors-preflight-fetch",
        explanation=(
            "The page sends a request header that is not CORS-safelisted (for example "
            "Authorization, a custom X- header, or Content-Type: application/json), and the "
            "preflight response does not list it in Access-Control-Allow-Headers."
        ),
        chrome_errors=("HeaderDisallowedByPreflightResponse",),
        chrome=(
            "Request header field {hint} is not allowed by Access-Control-Allow-Headers in preflight "
            "response."
        ),
        firefox=(
            "header ‘{header}’ is not allowed according to header ‘Access-Control-Allow-Headers’ from "
            "CORS preflight response"
        ),
        safari="Request header field {header} is not allowed by Access-Control-Allow-Headers.",
    ),
    Rule(
        id="invalid-allow-methods",
        title="Access-Control-Allow-Methods cannot be parsed",
        severity=_E,
        spec=(
            "CORS-preflight fetch step 7.2: `Access-Control-Allow-Methods` must be a comma-separated list "
            "of tokens; a parse failure is a network error."
        ),
        spec_url=FETCH + "#http-new-header-syntax",
        explanation=(
            "Access-Control-Allow-Methods must be a comma-separated list of method names. A value "
            "with spaces instead of commas, quotes or other punctuation makes the whole preflight "
            "fail."
        ),
        chrome_errors=("InvalidAllowMethodsPreflightResponse",),
        chrome="Cannot parse Access-Control-Allow-Methods response header field in preflight response.",
        firefox="invalid token ‘{value}’ in CORS header ‘Access-Control-Allow-Methods’",
        safari="Header Access-Control-Allow-Methods has an invalid value: {value}",
    ),
    Rule(
        id="invalid-allow-headers",
        title="Access-Control-Allow-Headers cannot be parsed",
        severity=_E,
        spec=(
            "CORS-preflight fetch step 7.3: `Access-Control-Allow-Headers` must be a comma-separated list "
            "of tokens; a parse failure is a network error."
        ),
        spec_url=FETCH + "#http-new-header-syntax",
        explanation=(
            "Access-Control-Allow-Headers must be a comma-separated list of header names. A value "
            "with spaces instead of commas, quotes or other punctuation makes the whole preflight "
            "fail."
        ),
        chrome_errors=("InvalidAllowHeadersPreflightResponse",),
        chrome="Cannot parse Access-Control-Allow-Headers response header field in preflight response.",
        firefox="invalid token ‘{value}’ in CORS header ‘Access-Control-Allow-Headers’",
        safari="Header Access-Control-Allow-Headers has an invalid value: {value}",
    ),
    Rule(
        id="redirect-with-credentials",
        title="A cross-origin redirect points at a URL with a user name or password",
        severity=_E,
        spec=(
            "HTTP-redirect fetch step 8: a CORS request whose redirect location includes credentials "
            "(user:password@) is a network error."
        ),
        spec_url=FETCH + "#http-redirect-fetch",
        explanation=(
            "The server redirected the request to a URL that contains a user name and password "
            "(https://user:pass@host/...). Browsers refuse to follow such a redirect for "
            "cross-origin requests; redirect to a URL without credentials."
        ),
        chrome_errors=("RedirectContainsCredentials",),
        # Chromium 156 prints an empty location here (observed), so the hint stays ''.
        chrome=(
            "Redirect location '' contains a username and password, which is disallowed for "
            "cross-origin requests."
        ),
        firefox="CORS request external redirect not allowed",
        safari=(
            "Cross-origin redirection to {location} denied by Cross-Origin Resource Sharing policy: "
            "redirection URL {location} has credentials"
        ),
    ),
    Rule(
        id="disallowed-scheme",
        title="The URL's scheme does not support CORS",
        severity=_E,
        spec=(
            "Scheme fetch / HTTP-redirect fetch step 5: only HTTP(S) (and data:) URLs can be fetched with "
            "CORS; anything else (file:, custom schemes) is a network error."
        ),
        spec_url=FETCH + "#scheme-fetch",
        explanation=(
            "The request (or a redirect) targets a URL whose scheme browsers do not allow for "
            "cross-origin requests, typically file:// when a page opened from disk loads data. "
            "Serve the page and its data over http(s), e.g. from a local development server."
        ),
        chrome_errors=("CorsDisabledScheme",),
        chrome="Cross origin requests are only supported for protocol schemes: " + CHROME_CORS_SCHEMES + ".",
        firefox="CORS request not http",
        safari="Cross origin requests are only supported for HTTP.",
    ),
    Rule(
        id="private-network-access",
        title="A public page asked for a local-network or loopback address",
        severity=_E,
        spec=(
            "Local Network Access (a Chromium extension to Fetch, "
            "https://wicg.github.io/local-network-access/): requests from a less private address space to "
            "a more private one need the user's permission."
        ),
        spec_url="https://wicg.github.io/local-network-access/",
        explanation=(
            "A page served from the public internet requested a local-network or loopback address "
            "(localhost, 192.168.x.x, 10.x.x.x ...). Chromium asks the user for permission first "
            "and blocks the request if it is denied or cannot be asked."
        ),
        chrome_errors=(
            "LocalNetworkAccessPermissionDenied",
            "InvalidPrivateNetworkAccess",
            "InsecurePrivateNetwork",
        ),
        chrome="Permission was denied for this request to access the `{space}` address space.",
    ),
    Rule(
        id="same-origin-mode",
        title="fetch() with mode: 'same-origin' to another origin",
        severity=_E,
        spec=(
            'Main fetch step 12: a request whose mode is "same-origin" and whose URL is not same origin '
            "with the request's origin is a network error; nothing is sent."
        ),
        spec_url=FETCH + "#main-fetch",
        explanation=(
            "The page called fetch() with mode: 'same-origin' for a URL on another origin. The "
            "browser refuses before sending anything, whatever the server's CORS headers say. "
            "Remove the option."
        ),
        chrome_errors=("DisallowedByMode",),
    ),
    Rule(
        id="cors-blocked",
        title="Blocked by CORS; the HAR does not show why",
        severity=_E,
        spec=(
            "The browser reported a CORS failure (net::ERR_FAILED), but the HAR lacks the response or "
            "preflight that failed, so the exact check cannot be named."
        ),
        spec_url=FETCH + "#cors-check",
        explanation=(
            "The browser blocked this cross-origin request, but the HAR does not contain the "
            "evidence needed to say which check failed (the preflight and the response are "
            "missing, as in Playwright HARs). Capture the HAR from the browser's DevTools to see "
            "the preflight."
        ),
    ),
    Rule(
        id="not-cors",
        title="The request failed, but not because of CORS",
        severity=_W,
        spec=(
            "Not a CORS check: the fetch failed at the network level (connection refused, DNS, TLS "
            "certificate, blocked by an extension) before any CORS check ran."
        ),
        spec_url=FETCH + "#concept-network-error",
        explanation=(
            "This request failed for a reason that has nothing to do with CORS headers: changing "
            "the server's CORS configuration will not help. Fix the network problem named in the "
            "error."
        ),
        chrome="Failed to load resource: {net_error}",
        firefox="CORS request did not succeed",
        firefox_status=True,
        is_cors=False,
    ),
    Rule(
        id="mixed-content",
        title="An https page requested an http URL (mixed content), not a CORS problem",
        severity=_W,
        spec=(
            "Mixed Content (https://w3c.github.io/webappsec-mixed-content/): a secure page's fetch to an "
            "insecure URL is blocked before it is sent; no CORS check runs."
        ),
        spec_url="https://w3c.github.io/webappsec-mixed-content/",
        explanation=(
            "The page was loaded over https but called an http:// URL. Browsers block that before "
            "sending anything, and the page sees the same 'Failed to fetch' as for CORS. No CORS header "
            "can fix it: call the API over https."
        ),
        firefox="Blocked loading mixed active content “{url}”",
        is_cors=False,
    ),
    Rule(
        id="no-cors-opaque",
        title="mode: 'no-cors' gives the page an opaque response",
        severity=_W,
        spec=(
            'Main fetch: a request with mode "no-cors" to another origin gets an opaque filtered '
            "response (status 0, no headers, no body) instead of a CORS check."
        ),
        spec_url=FETCH + "#concept-filtered-response-opaque",
        explanation=(
            "The page used mode: 'no-cors'. That does not get around CORS: the request is sent, "
            "but the page receives an opaque response it cannot read (status 0, empty body). "
            "Remove mode: 'no-cors' and have the server send CORS headers instead."
        ),
        is_cors=False,
    ),
    Rule(
        id="acao-in-request",
        title="Access-Control-Allow-Origin was sent as a request header",
        severity=_W,
        spec=(
            "`Access-Control-Allow-*` are response headers. As a request header it is just another "
            "CORS-unsafe request header, which forces a preflight that must allow it."
        ),
        spec_url=FETCH + "#cors-unsafe-request-header-names",
        explanation=(
            "The page set Access-Control-Allow-Origin (or another Access-Control-Allow-* header) "
            "on the request. That fixes nothing: only the server's response headers count. Worse, "
            "it is a non-safelisted request header, so it triggers a preflight. Remove it from the "
            "client code."
        ),
        is_cors=False,
    ),
    Rule(
        id="reflected-origin-with-credentials",
        title="The server echoes any Origin with Access-Control-Allow-Credentials: true",
        severity=_W,
        spec=(
            "Not a browser check: the CORS protocol works, but reflecting arbitrary origins together with "
            "credentials lets any site read authenticated responses."
        ),
        spec_url=FETCH + "#cors-protocol-and-credentials",
        explanation=(
            "The server copies whatever Origin it receives into Access-Control-Allow-Origin and "
            "allows credentials. It works, but any website can then read this user's data. Check "
            "the Origin against an allow-list before echoing it."
        ),
        is_cors=False,
    ),
    Rule(
        id="allow-origin-null",
        title="Access-Control-Allow-Origin: null",
        severity=_W,
        spec=(
            "Not a browser check: `null` matches every opaque origin (sandboxed iframes, file: pages, "
            "data: URLs), so it grants access to any of them."
        ),
        spec_url=FETCH + "#http-access-control-allow-origin",
        explanation=(
            "The server allows the origin 'null'. Sandboxed iframes, local files and data: URLs "
            "all have that origin, so any site can obtain it; allowing it is close to allowing "
            "everyone."
        ),
        is_cors=False,
    ),
    Rule(
        id="missing-vary-origin",
        title="Access-Control-Allow-Origin depends on Origin but the response has no Vary: Origin",
        severity=_W,
        spec=(
            "CORS protocol and HTTP caches: a response whose `Access-Control-Allow-Origin` depends on the "
            "request's `Origin` must say `Vary: Origin`."
        ),
        spec_url=FETCH + "#cors-protocol-and-http-caches",
        explanation=(
            "The server names a specific origin in Access-Control-Allow-Origin but does not send "
            "Vary: Origin. A browser or CDN cache may then serve this response to a page on "
            "another origin, which will fail intermittently."
        ),
        is_cors=False,
    ),
    Rule(
        id="missing-max-age",
        title="Preflights are not cached (no Access-Control-Max-Age)",
        severity=_W,
        spec=(
            "CORS-preflight cache: without `Access-Control-Max-Age` Chromium keeps a preflight result for "
            "only 5 seconds."
        ),
        spec_url=FETCH + "#http-access-control-max-age",
        explanation=(
            "This endpoint is preflighted again and again because the preflight response has no "
            "Access-Control-Max-Age. Each preflight costs a round trip; send e.g. "
            "Access-Control-Max-Age: 600 (Chromium caps it at 7200 seconds)."
        ),
        is_cors=False,
    ),
    Rule(
        id="wildcard-allow-headers-authorization",
        title="Authorization is allowed only through Access-Control-Allow-Headers: *",
        severity=_W,
        spec=(
            "CORS-preflight fetch step 7.7: `Authorization` is a CORS non-wildcard request-header name, "
            "so `*` does not cover it. Chromium 156 still lets it through with a deprecation notice "
            "(AuthorizationCoveredByWildcard)."
        ),
        spec_url=FETCH + "#cors-non-wildcard-request-header-name",
        explanation=(
            "The request works today, but only because Chromium still lets "
            "Access-Control-Allow-Headers: * cover the Authorization header, which the standard "
            "forbids. A future Chrome release will block it. List Authorization explicitly in "
            "Access-Control-Allow-Headers."
        ),
        firefox=(
            "When the `Access-Control-Allow-Headers` is `*`, the `Authorization` header is not "
            "covered. To include the `Authorization` header, it must be explicitly listed in CORS "
            "header `Access-Control-Allow-Headers`"
        ),
        is_cors=False,
    ),
)

RULES: dict[str, Rule] = {r.id: r for r in _RULE_LIST}
assert len(RULES) == len(_RULE_LIST), "duplicate rule id"


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]


def rule_for_chrome_error(name: str) -> Rule | None:
    """The rule for a CDP CorsError name such as "PreflightMissingAllowOriginHeader" (with or without "k")."""
    name = name[1:] if name.startswith("k") and name[1:2].isupper() else name
    for r in _RULE_LIST:
        if name in r.chrome_errors:
            return r
    return None

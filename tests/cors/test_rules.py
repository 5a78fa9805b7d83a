"""One test (or a few) per rule, on small hand-made Chrome-shaped HARs (harcors/cors/engine.py).

Expected Chrome lines were checked against Chromium 156 where the corpus does not cover them.
"""

from __future__ import annotations

import pytest

from harcors.cors.model import Confidence, Severity
from harcors.cors.rules import RULES, rule_for_chrome_error
from harcors.har.model import HarInfo
from harcors.resources import resource_path

from .har import API, FIREFOX, PAGE, blocked, entry, errors, preflight, run, warnings

HEAD = f"Access to fetch at '{API}/x' from origin '{PAGE}' has been blocked by CORS policy: "
XHR_HEAD = f"Access to XMLHttpRequest at '{API}/x' from origin '{PAGE}' has been blocked by CORS policy: "
PF = "Response to preflight request doesn't pass access control check: "
VALID = " Have the server send the header with a valid value."
XHR_CRED = (
    " The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials "
    "attribute."
)
FF = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at "
URL = f"{API}/x"
ACAO = {"Access-Control-Allow-Origin": PAGE}


def only_error(*entries, **kw):
    result = run(*entries, **kw)
    errs = errors(result)
    assert len(errs) == 1, [(f.rule, f.messages.chrome) for f in result.findings]
    return errs[0]


# --- response checks ---------------------------------------------------------------------------


def test_missing_allow_origin() -> None:
    f = only_error(entry(URL, resp={"Content-Type": "application/json"}, error="net::ERR_FAILED"))
    assert f.rule == "missing-allow-origin" and f.severity is Severity.ERROR
    assert f.messages.chrome == (
        HEAD + "No 'Access-Control-Allow-Origin' header is present on the requested resource."
    )
    assert f.messages.firefox == (
        f"{FF}{URL}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200."
    )
    assert f.messages.safari == (
        f"Origin {PAGE} is not allowed by Access-Control-Allow-Origin. Status code: "
        "200\n"
        f"Fetch API cannot load {URL} due to access control checks."
    )
    assert f.cors_error == "MissingAllowOriginHeader" and f.confidence is Confidence.CERTAIN
    assert f.curl == (f"curl -i {URL} -H 'Origin: {PAGE}'",)


def test_missing_allow_origin_on_error_status_names_the_error_handler() -> None:
    f = only_error(entry(URL, "POST", status=500, error="net::ERR_FAILED"))
    assert f.rule == "missing-allow-origin"
    assert "error handler" in (f.root_cause or "")
    assert "Status code: 500." in (f.messages.firefox or "")


@pytest.mark.parametrize(
    ("value", "cause"),
    [
        ("https://app.example.com", None),
        (PAGE + "/", "trailing slash"),
        (PAGE.upper(), "letter case"),
    ],
)
def test_allow_origin_mismatch(value: str, cause: str | None) -> None:
    f = only_error(entry(URL, resp={"Access-Control-Allow-Origin": value}, error="net::ERR_FAILED"))
    assert f.rule == "allow-origin-mismatch"
    assert f.messages.chrome == (
        HEAD + f"The 'Access-Control-Allow-Origin' header has a value '{value}' "
        "that is not "
        "equal to the supplied origin." + VALID
    )
    assert f.messages.firefox == (
        f"{FF}{URL}. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘{value}’)."
    )
    assert f.failed_parameter == value
    if cause:
        assert cause in (f.root_cause or "")


def test_allow_origin_mismatch_from_xhr_has_no_suffix() -> None:
    f = only_error(
        entry(
            URL,
            rtype="xhr",
            resp={"Access-Control-Allow-Origin": "http://x.example"},
            error="net::ERR_FAILED",
        )
    )
    assert f.messages.chrome == (
        XHR_HEAD + "The 'Access-Control-Allow-Origin' header has a value "
        "'http://x.example' that is not equal to the supplied origin."
    )
    assert f.initiator == "XMLHttpRequest"
    assert (f.messages.safari or "").endswith(
        f"XMLHttpRequest cannot load {URL} due to access control checks."
    )


def test_localhost_versus_ip_is_explained() -> None:
    f = only_error(
        entry(
            "http://127.0.0.1:9/x",
            origin="http://127.0.0.1:8",
            error="net::ERR_FAILED",
            resp={"Access-Control-Allow-Origin": "http://localhost:8"},
        )
    )
    assert f.rule == "allow-origin-mismatch" and "same machine" in (f.root_cause or "")


def test_multiple_allow_origin_duplicated_header() -> None:
    f = only_error(
        entry(
            URL,
            resp=[("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Origin", PAGE)],
            error="net::ERR_FAILED",
        )
    )
    assert f.rule == "multiple-allow-origin"
    assert f.messages.chrome == (
        HEAD + f"The 'Access-Control-Allow-Origin' header contains multiple values "
        f"'{PAGE}, {PAGE}', but only one is allowed." + VALID
    )
    assert "Multiple CORS header" in (f.messages.firefox or "")
    assert (f.messages.safari or "").startswith(
        "Access-Control-Allow-Origin cannot contain more than one origin."
    )
    assert "twice" in (f.root_cause or "")


def test_multiple_allow_origin_list_in_one_header() -> None:
    value = f"{PAGE}, https://app.example.com"
    f = only_error(entry(URL, resp={"Access-Control-Allow-Origin": value}, error="net::ERR_FAILED"))
    assert f.rule == "multiple-allow-origin"
    # Firefox counts header lines: one line holding a list is a mismatch there.
    assert f"does not match ‘{value}’" in (f.messages.firefox or "")


@pytest.mark.parametrize("value", ["127.0.0.1:8811", "", "*.example.com"])
def test_invalid_allow_origin(value: str) -> None:
    f = only_error(entry(URL, resp={"Access-Control-Allow-Origin": value}, error="net::ERR_FAILED"))
    assert f.rule == "invalid-allow-origin"
    assert (
        f.messages.chrome
        == HEAD + f"The 'Access-Control-Allow-Origin' header contains the invalid value '{value}'." + VALID
    )


def test_wildcard_with_credentials_inferred_from_the_block() -> None:
    f = only_error(entry(URL, resp={"Access-Control-Allow-Origin": "*"}, error="net::ERR_FAILED"))
    assert f.rule == "wildcard-with-credentials" and f.credentials
    assert f.confidence is Confidence.LIKELY and any("inferred" in n for n in f.notes)
    assert f.messages.chrome == (
        HEAD + "The value of the 'Access-Control-Allow-Origin' header in the "
        "response must not be the wildcard '*' when the request's credentials mode is 'include'."
    )
    assert f.messages.firefox == (
        f"{FF}‘{URL}’. (Reason: Credential is not supported if the CORS header "
        "‘Access-Control-Allow-Origin’ is ‘*’)."
    )


def test_wildcard_with_credentials_from_cookie_header_is_certain() -> None:
    f = only_error(
        entry(
            URL,
            rtype="xhr",
            req={"Cookie": "sid=1"},
            resp={"Access-Control-Allow-Origin": "*"},
            error="net::ERR_FAILED",
        )
    )
    assert f.rule == "wildcard-with-credentials" and f.confidence is Confidence.CERTAIN
    assert f.messages.chrome.endswith("credentials mode is 'include'." + XHR_CRED)


@pytest.mark.parametrize(("acac", "hint"), [(None, ""), ("false", "false"), ("TRUE", "TRUE")])
def test_invalid_allow_credentials(acac: str | None, hint: str) -> None:
    resp = dict(ACAO)
    if acac is not None:
        resp["Access-Control-Allow-Credentials"] = acac
    f = only_error(entry(URL, resp=resp, error="net::ERR_FAILED"))
    assert f.rule == "invalid-allow-credentials" and f.failed_parameter == hint
    assert f.messages.chrome == (
        HEAD + f"The value of the 'Access-Control-Allow-Credentials' header in the "
        "response "
        f"is '{hint}' which must be 'true' when the request's credentials mode is "
        "'include'."
    )
    assert "expected ‘true’" in (f.messages.firefox or "")


# --- preflight checks ----------------------------------------------------------------------------


def test_preflight_404_without_acao_is_reported_as_missing_acao_by_chrome() -> None:
    f = only_error(
        blocked(URL, "PUT", req={"Content-Type": "application/json"}),
        preflight(URL, "PUT", "content-type", status=404),
    )
    assert f.rule == "missing-allow-origin" and f.preflight is not None
    assert f.messages.chrome == (
        HEAD + PF + "No 'Access-Control-Allow-Origin' header is present on the requested resource."
    )
    assert f.cors_error == "PreflightMissingAllowOriginHeader"
    # WebKit checks the status first.
    assert (f.messages.safari or "").startswith("Preflight response is not successful. Status code: 404\n")
    assert (f.messages.firefox or "").endswith("(Reason: CORS request did not succeed). Status code: (null).")
    assert "no route for OPTIONS" in (f.root_cause or "")
    assert f.curl[0] == (
        f"curl -i -X OPTIONS {URL} -H 'Origin: {PAGE}' -H 'Access-Control-Request-Method: "
        "PUT' -H 'Access-Control-Request-Headers: content-type'"
    )


def test_preflight_status_when_acao_is_fine() -> None:
    f = only_error(
        blocked(URL, req={"Authorization": "Bearer x"}),
        preflight(
            URL,
            "GET",
            "authorization",
            status=401,
            resp={**ACAO, "Access-Control-Allow-Headers": "Authorization"},
        ),
    )
    assert f.rule == "preflight-status"
    assert f.messages.chrome == HEAD + PF + "It does not have HTTP ok status."
    assert "CORS preflight response did not succeed). Status code: 401." in (f.messages.firefox or "")
    assert "authentication" in (f.root_cause or "")


@pytest.mark.parametrize(("location", "cause"), [(URL + "/", "trailing slash"), ("/login", "login page")])
def test_preflight_redirect(location: str, cause: str) -> None:
    f = only_error(
        blocked(URL, "POST", req={"Content-Type": "application/json"}),
        preflight(URL, "POST", "content-type", status=301, resp={"Location": location}),
    )
    assert f.rule == "preflight-redirect"
    assert f.messages.chrome == HEAD + PF + "Redirect is not allowed for a preflight request."
    assert cause in (f.root_cause or "")


def test_preflight_redirect_as_chrome_records_it() -> None:
    # Chrome: no response event for a redirected preflight, only _error ERR_INVALID_REDIRECT.
    f = only_error(
        blocked(URL, "POST", req={"Content-Type": "application/json"}),
        preflight(URL, "POST", "content-type", status=0, error="net::ERR_INVALID_REDIRECT", rtype="other"),
    )
    assert f.rule == "preflight-redirect"


@pytest.mark.parametrize(
    ("method", "acam"), [("PUT", "GET, POST"), ("patch", "GET, PATCH"), ("DELETE", "delete")]
)
def test_method_not_allowed(method: str, acam: str) -> None:
    f = only_error(
        blocked(URL, method), preflight(URL, method, resp={**ACAO, "Access-Control-Allow-Methods": acam})
    )
    assert f.rule == "method-not-allowed" and f.failed_parameter == method
    assert f.messages.chrome == (
        HEAD + f"Method {method} is not allowed by Access-Control-Allow-Methods in preflight response."
    )
    assert (f.messages.safari or "").startswith(
        f"Method {method} is not allowed by Access-Control-Allow-Methods.\n"
    )
    if method == "patch":
        assert "lower case" in (f.root_cause or "")


def test_wildcard_methods_is_literal_with_credentials() -> None:
    f = only_error(
        blocked(URL, "PUT"),
        preflight(
            URL,
            "PUT",
            resp={**ACAO, "Access-Control-Allow-Credentials": "true", "Access-Control-Allow-Methods": "*"},
        ),
    )
    assert f.rule == "method-not-allowed" and f.credentials


def test_header_not_allowed_reports_first_missing_in_sorted_order() -> None:
    f = only_error(
        blocked(URL, "PUT", req={"X-Zed": "1", "X-Alpha": "2", "X-B": "3"}),
        preflight(
            URL,
            "PUT",
            "x-alpha,x-b,x-zed",
            resp={**ACAO, "Access-Control-Allow-Methods": "PUT", "Access-Control-Allow-Headers": "x-b"},
        ),
    )
    assert f.rule == "header-not-allowed" and f.failed_parameter == "x-alpha"
    assert f.messages.chrome == HEAD + (
        "Request header field x-alpha is not allowed by Access-Control-Allow-Headers in preflight response."
    )
    # WebKit names the header as the page wrote it.
    assert (f.messages.safari or "").startswith("Request header field X-Alpha is not allowed")
    assert set(f.needed_headers) == {"x-alpha", "x-b", "x-zed"}


def test_header_not_allowed_content_type_root_cause() -> None:
    f = only_error(
        blocked(URL, "POST", req={"Content-Type": "application/json"}),
        preflight(URL, "POST", "content-type", resp={**ACAO, "Access-Control-Allow-Methods": "POST"}),
    )
    assert f.rule == "header-not-allowed" and "application/json" in (f.root_cause or "")


def test_wildcard_headers_is_literal_with_credentials() -> None:
    f = only_error(
        blocked(URL, req={"X-Request-Id": "1"}),
        preflight(
            URL,
            "GET",
            "x-request-id",
            resp={**ACAO, "Access-Control-Allow-Credentials": "true", "Access-Control-Allow-Headers": "*"},
        ),
    )
    assert f.rule == "header-not-allowed" and f.credentials and f.failed_parameter == "x-request-id"


def test_invalid_allow_methods() -> None:
    f = only_error(
        blocked(URL, "PUT"), preflight(URL, "PUT", resp={**ACAO, "Access-Control-Allow-Methods": "GET PUT"})
    )
    assert f.rule == "invalid-allow-methods"
    assert f.messages.chrome == (
        HEAD + "Cannot parse Access-Control-Allow-Methods response header field in preflight response."
    )
    assert "invalid token ‘GET PUT’" in (f.messages.firefox or "")


def test_invalid_allow_headers() -> None:
    f = only_error(
        blocked(URL, "PUT", req={"X-A": "1"}),
        preflight(
            URL,
            "PUT",
            "x-a",
            resp={**ACAO, "Access-Control-Allow-Methods": "PUT", "Access-Control-Allow-Headers": "x-a; x-b"},
        ),
    )
    assert f.rule == "invalid-allow-headers"
    assert f.messages.chrome == (
        HEAD + "Cannot parse Access-Control-Allow-Headers response header field in preflight response."
    )


def test_credentialed_preflight_without_acac() -> None:
    f = only_error(
        blocked(URL, "PUT", rtype="xhr"),
        preflight(URL, "PUT", resp={**ACAO, "Access-Control-Allow-Methods": "PUT"}),
    )
    assert f.rule == "invalid-allow-credentials" and f.cors_error == "PreflightInvalidAllowCredentials"
    assert f.messages.chrome == (
        XHR_HEAD + PF + "The value of the 'Access-Control-Allow-Credentials' header "
        "in the response is '' which must be 'true' when the request's credentials mode is "
        "'include'." + XHR_CRED
    )


# --- redirects, schemes, local network -------------------------------------------------------------


def test_redirect_with_userinfo() -> None:
    loc = "http://u:p@other.test/x"
    f = only_error(
        entry(URL, status=302, resp={**ACAO, "Location": loc}, redirect=loc, error="net::ERR_FAILED")
    )
    assert f.rule == "redirect-with-credentials"
    assert f.messages.chrome == HEAD + (
        "Redirect location '' contains a username and password, which is disallowed for cross-origin "
        "requests."
    )


def test_redirect_without_acao_is_blocked_on_the_redirect() -> None:
    f = only_error(
        entry(
            URL,
            status=302,
            resp={"Location": "http://other.test/y"},
            redirect="http://other.test/y",
            error="net::ERR_FAILED",
        )
    )
    assert f.rule == "missing-allow-origin" and "redirect response" in (f.root_cause or "")


def test_cross_origin_redirect_taints_the_origin() -> None:
    first = entry(
        URL, status=302, resp={**ACAO, "Location": "http://other.test/y"}, redirect="http://other.test/y"
    )
    second = entry("http://other.test/y", origin="null", ms=5, resp=ACAO, error="net::ERR_FAILED")
    f = only_error(first, second)
    assert f.rule == "allow-origin-mismatch"
    assert f.messages.chrome == (
        f"Access to fetch at 'http://other.test/y' (redirected from '{URL}') from "
        "origin "
        f"'{PAGE}' has been blocked by CORS policy: The "
        "'Access-Control-Allow-Origin' header "
        f"has a value '{PAGE}' that is not equal to the supplied origin." + VALID
    )
    assert f.request.url == "http://other.test/y"
    assert (f.messages.safari or "").startswith("Origin null is not allowed")
    assert "Origin: null" in (f.root_cause or "")


def test_disallowed_scheme_from_a_file_page() -> None:
    f = only_error(
        entry("file:///tmp/data.json", origin="null", status=0, error="net::ERR_FAILED", rtype="xhr")
    )
    assert f.rule == "disallowed-scheme"
    assert f.messages.chrome == (
        "Access to XMLHttpRequest at 'file:///tmp/data.json' from origin 'null' has been blocked by CORS "
        "policy: Cross origin requests are only supported for protocol schemes: chrome, "
        "chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, http, https, "
        "isolated-app."
    )


def test_private_network_access_is_a_guess() -> None:
    f = only_error(
        entry("http://192.168.1.10/api", origin="https://public.example", status=0, error="net::ERR_FAILED")
    )
    assert f.rule == "private-network-access" and f.confidence is Confidence.UNCERTAIN
    assert f.messages.chrome.endswith(
        "Permission was denied for this request to access the `local` address space."
    )


def test_blocked_without_evidence_is_uncertain() -> None:
    # Playwright-style: no preflight rows, status -1, no headers.
    f = only_error(
        entry(URL, "PUT", req={"Content-Type": "application/json"}, status=-1, error="net::ERR_FAILED")
    )
    assert f.rule == "cors-blocked" and f.confidence is Confidence.UNCERTAIN
    assert f.messages.chrome.startswith(HEAD)
    assert any("no preflight entry" in n for n in f.notes)
    assert f.curl[0].startswith("curl -i -X OPTIONS")


# --- not CORS, and warnings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("net::ERR_CONNECTION_REFUSED", "Nothing accepted"),
        ("net::ERR_BLOCKED_BY_CLIENT", "extension"),
        ("net::ERR_NAME_NOT_RESOLVED", "DNS"),
        ("net::ERR_CERT_AUTHORITY_INVALID", "certificate"),
    ],
)
def test_network_errors_are_not_cors(error: str, words: str) -> None:
    result = run(entry(URL, status=0, error=error))
    assert errors(result) == []
    (w,) = warnings(result)
    assert w.rule == "not-cors" and not w.is_cors
    assert w.messages.chrome == f"Failed to load resource: {error}"
    assert words in (w.root_cause or "")


def test_no_cors_fetch_is_an_opaque_warning_not_an_error() -> None:
    result = run(
        entry(
            URL,
            origin=None,
            req={"Sec-Fetch-Mode": "no-cors", "Referer": PAGE + "/"},
            error="net::ERR_ABORTED",
        )
    )
    assert [w.rule for w in warnings(result)] == ["no-cors-opaque"]
    result = run(
        entry(
            URL,
            origin=None,
            req={"Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Site": "same-site"},
            error="net::ERR_ABORTED",
        )
    )
    assert errors(result) == []
    assert [w.rule for w in warnings(result)] == ["no-cors-opaque"]


def test_acao_request_header_warns_and_explains_the_block() -> None:
    result = run(
        blocked(URL, req={"Access-Control-Allow-Origin": "*"}),
        preflight(
            URL,
            "GET",
            "access-control-allow-origin",
            resp={**ACAO, "Access-Control-Allow-Headers": "Content-Type"},
        ),
    )
    (err,) = errors(result)
    assert err.rule == "header-not-allowed" and err.failed_parameter == "access-control-allow-origin"
    assert "response header" in (err.root_cause or "")
    assert [w.rule for w in warnings(result)] == ["acao-in-request"]


def test_acah_wildcard_covering_authorization_is_only_a_warning() -> None:
    result = run(
        entry(URL, req={"Authorization": "Bearer x"}, resp=ACAO, ms=5),
        preflight(URL, "GET", "authorization", resp={**ACAO, "Access-Control-Allow-Headers": "*"}),
    )
    assert errors(result) == []
    rules = [w.rule for w in warnings(result)]
    assert "wildcard-allow-headers-authorization" in rules


def test_allow_origin_null_warning() -> None:
    result = run(entry(URL, origin="null", resp={"Access-Control-Allow-Origin": "null"}))
    assert errors(result) == [] and [w.rule for w in warnings(result)] == ["allow-origin-null"]


def test_missing_vary_origin_warning() -> None:
    assert [w.rule for w in warnings(run(entry(URL, resp=ACAO)))] == ["missing-vary-origin"]
    assert warnings(run(entry(URL, resp={**ACAO, "Vary": "Accept-Encoding, Origin"}))) == []
    assert warnings(run(entry(URL, resp={"Access-Control-Allow-Origin": "*"}))) == []


def test_missing_max_age_on_a_busy_endpoint() -> None:
    resp = {**ACAO, "Access-Control-Allow-Methods": "PUT", "Vary": "Origin"}
    entries = []
    for i in range(3):
        entries += [
            entry(URL, "PUT", resp={**ACAO, "Vary": "Origin"}, ms=i * 10_000),
            preflight(URL, "PUT", resp=resp, ms=i * 10_000 + 1),
        ]
    assert [w.rule for w in warnings(run(*entries))] == ["missing-max-age"]
    assert warnings(run(*entries[:4])) == []


def test_reflected_origin_with_credentials_needs_two_origins() -> None:
    def e(origin: str, ms: int) -> dict:
        return entry(
            URL,
            origin=origin,
            ms=ms,
            resp={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Credentials": "true",
                "Vary": "Origin",
            },
        )

    assert warnings(run(e(PAGE, 0))) == []
    assert [w.rule for w in warnings(run(e(PAGE, 0), e("https://evil.example", 5)))] == [
        "reflected-origin-with-credentials"
    ]


# --- without a browser verdict (Firefox HAR, proxies) ---------------------------------------------


def test_firefox_har_failure_is_found_from_headers() -> None:
    f = only_error(entry(URL, rtype=None), info=FIREFOX)
    assert f.rule == "missing-allow-origin" and f.confidence is Confidence.LIKELY


def test_firefox_har_success_is_no_alarm() -> None:
    result = run(entry(URL, rtype=None, resp={**ACAO, "Vary": "Origin"}), info=FIREFOX)
    assert result.findings == []


def test_firefox_har_never_guesses_credentials() -> None:
    # ACAO * is fine unless the page used credentials, which a Firefox HAR cannot show.
    result = run(entry(URL, rtype=None, resp={"Access-Control-Allow-Origin": "*"}), info=FIREFOX)
    assert errors(result) == []


def test_proxy_har_with_only_the_failed_preflight() -> None:
    f = only_error(preflight(URL, "DELETE", status=405, resp={"Allow": "GET"}, rtype=None), info=None)
    assert f.rule == "missing-allow-origin" and f.request.method == "OPTIONS"


# --- the registry ----------------------------------------------------------------------------------


def test_every_rule_has_a_docs_page_with_the_fixed_headings() -> None:
    for r in RULES.values():
        text = resource_path(r.docs).read_text(encoding="utf-8")
        for heading in ("## What it means", "## Why the browser blocks it", "## Example", "## How to fix"):
            assert heading in text, (r.id, heading)
        assert r.spec_url.startswith("https://")
        assert isinstance(r.severity, Severity)
        if r.is_cors:
            assert r.severity is Severity.ERROR, "a CORS rule means the browser blocked the request"


def test_chrome_error_names_map_to_rules() -> None:
    assert rule_for_chrome_error("PreflightMissingAllowOriginHeader").id == "missing-allow-origin"
    assert rule_for_chrome_error("kHeaderDisallowedByPreflightResponse").id == "header-not-allowed"
    assert rule_for_chrome_error("Nope") is None


# --- WebKit's reason recorded by the producer (Safari Web Inspector, Playwright-WebKit) ----------

SAFARI = HarInfo(path="t.har", version="1.2", creator="WebKit Web Inspector", creator_version="1.0")


def test_webkit_reason_in_the_har_gives_the_rule_and_all_messages() -> None:
    reason = "Request header field X-Request-Id is not allowed by Access-Control-Allow-Headers."
    f = only_error(entry(URL, req={"X-Request-Id": "1"}, status=0, error=reason, rtype=None), info=SAFARI)
    assert f.rule == "header-not-allowed" and f.failed_parameter == "x-request-id"
    assert f.messages.chrome == (
        HEAD
        + "Request header field x-request-id is not allowed by Access-Control-Allow-Headers in preflight "
        "response."
    )
    assert f.messages.safari == f"{reason}\nFetch API cannot load {URL} due to access control checks."


def test_ambiguous_webkit_reason_stays_honest() -> None:
    reason = f"Origin {PAGE} is not allowed by Access-Control-Allow-Origin. Status code: 404"
    f = only_error(entry(URL, "PUT", status=0, error=reason, rtype=None), info=SAFARI)
    assert f.rule == "cors-blocked" and f.confidence is Confidence.UNCERTAIN
    assert f.messages.safari is not None and f.messages.safari.startswith(reason)
    assert "missing or does not match" in (f.root_cause or "")


def test_page_origin_from_the_document_entry_when_the_request_shows_none() -> None:
    # Chrome records a request blocked before sending with provisional headers: no Origin; here no Referer.
    doc = entry(PAGE + "/index.html", origin=None, rtype="document")
    f = only_error(
        doc,
        preflight(URL, "PUT", status=404, ms=3),
        entry(URL, "PUT", origin=None, status=0, error="net::ERR_FAILED", ms=2),
    )
    assert f.messages.chrome.startswith(HEAD)
    f = only_error(doc, entry(URL, "PUT", origin=None, status=0, error="net::ERR_FAILED", ms=2))
    assert f.rule == "cors-blocked" and f.page_origin == PAGE
    assert any("document entry" in n for n in f.notes)


@pytest.mark.parametrize(
    ("rtype", "what"), [("fetch", "an insecure resource"), ("xhr", "an insecure XMLHttpRequest endpoint")]
)
def test_mixed_content_is_not_cors(rtype: str, what: str) -> None:
    # Chrome: blockedReason mixed-content, empty error text, no response (observed in Chromium 156).
    doc = entry("https://app.test/page", origin=None, rtype="document")
    result = run(
        doc,
        entry("http://api.test/x", origin=None, status=0, rtype=rtype, req={"Referer": "https://app.test/"}),
    )
    assert errors(result) == []
    (w,) = warnings(result)
    assert w.rule == "mixed-content" and not w.is_cors
    assert w.messages.chrome == (
        f"Mixed Content: The page at 'https://app.test/page' was loaded over HTTPS, but requested {what} "
        "'http://api.test/x'. This request has been blocked; the content must be served over HTTPS."
    )
    assert w.messages.firefox == "Blocked loading mixed active content “http://api.test/x”"
    # http://localhost is potentially trustworthy: no mixed-content block there.
    local = run(
        doc, entry("http://localhost:3000/x", origin=None, status=0, req={"Referer": "https://app.test/"})
    )
    assert [f.rule for f in local.findings if f.rule == "mixed-content"] == []


def _firefox_entry(url: str, method: str = "GET", **kw) -> dict:
    e = entry(url, method, rtype=None, **kw)
    e.pop("_initiator", None)
    return e


def test_same_origin_mode_in_a_firefox_har() -> None:
    # Firefox lists the refused request bare: status 0, no Origin, no Sec-Fetch-* headers.
    doc = _firefox_entry(PAGE + "/s/page", origin=None, req={"Accept": "text/html"})
    f = only_error(doc, _firefox_entry(URL, origin=None, status=0, req={"Referer": PAGE + "/"}), info=FIREFOX)
    assert f.rule == "same-origin-mode" and f.is_cors
    assert f.messages.firefox == f"Security Error: Content at {PAGE}/s/page may not load data from {URL}."
    assert f.messages.chrome == (
        f'Fetch API cannot load {URL}. Request mode is "same-origin" but the URL\'s origin is not same '
        f"as the request origin {PAGE}."
    )


def test_unanswered_request_in_a_firefox_har_is_not_called_cors() -> None:
    result = run(
        _firefox_entry(URL, status=0, req={"Sec-Fetch-Mode": "cors", "Referer": PAGE + "/"}), info=FIREFOX
    )
    assert errors(result) == []
    (w,) = warnings(result)
    assert w.rule == "not-cors" and w.confidence is Confidence.UNCERTAIN
    assert w.messages.firefox == f"{FF}{URL}. (Reason: CORS request did not succeed). Status code: (null)."


def test_firefox_har_request_refused_after_a_passing_preflight_means_credentials() -> None:
    ok_pf = {**ACAO, "Access-Control-Allow-Methods": "PUT"}
    f = only_error(
        _firefox_entry(URL, "PUT", status=0, ms=0),
        _firefox_entry(
            URL, "OPTIONS", req={"Access-Control-Request-Method": "PUT"}, resp=ok_pf, status=204, ms=3
        ),
        info=FIREFOX,
    )
    assert f.rule == "invalid-allow-credentials" and f.credentials and f.preflight is not None


def test_pending_request_in_a_chrome_har_is_no_failure() -> None:
    # Saved while in flight: status 0, no _error. Its preflight lacks ACAC, which must not be read as a block.
    result = run(
        entry(URL, "PUT", status=0),
        preflight(URL, "PUT", resp={**ACAO, "Access-Control-Allow-Methods": "PUT"}),
    )
    assert errors(result) == []

"""The page's code as evidence of a request's credentials mode (harcors/cors/credentials.py)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pytest

from harcors.cors import evaluate
from harcors.cors.credentials import call_sites, code_sites, evidence_for
from harcors.cors.model import Confidence
from harcors.har.model import Exchange

from .har import API, CHROME, FIREFOX, PAGE, entry, exchanges, preflight

DOC = f"{PAGE}/app"
ME = f"{API}/v1/me"


def _request(url: str = ME, method: str = "GET") -> Exchange:
    return exchanges(entry(url, method))[0]


def _found(code: str, url: str = ME, method: str = "GET", page: str | None = DOC) -> bool:
    return evidence_for(_request(url, method), page, call_sites(code, f"{PAGE}/app.js")) is not None


@pytest.mark.parametrize(
    "code",
    [
        f'fetch("{ME}", {{ credentials: "include" }})',
        f"fetch('{ME}', {{'method': 'GET', 'credentials': 'include'}})",
        f"window.fetch(`{ME}`, {{credentials:'include'}})",
        f'fetch("{ME}" /* ) */, {{ // a comment, with "quotes"\n credentials: "include" }})',
        f'fetch("{ME}", {{ ...defaults, credentials: "include" }})',  # a spread before: overridden
        f'const r = new Request("{ME}", {{ credentials: "include" }}); fetch(r);',
        'fetch(`${API}/v1/me`, { credentials: "include" })',
        'fetch(API_BASE + "/v1/me", { credentials: "include" })',
        'fetch(base + "/me", { credentials: "include" })',
        f'fetch("{API}/v1/" + who, {{ credentials: "include" }})',
        f'fetch("{ME.replace("http:", "")}", {{ credentials: "include" }})',  # protocol-relative
        f'var x = new XMLHttpRequest();\nx.open("GET", "{ME}");\nx.withCredentials = true;\nx.send();',
        f'var x = new XMLHttpRequest(); x.withCredentials = true; x.open("get", "{ME}", true); x.send()',
        # minified
        f'r=new XMLHttpRequest,r.open("GET","{ME}"),r.onload=function(){{f()}},r.withCredentials=!0,r.send()',
        f'axios.get("{ME}", {{ withCredentials: true }})',
        'axios.get("/v1/me", { withCredentials: true })',  # axios joins its baseURL: a path suffix
        f'axios({{ url: "{ME}", method: "get", withCredentials: true }})',
        'axios.defaults.baseURL = API; axios.defaults.withCredentials = true; axios.get("/v1/me");',
    ],
)
def test_credentialed_call_is_evidence(code: str) -> None:
    assert _found(code)


@pytest.mark.parametrize(
    "code",
    [
        f'fetch("{ME}")',
        f'fetch("{ME}", {{ method: "GET" }})',
        f'fetch("{ME}", {{ credentials: "same-origin" }})',
        f'fetch("{ME}", opts)',  # options not written out
        f'fetch("{ME}", {{ credentials }})',
        f'fetch("{ME}", {{ credentials: "include", ...opts }})',  # a spread after may override it
        'fetch(url, { credentials: "include" })',  # nothing ties the call to this URL
        'fetch(API + "/", { credentials: "include" })',
        f'fetch("{API}/" + path, {{ credentials: "include" }})',  # any request to the API: too broad
        f'fetch("{API}/v1/readme", {{ credentials: "include" }})',
        'fetch("/v1/me", { credentials: "include" })',  # on the page's origin, not the API's
        f'fetch("{ME}", {{ method: "POST", credentials: "include" }})',  # another method
        f'fetch("{API}/v1/other", {{ credentials: "include" }})',
        # The same URL called with and without credentials: which call made this request is unknown.
        f'fetch("{ME}", {{ credentials: "include" }}); fetch("{ME}");',
        f'x.open("GET", "{ME}"); x.send();',
        f'x.open("GET", "{ME}"); x.withCredentials = flag; x.send();',
        f'y.withCredentials = true; x.open("GET", "{ME}"); x.send();',
        f'x.withCredentials = true; x.send(); x.open("GET", "{ME}"); x.send();',  # set for the previous one
        f'function a() {{ x.withCredentials = true; }} function b() {{ x.open("GET", "{ME}"); x.send(); }}',
        f'window.open("{ME}", "_blank"); window.withCredentials = true;',
        f'axios.get("{ME}")',
        f'axios.get("{ME}", config)',
        f'axios.post("{ME}", {{ withCredentials: true }})',  # that is the data, not the config
        f'api.get("{ME}", {{ withCredentials: true }})',  # an instance: its defaults are not known
    ],
)
def test_no_evidence(code: str) -> None:
    assert not _found(code)


# --- one level of wrapper functions: a call's literal arguments put in for the parameters ---------

_XHR = ("function xhr(method, url, headers, withCredentials, body) {\n"
        "  return new Promise((resolve) => {\n"
        "    const x = new XMLHttpRequest();\n"
        "    x.open(method, url);\n"
        "    x.withCredentials = withCredentials;\n"
        "    for (const [name, value] of Object.entries(headers)) x.setRequestHeader(name, value);\n"
        "    x.onload = () => resolve(x.status);\n"
        "    x.send(body);\n"
        "  });\n"
        "}\n")
_GET = ('function get(path) { return fetch(API_BASE + path, { credentials: "include" })'
        '.then((r) => r.json()); }\n')


@pytest.mark.parametrize(
    "code",
    [
        _XHR + f'xhr("GET", "{ME}", {{}}, true, null);',
        # Another order, and minified.
        'function s(u,c,m){var r=new XMLHttpRequest;r.open(m,u),r.withCredentials=c,r.send()}'
        f's("{ME}",!0,"GET")',
        # The options passed through, or fixed inside.
        f'function api(url, opts) {{ return fetch(url, opts); }}\napi("{ME}", {{ credentials: "include" }});',
        _GET + 'get("/v1/me");',
        'async function load(url, mode = "include") {\n'
        f'  return (await fetch(url, {{ credentials: mode }})).json() }}\nload("{ME}");',
        'function call(url, credentials) { return fetch(url, { method: "GET", credentials: credentials }) }\n'
        f'call("{ME}", "include");',
        # Arrow functions and function expressions bound to a name.
        'const me = async (url) => {\n'
        f'  const r = await fetch(url, {{ credentials: "include" }}); return r.json() }};\nme("{ME}");',
        'const user = (id) => fetch(`${API}/v1/${id}`, { credentials: "include" });\nuser("me").then(show);',
        f'let grab = u => axios.get(u, {{ withCredentials: true }}), other = 1;\ngrab("{ME}");',
        'var send = function (url) { return axios({ url: url, withCredentials: true }); };'
        f'\nsend("{ME}");',
        # A call inside another function is still a call of the wrapper.
        _GET + 'function profile() { return get("/v1/me"); }\nprofile();',
    ],
)
def test_wrapper_called_with_literals_is_evidence(code: str) -> None:
    assert _found(code)


@pytest.mark.parametrize(
    "code",
    [
        _XHR + f'xhr("GET", "{ME}", {{}}, false, null);',
        _XHR + f'xhr("GET", "{ME}", {{}}, flag, null);',  # a variable: cannot be read
        _XHR + f'xhr("GET", "{ME}", {{}});',  # withCredentials undefined
        _XHR + f'xhr("POST", "{ME}", {{}}, true, null);',  # another method
        _XHR + 'xhr("GET", url, {}, true, null);',  # the URL is not known
        _XHR + 'xhr("GET", API + "/v1/me", {}, true, null);',  # not a literal argument
        _XHR + f'xhr(...["GET", "{ME}", {{}}, true, null]);',
        # The same URL called anonymously too (through the wrapper, directly, or unreadably).
        _XHR + f'xhr("GET", "{ME}", {{}}, true, null);\nxhr("GET", "{ME}", {{}}, false, null);',
        _GET + f'get("/v1/me");\nfetch("{ME}");',
        'function api(url, opts) { return fetch(url, opts); }\n'
        f'api("{ME}", {{ credentials: "include" }});\napi("{ME}", options);',
        # A parameter that does not flow straight in.
        'function get(url) { url = url + "?v=2"; return fetch(url, { credentials: "include" }); }'
        f'\nget("{ME}");',
        'function get(url) { return [1].map((url) => fetch(url, { credentials: "include" })); }'
        f'\nget("{ME}");',
        'function send(url, c) { x.open("GET", url); x.withCredentials = !c; x.send(); }\n'
        f'send("{ME}", true);',
        # Several requests in the body: which one the arguments feed is a guess.
        'function both(url, c) { fetch(url, { credentials: c }); return fetch(url); }\n'
        f'both("{ME}", "include");',
        # The name bound twice, or shadowed where it is called.
        _GET + 'function get(path) { return fetch(API_BASE + path); }\nget("/v1/me");',
        _GET + 'get = (path) => fetch(API_BASE + path);\nget("/v1/me");',
        _GET + 'function run(get) { return get("/v1/me"); }',
        _GET + 'window.get = (path) => fetch(API_BASE + path);\nget("/v1/me");',
        # A named function expression's name is bound only inside it.
        'const handlers = [function get(url) { return fetch(url, { credentials: "include" }) }];'
        f'\nget("{ME}");',
        # One level only: a wrapper of the wrapper is not followed.
        'function fetchJson(url) { return fetch(url, { credentials: "include" }); }\n'
        f'function me(u) {{ return fetchJson(u); }}\nme("{ME}");',
    ],
)
def test_wrapper_without_evidence(code: str) -> None:
    assert not _found(code)


def test_wrapper_defined_in_one_script_called_in_another() -> None:
    sites = code_sites([(f"{PAGE}/api.js", _GET), (DOC, '<script>get("/v1/me")</script>')])
    found = evidence_for(_request(), DOC, sites)
    assert found is not None and found.script_url == DOC and found.api == "fetch"
    assert found.snippet == ('get("/v1/me"), where get() makes '
                             'fetch(API_BASE + path, { credentials: "include" })')
    # ... and defined again in a third: which one a call runs is not known.
    again = code_sites([(f"{PAGE}/api.js", _GET), (DOC, '<script>get("/v1/me")</script>'),
                        (f"{PAGE}/other.js", 'function get(p) { return fetch(API_BASE + p); }')])
    assert evidence_for(_request(), DOC, again) is None


def test_suffix_starts_a_path_segment() -> None:
    assert _found('fetch(API + "/me", { credentials: "include" })', url=f"{API}/me")
    assert not _found('fetch(API + "/me", { credentials: "include" })', url=f"{API}/readme")


def test_relative_url_resolves_against_the_page() -> None:
    assert _found('fetch("../v1/me", { credentials: "include" })', page=f"{API}/app/index.html")
    assert not _found('fetch("../v1/me", { credentials: "include" })', page=f"{PAGE}/app/index.html")


def test_axios_post_config_is_the_third_argument() -> None:
    code = f'axios.post("{ME}", {{ a: 1 }}, {{ withCredentials: true }})'
    assert _found(code, method="POST")
    assert not _found(code, method="GET")


def test_evidence_names_the_script_and_the_call() -> None:
    code = f'fetch("{ME}", {{ credentials: "include" }})'
    found = evidence_for(_request(), DOC, call_sites(code, f"{PAGE}/app.js"))
    assert found is not None
    assert found.script_url == f"{PAGE}/app.js" and found.api == "fetch"
    assert found.snippet == code
    assert f"{PAGE}/app.js" in found.note() and 'credentials: "include"' in found.note()


def test_unclosed_call_in_a_huge_body_is_given_up() -> None:
    code = f'fetch("{ME}", {{ credentials: "include" ' + "x" * 10_000
    assert call_sites(code, DOC) == []


# --- the engine: the code is read only when a request's verdict depends on it ----------------------


def _document(body: str, *, ms: int = 0) -> dict[str, Any]:
    e = entry(DOC, req={"Accept": "text/html", "Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"},
              origin=None, rtype=None, ms=ms)
    e["response"]["content"] = {"size": len(body), "mimeType": "text/html; charset=utf-8", "text": body}
    return e


def _api(url: str = ME, acao: str = "*", *, ms: int = 10, **more: str) -> dict[str, Any]:
    return entry(url, req={"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"},
                 resp={"Access-Control-Allow-Origin": acao, **more}, rtype=None, ms=ms)


class Reader:
    """A BodyReader over the test's entries, recording what it was asked for."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.entries = entries
        self.asked: list[list[int]] = []

    def __call__(self, indices: Collection[int]) -> dict[int, str]:
        self.asked.append(sorted(indices))
        return {i: self.entries[i]["response"]["content"]["text"] for i in indices
                if "text" in self.entries[i]["response"]["content"]}


def _errors(entries: list[dict[str, Any]], reader: Reader | None, info=FIREFOX) -> list:
    return [f for f in evaluate(exchanges(*entries), info, reader).findings if f.is_error]


def test_firefox_har_credentialed_by_the_page_script() -> None:
    page = f'<script>fetch("{ME}", {{ credentials: "include" }}).then(show)</script>'
    entries = [_document(page), _api()]
    reader = Reader(entries)
    (found,) = _errors(entries, reader)
    assert reader.asked == [[0]]
    assert found.rule == "wildcard-with-credentials" and found.credentials
    assert found.confidence is Confidence.LIKELY
    assert any(DOC in n and 'fetch("' + ME in n for n in found.notes)
    assert found.messages.firefox == (
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at "
        f"‘{ME}’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ "
        "is ‘*’)."
    )
    assert _errors(entries, None) == []  # without the bodies the HAR cannot tell


def test_anonymous_call_to_the_same_api_stays_clean() -> None:
    page = (f'<script>fetch("{ME}", {{ credentials: "include" }}); fetch("{API}/v1/news");</script>')
    entries = [_document(page), _api(f"{API}/v1/news", ms=5), _api(ms=10)]
    found = _errors(entries, Reader(entries))
    assert [f.request.url for f in found] == [ME]


def test_bodies_are_not_read_without_a_request_that_depends_on_them() -> None:
    page = f'<script>fetch("{ME}", {{ credentials: "include" }})</script>'
    ok = [_document(page), _api(acao=PAGE, **{"Access-Control-Allow-Credentials": "true"})]
    reader = Reader(ok)
    assert _errors(ok, reader) == [] and reader.asked == []
    chrome = [_document(page), _api()]
    reader = Reader(chrome)
    _errors(chrome, reader, info=CHROME)
    assert reader.asked == []  # Chrome records its verdict: nothing to settle


def test_scripts_loaded_after_the_request_are_not_read() -> None:
    page = f'<script>fetch("{ME}", {{ credentials: "include" }})</script>'
    entries = [_api(ms=0), _document(page, ms=10)]
    reader = Reader(entries)
    assert _errors(entries, reader) == []
    assert reader.asked == []


def test_preflight_wildcard_methods_do_not_cover_a_credentialed_request() -> None:
    allow = {"Access-Control-Allow-Origin": PAGE, "Access-Control-Allow-Credentials": "true"}
    page = f'<script>fetch("{ME}", {{ method: "PUT", credentials: "include" }})</script>'
    entries = [
        _document(page),
        entry(ME, "PUT", req={"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}, resp=allow, rtype=None,
              ms=10),
        preflight(ME, "PUT", resp={**allow, "Access-Control-Allow-Methods": "*"}, ms=11),
    ]
    assert _errors(entries, None) == []
    (found,) = _errors(entries, Reader(entries))
    assert found.rule == "method-not-allowed" and found.confidence is Confidence.LIKELY


def test_the_call_names_the_api_the_har_left_to_be_guessed() -> None:
    """Firefox writes no resource type: the API is guessed from the headers (fetch), and Chrome's
    and Safari's first words depend on it. The page's call says which API it was."""
    xhr = _XHR + f'xhr("GET", "{ME}", {{}}, true, null);'
    entries = [_document(f"<script>{xhr}</script>"), _api()]
    (found,) = _errors(entries, Reader(entries))
    assert found.messages.chrome.startswith(f"Access to XMLHttpRequest at '{ME}'")
    assert found.messages.safari.endswith(f"XMLHttpRequest cannot load {ME} due to access control checks.")
    assert not any("does not record which API" in n for n in found.notes)
    page = f'<script>fetch("{ME}", {{ credentials: "include" }})</script>'
    entries = [_document(page), _api()]
    (found,) = _errors(entries, Reader(entries))
    assert found.messages.chrome.startswith(f"Access to fetch at '{ME}'")
    assert not any("does not record which API" in n for n in found.notes)
    # axios picks its adapter at run time: the guess and its note stay.
    page = f'<script>axios.get("{ME}", {{ withCredentials: true }})</script>'
    entries = [_document(page), _api()]
    (found,) = _errors(entries, Reader(entries))
    assert any("does not record which API" in n for n in found.notes)

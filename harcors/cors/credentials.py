"""Evidence of a request's credentials mode in the page's own code.

A HAR does not record whether a request was made with credentials. Chrome says so indirectly
(it marks the blocked request), a Cookie header proves it, but a Firefox or proxy HAR of a
credentialed request without cookies looks exactly like an anonymous one, and a response that
fails only the credentialed checks (``Access-Control-Allow-Origin: *``, no
``Access-Control-Allow-Credentials: true``) keeps its 200 and its body. What such a HAR does keep
are the page's documents and scripts, and the call that made the request is often in them with its
options written out::

    fetch("https://api.example.com/me", { credentials: "include" })

This module finds those calls and ties them to requests. It reads only literal code, never runs
it, and errs towards saying nothing:

* the call's URL must be a string or template literal, or a ``+`` chain of them, whose literal
  parts match the request's URL (holes such as ``${id}`` or ``API_BASE`` match anything); a call
  whose literal parts do not pin the path down (``url``, ``API + path``,
  ``"https://api.example.com/" + path``) is ignored;
* the credentials must be written in the same call: ``credentials: "include"`` in the options
  object literal of ``fetch()`` / ``new Request()``, ``withCredentials: true`` in an axios config
  (or ``axios.defaults.withCredentials = true``), or ``<xhr>.withCredentials = true`` in the same
  block as ``<xhr>.open(method, url)`` with no other open/send/assignment of ``<xhr>`` in between
  (judged on the text, not on scopes);
* only documents and scripts of the request's page loaded before it are read;
* a literal method must be the request's method;
* if any other call in the scanned code matches the request without credentials, or with options
  that cannot be read (a variable, a spread), the evidence is ambiguous and nothing is claimed.

Relative URLs resolve against the page for ``fetch``/XHR, the way the browser does; axios
prepends a ``baseURL`` the code may set anywhere, so its relative URLs match as a path suffix.

One level of wrapper is followed: when a call fed from outside (``x.open(method, url)``,
``fetch(url, opts)``, ``fetch(BASE + path, {credentials: "include"})``) is the only request call in a
named function, each call of that function is read as the function's body with the call's literal
arguments put in (:mod:`harcors.cors.jsfunctions` says when that is exact, and gives up otherwise).
Such a call site then counts like any other, for evidence and for ambiguity alike; a call of the
wrapper with a non-literal argument leaves that parameter unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urljoin, urlsplit, urlunsplit

from harcors.cors.jsfunctions import FunctionDef, enclosing_function, inlined_calls
from harcors.cors.jslex import (
    HOLE,
    UNREADABLE,
    boolean,
    literal,
    member,
    object_members,
    skip_group,
    split_top,
    url_parts,
)
from harcors.har.model import Exchange

if TYPE_CHECKING:
    from harcors.cors.context import RequestContext

#: Reads the response bodies of entries (by ``Exchange.index``) back from the HAR; capped and
#: best effort (see :func:`harcors.har.bodies.read_texts`).
BodyReader = Callable[[Collection[int]], Mapping[int, str]]

_SCRIPT_MIME = ("html", "javascript", "ecmascript", "jscript")
_CALL_SPAN = 4000  # characters one call's argument list may take before it is given up on
_MAX_CALLS_PER_BODY = 20000  # call openers looked at per body (a minified bundle has thousands)
_SNIPPET = 200  # characters of a call quoted in a finding's note


@dataclass(frozen=True, slots=True)
class CredentialsEvidence:
    """The call in the page's code that shows a request was made with credentials."""

    script_url: str  # the document or script whose body holds the call
    snippet: str  # the call, whitespace collapsed and shortened
    api: str  # "fetch", "XMLHttpRequest" or "axios"

    def note(self) -> str:
        return (
            f"Credentials mode 'include' was inferred from the page's code: {self.script_url} makes this "
            f"request with credentials ({self.snippet}). The HAR itself does not record the credentials "
            "mode, and no Cookie header was sent to show it."
        )


@dataclass(frozen=True, slots=True)
class CallSite:
    """One request-making call found in a body, with what its literal text says."""

    api: str
    parts: tuple[str | None, ...]  # the URL expression: literal strings and holes (None)
    method: str | None  # upper-cased when written as a literal, else None
    credentials: bool | None  # True: with credentials; False: without; None: cannot be read
    relative_to_page: bool  # a relative URL resolves against the page (fetch, XHR), not a baseURL
    script_url: str
    snippet: str

    def matches(self, url: str, page_url: str | None) -> bool:
        return _url_matches(self.parts, self.relative_to_page, _without_fragment(url), page_url)



# --- the calls -------------------------------------------------------------------------------------

# Each call pattern starts with a literal word, which the regex engine finds fast in a large bundle;
# what must stand before the word is checked afterwards, on the few characters in front of it.
_FETCH = re.compile(r"fetch\s*\(")
_FETCH_BEFORE = re.compile(r"(?:^|[^\w$.])(?P<callee>(?:(?:window|self|globalThis)\s*\.\s*)?)$")
_REQUEST = re.compile(r"Request\s*\(")
_REQUEST_BEFORE = re.compile(r"(?:^|[^\w$.])(?P<callee>new\s+)$")
_OPEN = re.compile(r"open\s*\(")
_OPEN_BEFORE = re.compile(r"(?:^|[^\w$])(?P<callee>(?P<name>[A-Za-z_$][\w$]*)\s*\.\s*)$")
_AXIOS = re.compile(r"axios\s*(?:\.\s*(get|delete|head|options|post|put|patch|request)\s*)?\(")
_AXIOS_BEFORE = re.compile(r"(?:^|[^\w$.])(?P<callee>)$")
_BEFORE_SPAN = 64
_AXIOS_DEFAULT = re.compile(r"axios\s*\.\s*defaults\s*\.\s*withCredentials\s*=\s*(true|!0)(?![\w$])")
_METHOD_TOKEN = re.compile(r"[A-Za-z]{3,10}")
_NOT_XHR = frozenset({"window", "document", "self", "globalThis", "indexedDB", "caches", "top", "parent"})


def _calls(
    text: str, pattern: re.Pattern[str], before: re.Pattern[str]
) -> Iterator[tuple[re.Match[str], re.Match[str]]]:
    """Each match of ``pattern`` that ``before`` accepts, with that match (whose ``callee`` group
    starts the call's text); at most ``_MAX_CALLS_PER_BODY`` matches are looked at."""
    for n, m in enumerate(pattern.finditer(text)):
        if n >= _MAX_CALLS_PER_BODY:
            return
        b = before.search(text, max(0, m.start() - _BEFORE_SPAN), m.start())
        if b is not None:
            yield m, b


def _snippet(text: str, start: int, end: int) -> str:
    s = " ".join(text[start:end].split())
    return s if len(s) <= _SNIPPET else s[: _SNIPPET - 1] + "…"


def _arguments(text: str, paren: int) -> tuple[list[str], int] | None:
    """The argument texts of the call whose "(" is at ``paren``, and the index after its ")"."""
    end = skip_group(text, paren, min(len(text), paren + _CALL_SPAN))
    if end < 0:
        return None
    args = split_top(text, paren + 1, end - 1, ",")
    if len(args) == 1 and not args[0].strip():
        args = []
    return args, end


T = TypeVar("T")


def _option(value: object, absent: T, read: Callable[[str], T | None]) -> T | None:
    """An options-object member as :func:`member` gives it: ``absent`` when it is not written, None
    when it cannot be read (a spread may override it, or it is no plain expression), else ``read``
    of its source text (None when that is not a literal)."""
    if value is None:
        return absent
    if value is UNREADABLE or not isinstance(value, str):
        return None
    return read(value)


def _upper_literal(text: str) -> str | None:
    lit = literal(text)
    return lit.upper() if lit is not None else None


def _is_include(text: str) -> bool | None:
    lit = literal(text)
    return None if lit is None else lit == "include"


def _method(value: object, default: str | None) -> str | None:
    return _option(value, default, _upper_literal)


def _fetch_calls(text: str, script_url: str) -> Iterator[tuple[int, CallSite]]:
    calls = [*_calls(text, _FETCH, _FETCH_BEFORE), *_calls(text, _REQUEST, _REQUEST_BEFORE)]
    for m, b in calls:
        start = b.start("callee")
        got = _arguments(text, m.end() - 1)
        if got is None or not got[0]:
            continue
        args, end = got
        if len(args) < 2:
            # No init object: credentials mode "same-origin", nothing sent cross-origin.
            credentials: bool | None = False
            method: str | None = "GET"
        else:
            members = object_members(args[1])
            if members is None:
                credentials, method = None, None
            else:
                credentials = _option(member(members, "credentials"), False, _is_include)
                method = _method(member(members, "method"), "GET")
        yield start, CallSite("fetch", url_parts(args[0]), method, credentials, True, script_url,
                       _snippet(text, start, end))


def _block_between(text: str, a: int, b: int) -> bool:
    """Are ``a`` and ``b`` (a < b) in the same block? Braces inside strings can fool this, and only
    ever towards "no"."""
    depth = 0
    for c in text[a:b]:
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _xhr_credentials(text: str, name: str, open_start: int, open_end: int) -> bool | None:
    """``<name>.withCredentials = ...`` for the XHR opened at ``open_start``, read from the statements
    around it that concern the same object: back to the previous open/send/assignment of ``name``,
    forward to the next one (its send)."""
    ident = re.escape(name)
    fence = re.compile(rf"(?<![\w$]){ident}\s*(?:\.\s*(?:open|send)\s*\(|=(?!=))")
    lo = max(0, open_start - _CALL_SPAN)
    before = [f.end() for f in fence.finditer(text, lo, open_start)]
    lo = before[-1] if before else lo
    after = fence.search(text, open_end, min(len(text), open_end + _CALL_SPAN))
    hi = after.start() if after else min(len(text), open_end + _CALL_SPAN)
    assign = re.compile(rf"(?<![\w$]){ident}\s*\.\s*withCredentials\s*=(?!=)\s*([^;,\n)}}]*)")
    values = []
    for a in assign.finditer(text, lo, hi):
        pair = (a.start(), open_start) if a.start() < open_start else (open_end, a.start())
        if _block_between(text, *pair):
            values.append(boolean(a.group(1)))
    if not values:
        return False  # XMLHttpRequest's default
    if None in values:
        return None
    return values[-1] if len(set(values)) == 1 else None


def _xhr_calls(text: str, script_url: str) -> Iterator[tuple[int, CallSite]]:
    for m, b in _calls(text, _OPEN, _OPEN_BEFORE):
        start, name = b.start("callee"), b.group("name")
        if name in _NOT_XHR:
            continue
        got = _arguments(text, m.end() - 1)
        if got is None or len(got[0]) < 2:
            continue
        args, end = got
        method_text = literal(args[0])
        if method_text is not None and not _METHOD_TOKEN.fullmatch(method_text):
            continue  # window.open("https://...", "_blank") and the like
        yield start, CallSite("XMLHttpRequest", url_parts(args[1]),
                       method_text.upper() if method_text is not None else None,
                       _xhr_credentials(text, name, start, end), True, script_url,
                       _snippet(text, start, end))


def _axios_calls(text: str, script_url: str, default_credentials: bool) -> Iterator[tuple[int, CallSite]]:
    for m, b in _calls(text, _AXIOS, _AXIOS_BEFORE):
        start = b.start("callee")
        got = _arguments(text, m.end() - 1)
        if got is None or not got[0]:
            continue
        args, end = got
        verb = m.group(1)
        first = object_members(args[0])
        if first is not None and verb in (None, "request"):
            # axios(config) / axios.request(config): the URL and method are members.
            url = member(first, "url")
            if not isinstance(url, str) or url is UNREADABLE:
                continue
            url_expr, config = url, first
            method = _method(member(first, "method"), "GET")
        else:
            if verb == "request":
                continue
            # axios(url[, config]), axios.get(url[, config]), axios.post(url[, data[, config]])
            url_expr = args[0]
            at = 2 if verb in ("post", "put", "patch") else 1
            config = object_members(args[at]) if len(args) > at else []
            if verb is not None:
                method: str | None = verb.upper()
            else:
                method = _method(member(config, "method"), "GET") if config is not None else None
        credentials = (None if config is None
                       else _option(member(config, "withCredentials"), default_credentials, boolean))
        yield start, CallSite("axios", url_parts(url_expr), method, credentials, False, script_url,
                       _snippet(text, start, end))


def _positioned_sites(text: str, script_url: str, axios_credentials: bool) -> list[tuple[int, CallSite]]:
    """Every fetch / Request / XMLHttpRequest.open / axios call in ``text``, with where it starts."""
    return [*_fetch_calls(text, script_url), *_xhr_calls(text, script_url),
            *_axios_calls(text, script_url, axios_credentials)]


def _request_calls(text: str) -> int:
    """How many request-making calls ``text`` holds, readable or not."""
    opens = sum(b.group("name") not in _NOT_XHR for _, b in _calls(text, _OPEN, _OPEN_BEFORE))
    others = ((_FETCH, _FETCH_BEFORE), (_REQUEST, _REQUEST_BEFORE), (_AXIOS, _AXIOS_BEFORE))
    return opens + sum(1 for pattern, before in others for _ in _calls(text, pattern, before))


def call_sites(text: str, script_url: str, *, axios_credentials: bool = False) -> list[CallSite]:
    """The telling call sites of one script (see :func:`code_sites`)."""
    return code_sites([(script_url, text)], axios_credentials=axios_credentials)


def code_sites(scripts: Sequence[tuple[str, str]], *, axios_credentials: bool = False) -> list[CallSite]:
    """Every fetch / Request / XMLHttpRequest.open / axios call with a telling URL in the page's
    scripts ``(script URL, text)``, and every call of a wrapper around one of them (see
    :mod:`harcors.cors.jsfunctions`) with that call's literal arguments put in. The scripts are read
    together: a wrapper defined in one may be called from another, or defined again in a third."""
    if not axios_credentials:
        axios_credentials = any(_AXIOS_DEFAULT.search(text) for _, text in scripts)
    sites: list[CallSite] = []
    wrappers: dict[tuple[int, int], tuple[FunctionDef, str]] = {}
    for n, (url, text) in enumerate(scripts):
        looked_at: dict[int, FunctionDef | None] = {}
        for start, site in _positioned_sites(text, url, axios_credentials):
            sites.append(site)
            # Only a call fed from outside (a hole in its URL, options it cannot read) may be a
            # wrapper's; a written-out call is evidence on its own, and costs no look around it.
            if HOLE not in site.parts and site.credentials is not None and site.method is not None:
                continue
            fn = enclosing_function(text, n, start, looked_at)
            # A wrapper issues exactly one request: with two, which one an argument feeds is a guess.
            if fn is not None and (n, fn.name_at) not in wrappers and _request_calls(fn.body) == 1:
                wrappers[n, fn.name_at] = (fn, site.snippet)
    texts = [text for _, text in scripts]
    for call in inlined_calls([fn for fn, _ in wrappers.values()], texts):
        fn, (url, text) = call.function, scripts[call.script]
        request = wrappers[fn.script, fn.name_at][1]
        for _, site in _positioned_sites(call.body, url, axios_credentials):
            snippet = f"{_snippet(text, call.start, call.end)}, where {fn.name}() makes {request}"
            sites.append(replace(site, snippet=snippet))
    return [s for s in sites if _telling(s.parts)]


# --- matching a URL expression against a request URL ---------------------------------------------


_AUTHORITY = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:)?//[^/?#]*")


def _telling(parts: tuple[str | None, ...]) -> bool:
    """Does the expression pin the path down? ``url``, ``base + path``, ``base + "/"`` and
    ``"https://api.example.com/" + path`` do not: such a call may make any request to the API, and
    other code may make the same requests without credentials."""
    literals = [p for p in parts if p is not HOLE]
    if parts and parts[0] is not HOLE:
        literals[0] = _AUTHORITY.sub("", literals[0])
    return sum(ch.isalnum() for text in literals for ch in text) >= 2


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def _normalized(url: str) -> str:
    """As a browser serializes a parsed URL: scheme and host lower-cased, default port and fragment
    dropped, an empty path made "/"."""
    try:
        p = urlsplit(url)
        host = (p.hostname or "").lower()
        port = p.port
    except ValueError:
        return url
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(p.scheme.lower())
    netloc = host if port is None or port == default else f"{host}:{port}"
    if p.username or p.password:
        netloc = p.netloc.rsplit("@", 1)[0] + "@" + netloc
    return urlunsplit((p.scheme.lower(), netloc, p.path or "/", p.query, ""))


def _url_matches(
    parts: tuple[str | None, ...], relative_to_page: bool, url: str, page_url: str | None
) -> bool:
    first = parts[0]
    if first is HOLE:
        return _suffix_matches(parts, url)
    absolute = re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|//", first) is not None
    if len(parts) == 1:
        # A plain literal: resolve it the way the browser did, then compare whole URLs.
        if absolute:
            return _normalized(urljoin(url, first)) == _normalized(url)
        if relative_to_page and page_url:
            return _normalized(urljoin(page_url, first)) == _normalized(url)
        return _suffix_matches(parts, url)
    if absolute:
        # "//host/..." takes the request's scheme, as it took the page's.
        scheme = url.split(":", 1)[0] + ":" if first.startswith("//") else ""
        pattern = _regex(parts)
        return any(pattern.fullmatch(scheme + u) for u in (url, _normalized(url)))
    if first.startswith("/") and relative_to_page and page_url:
        # Root-relative: on the page's origin (a <base href> is not looked for).
        page = urlsplit(page_url)
        return _regex((f"{page.scheme}://{page.netloc}", *parts)).fullmatch(url) is not None
    return _suffix_matches(parts, url)


def _suffix_matches(parts: tuple[str | None, ...], url: str) -> bool:
    """The expression ends the URL's path and query, its first literal starting a path segment:
    ``API + "/me"`` matches https://api.example.com/v1/me, not https://api.example.com/v1/readme."""
    try:
        p = urlsplit(url)
    except ValueError:
        return False
    rest = p.path + (f"?{p.query}" if p.query else "")
    return _regex(parts if parts[0] is HOLE else (HOLE, *parts)).fullmatch(rest) is not None


def _regex(parts: Sequence[str | None]) -> re.Pattern[str]:
    out = []
    for i, p in enumerate(parts):
        if p is not HOLE:
            out.append(re.escape(p))
        elif i == 0 and len(parts) > 1 and not (parts[1] or "").startswith("/"):
            out.append("(?:.*/)?")  # a leading base-URL hole ends at a "/"
        else:
            out.append(".*")
    return re.compile("".join(out), re.DOTALL)


# --- tying the calls to requests -------------------------------------------------------------------


def is_script_body(ex: Exchange) -> bool:
    """Can this entry's body hold the page's code (a document or a script)?"""
    mime = (ex.response_mime or "").lower()
    return ex.got_response and (
        any(t in mime for t in _SCRIPT_MIME) or ex.resource_type in ("script", "document")
    )


def script_entries(exchanges: Sequence[Exchange], requests: Sequence[Exchange]) -> list[int]:
    """The entries whose bodies may hold the calls that made ``requests``: documents and scripts of
    the same page, loaded before the request was (entries are in start order)."""
    last_by_page: dict[str | None, int] = {}
    for r in requests:
        last_by_page[r.pageref] = max(last_by_page.get(r.pageref, -1), r.index)
    any_page = max(last_by_page.values(), default=-1)
    out = []
    for ex in exchanges:
        if ex.index >= any_page:
            break
        limit = any_page if None in last_by_page or ex.pageref is None else last_by_page.get(ex.pageref, -1)
        if ex.index < limit and is_script_body(ex):
            out.append(ex.index)
    return out


def evidence_for(
    request: Exchange, page_url: str | None, sites: Sequence[CallSite]
) -> CredentialsEvidence | None:
    """The call that made ``request`` with credentials, when every matching call in the code says so."""
    found: list[CallSite] = []
    for site in sites:
        if site.method is not None and site.method != request.method.upper():
            continue
        if site.matches(request.url, page_url):
            if site.credentials is not True:
                return None  # the same URL is also called without credentials (or unreadably)
            found.append(site)
    if not found:
        return None
    site = found[0]
    return CredentialsEvidence(site.script_url, site.snippet, site.api)


# The start of the note harcors.cors.context writes when the API was guessed from the headers.
_API_GUESSED = "The HAR does not record which API made the request;"


def with_api(ctx: RequestContext, evidence: CredentialsEvidence) -> RequestContext:
    """``ctx`` with the API the page's call names, when the HAR left it to be guessed from the headers
    (Firefox writes no resource type): Chrome's "Access to XMLHttpRequest at" and Safari's
    "XMLHttpRequest cannot load" depend on it. axios is left alone: its browser adapter is
    configurable (XHR by default, fetch on request)."""
    if (evidence.api not in ("fetch", "XMLHttpRequest") or ctx.kind not in ("fetch", "XMLHttpRequest")
            or not ctx.req.first.resource_type_inferred):
        return ctx
    notes = tuple(n for n in ctx.notes if not n.startswith(_API_GUESSED))
    return replace(ctx, kind=evidence.api, notes=notes)


def find_evidence(
    requests: Sequence[tuple[Exchange, str | None]],
    exchanges: Sequence[Exchange],
    read: BodyReader,
) -> dict[int, CredentialsEvidence]:
    """For each ``(request, page URL)`` (the first hop of a request whose credentials mode decides
    its fate), the evidence in the page's code, by the request's entry index."""
    wanted = script_entries(exchanges, [r for r, _ in requests])
    if not wanted:
        return {}
    bodies = read(wanted)
    url_of = {ex.index: ex.url for ex in exchanges}
    sites = code_sites([(url_of[i], bodies[i]) for i in wanted if bodies.get(i)])
    out = {}
    for request, page_url in requests:
        found = evidence_for(request, page_url, sites)
        if found is not None:
            out[request.index] = found
    return out


__all__ = ["BodyReader", "CallSite", "CredentialsEvidence", "call_sites", "code_sites", "evidence_for",
           "find_evidence", "script_entries", "with_api"]

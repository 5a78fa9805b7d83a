"""What the HAR says about one request beyond its headers: the page's origin, which API made it,
its mode, whether it carried credentials, and the browser's own verdict.

None of this is a HAR field; each is inferred from evidence, and each inference says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from harcors.cors import fetch
from harcors.cors.model import slot_init
from harcors.cors.pairing import CorsRequest, PageHeaders
from harcors.har.model import Exchange, HarInfo, lower_name


class Verdict(StrEnum):
    OK = "ok"  # the browser delivered the response to the page
    BLOCKED = "blocked"  # the browser failed it with its CORS error code
    NET_ERROR = "net-error"  # failed for a network reason (refused, DNS, TLS, extension)
    ABORTED = "aborted"  # cancelled, or a no-cors/opaque request Chrome marks ERR_ABORTED
    FAILED = "failed"  # no response and no error text (Firefox, proxies): the reason is unknown
    NONE = "none"  # the producer records no verdict (Firefox, proxies) and a response arrived


# Chromium's resource type -> the word Blink's ResourceTypeToString puts in "Access to <kind> at".
_KIND = {
    "fetch": "fetch",
    "xhr": "XMLHttpRequest",
    "script": "script",
    "font": "font",
    "image": "image",
    "stylesheet": "CSS stylesheet",
    "texttrack": "text track",
    "manifest": "manifest",
    "eventsource": "resource",  # observed: "Access to resource at ..." for EventSource
}


def classify_error(error: str | None) -> str | None:
    """ "cors", "aborted" or "network" for a producer's error text; None when there is none."""
    if not error:
        return None
    e = error.strip()
    low = e.lower()
    if e == "net::ERR_FAILED" or e == "NS_ERROR_DOM_BAD_URI":
        return "cors"
    # WebKit (Safari HARs, Playwright-webkit) writes its reason text instead of a code.
    if any(
        k in low
        for k in (
            "access control",
            "access-control",
            "preflight",
            "cross-origin redirection",
            "cross-origin resource sharing",
            "cors",
        )
    ):
        return "cors"
    if e in ("net::ERR_ABORTED", "NS_BINDING_ABORTED") or low in ("cancelled", "canceled", "aborted"):
        return "aborted"
    return "network"


def producer_has_verdict(info: HarInfo | None, exchanges: Sequence[Exchange]) -> bool:
    """Does this HAR record whether the browser let each request through?

    Chrome DevTools (``_error``), Safari Web Inspector (``_error``) and Playwright
    (``_failureText``) do; Firefox's exporter and proxies do not.
    """
    producer = info.producer if info is not None else "unknown"
    if producer in ("chrome", "safari", "chrome-har") or producer.startswith("playwright"):
        return True
    if producer in ("firefox", "mitmproxy", "charles", "fiddler", "httptoolkit", "burp"):
        return False
    return any(not ex.resource_type_inferred for ex in exchanges)


@slot_init  # hot: one per hop of every request that may concern CORS
@dataclass(frozen=True, slots=True)
class HopView:
    """One hop as the checks see it: the method and unsafe header names the browser worked with."""

    hop: Exchange
    method: str
    unsafe_names: tuple[str, ...]
    page_names: Mapping[str, str]  # lower-case name -> as the page wrote it (WebKit's messages use it)
    preflight: Exchange | None
    cached: Exchange | None
    names_from_preflight: bool


@slot_init  # hot: one per request that may concern CORS
@dataclass(frozen=True, slots=True)
class RequestContext:
    req: CorsRequest
    hops: tuple[HopView, ...]
    page_origin: str | None
    kind: str  # the word in Chrome's message: fetch, XMLHttpRequest, script ...
    mode: str  # cors, no-cors, same-origin, navigate, unknown
    cross_origin: bool
    cookie_sent: bool
    verdict: Verdict
    has_verdict: bool
    notes: tuple[str, ...] = ()
    page_url: str | None = None  # the document that made the request, when the HAR has it

    @property
    def request(self) -> Exchange:
        return self.req.hops[-1]  # req.request, one call fewer (hot)


class _PageNames(Mapping[str, str]):
    """A hop's header names as the page wrote them, by lower-case name: worked out on first use, as
    only WebKit's header-not-allowed line reads them (building them for every hop cost more than
    the checks)."""

    __slots__ = ("_hop", "_names", "_page_headers")

    def __init__(self, page_headers: PageHeaders, hop: Exchange) -> None:
        self._page_headers = page_headers
        self._hop = hop
        self._names: dict[str, str] | None = None

    def _get(self) -> dict[str, str]:
        if self._names is None:
            self._names = {lower_name(name): name for name, _ in self._page_headers.page_set(self._hop)}
        return self._names

    def __getitem__(self, name: str) -> str:
        return self._get()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __repr__(self) -> str:
        return repr(self._get())


def hop_preflight(req: CorsRequest, hop: Exchange) -> Exchange | None:
    """The preflight :func:`hop_view` gives ``hop`` (an orphan preflight is its own)."""
    return hop if req.orphan else req.preflights.get(hop.index)


def hop_names(
    req: CorsRequest, hop: Exchange, page_headers: PageHeaders
) -> tuple[Exchange | None, Sequence[str]]:
    """A hop's preflight, fresh or cached, and the unsafe header names the browser worked with: what
    :func:`hop_view` gives as ``preflight or cached`` and ``unsafe_names`` (a shared list: do not
    change it), without making the view (the engine's quiet test asks it of most requests)."""
    if req.orphan:
        return hop, page_headers.requested(hop)[1]
    pf = req.preflights.get(hop.index)  # hop_preflight, the orphan's case above
    if pf is not None:
        return pf, page_headers.requested(pf)[1]
    return req.cached.get(hop.index), page_headers.unsafe_names(hop)


def hop_view(req: CorsRequest, hop: Exchange, page_headers: PageHeaders | None = None) -> HopView:
    page_headers = page_headers or PageHeaders()
    pf, names = hop_names(req, hop, page_headers)
    if req.orphan:
        acrm = page_headers.requested(hop)[0]
        return HopView(hop, acrm or "GET", tuple(names), {n: n for n in names}, hop, None, True)
    page_names = _PageNames(page_headers, hop)
    if pf is not None and hop.index in req.preflights:
        acrm = page_headers.requested(pf)[0]
        return HopView(hop, acrm or hop.method, tuple(names), page_names, pf, None, True)
    return HopView(hop, hop.method, tuple(names), page_names, None, pf, False)


def _page_origin(req: CorsRequest) -> tuple[str | None, str | None]:
    """The page's origin and a note saying where it came from (None when from the Origin header)."""
    first = req.hops[0]  # req.first (hot: a property call fewer)
    origin = first.origin
    if origin:
        return origin, None
    pf = req.preflight_for(first)
    if pf is not None and pf.request_headers.get("origin"):
        return pf.request_headers.get("origin"), None
    for hop in req.hops:
        o = hop.request_headers.get("origin")
        if o and o != "null":
            return o, "The page origin was taken from a later hop's Origin header."
    site = (first.request_headers.get("sec-fetch-site") or "").lower()
    if site == "same-origin":
        return fetch.origin(first.url), None
    referer = first.request_headers.get("referer")
    if referer:
        ro = fetch.origin(referer)
        if ro:
            return (
                ro,
                "The page origin was inferred from the Referer header (the request has no Origin header).",
            )
    return None, None


def _kind(req: CorsRequest) -> tuple[str, str | None]:
    ex = req.hops[0]  # req.first
    if req.orphan:
        return "fetch", (
            "Only the preflight is in the HAR, so whether fetch() or XMLHttpRequest made the request is "
            "unknown; Chrome's message is shown for fetch()."
        )
    rt = ex.resource_type
    if rt in _KIND:
        word = _KIND[rt]
        if ex.resource_type_inferred:
            how = "the X-Requested-With header" if rt == "xhr" else "Sec-Fetch-Dest/Accept headers"
            return word, (
                f"The HAR does not record which API made the request; {word} was inferred from {how}. "
                "XMLHttpRequest would change the message's first words."
            )
        return word, None
    return "fetch", (f"The request's type ({rt}) is not fetch or XHR; Chrome's wording for fetch() is shown.")


def _looks_no_cors(ex: Exchange, has_verdict: bool) -> bool:
    """Evidence, beyond a missing Origin header, that a cross-origin GET was made with mode: 'no-cors'.

    A missing Origin alone proves nothing: chrome-har (and DevTools without the extra-info headers)
    records only the headers Blink handed to the network stack, which never include Origin. Chrome
    marks an opaque response that ORB withholds with ERR_ABORTED and records no response headers;
    and a producer that records verdicts shows a cors-mode response without
    Access-Control-Allow-Origin as failed, so one that went through was no-cors.
    """
    if classify_error(ex.error) == "aborted" or len(ex.response_headers) == 0:
        return True
    return has_verdict and not ex.error and "access-control-allow-origin" not in ex.response_headers


def mode_of(req: CorsRequest, page_origin: str | None, has_verdict: bool) -> str:
    ex = req.hops[0]  # req.first
    m = (ex.request_headers.get("sec-fetch-mode") or "").lower()
    if m:
        return m
    if req.preflights or req.orphan:
        return "cors"
    if ex.resource_type in ("document",):
        return "navigate"
    if ex.origin:
        return "cors" if ex.resource_type in ("fetch", "xhr", "eventsource", "font") else "unknown"
    # Chromium sends Origin on every cross-origin CORS request, but not every producer records it.
    if (
        page_origin
        and fetch.origin(ex.url) != page_origin
        and ex.method.upper() in ("GET", "HEAD")
        and ex.resource_type in ("fetch", "xhr")
        and ex.got_response
        and _looks_no_cors(ex, has_verdict)
    ):
        return "no-cors"
    return "unknown"


def verdict_of(req: CorsRequest, has_verdict: bool) -> Verdict:
    last = req.request
    kind = classify_error(last.error)
    if req.orphan:
        return Verdict.FAILED if not has_verdict else Verdict.BLOCKED
    if kind == "cors":
        return Verdict.BLOCKED
    if kind == "network":
        return Verdict.NET_ERROR
    if kind == "aborted":
        return Verdict.ABORTED
    if not last.got_response:
        return Verdict.FAILED
    return Verdict.OK if has_verdict else Verdict.NONE


def page_urls(exchanges: Sequence[Exchange]) -> dict[str, str]:
    """pageref -> URL of the page's first document entry (Firefox and Chrome both record it)."""
    out: dict[str, str] = {}
    for ex in exchanges:
        if ex.pageref and ex.pageref not in out and ex.resource_type == "document" and ex.method == "GET":
            out[ex.pageref] = ex.url
    return out


def page_of(req: CorsRequest, pages: Mapping[str, str] | None) -> tuple[str | None, str | None, str | None]:
    """The page's URL, its origin, and a note saying where the origin came from (None when from the
    request's Origin header)."""
    page_url = (pages or {}).get(req.hops[0].pageref or "")
    page_origin, how = _page_origin(req)
    if page_origin is None and page_url is not None:
        page_origin = fetch.origin(page_url)
        how = "The page origin was taken from the page's document entry (the request has no Origin header)."
    return page_url, page_origin, how


def build(
    req: CorsRequest,
    has_verdict: bool,
    pages: Mapping[str, str] | None = None,
    page_headers: PageHeaders | None = None,
) -> RequestContext:
    """What the HAR implies about ``req`` (``page_headers``: the run's memo, when there is one)."""
    notes: list[str] = []
    first = req.hops[0]  # req.first, read often below (hot)
    page_url, page_origin, how = page_of(req, pages)
    if how:
        notes.append(how)
    kind, how = _kind(req)
    if how:
        notes.append(how)
    mode = mode_of(req, page_origin, has_verdict)
    target = fetch.origin(first.url)
    cross = page_origin is not None and (page_origin == "null" or target != page_origin)
    if not cross and page_origin is not None:
        # A same-origin start can still redirect to another origin.
        cross = any(fetch.origin(h.url) != page_origin for h in req.hops)
    verdict = verdict_of(req, has_verdict)
    if page_origin is None:
        site = (first.request_headers.get("sec-fetch-site") or "").lower()
        cross = site in ("cross-site", "same-site")
        if verdict is Verdict.BLOCKED and req.request.resource_type in ("fetch", "xhr"):
            # The browser itself says CORS failed, so the request was cross-origin.
            cross = True
            notes.append(
                "The HAR does not show the page's origin (no Origin, Referer or page entry); "
                "Chrome's message names it where 'null' is shown."
            )
    page_headers = page_headers or PageHeaders()
    if len(req.hops) == 1:  # hot: most requests are one entry; the general case below, unrolled
        cookie = target != page_origin and "cookie" in first.request_headers
        hops: tuple[HopView, ...] = (hop_view(req, first, page_headers),)
    else:
        cookie = any("cookie" in h.request_headers for h in req.hops if fetch.origin(h.url) != page_origin)
        hops = tuple(hop_view(req, h, page_headers) for h in req.hops)
    return RequestContext(
        req,
        hops,
        page_origin,
        kind,
        mode,
        cross,
        cookie,
        verdict,
        has_verdict,
        tuple(notes),
        page_url=page_url,
    )


def url_has_userinfo(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return bool(parts.username or parts.password)


def scheme_of(url: str) -> str:
    return url.split(":", 1)[0].lower() if ":" in url else ""

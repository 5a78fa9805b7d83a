"""Pairing: group a HAR's entries into the requests a page made.

A page's single ``fetch()`` can leave several entries: a redirect hop per 3xx (Chrome writes one
entry per hop), and an OPTIONS preflight per hop that needed one. No producer links them by id
(Chrome's preflight ``_initiator.requestId`` names the actual request's CDP id, which the actual
entry does not carry), so they are matched on what the Fetch standard makes them share:

* a preflight and its request: the same URL (the preflight's ``_initiator.url`` when present),
  the request's method equal to ``Access-Control-Request-Method``, its CORS-unsafe header names
  equal to ``Access-Control-Request-Headers``, the same page, and the nearest in time. Entry order
  is no guide: Chrome lists the actual request first (it is issued first), Firefox lists the
  OPTIONS after it.
* a redirect hop and the next: the next hop's URL is the hop's ``Location``.

Requests with no preflight in the HAR are resolved against earlier preflights to the same URL
whose result the browser could still have cached (``Access-Control-Max-Age``, 5 s by default in
Chromium).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from urllib.parse import urljoin

from harcors.cors import fetch
from harcors.cors.model import slot_init
from harcors.har.model import Exchange

# Chromium's preflight cache: 5 s without Access-Control-Max-Age, capped at two hours.
DEFAULT_MAX_AGE = 5.0
MAX_MAX_AGE = 7200.0
# A preflight and its request are issued within milliseconds; allow slow HARs some slack.
PAIR_WINDOW = 120.0


@slot_init  # hot: one per request that may concern CORS
@dataclass(frozen=True, slots=True)
class CorsRequest:
    """One request as the page made it: its redirect hops and the preflights sent for them.

    ``hops`` run from the first URL to the one where the request ended. ``preflights`` and
    ``cached`` are keyed by a hop's entry index. For an ``orphan`` (a preflight whose request never
    reached the HAR, as in proxy captures of a failed preflight), ``hops`` is the preflight alone.
    """

    hops: tuple[Exchange, ...]
    preflights: Mapping[int, Exchange] = field(default_factory=dict)
    cached: Mapping[int, Exchange] = field(default_factory=dict)  # hop -> earlier preflight still cached
    orphan: bool = False

    @property
    def request(self) -> Exchange:
        """The last hop: where the request ended."""
        return self.hops[-1]

    @property
    def first(self) -> Exchange:
        return self.hops[0]

    @property
    def redirected(self) -> bool:
        return len(self.hops) > 1

    def preflight_for(self, hop: Exchange) -> Exchange | None:
        return self.preflights.get(hop.index)

    @property
    def preflight(self) -> Exchange | None:
        """The preflight of the last hop that had one (what a Finding shows)."""
        for hop in reversed(self.hops):
            if hop.index in self.preflights:
                return self.preflights[hop.index]
        return None


@dataclass
class Pairing:
    requests: list[CorsRequest] = field(default_factory=list)
    #: actual request's entry index -> its preflight's entry index
    pairs: dict[int, int] = field(default_factory=dict)
    #: what the page set on each request, as far as pairing needed it (``context.build`` reuses it)
    page_headers: PageHeaders = field(default_factory=lambda: PageHeaders(), compare=False, repr=False)


def strip_fragment(url: str) -> str:
    """The URL without its fragment: what requests are grouped and matched by (a browser never sends it)."""
    return url.split("#", 1)[0] if "#" in url else url  # hot: every preflight; most URLs have none


def preflight_target(preflight: Exchange) -> str:
    """The URL the preflight was sent for (Chrome names it in ``_initiator.url``)."""
    if (
        preflight.initiator is not None
        and preflight.initiator.type == "preflight"
        and preflight.initiator.url
    ):
        return strip_fragment(preflight.initiator.url)
    return strip_fragment(preflight.url)


def request_method_of(preflight: Exchange) -> str | None:
    return preflight.request_headers.get("access-control-request-method")


def request_header_names_of(preflight: Exchange) -> list[str]:
    return fetch.parse_request_headers_list(preflight.request_headers.get("access-control-request-headers"))


def unsafe_names_of(request: Exchange) -> list[str]:
    """The CORS-unsafe header names the page set on ``request``, as far as the HAR shows."""
    return fetch.unsafe_header_names(fetch.page_set_headers(request.request_headers))


class PageHeaders:
    """What the page set on each request, worked out once per run: pairing asks it of every
    candidate for a preflight and ``context.build`` of every hop again (hot: thousands of requests,
    each a pass over its ~25 request headers). Holds the exchanges it has seen until dropped."""

    def __init__(self) -> None:
        self._memo: dict[int, tuple[Exchange, list[tuple[str, str]], list[str]]] = {}
        self._requested: dict[int, tuple[Exchange, str | None, list[str]]] = {}

    def _of(self, ex: Exchange) -> tuple[Exchange, list[tuple[str, str]], list[str]]:
        found = self._memo.get(id(ex))
        if found is None:
            page_set = fetch.page_set_headers(ex.request_headers)
            found = self._memo[id(ex)] = (ex, page_set, fetch.unsafe_header_names(page_set))
        return found

    def unsafe_names(self, ex: Exchange) -> list[str]:
        """:func:`unsafe_names_of` (the same list for every caller: do not change it)."""
        return self._of(ex)[2]

    def page_set(self, ex: Exchange) -> list[tuple[str, str]]:
        """``fetch.page_set_headers(ex.request_headers)`` (shared: do not change it)."""
        return self._of(ex)[1]

    def requested(self, preflight: Exchange) -> tuple[str | None, list[str]]:
        """:func:`request_method_of` and :func:`request_header_names_of` a preflight (shared list)."""
        found = self._requested.get(id(preflight))
        if found is None:
            found = self._requested[id(preflight)] = (
                preflight,
                request_method_of(preflight),
                request_header_names_of(preflight),
            )
        return found[1], found[2]


def needs_preflight(request: Exchange, page_headers: PageHeaders | None = None) -> bool:
    """Would the browser preflight this request (method or headers not safelisted)?"""
    if fetch.is_safelisted_method(request.method):
        return bool(page_headers.unsafe_names(request) if page_headers else unsafe_names_of(request))
    return True


def _dt(a: Exchange, b: Exchange) -> float:
    if a.started is None or b.started is None:
        return abs(a.index - b.index) * 1e-3  # no dates: entry distance is all we have
    return abs(a.started - b.started)


def _same_page(a: Exchange, b: Exchange) -> bool:
    return a.pageref is None or b.pageref is None or a.pageref == b.pageref


def _redirect_targets(requests: Sequence[Exchange]) -> list[tuple[Exchange, str]]:
    """(hop, the URL it redirects to, fragment stripped) for the 3xx entries the browser followed."""
    out = []
    for ex in requests:
        if not ex.redirect_url or not fetch.is_redirect_status(ex.status):
            continue
        if ex.error and ex.error != "net::ERR_ABORTED":
            continue  # the browser stopped at this hop (e.g. the redirect failed its CORS check)
        out.append((ex, strip_fragment(urljoin(ex.url, ex.redirect_url))))
    return out


def _link_redirects(targets: Sequence[tuple[Exchange, str]], by_url: _ByUrl) -> dict[int, Exchange]:
    """hop index -> the next hop, for 3xx entries whose Location was fetched next."""
    nxt: dict[int, Exchange] = {}
    claimed: set[int] = set()
    for ex, target in targets:
        timeline = by_url.get(target)
        cands = [
            c
            for c in (timeline.near(ex) if timeline else ())
            if c.index != ex.index
            and c.index not in claimed
            and _same_page(ex, c)
            and (c.started is None or ex.started is None or c.started >= ex.started - 0.001)
            and (c.index > ex.index or c.started is not None)
            and _dt(ex, c) <= PAIR_WINDOW
        ]
        if not cands:
            continue
        best = min(cands, key=lambda c: (_dt(ex, c), abs(c.index - ex.index)))
        nxt[ex.index] = best
        claimed.add(best.index)
    return nxt


def _time(ex: Exchange) -> float:
    """A sort key in seconds: the start time, or the entry position when the HAR has no dates."""
    return ex.started if ex.started is not None else ex.index * 1e-3


class _Timeline:
    """Exchanges of one URL sorted by time, to find the few nearest to a moment without a full scan
    (a 50,000-entry HAR can poll one URL thousands of times)."""

    NEIGHBOURS = 12  # candidates looked at on each side

    def __init__(self, exchanges: Sequence[Exchange]) -> None:
        if len(exchanges) == 1:  # most URLs of a big HAR are fetched once
            self.items = list(exchanges)
            self.times = [_time(exchanges[0])]
            return
        self.items = sorted(exchanges, key=_time)
        self.times = [_time(ex) for ex in self.items]

    def near(self, ex: Exchange) -> list[Exchange]:
        at = bisect_left(self.times, _time(ex))
        lo, hi = max(0, at - self.NEIGHBOURS), min(len(self.items), at + self.NEIGHBOURS)
        return self.items[lo:hi]

    def before(self, moment: float) -> list[Exchange]:
        """Items at or before ``moment``, latest first."""
        at = bisect_right(self.times, moment)
        return self.items[max(0, at - self.NEIGHBOURS) : at][::-1]


class _ByUrl:
    """Exchanges grouped by URL, each group sorted into a :class:`_Timeline` only when first asked for
    (most URLs of a big HAR are asked for by no preflight and no redirect)."""

    __slots__ = ("_timelines", "groups")

    def __init__(self, groups: dict[str, list[Exchange]]) -> None:
        self.groups = groups  # hot: ``url in groups`` is asked of every entry
        self._timelines: dict[str, _Timeline] = {}

    def get(self, url: str) -> _Timeline | None:
        timeline = self._timelines.get(url)
        if timeline is None:
            items = self.groups.get(url)
            if items is None:
                return None
            timeline = self._timelines[url] = _Timeline(items)
        return timeline


def _url_key(ex: Exchange) -> str:
    """``strip_fragment(ex.url)`` (hot: every entry; most URLs have no fragment)."""
    url = ex.url
    return url.split("#", 1)[0] if "#" in url else url


def _pair_preflights(
    preflights: Sequence[Exchange],
    targets: Sequence[str],
    by_url: _ByUrl,
    page_headers: PageHeaders,
) -> dict[int, Exchange]:
    """actual index -> preflight, greedily by how well each candidate pair matches (``targets``: each
    preflight's :func:`preflight_target`; ``by_url``: the actual requests by URL)."""
    # Candidates first (same URL, page and method, near in time), scores only where they matter.
    candidates: list[tuple[Exchange, list[tuple[Exchange, float, int]]]] = []
    listed: dict[int, int] = defaultdict(int)  # actual index -> how many preflights list it
    pf_seen: dict[int, int] = defaultdict(int)  # preflight index -> how many preflights have it
    groups = by_url.groups
    for pf, target in zip(preflights, targets, strict=True):  # hot: every preflight
        group = groups.get(target)
        if group is None:
            continue  # no request to this URL: an orphan (left to the second pass, which needs one too)
        # A URL requested once needs no timeline: near() would return that one request.
        near = group if len(group) == 1 else by_url.get(target).near(pf)  # type: ignore[union-attr]
        acrm = page_headers.requested(pf)[0]
        cands = []
        page = pf.pageref
        started = pf.started
        for req in near:
            if page is not None and req.pageref is not None and page != req.pageref:
                continue  # not _same_page
            dt = (  # _dt inlined
                abs(started - req.started)
                if started is not None and req.started is not None
                else abs(pf.index - req.index) * 1e-3
            )
            if dt > PAIR_WINDOW:
                continue
            if acrm is not None:
                if req.method == acrm:
                    method_score = 0
                elif req.method.upper() == acrm.upper():
                    method_score = 1
                else:
                    continue
            else:
                method_score = 1 if req.method.upper() in fetch.SAFELISTED_METHODS else 2
            cands.append((req, dt, method_score))
            listed[req.index] += 1
        if cands:
            candidates.append((pf, cands))
            pf_seen[pf.index] += 1
    paired: dict[int, Exchange] = {}
    taken_pf: set[int] = set()
    scored: list[tuple[tuple[float, ...], Exchange, Exchange]] = []
    for pf, cands in candidates:
        if len(cands) == 1 and listed[cands[0][0].index] == 1 and pf_seen[pf.index] == 1:
            # Hot: nearly every preflight. Its only candidate, which no other preflight wants: no
            # other pair competes, so the greedy pass below would take it whatever its score.
            paired[cands[0][0].index] = pf
            taken_pf.add(pf.index)
            continue
        acrh = page_headers.requested(pf)[1]
        acrh_set = set(acrh)
        origin = pf.request_headers.get("origin")
        for req, dt, method_score in cands:
            names = page_headers.unsafe_names(req)
            if names == acrh:
                header_score = 0
            elif acrh_set <= set(names) or not req.request_headers:
                header_score = 1  # the HAR shows extra headers, or none at all (a blocked request)
            else:
                header_score = 2
            req_origin = req.origin
            origin_score = 0 if (req_origin is None or origin is None or req_origin == origin) else 1
            scored.append(
                ((method_score, header_score, origin_score, dt, abs(req.index - pf.index)), pf, req)
            )
    scored.sort(key=lambda s: s[0])
    for _, pf, req in scored:
        if pf.index in taken_pf or req.index in paired:
            continue
        paired[req.index] = pf
        taken_pf.add(pf.index)
    # Second pass for requests the browser never sent (status 0/-1): their preflight is the only
    # evidence of why, so a leftover preflight for the same URL is taken even if its method or page
    # did not match (method-override proxies, HARs that split pages oddly). Requests that got a
    # response are left alone: a stray preflight must not turn a working request into an error.
    for pf, target in zip(preflights, targets, strict=True):
        if pf.index in taken_pf:
            continue
        timeline = by_url.get(target)
        cands = [
            r
            for r in (timeline.near(pf) if timeline else ())
            if r.index not in paired and not r.got_response and _dt(pf, r) <= PAIR_WINDOW
        ]
        if cands:
            req = min(cands, key=lambda r: (_dt(pf, r), abs(r.index - pf.index)))
            paired[req.index] = pf
            taken_pf.add(pf.index)
    return paired


def _max_age(preflight: Exchange) -> float:
    raw = (preflight.response_headers.get("access-control-max-age") or "").strip()
    try:
        seconds = float(int(raw))
    except ValueError:
        return DEFAULT_MAX_AGE
    return max(0.0, min(seconds, MAX_MAX_AGE))


def _find_cached(hop: Exchange, preflights: _ByUrl) -> Exchange | None:
    """An earlier preflight for the same URL and origin whose result was still cached at ``hop``."""
    timeline = preflights.get(strip_fragment(hop.url))
    if timeline is None:
        return None
    for pf in timeline.before(_time(hop) + 0.001):
        if not pf.got_response or not fetch.is_ok_status(pf.status):
            continue
        if hop.origin is not None and pf.request_headers.get("origin") not in (None, hop.origin):
            continue
        if (
            pf.started is not None
            and hop.started is not None
            and hop.started - pf.started > _max_age(pf) + 1.0
        ):
            continue
        return pf
    return None


def _cached_preflight(hop: Exchange, pf_by_url: _ByUrl, page_headers: PageHeaders) -> Exchange | None:
    """The cached preflight ``hop`` went out with, if it needed one and had none of its own.

    Hot: asked of every entry. Only a request that went out cross-origin can have used a cached
    preflight; the URL lookup comes first, as it rules out the thousands of entries to URLs that
    no preflight in the HAR was sent for.
    """
    if _url_key(hop) not in pf_by_url.groups:
        return None
    origin = hop.origin
    if origin is None or fetch.origin(hop.url) == origin or not needs_preflight(hop, page_headers):
        return None
    return _find_cached(hop, pf_by_url)


def pair(exchanges: Sequence[Exchange], keep: Callable[[Exchange], bool] | None = None) -> Pairing:
    """Group ``exchanges`` into :class:`CorsRequest` records (every entry lands in exactly one).

    ``keep`` (the engine's pre-filter) is asked about each request that is one entry with no
    preflight, fresh or cached; the requests it turns down are left out of ``requests``, which saves
    building thousands of records nobody reads. ``pairs`` is the same either way.
    """
    preflights: list[Exchange] = []
    others: list[Exchange] = []
    redirects: list[Exchange] = []
    for ex in exchanges:  # hot: every entry
        if ex.is_preflight:
            preflights.append(ex)
        else:
            others.append(ex)
            if ex.redirect_url:
                redirects.append(ex)
    targets = _redirect_targets(redirects)
    pf_targets = [preflight_target(pf) for pf in preflights]
    # Both passes look the requests up by URL: group (and sort) only those any of them asks about.
    wanted = {t for _, t in targets}.union(pf_targets)
    groups: dict[str, list[Exchange]] = defaultdict(list)
    for ex in others:  # hot: every entry; _url_key inlined
        url = ex.url
        if "#" in url:
            url = url.split("#", 1)[0]
        if url in wanted:
            groups[url].append(ex)
    others_by_url = _ByUrl(dict(groups))
    nxt = _link_redirects(targets, others_by_url)
    has_prev = {n.index for n in nxt.values()}
    out = Pairing()
    page_headers = out.page_headers
    paired = _pair_preflights(preflights, pf_targets, others_by_url, page_headers)
    pf_groups: dict[str, list[Exchange]] = defaultdict(list)
    for pf, target in zip(preflights, pf_targets, strict=True):
        pf_groups[target].append(pf)
    pf_by_url = _ByUrl(dict(pf_groups))

    out.pairs = {req_index: pf.index for req_index, pf in paired.items()}
    requests = out.requests
    pf_urls = pf_by_url.groups
    in_order = True  # are the requests made so far sorted by their first entry?
    last = -1
    linked = has_prev.union(nxt, paired)  # entries with a redirect hop or a preflight of their own
    for ex in others:  # hot: every entry that is not a preflight
        index = ex.index
        if index < last:
            in_order = False
        last = index
        if index not in linked:  # most entries: one hop, no preflight in the HAR
            url = ex.url  # _cached_preflight's first test inlined: most URLs had no preflight
            if "#" in url:
                url = url.split("#", 1)[0]
            found = _cached_preflight(ex, pf_by_url, page_headers) if url in pf_urls else None
            if found is not None:
                requests.append(CorsRequest((ex,), {}, {index: found}))
            elif keep is None or keep(ex):
                requests.append(CorsRequest((ex,), {}, {}))
            continue
        if index in has_prev:
            continue
        if index not in nxt:
            requests.append(CorsRequest((ex,), {index: paired[index]}, {}))
            continue
        hops = [ex]
        while hops[-1].index in nxt and len(hops) < 25:  # browsers stop at 20 redirects
            hops.append(nxt[hops[-1].index])
        pfs = {h.index: paired[h.index] for h in hops if h.index in paired}
        cached: dict[int, Exchange] = {}
        for h in hops:
            if h.index not in pfs:
                found = _cached_preflight(h, pf_by_url, page_headers)
                if found is not None:
                    cached[h.index] = found
        requests.append(CorsRequest(tuple(hops), pfs, cached))
    used = set(out.pairs.values())  # the paired preflights' entries
    orphans = [CorsRequest((pf,), {}, {}, orphan=True) for pf in preflights if pf.index not in used]
    if in_order and all(a.hops[0].index <= b.hops[0].index for a, b in pairwise(orphans)):
        # Entries come in order: put the few orphans in place rather than sort thousands of records
        # (the same order a stable sort of requests + orphans gives).
        for orphan in orphans:
            insort(requests, orphan, key=_first_index)
    else:
        requests.extend(orphans)
        requests.sort(key=_first_index)
    return out


def _first_index(req: CorsRequest) -> int:
    return req.hops[0].index

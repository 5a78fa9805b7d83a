"""Warnings: exchanges that work but are fragile or unsafe, and their per-endpoint aggregation.

Severity warning, never counted as a CORS failure. Per request: Authorization allowed only through
``Access-Control-Allow-Headers: *``, ``Access-Control-Allow-Origin: null``, a specific ACAO without
``Vary: Origin``, ``Access-Control-Allow-*`` sent as a request header. Over the HAR: busy preflighted
endpoints without ``Access-Control-Max-Age``, servers that echo several origins with credentials.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from harcors.cors import checks, fetch
from harcors.cors.context import RequestContext, Verdict, hop_preflight
from harcors.cors.findings import make_finding
from harcors.cors.model import Finding
from harcors.cors.pairing import CorsRequest
from harcors.cors.rules import RULES
from harcors.har.model import Exchange

# A preflighted endpoint hit this often without Access-Control-Max-Age is worth a warning.
BUSY_PREFLIGHTS = 3


def _cacheable(ex: Exchange) -> bool:
    """Could a browser or shared cache store this response (so a missing Vary: Origin matters)?"""
    if ex.method.upper() not in ("GET", "HEAD") or not fetch.is_ok_status(ex.status):
        return False
    cc = ",".join(ex.response_headers.get_all("cache-control")).lower()
    return "no-store" not in cc


def aggregate(findings: list[Finding]) -> list[Finding]:
    """One warning per rule and endpoint (URL without query): a busy HAR repeats them thousands of
    times. The first occurrence is kept and says how many requests share it."""
    groups: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    out: list[Finding] = []
    for f in findings:
        if f.is_error or f.rule == "not-cors":
            out.append(f)
        else:
            groups[(f.rule, f.request.method, f.request.url.split("?", 1)[0])].append(f)
    for items in groups.values():
        first = items[0]
        if len(items) > 1:
            more = f"Seen on {len(items)} requests to this endpoint; the first one is shown."
            first = replace(first, notes=(*first.notes, more), extras={**first.extras, "count": len(items)})
        out.append(first)
    return out


def response_warning(last: Exchange) -> str | None:
    """The warning rule the final response of a request that went through calls for, if any:
    "allow-origin-null" or "missing-vary-origin" (the engine's shortcut for quiet requests asks it too)."""
    acao = fetch.header_value(last.response_headers, checks.ACAO)
    if acao == "null":
        return "allow-origin-null"
    if acao not in (None, "*") and _cacheable(last):
        vary = ",".join(last.response_headers.get_all("vary")).lower()
        tokens = {t.strip() for t in vary.split(",")}
        if "origin" not in tokens and "*" not in tokens:
            return "missing-vary-origin"
    return None


def request_warnings(ctx: RequestContext) -> list[Finding]:
    """Warnings for one CORS exchange that went through (or at least got its answers)."""
    out: list[Finding] = []
    last = ctx.hops[-1].hop
    pf = checks.authorization_by_wildcard(ctx.hops, ctx.cookie_sent)
    if pf is not None and ctx.verdict is not Verdict.BLOCKED:
        ff = RULES["wildcard-allow-headers-authorization"].firefox or ""
        out.append(
            make_finding(
                ctx,
                "wildcard-allow-headers-authorization",
                preflight=pf,
                chrome=f"DevTools issue AuthorizationCoveredByWildcard for '{last.url}' (no console error).",
                firefox=(
                    "Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote "
                    "resource "
                    f"at {last.url} soon. (Reason: {ff})."
                ),
                root=(
                    "The preflight answered Access-Control-Allow-Headers: * and the request carries "
                    "Authorization; the standard (and a future Chrome) requires Authorization to be listed "
                    "by name."
                ),
                notes=list(ctx.notes),
            )
        )
    if ctx.verdict in (Verdict.OK, Verdict.NONE) and last.got_response:
        rule = response_warning(last)
        if rule == "allow-origin-null":
            out.append(
                make_finding(
                    ctx,
                    "allow-origin-null",
                    chrome="(no console message: the request succeeded)",
                    root="The response allows the opaque origin 'null'.",
                    notes=list(ctx.notes),
                )
            )
        elif rule == "missing-vary-origin":
            acao = fetch.header_value(last.response_headers, checks.ACAO)
            out.append(
                make_finding(
                    ctx,
                    "missing-vary-origin",
                    chrome="(no console message: the request succeeded)",
                    root=f"Access-Control-Allow-Origin is '{acao}' and the response has no Vary: Origin.",
                    notes=list(ctx.notes),
                    with_curl=False,
                )
            )
    return out


def client_acao_names(unsafe_names: Iterable[Sequence[str]]) -> set[str]:
    """The Access-Control-Allow-* names the page set as request headers (the acao-in-request rule),
    from each hop's unsafe header names."""
    return {n for names in unsafe_names for n in names if n.startswith("access-control-allow-")}


def client_acao(ctx: RequestContext) -> Finding | None:
    names = client_acao_names(v.unsafe_names for v in ctx.hops)
    if not names:
        return None
    return make_finding(
        ctx,
        "acao-in-request",
        chrome="(see the request's own finding, if it was blocked)",
        root=f"The request carries {', '.join(sorted(names))} as request header(s).",
        notes=list(ctx.notes),
        with_curl=False,
    )


def session_warnings(
    requests: Sequence[CorsRequest], context: Callable[[CorsRequest], RequestContext]
) -> list[Finding]:
    """Warnings over the whole HAR. They need only the requests' entries; ``context`` gives the
    request's context (the one ``judge`` saw) for the few that become findings."""
    out: list[Finding] = []
    # One pass (hot: every request that may concern CORS) for both warnings: busy preflighted
    # endpoints without Access-Control-Max-Age, and servers that echo several different origins
    # together with credentials.
    groups: dict[tuple[str, str], list[tuple[CorsRequest, Exchange]]] = defaultdict(list)
    reflected: dict[str, dict[str, CorsRequest]] = defaultdict(dict)
    for req in requests:
        if req.preflights or req.orphan:  # hop_preflight is None for every hop otherwise
            for hop in req.hops:
                pf = hop_preflight(req, hop)  # each hop view's preflight
                if pf is None or not pf.got_response or "access-control-max-age" in pf.response_headers:
                    continue
                groups[(pf.request_headers.get("origin") or "", pf.url.split("?", 1)[0])].append((req, pf))
        last = req.hops[-1]  # the context's request
        if last.status <= 0:  # not last.got_response
            continue
        origin = last.origin
        if (
            origin
            and fetch.header_value(last.response_headers, checks.ACAO) == origin
            and fetch.header_value(last.response_headers, checks.ACAC) == "true"
        ):
            reflected[fetch.origin(last.url) or ""][origin] = req
    for (_, url), items in groups.items():
        if len(items) < BUSY_PREFLIGHTS:
            continue
        req, pf = items[-1]
        ctx = context(req)
        out.append(
            make_finding(
                ctx,
                "missing-max-age",
                preflight=pf,
                chrome="(no console message)",
                root=f"{len(items)} preflights for {url} in this HAR, none with Access-Control-Max-Age.",
                notes=list(ctx.notes),
                with_curl=False,
            )
        )
    for server, by_origin in reflected.items():
        if len(by_origin) < 2:
            continue
        ctx = context(next(iter(by_origin.values())))
        out.append(
            make_finding(
                ctx,
                "reflected-origin-with-credentials",
                chrome="(no console message: the requests succeeded)",
                root=f"{server} answered {len(by_origin)} different origins ({', '.join(sorted(by_origin))}) "
                "with their own origin and Access-Control-Allow-Credentials: true.",
                notes=list(ctx.notes),
                with_curl=False,
            )
        )
    return out

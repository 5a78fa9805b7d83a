"""Evaluate each request: use the browser's verdict when the HAR has it, explain it from the headers,
and judge the checks ourselves when it does not (Firefox, proxies) without raising false alarms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from harcors.cors import advisories, checks, fetch, messages
from harcors.cors.checks import Failure
from harcors.cors.context import (
    RequestContext,
    Verdict,
    build,
    classify_error,
    hop_names,
    mode_of,
    page_of,
    page_urls,
    producer_has_verdict,
    verdict_of,
)
from harcors.cors.findings import check_origin, failing_view, make_finding
from harcors.cors.model import Confidence, Finding, Severity
from harcors.cors.pairing import CorsRequest, PageHeaders, Pairing, pair
from harcors.cors.rootcause import net_error_cause, root_cause
from harcors.har.model import Exchange, HarInfo

if TYPE_CHECKING:  # imported where used: only HARs without a browser verdict read the page's code
    from harcors.cors import credentials

_CORS_TYPES = frozenset({"fetch", "xhr", "eventsource", "preflight", "other"})


def _other_browsers(ctx: RequestContext, credentials: bool) -> tuple[str | None, str | None, list[str]]:
    notes = []
    ff = checks.walk(ctx, credentials, checks.FIREFOX)
    wk = checks.walk(ctx, credentials, checks.WEBKIT)
    firefox = messages.firefox_lines(ctx, ff) if ff is not None else None
    safari = messages.safari_lines(ctx, wk, check_origin(ctx, wk)) if wk is not None else None
    if ff is None:
        notes.append("Firefox's checks would let this request through; no Firefox message is given.")
    if wk is None:
        notes.append("Safari's (WebKit's) checks would let this request through; no Safari message is given.")
    if ff is not None and ff.rule in ("redirect-with-credentials", "disallowed-scheme"):
        notes.append("Firefox's wording for this failure was not observed; its line is a best guess.")
    if wk is not None and ctx.kind not in ("fetch", "XMLHttpRequest"):
        notes.append("Safari's 'cannot load' line for this resource type was not observed.")
    if wk is not None and wk.rule == "header-not-allowed" and len(ctx.hops[-1].unsafe_names) > 1:
        notes.append(
            "Safari names the first disallowed header in its own header order, which the HAR does not show; "
            "its line may name another of the missing headers."
        )
    return firefox, safari, notes


def _shows_all_checks(ctx: RequestContext) -> bool:
    """Does the HAR show everything the browser checked: the final response, or the preflight that
    stopped the request? Without them (Playwright HARs) a credentials check on an earlier redirect
    hop would be a made-up explanation."""
    last = ctx.hops[-1]
    return last.hop.got_response or (last.preflight is not None and last.preflight.got_response)


def _explain(
    ctx: RequestContext,
    notes: list[str],
    with_verdict: bool,
    code: credentials.CredentialsEvidence | None = None,
) -> Finding | None:
    """An error finding for a request the browser blocked (``with_verdict``) or that fails the checks;
    ``code`` is the page's call that shows the request was made with credentials."""
    last = ctx.hops[-1]
    evidence = _shows_all_checks(ctx)
    # A request never sent although its preflight answered (status 0 in a Firefox HAR) was refused by
    # the browser just as surely as one Chrome marks ERR_FAILED.
    refused = not ctx.has_verdict and ctx.verdict is Verdict.FAILED and not last.hop.got_response
    if ctx.cookie_sent or code is not None:
        tries = [True]
    elif (with_verdict or refused) and evidence and not ctx.req.orphan:
        tries = [False, True]
    else:
        tries = [False]
    failure = None
    credentials = False
    for c in tries:
        failure = checks.walk(ctx, c)
        if failure is not None:
            credentials = c
            break
    if failure is None:
        return None
    inferred = credentials and not ctx.cookie_sent and code is None
    confidence = Confidence.CERTAIN
    if code is not None:
        notes.append(code.note())
        confidence = Confidence.LIKELY  # the call in the code may not be the one that made this request
    if inferred:
        notes.append(
            "The HAR does not record the request's credentials mode (Chrome's default 'sanitized' export "
            "also drops Cookie and Authorization). Only credentials mode 'include' explains the block, so it "
            "was inferred."
        )
        confidence = Confidence.LIKELY
    if ctx.cookie_sent:
        notes.append("Credentials mode 'include' was inferred from the Cookie header sent cross-origin.")
    view = failing_view(ctx, failure)
    if view.preflight is None and view.cached is not None:
        notes.append(
            "No preflight precedes this request in the HAR: the browser reused the cached result of the "
            f"preflight in entry {view.cached.index} (Access-Control-Max-Age)."
        )
        confidence = Confidence.LIKELY if confidence is Confidence.CERTAIN else confidence
    if ctx.req.orphan:
        notes.append(
            "Only the preflight is in the HAR (a proxy capture, or an export that left the request out): the "
            "failure was found by running the Fetch standard's checks on its response."
        )
        confidence = Confidence.LIKELY
    elif not with_verdict:
        notes.append(
            "This HAR does not record the browser's verdict; the failure was found by running the Fetch "
            "standard's checks on the recorded headers."
        )
        confidence = Confidence.LIKELY
    if any("inferred" in n and ("fetch" in n or "XMLHttpRequest" in n) for n in ctx.notes):
        confidence = Confidence.LIKELY if confidence is Confidence.CERTAIN else confidence
    if view.names_from_preflight is False and failure.rule == "header-not-allowed":
        notes.append(
            "The request headers were read from the actual request; browser-added headers were left out."
        )
    firefox, safari, more = _other_browsers(ctx, credentials)
    notes.extend(more)
    return make_finding(
        ctx,
        failure.rule,
        failure=failure,
        chrome=messages.chrome_line(ctx, failure),
        firefox=firefox,
        safari=safari,
        credentials=credentials,
        root=root_cause(ctx, failure, inferred),
        confidence=confidence,
        notes=notes + list(ctx.notes),
    )


_PRIVATE_PREFIXES = ("10.", "192.168.", "169.254.", *(f"172.{i}." for i in range(16, 32)))


def _address_space(host: str) -> str | None:
    h = host.strip("[]").lower()
    if h in ("localhost", "::1") or h.startswith("127.") or h.endswith(".localhost"):
        return "loopback"
    if h.startswith(_PRIVATE_PREFIXES) or h.startswith(("fc", "fd", "fe80:")) or h.endswith(".local"):
        return "local"
    return None


# WebKit reasons whose Chrome wording follows from the reason alone (the others need headers).
_EXACT_FROM_WEBKIT = {
    "method-not-allowed",
    "header-not-allowed",
    "wildcard-with-credentials",
    "invalid-allow-methods",
    "invalid-allow-headers",
}
_PREFLIGHT_ONLY = {
    "method-not-allowed",
    "header-not-allowed",
    "invalid-allow-methods",
    "invalid-allow-headers",
    "preflight-status",
}


def _from_webkit_reason(ctx: RequestContext, notes: list[str]) -> Finding | None:
    """A Safari or Playwright-WebKit HAR records WebKit's reason in the error field: use it."""
    req = ctx.request
    parsed = messages.parse_webkit_reason(req.error)
    if parsed is None:
        return None
    rule_id, fields = parsed
    safari = f"{(req.error or '').strip()}\n{messages.safari_tail(ctx, req.url)}"
    notes.append(
        "The HAR records WebKit's own reason for the block (Safari's message); the other browsers' wording "
        "is derived from it."
    )
    on_pf = rule_id in _PREFLIGHT_ONLY or not req.got_response
    if rule_id == "origin-not-allowed":
        rule_id = "cors-blocked"
        root = (
            "WebKit reports that Access-Control-Allow-Origin is missing or does not match the origin "
            f"({fields.get('origin', '?')}); the HAR does not hold the headers to tell which."
        )
    else:
        root = None
    hint = {
        "method-not-allowed": fields.get("method"),
        "header-not-allowed": (fields.get("header") or "").lower(),
    }
    failure = Failure(
        rule_id,
        req,
        None,
        on_pf,
        checks.chrome_error_name(rule_id, on_pf),
        hint.get(rule_id),
        {**fields, "status": fields.get("status", "0")},
    )
    if rule_id in _EXACT_FROM_WEBKIT:
        chrome = messages.chrome_line(ctx, failure)
        confidence = Confidence.LIKELY
        if rule_id == "header-not-allowed":
            notes.append(
                "Chrome names the first disallowed header in alphabetical order, Safari in its own order; "
                "with several disallowed headers Chrome's line may name another one."
            )
    else:
        chrome = messages.chrome_head(ctx, req.url) + "(the exact reason is not recorded in this HAR)"
        confidence = Confidence.UNCERTAIN
        notes.append("Chrome's wording for this failure depends on response headers the HAR does not hold.")
    return make_finding(
        ctx,
        rule_id,
        failure=failure,
        chrome=chrome,
        safari=safari,
        root=root,
        confidence=confidence,
        notes=notes + list(ctx.notes),
    )


def _unexplained(ctx: RequestContext, notes: list[str]) -> Finding:
    """The browser blocked it, but the HAR holds no failing response or preflight."""
    req = ctx.request

    webkit = _from_webkit_reason(ctx, notes)
    if webkit is not None:
        return webkit

    target_space = _address_space(urlsplit(req.url).hostname or "")
    page_host = urlsplit(ctx.page_origin or "").hostname or ""
    if target_space and ctx.page_origin not in (None, "null") and _address_space(page_host) is None:
        failure = Failure(
            "private-network-access",
            req,
            None,
            False,
            checks.chrome_error_name("private-network-access", False),
            None,
            {"space": target_space},
        )
        notes.append(
            f"A public page requested a {target_space} address and the HAR shows no response: "
            "Chromium's Local Network Access check is the likely cause (the HAR cannot show the permission "
            "prompt)."
        )
        return make_finding(
            ctx,
            "private-network-access",
            failure=failure,
            chrome=messages.chrome_line(ctx, failure),
            confidence=Confidence.UNCERTAIN,
            notes=notes + list(ctx.notes),
        )
    view = ctx.hops[-1]
    needs = not fetch.is_safelisted_method(view.method) or bool(view.unsafe_names)
    if not req.got_response and needs:
        notes.append(
            "The browser blocked the request before sending it, so its preflight failed, but this HAR has no "
            "preflight entry (Playwright, Safari and older Chrome exports leave preflights out). Replay the "
            "preflight with the curl command to see the server's answer."
        )
        root = "The OPTIONS preflight failed; the HAR does not contain it."
    elif not req.got_response:
        notes.append(
            "The browser blocked the request, but this HAR records neither its response nor a preflight."
        )
        root = None
    else:
        notes.append(
            "The browser blocked the request, but every CORS check the HAR can show passes (the cause may be "
            "the credentials mode, a cached preflight or a hop missing from the HAR)."
        )
        root = None
    chrome = messages.chrome_head(ctx, req.url) + "(the reason is not recorded in this HAR)"
    return make_finding(
        ctx,
        "cors-blocked",
        chrome=chrome,
        root=root,
        confidence=Confidence.UNCERTAIN,
        notes=notes + list(ctx.notes),
    )


def _not_cors(ctx: RequestContext) -> Finding:
    req = ctx.request
    error = req.error or "network error"
    return make_finding(
        ctx,
        "not-cors",
        chrome=messages.not_cors_chrome(error),
        firefox=messages.not_cors_firefox(req.url),
        root=net_error_cause(error, req.url),
        notes=list(ctx.notes),
        with_curl=False,
    )


def _unanswered(ctx: RequestContext) -> Finding | None:
    """A request a verdict-less HAR (Firefox) shows with no response and no preflight to blame.

    Firefox lists a fetch refused for ``mode: 'same-origin'`` as a bare entry without Origin or
    Sec-Fetch-* headers (it never got that far); a request that failed at the network level keeps
    them. A failed preflight would be in the HAR, and a cached one would have passed.
    """
    req = ctx.request
    view = ctx.hops[-1]
    if ctx.req.orphan or view.preflight is not None or view.cached is not None or req.got_response:
        return None
    if req.origin is None and "sec-fetch-mode" not in req.request_headers and ctx.cross_origin:
        origin = ctx.page_origin or "null"
        page = ctx.page_url or origin
        notes = [
            "Firefox records this request with no response and without the Origin and Sec-Fetch-* headers "
            "every CORS request carries: the page used mode: 'same-origin' for another origin. (A request "
            "blocked by CSP or mixed-content rules can look the same.)",
            *ctx.notes,
        ]
        if ctx.page_url is None:
            notes.append("The page URL is not in the HAR; Firefox's line names the full page URL.")
        return make_finding(
            ctx,
            "same-origin-mode",
            chrome=f'Fetch API cannot load {req.url}. Request mode is "same-origin" but the URL\'s origin is '
            f"not same as the request origin {origin}.",
            firefox=f"Security Error: Content at {page} may not load data from {req.url}.",
            safari=f"Fetch API cannot load {req.url}.",
            root="The page's code passes mode: 'same-origin' to fetch() for a cross-origin URL; the browser "
            "refuses before sending anything. Remove the option (the default mode is 'cors').",
            confidence=Confidence.LIKELY,
            notes=notes,
            with_curl=False,
        )
    if ctx.cross_origin and (ctx.mode == "cors" or req.origin is not None):
        return make_finding(
            ctx,
            "not-cors",
            chrome="(no CORS message: no response; the HAR does not record the network error)",
            firefox=messages.not_cors_firefox(req.url),
            root="The request got no response and no preflight failed: a network error (server down, "
            "connection refused, DNS, TLS) is the likely cause. Firefox HARs do not record it.",
            confidence=Confidence.UNCERTAIN,
            notes=list(ctx.notes),
            with_curl=False,
        )
    return None


def _from_page(ex: Exchange) -> bool:
    """Does the request show any sign that a page made it?

    Every request a document makes carries at least one of Origin, Referer (unless the page set
    no-referrer), Sec-Fetch-Site, a pageref or a script/parser initiator; a browser-internal request
    captured by a proxy has none of them.
    """
    if ex.resource_type == "document" or ex.pageref is not None:
        return True
    if ex.initiator is not None and ex.initiator.type not in ("other", ""):
        return True
    return any(name in ex.request_headers for name in ("origin", "referer", "sec-fetch-site"))


_TRUSTWORTHY_HOSTS = ("localhost", "127.", "[::1]", "::1")


def _mixed_content(ctx: RequestContext) -> Finding | None:
    """An https page's request to http:// that got no answer: the browser blocked it as mixed content
    (Chrome records ``blockedReason: mixed-content`` with an empty error text, which a HAR drops)."""
    req = ctx.request
    page = ctx.page_origin or ""
    host = (urlsplit(req.url).hostname or "").lower()
    if not page.startswith("https://") or not req.url.lower().startswith("http://") or req.got_response:
        return None
    if host.startswith(_TRUSTWORTHY_HOSTS) or host.endswith(".localhost"):
        return None  # potentially trustworthy: not mixed content
    page_url = ctx.page_url or page + "/"
    what = "an insecure XMLHttpRequest endpoint" if ctx.kind == "XMLHttpRequest" else "an insecure resource"
    notes = list(ctx.notes)
    if ctx.page_url is None:
        notes.append("The page URL is not in the HAR; Chrome's line names the full page URL.")
    return make_finding(
        ctx,
        "mixed-content",
        chrome=f"Mixed Content: The page at '{page_url}' was loaded over HTTPS, but requested {what} "
        f"'{req.url}'. This request has been blocked; the content must be served over HTTPS.",
        firefox=f"Blocked loading mixed active content “{req.url}”",
        root="The page is served over https and the request goes to http://. Serve the API over https (or "
        "proxy it through the page's own origin).",
        confidence=Confidence.LIKELY,
        notes=notes,
        with_curl=False,
    )


def _credentials_may_matter(ctx: RequestContext) -> bool:
    """A quick necessary condition for the credentials mode to change the checks' outcome: with
    credentials, every browser refuses Access-Control-Allow-Origin `*`, requires
    Access-Control-Allow-Credentials `true` and stops counting `*` in a preflight's allow-lists; a
    request whose responses give none of these a hold is settled without walking the checks again."""
    for view in ctx.hops:
        for resp in (view.preflight, view.hop):
            if resp is None or not resp.got_response:
                continue
            h = resp.response_headers
            if h.combined(checks.ACAC) != "true" or "*" in (h.combined(checks.ACAO) or ""):
                return True
            if resp is view.preflight and "*" in f"{h.combined(checks.ACAM)}{h.combined(checks.ACAH)}":
                return True
    return False


def _credentials_decide(ctx: RequestContext) -> bool:
    """Would this request, which passes the checks without credentials, fail them with credentials,
    in a HAR that cannot show its credentials mode (no verdict, no Cookie header)?"""
    return (
        not ctx.cookie_sent
        and not ctx.req.orphan
        and _shows_all_checks(ctx)
        and _credentials_may_matter(ctx)
        and checks.walk(ctx, True) is not None
    )


def judge(
    ctx: RequestContext,
    code: credentials.CredentialsEvidence | None = None,
    undecided: list[RequestContext] | None = None,
) -> list[Finding]:
    """Every finding for one request.

    In a HAR without verdicts, a request that passes the checks without credentials but would fail
    them with credentials is added to ``undecided`` (when given): the page's code may show its
    credentials mode. ``code`` is that evidence, when found.
    """
    req = ctx.request
    out: list[Finding] = []
    is_api = req.resource_type in _CORS_TYPES or ctx.req.orphan
    # Chrome's verdict for mixed content is no error text at all (ERR_FAILED would be CORS or LNA).
    if ctx.verdict is Verdict.FAILED and is_api:
        mixed = _mixed_content(ctx)
        if mixed is not None:
            return [mixed]
    if ctx.verdict is Verdict.NET_ERROR and is_api:
        # A proxy also records the browser's own traffic (component updates, safe browsing); its
        # network failures are nothing the page's developer can fix.
        return [_not_cors(ctx)] if _from_page(req) else []
    if ctx.mode == "no-cors" and req.resource_type == "fetch" and ctx.cross_origin:
        out.append(
            make_finding(
                ctx,
                "no-cors-opaque",
                chrome="(no console message: the page gets an opaque response)",
                root="The request was made with mode: 'no-cors' (Sec-Fetch-Mode: no-cors).",
                notes=list(ctx.notes),
                with_curl=False,
            )
        )
        return out
    if not ctx.cross_origin and not ctx.req.orphan:
        return out
    if ctx.mode not in ("cors", "unknown"):
        return out
    acao_req = advisories.client_acao(ctx)
    if acao_req is not None:
        out.append(acao_req)
    notes: list[str] = []
    if ctx.req.orphan:
        # Judged on the preflight alone: an error only if it fails, never a guessed credentials mode.
        found = _explain(ctx, notes, with_verdict=False)
        return [*out, found] if found is not None else out
    if ctx.verdict is Verdict.BLOCKED:
        found = _explain(ctx, notes, with_verdict=True)
        out.append(found if found is not None else _unexplained(ctx, notes))
        return out
    # A producer that records verdicts marks a refusal (Chrome: ERR_FAILED); status 0 without one is a
    # request still pending or cancelled when the HAR was saved, not a CORS failure.
    if (
        not ctx.has_verdict
        and ctx.verdict in (Verdict.NONE, Verdict.FAILED)
        and (ctx.mode == "cors" or is_api)
    ):
        found = _explain(ctx, notes, with_verdict=False, code=code)
        if found is not None:
            out.append(found)
            return out
        if undecided is not None and _credentials_decide(ctx):
            undecided.append(ctx)
    if ctx.verdict is Verdict.FAILED and not ctx.has_verdict:
        unanswered = _unanswered(ctx)
        if unanswered is not None:
            out.append(unanswered)
            return out
    if ctx.verdict is Verdict.ABORTED:
        return out
    out.extend(advisories.request_warnings(ctx))
    return out


# Types whose successful loads cannot produce a finding worth the cost of reading their headers
# (a blocked one still carries the browser's error and is looked at).
_QUIET_TYPES = frozenset(
    {
        "image",
        "stylesheet",
        "script",
        "document",
        "media",
        "font",
        "manifest",
        "texttrack",
        "ping",
        "websocket",
        "prefetch",
        "signed-exchange",
        "wasm",
        "csp-violation-report",
        "webbundle",
    }
)


def may_involve_cors(req: CorsRequest, pages: Mapping[str, str]) -> bool:
    """A cheap pre-filter: most entries of a big HAR (images, scripts, same-origin calls that worked)
    cannot produce a finding, and building their context (reading their headers) is the engine's main
    cost. True for anything that failed, carries an Origin or a CORS response header, was preflighted
    or redirected, or is a fetch/XHR that is not known to be same-origin."""
    if req.orphan or req.redirected or req.preflights or req.cached:
        return True
    return _entry_may_involve_cors(pages, req.request)


def _entry_may_involve_cors(pages: Mapping[str, str], ex: Exchange) -> bool:
    """:func:`may_involve_cors` for a request that is this one entry, with no preflight.

    Hot: asked of nearly every entry of the HAR. The first answers need only fields the loader sets
    up front (a record the fast loader kept lazily is never read further: its headers stay in the file).
    """
    if ex.error or ex.status <= 0:  # ex.status <= 0: not ex.got_response
        return True
    if not ex.resource_type_inferred:
        # The browser recorded the type, so these two answers need no header.
        if ex.resource_type in _QUIET_TYPES:
            return False
        page = pages.get(ex.pageref or "")
        if page is not None and fetch.origin(page) == fetch.origin(ex.url):
            return False
    if ex.origin is not None or "access-control-allow-origin" in ex.response_headers:
        return True
    site = (ex.request_headers.get("sec-fetch-site") or "").lower()
    if (ex.request_headers.get("sec-fetch-mode") or "").lower() in (
        "cors",
        "no-cors",
    ) and site != "same-origin":
        return True
    return ex.resource_type in ("fetch", "xhr", "eventsource") and site != "same-origin"


def _page_base(ctx: RequestContext) -> str | None:
    """What the page's relative URLs resolve against: its URL, else at least its origin."""
    if ctx.page_url is not None or ctx.page_origin in (None, "null"):
        return ctx.page_url
    return f"{ctx.page_origin}/"


def _judge_with_code(
    contexts: Sequence[RequestContext | None],
    judged: list[list[Finding]],
    undecided: Sequence[RequestContext],
    exchanges: Sequence[Exchange],
    read_bodies: credentials.BodyReader,
) -> None:
    """Judge again, as credentialed, the ``undecided`` requests whose credentials the page's code shows."""
    from harcors.cors import credentials

    asked = [(c.req.first, _page_base(c)) for c in undecided]
    found = credentials.find_evidence(asked, exchanges, read_bodies)
    if not found:
        return
    waiting = {id(c) for c in undecided}
    for i, ctx in enumerate(contexts):
        if ctx is None:
            continue
        code = found.get(ctx.req.first.index)
        if code is not None and id(ctx) in waiting:
            judged[i] = judge(credentials.with_api(ctx, code), code)


def quiet(req: CorsRequest, has_verdict: bool, pages: Mapping[str, str], page_headers: PageHeaders) -> bool:
    """Does :func:`judge` find nothing for ``req``, which the browser let through? A shortcut for
    the successful requests most of a big Chrome HAR is: no context is built for them.

    Exact: for a request whose verdict is OK (the producer records verdicts, so the credentials
    question never comes up), :func:`judge` can only give no-cors-opaque (mode no-cors, a fetch),
    acao-in-request (:func:`advisories.client_acao_names`) and the warnings of
    :func:`advisories.request_warnings` (:func:`checks.authorization_wildcard_preflight` on a hop, or
    :func:`advisories.response_warning` on the final response). Each is asked here with the same
    functions, of the names and preflights :func:`build`'s hop views hold (:func:`hop_names`); any
    of them that could fire sends the request the full way. (The HAR-wide warnings read the
    requests themselves.)
    """
    if not has_verdict or req.orphan or verdict_of(req, has_verdict) is not Verdict.OK:
        return False
    if req.hops[-1].resource_type == "fetch":  # no-cors-opaque's request type
        _, page_origin, _ = page_of(req, pages)
        if mode_of(req, page_origin, has_verdict) == "no-cors":
            return False
    for hop in req.hops:
        pf, names = hop_names(req, hop, page_headers)  # the hop view's preflight or cached, unsafe_names
        if advisories.client_acao_names((names,)) or checks.authorization_wildcard_preflight(pf, names):
            return False
    return advisories.response_warning(req.hops[-1]) is None


def _evaluate(
    requests: Sequence[CorsRequest],
    pairing: Pairing,
    exchanges: Sequence[Exchange],
    info: HarInfo | None,
    pages: Mapping[str, str],
    read_bodies: credentials.BodyReader | None = None,
) -> list[Finding]:
    """Findings for ``requests``, the ones :func:`may_involve_cors` lets through."""
    has_verdict = producer_has_verdict(info, exchanges)
    page_headers = pairing.page_headers
    undecided: list[RequestContext] | None = [] if read_bodies is not None and not has_verdict else None
    contexts: list[RequestContext | None] = []  # None: quiet, no context built
    judged: list[list[Finding]] = []
    for req in requests:
        if has_verdict and quiet(req, has_verdict, pages, page_headers):
            contexts.append(None)
            judged.append([])
            continue
        ctx = build(req, has_verdict, pages, page_headers)
        contexts.append(ctx)
        judged.append(judge(ctx, undecided=undecided))
    if undecided and read_bodies is not None:
        _judge_with_code(contexts, judged, undecided, exchanges, read_bodies)
    findings: list[Finding] = []
    for found in judged:
        findings.extend(found)
    built = {id(req): ctx for req, ctx in zip(requests, contexts, strict=True) if ctx is not None}

    def context(req: CorsRequest) -> RequestContext:
        ctx = built.get(id(req))
        return ctx if ctx is not None else build(req, has_verdict, pages, page_headers)

    findings.extend(advisories.session_warnings(requests, context))
    findings = advisories.aggregate(findings)
    findings.sort(key=lambda f: (f.request.index, f.severity is not Severity.ERROR, f.rule))
    return findings


def evaluate_exchanges(
    exchanges: Sequence[Exchange],
    info: HarInfo | None = None,
    read_bodies: credentials.BodyReader | None = None,
) -> tuple[list[Finding], Pairing]:
    pages = page_urls(exchanges)
    # The pre-filter runs inside pairing, so the entries it turns down never become request records.
    pairing = pair(exchanges, keep=partial(_entry_may_involve_cors, pages))
    return _evaluate(pairing.requests, pairing, exchanges, info, pages, read_bodies), pairing


__all__ = ["classify_error", "evaluate_exchanges", "judge"]

"""Building a Finding: the rule's fixed texts, the request's context, the curl replay."""

from __future__ import annotations

from collections.abc import Sequence

from harcors.cors import curl, fetch
from harcors.cors.checks import Failure
from harcors.cors.context import HopView, RequestContext
from harcors.cors.model import Confidence, Finding, Messages
from harcors.cors.rules import RULES
from harcors.har.model import Exchange


def check_origin(ctx: RequestContext, failure: Failure) -> str:
    """The origin the browser compared against at the failing hop ("null" after a tainting redirect)."""
    page = ctx.page_origin or "null"
    for i, view in enumerate(ctx.hops):
        if view.hop.index == failure.hop.index:
            if i == 0:
                return page
            prev = ctx.hops[i - 1].hop
            return "null" if fetch.origin(view.hop.url) != fetch.origin(prev.url) or page == "null" else page
    return page


def failing_view(ctx: RequestContext, failure: Failure | None) -> HopView:
    """The hop ``failure`` happened on (the last hop when there is none)."""
    if failure is not None:
        for view in ctx.hops:
            if view.hop.index == failure.hop.index:
                return view
    return ctx.hops[-1]


def _curl(ctx: RequestContext, view: HopView, credentials: bool) -> tuple[str, ...]:
    origin = ctx.page_origin or "null"
    out = []
    if (
        view.preflight is not None
        or view.cached is not None
        or (not fetch.is_safelisted_method(view.method) or view.unsafe_names)
    ):
        out.append(curl.preflight_command(view.hop.url, origin, view.method, view.unsafe_names))
    if not ctx.req.orphan:
        out.append(curl.actual_command(view.hop, origin, credentials, view.unsafe_names))
    return tuple(out)


def make_finding(
    ctx: RequestContext,
    rule_id: str,
    *,
    failure: Failure | None = None,
    chrome: str,
    firefox: str | None = None,
    safari: str | None = None,
    credentials: bool = False,
    root: str | None = None,
    confidence: Confidence = Confidence.CERTAIN,
    notes: Sequence[str] = (),
    request: Exchange | None = None,
    preflight: Exchange | None = None,
    with_curl: bool = True,
) -> Finding:
    rule = RULES[rule_id]
    view = failing_view(ctx, failure)
    req = request or view.hop
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        request=req,
        preflight=preflight
        if preflight is not None
        else (view.preflight or (req if ctx.req.orphan else None)),
        messages=Messages(chrome=chrome, firefox=firefox, safari=safari),
        title=rule.title,
        explanation=rule.explanation,
        page_origin=ctx.page_origin,
        initiator=ctx.kind,
        credentials=credentials,
        failed_parameter=failure.hint if failure is not None else None,
        root_cause=root,
        confidence=confidence,
        notes=tuple(dict.fromkeys(notes)),
        needed_headers=tuple(view.unsafe_names),
        curl=_curl(ctx, view, credentials) if with_curl else (),
        cors_error=failure.chrome_error if failure is not None else None,
        docs=rule.docs,
        is_cors=rule.is_cors,
    )

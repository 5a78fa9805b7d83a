"""The CORS engine: pair preflights with requests and check both against the Fetch standard.

Stages (each a module with one entry point, meeting only through plain data):
``pairing.pair`` groups entries into requests (redirect hops + preflights) ->
``context.build`` adds what the HAR implies (page origin, API, mode, credentials, verdict) ->
``checks.walk`` runs each browser's checks in its own order -> ``messages`` words them ->
``engine.judge`` turns that into findings (``findings.make_finding``; root causes in ``rootcause``,
warnings in ``advisories``, curl replays in ``curl``). The rules themselves (ids, wording, docs)
are in ``rules.RULES``; the Fetch standard's vocabulary (safelists, list syntax) in ``fetch``.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harcors.cors.model import Confidence, Finding, Fix, Messages, Severity
from harcors.har.model import Exchange, HarInfo

if TYPE_CHECKING:  # the module itself is imported only when a HAR needs it (engine.py)
    from harcors.cors.credentials import BodyReader

__all__ = ["Confidence", "CorsResult", "Finding", "Fix", "Messages", "Severity", "evaluate"]


@dataclass
class CorsResult:
    findings: list[Finding] = field(default_factory=list)
    #: actual request's entry index -> its preflight's entry index
    pairs: dict[int, int] = field(default_factory=dict)


def evaluate(
    exchanges: Sequence[Exchange],
    info: HarInfo | None = None,
    read_bodies: BodyReader | None = None,
) -> CorsResult:
    """Findings for a HAR's exchanges: one error per blocked request, plus warnings.

    ``read_bodies`` reads entries' response bodies back from the HAR (e.g.
    ``functools.partial(harcors.har.bodies.read_texts, path)``). It is called, at most once, only
    when a request's verdict depends on a credentials mode the HAR cannot show; the page's
    scripts may show it (:mod:`harcors.cors.credentials`).
    """
    from harcors.cors.engine import evaluate_exchanges

    # The engine allocates many short-lived objects next to the HAR's tens of thousands of long-lived
    # Exchanges; generational GC would rescan those again and again (it doubled the time on a
    # 50,000-entry HAR). Nothing here creates cycles that must be freed before we return.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        findings, pairing = evaluate_exchanges(exchanges, info, read_bodies)
        result = CorsResult(findings=findings, pairs=dict(pairing.pairs))
        # The pairing's request records and per-run memo go now, while the collector is off: left for
        # later, the collection the first allocation after gc.enable() triggers would walk them all.
        del pairing
    finally:
        if gc_was_enabled:
            gc.enable()
    return result

"""Guess which server stack answered, from response headers, so its fix can be shown first.

The signatures live in the stack files (``[[detect]]``). A guess is per target origin: a page often
calls an API on one stack and a CDN on another. Signatures of the app framework beat those of the
platform or proxy in front of it (Next.js on Vercel is fixed in Next.js), and the guess says how
sure it is: the strongest single signature decides, two independent medium ones make it high.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from harcors.fixes.catalog import Detector, stacks
from harcors.har.model import Exchange

_LEVEL = {"low": 1, "medium": 2, "high": 3}
_LAYER_RANK = {"framework": 0, "platform": 1, "proxy": 2}


@dataclass(frozen=True, slots=True)
class StackGuess:
    """The likely server stack of one target origin."""

    stack: str | None  # catalog id; None when nothing in the traffic points to a stack
    confidence: str  # "high", "medium" or "low"
    evidence: tuple[str, ...] = ()  # e.g. "X-Powered-By: Express"
    origin: str | None = None  # the target origin the guess is for
    candidates: tuple[str, ...] = ()  # every stack with evidence, best first (includes ``stack``)


@cache
def _compiled() -> dict[str, tuple[tuple[str, Detector, re.Pattern[str] | None], ...]]:
    """Detectors by lower-case header name: a HAR has 50,000 entries, each header is looked up once."""
    by_header: dict[str, list[tuple[str, Detector, re.Pattern[str] | None]]] = {}
    for stack in stacks().values():
        for d in stack.detectors:
            pattern = re.compile(d.match, re.IGNORECASE) if d.match else None
            by_header.setdefault(d.header, []).append((stack.id, d, pattern))
    return {name: tuple(items) for name, items in by_header.items()}


def _scores(exchanges: Iterable[Exchange]) -> dict[str, dict[str, str]]:
    """stack id → {evidence text: confidence} over every response header seen."""
    found: dict[str, dict[str, str]] = {}
    detectors = _compiled()
    seen: set[tuple[str, str]] = set()
    for ex in exchanges:
        for name, value in ex.response_headers:
            candidates = detectors.get(name.lower())
            if not candidates or (name, value) in seen:
                continue
            seen.add((name, value))
            for stack_id, det, pattern in candidates:
                if pattern is not None and not pattern.search(value):
                    continue
                shown = value if len(value) <= 60 else value[:57] + "..."
                evidence = f"{name}: {shown} ({det.evidence})"
                found.setdefault(stack_id, {}).setdefault(evidence, det.confidence)
    return found


def _confidence(levels: list[str]) -> str:
    best = max((_LEVEL[x] for x in levels), default=0)
    if best < 3 and sum(1 for x in levels if _LEVEL[x] >= 2) >= 2:
        best = 3
    return {3: "high", 2: "medium"}.get(best, "low")


def guess_from(exchanges: Iterable[Exchange], origin: str | None = None) -> StackGuess:
    found = _scores(exchanges)
    if not found:
        return StackGuess(None, "low", (), origin, ())
    catalog = stacks()
    order = list(catalog)

    def rank(stack_id: str) -> tuple[int, int, int, int]:
        levels = list(found[stack_id].values())
        return (
            -_LEVEL[_confidence(levels)],
            _LAYER_RANK.get(catalog[stack_id].layer, 9),
            -sum(_LEVEL[x] for x in levels),
            order.index(stack_id),
        )

    ranked = sorted(found, key=rank)
    best = ranked[0]
    confidence = _confidence(list(found[best].values()))
    # The same header line pointing at two stacks (X-Powered-By: Express is also NestJS's), or two
    # stacks with equally strong evidence: the guess is no better than "medium".
    lines = {e.split(" (", 1)[0] for e in found[best]}
    for other in ranked[1:]:
        shared = lines & {e.split(" (", 1)[0] for e in found[other]}
        if shared or rank(other)[:2] == rank(best)[:2]:
            confidence = "medium" if confidence == "high" else confidence
    return StackGuess(best, confidence, tuple(found[best]), origin, tuple(ranked))


def detect_stacks(exchanges: Iterable[Exchange]) -> dict[str, StackGuess]:
    """A guess per target origin (``scheme://host:port`` of the URLs requested)."""
    by_origin: dict[str, list[Exchange]] = {}
    for ex in exchanges:
        target = ex.target_origin
        if target:
            by_origin.setdefault(target, []).append(ex)
    return {target: guess_from(group, target) for target, group in by_origin.items()}


def detect_stack(exchanges: Iterable[Exchange], origin: str | None = None) -> StackGuess:
    """The likely stack behind ``origin`` (a target origin), or behind every exchange when None."""
    items = list(exchanges)
    if origin is not None:
        items = [ex for ex in items if ex.target_origin == origin]
    return guess_from(items, origin)

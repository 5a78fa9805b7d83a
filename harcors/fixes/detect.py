"""Guess which server stack answered, from response headers, so its fix can be shown first.

The signatures live in the stack files (``[[detect]]``). A guess is per target origin: a page often
calls an API on one stack and a CDN on another. Signatures of the app framework beat those of the
platform or proxy in front of it (Next.js on Vercel is fixed in Next.js), and the guess says how
sure it is: the strongest single signature decides, two independent medium ones make it high.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from itertools import chain, compress
from operator import attrgetter, itemgetter

from harcors.fixes.catalog import Detector, stacks
from harcors.har.model import Exchange, Headers, origin_of

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


_RESPONSE_HEADERS = attrgetter("response_headers")


def _scores(exchanges: Iterable[Exchange]) -> dict[str, dict[str, str]]:
    """stack id → {evidence text: confidence} over every response header seen."""
    found: dict[str, dict[str, str]] = {}
    detectors = _compiled()
    # Hot path: every response of a target origin (18,000 on a big HAR, 230,000 header lines).
    # Each distinct line, in first-seen order, is all that matters; C gathers them, and keeps
    # those whose name some detector reads (a few hundred of 40,000 distinct lines).
    lines = dict.fromkeys(chain.from_iterable(map(Headers.items, map(_RESPONSE_HEADERS, exchanges))))
    if not lines:
        return found
    names = list(map(itemgetter(0), lines))
    read = {name for name in set(names) if name.lower() in detectors}
    for name, value in compress(lines, map(read.__contains__, names)):
        for stack_id, det, pattern in detectors[name.lower()]:
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


# scheme://host[:port] with nothing origin_of could read differently: such a URL prefix has one origin.
_PLAIN_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9.-]+(?::[0-9]+)?")
_NOT_PLAIN, _UNSEEN = object(), object()


def _by_target(
    exchanges: Iterable[Exchange], targets: Collection[str | None] | None
) -> dict[str, list[Exchange]]:
    """The exchanges grouped by target origin (only ``targets``' when given), in order.

    Hot path: every exchange of the HAR (50,000). Most URLs start with a plain ``scheme://host/``
    of a few hosts; its origin is worked out once per distinct prefix, the rest by ``origin_of``.
    """
    by_origin: dict[str, list[Exchange]] = {}
    prefixes: dict[str, object] = {}  # "scheme://authority" -> its origin, or _NOT_PLAIN
    for ex in exchanges:
        url = ex.url
        end = url.find("/", 8)  # the "/" after "https://host" (a shorter scheme: checked below)
        target: object = _NOT_PLAIN
        if end > 0:
            prefix = url[:end]
            target = prefixes.get(prefix, _UNSEEN)
            if target is _UNSEEN:
                plain = _PLAIN_AUTHORITY.fullmatch(prefix) is not None
                target = prefixes[prefix] = origin_of(prefix + "/") if plain else _NOT_PLAIN
        if target is _NOT_PLAIN:
            target = origin_of(url)
        if target and (targets is None or target in targets):
            by_origin.setdefault(target, []).append(ex)  # type: ignore[arg-type]
    return by_origin


def detect_stacks(
    exchanges: Iterable[Exchange], targets: Collection[str | None] | None = None
) -> dict[str, StackGuess]:
    """A guess per target origin (``scheme://host:port`` of the URLs requested); only for the
    origins in ``targets`` when given."""
    return {target: guess_from(group, target) for target, group in _by_target(exchanges, targets).items()}


def detect_stack(exchanges: Iterable[Exchange], origin: str | None = None) -> StackGuess:
    """The likely stack behind ``origin`` (a target origin), or behind every exchange when None."""
    items = list(exchanges)
    if origin is not None:
        items = [ex for ex in items if ex.target_origin == origin]
    return guess_from(items, origin)

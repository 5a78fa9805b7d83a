"""Server fixes: the catalog in ``resources/fixes/`` rendered for each finding with the values seen.

Entry points: :func:`fixes_for` (one finding), :func:`attach_fixes` (the pipeline's fix stage),
:func:`detect_stack` (which stack answered), :data:`STACKS` (for a stack picker) and
:data:`WHAT_DOES_NOT_FIX` / :data:`DEV_ONLY_ALTERNATIVES` (fixed report sections).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from harcors.cors.model import Finding, Fix
from harcors.fixes.catalog import CLIENT_KINDS, SERVER_KINDS, stacks
from harcors.fixes.context import build_context, kind_of
from harcors.fixes.detect import StackGuess, detect_stack, detect_stacks
from harcors.fixes.render import ANY_STACK, render_fixes
from harcors.fixes.workarounds import cors_proxy_host, dev_only_alternatives, tried_notes, what_does_not_fix
from harcors.har.model import Exchange

__all__ = [
    "ALL_STACKS",
    "ANY_STACK",
    "CLIENT_KINDS",
    "DEV_ONLY_ALTERNATIVES",
    "SERVER_KINDS",
    "STACKS",
    "WHAT_DOES_NOT_FIX",
    "StackGuess",
    "StackInfo",
    "attach_fixes",
    "build_context",
    "cors_proxy_host",
    "detect_stack",
    "detect_stacks",
    "fixes_for",
    "kind_of",
]


@dataclass(frozen=True, slots=True)
class StackInfo:
    """One entry of the stack picker."""

    id: str
    name: str
    package: str
    docs: str


STACKS: tuple[StackInfo, ...] = tuple(StackInfo(s.id, s.name, s.package, s.docs) for s in stacks().values())
WHAT_DOES_NOT_FIX: str = what_does_not_fix()
DEV_ONLY_ALTERNATIVES: str = dev_only_alternatives()


def _order(first: Iterable[str | None]) -> list[str]:
    return list(_order_of(tuple(first)))


@functools.lru_cache(maxsize=256)  # a HAR's findings share a few stack guesses
def _order_of(first: tuple[str | None, ...]) -> tuple[str, ...]:
    order: list[str] = []
    for stack_id in [*first, *stacks()]:
        if stack_id and stack_id in stacks() and stack_id not in order:
            order.append(stack_id)
    return tuple(order)


def fixes_for(finding: Finding, stack: str | None = None, guess: StackGuess | None = None) -> tuple[Fix, ...]:
    """The rendered fixes for ``finding``.

    With ``stack`` (a catalog id) only that stack's; otherwise every stack, the likely one first —
    from ``guess`` when given, else from the finding's own responses. Rules only the page can fix
    give one fix with ``stack == ANY_STACK``.
    """
    if stack is not None:
        if stack not in stacks():
            raise KeyError(f"unknown stack {stack!r}; known: {', '.join(stacks())}")
        return render_fixes(finding, [stack])
    if guess is None:
        own = [finding.request] + ([finding.preflight] if finding.preflight is not None else [])
        guess = detect_stack(own)
    return render_fixes(finding, _order(guess.candidates))


#: ``attach_fixes(..., stack=ALL_STACKS)``: every stack's fixes (the GUI's stack picker needs them).
ALL_STACKS = "all"


def _known_stack(name: str) -> str | None:
    return next((s for s in stacks() if s.lower() == name.lower()), None)


def attach_fixes(
    findings: Sequence[Finding], exchanges: Iterable[Exchange], *, stack: str | None = ALL_STACKS
) -> list[Finding]:
    """The findings with ``fixes`` filled, workaround notes added and the stack guess in ``extras``.

    ``stack``: :data:`ALL_STACKS` renders every stack, the likely one first; a catalog id (any
    case) only that stack; None (or an id the catalog does not know) only the likely stack. Fixes
    only the page can make are always included. Rendering 21 stacks for each of thousands of
    findings is most of the fix stage on a big HAR, and a report shows one stack; the rest can be
    rendered on demand with :func:`fixes_for`.
    """
    # Only the findings' target origins are looked up: the other hosts' responses (most of a big
    # HAR, whose headers the fast loader leaves in the file) would be read for nothing.
    origins = [f.request.target_origin for f in findings]
    guesses = detect_stacks(exchanges, set(origins))
    no_cors = frozenset(f.request.url for f in findings if f.rule == "no-cors-opaque")
    wanted = _known_stack(stack) if stack and stack != ALL_STACKS else None
    out: list[Finding] = []
    for finding, target in zip(findings, origins, strict=True):
        guess = guesses.get(target or "") or StackGuess(None, "low", (), target, ())
        if stack == ALL_STACKS:
            fixes = fixes_for(finding, guess=guess)
        else:
            fixes = render_fixes(finding, [wanted] if wanted else _order(guess.candidates)[:1])
        out.append(
            dataclasses.replace(
                finding,
                fixes=fixes,
                notes=finding.notes + tried_notes(finding, no_cors_urls=no_cors),
                extras={**finding.extras, "stack_guess": guess},
            )
        )
    return out

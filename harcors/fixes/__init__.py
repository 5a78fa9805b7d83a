"""Server fixes: the catalog in ``resources/fixes/`` rendered for each finding with the values seen.

Entry points: :func:`fixes_for` (one finding), :func:`attach_fixes` (the pipeline's fix stage),
:class:`StackFixes` and :func:`with_every_stack` (the stacks ``attach_fixes`` left out, rendered when
asked for), :func:`detect_stack` (which stack answered), :data:`STACKS` (for a stack picker) and
:data:`WHAT_DOES_NOT_FIX` / :data:`DEV_ONLY_ALTERNATIVES` (fixed report sections).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from harcors.cors.model import Finding, Fix
from harcors.fixes.catalog import CLIENT_KINDS, SERVER_KINDS, kind_texts, stacks
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
    "FIX_STACKS",
    "SERVER_KINDS",
    "STACKS",
    "WHAT_DOES_NOT_FIX",
    "StackFixes",
    "StackGuess",
    "StackInfo",
    "attach_fixes",
    "build_context",
    "cors_proxy_host",
    "detect_stack",
    "detect_stacks",
    "every_stack_fixes",
    "fix_plan",
    "fixes_for",
    "kind_of",
    "with_every_stack",
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


#: ``attach_fixes(..., stack=ALL_STACKS)``: every stack's fixes, as a JSON report lists them.
ALL_STACKS = "all"
#: ``finding.extras[FIX_STACKS]``: the server stacks whose fixes ``attach_fixes`` rendered —
#: :data:`ALL_STACKS`, or a tuple of catalog ids (the page's fixes are there either way). A finding
#: without it (made by hand) holds every fix it has.
FIX_STACKS = "fix_stacks"


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
    rendered on demand with :class:`StackFixes` or :func:`with_every_stack` (``extras`` says which
    stacks were rendered, under :data:`FIX_STACKS`).
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
        rendered: str | tuple[str, ...]
        if stack == ALL_STACKS:
            fixes, rendered = fixes_for(finding, guess=guess), ALL_STACKS
        else:
            rendered = (wanted,) if wanted else _order_of(tuple(guess.candidates))[:1]
            fixes = render_fixes(finding, list(rendered))
        out.append(
            dataclasses.replace(
                finding,
                fixes=fixes,
                notes=finding.notes + tried_notes(finding, no_cors_urls=no_cors),
                extras={**finding.extras, "stack_guess": guess, FIX_STACKS: rendered},
            )
        )
    return out


def _has_every_stack(finding: Finding) -> bool:
    return finding.extras.get(FIX_STACKS, ALL_STACKS) == ALL_STACKS


def every_stack_fixes(finding: Finding) -> tuple[Fix, ...]:
    """What ``attach_fixes(stack=ALL_STACKS)`` gives ``finding``: its own fixes when it has every
    stack's, else rendered now in the same order (the likely stack first, by its stack guess)."""
    if _has_every_stack(finding):
        return finding.fixes
    guess = finding.extras.get("stack_guess")
    return fixes_for(finding, guess=guess if isinstance(guess, StackGuess) else None)


def with_every_stack(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` as ``attach_fixes(stack=ALL_STACKS)`` would have made them (what a report of
    every stack, such as JSON's, needs); those that have every stack's fixes are passed as they are."""
    return [
        f if _has_every_stack(f)
        else dataclasses.replace(f, fixes=every_stack_fixes(f), extras={**f.extras, FIX_STACKS: ALL_STACKS})
        for f in findings
    ]


def fix_plan(finding: Finding) -> tuple[str, ...]:
    """The ``stack`` of each fix of :func:`every_stack_fixes`, in order, without rendering any.

    One entry per variant (a stack with two ways to configure it has two). Only a stack whose
    syntax cannot write a value of this request (see :func:`render_stack`) differs: it is planned,
    and rendering gives it no fix.
    """
    if _has_every_stack(finding):
        return tuple(f.stack for f in finding.fixes)
    guess = finding.extras.get("stack_guess")
    if not isinstance(guess, StackGuess):
        return tuple(f.stack for f in every_stack_fixes(finding))
    return _plan_of(build_context(finding).kind, _order_of(tuple(guess.candidates)))


@functools.lru_cache(maxsize=256)  # a few kinds times a few stack orders
def _plan_of(kind: str, order: tuple[str, ...]) -> tuple[str, ...]:
    # Mirrors render_fixes: the page's fix first for a kind the page must fix, then the server's
    # follow-up kind (if any) on each stack, one fix per variant that does not skip the kind.
    plan: list[str] = []
    if kind in CLIENT_KINDS:
        plan.append(ANY_STACK)
        kind = kind_texts()[kind].server_kind
        if not kind:
            return tuple(plan)
    catalog = stacks()
    for stack_id in order:
        plan.extend(stack_id for v in catalog[stack_id].variants if kind not in v.skip)
    return tuple(plan)


class StackFixes:
    """One finding's fixes for every stack, each stack rendered the first time it is asked for.

    For a stack picker over findings whose fix stage rendered the likely stack only: :attr:`plan`
    lists what :func:`every_stack_fixes` would give, without rendering it; :meth:`fix` renders the
    entry's stack (once: a picker switching back and forth renders nothing more).
    """

    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        self.plan: tuple[str, ...] = fix_plan(finding)
        #: Stacks rendered here so far (the finding's own fixes are not counted).
        self.rendered: list[str] = []
        self._by_stack: dict[str, tuple[Fix, ...]] = {}
        for fix in finding.fixes:
            self._by_stack[fix.stack] = (*self._by_stack.get(fix.stack, ()), fix)
        if _has_every_stack(finding):
            known: Iterable[str] = self.plan
        else:
            rendered = finding.extras.get(FIX_STACKS)
            known = (ANY_STACK, *(rendered if isinstance(rendered, (tuple, list)) else ()))
        for stack_id in known:
            self._by_stack.setdefault(stack_id, ())  # rendered, and gave nothing

    def of(self, stack: str) -> tuple[Fix, ...]:
        """The fixes for ``stack`` (a catalog id, or :data:`ANY_STACK`), one per variant."""
        fixes = self._by_stack.get(stack)
        if fixes is None:
            fixes = tuple(f for f in fixes_for(self.finding, stack) if f.stack == stack)
            self._by_stack[stack] = fixes
            self.rendered.append(stack)
        return fixes

    def fix(self, entry: int) -> Fix | None:
        """The fix of ``plan[entry]``; None if its stack cannot write this request's values."""
        stack = self.plan[entry]
        variant = self.plan[:entry].count(stack)
        fixes = self.of(stack)
        return fixes[variant] if variant < len(fixes) else None

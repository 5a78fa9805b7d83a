"""The pipeline in one call: load → pair → evaluate → fix. The CLI, the GUI and the reports use it."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from itertools import islice

from harcors.cors import Finding, evaluate
from harcors.cors.context import producer_has_verdict
from harcors.cors.pairing import PAIR_WINDOW, preflight_target, strip_fragment
from harcors.fixes import ALL_STACKS, attach_fixes
from harcors.har import HarInfo, HarStream, Skipped
from harcors.har.bodies import read_texts
from harcors.har.loader import ProgressCallback
from harcors.har.model import Exchange, Headers


@dataclass
class Analysis:
    """Everything harcors knows about one HAR file."""

    info: HarInfo
    exchanges: list[Exchange]
    skipped: list[Skipped]
    findings: list[Finding]
    pairs: dict[int, int] = field(default_factory=dict)  # request index -> preflight index
    problem: str | None = None  # file-level problem met after some entries were read
    entries_seen: int = 0
    #: True for what ``analyze_file(on_early=...)`` publishes while the file is still read: the
    #: exchanges read so far and the failures settled so far (no warnings, fixes for the likely
    #: stack only, ``pairs`` empty).
    provisional: bool = False

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]


#: ``on_early(analysis)``: a provisional :class:`Analysis`, called from the reading thread.
EarlyCallback = Callable[[Analysis], None]


@dataclass(frozen=True)
class EarlyPolicy:
    """When provisional findings are published while a big HAR is read, and how cautiously.

    A request's findings depend on its neighbours: DevTools lists a preflight after its request,
    pairing looks up to ``PAIR_WINDOW`` seconds either side, and the page's URL comes from its first
    document. So only requests a margin of entries *and* of HAR time behind the read front are
    published, each stretch is evaluated with an overlap of the entries before it, and a stretch that
    would need far more context than news is left for later. Defaults suit a 450 MB file read in a
    few seconds; tests shrink them to make a few-MB file publish.
    """

    first_after: float = 0.5  # seconds of reading before the first publication
    every: float = 1.5  # seconds between publications
    max_count: int = 5  # publications per file, at most
    margin_entries: int = 500  # entries read after a request before its findings are published
    margin_seconds: float = PAIR_WINDOW + 10.0  # HAR time between such a request and the read front
    overlap_entries: int = 500  # entries before a stretch evaluated with it as pairing context
    overlap_seconds: float = PAIR_WINDOW + 10.0
    max_context_ratio: float = 4.0  # evaluated entries per newly settled entry, at most
    check_every: int = 256  # entries read between two looks at the clock
    clock: Callable[[], float] = time.monotonic


def analyze_file(
    path: str | os.PathLike[str],
    *,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
    fix_stack: str | None = ALL_STACKS,
    on_early: EarlyCallback | None = None,
    early: EarlyPolicy | None = None,
    workers: int = 1,
) -> Analysis:
    """Load and analyse one HAR; raises :class:`harcors.har.HarError` if nothing could be read.

    ``fix_stack`` chooses whose fixes are attached (see :func:`harcors.fixes.attach_fixes`): every
    stack by default (a report of every stack); the GUI and a report that shows one stack ask for
    less (None: the likely stack; :func:`harcors.fixes.with_every_stack` renders the rest later).
    ``on_early`` is called with provisional analyses while a big file is read (see
    :class:`EarlyPolicy`, ``early``); the result returned is the same with or without it.
    ``workers=2`` lets a helper process read the second half of a large plain file meanwhile
    (forked from a single-threaded caller such as the CLI, a fresh interpreter beside threads such
    as the GUI's; see :mod:`harcors.har.parallel`).
    """
    stream = HarStream(path, progress=progress, cancelled=cancelled, workers=workers)
    if on_early is None:
        exchanges = list(stream)
    else:
        exchanges = EarlyFindings(stream, on_early, early or EarlyPolicy()).read()

    def read_bodies(indices: Collection[int]) -> dict[int, str]:
        # A second pass over the file, only if the engine asks (see harcors.cors.credentials).
        return read_texts(path, indices, cancelled=cancelled)

    result = evaluate(exchanges, stream.info, read_bodies)
    return Analysis(
        info=stream.info,
        exchanges=exchanges,
        skipped=stream.skipped,
        findings=attach_fixes(result.findings, exchanges, stack=fix_stack),
        pairs=result.pairs,
        problem=stream.problem,
        entries_seen=stream.entries_seen,
    )


def is_early_kind(finding: Finding) -> bool:
    """Findings that provisional analyses carry: the per-request ones that the engine's aggregation
    of warnings (one per endpoint, with a count over the whole file) leaves as they are."""
    return finding.is_error or finding.rule == "not-cors"


# A producer whose verdicts pairing infers from the entries themselves ("does any entry carry
# _resourceType?") could answer differently for the whole file than for a stretch of it.
_TYPED_PROBE = Exchange(index=-1, started=None, method="GET", url="", request_headers=Headers(),
                        response_headers=Headers(), status=0)


class EarlyFindings:
    """Reads a :class:`HarStream` to the end, publishing settled failures as it goes.

    Every entry is evaluated about once more than in the final run (its stretch plus the overlaps),
    and only at a handful of moments, so the extra engine work is bounded by the part of the file
    read before the last publication.
    """

    def __init__(self, stream: HarStream, on_early: EarlyCallback, policy: EarlyPolicy) -> None:
        self.stream = stream
        self.on_early = on_early
        self.policy = policy
        self.exchanges: list[Exchange] = []
        self.findings: list[Finding] = []  # published so far, in the engine's order
        self.publications = 0
        self._settled = 0  # exchanges[:_settled] had their findings published (or had none)
        self._scanned = 0  # exchanges[:_scanned] were looked at for pages and preflights
        self._pages: dict[str, Exchange] = {}  # pageref -> first GET document before the window
        self._old_preflights: set[str] = set()  # URLs preflighted before the window
        info = stream.info
        self._verdict_varies = (not producer_has_verdict(info, ())
                                and producer_has_verdict(info, (_TYPED_PROBE,)))

    def read(self) -> list[Exchange]:
        """Every exchange of the stream, as ``list(stream)`` would give them."""
        policy = self.policy
        entries = iter(self.stream)
        due = policy.clock() + policy.first_after
        while chunk := list(islice(entries, policy.check_every)):  # no per-entry Python work here
            self.exchanges.extend(chunk)
            if self.publications >= policy.max_count:
                continue
            now = policy.clock()
            if now >= due:
                self._publish()
                due = policy.clock() + policy.every
        return self.exchanges

    def _publish(self) -> None:
        policy = self.policy
        ex = self.exchanges
        front = len(ex)
        lo = self._settled
        hi = self._settled_end(front)
        if hi <= lo:
            return
        start = self._context_start(lo)
        if start is None or (front - start) > policy.max_context_ratio * (hi - lo):
            return  # no dates to measure the context by, or much context for little news: later
        self._scan_until(start)
        before = ex[start].index
        window = [*(p for p in self._pages.values() if p.index < before), *ex[start:front]]
        if self._verdict_varies and not producer_has_verdict(self.stream.info, window):
            return
        first = ex[lo].index
        end = ex[hi].index if hi < front else math.inf
        findings = [
            f for f in evaluate(window, self.stream.info).findings
            if first <= f.request.index < end and is_early_kind(f) and not self._may_use_old_preflight(f)
        ]
        self._settled = hi
        if not findings:
            return
        # The likely stack only, as the final analysis the GUI asks for: every stack costs ~1 ms a
        # finding, and the detail pane renders the one picked when asked.
        self.findings.extend(attach_fixes(findings, window, stack=None))
        self.publications += 1
        stream = self.stream
        self.on_early(Analysis(
            info=stream.info, exchanges=ex[:front], skipped=list(stream.skipped),
            findings=list(self.findings), problem=stream.problem, entries_seen=stream.entries_seen,
            provisional=True,
        ))

    def _settled_end(self, front: int) -> int:
        """How many exchanges are far enough behind the front for their findings to be final."""
        policy = self.policy
        ex = self.exchanges
        end = front - policy.margin_entries
        if end <= self._settled:
            return self._settled
        recent = [e.started for e in ex[end:front]] or [ex[front - 1].started]
        if None in recent:
            return self._settled
        limit = min(recent) - policy.margin_seconds  # type: ignore[type-var]
        while end > self._settled:
            started = ex[end - 1].started
            if started is None:
                return self._settled
            if started <= limit:
                break
            end -= 1
        return end

    def _context_start(self, lo: int) -> int | None:
        """Where the evaluation of the stretch from ``lo`` starts: the overlap before it."""
        policy = self.policy
        ex = self.exchanges
        start = max(0, lo - policy.overlap_entries)
        if lo == 0:
            return 0
        first = ex[lo].started
        if first is None:
            return None
        limit = first - policy.overlap_seconds
        while start > 0:
            started = ex[start - 1].started
            if started is None:
                return None
            if started < limit:
                break
            start -= 1
        return start

    def _scan_until(self, start: int) -> None:
        """Note the page documents and preflighted URLs of the exchanges before the window."""
        for e in self.exchanges[self._scanned:start]:
            # The page's URL is its first GET document (cors.context.page_urls): keep that entry.
            if e.pageref and e.resource_type == "document" and e.method == "GET":
                self._pages.setdefault(e.pageref, e)
            if e.is_preflight:
                self._old_preflights.add(preflight_target(e))
        self._scanned = max(self._scanned, start)

    def _may_use_old_preflight(self, finding: Finding) -> bool:
        """A request without a preflight of its own may have used a cached one from long before
        (Access-Control-Max-Age, up to two hours), which the window does not show."""
        return finding.preflight is None and strip_fragment(finding.request.url) in self._old_preflights

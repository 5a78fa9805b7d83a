"""The pipeline in one call: load → pair → evaluate → fix. The CLI, the GUI and the reports use it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from harcors.cors import Finding, evaluate
from harcors.fixes import ALL_STACKS, attach_fixes
from harcors.har import HarInfo, HarStream, Skipped
from harcors.har.loader import ProgressCallback
from harcors.har.model import Exchange


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

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]


def analyze_file(
    path: str | os.PathLike[str],
    *,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
    fix_stack: str | None = ALL_STACKS,
) -> Analysis:
    """Load and analyse one HAR; raises :class:`harcors.har.HarError` if nothing could be read.

    ``fix_stack`` chooses whose fixes are attached (see :func:`harcors.fixes.attach_fixes`): every
    stack by default, for the GUI's stack picker; a report that shows one stack asks for less.
    """
    stream = HarStream(path, progress=progress, cancelled=cancelled)
    exchanges = list(stream)
    result = evaluate(exchanges, stream.info)
    return Analysis(
        info=stream.info,
        exchanges=exchanges,
        skipped=stream.skipped,
        findings=attach_fixes(result.findings, exchanges, stack=fix_stack),
        pairs=result.pairs,
        problem=stream.problem,
        entries_seen=stream.entries_seen,
    )

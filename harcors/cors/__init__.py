"""The CORS engine: pair preflights with requests and check both against the Fetch standard."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from harcors.cors.model import Confidence, Finding, Fix, Messages, Severity
from harcors.har.model import Exchange, HarInfo

__all__ = ["Confidence", "CorsResult", "Finding", "Fix", "Messages", "Severity", "evaluate"]


@dataclass
class CorsResult:
    findings: list[Finding] = field(default_factory=list)
    #: actual request's entry index -> its preflight's entry index
    pairs: dict[int, int] = field(default_factory=dict)


def evaluate(exchanges: Sequence[Exchange], info: HarInfo | None = None) -> CorsResult:
    """Findings for a HAR's exchanges (the engine lands with the CORS engine issue)."""
    return CorsResult()

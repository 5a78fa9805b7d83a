"""What the CORS engine produces: findings, the browsers' messages, fixes. Plain frozen data."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from harcors.har.model import Exchange


class Severity(StrEnum):
    ERROR = "error"  # the browser blocked the request
    WARNING = "warning"  # it worked, but is fragile or unsafe


class Confidence(StrEnum):
    CERTAIN = "certain"  # the HAR holds every piece of evidence the verdict needs
    LIKELY = "likely"  # one piece was inferred (e.g. a cached preflight, credentials from a sanitized HAR)
    UNCERTAIN = "uncertain"  # the HAR lacks the evidence; the verdict is a best guess


@dataclass(frozen=True, slots=True)
class Messages:
    """The console lines each browser prints for the failure.

    ``firefox`` / ``safari`` hold every line that browser prints for the request, joined with "\\n";
    None where the HAR cannot tell which wording the browser would use.
    """

    chrome: str
    firefox: str | None = None
    safari: str | None = None


@dataclass(frozen=True, slots=True)
class Fix:
    """One way to fix a finding on one server stack, rendered with the values seen in the traffic."""

    stack: str  # catalog id, e.g. "express", "nginx"
    title: str
    code: str
    language: str = ""  # for code fences / highlighting: "js", "python", "nginx", ...
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """One CORS problem with one request.

    ``request`` is the actual request; when the HAR has only the preflight (the request was never
    sent and the producer dropped it), ``request`` is the preflight and ``preflight`` is the same.
    """

    rule: str  # stable rule id, e.g. "missing-allow-origin"
    severity: Severity
    request: Exchange
    preflight: Exchange | None
    messages: Messages
    title: str  # short, e.g. "No Access-Control-Allow-Origin header"
    explanation: str
    page_origin: str | None = None
    initiator: str = "fetch"  # "fetch" or "XMLHttpRequest": the word in Chrome's message
    credentials: bool = False  # the request's credentials mode was "include" (as far as the HAR shows)
    failed_parameter: str | None = None  # the value, method or header name that failed
    root_cause: str | None = None  # what the HAR shows beyond the browser's message
    confidence: Confidence = Confidence.CERTAIN
    notes: tuple[str, ...] = ()  # what was inferred, and from what
    needed_headers: tuple[str, ...] = ()  # non-safelisted request headers the server must allow
    fixes: tuple[Fix, ...] = ()
    curl: tuple[str, ...] = ()
    extras: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    cors_error: str | None = None  # the CDP CorsError name Chrome reports, e.g. "PreflightInvalidStatus"
    docs: str | None = None  # the rule's page under resources/, e.g. "rules/missing-allow-origin.md"
    is_cors: bool = True  # False: the request failed (or is noted) for a reason that is not CORS

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

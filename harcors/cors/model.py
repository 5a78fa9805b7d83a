"""What the CORS engine produces: findings, the browsers' messages, fixes. Plain frozen data."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from harcors.har.model import Exchange

_Record = TypeVar("_Record")
_FACTORY = object()


def slot_init(cls: type[_Record]) -> type[_Record]:
    """Give a frozen, slotted dataclass an ``__init__`` that fills its slots directly.

    A frozen dataclass's own ``__init__`` calls ``object.__setattr__`` for every field (it has to get
    past the class's ``__setattr__``, which refuses); for the records the engine makes per request,
    tens of thousands per HAR, that is most of what making them costs. The slots' own descriptors do
    the same in half the time. Same parameters and defaults; for classes without ``__post_init__``.
    """
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    frozen = cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    if not frozen or "__slots__" not in cls.__dict__ or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: slot_init is for frozen, slotted dataclasses without __post_init__")
    env: dict[str, Any] = {"_FACTORY": _FACTORY}
    params, body = [], []
    for f in fields:
        env[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        if f.default is not dataclasses.MISSING:
            env[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            env[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_FACTORY")
            body.append(f"    if {f.name} is _FACTORY: {f.name} = _factory_{f.name}()")
        else:
            params.append(f.name)
        body.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body)
    exec(source, env)  # built from the dataclass's own field names, as dataclasses itself does
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[misc]
    return cls


class Severity(StrEnum):
    ERROR = "error"  # the browser blocked the request
    WARNING = "warning"  # it worked, but is fragile or unsafe


class Confidence(StrEnum):
    CERTAIN = "certain"  # the HAR holds every piece of evidence the verdict needs
    LIKELY = "likely"  # one piece was inferred (e.g. a cached preflight, credentials from a sanitized HAR)
    UNCERTAIN = "uncertain"  # the HAR lacks the evidence; the verdict is a best guess


@slot_init  # one per finding: thousands in a big HAR
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


@slot_init  # one per finding: thousands in a big HAR
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

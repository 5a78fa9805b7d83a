"""The fix catalog: ``resources/fixes/<stack>.toml`` (templates) and ``_rules.toml`` (rule → kind).

The catalog is data. A stack file holds one or more *variants* (one way to configure CORS on that
stack, e.g. Next.js route handler vs middleware), each a Jinja2 template, plus a ``[kind.<kind>]``
note per kind of fix saying what matters on that stack. ``_rules.toml`` maps every rule id the
engine registers to the kind of fix it needs, and holds the stack-independent wording.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from harcors.resources import resource_path

#: Kinds of fix a server can make; a stack file must have a note for each (tests/fixes checks it).
SERVER_KINDS = (
    "allow-origin",
    "credentials",
    "method",
    "header",
    "preflight-auth",
    "preflight-route",
    "redirect",
    "error-response",
    "single-origin",
    "private-network",
    "vary",
    "max-age",
)
#: Kinds only the page (or the way it is served) can fix; one stack-independent fix each.
CLIENT_KINDS = ("client-header", "client-no-cors", "client-mode", "client-scheme", "client-https", "not-cors")


@dataclass(frozen=True, slots=True)
class RuleEntry:
    rule: str
    kind: str
    severity: str  # "error" / "warning" as the engine registers it; "" when unknown
    refine: bool = False  # True: pick the kind from the failing response's status (context.kind_of)
    stage: str = "either"  # "preflight" when only a preflight can fail this way


@dataclass(frozen=True, slots=True)
class KindText:
    kind: str
    title: str  # Jinja template
    notes: str  # Jinja template, Markdown
    client_code: str = ""  # client kinds: the one stack-independent snippet
    client_language: str = ""
    server_kind: str = ""  # client kinds whose fix also needs a server change: that change's kind
    summary: str = ""  # one line, for the coverage table


@dataclass(frozen=True, slots=True)
class Detector:
    """A response-header signature of a stack (see detect.py)."""

    header: str
    match: str  # regular expression, searched case-insensitively; "" = the header's presence
    confidence: str  # "high" / "medium" / "low"
    evidence: str  # what it shows, for the user


@dataclass(frozen=True, slots=True)
class Variant:
    id: str
    title: str
    language: str
    code: str  # Jinja template
    notes: str = ""
    skip: tuple[str, ...] = ()  # kinds this variant cannot fix (the stack's other variants do)


@dataclass(frozen=True, slots=True)
class Stack:
    id: str
    name: str
    package: str
    docs: str
    variants: tuple[Variant, ...]
    kind_notes: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    detectors: tuple[Detector, ...] = ()
    proof_variant: str = ""  # the variant the live proof runs (tests/fixes/test_live_proof.py)
    layer: str = "framework"  # "framework", "platform" (Vercel, AWS ...) or "proxy" (nginx, Apache)


def _load(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _stack_from(data: dict, path: Path) -> Stack:
    try:
        variants = tuple(
            Variant(
                id=v["id"],
                title=v["title"],
                language=v.get("language", data.get("language", "")),
                code=v["code"],
                notes=v.get("notes", ""),
                skip=tuple(v.get("skip", ())),
            )
            for v in data["variant"]
        )
        return Stack(
            id=data["id"],
            name=data["name"],
            package=data.get("package", ""),
            docs=data.get("docs", ""),
            variants=variants,
            kind_notes={k: v.get("notes", "") for k, v in data.get("kind", {}).items()},
            detectors=tuple(
                Detector(d["header"], d.get("match", ""), d["confidence"], d["evidence"])
                for d in data.get("detect", ())
            ),
            proof_variant=data.get("proof_variant", ""),
            layer=data.get("layer", "framework"),
        )
    except KeyError as exc:
        raise ValueError(f"{path.name}: missing key {exc}") from None


@cache
def stacks() -> dict[str, Stack]:
    """Every stack in the catalog, by id, in the order of their ``order`` key."""
    loaded: list[tuple[int, Stack]] = []
    for path in sorted(resource_path("fixes").glob("*.toml")):
        if path.name.startswith("_"):
            continue
        data = _load(path)
        loaded.append((int(data.get("order", 999)), _stack_from(data, path)))
    loaded.sort(key=lambda pair: (pair[0], pair[1].name.lower()))
    return {s.id: s for _, s in loaded}


@cache
def _rules_file() -> dict:
    return _load(resource_path("fixes", "_rules.toml"))


@cache
def rules() -> dict[str, RuleEntry]:
    """Rule id → what kind of fix it needs."""
    return {
        rule: RuleEntry(
            rule=rule,
            kind=spec["kind"],
            severity=spec.get("severity", ""),
            refine=spec.get("refine", False),
            stage=spec.get("stage", "either"),
        )
        for rule, spec in _rules_file()["rules"].items()
    }


@cache
def kind_texts() -> dict[str, KindText]:
    return {
        kind: KindText(
            kind=kind,
            title=spec["title"],
            notes=spec.get("notes", ""),
            client_code=spec.get("code", ""),
            client_language=spec.get("language", ""),
            server_kind=spec.get("server_kind", ""),
            summary=spec.get("summary", ""),
        )
        for kind, spec in _rules_file()["kinds"].items()
    }


@cache
def section(name: str) -> str:
    """A fixed Markdown section from ``_rules.toml`` ``[sections]`` (e.g. what does not fix CORS)."""
    return str(_rules_file()["sections"][name]).strip()

"""The fix catalog: ``resources/fixes/<stack>.toml`` (templates) and ``_rules.toml`` (rule → kind).

The catalog is data. A stack file holds one or more *variants* (one way to configure CORS on that
stack, e.g. Next.js route handler vs middleware), each a Jinja2 template, plus a ``[kind.<kind>]``
note per kind of fix saying what matters on that stack. ``_rules.toml`` maps every rule id the
engine registers to the kind of fix it needs, and holds the stack-independent wording.

``_catalog.json`` holds every TOML file already parsed, for start-up (parsing them in pure Python
costs ~9 ms of each CLI run); it is only used while it matches the TOML files byte for byte.
Regenerate it after editing them: ``python -m harcors.fixes.catalog > resources/fixes/_catalog.json``.
"""

from __future__ import annotations

import json
import zlib
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


#: The parsed TOML files (resources/fixes/), written by ``python -m harcors.fixes.catalog``.
CACHE_NAME = "_catalog.json"


def _fingerprint(data: bytes) -> str:
    # Tells an edited file from the one the cache was made from (tests check the cache is current).
    return f"{len(data)}:{zlib.crc32(data):08x}"


@cache
def _files() -> dict[str, dict]:
    """Every ``*.toml`` of the catalog, parsed, by file name (sorted)."""
    return parse_files(resource_path("fixes"))


def parse_files(folder: Path) -> dict[str, dict]:
    """``folder``'s TOML files parsed, by name: from its ``_catalog.json`` when that was made from
    exactly these files (same names, same bytes), else by the TOML parser."""
    sources = {path.name: path.read_bytes() for path in sorted(folder.glob("*.toml"))}
    try:
        cached = json.loads((folder / CACHE_NAME).read_bytes())
        if cached["sources"] == {name: _fingerprint(data) for name, data in sources.items()}:
            return cached["files"]
    except (OSError, ValueError, KeyError, TypeError):
        pass  # missing or damaged: the TOML files are the truth
    import tomllib  # only when the cache is stale (a catalog edit not yet regenerated)

    return {name: tomllib.loads(data.decode("utf-8")) for name, data in sources.items()}


def cache_text(folder: Path) -> str:
    """The ``_catalog.json`` for ``folder``'s TOML files."""
    import tomllib

    sources = {path.name: path.read_bytes() for path in sorted(folder.glob("*.toml"))}
    doc = {
        "sources": {name: _fingerprint(data) for name, data in sources.items()},
        "files": {name: tomllib.loads(data.decode("utf-8")) for name, data in sources.items()},
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"  # key order is catalog order


def _stack_from(data: dict, name: str) -> Stack:
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
        raise ValueError(f"{name}: missing key {exc}") from None


@cache
def stacks() -> dict[str, Stack]:
    """Every stack in the catalog, by id, in the order of their ``order`` key."""
    loaded: list[tuple[int, Stack]] = []
    for name, data in _files().items():
        if name.startswith("_"):
            continue
        loaded.append((int(data.get("order", 999)), _stack_from(data, name)))
    loaded.sort(key=lambda pair: (pair[0], pair[1].name.lower()))
    return {s.id: s for _, s in loaded}


@cache
def _rules_file() -> dict:
    return _files()["_rules.toml"]


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


if __name__ == "__main__":
    print(cache_text(resource_path("fixes")), end="")

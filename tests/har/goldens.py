"""What harcors reads from each producer fixture, as reviewable JSON beside the fixture.

    python tests/har/goldens.py        # rewrite tests/fixtures/producers/*.expected.json

Run it after changing the loader or a fixture, and review the diff: it shows exactly what
harcors now reads differently from which producer's HAR.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harcors.har import load_har

PRODUCERS = Path(__file__).resolve().parent.parent / "fixtures" / "producers"


def fixtures() -> list[Path]:
    return sorted(PRODUCERS.glob("*.har"))


def golden_path(har: Path) -> Path:
    return har.with_name(har.name.removesuffix(".har") + ".expected.json")


def summary(path: Path) -> dict[str, Any]:
    """The loader's reading of ``path``: file facts, then one line of facts per exchange."""
    loaded = load_har(path)
    info = loaded.info
    return {
        "producer": info.producer,
        "creator": info.creator,
        "har_version": info.version,
        "pages": info.pages,
        "entries": loaded.entries_seen,
        "problem": loaded.problem,
        "skipped": [{"index": s.index, "reason": s.reason} for s in loaded.skipped],
        "exchanges": [
            {
                "index": e.index,
                "request": f"{e.method} {e.url}",
                "status": e.status,
                "started": None
                if e.started is None
                else datetime.fromtimestamp(e.started, UTC).isoformat(timespec="microseconds"),
                "resource_type": e.resource_type + (" (inferred)" if e.resource_type_inferred else ""),
                "preflight": e.is_preflight,
                "initiator": None
                if e.initiator is None
                else f"{e.initiator.type} {e.initiator.url or ''}".strip(),
                "error": e.error,
                "origin": e.origin,
                "pageref": e.pageref,
                "request_headers": [name for name, _ in e.request_headers],
                "response_headers": [name for name, _ in e.response_headers],
            }
            for e in loaded.exchanges
        ],
    }


def render(path: Path) -> str:
    return json.dumps(summary(path), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    for har in fixtures():
        golden_path(har).write_text(render(har), encoding="utf-8")
        print("wrote", golden_path(har).name)

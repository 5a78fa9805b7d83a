"""Reading a few response bodies back from the file, on demand (harcors/har/bodies.py)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from harcors.analysis import analyze_file
from harcors.har.bodies import read_texts

from .build import entry, har, write


def _with_body(text: str, mime: str = "text/javascript", **content: Any) -> dict[str, Any]:
    e = entry()
    e["response"]["content"] = {"size": len(text), "mimeType": mime, "text": text, **content}
    return e


def _doc(tmp_path: Path, **kw: Any) -> Path:
    bodiless = entry()
    del bodiless["response"]["content"]["text"]
    entries = [
        _with_body("<script>one()</script>", "text/html"),
        bodiless,
        "not an entry",  # still counts: Exchange.index is the position in log.entries
        _with_body(base64.b64encode("two() // é".encode()).decode(), encoding="base64"),
        _with_body("three()"),
    ]
    return write(tmp_path / "bodies.har", har(entries), **kw)


@pytest.mark.parametrize(
    "kw", [{}, {"pretty": False}, {"compress": "gzip"}, {"compress": "zip"}, {"bom": True}]
)
def test_reads_the_bodies_asked_for(tmp_path: Path, kw: dict[str, Any]) -> None:
    path = _doc(tmp_path, **kw)
    assert read_texts(path, [0, 1, 3]) == {0: "<script>one()</script>", 3: "two() // é"}
    assert read_texts(path, [4]) == {4: "three()"}
    assert read_texts(path, []) == {}


def test_caps_each_body_and_the_total(tmp_path: Path) -> None:
    path = _doc(tmp_path)
    assert read_texts(path, [0, 3, 4], max_body=3) == {0: "<sc", 3: "two", 4: "thr"}
    assert read_texts(path, [0, 3, 4], max_body=5, max_total=8) == {0: "<scri", 3: "two"}


def test_a_damaged_file_gives_what_was_read_before_the_damage(tmp_path: Path) -> None:
    path = _doc(tmp_path, pretty=False)
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"three()")])
    assert read_texts(path, [0, 4]) == {0: "<script>one()</script>"}
    assert read_texts(tmp_path / "missing.har", [0]) == {}


def test_analysis_reads_no_body_when_no_request_depends_on_one(tmp_path: Path, monkeypatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr("harcors.analysis.read_texts", lambda *a, **k: calls.append(a) or {})
    analyze_file(_doc(tmp_path))
    assert calls == []

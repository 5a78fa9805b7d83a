"""The fast path (harcors.har.fast) must give exactly what the ijson path gives, on every file.

Each test loads a file both ways through HarStream (``fast=True`` / ``fast=False``) and compares
every Exchange field, the skipped entries with their indexes, the file-level problem and the entry
count. Comparing Exchanges also reads back every header list the fast path left in the file.
"""

from __future__ import annotations

import gc
import gzip
import json
import os
import weakref
from pathlib import Path
from typing import Any

import pytest

from harcors.har import HarError, HarStream, LoadCancelled
from harcors.har import fast as fast_mod
from harcors.har.fast import FastEntries, FastPathUnavailable, LazyHeaders

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = [*sorted((ROOT / "sample_hars").glob("*.har")),
           *sorted((ROOT / "tests/fixtures/producers").glob("*.har"))]


def load(path: Path, fast: bool) -> Any:
    stream = HarStream(path, fast=fast)
    try:
        exchanges = list(stream)
    except HarError as exc:
        return ("unreadable", str(exc))
    return exchanges, stream.skipped, stream.problem, stream.entries_seen, stream.info


def assert_same(path: Path) -> Any:
    fast, slow = load(path, True), load(path, False)
    if fast != slow and isinstance(fast, tuple) and isinstance(slow, tuple) and len(fast) == 5 == len(slow):
        assert fast[1:] == slow[1:]
        for a, b in zip(fast[0], slow[0], strict=True):
            assert a == b, f"entry {a.index}"
    assert fast == slow
    return fast


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory, har_generator: Any) -> dict[str, Any]:
    """A generated DevTools-shaped session of 300 entries, as a dict to break in various ways."""
    path = tmp_path_factory.mktemp("gen") / "session.har"
    har_generator.write_har(path, 300, seed=7, image_kb=6)
    return json.loads(path.read_bytes())


def write(path: Path, doc: Any, indent: int | str | None = 2) -> Path:
    text = json.dumps(doc, indent=indent, ensure_ascii=False) if indent is not None else json.dumps(
        doc, separators=(",", ":"), ensure_ascii=False)
    path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_reads_the_same_both_ways(path: Path) -> None:
    assert_same(path)


def test_generated_session_takes_the_typed_path_and_leaves_most_headers_in_the_file(tmp_path, doc):
    path = write(tmp_path / "s.har", doc)
    reader = FastEntries(str(path))
    items = list(reader)
    assert reader.generic_pieces == 0 and reader.count == len(items) == 300
    lazy = [x for x in items if isinstance(x.request_headers, LazyHeaders)]
    assert 0.3 * len(items) < len(lazy) < len(items)
    # The question every CORS check asks first is answered without reading the file again.
    assert all(x.origin is None and not x.request_headers.loaded for x in lazy)
    assert not any(x.is_preflight for x in lazy)
    assert assert_same(path)[1:4] == ([], None, 300)


def test_headers_left_in_the_file_read_back_exactly(tmp_path, doc):
    path = write(tmp_path / "s.har", doc)
    fast = [x for x in FastEntries(str(path)) if isinstance(x.response_headers, LazyHeaders)]
    slow = {x.index: x for x in HarStream(path, fast=False)}
    sample = fast[::7]
    for x in sample:
        assert x.response_headers.get("content-type") == slow[x.index].response_headers.get("content-type")
        assert list(x.request_headers) == list(slow[x.index].request_headers)
        assert x.request_headers.get("ORIGIN") is None and "origin" not in x.request_headers
    assert all(x.response_headers.loaded for x in sample)


def test_a_dropped_load_is_freed_without_the_cyclic_gc(tmp_path, doc):
    # The GUI freezes big analyses out of the cyclic GC's reach: no cycle may keep one alive.
    path = write(tmp_path / "s.har", doc)
    gc.collect()
    gc.disable()
    try:
        items = [x for x in FastEntries(str(path)) if isinstance(x.response_headers, LazyHeaders)]
        items[0].response_headers.items()  # the source now caches that piece
        sources = [o for o in gc.get_objects() if isinstance(o, fast_mod._Source) and o.path == str(path)]
        assert len(sources) == 1
        source = weakref.ref(sources[0])
        del items, sources
        assert source() is None
    finally:
        gc.enable()


def test_headers_of_a_file_changed_since_are_not_made_up(tmp_path, doc):
    path = write(tmp_path / "s.har", doc)
    lazy = next(x for x in FastEntries(str(path)) if isinstance(x.response_headers, LazyHeaders))
    with open(path, "ab") as f:
        f.write(b"\n")
    with pytest.raises(HarError, match="changed after it was read"):
        lazy.response_headers.get("content-type")


@pytest.mark.parametrize("chunk", [4096, 65536])
def test_small_pieces_and_entries_larger_than_a_piece(tmp_path, doc, monkeypatch, chunk):
    monkeypatch.setattr(fast_mod, "CHUNK", chunk)
    assert_same(write(tmp_path / "s.har", doc))


@pytest.mark.parametrize("indent", [4, "\t", 1])
def test_other_indents(tmp_path, doc, indent):
    path = write(tmp_path / "s.har", doc, indent=indent)
    reader = FastEntries(str(path))
    assert sum(1 for _ in reader) == 300 and reader.generic_pieces == 0
    assert_same(path)


def test_minified_file_goes_to_ijson(tmp_path, doc):
    path = write(tmp_path / "s.har", doc, indent=None)
    with pytest.raises(FastPathUnavailable):
        list(FastEntries(str(path)))
    assert_same(path)


def _broken(doc: dict[str, Any], how: str) -> dict[str, Any]:
    doc = json.loads(json.dumps(doc))
    entries = doc["log"]["entries"]
    if how == "status-as-string":
        entries[5]["response"]["status"] = "200"
    elif how == "null-header-value":
        entries[len(entries) // 2]["request"]["headers"][3]["value"] = None
        entries[7]["response"]["headers"][0]["value"] = None
    elif how == "header-without-name":
        entries[9]["response"]["headers"].insert(0, {"value": "x"})
    elif how == "entry-not-an-object":
        entries[10] = None
        entries[200] = "entry"
    elif how == "no-request":
        del entries[11]["request"]
    elif how == "empty-method":
        entries[12]["request"]["method"] = ""
    elif how == "headers-as-object":
        entries[13]["request"]["headers"] = {"Origin": "https://x"}
    elif how == "numbers-as-text":
        entries[14]["time"] = "12.5"
        entries[14]["serverIPAddress"] = 1234
    elif how == "escaped-header-name":
        entries[15]["request"]["headers"].append({"name": "Origin", "value": "https://app.example.com"})
    elif how == "pages-after-entries":
        doc["log"] = {k: doc["log"][k] for k in ("version", "creator", "entries", "pages")}
    elif how == "deep-nesting":
        deep: Any = "x"
        for _ in range(200):
            deep = {"a": [deep]}
        entries[16]["_custom"] = deep
    return doc


@pytest.mark.parametrize("how", [
    "status-as-string", "null-header-value", "header-without-name", "entry-not-an-object", "no-request",
    "empty-method", "headers-as-object", "numbers-as-text", "escaped-header-name", "pages-after-entries",
    "deep-nesting",
])
def test_odd_entries_read_the_same(tmp_path, doc, how):
    path = write(tmp_path / "s.har", _broken(doc, how))
    if how == "escaped-header-name":  # "Origin" written as \u004frigin: the raw JSON has no "origin"
        raw = path.read_bytes().replace(b'"name": "Origin"', b'"name": "\\u004frigin"')
        path.write_bytes(raw)
    assert_same(path)


def _text(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, indent=2, ensure_ascii=False).encode()


@pytest.mark.parametrize("how", [
    "truncated", "truncated-between-entries", "trailing-garbage", "trailing-text-after-log", "invalid-utf8",
    "crlf", "bom", "gzip", "second-entries-array", "mixed-indent", "false-boundary", "ends-after-entries",
])
def test_damaged_files_read_the_same(tmp_path, doc, how):
    data = _text(doc)
    if how == "truncated":
        data = data[: len(data) * 3 // 5]
    elif how == "truncated-between-entries":
        data = data[: data.index(b"\n      },\n      {", len(data) // 2) + 8]
    elif how == "trailing-garbage":
        data += b"\n]]"
    elif how == "trailing-text-after-log":
        data = data[:-2] + b',\n  "comment": "exported by hand"\n}'
    elif how == "invalid-utf8":
        at = data.index(b'"text": "', len(data) // 2) + 9
        data = data[:at] + b"\xff\xfe" + data[at:]
    elif how == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif how == "bom":
        data = b"\xef\xbb\xbf" + data
    elif how == "gzip":
        data = gzip.compress(data)
    elif how == "second-entries-array":
        extra = json.dumps(doc["log"]["entries"][:2], indent=2).replace("\n", "\n    ").encode()
        data = data[: data.rindex(b"]")] + b'],\n    "entries": ' + extra + b"\n  }\n}"
    elif how == "mixed-indent":  # whitespace out of line, boundaries intact
        at = data.index(b'\n              "name": ', len(data) // 3)
        data = data[:at] + b"\n      " + data[at + 15:]
    elif how == "false-boundary":  # two headers separated the way entries are: the split must not hold
        at = data.index(b"\n            },\n            {", len(data) // 3)
        data = data[:at] + b"\n      },\n      {" + data[at + 29:]
    elif how == "ends-after-entries":
        data = data[: data.rindex(b"]") + 1]
    path = tmp_path / ("s.har.gz" if how == "gzip" else "s.har")
    path.write_bytes(data)
    assert_same(path)


def test_progress_and_cancel(tmp_path, doc):
    path = write(tmp_path / "s.har", doc)
    calls: list[tuple[int, int, int]] = []
    stream = HarStream(path, progress=lambda *a: calls.append(a))
    n = sum(1 for _ in stream)
    assert calls[-1] == (os.path.getsize(path), os.path.getsize(path), n)
    with pytest.raises(LoadCancelled):
        list(HarStream(path, cancelled=lambda: True))


def test_integer_beyond_64_bits_does_not_stop_the_fast_path(tmp_path, doc):
    """The one known difference: ijson's C parser stops at an integer over 64 bits (reporting the
    entries before it); msgspec skips it like any other value the checks do not read."""
    doc = json.loads(json.dumps(doc))
    doc["log"]["entries"][10]["_counter"] = 10**30
    path = write(tmp_path / "s.har", doc)
    fast, slow = load(path, True), load(path, False)
    assert fast[1:4] == ([], None, 300)
    assert slow[3] == 10 and slow[2]  # ijson stops there and says why
    assert fast[0][:10] == slow[0]


def test_records_behave_as_exchanges(tmp_path, doc):
    import copy
    import dataclasses
    import pickle

    from harcors.har.fast import LazyExchange
    from harcors.har.model import Exchange

    path = write(tmp_path / "s.har", doc)
    slow = {x.index: x for x in HarStream(path, fast=False)}
    records = [x for x in FastEntries(str(path)) if type(x) is LazyExchange]
    assert len(records) > 50
    a, b, c, d, e = records[:5]
    # What CORS pairing reads first costs nothing: still records afterwards.
    assert (a.origin, a.is_preflight, a.error, a.url) == (None, False, None, slow[a.index].url)
    assert type(a) is LazyExchange
    # Any other field turns the record into a plain Exchange, equal to what the ijson path built.
    assert a.started == slow[a.index].started and type(a) is LazyExchange
    assert a.server_ip == slow[a.index].server_ip and type(a) is Exchange
    assert slow[b.index] == b and b == slow[b.index] and type(b) is Exchange
    assert hash(c) == hash(slow[c.index])
    assert dataclasses.replace(d, status=299) == dataclasses.replace(slow[d.index], status=299)
    assert pickle.loads(pickle.dumps(e)) == slow[e.index] == copy.copy(e)
    assert repr(records[5]).startswith("Exchange(")

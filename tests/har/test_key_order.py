"""log.version, creator and browser written after log.entries (alphabetical key order) are read too."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from harcors.har import load_har
from harcors.har.loader import HarStream

FIXTURE = Path(__file__).parent.parent / "fixtures" / "producers" / "chrome-devtools.har"


def _alphabetical(tmp_path: Path, indent: int | None, name: str = "sorted.har") -> tuple[Path, dict]:
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    log = doc["log"]
    log["browser"] = {"name": "Chromium", "version": "156.0"}
    log["creator"] = {"name": "mitmproxy", "version": "11.0"}
    path = tmp_path / name
    text = json.dumps(doc, indent=indent, sort_keys=True)
    # browser, creator before entries; pages, version after
    assert text.index('"creator"') < text.index('"entries"') < text.rindex('"pages"')
    assert text.rstrip(" \n}").endswith('"version": "1.2"')
    path.write_text(text, encoding="utf-8")
    return path, log


@pytest.mark.parametrize("indent", [2, None], ids=["pretty", "minified"])
@pytest.mark.parametrize("fast", [True, False], ids=["fast", "ijson"])
def test_version_after_entries_is_read(tmp_path, indent, fast):
    path, log = _alphabetical(tmp_path, indent)
    stream = HarStream(path, fast=fast)
    exchanges = list(stream)
    info = stream.info
    assert (info.version, info.creator, info.creator_version) == ("1.2", "mitmproxy", "11.0")
    assert (info.browser, info.browser_version, info.producer) == ("Chromium", "156.0", "mitmproxy")
    assert info.pages == len(log["pages"]) > 0
    assert len(exchanges) == len(log["entries"]) and stream.problem is None


def test_fast_path_is_taken_and_agrees(tmp_path):
    path, _ = _alphabetical(tmp_path, 2)
    fast, streamed = HarStream(path), HarStream(path, fast=False)
    assert list(fast) == list(streamed) and fast._fast  # the fast path read every entry
    assert fast.info == streamed.info


def test_head_wins_over_tail(tmp_path):
    """A key written before entries is not overridden by a same-named member later on."""
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    doc["log"] = {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
                  "entries": doc["log"]["entries"], "browser": {"name": "Chrome"}}
    path = tmp_path / "mixed.har"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    info = load_har(path).info
    assert (info.version, info.creator, info.browser) == ("1.2", "WebInspector", "Chrome")


def test_gzip_tail_is_not_read(tmp_path):
    """Known limit (docs/producers.md): a compressed file is not read backwards."""
    plain, _ = _alphabetical(tmp_path, 2)
    gz = tmp_path / "sorted.har.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    info = load_har(gz).info
    assert (info.creator, info.version) == ("mitmproxy", None)

"""Live captures: one scenario in Debian's firefox-esr, one in WebKitGTK's MiniBrowser.

They keep the Firefox/WebKit capture tooling from rotting: a fresh capture must reproduce the
committed evidence (everything but the browser version). CI installs firefox-esr,
libwebkit2gtk-4.1-0 and xvfb (tools/dev); when one is missing these tests fail, they do not skip.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from capture import firefox, webkit  # tools/capture, on sys.path via conftest.py
from capture.scenarios import BY_NAME

from harcors.analysis import analyze_file
from tests.browsers.corpus_check import CORPUS

pytestmark = pytest.mark.live


def _key(directory: Path, name: str, browser: str) -> dict[str, Any]:
    key = json.loads((directory / f"{name}.expected.json").read_text(encoding="utf-8"))[browser]
    assert "skipped" not in key, f"{browser} capture failed: {key['skipped']}"
    return {k: v for k, v in key.items() if k != "version"}


def test_firefox_live_capture(tmp_path: Path) -> None:
    assert os.access(firefox.FIREFOX, os.X_OK), (
        f"{firefox.FIREFOX} missing: install Debian's firefox-esr (tools/dev setup does)")
    name = "preflight-404"  # two console lines, a never-sent request, the OPTIONS entry after it
    failed = firefox.capture_all([BY_NAME[name]], tmp_path, log=lambda line: None)
    assert failed == [], _key(tmp_path, name, "firefox")
    har = json.loads((tmp_path / f"{name}.firefox.har").read_text(encoding="utf-8"))
    assert har["log"]["creator"]["name"] == "Firefox"
    assert _key(tmp_path, name, "firefox") == _key(CORPUS, name, "firefox")
    assert analyze_file(tmp_path / f"{name}.firefox.har").info.producer == "firefox"


def test_webkit_live_capture(tmp_path: Path) -> None:
    try:
        webkit.minibrowser_path()
    except webkit.CaptureError as e:
        pytest.fail(str(e))
    assert os.access(webkit.XVFB, os.X_OK), (
        f"{webkit.XVFB} missing: install Debian's xvfb (tools/dev setup does)")
    name = "xhr-preflight-404"  # WebKit checks the preflight status before ACAO (Chromium the reverse)
    failed = webkit.capture_all([BY_NAME[name]], tmp_path, log=lambda line: None)
    assert failed == [], _key(tmp_path, name, "webkit")
    assert _key(tmp_path, name, "webkit") == _key(CORPUS, name, "webkit")

"""Small HAR documents for loader tests: one valid entry to start from, and ways to write it out."""

from __future__ import annotations

import copy
import gzip
import json
import zipfile
from pathlib import Path
from typing import Any

PAGE = "https://app.example"
API = "https://api.example"

Json = dict[str, Any]


def entry(**changes: Any) -> Json:
    """A complete Chrome-style entry for a cross-origin fetch; ``changes`` replace top-level keys."""
    base: Json = {
        "startedDateTime": "2024-06-30T04:14:55.736Z",
        "time": 12.5,
        "_resourceType": "fetch",
        "_initiator": {"type": "script"},
        "request": {
            "method": "GET",
            "url": f"{API}/items",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Origin", "value": PAGE}, {"name": "Accept", "value": "*/*"}],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Access-Control-Allow-Origin", "value": PAGE}],
            "cookies": [],
            "content": {"size": 2, "mimeType": "application/json", "text": "[]"},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"blocked": 1, "dns": -1, "ssl": -1, "connect": -1, "send": 0, "wait": 10, "receive": 1},
        "serverIPAddress": "203.0.113.5",
        "pageref": "page_1",
    }
    base.update(copy.deepcopy(changes))
    return base


def har(entries: list[Any] | None = None, **log: Any) -> Json:
    """A HAR document; ``log`` keys replace or add to the defaults (pass ``pages=None`` to drop one)."""
    body: Json = {
        "version": "1.2",
        "creator": {"name": "WebInspector", "version": "537.36"},
        "pages": [
            {
                "id": "page_1",
                "title": f"{PAGE}/",
                "startedDateTime": "2024-06-30T04:14:55.000Z",
                "pageTimings": {"onContentLoad": 10, "onLoad": 20},
            }
        ],
        "entries": [entry()] if entries is None else entries,
    }
    body.update(log)
    # Producers write version, creator, browser and pages before entries; keep that order.
    order = ["version", "creator", "browser", "pages", "entries"]
    keys = [k for k in order if k in body] + [k for k in body if k not in order]
    return {"log": {k: body[k] for k in keys if body[k] is not None}}


def dumps(doc: Any, *, pretty: bool = True) -> bytes:
    """Pretty (DevTools' 2-space layout, read by the fast path) or minified (read by ijson)."""
    if pretty:
        return json.dumps(doc, indent=2, ensure_ascii=False).encode()
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()


def write(
    path: Path,
    doc: Any,
    *,
    pretty: bool = True,
    bom: bool = False,
    compress: str | None = None,
    member: str = "session.har",
) -> Path:
    """Write ``doc`` to ``path``: optionally with a BOM, gzip'd, or inside a zip as ``member``."""
    data = (b"\xef\xbb\xbf" if bom else b"") + (doc if isinstance(doc, bytes) else dumps(doc, pretty=pretty))
    if compress == "gzip":
        data = gzip.compress(data)
    elif compress == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("README.txt", "Exported from the support portal.\n")
            zf.writestr(member, data)
        return path
    path.write_bytes(data)
    return path

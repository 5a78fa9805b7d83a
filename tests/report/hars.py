"""Small HAR files written by the tests (Chrome DevTools export shape)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def entry(
    method: str,
    url: str,
    request: list[tuple[str, str]],
    response: list[tuple[str, str]],
    status: int,
    *,
    status_text: str = "",
    resource_type: str = "fetch",
    error: str | None = None,
    initiator: dict[str, Any] | None = None,
    post_text: str | None = None,
    response_text: str | None = None,
    redirect_url: str = "",
) -> dict[str, Any]:
    e: dict[str, Any] = {
        "startedDateTime": "2025-01-01T00:00:00.000Z",
        "time": 12.5,
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": n, "value": v} for n, v in request],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": status,
            "statusText": status_text,
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": n, "value": v} for n, v in response],
            "cookies": [],
            "content": {"size": 0, "mimeType": "application/json"},
            "redirectURL": redirect_url,
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 1, "wait": 10, "receive": 1.5},
        "_resourceType": resource_type,
    }
    if error:
        e["_error"] = error
    if initiator:
        e["_initiator"] = initiator
    if post_text is not None:
        e["request"]["postData"] = {"mimeType": "application/json", "text": post_text}
    if response_text is not None:
        e["response"]["content"]["text"] = response_text
    return e


def write_har(path: Path, entries: list[dict[str, Any]], *, creator: str = "WebInspector",
              creator_version: str = "537.36") -> Path:
    doc = {"log": {"version": "1.2", "creator": {"name": creator, "version": creator_version},
                   "pages": [], "entries": entries}}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path

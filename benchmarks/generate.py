"""Generate large, realistic HAR files in Chrome DevTools export shape, deterministically.

The mix follows what a long support-ticket session looks like: documents, scripts and stylesheets
with text bodies, fonts and images with base64 bodies (about 10 % of entries carry a 32 KB
image), fetch/XHR calls to an API on another origin with their CORS preflights, and a few percent
of CORS failures shaped the way Chromium records them (``_error: "net::ERR_FAILED"``, the real
status kept when a response arrived, ``status: 0`` and no headers when the preflight failed).

Pretty-printed with a 2-space indent like DevTools' HAR writer; ``--minified`` writes the same
document on one line (which the loader's fast path cannot split, so it exercises the fallback).

    python benchmarks/generate.py --entries 50000 -o benchmarks/data/big.har   # ~ 450 MB
    python benchmarks/generate.py --size 100M -o /tmp/x.har

Same arguments, same bytes: every choice comes from one seeded ``random.Random``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

#: Mean base64 image body. DevTools entries are ~5.5 KB each before bodies (27 headers, initiator,
#: timings, all indented), so 10 % of entries with 32 KB images make 50,000 entries ~450 MB.
IMAGE_KB = 32.0
#: Bytes per generated entry with the default body mix (8,982 measured at 50,000); used by ``--size``,
#: rounded so that 450M means the 50,000-entry file.
BYTES_PER_ENTRY = 9_000

PAGE = "https://app.example.com"
API = "https://api.example.net"
CDN = "https://cdn.example-static.com"
OTHER = "https://widgets.partner.example"

UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/126.0.0.0 Safari/537.36")
SEC_CH_UA = '"Not/A)Brand";v="8", "Chromium";v="126", "Google Chrome";v="126"'


def _iso(when: datetime) -> str:
    """DevTools' Date.toJSON(): UTC, milliseconds, "Z"."""
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _request_headers(
    rng: random.Random, method: str, url: str, dest: str, mode: str, site: str,
    *, origin: str | None, accept: str, h2: bool, extra: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> list[dict[str, str]]:
    path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
    host = url.split("/")[2]
    pairs: list[tuple[str, str]] = []
    if h2:
        pairs += [(":authority", host), (":method", method), (":path", "/" + path), (":scheme", "https")]
    pairs += [
        ("accept", accept),
        ("accept-encoding", "gzip, deflate, br, zstd"),
        ("accept-language", rng.choice(["en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9"])),
    ]
    pairs += extra
    if origin:
        pairs.append(("origin", origin))
    pairs += [
        ("priority", rng.choice(["u=0, i", "u=1, i", "u=1", "u=2", "u=4"])),
        ("referer", PAGE + "/"),
        ("sec-ch-ua", SEC_CH_UA),
        ("sec-ch-ua-mobile", "?0"),
        ("sec-ch-ua-platform", '"Linux"'),
        ("sec-fetch-dest", dest),
        ("sec-fetch-mode", mode),
        ("sec-fetch-site", site),
        ("user-agent", UA),
    ]
    if not h2:  # HTTP/1.1 header names are written as sent, Title-Case
        pairs = [("-".join(p.capitalize() for p in n.split("-")), v) for n, v in pairs]
    return [{"name": n, "value": v} for n, v in pairs]


def _response_headers(
    rng: random.Random, mime: str, size: int, *, cors: list[tuple[str, str]] = (),  # type: ignore[assignment]
    when: datetime,
) -> list[dict[str, str]]:
    textual = mime.startswith(("text/", "application/"))
    pairs = [
        *cors,
        ("cache-control", rng.choice(["no-cache", "max-age=31536000, immutable", "private, max-age=0"])),
        ("content-encoding", "br") if textual else ("accept-ranges", "bytes"),
        ("content-length", str(size)),
        ("content-type", mime),
        ("date", when.strftime("%a, %d %b %Y %H:%M:%S GMT")),
        ("etag", f'W/"{rng.getrandbits(48):x}"'),
        ("server", rng.choice(["nginx", "cloudflare", "AmazonS3", "gunicorn"])),
        ("strict-transport-security", "max-age=63072000; includeSubDomains"),
        ("vary", "Accept-Encoding, Origin"),
        ("x-request-id", f"{rng.getrandbits(128):032x}"),
    ]
    return [{"name": n, "value": v} for n, v in pairs]


def _timings(rng: random.Random, total: float, blocked_only: bool = False) -> dict[str, float]:
    if blocked_only:  # what DevTools writes for a request that failed before any phase timing
        return {"blocked": round(total, 3), "dns": -1, "ssl": -1, "connect": -1, "send": 0, "wait": 0,
                "receive": 0, "_blocked_queueing": round(total * 0.9, 3), "_workerStart": -1,
                "_workerReady": -1, "_workerFetchStart": -1, "_workerRespondWithSettled": -1}
    wait = total * rng.uniform(0.5, 0.9)
    return {
        "blocked": round(total * 0.05, 3), "dns": -1, "ssl": -1, "connect": -1,
        "send": round(rng.uniform(0.05, 0.4), 3), "wait": round(wait, 3),
        "receive": round(total - wait - total * 0.05, 3), "_blocked_queueing": round(total * 0.04, 3),
        "_workerStart": -1, "_workerReady": -1, "_workerFetchStart": -1, "_workerRespondWithSettled": -1,
    }


class _Bodies:
    """Body text, made once per size class and sliced, so a 1 GB file does not cost 1 GB of random bytes."""

    def __init__(self, rng: random.Random) -> None:
        self._b64 = base64.b64encode(rng.randbytes(150_000)).decode("ascii")
        words = ["function", "return", "const", "let", "this", "await", "fetch", "data", "value", "items",
                 "=>", "{", "}", "(", ")", ";", "if", "else", "null", "true", "for", "of", "new", "Map"]
        self._js = " ".join(rng.choice(words) for _ in range(4_000))
        self._json_items = [{"id": i, "name": f"item-{i}", "price": round(rng.uniform(1, 500), 2),
                             "tags": ["a", "b", "ü"], "ok": i % 3 == 0} for i in range(40)]

    def base64(self, rng: random.Random, size: int) -> str:
        start = rng.randrange(0, len(self._b64) - size - 4) & ~3
        return self._b64[start:start + size]

    def script(self, rng: random.Random, size: int) -> str:
        start = rng.randrange(0, len(self._js) - size)
        return self._js[start:start + size]

    def json(self, rng: random.Random) -> str:
        n = rng.randint(1, len(self._json_items))
        doc = {"items": self._json_items[:n], "total": n}
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def _entry(rng: random.Random, bodies: _Bodies, n: int, when: datetime, page: str, image_share: float,
           image_kb: float) -> list[dict[str, Any]]:
    """One entry, or a preflight + its request (CORS requests with a preflight come as two)."""
    roll = rng.random()
    started = _iso(when)
    total = round(rng.uniform(5, 900), 3)
    h2 = rng.random() < 0.8
    http = "http/2.0" if h2 else "HTTP/1.1"
    base: dict[str, Any] = {}

    def entry(kind: str, initiator: dict[str, Any], request: dict[str, Any], response: dict[str, Any], *,
              ip: str = "203.0.113.10", time: float = total, timings: dict | None = None) -> dict[str, Any]:
        e = dict(base)
        e.update({
            "_connectionId": str(100_000 + n % 5000),
            "_initiator": initiator,
            "_priority": rng.choice(["VeryHigh", "High", "Medium", "Low"]),
            "_resourceType": kind,
            "cache": {},
            "connection": "443",
            "pageref": page,
            "request": request,
            "response": response,
            "serverIPAddress": ip,
            "startedDateTime": started,
            "time": time,
            "timings": timings or _timings(rng, total),
        })
        return e

    def request(method: str, url: str, headers: list, post: dict | None = None) -> dict[str, Any]:
        q = url.split("?", 1)[1] if "?" in url else ""
        r: dict[str, Any] = {
            "method": method, "url": url, "httpVersion": http, "headers": headers,
            "queryString": [{"name": k, "value": v}
                            for k, _, v in (p.partition("=") for p in q.split("&") if p)],
            "cookies": [], "headersSize": -1, "bodySize": len(post["text"]) if post else 0,
        }
        if post:
            r["postData"] = post
        return r

    def response(status: int, headers: list, mime: str, size: int, text: str | None = None,
                 encoding: str | None = None, error: str | None = None, version: str = http
                 ) -> dict[str, Any]:
        content: dict[str, Any] = {"size": size, "mimeType": mime}
        if text is not None:
            content["compression"] = size // 3 if encoding is None else 0
            content["text"] = text
            if encoding:
                content["encoding"] = encoding
        return {
            "status": status, "statusText": "" if h2 or status == 0 else "OK", "httpVersion": version,
            "headers": headers, "cookies": [], "content": content, "redirectURL": "",
            "headersSize": -1, "bodySize": size if status else 0,
            "_transferSize": size + 300 if status else 0,
            "_error": error, "_fetchedViaServiceWorker": False,
        }

    script_init = {"type": "script", "stack": {"callFrames": [
        {"functionName": rng.choice(["loadItems", "saveCart", "poll", ""]), "scriptId": str(10 + n % 90),
         "url": f"{PAGE}/static/js/main.{n % 7}.js", "lineNumber": rng.randint(1, 4000),
         "columnNumber": rng.randint(1, 200)}]}}
    parser_init = {"type": "parser", "url": PAGE + "/", "lineNumber": rng.randint(1, 300)}

    # About 15 % of entries are preflights made alongside another entry, so scale the share per call.
    call_share = min(image_share / 0.85, 1.0)
    if roll < call_share:  # image with its body inlined as base64
        mean = image_kb * 1024 * 3 / 4  # raw bytes whose base64 averages image_kb
        size = rng.randint(int(mean * 0.6), int(mean * 1.4))
        url = f"{CDN}/img/{rng.getrandbits(40):x}.{rng.choice(['png', 'jpg', 'webp'])}"
        mime = "image/" + url.rsplit(".", 1)[1].replace("jpg", "jpeg")
        req = _request_headers(rng, "GET", url, "image", "no-cors", "cross-site", origin=None,
                               accept="image/avif,image/webp,image/apng,image/*,*/*;q=0.8", h2=h2)
        text = bodies.base64(rng, (size + 2) // 3 * 4)
        resp = response(200, _response_headers(rng, mime, size, when=when), mime, size, text, "base64")
        return [entry("image", parser_init, request("GET", url, req), resp)]
    roll = (roll - call_share) / (1 - call_share) if call_share < 1 else 1.0
    if roll < 0.03:  # a navigation
        url = f"{PAGE}/{rng.choice(['', 'cart', 'account', 'search?q=shoes'])}"
        req = _request_headers(rng, "GET", url, "document", "navigate", "same-origin", origin=None,
                               accept="text/html,application/xhtml+xml,*/*;q=0.8", h2=h2)
        html = "<!doctype html><html><head><title>Shop</title></head><body>" + bodies.script(rng, 6000)
        headers = _response_headers(rng, "text/html", len(html), when=when)
        resp = response(200, headers, "text/html", len(html), html)
        return [entry("document", {"type": "other"}, request("GET", url, req), resp)]
    if roll < 0.38:  # scripts and stylesheets, body kept as text
        kind = "script" if rng.random() < 0.7 else "stylesheet"
        ext, mime = ("js", "application/javascript") if kind == "script" else ("css", "text/css")
        url = f"{rng.choice([PAGE, CDN])}/static/{kind}/chunk-{rng.getrandbits(32):08x}.{ext}"
        req = _request_headers(rng, "GET", url, kind.replace("stylesheet", "style"), "no-cors", "same-origin",
                               origin=None, accept="*/*", h2=h2)
        text = bodies.script(rng, rng.randint(300, 2_000))
        resp = response(200, _response_headers(rng, mime, len(text), when=when), mime, len(text), text)
        return [entry(kind, parser_init, request("GET", url, req), resp)]
    if roll < 0.63:  # images answered from the memory cache (no body in the HAR)
        url = f"{CDN}/icons/{rng.getrandbits(24):x}.svg"
        req = _request_headers(rng, "GET", url, "image", "no-cors", "cross-site", origin=None,
                               accept="image/*", h2=h2)
        resp = response(200, _response_headers(rng, "image/svg+xml", 900, when=when), "image/svg+xml", 900)
        e = entry("image", parser_init, request("GET", url, req), resp, ip="", time=0)
        return [{"_fromCache": "memory", **e}]
    if roll < 0.72:  # third-party beacons / fonts
        url = f"{OTHER}/collect?v=2&tid={rng.getrandbits(20)}"
        req = _request_headers(rng, "POST", url, "empty", "no-cors", "cross-site", origin=PAGE, accept="*/*",
                               h2=h2, extra=[("content-type", "text/plain;charset=UTF-8")])
        post = {"mimeType": "text/plain;charset=UTF-8", "text": f'{{"ev":"view","t":{n}}}'}
        resp = response(204, _response_headers(rng, "text/plain", 0, when=when), "text/plain", 0)
        return [entry("ping", script_init, request("POST", url, req, post), resp)]

    # fetch()/XHR to the API on another origin
    kind = "fetch" if rng.random() < 0.8 else "xhr"
    method = rng.choice(["GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH"])
    url = f"{API}/v1/{rng.choice(['items', 'cart', 'user', 'orders'])}/{rng.getrandbits(20)}"
    post = None
    extra = [("authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig")] if rng.random() < 0.3 else []
    if method in ("POST", "PUT", "PATCH"):
        post = {"mimeType": "application/json", "text": bodies.json(rng)[:400]}
        extra.append(("content-type", "application/json"))
    preflighted = bool(post) or bool(extra) or method not in ("GET", "POST")
    fails = rng.random() < 0.12  # ~3 % of all entries end up CORS failures
    failure = rng.choice(["no-acao", "mismatch", "preflight-404", "credentials"]) if fails else ""
    req = _request_headers(rng, method, url, "empty", "cors", "cross-site", origin=PAGE,
                           accept="application/json, text/plain, */*", h2=h2, extra=extra)
    out: list[dict[str, Any]] = []
    acao = [("access-control-allow-origin", PAGE), ("access-control-allow-credentials", "true")]
    if preflighted:
        pre_url = url
        req_names = ",".join(sorted(n for n, _ in extra))
        pre_req = _request_headers(rng, "OPTIONS", pre_url, "empty", "cors", "cross-site", origin=PAGE,
                                   accept="*/*", h2=h2,
                                   extra=[("access-control-request-method", method)]
                                   + ([("access-control-request-headers", req_names)] if req_names else []))
        if failure == "preflight-404":
            pre_resp = response(404, _response_headers(rng, "text/html", 150, when=when), "text/html", 150)
        else:
            allow = [("access-control-allow-origin", PAGE), ("access-control-allow-credentials", "true"),
                     ("access-control-allow-methods", "GET, POST, PUT, DELETE, PATCH"),
                     ("access-control-allow-headers", "authorization, content-type"),
                     ("access-control-max-age", "600")]
            headers = _response_headers(rng, "text/plain", 0, cors=allow, when=when)
            pre_resp = response(204, headers, "x-unknown", 0)
        pre_init = {"type": "preflight", "url": url, "requestId": f"{31440 + n % 7}.{n}"}
        pre = entry("preflight", pre_init, request("OPTIONS", pre_url, pre_req), pre_resp)
        pre["startedDateTime"] = _iso(when + timedelta(milliseconds=2))
        out_after = [pre]  # DevTools sorts by issue time: the actual request is issued first
    else:
        out_after = []
    if failure == "preflight-404":  # the actual request was never sent
        resp = response(0, [], "x-unknown", 0, error="net::ERR_FAILED", version="")
        out.append(entry(kind, script_init, request(method, url, req, post), resp, ip="",
                         timings=_timings(rng, total, blocked_only=True)))
    else:
        cors = {"no-acao": [], "mismatch": [("access-control-allow-origin", "https://app.example.org")],
                "credentials": [("access-control-allow-origin", "*")]}.get(failure, acao)
        body = bodies.json(rng)
        status = rng.choice([200, 200, 200, 201, 400, 500]) if failure else 200
        resp = response(status, _response_headers(rng, "application/json", len(body), cors=cors, when=when),
                        "application/json", len(body), None if failure else body,
                        error="net::ERR_FAILED" if failure else None, version="" if failure else http)
        out.append(entry(kind, script_init, request(method, url, req, post), resp))
    return out + out_after


def _page_numbers(count: int, seed: int) -> list[int]:
    """The page each entry belongs to: a new page load every ~500 entries."""
    rng = random.Random(seed * 7919 + 1)
    pages, page = [], 1
    for i in range(count):
        if i and rng.random() < 0.002:
            page += 1
        pages.append(page)
    return pages


def iter_entries(count: int, *, seed: int = 1, image_share: float = 0.10, image_kb: float = IMAGE_KB
                 ) -> Iterator[dict[str, Any]]:
    """``count`` entries, in DevTools' order (by issue time)."""
    rng = random.Random(seed)
    bodies = _Bodies(rng)
    pages = _page_numbers(count, seed)
    when = datetime(2024, 6, 30, 4, 14, 55, tzinfo=UTC)
    made = 0
    while made < count:
        when += timedelta(milliseconds=rng.randint(1, 400))
        made_now = _entry(rng, bodies, made, when, f"page_{pages[made]}", image_share, image_kb)
        for e in made_now[: count - made]:
            e["pageref"] = f"page_{pages[made]}"
            yield e
            made += 1


def write_har(path: str | os.PathLike[str], entries: int, *, seed: int = 1, image_share: float = 0.10,
              image_kb: float = IMAGE_KB, minified: bool = False) -> int:
    """Write a HAR with ``entries`` entries to ``path``, streaming; returns its size in bytes."""
    started = _iso(datetime(2024, 6, 30, 4, 14, 55, tzinfo=UTC))
    log = {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "pages": [{"startedDateTime": started, "id": f"page_{p}", "title": f"{PAGE}/",
                       "pageTimings": {"onContentLoad": 812.4, "onLoad": 1320.9}}
                      for p in sorted(set(_page_numbers(entries, seed)))],
            "entries": [],
        }
    }
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        if minified:
            head = json.dumps(log, ensure_ascii=False, separators=(",", ":"))
            out.write(head[: -len("[]}}")] + "[")
            sep, end = ",", "]}}"
        else:
            head = json.dumps(log, ensure_ascii=False, indent=2)
            cut = head.rindex('"entries": []') + len('"entries": [')
            out.write(head[:cut] + "\n")
            sep, end = ",\n", "\n    ]\n  }\n}"
        for i, e in enumerate(iter_entries(entries, seed=seed, image_share=image_share, image_kb=image_kb)):
            if i:
                out.write(sep)
            if minified:
                out.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")))
            else:
                out.write("      " + json.dumps(e, ensure_ascii=False, indent=2).replace("\n", "\n      "))
        out.write(end)
    return os.path.getsize(path)


def _parse_size(text: str) -> int:
    units = {"K": 10**3, "M": 10**6, "G": 10**9}
    text = text.strip().upper().rstrip("B")
    return int(float(text[:-1]) * units[text[-1]]) if text[-1:] in units else int(text)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--entries", type=int, help="number of entries")
    g.add_argument("--size", help="approximate file size, e.g. 10M, 450M, 1G")
    p.add_argument("-o", "--output", help="where to write (default: benchmarks/data/<entries>.har)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--image-share", type=float, default=0.10,
                   help="share of entries with a base64 image body (default 0.10)")
    p.add_argument("--image-kb", type=float, default=IMAGE_KB,
                   help=f"mean base64 image body in KB (default {IMAGE_KB})")
    p.add_argument("--minified", action="store_true", help="write one line (no indentation)")
    args = p.parse_args(argv)
    entries = args.entries or max(1, _parse_size(args.size) // BYTES_PER_ENTRY)
    out = args.output or os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                                      f"{entries}{'.min' if args.minified else ''}.har")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    size = write_har(out, entries, seed=args.seed, image_share=args.image_share, image_kb=args.image_kb,
                     minified=args.minified)
    print(f"{out}: {entries:,} entries, {size / 1e6:,.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""What the Firefox and WebKit captures share: the scenario server with a request log, call outcomes,
attributing console lines to calls, and the `firefox` / `webkit` keys of `<scenario>.expected.json`.

Neither browser gives a per-request CORS verdict the way CDP does, so a call's verdict is what the
page script saw (fetch rejected, XHR `error` event), and its console lines are found by the URL
each line names: calls run one at a time, but console lines can trail the promise that rejected,
so arrival order alone cannot split them.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import page
from . import server as scenario_server
from .scenarios import API_PORT, BY_NAME, PAGE_PORT, Call, Scenario

RESULTS_PATH = "/__harcors/results"

# WebKit cannot evaluate JS for us, so its copy of the page posts `window.__results` back once the
# page script has set the "done" title. Same-origin, after every call: it adds no console line.
_REPORTER = (
    "<script>\n(function report() {\n"
    f'  if (document.title !== "{page.DONE_TITLE}") {{ setTimeout(report, 25); return; }}\n'
    "  const x = new XMLHttpRequest();\n"
    f'  x.open("POST", "{RESULTS_PATH}");\n'
    "  x.send(JSON.stringify(window.__results));\n"
    "})();\n</script>\n"
)


@dataclass(frozen=True)
class Hit:
    """One request the scenario server answered."""

    method: str
    host: str
    path: str  # with the query string
    status: int
    location: str | None


@dataclass
class ServerState:
    """What the server saw for the scenario in flight; reset between scenarios."""

    hits: list[Hit] = field(default_factory=list)
    results: list[str] | None = None
    inject_reporter: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    posted: threading.Event = field(default_factory=threading.Event)

    def reset(self, inject_reporter: bool) -> None:
        with self.lock:
            self.hits.clear()
            self.results = None
            self.inject_reporter = inject_reporter
            self.posted.clear()


class _LoggingHandler(scenario_server._Handler):  # reuse the scenario server as it is
    """The scenario server's handler plus a request log and the results endpoint."""

    state: ServerState  # set on the subclass made per `serving()`

    # The base class binds its do_* names to its own _dispatch; rebind them to this one.
    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_patch = do_GET

    def _dispatch(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == RESULTS_PATH and self.command == "POST":
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with self.state.lock:
                self.state.results = json.loads(body or b"[]")
            self.state.posted.set()
            self.send_response(204)
            self.end_headers()
            return
        parts = path.split("/")
        if (self.state.inject_reporter and self.command == "GET" and len(parts) == 3
                and parts[1] == "s" and parts[2] in BY_NAME):
            text = page.page_html(BY_NAME[parts[2]]).replace("</body>", _REPORTER + "</body>")
            self._send_bytes(200, text.encode(), "text/html; charset=utf-8")
            return
        super()._dispatch()

    def _send_bytes(self, status: int, body: bytes, content_type: str | None,
                    headers: tuple[tuple[str, str], ...] = ()) -> None:
        location = next((v for k, v in headers if k.lower() == "location"), None)
        with self.state.lock:
            hit = Hit(self.command, self.headers.get("Host", ""), self.path, status, location)
            self.state.hits.append(hit)
        super()._send_bytes(status, body, content_type, headers)


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser we stop mid keep-alive resets its connections; that is not a server fault.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serving(wait_for_ports: float = 300) -> Iterator[ServerState]:
    """The scenario server on the fixed ports, logging what it answers."""
    state = ServerState()
    handler = type("Handler", (_LoggingHandler,), {"state": state})
    servers: list[_Server] = []
    try:
        for port in (PAGE_PORT, API_PORT):
            # The ports are fixed (they are in every recorded URL): wait out another capture run.
            deadline = time.monotonic() + wait_for_ports
            while True:
                try:
                    servers.append(_Server(("127.0.0.1", port), handler))
                    break
                except OSError as e:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"port {port} is busy ({e}); is another capture running?") from e
                    time.sleep(0.5)
        threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
        for t in threads:
            t.start()
        yield state
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()


# --- what each call did -----------------------------------------------------------------------

def hop_urls(scenario: Scenario, call: Call) -> list[str]:
    """The call's URL and every URL the scenario's routes redirect it to, in order."""
    urls = [scenario.expand(call.url)]
    prefix = f"/api/{scenario.name}/"
    while len(urls) < 6:
        parts = urllib.parse.urlsplit(urls[-1])
        if not parts.path.startswith(prefix):
            break
        route = scenario.routes.get(parts.path.removeprefix(prefix))
        reply = route.actual if route else None
        location = next((v for k, v in reply.headers if k.lower() == "location"), None) if reply else None
        if reply is None or not 300 <= reply.status < 400 or not location:
            break
        urls.append(urllib.parse.urljoin(urls[-1], scenario.expand(location)))
    return urls


def is_blocked(call: Call, result: str) -> bool:
    """Whether the page saw the call fail: a rejected fetch() or an XHR `error` event."""
    if call.api == "xhr":
        return not result.startswith("load ")
    return result.split(" ", 1)[0] not in ("basic", "cors", "opaque", "opaqueredirect", "default")


def _same_request(hit: Hit, url: str, method: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return hit.method == method and hit.host == parts.netloc and hit.path == target


@dataclass(frozen=True)
class CallTraffic:
    """What the server saw of one call."""

    status: int  # of the last response its request chain got; 0 if the request was never sent
    preflights: int  # OPTIONS requests the browser sent for it
    reached_server: bool  # the request or its preflight got an answer: the browser had a response to judge


def call_traffic(scenario: Scenario, hits: Sequence[Hit]) -> list[CallTraffic]:
    """Per call, from the server's log (calls run one at a time, so the k-th match is the k-th call).

    A redirect hop counts only if the browser followed it, i.e. the server saw the next hop. A
    preflight belongs to the first call whose actual request comes after it.
    """
    used: set[int] = set()
    out: list[CallTraffic] = []

    def take(url: str, method: str) -> int | None:
        for i, hit in enumerate(hits):
            if i not in used and _same_request(hit, url, method):
                used.add(i)
                return i
        return None

    for call in scenario.calls:
        url0 = scenario.expand(call.url)
        status, first = 0, None
        method = call.method
        for n, url in enumerate(hop_urls(scenario, call)):
            # A 301/302/303 turns a POST into a GET on the next hop; fetch keeps other methods.
            i = take(url, method)
            if i is None and n:
                i = take(url, "GET")
            if i is None:
                break
            first = i if first is None else first
            status = hits[i].status
        if first is None:  # never sent: every remaining preflight up to the next call's request
            later = [i for i, h in enumerate(hits) if i not in used and h.method != "OPTIONS"
                     and _same_request(h, url0, h.method)]
            first = later[0] if later else len(hits)
        preflights = [i for i, h in enumerate(hits[:first])
                      if i not in used and _same_request(h, url0, "OPTIONS")]
        used.update(preflights)
        out.append(CallTraffic(status, len(preflights), bool(status) or bool(preflights)))
    return out


# --- console lines per call ------------------------------------------------------------------

@dataclass
class LineGroup:
    """Console lines a browser printed for one failing request, and the URL they name."""

    url: str
    lines: list[str]
    error: bool = True  # False for a warning that does not block


def assign_groups(scenario: Scenario, blocked: Sequence[bool],
                  groups: Sequence[LineGroup]) -> list[list[str]]:
    """Give each line group to the call whose URL (or redirect hop) it names.

    When several calls share a URL, error groups go to the blocked ones in order, warnings to the
    next call with that URL that has no warning yet.
    """
    hops = [hop_urls(scenario, c) for c in scenario.calls]
    out: list[list[str]] = [[] for _ in scenario.calls]
    errored: set[int] = set()
    warned: set[int] = set()
    for group in groups:
        candidates = [i for i, urls in enumerate(hops) if group.url in urls]
        if not candidates:
            continue
        if group.error:
            pick = next((i for i in candidates if blocked[i] and i not in errored),
                        next((i for i in candidates if i not in errored), candidates[-1]))
            errored.add(pick)
        else:
            pick = next((i for i in candidates if i not in warned), candidates[-1])
            warned.add(pick)
        out[pick].extend(group.lines)
    return out


def requests_key(scenario: Scenario, results: Sequence[str], traffic: Sequence[CallTraffic],
                 messages: Sequence[Sequence[str]], reason: Any) -> list[dict[str, Any]]:
    """The `requests` list: one row per call, in call order (`reason` extracts a line's reason)."""
    rows = []
    for call, result, seen, lines in zip(scenario.calls, results, traffic, messages, strict=True):
        rows.append({
            "url": scenario.expand(call.url),
            "method": call.method,
            "initiator": call.api,
            # What the page script saw: a rejected fetch() or an XHR `error` event.
            "blocked": is_blocked(call, result),
            # False when nothing answered (connection refused, or refused before sending):
            # then the failure is not a verdict on any CORS header.
            "reached_server": seen.reached_server,
            "status": seen.status,
            "preflights": seen.preflights,
            "reason": reason(lines[0]) if lines else None,
            "messages": list(lines),
            "script_result": result,
        })
    return rows


def summary(key: dict[str, Any]) -> str:
    """One line per scenario for the capture log."""
    parts = []
    for r in key["requests"]:
        if r["blocked"]:
            parts.append(f"blocked:{r['reason']}" if r["reason"] else "failed, no console line")
        else:
            parts.append(f"ok:{r['status']}")
    return ", ".join(dict.fromkeys(parts))


# --- <scenario>.expected.json ----------------------------------------------------------------

def write_expected_key(sample_dir: Path, scenario: Scenario, key: str, value: dict[str, Any]) -> Path:
    """Set one browser's key in `<scenario>.expected.json`, keeping every other key as it is on disk."""
    path = sample_dir / f"{scenario.name}.expected.json"
    # Read right before writing: the Chromium capture may have rewritten the file meanwhile.
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        doc = {"scenario": scenario.name, "description": scenario.description,
               "tags": list(scenario.tags), "page": scenario.page_url}
    doc[key] = value
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


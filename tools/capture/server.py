"""The local scenario server: two loopback ports, answers straight from the scenario table.

One handler serves both ports; `http://localhost:8702` reaches the same listener as
`http://127.0.0.1:8702` but is a different origin to the browser.

Paths:
  /s/<scenario>              the scenario's page
  /s/<scenario>/frame        its sandboxed iframe, for the origin-"null" scenarios
  /static/<file>             css/js/images for the realistic sessions
  /api/<scenario>/<route>    the scenario's routes (query string ignored)
"""

from __future__ import annotations

import errno
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import page
from .scenarios import API_PORT, BY_NAME, PAGE_PORT, Reply, Scenario

SERVER_HEADER = "harcors-capture"

# An OPTIONS request to a route that declares no preflight answer: what a framework without
# CORS support typically does.
_NO_PREFLIGHT_ROUTE = Reply(405, (("Allow", "GET, POST"),), "Method Not Allowed", "text/plain")
_NOT_FOUND = Reply(404, body="Not Found", content_type="text/plain")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like any real server

    def version_string(self) -> str:
        return SERVER_HEADER  # no Python version: the corpus must not change with it

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = urllib.parse.urlsplit(self.path).path
        parts = path.split("/", 3)
        scenario = BY_NAME.get(parts[2]) if len(parts) > 2 else None
        if parts[1:2] == ["s"] and scenario and len(parts) == 3:
            self._send_bytes(200, page.page_html(scenario).encode(), "text/html; charset=utf-8")
        elif parts[1:2] == ["s"] and scenario and parts[3:] == ["frame"]:
            self._send_bytes(200, page.frame_html(scenario).encode(), "text/html; charset=utf-8")
        elif parts[1:2] == ["static"]:
            found = page.asset(path.removeprefix("/static/"))
            if found:
                self._send_bytes(200, found[0], found[1], (("Cache-Control", "no-store"),))
            else:
                self._send_reply(_NOT_FOUND, None)
        elif parts[1:2] == ["api"] and scenario and len(parts) == 4:
            route = scenario.routes.get(parts[3])
            if route is None:
                self._send_reply(_NOT_FOUND, scenario)
            elif self.command == "OPTIONS":
                self._send_reply(route.preflight or _NO_PREFLIGHT_ROUTE, scenario)
            else:
                self._send_reply(route.actual, scenario)
        else:
            self._send_reply(_NOT_FOUND, None)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _dispatch

    def do_patch(self) -> None:  # fetch() sends a lower-case `patch` as written
        self._dispatch()

    def _send_reply(self, reply: Reply, scenario: Scenario | None) -> None:
        expand = scenario.expand if scenario else (lambda s: s)
        headers = tuple((name, expand(value)) for name, value in reply.headers)
        self._send_bytes(reply.status, reply.body.encode(), reply.content_type, headers)

    def _send_bytes(
        self, status: int, body: bytes, content_type: str | None, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.send_response(status)  # status line, Server, Date
        for name, value in headers:  # in order, repeats kept: duplicate headers go on the wire
            self.send_header(name, value)
        if content_type:
            self.send_header("Content-Type", content_type)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True


def _bind(port: int, wait: float) -> _Server:
    # The ports are fixed (so captures are comparable); another capture run may hold them briefly.
    deadline = time.monotonic() + wait
    while True:
        try:
            return _Server(("127.0.0.1", port), _Handler)
        except OSError as e:
            if e.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                raise OSError(
                    e.errno, f"cannot listen on 127.0.0.1:{port} ({e.strerror}); is another capture running?"
                ) from e
            time.sleep(0.5)


@contextmanager
def serving(wait: float = 300) -> Iterator[None]:
    """Run the scenario server on 127.0.0.1:PAGE_PORT and :API_PORT for the duration.

    Waits up to `wait` seconds for the ports if another run holds them.
    """
    servers: list[_Server] = []
    try:
        for port in (PAGE_PORT, API_PORT):
            servers.append(_bind(port, wait))
    except OSError:
        for s in servers:
            s.server_close()
        raise
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()
    try:
        yield
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()
        for t in threads:
            t.join()

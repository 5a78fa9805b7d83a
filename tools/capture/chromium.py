"""Drive Debian's Chromium over the DevTools protocol and collect raw events per scenario.

One browser per run; each scenario gets a fresh browser context (its own network context,
so connection pool, HTTP cache and CORS preflight cache start empty) and one tab. The tab
auto-attaches its out-of-process frames (a sandboxed iframe is one), so their network and
console events are collected too, as the DevTools Network panel shows them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets

from .page import DONE_TITLE

CHROMIUM = "/usr/bin/chromium"

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # needed as root; the network is loopback-only anyway
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
)

# What DevTools' Network panel enables; without a post-data limit CDP omits request bodies.
_NETWORK_ENABLE = {
    "maxTotalBufferSize": 10_000_000,
    "maxResourceBufferSize": 5_000_000,
    "maxPostDataSize": 65_536,
}
_DOMAINS = ("Network", "Log", "Runtime", "Page", "Audits")


class CaptureError(RuntimeError):
    pass


@dataclass
class RawCapture:
    """Everything the browser told us about one scenario, in arrival order."""

    version: str  # e.g. "156.0.8078.108"
    user_agent: str
    events: list[dict[str, Any]] = field(default_factory=list)  # {"method", "params", "sessionId"}
    bodies: dict[str, tuple[str, bool]] = field(default_factory=dict)  # requestId -> (body, base64)
    results: list[str] = field(default_factory=list)  # what the page script saw, per call


class _Cdp:
    """A minimal flattened-session CDP client."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self._ws = ws
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.listeners: list[Any] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self._ws:
            msg = json.loads(raw)
            if "id" in msg:
                fut = self._pending.pop(msg["id"], None)
                if fut and not fut.done():
                    fut.set_result(msg)
            else:
                for listener in list(self.listeners):
                    listener(msg)

    async def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session_id: str | None = None,
        timeout: float = 20,
    ) -> dict[str, Any]:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session_id:
            msg["sessionId"] = session_id
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = fut
        await self._ws.send(json.dumps(msg))
        reply = await asyncio.wait_for(fut, timeout)
        if "error" in reply:
            raise CaptureError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    async def close(self) -> None:
        self._reader.cancel()
        await self._ws.close()


class Chromium:
    """A headless Chromium process with a CDP connection; use as an async context manager."""

    def __init__(self, executable: str = CHROMIUM) -> None:
        self.executable = executable
        self._proc: subprocess.Popen[bytes] | None = None
        self._profile: str | None = None
        self._cdp: _Cdp | None = None
        self.version = ""
        self.user_agent = ""

    async def __aenter__(self) -> Chromium:
        if not os.access(self.executable, os.X_OK):
            raise CaptureError(
                f"{self.executable} not found or not executable: install Debian's "
                "`chromium` package (apt-get install chromium)"
            )
        self._profile = tempfile.mkdtemp(prefix="harcors-chromium-")
        self._proc = subprocess.Popen(
            [
                self.executable,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={self._profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            url = await self._devtools_url()
            ws = await websockets.connect(url, max_size=None, ping_interval=None)
            self._cdp = _Cdp(ws)
            info = await self._cdp.send("Browser.getVersion")
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        self.version = info["product"].split("/", 1)[1]
        self.user_agent = info["userAgent"]
        return self

    async def _devtools_url(self) -> str:
        # With --remote-debugging-port=0 Chromium picks a free port and writes it here.
        port_file = Path(self._profile or "", "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._proc and self._proc.poll() is not None:
                raise CaptureError(f"{self.executable} exited with status {self._proc.returncode}")
            try:
                port, path = port_file.read_text().split()[:2]
                return f"ws://127.0.0.1:{port}{path}"
            except (OSError, ValueError):
                await asyncio.sleep(0.05)
        raise CaptureError("Chromium did not open its DevTools port within 30 s")

    async def __aexit__(self, *exc: object) -> None:
        if self._cdp:
            with contextlib.suppress(Exception):  # closing anyway
                await asyncio.wait_for(self._cdp.send("Browser.close"), 5)
            await self._cdp.close()
            self._cdp = None
        if self._proc:
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        if self._profile:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    async def capture(self, url: str, timeout: float = 20, settle: float = 0.4) -> RawCapture:
        """Load `url` in a fresh context, wait for the page's "done" signal, return the events."""
        assert self._cdp, "use `async with Chromium()`"
        cdp = self._cdp
        out = RawCapture(self.version, self.user_agent)
        sessions: set[str] = set()
        open_requests: dict[str, str] = {}  # requestId -> sessionId, until finished/failed
        finished: dict[str, str] = {}  # requestId -> sessionId, loaded with a body
        setups: list[asyncio.Task[None]] = []

        async def setup(session: str, child: bool) -> None:
            await cdp.send("Network.enable", _NETWORK_ENABLE, session)
            for domain in _DOMAINS[1:]:
                await cdp.send(f"{domain}.enable", {}, session)
            await cdp.send(
                "Target.setAutoAttach",
                {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True},
                session,
            )
            if child:
                await cdp.send("Runtime.runIfWaitingForDebugger", {}, session)

        async def setup_child(session: str) -> None:
            with contextlib.suppress(TimeoutError, CaptureError):  # the frame went away meanwhile
                await setup(session, True)

        def on_event(msg: dict[str, Any]) -> None:
            session = msg.get("sessionId")
            if session not in sessions:
                return
            method, params = msg["method"], msg.get("params", {})
            if method == "Target.attachedToTarget":
                child = params["sessionId"]
                sessions.add(child)
                setups.append(asyncio.create_task(setup_child(child)))
            out.events.append({"method": method, "params": params, "sessionId": session})
            rid = params.get("requestId")
            if method == "Network.requestWillBeSent":
                open_requests[rid] = session
            elif method in ("Network.loadingFinished", "Network.loadingFailed"):
                open_requests.pop(rid, None)
                if method == "Network.loadingFinished":
                    finished[rid] = session

        context = (await cdp.send("Target.createBrowserContext", {"disposeOnDetach": True}))[
            "browserContextId"
        ]
        try:
            target = (
                await cdp.send("Target.createTarget", {"url": "about:blank", "browserContextId": context})
            )["targetId"]
            session = (await cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True}))[
                "sessionId"
            ]
            sessions.add(session)
            cdp.listeners.append(on_event)
            try:
                await setup(session, False)
                await cdp.send("Page.navigate", {"url": url}, session)
                await self._wait_done(session, timeout)
                # Console lines and loadingFinished can trail the script's last await.
                deadline = time.monotonic() + 5
                await asyncio.sleep(settle)
                while open_requests and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.1)
                got = await cdp.send(
                    "Runtime.evaluate",
                    {"expression": "JSON.stringify(window.__results)", "returnByValue": True},
                    session,
                )
                out.results = json.loads(got["result"].get("value") or "[]")
                for rid, sid in finished.items():
                    try:
                        body = await cdp.send("Network.getResponseBody", {"requestId": rid}, sid)
                    except CaptureError:
                        continue  # redirects, preflights and empty answers have no stored body
                    out.bodies[rid] = (body["body"], body["base64Encoded"])
            finally:
                cdp.listeners.remove(on_event)
                for task in setups:
                    task.cancel()
                await cdp.send("Target.closeTarget", {"targetId": target})
        finally:
            await cdp.send("Target.disposeBrowserContext", {"browserContextId": context})
        return out

    async def _wait_done(self, session: str, timeout: float) -> None:
        assert self._cdp
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = await self._cdp.send("Runtime.evaluate", {"expression": "document.title"}, session)
            if got["result"].get("value") == DONE_TITLE:
                return
            await asyncio.sleep(0.05)
        raise CaptureError(f"page did not finish within {timeout} s")

"""Run the scenarios in Debian's firefox-esr over WebDriver BiDi and keep Firefox's own HAR.

How (see ../shared/research/firefox-webkit-observed.md): `firefox-esr --headless
--remote-debugging-port N --remote-allow-system-access`; BiDi `log.entryAdded` carries the
CORS console lines; the HAR is Firefox's DevTools auto-export
(`devtools.netmonitor.har.enableAutoExportToFile`), which only runs while the DevTools toolbox
is open on the tab, so a chrome-scope `script.evaluate` opens it before the first navigation.
The file is written about 1.5 s after the network goes quiet.

A fresh browser (and profile) per scenario, about 4 s each: nothing carries over from one scenario
to the next (Firefox numbers HAR pages per process, so each HAR starts at `page_1` as a user's does).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets

from .firefox_webkit import (
    LineGroup,
    ServerState,
    assign_groups,
    call_traffic,
    is_blocked,
    requests_key,
    serving,
    summary,
    write_expected_key,
)
from .page import DONE_TITLE
from .scenarios import Scenario

FIREFOX = "/usr/bin/firefox-esr"
HAR_NAME = "capture"  # Firefox appends ".har"

_PREFS: dict[str, object] = {
    # Firefox stalls at start-up calling home; a dead proxy for everything but loopback stops that.
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.http_port": 9,
    "network.proxy.ssl": "127.0.0.1",
    "network.proxy.ssl_port": 9,
    "network.proxy.no_proxies_on": "127.0.0.1,localhost",
    "network.proxy.allow_hijacking_localhost": False,
    "app.update.enabled": False,
    "app.normandy.enabled": False,
    "browser.shell.checkDefaultBrowser": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.enabled": False,
    "extensions.update.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    # Firefox's own HAR, written when the page's network goes quiet.
    "devtools.netmonitor.har.enableAutoExportToFile": True,
    "devtools.netmonitor.har.defaultFileName": HAR_NAME,
    "devtools.netmonitor.har.includeResponseBodies": True,
}

# The DevTools loader is only reachable from chrome scope (needs --remote-allow-system-access).
_OPEN_TOOLBOX = """(async () => {
  const { require } = ChromeUtils.importESModule("resource://devtools/shared/loader/Loader.sys.mjs");
  const { gDevTools } = require("devtools/client/framework/devtools");
  const toolbox = await gDevTools.showToolboxForTab(gBrowser.selectedTab, { toolId: "netmonitor" });
  return toolbox.currentToolId;
})()"""

# `‘url’.` only for the credentials-with-* reason; the same-origin-mode error has its own form.
_URL_IN_LINE = re.compile(r"remote resource at ‘?(?P<a>\S+?)’?\. \(Reason:"
                          r"|may not load data from (?P<b>\S+?)\.$")
_CORS_LINE_PREFIXES = ("Cross-Origin Request Blocked:", "Security Error: Content at")


class CaptureError(RuntimeError):
    pass


@dataclass
class FirefoxRaw:
    """What Firefox showed for one scenario."""

    version: str
    logs: list[dict[str, Any]] = field(default_factory=list)  # BiDi log.entryAdded params, in arrival order
    results: list[str] = field(default_factory=list)  # the page script's outcome per call
    har: dict[str, Any] | None = None
    har_text: str | None = None  # the file exactly as Firefox wrote it


class _Bidi:
    """A minimal WebDriver BiDi client."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self._ws = ws
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self._ws:
            msg = json.loads(raw)
            if msg.get("type") in ("success", "error") and msg.get("id") in self._pending:
                fut = self._pending.pop(msg["id"])
                if not fut.done():
                    fut.set_result(msg)
            elif msg.get("type") == "event":
                self.events.append(msg)

    async def send(self, method: str, params: dict[str, Any], timeout: float = 20) -> dict[str, Any]:
        self._next_id += 1
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = fut
        try:
            await self._ws.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        except websockets.ConnectionClosed as e:
            raise CaptureError(f"{method}: Firefox closed the connection") from e
        try:
            reply = await asyncio.wait_for(fut, timeout)
        except TimeoutError as e:
            raise CaptureError(f"{method}: no answer from Firefox within {timeout} s") from e
        if reply["type"] == "error":
            raise CaptureError(f"{method}: {reply.get('error')}: {reply.get('message')}")
        return reply["result"]

    async def evaluate(self, context: str, expression: str, **extra: Any) -> Any:
        got = await self.send("script.evaluate", {"expression": expression, "target": {"context": context},
                                                  "awaitPromise": True, **extra})
        if got.get("type") == "exception":
            raise CaptureError(f"script error: {got['exceptionDetails'].get('text')}")
        return got["result"].get("value")

    async def close(self) -> None:
        self._reader.cancel()
        await self._ws.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Firefox:
    """A headless firefox-esr with a BiDi session and the DevTools toolbox open; an async context manager."""

    def __init__(self, executable: str = FIREFOX) -> None:
        self.executable = executable
        self.version = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._profile: Path | None = None
        self._bidi: _Bidi | None = None
        self._tab = ""  # the browsing context of the one tab, where the toolbox is open

    @property
    def har_dir(self) -> Path:
        assert self._profile
        return self._profile / "har"

    async def __aenter__(self) -> Firefox:
        if not os.access(self.executable, os.X_OK):
            raise CaptureError(f"{self.executable} not found: install Debian's `firefox-esr` package "
                               "(apt-get install firefox-esr)")
        self._profile = Path(tempfile.mkdtemp(prefix="harcors-firefox-"))
        self.har_dir.mkdir()
        prefs = {**_PREFS, "devtools.netmonitor.har.defaultLogDir": str(self.har_dir)}
        (self._profile / "user.js").write_text(
            "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items()))
        port = _free_port()
        self._proc = subprocess.Popen(
            [self.executable, "--headless", "--no-remote", "--remote-debugging-port", str(port),
             "--remote-allow-system-access", "--profile", str(self._profile), "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            ws = await self._connect(port)
            self._bidi = _Bidi(ws)
            session = await self._bidi.send("session.new", {"capabilities": {}})
            self.version = session["capabilities"]["browserVersion"]
            await self._bidi.send("session.subscribe", {"events": ["log.entryAdded"]})
            tree = await self._bidi.send("browsingContext.getTree", {})
            self._tab = tree["contexts"][0]["context"]
            chrome = await self._bidi.send("browsingContext.getTree", {"moz:scope": "chrome"})
            window = chrome["contexts"][0]["context"]
            tool = await self._bidi.evaluate(window, _OPEN_TOOLBOX, **{"moz:scope": "chrome"})
            if tool != "netmonitor":
                raise CaptureError(f"DevTools opened {tool!r}, not the network monitor")
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def _connect(self, port: int) -> websockets.ClientConnection:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if self._proc and self._proc.poll() is not None:
                raise CaptureError(f"{self.executable} exited with status {self._proc.returncode}")
            try:
                return await websockets.connect(f"ws://127.0.0.1:{port}/session", max_size=None,
                                                ping_interval=None)
            except OSError:
                await asyncio.sleep(0.1)
        raise CaptureError("Firefox did not open its WebDriver BiDi port within 40 s")

    async def __aexit__(self, *exc: object) -> None:
        asked = False
        if self._bidi:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._bidi.send("browser.close", {}), 5)
                asked = True
            with contextlib.suppress(Exception):
                await self._bidi.close()
            self._bidi = None
        if self._proc:
            if not asked:  # no session to ask: end it (it leads its own process group)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                await asyncio.to_thread(self._proc.wait, 10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):  # it leads its own process group
                    os.killpg(self._proc.pid, signal.SIGKILL)
                await asyncio.to_thread(self._proc.wait)
            self._proc = None
        if self._profile:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    async def capture(self, url: str, timeout: float = 20, settle: float = 0.5,
                      har_timeout: float = 15) -> FirefoxRaw:
        """Load `url` (once per browser), wait for the page's "done" title, then for Firefox's HAR of it."""
        assert self._bidi, "use `async with Firefox()`"
        bidi = self._bidi
        for old in self.har_dir.iterdir():
            old.unlink()
        first_event = len(bidi.events)
        await bidi.send("browsingContext.navigate", {"context": self._tab, "url": url, "wait": "none"})
        deadline = time.monotonic() + timeout
        while await bidi.evaluate(self._tab, "document.title") != DONE_TITLE:
            if time.monotonic() > deadline:
                raise CaptureError(f"{url}: the page did not finish within {timeout} s")
            await asyncio.sleep(0.05)
        out = FirefoxRaw(self.version)
        out.results = json.loads(await bidi.evaluate(self._tab, "JSON.stringify(window.__results)"))
        await asyncio.sleep(settle)  # console lines can trail the promise that rejected
        await self._wait_for_har(url, out, har_timeout)
        out.logs = [e["params"] for e in bidi.events[first_event:] if e.get("method") == "log.entryAdded"]
        return out

    async def _wait_for_har(self, url: str, out: FirefoxRaw, har_timeout: float) -> None:
        har_file = self.har_dir / f"{HAR_NAME}.har"
        deadline = time.monotonic() + har_timeout
        while out.har is None:
            if time.monotonic() > deadline:
                raise CaptureError(f"{url}: Firefox wrote no HAR within {har_timeout} s")
            await asyncio.sleep(0.1)
            try:
                text = har_file.read_text(encoding="utf-8")
                har = json.loads(text)
            except (OSError, ValueError):
                continue  # not there yet, or still being written
            if any(e.get("request", {}).get("url") == url for e in har["log"].get("entries", [])):
                out.har, out.har_text = har, text


# --- from raw capture to the expected.json key ------------------------------------------------------

def console_lines(raw: FirefoxRaw) -> list[str]:
    """Every console line, in arrival order: the browser's own and the page's."""
    return [e.get("text") or "" for e in raw.logs]


def reason(line: str) -> str:
    """The `(Reason: …)` of a Firefox CORS line, or the whole line when it has none."""
    m = re.search(r"\(Reason: (.*)\)\.", line)
    return m.group(1) if m else line


def line_groups(raw: FirefoxRaw) -> list[LineGroup]:
    """Firefox's CORS lines grouped per failing request.

    A failed preflight prints the reason, then `(Reason: CORS request did not succeed). Status code:
    (null).` for the same URL; that second line belongs to the group before it.
    """
    groups: list[LineGroup] = []
    for entry in raw.logs:
        text = entry.get("text") or ""
        if entry.get("type") != "javascript":
            continue
        m = _URL_IN_LINE.search(text)
        if not m:
            continue
        url = m.group("a") or m.group("b")
        error = text.startswith(_CORS_LINE_PREFIXES)
        follow_up = "(Reason: CORS request did not succeed)" in text
        last = next((g for g in reversed(groups) if g.url == url), None)
        if (follow_up and last is not None and len(last.lines) == 1
                and "(Reason: CORS request did not succeed)" not in last.lines[0]):
            last.lines.append(text)
        else:
            groups.append(LineGroup(url, [text], error))
    return groups


def expected_key(scenario: Scenario, raw: FirefoxRaw, state: ServerState) -> dict[str, Any]:
    blocked = [is_blocked(c, r) for c, r in zip(scenario.calls, raw.results, strict=True)]
    messages = assign_groups(scenario, blocked, line_groups(raw))
    return {
        "version": raw.version,
        "har": f"{scenario.name}.firefox.har",
        "console": console_lines(raw),
        "requests": requests_key(scenario, raw.results, call_traffic(scenario, state.hits), messages, reason),
    }


async def _launch() -> Firefox | CaptureError:
    try:
        return await Firefox().__aenter__()
    except CaptureError as e:
        return e


async def _capture_all(scenarios: list[Scenario], sample_dir: Path, log: Callable[[str], None]) -> list[str]:
    failed: list[str] = []
    closing: list[asyncio.Task[None]] = []
    # Starting Firefox and opening DevTools takes most of the time (~6 s): the next scenario's
    # browser starts while this one captures (it touches no scenario port); old ones close meanwhile.
    upcoming = asyncio.create_task(_launch())
    with serving() as state:
        try:
            for scenario in scenarios:
                raw: FirefoxRaw | None = None
                problem = ""
                for _attempt in range(2):  # one retry: a browser that stalls at start-up is rare but real
                    launched = await upcoming
                    upcoming = asyncio.create_task(_launch())  # the last one is closed unused
                    if isinstance(launched, CaptureError):
                        problem = str(launched)
                        continue
                    state.reset(inject_reporter=False)
                    try:
                        raw = await launched.capture(scenario.page_url)
                    except CaptureError as e:
                        problem = str(e)
                    finally:
                        closing.append(asyncio.create_task(launched.__aexit__(None, None, None)))
                    if raw is not None:
                        break
                if raw is None:
                    log(f"firefox  {scenario.name:45} FAILED: {problem}")
                    write_expected_key(sample_dir, scenario, "firefox", {"skipped": problem})
                    failed.append(scenario.name)
                    continue
                assert raw.har_text is not None
                (sample_dir / f"{scenario.name}.firefox.har").write_text(raw.har_text, encoding="utf-8")
                key = expected_key(scenario, raw, state)
                write_expected_key(sample_dir, scenario, "firefox", key)
                log(f"firefox  {scenario.name:45} {summary(key)}")
        finally:
            upcoming.cancel()  # a browser still starting is stopped; one already up is closed
            leftover = None
            with contextlib.suppress(asyncio.CancelledError):
                leftover = await upcoming
            if isinstance(leftover, Firefox):
                closing.append(asyncio.create_task(leftover.__aexit__(None, None, None)))
            await asyncio.gather(*closing)
    return failed


def capture_all(scenarios: list[Scenario], sample_dir: Path, log: Callable[[str], None] = print) -> list[str]:
    """Capture each scenario: `<name>.firefox.har` and the `firefox` key of its expected.json.

    Returns the names that failed (their key then says why, under `skipped`).
    """
    sample_dir.mkdir(parents=True, exist_ok=True)
    return asyncio.run(_capture_all(scenarios, sample_dir, log))

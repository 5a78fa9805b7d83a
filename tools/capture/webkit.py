"""Run the scenarios in WebKitGTK's MiniBrowser (the engine of Safari) under Xvfb; keep its console lines.

How (see ../shared/research/firefox-webkit-observed.md): MiniBrowser ships in
`libwebkit2gtk-4.1-0` but not on PATH; with the WebKitSettings option
`--enable-write-console-messages-to-stdout=true` every console message arrives on its
**stderr** as `CONSOLE <SOURCE> <LEVEL> <text>` (prefixed `url:line:col: ` when it has a
source location). WebKit has no HAR export here, and MiniBrowser cannot evaluate JS for us,
so the page gets a small reporter that posts `window.__results` back to the scenario server.

A fresh MiniBrowser per scenario (cheap, about a second), all on one Xvfb display; HOME and the
XDG directories point at a temporary directory so no cache or cookie outlives the run.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
from .scenarios import Scenario

LIBDIRS = ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib")
XVFB = "/usr/bin/Xvfb"

# `url:line:col: CONSOLE LOG text` or `CONSOLE SECURITY ERROR text`
# console.log() and friends print no source word: `CONSOLE LOG text`.
_CONSOLE = re.compile(r"^(?:(?P<where>\S+:\d+:\d+): )?CONSOLE (?:(?P<source>[A-Z]+) )?"
                      r"(?P<level>LOG|INFO|WARN|WARNING|ERROR|DEBUG) (?P<text>.*)$")
# The loader's line that closes every failed fetch/XHR (WebCore ThreadableLoader::logError).
_CANNOT_LOAD = re.compile(r"^(?:Fetch API|XMLHttpRequest|EventSource) cannot load (?P<url>\S+?)"
                          r"(?: due to access control checks)?\.$")


class CaptureError(RuntimeError):
    pass


def minibrowser_path() -> str:
    for d in LIBDIRS:
        p = os.path.join(d, "webkit2gtk-4.1", "MiniBrowser")
        if os.access(p, os.X_OK):
            return p
    raise CaptureError("WebKitGTK's MiniBrowser not found: install Debian's `libwebkit2gtk-4.1-0` package "
                       "(apt-get install libwebkit2gtk-4.1-0)")


@dataclass(frozen=True)
class ConsoleLine:
    source: str  # SECURITY, JS, NETWORK, ...; CONSOLE-API for the page's own console calls
    level: str  # ERROR, WARN, LOG, ...
    text: str
    where: str | None = None


@dataclass
class WebKitRaw:
    version: str
    lines: list[ConsoleLine] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    stderr: str = ""


def parse_console(stderr: str) -> list[ConsoleLine]:
    """WebKit's console messages from MiniBrowser's stderr.

    A line without the `CONSOLE` prefix continues the message before it (multi-line messages).
    """
    out: list[ConsoleLine] = []
    for raw in stderr.splitlines():
        m = _CONSOLE.match(raw)
        if m:
            out.append(ConsoleLine(m["source"] or "CONSOLE-API", m["level"], m["text"], m["where"]))
        elif out and raw and not raw.startswith("(MiniBrowser:") and not raw.startswith("** "):
            last = out[-1]
            out[-1] = ConsoleLine(last.source, last.level, last.text + "\n" + raw, last.where)
    return out


class WebKit:
    """An Xvfb display for MiniBrowser runs; a context manager."""

    def __init__(self) -> None:
        self.executable = minibrowser_path()
        if not os.access(XVFB, os.X_OK):
            raise CaptureError(f"{XVFB} not found: install Debian's `xvfb` package (apt-get install xvfb)")
        self.version = ""
        self._xvfb: subprocess.Popen[bytes] | None = None
        self._home: str | None = None
        self._env: dict[str, str] = {}

    def __enter__(self) -> WebKit:
        self._home = tempfile.mkdtemp(prefix="harcors-webkit-")
        read_fd, write_fd = os.pipe()
        # -displayfd: Xvfb picks a free display and writes its number once it accepts clients.
        self._xvfb = subprocess.Popen([XVFB, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24",
                                       "-nolisten", "tcp"], pass_fds=(write_fd,),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      start_new_session=True)
        os.close(write_fd)
        try:
            with os.fdopen(read_fd) as f:
                display = f.readline().strip()
            if not display:
                raise CaptureError("Xvfb did not start")
            home = self._home
            self._env = {**os.environ, "DISPLAY": f":{display}", "HOME": home,
                         "XDG_CACHE_HOME": f"{home}/cache", "XDG_DATA_HOME": f"{home}/data",
                         "XDG_CONFIG_HOME": f"{home}/config", "XDG_RUNTIME_DIR": home,
                         "LIBGL_ALWAYS_SOFTWARE": "1", "WEBKIT_DISABLE_COMPOSITING_MODE": "1",
                         "GTK_A11Y": "none", "NO_AT_BRIDGE": "1"}
            got = subprocess.run([self.executable, "--version"], env=self._env, capture_output=True,
                                 text=True, timeout=30)
            self.version = got.stdout.strip().removeprefix("WebKitGTK ").strip()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._xvfb:
            _stop(self._xvfb)
            self._xvfb = None
        if self._home:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None

    def capture(self, url: str, state: ServerState, timeout: float = 20, settle: float = 0.5) -> WebKitRaw:
        """Load `url` in a fresh MiniBrowser; wait for the page's results, then for trailing lines."""
        assert self._home, "use `with WebKit()`"
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen([self.executable, "--enable-write-console-messages-to-stdout=true", url],
                                    env=self._env, stdout=subprocess.DEVNULL, stderr=err,
                                    start_new_session=True)
            try:
                deadline = time.monotonic() + timeout
                while not state.posted.wait(0.05):
                    if proc.poll() is not None:
                        raise CaptureError(f"MiniBrowser exited with status {proc.returncode}")
                    if time.monotonic() > deadline:
                        raise CaptureError(f"{url}: the page did not finish within {timeout} s")
                time.sleep(settle)  # console lines can trail the promise that rejected
            finally:
                _stop(proc)
            err.seek(0)
            stderr = err.read().decode("utf-8", "replace")
        out = WebKitRaw(self.version, parse_console(stderr), list(state.results or []), stderr)
        return out


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End a process we started and its helpers: it leads its own process group (start_new_session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# --- from raw capture to the expected.json key ------------------------------------------------------

def line_groups(raw: WebKitRaw) -> list[LineGroup]:
    """The reason line(s) WebKit prints before each `… cannot load <url> …` line, with that line."""
    groups: list[LineGroup] = []
    pending: list[str] = []
    for line in raw.lines:
        if line.source == "SECURITY" and line.level == "ERROR":
            pending.append(line.text)
        elif line.source == "JS" and line.level == "ERROR" and (m := _CANNOT_LOAD.match(line.text)):
            groups.append(LineGroup(m["url"], [*pending, line.text]))
            pending = []
    return groups


def console_lines(raw: WebKitRaw) -> list[str]:
    """Every console line, in order, as Web Inspector shows it (without the stderr prefix)."""
    return [line.text for line in raw.lines]


def reason(line: str) -> str:
    """A WebKit reason line is the reason itself."""
    return line


def expected_key(scenario: Scenario, raw: WebKitRaw, state: ServerState) -> dict[str, Any]:
    blocked = [is_blocked(c, r) for c, r in zip(scenario.calls, raw.results, strict=True)]
    messages = assign_groups(scenario, blocked, line_groups(raw))
    return {
        "version": raw.version,
        "console": console_lines(raw),
        "requests": requests_key(scenario, raw.results, call_traffic(scenario, state.hits), messages, reason),
    }


def capture_all(scenarios: list[Scenario], sample_dir: Path, log: Callable[[str], None] = print) -> list[str]:
    """Capture each scenario and write the `webkit` key of its expected.json.

    Returns the names that failed (their key then says why, under `skipped`).
    """
    sample_dir.mkdir(parents=True, exist_ok=True)
    failed: list[str] = []
    with serving() as state, WebKit() as webkit:
        for scenario in scenarios:
            raw: WebKitRaw | None = None
            problem = ""
            for _attempt in range(2):
                state.reset(inject_reporter=True)
                try:
                    raw = webkit.capture(scenario.page_url, state)
                    break
                except CaptureError as e:
                    problem = str(e)
            if raw is None:
                log(f"webkit   {scenario.name:45} FAILED: {problem}")
                write_expected_key(sample_dir, scenario, "webkit", {"skipped": problem})
                failed.append(scenario.name)
                continue
            key = expected_key(scenario, raw, state)
            write_expected_key(sample_dir, scenario, "webkit", key)
            log(f"webkit   {scenario.name:45} {summary(key)}")
    return failed

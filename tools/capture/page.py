"""The HTML page each scenario loads, with its calls written out as literal JS.

The calls are spelled out (`fetch("…", {…})`) rather than interpreted from data so the
initiator stack in the HAR points at readable code, as it would in a real app. They run
one after another; each result ("cors 200", "TypeError: Failed to fetch", "load 200",
"error 0") is collected and the page sets `document.title = "done"` when all settled.
The page never writes to the console itself: every console line in the capture is the
browser's own.
"""

from __future__ import annotations

import html
import json
import struct
import zlib

from .scenarios import Call, Scenario

DONE_TITLE = "done"

_HELPERS = """\
function settle(p) {
  return p.then(async (r) => { await r.text(); return r.type + " " + r.status; },
                (e) => e.name + ": " + e.message);
}
function xhr(method, url, headers, withCredentials, body) {
  return new Promise((resolve) => {
    const x = new XMLHttpRequest();
    x.open(method, url);
    x.withCredentials = withCredentials;
    for (const [name, value] of Object.entries(headers)) x.setRequestHeader(name, value);
    x.onload = () => resolve("load " + x.status);
    x.onerror = () => resolve("error " + x.status);
    x.send(body);
  });
}
"""


def _js(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def call_js(scenario: Scenario, call: Call) -> str:
    """One call as a JS expression that evaluates to a promise of a result string."""
    url = scenario.expand(call.url)
    headers = {name: scenario.expand(value) for name, value in call.headers}
    if call.api == "xhr":
        return (
            f"xhr({_js(call.method)}, {_js(url)}, {_js(headers)}, "
            f"{_js(call.credentials == 'include')}, {_js(call.body)})"
        )
    init: dict[str, object] = {"method": call.method}
    if headers:
        init["headers"] = headers
    if call.credentials:
        init["credentials"] = call.credentials
    if call.mode:
        init["mode"] = call.mode
    if call.body is not None:
        init["body"] = call.body
    return f"settle(fetch({_js(url)}, {_js(init)}))"


def _runner(scenario: Scenario, report: str) -> str:
    steps = ",\n".join(f"  () => {call_js(scenario, c)}" for c in scenario.calls)
    return (
        f"{_HELPERS}const steps = [\n{steps},\n];\n"
        "(async () => {\n  const results = [];\n"
        "  for (const step of steps) results.push(await step());\n"
        f"  {report}\n}})();\n"
    )


def _asset_tags(scenario: Scenario) -> tuple[str, str]:
    head, body = [], []
    for asset in scenario.assets:
        src = f"/static/{asset}"
        if asset.endswith(".css"):
            head.append(f'<link rel="stylesheet" href="{src}">')
        elif asset.endswith(".js"):
            body.append(f'<script src="{src}"></script>')
        else:
            body.append(f'<img src="{src}" width="16" height="16" alt="">')
    return "\n".join(head), "\n".join(body)


def page_html(scenario: Scenario) -> str:
    head, body = _asset_tags(scenario)
    done = f'window.__results = results; document.title = "{DONE_TITLE}";'
    if scenario.frame == "sandboxed-iframe":
        # The calls run in frame_html(); the sandbox gives that document an opaque origin, so
        # its requests carry `Origin: null`. A real URL rather than srcdoc: the frame's
        # navigation then waits for the driver to attach to it (its own process) before
        # any script runs.
        script = (
            'window.addEventListener("message", (e) => {\n'
            "  const results = e.data.harcorsResults;\n"
            f"  {done}\n}});\n"
        )
        frame = f'<iframe sandbox="allow-scripts" src="/s/{scenario.name}/frame"></iframe>'
    else:
        script = _runner(scenario, done)
        frame = ""
    # rel=icon data: keeps Chromium from requesting /favicon.ico at an unpredictable moment.
    return f"""<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>{scenario.name}</title>
<link rel="icon" href="data:,">
{head}
</head>
<body>
<h1>{html.escape(scenario.description)}</h1>
{body}
<script>
{script}</script>
{frame}
</body>
</html>
"""


def frame_html(scenario: Scenario) -> str:
    """The sandboxed iframe's document: runs the calls and posts the results to the parent."""
    runner = _runner(scenario, 'parent.postMessage({harcorsResults: results}, "*");')
    return f"""<!doctype html>
<html>
<head><meta charset="utf-8"><title>{scenario.name} (sandboxed)</title></head>
<body>
<script>
{runner}</script>
</body>
</html>
"""


# Small static files for the realistic sessions.
def _png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)  # 1x1, 8-bit RGBA
    pixels = zlib.compress(b"\x00\x33\x66\xcc\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


_PNG_1X1 = _png_1x1()


def asset(path: str) -> tuple[bytes, str] | None:
    """Body and content type of `/static/<path>`, or None."""
    if path.endswith(".css"):
        return b"body { font-family: sans-serif; margin: 2em; }\nimg { margin: 2px; }\n", "text/css"
    if path.endswith(".js"):
        text = f"window.loaded = (window.loaded || []).concat({_js(path)});\n"
        if path == "app.js":
            # Real apps log too; a console line that is not the browser's own.
            text += 'console.info("app ready");\n'
        return text.encode(), "text/javascript"
    if path.endswith(".png"):
        return _PNG_1X1, "image/png"
    if path.endswith(".svg"):
        return (
            b'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16">'
            b'<rect width="16" height="16" fill="#36c"/></svg>\n',
            "image/svg+xml",
        )
    return None

"""A HAR whose every string is hostile, and its benign twin with the same shape.

The reports of the two must have the same structure (the same elements, in the same order, with
the same attributes): whatever the HAR says, it can only ever become text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from harcors.analysis import Analysis, analyze_file
from harcors.cors.model import Finding, Fix, Messages, Severity
from harcors.har.model import Exchange

from .hars import entry, write_har

HOSTILE = (
    "<script>document.title='PWNED-script'</script>",
    "\"><img src=x onerror=\"document.title='PWNED-img'\">",
    "javascript:document.title='PWNED-js'",
    "[click me](javascript:alert(1))",
    "![pixel](https://evil.example/pixel.png)",
    "<https://evil.example/autolink>",
    "see https://evil.example/bare and www.evil.example or mallory@evil.example",
    "``` ` `` ```` code",
    "</code></pre><iframe src='https://evil.example/'></iframe>",
    "&lt;b&gt;entity&lt;/b&gt; &amp;",
    "| a | b |\n|---|---|\n| c | d |",
    "x\n# Heading\n---\n> quote\n- item\n1. first",
    "$\\href{javascript:alert(1)}{x}$ **bold** _em_ ~~gone~~",
    "@octocat #1 GH-1",
    "<svg onload=\"document.title='PWNED-svg'\"></svg>",
    "<a href=\"https://evil.example\">link</a>",
    "[ref]: https://evil.example/ref",
    "<!-- comment --><style>body{display:none}</style>",
    "'; document.title='PWNED-quote'; '",
    "\\`escaped\\` \\<b\\>",
    "fence\n```\n<img src=x onerror=\"document.title='PWNED-fence'\">\n```",
)

Payload = Callable[[int], str]


def hostile(i: int) -> str:
    return HOSTILE[i % len(HOSTILE)]


def benign(i: int) -> str:
    return f"benign{i}"


def _finding(p: Payload, pre: Exchange, req: Exchange) -> Finding:
    # Every payload at once (n consecutive indices cover them all), for the multi-line fields.
    every = "\n".join(p(100 + i) for i in range(len(HOSTILE)))
    return Finding(
        rule="missing-allow-origin",
        severity=Severity.ERROR,
        request=req,
        preflight=pre,
        messages=Messages(
            chrome=f"Access to fetch at '{req.url}' from origin '{p(30)}' has been blocked by CORS policy: "
            + p(31),
            firefox=f"Cross-Origin Request Blocked: {p(32)}\n{every}",
            safari=p(34),
        ),
        title=p(35),
        explanation=f"{p(36)} {p(37)} {every}",
        page_origin=p(38),
        failed_parameter=p(39),
        root_cause=p(40),
        notes=(p(41), p(42)),
        needed_headers=(p(6).lower(),),
        fixes=(
            Fix(p(43), p(44), f"{p(45)}\n{every}\n{p(7)}", language="js", notes=p(48)),
            Fix(p(49), p(50), p(51), language="js"),
        ),
        curl=(f"curl -i '{req.url}' -H 'Origin: {p(38)}' {p(52)}", every),
    )


def build(tmp_path: Path, p: Payload, *, name: str, engine: bool = False) -> Analysis:
    """Write the HAR (file name included) from payload ``p``, load it, add a finding that quotes it.

    With ``engine`` the engine's own findings (and their fixes) are kept beside it."""
    url = f"https://api.example.com/{p(1)}?q={p(2)}"
    pre = entry(
        "OPTIONS", url,
        [("Origin", p(3)), ("Access-Control-Request-Method", "PUT"),
         ("Access-Control-Request-Headers", p(4))],
        [("Access-Control-Allow-Origin", p(5)), ("Access-Control-Allow-Methods", p(8)), ("Vary", p(9))],
        204, status_text=p(10), resource_type="preflight", initiator={"type": "preflight", "url": url},
    )
    req = entry(
        "PUT", url,
        [("Origin", p(3)), ("Content-Type", p(11)), (p(6), p(7)), ("Cookie", p(12))],
        [("Access-Control-Allow-Origin", p(13)), ("Access-Control-Expose-Headers", p(14)),
         ("Location", p(15)), ("Set-Cookie", p(16))],
        500, status_text=p(17), error=p(18),
    )
    folder = tmp_path / name
    folder.mkdir()
    # The file name is data too: the report prints it.
    path = write_har(folder / f"{p(19).replace('/', '_')[:60]}.har", [pre, req], creator=p(20),
                     creator_version=p(21))
    analysis = analyze_file(path)
    pre_x, req_x = analysis.exchanges
    kept = analysis.findings if engine else []
    return dataclasses.replace(analysis, findings=[*kept, _finding(p, pre_x, req_x)])

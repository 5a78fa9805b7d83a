"""The HTML report: one self-contained file (inline CSS, no scripts, no external requests).

Jinja2's autoescape escapes everything the template prints. The page also carries a
Content-Security-Policy that forbids scripts and every external load, as a second line of
defence; the escaping alone must hold (tests load the page without the policy).
"""

from __future__ import annotations

import re
from functools import cache

import jinja2
from markupsafe import Markup, escape

from harcors.report.model import Report
from harcors.resources import resource_path

_CODE_SPAN_RE = re.compile(r"`([^`]+)`")
_STRONG_RE = re.compile(r"\*\*([^*\s](?:[^*]|\*(?!\*))*?)\*\*")
_EMPHASIS_RE = re.compile(r"\*([^*\s][^*]*)\*")


def trusted_inline(value: str) -> Markup:
    """harcors's own one-line Markdown (code spans, **strong**, *emphasis*) as HTML, escaped.

    Only for text harcors ships (the "what does not fix CORS" list), never for HAR data.
    """
    # Code spans first, replaced by placeholders, so that a * inside `Access-Control-*` stays text.
    codes: list[Markup] = []

    def stash(m: re.Match[str]) -> str:
        codes.append(Markup("<code>{}</code>").format(m[1]))
        return f"\x00{len(codes) - 1}\x00"

    html = str(escape(_CODE_SPAN_RE.sub(stash, value)))
    html = _STRONG_RE.sub(r"<strong>\1</strong>", html)
    html = _EMPHASIS_RE.sub(r"<em>\1</em>", html)
    return Markup(re.sub("\x00(\\d+)\x00", lambda m: str(codes[int(m[1])]), html))


def paragraphs(value: str) -> Markup:
    """Untrusted prose, escaped, one <p> per blank-line-separated block."""
    parts = [p for p in re.split(r"\n[ \t]*\n", str(value).strip()) if p.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(" ".join(p.split())) for p in parts)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource_path("templates"))),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(trusted_inline=trusted_inline, paragraphs=paragraphs)
    return env


def render_html(report: Report) -> str:
    return _environment().get_template("report.html.j2").render(report=report)

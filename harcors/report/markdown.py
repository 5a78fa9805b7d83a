"""The Markdown report, safe to paste into GitHub, GitLab or Jira whatever the HAR contains.

Everything taken from a HAR is untrusted. In prose it is escaped: every character that can start
Markdown or HTML markup gets a backslash, and anything a renderer would turn into a link on its
own (``https://…``, ``www.…``, ``a@b.c``, ``javascript:…``) goes into a code span, which no
renderer links. URLs, header names and values are always code spans; messages, fixes and curl
commands are fenced blocks whose fence is longer than any backtick run inside. The report never
emits a link or an image.

The template environment escapes every ``{{ … }}`` by default (see :func:`_finalize`); the
filters below return :class:`MdSafe` strings, which pass through as they are.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache
from typing import Any

import jinja2

from harcors.analysis import Analysis
from harcors.cors.model import Finding
from harcors.report.model import Report, build_report
from harcors.resources import resource_path


class MdSafe(str):
    """Markdown that is already safe to emit as it is."""

    __slots__ = ()


# Backslash-escapable ASCII punctuation (CommonMark §2.4) that can start markup anywhere:
# emphasis, code, links, HTML, entities, tables, strikethrough, GitHub math ($), mentions (@) and
# issue references (#).
_ESCAPE_RE = re.compile(r"([\\`*_\[\]<>|~&$@#])")
# At the start of a line these start blocks (lists, thematic breaks, setext underlines); the
# other block starters (#, >, *, _, `, <, |) are escaped everywhere.
_LINE_START_RE = re.compile(r"([ \t]*)[-+=]")
_ORDERED_RE = re.compile(r"([ \t]*\d+)[.)]")
# A balanced single-backtick code span in prose.
_CODE_SPAN_RE = re.compile(r"(?<!`)`([^`]+)`(?!`)")
# A token some renderer would autolink: a scheme, www., or something@domain.
_LINKISH_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S|www\.|\S@\S", re.IGNORECASE)
_LEADING = "'\"(<[{«“‘"
_TRAILING = "'\".,;:!?)>]}»”’"


def _escape_plain(text: str) -> str:
    return _ESCAPE_RE.sub(r"\\\1", text)


def _escape_token(token: str) -> str:
    core = token.lstrip(_LEADING)
    lead = token[: len(token) - len(core)]
    stripped = core.rstrip(_TRAILING)
    trail = core[len(stripped):]
    if stripped and _LINKISH_RE.search(stripped):
        return _escape_plain(lead) + code(stripped) + _escape_plain(trail)
    return _escape_plain(token)


def _escape_words(text: str) -> str:
    return "".join(_escape_token(t) if t.strip() else t for t in re.split(r"(\s+)", text))


def _escape_line(line: str) -> str:
    # Prose from the engine and the fix catalog quotes names and values in `code spans`; keep them
    # (re-fenced by code(), so their content stays inert text) and escape everything around them.
    parts = _CODE_SPAN_RE.split(line)
    out = "".join(code(part) if i % 2 else _escape_words(part) for i, part in enumerate(parts))
    # At the start of a line "1. ", "- ", "+ ", "=" start lists, breaks and headings: escape them.
    m = _ORDERED_RE.match(out)
    if m:
        return out[: m.end(1)] + "\\" + out[m.end(1):]
    m = _LINE_START_RE.match(out)
    if m:
        return out[: m.end(1)] + "\\" + out[m.end(1):]
    return out


def text(value: Any) -> MdSafe:
    """Untrusted prose as one Markdown paragraph per blank-line-separated block."""
    paragraphs = re.split(r"\n[ \t]*\n", str(value).strip())
    return MdSafe("\n\n".join(_escape_line(" ".join(p.split())) for p in paragraphs if p.strip()))


def inline(value: Any) -> MdSafe:
    """Untrusted prose on one line (a heading, a list item, a table cell)."""
    return MdSafe(_escape_line(" ".join(str(value).split())))


def _longest_backtick_run(value: str) -> int:
    return max((len(m) for m in re.findall(r"`+", value)), default=0)


def code(value: Any) -> MdSafe:
    """An untrusted string as an inline code span (line breaks become spaces)."""
    s = " ".join(str(value).splitlines()) or " "
    ticks = "`" * (_longest_backtick_run(s) + 1)
    # A span that starts or ends with a backtick (or a space) needs padding, which is stripped.
    pad = " " if s[0] in "` " or s[-1] in "` " else ""
    return MdSafe(f"{ticks}{pad}{s}{pad}{ticks}")


def cell_text(value: Any) -> MdSafe:
    """Untrusted prose in a GFM table cell: a ``|`` even inside a code span would end the cell."""
    return MdSafe(re.sub(r"(?<!\\)\|", r"\\|", inline(value)))


def cell_code(value: Any) -> MdSafe:
    """A code span inside a GFM table cell, where ``|`` must be escaped even within code."""
    return MdSafe(code(value).replace("|", "\\|"))


def fence(value: Any, lang: str = "") -> MdSafe:
    """An untrusted block of text in a fenced code block."""
    s = str(value).rstrip("\n")
    ticks = "`" * max(3, _longest_backtick_run(s) + 1)
    lang = re.sub(r"[^A-Za-z0-9_+-]", "", lang or "")
    return MdSafe(f"{ticks}{lang}\n{s}\n{ticks}")


def trusted(value: Any) -> MdSafe:
    """harcors's own Markdown (e.g. the "what does not fix CORS" list): emitted as written."""
    return MdSafe(str(value))


def _finalize(value: Any) -> Any:
    # The Markdown counterpart of HTML autoescaping: whatever a template prints is escaped unless
    # a filter above already made it safe.
    if isinstance(value, MdSafe):
        return value
    return text(value)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource_path("templates"))),
        autoescape=False,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(text=text, inline=inline, code=code, cell_code=cell_code, cell_text=cell_text,
                       fence=fence, trusted=trusted)
    return env


def render_markdown(report: Report) -> str:
    out = _environment().get_template("report.md.j2").render(report=report)
    # Templates are easier to read with loose spacing; the output should not have runs of blanks.
    return re.sub(r"\n{3,}", "\n\n", out).rstrip("\n") + "\n"


def render_finding_markdown(report: Report) -> str:
    """The single finding of a one-file, one-finding ``report`` (see :func:`finding_markdown`)."""
    (file,) = report.files
    (view,) = file.findings
    # Only the file's name: a full path would tell the ticket's readers the reporter's user name.
    har_name = re.split(r"[\\/]", file.analysis.info.path or "")[-1] or "(unnamed)"
    out = _environment().get_template("finding.md.j2").render(report=report, file=file, v=view,
                                                                 har_name=har_name)
    return re.sub(r"\n{3,}", "\n\n", out).strip("\n") + "\n"


def finding_markdown(analysis: Analysis, finding: Finding, *, redact: bool = True,
                     stack: str | None = None) -> str:
    """``finding`` (one of ``analysis.findings``) as Markdown for a bug ticket.

    It is the full Markdown report's section for that finding, built from the same report model
    (so redacted the same way, by default) under a heading naming the request, without the
    summary tables; ``stack`` picks the server whose fix is shown.
    """
    one = dataclasses.replace(analysis, findings=[finding])
    return render_finding_markdown(build_report([one], redact=redact, stack=stack))

"""A small JavaScript lexer: enough to find a call's arguments and read its literal values.

It never runs code and knows no scopes: a value is read only when it is written as a literal
(string, template without holes, ``true``/``false``, an object literal's members), and anything
else becomes a hole or "unreadable", which the callers treat as "cannot tell".
"""

from __future__ import annotations

import re

HOLE = None  # a part of a URL expression that is not a literal: matches any text

QUOTES = "'\"`"
_CLOSE = {"(": ")", "[": "]", "{": "}"}


def skip_string(text: str, i: int, end: int) -> int:
    """Index after the string or template literal whose quote is at ``i``; -1 if it does not close."""
    quote = text[i]
    i += 1
    while i < end:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == quote:
            return i + 1
        if quote == "`" and c == "$" and text.startswith("${", i):
            close = skip_group(text, i + 1, end)
            if close < 0:
                return -1
            i = close
            continue
        if c == "\n" and quote != "`":
            return -1
        i += 1
    return -1


def skip_literal(text: str, i: int, end: int) -> int:
    """Index after a string or comment starting at ``i`` (-1 for an unclosed string), or ``i``
    when none starts there: what every bracket-aware scan here steps over."""
    c = text[i]
    if c in QUOTES:
        return skip_string(text, i, end)
    if c == "/":
        return skip_comment(text, i, end)
    return i


def skip_comment(text: str, i: int, end: int) -> int:
    """Index after a comment starting at ``i``, or ``i`` when there is none."""
    if text.startswith("//", i):
        nl = text.find("\n", i, end)
        return end if nl < 0 else nl
    if text.startswith("/*", i):
        close = text.find("*/", i + 2, end)
        return end if close < 0 else close + 2
    return i


def skip_group(text: str, i: int, end: int) -> int:
    """Index after the bracket group opening at ``i``; -1 if it does not close before ``end``.

    Regular-expression literals are not recognised; a bracket or quote inside one may make the
    group look unclosed, which only loses that call.
    """
    stack = [_CLOSE[text[i]]]
    i += 1
    while i < end:
        after = skip_literal(text, i, end)
        if after != i:
            if after < 0:
                return -1
            i = after
            continue
        c = text[i]
        if c in _CLOSE:
            stack.append(_CLOSE[c])
        elif c in ")]}":
            if c != stack.pop():
                return -1
            if not stack:
                return i + 1
        i += 1
    return -1


def split_top(text: str, start: int, end: int, sep: str) -> list[str]:
    """``text[start:end]`` split at ``sep`` characters outside brackets, strings and comments;
    comments outside brackets are left out of the parts."""
    parts = []
    piece: list[str] = []
    i = begin = start
    while i < end:
        c = text[i]
        if c in QUOTES:
            j = skip_string(text, i, end)
            i = end if j < 0 else j
            continue
        if c == "/":
            j = skip_comment(text, i, end)
            if j != i:
                piece.append(text[begin:i])
                i = begin = j
                continue
        if c in _CLOSE:
            j = skip_group(text, i, end)
            i = end if j < 0 else j
            continue
        if c == sep:
            piece.append(text[begin:i])
            parts.append("".join(piece))
            piece = []
            begin = i + 1
        i += 1
    piece.append(text[begin:end])
    parts.append("".join(piece))
    return parts


_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]+\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _unescape(body: str) -> str:
    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] == "u" and len(e) > 1:
            return chr(int(e[2:-1] if e[1] == "{" else e[1:], 16))
        if e[0] == "x" and len(e) == 3:
            return chr(int(e[1:], 16))
        if e in ("\n", "\r\n", "\u2028", "\u2029"):
            return ""  # a line continuation
        return _SIMPLE_ESCAPES.get(e, e)

    return _ESCAPE.sub(one, body)


def literal(expr: str) -> str | None:
    """The value of ``expr`` when it is one string literal (a template without ``${}`` too)."""
    e = expr.strip()
    if len(e) < 2 or e[0] not in QUOTES or skip_string(e, 0, len(e)) != len(e):
        return None
    if e[0] == "`" and "${" in e:
        return None
    return _unescape(e[1:-1])


def _template_parts(e: str) -> list[str | None]:
    """A template literal's text pieces, with a hole for each ``${...}``."""
    out: list[str | None] = []
    i, begin, end = 1, 1, len(e) - 1
    while i < end:
        if e[i] == "\\":
            i += 2
            continue
        if e.startswith("${", i):
            close = skip_group(e, i + 1, end)
            if close < 0:
                return [HOLE]
            # ``${"/me"}`` is what inlining a helper's literal argument leaves: its value is known.
            value = literal(e[i + 2 : close - 1])
            out.extend([_unescape(e[begin:i]), HOLE if value is None else value])
            i = begin = close
            continue
        i += 1
    out.append(_unescape(e[begin:end]))
    return out


def url_parts(expr: str) -> tuple[str | None, ...]:
    """A URL expression as literal pieces and holes: ``API + "/users/" + id`` -> (hole, "/users/", hole)."""
    parts: list[str | None] = []
    for operand in split_top(expr, 0, len(expr), "+"):
        o = operand.strip()
        value = literal(o)
        if value is not None:
            parts.append(value)
        elif len(o) >= 2 and o[0] == "`" and skip_string(o, 0, len(o)) == len(o):
            parts.extend(_template_parts(o))
        else:
            parts.append(HOLE)
    merged: list[str | None] = []
    for p in parts:
        if p == "":
            continue
        if merged and (p is HOLE) == (merged[-1] is HOLE):
            merged[-1] = None if p is HOLE else (merged[-1] or "") + p
        else:
            merged.append(p)
    return tuple(merged)


_KEY = re.compile(r"""\s*(?:([A-Za-z_$][\w$]*)|"([^"\\]*)"|'([^'\\]*)')\s*:""")
SPREAD = object()  # a ``...rest`` member: hides whatever keys it brings


def object_members(expr: str) -> list[tuple[object, str]] | None:
    """``(key, value text)`` for each member of an object literal (``SPREAD`` for ``...x``), or None."""
    e = expr.strip()
    if not e.startswith("{") or skip_group(e, 0, len(e)) != len(e):
        return None
    members: list[tuple[object, str]] = []
    for item in split_top(e, 1, len(e) - 1, ","):
        m = item.strip()
        if not m:
            continue
        if m.startswith("..."):
            members.append((SPREAD, m[3:]))
            continue
        k = _KEY.match(m)
        if k is None:
            # Shorthand ``{ credentials }``, a method or a computed key: its value cannot be read.
            name = re.match(r"[A-Za-z_$][\w$]*", m)
            members.append((name.group(0) if name else SPREAD, ""))
            continue
        members.append((k.group(1) or k.group(2) or k.group(3), m[k.end():].strip()))
    return members


UNREADABLE = object()


def member(members: list[tuple[object, str]], key: str) -> object:
    """The value text of ``key`` (the last one wins, as in JavaScript); None when absent;
    ``UNREADABLE`` when a spread after it (or anywhere, if absent) may bring another."""
    found: object = None
    for k, value in members:
        if k == key:
            found = value if value else UNREADABLE
        elif k is SPREAD:
            found = UNREADABLE
    return found


def boolean(value: str) -> bool | None:
    v = value.strip()
    if v in ("true", "!0"):
        return True
    if v in ("false", "!1"):
        return False
    return None


_IDENT = re.compile(r"(?:[^\W\d]|\$)[\w$]*")
_NUMBER = re.compile(r"[\w$.]+")


def references(text: str, start: int, end: int, names: frozenset[str]) -> list[tuple[int, int]] | None:
    """Spans of the identifiers in ``names`` used as values in ``text[start:end]``: outside strings
    and comments (inside a template's ``${}`` too), not a property (``x.url``) nor an object key
    (``{ url: 1 }``). None when the text does not lex (an unclosed string or bracket)."""
    spans: list[tuple[int, int]] = []
    i = start
    while i < end:
        c = text[i]
        if c in "'\"":
            i = skip_string(text, i, end)
            if i < 0:
                return None
        elif c == "`":
            i = _template_references(text, i, end, names, spans)
            if i < 0:
                return None
        elif c == "/":
            after = skip_comment(text, i, end)
            i = after if after != i else i + 1
        elif c.isdigit():
            i = _NUMBER.match(text, i).end()  # type: ignore[union-attr]
        elif (m := _IDENT.match(text, i)) is not None:
            if m.group() in names and _is_reference(text, start, m.start(), m.end(), end):
                spans.append(m.span())
            i = m.end()
        else:
            i += 1
    return spans


def _template_references(
    text: str, i: int, end: int, names: frozenset[str], spans: list[tuple[int, int]]
) -> int:
    """Index after the template literal at ``i``, adding the references in its ``${}`` holes; -1 if it
    does not close."""
    i += 1
    while i < end:
        c = text[i]
        if c == "\\":
            i += 2
        elif c == "`":
            return i + 1
        elif text.startswith("${", i):
            close = skip_group(text, i + 1, end)
            inner = references(text, i + 2, close - 1, names) if close > 0 else None
            if inner is None:
                return -1
            spans.extend(inner)
            i = close
        else:
            i += 1
    return -1


def _is_reference(text: str, lo: int, start: int, stop: int, hi: int) -> bool:
    before = text[max(lo, start - 40) : start].rstrip()
    if before.endswith("."):
        return False  # a property: x.url, x?.url
    after = text[stop : min(hi, stop + 40)].lstrip()
    # An object key: `{ url: 1 }`, `, url: 1` (a ternary's `? url :` stays a value).
    return not (after.startswith(":") and before[-1:] in ("{", ","))

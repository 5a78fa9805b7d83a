"""Write a value from the traffic as a literal of the fix's target language.

Values come from a HAR, which anyone can hand us: an origin such as ``'); drop`` or a header name
with a quote in it must land inside a string literal, never in the code around it. Every filter
returns a :class:`Literal`, and the renderer refuses to print a plain ``str`` (see ``render.py``), so
a template cannot insert a value without choosing how to quote it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable


class Literal(str):
    """Text that is already safe to print verbatim in the snippet it was made for."""

    __slots__ = ()


class UnsafeValue(ValueError):
    """A value the target language has no way to write literally (e.g. ``$`` in an nginx string)."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(value: object) -> str:
    """``value`` as text with every control character (line breaks included) turned into a space."""
    return _CONTROL.sub(" ", str(value))


def _c_like(value: str, quote: str, *, unicode_escape: Callable[[int], str]) -> str:
    """Backslash escaping shared by the C family (JS, Java, C#, Go, Python)."""
    out = [quote]
    for ch in value:
        code = ord(ch)
        if ch in ("\\", quote):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F or code > 0x7E:
            out.append(unicode_escape(code))
        else:
            out.append(ch)
    out.append(quote)
    return "".join(out)


def _u4(code: int) -> str:
    if code > 0xFFFF:  # a surrogate pair, as JS, Java and C# spell astral characters
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _java_escape(code: int) -> str:
    # Java turns \\uXXXX into the character *before* lexing, so \\u0022 would close the string:
    # control characters go as octal escapes instead; printable non-ASCII is harmless as \\u.
    if code < 0x100 and (code < 0x20 or code == 0x7F):
        return f"\\{code:03o}"
    return _u4(code)


def _scalar(value: object, true: str = "true", false: str = "false") -> str | None:
    """Booleans and integers as the language spells them; None for anything to be quoted."""
    if isinstance(value, bool):
        return true if value else false
    if isinstance(value, int):
        return str(value)
    return None


def js(value: object) -> Literal:
    """A single-quoted JavaScript / TypeScript string literal (or a bare boolean / number)."""
    # U+2028/2029 end a line in older JS engines; they are non-ASCII, so they are escaped anyway.
    bare = _scalar(value)
    return Literal(bare if bare is not None else _c_like(str(value), "'", unicode_escape=_u4))


def py(value: object) -> Literal:
    """A Python literal: strings double-quoted, booleans and None as Python spells them."""
    if value is None:
        return Literal("None")
    bare = _scalar(value, "True", "False")
    if bare is not None:
        return Literal(bare)
    return Literal(_c_like(str(value), '"', unicode_escape=lambda c: f"\\U{c:08x}"))


def java(value: object) -> Literal:
    bare = _scalar(value)
    return Literal(bare if bare is not None else _c_like(str(value), '"', unicode_escape=_java_escape))


def csharp(value: object) -> Literal:
    bare = _scalar(value)
    return Literal(bare if bare is not None else _c_like(str(value), '"', unicode_escape=_u4))


def go(value: object) -> Literal:
    bare = _scalar(value)
    if bare is not None:
        return Literal(bare)
    return Literal(_c_like(str(value), '"', unicode_escape=lambda c: f"\\U{c:08x}"))


def json_value(value: object) -> Literal:
    """JSON text; also a valid TOML basic string and YAML double-quoted scalar for strings."""
    return Literal(json.dumps(value, ensure_ascii=True))


def _single_quoted_no_escapes(value: str) -> str:
    # Ruby and PHP single-quoted strings know only \\\\ and \\' and keep everything else verbatim,
    # including "#{...}" and "$var", which is why they are used here instead of double quotes.
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def ruby(value: object) -> Literal:
    bare = _scalar(value)
    return Literal(bare if bare is not None else _single_quoted_no_escapes(str(value)))


def php(value: object) -> Literal:
    bare = _scalar(value)
    return Literal(bare if bare is not None else _single_quoted_no_escapes(str(value)))


def nginx(value: object) -> Literal:
    """A double-quoted nginx parameter. nginx expands ``$name`` inside quotes and has no escape for it."""
    text = str(value)
    if "$" in text or _CONTROL.search(text):
        raise UnsafeValue(f"cannot write {text!r} as an nginx string")
    return Literal('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')


def apache(value: object) -> Literal:
    """A double-quoted Apache httpd argument (e.g. a SetEnvIf regex).

    httpd's config reader drops a backslash only before the quote character, so backslashes are
    written as they are, and a value ending in one (it would escape the closing quote) is refused.
    """
    text = str(value)
    if _CONTROL.search(text) or text.endswith("\\"):
        raise UnsafeValue(f"cannot write {text!r} as an Apache string")
    return Literal('"' + text.replace('"', '\\"') + '"')


def apache_header(value: object) -> Literal:
    """An Apache mod_headers value, where ``%`` starts a format specifier (``%%`` is a percent sign)."""
    return apache(str(value).replace("%", "%%"))


def shell(value: object) -> Literal:
    """A POSIX shell word in single quotes."""
    return Literal("'" + str(value).replace("'", "'\\''") + "'")


def header(value: object) -> Literal:
    """A bare HTTP header value (Netlify ``_headers`` lines): anything but a line break is literal."""
    text = str(value)
    if _CONTROL.search(text):
        raise UnsafeValue(f"cannot write {text!r} as a header value")
    return Literal(text)


def comment(value: object) -> Literal:
    """Text for inside a comment of any language: one line, no comment terminators."""
    text = one_line(value)
    for closer in ("*/", "-->", "#}", "%}", "}}"):
        text = text.replace(closer, closer[0] + " " + closer[1:])
    return Literal(text)


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def ident(value: object) -> Literal:
    """An identifier (e.g. an exported handler named after the method); anything else is refused."""
    text = str(value)
    if not _IDENT.match(text):
        raise UnsafeValue(f"{text!r} is not an identifier")
    return Literal(text)


_REGEX_SPECIAL = frozenset(".^$*+?()[]{}|\\")


def regex(value: object) -> str:
    """A regular expression matching exactly ``value``; quote the result for the language after."""
    return "".join("\\" + ch if ch in _REGEX_SPECIAL else ch for ch in str(value))


LANGUAGE_FILTERS: dict[str, Callable[[object], Literal]] = {
    "js": js,
    "py": py,
    "java": java,
    "cs": csharp,
    "go": go,
    "json": json_value,
    "rb": ruby,
    "php": php,
    "nginx": nginx,
    "apache": apache,
    "apache_header": apache_header,
    "sh": shell,
    "header": header,
    "comment": comment,
    "ident": ident,
}


def quoted_list(values: Iterable[object], quote: Callable[[object], Literal], sep: str = ", ") -> Literal:
    """Quote each value and join them, for the inside of a list literal: ``'a', 'b'``."""
    return Literal(sep.join(quote(v) for v in values))

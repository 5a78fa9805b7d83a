"""When a file cannot be read as a HAR, say precisely what is wrong and where.

Only called on the error path, so it may read the file again: the streaming parser's own messages
(yajl's "parse error: premature EOF" with ASCII art) say neither where nor, often, what.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

import ijson

from harcors.har.errors import HarError
from harcors.har.source import DamagedData, NestingTooDeep, open_har

#: Up to this many uncompressed bytes, a JSON error is located exactly (line, column, byte) by
#: re-parsing with the standard library; beyond it, to the stretch the streaming parser was reading.
EXACT_LIMIT = 8 << 20
_SCAN_LIMIT = 8 << 20  # how far describe_not_har looks for log.entries

TRUNCATED = "the file ends in the middle of the JSON (truncated?)"


@dataclass(frozen=True)
class JsonProblem:
    """What is wrong with the JSON, and where (offsets count uncompressed bytes after any BOM)."""

    message: str
    offset: int | None = None
    line: int | None = None
    column: int | None = None
    approximate: bool = False

    def where(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line:,}, column {self.column:,}")
        if self.offset is not None:
            parts.append(f"{'near ' if self.approximate else ''}byte {self.offset:,}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        if not where:
            return self.message
        return f"{self.message} ({where if where.startswith('near') else 'at ' + where})"

    def error(self, path: str) -> HarError:
        return HarError(path, self.message, offset=self.offset, line=self.line, column=self.column,
                        approximate=self.approximate)


def _reject_constant(name: str) -> None:
    # yajl rejects NaN / Infinity; the standard library would accept them.
    raise ValueError(f"{name} is not JSON")


def explain_json_error(path: str | os.PathLike[str], exc: Exception, message: str) -> JsonProblem:
    """Locate the JSON error the streaming parser raised as ``exc`` (worded as ``message``)."""
    if isinstance(exc, NestingTooDeep):
        return JsonProblem(str(exc.args[0]), exc.offset, approximate=True)
    try:
        opened = open_har(path)
    except HarError:
        return JsonProblem(message)
    try:
        data = _read_up_to(opened.stream, EXACT_LIMIT + 1)
        if len(data) <= EXACT_LIMIT:
            return _exact(data, message)
        # Too big to re-parse in memory: find the stretch the streaming parser failed in.
        try:
            for _ in ijson.basic_parse(_Prefixed(data, opened.stream), use_float=True):
                pass
        except (ijson.JSONError, OSError, UnicodeDecodeError):
            return JsonProblem(message, opened.stream.offset, approximate=True)
        return JsonProblem(message)
    except (OSError, ijson.JSONError, UnicodeDecodeError):
        return JsonProblem(message)
    finally:
        opened.close()


def _read_up_to(stream, limit: int) -> bytes:
    """``limit`` bytes, or all there are: the stream hands out at most one buffer per read."""
    chunks = []
    total = 0
    while total < limit:
        chunk = stream.read(limit - total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


class _Prefixed:
    """Bytes already read, then the rest of the stream."""

    def __init__(self, head: bytes, rest) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            out, self._head = self._head[:size], self._head[size:]
            return out
        return self._rest.read(size)


def _at(data: bytes, offset: int, message: str) -> JsonProblem:
    column = offset - data.rfind(b"\n", 0, offset)
    return JsonProblem(message, offset, data.count(b"\n", 0, offset) + 1, column)


def _exact(data: bytes, message: str) -> JsonProblem:
    text = data.decode("utf-8", "surrogateescape")
    if not text.strip():
        return JsonProblem("the file holds no JSON, only whitespace", len(data))
    if message == TRUNCATED:  # the streaming parser reached the end: say where the file ends
        end = len(data.rstrip())
        return _at(data, end, message)
    try:
        json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        offset = len(text[: err.pos].encode("utf-8", "surrogateescape"))
        if err.pos >= len(text.rstrip()):
            wording = TRUNCATED
        elif err.msg == "Extra data":
            wording = "not valid JSON: more data follows the end of the JSON document"
        elif message.startswith("not valid JSON"):
            wording = f"not valid JSON: {err.msg[0].lower()}{err.msg[1:]}"
        else:
            wording = message
        return JsonProblem(wording, offset, err.lineno, err.colno)
    except (ValueError, RecursionError):
        pass  # NaN, a huge integer, deep nesting: the standard library gives no position
    return _hunt(data, message)


# Values the streaming parser (yajl) rejects and the standard library accepts or cannot place.
_HUNTS = (
    ("invalid char", re.compile(rb'(?<![\w"])(?:-?Infinity|NaN)(?![\w"])'),
     "not valid JSON: NaN and Infinity are not JSON numbers"),
    ("integer overflow", re.compile(rb"-?\d{19,}(?![\d.eE])"),
     "not valid JSON: an integer too large to read (more than 64 bits)"),
    ("floating point", re.compile(rb"\d[eE]\+?\d{3,}"),
     "not valid JSON: a number too large to read"),
)


def _hunt(data: bytes, message: str) -> JsonProblem:
    for clue, pattern, wording in _HUNTS:
        if clue in message and (found := pattern.search(data)):
            return _at(data, found.start(), wording)
    return JsonProblem(message)


_KIND = {
    "start_map": "an object", "start_array": "an array", "string": "a string", "number": "a number",
    "boolean": "a boolean", "null": "null",
}


def _keys(keys: list[str]) -> str:
    shown = ", ".join(json.dumps(k[:40]) for k in keys[:6])
    return shown + (", ..." if len(keys) > 6 else "")


def describe_not_har(path: str | os.PathLike[str]) -> str:
    """Why a JSON file without a ``log.entries`` array is not a HAR, in one sentence."""
    fallback = "not a HAR file: no log.entries array found"
    try:
        opened = open_har(path)
    except HarError as exc:
        return exc.problem
    top: str | None = None
    log: str | None = None
    entries: str | None = None
    top_keys: list[str] = []
    log_keys: list[str] = []
    try:
        for prefix, event, value in ijson.parse(opened.stream, use_float=True):
            if top is None:
                top = event
            if event == "map_key" and prefix == "":
                top_keys.append(value)
            elif event == "map_key" and prefix == "log":
                log_keys.append(value)
            elif prefix == "log" and log is None:
                log = event
            elif prefix == "log.entries" and entries is None:
                entries = event
                break
            if opened.stream.offset > _SCAN_LIMIT:
                break
    except (ijson.JSONError, DamagedData, OSError, UnicodeDecodeError):
        pass
    finally:
        opened.close()
    if top is None:
        return fallback
    if top != "start_map":
        return f"JSON, but not a HAR: the file holds {_KIND.get(top, top)}, not an object with a \"log\" key"
    if log is None:
        if "log" in top_keys:
            return fallback
        if not top_keys:
            return "JSON, but not a HAR: the top-level object is empty (no \"log\" key)"
        return f"JSON, but not a HAR: no \"log\" key at the top level (it has {_keys(top_keys)})"
    if log != "start_map":
        return f"JSON, but not a HAR: \"log\" is {_KIND.get(log, log)}, not an object"
    if entries is None:
        if "entries" in log_keys:
            return fallback
        return f"JSON, but not a HAR: \"log\" has no \"entries\" (it has {_keys(log_keys) or 'no keys'})"
    if entries != "start_array":
        return f"JSON, but not a HAR: \"log.entries\" is {_KIND.get(entries, entries)}, not an array"
    return fallback

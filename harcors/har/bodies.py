"""Read a few response bodies back from a HAR file, on demand.

The loader never keeps bodies (an Exchange holds what CORS needs, and a 450 MB HAR is mostly
bodies). A few questions need some of them anyway: the page's own scripts can show a request's
credentials mode when the headers cannot (see :mod:`harcors.cors.credentials`). This is a second,
separate pass over the file that keeps only the ``response.content.text`` of the entries asked
for, each cut to :data:`MAX_BODY_CHARS`, all of them together to :data:`MAX_TOTAL_CHARS`. It costs
nothing unless someone asks.

A plain (uncompressed UTF-8) file is memory-mapped and split into its entries by msgspec in C
without decoding them (0.4 s for 450 MB; the pages are the file's own, not the process's); only
the entries asked for are decoded. Anything else (gzip, zip, UTF-16, invalid or truncated JSON)
streams through ijson, which stops after the last entry asked for.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import mmap
import os
from collections.abc import Callable, Collection

import ijson
import msgspec

from harcors.har.errors import HarError, LoadCancelled
from harcors.har.source import compression_name, open_har

#: Characters kept per body: big enough for a large minified bundle's start, small enough to scan.
MAX_BODY_CHARS = 4 << 20
#: Characters kept over all bodies of one read.
MAX_TOTAL_CHARS = 32 << 20

_ENTRY = "log.entries.item"
_TEXT = "log.entries.item.response.content.text"
_ENCODING = "log.entries.item.response.content.encoding"
# The events that begin an item of an array (map_key and end_* events share the item's prefix).
_ITEM_STARTS = frozenset({"start_map", "start_array", "string", "number", "boolean", "null"})


class _Log(msgspec.Struct):
    entries: list[msgspec.Raw] = []


class _Document(msgspec.Struct):
    log: _Log


class _Content(msgspec.Struct):
    text: str | None = None
    encoding: str | None = None


class _Response(msgspec.Struct):
    content: _Content | None = None


class _Entry(msgspec.Struct):
    response: _Response | None = None


_DOCUMENT = msgspec.json.Decoder(_Document)
_ENTRY_DECODER = msgspec.json.Decoder(_Entry)


def _decoded(text: str, encoding: str | None, limit: int) -> str:
    """The body as text, at most ``limit`` characters; base64 (Chrome's choice for some scripts) decoded."""
    if (encoding or "").lower() != "base64":
        return text[:limit]
    # 4 base64 characters hold 3 bytes, and a UTF-8 character takes 1 to 4 bytes: decode no more
    # than ``limit`` characters can need.
    head = text[: (limit * 4 // 3 * 4 + 8) // 4 * 4]
    try:
        raw = base64.b64decode(head, validate=False)
    except (binascii.Error, ValueError):
        return ""
    return raw.decode("utf-8", "replace")[:limit]


class _Budget:
    """Keeps the bodies read within the per-body and total limits, in entry order."""

    def __init__(self, max_body: int, max_total: int) -> None:
        self.max_body = max_body
        self.left = max_total
        self.out: dict[int, str] = {}

    def add(self, index: int, text: str | None, encoding: str | None) -> None:
        if text is None or self.left <= 0:
            return
        body = _decoded(text, encoding, min(self.max_body, self.left))
        self.out[index] = body
        self.left -= len(body)


def _bodies_in(data: memoryview, wanted: list[int], budget: _Budget) -> bool:
    """The bodies from a whole HAR in memory; False when it is not one msgspec can split."""
    try:
        entries = _DOCUMENT.decode(data).log.entries  # each a Raw slice of ``data``: nothing decoded
    except (msgspec.DecodeError, RecursionError):
        return False
    for index in wanted:
        if index >= len(entries) or budget.left <= 0:
            break
        try:
            response = _ENTRY_DECODER.decode(entries[index]).response
        except msgspec.DecodeError:
            continue  # not an entry the loader could read either
        content = response.content if response is not None else None
        if content is not None:
            budget.add(index, content.text, content.encoding)
    return True


def _read_mapped(path: str, wanted: list[int], budget: _Budget) -> bool:
    """The bodies of a plain file, through a memory map; False when the file does not suit it."""
    with open(path, "rb") as f:
        head = f.read(4)
        if compression_name(head) != "file" or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return False
        start = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
        # The Raw slices point into the map; they are gone when _bodies_in returns, before it closes.
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped, memoryview(mapped) as view:
            return _bodies_in(view[start:], wanted, budget)


def _read_streamed(
    path: str, wanted: set[int], budget: _Budget, cancelled: Callable[[], bool] | None
) -> None:
    """The bodies of any HAR the loader reads, streamed with ijson; stops after the last one wanted."""
    last = max(wanted)
    index = -1
    text: str | None = None
    encoding: str | None = None
    try:
        opened = open_har(path, cancelled=cancelled)
    except HarError:
        return
    try:
        # ijson.parse rather than items(): an entry not asked for is never built as a dict, and its
        # body is one transient string.
        for prefix, event, value in ijson.parse(opened.stream, use_float=True):
            if prefix == _ENTRY:
                if event == "end_map":
                    if index in wanted:
                        budget.add(index, text, encoding)
                    if index >= last or budget.left <= 0:
                        break
                elif event in _ITEM_STARTS:
                    # Every item of log.entries counts, as in the loader: Exchange.index is this position.
                    index += 1
                    text = encoding = None
            elif prefix == _TEXT and event == "string" and index in wanted:
                text = value
            elif prefix == _ENCODING and event == "string" and index in wanted:
                encoding = value
    except (ijson.JSONError, OSError, EOFError, UnicodeDecodeError, RecursionError):
        pass  # the loader already reported the file's problem; keep what was read before it
    finally:
        opened.close()


def read_texts(
    path: str | os.PathLike[str],
    indices: Collection[int],
    *,
    cancelled: Callable[[], bool] | None = None,
    max_body: int = MAX_BODY_CHARS,
    max_total: int = MAX_TOTAL_CHARS,
) -> dict[int, str]:
    """``response.content.text`` of the entries at ``indices`` (positions in ``log.entries``).

    Best effort: entries without a text body are left out, and a file that cannot be read to the
    end (damaged, truncated) gives what was read before the problem. Raises
    :class:`harcors.har.LoadCancelled` when ``cancelled`` says so.
    """
    wanted = sorted(set(indices))
    if not wanted:
        return {}
    if cancelled is not None and cancelled():
        raise LoadCancelled
    p = os.fspath(path)
    budget = _Budget(max_body, max_total)
    try:
        mapped = os.path.getsize(p) > 0 and _read_mapped(p, wanted, budget)
    except (OSError, ValueError, BufferError):
        mapped = False
    if not mapped:
        budget = _Budget(max_body, max_total)
        _read_streamed(p, set(wanted), budget, cancelled)
    return budget.out


__all__ = ["MAX_BODY_CHARS", "MAX_TOTAL_CHARS", "read_texts"]

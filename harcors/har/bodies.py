"""Read a few response bodies back from a HAR file, on demand.

The loader never keeps bodies (an Exchange holds what CORS needs, and a 450 MB HAR is mostly
bodies). A few questions need some of them anyway: the page's own scripts can show a request's
credentials mode when the headers cannot (see :mod:`harcors.cors.credentials`). This is a second,
separate pass over the file that keeps only the ``response.content.text`` of the entries asked
for, each cut to :data:`MAX_BODY_CHARS`, all of them together to :data:`MAX_TOTAL_CHARS`, and
stops after the last entry asked for. It costs nothing unless someone asks.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Collection

import ijson

from harcors.har.errors import HarError
from harcors.har.source import open_har  # the loader's opener: gzip, zip, BOM, depth guard

#: Characters kept per body: big enough for a large minified bundle's start, small enough to scan.
MAX_BODY_CHARS = 4 << 20
#: Characters kept over all bodies of one read.
MAX_TOTAL_CHARS = 32 << 20

_ENTRY = "log.entries.item"
_TEXT = "log.entries.item.response.content.text"
_ENCODING = "log.entries.item.response.content.encoding"
# The events that begin an item of an array (map_key and end_* events share the item's prefix).
_ITEM_STARTS = frozenset({"start_map", "start_array", "string", "number", "boolean", "null"})


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
    wanted = set(indices)
    if not wanted:
        return {}
    last = max(wanted)
    out: dict[int, str] = {}
    budget = max_total
    index = -1
    text: str | None = None
    encoding: str | None = None
    try:
        opened = open_har(path, cancelled=cancelled)
    except HarError:
        return out
    try:
        # ijson.parse rather than items(): an entry not asked for is never built as a dict, and its
        # body is one transient string.
        for prefix, event, value in ijson.parse(opened.stream, use_float=True):
            if prefix == _ENTRY:
                if event == "end_map":
                    if text is not None and index in wanted:
                        body = _decoded(text, encoding, min(max_body, budget))
                        out[index] = body
                        budget -= len(body)
                    if index >= last or budget <= 0:
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
    return out


__all__ = ["MAX_BODY_CHARS", "MAX_TOTAL_CHARS", "read_texts"]

"""The fast path for pretty-printed HARs: bounded pieces of entries, decoded in C, only what CORS reads.

DevTools (and Firefox, and most tools) pretty-print with a fixed indent, so every entry of
``log.entries`` starts with a line ``<indent>{`` and ends with ``<indent>}``. JSON strings cannot
hold a raw newline, so ``\\n<indent>},\\n<indent>{`` can only be the boundary between two entries
once the indent is known. The file is read in pieces of :data:`CHUNK` bytes, each cut at its last
boundary, and the complete entries are decoded by msgspec into Structs declaring only the fields
:func:`harcors.har.convert.exchange_from_entry` reads: bodies, timings, cookies and stack traces are
skipped inside msgspec's C parser, never becoming Python objects.

Headers are most of what is left (a Chrome entry has ~27), and most entries cannot matter to CORS:
a GET for an image or a script that sent no ``Origin`` header and succeeded. Their headers are not
decoded at all; the Exchange gets :class:`LazyHeaders`, which knows they hold no ``Origin`` and
decodes the real list from the file the first time anything else is asked (a detail view). So
memory follows the CORS-relevant entries, not the file.

Anything unexpected makes a piece fall back, never changes a result:

* entries that do not fit the typed schema (a number as a string, a null header value, an entry
  that is not an object) send their piece through ``exchange_from_entry`` itself, exactly as the
  ijson path would, with the same entry indexes;
* a piece that is not valid JSON or UTF-8, a file without the expected layout (minified, mixed
  indents, truncated) or anything after the entries array raise :class:`FastPathUnavailable`
  before any of the piece is delivered; the loader continues with ijson from that entry on.
"""

from __future__ import annotations

import codecs
import dataclasses
import gc
import os
import re
import threading
import weakref
from collections.abc import Callable, Generator, Iterator
from datetime import datetime
from typing import Annotated, Any

import msgspec

from harcors.har.convert import (
    EntryError,
    chrome_har_initiator,
    exchange_from_entry,
    headers_from,
    infer_resource_type,
    parse_time,
    without_part_headers,
)
from harcors.har.errors import HarError
from harcors.har.model import Exchange, Headers, Initiator, Skipped
from harcors.har.source import open_har

#: Bytes read per piece. Memory is about this plus the largest single entry.
CHUNK = 4 << 20
#: Smallest plain file whose second half ``workers=2`` hands to a helper process (starting it and
#: sending the results back cost more than they save below this).
PARALLEL_MIN = 64 << 20
_HEAD_LIMIT = 4 << 20  # the bytes before log.entries (pages) must fit in this
_TAIL_LIMIT = 1 << 20  # and so must the bytes after it
_UTF8_WINDOW = 64 << 10  # validate in cache-sized windows: ~8 GB/s, no large temporary string
_BOM = b"\xef\xbb\xbf"

# `"entries": [` ending a line, then the first entry's `{` on a line of its own.
_ENTRIES_START = re.compile(rb'(\r?\n)([ \t]*)"entries"[ \t]*:[ \t]*(\[)[ \t]*\r?\n([ \t]*)(\{)[ \t]*\r?\n')
# `b"\\u" in text`, three times as fast on a header list (hot path: ~30,000 lists in a 50k-entry
# file): bytes.find's skip loop stops at every "u" for a two-byte needle, re's literal search does not.
_escape = re.compile(rb"\\u").search

NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
_NULL = msgspec.Raw(b"null")  # a missing header list reads like an explicit null: no headers


class FastPathUnavailable(Exception):
    """The file's layout does not allow the fast path (from here on); read on with the ijson path."""


# The typed schema. Field types are exactly the clean cases exchange_from_entry accepts; any other
# value fails the typed decode and the piece goes through exchange_from_entry itself, so the two
# paths cannot disagree. Headers stay raw JSON until we know they are wanted.
class _Header(msgspec.Struct, gc=False, frozen=True):  # hashable: the sharing table's key
    name: NonEmpty
    value: str = ""


class _Post(msgspec.Struct, gc=False):
    mimeType: str | None = None


class _Content(msgspec.Struct, gc=False):
    mimeType: str | None = None


class _Initiator(msgspec.Struct, gc=False, frozen=True):  # hashable: the sharing table's key
    type: str | None = None
    url: str | None = None
    requestId: str | None = None


class _Request(msgspec.Struct, gc=False):
    method: NonEmpty
    url: NonEmpty
    headers: msgspec.Raw = _NULL
    postData: _Post | None = None
    httpVersion: str | None = None


class _Response(msgspec.Struct, gc=False):
    status: int = 0
    statusText: str | None = None
    httpVersion: str | None = None
    headers: msgspec.Raw = _NULL
    content: _Content | None = None
    redirectURL: str | None = None
    error: str | None = msgspec.field(default=None, name="_error")
    failure_text: str | None = msgspec.field(default=None, name="_failureText")


class _Entry(msgspec.Struct, gc=False):
    request: _Request
    response: _Response | None = None
    startedDateTime: str | None = None
    resource_type: str | None = msgspec.field(default=None, name="_resourceType")
    initiator: _Initiator | str | None = msgspec.field(default=None, name="_initiator")
    initiator_type: str | None = msgspec.field(default=None, name="_initiator_type")
    initiator_detail: str | None = msgspec.field(default=None, name="_initiator_detail")
    error: str | None = msgspec.field(default=None, name="_error")
    serverIPAddress: str | None = None
    pageref: str | None = None
    time: float = 0.0
    from_cache: str | None = msgspec.field(default=None, name="_fromCache")


# Only the header lists, to read a piece again for entries whose headers were left in the file.
class _HeaderList(msgspec.Struct, gc=False):
    headers: msgspec.Raw = _NULL


class _RawHeaders(msgspec.Struct, gc=False):
    request: _HeaderList
    response: _HeaderList | None = None


_typed = msgspec.json.Decoder(list[_Entry])
_header_list = msgspec.json.Decoder(list[_Header] | None)
_raw_headers = msgspec.json.Decoder(list[_RawHeaders])
_generic = msgspec.json.Decoder()
_no_response = _Response()
_no_content = _Content()
_NO_HEADERS = Headers()
_fromiso = datetime.fromisoformat
_EMPTY = frozenset[str]()


_SHARE_LIMIT = 250_000  # distinct strings and header lines kept for sharing (~25 MB at most)


class _Shared:
    """One table per file through which repeated strings and header lines are shared: a long session
    repeats the same header lines, methods and content types tens of thousands of times."""

    def __init__(self) -> None:
        self.table: dict[Any, Any] = {}

    def headers(self, items: list[_Header] | None) -> Headers:
        if not items:
            return _NO_HEADERS
        table = self.table
        if len(table) > _SHARE_LIMIT:  # unique values (dates, ids) would otherwise pile up
            table.clear()
        # Hot path: ~30 lines per exchange, nine in ten seen before. The decoded line itself is the
        # key, so a (name, value) tuple is only made for a line not yet in the table.
        pairs: Any = tuple(map(table.get, items))  # a tuple: Headers keeps it as it is
        if None in pairs:
            pairs = list(pairs)
            for i, pair in enumerate(pairs):
                if pair is None:
                    line = items[i]
                    pairs[i] = table[line] = (line.name, line.value)
        return Headers(pairs)


# --- headers left in the file ---------------------------------------------------------------------


class _Source:
    """The plain file a run of entries came from, to decode the headers kept there when they are asked for."""

    def __init__(self, path: str, bom: bool, shared: _Shared) -> None:
        self.path = path
        self.shared = shared
        self.bom = len(_BOM) if bom else 0
        st = os.stat(path)
        self._stamp = (st.st_size, st.st_mtime_ns)
        self._lock = threading.Lock()
        # The last piece read again, held weakly: pieces point at their source, and a strong
        # reference back would make a cycle that keeps a closed analysis alive until the cyclic
        # GC runs (the GUI freezes big analyses out of its reach, so never).
        self._cached: tuple[weakref.ref[_Piece] | None, list[_RawHeaders]] = (None, [])
        self._cached_entries: tuple[weakref.ref[_Piece] | None, list[_Entry]] = (None, [])

    def headers(self, piece: _Piece, ordinal: int, response: bool) -> Headers:
        with self._lock:  # the GUI may ask from its thread while the loader still reads
            cached_ref, entries = self._cached
            if cached_ref is None or cached_ref() is not piece:
                entries = self._read(piece, _raw_headers)
                self._cached = (weakref.ref(piece), entries)
        entry = entries[ordinal]
        if response:
            if entry.response is None:
                return _NO_HEADERS
            raw = entry.response.headers
        else:
            raw = entry.request.headers
        try:
            return self.shared.headers(_header_list.decode(raw))
        except msgspec.ValidationError:  # a header list the typed schema rejects: exactly as convert.py
            return headers_from(_generic.decode(raw))

    def entry(self, piece: _Piece, ordinal: int) -> _Entry:
        """A record's entry decoded again, for the fields a helper process did not send."""
        with self._lock:
            cached_ref, entries = self._cached_entries
            if cached_ref is None or cached_ref() is not piece:
                entries = self._read(piece, _typed)
                self._cached_entries = (weakref.ref(piece), entries)
        return entries[ordinal]

    def _read(self, piece: _Piece, decoder: msgspec.json.Decoder[Any]) -> list[Any]:
        """The piece's entries again (as ``_RawHeaders``: header lists left as raw JSON to decode
        one by one; as ``_Entry``: a record's fields)."""
        changed = HarError(self.path, "changed after it was read; open it again to see these details")
        try:
            st = os.stat(self.path)
            if (st.st_size, st.st_mtime_ns) != self._stamp:
                raise changed
            with open(self.path, "rb") as f:
                f.seek(self.bom + piece.offset)
                data = b"[" + f.read(piece.length) + b"]"
        except OSError as exc:
            raise HarError(self.path, f"cannot be read again ({exc.strerror or exc})") from None
        try:
            entries = decoder.decode(data)
        except (msgspec.DecodeError, UnicodeDecodeError):  # ValidationError too: it read as entries before
            raise changed from None
        if len(entries) <= piece.last:
            raise changed
        return entries


class _Piece:
    __slots__ = ("__weakref__", "last", "length", "offset", "source")

    def __init__(self, source: _Source, offset: int, length: int) -> None:
        self.source = source
        self.offset = offset  # of the first entry's "{", in the JSON text (after a BOM)
        self.length = length  # through the last entry's "}"
        self.last = 0  # the highest ordinal kept lazily


_items_slot = Headers._items  # type: ignore[attr-defined]  # the base class's slot, under our property


class LazyHeaders(Headers):
    """Headers still in the file: decoded on first use, except for the names known to be absent.

    An entry's request headers are left in the file only when the raw JSON was checked to hold no
    ``Origin`` header (and, if listed in ``absent``, no ``Access-Control-*`` one), so the question
    every CORS check asks first, "was there an Origin?", is answered without reading anything.
    """

    __slots__ = ("_absent", "_ordinal", "_piece", "_response")

    def __init__(self, piece: _Piece, ordinal: int, response: bool, absent: frozenset[str] = _EMPTY) -> None:
        self._index = None
        self._piece = piece
        self._ordinal = ordinal
        self._response = response
        self._absent = absent

    @property  # type: ignore[override]
    def _items(self) -> tuple[tuple[str, str], ...]:
        try:
            return _items_slot.__get__(self, Headers)
        except AttributeError:
            items = self._piece.source.headers(self._piece, self._ordinal, self._response).items()
            _items_slot.__set__(self, items)
            return items

    def get(self, name: str, default: str | None = None) -> str | None:
        if name.lower() in self._absent:
            return default
        return super().get(name, default)

    def get_all(self, name: str) -> list[str]:
        return [] if name.lower() in self._absent else super().get_all(name)

    def combined(self, name: str) -> str | None:
        return None if name.lower() in self._absent else super().combined(name)

    def count(self, name: str) -> int:
        return 0 if name.lower() in self._absent else super().count(name)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str) and name.lower() in self._absent:
            return False
        return super().__contains__(name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Headers, (self._items,))

    @property
    def loaded(self) -> bool:
        """Whether the headers were read from the file yet (for tests and the curious)."""
        try:
            _items_slot.__get__(self, Headers)
        except AttributeError:
            return False
        return True


_NO_ORIGIN = frozenset({"origin"})
_NO_ORIGIN_NO_ACR = frozenset({"origin", "access-control-request-method", "access-control-request-headers"})


# --- converting typed entries ---------------------------------------------------------------------


class _Converter:
    """Typed entries to Exchanges, sharing repeated strings through the file's :class:`_Shared` table."""

    def __init__(self, shared: _Shared) -> None:
        self._shared = shared.table
        self._headers = shared.headers
        self._types: dict[str, str] = {}

    def _lower(self, raw_type: str) -> str:
        lowered = self._types.get(raw_type)
        if lowered is None:
            lowered = self._types[raw_type] = raw_type.lower()
        return lowered

    def exchanges(self, entries: list[_Entry], base: int, piece: _Piece | None) -> list[Exchange]:
        """All of a piece's entries, or ``msgspec.ValidationError`` (a header list the typed schema
        rejects) before any is delivered."""
        table = self._shared  # may be cleared, never replaced
        share = table.setdefault
        types = self._types
        headers = self._headers  # a list the schema rejects raises ValidationError: the piece goes generic
        header_list = _header_list.decode
        out: list[Exchange] = []
        append = out.append
        for ordinal, e in enumerate(entries):
            req = e.request
            resp = e.response or _no_response
            post = req.postData
            status = resp.status
            raw_type = e.resource_type
            raw_init = e.initiator
            # An entry that cannot concern CORS stays a record until a field is read: a successful
            # GET/HEAD without a body, typed by the producer and not as a preflight, whose request
            # headers hold no Origin (every CORS request carries one, including redirected ones).
            if (piece is not None and raw_type and post is None and (200 <= status < 300 or status == 304)
                    and not (resp.error or resp.failure_text or e.error) and req.method in ("GET", "HEAD")
                    and (types.get(raw_type) or self._lower(raw_type)) != "preflight"
                    and (raw_init.type != "preflight" if isinstance(raw_init, _Initiator)
                         else raw_init is None and e.initiator_type is None and e.initiator_detail is None)):
                lowered = bytes(req.headers).lower()
                if b'"origin"' not in lowered and _escape(lowered) is None:  # nor an escaped name
                    absent = _NO_ORIGIN_NO_ACR if b"access-control-" not in lowered else _NO_ORIGIN
                    x = _new_lazy(LazyExchange)
                    _set_index(x, base + ordinal)
                    _set_method(x, share(req.method, req.method))
                    _set_url(x, req.url)
                    _set_status(x, status)
                    _set_error(x, None)
                    _set_redirect(x, resp.redirectURL or "")
                    _set_has_body(x, False)
                    _set_request_mime(x, None)
                    _set_inferred(x, False)
                    _set_started(x, _started(e.startedDateTime))  # pairing sorts every entry by time
                    _set_pageref(x, share(e.pageref, e.pageref) if e.pageref else e.pageref)
                    _set_resource_type(x, types[raw_type])
                    req.headers = resp.headers = _NULL  # they are views of the read buffer
                    _set_extras(x, (e, piece, ordinal, absent, self))
                    piece.last = ordinal
                    append(x)
                    continue
            content = resp.content or _no_content
            method = share(req.method, req.method)
            error = resp.error or resp.failure_text or e.error or None
            if isinstance(raw_init, _Initiator):  # one Initiator per distinct value: most repeat
                initiator: Initiator | None = table.get(raw_init)
                if initiator is None:
                    initiator = table[raw_init] = Initiator(
                        raw_init.type or "other", raw_init.url, raw_init.requestId or None)
            elif raw_init is None and e.initiator_type is None and e.initiator_detail is None:
                initiator = None
            else:
                initiator = chrome_har_initiator(raw_init, e.initiator_type, e.initiator_detail)
            redirect = resp.redirectURL or ""
            resp_headers = headers(header_list(resp.headers))
            request_mime = post.mimeType if post is not None else None
            req_headers = without_part_headers(headers(header_list(req.headers)), request_mime)
            if not redirect and 300 <= status < 400:
                redirect = resp_headers.get("location") or ""
            if raw_type:
                resource_type, inferred = types.get(raw_type) or self._lower(raw_type), False
            else:
                resource_type = infer_resource_type(method.upper(), req_headers, content.mimeType)
                inferred = True
            response_mime = content.mimeType
            http_version = resp.httpVersion or req.httpVersion or ""
            append(_exchange(
                base + ordinal, _started(e.startedDateTime), method, req.url, req_headers, resp_headers,
                status,
                share(resp.statusText, resp.statusText) if resp.statusText else "",
                resource_type, inferred, initiator,
                share(error, error) if error else None,
                redirect,
                share(e.serverIPAddress, e.serverIPAddress) if e.serverIPAddress else "",
                share(e.pageref, e.pageref) if e.pageref else e.pageref,
                share(http_version, http_version) if http_version else "",
                e.time, post is not None, request_mime,
                share(response_mime, response_mime) if response_mime else response_mime,
                e.from_cache,
            ))
        return out

    def finish(self, x: Exchange, e: _Entry, piece: _Piece, ordinal: int, absent: frozenset[str]) -> None:
        """The rest of a :class:`LazyExchange`'s fields, as ``exchanges`` would have set them."""
        _Worked.finish(x, self.rest(e), piece, ordinal, absent)

    def rest(self, e: _Entry) -> _Rest:
        """A record's deferred fields but its headers, as plain values."""
        share = self._shared.setdefault
        resp = e.response or _no_response
        content = resp.content or _no_content
        raw_init = e.initiator
        http_version = resp.httpVersion or e.request.httpVersion or ""
        response_mime = content.mimeType
        return (
            share(resp.statusText, resp.statusText) if resp.statusText else "",
            None if raw_init is None else (  # type: ignore[union-attr]  # a record's is an _Initiator
                raw_init.type or "other", raw_init.url, raw_init.requestId or None),
            share(e.serverIPAddress, e.serverIPAddress) if e.serverIPAddress else "",
            share(http_version, http_version) if http_version else "",
            e.time,
            share(response_mime, response_mime) if response_mime else response_mime,
            e.from_cache,
        )


# status_text, initiator (type, url, request_id), server_ip, http_version, time_ms, response_mime, from_cache
_Rest = tuple[str, tuple[str, str | None, str | None] | None, str, str, float, str | None, str | None]


class _Worked:
    """Finishes a record from its deferred fields already worked out."""

    @staticmethod
    def finish(x: Exchange, rest: _Rest, piece: _Piece, ordinal: int, absent: frozenset[str]) -> None:
        status_text, initiator, server_ip, http_version, time_ms, response_mime, from_cache = rest
        _set_request_headers(x, LazyHeaders(piece, ordinal, False, absent))
        _set_response_headers(x, LazyHeaders(piece, ordinal, True))
        _set_status_text(x, status_text)
        _set_initiator(x, None if initiator is None else Initiator(*initiator))
        _set_server_ip(x, server_ip)
        _set_http_version(x, http_version)
        _set_time_ms(x, time_ms)
        _set_response_mime(x, response_mime)
        _set_from_cache(x, from_cache)


def _started(value: str | None) -> float | None:
    try:  # parse_time's common case inline: DevTools writes ISO 8601 with a "Z"
        dt = _fromiso(value)  # type: ignore[arg-type]
        return dt.timestamp() if dt.tzinfo is not None else parse_time(value)
    except (TypeError, ValueError, OverflowError, OSError):
        return parse_time(value)


# --- entries kept as records ----------------------------------------------------------------------

_slot = {f.name: Exchange.__dict__[f.name] for f in dataclasses.fields(Exchange)}
_new_lazy = object.__new__
(_set_index, _set_method, _set_url, _set_status, _set_error, _set_redirect, _set_has_body, _set_request_mime,
 _set_inferred, _set_extras, _set_started, _set_request_headers, _set_response_headers, _set_status_text,
 _set_resource_type, _set_initiator, _set_server_ip, _set_pageref, _set_http_version, _set_time_ms,
 _set_response_mime, _set_from_cache) = (_slot[n].__set__ for n in (
    "index", "method", "url", "status", "error", "redirect_url", "has_body", "request_mime",
    "resource_type_inferred", "extras", "started", "request_headers", "response_headers", "status_text",
    "resource_type", "initiator", "server_ip", "pageref", "http_version", "time_ms", "response_mime",
    "from_cache"))
_get_extras = _slot["extras"].__get__
_get_index = _slot["index"].__get__


def _exchange(index: int, started: float | None, method: str, url: str, request_headers: Headers,
              response_headers: Headers, status: int, status_text: str, resource_type: str,
              resource_type_inferred: bool, initiator: Initiator | None, error: str | None, redirect_url: str,
              server_ip: str, pageref: str | None, http_version: str, time_ms: float, has_body: bool,
              request_mime: str | None, response_mime: str | None, from_cache: str | None) -> Exchange:
    """``Exchange(...)`` with the same positional fields and empty extras, at half the cost.

    Hot path (every exchange that may concern CORS): the frozen dataclass's ``__init__`` goes
    through ``object.__setattr__`` per field; the slot setters are twice as fast.
    """
    x = _new_lazy(Exchange)
    _set_index(x, index)
    _set_started(x, started)
    _set_method(x, method)
    _set_url(x, url)
    _set_request_headers(x, request_headers)
    _set_response_headers(x, response_headers)
    _set_status(x, status)
    _set_status_text(x, status_text)
    _set_resource_type(x, resource_type)
    _set_inferred(x, resource_type_inferred)
    _set_initiator(x, initiator)
    _set_error(x, error)
    _set_redirect(x, redirect_url)
    _set_server_ip(x, server_ip)
    _set_pageref(x, pageref)
    _set_http_version(x, http_version)
    _set_time_ms(x, time_ms)
    _set_has_body(x, has_body)
    _set_request_mime(x, request_mime)
    _set_response_mime(x, response_mime)
    _set_from_cache(x, from_cache)
    _set_extras(x, {})
    return x


class _Reread:
    """Finishes a record a helper process sent without its deferred fields (none of the CLI's stages
    reads them): its entry is decoded again from the file, a piece at a time."""

    @staticmethod
    def finish(x: Exchange, _rest: None, piece: _Piece, ordinal: int, absent: frozenset[str]) -> None:
        source = piece.source
        _Converter(source.shared).finish(x, source.entry(piece, ordinal), piece, ordinal, absent)


def _record(index: int, method: str, url: str, status: int, redirect_url: str, started: float | None,
            pageref: str | None, resource_type: str, piece: _Piece, ordinal: int,
            absent: frozenset[str]) -> LazyExchange:
    """A :class:`LazyExchange` sent by a helper process, as ``_Converter.exchanges`` made it there
    (sending its deferred fields cost the helper 0.03 s per 14,000 records on the 50k file)."""
    x = _new_lazy(LazyExchange)
    _set_index(x, index)
    _set_method(x, method)
    _set_url(x, url)
    _set_status(x, status)
    _set_error(x, None)
    _set_redirect(x, redirect_url)
    _set_has_body(x, False)
    _set_request_mime(x, None)
    _set_inferred(x, False)
    _set_started(x, started)
    _set_pageref(x, pageref)
    _set_resource_type(x, resource_type)
    _set_extras(x, (None, piece, ordinal, absent, _Reread))
    return x


def _lazy_state(x: LazyExchange) -> tuple[Any, ...]:
    """``_record``'s arguments to build ``x`` again in another process."""
    _e, piece, ordinal, absent, _convert = _get_extras(x, Exchange)
    return (_get_index(x, Exchange), x.method, x.url, x.status, x.redirect_url, x.started, x.pageref,
            x.resource_type, piece, ordinal, absent)


def _materialize(x: Exchange) -> None:
    state = _get_extras(x, Exchange)
    if type(state) is tuple:  # not yet done (another thread may have done it meanwhile)
        e, piece, ordinal, absent, convert = state
        convert.finish(x, e, piece, ordinal, absent)
        _set_extras(x, {})
    object.__setattr__(x, "__class__", Exchange)  # from now on a plain Exchange, read at full speed


def _lazy_field(name: str) -> property:
    get = _slot[name].__get__

    def read(self: Exchange) -> Any:
        _materialize(self)
        return get(self, Exchange)

    return property(read, doc=f"Exchange.{name}, worked out on first use")


class LazyExchange(Exchange):
    """An entry that cannot concern CORS, kept as its decoded record until a field is read.

    The fields pairing reads on every entry are set up front: ``index``, ``method``, ``url``,
    ``status``, ``started``, ``pageref``, ``resource_type``, ``error``, ``redirect_url``,
    ``has_body``, ``request_mime``, ``resource_type_inferred``; ``origin`` and ``is_preflight`` are
    known to be None and false. Reading any other field fills in
    all of them and turns the object into a plain :class:`Exchange` (same slots, so the class can
    be swapped); equality, hashing, ``dataclasses.replace`` and pickling see a plain Exchange.
    """

    __slots__ = ()

    request_headers = _lazy_field("request_headers")
    response_headers = _lazy_field("response_headers")
    status_text = _lazy_field("status_text")
    initiator = _lazy_field("initiator")
    server_ip = _lazy_field("server_ip")
    http_version = _lazy_field("http_version")
    time_ms = _lazy_field("time_ms")
    response_mime = _lazy_field("response_mime")
    from_cache = _lazy_field("from_cache")
    extras = _lazy_field("extras")

    @property
    def origin(self) -> str | None:
        return None  # checked before the record was kept: no Origin request header

    @property
    def is_preflight(self) -> bool:
        return False  # a GET/HEAD not typed or initiated as a preflight

    def __eq__(self, other: object) -> bool:
        _materialize(self)
        return self == other

    def __hash__(self) -> int:
        _materialize(self)
        return hash(self)

    def __repr__(self) -> str:
        _materialize(self)
        return repr(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        _materialize(self)
        return self.__reduce_ex__(protocol)


# --- reading pieces -------------------------------------------------------------------------------


def _check_utf8(view: memoryview) -> None:
    """msgspec does not validate the strings it skips; the ijson path would reject (and repair) them."""
    decode = codecs.utf_8_decode
    i, end = 0, len(view)
    while i < end:
        _text, used = decode(view[i:i + _UTF8_WINDOW], "strict", False)
        if not used:  # an incomplete sequence at the very end of the piece
            decode(view[i:end], "strict", True)
            return
        i += used


_Items = list[Exchange | Skipped]


def _fill(stream: Any, buf: bytearray, filled: int, stop: int | None = None) -> tuple[int, bool]:
    """Read into ``buf[filled:]`` until full or at the end of the file; return the fill and if at EOF.

    With ``stop``, nothing is read into ``buf[stop:]`` and reaching it counts as the end of the file.
    """
    end = len(buf) if stop is None else min(len(buf), stop)
    with memoryview(buf) as view:
        while filled < end:
            got = stream.readinto(view[filled:end])
            if not got:
                return filled, True
            filled += got
    return filled, stop is not None and filled >= stop


@dataclasses.dataclass(frozen=True)
class Layout:
    """How a file's entries are laid out: the bytes between two entries and after the last one."""

    boundary: bytes  # newline, indent, "},", newline, indent, "{"
    last: bytes  # newline, indent, "}", newline, the outer indent, "]"
    close: int  # from the start of a boundary to just past the entry's "}"


def read_head(path: str) -> tuple[dict[str, Any], int] | None:
    """The members of ``log`` before ``log.entries`` and the file's size, when the file has the
    layout the fast path reads; None otherwise (the ijson path then reads the head)."""
    opened = open_har(path)
    try:
        head = getattr(opened.stream, "_inner", opened.stream).read(_HEAD_LIMIT)
    except Exception:  # damaged compressed data and the like: the ijson path words the problem
        return None
    finally:
        opened.close()
    match = _ENTRIES_START.search(head)
    if match is None or head.count(b'"entries"', 0, match.end(3)) != 1:
        return None
    log = _log_before_entries(head[:match.end(3)])
    return None if log is None else (log, opened.size)


def _log_before_entries(head: bytes) -> dict[str, Any] | None:
    """``log`` as decoded from ``head`` (the text through ``"entries": [``) closed right after an
    empty entries array; None unless that is a HAR and this its log.entries."""
    try:
        skeleton = _generic.decode(head + b"]}}")
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return None
    if not (isinstance(skeleton, dict) and isinstance(skeleton.get("log"), dict)
            and skeleton["log"].get("entries") == []):
        return None
    return skeleton["log"]


class FastEntries:
    """Yields an ``Exchange`` or a ``Skipped`` for each entry, in order, with their indexes.

    Raises :class:`FastPathUnavailable` before yielding anything it cannot vouch for; ``count``
    then says how many entries were delivered, so the caller can go on from there.
    ``lazy=False`` decodes every entry's headers up front (no reading back from the file later).
    ``workers=2`` lets a helper process read the second half of a large plain file meanwhile
    (see :mod:`harcors.har.parallel`); the entries, their order and indexes are the same.
    """

    def __init__(
        self,
        path: str,
        *,
        on_read: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        chunk: int | None = None,
        lazy: bool = True,
        workers: int = 1,
    ) -> None:
        self.path = path
        self.count = 0
        self.generic_pieces = 0  # pieces that took the exchange_from_entry route (for tests)
        self.skipped_in_piece = 0  # Skipped items in the piece just yielded (only generic pieces have any)
        self.parallel = False  # whether a child process read part of the file (for tests)
        self.next_entry = 0  # where the entry after the piece just yielded starts, in the JSON text
        self._on_read = on_read
        self._cancelled = cancelled
        self._chunk = chunk or CHUNK
        self._lazy = lazy
        self._workers = workers

    def __iter__(self) -> Iterator[Exchange | Skipped]:
        for piece in self.pieces():
            yield from piece

    def pieces(self) -> Iterator[_Items]:
        """The entries a piece at a time (fewer generator hops per entry than iterating)."""
        opened = open_har(self.path, on_read=self._on_read, cancelled=self._cancelled)
        # Read beneath source.py's CheckedStream: its nesting-depth guard protects ijson's memory and
        # costs more than the whole fast path; msgspec bounds its own recursion, and any piece it
        # rejects goes back to the ijson path, which opens the file again with the guard.
        stream = getattr(opened.stream, "_inner", opened.stream)
        shared = _Shared()
        source = None
        # only a plain UTF-8 file can be read back by offset (UTF-16 is transcoded: offsets differ)
        if self._lazy and opened.compression is None and opened.encoding == "utf-8":
            source = _Source(self.path, opened.bom, shared)
        # Everything built here is acyclic, yet each allocation counts towards a collection that
        # walks the whole growing heap: about 15 % of the time on a large file, for nothing.
        collecting = gc.isenabled()
        gc.disable()
        try:
            yield from self._read(stream, source, shared, opened.size)
        finally:
            if collecting:
                gc.enable()
            opened.close()

    def _read(self, stream: Any, source: _Source | None, shared: _Shared, size: int) -> Iterator[_Items]:
        # buf[0] is kept free for the "[" that turns a run of entries into a JSON array; buf[i] is
        # byte `base + i - 1` of the JSON text.
        buf = bytearray(self._chunk + 1)
        filled, eof = _fill(stream, buf, 1)
        while (match := _ENTRIES_START.search(buf, 1, filled)) is None:
            if eof or filled >= _HEAD_LIMIT:
                raise FastPathUnavailable("log.entries is not laid out one entry per indented block")
            buf += bytes(len(buf))
            filled, eof = _fill(stream, buf, filled)
        newline, outer, indent = match.group(1), match.group(2), match.group(4)
        bracket = match.end(3)
        if len(indent) <= len(outer) or buf.count(b'"entries"', 1, bracket) != 1:
            raise FastPathUnavailable("unexpected layout before log.entries")
        if _log_before_entries(bytes(buf[1:bracket])) is None:
            raise FastPathUnavailable("log.entries is not where a HAR has it")
        layout = Layout(
            boundary=newline + indent + b"}," + newline + indent + b"{",
            last=newline + indent + b"}" + newline + outer + b"]",
            close=len(newline) + len(indent) + 1,
        )
        convert = _Converter(shared)
        helper = None
        if source is not None and self._workers > 1 and size >= PARALLEL_MIN and not eof:
            from harcors.har import parallel  # only here: it starts processes

            helper = parallel.Helper.start(self, layout, source, after=filled - 1)
        if helper is None:
            yield from self._entries(stream, buf, match.start(5), filled, eof, 0, layout, convert, source)
            return
        self.parallel = True
        try:
            if (yield from self._entries(stream, buf, match.start(5), filled, eof, 0, layout, convert, source,
                                         limit=helper.split)):
                return  # the entries ended before the split (a large array after them): nothing more
            self.next_entry = helper.first
            for items in helper.results(self.count, self._cancelled):
                self.count += len(items)
                self.skipped_in_piece = helper.skipped_in_piece
                self.generic_pieces += helper.generic_pieces
                if self._on_read is not None and helper.next_entry >= 0:
                    self._on_read(source.bom + helper.next_entry)
                self.next_entry = helper.next_entry
                yield items
            if helper.done:
                return
        finally:
            helper.stop()
        # The helper stopped early (it met something the fast path cannot read, or died): read on here.
        if self.next_entry < 0:  # after the last entry: what follows it did not check out, as one
            raise FastPathUnavailable("the document does not end cleanly after log.entries")  # process says
        stream.seek(source.bom + self.next_entry)
        buf = bytearray(self._chunk + 1)
        filled, eof = _fill(stream, buf, 1)
        yield from self._entries(stream, buf, 1, filled, eof, self.next_entry, layout, convert, source)

    def entries_from(self, start: int, layout: Layout, bom: bool) -> Iterator[_Items]:
        """The pieces of this plain file from the entry whose "{" is at ``start`` in the JSON text to
        the end of the array, with indexes counted from 0 there (a helper process's part)."""
        source = _Source(self.path, bom, _Shared())
        with open(self.path, "rb") as stream:
            stream.seek(source.bom + start)
            buf = bytearray(self._chunk + 1)
            filled, eof = _fill(stream, buf, 1)
            convert = _Converter(source.shared)
            yield from self._entries(stream, buf, 1, filled, eof, start, layout, convert, source)

    def _entries(self, stream: Any, buf: bytearray, start: int, filled: int, eof: bool, base: int,
                 layout: Layout, convert: _Converter, source: _Source | None,
                 limit: int | None = None) -> Generator[_Items, None, bool]:
        """The pieces from the entry whose "{" is ``buf[start]`` on; returns True at the end of the
        array, False at byte ``limit`` of the JSON text (the end of an entry) if given."""
        boundary, last, close = layout.boundary, layout.last, layout.close
        while True:
            cut = buf.rfind(boundary, start, filled)
            # The end of the array can only follow the last boundary (if it came earlier, the piece
            # would hold "]" and fail to decode, which is the safe outcome).
            stop = buf.find(last, max(cut, start), filled)
            if stop >= 0:
                self.next_entry = -1  # none: only what follows the array is left to check
                yield self._decode(buf, start, stop + close, base, convert, source)
                self._check_tail(stream, buf[stop + len(last):filled])
                return True
            if cut >= 0:
                self.next_entry = base + cut + len(boundary) - 2
                yield self._decode(buf, start, cut + close, base, convert, source)
                start = cut + len(boundary) - 1
            if eof:
                if limit is not None and base + filled - 1 == limit:  # the last entry before the split
                    if filled == len(buf):
                        buf.append(0)  # room for the "]"
                    yield self._decode(buf, start, filled, base, convert, source)
                    return False
                raise FastPathUnavailable("the entries array does not end as it began (truncated?)")
            # Move the unfinished entry to the front and fill the rest; grow if one entry fills it all.
            rest = buf[start:filled]
            if len(rest) + 1 >= len(buf):
                buf = bytearray(2 * len(buf))
            buf[1:1 + len(rest)] = rest
            base += start - 1
            start, filled = 1, 1 + len(rest)
            del rest
            filled, eof = _fill(stream, buf, filled, None if limit is None else limit - base + 1)

    def _decode(self, buf: bytearray, start: int, end: int, base: int, convert: _Converter,
                source: _Source | None) -> _Items:
        # Make the piece a JSON array in place: "[" over the indent before the first "{", "]" over
        # the comma (or newline) after the last "}". Neither byte is kept for the next piece.
        buf[start - 1] = 0x5B
        buf[end] = 0x5D
        piece = _Piece(source, base + start - 1, end - start) if source is not None else None
        out: list[Any] | None = None
        with memoryview(buf) as view, view[start - 1:end + 1] as text:
            try:
                _check_utf8(text)
            except UnicodeDecodeError:
                raise FastPathUnavailable("a piece of log.entries is not valid UTF-8") from None
            try:
                entries = _typed.decode(text)
                out = convert.exchanges(entries, self.count, piece)
            except msgspec.ValidationError:
                pass
            except (msgspec.DecodeError, RecursionError):
                raise FastPathUnavailable("a piece of log.entries is not valid JSON") from None
            finally:
                entries = None  # it holds msgspec.Raw views of buf, which must go before buf changes
            if out is None:
                self.generic_pieces += 1
                try:
                    raw_entries = _generic.decode(text)
                except (msgspec.DecodeError, RecursionError):
                    raise FastPathUnavailable("a piece of log.entries is not valid JSON") from None
        self.skipped_in_piece = 0
        if out is None:
            out = []
            for i, raw in enumerate(raw_entries, self.count):
                try:
                    out.append(exchange_from_entry(i, raw))
                except EntryError as exc:
                    out.append(Skipped(i, str(exc)))
                except RecursionError:
                    out.append(Skipped(i, "entry is nested too deeply"))
            self.skipped_in_piece = sum(type(x) is Skipped for x in out)
        self.count += len(out)
        return out

    def _check_tail(self, stream: Any, tail: bytearray) -> None:
        """What follows the entries must end the document as ijson would accept it, with no more entries."""
        tail += stream.read(_TAIL_LIMIT)
        if len(tail) > _TAIL_LIMIT or stream.read(1):
            raise FastPathUnavailable("too much after log.entries")
        if b'"entries"' in tail:
            raise FastPathUnavailable("another entries array follows")
        try:
            _generic.decode(b'{"log":{"entries":[]' + tail)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            raise FastPathUnavailable("the document does not end cleanly after log.entries") from None

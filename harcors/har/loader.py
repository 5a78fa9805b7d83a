"""Stream a HAR file's ``log.entries`` into :class:`Exchange` records with bounded memory.

haralyzer's ``HarParser.from_file`` is bypassed for reading: it ``json.load``s the whole file
(over 1 GB of RAM for a 450 MB HAR), fails on a UTF-8 BOM and cannot report which entry is bad.
Pretty-printed files (DevTools, Firefox, most tools) take the fast path in ``fast.py``: bounded
pieces decoded by msgspec into only the fields CORS needs. Everything else, and whatever the fast
path cannot vouch for, streams with ijson's C backend and ``convert.py``, from the first entry the
fast path did not deliver; both give the same Exchanges, skipped entries and problems. With
``workers=2`` a helper process reads the second half of a large plain file meanwhile (``parallel.py``).
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import itertools
import os
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import ijson
import msgspec

from harcors.har.convert import EntryError, exchange_from_entry
from harcors.har.diagnose import describe_not_har, explain_json_error
from harcors.har.errors import HarError, LoadCancelled
from harcors.har.fast import FastEntries, FastPathUnavailable, read_head
from harcors.har.model import Exchange, HarInfo, Skipped
from harcors.har.source import ToUtf8, compression_name, open_har

#: ``progress(bytes_read, bytes_total, entries_read)``; called at most every ~50 ms.
ProgressCallback = Callable[[int, int, int], None]

_PREFIX_LIMIT = 8 << 20  # how far to look for log.version/creator before giving up on them
_SUFFIX_LIMIT = 64 << 10  # how much of a plain file's end is read for members after log.entries
# An array's "]" and the "," before the next member: where log's members after "entries" may start.
_ARRAY_THEN_MEMBER = re.compile(rb'\][ \t\r\n]*,[ \t\r\n]*"')


@dataclass
class LoadedHar:
    """Everything read from one HAR file."""

    info: HarInfo
    exchanges: list[Exchange] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: A file-level problem met after some entries were read (e.g. truncated): those entries are kept.
    problem: str | None = None
    entries_seen: int = 0


def _short_json_error(exc: Exception) -> str:
    """yajl's messages span three lines with an ASCII-art pointer; keep the first line."""
    if isinstance(exc, UnicodeDecodeError):  # yajl passes UTF-8-encoded surrogates; Python does not
        return "the file contains bytes that are not valid UTF-8"
    text = exc.args[0] if exc.args else str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    first = str(text).strip().splitlines()[0] if str(text).strip() else "invalid JSON"
    if "premature EOF" in first:
        return "the file ends in the middle of the JSON (truncated?)"
    if "invalid bytes in UTF8" in first:
        return "the file contains bytes that are not valid UTF-8"
    return f"not valid JSON: {first}"


def read_info(path: str | os.PathLike[str]) -> tuple[HarInfo, bool]:
    """Read ``log.version``, ``creator``, ``browser`` and the page count from the start of the file.

    Returns the info and whether a ``log.entries`` array was found before the scan stopped.
    """
    p = os.fspath(path)
    opened = open_har(p)
    values: dict[str, Any] = {}
    pages = 0
    saw_entries = False
    try:
        # use_float: with Decimal/int numbers, ijson 3.6 segfaults on an integer over 4,300 digits.
        for prefix, event, value in ijson.parse(opened.stream, use_float=True):
            if prefix in ("log.version", "log.creator.name", "log.creator.version",
                            "log.browser.name", "log.browser.version") and event in ("string", "number"):
                values[prefix] = str(value)
            elif prefix == "log.pages.item" and event == "start_map":
                pages += 1
            elif prefix == "log.entries" and event == "start_array":
                saw_entries = True
                break
            if opened.counter.position > _PREFIX_LIMIT:
                break
    except (ijson.JSONError, OSError, UnicodeDecodeError):
        pass  # the entry pass reports JSON and decompression problems with more context
    finally:
        opened.close()
    info = HarInfo(
        path=p,
        version=values.get("log.version"),
        creator=values.get("log.creator.name"),
        creator_version=values.get("log.creator.version"),
        browser=values.get("log.browser.name"),
        browser_version=values.get("log.browser.version"),
        pages=pages,
        size_bytes=opened.size,
    )
    # An entries array beyond _PREFIX_LIMIT is not seen here; the entry pass still finds it.
    return info, saw_entries


def _text(value: Any) -> str | None:
    """A member as :func:`read_info` keeps it: strings and numbers, as text."""
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


def _log_fields(log: dict[str, Any]) -> dict[str, Any]:
    """HarInfo's fields from ``log``'s decoded members (``None``/0 where absent or of the wrong type)."""

    def part(key: str, field_name: str) -> str | None:
        obj = log.get(key)
        return _text(obj.get(field_name)) if isinstance(obj, dict) else None

    pages = log.get("pages")
    return {
        "version": _text(log.get("version")),
        "creator": part("creator", "name"),
        "creator_version": part("creator", "version"),
        "browser": part("browser", "name"),
        "browser_version": part("browser", "version"),
        "pages": sum(1 for page in pages if isinstance(page, dict)) if isinstance(pages, list) else 0,
    }


def _head_info(path: str) -> tuple[HarInfo, bool] | None:
    """What :func:`read_info` says, from the fast path's decode of the file's head (no ijson pass)."""
    head = read_head(path)
    if head is None:
        return None
    log, size = head
    return HarInfo(path=path, size_bytes=size, **_log_fields(log)), True


def _tail_members(path: str) -> dict[str, Any]:
    """The members of ``log`` written after ``log.entries``, from the last bytes of a plain file.

    Tools that write keys in alphabetical order put ``pages`` and ``version`` after ``entries``.
    Each "]," in the tail is tried as the end of the entries array: the members that follow it,
    closed by the log's own "}", decode as an object only from a comma at the log's own level (one
    inside an entry leaves an unbalanced bracket). Compressed and UTF-16 files are not read
    backwards (a gzip or zip stream cannot seek cheaply); their head is all there is.
    """
    try:
        with open(path, "rb") as raw:
            head = raw.read(4)
            utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
            if compression_name(head) != "file" or utf16:
                return {}
            raw.seek(max(0, os.fstat(raw.fileno()).st_size - _SUFFIX_LIMIT))
            tail = raw.read(_SUFFIX_LIMIT)
    except OSError:
        return {}
    if b"\x00" in tail:  # UTF-16 without a BOM at the start of the window, or binary junk
        return {}
    body = tail.rstrip()
    if not body.endswith(b"}"):
        return {}
    body = body[:-1]  # the document's closing "}": what is left ends with log's "}"
    for match in _ARRAY_THEN_MEMBER.finditer(body):
        try:
            members = msgspec.json.decode(b"{" + body[match.end() - 1:])
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            continue
        if isinstance(members, dict):
            return members
    return {}


def _with_tail(info: HarInfo) -> HarInfo:
    """``info`` completed with version, creator, browser and pages written after ``log.entries``."""
    if info.version is not None and info.creator is not None and info.browser is not None:
        return info
    members = _tail_members(info.path)
    if not members:
        return info
    tail = _log_fields(members)
    return dataclasses.replace(
        info,
        version=info.version if info.version is not None else tail["version"],
        creator=info.creator if info.creator is not None else tail["creator"],
        creator_version=info.creator_version if info.creator is not None else tail["creator_version"],
        browser=info.browser if info.browser is not None else tail["browser"],
        browser_version=info.browser_version if info.browser is not None else tail["browser_version"],
        pages=info.pages or tail["pages"],
    )


class HarStream:
    """Iterate the exchanges of a HAR as they are read; ``skipped`` and ``problem`` fill in as it goes.

    >>> stream = HarStream("session.har")
    >>> for exchange in stream: ...
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        progress: ProgressCallback | None = None,
        cancelled: Callable[[], bool] | None = None,
        fast: bool = True,
        workers: int = 1,
    ) -> None:
        self.path = os.fspath(path)
        self._fast = fast
        #: ``2``: a large plain file's second half is read by a helper process meanwhile, forked from
        #: a single-threaded caller, spawned beside threads (see :mod:`harcors.har.parallel`); same results.
        self.workers = workers
        self.parallel = False  # whether a helper process did read part of the file
        info, self._saw_entries = (fast and _head_info(self.path)) or read_info(self.path)
        self.info = _with_tail(info) if self._saw_entries else info
        self.skipped: list[Skipped] = []
        self.problem: str | None = None
        self.entries_seen = 0
        self._progress = progress
        self._cancelled = cancelled
        self._last_report = 0.0

    def _on_read(self, position: int) -> None:
        if self._progress is None:
            return
        now = time.monotonic()
        if now - self._last_report >= 0.05:
            self._last_report = now
            self._progress(position, self.info.size_bytes, self.entries_seen)

    def _raw_entries(self, repair: bool) -> Iterator[tuple[Any, int]]:
        opened = open_har(self.path, on_read=self._on_read, cancelled=self._cancelled)
        stream: BinaryIO = opened.stream
        if repair:
            stream = io.BufferedReader(ToUtf8(stream, "utf-8"), 1 << 20)  # type: ignore[arg-type]
        try:
            for item in ijson.items(stream, "log.entries.item", use_float=True):
                yield item, opened.counter.position
        finally:
            opened.close()

    def _fast_pieces(self) -> Iterator[list[Exchange]]:
        """The fast path; stops early (``entries_seen`` says where) if the file does not suit it."""
        fast = FastEntries(self.path, on_read=self._on_read, cancelled=self._cancelled, workers=self.workers)
        skipped = self.skipped
        try:
            for piece in fast.pieces():
                self.entries_seen = fast.count
                if fast.skipped_in_piece:
                    skipped.extend(x for x in piece if type(x) is Skipped)
                    piece = [x for x in piece if type(x) is not Skipped]
                yield piece  # type: ignore[misc]  # Skipped taken out
        except (FastPathUnavailable, OSError, EOFError, zlib.error, zipfile.BadZipFile, RecursionError):
            # Damaged or unusual input: the ijson path reads on and words the problem.
            self.entries_seen = fast.count
            self._fast = False
        finally:
            self.parallel = fast.parallel

    def __iter__(self) -> Iterator[Exchange]:
        # Hot path: the fast path hands over whole pieces; chain yields their items in C.
        return itertools.chain.from_iterable(self._pieces())

    def _pieces(self) -> Iterator[list[Exchange]]:
        if self._fast and self._saw_entries:
            yield from self._fast_pieces()
            if self._fast:
                if self._progress is not None:
                    self._progress(self.info.size_bytes, self.info.size_bytes, self.entries_seen)
                return
        yield from self._ijson_pieces()

    def _ijson_pieces(self) -> Iterator[list[Exchange]]:
        repair = False
        while True:
            already = self.entries_seen
            index = -1
            try:
                for index, (entry, _pos) in enumerate(self._raw_entries(repair)):
                    if index < already:
                        continue  # re-reading after a UTF-8 repair restart
                    self.entries_seen = index + 1
                    try:
                        yield [exchange_from_entry(index, entry)]
                    except EntryError as exc:
                        self.skipped.append(Skipped(index, str(exc)))
                    except RecursionError:
                        self.skipped.append(Skipped(index, "entry is nested too deeply"))
            except LoadCancelled:
                raise
            except (ijson.JSONError, UnicodeDecodeError) as exc:
                message = _short_json_error(exc)
                if "not valid UTF-8" in message and not repair:
                    repair = True
                    self.problem = None
                    continue
                site = explain_json_error(self.path, exc, message)
                self.problem = f"{site}; read {self.entries_seen} entries before it"
                if self.entries_seen == 0:
                    raise site.error(self.path) from None
            except (OSError, EOFError) as exc:  # damaged gzip/zip streams
                self.problem = (f"the file could not be read to the end: {exc}; "
                                f"read {self.entries_seen} entries before it")
                if self.entries_seen == 0:
                    raise HarError(self.path, self.problem) from None
            except RecursionError:
                self.problem = "the JSON is nested too deeply to read"
                if self.entries_seen == 0:
                    raise HarError(self.path, self.problem) from None
            break
        if repair and self.problem is None:
            self.problem = "the file contains bytes that are not valid UTF-8; they were replaced"
        if self.entries_seen == 0 and not self._saw_entries:
            raise HarError(self.path, describe_not_har(self.path))
        if self._progress is not None:
            self._progress(self.info.size_bytes, self.info.size_bytes, self.entries_seen)


def load_har(
    path: str | os.PathLike[str],
    *,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> LoadedHar:
    """Read a whole HAR into memory as Exchanges (bodies are never kept)."""
    stream = HarStream(path, progress=progress, cancelled=cancelled)
    exchanges = list(stream)
    return LoadedHar(stream.info, exchanges, stream.skipped, stream.problem, stream.entries_seen)

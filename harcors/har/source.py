"""Open a HAR file as a byte stream: plain, gzip'd (.har.gz), or inside a .zip; a byte order mark is skipped.

The stream handed to the JSON parser is a :class:`CheckedStream`. It

* turns every decompression failure (``zlib.error``, ``BadZipFile``, ``EOFError``, ...) into
  :class:`DamagedData`, an ``OSError`` the loader reports, so a damaged archive never escapes as an
  unexpected exception type;
* counts the uncompressed bytes handed out, so errors can say where they happened;
* refuses JSON nested deeper than :data:`MAX_DEPTH` *before* the parser sees it. ijson's C backend
  keeps one prefix string per open level, each as long as the path to it, so memory grows with the
  square of the depth: 30,000 ``[`` (a 60 KB file) take 2 GB, 100,000 take more than 4 GB.
"""

from __future__ import annotations

import codecs
import gzip
import io
import lzma
import os
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

import ijson

from harcors.har.errors import HarError, LoadCancelled

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_BOM = b"\xef\xbb\xbf"

#: Deepest JSON nesting read. Real HARs stay far below: Chrome's deepest structure is the async
#: ``_initiator.stack.parent`` chain (DevTools caps async stack depth), well under 100 levels.
MAX_DEPTH = 1000

#: Errors the decompressors raise for damaged data, besides OSError (gzip.BadGzipFile is one).
_DECOMPRESSION_ERRORS = (zlib.error, zipfile.BadZipFile, EOFError, lzma.LZMAError, NotImplementedError)


class DamagedData(OSError):
    """Compressed data that cannot be decompressed to the end (truncated or corrupt .gz / .zip)."""


class NestingTooDeep(ijson.JSONError, OSError):
    """JSON nested deeper than :data:`MAX_DEPTH`; stopped before the parser's memory explodes.

    A JSON error for the ijson path, and an ``OSError`` so that readers which give up on I/O
    trouble (the fast path) hand over to the ijson path, which reports it. ``offset`` is within
    4 KB before the point where the limit is crossed.
    """

    def __init__(self, offset: int) -> None:
        super().__init__(f"the JSON is nested more than {MAX_DEPTH:,} levels deep")
        self.offset = offset


class CountingReader(io.RawIOBase):
    """Tracks how far into the file on disk we are (for progress), and checks for cancellation.

    Seekable when the file is, because ``zipfile`` must jump to the archive's central directory.
    """

    def __init__(
        self,
        raw: BinaryIO,
        on_read: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        self._raw = raw
        self.position = 0
        self._on_read = on_read
        self._cancelled = cancelled

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._raw.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.position = self._raw.seek(offset, whence)
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, b) -> int:  # type: ignore[override]
        if self._cancelled is not None and self._cancelled():
            raise LoadCancelled()
        n = self._raw.readinto(b)
        if n:
            self.position += n
            if self._on_read is not None:
                self._on_read(self.position)
        return n or 0

    def close(self) -> None:
        self._raw.close()
        super().close()


# --- nesting depth -------------------------------------------------------------------------------

_ALL_BYTES = frozenset(range(256))
_NOT_BRACKETS = bytes(sorted(_ALL_BYTES - set(b"[]{}")))
_NOT_STRUCTURE = bytes(sorted(_ALL_BYTES - set(b'[]{}"')))
_np: Any = None
_STEP: Any = None  # byte value -> +1 for an opening bracket, -1 for a closing one, else 0


def _numpy() -> Any:
    # numpy comes with pandas; imported on first use so `harcors analyze --help` stays quick.
    global _np, _STEP
    if _np is None:
        import numpy

        step = numpy.zeros(256, dtype=numpy.int64)
        step[list(b"[{")] = 1
        step[list(b"]}")] = -1
        _np, _STEP = numpy, step
    return _np


class _BracketCount:
    """Fast, approximate depth: counts every bracket, including those inside strings.

    Wrong only where string contents hold unbalanced brackets (a truncated JSON body); leaving the
    band [-MAX_DEPTH, MAX_DEPTH] therefore only means "look closer", not "too deep".
    """

    def __init__(self) -> None:
        self.level = 0

    def feed(self, chunk: bytes) -> tuple[int, int]:
        brackets = chunk.translate(None, _NOT_BRACKETS)
        if not brackets:
            return self.level, self.level
        np = _numpy()
        levels = np.cumsum(_STEP[np.frombuffer(brackets, dtype=np.uint8)]) + self.level
        self.level = int(levels[-1])
        return int(levels.min()), int(levels.max())


class _ExactDepth:
    """Exact depth: brackets inside strings (and escaped quotes) are not counted."""

    def __init__(self) -> None:
        self.depth = 0
        self.in_string = 0
        self._backslashes = b""  # a run of backslashes at a chunk's end belongs to the next chunk

    def copy(self) -> _ExactDepth:
        twin = _ExactDepth()
        twin.depth, twin.in_string, twin._backslashes = self.depth, self.in_string, self._backslashes
        return twin

    def feed(self, chunk: bytes) -> int:
        """Consume ``chunk``; return the deepest level reached in it."""
        data = self._backslashes + chunk
        kept = data.rstrip(b"\\")
        self._backslashes = data[len(kept):]
        # Drop escaped backslashes first, then escaped quotes: what is left of '"' delimits strings.
        kept = kept.replace(b"\\\\", b"").replace(b'\\"', b"")
        structure = kept.translate(None, _NOT_STRUCTURE)
        if not structure:
            return self.depth
        np = _numpy()
        codes = np.frombuffer(structure, dtype=np.uint8)
        quotes = np.cumsum(codes == ord('"')) + self.in_string
        outside = (quotes & 1) == 0  # for a bracket: an even number of quotes before it
        levels = np.cumsum(_STEP[codes] * outside) + self.depth
        self.depth = int(levels[-1])
        self.in_string = int(quotes[-1]) & 1
        return int(levels.max())


class CheckedStream(io.RawIOBase):
    """The uncompressed JSON bytes, with damage normalized and nesting depth bounded (see module doc)."""

    def __init__(self, inner: BinaryIO, reopen: Callable[[], tuple[BinaryIO, CountingReader]]) -> None:
        self._inner = inner
        self._reopen = reopen  # a fresh stream over the same bytes, for an exact rescan
        self.offset = 0  # uncompressed bytes handed out so far
        self._fast = _BracketCount()
        self._exact: _ExactDepth | None = None
        self._too_deep: NestingTooDeep | None = None  # raised on the read after the last safe bytes

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._too_deep is not None:
            raise self._too_deep
        try:
            # read1: one refill at most, so bytes decompressed before damage are handed out first.
            data = self._inner.read1(size) if size > 0 else self._inner.read(size)  # type: ignore[attr-defined]
        except (LoadCancelled, DamagedData):
            raise
        except EOFError:
            raise DamagedData(
                f"the compressed data ends early, after {self.offset:,} uncompressed bytes (truncated?)"
            ) from None
        except (OSError, *_DECOMPRESSION_ERRORS) as exc:
            raise DamagedData(
                f"the compressed data is damaged after {self.offset:,} uncompressed bytes: "
                f"{exc or type(exc).__name__}"
            ) from None
        if data:
            safe = self._check_depth(data)
            if safe < len(data):
                # Hand out what comes before the too-deep stretch (whole entries may be there);
                # the next read raises.
                data = data[:safe]
                self._too_deep = NestingTooDeep(self.offset + safe)
                if not data:
                    raise self._too_deep
            self.offset += len(data)
        return data

    def readinto(self, b) -> int:  # type: ignore[override]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def _check_depth(self, data: bytes) -> int:
        """How many bytes of ``data`` are safe to parse: all, or those before the limit is crossed."""
        if self._exact is None:
            low, high = self._fast.feed(data)
            if low >= -MAX_DEPTH and high <= MAX_DEPTH:
                return len(data)
            self._exact = self._rescan()
        before = self._exact.copy()
        if self._exact.feed(data) <= MAX_DEPTH:
            return len(data)
        # Replay the chunk from the state before it in 4 KB steps, then the crossing step in 64-byte
        # ones: the step that crosses the limit starts within it, so everything before it is safe.
        safe = 0
        for step in (4096, 64):
            for start in range(safe, len(data), step):
                probe = before.copy()
                if probe.feed(data[start:start + step]) > MAX_DEPTH:
                    safe = start
                    break
                before = probe
        return safe

    def _rescan(self) -> _ExactDepth:
        """Exact depth up to ``offset``: rare (only when the bracket count looked suspicious)."""
        exact = _ExactDepth()
        stream, file = self._reopen()
        try:
            remaining = self.offset
            while remaining > 0:
                chunk = stream.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                exact.feed(chunk)
                remaining -= len(chunk)
        finally:
            stream.close()
            file.close()
        return exact

    def close(self) -> None:
        self._inner.close()
        super().close()


# --- opening -------------------------------------------------------------------------------------


@dataclass
class OpenedHar:
    """A readable byte stream positioned at the first JSON byte, and what it came from."""

    stream: CheckedStream
    counter: CountingReader
    size: int  # bytes on disk (compressed size for .gz / .zip)
    compression: str | None  # "gzip", "zip" or None
    member: str | None = None  # the file inside a .zip
    bom: bool = False  # a UTF-8 byte order mark was skipped
    #: The file's encoding; anything but "utf-8" is transcoded, so stream offsets are not file offsets.
    encoding: str = "utf-8"

    def close(self) -> None:
        self.stream.close()
        self.counter.close()


def _pick_zip_member(zf: zipfile.ZipFile, path: str) -> str:
    names = [i.filename for i in zf.infolist() if not i.is_dir()]
    hars = [n for n in names if n.lower().endswith((".har", ".har.json"))]
    if not hars:
        hars = [n for n in names if n.lower().endswith(".json")]
    if not hars:
        listed = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
        raise HarError(path, f"the zip archive holds no .har or .json file ({listed or 'it is empty'})")
    # Several HARs in one support-portal zip: take the largest, it is the capture.
    return max(hars, key=lambda n: zf.getinfo(n).file_size)


class _OneRead(io.RawIOBase):
    """Hands out whatever one ``read1`` of a decompressor gives.

    ``GzipFile.read(n)`` and ``ZipExtFile.read(n)`` loop until they have ``n`` bytes and lose what
    they decompressed if the data ends early; ``read1`` returns it first, so a truncated ``.har.gz``
    still yields every entry before the cut.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        data = self._inner.read1(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def _decompressed(path: str, counter: CountingReader, head: bytes) -> tuple[BinaryIO, str | None, str | None]:
    """The uncompressed bytes of ``counter``'s file, buffered; raises HarError for a bad archive."""
    buffered: BinaryIO = io.BufferedReader(counter, buffer_size=1 << 20)  # type: ignore[arg-type]
    if head.startswith(_GZIP_MAGIC):
        gz = gzip.GzipFile(fileobj=buffered, mode="rb")
        return io.BufferedReader(_OneRead(gz), buffer_size=1 << 20), "gzip", None  # type: ignore[arg-type]
    if head.startswith(_ZIP_MAGIC):
        try:
            zf = zipfile.ZipFile(buffered)
            member = _pick_zip_member(zf, path)
            inner = zf.open(member)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise HarError(path, f"looks like a zip archive but cannot be read ({exc})") from None
        except (RuntimeError, NotImplementedError) as exc:  # encrypted member, unknown compression
            raise HarError(path, f"the HAR inside the zip archive cannot be extracted ({exc})") from None
        return io.BufferedReader(_OneRead(inner), buffer_size=1 << 20), "zip", member  # type: ignore[arg-type]
    return buffered, None, None


class ToUtf8(io.RawIOBase):
    """Text in ``encoding`` re-encoded as UTF-8, undecodable bytes replaced with U+FFFD.

    For UTF-16 (a HAR saved by a Windows tool, e.g. PowerShell's ``>``), and for UTF-8 itself once
    the parser has rejected invalid bytes (some proxies write raw Latin-1 bodies).
    """

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)("replace")
        self._pending = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        while not self._pending and not self._done:
            chunk = self._raw.read(1 << 20)
            self._done = not chunk
            self._pending = self._decoder.decode(chunk, final=self._done).encode("utf-8", "surrogatepass")
        n = min(len(b), len(self._pending))
        b[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def _skip_bom(stream: BinaryIO) -> tuple[BinaryIO, str | None]:
    """Skip a byte order mark; UTF-16 is transcoded to UTF-8 (a HAR must be UTF-8, RFC 8259 §8.1)."""
    head = stream.peek(3)[:3]  # type: ignore[attr-defined]
    if head == _BOM:  # Windows tools and some HAR sanitizers write one
        stream.read(3)
        return stream, "utf-8"
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            stream.read(2)
            return io.BufferedReader(ToUtf8(stream, encoding), 1 << 20), encoding  # type: ignore[arg-type]
    return stream, None


def open_har(
    path: str | os.PathLike[str],
    *,
    on_read: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> OpenedHar:
    """Open ``path`` for streaming; raises :class:`HarError` for a missing, empty or unreadable file."""
    p = os.fspath(path)
    if os.path.isdir(p):
        raise HarError(p, "is a directory, not a HAR file")
    try:
        size = os.path.getsize(p)
        raw = open(p, "rb")  # noqa: SIM115 - handed to the caller, closed by OpenedHar.close()
    except FileNotFoundError:
        raise HarError(p, "no such file") from None
    except PermissionError:
        raise HarError(p, "permission denied") from None
    except OSError as exc:
        raise HarError(p, f"cannot be opened ({exc.strerror or exc})") from None
    if size == 0:
        raw.close()
        raise HarError(p, "the file is empty (0 bytes)")
    head = raw.read(4)
    raw.seek(0)
    counter = CountingReader(raw, None, cancelled)
    try:
        stream, compression, member = _decompressed(p, counter, head)
        stream, bom = _skip_bom(stream)
        first = stream.peek(1)[:1]  # type: ignore[attr-defined]
    except HarError:
        counter.close()
        raise
    except (OSError, *_DECOMPRESSION_ERRORS) as exc:
        counter.close()
        raise HarError(p, f"the {compression_name(head)} data is damaged ({exc})") from None
    if not first:
        counter.close()
        what = f"holds only a {bom.upper()} byte order mark" if bom else "is empty when decompressed"
        raise HarError(p, f"the {compression_name(head)} {what}")
    counter._on_read = on_read  # only now: zipfile's seek to the central directory is not progress

    def reopen() -> tuple[BinaryIO, CountingReader]:
        again = CountingReader(open(p, "rb"), None, cancelled)  # noqa: SIM115 - closed by the caller
        fresh, _, _ = _decompressed(p, again, head)
        return _skip_bom(fresh)[0], again

    return OpenedHar(CheckedStream(stream, reopen), counter, size, compression, member,
                     bom=bom == "utf-8", encoding=bom or "utf-8")


def compression_name(head: bytes) -> str:
    if head.startswith(_GZIP_MAGIC):
        return "gzip"
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    return "file"

"""Open a HAR file as a byte stream: plain, gzip'd (.har.gz), or inside a .zip; a UTF-8 BOM is skipped."""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from harcors.har.errors import HarError, LoadCancelled

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_BOM = b"\xef\xbb\xbf"


class CountingReader(io.RawIOBase):
    """Counts the bytes read from the file on disk (for progress), and checks for cancellation."""

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


@dataclass
class OpenedHar:
    """A readable byte stream positioned at the first JSON byte, and what it came from."""

    stream: BinaryIO
    counter: CountingReader
    size: int  # bytes on disk (compressed size for .gz / .zip)
    compression: str | None  # "gzip", "zip" or None
    member: str | None = None  # the file inside a .zip

    def close(self) -> None:
        self.stream.close()
        self.counter.close()


def _pick_zip_member(zf: zipfile.ZipFile, path: str) -> str:
    names = [i.filename for i in zf.infolist() if not i.is_dir()]
    hars = [n for n in names if n.lower().endswith((".har", ".har.json"))]
    if not hars:
        hars = [n for n in names if n.lower().endswith(".json")]
    if not hars:
        raise HarError(path, f"the zip archive holds no .har file ({len(names)} other files)")
    # Several HARs in one support-portal zip: take the largest, it is the capture.
    return max(hars, key=lambda n: zf.getinfo(n).file_size)


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
    counter = CountingReader(raw, on_read, cancelled)
    buffered: BinaryIO = io.BufferedReader(counter, buffer_size=1 << 20)  # type: ignore[arg-type]
    compression = None
    member = None
    if head.startswith(_GZIP_MAGIC):
        stream: BinaryIO = gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[assignment]
        compression = "gzip"
    elif head.startswith(_ZIP_MAGIC):
        try:
            zf = zipfile.ZipFile(buffered)
            member = _pick_zip_member(zf, p)
            stream = zf.open(member)  # type: ignore[assignment]
        except zipfile.BadZipFile as exc:
            counter.close()
            raise HarError(p, f"looks like a zip archive but cannot be read ({exc})") from None
        compression = "zip"
    else:
        stream = buffered
    # Skip a UTF-8 byte order mark (Windows tools and some HAR sanitizers write one).
    stream = io.BufferedReader(stream, buffer_size=1 << 20) if compression else stream  # type: ignore[arg-type]
    try:
        first = stream.peek(3)[:3]  # type: ignore[attr-defined]
    except (OSError, EOFError, zipfile.BadZipFile, gzip.BadGzipFile) as exc:
        counter.close()
        raise HarError(p, f"the {compression or 'file'} data is damaged ({exc})") from None
    if first == _BOM:
        stream.read(3)
    if not first:
        counter.close()
        raise HarError(p, f"the {compression or 'file'} is empty after decompression")
    return OpenedHar(stream, counter, size, compression, member)

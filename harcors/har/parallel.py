"""A helper process for ``workers=2``: the second half of a large plain HAR read on the second core.

Only the fast path's own file layout is split. The parent finds an entry boundary a little past the
middle of the file (:data:`_PARENT_SHARE`), forks, and reads the first part as usual while the child
reads from that boundary to the end of ``log.entries`` and sends its pieces back as they are done.
The child writes each piece as a pickle frame into a memory file and announces it on a pipe, so it
never waits for the parent; the parent reads the frames once its own part is done, through one
Unpickler, so header lines and strings the child shared stay shared. Records stay records: a
:class:`LazyExchange` comes back with the fields pairing reads; its other fields and headers stay in
the file (its piece points at the parent's :class:`~harcors.har.fast._Source`, which decodes them
again if they are ever asked for). Indexes come back counted from the split and are moved by the
number of entries the parent read.

Anything that goes wrong in the child (the fast path gives up, the process dies) only stops the
frames early: the parent reads on itself from the first entry the child did not deliver, so no
entry is lost or doubled, and every result is what one process would give. The parent does the
same when, its part done, it finds the child far behind (another process has the second core).
The child is forked from a single-threaded process (the CLI: cheapest, it needs no imports). Forking
a process with other threads is unsafe (the GUI's load runs in a worker thread beside Qt's), so
there the child is a fresh interpreter started with ``python -m harcors.har.parallel``, told the
file, the split and the layout on its command line and handed the frame file and the pipe; it reads
and sends exactly what a forked child would. It ends when the parent stops reading the pipe (EPIPE)
or dies (PR_SET_PDEATHSIG), so a parent killed mid-load leaves nothing running.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import operator
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

from harcors.har.errors import LoadCancelled
from harcors.har.fast import (
    FastEntries,
    Layout,
    LazyExchange,
    _exchange,
    _get_extras,
    _lazy_state,
    _Piece,
    _record,
    _Source,
)
from harcors.har.model import Exchange, Headers, Initiator, Skipped

_SPLIT_WINDOW = 8 << 20  # how far past the split point an entry boundary is looked for
# Where the split is looked for, as a share of the file: the parent also unpickles what the helper
# sends, but the helper starts later and pickles. Measured on the 50k file, per whole file's worth:
# helper 1.14 s of CPU; parent 0.94 s, plus 0.13 s to unpickle. Both finish together at about 52 %.
# A spawned helper starts 0.06 s later (interpreter and imports) and gets no larger share: beside
# threads the parent is the GUI's loader, whose early findings slow its part more than that.
_PARENT_SHARE = 0.52
_SPLIT_STEP = 256 << 10  # read at a time while looking (entries are rarely longer)
# When the parent has read its part and caught up with the frames sent, the share of its own part the
# helper must have sent for the parent to wait for the rest (at full speed nearly all of it is sent).
_OVERTAKE = 0.6
# One announcement per frame: its length (-1: the child is done), entries in it, how many of them
# are Skipped, where the next entry starts in the JSON text (-1 after the last entry), and how many
# pieces took the generic route.
_NOTE = struct.Struct("<qqqqq")
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_set_index = Exchange.__dict__["index"].__set__
_get_index = Exchange.__dict__["index"].__get__
_set_skipped_index = Skipped.__dict__["index"].__set__


def _single_threaded() -> bool:
    """Forking copies only the calling thread; any other (Qt's, a BLAS pool's) would be missing."""
    if threading.active_count() != 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False  # not Linux: no way to see native threads, so do not fork


def _can_spawn() -> bool:
    """A fresh interpreter can run this module (not so in a frozen app, whose executable is the app)."""
    return bool(sys.executable) and not getattr(sys, "frozen", False)


def _find_split(source: _Source, layout: Layout, after: int) -> tuple[int, int] | None:
    """An entry boundary just past :data:`_PARENT_SHARE` of the JSON text: (the end of the entry
    before it, the start of the entry after it), both past byte ``after``; None if none is near."""
    size = os.path.getsize(source.path) - source.bom
    near = max(int(size * _PARENT_SHARE), after + 1)
    keep = len(layout.boundary) - 1  # a boundary may straddle two reads
    with open(source.path, "rb") as f:
        f.seek(source.bom + near)
        window, offset = b"", near  # window[0] is byte `offset` of the JSON text
        while offset - near < _SPLIT_WINDOW:
            more = f.read(_SPLIT_STEP)
            if not more:
                return None
            window += more
            at = window.find(layout.boundary)
            if at >= 0:
                return offset + at + layout.close, offset + at + len(layout.boundary) - 1
            drop = max(0, len(window) - keep)
            offset += drop
            window = window[drop:]
    return None


# --- the child's side -----------------------------------------------------------------------------


# _exchange's arguments, read in C (hot path: every exchange the helper sends)
_fields = operator.attrgetter(
    "index", "started", "method", "url", "request_headers", "response_headers", "status", "status_text",
    "resource_type", "resource_type_inferred", "initiator", "error", "redirect_url", "server_ip", "pageref",
    "http_version", "time_ms", "has_body", "request_mime", "response_mime", "from_cache")


def _reduce_exchange(x: Exchange) -> Any:
    if _get_extras(x, Exchange):  # nothing on the fast path sets extras; keep them if something did
        return x.__reduce_ex__(5)
    return _exchange, _fields(x)


def _reduce_record(x: LazyExchange) -> Any:
    # Its deferred fields stay behind: the parent decodes them from the file if one is ever read
    # (no stage of the CLI reads them; sending them was a quarter of the helper's pickling).
    return _record, _lazy_state(x)


def _reduce_headers(h: Headers) -> Any:
    return Headers, (h.items(),)


def _reduce_initiator(i: Initiator) -> Any:
    return Initiator, (i.type, i.url, i.request_id)


def _reduce_piece(p: _Piece) -> Any:
    return _piece, (p.offset, p.length, p.last)


def _piece(offset: int, length: int, last: int) -> _Piece:  # resolved to the parent's source on loading
    raise pickle.UnpicklingError("a piece read outside the process that asked for it")


class _Pickler(pickle.Pickler):
    # Exact types only: the plain dataclass pickling of Exchange goes through __setstate__ in Python.
    dispatch_table = {  # noqa: RUF012 - pickle's own protocol
        Exchange: _reduce_exchange,
        LazyExchange: _reduce_record,
        Headers: _reduce_headers,
        Initiator: _reduce_initiator,
        _Piece: _reduce_piece,
    }


def _run_child(reader: FastEntries, start: int, layout: Layout, bom: bool, frames: int, notes: int) -> None:
    """Read from ``start`` to the end of log.entries, writing a frame per piece; never returns."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the child quietly with the parent
        gc.disable()  # as in FastEntries.pieces (a forked child inherits it off; a spawned one does not)
        out = io.BytesIO()
        pickler = _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
        written = generic = 0
        for items in reader.entries_from(start, layout, bom):
            generic, before = reader.generic_pieces, generic
            pickler.dump(items)
            os.pwrite(frames, out.getbuffer(), written)
            written += out.tell()
            os.write(notes, _NOTE.pack(out.tell(), len(items), reader.skipped_in_piece, reader.next_entry,
                                       generic - before))
            out.seek(0)
            out.truncate()
        os.write(notes, _NOTE.pack(-1, 0, 0, 0, 0))
        code = 0
    except BaseException:  # whatever it is, the parent reads on from the last frame
        pass
    finally:
        os._exit(code)  # no cleanup: the parent's objects, files and atexit hooks are not the child's


def _helper_command() -> list[str]:
    """How a spawned child is started (tests start a wrapper instead)."""
    return [sys.executable, "-m", __name__]


def _spawn(reader: FastEntries, start: int, layout: Layout, bom: bool, frames: int,
           notes: int) -> subprocess.Popen[bytes]:
    """A fresh interpreter running :func:`_main`, handed ``frames`` and ``notes`` under the same numbers."""
    args = [os.path.abspath(reader.path), start, layout.boundary.hex(), layout.last.hex(), layout.close,
            int(bom), reader._chunk, frames, notes, os.getpid()]
    # The directory harcors is imported from comes first on the child's path (-m adds the working
    # directory), so the child runs this very code even where harcors is not installed.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return subprocess.Popen(  # _posixsubprocess: no Python code runs between fork and exec
        [*_helper_command(), *map(str, args)], pass_fds=(frames, notes), close_fds=True, cwd=root,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _main(argv: list[str]) -> None:
    """A spawned child: what :func:`_run_child` does in a forked one, from its command line."""
    path, start, boundary, last, close, bom, chunk, frames, notes, parent = argv
    _die_with(int(parent))
    layout = Layout(boundary=bytes.fromhex(boundary), last=bytes.fromhex(last), close=int(close))
    _run_child(FastEntries(path, chunk=int(chunk)), int(start), layout, bom == "1", int(frames), int(notes))


def _die_with(parent: int) -> None:
    """Be killed when the parent dies, rather than read on for nobody (the next frame's EPIPE
    would also end the child, a piece later)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):  # no libc to call: EPIPE alone then
            import ctypes  # only here: a few milliseconds of the child's start

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


# --- the parent's side ----------------------------------------------------------------------------


class _Unpickler(pickle.Unpickler):
    _ALLOWED = frozenset({_exchange, _record, Headers, Initiator, Skipped})

    def __init__(self, file: io.BytesIO, source: _Source) -> None:
        super().__init__(file)
        # Not a bound method: the memo keeps what find_class returns, and a cycle back to the
        # Unpickler would keep every object it made alive while the cyclic GC is off.
        self._piece = functools.partial(_piece_of, source)

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_piece":
            return self._piece
        found = super().find_class(module, name)
        if found not in self._ALLOWED and not (module == "copyreg" and name == "__newobj__"):
            raise pickle.UnpicklingError(f"unexpected {module}.{name}")
        return found


def _piece_of(source: _Source, offset: int, length: int, last: int) -> _Piece:
    piece = _Piece(source, offset, length)
    piece.last = last
    return piece


class Helper:
    """The child process reading the second half, seen from the parent."""

    def __init__(self, child: int | subprocess.Popen[bytes], frames: int, notes: int, split: int, first: int,
                 source: _Source) -> None:
        self.split = split  # the parent reads the JSON text up to here (the end of an entry)
        self.first = first  # the child reads from here (the next entry's "{")
        self.done = False  # the child reached the end of the entries and checked what follows
        self.next_entry = first  # after each frame: where the entry after it starts
        self.skipped_in_piece = 0
        self.generic_pieces = 0
        self.overtaken = False  # the parent stopped waiting for a helper too far behind
        self._waited = False
        self._end = os.path.getsize(source.path) - source.bom
        self.spawned = not isinstance(child, int)  # a fresh interpreter rather than a fork (for tests)
        self._child: int | subprocess.Popen[bytes] | None = child
        self._frames = frames
        self._notes = notes
        self._buffer = io.BytesIO()
        self._unpickler = _Unpickler(self._buffer, source)

    @classmethod
    def start(cls, reader: FastEntries, layout: Layout, source: _Source, after: int) -> Helper | None:
        """Start a child reading the second half of ``reader``'s file; None where that cannot be done.

        Forked from a single-threaded process, spawned as a fresh interpreter from any other.
        """
        if not hasattr(os, "memfd_create"):
            return None
        fork = hasattr(os, "fork") and _single_threaded()
        if not fork and not _can_spawn():
            return None
        try:
            split = _find_split(source, layout, after)
            if split is None:
                return None
            frames = os.memfd_create("harcors-entries", os.MFD_CLOEXEC)
        except OSError:
            return None
        try:
            read_end, write_end = os.pipe()
        except OSError:
            os.close(frames)
            return None
        try:
            if fork:
                child: int | subprocess.Popen[bytes] = os.fork()
                if child == 0:
                    os.close(read_end)
                    _run_child(reader, split[1], layout, bool(source.bom), frames, write_end)
            else:
                child = _spawn(reader, split[1], layout, bool(source.bom), frames, write_end)
        except (OSError, subprocess.SubprocessError):
            for fd in (frames, read_end, write_end):
                os.close(fd)
            return None
        os.close(write_end)  # the child's end only: its exit is the pipe's end of file
        return cls(child, frames, read_end, split[0], split[1], source)

    def results(self, base: int, cancelled: Callable[[], bool] | None) -> Iterator[list[Exchange | Skipped]]:
        """The child's pieces in order, indexes moved by ``base``; stops early if the child did."""
        offset = 0
        while (note := self._receive(cancelled)) is not None:
            length, entries, skipped, next_entry, generic = note
            if length < 0:
                self.done = True
                return
            data = os.pread(self._frames, length, offset)
            if len(data) != length:
                return
            offset += length
            buffer = self._buffer
            buffer.seek(0)
            buffer.truncate()
            buffer.write(data)
            buffer.seek(0)
            del data
            try:
                items = self._unpickler.load()
            except Exception:  # a damaged frame: read on from here in-process
                return
            if len(items) != entries:
                return
            for x in items:  # counted from the split in the child
                if type(x) is Skipped:
                    _set_skipped_index(x, x.index + base)
                else:
                    _set_index(x, _get_index(x, Exchange) + base)
            self.next_entry, self.skipped_in_piece, self.generic_pieces = next_entry, skipped, generic
            yield items

    def _receive(self, cancelled: Callable[[], bool] | None) -> tuple[int, ...] | None:
        """The next announcement, or None once the child has gone without one (or is overtaken)."""
        if not self._waited and not select.select([self._notes], [], [], 0)[0]:
            # The parent's half is done and the helper's next piece is not. A helper far behind is
            # not getting a core of its own (another process has it): reading its rest here is
            # sooner than waiting, and costs no more CPU than one process would.
            self._waited = True
            first, upto = self.first, self.next_entry
            sent = 1.0 if upto < 0 else (upto - first) / max(1, self._end - first)
            if sent < _OVERTAKE:
                self.overtaken = True
                return None
        data = b""
        while len(data) < _NOTE.size:
            if cancelled is not None:
                while not select.select([self._notes], [], [], 0.05)[0]:
                    if cancelled():
                        raise LoadCancelled()
                if cancelled():
                    raise LoadCancelled()
            got = os.read(self._notes, _NOTE.size - len(data))
            if not got:
                return None
            data += got
        return _NOTE.unpack(data)

    def stop(self) -> None:
        """End the child if it still runs and release everything (also after a cancellation)."""
        child, self._child = self._child, None
        if isinstance(child, int):
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
        elif child is not None:
            child.kill()  # nothing if it has been reaped already
            child.wait()
        for fd in (self._frames, self._notes):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._frames = self._notes = -1
        self._unpickler = None  # type: ignore[assignment]  # its memo holds every object it made


if __name__ == "__main__":
    # Under its own name, so that what it pickles names harcors.har.parallel, as a forked child's does.
    from harcors.har.parallel import _main as main

    main(sys.argv[1:])

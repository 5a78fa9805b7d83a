"""Load and analyse a HAR off the GUI thread, so the window never freezes on a 500 MB file."""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
from collections.abc import Callable, Iterator

from harcors.analysis import Analysis, EarlyPolicy, analyze_file
from harcors.gui.frames import TableData, build_early_table_data, build_table_data
from harcors.gui.qt import QtCore, Signal
from harcors.har import HarError
from harcors.har.errors import LoadCancelled

log = logging.getLogger(__name__)

_gc_lock = threading.Lock()
_gc_holds = 0
_gc_was_enabled = True
_gc_freeze = False
#: Analyses with at least this many exchanges stay frozen for the cyclic GC (see below); a full
#: collection over a smaller one costs tens of milliseconds, so it is left to the collector.
FREEZE_EXCHANGES = 20_000


@contextlib.contextmanager
def cycle_collector_paused() -> Iterator[Callable[[], None]]:
    """Hold off Python's cyclic GC while a big analysis is built, then freeze what was built.

    Why: a collection walks the containers of its generation while holding the GIL, so the GUI
    thread cannot run meanwhile. During a 450 MB load full collections blocked it for up to 1.2 s
    each, and with the analysis loaded every later full collection took 2-3 s (1.4 million tracked
    objects; measured with benchmarks/gui_responsiveness.py). ``gc.freeze`` moves what the load
    left alive to the permanent generation without a walk, so collections never visit it again.
    The analysis is plain frozen data that reference counting frees when its tab closes; the
    price is that a reference cycle built during a load is never collected, so only big analyses
    are frozen: the caller calls the yielded function to ask for it.
    """
    global _gc_holds, _gc_was_enabled, _gc_freeze

    def request_freeze() -> None:
        global _gc_freeze
        _gc_freeze = True

    with _gc_lock:
        if _gc_holds == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holds += 1
    try:
        yield request_freeze
    finally:
        with _gc_lock:
            _gc_holds -= 1
            if _gc_holds == 0:
                gc.freeze()
                if not _gc_freeze:
                    # Back to the oldest generation, still without a walk: young collections stay
                    # short, and a later full one still finds any cycle.
                    gc.unfreeze()
                _gc_freeze = False
                if _gc_was_enabled:
                    gc.enable()


#: Seconds the worker waits, after sending early findings, for the window to have shown them.
EARLY_SHOWN_WAIT = 0.2


class AnalysisJob(QtCore.QThread):
    """Runs :func:`harcors.analysis.analyze_file` and builds the table rows in a worker thread.

    Signals (delivered to the GUI thread, queued):
        progress(int bytes_read, int bytes_total, int entries_read): at most every ~50 ms.
        stage(str): a short description of what is happening now ("Reading", "Checking CORS").
        early_findings(object): a :class:`~harcors.gui.frames.TableData` of a provisional analysis
            (``analysis.provisional``): the failures settled so far of a big file still being read.
            Each replaces the last; none for a file read in well under a second. The worker then
            waits (at most :data:`EARLY_SHOWN_WAIT` seconds) for :meth:`early_shown`.
        succeeded(object): the :class:`~harcors.gui.frames.TableData`.
        failed(str): the file could not be read; one line naming the file and the problem.
        cancelled(): :meth:`cancel` stopped the load.
    Exactly one of succeeded / failed / cancelled is emitted, then QThread.finished.
    """

    progress = Signal(int, int, int)
    stage = Signal(str)
    early_findings = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, path: str, parent: QtCore.QObject | None = None, *,
                 early: EarlyPolicy | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.early = early or EarlyPolicy()
        self._stop = threading.Event()
        self._shown = threading.Event()
        self._last_entries = 0

    def cancel(self) -> None:
        """Ask the load to stop; it does at its next read (within a megabyte of input)."""
        self._stop.set()
        self._shown.set()  # no window waits for what is no longer wanted

    def early_shown(self) -> None:
        """The window has shown the early findings last sent: the load may go on (any thread)."""
        self._shown.set()

    def is_cancel_requested(self) -> bool:
        return self._stop.is_set()

    def abandon(self) -> None:
        """Cancel, drop every connection and let the thread end on its own (its tab is closing).

        The CORS checks after reading cannot be interrupted, so waiting here could freeze the window.
        """
        self.cancel()
        for signal in (self.progress, self.stage, self.early_findings, self.succeeded, self.failed,
                       self.cancelled):
            with contextlib.suppress(RuntimeError, TypeError):  # nothing connected
                signal.disconnect()
        self.setParent(None)
        _ABANDONED.add(self)
        self.finished.connect(lambda: _ABANDONED.discard(self))

    def _on_progress(self, done: int, total: int, entries: int) -> None:
        self._last_entries = entries
        self.progress.emit(done, total, entries)

    def _on_early(self, analysis: Analysis) -> None:
        if not self._stop.is_set():
            # Built here, like the final table: the GUI thread only swaps the model's rows.
            self._shown.clear()
            self.early_findings.emit(build_early_table_data(analysis))
            # Let the window show them before reading on. The loader holds the GIL nearly all the
            # time, and painting a table calls into Python for every cell: each call waiting for
            # the GIL stretched the first paint to 100-150 ms on the 449 MB file (30 ms with
            # this wait). At most 5 publications a file, so at most ~1 s lost in the worst case.
            self._shown.wait(EARLY_SHOWN_WAIT)

    def run(self) -> None:  # runs in the worker thread
        try:
            self.stage.emit("Reading")
            with cycle_collector_paused() as freeze:
                # The likely stack's fixes only, as the early findings have: the detail pane renders
                # the stack the user picks, an export every stack (~2x the fix stage and its memory).
                analysis = analyze_file(self.path, progress=self._on_progress, cancelled=self._stop.is_set,
                                        on_early=self._on_early, early=self.early, workers=2, fix_stack=None)
                if self._stop.is_set():
                    raise LoadCancelled()
                self.stage.emit("Preparing the table")
                data: TableData = build_table_data(analysis)
                if len(analysis.exchanges) >= FREEZE_EXCHANGES:
                    freeze()
        except LoadCancelled:
            self.cancelled.emit()
        except HarError as exc:
            self.failed.emit(str(exc))
        except MemoryError:
            self.failed.emit(f"{self.path}: not enough memory to read this file")
        except Exception as exc:  # a bug: say so in the window rather than lose the thread
            log.exception("analysing %s failed", self.path)
            self.failed.emit(
                f"{self.path}: harcors failed to analyse this file ({type(exc).__name__}: {exc})")
        else:
            if self._stop.is_set():
                self.cancelled.emit()
            else:
                self.succeeded.emit(data)


#: Cancelled jobs whose tab is gone, kept referenced until their thread ends.
_ABANDONED: set[AnalysisJob] = set()


def wait_for_abandoned(timeout_ms: int = 30000) -> None:
    """Block until abandoned loads have stopped: at exit, no thread may outlive the QApplication."""
    for job in list(_ABANDONED):
        job.wait(timeout_ms)
    _ABANDONED.clear()

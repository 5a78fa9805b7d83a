"""The background loader: its signals, and how it keeps the cyclic GC off the GUI thread's back."""

from __future__ import annotations

import gc

import pytest

from harcors.gui.qt import QtCore
from harcors.gui.worker import AnalysisJob, cycle_collector_paused

from .conftest import sample


@pytest.fixture
def owner(qtbot):
    """Parents the jobs, as a tab does, so each QThread is deleted with it after the test."""
    parent = QtCore.QObject()
    yield parent
    for job in parent.findChildren(AnalysisJob):
        job.wait()
    parent.deleteLater()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)


def test_job_reports_progress_then_success(qtbot, owner):
    path = sample("session-dashboard.har")
    job = AnalysisJob(str(path), owner)
    progress, results = [], []
    job.progress.connect(lambda *args: progress.append(args))
    job.succeeded.connect(results.append)
    with qtbot.waitSignals([job.succeeded, job.finished], timeout=30_000):
        job.start()
    [data] = results
    assert data.analysis.info.path == str(path)
    assert len(data.findings) == len(data.analysis.findings)
    assert len(data.requests) == len(data.analysis.exchanges)
    done, total, entries = progress[-1]
    assert done == total == path.stat().st_size and entries == data.analysis.entries_seen


def test_job_reports_an_unreadable_file(qtbot, owner, tmp_path):
    bad = tmp_path / "empty.har"
    bad.write_bytes(b"")
    job = AnalysisJob(str(bad), owner)
    with qtbot.waitSignal(job.failed, timeout=30_000) as blocker:
        job.start()
    assert blocker.args[0].startswith(str(bad))


def test_collector_is_paused_and_restored():
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with cycle_collector_paused():
        assert not gc.isenabled()
        with cycle_collector_paused():  # two loads at once
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen  # a small load is left to the collector


def test_big_analyses_are_frozen():
    before = gc.get_freeze_count()
    try:
        with cycle_collector_paused() as freeze:
            keep = [[i] for i in range(1000)]
            freeze()
        assert gc.get_freeze_count() >= before + len(keep)
    finally:
        gc.unfreeze()

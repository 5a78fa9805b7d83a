"""The Qt shim: emitting signals from Python must not eat references to True (PySide6 6.12.0 does)."""

from __future__ import annotations

import sys

from harcors.gui.qt import QtCore, Signal


class _Emitter(QtCore.QObject):
    plain = Signal()
    flag = Signal(bool)
    counts = Signal(int, int)


def test_many_emits_leave_true_and_false_alone(qtbot):
    emitter = _Emitter()
    received = []
    emitter.flag.connect(received.append)
    true_before, false_before = sys.getrefcount(True), sys.getrefcount(False)
    # More emits than True has references in a small process: without the shim this aborts.
    for i in range(5000):
        emitter.plain.emit()
        emitter.flag.emit(i % 2 == 0)
        emitter.counts.emit(i, 5000)
    assert len(received) == 5000
    # Unrepaired, each line below would be 15,000 short; a stray extra reference is harmless.
    assert sys.getrefcount(True) - received.count(True) >= true_before
    assert sys.getrefcount(False) - received.count(False) >= false_before

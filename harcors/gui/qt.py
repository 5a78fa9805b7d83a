"""The one place harcors imports Qt from.

Keeping the binding behind one module means a switch (PySide6 → PyQt6), a version shim or a
binding bug's workaround touches one file, and ``grep "from harcors.gui.qt"`` finds every Qt user.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6 import QtCore, QtGui, QtSvg, QtWidgets
from PySide6.QtCore import Qt, Signal, Slot

__all__ = ["Qt", "QtCore", "QtGui", "QtSvg", "QtWidgets", "Signal", "Slot"]


def _emit_drops_a_reference(probes: int = 8) -> int:
    """How many references to ``True`` ``probes`` calls of ``SignalInstance.emit`` lose (0 if fine).

    PySide6 6.12.0 returns the bool result of ``emit()`` without a reference of its own, so every
    emit from Python takes one reference from ``True``. After a few thousand emits (the loader's
    progress signal alone sends 20 a second) CPython frees ``True`` and aborts with
    "bool_dealloc: deallocating True or False".
    """

    class Probe(QtCore.QObject):
        ping = Signal()

    probe = Probe()
    before = sys.getrefcount(True)
    for _ in range(probes):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    return lost if lost == probes else 0


def _repair_emit() -> bool:
    lost = _emit_drops_a_reference()
    if not lost:
        return False
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]
    incref.restype = None
    for _ in range(lost):  # give back what the probe took
        incref(True)
    emit = QtCore.SignalInstance.emit

    def owned_emit(self: QtCore.SignalInstance, *args: object) -> object:
        result = emit(self, *args)
        incref(result)  # the reference the caller will drop, which the binding never took
        return result

    QtCore.SignalInstance.emit = owned_emit
    return True


#: True when this PySide6 needed the emit() reference-count repair above.
EMIT_REPAIRED = _repair_emit()

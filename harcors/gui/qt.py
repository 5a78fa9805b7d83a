"""The one place harcors imports Qt from.

Keeping the binding behind one module means a switch (PySide6 → PyQt6) or a version shim touches
one file, and ``grep "from harcors.gui.qt"`` finds every Qt user.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtSvg, QtWidgets
from PySide6.QtCore import Qt, Signal, Slot

__all__ = ["Qt", "QtCore", "QtGui", "QtSvg", "QtWidgets", "Signal", "Slot"]

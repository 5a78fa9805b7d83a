"""Help ▸ About harcors."""

from __future__ import annotations

import platform

from harcors import __version__
from harcors.gui import theme
from harcors.gui.qt import QtCore, QtWidgets


def about_text() -> str:
    return (
        f"<h2 style='margin-bottom:2px'>harcors {__version__}</h2>"
        "<p>Why the browser blocked your request, and what to change on the server — "
        "read from a HAR file.</p>"
        "<p>Drop a HAR exported from Chrome, Edge, Firefox or Safari DevTools (or Playwright, mitmproxy, "
        "Charles, Fiddler); harcors pairs each preflight with its request, applies the Fetch standard's "
        "CORS checks, prints the exact console message each browser shows, and suggests the fix for "
        "your server stack.</p>"
        f"<p style='color:palette(placeholder-text)'>Python {platform.python_version()} · "
        f"Qt {QtCore.qVersion()} · MIT licence</p>"
    )


def about_dialog(parent: QtWidgets.QWidget | None = None) -> QtWidgets.QMessageBox:
    box = QtWidgets.QMessageBox(parent)
    box.setWindowTitle("About harcors")
    box.setIconPixmap(theme.icon("harcors").pixmap(72, 72))
    box.setTextFormat(QtCore.Qt.TextFormat.RichText)
    box.setText(about_text())
    box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Close)
    return box

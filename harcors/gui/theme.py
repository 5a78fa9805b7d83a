"""Palettes that follow the system's light/dark setting, the app's icons, and the few colours we add.

Every colour the app paints itself is derived from the active palette, so the header highlights
and banners read well in both schemes.
"""

from __future__ import annotations

import os
from functools import cache

from harcors.gui.qt import Qt, QtGui, QtWidgets
from harcors.resources import resource_path

#: Tints we blend into the palette's base colour.
_RED = QtGui.QColor("#e5484d")
_AMBER = QtGui.QColor("#f5a524")
_BLUE = QtGui.QColor("#3d6bf2")
_GREEN = QtGui.QColor("#30a46c")


@cache
def icon(name: str) -> QtGui.QIcon:
    """An icon from ``resources/icons/<name>.svg`` (error, warning, ok, info, harcors)."""
    return QtGui.QIcon(str(resource_path("icons", f"{name}.svg")))


def app_icon() -> QtGui.QIcon:
    app = QtGui.QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        app.addPixmap(icon("harcors").pixmap(size, size))
    return app


def is_dark(palette: QtGui.QPalette | None = None) -> bool:
    palette = palette or QtGui.QGuiApplication.palette()
    return palette.color(QtGui.QPalette.ColorRole.Window).lightness() < 128


def blend(base: QtGui.QColor, tint: QtGui.QColor, amount: float) -> QtGui.QColor:
    """``tint`` laid over ``base`` with opacity ``amount`` (0..1)."""
    return QtGui.QColor.fromRgbF(
        base.redF() + (tint.redF() - base.redF()) * amount,
        base.greenF() + (tint.greenF() - base.greenF()) * amount,
        base.blueF() + (tint.blueF() - base.blueF()) * amount,
    )


def tint(kind: str, amount: float | None = None) -> QtGui.QColor:
    """A background for ``kind`` (error, warning, info, ok, cors) that suits the current palette."""
    palette = QtGui.QGuiApplication.palette()
    base = palette.color(QtGui.QPalette.ColorRole.Base)
    colour = {"error": _RED, "warning": _AMBER, "info": _BLUE, "ok": _GREEN, "cors": _BLUE}[kind]
    if amount is None:
        amount = {"cors": 0.13, "warning": 0.22}.get(kind, 0.18)
        if is_dark(palette):
            amount += 0.04 if kind == "cors" else 0.12
    return blend(base, colour, amount)


def dark_palette() -> QtGui.QPalette:
    """A neutral dark palette for Fusion (Qt's Fusion ships only a light one on most platforms)."""
    p = QtGui.QPalette()
    role, group = QtGui.QPalette.ColorRole, QtGui.QPalette.ColorGroup
    window, base, text = QtGui.QColor("#202124"), QtGui.QColor("#17181a"), QtGui.QColor("#e6e6e6")
    disabled = QtGui.QColor("#7c7f85")
    for r, c in (
        (role.Window, window), (role.WindowText, text), (role.Base, base),
        (role.AlternateBase, QtGui.QColor("#1e1f22")), (role.ToolTipBase, QtGui.QColor("#2b2d31")),
        (role.ToolTipText, text), (role.PlaceholderText, disabled), (role.Text, text),
        (role.Button, QtGui.QColor("#2b2d31")), (role.ButtonText, text), (role.BrightText, _RED),
        (role.Light, QtGui.QColor("#3a3c41")), (role.Midlight, QtGui.QColor("#303236")),
        (role.Mid, QtGui.QColor("#26272a")), (role.Dark, QtGui.QColor("#111214")),
        (role.Shadow, QtGui.QColor("#000000")), (role.Highlight, QtGui.QColor("#3d6bf2")),
        (role.HighlightedText, QtGui.QColor("#ffffff")), (role.Link, QtGui.QColor("#7aa2ff")),
        (role.LinkVisited, QtGui.QColor("#b59cff")),
    ):
        p.setColor(r, c)
    for r in (role.WindowText, role.Text, role.ButtonText, role.HighlightedText):
        p.setColor(group.Disabled, r, disabled)
    return p


def wants_dark(app: QtGui.QGuiApplication) -> bool:
    """The system's colour scheme; ``HARCORS_THEME=dark|light`` overrides it (screenshots, tests)."""
    forced = os.environ.get("HARCORS_THEME", "").lower()
    if forced in ("dark", "light"):
        return forced == "dark"
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QtWidgets.QApplication) -> None:
    """Fusion with a light or dark palette matching the system; re-applied when the system switches."""
    app.setStyle("Fusion")
    style = app.style()
    app.setPalette(dark_palette() if wants_dark(app) else style.standardPalette())


def follow_system_theme(app: QtWidgets.QApplication) -> None:
    apply_theme(app)
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))


def monospace() -> QtGui.QFont:
    font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
    return font

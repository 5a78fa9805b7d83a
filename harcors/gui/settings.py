"""What the app remembers between runs (QSettings): window geometry, last folder, recent files, widths.

Tests pass their own :class:`QSettings` on a temporary ini file, so they never touch the user's.
"""

from __future__ import annotations

import os

from harcors.gui.qt import QtCore

ORGANIZATION = "harcors"
APPLICATION = "harcors"
MAX_RECENT = 10


def default_settings() -> QtCore.QSettings:
    return QtCore.QSettings(QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Scope.UserScope,
                            ORGANIZATION, APPLICATION)


def file_settings(path: str | os.PathLike[str]) -> QtCore.QSettings:
    """Settings kept in one ini file (tests, screenshots)."""
    return QtCore.QSettings(os.fspath(path), QtCore.QSettings.Format.IniFormat)


class AppSettings:
    """Typed access to the keys harcors uses."""

    def __init__(self, store: QtCore.QSettings) -> None:
        self.store = store

    def _get_bytes(self, key: str) -> QtCore.QByteArray | None:
        value = self.store.value(key)
        return value if isinstance(value, QtCore.QByteArray) and not value.isEmpty() else None

    # window
    def geometry(self) -> QtCore.QByteArray | None:
        return self._get_bytes("window/geometry")

    def set_geometry(self, value: QtCore.QByteArray) -> None:
        self.store.setValue("window/geometry", value)

    def window_state(self) -> QtCore.QByteArray | None:
        return self._get_bytes("window/state")

    def set_window_state(self, value: QtCore.QByteArray) -> None:
        self.store.setValue("window/state", value)

    def splitter(self) -> QtCore.QByteArray | None:
        return self._get_bytes("window/splitter")

    def set_splitter(self, value: QtCore.QByteArray) -> None:
        self.store.setValue("window/splitter", value)

    # table
    def column_widths(self) -> list[int]:
        value = self.store.value("table/columns", [])
        if isinstance(value, str):
            value = [value]
        try:
            return [int(v) for v in value or []]
        except (TypeError, ValueError):
            return []

    def set_column_widths(self, widths: list[int]) -> None:
        self.store.setValue("table/columns", [str(w) for w in widths])

    # files
    def last_folder(self) -> str:
        folder = str(self.store.value("files/last_folder", "") or "")
        return folder if folder and os.path.isdir(folder) else os.path.expanduser("~")

    def set_last_folder(self, folder: str) -> None:
        self.store.setValue("files/last_folder", folder)

    def recent_files(self) -> list[str]:
        value = self.store.value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value or [] if v]

    def add_recent_file(self, path: str) -> None:
        path = os.path.abspath(path)
        files = [path] + [p for p in self.recent_files() if p != path]
        self.store.setValue("files/recent", files[:MAX_RECENT])

    def clear_recent_files(self) -> None:
        self.store.setValue("files/recent", [])

    # fixes / export
    def stack(self) -> str:
        return str(self.store.value("fix/stack", "") or "")

    def set_stack(self, stack: str) -> None:
        self.store.setValue("fix/stack", stack)

    def export_format(self) -> str:
        return str(self.store.value("export/format", "md") or "md")

    def set_export_format(self, fmt: str) -> None:
        self.store.setValue("export/format", fmt)

    def sync(self) -> None:
        self.store.sync()

"""Start the desktop app: ``harcors [FILE...] [--screenshot OUT.png] [--demo]``."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence

from harcors import __version__
from harcors.gui import theme
from harcors.gui.mainwindow import MainWindow
from harcors.gui.qt import QtCore, QtWidgets
from harcors.gui.settings import APPLICATION, ORGANIZATION, AppSettings, default_settings, file_settings
from harcors.gui.worker import wait_for_abandoned
from harcors.resources import resource_path

SCREENSHOT_SIZE = (1440, 900)
_SCREENSHOT_TIMEOUT_MS = 10 * 60 * 1000


#: seconds; see create_application.
SWITCH_INTERVAL = 0.0005


def create_application(argv: Sequence[str] | None = None) -> QtWidgets.QApplication:
    """The QApplication (created once), named so QSettings and the desktop know it."""
    app = QtWidgets.QApplication.instance()
    if app is None:
        QtCore.QCoreApplication.setOrganizationName(ORGANIZATION)
        QtCore.QCoreApplication.setApplicationName(APPLICATION)
        app = QtWidgets.QApplication(list(argv) if argv is not None else [sys.argv[0]])
    assert isinstance(app, QtWidgets.QApplication)
    app.setApplicationDisplayName("harcors")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("harcors")
    app.setWindowIcon(theme.app_icon())
    theme.follow_system_theme(app)
    # Each call from Qt into Python (a table cell's data(), an event handler) takes the GIL. While the
    # loader thread runs Python code, the GUI thread waits up to the switch interval for it: 5 ms by
    # default, so painting early findings (hundreds of data() calls) during a load took 0.5 s. The
    # interval only matters while a thread waits, so a shorter one costs the loader little.
    sys.setswitchinterval(SWITCH_INTERVAL)
    return app


def _has_display() -> bool:
    """False on a Linux box without X11/Wayland, where Qt would abort with a cryptic message."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def take_screenshot(window: MainWindow, out: str, timeout_ms: int = _SCREENSHOT_TIMEOUT_MS) -> bool:
    """Wait until every tab has finished loading, then save ``window.grab()`` to ``out``."""
    loop = QtCore.QEventLoop()

    def settled() -> bool:
        return not any(tab.is_loading() for tab in window.tabs_list())

    def check(*_args: object) -> None:
        if settled():
            # Let layouts and the detail pane settle before grabbing.
            QtCore.QTimer.singleShot(300, loop.quit)

    window.tab_settled.connect(check)
    QtCore.QTimer.singleShot(0, check)
    QtCore.QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    if not settled():
        return False
    QtWidgets.QApplication.processEvents()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    return window.grab().save(out)


def run_app(files: list[str], screenshot: str | None = None, demo: bool = False) -> int:
    """Open ``files`` in tabs (and the bundled demo with ``demo``); with ``screenshot``, render offscreen,
    save the window to that PNG and return 0 instead of running the event loop."""
    if screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif not _has_display():
        print("harcors: no display to open the window on; for a report in the terminal run "
              "'harcors analyze FILE', or render the window with --screenshot OUT.png", file=sys.stderr)
        return 2
    app = create_application()
    paths = list(files)
    if demo:
        paths.append(str(resource_path("demo.har")))
    if screenshot:
        # A throwaway settings file: screenshots must not depend on (or change) the user's settings.
        with tempfile.TemporaryDirectory(prefix="harcors-shot-") as tmp:
            window = MainWindow(AppSettings(file_settings(os.path.join(tmp, "settings.ini"))))
            window.resize(*SCREENSHOT_SIZE)
            window.show()
            window.open_files(paths)
            ok = take_screenshot(window, screenshot)
            window.close()
            wait_for_abandoned()
        if not ok:
            print(f"harcors: could not save the screenshot to {screenshot}", file=sys.stderr)
            return 1
        return 0
    window = MainWindow(AppSettings(default_settings()))
    window.show()
    if paths:
        window.open_files(paths)
    code = app.exec()
    wait_for_abandoned()
    return code

"""The main window: a welcome page, one tab per HAR, menus, drag and drop, remembered geometry."""

from __future__ import annotations

import os
from collections.abc import Iterable

from harcors.fixes import STACKS
from harcors.gui import theme
from harcors.gui.about import about_dialog
from harcors.gui.document import HarTab
from harcors.gui.empty import EmptyState
from harcors.gui.export import ExportDialog, ExportScope, finding_markdown, with_findings
from harcors.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from harcors.gui.settings import AppSettings
from harcors.resources import resource_path

HAR_FILTER = "HAR files (*.har *.json *.har.gz *.gz *.zip);;All files (*)"
DEVTOOLS_HINT = (
    "In Chrome or Edge: DevTools ▸ Network ▸ <b>Export HAR</b> (the ⤓ button). "
    "In Firefox: Network ▸ ⚙ ▸ <b>Save All As HAR</b>. In Safari: Network ▸ <b>Export</b>."
)


def _local_files(mime: QtCore.QMimeData) -> list[str]:
    if not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]


class DropOverlay(QtWidgets.QWidget):
    """Shown over the window while files are dragged onto it: says what a drop will do."""

    def __init__(self, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.text = ""
        self.hide()

    def show_for(self, count: int) -> None:
        self.text = f"Drop to open {count} file{'s' if count != 1 else ''}"
        window = self.parentWidget()
        central = window.centralWidget() if isinstance(window, QtWidgets.QMainWindow) else None
        self.setGeometry(central.geometry() if central is not None else window.rect())
        self.raise_()
        self.show()

    def paintEvent(self, _event: QtGui.QPaintEvent) -> None:
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        highlight = self.palette().color(QtGui.QPalette.ColorRole.Highlight)
        fill = theme.blend(self.palette().color(QtGui.QPalette.ColorRole.Window), highlight, 0.10)
        fill.setAlpha(240)  # hide what is under it: the drop target is the whole window
        painter.fillRect(self.rect(), fill)
        pen = QtGui.QPen(highlight, 3, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawRoundedRect(self.rect().adjusted(12, 12, -12, -12), 14, 14)
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.text)
        painter.end()


class MainWindow(QtWidgets.QMainWindow):
    """The app's window.

    Signals:
        analysis_ready(object): a tab (:class:`HarTab`) finished loading its file successfully.
        tab_settled(object): a tab finished loading, whatever the outcome (ready, failed, cancelled).
        status_message(str): a transient message was shown in the status bar (copied, exported…).
    """

    analysis_ready = Signal(object)
    tab_settled = Signal(object)
    status_message = Signal(str)

    def __init__(self, settings: AppSettings, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("harcors")
        self.setWindowIcon(theme.app_icon())
        self.setAcceptDrops(True)
        self.setMinimumSize(760, 480)

        self.central = QtWidgets.QStackedWidget()
        self.setCentralWidget(self.central)
        self.welcome = EmptyState()
        self.welcome.set_content(
            theme.icon("harcors"), "Drop a HAR file here",
            "harcors tells you why the browser blocked a request and what to change on the server.<br><br>"
            + DEVTOOLS_HINT, size=96)
        self.welcome.add_button("Open HAR…", default=True).clicked.connect(self.open_dialog)
        demo = resource_path("demo.har")
        if demo.is_file():
            self.welcome.add_button("Open the demo").clicked.connect(self.open_demo)
        self.central.addWidget(self.welcome)

        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setElideMode(Qt.TextElideMode.ElideMiddle)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(self._on_current_tab)
        self.central.addWidget(self.tabs)

        self.drop_overlay = DropOverlay(self)
        self.summary = QtWidgets.QLabel()
        self.statusBar().addPermanentWidget(self.summary)
        self._build_actions()
        self._build_menus()
        self._restore_geometry()
        self._update_actions()

    # -- actions and menus --------------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut: QtGui.QKeySequence | str | None = None,
                tip: str = "", checkable: bool = False) -> QtGui.QAction:
        action = QtGui.QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QtGui.QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_actions(self) -> None:
        keys = QtGui.QKeySequence.StandardKey
        self.open_action = self._action("&Open…", self.open_dialog, keys.Open, "Open one or more HAR files")
        self.demo_action = self._action("Open the &Demo", self.open_demo, None, "Open a bundled sample HAR")
        self.export_action = self._action("&Export Report…", self.export_dialog, "Ctrl+E",
                                          "Save a report of the shown or selected findings")
        self.copy_md_action = self._action("Copy Finding as &Markdown", self.copy_markdown, "Ctrl+Shift+C",
                                           "Copy the selected finding, ready for a bug ticket")
        self.reload_action = self._action("&Reload", self.reload, keys.Refresh, "Read the file again")
        self.close_action = self._action("&Close Tab", self.close_current, keys.Close, "Close this file")
        self.quit_action = self._action("&Quit", self.close, keys.Quit, "Quit harcors")
        self.quit_action.setMenuRole(QtGui.QAction.MenuRole.QuitRole)
        self.find_action = self._action("&Find…", self.focus_search, keys.Find,
                                        "Search URLs and messages")
        self.failures_action = self._action("&XHR/fetch Failures Only", self.show_failures_only, "Ctrl+1",
                                            "The default view: blocked fetch and XMLHttpRequest calls")
        self.all_findings_action = self._action("All &Findings", self.show_all_findings, "Ctrl+2",
                                                "Every finding, errors and warnings, of every type")
        self.all_requests_action = self._action("All &Requests", self.toggle_all_requests, "Ctrl+3",
                                                "Every request in the HAR, with each preflight under its "
                                                "request", checkable=True)
        self.next_tab_action = self._action("Next Tab", lambda: self._step_tab(1), keys.NextChild)
        self.prev_tab_action = self._action("Previous Tab", lambda: self._step_tab(-1), keys.PreviousChild)
        self.about_action = self._action("&About harcors", self.show_about)
        self.about_action.setMenuRole(QtGui.QAction.MenuRole.AboutRole)
        self.about_qt_action = self._action("About &Qt", QtWidgets.QApplication.aboutQt)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.copy_md_action)
        file_menu.addSeparator()
        file_menu.addAction(self.reload_action)
        file_menu.addAction(self.close_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view = bar.addMenu("&View")
        view.addAction(self.failures_action)
        view.addAction(self.all_findings_action)
        view.addAction(self.all_requests_action)
        view.addSeparator()
        view.addAction(self.find_action)
        view.addSeparator()
        view.addAction(self.next_tab_action)
        view.addAction(self.prev_tab_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)
        help_menu.addAction(self.about_qt_action)
        self._fill_recent_menu()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_files()
        for i, path in enumerate(recent):
            label = f"&{i + 1} {os.path.basename(path)}" if i < 9 else os.path.basename(path)
            action = self.recent_menu.addAction(label)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.setEnabled(os.path.exists(path))
            action.triggered.connect(lambda _=False, p=path: self.open_files([p]))
        if recent:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear Recent Files", self._clear_recent)
        else:
            empty = self.recent_menu.addAction("No recent files")
            empty.setEnabled(False)

    def _clear_recent(self) -> None:
        self.settings.clear_recent_files()
        self._fill_recent_menu()

    def _update_actions(self) -> None:
        tab = self.current_tab()
        ready = tab is not None and tab.data is not None  # early findings count: they can be read
        complete = tab is not None and tab.is_complete()
        self.export_action.setEnabled(complete)
        self.copy_md_action.setEnabled(ready and tab.current_finding() is not None)
        self.reload_action.setEnabled(tab is not None and not tab.is_loading())
        self.close_action.setEnabled(tab is not None)
        for action in (self.failures_action, self.all_findings_action, self.find_action):
            action.setEnabled(ready)
        self.all_requests_action.setEnabled(complete)
        self.all_requests_action.setChecked(bool(ready and tab.filters.all_requests.isChecked()))
        self.central.setCurrentWidget(self.tabs if self.tabs.count() else self.welcome)
        self.summary.setText(tab.summary() if tab is not None else "")
        self.setWindowTitle(f"{tab.title()} — harcors" if tab is not None else "harcors")

    # -- files --------------------------------------------------------------------------------------------
    def tabs_list(self) -> list[HarTab]:
        return [self.tabs.widget(i) for i in range(self.tabs.count())]  # type: ignore[misc]

    def current_tab(self) -> HarTab | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, HarTab) else None

    def open_files(self, paths: Iterable[str]) -> list[HarTab]:
        """Open each file in its own tab (or switch to it if it is already open)."""
        opened: list[HarTab] = []
        for path in paths:
            full = os.path.abspath(os.path.expanduser(path))
            existing = next((t for t in self.tabs_list() if t.path == full), None)
            if existing is not None:
                self.tabs.setCurrentWidget(existing)
                opened.append(existing)
                continue
            tab = HarTab(full, self.settings)
            tab.state_changed.connect(lambda t=tab: self._on_tab_state(t))
            tab.analysis_ready.connect(lambda _data, t=tab: self._on_tab_ready(t))
            tab.load_failed.connect(lambda _msg, t=tab: self.tab_settled.emit(t))
            tab.load_cancelled.connect(lambda t=tab: self.tab_settled.emit(t))
            tab.copy_markdown_requested.connect(self._copy_finding_markdown)
            tab.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())
            tab.filters.all_requests_toggled.connect(lambda *_: self._update_actions())
            index = self.tabs.addTab(tab, tab.icon(), tab.title())
            self.tabs.setTabToolTip(index, full)
            self.tabs.setCurrentIndex(index)
            if os.path.exists(full):
                self.settings.add_recent_file(full)
                self.settings.set_last_folder(os.path.dirname(full))
            tab.start()
            opened.append(tab)
        self._update_actions()
        return opened

    def open_dialog(self) -> None:
        paths, _ = QtWidgets.QFileDialog.getOpenFileNames(
            self, "Open HAR files", self.settings.last_folder(), HAR_FILTER)
        if paths:
            self.open_files(paths)

    def open_demo(self) -> None:
        demo = resource_path("demo.har")
        if demo.is_file():
            self.open_files([str(demo)])

    def close_tab(self, index: int) -> None:
        tab = self.tabs.widget(index)
        if not isinstance(tab, HarTab):
            return
        tab.shutdown()
        self.tabs.removeTab(index)
        tab.deleteLater()
        self._update_actions()

    def close_current(self) -> None:
        if self.tabs.count():
            self.close_tab(self.tabs.currentIndex())

    def reload(self) -> None:
        tab = self.current_tab()
        if tab is not None and not tab.is_loading():
            tab.start()

    def _step_tab(self, step: int) -> None:
        if self.tabs.count() > 1:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def _on_tab_state(self, tab: HarTab) -> None:
        index = self.tabs.indexOf(tab)
        if index >= 0:
            self.tabs.setTabIcon(index, tab.icon())
        self._update_actions()

    def _on_tab_ready(self, tab: HarTab) -> None:
        self._update_actions()
        self.analysis_ready.emit(tab)
        self.tab_settled.emit(tab)

    def _on_current_tab(self, _index: int) -> None:
        self._update_actions()

    # -- view ---------------------------------------------------------------------------------------------
    def focus_search(self) -> None:
        tab = self.current_tab()
        if tab is not None and tab.data is not None:
            tab.filters.focus_search()

    def show_failures_only(self) -> None:
        tab = self.current_tab()
        if tab is not None and tab.data is not None:
            tab.filters.all_requests.setChecked(False)
            tab.filters.reset()

    def show_all_findings(self) -> None:
        tab = self.current_tab()
        if tab is not None and tab.data is not None:
            tab.filters.all_requests.setChecked(False)
            tab.filters.show_everything()

    def toggle_all_requests(self) -> None:
        tab = self.current_tab()
        if tab is not None and tab.is_complete():
            tab.filters.all_requests.setChecked(not tab.filters.all_requests.isChecked())

    def show_about(self) -> None:
        about_dialog(self).exec()

    # -- export ---------------------------------------------------------------------------------------------
    def export_scopes(self) -> tuple[list[ExportScope], int]:
        """The choices the export dialog offers for the current tab, and the default one."""
        tab = self.current_tab()
        if tab is None or tab.data is None or not tab.is_complete():
            return [], 0
        analysis = tab.data.analysis
        scopes = [ExportScope("Findings shown by the current filter",
                              [with_findings(analysis, tab.model.shown_findings())])]
        selected = tab.selected_findings()
        default = 0
        if len(selected) > 1:
            scopes.append(ExportScope("Selected findings", [with_findings(analysis, selected)]))
            default = 1
        scopes.append(ExportScope("All findings in this file", [analysis]))
        ready = [t.data.analysis for t in self.tabs_list() if t.data is not None and t.is_complete()]
        if len(ready) > 1:
            scopes.append(ExportScope(f"All findings in the {len(ready)} open files", ready))
        return scopes, default

    def make_export_dialog(self) -> ExportDialog | None:
        tab = self.current_tab()
        scopes, default = self.export_scopes()
        if tab is None or not scopes:
            return None
        stacks = [(s.id, s.name) for s in STACKS]
        base = os.path.basename(tab.path)
        for suffix in (".gz", ".zip", ".har", ".json"):
            if base.lower().endswith(suffix):
                base = base[: -len(suffix)]
        dialog = ExportDialog(scopes, default_scope=default, folder=self.settings.last_folder(),
                              base_name=f"{base}-cors", fmt=self.settings.export_format(), stacks=stacks,
                              parent=self)
        return dialog

    def export_dialog(self) -> None:
        dialog = self.make_export_dialog()
        if dialog is None:
            return
        if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted and dialog.written:
            self.settings.set_export_format(dialog.fmt())
            self.settings.set_last_folder(os.path.dirname(os.path.abspath(dialog.written)))
            self.show_status(f"Report saved to {dialog.written}")

    def copy_markdown(self) -> None:
        tab = self.current_tab()
        finding = tab.current_finding() if tab is not None else None
        if finding is not None:
            self._copy_finding_markdown(finding)

    def _copy_finding_markdown(self, finding: object) -> None:
        tab = self.current_tab()
        if tab is None or tab.data is None:
            return
        # The fix for the stack the detail pane shows, else the one the user picked last time.
        stack = tab.detail.shown_stack(finding) or self.settings.stack() or None  # type: ignore[arg-type]
        text = finding_markdown(tab.data.analysis, finding, redact=True, stack=stack)  # type: ignore[arg-type]
        QtGui.QGuiApplication.clipboard().setText(text)
        self.show_status("Finding copied as Markdown (secrets redacted)")

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 5000)
        self.status_message.emit(text)

    # -- drag and drop -------------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:
        files = _local_files(event.mimeData())
        if files:
            event.acceptProposedAction()
            self.drop_overlay.show_for(len(files))
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QtGui.QDragLeaveEvent) -> None:
        self.drop_overlay.hide()
        super().dragLeaveEvent(event)

    def dragMoveEvent(self, event: QtGui.QDragMoveEvent) -> None:
        if _local_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:
        self.drop_overlay.hide()
        files = _local_files(event.mimeData())
        if not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_files(files)

    # -- geometry ------------------------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 820)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        for tab in self.tabs_list():
            tab.shutdown()
        self.settings.set_geometry(self.saveGeometry())
        self.settings.set_window_state(self.saveState())
        self.settings.sync()
        super().closeEvent(event)

"""One open HAR file: its loading progress, banners, filters, the findings table and the detail pane."""

from __future__ import annotations

import html
import os
from dataclasses import replace

from harcors.analysis import Analysis, EarlyPolicy
from harcors.cors.model import Finding
from harcors.gui import theme
from harcors.gui.banner import Banner, ReadingBanner
from harcors.gui.detail import DetailPane
from harcors.gui.empty import EmptyState
from harcors.gui.filterbar import FilterBar
from harcors.gui.frames import COLUMNS, Filter, TableData
from harcors.gui.models import ElideDelegate, FindingsModel
from harcors.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from harcors.gui.settings import AppSettings
from harcors.gui.worker import AnalysisJob
from harcors.har.model import Exchange

_DEFAULT_WIDTHS = {"severity": 28, "method": 96, "url": 340, "origin": 160, "type": 64, "status": 56,
                   "rule": 180, "message": 300}


def _same_finding(a: Finding, b: Finding) -> bool:
    """The same finding of an early and a later analysis (their objects differ)."""
    return a.request.index == b.request.index and a.rule == b.rule


def _size(n: int) -> str:
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{n} bytes"


class HarTab(QtWidgets.QWidget):
    """A tab for one HAR: loads it in the background, then shows its findings.

    While a big file is read, the table already shows its early findings (see
    :func:`harcors.analysis.analyze_file`'s ``on_early``) under a banner with the progress; the final
    analysis replaces them keeping the selection, sort, filter and scroll position.

    Signals:
        analysis_ready(object): the :class:`~harcors.gui.frames.TableData`; the table is filled.
        load_failed(str): the file could not be read (one line, naming the file).
        load_cancelled(): the user cancelled the load.
        state_changed(): title, icon or summary changed (the window updates its tab and status bar).
        copy_markdown_requested(object): the user asked for a finding as Markdown.
    """

    analysis_ready = Signal(object)
    load_failed = Signal(str)
    load_cancelled = Signal()
    state_changed = Signal()
    copy_markdown_requested = Signal(object)

    #: When early findings are published (None: the defaults); tests shrink it for small files.
    early_policy: EarlyPolicy | None = None

    def __init__(self, path: str, settings: AppSettings, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = os.path.abspath(path)
        self.settings = settings
        self.data: TableData | None = None
        self.error: str | None = None
        self.job: AnalysisJob | None = None
        self._show_all = False
        self._banners: list[Banner] = []
        self._empty_action = ""  # what the empty table's button does: "all" requests or "reset" filters
        self._early = False  # the table shows early findings and the file is still being read
        self._read_fraction = 0.0  # of the file's bytes
        self._reading_done = False  # the checks and fixes run; the table waits for them

        self.pages = QtWidgets.QStackedWidget()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._build_loading_page()
        self._build_failed_page()
        self._build_main_page()
        self.pages.setCurrentWidget(self.loading_page)

    # -- pages ----------------------------------------------------------------------------------
    def _build_loading_page(self) -> None:
        self.loading_page = QtWidgets.QWidget()
        outer = QtWidgets.QVBoxLayout(self.loading_page)
        outer.addStretch(2)
        box = QtWidgets.QVBoxLayout()
        self.loading_title = QtWidgets.QLabel(f"Reading {html.escape(os.path.basename(self.path))}…")
        font = self.loading_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.loading_title.setFont(font)
        self.loading_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(self.loading_title)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(420)
        box.addWidget(self.progress, 0, Qt.AlignmentFlag.AlignHCenter)
        self.progress_label = QtWidgets.QLabel("Opening…")
        self.progress_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress_label.setForegroundRole(QtGui.QPalette.ColorRole.PlaceholderText)
        box.addWidget(self.progress_label)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop reading this file (Esc)")
        self.cancel_button.setShortcut(QtGui.QKeySequence(Qt.Key.Key_Escape))
        self.cancel_button.clicked.connect(self.cancel)
        box.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addLayout(box)
        outer.addStretch(3)
        self.pages.addWidget(self.loading_page)

    def _build_failed_page(self) -> None:
        self.failed_page = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(self.failed_page)
        self.failed_banner = Banner("error", "", closable=False)
        layout.addWidget(self.failed_banner)
        self.failed_state = EmptyState()
        self.reload_button = self.failed_state.add_button("Try again")
        self.reload_button.clicked.connect(self.start)
        layout.addWidget(self.failed_state, 1)
        self.pages.addWidget(self.failed_page)

    def _build_main_page(self) -> None:
        self.main_page = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(self.main_page)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.setSpacing(6)
        self.reading_banner = ReadingBanner()
        self.reading_banner.action_triggered.connect(self.cancel)
        self.reading_banner.hide()
        layout.addWidget(self.reading_banner)
        self.banner_area = QtWidgets.QVBoxLayout()
        self.banner_area.setSpacing(4)
        layout.addLayout(self.banner_area)

        self.filters = FilterBar()
        self.filters.filter_changed.connect(self._on_filter)
        self.filters.all_requests_toggled.connect(self._on_all_requests)
        layout.addWidget(self.filters)

        self.model = FindingsModel(self)
        self.model.counts_changed.connect(self._on_counts)
        self.table = QtWidgets.QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setCornerButtonEnabled(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setHorizontalScrollMode(QtWidgets.QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setAcceptDrops(False)
        self._elide_right = ElideDelegate(self.table)
        for name in ("method", "rule", "message"):
            self.table.setItemDelegateForColumn(COLUMNS.index(name), self._elide_right)
        vertical = self.table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(False)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self._restore_widths()
        header.sectionResized.connect(self._on_section_resized)
        self._save_widths_timer = QtCore.QTimer(self)
        self._save_widths_timer.setSingleShot(True)
        self._save_widths_timer.setInterval(300)
        self._save_widths_timer.timeout.connect(self._save_widths)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._table_menu)
        copy = QtGui.QAction("Copy URLs", self.table)
        copy.setShortcut(QtGui.QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_urls)
        self.table.addAction(copy)

        self.table_empty = EmptyState()
        self.table_empty_action = self.table_empty.add_button("")
        self.table_empty_action.clicked.connect(self._on_empty_action)
        self.table_stack = QtWidgets.QStackedWidget()
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(self.table_empty)

        self.detail = DetailPane()
        self.detail.set_preferred_stack(self.settings.stack())
        self.detail.stack_chosen.connect(self.settings.set_stack)
        self.detail.copy_markdown_requested.connect(self.copy_markdown_requested)

        self.splitter = QtWidgets.QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table_stack)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        saved = self.settings.splitter()
        if saved is not None:
            self.splitter.restoreState(saved)
        else:
            self.splitter.setSizes([220, 560])
        self.splitter.splitterMoved.connect(lambda *_: self.settings.set_splitter(self.splitter.saveState()))
        layout.addWidget(self.splitter, 1)
        self.pages.addWidget(self.main_page)

    # -- loading ----------------------------------------------------------------------------------
    def start(self) -> None:
        """(Re)load the file in a background thread."""
        if self.job is not None:
            return
        self.error = None
        self.data = None
        self._early = False
        self._read_fraction = 0.0
        self._reading_done = False
        self._clear_banners()
        self.reading_banner.hide()
        self.reading_banner.set_fraction(0.0)
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress_label.setText("Opening…")
        self.cancel_button.setEnabled(True)
        assert self.reading_banner.action_button is not None
        self.reading_banner.action_button.setEnabled(True)
        self.pages.setCurrentWidget(self.loading_page)
        job = AnalysisJob(self.path, self, early=self.early_policy)
        job.progress.connect(self._on_progress)
        job.stage.connect(self._on_stage)
        job.early_findings.connect(self._on_early)
        job.succeeded.connect(self._on_succeeded)
        job.failed.connect(self._on_failed)
        job.cancelled.connect(self._on_cancelled)
        job.finished.connect(job.deleteLater)
        self.job = job
        job.start()
        self.state_changed.emit()

    def is_loading(self) -> bool:
        return self.job is not None

    def is_complete(self) -> bool:
        """The final analysis is shown (not early findings): ready to export, every view available."""
        return self.data is not None and not self.data.analysis.provisional

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText("Cancelling…")
            assert self.reading_banner.action_button is not None
            self.reading_banner.action_button.setEnabled(False)
            self.reading_banner.label.setText("Cancelling…")

    def shutdown(self) -> None:
        """Stop a running load before the tab goes away (without waiting for it on the GUI thread)."""
        job, self.job = self.job, None
        if job is not None:
            job.abandon()

    def _on_stage(self, stage: str) -> None:
        if stage != "Reading":
            self.progress.setRange(0, 0)
            self.progress_label.setText(f"{stage}…")

    def _on_progress(self, done: int, total: int, entries: int) -> None:
        if total > 0 and done >= total:
            self._reading_done = True
            self.progress.setRange(0, 0)  # reading done; the checks have no byte count
            self.progress_label.setText(f"{entries:,} entries read · checking CORS…")
        else:
            self._read_fraction = done / total if total else 0.0
            self.progress.setValue(int(1000 * self._read_fraction))
            self.progress_label.setText(f"{_size(done)} of {_size(total)} · {entries:,} entries")
        if self._early and self.job is not None and not self.job.is_cancel_requested():
            self._update_reading_banner()

    def _update_reading_banner(self) -> None:
        """Say that the list is still growing, how far reading is, and what is not there yet.

        The text changes only with the findings (a word-wrapped label's layout is not free); the
        progress bar follows the reading.
        """
        errors, _warnings = self._counts()
        blocked = f"{errors:,} request{'s' if errors != 1 else ''} blocked by CORS"
        if self._reading_done:
            text = (f"<b>Read the whole file</b> — {blocked} so far. Checking the rest and preparing "
                    "the fixes…")
            self.reading_banner.set_fraction(None)
        else:
            text = (f"<b>Reading…</b> {blocked} so far. The list grows as the file is read; "
                    "warnings and the list of all requests come at the end.")
            self.reading_banner.set_fraction(self._read_fraction)
        if self.reading_banner.label.text() != text:
            self.reading_banner.label.setText(text)

    def _on_early(self, data: TableData) -> None:
        """Early findings of the file being read: show them now, keeping what the user looks at."""
        if self.job is None or self.job.is_cancel_requested():
            return
        first = not self._early
        view = None if first else self._view_state()
        self._early = True
        self.data = data
        self.filters.set_all_requests_available(False)  # unchecks it on a reload from that view
        self.detail.set_producer(data.analysis.info.producer)
        self._set_view(False)
        self.reading_banner.show()
        self._update_reading_banner()
        if first:
            self.pages.setCurrentWidget(self.main_page)
            self.table.setFocus()
            # The detail pane is filled on the next turn of the event loop, after the table is painted:
            # the loader holds the GIL most of the time, so each step should be short.
            QtCore.QTimer.singleShot(0, self._select_first_if_none)
        elif view is None or not self._restore_view(view):
            self.select_row(0)
        self.state_changed.emit()
        if not first:
            self._early_painted()

    def _select_first_if_none(self) -> None:
        if not self.table.selectionModel().currentIndex().isValid():
            self.select_row(0)
        if self._early:
            self._early_painted()

    def _early_painted(self) -> None:
        """Paint the early findings now and let the worker read on (see AnalysisJob.early_shown):
        while it waits the GIL is free, whereas painted later every cell's call into Python would
        wait for the loader's GIL."""
        self.repaint()
        if self.job is not None:
            self.job.early_shown()

    def _end_early(self) -> None:
        self._early = False
        self.reading_banner.hide()
        self.filters.set_all_requests_available(True)

    def _view_state(self) -> tuple[Finding | None, int]:
        """The selected finding and the height of its row in the view, in pixels."""
        index = self.table.selectionModel().currentIndex()
        finding = self.model.finding_at(index.row()) if index.isValid() else None
        return finding, (self.table.visualRect(index).top() if finding is not None else 0)

    def _restore_view(self, view: tuple[Finding | None, int]) -> bool:
        """Select the same finding at the same height in the view; False if it is not shown."""
        finding, y = view
        row = -1 if finding is None else self.model.row_where(lambda f: _same_finding(f, finding))
        if row < 0:
            return False
        table = self.table
        index = self.model.index(row, 1)
        table.selectionModel().setCurrentIndex(
            index, QtCore.QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QtCore.QItemSelectionModel.SelectionFlag.Rows)
        table.scrollTo(index, QtWidgets.QAbstractItemView.ScrollHint.PositionAtTop)
        shift = table.visualRect(index).top() - y
        if table.verticalScrollMode() == QtWidgets.QAbstractItemView.ScrollMode.ScrollPerItem:
            shift = round(shift / max(table.rowHeight(row), 1))
        bar = table.verticalScrollBar()
        bar.setValue(bar.value() + shift)
        table.scrollTo(index)  # a shorter table than before: keep the row in sight
        return True

    def _release_job(self) -> None:
        # The outcome signal arrives just before QThread.finished; the tab counts as settled from here.
        self.job = None

    def _on_succeeded(self, data: TableData) -> None:
        self._release_job()
        view = self._view_state() if self._early else None
        self._end_early()
        self.data = data
        self.error = None
        self._show_banners(data.analysis)
        self.detail.set_producer(data.analysis.info.producer)
        self._set_view(self._show_all)
        self.pages.setCurrentWidget(self.main_page)
        if view is None:
            self.select_row(0)
            self.table.setFocus()
        elif not self._restore_view(view):
            self.select_row(0)
        self.state_changed.emit()
        self.analysis_ready.emit(data)

    def _on_failed(self, message: str) -> None:
        self._release_job()
        self._end_early()
        self.error = message
        self.data = None
        self.failed_banner.label.setText(message)
        self.failed_state.set_content(
            theme.icon("error"), "This file could not be read",
            "harcors reads HAR 1.2 files (.har, .json, .har.gz, or a .zip holding one) as exported by "
            "browsers' DevTools, Playwright, mitmproxy, Charles, Fiddler and similar tools.",
        )
        self.pages.setCurrentWidget(self.failed_page)
        self.state_changed.emit()
        self.load_failed.emit(message)

    def _on_cancelled(self) -> None:
        self._release_job()
        self.error = "Loading was cancelled."
        if self._early and self.data is not None:
            # Keep what the user was reading, and say how partial it is ("All requests" stays off:
            # the early analysis has no request list).
            self._early = False
            self.reading_banner.hide()
            n = len(self.data.analysis.exchanges)
            banner = self._add_banner(Banner(
                "warning", f"Loading was cancelled after {n:,} entries. The table shows the failures found "
                "in them so far; warnings and the list of all requests need the whole file.",
                action="Read again"))
            banner.action_triggered.connect(self.start)
            self.state_changed.emit()
            self.load_cancelled.emit()
            return
        self.failed_banner.label.setText(f"{self.path}: loading was cancelled")
        self.failed_state.set_content(theme.icon("info"), "Loading cancelled",
                                      "Press “Try again” to read the file again.")
        self.pages.setCurrentWidget(self.failed_page)
        self.state_changed.emit()
        self.load_cancelled.emit()

    # -- banners ----------------------------------------------------------------------------------
    def _add_banner(self, banner: Banner) -> Banner:
        self._banners.append(banner)
        self.banner_area.addWidget(banner)
        banner.show()  # a child added to a page already on screen stays hidden otherwise
        return banner

    def banners(self) -> list[Banner]:
        return [b for b in self._banners if not b.isHidden()]

    def _clear_banners(self) -> None:
        for banner in self._banners:
            banner.deleteLater()
        self._banners = []

    def _show_banners(self, analysis: Analysis) -> None:
        self._clear_banners()
        if analysis.problem:
            self._add_banner(Banner(
                "warning",
                f"{analysis.problem}. The findings cover the {analysis.entries_seen:,} entries read."))
        if analysis.skipped:
            n = len(analysis.skipped)
            text = f"{n:,} {'entry' if n == 1 else 'entries'} could not be read"
            banner = self._add_banner(Banner("warning", text, action="Show"))
            banner.action_triggered.connect(self.show_skipped)

    def show_skipped(self) -> None:
        if self.data is None:
            return
        skipped = self.data.analysis.skipped
        box = QtWidgets.QMessageBox(self)
        box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
        box.setWindowTitle("Entries that could not be read")
        box.setText(f"{len(skipped):,} entries of {os.path.basename(self.path)} were skipped.")
        box.setInformativeText("They are left out of the analysis; every other entry was checked.")
        box.setDetailedText("\n".join(f"entry {s.index}: {s.reason}" for s in skipped[:2000]))
        box.open()

    # -- views and filters ---------------------------------------------------------------------------
    def _set_view(self, show_all: bool) -> None:
        if self.data is None:
            return
        keep = self.current_finding()
        self._show_all = show_all
        rows = self.data.requests if show_all else self.data.findings
        self.filters.set_choices(rows.choices("type"), rows.choices("host"), rows.choices("rule"))
        self.model.set_rows(rows)
        self.model.set_filter(self.filters.current())
        self._update_empty_state()
        if keep is not None:
            self.select_finding(keep)

    def _on_all_requests(self, checked: bool) -> None:
        self._set_view(checked)

    def _on_filter(self, flt: Filter) -> None:
        keep = self.current_finding()
        self.model.set_filter(flt)
        self._update_empty_state()
        if keep is None or not self.select_finding(keep):
            self.select_row(0)

    def _on_counts(self, shown: int, total: int) -> None:
        self.filters.set_counts(shown, total)

    def _update_empty_state(self) -> None:
        if self.model.rowCount() > 0 or self.data is None:
            self.table_stack.setCurrentWidget(self.table)
            self.detail.show()
            return
        self.detail.hide()  # nothing to select: let the empty state have the room
        analysis = self.data.analysis
        if self.model.total() == 0 and not self._show_all:
            n = len(analysis.exchanges)
            self.table_empty.set_content(
                theme.icon("ok"), "No CORS problems found",
                f"harcors checked {n:,} request{'s' if n != 1 else ''} in this file and found nothing "
                "a browser would block.", size=48)
            self.table_empty_action.setText("Show all requests")
            self._empty_action = "all"
        else:
            hidden = self.model.total()
            self.table_empty.set_content(
                theme.icon("info"), "Nothing matches the filters",
                f"The filters hide all {hidden:,} {'requests' if self._show_all else 'findings'}.", size=48)
            self.table_empty_action.setText("Show everything")
            self._empty_action = "reset"
        self.table_stack.setCurrentWidget(self.table_empty)
        self.detail.clear()

    def _on_empty_action(self) -> None:
        if self._empty_action == "all":
            self.filters.all_requests.setChecked(True)
        else:
            self.filters.show_everything()

    # -- selection -----------------------------------------------------------------------------------
    def select_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            self.detail.clear()
            return
        index = self.model.index(row, 1)
        self.table.selectionModel().setCurrentIndex(
            index, QtCore.QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QtCore.QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def select_finding(self, finding: Finding) -> bool:
        row = self.model.row_of_finding(finding)
        if row >= 0:
            self.select_row(row)
        return row >= 0

    def current_finding(self) -> Finding | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.finding_at(index.row()) if index.isValid() else None

    def selected_findings(self) -> list[Finding]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        out: list[Finding] = []
        for row in rows:
            f = self.model.finding_at(row)
            if f is not None and all(f is not g for g in out):
                out.append(f)
        return out

    def selected_exchanges(self) -> list[Exchange]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [ex for ex in (self.model.exchange_at(r) for r in rows) if ex is not None]

    def copy_urls(self) -> None:
        """Copy the selected rows' URLs, one per line (Ctrl+C in the table)."""
        urls = [ex.url for ex in self.selected_exchanges()]
        if urls:
            QtGui.QGuiApplication.clipboard().setText("\n".join(urls))

    def _table_menu(self, pos: QtCore.QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        finding = self.model.finding_at(index.row())
        menu = QtWidgets.QMenu(self)
        menu.addAction("Copy URL", self.copy_urls)
        if finding is not None:
            menu.addAction("Copy Chrome's Message",
                           lambda: QtGui.QGuiApplication.clipboard().setText(finding.messages.chrome))
            if finding.curl:
                menu.addAction("Copy curl Commands",
                               lambda: QtGui.QGuiApplication.clipboard().setText("\n\n".join(finding.curl)))
            menu.addAction("Copy as Markdown", lambda: self.copy_markdown_requested.emit(finding))
        menu.addSeparator()
        exchange = self.model.exchange_at(index.row())
        if exchange is not None:
            rows = self.model.rows()
            host = rows.as_list("host")[self.model.position(index.row())] if rows is not None else ""
            if host:
                only_host = replace(self.filters.current(), host=host)
                menu.addAction(f"Only Requests to {host}", lambda: self.filters.set_filter(only_host))
        if finding is not None:
            only_rule = replace(self.filters.current(), rule=finding.rule)
            menu.addAction(f"Only Rule {finding.rule}", lambda: self.filters.set_filter(only_rule))
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _on_current_row(self, current: QtCore.QModelIndex, _previous: QtCore.QModelIndex) -> None:
        if not current.isValid():
            self.detail.clear()
            return
        finding = self.model.finding_at(current.row())
        if finding is not None:
            self.detail.show_finding(finding)
            return
        exchange = self.model.exchange_at(current.row())
        if exchange is None:
            self.detail.clear()
            return
        self.detail.show_exchange(exchange, self._preflight_of(exchange))

    def _preflight_of(self, exchange: Exchange) -> Exchange | None:
        if self.data is None:
            return None
        pre_index = self.data.analysis.pairs.get(exchange.index)
        if pre_index is None:
            return None
        for ex in self.data.analysis.exchanges:
            if ex.index == pre_index:
                return ex
        return None

    # -- column widths ---------------------------------------------------------------------------------
    def _restore_widths(self) -> None:
        saved = self.settings.column_widths()
        for i, name in enumerate(COLUMNS):
            width = saved[i] if i < len(saved) and saved[i] > 8 else _DEFAULT_WIDTHS[name]
            self.table.setColumnWidth(i, width)

    def _on_section_resized(self, *_args: object) -> None:
        self._save_widths_timer.start()

    def _save_widths(self) -> None:
        self.settings.set_column_widths([self.table.columnWidth(i) for i in range(len(COLUMNS))])

    # -- summary ---------------------------------------------------------------------------------------
    def title(self) -> str:
        return os.path.basename(self.path)

    def icon(self) -> QtGui.QIcon:
        if self.job is not None:
            return theme.icon("info")
        if self.error is not None or self.data is None:
            return theme.icon("error") if self.error else QtGui.QIcon()
        errors, warnings = self._counts()
        if errors:
            return theme.icon("error")
        return theme.icon("warning") if warnings else theme.icon("ok")

    def _counts(self) -> tuple[int, int]:
        """(errors, warnings), counted on the severity column (this runs on every selection change)."""
        if self.data is None:
            return 0, 0
        severity = self.data.findings.array("severity")
        errors = int((severity == "error").sum())
        return errors, len(severity) - errors

    def summary(self) -> str:
        if self.job is not None and self._early:
            errors, _warnings = self._counts()
            return f"Reading {self.path}… · {errors:,} blocked by CORS so far"
        if self.job is not None:
            return f"Reading {self.path}…"
        if self.data is None:
            return self.error or ""
        if self.data.analysis.provisional:  # cancelled while early findings were shown
            errors, _warnings = self._counts()
            return f"{self.error} {errors:,} blocked by CORS in the part read"
        a = self.data.analysis
        info = a.info
        errors, warnings = self._counts()
        source = info.creator or "unknown tool"
        if info.browser:
            source += f", {info.browser} {info.browser_version or ''}".rstrip()
        return (f"{source} · {len(a.exchanges):,} requests · {errors:,} blocked by CORS · "
                f"{warnings:,} warning{'s' if warnings != 1 else ''}")

"""Early findings in the window: the table fills while a big HAR is read, the final analysis
replaces them keeping what the user looks at, and Cancel still works."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from harcors.analysis import Analysis, EarlyPolicy
from harcors.cors.model import Finding
from harcors.fixes import ANY_STACK, every_stack_fixes, fix_plan
from harcors.gui import document
from harcors.gui.document import HarTab
from harcors.gui.frames import COLUMNS, Filter, TableData
from harcors.gui.qt import Qt, QtGui, QtWidgets
from harcors.gui.worker import AnalysisJob

LOAD_TIMEOUT = 30_000
#: Publishes after every 400 entries read, for requests 60 entries and 10 s of HAR time behind.
EARLY = EarlyPolicy(first_after=0, every=0, max_count=3, check_every=400, margin_entries=60,
                    margin_seconds=10, overlap_entries=30, overlap_seconds=10)


@pytest.fixture(scope="module")
def big_har(tmp_path_factory: pytest.TempPathFactory, har_generator: Any) -> Path:
    path = tmp_path_factory.mktemp("early-gui") / "session.har"
    har_generator.write_har(path, 1200, seed=3, image_kb=2)  # ~7 MB, 15 CORS failures
    return path


@pytest.fixture(autouse=True)
def early_for_small_files(monkeypatch):
    monkeypatch.setattr(HarTab, "early_policy", EARLY)


def key(f: Finding) -> tuple[Any, ...]:
    return f.request.index, f.rule, f.messages


def open_tab(window, path: Path) -> HarTab:
    [tab] = window.open_files([os.fspath(path)])
    return tab


def test_early_findings_fill_the_table_while_the_file_is_read(qtbot, window, big_har):
    tab = open_tab(window, big_har)
    seen: list[dict[str, Any]] = []

    def on_early(data: TableData) -> None:  # runs right after the tab has shown ``data``
        seen.append({
            "findings": list(data.analysis.findings),
            "main page": tab.pages.currentWidget() is tab.main_page,
            "banner": tab.reading_banner.isVisible() and tab.reading_banner.label.text(),
            "bar": tab.reading_banner.bar.text(),
            "rows": tab.model.total(),
            "export": window.export_action.isEnabled(),
            "all requests": tab.filters.all_requests.isEnabled(),
            "status": window.summary.text(),
        })

    tab.job.early_findings.connect(on_early)
    with qtbot.waitSignal(tab.analysis_ready, timeout=LOAD_TIMEOUT):
        pass
    assert len(seen) == EARLY.max_count
    for state in seen:
        assert state["main page"] and state["rows"] == len(state["findings"]) > 0
        assert not state["export"] and not state["all requests"]  # no partial reports, no request list yet
    assert "Reading…" in seen[0]["banner"] and "blocked by CORS so far" in seen[0]["banner"]
    assert seen[0]["bar"].endswith(" %") and "so far" in seen[0]["status"]
    # Nothing shown early was a false alarm.
    final = {key(f) for f in tab.data.analysis.findings}
    assert all(key(f) in final for state in seen for f in state["findings"])
    assert not tab.reading_banner.isVisible()
    assert window.export_action.isEnabled() and tab.filters.all_requests.isEnabled()
    assert tab.model.total() == len(tab.data.findings)


def test_the_detail_pane_works_on_an_early_row(qtbot, window, big_har):
    tab = open_tab(window, big_har)
    shown: list[tuple[Finding | None, Finding | None, str, int]] = []
    copied: list[str] = []

    def on_early(_data: TableData) -> None:
        if not shown:
            tab.select_row(tab.model.rowCount() - 1)
            finding = tab.current_finding()
            shown.append((finding, tab.detail.finding(), tab.detail.message_text("chrome"),
                          tab.detail.stack_picker.count()))
            assert window.copy_md_action.isEnabled()
            window.copy_markdown()  # ready for a bug ticket, like a final finding
            copied.append(QtGui.QGuiApplication.clipboard().text())

    tab.job.early_findings.connect(on_early)
    with qtbot.waitSignal(tab.analysis_ready, timeout=LOAD_TIMEOUT):
        pass
    [(finding, detailed, chrome, stacks)] = shown
    assert finding is not None and detailed is finding and chrome == finding.messages.chrome
    # Early and final findings carry the likely stack's fix (and the page's, if any); the picker
    # offers every stack for both, and renders the one picked.
    final = tab.current_finding()
    assert 1 <= len(finding.fixes) < 4 and finding.fixes[0].stack != ANY_STACK
    assert 1 <= len(final.fixes) < 4
    assert stacks == len(fix_plan(finding)) > 4
    assert tab.detail.stack_picker.count() == len(fix_plan(final)) == len(every_stack_fixes(final))
    assert copied[0].startswith("## Blocked by CORS") and finding.request.url in copied[0]


class PausedJob(AnalysisJob):
    """Waits after each early publication until the test lets it go on (not a sleep: an event)."""

    resume = threading.Event()

    def _on_early(self, analysis: Analysis) -> None:
        super()._on_early(analysis)
        self.resume.wait(LOAD_TIMEOUT / 1000)


@pytest.fixture
def paused(monkeypatch):
    """Tabs load with :class:`PausedJob`; set ``PausedJob.resume`` to let the reading go on."""
    monkeypatch.setattr(document, "AnalysisJob", PausedJob)
    PausedJob.resume.clear()
    yield PausedJob.resume
    PausedJob.resume.set()  # a failed test must not leave a worker waiting


def test_the_final_analysis_keeps_selection_sort_filter_and_scroll(qtbot, window, big_har, paused):
    tab = open_tab(window, big_har)
    tab.splitter.setSizes([120, 660])  # a short table, so the selected last row scrolls it
    url = COLUMNS.index("url")
    with qtbot.waitSignal(tab.job.early_findings, timeout=LOAD_TIMEOUT):
        pass  # the first early findings are shown; the reading waits
    QtWidgets.QApplication.processEvents()  # lay the table out
    tab.filters.show_everything()
    tab.table.sortByColumn(url, Qt.SortOrder.DescendingOrder)
    tab.select_row(tab.model.rowCount() - 1)  # scrolls the table down
    before = tab.current_finding()
    y = tab.table.visualRect(tab.table.currentIndex()).top()
    assert tab.table.verticalScrollBar().value() > 0
    with qtbot.waitSignal(tab.analysis_ready, timeout=LOAD_TIMEOUT):
        paused.set()  # more early findings, then the final analysis
    finding = tab.current_finding()
    assert finding is not None and finding is not before and key(finding) == key(before)
    assert any(finding is f for f in tab.data.analysis.findings)  # the final one, with every stack's fix
    assert tab.detail.finding() is finding
    # At the same height in the view (to the row: the table scrolls by whole rows).
    assert abs(tab.table.visualRect(tab.table.currentIndex()).top() - y) < tab.table.rowHeight(0)
    assert tab.filters.current() == Filter()
    header = tab.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (url, Qt.SortOrder.DescendingOrder)
    urls = [tab.model.data(tab.model.index(r, url)) for r in range(tab.model.rowCount())]
    assert urls == sorted(urls, key=str.lower, reverse=True)
    assert tab.model.rowCount() == len(tab.data.analysis.findings)


def test_cancel_while_early_findings_are_shown_keeps_them(qtbot, window, big_har, paused):
    tab = open_tab(window, big_har)
    early: list[int] = []

    def on_early(data: TableData) -> None:
        early.append(len(data.analysis.findings))
        button = tab.reading_banner.action_button
        assert button.shortcut() == QtGui.QKeySequence(Qt.Key.Key_Escape)
        button.click()  # what Esc does (offscreen Qt does not deliver shortcuts to QTest)
        paused.set()

    tab.job.early_findings.connect(on_early)
    with qtbot.waitSignal(tab.load_cancelled, timeout=LOAD_TIMEOUT):
        pass
    assert early and tab.pages.currentWidget() is tab.main_page
    assert tab.model.total() == early[0] and not tab.reading_banner.isVisible()
    [banner] = tab.banners()
    assert banner.text().startswith("Loading was cancelled") and banner.action_button.text() == "Read again"
    assert not window.export_action.isEnabled() and not tab.is_loading()
    with qtbot.waitSignal(tab.analysis_ready, timeout=LOAD_TIMEOUT):
        banner.action_button.click()
    assert tab.banners() == [] and tab.is_complete()


def test_a_file_cut_short_shows_early_findings_then_what_was_read(qtbot, window, big_har, tmp_path):
    cut = tmp_path / "cut.har"
    data = big_har.read_bytes()
    cut.write_bytes(data[: len(data) * 4 // 5])
    tab = open_tab(window, cut)
    early: list[int] = []
    tab.job.early_findings.connect(lambda d: early.append(len(d.analysis.findings)))
    with qtbot.waitSignal(tab.analysis_ready, timeout=LOAD_TIMEOUT):
        pass
    analysis = tab.data.analysis
    assert early and analysis.problem and analysis.findings and not analysis.provisional
    assert any(b.text().startswith(analysis.problem) for b in tab.banners())
    assert not tab.reading_banner.isVisible() and tab.model.total() > 0


def test_the_worker_reads_on_once_the_tab_has_shown_early_findings(qtbot, window, big_har, monkeypatch):
    # The worker waits after each publication (the loader's GIL would slow the paint); the tab
    # must release it every time, with the rows already in the table, the first row selected.
    shown: list[tuple[int, bool]] = []
    release = AnalysisJob.early_shown

    def early_shown(job: AnalysisJob) -> None:
        tab = window.current_tab()
        shown.append((tab.model.total(), tab.table.selectionModel().currentIndex().isValid()))
        release(job)

    monkeypatch.setattr(AnalysisJob, "early_shown", early_shown)
    tab = open_tab(window, big_har)
    with qtbot.waitSignal(tab.analysis_ready, timeout=LOAD_TIMEOUT):
        pass
    assert len(shown) == EARLY.max_count
    assert all(rows > 0 and selected for rows, selected in shown)


def test_cancel_releases_a_worker_waiting_for_the_tab():
    job = AnalysisJob("unused.har")
    job._shown.clear()
    job.cancel()
    assert job._shown.is_set()  # so the wait after a publication ends at once

"""Drive the real main window offscreen: drop HARs, wait for the analysis, filter, read, export."""

from __future__ import annotations

import json
import os

import pytest

from harcors.analysis import analyze_file
from harcors.cli import analyze_main
from harcors.gui.frames import COLUMNS, Filter
from harcors.gui.qt import Qt, QtCore, QtGui, QtWidgets
from harcors.har import HarError

from .conftest import sample

LOAD_TIMEOUT = 30_000


def drop(window: QtWidgets.QWidget, paths) -> None:
    """What the desktop does when files are dragged onto the window and released."""
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(os.fspath(p)) for p in paths])
    where = QtCore.QPointF(window.rect().center())
    enter = QtGui.QDragEnterEvent(where, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                  Qt.KeyboardModifier.NoModifier)
    QtWidgets.QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    assert window.drop_overlay.isVisible()  # the window says what a drop will do
    dropped = QtGui.QDropEvent(where, Qt.DropAction.CopyAction, mime,
                               Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QtWidgets.QApplication.sendEvent(window, dropped)
    assert dropped.isAccepted()
    assert not window.drop_overlay.isVisible()


def open_and_wait(qtbot, window, path):
    with qtbot.waitSignal(window.tab_settled, timeout=LOAD_TIMEOUT) as blocker:
        drop(window, [path])
    return blocker.args[0]


def cli_findings(path, tmp_path) -> list[dict]:
    """The findings ``harcors analyze --format json`` prints for ``path``."""
    out = tmp_path / "cli.json"
    analyze_main([os.fspath(path), "--format", "json", "-o", os.fspath(out)])
    return json.loads(out.read_text("utf-8"))["findings"]


def table_rows(tab) -> list[tuple[str, str, str]]:
    model = tab.model
    col = {name: i for i, name in enumerate(COLUMNS)}
    return [(model.data(model.index(r, col["rule"])), model.data(model.index(r, col["method"])).strip(),
             model.data(model.index(r, col["url"]))) for r in range(model.rowCount())]


def test_welcome_page_says_what_to_do(window):
    assert window.central.currentWidget() is window.welcome
    assert window.welcome.title.text() == "Drop a HAR file here"
    assert "Export HAR" in window.welcome.text.text()


def test_drop_a_sample_har_and_see_the_cli_findings(qtbot, window, tmp_path):
    path = sample("session-dashboard.har")
    tab = open_and_wait(qtbot, window, path)
    assert tab.data is not None and tab.error is None
    assert window.central.currentWidget() is window.tabs
    assert window.tabs.tabText(window.tabs.currentIndex()) == "session-dashboard.har"
    expected = cli_findings(path, tmp_path)
    assert expected, "the sample should have findings"

    # The default view: the XHR/fetch failures.
    assert tab.filters.failures_only.isChecked()
    blocked = [(f["rule"], f["request"]["method"], f["request"]["url"]) for f in expected
               if f["severity"] == "error" and f["request"]["resource_type"] in ("fetch", "xhr")]
    assert table_rows(tab) == blocked
    assert tab.filters.count.text() == f"{len(blocked)} / {len(expected)} findings"

    # Everything: one row per finding of the CLI, in the same order.
    tab.filters.show_everything()
    assert table_rows(tab) == [(f["rule"], f["request"]["method"], f["request"]["url"]) for f in expected]
    assert tab.filters.count.text() == f"{len(expected)} / {len(expected)} findings"


def test_each_filter_narrows_the_table(qtbot, window):
    tab = open_and_wait(qtbot, window, sample("session-dashboard.har"))
    findings = tab.data.analysis.findings
    tab.filters.show_everything()
    total = len(findings)
    bar = tab.filters

    def shown():
        return [tab.model.finding_at(r) for r in range(tab.model.rowCount())]

    # Severity: warnings only.
    bar.severity.set_selected(frozenset({"warning"}))
    bar.severity.changed.emit()
    assert shown() == [f for f in findings if not f.is_error]
    assert not bar.failures_only.isChecked()
    bar.show_everything()

    # Type: a type no finding has hides everything and says so.
    bar.types.set_selected(frozenset({"font"}))
    bar.types.changed.emit()
    assert shown() == []
    assert tab.table_stack.currentWidget() is tab.table_empty
    assert tab.table_empty.title.text() == "Nothing matches the filters"
    bar.show_everything()
    assert tab.table_stack.currentWidget() is tab.table

    # Host and rule: from the combo boxes, which offer the values present.
    host = bar.host.itemData(1)
    bar.host.setCurrentIndex(1)
    assert shown() and all(host in f.request.url for f in shown())
    bar.show_everything()
    rule = bar.rule.itemData(1)
    bar.rule.setCurrentIndex(1)
    assert shown() == [f for f in findings if f.rule == rule]
    bar.show_everything()

    # Text search (debounced): over URLs and messages.
    with qtbot.waitSignal(bar.filter_changed, timeout=2000):
        qtbot.keyClicks(bar.search, "AVATAR")
    assert shown() == [f for f in findings if "avatar" in f.request.url]
    assert bar.count.text() == f"{len(shown())} / {total} findings"
    with qtbot.waitSignal(bar.filter_changed, timeout=2000):
        bar.search.setText("wildcard '*'")
    assert shown() == [f for f in findings if "wildcard '*'" in f.messages.chrome]

    # The one-click default view comes back.
    bar.failures_only.click()
    assert bar.current().is_xhr_fetch_failures
    assert all(f.is_error for f in shown())


def test_selecting_a_finding_shows_its_message_and_headers(qtbot, window):
    tab = open_and_wait(qtbot, window, sample("session-dashboard.har"))
    detail = tab.detail
    for row in range(tab.model.rowCount()):
        tab.select_row(row)
        finding = tab.model.finding_at(row)
        assert detail.finding() is finding
        assert detail.message_tabs() == ["Chrome", "Firefox", "Safari"]  # a Chrome HAR: Chrome first
        assert detail.message_text("chrome") == finding.messages.chrome
        if finding.messages.firefox:
            assert detail.message_text("firefox") == finding.messages.firefox
    # missing-allow-origin: the missing header is listed, marked as what failed.
    rules = [tab.model.finding_at(r).rule for r in range(tab.model.rowCount())]
    tab.select_row(rules.index("missing-allow-origin"))
    marked = [(name, value) for name, value, mark in detail.request_view.rows() if mark == "failed"]
    assert marked == [("Access-Control-Allow-Origin", "(missing)")]
    assert any(mark == "cors" and name.lower() == "origin" for name, _v, mark in detail.request_view.rows())


def test_firefox_har_shows_firefox_message_first(qtbot, window):
    tab = open_and_wait(qtbot, window, sample("preflight-put-method-not-allowed.firefox.har"))
    assert tab.data.analysis.info.producer == "firefox"
    finding = tab.current_finding()
    assert finding is not None and finding.rule == "method-not-allowed"
    assert tab.detail.message_tabs()[0] == "Firefox"
    assert tab.detail.messages.currentIndex() == 0
    assert tab.detail.message_text("firefox") == finding.messages.firefox
    # The preflight and the request side by side; the preflight's Allow-Methods is what failed.
    assert tab.detail.preflight_view.title.text() == "<b>Preflight (OPTIONS)</b>"
    failed = [n.lower() for n, _v, mark in tab.detail.preflight_view.rows() if mark == "failed"]
    assert failed == ["access-control-allow-methods"]


def test_all_requests_view_indents_each_preflight_under_its_request(qtbot, window):
    tab = open_and_wait(qtbot, window, sample("session-shop-xhr.har"))
    analysis = tab.data.analysis
    assert analysis.pairs
    tab.filters.all_requests.click()
    assert window.all_requests_action.isChecked()
    model = tab.model
    assert model.rowCount() == len(analysis.exchanges)
    assert tab.filters.count.text().endswith("requests")
    rows = [model.exchange_at(r).index for r in range(model.rowCount())]
    method_col = COLUMNS.index("method")
    for request_index, preflight_index in analysis.pairs.items():
        row = rows.index(request_index)
        assert rows[row + 1] == preflight_index
        assert model.data(model.index(row + 1, method_col)).lstrip().startswith("↳ OPTIONS")
    # A request without a finding still shows its exchange in the detail pane.
    clean = next(r for r in range(model.rowCount()) if model.finding_at(r) is None)
    tab.select_row(clean)
    assert tab.detail.title.text().endswith("No CORS problem found</span>")
    tab.filters.all_requests.click()
    assert model.rowCount() == len([f for f in analysis.findings if f.is_error])


def test_export_report_of_the_current_filter(qtbot, window, tmp_path):
    tab = open_and_wait(qtbot, window, sample("session-dashboard.har"))
    shown = tab.model.shown_findings()
    dialog = window.make_export_dialog()
    qtbot.addWidget(dialog)
    assert dialog.redact.isChecked()  # secrets are redacted unless the user says otherwise
    assert dialog.scope().label == "Findings shown by the current filter"
    dialog.format.setCurrentIndex(dialog.format.findData("json"))
    assert dialog.path.text().endswith("session-dashboard-cors.json")
    out = tmp_path / "report.json"
    dialog.path.setText(os.fspath(out))
    with qtbot.waitSignal(dialog.accepted, timeout=LOAD_TIMEOUT):  # written in a worker thread
        dialog.accept()
    assert dialog.result() == QtWidgets.QDialog.DialogCode.Accepted
    report = json.loads(out.read_text("utf-8"))
    assert [f["request"]["url"] for f in report["findings"]] == [f.request.url for f in shown]

    # Markdown, for everything in the file.
    dialog = window.make_export_dialog()
    qtbot.addWidget(dialog)
    dialog.format.setCurrentIndex(dialog.format.findData("md"))
    dialog.scope_buttons[-1].setChecked(True)
    md = tmp_path / "report.md"
    dialog.path.setText(os.fspath(md))
    with qtbot.waitSignal(dialog.accepted, timeout=LOAD_TIMEOUT):  # written in a worker thread
        dialog.accept()
    text = md.read_text("utf-8")
    for finding in tab.data.analysis.findings:
        assert finding.rule in text


def test_export_the_selection(qtbot, window, tmp_path):
    tab = open_and_wait(qtbot, window, sample("session-dashboard.har"))
    tab.filters.show_everything()
    tab.table.selectRow(0)
    tab.table.selectionModel().select(
        tab.model.index(2, 0), QtCore.QItemSelectionModel.SelectionFlag.Select
        | QtCore.QItemSelectionModel.SelectionFlag.Rows)
    dialog = window.make_export_dialog()
    qtbot.addWidget(dialog)
    assert dialog.scope().label == "Selected findings"
    dialog.format.setCurrentIndex(dialog.format.findData("csv"))
    out = tmp_path / "picked.csv"
    dialog.path.setText(os.fspath(out))
    with qtbot.waitSignal(dialog.accepted, timeout=LOAD_TIMEOUT):  # written in a worker thread
        dialog.accept()
    text = out.read_text("utf-8")
    assert tab.model.finding_at(0).request.url in text and tab.model.finding_at(2).request.url in text
    assert tab.model.finding_at(1).request.url not in text


def test_copy_one_finding_as_markdown(qtbot, window):
    tab = open_and_wait(qtbot, window, sample("session-dashboard.har"))
    finding = tab.current_finding()
    with qtbot.waitSignal(window.status_message):
        tab.detail.copy_md.click()
    text = QtGui.QGuiApplication.clipboard().text()
    assert finding.rule in text and finding.request.url in text
    # One finding for a ticket: its own heading, the browser's words, no summary of the whole file.
    heading = text.splitlines()[0]
    assert heading.startswith("## ") and f"`{finding.request.method} {finding.request.url}`" in heading
    assert finding.messages.chrome and finding.messages.chrome in text
    assert "By rule" not in text and "By host" not in text and "# CORS report" not in text
    assert "`session-dashboard.har`" in text and "`[redacted]`" in text

    # The fix is the one for the stack the detail pane shows, by menu shortcut too.
    picker = tab.detail.stack_picker
    other = next(i for i in range(picker.count()) if i != picker.currentIndex())
    picker.setCurrentIndex(other)
    stack = picker.itemData(other)
    with qtbot.waitSignal(window.status_message):
        window.copy_md_action.trigger()
    text = QtGui.QGuiApplication.clipboard().text()
    assert f"### Suggested fix: `{stack}`" in text


def test_unreadable_file_gets_a_clear_banner(qtbot, window, tmp_path):
    bad = tmp_path / "notes.har"
    bad.write_text("this is not JSON", "utf-8")
    with pytest.raises(HarError) as raised:
        analyze_file(bad)
    tab = open_and_wait(qtbot, window, bad)
    assert tab.pages.currentWidget() is tab.failed_page
    assert tab.failed_banner.text() == str(raised.value)
    assert tab.failed_state.title.text() == "This file could not be read"
    assert not window.export_action.isEnabled()


def _har(entries) -> str:
    return json.dumps({"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
                               "entries": entries}})


def test_skipped_entries_and_truncation_get_banners(qtbot, window, tmp_path):
    good = json.loads(sample("success-simple-get.har").read_text("utf-8"))["log"]["entries"]
    path = tmp_path / "partly.har"
    path.write_text(_har([*good, {"request": "not an object"}, 42]), "utf-8")
    tab = open_and_wait(qtbot, window, path)
    skipped = len(tab.data.analysis.skipped)
    assert skipped == 2
    [banner] = tab.banners()
    assert banner.text() == "2 entries could not be read"
    assert banner.action_button is not None and banner.action_button.text() == "Show"

    cut = tmp_path / "cut.har"
    text = _har(good * 3)
    cut.write_text(text[: len(text) - 40], "utf-8")
    tab = open_and_wait(qtbot, window, cut)
    problem = tab.data.analysis.problem
    assert problem
    assert any(b.text().startswith(problem) for b in tab.banners())


def test_cancel_stops_the_load(qtbot, window, tmp_path):
    entry = json.loads(sample("success-simple-get.har").read_text("utf-8"))["log"]["entries"][0]
    big = tmp_path / "big.har"
    big.write_text(_har([entry] * 6000), "utf-8")  # several megabytes: many reads to interrupt
    assert big.stat().st_size > 4 << 20
    tabs = window.open_files([os.fspath(big)])
    with qtbot.waitSignal(tabs[0].load_cancelled, timeout=LOAD_TIMEOUT):
        tabs[0].cancel_button.click()
    assert tabs[0].pages.currentWidget() is tabs[0].failed_page
    assert tabs[0].failed_state.title.text() == "Loading cancelled"


def test_clean_har_says_so(qtbot, window):
    tab = open_and_wait(qtbot, window, sample("success-simple-get.har"))
    assert tab.data.analysis.findings == []
    assert tab.table_stack.currentWidget() is tab.table_empty
    assert tab.table_empty.title.text() == "No CORS problems found"
    tab.table_empty_action.click()  # "Show all requests"
    assert tab.filters.all_requests.isChecked()
    assert tab.model.rowCount() == len(tab.data.analysis.exchanges)


def test_several_files_open_in_tabs_and_close(qtbot, window):
    paths = [sample("session-dashboard.har"), sample("session-shop-xhr.har")]
    with qtbot.waitSignals([window.tab_settled, window.tab_settled], timeout=LOAD_TIMEOUT):
        drop(window, paths)
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [p.name for p in paths]
    window.open_files([os.fspath(paths[0])])  # already open: switches to it
    assert window.tabs.count() == 2 and window.tabs.currentIndex() == 0
    window.close_action.trigger()
    assert window.tabs.count() == 1
    window.close_current()
    assert window.central.currentWidget() is window.welcome


def test_shortcuts_and_remembered_settings(qtbot, window, settings):
    path = sample("session-dashboard.har")
    tab = open_and_wait(qtbot, window, path)
    assert window.open_action.shortcut() == QtGui.QKeySequence(QtGui.QKeySequence.StandardKey.Open)
    assert window.close_action.shortcut() == QtGui.QKeySequence(QtGui.QKeySequence.StandardKey.Close)
    assert window.export_action.shortcut() == QtGui.QKeySequence("Ctrl+E")
    window.activateWindow()
    window.find_action.trigger()
    qtbot.waitUntil(tab.filters.search.hasFocus, timeout=2000)
    window.all_requests_action.trigger()
    assert tab.filters.all_requests.isChecked()
    window.failures_action.trigger()
    assert not tab.filters.all_requests.isChecked() and tab.filters.current().is_xhr_fetch_failures

    assert settings.recent_files()[0] == os.fspath(path)
    assert settings.last_folder() == os.fspath(path.parent)
    url_col = COLUMNS.index("url")
    tab.table.setColumnWidth(url_col, 333)
    qtbot.waitUntil(lambda: settings.column_widths()[url_col:url_col + 1] == [333], timeout=3000)
    window.close()
    assert settings.geometry() is not None


def test_tabs_are_filterable_with_a_filter_object(qtbot, window):
    tab = open_and_wait(qtbot, window, sample("session-dashboard.har"))
    tab.filters.set_filter(Filter(rule="missing-vary-origin"))
    assert all(tab.model.finding_at(r).rule == "missing-vary-origin" for r in range(tab.model.rowCount()))
    assert tab.filters.rule.currentData() == "missing-vary-origin"


def test_copy_urls_and_recent_files_menu(qtbot, window):
    path = sample("session-dashboard.har")
    tab = open_and_wait(qtbot, window, path)
    tab.filters.show_everything()
    tab.table.selectAll()
    tab.copy_urls()
    urls = QtGui.QGuiApplication.clipboard().text().splitlines()
    assert urls == [tab.model.finding_at(r).request.url for r in range(tab.model.rowCount())]
    window._fill_recent_menu()
    recent = [a for a in window.recent_menu.actions() if a.toolTip() == os.fspath(path)]
    assert len(recent) == 1 and recent[0].isEnabled()


def test_keyboard_moves_through_findings(qtbot, window):
    tab = open_and_wait(qtbot, window, sample("session-dashboard.har"))
    assert tab.model.rowCount() >= 2
    first = tab.current_finding()
    qtbot.keyClick(tab.table, Qt.Key.Key_Down)
    assert tab.current_finding() is tab.model.finding_at(1) is not first
    assert tab.detail.finding() is tab.current_finding()
    qtbot.keyClick(tab.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    assert tab.detail.finding() is first

"""The window renders the likely stack's fixes; the picker still offers every stack, renders the
one picked (once), and exports and copied findings are what they were with every stack rendered."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harcors.analysis import Analysis, analyze_file
from harcors.cors.model import Finding
from harcors.fixes import ALL_STACKS, FIX_STACKS, attach_fixes
from harcors.gui.detail import DetailPane, stack_names
from harcors.gui.export import finding_markdown, write_report
from harcors.gui.qt import QtGui, QtWidgets
from harcors.report import markdown
from harcors.report.render import FORMATS, render
from tests.fixes.test_every_stack import har_on

from .conftest import SAMPLES
from .factory import PAGE, exchange, finding, preflight
from .test_window import LOAD_TIMEOUT, open_and_wait


def old_picker(full: Finding) -> list[tuple[str, str]]:
    """The picker as it was filled from every stack's fixes: (label, stack) per fix."""
    names, detected = stack_names(), full.extras["stack_guess"].stack
    return [(names.get(f.stack, f.stack) + ("  (detected)" if f.stack == detected and len(full.fixes) > 1
                                            else ""), f.stack) for f in full.fixes]


def picker_items(tab) -> list[tuple[str, str]]:
    picker = tab.detail.stack_picker
    return [(picker.itemText(i), picker.itemData(i)) for i in range(picker.count())]


def pick(tab_or_pane, stack: str) -> None:
    picker = getattr(tab_or_pane, "detail", tab_or_pane).stack_picker
    index = picker.findData(stack)
    assert index >= 0, stack
    picker.setCurrentIndex(index)
    picker.activated.emit(index)  # what a click does too: the choice is remembered


@pytest.fixture
def dashboard(tmp_path) -> Path:
    """Three findings on Express (detected) behind nginx."""
    return har_on("express-behind-nginx", "session-dashboard.har", tmp_path)


def test_the_picker_offers_every_stack_and_renders_the_one_picked(qtbot, window, dashboard):
    full = analyze_file(dashboard).findings
    tab = open_and_wait(qtbot, window, dashboard)
    tab.filters.show_everything()
    findings = [tab.model.finding_at(r) for r in range(tab.model.rowCount())]
    assert [f.request.url for f in findings] == [f.request.url for f in full]
    for row, (shown, every) in enumerate(zip(findings, full, strict=True)):
        # The analysis rendered the likely stack only; the picker is the one every stack gave.
        assert shown.extras[FIX_STACKS] == ("express",) and every.extras[FIX_STACKS] == ALL_STACKS
        assert {f.stack for f in shown.fixes} == {"express"}
        tab.select_row(row)
        assert tab.detail.finding() is shown
        assert picker_items(tab) == old_picker(every) and len(every.fixes) > 20
        assert picker_items(tab)[0] == ("Express  (detected)", "express")
        assert tab.detail.current_fix() == every.fixes[0]

    tab.select_row(0)
    shown, every = findings[0], full[0]
    [django] = [f for f in every.fixes if f.stack == "django"]
    tab.detail.sections.setCurrentIndex(1)
    pick(tab, "django")
    assert tab.detail.fix_code.toPlainText() == django.code and django.code
    assert tab.detail.fix_title.text() == f"<b>{django.title}</b>"
    assert tab.detail.current_fix() == django and tab.detail.copy_fix.isEnabled()
    # Switching back and forth, and to another finding and back, renders Django once.
    memo = tab.detail.stack_fixes(shown)
    for _ in range(3):
        pick(tab, "express")
        pick(tab, "django")
    tab.select_row(1)
    tab.select_row(0)
    assert tab.detail.stack_fixes(shown) is memo and memo.rendered == ["django"]
    assert tab.detail.fix_code.toPlainText() == django.code  # the picked stack, again


def test_the_preferred_stack_opens_first(qtbot, settings, window, dashboard):
    settings.set_stack("flask")
    every = analyze_file(dashboard).findings[0]
    tab = open_and_wait(qtbot, window, dashboard)
    tab.filters.show_everything()
    tab.select_row(0)
    [flask] = [f for f in every.fixes if f.stack == "flask"]
    assert tab.detail.stack_picker.currentData() == "flask"
    assert tab.detail.fix_code.toPlainText() == flask.code
    assert picker_items(tab) == old_picker(every)


def ready_analysis(tab) -> Analysis:
    analysis = tab.data.analysis
    assert all(f.extras[FIX_STACKS] != ALL_STACKS for f in analysis.findings)  # the GUI's kind
    return analysis


def test_exports_from_the_window_are_those_of_every_stack(qtbot, window, dashboard, tmp_path):
    before = analyze_file(dashboard)
    tab = open_and_wait(qtbot, window, dashboard)
    ready_analysis(tab)
    cases = [(fmt, None, True) for fmt in FORMATS] + [("md", "django", True), ("json", None, False),
                                                      ("html", "nginx", False)]
    for fmt, stack, redact in cases:
        dialog = window.make_export_dialog()
        qtbot.addWidget(dialog)
        dialog.scope_buttons[-1].setChecked(True)  # all findings in this file
        dialog.format.setCurrentIndex(dialog.format.findData(fmt))
        dialog.stack.setCurrentIndex(dialog.stack.findData(stack or ""))
        dialog.redact.setChecked(redact)
        out = tmp_path / f"{fmt}-{stack}-{redact}.out"
        dialog.path.setText(os.fspath(out))
        with qtbot.waitSignal(dialog.accepted, timeout=LOAD_TIMEOUT):
            dialog.accept()
        assert dialog.written == os.fspath(out)
        written = out.read_bytes().decode("utf-8")
        assert written == render([before], fmt, redact=redact, stack=stack), (fmt, stack, redact)


def test_copy_as_markdown_is_that_of_every_stack(qtbot, window, dashboard):
    before = analyze_file(dashboard)
    tab = open_and_wait(qtbot, window, dashboard)
    analysis = ready_analysis(tab)
    for stack in (None, "spring"):
        for shown, every in zip(analysis.findings, before.findings, strict=True):
            assert finding_markdown(analysis, shown, stack=stack) == \
                markdown.finding_markdown(before, every, stack=stack)
    # From the window: the stack the pane shows, rendered when it was picked.
    tab.filters.show_everything()
    tab.select_row(0)
    pick(tab, "laravel")
    with qtbot.waitSignal(window.status_message):
        window.copy_md_action.trigger()
    expected = markdown.finding_markdown(before, before.findings[0], stack="laravel")
    assert QtGui.QGuiApplication.clipboard().text() == expected and "`laravel`" in expected


#: (sample, server): fixes of different kinds on different stacks.
REPORTED = [
    ("session-dashboard.har", "nextjs"), ("preflight-401-with-acao.har", "nextjs"),
    ("request-header-acao-set-by-client.har", "spring"), ("preflight-301-redirect.har", "none"),
    ("error-500-without-cors-headers.firefox.har", "express-behind-nginx"),
    ("fetch-no-cors-opaque.har", "none"), ("session-shop-xhr.har", "spring"),
]


#: (format, stack asked for, redact): every format, and the stack-dependent parts both ways.
CASES = [(fmt, None, True) for fmt in FORMATS] + [
    ("md", "apache", True), ("json", None, False), ("html", "nextjs", False), ("csv", "apache", True)]


@pytest.mark.parametrize(("name", "server"), REPORTED)
def test_reports_of_the_guis_analysis_are_those_of_every_stack(name, server, tmp_path):
    path = har_on(server, name, tmp_path)
    before, after = analyze_file(path), analyze_file(path, fix_stack=None)
    assert after.findings and all(f.extras[FIX_STACKS] != ALL_STACKS for f in after.findings)
    out = tmp_path / "report"
    for fmt, stack, redact in CASES:
        write_report([after], fmt, os.fspath(out), redact=redact, stack=stack)
        assert out.read_bytes().decode("utf-8") == render([before], fmt, redact=redact, stack=stack), \
            (fmt, stack, redact)


def test_reports_of_a_generated_har_are_those_of_every_stack(tmp_path, har_generator):
    path = tmp_path / "generated.har"
    har_generator.write_har(path, 1200, seed=3, image_kb=2)  # 15 failures, on S3
    before, after = analyze_file(path), analyze_file(path, fix_stack=None)
    assert len(after.findings) > 10
    both = [before, analyze_file(SAMPLES / "session-dashboard.har")]
    for fmt in ("md", "json", "sarif"):
        out = tmp_path / f"report.{fmt}"
        write_report([after, analyze_file(SAMPLES / "session-dashboard.har", fix_stack=None)], fmt,
                     os.fspath(out), redact=fmt != "json")
        assert out.read_bytes().decode("utf-8") == render(both, fmt, redact=fmt != "json")


def test_a_stack_that_cannot_write_the_request_says_so(qtbot):
    # Next.js names its route handler after the method, and "M-SEARCH" is no identifier: with every
    # stack rendered up front Next.js was left out; planned from the catalog, it says why it has none.
    pre = preflight(0, method="M-SEARCH", response_headers=(
        ("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Methods", "GET"),
        ("X-Powered-By", "Express")))
    raw = finding(exchange(1, "M-SEARCH", status=0), rule="method-not-allowed", pre=pre,
                  failed_parameter="M-SEARCH")
    [partial] = attach_fixes([raw], [pre, raw.request], stack=None)
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.show_finding(partial)
    assert pane.stack_picker.itemText(0) == "Express  (detected)"
    pick(pane, "nextjs")
    assert pane.current_fix() is None and not pane.copy_fix.isEnabled()
    assert pane.fix_code.toPlainText().startswith("(no fix for Next.js: a value in this request")
    pick(pane, "flask")
    assert pane.current_fix().stack == "flask" and pane.copy_fix.isEnabled()


def test_the_export_dialog_waits_for_its_worker(qtbot, window, dashboard, tmp_path, monkeypatch):
    open_and_wait(qtbot, window, dashboard)
    errors: list[str] = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "critical", lambda _parent, _title, text: errors.append(text))
    dialog = window.make_export_dialog()
    qtbot.addWidget(dialog)
    dialog.path.setText(os.fspath(tmp_path / "no such folder" / "report.md"))
    with qtbot.waitSignal(dialog.export_failed, timeout=LOAD_TIMEOUT):
        dialog.accept()
        assert dialog.is_exporting() and not dialog.format.isEnabled() and dialog.busy.isVisibleTo(dialog)
    assert errors and "Cannot write" in errors[0] and "report.md" in errors[0]
    assert not dialog.is_exporting() and dialog.format.isEnabled() and dialog.result() == 0
    # While the file is written, Cancel (and Escape) wait for it.
    dialog.path.setText(os.fspath(tmp_path / "report.md"))
    with qtbot.waitSignal(dialog.accepted, timeout=LOAD_TIMEOUT):
        dialog.accept()
        dialog.reject()
    assert dialog.written == os.fspath(tmp_path / "report.md") and (tmp_path / "report.md").stat().st_size

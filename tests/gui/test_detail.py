"""The detail pane on its own: browser tabs by producer, the marked header, the stack picker, curl."""

from __future__ import annotations

import pytest

from harcors.gui.detail import DetailPane, browser_order, failing_marks, failing_stage
from harcors.gui.qt import QtGui

from .factory import PAGE, exchange, finding, fix, preflight


@pytest.fixture
def pane(qtbot):
    widget = DetailPane()
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    return widget


@pytest.mark.parametrize(("producer", "first"), [
    ("chrome", "chrome"), ("firefox", "firefox"), ("safari", "safari"),
    ("playwright-webkit", "safari"), ("playwright-firefox", "firefox"), ("mitmproxy", "chrome"),
])
def test_the_producers_browser_comes_first(producer, first):
    order = browser_order(producer)
    assert order[0] == first and sorted(order) == ["chrome", "firefox", "safari"]


def test_message_tabs_follow_the_producer(pane):
    f = finding(exchange(0), firefox="Cross-Origin Request Blocked: …", safari=None)
    pane.set_producer("firefox")
    pane.show_finding(f)
    assert pane.message_tabs() == ["Firefox", "Chrome", "Safari"]
    assert pane.messages.currentIndex() == 0
    assert pane.message_text("firefox") == f.messages.firefox
    assert pane.message_text("chrome") == f.messages.chrome
    # No wording for Safari: say so instead of guessing.
    assert "does not tell" in pane.message_text("safari")
    assert not pane.message_views["safari"].isEnabled()


def test_failing_header_on_the_preflight_for_a_method_rule():
    pre = preflight(0)
    put = exchange(1, "PUT", status=0)
    f = finding(put, rule="method-not-allowed", pre=pre, failed_parameter="PUT")
    assert failing_stage(f) == "preflight"
    assert failing_marks(f) == {("preflight", "response"): {"access-control-allow-methods"}}


def test_failing_header_on_the_actual_response():
    get = exchange(0, response_headers=[("Content-Type", "application/json")])
    f = finding(get, rule="missing-allow-origin")
    assert failing_stage(f) == "request"
    assert failing_marks(f) == {("request", "response"): {"access-control-allow-origin"}}


def test_header_not_allowed_marks_the_request_header_too():
    pre = preflight(0, method="POST")
    post = exchange(1, "POST", status=0, request_headers=[("Origin", PAGE), ("X-Api-Key", "k")])
    f = finding(post, rule="header-not-allowed", pre=pre, failed_parameter="x-api-key")
    assert failing_marks(f) == {
        ("preflight", "response"): {"access-control-allow-headers"},
        ("request", "request"): {"x-api-key"},
    }


def test_preflight_twin_of_an_origin_check_is_marked_on_the_preflight():
    pre = preflight(0, response_headers=[("Access-Control-Allow-Methods", "PUT")])
    put = exchange(1, "PUT", status=0)
    f = finding(put, rule="missing-allow-origin", pre=pre, cors_error="PreflightMissingAllowOriginHeader")
    assert failing_marks(f) == {("preflight", "response"): {"access-control-allow-origin"}}


def test_side_by_side_views_mark_the_missing_header(pane):
    pre = preflight(0)
    put = exchange(1, "PUT", status=0)
    pane.show_finding(finding(put, rule="method-not-allowed", pre=pre, failed_parameter="PUT"))
    rows = pane.preflight_view.rows()
    failed = [(name, value) for name, value, mark in rows if mark == "failed"]
    assert failed == [("Access-Control-Allow-Methods", "GET, POST")]
    assert ("Origin", PAGE, "cors") in rows
    assert pane.request_view.rows()[0][0] == f"PUT {put.url}"

    get = exchange(2, response_headers=[("Server", "nginx")])
    pane.show_finding(finding(get))
    assert "No preflight" in pane.preflight_view.placeholder.text()
    missing = [(n, v) for n, v, mark in pane.request_view.rows() if mark == "failed"]
    assert missing == [("Access-Control-Allow-Origin", "(missing)")]


def test_lone_preflight_says_the_request_was_never_sent(pane):
    pre = preflight(0, status=404)
    pane.show_finding(finding(pre, rule="preflight-status", pre=pre))
    assert "never sent" in pane.request_view.placeholder.text()
    marks = [mark for _n, _v, mark in pane.preflight_view.rows()]
    assert marks[[n for n, _v, _m in pane.preflight_view.rows()].index("Response: 404")] == "failed"


def test_stack_picker_remembers_the_choice_and_copies(qtbot, pane):
    f = finding(exchange(0), fixes=[fix("express"), fix("nginx"), fix("flask")])
    chosen = []
    pane.stack_chosen.connect(chosen.append)
    pane.show_finding(f)
    assert pane.current_fix().stack == "express"  # the detected stack comes first
    assert [pane.stack_picker.itemData(i) for i in range(3)] == ["express", "nginx", "flask"]
    assert pane.stack_picker.itemText(1) == "nginx"  # catalog display names
    pane.stack_picker.setCurrentIndex(1)
    pane.stack_picker.activated.emit(1)
    assert chosen == ["nginx"]
    assert pane.fix_code.toPlainText() == "code for nginx"
    pane.copy_fix.click()
    assert QtGui.QGuiApplication.clipboard().text() == "code for nginx"
    # The next finding opens on the stack the user picked.
    pane.show_finding(finding(exchange(1), fixes=[fix("express"), fix("nginx")]))
    assert pane.current_fix().stack == "nginx"


def test_curl_and_copy_markdown_signal(qtbot, pane):
    f = finding(exchange(0))
    pane.show_finding(f)
    assert pane.curl.toPlainText() == f.curl[0]
    with qtbot.waitSignal(pane.copy_markdown_requested) as blocker:
        pane.copy_md.click()
    assert blocker.args == [f]


def test_request_without_finding(pane):
    pre = preflight(0)
    put = exchange(1, "PUT")
    pane.show_exchange(put, pre)
    assert pane.finding() is None
    assert not pane.copy_md.isEnabled()
    assert pane.preflight_view.rows()[0][0] == f"OPTIONS {pre.url}"

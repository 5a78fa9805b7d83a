"""FindingsModel: roles, sorting that keeps the selection, and 100,000 rows without per-row Python."""

from __future__ import annotations

import sys

import pytest

from harcors.cors.model import Severity
from harcors.gui.frames import COLUMNS, XHR_FETCH_FAILURES, Filter, findings_rows
from harcors.gui.models import ExchangeRole, FindingRole, FindingsModel
from harcors.gui.qt import Qt, QtCore

from .factory import exchange, finding


def _model(qtbot, findings, exchanges=()):
    model = FindingsModel()
    model.set_rows(findings_rows(findings, list(exchanges)))
    return model


def test_display_decoration_and_custom_roles(qtbot):
    a = exchange(0, url="https://api.example.com/a", status=0)
    f = finding(a)
    model = _model(qtbot, [f], [a])
    assert model.rowCount() == 1 and model.columnCount() == len(COLUMNS)
    col = {name: i for i, name in enumerate(COLUMNS)}
    index = model.index(0, col["url"])
    assert model.data(index) == a.url
    assert model.data(model.index(0, col["status"])) == "—"  # no response
    assert model.data(model.index(0, col["message"])).startswith("No 'Access-Control-Allow-Origin'")
    assert not model.data(model.index(0, col["severity"]), Qt.ItemDataRole.DecorationRole).isNull()
    assert model.data(model.index(0, col["severity"]), Qt.ItemDataRole.ToolTipRole) == "Blocked by CORS"
    assert model.data(index, FindingRole) is f
    assert model.data(index, ExchangeRole) is a
    assert model.headerData(col["url"], Qt.Orientation.Horizontal) == "URL"


def test_filter_emits_counts(qtbot):
    ex = [exchange(i, url=f"https://api.example.com/{i}", resource_type="fetch" if i % 2 else "font")
          for i in range(6)]
    model = _model(qtbot, [finding(e) for e in ex], ex)
    with qtbot.waitSignal(model.counts_changed) as blocker:
        model.set_filter(XHR_FETCH_FAILURES)
    assert blocker.args == [3, 6]
    assert [model.finding_at(r).request.index for r in range(model.rowCount())] == [1, 3, 5]


def test_sort_keeps_the_selected_row(qtbot):
    ex = [exchange(i, url=f"https://api.example.com/{name}") for i, name in enumerate("cab")]
    model = _model(qtbot, [finding(e) for e in ex], ex)
    selected = QtCore.QPersistentModelIndex(model.index(0, 2))  # ".../c"
    with qtbot.waitSignal(model.layoutChanged):
        model.sort(COLUMNS.index("url"), Qt.SortOrder.AscendingOrder)
    assert [model.data(model.index(r, 2)).rsplit("/", 1)[1] for r in range(3)] == ["a", "b", "c"]
    assert selected.row() == 2
    model.sort(COLUMNS.index("url"), Qt.SortOrder.DescendingOrder)
    assert selected.row() == 0
    model.sort(-1)  # sort indicator cleared: back to HAR order
    assert [model.finding_at(r).request.index for r in range(3)] == [0, 1, 2]


def test_shown_findings_follow_filter_and_order(qtbot):
    ex = [exchange(i, url=f"https://api.example.com/{i}") for i in range(4)]
    fs = [finding(e, severity=Severity.WARNING if i == 2 else Severity.ERROR) for i, e in enumerate(ex)]
    model = _model(qtbot, fs, ex)
    model.set_filter(Filter(severities=frozenset({"error"})))
    model.sort(COLUMNS.index("url"), Qt.SortOrder.DescendingOrder)
    assert model.shown_findings() == [fs[3], fs[1], fs[0]]


class _PythonCalls:
    """Counts Python-level function calls (not C calls) while active."""

    def __init__(self) -> None:
        self.count = 0

    def __enter__(self):
        def profile(_frame, event, _arg):
            if event == "call":
                self.count += 1

        sys.setprofile(profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(None)


@pytest.fixture(scope="module")
def hundred_thousand_rows():
    pool = [exchange(i, url=f"https://h{i % 37}.example.com/api/{i}",
                     resource_type=("fetch", "xhr", "script", "font")[i % 4], status=(0, 200, 404)[i % 3])
            for i in range(1000)]
    rules = ("missing-allow-origin", "allow-origin-mismatch", "method-not-allowed", "missing-vary-origin")
    distinct = [
        finding(pool[i], rule=rules[i % 4], severity=Severity.WARNING if i % 4 == 3 else Severity.ERROR)
        for i in range(1000)
    ]
    # 100 rows per finding object: the rows are what is measured, not building Findings.
    return findings_rows(distinct * 100, pool)


def test_100k_rows_cost_no_python_call_per_row(qtbot, hundred_thousand_rows):
    """Feeding, filtering, sorting and painting a screenful must not call Python code per row."""
    rows = hundred_thousand_rows
    model = FindingsModel()
    with _PythonCalls() as calls:
        model.set_rows(rows)
        model.set_filter(XHR_FETCH_FAILURES)
        model.set_filter(Filter(text="h3.example"))
        model.set_filter(Filter(severities=frozenset({"error"}), host="h5.example.com"))
        model.set_filter(Filter())
        model.sort(COLUMNS.index("url"), Qt.SortOrder.DescendingOrder)
        model.sort(COLUMNS.index("status"), Qt.SortOrder.AscendingOrder)
        for row in range(0, 100_000, 2000):  # what a view asks for while scrolling
            for col in range(len(COLUMNS)):
                model.data(model.index(row, col))
    assert model.rowCount() == 100_000
    assert calls.count < 20_000, f"{calls.count} Python calls for 100,000 rows"
    statuses = [model.data(model.index(r, COLUMNS.index("status"))) for r in (0, 99_999)]
    assert statuses == ["—", "404"]  # sorted by status: no response first, 404 last

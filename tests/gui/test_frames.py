"""The table's rows: built from findings / exchanges, filtered and sorted on whole columns."""

from __future__ import annotations

from harcors.cors.model import Severity
from harcors.gui.frames import (
    XHR_FETCH_FAILURES,
    Filter,
    findings_rows,
    request_type,
    requests_rows,
    short_message,
)

from .factory import exchange, finding, preflight


def _rows():
    a = exchange(0, url="https://api.example.com/a", status=200)
    b = exchange(1, url="https://cdn.example.net/b.json", resource_type="xhr", status=404)
    c = exchange(2, url="https://fonts.example.org/f.woff2", resource_type="font")
    d = exchange(3, url="https://api.example.com/d", status=200)
    findings = [
        finding(a),
        finding(b, rule="allow-origin-mismatch", initiator="XMLHttpRequest",
                chrome=f"Access to XMLHttpRequest at '{b.url}' from origin 'https://app.example.com' "
                "has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value "
                "'https://other.example' that is not equal to the supplied origin."),
        finding(c, rule="missing-allow-origin"),
        finding(d, rule="missing-vary-origin", severity=Severity.WARNING, chrome=""),
    ]
    return findings_rows(findings, [a, b, c, d]), findings


def test_short_message_drops_the_preamble():
    f = finding(exchange(0))
    expected = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
    assert short_message(f) == expected
    quiet = finding(exchange(0), chrome="")
    assert short_message(quiet) == quiet.title


def test_a_lone_preflight_counts_as_the_call_that_caused_it():
    pre = preflight(0)
    assert request_type(finding(pre, pre=pre, initiator="XMLHttpRequest")) == "xhr"
    assert request_type(finding(pre, pre=pre)) == "fetch"
    assert request_type(finding(exchange(1, resource_type="script"))) == "script"


def test_findings_rows_columns():
    rows, findings = _rows()
    frame = rows.frame
    assert list(frame["url"]) == [f.request.url for f in findings]
    assert list(frame["severity"]) == ["error", "error", "error", "warning"]
    assert list(frame["type"]) == ["fetch", "xhr", "font", "fetch"]
    hosts = ["api.example.com", "cdn.example.net", "fonts.example.org", "api.example.com"]
    assert list(frame["host"]) == hosts
    assert list(frame["status_label"]) == ["200", "404", "200", "200"]
    assert list(frame["fid"]) == [0, 1, 2, 3]


def test_each_filter():
    rows, _ = _rows()

    def shown(flt: Filter) -> list[int]:
        return [int(i) for i in rows.order(rows.mask(flt))]

    assert shown(Filter()) == [0, 1, 2, 3]
    assert shown(XHR_FETCH_FAILURES) == [0, 1]
    assert shown(Filter(severities=frozenset({"warning"}))) == [3]
    assert shown(Filter(types=frozenset({"font"}))) == [2]
    assert shown(Filter(host="api.example.com")) == [0, 3]
    assert shown(Filter(rule="allow-origin-mismatch")) == [1]
    assert shown(Filter(text="B.JSON")) == [1]  # case-insensitive, over the URL
    assert shown(Filter(text="no 'access-control")) == [0, 2]  # and over the messages
    assert shown(Filter(text="nowhere")) == []


def test_sorting_by_number_text_and_severity():
    rows, _ = _rows()
    everything = rows.mask(Filter())
    assert int(rows.order(everything, "status", descending=True)[0]) == 1
    assert [int(i) for i in rows.order(everything, "url")] == [0, 3, 1, 2]
    assert int(rows.order(everything, "severity", descending=True)[0]) == 3


def test_choices_count_values():
    rows, _ = _rows()
    assert rows.choices("host")[0] == ("api.example.com", 2)
    assert dict(rows.choices("rule"))["missing-allow-origin"] == 2


def _paired():
    pre = preflight(0, url="https://api.example.com/put")
    put = exchange(1, "PUT", "https://api.example.com/put", status=0)
    doc = exchange(2, url="https://app.example.com/", resource_type="document")
    other = exchange(3, url="https://api.example.com/ok")
    f = finding(put, rule="method-not-allowed", pre=pre, failed_parameter="PUT")
    return requests_rows([pre, put, doc, other], [f], {1: 0}), f


def test_requests_view_puts_each_preflight_under_its_request():
    rows, f = _paired()
    frame = rows.frame
    assert list(frame["method"]) == ["PUT", "OPTIONS", "GET", "GET"]
    assert list(frame["child"]) == [False, True, False, False]
    assert list(frame["parent_pos"]) == [0, 0, 2, 3]
    assert list(frame["fid"]) == [0, -1, -1, -1]
    assert rows.findings[0] is f


def test_preflight_follows_its_request_through_filter_and_sort():
    rows, _ = _paired()
    # The preflight has no finding, but stays under its request when only errors are shown.
    assert [int(i) for i in rows.order(rows.mask(Filter(severities=frozenset({"error"}))))] == [0, 1]
    # A search that matches only the preflight brings its request along.
    assert [int(i) for i in rows.order(rows.mask(Filter(types=frozenset({"preflight"}))))] == [0, 1]
    # Sorting moves whole groups: the preflight is still right after its request.
    order = [int(i) for i in rows.order(rows.mask(Filter()), "method", descending=True)]
    assert order.index(1) == order.index(0) + 1
    order = [int(i) for i in rows.order(rows.mask(Filter()), "method")]
    assert order.index(1) == order.index(0) + 1


def test_empty_inputs_give_empty_rows():
    rows = findings_rows([], [])
    assert len(rows) == 0
    assert list(rows.order(rows.mask(XHR_FETCH_FAILURES))) == []
    assert len(requests_rows([], [], {})) == 0


def test_dense_rank_sorts_like_python_across_slices():
    from harcors.gui.frames import dense_rank, string_array

    values = [f"{'Bb'[i % 2]}{(i * 7919) % 50_000}" for i in range(40_000)]  # more rows than one slice
    codes = dense_rank(string_array(values, lower=True))
    distinct = sorted({v.lower() for v in values})
    rank = {v: i for i, v in enumerate(distinct)}
    assert codes.tolist() == [rank[v.lower()] for v in values]
    assert dense_rank(string_array([])).tolist() == []


def test_message_column_speaks_the_producers_browser():
    """A Firefox HAR's Message column shows Firefox's reason (what its user saw in the console),
    a Chrome HAR's Chrome's; both come from the same findings' messages."""
    from pathlib import Path

    from harcors.analysis import analyze_file
    from harcors.gui.frames import browser_of, build_table_data

    samples = Path(__file__).resolve().parents[2] / "sample_hars"
    firefox = analyze_file(samples / "preflight-put-method-not-allowed.firefox.har")
    assert browser_of(firefox.info.producer) == "firefox"
    assert list(build_table_data(firefox).findings.frame["message"]) == [
        "Did not find method in CORS header ‘Access-Control-Allow-Methods’"]
    chrome = analyze_file(samples / "preflight-put-method-not-allowed.har")
    assert browser_of(chrome.info.producer) == "chrome"
    [message] = build_table_data(chrome).findings.frame["message"]
    assert message.startswith("Method PUT is not allowed by Access-Control-Allow-Methods")
    # WebKit's first line is its reason; its second ("… cannot load …") never stands alone
    [f] = chrome.findings
    assert short_message(f, "safari") == f.messages.safari.splitlines()[0]
    assert "cannot load" not in short_message(f, "safari")

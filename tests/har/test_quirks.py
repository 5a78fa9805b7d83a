"""The loader reads every quirk real producers write (issue 3, item 2; research: har-formats.md §4).

Each test runs twice: on a pretty-printed file (DevTools' layout, which the fast path reads) and
on a minified one (read by the ijson stream); both must give the same Exchanges.
"""

from __future__ import annotations

import base64
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harcors.har import HarError, LoadedHar, load_har
from harcors.har.loader import HarStream

from .build import API, PAGE, entry, har, write


@pytest.fixture(params=["pretty", "minified"])
def load(request, tmp_path: Path):
    """``load(doc, name=..., **write_options) -> LoadedHar``, checking the ijson path agrees."""

    def _load(doc, name: str = "session.har", **options) -> LoadedHar:
        path = write(tmp_path / name, doc, pretty=request.param == "pretty", **options)
        loaded = load_har(path)
        streamed = HarStream(path, fast=False)
        assert list(streamed) == loaded.exchanges
        assert streamed.skipped == loaded.skipped
        return loaded

    return _load


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).astimezone(UTC).timestamp()


# --- containers and encodings ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["session.har", "session.json", "capture.HAR", "no-extension"])
def test_any_file_name(load, name):
    assert [e.url for e in load(har(), name=name).exchanges] == [f"{API}/items"]


def test_gzip(load):
    loaded = load(har([entry(), entry()]), name="session.har.gz", compress="gzip")
    assert len(loaded.exchanges) == 2


def test_har_inside_support_portal_zip(load):
    loaded = load(har(), name="ticket-4711.zip", compress="zip", member="attachments/browser/session.har")
    assert len(loaded.exchanges) == 1


def test_zip_with_several_hars_reads_the_largest(tmp_path):
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("small.har", write(tmp_path / "a", har([])).read_bytes())
        zf.writestr("big.har", write(tmp_path / "b", har([entry()] * 3)).read_bytes())
        zf.writestr("notes.txt", "x" * 10_000)
    assert len(load_har(path).exchanges) == 3


def test_zip_member_named_json(tmp_path):
    path = write(tmp_path / "export.zip", har(), compress="zip", member="network-log.json")
    assert len(load_har(path).exchanges) == 1


@pytest.mark.parametrize("compress", [None, "gzip", "zip"])
def test_utf8_byte_order_mark(load, compress):
    loaded = load(har(), name="bom.har", bom=True, compress=compress)
    assert len(loaded.exchanges) == 1 and loaded.problem is None


# --- versions and the log ----------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_har_versions(load, version):
    loaded = load(har(version=version))
    assert loaded.info.version == version and len(loaded.exchanges) == 1


def test_missing_pages(load):
    loaded = load(har(pages=None))
    assert loaded.info.pages == 0 and len(loaded.exchanges) == 1


def test_empty_pages_and_no_pageref(load):
    e = entry()
    del e["pageref"]
    loaded = load(har([e], pages=[]))
    assert loaded.exchanges[0].pageref is None


def test_creator_and_browser(load):
    loaded = load(
        har(creator={"name": "Firefox", "version": "128.0"}, browser={"name": "Firefox", "version": "128.0"})
    )
    assert (loaded.info.creator, loaded.info.browser, loaded.info.producer) == (
        "Firefox",
        "Firefox",
        "firefox",
    )


def test_zero_entries_is_a_valid_har(load):
    loaded = load(har([]))
    assert loaded.exchanges == [] and loaded.skipped == [] and loaded.problem is None


# --- timings and sizes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "timings",
    [
        pytest.param(None, id="missing"),
        pytest.param({}, id="empty-firefox"),
        pytest.param(
            {"connect": None, "ssl": None, "send": 0.4, "wait": 7.5, "receive": 0.5}, id="null-mitmproxy"
        ),
        pytest.param({"send": -1, "wait": -1, "receive": -1}, id="partial-playwright"),
        pytest.param(
            {
                "blocked": -1,
                "dns": -1,
                "connect": -1,
                "send": 0,
                "wait": 0,
                "receive": 0,
                "ssl": -1,
                "comment": "No timings available from Chrome",
            },
            id="comment-chrome-har",
        ),
    ],
)
def test_timings_of_every_shape(load, timings):
    e = entry(timings=timings)
    if timings is None:
        del e["timings"]
    assert load(har([e])).exchanges[0].url == f"{API}/items"


def test_minus_one_sizes(load):
    e = entry()
    e["request"].update(headersSize=-1, bodySize=-1)
    e["response"].update(headersSize=-1, bodySize=-1, _transferSize=-1)
    e["response"]["content"]["size"] = -1
    e["time"] = -1
    ex = load(har([e])).exchanges[0]
    assert ex.status == 200 and ex.time_ms == -1


# --- bodies ------------------------------------------------------------------------------------


def test_absent_post_data_and_content_text(load):
    e = entry()
    del e["response"]["content"]["text"]
    ex = load(har([e])).exchanges[0]
    assert not ex.has_body and ex.request_mime is None and ex.response_mime == "application/json"


def test_post_data_without_text_chrome_har(load):
    e = entry()
    e["request"]["method"] = "POST"
    e["request"]["postData"] = {"mimeType": "application/json", "params": [{"name": "a", "value": "1"}]}
    ex = load(har([e])).exchanges[0]
    assert ex.has_body and ex.request_mime == "application/json"


def test_base64_content(load):
    e = entry()
    e["response"]["content"] = {
        "size": 4,
        "mimeType": "image/png",
        "encoding": "base64",
        "text": base64.b64encode(b"\x89PNG").decode(),
    }
    assert load(har([e])).exchanges[0].response_mime == "image/png"


def test_empty_content_mitmproxy(load):
    e = entry()
    e["response"] = {
        "status": 0,
        "statusText": "",
        "httpVersion": "",
        "headers": [],
        "content": {},
        "redirectURL": "",
        "_error": "Connection refused",
    }
    ex = load(har([e])).exchanges[0]
    assert (ex.status, ex.got_response, ex.response_mime, ex.error) == (0, False, None, "Connection refused")


# --- headers -----------------------------------------------------------------------------------


def test_http2_pseudo_headers(load):
    e = entry()
    e["request"]["headers"] = [
        {"name": ":authority", "value": "api.example"},
        {"name": ":method", "value": "GET"},
        {"name": ":path", "value": "/items"},
        {"name": ":scheme", "value": "https"},
        {"name": "origin", "value": PAGE},
    ]
    e["response"]["headers"] = [
        {"name": ":status", "value": "200"},
        {"name": "access-control-allow-origin", "value": PAGE},
    ]
    ex = load(har([e])).exchanges[0]
    assert ex.origin == PAGE and ex.request_headers.get(":authority") == "api.example"
    assert ex.response_headers.get("Access-Control-Allow-Origin") == PAGE


def test_duplicate_headers_are_all_kept_in_order(load):
    e = entry()
    e["response"]["headers"] = [
        {"name": "Access-Control-Allow-Origin", "value": PAGE},
        {"name": "Vary", "value": "Origin"},
        {"name": "access-control-allow-origin", "value": "*"},
    ]
    h = load(har([e])).exchanges[0].response_headers
    assert h.get_all("ACCESS-CONTROL-ALLOW-ORIGIN") == [PAGE, "*"]
    assert (
        h.count("access-control-allow-origin") == 2
        and h.combined("access-control-allow-origin") == f"{PAGE}, *"
    )


@pytest.mark.parametrize("name", ["Origin", "origin", "ORIGIN", "oRiGiN"])
def test_any_header_name_case(load, name):
    e = entry()
    e["request"]["headers"] = [{"name": name, "value": PAGE}]
    assert load(har([e])).exchanges[0].origin == PAGE


def test_safari_merged_headers_are_read_as_one_line(load):
    e = entry()
    e["response"]["headers"] = [{"name": "Access-Control-Allow-Origin", "value": f"{PAGE}, *"}]
    h = load(har([e])).exchanges[0].response_headers
    assert h.get_all("access-control-allow-origin") == [f"{PAGE}, *"]


def test_malformed_header_items_are_dropped_not_fatal(load):
    e = entry()
    e["request"]["headers"] = [
        None,
        5,
        {"value": "no name"},
        {"name": "", "value": "x"},
        {"name": "Origin", "value": PAGE},
        {"name": "X-Num", "value": 7},
        {"name": "X-Null", "value": None},
    ]
    h = load(har([e])).exchanges[0].request_headers
    assert h.items() == (("Origin", PAGE), ("X-Num", "7"), ("X-Null", ""))


def test_firefox_multipart_part_headers_are_dropped(load):
    boundary = "----b"
    e = entry()
    e["request"].update(
        method="POST",
        headers=[
            {"name": "Origin", "value": PAGE},
            {"name": "Content-Type", "value": f"multipart/form-data; boundary={boundary}"},
            {"name": "Content-Disposition", "value": 'form-data; name="file"; filename="a.txt"'},
            {"name": "Content-Type", "value": "text/plain"},
        ],
        postData={"mimeType": f"multipart/form-data; boundary={boundary}", "params": [], "text": "..."},
    )
    h = load(har([e])).exchanges[0].request_headers
    assert h.get_all("content-type") == [f"multipart/form-data; boundary={boundary}"]
    assert "content-disposition" not in h


def test_content_disposition_kept_without_multipart_body(load):
    e = entry()
    e["request"]["headers"].append({"name": "Content-Disposition", "value": "inline"})
    assert "content-disposition" in load(har([e])).exchanges[0].request_headers


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "meaning"),
    [
        pytest.param("2024-06-30T04:14:55.736Z", "2024-06-30T04:14:55.736+00:00", id="chrome-utc"),
        pytest.param(
            "2024-06-30T06:14:55.736+02:00", "2024-06-30T04:14:55.736+00:00", id="firefox-local-offset"
        ),
        pytest.param("2024-06-29T21:14:55.736-07:00", "2024-06-30T04:14:55.736+00:00", id="negative-offset"),
        pytest.param(
            "2024-06-30T04:14:55.736123+00:00", "2024-06-30T04:14:55.736123+00:00", id="mitmproxy-us"
        ),
        pytest.param(
            "2024-06-30T06:14:55.7361234+02:00", "2024-06-30T04:14:55.736123+00:00", id="fiddler-7-digits"
        ),
        pytest.param("2024-06-30T04:14:55", "2024-06-30T04:14:55+00:00", id="no-offset-is-utc"),
    ],
)
def test_start_times(load, written, meaning):
    assert load(har([entry(startedDateTime=written)])).exchanges[0].started == pytest.approx(epoch(meaning))


@pytest.mark.parametrize("written", ["", "yesterday", None, 1719720895, "2024-13-45T99:00:00Z"])
def test_unusable_start_times_are_none(load, written):
    ex = load(har([entry(startedDateTime=written)])).exchanges[0]
    assert ex.started is None and ex.url == f"{API}/items"


def test_safari_empty_date_among_good_ones(load):
    loaded = load(har([entry(), entry(startedDateTime=""), entry()]))
    assert [e.started is None for e in loaded.exchanges] == [False, True, False]


# --- status, errors, initiators ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "read"),
    [
        (200, 200),
        ("200", 200),
        (" 404 ", 404),
        (200.0, 200),
        ("error", 0),
        (None, 0),
        (True, 0),
        ("1e999", 0),
        ("NaN", 0),
        ([], 0),
        (-1, -1),
    ],
)
def test_status_of_any_type(load, written, read):
    e = entry()
    e["response"]["status"] = written
    assert load(har([e])).exchanges[0].status == read


def test_playwright_no_response(load):
    e = entry()
    e["response"] = {
        "status": -1,
        "statusText": "",
        "httpVersion": "HTTP/1.1",
        "headers": [],
        "cookies": [],
        "content": {"size": -1, "mimeType": "x-unknown"},
        "redirectURL": "",
        "headersSize": -1,
        "bodySize": -1,
        "_failureText": "net::ERR_FAILED",
    }
    ex = load(har([e])).exchanges[0]
    assert (ex.status, ex.got_response, ex.error) == (-1, False, "net::ERR_FAILED")


def test_null_response(load):
    ex = load(har([entry(response=None)])).exchanges[0]
    assert (ex.status, len(ex.response_headers)) == (0, 0)


def test_chrome_error_field(load):
    e = entry()
    e["response"]["_error"] = "net::ERR_FAILED"
    assert load(har([e])).exchanges[0].error == "net::ERR_FAILED"


def test_chrome_preflight_initiator(load):
    e = entry(
        _resourceType="preflight",
        _initiator={"type": "preflight", "url": f"{API}/items", "requestId": "31440.755"},
    )
    e["request"]["method"] = "OPTIONS"
    ex = load(har([e])).exchanges[0]
    assert ex.is_preflight and ex.initiator.url == f"{API}/items" and ex.initiator.request_id == "31440.755"


def test_chrome_har_string_initiator(load):
    e = entry(_initiator=f"{PAGE}/app.js", _initiator_type="script")
    ex = load(har([e])).exchanges[0]
    assert (ex.initiator.type, ex.initiator.url) == ("script", f"{PAGE}/app.js")


def test_chrome_har_preflight_initiator_detail(load):
    e = entry(
        _initiator_type="preflight",
        _resourceType="other",
        _initiator_detail=f'{{"type":"preflight","url":"{API}/items","requestId":"9.1"}}',
    )
    del e["_initiator"]
    e["request"]["method"] = "OPTIONS"
    ex = load(har([e])).exchanges[0]
    assert ex.is_preflight and ex.initiator.url == f"{API}/items" and ex.initiator.request_id == "9.1"


@pytest.mark.parametrize("detail", ["{not json", "[1, 2]", '"just a string"', "{}"])
def test_chrome_har_bad_initiator_detail(load, detail):
    e = entry(_initiator=f"{PAGE}/", _initiator_type="parser", _initiator_detail=detail)
    ex = load(har([e])).exchanges[0]
    assert ex.initiator.type == "parser"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([("Sec-Fetch-Dest", "empty"), ("Sec-Fetch-Mode", "cors")], "fetch"),
        ([("X-Requested-With", "XMLHttpRequest")], "xhr"),
        ([("Sec-Fetch-Dest", "script")], "script"),
        ([("Accept", "text/html,application/xhtml+xml")], "document"),
        ([("Origin", PAGE)], "fetch"),
        ([], "other"),
    ],
)
def test_resource_type_inferred_without_resource_type_field(load, headers, expected):
    e = entry(response={"status": 200, "headers": [], "content": {}})
    del e["_resourceType"]
    e["request"]["headers"] = [{"name": n, "value": v} for n, v in headers]
    ex = load(har([e])).exchanges[0]
    assert (ex.resource_type, ex.resource_type_inferred) == (expected, True)


def test_preflight_recognised_without_any_chrome_field(load):
    e = entry()
    del e["_resourceType"], e["_initiator"]
    e["request"]["method"] = "OPTIONS"
    e["request"]["headers"].append({"name": "Access-Control-Request-Method", "value": "PUT"})
    ex = load(har([e])).exchanges[0]
    assert ex.is_preflight and ex.resource_type == "preflight" and ex.resource_type_inferred


def test_redirect_url_from_location_header(load):
    e = entry()
    e["response"].update(
        status=302, redirectURL=None, headers=[{"name": "Location", "value": f"{API}/elsewhere"}]
    )
    assert load(har([e])).exchanges[0].redirect_url == f"{API}/elsewhere"


def test_entry_index_counts_skipped_entries(load):
    loaded = load(har([entry(), "junk", entry(request={"method": "PUT", "url": f"{API}/x"})]))
    assert [e.index for e in loaded.exchanges] == [0, 2]
    assert [(s.index, s.reason) for s in loaded.skipped] == [(1, "entry is a str, not an object")]


def test_har_error_is_not_raised_for_quirks(load):
    # every quirk above at once, in one entry
    e = entry(startedDateTime="", timings={}, _initiator="x", time=None, pageref=None, serverIPAddress=None)
    e["request"]["headers"].append({"name": ":path", "value": "/"})
    e["response"].update(status="200", statusText=None, redirectURL=None, content={})
    try:
        loaded = load(har([e], pages=None, version="1.1"))
    except HarError as exc:  # pragma: no cover - the assertion below explains
        pytest.fail(f"quirks made the file unreadable: {exc}")
    assert loaded.exchanges[0].status == 200

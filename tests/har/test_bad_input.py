"""Files that are not (quite) HARs: each gets one specific message, the good entries are still analysed.

Everything goes through ``harcors.analysis.analyze_file`` (loader and CORS engine), which may raise
only :class:`harcors.har.HarError`, and only when nothing at all could be read.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from harcors.analysis import Analysis, analyze_file
from harcors.har import HarError
from harcors.har.source import MAX_DEPTH

from .build import API, PAGE, dumps, entry, har, write


def unreadable(path: Path) -> HarError:
    with pytest.raises(HarError) as caught:
        analyze_file(path)
    err = caught.value
    text = str(err)
    assert text.startswith(f"{path}: ") and "\n" not in text and "Traceback" not in text
    return err


def blocked_entry(url: str = f"{API}/blocked") -> dict[str, Any]:
    """A request Chrome blocked: its response lacks Access-Control-Allow-Origin."""
    e = entry()
    e["request"]["url"] = url
    e["response"]["headers"] = [{"name": "Content-Type", "value": "application/json"}]
    e["response"]["_error"] = "net::ERR_FAILED"
    return e


# --- not a HAR at all -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty (0 bytes)"),
        (b"  \n\t\r\n", "the file holds no JSON, only whitespace"),
        (b"\xef\xbb\xbf", "the file holds only a UTF-8 byte order mark"),
        (b"hello, world", "not valid JSON: expecting value (at line 1, column 1, byte 0)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not valid JSON"),
        (b"<html><body>Login required</body></html>", "not valid JSON: expecting value (at line 1, column 1"),
        (
            b'{"log": {"entries": [{"a": 1,,}]}}',
            "not valid JSON: expecting property name enclosed in double quotes "
            "(at line 1, column 30, byte 29)",
        ),
        (
            b'{"log": {"entries": [{"a": NaN}]}}',
            "NaN and Infinity are not JSON numbers (at line 1, column 28, byte 27)",
        ),
        (b'{"log": {"entries": [{"a": 123456789012345678901234}]}}', "an integer too large to read"),
        (b'{"log": {"entries": [{"a": 1e999}]}}', "a number too large to read"),
    ],
)
def test_not_json(tmp_path, content, message):
    path = tmp_path / "x.har"
    path.write_bytes(content)
    assert message in str(unreadable(path))


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([1, 2, 3], 'JSON, but not a HAR: the file holds an array, not an object with a "log" key'),
        (42, "the file holds a number"),
        ("log", "the file holds a string"),
        (None, "the file holds null"),
        ({}, 'the top-level object is empty (no "log" key)'),
        ({"data": [], "meta": {}}, 'no "log" key at the top level (it has "data", "meta")'),
        ({"log": "x"}, '"log" is a string, not an object'),
        ({"log": [{"entries": []}]}, '"log" is an array, not an object'),
        ({"log": {"version": "1.2", "pages": []}}, '"log" has no "entries" (it has "version", "pages")'),
        ({"log": {}}, '"log" has no "entries" (it has no keys)'),
        ({"log": {"entries": {"0": {}}}}, '"log.entries" is an object, not an array'),
        ({"log": {"entries": None}}, '"log.entries" is null, not an array'),
    ],
)
def test_json_but_not_a_har(tmp_path, doc, message):
    path = tmp_path / "x.json"
    path.write_text(json.dumps(doc))
    assert message in str(unreadable(path))


def test_a_directory(tmp_path):
    assert "is a directory, not a HAR file" in str(unreadable(tmp_path))


def test_a_missing_file(tmp_path):
    assert "no such file" in str(unreadable(tmp_path / "nope.har"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file(tmp_path):
    path = write(tmp_path / "x.har", har())
    path.chmod(0)
    assert "permission denied" in str(unreadable(path))


def test_utf16_from_a_windows_shell_is_read(tmp_path):
    path = tmp_path / "x.har"
    path.write_bytes(b"\xff\xfe" + dumps(har([entry(), entry()])).decode().encode("utf-16-le"))
    assert len(analyze_file(path).exchanges) == 2


# --- archives ---------------------------------------------------------------------------------


def test_zip_without_a_har(tmp_path):
    path = tmp_path / "ticket.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("screenshot.png", b"\x89PNG")
        zf.writestr("notes.txt", "steps to reproduce")
    assert "the zip archive holds no .har or .json file (notes.txt, screenshot.png)" in str(unreadable(path))


def test_damaged_zip(tmp_path):
    whole = write(tmp_path / "a.zip", har(), compress="zip").read_bytes()
    path = tmp_path / "b.zip"
    path.write_bytes(whole[: len(whole) // 2])
    assert "looks like a zip archive but cannot be read" in str(unreadable(path))


def test_gzip_that_is_not(tmp_path):
    path = tmp_path / "x.har.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00 this is not deflate data")
    assert "the gzip data is damaged" in str(unreadable(path))


def test_truncated_gzip_keeps_the_entries_before_the_cut(tmp_path):
    # Entries with distinct bodies, so the compressed stream is long enough to cut in the middle.
    entries = [
        entry(_n=i, response={**entry()["response"], "content": {"text": os.urandom(300).hex()}})
        for i in range(300)
    ]
    data = gzip.compress(dumps(har(entries), pretty=False))
    path = tmp_path / "x.har.gz"
    path.write_bytes(data[: len(data) // 2])
    analysis = analyze_file(path)
    assert 0 < len(analysis.exchanges) < 300
    assert [e.index for e in analysis.exchanges] == list(range(len(analysis.exchanges)))
    assert "the compressed data ends early" in analysis.problem
    assert f"read {analysis.entries_seen} entries before it" in analysis.problem


def test_corrupt_gzip_keeps_the_entries_before_the_damage(tmp_path):
    entries = [
        entry(_n=i, response={**entry()["response"], "content": {"text": os.urandom(300).hex()}})
        for i in range(300)
    ]
    data = bytearray(gzip.compress(dumps(har(entries), pretty=False)))
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    path = tmp_path / "x.har.gz"
    path.write_bytes(bytes(data))
    analysis = analyze_file(path)
    assert 0 < len(analysis.exchanges) < 300 and analysis.problem


# --- truncated files --------------------------------------------------------------------------


@pytest.mark.parametrize("pretty", [True, False], ids=["pretty", "minified"])
def test_truncated_at_every_point(tmp_path, pretty):
    entries = [entry(), blocked_entry(), entry(_resourceType="xhr")]
    whole = dumps(har(entries), pretty=pretty)
    path = tmp_path / "cut.har"
    seen_partial = 0
    for cut in range(1, len(whole) - 1, max(1, len(whole) // 250)):
        path.write_bytes(whole[:cut])
        try:
            analysis = analyze_file(path)
        except HarError as err:
            assert err.offset is not None or "no JSON" in err.problem or "not a HAR" in err.problem, err
            continue
        seen_partial += 1
        assert [e.index for e in analysis.exchanges] == list(range(len(analysis.exchanges)))
        assert len(analysis.exchanges) < 3 or analysis.problem
        if analysis.problem:
            assert "truncated" in analysis.problem or "not valid JSON" in analysis.problem
    assert seen_partial > 0


def test_truncation_message_names_line_and_byte(tmp_path):
    whole = dumps(har([entry()]))
    path = tmp_path / "cut.har"
    path.write_bytes(whole[:200])
    err = unreadable(path)
    assert err.problem == "the file ends in the middle of the JSON (truncated?)"
    assert err.offset == 200 and err.line == whole[:200].count(b"\n") + 1


@pytest.mark.parametrize("megabytes", [3, 12])  # exact position up to 8 MB, the streamed stretch beyond
def test_syntax_error_deep_in_a_big_file(tmp_path, megabytes):
    e = entry()
    e["response"]["content"]["text"] = "x" * 100_000
    whole = dumps(har([e] * (megabytes * 10)))
    at = whole.rindex(b'"method"')
    path = tmp_path / "x.har"
    path.write_bytes(whole[:at] + b"," + whole[at:])  # a stray comma before the last entry's method
    analysis = analyze_file(path)
    assert len(analysis.exchanges) == megabytes * 10 - 1
    assert analysis.problem.startswith("not valid JSON")
    if megabytes < 8:
        line = whole[:at].count(b"\n") + 1
        assert f"(at line {line:,}, column " in analysis.problem and f"byte {at:,})" in analysis.problem
    else:
        assert "(near byte " in analysis.problem


def test_truncated_after_some_entries_reports_and_keeps_them(tmp_path):
    whole = dumps(har([entry(), blocked_entry(), entry()]), pretty=False)
    path = tmp_path / "cut.har"
    path.write_bytes(whole[: whole.rindex(b'{"startedDateTime"') + 40])
    analysis = analyze_file(path)
    assert [e.index for e in analysis.exchanges] == [0, 1]
    assert analysis.problem.startswith("the file ends in the middle of the JSON (truncated?) (at line 1")
    assert analysis.problem.endswith("read 2 entries before it")
    assert [f.request.index for f in analysis.errors] == [1]  # the good entries were analysed


def test_trailing_garbage_keeps_the_entries(tmp_path):
    path = tmp_path / "x.har"
    path.write_bytes(dumps(har([entry(), entry()])) + b"\n}garbage")
    analysis = analyze_file(path)
    assert len(analysis.exchanges) == 2
    assert "more data follows the end of the JSON document" in analysis.problem


# --- bad entries among good ones --------------------------------------------------------------


def test_bad_entries_are_skipped_with_index_and_reason(tmp_path):
    no_method = entry()
    del no_method["request"]["method"]
    numeric_url = entry()
    numeric_url["request"]["url"] = 42
    entries = [entry(), None, "entry", [1], {"response": {}}, no_method, numeric_url, blocked_entry()]
    analysis = analyze_file(write(tmp_path / "x.har", har(entries)))
    assert [(s.index, s.reason) for s in analysis.skipped] == [
        (1, "entry is a NoneType, not an object"),
        (2, "entry is a str, not an object"),
        (3, "entry is a list, not an object"),
        (4, "entry has no 'request' object"),
        (5, "request.method is missing or not a string"),
        (6, "request.url is missing or not a string"),
    ]
    assert [e.index for e in analysis.exchanges] == [0, 7]
    assert [f.request.index for f in analysis.errors] == [7]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out += _paths(child, (*prefix, i))
    return out


def _replace(doc: Any, path: tuple, new: Any) -> Any:
    if len(path) == 1:
        doc[path[0]] = new
    else:
        _replace(doc[path[0]], path[1:], new)
    return doc


WRONG = [None, 0, -1.5, True, "", "\x00\u202e", [], {}, [None], {"name": 1}]


def _must_skip(field: tuple, wrong: Any) -> bool:
    """Only a missing request, method or URL makes an entry unreadable."""
    if field == ("request",):
        return True  # no replacement above holds a method and a URL
    if field in {("request", "method"), ("request", "url")}:
        return not (isinstance(wrong, str) and wrong)
    return False


@pytest.mark.parametrize("pretty", [True, False], ids=["pretty", "minified"])
def test_wrong_type_in_every_field(tmp_path, pretty):
    """Each field of a full entry, replaced by each wrong type: the entry is read or skipped, never fatal."""
    template = blocked_entry()
    template["request"]["postData"] = {"mimeType": "application/json", "text": "{}"}
    path = tmp_path / "x.har"
    tried = 0
    # each layout (fast path, ijson path) takes half of the wrong values: together they cover all
    for field in _paths(template):
        for wrong in WRONG[0 if pretty else 1 :: 2]:
            bad = _replace(json.loads(json.dumps(template)), field, wrong)
            write(path, har([entry(), bad, entry()]), pretty=pretty)
            analysis = analyze_file(path)
            tried += 1
            assert analysis.problem is None, (field, wrong)
            read = [e.index for e in analysis.exchanges]
            if _must_skip(field, wrong):
                assert (read, [s.index for s in analysis.skipped]) == ([0, 2], [1]), (field, wrong)
            else:
                assert (read, analysis.skipped) == ([0, 1, 2], []), (field, wrong)
    assert tried > 200


def test_entry_that_is_deeply_nested_is_skipped(tmp_path):
    deep = entry()
    deep["_initiator"] = {"stack": json.loads("[" * 900 + "]" * 900)}  # deep, but within the limit
    analysis = analyze_file(write(tmp_path / "x.har", har([entry(), deep, entry()]), pretty=False))
    assert len(analysis.exchanges) + len(analysis.skipped) == 3


# --- nesting, size, encoding ------------------------------------------------------------------


@pytest.mark.parametrize(
    "bomb",
    [
        pytest.param(b"[" * 200_000 + b"]" * 200_000, id="arrays"),
        pytest.param(b'{"a":' * 100_000 + b"1" + b"}" * 100_000, id="objects"),
        pytest.param(b"[1," * 100_000 + b"1" + b"]" * 100_000, id="mixed"),
    ],
)
def test_nesting_bomb_is_stopped_early(tmp_path, bomb):
    """ijson's memory grows with depth squared: 100,000 levels would take more than 4 GB."""
    path = tmp_path / "x.har"
    path.write_bytes(b'{"log": {"entries": [' + bomb + b"]}}")
    err = unreadable(path)
    assert err.problem == f"the JSON is nested more than {MAX_DEPTH:,} levels deep"
    assert err.offset is not None and err.offset < 20_000


def test_nesting_bomb_after_good_entries_keeps_them(tmp_path):
    good = dumps(har([entry(), entry()]), pretty=False)
    path = tmp_path / "x.har"
    path.write_bytes(good[:-3] + b"," + b"[" * 100_000 + b"]" * 100_000 + b"]}}")
    analysis = analyze_file(path)
    assert len(analysis.exchanges) == 2
    assert analysis.problem.startswith(f"the JSON is nested more than {MAX_DEPTH:,} levels deep (near byte")


def test_brackets_inside_strings_are_not_nesting(tmp_path):
    e = entry()
    e["response"]["content"]["text"] = "[" * 50_000 + '"\\' + "{" * 50_000  # an unbalanced body
    analysis = analyze_file(write(tmp_path / "x.har", har([e, entry()]), pretty=False))
    assert len(analysis.exchanges) == 2 and analysis.problem is None


def test_non_utf8_bytes_are_replaced_and_reported(tmp_path):
    raw = dumps(har([entry(), entry()]), pretty=False).replace(b"/items", b"/caf\xe9", 1)
    path = tmp_path / "latin1.har"
    path.write_bytes(raw)
    analysis = analyze_file(path)
    assert [e.url for e in analysis.exchanges] == [f"{API}/caf\ufffd", f"{API}/items"]
    assert analysis.problem == "the file contains bytes that are not valid UTF-8; they were replaced"


def test_huge_header_value(tmp_path):
    big = "x" * (16 << 20)
    e = entry()
    e["request"]["headers"].append({"name": "X-Trace", "value": big})
    analysis = analyze_file(write(tmp_path / "x.har", har([e, blocked_entry()])))
    assert analysis.exchanges[0].request_headers.get("x-trace") == big
    assert [f.request.index for f in analysis.errors] == [1]


def test_a_har_with_zero_entries(tmp_path):
    analysis = analyze_file(write(tmp_path / "x.har", har([])))
    assert (analysis.exchanges, analysis.skipped, analysis.findings, analysis.problem) == ([], [], [], None)


_HUGE_CHILD = """
import gzip, json, resource, sys
from harcors.analysis import analyze_file
path, megabytes = sys.argv[1], int(sys.argv[2])
body = ("iVBORw0KGgoAAAANSUhEUgAA" * 45_000)[: 1 << 20]
entry = {"startedDateTime": "2024-01-01T00:00:00Z",
         "request": {"method": "GET", "url": "https://api.example/img",
                     "headers": [{"name": "Origin", "value": "https://app.example"}]},
         "response": {"status": 200, "headers": [], "_error": "net::ERR_FAILED",
                      "content": {"size": 1, "mimeType": "image/png", "text": body, "encoding": "base64"}}}
one = json.dumps(entry, separators=(",", ":")).encode()
with open(path, "wb") as f:  # concatenated gzip members: one line, megabytes long, a few MB on disk
    f.write(gzip.compress(b'{"log":{"version":"1.2","creator":{"name":"t"},"entries":[' + one, 1))
    member = gzip.compress(b"," + one, 1)
    for _ in range(megabytes - 1):
        f.write(member)
    f.write(gzip.compress(b"]}}", 1))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
analysis = analyze_file(path)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"entries": len(analysis.exchanges), "errors": len(analysis.errors),
                  "problem": analysis.problem, "growth_mb": (peak - before) / 1024}))
"""


@pytest.mark.slow
def test_huge_single_line_file(tmp_path):
    """A single line of 256 MB (HARCORS_HUGE_MB=1024 for the full gigabyte: ~13 s, 67 MB peak here).

    gzip members are concatenated so the file costs a few MB on disk and nothing to compress; the
    loader reads it exactly as it reads a plain one-line file (no newline, so no fast path).
    """
    megabytes = int(os.environ.get("HARCORS_HUGE_MB", "256"))
    out = subprocess.run(
        [sys.executable, "-c", _HUGE_CHILD, str(tmp_path / "huge.har.gz"), str(megabytes)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    result = json.loads(out.stdout)
    assert result["entries"] == megabytes and result["problem"] is None
    assert result["errors"] > 0
    assert result["growth_mb"] < 64 + 4  # a few entries of 1 MB at a time, never the file


def analysis_of(tmp_path: Path, doc: Any) -> Analysis:
    return analyze_file(write(tmp_path / "x.har", doc))


@pytest.mark.parametrize("method", ["-1", "GET /x", "pAtCh", "M\u00e9thode", "X" * 300])
def test_odd_methods_do_not_break_the_pipeline(tmp_path, method):
    """Found by fuzzing: the fix catalog refused to write "-1" as an identifier and the analysis died."""
    e = blocked_entry()
    e["request"]["method"] = method
    analysis = analysis_of(tmp_path, har([e]))
    assert analysis.exchanges[0].method == method and analysis.errors


def test_page_origin_survives_odd_urls(tmp_path):
    odd = [
        f"{API}:99999/x",
        "http://[::1/",
        "not a url",
        "javascript:alert(1)",
        "data:,x",
        "//host/x",
        f"{PAGE}\n/x",
    ]
    entries = []
    for url in odd:
        e = blocked_entry()
        e["request"]["url"] = url
        entries.append(e)
    analysis = analysis_of(tmp_path, har(entries))
    assert len(analysis.exchanges) == len(odd)

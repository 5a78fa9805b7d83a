"""``harcors analyze`` exit codes and messages: 0 no CORS failure, 1 a failure, 2 nothing could be read.

Unreadable input gets one line on stderr naming the file and the problem, never a traceback. Run
both in-process (``harcors.cli.main``) and as a real process (``python -m harcors``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from har.build import API, dumps, entry, har, write

from harcors.cli import EXIT_FAILURES, EXIT_OK, EXIT_UNREADABLE, main


def blocked() -> dict:
    e = entry()
    e["request"]["url"] = f"{API}/blocked"
    e["response"]["headers"] = [{"name": "Content-Type", "value": "application/json"}]
    e["response"]["_error"] = "net::ERR_FAILED"
    return e


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    whole = dumps(har([entry(), blocked()]), pretty=False)
    made = {
        "ok": write(tmp_path / "ok.har", har([entry()])),
        "failing": write(tmp_path / "failing.har", har([entry(), blocked()])),
        "empty": tmp_path / "empty.har",
        "not-json": tmp_path / "notes.txt",
        "not-har": tmp_path / "package.json",
        "truncated-early": tmp_path / "early.har",
        "truncated-late": tmp_path / "late.har",
        "nested": tmp_path / "nested.har",
        "junk-entries": write(tmp_path / "junk.har", har([entry(), "junk", 7])),
        "all-junk": write(tmp_path / "alljunk.har", har(["junk", 7, {"request": 5}])),
        "gz": write(tmp_path / "failing.har.gz", har([blocked()]), compress="gzip"),
        "zip": write(tmp_path / "ticket.zip", har([blocked()]), compress="zip", member="logs/session.har"),
    }
    made["empty"].write_bytes(b"")
    made["not-json"].write_text("steps to reproduce: open the page\n")
    made["not-har"].write_text(json.dumps({"name": "app", "version": "1.0.0"}))
    made["truncated-early"].write_bytes(whole[:40])
    made["truncated-late"].write_bytes(whole[: whole.rindex(b"]")])
    made["nested"].write_bytes(b'{"log": {"entries": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}}")
    made["directory"] = tmp_path
    made["missing"] = tmp_path / "nope.har"
    return made


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main(["analyze", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_about(err: str, path: Path, problem: str) -> None:
    lines = err.splitlines()
    assert lines == [line for line in lines if line.startswith("harcors: ")] and len(lines) == 1, err
    assert lines[0].startswith(f"harcors: {path}: ") and problem in lines[0], err
    assert "Traceback" not in err


# --- in-process -------------------------------------------------------------------------------


def test_no_failure_exits_0(capsys, files):
    code, out, err = run(capsys, files["ok"], "--format", "json")
    assert code == EXIT_OK and err == ""
    assert [f["rule"] for f in json.loads(out)["findings"] if f["severity"] == "error"] == []


def test_a_failure_exits_1(capsys, files):
    code, out, _ = run(capsys, files["failing"], "--format", "json")
    doc = json.loads(out)
    assert code == EXIT_FAILURES
    assert [f["request"]["index"] for f in doc["findings"] if f["severity"] == "error"] == [1]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("empty", "the file is empty (0 bytes)"),
        ("not-json", "not valid JSON: expecting value (at line 1, column 1, byte 0)"),
        ("not-har", 'JSON, but not a HAR: no "log" key at the top level (it has "name", "version")'),
        (
            "truncated-early",
            "the file ends in the middle of the JSON (truncated?) (at line 1, column 41, byte 40)",
        ),
        ("nested", "the JSON is nested more than 1,000 levels deep (near byte"),
        ("directory", "is a directory, not a HAR file"),
        ("missing", "no such file"),
    ],
)
def test_unreadable_exits_2_with_one_line(capsys, files, name, problem):
    code, out, err = run(capsys, files[name])
    assert code == EXIT_UNREADABLE and out == ""
    one_line_about(err, files[name], problem)


def test_truncated_after_entries_is_analysed_and_reported(capsys, files):
    code, out, err = run(capsys, files["truncated-late"], "--format", "json")
    doc = json.loads(out)
    assert code == EXIT_FAILURES  # the blocked request before the cut is still found
    assert doc["source"]["entries"] == 2 and "truncated" in doc["source"]["problem"]
    one_line_about(err, files["truncated-late"], "the file ends in the middle of the JSON (truncated?)")


def test_skipped_entries_are_named_with_index_and_reason(capsys, files):
    code, out, err = run(capsys, files["junk-entries"], "--format", "json")
    assert code == EXIT_OK
    assert json.loads(out)["source"]["skipped"] == [
        {"index": 1, "reason": "entry is a str, not an object"},
        {"index": 2, "reason": "entry is a int, not an object"},
    ]
    one_line_about(err, files["junk-entries"], "2 entries could not be read (first: entry 1: entry is a str")


def test_bad_files_do_not_hide_good_ones(capsys, files):
    code, out, err = run(capsys, files["not-json"], files["failing"], files["empty"], "--format", "json")
    assert code == EXIT_FAILURES
    assert json.loads(out)["source"]["path"] == str(files["failing"])
    assert [line.split(": ")[1] for line in err.splitlines()] == [str(files["not-json"]), str(files["empty"])]


def test_every_file_unreadable_exits_2(capsys, files):
    code, out, err = run(capsys, files["empty"], files["not-json"], files["directory"])
    assert (code, out) == (EXIT_UNREADABLE, "")
    assert len(err.splitlines()) == 3 and "Traceback" not in err


def test_har_whose_every_entry_is_unreadable_exits_2(capsys, files):
    code, out, err = run(capsys, files["all-junk"], "--format", "json")
    assert (code, out) == (EXIT_UNREADABLE, "")
    one_line_about(
        err, files["all-junk"], "none of its 3 entries could be read (first: entry 0: entry is a str"
    )


@pytest.mark.parametrize("name", ["gz", "zip"])
def test_compressed_and_zipped(capsys, files, name):
    code, _, err = run(capsys, files[name])
    assert (code, err) == (EXIT_FAILURES, "")


def test_unwritable_output_exits_2(capsys, files, tmp_path):
    code, _, err = run(capsys, files["ok"], "-o", tmp_path / "no" / "such" / "dir" / "out.md")
    assert code == EXIT_UNREADABLE and err.startswith("harcors: cannot write ") and "Traceback" not in err


# --- as a real process ------------------------------------------------------------------------


def harcors(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harcors", "analyze", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ok", EXIT_OK),
        ("failing", EXIT_FAILURES),
        ("not-json", EXIT_UNREADABLE),
        ("directory", EXIT_UNREADABLE),
        ("nested", EXIT_UNREADABLE),
    ],
)
def test_process_exit_codes(files, name, code):
    done = harcors(files[name])
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    if code == EXIT_UNREADABLE:
        assert done.stdout == "" and done.stderr.startswith(f"harcors: {files[name]}: ")
        assert len(done.stderr.splitlines()) == 1


def test_process_mixed_inputs(files):
    done = harcors(files["truncated-early"], files["gz"], files["junk-entries"], "--format", "json")
    assert done.returncode == EXIT_FAILURES and "Traceback" not in done.stderr
    assert [json.loads(done.stdout)[i]["source"]["path"] for i in (0, 1)] == [
        str(files["gz"]),
        str(files["junk-entries"]),
    ]
    assert len(done.stderr.splitlines()) == 2

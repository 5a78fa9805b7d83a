"""``workers=2``: a forked helper reads the second half; the results must be exactly those of one process.

The size threshold and the piece size are lowered so that small generated files take the parallel
path. Every comparison also reads back the headers that records left in the file (``==``
materializes them), including those of records the helper sent.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from harcors.har import HarError, HarStream, LoadCancelled, parallel
from harcors.har import fast as fast_mod
from harcors.har.fast import FastEntries, LazyExchange


@pytest.fixture(autouse=True)
def small_files_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast_mod, "PARALLEL_MIN", 0)
    monkeypatch.setattr(fast_mod, "CHUNK", 32 << 10)
    # The ijson path imports numpy, whose BLAS pool adds native threads that would stop every later
    # test from forking; they sit idle and the helper never calls numpy. Python threads still count.
    monkeypatch.setattr(parallel, "_single_threaded", lambda: threading.active_count() == 1)
    monkeypatch.setattr(parallel, "_OVERTAKE", 0.0)  # the parent waits for the helper, however slow


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory, har_generator: Any) -> Path:
    path = tmp_path_factory.mktemp("par") / "session.har"
    har_generator.write_har(path, 400, seed=5, image_kb=4)
    return path


def load(path: Path, workers: int = 1, fast: bool = True) -> tuple[Any, ...]:
    stream = HarStream(path, workers=workers, fast=fast)
    exchanges = list(stream)
    return exchanges, stream.skipped, stream.problem, stream.entries_seen, stream.info, stream.parallel


def assert_same_as_one_process(path: Path, *, parallel_expected: bool = True,
                               two: tuple[Any, ...] | None = None) -> tuple[Any, ...]:
    two, one, slow = two or load(path, 2), load(path, 1), load(path, 1, fast=False)
    assert two[5] is parallel_expected and one[5] is False
    assert two[1:5] == one[1:5] == slow[1:5]
    assert [x.index for x in two[0]] == [x.index for x in slow[0]]
    for a, b in zip(two[0], slow[0], strict=True):
        assert a == b, f"entry {a.index}"
    return two


def no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_a_generated_session_reads_the_same_split_in_two(session):
    two = load(session, 2)
    # The helper's half comes back as records too, their headers still in the file.
    assert sum(type(x) is LazyExchange for x in two[0][-100:]) > 30
    assert no_children_left()
    assert_same_as_one_process(session, two=two)


def test_records_the_helper_sent_read_their_other_fields_from_the_file(tmp_path, session):
    path = tmp_path / "copy.har"
    path.write_bytes(session.read_bytes())
    two, one = load(path, 2), load(path, 1)
    sent = [x for x in two[0][-100:] if type(x) is LazyExchange]
    first, second = sent[0], sent[-1]
    piece_of = fast_mod._get_extras
    assert piece_of(first, fast_mod.Exchange)[1] is not piece_of(second, fast_mod.Exchange)[1]
    assert first.extras == {} and first.server_ip == one[0][first.index].server_ip  # read back here
    assert first == one[0][first.index]
    with open(path, "ab") as f:
        f.write(b"\n")
    with pytest.raises(HarError, match="changed after it was read"):
        _ = second.time_ms


@pytest.mark.parametrize("step", [5, 64, 1 << 20])
def test_the_split_is_the_first_entry_boundary_past_the_parents_share(monkeypatch, session, step):
    monkeypatch.setattr(parallel, "_SPLIT_STEP", step)
    data = session.read_bytes()
    boundary = b"\n      },\n      {"  # the generator's layout: entries at a six-space indent
    layout = fast_mod.Layout(boundary=boundary, last=b"\n      }\n    ]", close=8)
    source = fast_mod._Source(str(session), False, fast_mod._Shared())
    at = data.index(boundary, int(len(data) * parallel._PARENT_SHARE))
    assert parallel._find_split(source, layout, 0) == (at + 8, at + len(boundary) - 1)
    assert data[at + 8:at + 9] == b"," and data[at + len(boundary) - 1:at + len(boundary)] == b"{"


def test_breaks_in_the_second_half_are_read_as_one_process_reads_them(tmp_path, session):
    doc = json.loads(session.read_bytes())
    entries = doc["log"]["entries"]
    entries[300]["response"]["status"] = "200"  # the typed schema refuses it: a generic piece
    entries[320]["request"]["method"] = None  # a skipped entry
    path = tmp_path / "broken.har"
    text = json.dumps(doc, indent=2, ensure_ascii=False).encode()
    at = text.index(entries[350]["request"]["url"].encode())
    in_helpers_part = len(text) * parallel._PARENT_SHARE
    assert text.index(entries[300]["startedDateTime"].encode()) > in_helpers_part
    path.write_bytes(text[:at] + b"\xff" + text[at:])  # invalid UTF-8: the fast path gives up there
    two = assert_same_as_one_process(path)
    assert len(two[1]) == 1 and two[1][0].index == 320 and two[2] is not None


def test_a_false_boundary_at_the_split(monkeypatch, tmp_path, session):
    """Two headers laid out the way entries are, right at the split point: the split falls inside
    an entry, so the parent's last piece does not decode and the ijson path reads on from there."""
    data = session.read_bytes()
    header_gap = b"\n            },\n            {"
    at = data.index(header_gap, len(data) // 2)
    monkeypatch.setattr(parallel, "_PARENT_SHARE", at / len(data))  # no entry boundary before it
    data = data[:at] + b"\n      },\n      {" + data[at + len(header_gap):]
    path = tmp_path / "false.har"
    path.write_bytes(data)
    layout = fast_mod.Layout(boundary=b"\n      },\n      {", last=b"\n      }\n    ]", close=8)
    source = fast_mod._Source(str(path), False, fast_mod._Shared())
    assert parallel._find_split(source, layout, 0)[0] == at + 8  # the split is the false one
    assert_same_as_one_process(path)


@pytest.mark.parametrize("variant", ["bom", "crlf", "tabs"])
def test_byte_order_mark_and_other_layouts(tmp_path, session, variant):
    data = session.read_bytes()
    if variant == "bom":
        data = b"\xef\xbb\xbf" + data
    elif variant == "crlf":
        data = data.replace(b"\n", b"\r\n")
    else:
        data = json.dumps(json.loads(data), indent="\t", ensure_ascii=False).encode()
    path = tmp_path / f"{variant}.har"
    path.write_bytes(data)
    assert_same_as_one_process(path)


@pytest.mark.parametrize("cut", ["at 80 %", "after the entries"])
def test_a_truncated_second_half(tmp_path, session, cut):
    data = session.read_bytes()
    data = data[: int(len(data) * 0.8)] if cut == "at 80 %" else data[: data.rindex(b"]") + 1]
    path = tmp_path / "cut.har"
    path.write_bytes(data)
    two = assert_same_as_one_process(path)
    assert two[2] is not None and two[3] == (400 if cut == "after the entries" else two[3])


def test_a_helper_that_dies_changes_nothing(monkeypatch, session):
    monkeypatch.setattr(parallel, "_run_child", lambda *args: os._exit(1))
    assert_same_as_one_process(session)


def test_a_helper_that_dies_midway_changes_nothing(monkeypatch, session):
    real = FastEntries.entries_from

    def two_pieces_then_die(self, *args):
        for n, items in enumerate(real(self, *args)):
            if n == 2:
                os._exit(1)
            yield items

    monkeypatch.setattr(FastEntries, "entries_from", two_pieces_then_die)
    assert_same_as_one_process(session)


def test_a_helper_far_behind_is_overtaken(monkeypatch, session):
    """A helper without a core of its own: the parent stops waiting and reads the rest itself."""
    real = FastEntries.entries_from
    overtaken = []

    def slow_start(self, *args):
        time.sleep(5)  # in the child (killed once overtaken): the parent is done with its half long before
        yield from real(self, *args)

    def stop(self):
        overtaken.append(self.overtaken)
        real_stop(self)

    real_stop = parallel.Helper.stop
    monkeypatch.setattr(FastEntries, "entries_from", slow_start)
    monkeypatch.setattr(parallel.Helper, "stop", stop)
    monkeypatch.setattr(parallel, "_OVERTAKE", 0.6)
    assert_same_as_one_process(session)
    assert overtaken == [True]
    assert no_children_left()


def test_cancelling_ends_the_helper(session):
    reads = []

    def cancelled() -> bool:
        reads.append(1)
        return len(reads) > 3

    with pytest.raises(LoadCancelled):
        list(HarStream(session, workers=2, cancelled=cancelled))
    assert no_children_left()


def test_progress_reaches_the_end(session):
    calls: list[tuple[int, int, int]] = []
    stream = HarStream(session, workers=2, progress=lambda *a: calls.append(a))
    n = len(list(stream))
    size = os.path.getsize(session)
    assert stream.parallel and calls[-1] == (size, size, n)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def test_a_process_with_other_threads_spawns_its_helper_instead_of_forking(monkeypatch, session):
    """Forking beside other threads is unsafe: a fresh interpreter is started (test_parallel_spawn.py)."""
    spawned = []
    real_spawn = parallel._spawn

    def fork() -> int:
        raise AssertionError("forked beside another thread")

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(parallel, "_spawn", lambda *args: spawned.append(1) or real_spawn(*args))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert_same_as_one_process(session)
    finally:
        stop.set()
        other.join()
    assert spawned == [1]
    assert no_children_left()

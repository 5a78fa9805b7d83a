"""``workers=2`` beside other threads (the GUI): the helper is a spawned interpreter, never a fork.

Its results must be exactly those of one process, and it must never outlive the load: stopped,
cancelled, or its parent killed. Spawned children run outside pytest's monkeypatching, so a test
that changes the child's behaviour starts it through a wrapper (``_helper_command``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harcors.har import HarStream, LoadCancelled, parallel
from harcors.har import fast as fast_mod
from tests.har.test_parallel import assert_same_as_one_process, no_children_left

ROOT = Path(__file__).resolve().parents[2]

# The child's code before it reads: each test's patch, then the real entry point.
_WRAPPER = """
import os, sys, time
from harcors.har import fast, parallel
{patch}
parallel._main(sys.argv[1:])
"""

_DIE_AFTER_TWO_PIECES = """
real = fast.FastEntries.entries_from
def two_pieces_then_die(self, *args):
    for n, items in enumerate(real(self, *args)):
        if n == 2:
            os._exit(1)
        yield items
fast.FastEntries.entries_from = two_pieces_then_die
"""


@pytest.fixture(autouse=True)
def small_files_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast_mod, "PARALLEL_MIN", 0)
    monkeypatch.setattr(fast_mod, "CHUNK", 32 << 10)  # passed on to the child on its command line
    monkeypatch.setattr(parallel, "_single_threaded", lambda: threading.active_count() == 1)
    monkeypatch.setattr(parallel, "_OVERTAKE", 0.0)  # the parent waits for the helper, however slow


@pytest.fixture(autouse=True)
def no_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    def fork() -> int:
        raise AssertionError("forked beside another thread")

    monkeypatch.setattr(os, "fork", fork)


@pytest.fixture
def other_thread() -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory, har_generator: Any) -> Path:
    path = tmp_path_factory.mktemp("spawn") / "session.har"
    har_generator.write_har(path, 400, seed=7, image_kb=4)
    return path


@pytest.fixture
def delivered(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Entries each helper delivered, and whether it was spawned (as 1) rather than forked."""
    seen: list[int] = []
    real = parallel.Helper.results

    def results(self: parallel.Helper, base: int, cancelled: Any) -> Iterator[Any]:
        seen.append(0)
        for items in real(self, base, cancelled):
            seen[-1] += len(items)
            yield items
        assert self.spawned

    monkeypatch.setattr(parallel.Helper, "results", results)
    return seen


def wrap_child(monkeypatch: pytest.MonkeyPatch, patch: str) -> None:
    monkeypatch.setattr(parallel, "_helper_command",
                        lambda: [sys.executable, "-c", _WRAPPER.format(patch=patch)])


def test_a_threaded_caller_gets_a_spawned_helper_and_the_same_results(session, other_thread, delivered):
    assert_same_as_one_process(session)
    assert len(delivered) == 1 and delivered[0] > 100  # the helper's half came from the helper
    assert no_children_left()


def test_a_spawned_helper_that_dies_midway_changes_nothing(monkeypatch, session, other_thread, delivered):
    wrap_child(monkeypatch, _DIE_AFTER_TWO_PIECES)
    assert_same_as_one_process(session)
    assert 0 < delivered[0] < 100  # two pieces, then the parent read on itself
    assert no_children_left()


@pytest.mark.parametrize("command", [["/nonexistent/python"], [sys.executable, "-c", "raise SystemExit(3)"]])
def test_a_helper_that_cannot_start_changes_nothing(monkeypatch, session, other_thread, command):
    monkeypatch.setattr(parallel, "_helper_command", lambda: command)
    assert_same_as_one_process(session, parallel_expected=command[0] != "/nonexistent/python")
    assert no_children_left()


def stalled(tmp_path: Path, stall: str) -> tuple[str, Path, Path]:
    """A child patch that writes its pid once it reads, then runs ``stall`` (some ten seconds that
    only its death cuts short) and writes a file saying it lived through them; the two files."""
    pid_file, survived = tmp_path / "child.pid", tmp_path / "survived"
    patch = ("real = fast.FastEntries.entries_from\n"
             "def stalled(self, *args):\n"
             f"    open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
             f"    {stall}\n"
             f"    open({str(survived)!r}, 'w').close()\n"
             "fast.FastEntries.entries_from = stalled\n")
    return patch, pid_file, survived


def started(pid_file: Path) -> bool:
    return pid_file.exists() and pid_file.read_text() != ""


def test_cancelling_kills_and_reaps_the_spawned_helper(monkeypatch, session, other_thread, tmp_path):
    patch, pid_file, survived = stalled(tmp_path, "time.sleep(10); yield []")
    wrap_child(monkeypatch, patch)
    with pytest.raises(LoadCancelled):
        list(HarStream(session, workers=2, cancelled=lambda: started(pid_file)))
    assert no_children_left()  # reaped, not a zombie
    assert not survived.exists()  # killed, not waited for
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


_PARENT = """
import sys, threading
from harcors.har import HarStream, parallel, fast
fast.PARALLEL_MIN, fast.CHUNK = 0, 32 << 10
parallel._OVERTAKE = 0.0  # the parent waits for its helper: only its death ends the wait
parallel._helper_command = lambda: [sys.executable, "-c", sys.argv[2]]
threading.Thread(target=threading.Event().wait, daemon=True).start()
list(HarStream(sys.argv[1], workers=2))
"""


@pytest.mark.parametrize("notice", ["parent-death signal", "broken pipe"])
def test_a_spawned_helper_ends_when_its_parent_is_killed(tmp_path, session, notice):
    if notice == "parent-death signal":  # busy between two frames: only the signal ends it
        patch, pid_file, survived = stalled(tmp_path, "time.sleep(10)")
    else:  # without the signal, sending a frame every 10 ms: the next write fails
        patch, pid_file, survived = stalled(tmp_path, "for _ in range(1000): time.sleep(0.01); yield []")
        patch = "parallel._die_with = lambda parent: None\n" + patch
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, str(session), _WRAPPER.format(patch=patch)],
                              cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not started(pid_file):
            assert parent.poll() is None and time.monotonic() < deadline, "the helper never started"
            time.sleep(0.01)
    finally:
        parent.kill()
        parent.wait()
    child = int(pid_file.read_text())
    while _alive(child):  # reparented to init, which reaps it once it has exited
        time.sleep(0.01)
    assert not survived.exists(), f"the helper outlived its parent ({notice})"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False

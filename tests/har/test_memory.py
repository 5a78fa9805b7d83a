"""Reading a large HAR must not hold the file: peak memory follows a piece and the kept Exchanges.

Measured as the growth of peak RSS in a fresh interpreter (after imports), so it counts msgspec's
and the allocator's memory too, not only Python objects. No timing is asserted anywhere. With
``workers=2`` the helper process that reads the second half is bounded the same way, forked or
(beside another thread) spawned.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import resource, sys, threading
from harcors.har import HarStream
if sys.argv[3] == "1":  # the helper is then a fresh interpreter rather than a fork
    threading.Thread(target=threading.Event().wait, daemon=True).start()
stream = HarStream(sys.argv[1], workers=int(sys.argv[2]))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kept = list(stream)  # held, as the app holds them
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
helper = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(len(kept), len(stream.skipped), int(stream.parallel), before * 1024, after * 1024, helper * 1024)
"""


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory, har_generator) -> Path:
    path = tmp_path_factory.mktemp("large") / "large.har"
    # Big image bodies make a >100 MB file from few entries, so writing it takes a second or two.
    size = har_generator.write_har(path, 4000, seed=11, image_share=0.3, image_kb=80)
    assert size >= 100 << 20
    return path


@pytest.mark.parametrize(("workers", "threaded"), [(1, False), (2, False), (2, True)])
def test_loading_a_large_har_keeps_peak_memory_well_under_its_size(large, workers, threaded):
    size = large.stat().st_size
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(large), str(workers), str(int(threaded))],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout.split()
    entries, skipped, parallel, before, after, helper = map(int, out)
    assert (entries, skipped, parallel) == (4000, 0, workers - 1)
    growth = after - before
    assert growth < 0.4 * size, f"peak RSS grew {growth >> 20} MB reading a {size >> 20} MB HAR"
    # A forked helper starts as a copy of the process (its RSS then is `before` at most), a
    # spawned one as a fresh interpreter.
    assert helper - (0 if threaded else before) < 0.4 * size, f"the helper's peak RSS was {helper >> 20} MB"

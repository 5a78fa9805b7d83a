"""Reading a large HAR must not hold the file: peak memory follows a piece and the kept Exchanges.

Measured as the growth of peak RSS in a fresh interpreter (after imports), so it counts msgspec's
and the allocator's memory too, not only Python objects. No timing is asserted anywhere.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import resource, sys
from harcors.har import HarStream
stream = HarStream(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kept = list(stream)  # held, as the app holds them
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(kept), len(stream.skipped), before * 1024, after * 1024)
"""


def test_loading_a_large_har_keeps_peak_memory_well_under_its_size(tmp_path, har_generator):
    path = tmp_path / "large.har"
    # Big image bodies make a >100 MB file from few entries, so writing it takes a second or two.
    size = har_generator.write_har(path, 4000, seed=11, image_share=0.3, image_kb=80)
    assert size >= 100 << 20
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout.split()
    entries, skipped, before, after = map(int, out)
    assert (entries, skipped) == (4000, 0)
    growth = after - before
    assert growth < 0.4 * size, f"peak RSS grew {growth >> 20} MB reading a {size >> 20} MB HAR"

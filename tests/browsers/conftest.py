"""tools/ is not a package: put it on sys.path so `capture` (tools/capture) imports in these tests."""

import sys
from pathlib import Path

TOOLS = str(Path(__file__).resolve().parents[2] / "tools")
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

"""`python tools/capture`: record real-Chromium evidence for the CORS scenarios."""

import sys
from pathlib import Path

# Run as a directory, so make the package importable as `capture` (tools/ is not a package).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from capture.cli import main

sys.exit(main())

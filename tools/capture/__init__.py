"""Record real-Chromium CORS evidence: the sample_hars/ corpus and its --check.

Run `python tools/capture --help`.
"""

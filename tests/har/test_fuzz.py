"""Fuzzing: no file makes the pipeline raise anything but harcors' documented errors.

``harcors.analysis.analyze_file`` (loader and CORS engine) may raise only ``HarError`` (nothing
could be read) or ``LoadCancelled`` (the caller said stop). Hypothesis builds HAR documents
structure-aware: real HARs and a hand-made skeleton, with values replaced by wrong types and odd
strings, keys deleted, entries duplicated; then writes them in several layouts and damages the
bytes (truncation, flips, insertions, compression). The seed corpus in tests/fixtures/fuzz/ (real
HARs, mutated; ``make_corpus.py``) is run as is and used as a base for byte damage.

About 4,000 documents per run, derandomized so CI sees the same ones every time; set
HARCORS_FUZZ_EXAMPLES=20000 (and HARCORS_FUZZ_RANDOM=1 for fresh seeds) for a longer, exploring run.

What it found in the loader as first written: the process killed by a segfault inside ijson (an
integer of more than 4,300 digits), ``UnicodeDecodeError`` (UTF-8-encoded surrogates pass yajl's
check, not Python's), ``zlib.error`` from a corrupt ``.har.gz``; and in the fix catalog,
``UnsafeValue`` for a request method such as "-1".
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harcors.analysis import analyze_file
from harcors.har import HarError, LoadCancelled
from harcors.report.json_doc import analysis_document

from .build import API, PAGE, entry, har

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "tests" / "fixtures" / "fuzz").glob("*.bin"))
PRODUCERS = sorted((ROOT / "tests" / "fixtures" / "producers").glob("*.har"))

EXAMPLES = int(os.environ.get("HARCORS_FUZZ_EXAMPLES", "0")) or None
FUZZ = settings(
    deadline=None,
    derandomize=not os.environ.get("HARCORS_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=EXAMPLES or examples)


_WORKDIR = tempfile.TemporaryDirectory(prefix="harcors-fuzz-")  # one file, rewritten for each document
TRIED = {"documents": 0}


def run_pipeline(data: bytes) -> None:
    """The property: analyse ``data`` as a file; only HarError may escape, and the result serializes."""
    TRIED["documents"] += 1
    path = Path(_WORKDIR.name) / "fuzzed.har"
    path.write_bytes(data)
    try:
        analysis = analyze_file(path)
    except (HarError, LoadCancelled) as exc:
        assert isinstance(exc, HarError) and str(exc).startswith(str(path))
        return
    json.dumps(analysis_document(analysis))  # the published document can always be written
    assert len(analysis.exchanges) + len(analysis.skipped) <= analysis.entries_seen


# --- what to start from -----------------------------------------------------------------------


def _skeleton() -> dict[str, Any]:
    blocked = entry()
    blocked["request"]["url"] = f"{API}/blocked"
    blocked["response"]["headers"] = []
    blocked["response"]["_error"] = "net::ERR_FAILED"
    put = entry()
    put["request"].update(
        method="PUT",
        url=f"{API}/put",
        headers=[
            {"name": "Origin", "value": PAGE},
            {"name": "Content-Type", "value": "application/json"},
            {"name": "X-Custom", "value": "1"},
        ],
    )
    put["response"] = {"status": 0, "headers": [], "_error": "net::ERR_FAILED"}
    pre = entry(_resourceType="preflight", _initiator={"type": "preflight", "url": f"{API}/put"})
    pre["request"].update(
        method="OPTIONS",
        url=f"{API}/put",
        headers=[
            {"name": "Origin", "value": PAGE},
            {"name": "Access-Control-Request-Method", "value": "PUT"},
            {"name": "Access-Control-Request-Headers", "value": "content-type,x-custom"},
        ],
    )
    pre["response"]["headers"] = [
        {"name": "Access-Control-Allow-Origin", "value": PAGE},
        {"name": "Access-Control-Allow-Methods", "value": "GET"},
    ]
    return har([entry(), blocked, put, pre])


SEEDS = [_skeleton()] + [json.loads(p.read_text(encoding="utf-8")) for p in PRODUCERS]
_SEED_TEXT = [json.dumps(seed) for seed in SEEDS]  # json.loads of these is a fast deep copy

ODD_STRINGS = [
    "",
    " ",
    "-1",
    "0",
    "1e999",
    "NaN",
    "null",
    "200",
    "OPTIONS",
    "options",
    "preflight",
    "script",
    "*",
    "null",
    "\x00",
    "\u202e",
    "\ud7ff",
    "é",
    "http://[::1",
    "http://a:99999/",
    "javascript:alert(1)",
    "data:,",
    "//x",
    PAGE,
    API,
    f"{API}/put",
    "2024-13-45T99:99:99Z",
    "2024-06-30T04:14:55.7361234567+14:00",
    "net::ERR_FAILED",
    "true",
    "Access-Control-Allow-Origin",
    "origin",
    "x" * 5000,
]
ODD_VALUES = [None, True, False, 0, -1, 2**53, -(2**63), 1.5, -0.0, 1e308, [], {}, [None], {"": None}]

_POOL = (
    ODD_VALUES
    + ODD_STRINGS
    + [
        {"name": "Origin", "value": PAGE},
        [{"name": "Access-Control-Allow-Origin", "value": "*"}],
        {"type": "preflight", "url": f"{API}/put"},
        {"method": "GET"},
        {"url": API},
        {"status": "200"},
        [{"name": None, "value": None}],
        {"text": "[[[", "encoding": "base64"},
    ]
)
json_leaf = st.one_of(
    st.sampled_from(_POOL).map(copy.deepcopy),
    st.text(max_size=8),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=False),
)
#: Mostly a value from the pool (cheap to draw), sometimes a small random structure.
json_value = st.one_of(
    st.sampled_from(_POOL).map(copy.deepcopy),
    st.recursive(
        json_leaf,
        lambda kids: (
            st.lists(kids, max_size=3)
            | st.dictionaries(
                st.sampled_from(["name", "value", "url", "method", "status", "type", "headers"]),
                kids,
                max_size=3,
            )
        ),
        max_leaves=4,
    ),
)


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(node, dict):
        for key, child in node.items():
            out += _paths(child, (*path, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            out += _paths(child, (*path, i))
    return out


def _parent(doc: Any, path: tuple) -> Any:
    for key in path[:-1]:
        doc = doc[key]
    return doc


#: Fields the loader and the engine read, relative to an entry: mutations aim here half the time.
ENTRY_FIELDS = [
    ("request",),
    ("request", "method"),
    ("request", "url"),
    ("request", "headers"),
    ("request", "postData"),
    ("request", "postData", "mimeType"),
    ("response",),
    ("response", "status"),
    ("response", "statusText"),
    ("response", "headers"),
    ("response", "content"),
    ("response", "content", "mimeType"),
    ("response", "redirectURL"),
    ("response", "_error"),
    ("response", "_failureText"),
    ("startedDateTime",),
    ("_resourceType",),
    ("_initiator",),
    ("_initiator", "type"),
    ("_initiator", "url"),
    ("_initiator_type",),
    ("_initiator_detail",),
    ("_fromCache",),
    ("serverIPAddress",),
    ("pageref",),
    ("time",),
    ("timings",),
]
LOG_FIELDS = [
    ("log", "version"),
    ("log", "creator"),
    ("log", "creator", "name"),
    ("log", "browser"),
    ("log", "pages"),
    ("log", "entries"),
]
HEADER_NAMES = [
    "Origin",
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
    "Content-Type",
    "Cookie",
    "Location",
    "Vary",
    ":authority",
]


def _set(doc: Any, path: tuple, value: Any) -> None:
    """Set ``path`` in ``doc``, creating missing objects on the way; gives up where a list or a leaf is."""
    node = doc
    for key in path[:-1]:
        if not isinstance(node, dict):
            return
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    if isinstance(node, dict):
        node[path[-1]] = value


def _entries(doc: Any) -> list:
    log = doc.get("log") if isinstance(doc, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    return entries if isinstance(entries, list) else []


@st.composite
def mutated_documents(draw) -> Any:
    """A seed HAR with 1-5 structure-aware mutations."""
    doc = json.loads(draw(st.sampled_from(_SEED_TEXT)))
    entries = _entries(doc)
    for _ in range(draw(st.integers(1, 5))):
        op = draw(
            st.sampled_from(["field", "field", "header", "log", "replace", "delete", "duplicate", "retype"])
        )
        if op in ("field", "header") and entries and isinstance(entries, list):
            target = draw(st.sampled_from(entries))
            if not isinstance(target, dict):
                continue
            if op == "field":
                _set(target, draw(st.sampled_from(ENTRY_FIELDS)), draw(json_value))
            else:  # a CORS header with an odd value, or an odd header item
                side = draw(st.sampled_from(["request", "response"]))
                item = draw(
                    st.one_of(
                        st.fixed_dictionaries({"name": st.sampled_from(HEADER_NAMES), "value": json_value}),
                        json_value,
                    )
                )
                headers = target.get(side, {}).get("headers") if isinstance(target.get(side), dict) else None
                if isinstance(headers, list):
                    headers.insert(draw(st.integers(0, len(headers))), item)
            continue
        if op == "log":
            _set(doc, draw(st.sampled_from(LOG_FIELDS)), draw(json_value))
            entries = _entries(doc)
            continue
        # anywhere in one entry, or one level into the document: small enough to enumerate
        if entries and draw(st.integers(0, 9)):
            scope = ("log", "entries", draw(st.integers(0, len(entries) - 1)))
            paths = [scope] + [(*scope, *p) for p in _paths(entries[scope[-1]])[1:]]
        else:
            paths = [(k,) for k in doc] if isinstance(doc, dict) else []
            log = doc.get("log") if isinstance(doc, dict) else None
            if isinstance(log, dict):
                paths += [("log", k) for k in log] + [("log", "entries", i) for i in range(len(entries))]
        if not paths:
            continue
        path = draw(st.sampled_from(paths))
        parent = _parent(doc, path)
        key = path[-1]
        if op == "replace":
            parent[key] = draw(json_value)
        elif op == "delete":
            del parent[key]
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(draw(st.integers(0, len(parent))), copy.deepcopy(parent[key]))
        elif op == "retype":
            parent[key] = [parent[key]] if not isinstance(parent[key], list) else {"0": parent[key]}
        entries = _entries(doc)
    return doc


LAYOUTS = {
    "pretty": lambda d: json.dumps(d, indent=2, ensure_ascii=False),
    "minified": lambda d: json.dumps(d, separators=(",", ":")),
    "indent4-ascii": lambda d: json.dumps(d, indent=4),
    "tabs-crlf": lambda d: json.dumps(d, indent="\t").replace("\n", "\r\n"),
}


INSERTS = [
    b"[",
    b"]",
    b"{",
    b"}",
    b'"',
    b",",
    b"\\",
    b"\xff",
    b"\xe2\x80",
    b"\xed\xa0\x80",
    b"[" * 3000,
    b"1" * 30,
    b"NaN",
    b"-",
    b"1e999",
]


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """Byte-level damage on top of a document, as files get damaged in transit."""
    for _ in range(draw(st.integers(0, 3))):
        if not data:
            break
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "bom", "nul", "bignum"]))
        at = draw(st.integers(0, len(data) - 1))
        if op == "truncate":
            data = data[:at]
        elif op == "flip":
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif op == "insert":
            data = data[:at] + draw(st.sampled_from(INSERTS)) + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 64)) :]
        elif op == "bom":
            data = b"\xef\xbb\xbf" + data
        elif op == "nul":
            data = data[:at] + b"\x00" * draw(st.integers(1, 16)) + data[at:]
        elif op == "bignum":  # an integer of thousands of digits (ijson once crashed the process on these)
            colon = data.find(b": ", at)
            if colon >= 0:
                data = (
                    data[: colon + 2]
                    + b"7" * draw(st.sampled_from([25, 4400, 20000]))
                    + b","
                    + data[colon + 2 :]
                )
    wrap = draw(st.sampled_from([None, None, None, "gzip", "gzip-cut", "zip", "utf16"]))
    if wrap == "gzip":
        data = gzip.compress(data)
    elif wrap == "gzip-cut":
        packed = gzip.compress(data)
        data = packed[: draw(st.integers(0, len(packed)))]
    elif wrap == "zip":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("export/session.har", data)
        data = out.getvalue()
    elif wrap == "utf16":
        data = b"\xff\xfe" + data.decode("utf-8", "replace").encode("utf-16-le", "surrogatepass")
    return data


# --- the properties ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_seed_corpus(path):
    run_pipeline(path.read_bytes())


@fuzz(1500)
@given(st.data())
def test_structure_aware_documents(data):
    doc = data.draw(mutated_documents())
    layout = data.draw(st.sampled_from(sorted(LAYOUTS)))
    run_pipeline(LAYOUTS[layout](doc).encode("utf-8", "surrogatepass"))


@fuzz(1500)
@given(st.data())
def test_damaged_bytes(data):
    doc = data.draw(mutated_documents()) if data.draw(st.booleans()) else data.draw(st.sampled_from(SEEDS))
    raw = LAYOUTS[data.draw(st.sampled_from(sorted(LAYOUTS)))](doc).encode("utf-8", "surrogatepass")
    run_pipeline(data.draw(damaged(raw)))


@fuzz(400)
@given(st.data())
def test_damaged_corpus(data):
    base = data.draw(st.sampled_from(CORPUS)).read_bytes()
    run_pipeline(data.draw(damaged(base)))


@fuzz(500)
@given(st.binary(max_size=512))
def test_arbitrary_bytes(blob):
    run_pipeline(blob)

"""Time and peak memory of ``harcors analyze`` next to the baselines, on generated HARs of each size.

Every measurement is its own subprocess (interpreter start included, as for a user), timed from
here, with its peak RSS and CPU time from ``os.wait4`` (what ``/usr/bin/time -v`` reports as
"Maximum resident set size"). Ratios are to the bare ijson scan of the same file measured in the
same run; the CPU ratio is the steadier one on a busy machine.

    python benchmarks/run.py                       # 10M, 100M, 450M and 1G files (generated once)
    python benchmarks/run.py --sizes 450M --repeat 3
    python benchmarks/run.py --sizes 450M --minified   # also the one-line variant (ijson fallback)

Files are written to benchmarks/data/ (gitignored) and reused.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

_spec = importlib.util.spec_from_file_location("harcors_benchmarks_generate", HERE / "generate.py")
generate = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules[_spec.name] = generate  # type: ignore[union-attr]
_spec.loader.exec_module(generate)  # type: ignore[union-attr]

# Each baseline reads log.entries of the file in argv[1] the way its library is meant to be used.
BASELINES = {
    "ijson": """
import sys, ijson
with open(sys.argv[1], "rb") as f:
    n = sum(1 for _ in ijson.items(f, "log.entries.item"))
""",
    "json.load": """
import sys, json
with open(sys.argv[1], "rb") as f:
    n = len(json.load(f)["log"]["entries"])
""",
    # HarParser.from_file json.loads the text; its entries are HarEntry objects made on access.
    "haralyzer": """
import sys
from haralyzer import HarParser
parser = HarParser.from_file(sys.argv[1])
n = len(parser.har_data["entries"])
""",
    # The whole file in memory, decoded into Structs holding only what the CORS checks read.
    "msgspec": """
import sys, msgspec
class Header(msgspec.Struct, gc=False):
    name: str
    value: str = ""
class Post(msgspec.Struct, gc=False):
    mimeType: str | None = None
class Content(msgspec.Struct, gc=False):
    mimeType: str | None = None
class Initiator(msgspec.Struct, gc=False):
    type: str | None = None
    url: str | None = None
    requestId: str | None = None
class Request(msgspec.Struct, gc=False):
    method: str
    url: str
    headers: list[Header] = []
    postData: Post | None = None
    httpVersion: str | None = None
class Response(msgspec.Struct, gc=False):
    status: int = 0
    statusText: str | None = None
    httpVersion: str | None = None
    headers: list[Header] = []
    content: Content | None = None
    redirectURL: str | None = None
    error: str | None = msgspec.field(default=None, name="_error")
class Entry(msgspec.Struct, gc=False):
    request: Request
    response: Response | None = None
    startedDateTime: str | None = None
    resourceType: str | None = msgspec.field(default=None, name="_resourceType")
    initiator: Initiator | None = msgspec.field(default=None, name="_initiator")
    serverIPAddress: str | None = None
    pageref: str | None = None
    time: float = 0.0
class Log(msgspec.Struct):
    entries: list[Entry]
class Har(msgspec.Struct):
    log: Log
with open(sys.argv[1], "rb") as f:
    n = len(msgspec.json.decode(f.read(), type=Har).log.entries)
""",
}
HARCORS = [sys.executable, "-m", "harcors", "analyze", "{path}", "--format", "json", "-o", os.devnull]
# harcors' loader alone (what analyze does before the CORS engine and the report), kept in memory.
LOADER = """
import sys
from harcors.har import HarStream
kept = list(HarStream(sys.argv[1]))
"""


def measure(argv: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, int, float]:
    """Wall seconds, peak RSS in bytes and CPU seconds (user + system) of one run of ``argv``."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(argv[:4])} failed ({proc.returncode}): {err.strip()[-500:]}")
    return elapsed, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def best(argv: list[str], repeat: int, ok: tuple[int, ...] = (0,)) -> tuple[float, int, float]:
    runs = [measure(argv, ok) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs), min(r[2] for r in runs)


def data_file(size: str, minified: bool) -> tuple[Path, int]:
    entries = max(1, generate._parse_size(size) // generate.BYTES_PER_ENTRY)
    path = HERE / "data" / f"{entries}{'.min' if minified else ''}.har"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.name} ({entries:,} entries) ...", file=sys.stderr, flush=True)
        generate.write_har(path, entries, minified=minified)
    return path, entries


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10M,100M,450M,1G",
                   help="comma-separated file sizes (default: %(default)s)")
    p.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest counts")
    p.add_argument("--minified", action="store_true", help="also measure one-line files (the ijson fallback)")
    p.add_argument("--skip", default="", help="baselines to leave out, e.g. haralyzer,json.load")
    args = p.parse_args(argv)
    # Measure harcors as installed from a wheel, whose bytecode pip compiled: a checkout run with
    # PYTHONDONTWRITEBYTECODE would otherwise compile every module on every start.
    compileall.compile_dir(ROOT / "harcors", quiet=1)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    names = [n for n in BASELINES if n not in skip or n == "ijson"]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}; best of {args.repeat}", file=sys.stderr)
    others = [n for n in names if n != "ijson"]
    columns = ["file", "entries", "ijson scan", "harcors analyze", "harcors loader", *others,
               "peak RSS: " + " / ".join(["ijson", "analyze", "loader", *others])]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for size in args.sizes.split(","):
        for minified in ([False, True] if args.minified else [False]):
            path, entries = data_file(size.strip(), minified)
            results = {}
            for name in names:
                results[name] = best([sys.executable, "-c", BASELINES[name], str(path)], args.repeat)
            results["loader"] = best([sys.executable, "-c", LOADER, str(path)], args.repeat)
            # analyze exits 1 when it found CORS failures, which the generated files have
            results["harcors"] = best([a.format(path=path) for a in HARCORS], args.repeat, ok=(0, 1))
            base, base_cpu = results["ijson"][0], results["ijson"][2]
            mb = path.stat().st_size / 1e6
            cells = [f"{mb:,.0f} MB{' (one line)' if minified else ''}", f"{entries:,}",
                     f"{base:.2f} s (CPU {base_cpu:.2f} s)"]
            for name in ("harcors", "loader"):
                wall, _rss, cpu = results[name]
                cells.append(f"{wall:.2f} s = **{wall / base:.2f}×** (CPU {cpu / base_cpu:.2f}×)")
            cells += [f"{results[n][0] / base:.2f}×" for n in others]
            rss = [results[n][1] for n in ("ijson", "harcors", "loader", *others)]
            cells.append(" / ".join(f"{r / 1e6:,.0f}" for r in rss) + " MB")
            print("| " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

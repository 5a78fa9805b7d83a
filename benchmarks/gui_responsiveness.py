"""How responsive the window stays while it loads a big HAR: the longest gap between 10 ms timer ticks.

A QTimer ticks every 10 ms on the GUI thread while the real main window opens the file (reading
and the CORS checks run in the background thread; the table is filled on the GUI thread). Any
tick arriving late means the event loop was blocked — by the GUI thread's own work or by the
worker holding the GIL. The same is measured while switching to the 50,000-row "All requests"
view and sorting it, and while the tab is closed (freeing the analysis). An idle phase first
shows what the machine alone costs: on a loaded machine, other processes delay ticks too.

    python benchmarks/gui_responsiveness.py                  # generates benchmarks/data/gui-450M.har
    python benchmarks/gui_responsiveness.py /tmp/big.har
    python benchmarks/gui_responsiveness.py --size 100M
    python benchmarks/gui_responsiveness.py --no-early      # without early findings (to compare CPU)

Runs offscreen unless QT_QPA_PLATFORM says otherwise. Prints one line per phase and a verdict
against the 100 ms aim.

Measured on the 2-core CI box (449 MB, 50,000 entries from generate.py, machine otherwise idle):
load 6.4 s with the longest gap 41 ms (p99 22 ms); "All requests" + sort 21 ms; closing 11 ms.
Without the GC pause in harcors/gui/worker.py the load's longest gap was 602 ms.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from harcors.analysis import EarlyPolicy  # noqa: E402
from harcors.gui.app import create_application  # noqa: E402
from harcors.gui.document import HarTab  # noqa: E402
from harcors.gui.mainwindow import MainWindow  # noqa: E402
from harcors.gui.qt import QtCore  # noqa: E402
from harcors.gui.settings import AppSettings, file_settings  # noqa: E402

AIM_MS = 100.0


class TickRecorder(QtCore.QObject):
    """Records when each tick of a precise timer actually arrives."""

    def __init__(self, interval_ms: int) -> None:
        super().__init__()
        self.stamps: list[float] = []
        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(lambda: self.stamps.append(time.perf_counter()))

    def start(self) -> None:
        self.stamps = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        self.stamps.append(time.perf_counter())
        return [(b - a) * 1000 for a, b in zip(self.stamps, self.stamps[1:], strict=False)]


def wait(ms: int) -> None:
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(ms, loop.quit)
    loop.exec()


def describe(name: str, gaps: list[float], seconds: float) -> str:
    if not gaps:
        return f"{name}: no ticks"
    ordered = sorted(gaps)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    late = sum(1 for g in gaps if g > AIM_MS)
    return (f"{name}: {seconds:6.1f} s, {len(gaps):6d} ticks, longest gap {max(gaps):7.1f} ms, "
            f"p99 {p99:6.1f} ms, median {statistics.median(gaps):5.1f} ms, gaps > {AIM_MS:.0f} ms: {late}")


def ensure_file(path: str | None, size: str) -> Path:
    if path:
        return Path(path)
    target = HERE / "data" / f"gui-{size}.har"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating {target} ({size}) with benchmarks/generate.py …", flush=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--size", size, "-o", str(target)],
                       check=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", help="HAR to load (default: generate one)")
    parser.add_argument("--size", default="450M", help="size of the generated HAR (default 450M)")
    parser.add_argument("--interval", type=int, default=10, help="timer interval in ms (default 10)")
    parser.add_argument("--no-early", action="store_true", help="no early findings while reading")
    args = parser.parse_args(argv)
    path = ensure_file(args.file, args.size)
    if args.no_early:
        HarTab.early_policy = EarlyPolicy(first_after=math.inf)

    app = create_application()
    with tempfile.TemporaryDirectory(prefix="harcors-bench-") as tmp:
        window = MainWindow(AppSettings(file_settings(os.path.join(tmp, "settings.ini"))))
        window.resize(1440, 900)
        window.show()
        wait(300)
        ticks = TickRecorder(args.interval)

        # Idle: what this machine's scheduler alone costs (other processes compete for the CPU).
        ticks.start()
        wait(3000)
        print(describe("idle ", ticks.stop(), 3.0))

        # Load: from the drop to the table on screen.
        done = QtCore.QEventLoop()
        window.tab_settled.connect(lambda *_: QtCore.QTimer.singleShot(500, done.quit))
        ticks.start()
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        [tab] = window.open_files([str(path)])
        # When the GUI thread gets them: the moment the window can show them.
        firsts: dict[str, tuple[float, int]] = {}
        tab.job.progress.connect(lambda *_: firsts.setdefault("progress", (time.perf_counter(), 0)))
        tab.job.early_findings.connect(lambda data: firsts.setdefault(
            "findings", (time.perf_counter(), len(data.analysis.findings))))
        tab.analysis_ready.connect(lambda *_: firsts.setdefault("final", (time.perf_counter(), 0)))
        done.exec()
        load_s = time.perf_counter() - started
        used = resource.getrusage(resource.RUSAGE_SELF)
        load_gaps = ticks.stop()
        if tab.data is None:
            print(f"could not load {path}: {tab.error}", file=sys.stderr)
            return 2
        analysis = tab.data.analysis
        print(f"{path} ({path.stat().st_size / 1e6:,.0f} MB): {len(analysis.exchanges):,} requests, "
              f"{len(analysis.findings):,} findings, shown {tab.model.rowCount():,}")
        print(describe("load ", load_gaps, load_s))
        if load_gaps:  # where the longest gap ended, to tell which stage of the load it was in
            worst_at = ticks.stamps[load_gaps.index(max(load_gaps)) + 1] - started
            print(f"       longest gap ended {worst_at:.2f} s after the drop")
        when = {name: f"{at - started:.2f} s" for name, (at, _n) in firsts.items()}
        early = f"{when['findings']} ({firsts['findings'][1]:,} failures)" if "findings" in firsts else "none"
        print(f"drop → first progress {when.get('progress', 'none')}, first findings {early}, "
              f"final table {when.get('final', 'none')}; CPU of the load "
              f"{used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime:.2f} s")

        # Switching to every request (the biggest table) and sorting it.
        ticks.start()
        started = time.perf_counter()
        tab.filters.all_requests.setChecked(True)
        tab.table.sortByColumn(2, QtCore.Qt.SortOrder.DescendingOrder)
        wait(300)
        print(describe("view ", ticks.stop(), time.perf_counter() - started))

        # Close: the analysis is freed.
        ticks.start()
        started = time.perf_counter()
        window.close_current()
        wait(1500)
        close_gaps = ticks.stop()
        print(describe("close", close_gaps, time.perf_counter() - started))
        window.close()

    worst = max(load_gaps + close_gaps)
    verdict = "within" if worst <= AIM_MS else "OVER"
    print(f"longest event-loop gap {worst:.1f} ms: {verdict} the {AIM_MS:.0f} ms aim")
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

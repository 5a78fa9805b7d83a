"""Command line: ``harcors [FILE...]`` opens the app; ``harcors analyze FILE...`` prints a report.

Exit status of ``analyze``: 0 no CORS failure, 1 at least one failure (for CI gates),
2 nothing could be read (one line on stderr naming the file and the problem).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Sequence

from harcors import __version__

EXIT_OK, EXIT_FAILURES, EXIT_UNREADABLE = 0, 1, 2

_EXAMPLES = """\
examples:
  harcors analyze session.har                 readable summary in the terminal
  harcors analyze session.har --format md -o bug.md
  harcors analyze a.har b.har.gz --format json --only fetch,xhr
  harcors analyze session.har --format sarif -o cors.sarif   # for code-scanning dashboards
"""


def _analyze_parser() -> argparse.ArgumentParser:
    from harcors.report.render import FORMATS

    p = argparse.ArgumentParser(
        prog="harcors analyze",
        description="Find requests a browser blocked by CORS in HAR files, and say how to fix the server.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="HAR files (.har, .json, .har.gz, .zip)")
    p.add_argument("--format", "-f", choices=FORMATS, default="table", help="report format (default: table)")
    p.add_argument("-o", "--output", metavar="OUT", help="write the report to OUT instead of stdout")
    p.add_argument(
        "--only", metavar="TYPES",
        help="only findings for these resource types, comma-separated (e.g. fetch,xhr)",
    )
    p.add_argument(
        "--stack", metavar="NAME",
        help="server stack for the suggested fix (default: detected); with --format json, 'all' lists "
        "every stack's fixes (by default only the chosen stack's and the page-side ones)",
    )
    p.add_argument(
        "--no-redact", action="store_true",
        help="keep cookies, Authorization and tokens in the report (redacted by default)",
    )
    p.add_argument("--errors-only", action="store_true", help="leave out warnings")
    return p


def analyze_main(argv: Sequence[str]) -> int:
    args = _analyze_parser().parse_args(argv)
    # A one-shot run builds hundreds of thousands of long-lived, acyclic objects; the cyclic GC
    # would walk the whole growing heap again and again for nothing (a fifth of the run on a
    # 450 MB HAR, with the same peak memory). Restored for in-process callers (tests).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyze(args)
    finally:
        if collecting:
            gc.enable()


def _analyze(args: argparse.Namespace) -> int:
    from harcors.analysis import analyze_file
    from harcors.fixes import ALL_STACKS
    from harcors.har import HarError
    from harcors.report.render import render

    only = {t.strip().lower() for t in args.only.split(",") if t.strip()} if args.only else None
    # The JSON document carries the fixes of one stack unless asked for all (21 stacks' snippets
    # for every finding made a 50,000-entry HAR's document 54 MB); the other formats show the
    # chosen stack in full and name the others, so they get every stack.
    fix_stack = (args.stack or None) if args.format == "json" else ALL_STACKS
    # The CLI is single-threaded, so the loader may fork a helper for a big file's second half.
    workers = 2 if (os.cpu_count() or 1) >= 2 else 1
    analyses = []
    for path in args.files:
        try:
            analysis = analyze_file(path, fix_stack=fix_stack, workers=workers)
        except HarError as exc:
            print(f"harcors: {exc}", file=sys.stderr)
            continue
        if analysis.entries_seen and len(analysis.skipped) == analysis.entries_seen:
            # Every entry was unreadable: nothing could be analysed, so this file counts as unread.
            first = analysis.skipped[0]
            print(
                f"harcors: {path}: none of its {analysis.entries_seen} entries could be read "
                f"(first: entry {first.index}: {first.reason})",
                file=sys.stderr,
            )
            continue
        if analysis.problem:
            print(f"harcors: {path}: {analysis.problem}", file=sys.stderr)
        if analysis.skipped:
            first = analysis.skipped[0]
            print(
                f"harcors: {path}: {len(analysis.skipped)} entries could not be read "
                f"(first: entry {first.index}: {first.reason})",
                file=sys.stderr,
            )
        if only is not None or args.errors_only:
            analysis.findings = [
                f for f in analysis.findings
                if (only is None or f.request.resource_type in only) and (f.is_error or not args.errors_only)
            ]
        analyses.append(analysis)
    if not analyses:
        return EXIT_UNREADABLE
    text = render(analyses, args.format, redact=not args.no_redact, stack=args.stack)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                out.write(text)
        except OSError as exc:
            print(f"harcors: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_UNREADABLE
    else:
        sys.stdout.write(text)
    return EXIT_FAILURES if any(a.errors for a in analyses) else EXIT_OK


def _gui_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="harcors",
        description="harcors: why the browser blocked your request, and what to change on the server.",
        epilog="Run 'harcors analyze --help' for the command-line report.",
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="HAR files to open, each in a tab")
    p.add_argument("--screenshot", metavar="OUT.png", help="render the window offscreen, save it, and quit")
    p.add_argument("--demo", action="store_true", help="open the bundled sample HAR")
    p.add_argument("--version", action="version", version=f"harcors {__version__}")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "analyze":
            return analyze_main(argv[1:])
        args = _gui_parser().parse_args(argv)
        from harcors.gui.app import run_app

        return run_app(args.files, screenshot=args.screenshot, demo=args.demo)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


def run() -> None:
    """The ``harcors`` command: :func:`main`, then exit.

    After ``analyze`` the process leaves with ``os._exit`` once its output is flushed: freeing a
    large analysis object by object (tens of thousands of Exchanges) only to exit costs a noticeable
    share of the run on a big HAR, and nothing is left to clean up (files are closed, no threads).
    """
    argv = sys.argv[1:]
    code = main(argv)
    if not (argv and argv[0] == "analyze"):
        raise SystemExit(code)
    try:
        with contextlib.suppress(BrokenPipeError):
            sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


if __name__ == "__main__":
    run()

"""A hostile HAR cannot inject markup, script or links into any report (issue 8, safety)."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from harcors.analysis import Analysis
from harcors.report.render import render

from .hostile import HOSTILE, benign, build, hostile

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class _Structure(HTMLParser):
    """Elements with their attributes, in document order; text is ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
        self.text: list[str] = []
        self.title = ""
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, tuple(attrs)))
        self._open = tag

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._open == "title":
            self.title += data


def _parse(html: str) -> _Structure:
    parser = _Structure()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> tuple[Analysis, Analysis]:
    tmp = tmp_path_factory.mktemp("hostile")
    return build(tmp, hostile, name="hostile"), build(tmp, benign, name="benign")


def _gfm(markdown: str) -> str:
    # UNSAFE passes raw HTML through, so any HTML the report emitted would show up as elements.
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


@pytest.mark.parametrize("redact", [True, False])
def test_markdown_structure_does_not_depend_on_har_strings(
    twins: tuple[Analysis, Analysis], redact: bool
) -> None:
    bad, good = (_parse(_gfm(render([a], "md", redact=redact))) for a in twins)
    tags = {tag for tag, _ in bad.elements}
    assert not tags & {"a", "img", "script", "iframe", "svg", "style", "input", "del", "blockquote"}
    # Prose puts URL-like tokens in code spans, so <code> may differ; nothing else may.
    strip = [e for e in bad.elements if e[0] != "code"]
    assert strip == [e for e in good.elements if e[0] != "code"]
    text = "".join(bad.text)
    assert "<script>document.title='PWNED-script'</script>" in text  # shown, as text
    assert "[click me](javascript:alert(1))" in text


_FORBIDDEN = {"a", "img", "script", "iframe", "svg", "input", "form", "object", "embed", "link", "base",
              "del", "blockquote"}


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_engine_findings_on_a_hostile_har_stay_inert(tmp_path: Path, fmt: str) -> None:
    """The engine and the fix catalog quote the traffic too: their findings must come out as text."""
    analysis = build(tmp_path, hostile, name="engine", engine=True)
    out = render([analysis], fmt, redact=False)
    doc = _parse(_gfm(out) if fmt == "md" else out)
    tags = [tag for tag, _ in doc.elements]
    assert not set(tags) & _FORBIDDEN
    assert tags.count("style") == (1 if fmt == "html" else 0)
    attributes = {name for _, attrs in doc.elements for name, _ in attrs}
    assert not {a for a in attributes if a.startswith("on")} | (attributes & {"href", "src", "style"})


def test_markdown_uses_long_enough_fences(twins: tuple[Analysis, Analysis]) -> None:
    md = render([twins[0]], "md")
    # The fix code holds a run of four backticks, so its fence needs five.
    assert "\n`````" in md


def test_html_autoescapes_everything(twins: tuple[Analysis, Analysis]) -> None:
    bad, good = (_parse(render([a], "html", redact=False)) for a in twins)
    assert bad.elements == good.elements
    assert "<script>document.title='PWNED-script'</script>" in "".join(bad.text)


@pytest.mark.live
@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (tools/dev test installs it)")
def test_html_in_headless_chromium(twins: tuple[Analysis, Analysis], tmp_path: Path) -> None:
    """Load both reports in a real browser without the page's CSP: no script runs, no element differs."""
    doms = []
    for name, analysis in zip(("hostile", "benign"), twins, strict=True):
        html = render([analysis], "html", redact=False)
        # The policy would block injected scripts on its own; the escaping must hold without it.
        html, n = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
        assert n == 1
        page = tmp_path / f"{name}.html"
        page.write_text(html, encoding="utf-8")
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-extensions", f"--user-data-dir={tmp_path / name}",
             "--virtual-time-budget=2000", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120, check=False,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        doms.append(_parse(proc.stdout))
    bad, good = doms
    # A script that ran would have renamed the page or added elements (img, svg, iframe ...).
    assert bad.title == good.title == "CORS report"
    assert bad.elements == good.elements
    text = "".join(bad.text)
    for payload in HOSTILE:
        first_line = " ".join(payload.split("\n")[0].split())
        assert first_line in " ".join(text.split()), payload

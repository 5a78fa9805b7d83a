"""The single-finding Markdown (the GUI's "Copy as Markdown"): one finding's section of the full
report, for a bug ticket, with the same redaction and escaping."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from harcors.analysis import Analysis, analyze_file
from harcors.report.markdown import finding_markdown
from harcors.report.redact import REDACTED
from harcors.report.render import render

from .factory import sample_analysis
from .hostile import HOSTILE, benign, build, hostile
from .test_hostile import _FORBIDDEN, _gfm, _parse
from .test_secrets import ALL_SECRETS, URL, _har, _leaks, _planted_finding

SAMPLES = Path(__file__).resolve().parents[2] / "sample_hars"


@pytest.fixture(scope="module")
def constructed() -> Analysis:
    return sample_analysis()


def _section(md: str, start: str, end: str) -> str:
    return md[md.index(start):md.index(end, md.index(start))]


def test_one_finding_without_the_summary(constructed: Analysis) -> None:
    f = constructed.findings[0]
    md = finding_markdown(constructed, f)
    assert "By rule" not in md and "By host" not in md
    assert "# CORS report" not in md and "What does not fix CORS" not in md
    # One heading for the whole finding, naming the request and the rule's title.
    assert md.startswith("## Blocked by CORS: ")
    heading = md.splitlines()[0]
    assert f"`{f.request.method} {f.request.url}`" in heading
    assert f.title.split()[0] in heading
    assert sum(line.startswith("## ") for line in md.splitlines()) == 1
    # The exact Chrome message, in a fence.
    assert f"```text\n{f.messages.chrome}\n```" in md
    assert "**What happened.**" in md and "### Headers that matter" in md and "| | Header | Value |" in md
    assert "### Reproduce with curl" in md and f"```sh\n{f.curl[0]}\n```" in md
    # Only the other findings' text is absent.
    for other in constructed.findings[1:]:
        assert other.title not in md
    footer = md.rstrip("\n").splitlines()[-1]
    assert footer.startswith("HAR file `") and constructed.info.producer in footer
    assert "`[redacted]`" in footer


def test_same_section_as_the_full_report(constructed: Analysis) -> None:
    f = constructed.findings[0]
    one = finding_markdown(constructed, f)
    full = render([constructed], "md")
    part = _section(one, "**Chrome** prints:", "### Suggested fix")
    assert part.replace("\n### ", "\n#### ") in full


def test_fix_for_the_chosen_stack(constructed: Analysis) -> None:
    f = constructed.findings[0]
    stacks = [x.stack for x in f.fixes]
    assert len(set(stacks)) >= 2, "the factory finding should carry fixes for two stacks"
    wanted = stacks[-1]
    fix = next(x for x in f.fixes if x.stack == wanted)
    md = finding_markdown(constructed, f, stack=wanted)
    assert f"### Suggested fix: `{wanted}`" in md
    assert fix.code.strip().splitlines()[0] in md
    # No CLI hint in a ticket pasted from the GUI.
    assert "harcors analyze --stack" not in md


def test_real_chrome_message() -> None:
    har = SAMPLES / "session-dashboard.har"
    if not har.exists():
        pytest.skip("sample HAR not recorded yet")
    analysis = analyze_file(har)
    f = next(x for x in analysis.findings if x.messages.chrome)
    md = finding_markdown(analysis, f)
    assert f.messages.chrome in md
    assert "`session-dashboard.har`" in md and str(har.parent) not in md


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    analysis = analyze_file(_har(tmp_path_factory.mktemp("secrets")))
    pre, req = analysis.exchanges
    return dataclasses.replace(analysis, findings=[*analysis.findings, _planted_finding(pre, req)])


def test_secrets_redacted_by_default(planted: Analysis) -> None:
    for f in planted.findings:
        md = finding_markdown(planted, f)
        assert _leaks(md) == []
        assert REDACTED in md
    heading = finding_markdown(planted, planted.findings[-1]).splitlines()[0]
    assert "token=[redacted]" in heading and URL not in heading


def test_unredacted_on_request(planted: Analysis) -> None:
    """The leak check above can fail: without redaction the planted secrets are there."""
    md = finding_markdown(planted, planted.findings[-1], redact=False).replace("\\", "")
    assert [s for s in ALL_SECRETS if s in md]
    assert "not redacted" in md


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> tuple[Analysis, Analysis]:
    tmp = tmp_path_factory.mktemp("hostile-one")
    return build(tmp, hostile, name="hostile"), build(tmp, benign, name="benign")


@pytest.mark.parametrize("redact", [True, False])
def test_hostile_strings_stay_text(twins: tuple[Analysis, Analysis], redact: bool) -> None:
    bad, good = (_parse(_gfm(finding_markdown(a, a.findings[-1], redact=redact))) for a in twins)
    assert not {tag for tag, _ in bad.elements} & _FORBIDDEN
    assert [e for e in bad.elements if e[0] != "code"] == [e for e in good.elements if e[0] != "code"]
    text = "".join(bad.text)
    assert HOSTILE[0] in text  # shown, as text


def test_long_enough_fences(twins: tuple[Analysis, Analysis]) -> None:
    # The fix code holds a run of four backticks, so its fence needs five.
    bad = twins[0]
    assert "\n`````" in finding_markdown(bad, bad.findings[-1])

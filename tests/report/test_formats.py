"""Each export format: valid against its schema, one row / result per finding, stable choices."""

from __future__ import annotations

import dataclasses
import io
import json
from functools import cache

import jsonschema
import pandas as pd
import pytest

from harcors.analysis import Analysis
from harcors.cors.model import Fix
from harcors.report.render import FORMATS, render
from harcors.report.sarif import entry_lines
from harcors.resources import resource_path

from .factory import analysis, missing_acao_finding, preflight_finding, sample_analysis


@cache
def _schema(name: str) -> dict:
    return json.loads(resource_path("schema", name).read_text(encoding="utf-8"))


def _empty() -> Analysis:
    return analysis([], path="clean.har")


@pytest.mark.parametrize("analyses", [[sample_analysis()], [_empty()], [sample_analysis(), _empty()]])
def test_sarif_validates_against_the_official_schema(analyses: list[Analysis]) -> None:
    doc = json.loads(render(analyses, "sarif"))
    jsonschema.Draft4Validator.check_schema(_schema("sarif-schema-2.1.0.json"))
    jsonschema.Draft4Validator(_schema("sarif-schema-2.1.0.json"),
                               format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER).validate(doc)
    assert doc["version"] == "2.1.0"


def test_sarif_one_result_per_finding_with_rules_and_locations() -> None:
    a = sample_analysis()
    run = json.loads(render([a], "sarif"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    assert len(run["results"]) == len(a.findings)
    for result, finding in zip(run["results"], a.findings, strict=True):
        assert result["ruleId"] == finding.rule
        assert rules[result["ruleIndex"]]["id"] == finding.rule
        assert result["level"] == ("error" if finding.is_error else "warning")
        loc = result["locations"][0]
        assert loc["physicalLocation"]["artifactLocation"]["uri"] == "session.har"
        logical = loc["logicalLocations"][0]
        assert logical["fullyQualifiedName"] == f"log.entries[{finding.request.index}]"
        assert logical["name"] == f"{finding.request.method} {finding.request.url}"
    for rule in rules:
        assert rule["shortDescription"]["text"]


def test_sarif_artifact_uri_for_absolute_paths() -> None:
    a = analysis([missing_acao_finding()], path="/home/dev/my captures/s.har")
    run = json.loads(render([a], "sarif"))["runs"][0]
    assert run["artifacts"][0]["location"]["uri"] == "file:///home/dev/my%20captures/s.har"


@pytest.mark.parametrize("analyses", [[sample_analysis()], [_empty()], [sample_analysis(), _empty()]])
def test_json_document_validates_against_its_schema(analyses: list[Analysis]) -> None:
    doc = json.loads(render(analyses, "json"))
    jsonschema.Draft202012Validator.check_schema(_schema("report.schema.json"))
    jsonschema.Draft202012Validator(_schema("report.schema.json")).validate(doc)
    assert isinstance(doc, list) == (len(analyses) > 1)


def test_json_keeps_the_published_keys() -> None:
    doc = json.loads(render([sample_analysis()], "json"))
    assert {"harcors", "source", "findings"} <= doc.keys()
    assert {"path", "creator", "entries", "skipped"} <= doc["source"].keys()
    f = doc["findings"][0]
    published = {"rule", "severity", "request", "preflight", "messages", "explanation", "fixes", "curl"}
    assert published <= f.keys()
    assert doc["redacted"] is True


def test_csv_one_row_per_finding() -> None:
    a = sample_analysis()
    frame = pd.read_csv(io.StringIO(render([a], "csv")))
    assert len(frame) == len(a.findings)
    assert list(frame["rule"]) == [f.rule for f in a.findings]
    assert list(frame["entry"]) == [f.request.index for f in a.findings]
    assert frame.loc[0, "preflight_entry"] == 3 and pd.isna(frame.loc[1, "preflight_entry"])


def test_csv_defuses_spreadsheet_formulas() -> None:
    f = dataclasses.replace(missing_acao_finding(), failed_parameter='=HYPERLINK("https://evil.example","x")',
                            root_cause="+cmd|' /C calc'!A0")
    frame = pd.read_csv(io.StringIO(render([analysis([f])], "csv")))
    assert frame.loc[0, "failed_parameter"].startswith("'=")
    assert frame.loc[0, "root_cause"].startswith("'+")


def test_csv_without_findings_has_the_header() -> None:
    out = render([_empty()], "csv")
    assert out.startswith("file,finding,severity,rule,") and out.count("\n") == 1


def test_stack_picks_the_fix() -> None:
    a = analysis([preflight_finding()])
    default = render([a], "md")
    assert "#### Suggested fix: `express`" in default and "Also available for: `nginx`" in default
    chosen = render([a], "md", stack="nginx")
    assert "#### Suggested fix: `nginx`" in chosen and "Also available for: `express`" in chosen
    missing = render([a], "md", stack="django")
    assert "#### Suggested fix: `express`" in missing and "No fix for the stack" in missing
    assert json.loads(render([a], "json", stack="nginx"))["stack"] == "nginx"


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown report format"):
        render([sample_analysis()], "pdf")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_names_each_file(fmt: str) -> None:
    out = render([sample_analysis(), analysis([missing_acao_finding()], path="second.har")], fmt)
    assert "session.har" in out and "second.har" in out


def test_html_is_self_contained() -> None:
    out = render([sample_analysis()], "html")
    assert out.startswith("<!DOCTYPE html>")
    assert "<script" not in out.lower() and "<link" not in out.lower()
    assert "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';" in out
    assert "prefers-color-scheme: dark" in out and "@media print" in out
    assert "<details" in out


def test_table_is_redacted_and_counts() -> None:
    out = render([sample_analysis()], "table")
    assert "2 blocked by CORS, 1 warning\n" in out
    assert "s3cr3t-session" not in out


def test_entry_lines_follow_the_json_structure(tmp_path) -> None:
    # "entries" also appears deeper (in pages) and in strings; only log.entries counts.
    doc = {"log": {"pages": [{"id": "p", "x": {"entries": [{"a": 1}]}}],
                   "entries": [{"u": 'a"{[\\ "entries": ['}, {"v": [{"w": 1}]}, {}], "version": "1.2"}}
    har = tmp_path / "t.har"
    har.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    text = har.read_text(encoding="utf-8").split("\n")
    lines = entry_lines(str(har))
    assert sorted(lines) == [0, 1, 2]
    assert text[lines[0]].strip().startswith('"u"')
    assert text[lines[1]].strip().startswith('"v"')
    assert text[lines[2] - 1].strip() == "{}"
    assert entry_lines(str(tmp_path / "missing.har")) == {}


def test_sarif_region_is_the_entry_line(tmp_path) -> None:
    f = missing_acao_finding()
    entries = [{"request": {"url": f"https://x.example/{i}"}} for i in range(f.request.index + 1)]
    har = tmp_path / "s.har"
    har.write_text(json.dumps({"log": {"entries": entries}}, indent=2), encoding="utf-8")
    run = json.loads(render([analysis([f], path=str(har))], "sarif"))["runs"][0]
    line = run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]
    text = har.read_text(encoding="utf-8").split("\n")
    assert f"/{f.request.index}\"" in text[line + 1]  # the '{' line, then "request", then its url


def test_all_variants_of_the_chosen_stack_share_notes_once() -> None:
    shared = "Shared paragraph about origins."
    f = dataclasses.replace(preflight_finding(), fixes=(
        Fix("nextjs", "Route handler", "export async function OPTIONS() {}", "js",
            f"{shared}\n\nOnly the handler."),
        Fix("nextjs", "Middleware", "export function middleware() {}", "js",
            f"{shared}\n\nOnly the middleware."),
        Fix("nginx", "nginx", "add_header X y;", "nginx", shared),
    ))
    md = render([analysis([f])], "md")
    assert md.count(shared) == 1
    assert "export async function OPTIONS" in md and "export function middleware" in md
    assert "Only the handler." in md and "Only the middleware." in md
    assert "Also available for: `nginx` (" in md
    html = render([analysis([f])], "html")
    assert "Fixes for other stacks (1)" in html


def test_a_fix_for_the_page_needs_no_stack() -> None:
    page_fix = Fix("any", "Remove the header", "fetch(url)", "js")
    f = dataclasses.replace(missing_acao_finding(), fixes=(page_fix,))
    md = render([analysis([f])], "md", stack="nginx")
    assert "#### Suggested fix\n" in md and "No fix for the stack" not in md

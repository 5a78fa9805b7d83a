"""The catalog is complete: every stack the issue names, every rule the engine registers, every kind."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from harcors.cors.rules import RULES
from harcors.fixes import SERVER_KINDS, STACKS
from harcors.fixes.catalog import CACHE_NAME, CLIENT_KINDS, cache_text, kind_texts, parse_files, rules, stacks
from harcors.fixes.coverage import coverage_table
from harcors.resources import resource_path

REQUIRED_STACKS = {
    "express", "nextjs", "flask", "fastify", "vercel", "netlify", "django", "fastapi", "nestjs", "nginx",
    "apache", "spring", "aspnet", "rails", "go-rs-cors", "go-gin", "aws-api-gateway", "s3",
    "cloudflare-workers", "laravel", "hono",
}


def test_every_stack_the_issue_names_is_in_the_catalog() -> None:
    assert set(stacks()) >= REQUIRED_STACKS
    assert len(stacks()) >= 20


def test_stack_picker_lists_each_stack_once_with_name_and_docs() -> None:
    ids = [s.id for s in STACKS]
    assert len(ids) == len(set(ids)) == len(stacks())
    for s in STACKS:
        assert s.name and s.docs.startswith("https://"), s.id


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_engine_rule_has_a_fix_entry_with_its_severity(rule_id: str) -> None:
    entry = rules().get(rule_id)
    assert entry is not None, f"resources/fixes/_rules.toml has no [rules.{rule_id}]"
    assert entry.severity == RULES[rule_id].severity.value
    assert entry.kind in SERVER_KINDS or entry.kind in CLIENT_KINDS


def test_catalog_names_no_rule_the_engine_lacks() -> None:
    assert set(rules()) <= set(RULES)


def test_every_kind_has_title_and_summary() -> None:
    assert set(kind_texts()) == set(SERVER_KINDS) | set(CLIENT_KINDS)
    for kind, text in kind_texts().items():
        assert text.title and text.summary, kind
        if text.server_kind:
            assert text.server_kind in SERVER_KINDS


@pytest.mark.parametrize("stack_id", sorted(REQUIRED_STACKS))
def test_every_stack_says_what_matters_for_each_kind(stack_id: str) -> None:
    stack = stacks()[stack_id]
    missing = [k for k in SERVER_KINDS if not stack.kind_notes.get(k, "").strip()]
    assert not missing, f"{stack_id}.toml lacks [kind.*] notes for {missing}"
    for variant in stack.variants:
        assert set(variant.skip) <= set(SERVER_KINDS), variant.id
    assert any(not v.skip for v in stack.variants), "every stack needs a variant that fixes every kind"


def test_live_proof_stacks_have_one_variant() -> None:
    # tests/fixes/test_live_proof.py pastes the one fix a proof stack renders into its server.
    proof = {s.id: s for s in stacks().values() if s.proof_variant}
    assert set(proof) == {"flask", "fastapi", "django", "express", "fastify", "nginx"}
    for stack in proof.values():
        assert [v.id for v in stack.variants] == [stack.proof_variant]


def test_coverage_doc_is_current() -> None:
    doc = resource_path("..", "docs", "fix-coverage.md")
    if not doc.exists():  # an installed wheel carries no docs/
        pytest.skip("docs/ is not shipped with the package")
    assert doc.read_text(encoding="utf-8") == coverage_table(), (
        "docs/fix-coverage.md is stale: python -m harcors.fixes.coverage > docs/fix-coverage.md"
    )


def test_parsed_catalog_cache_is_current() -> None:
    # Stale, it would only cost start-up time (parse_files falls back to the TOML files), but
    # regenerate it with the command in harcors/fixes/catalog.py's docstring.
    folder = resource_path("fixes")
    assert (folder / CACHE_NAME).read_text(encoding="utf-8") == cache_text(folder)


def test_parsed_catalog_cache_is_used_only_while_it_matches_the_toml(tmp_path: Path) -> None:
    for path in resource_path("fixes").glob("*.toml"):
        shutil.copy(path, tmp_path)
    shutil.copy(resource_path("fixes", CACHE_NAME), tmp_path)
    parsed = {p.name: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(tmp_path.glob("*.toml"))}
    assert parse_files(tmp_path) == parsed
    assert [list(d) for d in parse_files(tmp_path).values()] == [list(d) for d in parsed.values()]
    express = tmp_path / "express.toml"
    express.write_text(express.read_text(encoding="utf-8").replace('name = "Express"', 'name = "Edited"'),
                       encoding="utf-8")
    assert parse_files(tmp_path)["express.toml"]["name"] == "Edited"
    (tmp_path / CACHE_NAME).write_text("{not json", encoding="utf-8")
    assert parse_files(tmp_path)["express.toml"]["name"] == "Edited"

"""Rendered fixes answer the failure with the traffic's values, on every stack, and stay safe."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess

import pytest

from fixes.factory import PAGE, finding
from harcors.cors.model import Fix
from harcors.fixes import ANY_STACK, SERVER_KINDS, fixes_for, kind_of
from harcors.fixes.catalog import rules, stacks
from harcors.fixes.coverage import example_finding, possible_kinds
from harcors.fixes.render import render

ALL_STACKS = sorted(stacks())
ERROR_RULES = sorted(r for r, e in rules().items() if e.severity == "error")


def _on(stack: str, fixes: tuple[Fix, ...]) -> list[Fix]:
    return [f for f in fixes if f.stack == stack]


@pytest.mark.parametrize("stack", ALL_STACKS)
@pytest.mark.parametrize("rule", ERROR_RULES)
def test_every_error_rule_has_a_fix_for_every_stack(rule: str, stack: str) -> None:
    for kind in possible_kinds(rule):
        f = example_finding(rule, kind)
        assert kind_of(f) == kind
        fixes = fixes_for(f, stack)
        assert fixes, f"{rule} ({kind}) has no fix on {stack}"
        if kind in SERVER_KINDS:
            mine = _on(stack, fixes)
            assert mine and all(x.code and x.title and x.notes for x in mine)
        else:
            assert any(x.stack == ANY_STACK for x in fixes)


CREDENTIAL_WILDCARD = re.compile(
    r"""(["'])\*\1"""  # a quoted "*" anywhere in the snippet (origin, headers or methods)
    r"|Allow-Origin\W+\*|AllowAnyOrigin|AllowAllOrigins|CORS_ALLOW_ALL_ORIGINS|origin:\s*true\b"
    r"|origins\s*\(?\s*['\"]\*",
)


def test_no_fix_ever_pairs_a_wildcard_with_credentials() -> None:
    scanned = 0
    for rule in rules():
        for kind in possible_kinds(rule):
            for f in fixes_for(example_finding(rule, kind, credentials=True)):
                scanned += 1
                assert not CREDENTIAL_WILDCARD.search(f.code), f"{rule}/{kind} on {f.stack}:\n{f.code}"
    assert scanned > 500


def _code(fix: Fix) -> str:
    """The snippet with Apache's regex escapes undone, so origins can be searched for."""
    return fix.code.replace("\\.", ".") if fix.stack == "apache" else fix.code


def test_missing_origin_lists_the_real_origin_on_every_stack() -> None:
    f = finding("missing-allow-origin", origin="https://shop.example:8443")
    for fix in fixes_for(f):
        assert "https://shop.example:8443" in _code(fix), fix.stack


def test_wildcard_with_credentials_gets_exact_origin_and_credentials() -> None:
    f = finding("wildcard-with-credentials", credentials=True, response={"Access-Control-Allow-Origin": "*"})
    credential_markers = re.compile(r"credentials", re.IGNORECASE)
    for fix in fixes_for(f):
        assert PAGE in _code(fix), fix.stack
        if fix.stack != "s3":  # S3 has no switch: it answers credentials for a listed origin (its note)
            assert credential_markers.search(fix.code), fix.stack
    assert "Access-Control-Allow-Credentials: true" in fixes_for(f, "s3")[0].notes


def test_method_rejection_adds_exactly_that_method() -> None:
    f = finding("method-not-allowed", method="DELETE", preflight_status=204,
                preflight_response={"Access-Control-Allow-Origin": PAGE,
                                    "Access-Control-Allow-Methods": "GET, PUT"})
    for fix in fixes_for(f):
        assert "DELETE" in fix.code.upper(), fix.stack
        assert "PUT" in fix.code.upper(), f"{fix.stack} dropped a method the server already allowed"
        assert "PATCH" not in fix.code.upper(), f"{fix.stack} allowed a method nobody asked for"
    assert fixes_for(f, "express")[0].title.startswith("Allow the method DELETE")


def test_header_rejection_adds_exactly_those_headers() -> None:
    f = finding("header-not-allowed", method="POST", headers=("Content-Type", "X-Trace-Id"),
                preflight_status=204, preflight_response={"Access-Control-Allow-Origin": PAGE})
    for fix in fixes_for(f):
        code = fix.code.lower()
        assert "x-trace-id" in code, fix.stack
        if fix.stack != "django":  # content-type is in django-cors-headers' defaults, which the fix keeps
            assert "content-type" in code, fix.stack
    assert "x-trace-id" in fixes_for(f, "express")[0].title


def test_lower_case_patch_is_allowed_upper_case_and_the_page_told_to_send_it_so() -> None:
    f = finding("method-not-allowed", method="patch", preflight_status=204,
                preflight_response={"Access-Control-Allow-Origin": PAGE})
    fix = fixes_for(f, "express")[0]
    assert "'PATCH'" in fix.code and "'patch'" not in fix.code
    assert "send it as PATCH" in fix.title and "in lower case" in fix.notes


def test_preflight_401_moves_cors_before_auth() -> None:
    f = finding("preflight-status", method="PUT", headers=("Authorization",), preflight_status=401)
    assert kind_of(f) == "preflight-auth"
    for fix in fixes_for(f):
        assert "OPTIONS" in fix.title and "authentication" in fix.title, fix.stack
    assert "authenticate" in fixes_for(f, "flask")[0].code  # the hook that lets OPTIONS through
    assert "OPTIONS Allowlist" in fixes_for(f, "vercel")[0].notes


@pytest.mark.parametrize("status", [404, 405, 500])
def test_preflight_404_405_500_adds_options_handling(status: int) -> None:
    f = finding("missing-allow-origin", method="PUT", preflight_status=status)
    assert kind_of(f) == "preflight-route"
    nextjs = fixes_for(f, "nextjs")
    assert any("export async function OPTIONS" in x.code for x in nextjs)
    assert "return 204;" in fixes_for(f, "nginx")[0].code
    assert "RewriteCond %{REQUEST_METHOD} OPTIONS" in fixes_for(f, "apache")[0].code


def test_redirect_names_the_url_to_call_instead() -> None:
    f = finding("preflight-redirect", method="PUT", url="http://api.test/api/items", preflight_status=308,
                redirect_url="https://api.test/api/items/")
    for fix in fixes_for(f):
        assert fix.title.startswith("Call https://api.test/api/items/ directly"), fix.stack
    assert "app.UseHttpsRedirection();" not in fixes_for(f, "aspnet")[0].code.replace("// app.", "")


def test_error_response_adds_headers_on_errors() -> None:
    f = finding("missing-allow-origin", method="GET", status=500)
    assert kind_of(f) == "error-response"
    assert fixes_for(f, "nginx")[0].code.count(" always;") >= 4
    assert "Header always set" in fixes_for(f, "apache")[0].code
    assert "except Exception" in fixes_for(f, "fastapi")[0].code
    # the same rule on a 200 needs no error handler
    assert "except Exception" not in fixes_for(finding("missing-allow-origin"), "fastapi")[0].code


def test_env_var_pattern_where_the_stack_supports_it() -> None:
    fixes = fixes_for(finding("missing-allow-origin"))
    with_env = {f.stack for f in fixes if "ALLOWED_ORIGINS" in f.code}
    assert with_env >= set(ALL_STACKS) - {"nginx", "apache", "s3"}
    for fix in fixes:
        if "ALLOWED_ORIGINS" in fix.code:
            splits = re.search(r"split\(|Split\(|explode\(|List<String>|String\[\]", fix.code)
            assert splits, fix.stack


def test_dynamic_origin_comes_with_vary_origin() -> None:
    f = finding("missing-vary-origin", severity=_warning(), response={"Access-Control-Allow-Origin": PAGE})
    for fix in fixes_for(f):
        assert "Vary" in fix.code or "Vary: Origin" in fix.notes, fix.stack


def test_hostile_origin_is_not_written_into_code() -> None:
    f = finding("missing-allow-origin", origin="'); DROP TABLE users; --")
    for fix in fixes_for(f):
        assert "DROP" not in fix.code, fix.stack
        assert "https://app.example.com" in _code(fix)
        assert "replace it with the origin your page is served from" in fix.notes


HOSTILE_HEADER = "x-it's`id`|x&y%z"  # a valid header name (an RFC 9110 token) full of quote characters


def test_hostile_header_name_stays_inside_literals() -> None:
    f = finding("header-not-allowed", method="PUT", headers=(HOSTILE_HEADER,), preflight_status=204,
                preflight_response={"Access-Control-Allow-Origin": PAGE})
    fixes = fixes_for(f)
    python = [x for x in fixes if x.language == "python"]
    assert len(python) == 3
    for fix in python:
        tree = ast.parse(fix.code)  # still valid Python
        strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
        assert HOSTILE_HEADER in strings, fix.stack
    for fix in (x for x in fixes if x.language == "json"):
        json.loads(fix.code)
    node = shutil.which("node")
    assert node, "node is needed to check the JavaScript fixes: run tools/proof/setup.sh"
    for fix in (x for x in fixes if x.language == "js" and x.stack in ("express", "fastify")):
        stubs = "const app = { use() {} }; const fastify = { register() {} };"
        src = f"(async () => {{ {stubs}\n{fix.code}\n}})"
        result = subprocess.run([node, "--check", "-"], input=src, capture_output=True, text=True)
        assert result.returncode == 0, f"{fix.stack}: {result.stderr}"


def test_templates_cannot_print_a_value_unquoted() -> None:
    with pytest.raises(TypeError, match="without a quoting filter"):
        render("origin = {{ origin }}", {"origin": "x"})
    assert render("origin = {{ origin|py }}", {"origin": "x"}) == 'origin = "x"'


def test_fixes_for_one_stack_or_all_with_the_likely_first() -> None:
    f = finding("missing-allow-origin", response={"Server": "Kestrel"})
    everything = fixes_for(f)
    assert everything[0].stack == "aspnet"
    assert {x.stack for x in everything} == set(ALL_STACKS)
    assert {x.stack for x in fixes_for(f, "django")} == {"django"}
    with pytest.raises(KeyError):
        fixes_for(f, "cobol")


def test_client_only_rules_get_one_stack_independent_fix() -> None:
    f = finding("disallowed-scheme", url="file:///home/me/data.json", origin="null")
    fixes = fixes_for(f)
    assert [x.stack for x in fixes] == [ANY_STACK]
    assert "http.server" in fixes[0].code


def test_secret_bearing_url_parts_never_reach_a_fix() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    url = f"https://bob:hunter2@api.test/v1/orders/{jwt}/items?token=Secret123"
    for rule in ("missing-allow-origin", "no-cors-opaque", "same-origin-mode"):
        for fix in fixes_for(finding(rule, url=url, severity=_warning())):
            text = fix.title + fix.code + fix.notes
            for secret in ("hunter2", "Secret123", jwt.split(".")[1]):
                assert secret not in text, (rule, fix.stack)
    nextjs = fixes_for(finding("missing-allow-origin", url=url), "nextjs")[0]
    assert "app/v1/orders/[id]/items/route.ts" in nextjs.code


def _warning():
    from harcors.cors.model import Severity

    return Severity.WARNING


def test_plain_templates_render_as_jinja_would() -> None:
    # render() skips Jinja for a template with no "{" (a third of the catalog's notes); whitespace
    # at the ends and runs of blank lines are still handled as for a compiled one.
    from harcors.fixes import render as module
    from harcors.fixes.catalog import kind_texts

    sources = {text for s in stacks().values()
               for text in (*s.kind_notes.values(), *(v.notes for v in s.variants))}
    sources |= {k.notes for k in kind_texts().values()}
    plain = sorted(s for s in sources if s and module._is_plain(s))
    plain += ["\n  two spaces, trailing blanks  \n\n\n\n\nand a run of blank lines\n\n", "x\n"]
    assert len(plain) > 20
    for source in plain:
        assert render(source, {}) == module._tidy(module._template(source).render({}))

"""The fix stage's shortcuts (memoised templates, grouped origins, the proxy pre-check) change nothing."""

from __future__ import annotations

import pytest

from harcors.fixes import attach_fixes, fixes_for
from harcors.fixes import render as fix_render
from harcors.fixes.detect import detect_stacks
from harcors.fixes.workarounds import cors_proxy_host
from harcors.har.model import origin_of

from .factory import API, exchange, finding


def _code(origin: str, stack: str = "express") -> str:
    return "\n".join(f.code for f in fixes_for(finding("missing-allow-origin", origin=origin), stack=stack))


def test_a_memoised_template_never_shows_another_findings_origin() -> None:
    first = _code("http://one.test:3000")
    second = _code("http://two.test:4000")
    assert "http://one.test:3000" in first and "http://two.test:4000" not in first
    assert "http://two.test:4000" in second and "http://one.test:3000" not in second
    assert _code("http://one.test:3000") == first  # the memoised text is the rendered one


def test_memo_key_tells_true_from_one() -> None:
    # True == 1 and hash(True) == hash(1): the key carries each value's type as well.
    source = "{{ value | js }}"
    assert fix_render.render(source, {"value": 1}) == "1"
    assert fix_render.render(source, {"value": True}) == "true"


def test_memo_is_bounded() -> None:
    for i in range(fix_render._RENDERED_MAX + 10):
        fix_render.render("{{ n }}", {"n": i})
    assert len(fix_render._RENDERED) <= fix_render._RENDERED_MAX


def test_attach_fixes_gives_each_finding_its_own_values() -> None:
    found = [finding("missing-allow-origin", origin=f"http://page{i}.test", url=f"{API}/v{i}/items")
             for i in range(3)]
    out = attach_fixes(found, [f.request for f in found], stack="express")
    for i, f in enumerate(out):
        code = "\n".join(x.code for x in f.fixes)
        assert f"http://page{i}.test" in code
        assert all(f"http://page{j}.test" not in code for j in range(3) if j != i)


@pytest.mark.parametrize("url", [
    "https://api.example.com/x", "HTTPS://API.Example.COM:443/x", "http://a/b/c", "ws://h:80/s",
    "https://user:pw@host.example/x", "https://host.example?q=/x", "https://host.example#/x",
    "https://h\\evil.example/x", "https://host.example", "http://[::1]:8080/x", "data:text/plain,x",
    "https://host.example:99999/x", "blob:https://app.example/uuid", "https://h.example/x\u00e9",
])
def test_grouping_by_target_origin_is_origin_of(url: str) -> None:
    exchanges = [exchange("GET", url, response={"Server": "nginx"})]
    expected = origin_of(url)
    assert set(detect_stacks(exchanges)) == ({expected} if expected else set())
    assert set(detect_stacks(exchanges, {expected})) == ({expected} if expected else set())
    assert detect_stacks(exchanges, {"https://elsewhere.example"}) == {}


@pytest.mark.parametrize(("url", "host"), [
    ("https://cors-anywhere.herokuapp.com/https://api.example/x", "cors-anywhere.herokuapp.com"),
    ("https://api.CorsProxy.io/?u=1", "api.corsproxy.io"),
    ("https://mirror.example/https://api.example/x", "mirror.example"),
    ("https://mirror.example/%68ttps://api.example/x", "mirror.example"),
    ("https://mirror.example/ht\ttps://api.example/x", "mirror.example"),  # urlsplit drops the tab
    ("https://my-proxy.example/fetch?url=https://api.example/x", "my-proxy.example"),
    ("https://api.example/v1/items/7", None),
    ("https://api.example/v1/items?next=2", None),
])
def test_proxy_precheck_agrees_with_the_full_test(url: str, host: str | None) -> None:
    assert cors_proxy_host(url) == host


def test_proxy_hints_cover_every_known_proxy() -> None:
    from harcors.fixes import workarounds

    for known in workarounds._KNOWN_PROXIES:
        assert any(hint in known for hint in workarounds._PROXY_HINTS), known


@pytest.mark.parametrize("reverse", [False, True])
def test_evidence_keeps_the_order_lines_were_first_seen_in(reverse: bool) -> None:
    lines = [{"Server": "Kestrel", "Date": "1"}, {"x-aspnet-version": "4.0", "Date": "2"},
             {"Server": "Kestrel", "Date": "3"}, {"X-ASPNET-VERSION": "4.0"}]
    if reverse:
        lines.reverse()
    exchanges = [exchange("GET", f"{API}/{i}", response=h) for i, h in enumerate(lines)]
    evidence = detect_stacks(exchanges)[API].evidence
    expected = ["Server: Kestrel (ASP.NET Core's Kestrel server)", "x-aspnet-version: 4.0 (ASP.NET)",
                "X-ASPNET-VERSION: 4.0 (ASP.NET)"]  # each spelling of a line is evidence of its own
    if reverse:
        expected = [expected[2], expected[0], expected[1]]
    assert list(evidence) == expected


def test_memo_key_holds_every_variable_each_catalog_template_reads() -> None:
    import jinja2.meta

    from harcors.fixes.catalog import kind_texts, stacks

    sources = {text for k in kind_texts().values() for text in (k.title, k.notes, k.client_code)}
    for stack in stacks().values():
        sources |= set(stack.kind_notes.values())
        sources |= {text for v in stack.variants for text in (v.code, v.notes)}
    env = fix_render.environment()
    for source in sources - {""}:
        if not fix_render._is_plain(source):
            read = jinja2.meta.find_undeclared_variables(env.parse(source))
            assert read <= set(fix_render._used_names(source)), source[:60]

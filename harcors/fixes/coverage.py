"""The rule × stack coverage table, generated from the catalog (``docs/fix-coverage.md``).

Regenerate with ``python -m harcors.fixes.coverage > docs/fix-coverage.md``; tests/fixes checks the
committed file is current. Each cell is rendered for real, not read off the catalog's keys: a rule
counts as covered on a stack when every kind of fix the rule can need renders a fix for it.
"""

from __future__ import annotations

import sys

from harcors.cors.model import Finding, Messages, Severity
from harcors.fixes.catalog import CLIENT_KINDS, kind_texts, rules, stacks
from harcors.fixes.render import ANY_STACK, render_fixes
from harcors.har.model import Exchange, Headers, Initiator

_PAGE = "https://app.example.com"
_URL = "https://api.example.com/api/items"

# For a rule whose kind depends on the failing response, the responses that lead to each kind.
_SHAPES: dict[str, tuple[int | None, int, str]] = {
    # kind: (preflight status or None for no preflight, request status, redirect target)
    "allow-origin": (None, 200, ""),
    "error-response": (None, 500, ""),
    "preflight-auth": (401, 0, ""),
    "preflight-route": (404, 0, ""),
    "redirect": (301, 0, _URL + "/"),
}


def possible_kinds(rule: str) -> tuple[str, ...]:
    """Every kind of fix a rule can need, the rule's own first."""
    entry = rules()[rule]
    if not entry.refine:
        return (entry.kind,)
    extra = ["redirect", "preflight-auth", "preflight-route"]
    if entry.kind == "allow-origin":
        extra.append("error-response")
    return tuple(dict.fromkeys([entry.kind, *extra]))


def example_finding(rule: str, kind: str, *, credentials: bool = True) -> Finding:
    """A finding for ``rule`` shaped so that it needs ``kind``: a PUT with a custom header."""
    pre_status, status, location = _SHAPES.get(kind, (204, 200, ""))
    if rules()[rule].stage == "preflight" and pre_status is None:
        pre_status = 204
    request_headers = Headers([("Origin", _PAGE), ("X-Request-Id", "1"), ("Cookie", "s=1")])
    pre = None
    if pre_status is not None:
        pre = Exchange(
            index=0, started=None, method="OPTIONS", url=_URL,
            request_headers=Headers([("Origin", _PAGE), ("Access-Control-Request-Method", "PUT"),
                                     ("Access-Control-Request-Headers", "x-request-id")]),
            response_headers=Headers([("Location", location)] if location else []),
            status=pre_status, resource_type="preflight", initiator=Initiator("preflight", _URL),
            redirect_url=location,
        )
    request = Exchange(
        index=1, started=None, method="PUT", url=_URL, request_headers=request_headers,
        response_headers=Headers(), status=status, resource_type="fetch",
    )
    return Finding(
        rule=rule, severity=Severity.ERROR if rules()[rule].severity == "error" else Severity.WARNING,
        request=request, preflight=pre, messages=Messages(chrome=""), title=rule, explanation="",
        page_origin=_PAGE, credentials=credentials, needed_headers=("x-request-id",),
    )


def cell(rule: str, stack_id: str) -> str:
    """"✓" when every kind of fix the rule can need renders on the stack; "page" for page-only fixes."""
    marks = set()
    for kind in possible_kinds(rule):
        fixes = render_fixes(example_finding(rule, kind), [stack_id])
        on_stack = any(f.stack == stack_id and f.code for f in fixes)
        on_page = any(f.stack == ANY_STACK for f in fixes)
        if kind in CLIENT_KINDS:
            marks.add("page + ✓" if on_stack else "page" if on_page else "—")
        else:
            marks.add("✓" if on_stack else "—")
    return "—" if "—" in marks else " / ".join(sorted(marks))


def coverage_table() -> str:
    catalog = stacks()
    lines = [
        "# Fix coverage",
        "",
        "Generated from `resources/fixes/` by `python -m harcors.fixes.coverage`; do not edit by hand.",
        "",
        "✓: the stack has a fix, rendered with the request's values, for every kind of failure the rule",
        "covers (e.g. `missing-allow-origin` on a preflight answered 401 needs \"let OPTIONS through",
        "authentication\", on a 500 \"add CORS headers to error responses\"). *page*: only the page can",
        "fix it (the same advice whatever the server runs); *page + ✓*: the page changes and the server",
        "must then allow the origin. **Bold** stacks are proven live: tests/fixes/test_live_proof.py",
        "starts that server with the rendered fix for every fixable error in `sample_hars/` and",
        "replays the browser's requests until harcors finds no failure.",
        "",
        "| rule | kinds of fix | "
        + " | ".join(f"**`{s.id}`**" if s.proof_variant else f"`{s.id}`" for s in catalog.values()) + " |",
        "|---|---|" + "---|" * len(catalog),
    ]
    ordered = sorted(rules().values(), key=lambda e: (e.severity != "error", e.rule))
    for entry in ordered:
        rule = entry.rule
        label = f"`{rule}`" + (" (warning)" if entry.severity != "error" else "")
        kinds = ", ".join(possible_kinds(rule))
        lines.append(f"| {label} | {kinds} | " + " | ".join(cell(rule, s) for s in catalog) + " |")
    lines += [
        "",
        "## Stacks",
        "",
        "| id | stack | package | ways to fix it |",
        "|---|---|---|---|",
    ]
    for stack in catalog.values():
        variants = "; ".join(v.title for v in stack.variants)
        lines.append(f"| `{stack.id}` | [{stack.name}]({stack.docs}) | {stack.package} | {variants} |")
    lines += ["", "## Kinds of fix", ""]
    lines += [f"- `{kind}`: {text.summary}" for kind, text in kind_texts().items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(coverage_table())

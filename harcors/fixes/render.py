"""Render the catalog's templates for one finding: the snippet to paste, filled with the real values."""

from __future__ import annotations

import dataclasses
import functools
import re
from functools import cache
from typing import TYPE_CHECKING

from harcors.cors.model import Finding, Fix
from harcors.fixes import quoting
from harcors.fixes.catalog import CLIENT_KINDS, Stack, kind_texts, section, stacks
from harcors.fixes.context import FixContext, build_context

if TYPE_CHECKING:
    import jinja2

#: The ``stack`` of a fix that does not depend on the server stack (the page must change).
ANY_STACK = "any"


def _finalize(value: object) -> object:
    # Only quoted literals and numbers may reach the output: a bare str would be a value from the
    # HAR (or a template slip) printed without escaping for the target language.
    if isinstance(value, quoting.Literal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"template printed {value!r} without a quoting filter (js, py, md, ...)")


def _md(value: object) -> quoting.Literal:
    """Inline Markdown code: one line, backticks removed (they would end the code span)."""
    text = quoting.one_line(value).replace("`", "'")
    return quoting.Literal(f"`{text}`")


def _text(value: object) -> quoting.Literal:
    """Plain one-line text (titles)."""
    return quoting.Literal(quoting.one_line(value))


def _qlist(values: object, language: str, sep: str = ", ") -> quoting.Literal:
    """Each value quoted for ``language`` and joined: the inside of a list literal."""
    return quoting.quoted_list(values or (), quoting.LANGUAGE_FILTERS[language], sep)  # type: ignore[arg-type]


@cache
def environment() -> jinja2.Environment:
    # Imported on the first template with a tag: 20 ms of every start-up otherwise, and a HAR
    # without findings (or whose fixes are all plain text) renders none.
    import jinja2

    env = jinja2.Environment(
        autoescape=False,  # the output is code, not HTML; values are quoted per language instead
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(quoting.LANGUAGE_FILTERS)
    env.filters.update(md=_md, text=_text, qlist=_qlist, regex=quoting.regex)
    return env


@cache
def _compiled(source: str) -> tuple[jinja2.Template, tuple[str, ...]]:
    """The template, and the variables it may read: its output depends on nothing else (the filters
    are pure). Parsed once for both (a cold CLI run compiles a dozen templates). Every name the
    template loads is a superset of the context variables it reads (its own loop and ``set``
    names are in it too), which is all the render cache's key needs, and costs far less than
    ``jinja2.meta.find_undeclared_variables`` (a code generator's pass over the template)."""
    from jinja2.nodes import Name

    env = environment()
    tree = env.parse(source)
    names = tuple(sorted({node.name for node in tree.find_all(Name) if node.ctx == "load"}))
    return env.from_string(tree), names


def _template(source: str) -> jinja2.Template:
    return _compiled(source)[0]


def _is_plain(source: str) -> bool:
    """No tag, expression or comment (all start with "{"), no "\r" (Jinja's lexer would rewrite it):
    Jinja gives such a template back as it is, less one final newline, which _render strips anyway.
    Half the notes are plain, and compiling a template costs 1-2 ms."""
    return "{" not in source and "\r" not in source


def _used_names(source: str) -> tuple[str, ...]:
    return () if _is_plain(source) else _compiled(source)[1]


_MISSING = object()
# Bounded: a HAR's findings have a few hundred distinct contexts, each a handful of templates.
_RENDERED: dict[tuple[object, ...], str] = {}
_RENDERED_MAX = 8192


def render(source: str, variables: dict[str, object]) -> str:
    # Hot path: every template of every fix of every finding. Findings differ in values most
    # templates never print (the status, one of the URLs...), so the text is kept per template and
    # the values it reads; a value's type is part of the key (True == 1 would share an entry).
    key = (source, *((type(v), v) for v in (variables.get(n, _MISSING) for n in _used_names(source))))
    try:
        text = _RENDERED.get(key)
    except TypeError:  # an unhashable value: rendered every time
        return _render(source, variables)
    if text is None:
        text = _render(source, variables)
        if len(_RENDERED) >= _RENDERED_MAX:
            _RENDERED.clear()
        _RENDERED[key] = text
    return text


def _render(source: str, variables: dict[str, object]) -> str:
    return _tidy(source if _is_plain(source) else _template(source).render(variables))


def _tidy(text: str) -> str:
    """No blank lines at the ends, no spaces at line ends, at most two blank lines in a row."""
    text = "\n".join(line.rstrip() for line in text.strip("\n").splitlines())
    return re.sub(r"\n{4,}", "\n\n\n", text)


def _join_notes(*parts: str) -> str:
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def _context_notes(ctx: FixContext) -> str:
    if ctx.origin_from_traffic:
        return ""
    return section("placeholder_origin").format(seen=ctx.seen_origin or "none")


def render_stack(ctx: FixContext, stack: Stack) -> tuple[Fix, ...]:
    """The fixes for one server stack: one per variant that can fix this kind."""
    try:
        return _render_stack(ctx, stack.id)
    except quoting.UnsafeValue:  # a value from the traffic this stack's syntax cannot write literally
        return ()


# Busy HARs repeat the same failure (polling, retries): identical contexts render once. Sized for
# every stack's fixes (21) of a few hundred distinct contexts (the 50,000-entry HAR has 299).
@functools.lru_cache(maxsize=16384)
def _render_stack(ctx: FixContext, stack_id: str) -> tuple[Fix, ...]:
    stack = stacks()[stack_id]
    kind = kind_texts()[ctx.kind]
    variables = {**ctx.variables(), "stack_name": stack.name, "stack_id": stack.id}
    title = render(kind.title, variables)
    shared = _join_notes(render(kind.notes, variables), render(stack.kind_notes.get(ctx.kind, ""), variables),
                         _context_notes(ctx))
    fixes = []
    usable = [v for v in stack.variants if ctx.kind not in v.skip]
    for variant in usable:
        name = stack.name if len(usable) == 1 else f"{stack.name} — {variant.title}"
        fixes.append(
            Fix(
                stack=stack.id,
                title=f"{title} ({name})",
                code=render(variant.code, {**variables, "variant": variant.id}),
                language=variant.language,
                notes=_join_notes(shared, render(variant.notes, variables)),
            )
        )
    return tuple(fixes)


def render_client(ctx: FixContext) -> tuple[Fix, ...]:
    """Fixes only the page can make: one, the same for every server stack."""
    kind = kind_texts()[ctx.kind]
    variables = ctx.variables()
    return (
        Fix(
            stack=ANY_STACK,
            title=render(kind.title, variables),
            code=render(kind.client_code, variables) if kind.client_code else "",
            language=kind.client_language,
            notes=_join_notes(render(kind.notes, variables), _context_notes(ctx)),
        ),
    )


def render_fixes(finding: Finding, order: list[str]) -> tuple[Fix, ...]:
    """Fixes for ``finding`` on the stacks in ``order`` (catalog ids), in that order."""
    ctx = build_context(finding)
    out: list[Fix] = []
    if ctx.kind in CLIENT_KINDS:
        out.extend(render_client(ctx))
        follow_up = kind_texts()[ctx.kind].server_kind
        if not follow_up:
            return tuple(out)
        # The page's change alone does not make the request pass: the server must then allow it.
        ctx = dataclasses.replace(ctx, kind=follow_up)
    catalog = stacks()
    for stack_id in order:
        out.extend(render_stack(ctx, catalog[stack_id]))
    return tuple(out)

"""One level of the page's own functions: a wrapper whose parameters flow into the call it makes.

Real code wraps ``fetch`` / XHR / axios in small functions::

    function xhr(method, url, withCredentials) { const x = new XMLHttpRequest();
        x.open(method, url); x.withCredentials = withCredentials; x.send(); }
    xhr("GET", "https://api.example.com/me", true);

Read as written, the call inside says nothing (``x.open(method, url)``). This module finds the
named function around such a call and, for each call of that function, gives back the function's
body with the call's literal arguments put in for the parameters, which the caller then reads like
any other code. Inlining is exact only when nothing else can change what a parameter or the name
stands for, so a function is not used when:

* it is not a plain declaration (``function f(a, b) {…}``, ``const f = function (a) {…}``,
  ``const f = (a, b) => …`` / ``a => …``), or a parameter is destructured or a rest;
* a parameter is assigned, declared again or taken as a nested function's parameter in the body,
  or the body uses ``arguments`` / ``eval`` / ``with``;
* the name is bound anywhere else in the scripts read (another definition, an assignment, a
  parameter, a ``catch`` or loop variable, an import).

An argument is put in only when it is a literal (string, template, number, ``true`` / ``false`` /
``null`` / ``undefined``, an object or array literal, whose members stay as written); any other
argument leaves the parameter's name, which readers treat as unknown. A call with a spread
argument is skipped, like a reference to the function that is not a call: the function's body, read
as written, already stands for such calls. Functions called only from other functions are not
followed further (one level).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, MutableMapping, Sequence
from dataclasses import dataclass

from harcors.cors.jslex import QUOTES, literal, references, skip_group, skip_literal, skip_string, split_top

_SPAN = 8000  # characters a wrapper's definition may take, and how far back its head is looked for
_NEAR = 600  # characters searched first for the head of the function around a call
_HEADS_LOOKED_AT = 6  # named function heads looked at, nearest first, before giving up
_NAME = r"[A-Za-z_$][\w$]*"
_FUNCTION_HEAD = re.compile(
    rf"(?<![\w$.])(?:function\s+(?P<decl>{_NAME})\s*\("
    rf"|(?:const|let|var)\s+(?P<bound>{_NAME})\s*=\s*(?:async\s+)?"
    rf"(?:(?P<expr>function)(?:\s+{_NAME})?\s*\(|\(|(?P<single>{_NAME})\s*=>))"
)
# Words after which `function name(` is a declaration's, not an expression's (`return function f`).
_STATEMENT_PREFIX = re.compile(r"(?:^|[;{}>]|\*/)\s*(?:export\s+(?:default\s+)?)?(?:async\s+)?$")
_PARAMETER = re.compile(rf"\s*({_NAME})\s*(?:=(.*))?", re.DOTALL)
_DOUBT = re.compile(r"(?<![\w$.])(?:arguments|eval|with)(?![\w$])")
_NUMBER = re.compile(r"[+-]?(?:\d[\d_]*\.?\d*(?:e[+-]?\d+)?|\.\d+|0x[\da-f]+)n?", re.IGNORECASE)
_DESTRUCTURING = re.compile(r"(?<![\w$.])(?:var|let|const)\s*[{\[]")
_PLAIN = frozenset({"true", "false", "null", "undefined", "!0", "!1"})
# Words that may precede `(...) {` without it being a function's parameter list.
_NOT_PARAMETERS = frozenset({"if", "while", "switch", "for", "with", "return", "typeof", "await", "yield",
                             "in", "of", "new", "void", "delete", "case", "do", "else", "instanceof"})


@dataclass(frozen=True, slots=True)
class FunctionDef:
    """A named function whose body can be inlined at its calls."""

    name: str
    script: int  # which of the scripts read holds it
    name_at: int  # where its name is written in that script
    params: tuple[str, ...]
    defaults: tuple[str | None, ...]  # a parameter's default value as written, if any
    body: str  # from its opening brace (or an arrow's expression) to its end
    uses: tuple[tuple[int, int, int], ...]  # (start, end, parameter index) of each use in ``body``


@dataclass(frozen=True, slots=True)
class _Shape:
    name: str
    name_at: int
    params: tuple[int, int]  # inside the parentheses, or the single parameter's span
    body: tuple[int, int]


_NOT_ONE = _Shape("", -1, (0, 0), (0, 0))  # a head that starts no definition read here


def _expression_end(text: str, i: int, end: int) -> int:
    """Where an arrow function's expression body ends: at a ``;`` or ``,`` or a closing bracket
    outside brackets; -1 if that is beyond ``end``."""
    while i < end:
        after = skip_literal(text, i, end)
        if after != i:
            if after < 0:
                return -1
            i = after
            continue
        c = text[i]
        if c in "([{":
            i = skip_group(text, i, end)
            if i < 0:
                return -1
            continue
        if c in ";,)]}":
            return i
        i += 1
    return i if end == len(text) else -1


def _shape(text: str, m: re.Match[str]) -> _Shape | None:
    """The function the head ``m`` starts: _NOT_ONE when it is not a definition this module
    reads, None when its end cannot be found within the span."""
    limit = min(len(text), m.start() + _SPAN)
    if m.group("decl") is not None:
        if not _STATEMENT_PREFIX.search(text, max(0, m.start() - 40), m.start()):
            return _NOT_ONE  # a named function expression: its name is bound only inside it
        name, name_at = m.group("decl"), m.start("decl")
    else:
        name, name_at = m.group("bound"), m.start("bound")
    if m.group("single") is not None:
        params = m.span("single")
        after = m.end()
    else:
        close = skip_group(text, m.end() - 1, limit)
        if close < 0:
            return None
        params = (m.end(), close - 1)
        after = close
        if m.group("decl") is None and m.group("expr") is None:
            arrow = re.compile(r"\s*=>").match(text, after)
            if arrow is None:
                return _NOT_ONE  # `const x = (a + b)`: not a function
            after = arrow.end()
    while after < limit and text[after].isspace():
        after += 1
    if after < limit and text[after] == "{":
        end = skip_group(text, after, limit)
    elif m.group("decl") is None and m.group("expr") is None:
        end = _expression_end(text, after, limit)
    else:
        return _NOT_ONE
    if end < 0:
        return None
    return _Shape(name, name_at, params, (after, end))


def _heads_before(text: str, pos: int) -> Iterator[re.Match[str]]:
    """The function heads before ``pos``, nearest first: a short stretch is searched first, as the
    function around a call mostly starts close to it."""
    hi, count = pos, 0
    for back in (_NEAR, _SPAN):
        lo = max(0, pos - back)
        if lo >= hi:
            break
        # A head starting just before ``hi`` may end after it: search a little further, keep its start.
        heads = [m for m in _FUNCTION_HEAD.finditer(text, lo, min(pos, hi + 80)) if m.start() < hi]
        for m in reversed(heads):
            yield m
            count += 1
            if count >= _HEADS_LOOKED_AT:
                return
        hi = lo


def enclosing_function(
    text: str, script: int, pos: int, looked_at: MutableMapping[int, FunctionDef | None]
) -> FunctionDef | None:
    """The innermost named function around ``pos`` in ``text``, when it can be inlined.

    ``looked_at`` remembers the function heads already judged in this text (by position), so a
    bundle's functions are each read once however many calls they hold."""
    for m in _heads_before(text, pos):
        shape = _shape(text, m)
        if shape is _NOT_ONE:
            continue
        if shape is None:
            return None  # cannot tell where it ends, so whether it holds the call
        start, end = shape.body
        if start <= pos < end:
            if m.start() not in looked_at:
                looked_at[m.start()] = _function(text, script, shape)
            return looked_at[m.start()]
    return None


def _function(text: str, script: int, shape: _Shape) -> FunctionDef | None:
    a, b = shape.params
    params: list[str] = []
    defaults: list[str | None] = []
    for written in split_top(text, a, b, ","):
        if not written.strip():
            continue
        p = _PARAMETER.fullmatch(written)
        if p is None:
            return None  # destructured or rest: arguments do not map one to one
        params.append(p.group(1))
        defaults.append(p.group(2).strip() if p.group(2) is not None else None)
    body = text[shape.body[0] : shape.body[1]]
    if not params or len(set(params)) != len(params) or _DOUBT.search(body):
        return None
    if any(next(_bindings(body, p), None) is not None for p in params):
        return None
    spans = references(body, 0, len(body), frozenset(params))
    if not spans:
        return None
    uses = tuple((s, e, params.index(body[s:e])) for s, e in spans)
    return FunctionDef(shape.name, script, shape.name_at, tuple(params), tuple(defaults), body, uses)


# The context that makes a mention of a name a binding of it (an assignment counts: it rebinds).
_BOUND_AFTER_WORD = re.compile(r"(?:(?<![\w$.])(?:function\s*\*?\s*|class\s+|(?:var|let|const)\s+)|"
                               r"(?:\+\+|--)\s*|(?<![\w$.])(?:catch|for)\s*\(\s*)$")
_BOUND_BEFORE = re.compile(r"\s*(?:(?:[-+*/%&|^]|\*\*|<<|>>>?|&&|\|\||\?\?)?=(?![=>])|\+\+|--|=>)")
_IMPORT = re.compile(r"(?<![\w$.])import(?![\w$])")
_WORD_BEFORE = re.compile(rf"({_NAME})?\s*$")
_PARAMETERS_AFTER = re.compile(r"(?:\s*[,=][^()]*)?\s*\)\s*(?:=>|\{)")
_GLOBAL_OBJECT = re.compile(r"(?<![\w$.])(?:window|self|globalThis)\s*\.$")
_CALL_AFTER = re.compile(r"\s*\(")
_NOT_A_CALL = re.compile(r"(?<![\w$.])(?:function|new)\s*$")
_CONTEXT = 300  # characters before a mention read to judge it
_MAX_FUNCTIONS = 64  # functions whose calls are looked for, in one pass over each script
_MAX_MENTIONS = 400  # mentions of a function's name looked at in all the scripts before giving up


def _mentions(text: str, names: Collection[str]) -> Iterator[tuple[str, int]]:
    """Where each of ``names`` is written as an identifier of its own (not a property, not part of
    another): one pass over ``text`` for all of them."""
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    for m in re.compile(rf"(?:{alternatives})(?![\w$])").finditer(text):
        at = m.start()
        if at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "_$."):
            yield m.group(), at
        elif text[at - 1] == "." and _GLOBAL_OBJECT.search(text, max(0, at - 16), at):
            yield m.group(), at  # `window.get = …` rebinds a global `get`


def _is_binding(text: str, at: int, name: str) -> bool:
    """Does the mention of ``name`` at ``at`` bind or assign it (judged on the text: a mention inside
    a string may count too, which only ever means "not sure")?"""
    lo = max(0, at - _CONTEXT)
    before = text[lo:at]
    after = at + len(name)
    if _BOUND_AFTER_WORD.search(before, max(0, len(before) - 24)) or _BOUND_BEFORE.match(text, after):
        return True  # `let url`, `url = …`, `url++`, `url => …`, `catch (url)`, `for (url of …)`
    imported = max((m.end() for m in _IMPORT.finditer(before)), default=-1)
    if imported >= 0 and ";" not in before[imported:]:
        return True
    # A parameter of a function or method: `(a, url) =>`, `f(url = 1) {`; `if (url) {` is a condition.
    paren = before.rfind("(")
    listed = before[paren + 1 :]
    if paren >= 0 and ")" not in listed and (not listed or listed[-1] in ", \t\r\n"):
        word = _WORD_BEFORE.search(before, max(0, paren - 40), paren)
        if (word is None or word.group(1) not in _NOT_PARAMETERS) and _PARAMETERS_AFTER.match(text, after):
            return True
    # A destructuring declaration, `const { url } = …` / `for (const [k, url] of …)`: the name
    # anywhere in its pattern counts (as a key too, which binds nothing: only ever "not sure").
    for d in _DESTRUCTURING.finditer(before):
        start = lo + d.end() - 1
        close = skip_group(text, start, min(len(text), at + _CONTEXT))
        if close < 0 or close > at:
            return True
    return False


def _bindings(text: str, name: str) -> Iterator[int]:
    """Where ``name`` is bound or assigned in ``text``."""
    return (at for _, at in _mentions(text, (name,)) if _is_binding(text, at, name))


def _is_literal(arg: str) -> bool:
    a = arg.strip()
    if not a:
        return False
    if a in _PLAIN or _NUMBER.fullmatch(a) or literal(a) is not None:
        return True
    if a[0] in QUOTES:
        return skip_string(a, 0, len(a)) == len(a)  # a template with holes: its holes stay unknown
    if a[0] in "{[":
        return skip_group(a, 0, len(a)) == len(a)
    return False


@dataclass(frozen=True, slots=True)
class InlinedCall:
    """A call of a function, and the function's body with the call's literal arguments put in."""

    function: FunctionDef
    script: int  # which of the scripts read holds the call
    start: int
    end: int
    body: str


def inlined_calls(functions: Sequence[FunctionDef], texts: Sequence[str]) -> Iterator[InlinedCall]:
    """Every call, in ``texts``, of the ``functions`` whose names are bound nowhere else there."""
    by_name: dict[str, list[FunctionDef]] = {}
    for fn in functions[:_MAX_FUNCTIONS]:
        by_name.setdefault(fn.name, []).append(fn)
    if not by_name:
        return
    mentioned: dict[str, list[tuple[int, int]]] = {name: [] for name in by_name}
    for i, text in enumerate(texts):
        for name, at in _mentions(text, by_name):
            mentioned[name].append((i, at))
    for name, (fn, *more) in by_name.items():
        if more or len(mentioned[name]) > _MAX_MENTIONS:
            continue  # defined twice; or a minified one-letter name, say: too many mentions to judge
        if any((i, at) != (fn.script, fn.name_at) and _is_binding(texts[i], at, name)
               for i, at in mentioned[name]):
            continue  # bound again somewhere: which function a call runs is not known
        for i, at in mentioned[name]:
            if (i, at) != (fn.script, fn.name_at):
                call = _inlined(fn, texts[i], i, at)
                if call is not None:
                    yield call


def _inlined(fn: FunctionDef, text: str, script: int, at: int) -> InlinedCall | None:
    paren = _CALL_AFTER.match(text, at + len(fn.name))
    if paren is None or _NOT_A_CALL.search(text, max(0, at - 16), at):
        return None  # a reference (`.then(get)`): the body read as written stands for such calls
    close = skip_group(text, paren.end() - 1, min(len(text), paren.end() + _SPAN))
    if close < 0:
        return None
    args = [a.strip() for a in split_top(text, paren.end(), close - 1, ",")]
    if args == [""]:
        args = []
    if any(a.startswith("...") for a in args) or text[close : close + 40].lstrip().startswith("{"):
        return None  # positions unknown; or `name(a) {`, a method of that name being defined
    values: list[str | None] = []
    for k, default in enumerate(fn.defaults):
        given = args[k] if k < len(args) and args[k] != "undefined" else None
        if given is None:
            given = default if default is not None else "undefined"
        values.append(given if _is_literal(given) else None)
    return InlinedCall(fn, script, at, close, _put_in(fn, values))


def _put_in(fn: FunctionDef, values: Sequence[str | None]) -> str:
    out: list[str] = []
    last = 0
    for start, end, k in fn.uses:
        value = values[k]
        if value is None:
            continue  # not a literal: the parameter's name stays, an unknown to whoever reads it
        out.append(fn.body[last:start])
        out.append(value)
        last = end
    out.append(fn.body[last:])
    return "".join(out)


__all__ = ["FunctionDef", "InlinedCall", "enclosing_function", "inlined_calls"]

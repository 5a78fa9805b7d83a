"""Markdown escaping helpers: what stays text, what becomes code, never a link."""

from __future__ import annotations

import pytest

from harcors.report.markdown import _environment, cell_code, cell_text, code, fence, inline, text


@pytest.mark.parametrize(("raw", "expected"), [
    ("plain words", "plain words"),
    ("a *b* _c_ [d](e) <f> & $g$ @h #1 ~~i~~", r"a \*b\* \_c\_ \[d\](e) \<f\> \& \$g\$ \@h \#1 \~\~i\~\~"),
    ("see https://x.example/a?b=1.", "see `https://x.example/a?b=1`."),
    ("'http://a.example/' and www.b.example, c@d.example",
     "'`http://a.example/`' and `www.b.example`, `c@d.example`"),
    ("javascript:alert(1)", "`javascript:alert(1`)"),
    ("- item", r"\- item"),
    ("12. item", r"12\. item"),
    ("the wildcard `*` is refused", "the wildcard `*` is refused"),
    ("odd ` backtick", r"odd \` backtick"),
])
def test_inline(raw: str, expected: str) -> None:
    assert inline(raw) == expected


def test_text_keeps_paragraphs_and_joins_lines() -> None:
    assert text("one\ntwo\n\n# three") == "one two\n\n\\# three"


def test_code_span_outgrows_backticks() -> None:
    assert code("a`b") == "``a`b``"
    assert code("`x`") == "`` `x` ``"
    assert code("multi\nline") == "`multi line`"


def test_table_cells_escape_pipes_even_in_code() -> None:
    assert cell_code("a|b") == r"`a\|b`"
    assert cell_text("x `a|b` | y") == r"x `a\|b` \| y"


def test_fence_is_longer_than_any_backtick_run() -> None:
    assert fence("a\n````\nb", "js`x") == "`````jsx\na\n````\nb\n`````"
    assert fence("plain") == "```\nplain\n```"


def test_template_output_is_escaped_unless_a_filter_made_it_safe() -> None:
    env = _environment()
    assert env.from_string("{{ v }}").render(v="[x](javascript:y)") == r"\[`x](javascript:y`)"
    assert env.from_string("{{ v|code }}").render(v="<b>") == "`<b>`"

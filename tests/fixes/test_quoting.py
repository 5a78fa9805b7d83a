"""Values from a HAR land inside a string literal of the target language, never in the code around it."""

from __future__ import annotations

import ast
import json
import shlex
import shutil
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harcors.fixes import quoting

HOSTILE = [
    "'); drop table users; --",
    '"; rm -rf / #',
    "a\\'b\\\\\"c",
    "line\nbreak\r\x00\x1b",
    "${process.exit(1)}`$(id)`#{system('id')}",
    "\u2028\u2029 é 日本 😀",
    "%{ENV}e %t",
    "*/ --> {{ x }} {% y %}",
]

# Python reads every escape these writers produce (\\n, \\uXXXX, \\UXXXXXXXX, octal \\NNN), so it can
# check the C-family literals that cannot be run here.
PYTHON_READABLE = {"py": quoting.py, "java": quoting.java, "cs": quoting.csharp, "go": quoting.go}


@pytest.mark.parametrize("name", sorted(PYTHON_READABLE))
@pytest.mark.parametrize("value", HOSTILE)
def test_c_family_literal_round_trips(name: str, value: str) -> None:
    literal = PYTHON_READABLE[name](value)
    read = ast.literal_eval(literal)
    if name in ("java", "cs"):  # UTF-16 languages spell astral characters as surrogate pairs
        read = read.encode("utf-16", "surrogatepass").decode("utf-16")
    assert read == value
    assert "\n" not in literal and "\r" not in literal


@given(st.text())
def test_python_literal_round_trips_any_text(value: str) -> None:
    assert ast.literal_eval(quoting.py(value)) == value


@given(st.text())
def test_json_round_trips_any_text(value: str) -> None:
    assert json.loads(quoting.json_value(value)) == value


@pytest.mark.parametrize("quote", [quoting.ruby, quoting.php])
@pytest.mark.parametrize("value", HOSTILE)
def test_single_quoted_strings_keep_interpolation_inert(quote, value: str) -> None:
    literal = quote(value)
    assert literal[0] == literal[-1] == "'"
    inner = literal[1:-1]
    # Inside Ruby/PHP single quotes only \\\\ and \\' are escapes; an unescaped ' would end the string.
    decoded, i = [], 0
    while i < len(inner):
        if inner[i] == "\\" and i + 1 < len(inner) and inner[i + 1] in "\\'":
            decoded.append(inner[i + 1])
            i += 2
        else:
            assert inner[i] != "'", f"unescaped quote in {literal!r}"
            decoded.append(inner[i])
            i += 1
    assert "".join(decoded) == value


@pytest.mark.parametrize("value", HOSTILE)
def test_shell_word_round_trips(value: str) -> None:
    if "\x00" in value:
        value = value.replace("\x00", "")
    assert shlex.split("x " + quoting.shell(value)) == ["x", value]


def test_js_literals_evaluate_to_the_value() -> None:
    node = shutil.which("node")
    assert node, "node is needed to check JavaScript literals: run tools/proof/setup.sh"
    script = "console.log(JSON.stringify([" + ",".join(quoting.js(v) for v in HOSTILE) + "]))"
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == HOSTILE


def test_nginx_refuses_what_it_cannot_quote() -> None:
    assert quoting.nginx('a "b" \\c') == '"a \\"b\\" \\\\c"'
    for bad in ("$host", "a\nb"):
        with pytest.raises(quoting.UnsafeValue):
            quoting.nginx(bad)


def test_apache_escapes_quotes_and_percent_and_refuses_a_trailing_backslash() -> None:
    assert quoting.apache('^(https://a\\.b)$') == '"^(https://a\\.b)$"'
    assert quoting.apache_header('x-"y"%t') == '"x-\\"y\\"%%t"'
    with pytest.raises(quoting.UnsafeValue):
        quoting.apache("ends\\")


def test_comment_and_header_text_stay_on_one_line() -> None:
    assert "\n" not in quoting.comment("a\nb */ c")
    assert "*/" not in quoting.comment("a */ b")
    with pytest.raises(quoting.UnsafeValue):
        quoting.header("a\r\nSet-Cookie: x")


def test_identifier_filter_accepts_only_identifiers() -> None:
    assert quoting.ident("PUT") == "PUT"
    with pytest.raises(quoting.UnsafeValue):
        quoting.ident("PUT() {}; evil")


def test_regex_matches_the_value_literally() -> None:
    import re

    origin = "https://a.b-c.example:8443"
    assert re.fullmatch(quoting.regex(origin), origin)
    assert not re.fullmatch(quoting.regex(origin), "https://aXb-c.example:8443")

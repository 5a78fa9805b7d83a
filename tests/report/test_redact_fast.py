"""The fast paths of the JSON export and of redaction give exactly what the plain ways give."""

from __future__ import annotations

import json
import math
import random
import re

import pytest

from harcors.analysis import Analysis
from harcors.report.json_doc import analysis_document, dumps
from harcors.report.redact import (
    REDACTED,
    Redactor,
    is_secret_header,
    redact_analysis,
    redact_curl,
    redact_text,
)
from harcors.report.render import render

from .factory import exchange
from .test_secrets import planted  # noqa: F401 (a fixture)


def test_json_redacts_what_it_shows_like_a_redacted_copy(planted: Analysis) -> None:  # noqa: F811
    # The export redacts the document's fields one by one; every text of the planted finding
    # quotes a secret, so a field it forgot would differ from documenting a redacted copy.
    copy = analysis_document(redact_analysis(planted), redacted=True)
    assert render([planted], "json") == json.dumps(copy, indent=2, ensure_ascii=False) + "\n"
    assert render([planted], "json", redact=False) == json.dumps(
        analysis_document(planted, redacted=False), indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("doc", [
    {"a": [], "b": {}, "c": [[], {"": {}}], "n": None, "t": True, "f": False, "i": -3},
    {"floats": [1.5, -0.0, 1e300, 2.5e-7, 0.1], "text": 'é\u2028\x7f\x01"\\/ \U0001d11e\n\t'},
    ["top", "level", ["list"]],
    {"lone surrogate": "\ud800"},  # msgspec cannot read it back: the slow way
    {"not JSON": math.nan},
])
def test_dumps_is_the_indenting_encoder(doc: object) -> None:
    assert dumps(doc) == json.dumps(doc, indent=2, ensure_ascii=False)
    if "floats" not in doc and "not JSON" not in doc:
        assert dumps(doc, floats=False) == json.dumps(doc, indent=2, ensure_ascii=False)


def test_a_secret_seen_once_is_scrubbed_everywhere() -> None:
    # Each secret is in one exchange only, none of them the finding's: every one is still learnt.
    plain = [exchange(i, "GET", f"https://cdn.example.com/{i}.js", [], [("Server", "x")], 200)
             for i in range(50)]
    plain[7] = exchange(7, "GET", "https://cdn.example.com/a?sig=UrlSecret777&page=2", [], [], 200)
    plain[20] = exchange(20, "GET", "https://cdn.example.com/b", [("Cookie", "sid=CookieSecret20")], [], 200)
    plain[33] = exchange(33, "GET", "https://cdn.example.com/c", [],
                         [("Location", "/login?token=LocationSecret33")], 302)
    plain[40] = exchange(40, "GET", "https://cdn.example.com/d",
                         [("Referer", "https://app.example.com/?code=RefererSecret40")], [], 200)
    r = Redactor.for_exchanges(plain)
    for secret in ("UrlSecret777", "CookieSecret20", "LocationSecret33", "RefererSecret40"):
        assert r.text(f"the server echoed {secret} here") == f"the server echoed {REDACTED} here", secret
    assert r.text("page=2 and Server x") == "page=2 and Server x"


def test_same_header_line_on_many_entries_learnt_once_and_still_applied() -> None:
    cookie = ("Cookie", "a=SharedSecret1; b=SharedSecret2")
    many = [exchange(i, "GET", f"https://api.example.com/{i}", [cookie], [], 200) for i in range(100)]
    r = Redactor.for_exchanges(many)
    assert r.text("SharedSecret2 then SharedSecret1") == f"{REDACTED} then {REDACTED}"


@pytest.mark.parametrize("count", [1, 16, 17, 500])  # few secrets are looked for one by one
def test_literal_index_with_few_and_many_secrets(count: int) -> None:
    secrets = [f"secret{i:05d}x" for i in range(count)]
    r = Redactor(secrets)
    last = secrets[-1]
    assert r.text(f"({last}) and x{last}") == f"({REDACTED}) and x{last}"
    assert r.text("nothing to see") == "nothing to see"


def test_header_lines_scanned_only_when_a_secret_name_is_there() -> None:
    # Names before a colon decide whether a text needs the header-line pass: a secret name behind
    # an ordinary one, or after a quote, is still found.
    text = "policy: No 'x' header; X-Api-Key: k-123"
    assert redact_text(text) == f"policy: No 'x' header; X-Api-Key: {REDACTED}"
    assert redact_text("-H 'authorization:Bearer q'") == f"-H 'authorization:{REDACTED}'"
    text = "at https://api.example.com/x: Accept: */*"
    assert redact_text(text) == text



def test_every_secret_header_name_holds_one_of_the_quick_test_words() -> None:
    # redact_text skips the header-line pass for a text holding none of _SECRET_NAME_PARTS: each
    # name is_secret_header accepts must hold one, else a secret header line could stay.
    from harcors.report import redact

    words = {w for w in re.findall(r"[a-z]+", redact._SECRET_HEADER_RE.pattern) if len(w) > 2}
    names = {*redact._SECRET_HEADERS, *words, "x-my-key", "apikey", "accesstoken", "X-CSRF", "xsrf"}
    for name in names:
        if is_secret_header(name):
            assert any(part in name.lower() for part in redact._SECRET_NAME_PARTS), name
    rng = random.Random(7)
    pieces = ["x", "my", "api", "access", "id", "auth", "key", "tok", "token", "sess", "session", "pass",
              "passwd", "secret", "sig", "signature", "credential", "cookie", "csrf", "xsrf", "amz", "-", "_"]
    for _ in range(5000):
        name = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 4))).strip("-_") or "x"
        if is_secret_header(name):
            assert any(part in name.lower() for part in redact._SECRET_NAME_PARTS), name


def test_every_curl_secret_option_holds_one_of_the_quick_test_parts() -> None:
    # redact_curl skips the option pass for a command holding none of _CURL_OPT_PARTS.
    from harcors.report import redact

    options = re.findall(r"-[-A-Za-z0-9]+", redact._CURL_SECRET_OPT_RE.pattern.split(")(?:[ \\t]", 1)[0])
    assert {"-b", "--cookie", "--data-raw", "--json", "-F", "--form"} <= set(options)
    for option in options:
        assert any(part in option for part in redact._CURL_OPT_PARTS), option
    assert redact_curl("curl https://a.example/ -H 'Origin: https://b.example'") == \
        "curl https://a.example/ -H 'Origin: https://b.example'"
    assert redact_curl("curl -i https://a.example/ --data-raw '{\"pw\": 1}'") == \
        f"curl -i https://a.example/ --data-raw '{REDACTED}'"


def test_urls_are_scanned_together_but_each_on_its_own() -> None:
    # The URLs are scanned joined by newlines: nothing may match across two of them.
    urls = ["https://a.example/x?page=1&to", "ken=NotASecret01", "https://b.example/?sig=SigSecret02&v=1",
            "https://carol:PassSecret03@c.example/", "https://d.example/?api%5Fkey=Enc%20Secret04"]
    r = Redactor.for_exchanges([exchange(i, "GET", u, [], [], 200) for i, u in enumerate(urls)])
    assert r.text("NotASecret01 here") == "NotASecret01 here"
    for secret in ("SigSecret02", "PassSecret03", "Enc%20Secret04", "Enc Secret04"):
        assert r.text(f"({secret})") == f"({REDACTED})", secret

"""origin_of answers from a per-prefix cache: it must agree with the uncached parse on any URL."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from harcors.har.model import _origin_of, origin_of

ODD = ["https://a.com/x", "https://A.com:443?x", "http://u:p@h:8080#f", "https://[::1]:99/", "https://h:bad/",
       "blob:https://a/x", "HTTPS://x.y", "https://a\tb.com/", "https://a.com\\evil/", "ws://h:80", "https://h:/",
       "data:x", " https://a/", "https://a b/", "https://h?q", "https://h:8443", "https://h:08443/"]


def test_odd_urls() -> None:
    for url in ODD:
        assert origin_of(url) == _origin_of(url), url
        assert origin_of(url) == _origin_of(url), url  # from the cache this time


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["http", "https", "wss", "HTTP", "blob:http", "x", "http:"]),
       st.text(alphabet="ab:@[]1%.\t \\/?#-", max_size=12), st.text(max_size=6))
def test_same_as_uncached(scheme: str, authority: str, rest: str) -> None:
    url = f"{scheme}://{authority}{rest}"
    assert origin_of(url) == _origin_of(url)

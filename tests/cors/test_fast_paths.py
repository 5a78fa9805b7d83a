"""The engine's shortcuts change nothing but the cost (harcors/cors/engine.py, pairing.py; Headers).

On a big HAR most entries cannot concern CORS, and the fast loader leaves their headers in the file
(``harcors.har.fast.LazyHeaders``): reading one means decoding its piece of the file again. The engine
must answer for those entries from the fields the loader sets up front.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from harcors.cors import engine, evaluate
from harcors.cors.context import page_urls
from harcors.cors.engine import may_involve_cors
from harcors.cors.pairing import CorsRequest, pair
from harcors.har import fast
from harcors.har.loader import HarStream
from harcors.har.model import Headers

from .har import API, CHROME, PAGE, entry, exchanges, preflight


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, har_generator: Any) -> Path:
    path = tmp_path_factory.mktemp("fast") / "session.har"
    har_generator.write_har(path, 800, seed=5, image_kb=1)
    return path


def _load(path: Path) -> tuple[HarStream, list[Any]]:
    stream = HarStream(str(path))
    return stream, list(stream)


def test_evaluate_reads_no_header_the_loader_left_in_the_file(generated, monkeypatch) -> None:
    stream, exchanges = _load(generated)
    lazy = [ex for ex in exchanges if type(ex) is fast.LazyExchange]
    assert len(lazy) > len(exchanges) // 3  # the shape the shortcut is for
    reads = []
    original = fast._Source.headers

    def counting(self: Any, piece: Any, ordinal: int, response: bool) -> Headers:
        reads.append((piece, ordinal, response))
        return original(self, piece, ordinal, response)

    monkeypatch.setattr(fast._Source, "headers", counting)
    result = evaluate(exchanges, stream.info)
    assert result.findings and result.pairs
    assert reads == []
    assert all(type(ex) is fast.LazyExchange for ex in lazy)  # nor turned into full Exchanges


def test_only_requests_that_may_involve_cors_and_are_not_quiet_get_a_context(generated, monkeypatch) -> None:
    stream, exchanges = _load(generated)
    pages = page_urls(exchanges)
    everything = pair(exchanges)
    involved = [r for r in everything.requests if may_involve_cors(r, pages)]
    expected = [r for r in involved if not engine.quiet(r, True, pages, everything.page_headers)]
    assert 0 < len(expected) < len(involved) // 2  # most CORS requests of a session went through
    built = []
    original = engine.build

    def counting(req: Any, *args: Any) -> Any:
        built.append(req)
        return original(req, *args)

    monkeypatch.setattr(engine, "build", counting)
    evaluate(exchanges, stream.info)
    assert built == expected
    assert len(built) < len(exchanges) // 2


def test_the_pre_filter_in_pairing_keeps_what_filtering_afterwards_would(generated) -> None:
    _, exchanges = _load(generated)
    pages = page_urls(exchanges)
    everything = pair(exchanges)
    filtered = pair(exchanges, keep=lambda ex: may_involve_cors(CorsRequest((ex,)), pages))
    assert filtered.requests == [r for r in everything.requests if may_involve_cors(r, pages)]
    assert filtered.pairs == everything.pairs
    # Entries out of order take the general way: every entry in one request, sorted by first entry.
    shuffled = pair(list(reversed(exchanges))).requests
    firsts = [r.first.index for r in shuffled]
    assert firsts == sorted(firsts)
    landed = [h.index for r in shuffled for h in r.hops] + [
        pf.index for r in shuffled for pf in r.preflights.values()
    ]
    assert sorted(landed) == [ex.index for ex in exchanges]


def test_orphaned_preflights_take_their_place_among_the_requests() -> None:
    es = exchanges(
        entry(f"{API}/a", rtype="image", origin=None),  # turned down by the pre-filter
        preflight(f"{API}/gone", "PUT", status=404, ms=1),  # its request never reached the HAR
        entry(f"{API}/b", "PUT", ms=2),
        preflight(f"{API}/b", "PUT", ms=3),
        preflight(f"{API}/gone", "DELETE", status=404, ms=4),
        entry(f"{API}/c", ms=5),
    )
    pages = page_urls(es)
    for keep in (None, lambda ex: may_involve_cors(CorsRequest((ex,)), pages)):
        p = pair(es, keep=keep)
        assert [(r.first.index, r.orphan) for r in p.requests] == [
            *([(0, False)] if keep is None else []),
            (1, True),
            (2, False),
            (4, True),
            (5, False),
        ]
        assert p.pairs == {2: 3}


class _Reference:
    """Headers as they were before the shortcuts: a list of values per lower-cased name."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self.index: dict[str, list[str]] = {}
        for name, value in items:
            self.index.setdefault(name.lower(), []).append(value)


_NAMES = ["origin", "Origin", "ORIGIN", "vary", "Vary", "x-a", "X-A", "K", "k", "straße", "Σx", "İd", ":path"]


@pytest.mark.parametrize("seed", range(60))
def test_headers_answer_as_a_list_per_lower_cased_name(seed: int) -> None:
    rng = random.Random(seed)
    items = [(rng.choice(_NAMES), f"v{i}") for i in range(rng.randint(0, 8))]
    if seed % 3 == 0:  # an HTTP/2-shaped list: every name already lower case, none repeated
        items = list({n.lower(): (n.lower(), v) for n, v in items}.values())
    headers, ref = Headers(items), _Reference(items)
    assert headers.names() == list(ref.index)
    for name in {*_NAMES, "absent"}:
        values = ref.index.get(name.lower(), [])
        assert headers.get_all(name) == values
        assert headers.get(name) == (values[0] if values else None)
        assert headers.combined(name) == (", ".join(values) if values else None)
        assert headers.count(name) == len(values)
        assert (name in headers) is bool(values)


def _random_session(rng: random.Random) -> list[Any]:
    """Chrome-shaped entries, mostly requests that went through, with what each rule judge can give
    such a request looks at varied: mode, page-set headers, ACAO, Vary, Cache-Control, preflights."""
    out: list[Any] = []
    for i in range(rng.randint(1, 8)):
        url = rng.choice([f"{API}/a", f"{API}/b?q=1", f"{PAGE}/same"])
        method = rng.choice(["GET", "GET", "POST", "PUT", "patch"])
        req = dict(
            rng.sample(
                [
                    ("X-A", "1"),
                    ("Authorization", "Bearer t"),
                    ("Access-Control-Allow-Origin", "*"),
                    ("Content-Type", "application/json"),
                    ("Cookie", "a=1"),
                ],
                rng.randint(0, 2),
            )
        )
        mode = rng.choice(["cors", "cors", "no-cors", "same-origin", None])
        if mode is not None:
            req["Sec-Fetch-Mode"] = mode
        resp = {}
        acao = rng.choice([PAGE, PAGE, "*", "null", None, "http://other.test"])
        if acao is not None:
            resp["Access-Control-Allow-Origin"] = acao
        if rng.random() < 0.5:
            resp["Access-Control-Allow-Credentials"] = "true"
        if rng.random() < 0.5:
            resp["Vary"] = rng.choice(["Origin", "Accept-Encoding", "accept-encoding, origin", "*"])
        if rng.random() < 0.3:
            resp["Cache-Control"] = rng.choice(["no-store", "max-age=60"])
        rtype = rng.choice(["fetch", "fetch", "xhr", "image"])
        origin = rng.choice([PAGE, PAGE, None, "http://other.test"])
        status = rng.choice([200, 200, 204, 404])
        error = rng.choice([None, None, None, "net::ERR_FAILED"])
        ms = 10 * i
        out.append(
            entry(
                url, method, req=req, resp=resp, status=status, error=error, rtype=rtype, ms=ms, origin=origin
            )
        )
        if rng.random() < 0.5:
            names = ",".join(n.lower() for n in req if n not in ("Content-Type", "Cookie", "Sec-Fetch-Mode"))
            pf_resp = {
                "Access-Control-Allow-Origin": PAGE,
                "Access-Control-Allow-Headers": rng.choice(["*", "authorization, x-a", "x-a"]),
            }
            if rng.random() < 0.5:
                pf_resp["Access-Control-Max-Age"] = "600"
            out.append(preflight(url, method.upper(), names or None, resp=pf_resp, ms=ms + 1))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_quiet_requests_are_the_ones_judge_finds_nothing_for(seed: int, monkeypatch) -> None:
    from harcors.cors.context import build, hop_names

    es = exchanges(*_random_session(random.Random(seed)))
    pages = page_urls(es)
    pairing = pair(es)
    for req in pairing.requests:
        ctx = build(req, True, pages, pairing.page_headers)
        for view in ctx.hops:  # what quiet reads of a hop is what the hop's view holds
            pf, names = hop_names(req, view.hop, pairing.page_headers)
            assert (pf, tuple(names)) == (view.preflight or view.cached, view.unsafe_names)
        if engine.quiet(req, True, pages, pairing.page_headers):
            assert engine.judge(ctx) == []
    fast_way = evaluate(es, CHROME)
    monkeypatch.setattr(engine, "quiet", lambda *args: False)
    assert evaluate(es, CHROME) == fast_way  # session-wide warnings and order included


def test_quiet_leaves_out_what_a_rule_would_say() -> None:
    ok = {"Access-Control-Allow-Origin": PAGE, "Vary": "Origin"}
    cases = {
        "quiet": (entry(f"{API}/a", resp=ok), True),
        "null": (entry(f"{API}/a", resp={"Access-Control-Allow-Origin": "null"}), False),
        "no vary": (entry(f"{API}/a", resp={"Access-Control-Allow-Origin": PAGE}), False),
        "acao sent": (entry(f"{API}/a", req={"Access-Control-Allow-Origin": "*"}, resp=ok), False),
        "no-cors": (entry(f"{API}/a", req={"Sec-Fetch-Mode": "no-cors"}, resp=ok), False),
        "blocked": (entry(f"{API}/a", error="net::ERR_FAILED", status=0), False),
    }
    for name, (e, expected) in cases.items():
        es = exchanges(e)
        p = pair(es)
        assert engine.quiet(p.requests[0], True, page_urls(es), p.page_headers) is expected, name
        assert not engine.quiet(p.requests[0], False, page_urls(es), p.page_headers), name


def test_header_lists_of_one_shape_keep_their_own_values() -> None:
    names = ["Origin", "vary", "Vary", "x-a"]
    lists = [Headers([(n, f"{n}{i}") for n in names]) for i in range(3)]
    for i, headers in enumerate(lists):
        assert headers.get("origin") == f"Origin{i}"
        assert headers.get_all("VARY") == [f"vary{i}", f"Vary{i}"]
        assert headers.names() == ["origin", "vary", "x-a"]
    assert lists[0]._index is lists[2]._index  # one shape, worked out once

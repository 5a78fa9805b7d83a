"""Pairing preflights with their requests, and redirect hops with each other (harcors/cors/pairing.py)."""

from __future__ import annotations

import shlex

from harcors.cors import curl
from harcors.cors.pairing import needs_preflight, pair

from .har import API, FIREFOX, PAGE, blocked, entry, errors, exchanges, preflight, run

URL = f"{API}/item"
OK_PF = {
    "Access-Control-Allow-Origin": PAGE,
    "Access-Control-Allow-Methods": "PUT, PATCH, patch, DELETE",
    "Access-Control-Allow-Headers": "content-type, x-a, x-b",
    "Access-Control-Max-Age": "600",
}
OK = {"Access-Control-Allow-Origin": PAGE, "Vary": "Origin"}


def _firefox(e: dict) -> dict:
    """Firefox's HAR has no _resourceType and no _initiator."""
    e.pop("_resourceType", None)
    e.pop("_initiator", None)
    return e


def test_chrome_order_actual_first_then_preflight() -> None:
    p = pair(
        exchanges(
            entry(URL, "PUT", req={"Content-Type": "application/json"}, resp=OK, ms=0),
            preflight(URL, "PUT", "content-type", resp=OK_PF, ms=2),
        )
    )
    assert p.pairs == {0: 1}
    (req,) = p.requests
    assert req.preflight is not None and req.preflight.index == 1 and not req.orphan


def test_firefox_order_without_markers() -> None:
    es = exchanges(
        _firefox(entry(URL, "PUT", req={"Content-Type": "application/json"}, resp=OK, ms=5)),
        _firefox(preflight(URL, "PUT", "content-type", resp=OK_PF, ms=1)),
    )
    assert pair(es).pairs == {0: 1}


def test_method_is_compared_as_written() -> None:
    # fetch() leaves "patch" lower case; its preflight says so, and must not be taken by a PATCH.
    p = pair(
        exchanges(
            entry(URL, "PATCH", resp=OK, ms=0),
            entry(URL, "patch", resp=OK, ms=1),
            preflight(URL, "patch", ms=2, resp=OK_PF),
            preflight(URL, "PATCH", ms=3, resp=OK_PF),
        )
    )
    assert p.pairs == {1: 2, 0: 3}


def test_request_headers_tell_concurrent_requests_apart() -> None:
    p = pair(
        exchanges(
            entry(URL, "PUT", req={"X-A": "1"}, resp=OK, ms=0),
            entry(URL, "PUT", req={"X-B": "1"}, resp=OK, ms=0),
            preflight(URL, "PUT", "x-b", resp=OK_PF, ms=1),
            preflight(URL, "PUT", "x-a", resp=OK_PF, ms=1),
        )
    )
    assert p.pairs == {0: 3, 1: 2}


def test_identical_concurrent_requests_take_the_nearest_preflight() -> None:
    p = pair(
        exchanges(
            entry(URL, "DELETE", resp=OK, ms=0),
            preflight(URL, "DELETE", resp=OK_PF, ms=1),
            entry(URL, "DELETE", resp=OK, ms=50),
            preflight(URL, "DELETE", resp=OK_PF, ms=51),
        )
    )
    assert p.pairs == {0: 1, 2: 3}


def test_other_page_is_not_paired() -> None:
    other = entry(URL, "PUT", resp=OK, ms=0, page="page_2")
    p = pair(exchanges(other, preflight(URL, "PUT", resp=OK_PF, ms=1)))
    assert p.pairs == {}
    assert [r.orphan for r in p.requests] == [False, True]


def test_initiator_url_and_fragments() -> None:
    pf = preflight(URL, "PUT", resp=OK_PF, ms=1)
    pf["request"]["url"] = URL + "#frag"
    assert pair(exchanges(entry(URL, "PUT", resp=OK), pf)).pairs == {0: 1}


def test_preflight_whose_request_never_appears() -> None:
    # A proxy capture: the request was never sent because its preflight failed.
    result = run(_firefox(preflight(URL, "PUT", "content-type", status=404)), info=FIREFOX)
    (err,) = errors(result)
    assert err.request.method == "OPTIONS" and err.preflight is err.request
    assert err.messages.chrome.startswith(f"Access to fetch at '{URL}'")
    assert any("Only the preflight" in n for n in err.notes)
    assert err.curl == (
        f"curl -i -X OPTIONS {URL} -H 'Origin: {PAGE}' -H 'Access-Control-Request-Method: PUT' "
        "-H 'Access-Control-Request-Headers: content-type'",
    )


def test_cached_preflight_is_found_for_a_request_without_one() -> None:
    p = pair(
        exchanges(
            entry(URL, "PUT", req={"Content-Type": "application/json"}, resp=OK, ms=0),
            preflight(URL, "PUT", "content-type", resp=OK_PF, ms=1),
            entry(URL, "PUT", req={"Content-Type": "application/json"}, resp=OK, ms=5_000),
        )
    )
    second = p.requests[1]
    assert second.request.index == 2 and second.preflight is None
    assert second.cached[2].index == 1


def test_expired_preflight_is_not_taken_as_cached() -> None:
    pf = dict(OK_PF)
    pf["Access-Control-Max-Age"] = "1"
    p = pair(
        exchanges(
            entry(URL, "PUT", resp=OK, ms=0),
            preflight(URL, "PUT", resp=pf, ms=1),
            entry(URL, "PUT", resp=OK, ms=10_000),
        )
    )
    assert p.requests[1].cached == {}


def test_request_needing_no_preflight() -> None:
    es = exchanges(entry(URL, "POST", req={"Content-Type": "text/plain;charset=UTF-8"}, resp=OK))
    assert not needs_preflight(es[0])
    assert pair(es).pairs == {}
    assert run(entry(URL, "POST", req={"Content-Type": "text/plain"}, resp=OK)).findings == []


def test_redirect_hops_form_one_request_with_a_preflight_per_hop() -> None:
    other = "http://other.test/item"
    p = pair(
        exchanges(
            entry(URL, "PUT", resp={**OK, "Location": other}, status=307, redirect=other, ms=0),
            preflight(URL, "PUT", resp=OK_PF, ms=1),
            entry(other, "PUT", origin="null", resp={"Access-Control-Allow-Origin": "*"}, ms=10),
            preflight(
                other,
                "PUT",
                origin="null",
                resp={"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "PUT"},
                ms=11,
            ),
        )
    )
    (req,) = p.requests
    assert [h.index for h in req.hops] == [0, 2]
    assert {k: v.index for k, v in req.preflights.items()} == {0: 1, 2: 3}
    assert p.pairs == {0: 1, 2: 3}


def test_blocked_request_with_unrelated_later_request_to_the_redirect_target() -> None:
    # A redirect that failed its CORS check ends the chain, even if the page fetches the target later.
    other = "http://other.test/item"
    p = pair(
        exchanges(
            entry(URL, status=302, resp={"Location": other}, redirect=other, error="net::ERR_FAILED"),
            entry(other, resp={"Access-Control-Allow-Origin": "*"}, ms=20),
        )
    )
    assert [len(r.hops) for r in p.requests] == [1, 1]


def test_blocked_preflighted_request_is_paired_without_headers() -> None:
    # Chrome records a request blocked by its preflight with provisional headers only.
    result = run(blocked(URL, "DELETE"), preflight(URL, "DELETE", status=405))
    assert result.pairs == {0: 1}


def test_curl_commands_are_shell_safe() -> None:
    es = exchanges(
        entry(
            URL,
            "PUT",
            req={
                "X-Note": "it's $HOME `x`",
                "Authorization": "Bearer s3cr3t",
                "Content-Type": "application/json",
            },
        )
    )
    cmd = curl.actual_command(es[0], PAGE, True, ["authorization", "x-note"])
    words = shlex.split(cmd)
    assert words[:5] == ["curl", "-i", "-X", "PUT", URL]
    assert "X-Note: it's $HOME `x`" in words
    assert "Authorization: Bearer <token>" in words and "s3cr3t" not in cmd
    assert "Cookie: <the user's cookies>" in words
    pf = curl.preflight_command(URL, "null", "patch", ["x-b", "x-a"])
    assert shlex.split(pf)[-1] == "Access-Control-Request-Headers: x-a,x-b"


def test_leftover_preflight_goes_to_the_request_it_stopped() -> None:
    # The preflight's page differs (an odd export), but it is the only explanation of the block.
    result = run(blocked(URL, "PUT"), preflight(URL, "PUT", status=404, ms=1) | {"pageref": "page_9"})
    assert result.pairs == {0: 1}
    (err,) = errors(result)
    assert err.rule == "missing-allow-origin" and err.request.index == 0


def test_passing_orphan_preflight_in_a_chrome_har_is_no_error() -> None:
    # The request it belongs to was filtered out of the export; the preflight itself is fine.
    result = run(preflight(URL, "PUT", resp=OK_PF))
    assert errors(result) == []


def test_passing_orphan_preflight_in_a_proxy_har_is_no_error() -> None:
    assert errors(run(_firefox(preflight(URL, "PUT", resp={**OK_PF, "Vary": "Origin"})), info=FIREFOX)) == []

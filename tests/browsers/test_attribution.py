"""How the Firefox/WebKit capture turns console output and the server log into per-call evidence.

No browser here: the inputs are shaped like what firefox-esr and MiniBrowser really produced
(see OBSERVED.md), so a parsing slip shows up without a live capture.
"""

from __future__ import annotations

from capture import firefox, webkit
from capture.firefox_webkit import Hit, assign_groups, call_traffic, hop_urls, is_blocked
from capture.scenarios import BY_NAME

BLOCKED = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at "


def _ff(*texts: str) -> firefox.FirefoxRaw:
    raw = firefox.FirefoxRaw("153.7.0")
    raw.logs = [{"type": "javascript", "level": "error", "text": t} for t in texts]
    raw.logs.insert(0, {"type": "console", "level": "info", "text": "app ready"})
    return raw


def test_firefox_lines_after_a_failed_preflight_stay_with_their_request() -> None:
    url = "http://127.0.0.1:8702/api/preflight-301-redirect/items"
    missing = "(Reason: CORS header ‘Access-Control-Allow-Origin’ missing)"
    lines = [f"{BLOCKED}{url}. {missing}. Status code: 301.",
             f"{BLOCKED}{url}. (Reason: CORS request did not succeed). Status code: (null).",
             f"{BLOCKED}{url}. (Reason: CORS request did not succeed). Status code: (null)."]
    scenario = BY_NAME["preflight-301-redirect"]
    groups = firefox.line_groups(_ff(*lines))
    assert [g.url for g in groups] == [url, url]  # the third line opens a group of its own ...
    assert assign_groups(scenario, [True], groups) == [lines]  # ... and still lands on the one call
    assert firefox.reason(lines[0]) == "CORS header ‘Access-Control-Allow-Origin’ missing"


def test_firefox_quoted_url_and_same_origin_mode_lines_name_their_url() -> None:
    url = "http://127.0.0.1:8702/api/x/me"
    quoted = f"{BLOCKED}‘{url}’. (Reason: Credential is not supported if the CORS header …)."
    mode = f"Security Error: Content at http://127.0.0.1:8701/s/x may not load data from {url}."
    assert [g.url for g in firefox.line_groups(_ff(quoted, mode))] == [url, url]


def test_two_blocked_calls_to_one_url_get_one_group_each() -> None:
    scenario = BY_NAME["cached-preflight-actual-without-acao"]
    url = scenario.expand(scenario.calls[0].url)
    line = f"{BLOCKED}{url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200."
    assert assign_groups(scenario, [True, True], firefox.line_groups(_ff(line, line))) == [[line], [line]]


def test_webkit_stderr_is_split_into_reason_and_loader_lines() -> None:
    url = "http://localhost:8702/api/redirect-cross-origin-acao-page/new"
    reason = "Origin null is not allowed by Access-Control-Allow-Origin. Status code: 200"
    stderr = ("(MiniBrowser:1): Gtk-WARNING **: something\n"
              "http://127.0.0.1:8701/static/app.js:1:9: CONSOLE LOG app ready\n"
              f"CONSOLE SECURITY ERROR {reason}\n"
              f"CONSOLE JS ERROR Fetch API cannot load {url} due to access control checks.\n")
    raw = webkit.WebKitRaw("2.50.6", webkit.parse_console(stderr), ["TypeError: Load failed"])
    assert webkit.console_lines(raw)[0] == "app ready"
    groups = webkit.line_groups(raw)
    scenario = BY_NAME["redirect-cross-origin-acao-page"]
    assert url in hop_urls(scenario, scenario.calls[0])  # the loader line names the redirect target
    assert assign_groups(scenario, [True], groups) == [[
        reason, f"Fetch API cannot load {url} due to access control checks."]]


def test_server_log_gives_status_and_preflights_per_call() -> None:
    scenario = BY_NAME["cached-preflight-actual-without-acao"]
    path = "/api/cached-preflight-actual-without-acao/item/1"
    api = "127.0.0.1:8702"
    hits = [Hit("GET", "127.0.0.1:8701", "/s/x", 200, None), Hit("OPTIONS", api, path, 204, None),
            Hit("PUT", api, path, 200, None), Hit("PUT", api, path, 200, None)]
    got = call_traffic(scenario, hits)
    assert [(t.status, t.preflights, t.reached_server) for t in got] == [(200, 1, True), (200, 0, True)]
    never_sent = call_traffic(BY_NAME["preflight-404"],
                              [Hit("OPTIONS", api, "/api/preflight-404/item/1", 404, None)])
    assert [(t.status, t.preflights, t.reached_server) for t in never_sent] == [(0, 1, True)]


def test_blocked_is_what_the_page_saw() -> None:
    fetch, xhr = BY_NAME["fetch-no-acao"].calls[0], BY_NAME["xhr-no-acao"].calls[0]
    assert is_blocked(fetch, "TypeError: NetworkError when attempting to fetch resource.")
    assert not is_blocked(fetch, "cors 200") and not is_blocked(fetch, "opaque 0")
    assert is_blocked(xhr, "error 0") and not is_blocked(xhr, "load 500")

"""Re-record the engine's extra Chromium fixtures: ``python tests/cors/chromium/capture.py``.

Scenarios the shared corpus (``sample_hars/``) does not hold, recorded by real Chromium with the
team's capture tool (``tools/capture``), on other ports (8761/8762) so that a corpus capture can run
at the same time. Needs Debian's ``chromium``; the recorded files are committed, so the tests do not.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "tools"))

from capture import corpus, server  # noqa: E402
from capture import scenarios as s  # noqa: E402
from capture.scenarios import ACAO_PAGE, DATA, JSON_CT, OK_CORS, Call, Reply, Route, api, preflight_ok, same  # noqa: E402

ACAC = "Access-Control-Allow-Credentials"


def _scenarios() -> list[s.Scenario]:
    mk = s._s
    return [
        mk(
            "x-redirect-307-put-preflight",
            "PUT redirected 307 to another origin: a second preflight, sent with "
            "Origin null, gets ACAO naming the page origin.",
            ("x",),
            Call(api("old"), method="PUT", body='{"a":1}', headers=(JSON_CT,)),
            {
                "old": Route(
                    Reply(307, (ACAO_PAGE, ("Location", "{alt}/api/{name}/new")), content_type=None),
                    preflight_ok("PUT", "Content-Type"),
                ),
                "new": Route(OK_CORS, preflight_ok("PUT", "Content-Type")),
            },
        ),
        mk(
            "x-two-missing-headers",
            "X-Zed and X-Alpha; ACAH only allows Content-Type.",
            ("x",),
            Call(api("d"), headers=(("X-Zed", "1"), ("X-Alpha", "2"))),
            {"d": Route(OK_CORS, preflight_ok("GET", "Content-Type"))},
        ),
        mk(
            "x-accept-long",
            "An Accept value over 128 bytes is not safelisted.",
            ("x",),
            Call(api("d"), headers=(("Accept", "application/json;" + "q=0.9," * 25),)),
            {"d": Route(OK_CORS, preflight_ok("GET", "Content-Type"))},
        ),
        mk(
            "x-ct-quoted-charset",
            "text/plain with a quoted charset: '\"' is a CORS-unsafe byte.",
            ("x",),
            Call(
                api("d"), method="POST", body="x", headers=(("Content-Type", 'text/plain; charset="utf-8"'),)
            ),
            {"d": Route(OK_CORS, preflight_ok("POST", None))},
        ),
        mk(
            "x-acac-capital",
            "Credentialed GET; ACAC 'True' (case matters).",
            ("x",),
            Call(api("d"), credentials="include"),
            {"d": Route(Reply(200, (ACAO_PAGE, (ACAC, "True")), DATA))},
        ),
        mk(
            "x-same-to-cross-redirect",
            "A same-origin URL redirects to the API, which allows the page origin: "
            "the origin is not tainted.",
            ("x",),
            Call(same("r")),
            {
                "r": Route(Reply(302, (("Location", "{api}/api/{name}/final"),), content_type=None)),
                "final": Route(OK_CORS),
            },
        ),
        mk(
            "x-preflight-dup-acao",
            "The preflight sends ACAO twice.",
            ("x",),
            Call(api("d"), method="DELETE"),
            {
                "d": Route(
                    OK_CORS,
                    Reply(
                        204,
                        (ACAO_PAGE, ACAO_PAGE, ("Access-Control-Allow-Methods", "DELETE")),
                        content_type=None,
                    ),
                )
            },
        ),
        mk(
            "x-empty-acao",
            "ACAO present but empty.",
            ("x",),
            Call(api("d")),
            {"d": Route(Reply(200, (("Access-Control-Allow-Origin", ""),), DATA))},
        ),
        mk(
            "x-invalid-acam",
            "ACAM 'GET PUT' (spaces, no comma) does not parse.",
            ("x",),
            Call(api("d"), method="PUT"),
            {
                "d": Route(
                    OK_CORS,
                    Reply(204, (ACAO_PAGE, ("Access-Control-Allow-Methods", "GET PUT")), content_type=None),
                )
            },
        ),
        mk(
            "x-xhr-preflight-acao-mismatch-creds",
            "XHR withCredentials PUT; the preflight allows another origin.",
            ("x",),
            Call(api("d"), api="xhr", method="PUT", credentials="include"),
            {
                "d": Route(
                    OK_CORS,
                    Reply(204, (("Access-Control-Allow-Origin", "https://x.example"),), content_type=None),
                )
            },
        ),
        mk(
            "x-range-header",
            "Range bytes=0-10 is safelisted: no preflight.",
            ("x",),
            Call(api("d"), headers=(("Range", "bytes=0-10"),)),
            {"d": Route(OK_CORS)},
        ),
        mk(
            "x-range-suffix",
            "Range bytes=-10 is not: the preflight must allow range.",
            ("x",),
            Call(api("d"), headers=(("Range", "bytes=-10"),)),
            {"d": Route(OK_CORS, preflight_ok("GET", "Content-Type"))},
        ),
    ]


def main() -> None:
    s.PAGE_PORT, s.API_PORT = server.PAGE_PORT, server.API_PORT = 8761, 8762
    s.PAGE, s.API, s.ALT = "http://127.0.0.1:8761", "http://127.0.0.1:8762", "http://localhost:8762"
    extra = _scenarios()
    for scenario in extra:
        s.BY_NAME[scenario.name] = scenario  # the scenario server looks routes up by name
    corpus.capture(extra, HERE, playwright=False)


if __name__ == "__main__":
    main()

"""Findings built by hand, for report tests that must not depend on the engine's verdicts."""

from __future__ import annotations

from harcors.analysis import Analysis
from harcors.cors.model import Confidence, Finding, Fix, Messages, Severity
from harcors.har.model import Exchange, HarInfo, Headers, Initiator, Skipped

PAGE = "https://app.example.com"
API = "https://api.example.com"


def exchange(
    index: int,
    method: str,
    url: str,
    request: list[tuple[str, str]],
    response: list[tuple[str, str]],
    status: int,
    *,
    status_text: str = "",
    resource_type: str = "fetch",
    error: str | None = None,
    initiator: Initiator | None = None,
) -> Exchange:
    return Exchange(
        index=index,
        started=1_700_000_000.0 + index,
        method=method,
        url=url,
        request_headers=Headers(request),
        response_headers=Headers(response),
        status=status,
        status_text=status_text,
        resource_type=resource_type,
        initiator=initiator,
        error=error,
    )


def preflight_finding() -> Finding:
    """A PUT whose preflight answered without Access-Control-Allow-Methods listing PUT."""
    url = f"{API}/v1/items/42"
    pre = exchange(
        3, "OPTIONS", url,
        [("Origin", PAGE), ("Access-Control-Request-Method", "PUT"),
         ("Access-Control-Request-Headers", "content-type,x-request-id"), ("Sec-Fetch-Mode", "cors")],
        [("Access-Control-Allow-Origin", PAGE), ("Access-Control-Allow-Methods", "GET, POST"),
         ("Access-Control-Allow-Headers", "content-type, x-request-id"), ("Vary", "Origin")],
        204, status_text="No Content", resource_type="preflight",
        initiator=Initiator("preflight", url),
    )
    req = exchange(
        4, "PUT", url,
        [("Origin", PAGE), ("Content-Type", "application/json"), ("X-Request-Id", "abc-123"),
         ("Sec-Fetch-Mode", "cors")],
        [], 0, error="net::ERR_FAILED",
    )
    return Finding(
        rule="method-not-allowed",
        severity=Severity.ERROR,
        request=req,
        preflight=pre,
        messages=Messages(
            chrome=f"Access to fetch at '{url}' from origin '{PAGE}' has been blocked by CORS policy: "
            "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.",
            firefox="Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
            f"resource at {url}. (Reason: Did not find method in CORS header "
            "‘Access-Control-Allow-Methods’).",
        ),
        title="Method not allowed by the preflight response",
        explanation="The preflight response lists the methods the server accepts in "
        "Access-Control-Allow-Methods, and PUT is not among them.",
        page_origin=PAGE,
        failed_parameter="PUT",
        root_cause="The CORS middleware is configured with methods GET, POST only.",
        needed_headers=("x-request-id",),
        fixes=(
            Fix("express", "Allow PUT in the cors() options",
                "app.use(cors({\n  origin: 'https://app.example.com',\n"
                "  methods: ['GET', 'POST', 'PUT'],\n}));",
                "js"),
            Fix("nginx", "Add PUT to Access-Control-Allow-Methods",
                "add_header Access-Control-Allow-Methods \"GET, POST, PUT\" always;", "nginx"),
        ),
        curl=(
            f"curl -i -X OPTIONS '{url}' -H 'Origin: {PAGE}' -H 'Access-Control-Request-Method: PUT' "
            "-H 'Access-Control-Request-Headers: content-type,x-request-id'",
        ),
    )


def missing_acao_finding() -> Finding:
    """A credentialed GET answered 200 without Access-Control-Allow-Origin."""
    url = f"{API}/v1/me"
    req = exchange(
        7, "GET", url,
        [("Origin", PAGE), ("Cookie", "sid=s3cr3t-session"), ("Sec-Fetch-Mode", "cors")],
        [("Content-Type", "application/json"), ("Server", "nginx")],
        200, status_text="OK", error="net::ERR_FAILED", resource_type="xhr",
    )
    return Finding(
        rule="missing-allow-origin",
        severity=Severity.ERROR,
        request=req,
        preflight=None,
        messages=Messages(
            chrome=f"Access to XMLHttpRequest at '{url}' from origin '{PAGE}' has been blocked by CORS "
            "policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        ),
        title="No Access-Control-Allow-Origin header",
        explanation="The server answered, but without an Access-Control-Allow-Origin header.",
        page_origin=PAGE,
        initiator="XMLHttpRequest",
        credentials=True,
        confidence=Confidence.LIKELY,
        notes=("Credentials mode inferred from the Cookie header.",),
        fixes=(Fix("nginx", "Send the CORS headers",
                   "add_header Access-Control-Allow-Origin $http_origin always;", "nginx"),),
        curl=(f"curl -i '{url}' -H 'Origin: {PAGE}'",),
    )


def vary_warning() -> Finding:
    url = "https://cdn.example.net/assets/data.json"
    req = exchange(
        9, "GET", url, [("Origin", PAGE)],
        [("Access-Control-Allow-Origin", PAGE)], 200, status_text="OK",
    )
    return Finding(
        rule="missing-vary-origin",
        severity=Severity.WARNING,
        request=req,
        preflight=None,
        messages=Messages(chrome=""),
        title="Access-Control-Allow-Origin depends on Origin but the response has no Vary: Origin",
        explanation="A cache may serve this response to a page on another origin.",
        page_origin=PAGE,
    )


def analysis(findings: list[Finding], *, path: str = "session.har",
             exchanges: list[Exchange] | None = None, skipped: list[Skipped] | None = None) -> Analysis:
    if exchanges is None:
        seen: dict[int, Exchange] = {}
        for f in findings:
            seen[f.request.index] = f.request
            if f.preflight is not None:
                seen[f.preflight.index] = f.preflight
        exchanges = [seen[i] for i in sorted(seen)]
    return Analysis(
        info=HarInfo(path=path, version="1.2", creator="WebInspector", creator_version="537.36"),
        exchanges=exchanges,
        skipped=skipped or [],
        findings=findings,
        entries_seen=12,
    )


def sample_analysis() -> Analysis:
    return analysis([preflight_finding(), missing_acao_finding(), vary_warning()],
                    skipped=[Skipped(11, "request.url is missing")])

"""The browser's own verdict for one scenario: the `chromium` section of `<scenario>.expected.json`.

For every call the page script made (fetch or XHR, any origin) it records whether Chromium
blocked it, the CDP `Network.loadingFailed.corsErrorStatus`, the net error, the final
status, and the console lines Chromium printed about it. Preflights and the page's own
document/scripts are not listed (they are in the HAR).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .chromium import RawCapture
from .harwriter import NetworkLog
from .scenarios import Scenario

# The URL a CORS console line is about: the last URL of a redirect chain.
_CORS_LINE = re.compile(r"^Access to (?:fetch|XMLHttpRequest) at '([^']*)'")
_MODE_LINE = re.compile(r"^Fetch API cannot load (\S+?)\. ")


@dataclass
class _Chain:
    """One script-initiated fetch/XHR as CDP saw it, redirects included."""

    request_id: str
    cdp_type: str
    method: str
    urls: list[str]
    status: int = 0
    failure: dict[str, Any] | None = None
    messages: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)


def console_text(event: dict[str, Any]) -> str | None:
    """The console line an event stands for, verbatim, or None."""
    method, p = event["method"], event["params"]
    if method == "Log.entryAdded":
        return p["entry"]["text"]
    if method == "Runtime.consoleAPICalled":
        parts = []
        for arg in p.get("args", []):
            parts.append(str(arg["value"]) if "value" in arg else arg.get("description", arg.get("type", "")))
        return " ".join(parts)
    if method == "Runtime.exceptionThrown":
        details = p["exceptionDetails"]
        return details.get("exception", {}).get("description") or details.get("text", "")
    return None


def _chains(raw: RawCapture) -> tuple[list[_Chain], dict[str, _Chain]]:
    chains: list[_Chain] = []
    by_id: dict[str, _Chain] = {}
    for event in raw.events:
        method, p = event["method"], event["params"]
        rid = p.get("requestId")
        if method == "Network.requestWillBeSent":
            chain = by_id.get(rid)
            if chain and "redirectResponse" in p:
                chain.urls.append(p["request"]["url"])
            elif (
                chain is None
                and p.get("type") in ("Fetch", "XHR")
                and (p.get("initiator") or {}).get("type") != "preflight"
            ):
                chain = _Chain(rid, p["type"], p["request"]["method"], [p["request"]["url"]])
                chains.append(chain)
                by_id[rid] = chain
        elif rid in by_id and method == "Network.loadingFailed":
            by_id[rid].failure = p
    return chains, by_id


def build(scenario: Scenario, raw: RawCapture, log: NetworkLog) -> dict[str, Any]:
    """The verdict; `log` is the same capture replayed for the HAR, so statuses agree with it."""
    chains, by_id = _chains(raw)
    for hop in log.requests:  # the last hop of each chain wins
        if hop.request_id in by_id:
            by_id[hop.request_id].status = hop.status_code
    console: list[str] = []
    unsent: list[tuple[int, str]] = []  # calls that never reached the network: (index, url)

    # Calls run one at a time, so the k-th call is the next chain with its URL and method.
    records: list[tuple[Any, _Chain | None]] = []
    pending = list(chains)
    for index, call in enumerate(scenario.calls):
        url = scenario.expand(call.url)
        if pending and pending[0].urls[0] == url and pending[0].method == call.method:
            records.append((call, pending.pop(0)))
        else:
            records.append((call, None))
            unsent.append((index, url))
    if pending:
        raise ValueError(f"{scenario.name}: requests not matched to any call: {[c.urls[0] for c in pending]}")

    unsent_messages: dict[int, list[str]] = {i: [] for i, _ in unsent}
    claimed: set[int] = set()
    current: _Chain | None = None  # the call in flight, in event order
    for event in raw.events:
        text = console_text(event)
        if event["method"] == "Network.requestWillBeSent" and event["params"]["requestId"] in by_id:
            current = by_id[event["params"]["requestId"]]
        if event["method"] == "Audits.issueAdded":
            _attach_issue(event["params"]["issue"], by_id, current)
        if text is None:
            continue
        console.append(text)
        entry = event["params"].get("entry", {}) if event["method"] == "Log.entryAdded" else {}
        if entry.get("networkRequestId") in by_id:
            by_id[entry["networkRequestId"]].messages.append(text)
            continue
        match = _CORS_LINE.match(text) or _MODE_LINE.match(text)
        if not match:
            continue
        # The first chain ending at that URL that has no CORS line yet.
        for chain in chains:
            if chain.urls[-1] == match.group(1) and id(chain) not in claimed:
                chain.messages.append(text)
                claimed.add(id(chain))
                break
        else:
            for index, url in unsent:
                if url == match.group(1) and not unsent_messages[index]:
                    unsent_messages[index].append(text)
                    break

    requests = []
    for index, ((call, chain), result) in enumerate(
        zip(records, _pad(raw.results, len(records)), strict=True)
    ):
        if chain is None:
            requests.append(
                {
                    "url": scenario.expand(call.url),
                    "method": call.method,
                    "initiator": call.api,
                    "blocked": False,
                    "cors_error": None,
                    "failed_parameter": None,
                    "net_error": None,
                    "status": 0,
                    "messages": unsent_messages.get(index, []),
                    "sent": False,
                    "script_result": result,
                }
            )
            continue
        failure = chain.failure or {}
        cors = failure.get("corsErrorStatus")
        record: dict[str, Any] = {
            "url": chain.urls[0],
            "method": chain.method,
            "initiator": {"Fetch": "fetch", "XHR": "xhr"}.get(chain.cdp_type, "other"),
            "blocked": cors is not None,
            "cors_error": cors["corsError"] if cors else None,
            "failed_parameter": cors["failedParameter"] if cors else None,
            "net_error": failure.get("errorText"),
            "status": chain.status,
            "messages": chain.messages,
        }
        if len(chain.urls) > 1:
            record["redirected_to"] = chain.urls[1:]
        if failure.get("blockedReason"):
            record["blocked_reason"] = failure["blockedReason"]
        if chain.issues:
            record["devtools_issues"] = chain.issues
        record["script_result"] = result
        requests.append(record)
    return {"version": raw.version, "user_agent": raw.user_agent, "console": console, "requests": requests}


def _pad(results: list[str], n: int) -> list[str | None]:
    return [*results, *([None] * (n - len(results)))][:n]


def _attach_issue(issue: dict[str, Any], by_id: dict[str, _Chain], current: _Chain | None) -> None:
    """Keep DevTools Issues (e.g. the AuthorizationCoveredByWildcard deprecation) beside their request."""
    code = issue["code"]
    details = next(iter(issue.get("details", {}).values()), {})
    kind = (
        details.get("corsErrorStatus", {}).get("corsError")
        or details.get("type")
        or details.get("errorType")
        or ""
    )
    label = f"{code}:{kind}" if kind else code
    request = details.get("request") or {}
    chain = by_id.get(request.get("requestId", ""))
    if chain is None and code == "DeprecationIssue":
        # Deprecation issues name no request; they belong to the call in flight.
        chain = current
    if chain is not None and label not in chain.issues:
        chain.issues.append(label)

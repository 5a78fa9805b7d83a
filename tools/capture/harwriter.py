"""CDP Network events -> a HAR shaped like Chrome DevTools' "Export HAR".

This replays the events through the same state a DevTools `NetworkRequest` keeps
(devtools-frontend `core/sdk/NetworkManager.ts`, `NetworkRequest.ts`) and then serialises
it the way `models/har/Log.ts` and `Writer.ts` do, so the quirks users' HARs have come
out here too:

* one entry per redirect hop; each hop keeps the original request's initiator;
* a CORS-blocked response that arrived keeps its real status and headers (they come from
  `responseReceivedExtraInfo`, the renderer never got a `responseReceived`), with
  `_error: "net::ERR_FAILED"`, `serverIPAddress: ""` and all time in `blocked`;
* `response.bodySize` is transfer size minus header text length, so it is negative for a
  blocked response that has header text but a transfer size of 0;
* request `headersSize`/`httpVersion` come from header text DevTools synthesises from the
  wire headers once the response header text is known; without it they are -1 and "";
* the resource type is re-set from `responseReceived` and `loadingFailed`, so a preflight
  starts as "other" and becomes "preflight".
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

# CDP Network.ResourceType -> DevTools ResourceType name (front_end/core/common/ResourceType.ts).
_RESOURCE_TYPES = {
    "Document": "document",
    "Stylesheet": "stylesheet",
    "Image": "image",
    "Media": "media",
    "Font": "font",
    "Script": "script",
    "TextTrack": "texttrack",
    "XHR": "xhr",
    "Fetch": "fetch",
    "Prefetch": "prefetch",
    "EventSource": "eventsource",
    "WebSocket": "websocket",
    "Manifest": "manifest",
    "SignedExchange": "signed-exchange",
    "Ping": "ping",
    "CSPViolationReport": "csp-violation-report",
    "Preflight": "preflight",
    "Other": "other",
}

MAX_BODY_TEXT = 64 * 1024  # keep the corpus small; no scenario body comes near this


def _resource_type(cdp_type: str | None) -> str:
    return _RESOURCE_TYPES.get(cdp_type or "Other", "other")


def _headers_array(headers: dict[str, str] | None) -> list[dict[str, str]]:
    # CDP folds repeated headers into one value joined by "\n"; DevTools splits them back.
    return [{"name": name, "value": v} for name, value in (headers or {}).items() for v in value.split("\n")]


def _num(x: float) -> float | int:
    """JSON numbers as JS writes them: 5, not 5.0."""
    return int(x) if isinstance(x, float) and x.is_integer() else x


def _iso(seconds: float) -> str:
    # JS `new Date(ms).toJSON()`: the Date truncates to whole milliseconds.
    ms = int(seconds * 1000)
    when = dt.datetime.fromtimestamp(ms // 1000, dt.UTC).replace(microsecond=(ms % 1000) * 1000)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


@dataclass
class _Request:
    """The subset of a DevTools NetworkRequest the HAR exporter reads; one per hop."""

    request_id: str
    url: str
    initiator: dict[str, Any] | None
    session: str | None
    method: str = "GET"
    request_headers: list[dict[str, str]] = field(default_factory=list)
    request_headers_text: str | None = None
    post_data: str | None = None
    priority: str | None = None
    resource_type: str = "other"
    issue_time: float = 0.0
    wall_issue_time: float = 0.0
    _start_time: float = 0.0
    _response_received_time: float = 0.0
    _end_time: float = 0.0
    timing: dict[str, float] | None = None
    status_code: int = 0
    status_text: str = ""
    response_headers: list[dict[str, str]] = field(default_factory=list)
    response_headers_text: str = ""
    has_extra_request_info: bool = False
    has_extra_response_info: bool = False
    protocol: str = ""
    remote_address: str = ""
    connection_id: str = "0"
    mime_type: str = ""
    resource_size: int = 0
    transfer_size: int = 0
    error: str | None = None
    failed: bool = False
    finished: bool = False
    is_redirect: bool = False
    from_memory_cache: bool = False
    from_disk_cache: bool = False
    included_cookies: list[dict[str, Any]] = field(default_factory=list)

    # The getters/setters below keep NetworkRequest's arithmetic, including its fallbacks.
    @property
    def start_time(self) -> float:
        return self._start_time or -1

    @property
    def response_received_time(self) -> float:
        return self._response_received_time or -1

    @property
    def end_time(self) -> float:
        return self._end_time or -1

    def set_end_time(self, x: float) -> None:
        if self.timing and self.timing.get("requestTime"):
            self._end_time = max(x, self.response_received_time)
        else:
            self._end_time = x
            if self._response_received_time > x:
                self._response_received_time = x

    def set_timing(self, timing: dict[str, float] | None) -> None:
        if not timing or self.from_memory_cache:
            return
        self._start_time = timing["requestTime"]
        headers_received = timing["requestTime"] + timing["receiveHeadersEnd"] / 1000.0
        if (self._response_received_time or -1) < 0 or self._response_received_time > headers_received:
            self._response_received_time = headers_received
        if self._start_time > self._response_received_time:
            self._response_received_time = self._start_time
        self.timing = timing

    @property
    def cached(self) -> bool:
        return (self.from_memory_cache or self.from_disk_cache) and not self.transfer_size

    def header(self, headers: list[dict[str, str]], name: str) -> str | None:
        values = [h["value"] for h in headers if h["name"].lower() == name.lower()]
        return ", ".join(values) if values else None


class _ExtraInfoBuilder:
    """Pairs *ExtraInfo events with redirect hops by position, as DevTools does.

    ExtraInfo events may arrive before or after the main events; they are applied once the
    hop's response (or its failure) tells whether extra info exists at all.
    """

    def __init__(self) -> None:
        self.requests: list[_Request] = []
        self.flags: list[bool] = []
        self.request_infos: list[dict[str, Any] | None] = []
        self.response_infos: list[dict[str, Any] | None] = []

    def add_request(self, req: _Request) -> None:
        self.requests.append(req)
        self._sync(len(self.requests) - 1)

    def add_request_info(self, info: dict[str, Any]) -> None:
        self.request_infos.append(info)
        self._sync(len(self.request_infos) - 1)

    def add_response_info(self, info: dict[str, Any]) -> None:
        self.response_infos.append(info)
        self._sync(len(self.response_infos) - 1)

    def add_has_extra_info(self, has: bool) -> None:
        self.flags.append(has)
        if not has:
            self.request_infos.insert(len(self.requests) - 1, None)
            self.response_infos.insert(len(self.requests) - 1, None)
        self._sync(len(self.requests) - 1)

    def finished(self) -> None:
        # A failed request never got responseReceived, but its ExtraInfo may still be here.
        while len(self.flags) < len(self.requests):
            self.flags.append(True)
        self._sync(len(self.requests) - 1)

    def _sync(self, index: int) -> None:
        if index >= len(self.requests) or index >= len(self.flags) or not self.flags[index]:
            return
        req = self.requests[index]
        if index < len(self.request_infos) and self.request_infos[index]:
            _apply_request_info(req, self.request_infos[index])  # type: ignore[arg-type]
            self.request_infos[index] = None
        if index < len(self.response_infos) and self.response_infos[index]:
            _apply_response_info(req, self.response_infos[index])  # type: ignore[arg-type]
            self.response_infos[index] = None


def _apply_request_info(req: _Request, info: dict[str, Any]) -> None:
    req.request_headers = _headers_array(info.get("headers"))
    req.has_extra_request_info = True
    req.request_headers_text = ""
    req.included_cookies = [
        c["cookie"] for c in info.get("associatedCookies", []) if not c.get("blockedReasons")
    ]
    if info.get("connectTiming"):
        req._start_time = info["connectTiming"]["requestTime"]


def _apply_response_info(req: _Request, info: dict[str, Any]) -> None:
    req.response_headers = _headers_array(info.get("headers"))
    text = info.get("headersText")
    if text:
        req.response_headers_text = text
        if not req.request_headers_text:
            # Network.requestWillBeSentExtraInfo has no header text; DevTools rebuilds one.
            parts = urllib.parse.urlsplit(req.url)
            line = f"{req.method} {parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
            req.request_headers_text = (
                line
                + " HTTP/1.1\r\n"
                + "".join(f"{h['name']}: {h['value']}\r\n" for h in req.request_headers)
            )
        req.status_text = " ".join(text.split("\r")[0].split(" ")[2:])
    if info.get("statusCode"):
        req.status_code = info["statusCode"]
    req.has_extra_response_info = True


class NetworkLog:
    """Feed CDP events in arrival order with `add`, then call `har()`."""

    def __init__(self, user_agent: str = "") -> None:
        self.user_agent = user_agent
        self.requests: list[_Request] = []  # in DevTools' NetworkLog order (request start)
        self._live: dict[str, _Request] = {}
        self._extra: dict[str, _ExtraInfoBuilder] = {}
        self._bodies: dict[str, tuple[str, bool]] = {}
        self._main_session: str | None = None
        self._dom_content_loaded: float = -1
        self._load: float = -1

    def _builder(self, rid: str) -> _ExtraInfoBuilder:
        return self._extra.setdefault(rid, _ExtraInfoBuilder())

    def set_bodies(self, bodies: dict[str, tuple[str, bool]]) -> None:
        self._bodies = bodies

    def add(self, method: str, params: dict[str, Any], session: str | None = None) -> None:
        if self._main_session is None:
            self._main_session = session
        handler = getattr(self, "_on_" + method.replace(".", "_"), None)
        if handler:
            handler(params, session)

    # --- Page -----------------------------------------------------------------------------

    def _on_Page_domContentEventFired(self, p: dict[str, Any], session: str | None) -> None:
        if session == self._main_session:
            self._dom_content_loaded = p["timestamp"]

    def _on_Page_loadEventFired(self, p: dict[str, Any], session: str | None) -> None:
        if session == self._main_session:
            self._load = p["timestamp"]

    # --- Network --------------------------------------------------------------------------

    def _on_Network_requestWillBeSent(self, p: dict[str, Any], session: str | None) -> None:
        rid = p["requestId"]
        req = self._live.get(rid)
        if req:
            if "redirectResponse" not in p:
                return
            self._on_Network_responseReceived(
                {
                    "requestId": rid,
                    "timestamp": p["timestamp"],
                    "type": p.get("type") or "Other",
                    "response": p["redirectResponse"],
                    "hasExtraInfo": p.get("redirectHasExtraInfo", False),
                },
                session,
            )
            req.is_redirect = True
            self._finish(req, p["timestamp"], -1)
            # The new hop inherits the first hop's initiator, not the event's {"type": "other"}.
            req = _Request(rid, p["request"]["url"], req.initiator, session)
        else:
            req = _Request(rid, p["request"]["url"], p.get("initiator"), session)
        self._live[rid] = req
        self.requests.append(req)
        request = p["request"]
        req.url = request["url"] + request.get("urlFragment", "")
        req.method = request["method"]
        req.request_headers = _headers_array(request.get("headers"))
        req.post_data = request.get("postData")
        req.priority = request.get("initialPriority")
        req.issue_time = req._start_time = p["timestamp"]
        req.wall_issue_time = p.get("wallTime", 0)
        req.resource_type = _resource_type(p.get("type"))
        self._builder(rid).add_request(req)

    def _on_Network_requestWillBeSentExtraInfo(self, p: dict[str, Any], session: str | None) -> None:
        self._builder(p["requestId"]).add_request_info(p)

    def _on_Network_responseReceivedExtraInfo(self, p: dict[str, Any], session: str | None) -> None:
        self._builder(p["requestId"]).add_response_info(p)

    def _on_Network_requestServedFromCache(self, p: dict[str, Any], session: str | None) -> None:
        req = self._live.get(p["requestId"])
        if req:
            req.from_memory_cache = True
            req.timing = None

    def _on_Network_resourceChangedPriority(self, p: dict[str, Any], session: str | None) -> None:
        req = self._live.get(p["requestId"])
        if req:
            req.priority = p["newPriority"]

    def _on_Network_responseReceived(self, p: dict[str, Any], session: str | None) -> None:
        req = self._live.get(p["requestId"])
        if not req:
            return
        req._response_received_time = p["timestamp"]
        req.resource_type = _resource_type(p.get("type"))
        r = p["response"]
        if r.get("url") and r["url"] != req.url:
            req.url = r["url"]
        req.mime_type = r.get("mimeType", "")
        if not req.status_code:
            req.status_code = r.get("status", 0)
        if not req.status_text:
            req.status_text = r.get("statusText", "")
        if not req.has_extra_response_info:
            req.response_headers = _headers_array(r.get("headers"))
        if r.get("encodedDataLength", -1) >= 0:
            req.transfer_size = r["encodedDataLength"]
        req.connection_id = str(_num(r.get("connectionId", 0)))
        if r.get("remoteIPAddress"):
            req.remote_address = f"{r['remoteIPAddress']}:{r.get('remotePort') or -1}"
        if r.get("fromDiskCache"):
            req.from_disk_cache = True
        req.set_timing(r.get("timing"))
        req.protocol = r.get("protocol") or ""
        self._builder(p["requestId"]).add_has_extra_info(bool(p.get("hasExtraInfo")))

    def _on_Network_dataReceived(self, p: dict[str, Any], session: str | None) -> None:
        req = self._live.get(p["requestId"])
        if req:
            req.resource_size += p.get("dataLength", 0)
            if p.get("encodedDataLength", -1) != -1:
                req.transfer_size += p["encodedDataLength"]
            req.set_end_time(p["timestamp"])

    def _on_Network_loadingFinished(self, p: dict[str, Any], session: str | None) -> None:
        req = self._live.get(p["requestId"])
        if req:
            self._builder(p["requestId"]).finished()
            self._finish(req, p["timestamp"], p.get("encodedDataLength", -1))

    def _on_Network_loadingFailed(self, p: dict[str, Any], session: str | None) -> None:
        req = self._live.get(p["requestId"])
        if not req:
            return
        req.failed = True
        req.resource_type = _resource_type(p.get("type"))
        req.error = p.get("errorText")
        self._builder(p["requestId"]).finished()
        self._finish(req, p["timestamp"], -1)

    @staticmethod
    def _finish(req: _Request, when: float, encoded_length: float) -> None:
        req.set_end_time(when)
        req.finished = True
        if encoded_length >= 0:
            req.transfer_size = int(encoded_length)

    # --- export ---------------------------------------------------------------------------

    def har(self) -> dict[str, Any]:
        # Sorted by issue time (stable, like Array.prototype.sort): that is what startedDateTime shows.
        requests = sorted(self.requests, key=lambda r: r.issue_time)
        webkit = re.search(r"AppleWebKit/([^ ]+)", self.user_agent)
        pages = []
        main = next(
            (r for r in requests if r.resource_type == "document" and r.session == self._main_session), None
        )
        if main:
            start = main.start_time

            def since_start(t: float) -> float | int:
                return -1 if t == -1 or start == -1 else _num((t - start) * 1000)

            pages.append(
                {
                    "startedDateTime": _iso(main.wall_issue_time - main.issue_time + start),
                    "id": "page_1",
                    "title": main.url,
                    "pageTimings": {
                        "onContentLoad": since_start(self._dom_content_loaded),
                        "onLoad": since_start(self._load),
                    },
                }
            )
        entries = [self._entry(r, "page_1" if pages else None) for r in requests]
        return {
            "log": {
                "version": "1.2",
                "creator": {"name": "WebInspector", "version": webkit.group(1) if webkit else "n/a"},
                "pages": pages,
                "entries": entries,
            }
        }

    def _entry(self, req: _Request, pageref: str | None) -> dict[str, Any]:
        ip = req.remote_address
        colon = ip.rfind(":")
        connection = ip[colon + 1 :] if colon != -1 else None
        if colon != -1:
            ip = ip[:colon]
        timings = _timings(req)
        total = sum(max(timings[k], 0) for k in ("blocked", "dns", "connect", "send", "wait", "receive"))
        initiator = None
        if req.initiator:
            initiator = {"type": req.initiator["type"]}
            for key in ("url", "requestId", "lineNumber", "stack"):
                if key in req.initiator:
                    initiator[key] = req.initiator[key]
        entry: dict[str, Any] = {}
        if req.connection_id != "0":
            entry["_connectionId"] = req.connection_id
        if req.cached:
            entry["_fromCache"] = "memory" if req.from_memory_cache else "disk"
        entry["_initiator"] = initiator
        entry["_priority"] = req.priority
        entry["_resourceType"] = req.resource_type
        entry["cache"] = {}
        if connection is not None:
            entry["connection"] = connection
        if pageref:
            entry["pageref"] = pageref
        entry["request"] = self._request(req)
        entry["response"] = self._response(req)
        # Only a literal "[]" is removed (Log.ts's regex), so IPv6 addresses keep their brackets.
        entry["serverIPAddress"] = ip.replace("[]", "")
        entry["startedDateTime"] = _iso(req.wall_issue_time)
        entry["time"] = _num(total)
        entry["timings"] = {k: _num(v) for k, v in timings.items()}
        return entry

    @staticmethod
    def _request(req: _Request) -> dict[str, Any]:
        text = req.request_headers_text
        if text:
            match = re.search(r"(HTTP/\d+\.\d+)$", text.split("\r\n")[0])
            version = match.group(1) if match else "HTTP/0.9"
        else:
            version = _protocol_name(req.protocol)
        query = urllib.parse.urlsplit(req.url).query
        out: dict[str, Any] = {
            "method": req.method,
            "url": req.url.split("#", 1)[0],
            "httpVersion": version,
            "headers": req.request_headers,
            "queryString": _parameters(query),
            "cookies": [_cookie(c) for c in req.included_cookies],
            "headersSize": len(text) if text else -1,
            "bodySize": len(req.post_data.encode()) if req.post_data else 0,
        }
        if req.post_data:
            mime = req.header(req.request_headers, "Content-Type") or ""
            post: dict[str, Any] = {"mimeType": mime, "text": req.post_data}
            if re.match(r"^application/x-www-form-urlencoded\s*(;.*)?$", mime, re.I):
                post["params"] = _parameters(req.post_data)
            out["postData"] = post
        return out

    def _response(self, req: _Request) -> dict[str, Any]:
        text = req.response_headers_text
        if text:
            match = re.match(r"^(HTTP/\d+\.\d+)", text.split("\r\n")[0])
            version = match.group(1) if match else "HTTP/0.9"
        else:
            version = _protocol_name(req.protocol)
        if req.cached or req.status_code == 304:
            body_size = 0
        elif not text:
            body_size = -1
        else:
            body_size = req.transfer_size - len(text)
        content: dict[str, Any] = {"size": req.resource_size, "mimeType": req.mime_type or "x-unknown"}
        if text and not req.cached and req.status_code not in (304, 206):
            content["compression"] = req.resource_size - body_size
        body = self._bodies.get(req.request_id)
        if body and req.finished and not req.failed and not req.is_redirect and len(body[0]) <= MAX_BODY_TEXT:
            content["text"] = body[0]
            if body[1]:
                content["encoding"] = "base64"
        return {
            "status": req.status_code,
            "statusText": req.status_text,
            "httpVersion": version,
            "headers": req.response_headers,
            "cookies": _set_cookies(req),
            "content": content,
            "redirectURL": req.header(req.response_headers, "Location") or "",
            "headersSize": len(text) if text else -1,
            "bodySize": body_size,
            "_transferSize": req.transfer_size,
            "_error": req.error,
            "_fetchedViaServiceWorker": False,
        }


def _parameters(text: str) -> list[dict[str, str]]:
    """`a=1&b` -> name/value pairs, undecoded, as DevTools lists query and form parameters."""
    if not text:
        return []
    return [{"name": name, "value": value} for name, _, value in (p.partition("=") for p in text.split("&"))]


def _protocol_name(protocol: str) -> str:
    name = protocol.lower()
    return "http/2.0" if name == "h2" else re.sub(r"^http/2(\.0)?\+", "http/2.0+", name)


def _set_cookies(req: _Request) -> list[dict[str, Any]]:
    """Response cookies as DevTools lists them: each Set-Cookie line parsed (CookieParser.ts), its
    domain defaulting to the request's host."""
    host = urllib.parse.urlsplit(req.url).hostname or ""
    out = []
    for h in req.response_headers:
        if h["name"].lower() != "set-cookie":
            continue
        pair, *attrs = h["value"].split(";")
        name, _, value = pair.strip().partition("=")
        c: dict[str, Any] = {"name": name, "value": value, "domain": host}
        for attr in attrs:
            key, _, val = attr.strip().partition("=")
            key = key.lower()
            if key in ("path", "domain"):
                c[key] = val
            elif key in ("httponly", "secure"):
                c["httpOnly" if key == "httponly" else key] = True
            elif key == "samesite":
                c["sameSite"] = val
        out.append(_cookie(c))
    return out


def _cookie(c: dict[str, Any]) -> dict[str, Any]:
    out = {
        "name": c["name"],
        "value": c["value"],
        "path": c.get("path", "/"),
        "domain": c.get("domain", ""),
        "expires": None,
        "httpOnly": c.get("httpOnly", False),
        "secure": c.get("secure", False),
    }
    if c.get("sameSite"):
        out["sameSite"] = c["sameSite"]
    return out


def _timings(req: _Request) -> dict[str, float]:
    """Log.ts buildTimings: ms since request start, -1 for phases that did not happen."""

    def ms(t: float) -> float:
        return -1 if t == -1 else t * 1000

    def least_non_negative(values: list[float]) -> float:
        return min((v for v in values if v >= 0), default=float("inf"))

    timing = req.timing
    issue, start = req.issue_time, req.start_time
    queued = start - issue if issue < start else -1
    result: dict[str, float] = {
        "blocked": ms(queued),
        "dns": -1,
        "ssl": -1,
        "connect": -1,
        "send": 0,
        "wait": 0,
        "receive": 0,
        "_blocked_queueing": ms(queued),
    }
    highest = 0.0
    if timing:
        blocked_start = least_non_negative([timing["dnsStart"], timing["connectStart"], timing["sendStart"]])
        if blocked_start != float("inf"):
            result["blocked"] += blocked_start
        if timing.get("proxyEnd", -1) != -1:
            result["_blocked_proxy"] = timing["proxyEnd"] - timing["proxyStart"]
            result["blocked"] = max(result["blocked"], result["_blocked_proxy"])
        dns_start = blocked_start if timing["dnsEnd"] >= 0 else 0
        dns_end = timing["dnsEnd"] if timing["dnsEnd"] >= 0 else -1
        result["dns"] = dns_end - dns_start
        ssl_start = timing["sslStart"] if timing["sslEnd"] > 0 else 0
        ssl_end = timing["sslEnd"] if timing["sslEnd"] > 0 else -1
        result["ssl"] = ssl_end - ssl_start
        connect_start = least_non_negative([dns_end, blocked_start]) if timing["connectEnd"] >= 0 else 0
        connect_end = timing["connectEnd"] if timing["connectEnd"] >= 0 else -1
        result["connect"] = connect_end - connect_start
        send_start = max(connect_end, dns_end, blocked_start) if timing["sendEnd"] >= 0 else 0
        send_end = timing["sendEnd"] if timing["sendEnd"] >= 0 else 0
        result["send"] = max(send_end - send_start, 0)
        highest = max(send_end, connect_end, ssl_end, dns_end, blocked_start, 0)
        for key in (
            "workerStart",
            "workerReady",
            "workerFetchStart",
            "workerRespondWithSettled",
            "workerRouterEvaluationStart",
            "workerCacheLookupStart",
        ):
            if key in timing:
                result["_" + key] = timing[key]
    elif req.response_received_time == -1:
        # Nothing after "blocked" is known (a blocked or failed request): all of it is blocked.
        result["blocked"] = ms(req.end_time - issue)
        return result
    request_time = timing["requestTime"] if timing else start
    wait_end = ms(req.response_received_time - request_time)
    result["wait"] = wait_end - highest
    result["receive"] = max(ms(req.end_time - request_time) - wait_end, 0)
    return result

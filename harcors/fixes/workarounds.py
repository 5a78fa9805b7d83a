"""What does not fix CORS, and notes for findings whose traffic shows one of those was tried."""

from __future__ import annotations

import re
from operator import itemgetter
from urllib.parse import unquote, urlsplit

from harcors.cors.model import Finding
from harcors.fixes.catalog import section

# Public CORS proxies seen in questions and tutorials; self-hosted cors-anywhere is caught by its
# URL shape (the target URL as the path) instead.
_KNOWN_PROXIES = (
    "cors-anywhere.herokuapp.com",
    "corsproxy.io",
    "api.allorigins.win",
    "allorigins.win",
    "thingproxy.freeboard.io",
    "cors.bridged.cc",
    "api.codetabs.com",
    "proxy.cors.sh",
    "cors-proxy.htmldriven.com",
    "crossorigin.me",
    "yacdn.org",
    "cors.eu.org",
    "corsproxy.org",
)
_EMBEDDED_URL = re.compile(r"^/+https?:/", re.IGNORECASE)
_QUERY_URL = re.compile(r"(^|&)((url|u|target|quest)=)?https?(:|%3a)", re.IGNORECASE)


def what_does_not_fix() -> str:
    """The fixed "What does not fix CORS" section, in Markdown."""
    return section("what_does_not_fix")


def dev_only_alternatives() -> str:
    """Same-origin proxies for development (Vite, Next.js rewrites, CRA), labelled development-only."""
    return section("dev_only")


# Every known proxy's host holds one of these; so does any host the query test below accepts.
_PROXY_HINTS = ("cors", "proxy", "allorigins", "codetabs", "crossorigin", "yacdn")


def _surely_direct(url: str) -> bool:
    """A quick, exact "no proxy": no hint in the host and no URL inside the path.

    urlsplit drops tabs and line breaks (which could join a hint's letters) and lower-cases the
    host; a path holding a URL has "http" after the scheme's, or a %-escape.
    """
    low = url.lower()
    return (
        not any(hint in low for hint in _PROXY_HINTS)
        and low.find("http", 1) < 0
        and "%" not in low
        and "\t" not in url and "\r" not in url and "\n" not in url
    )


def cors_proxy_host(url: str) -> str | None:
    """The host of a public or cors-anywhere-style CORS proxy ``url`` goes through, if any."""
    if _surely_direct(url):  # hot path: every finding's URL
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not host:
        return None
    if any(host == known or host.endswith("." + known) for known in _KNOWN_PROXIES):
        return host
    if _EMBEDDED_URL.match(unquote(parts.path)):
        return host  # cors-anywhere: https://proxy.example/https://api.example/data
    if ("cors" in host or "proxy" in host) and _QUERY_URL.search(parts.query):
        return host
    return None


def tried_notes(finding: Finding, *, no_cors_urls: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Notes for a finding whose request shows a workaround that does not fix CORS."""
    notes: list[str] = []
    prefix = "access-control-allow-"
    lines = finding.request.request_headers.items()
    # Hot path: every finding, and a page seldom sends such a header: one test on the names joined
    # (a superset of the per-name test) spares looking at each.
    sent = []
    if prefix in "\n".join(map(itemgetter(0), lines)).lower():
        sent = [name for name, _ in lines if name.lower().startswith(prefix)]
    if finding.preflight is not None:
        requested = finding.preflight.request_headers.get("access-control-request-headers") or ""
        sent += [h.strip() for h in requested.split(",") if h.strip().lower().startswith(prefix)]
    if sent and finding.rule != "acao-in-request":
        notes.append(section("tried_header").format(header=sent[0]))
    if finding.request.url in no_cors_urls and finding.rule != "no-cors-opaque":
        notes.append(section("tried_no_cors"))
    host = cors_proxy_host(finding.request.url)
    if host:
        notes.append(section("tried_proxy").format(host=host))
    return tuple(n for n in notes if n not in finding.notes)

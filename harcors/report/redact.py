"""Redaction: take secrets out of everything a report exports, keep their presence visible.

Presence matters for CORS (a ``Cookie`` or ``Authorization`` header changes the credentials mode
and forces a preflight), so a secret becomes ``[redacted]`` rather than vanishing:
``Authorization: [redacted]``, ``?token=[redacted]``.

Two passes, because secrets leak in two ways:

* by *place*: a header that carries credentials, a query parameter named like a secret, a
  JWT-shaped string, a password in a URL — recognised by pattern wherever it appears, including
  inside browser messages and curl commands that embed the URL;
* by *value*: the engine's prose, a fix snippet or a curl command may quote a secret it saw in
  the traffic in a form no pattern knows. :class:`Redactor` learns every secret value in the HAR's
  exchanges and scrubs those literal strings from every text it is given.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable
from itertools import compress, repeat
from operator import attrgetter, contains, is_not
from urllib.parse import unquote_plus

from harcors.analysis import Analysis
from harcors.cors.model import Finding, Fix, Messages
from harcors.har.fast import LazyExchange, LazyHeaders
from harcors.har.model import Exchange, Headers, Initiator, Skipped

REDACTED = "[redacted]"

# Headers whose whole value is a credential.
_SECRET_HEADERS = frozenset({
    "cookie", "set-cookie", "set-cookie2", "authorization", "proxy-authorization",
    "x-api-key", "api-key", "apikey", "x-apikey", "x-auth-token", "x-access-token",
    "x-amz-security-token", "x-goog-api-key", "x-csrf-token", "x-xsrf-token", "csrf-token",
    "x-session-id", "x-refresh-token", "x-id-token", "x-client-secret", "signature",
})
# Names shaped like a credential: *-token, *-secret, *-key, *-password, *-signature, *-session...
_SECRET_HEADER_RE = re.compile(
    r"(?:^|[-_])(?:token|secret|key|apikey|password|passwd|signature|session|sessionid|credential|auth)$"
    r"|^x-(?:csrf|xsrf)(?:[-_]|$)|authorization$|api[-_]?key|access[-_]?token",
    re.IGNORECASE,
)
# CORS's own headers name other headers ("Access-Control-Allow-Headers: x-api-key") or are
# literally called "...-Credentials"; they are the evidence, never a secret.
_NEVER_SECRET_RE = re.compile(r"^(?:access-control-|origin$|vary$|sec-fetch-)", re.IGNORECASE)

_SECRET_PARAMS = frozenset({
    "token", "access_token", "id_token", "refresh_token", "auth_token", "session_token",
    "key", "api_key", "apikey", "api-key", "sig", "signature", "code", "password", "passwd", "pwd",
    "secret", "client_secret", "jwt", "auth", "session", "sessionid", "session_id", "sid",
    "x-amz-signature", "x-amz-credential", "x-amz-security-token",
    "x-goog-signature", "x-goog-credential",
})
_SECRET_PARAM_RE = re.compile(
    r"(?:token|secret|password|passwd|signature|credential)$|[-_](?:key|sig)$|^api[-_]?key",
    re.IGNORECASE,
)

# Three base64url segments, the first two JSON objects ('{"' encodes to "eyJ").
_JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
# A URL as it appears in prose, messages and shell commands: stops at whitespace and quotes.
_URL_RE = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>`]+")
# name=value after ? & ; or # — a query (or fragment) parameter, also outside a full URL.
_PARAM_RE = re.compile(r"(?P<sep>[?&;#])(?P<name>[^=&;#\s'\"<>`?]+)=(?P<value>[^&;#\s'\"<>`]*)")
# "Header-Name: value" inside text (curl -H '...', header dumps); the value ends at a quote or a
# newline. Without a space after the colon only right after a quote or at a line start, so that
# "http://auth:8080/" is not read as a header called "auth".
_HEADER_NAME = r"(?P<name>(?<![A-Za-z0-9_.-])[A-Za-z][A-Za-z0-9_-]*)"
# shlex.quote writes a ' inside a single-quoted word as '"'"' — still the same value.
_HEADER_VALUE = r"(?P<value>(?:[^'\"\r\n]|'\"'\"'|'\\'')+)"
_HEADER_LINE_RES = (
    re.compile(_HEADER_NAME + r"(?P<colon>[ \t]*:[ \t]+)" + _HEADER_VALUE),
    re.compile(r"(?:^|(?<=['\"]))" + _HEADER_NAME + r"(?P<colon>:)" + _HEADER_VALUE, re.MULTILINE),
)
_HEADER_NAMES_RE = re.compile(_HEADER_NAME + r"[ \t]*:")
# A secret header's (lower-cased) name holds one of these: every word of _SECRET_HEADERS and of
# _SECRET_HEADER_RE (tests/report/test_redact_fast.py checks it against both).
_SECRET_NAME_PARTS = ("cookie", "auth", "key", "token", "secret", "signature", "session", "csrf", "xsrf",
                      "password", "passwd", "credential")
# curl's own credential options (-b/--cookie 'a=b', -u/--user 'name:password') and its body
# options: bodies are never exported, a curl repro does not need them to show a CORS failure.
_CURL_SECRET_OPT_RE = re.compile(
    r"(?P<opt>(?<!\S)(?:-b|--cookie|-u|--user|--oauth2-bearer|--proxy-user|-U"
    r"|-d|--data|--data-raw|--data-binary|--data-ascii|--data-urlencode|--json|-F|--form)(?:[ \t]+|=))"
    r"(?:'(?P<sq>[^']*)'|\"(?P<dq>(?:[^\"\\]|\\.)*)\"|(?P<bare>[^\s'\"]+))"
)
# user:password@ in a URL's authority.
_USERINFO_RE = re.compile(r"(?P<pre>://[^/@\s:'\"]*:)(?P<pw>[^/@\s'\"]+)(?=@)")

#: Literal secrets shorter than this are not scrubbed from free text: "1" or "yes" would eat
#: unrelated characters. Shorter secrets are still redacted in the places they appear.
MIN_LITERAL = 5


@functools.lru_cache(maxsize=4096)  # a HAR repeats the same few hundred header names
def is_secret_header(name: str) -> bool:
    """True for a header whose value is a credential (``Cookie``, ``Authorization``, ``X-Api-Key`` …)."""
    name = name.strip()
    if _NEVER_SECRET_RE.match(name):
        return False
    return name.lower() in _SECRET_HEADERS or bool(_SECRET_HEADER_RE.search(name))


@functools.lru_cache(maxsize=4096)
def is_secret_param(name: str) -> bool:
    """True for a query parameter named like a credential (``token``, ``api_key``, ``X-Amz-Signature`` …)."""
    name = unquote_plus(name).strip().lower()  # malformed escapes are kept as they are
    return name in _SECRET_PARAMS or bool(_SECRET_PARAM_RE.search(name))


def _redact_params(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        value = m["value"]
        if value and value != REDACTED and (is_secret_param(m["name"]) or _JWT_RE.search(value)):
            return f"{m['sep']}{m['name']}={REDACTED}"
        return m.group(0)

    return _PARAM_RE.sub(sub, text)


# A finding's URL recurs in its messages, explanation and curl command: redact each URL once.
@functools.lru_cache(maxsize=8192)
def redact_url(url: str) -> str:
    """``url`` with secret query/fragment values, URL passwords and JWTs replaced by the marker."""
    if "@" in url:
        url = _USERINFO_RE.sub(lambda m: m["pre"] + REDACTED, url)
    if "=" in url:
        url = _redact_params(url)
    return _JWT_RE.sub(REDACTED, url) if "eyJ" in url else url


@functools.lru_cache(maxsize=4096)  # hot: every distinct header line read, a few hundred names
def _is_url_header(name: str) -> bool:
    """A header whose value is a URL (which may carry secret parameters)."""
    return name.lower() in ("referer", "location", "content-location")


def _secret_header_value(name: str, value: str) -> str:
    return REDACTED if value.strip() else value


def _redact_header_lines(text: str) -> str:
    # Both patterns read ASCII names only, and every secret name holds one of _SECRET_NAME_PARTS
    # (see is_secret_header): without one in the text no match can change, which most texts settle
    # with a few substring tests. Else every name either pattern can match is one of those found
    # here (maximal, after no name character); if none is a secret header, nothing changes either.
    if not any(map(text.lower().__contains__, _SECRET_NAME_PARTS)):
        return text
    if not any(map(is_secret_header, _HEADER_NAMES_RE.findall(text))):
        return text

    def sub(m: re.Match[str]) -> str:
        if is_secret_header(m["name"]) and m["value"].strip() and m["value"].strip() != REDACTED:
            return f"{m['name']}{m['colon']}{REDACTED}"
        return m.group(0)

    for regex in _HEADER_LINE_RES:
        text = regex.sub(sub, text)
    return text


# Each option _CURL_SECRET_OPT_RE knows holds one of these ("--data-raw" holds "-d", "--user" "-u").
_CURL_OPT_PARTS = ("-b", "-u", "-U", "-d", "-F", "--cookie", "--json", "--form")


def _curl_opt_sub(m: re.Match[str]) -> str:
    if m["sq"] is not None:
        return f"{m['opt']}'{REDACTED}'"
    if m["dq"] is not None:
        return f'{m["opt"]}"{REDACTED}"'
    return f"{m['opt']}{REDACTED}"


def redact_curl(command: str) -> str:
    """A curl command with credentials and bodies redacted (besides everything :func:`redact_text` does)."""
    # Most of a report's commands (a GET or a preflight with -H lines) have no such option: a few
    # substring tests spare the regex pass.
    if any(map(command.__contains__, _CURL_OPT_PARTS)):
        command = _CURL_SECRET_OPT_RE.sub(_curl_opt_sub, command)
    return redact_text(command)


def redact_text(text: str) -> str:
    """Pattern-based redaction of free text: URLs in it, header lines, curl credentials, JWTs."""
    # Each pattern needs a literal its matches always contain; most texts lack some of them, and a
    # substring test costs far less than a regex pass (thousands of texts per report).
    if "://" in text and ("=" in text or "@" in text or "eyJ" in text):  # else redact_url keeps each URL
        text = _URL_RE.sub(lambda m: redact_url(m.group(0)), text)
    if "=" in text:
        text = _redact_params(text)
    if ":" in text:
        text = _redact_header_lines(text)
    return _JWT_RE.sub(REDACTED, text) if "eyJ" in text else text


def _credential_part(name: str, value: str) -> list[str]:
    """The secret parts of a secret header's value, for the literal pass."""
    lname = name.lower()
    if lname in ("cookie",):
        return [p.split("=", 1)[1].strip() for p in value.split(";") if "=" in p] + [value]
    if lname in ("set-cookie", "set-cookie2"):
        first = value.split(";", 1)[0]
        return [first.split("=", 1)[1].strip()] if "=" in first else [first]
    if lname in ("authorization", "proxy-authorization"):
        # "Bearer abc" / "Basic dXNl…": the scheme word is no secret and is too common to scrub.
        parts = value.strip().split(None, 1)
        return [parts[1], value] if len(parts) == 2 else [value]
    return [value]


def _url_secrets(url: str) -> list[str]:
    """The values of a URL's secret parameters (as written and decoded) and its password."""
    return list(_urls_secrets([url]))


def _urls_secrets(urls: list[str]) -> set[str]:
    """What :func:`_url_secrets` finds in each of ``urls``, in two regex passes over them all.

    Neither pattern can match across a line break (their classes exclude whitespace), so scanning
    the URLs joined by newlines finds exactly the matches of scanning each one.
    """
    # Most URLs of a HAR have no parameter and no user:password: filtered out in C.
    with_params = "\n".join(compress(urls, map(contains, urls, repeat("="))))
    with_users = "\n".join(compress(urls, map(contains, urls, repeat("@"))))
    found: set[str] = set()
    matches = _PARAM_RE.findall(with_params)
    if matches:
        _seps, names, values = zip(*matches, strict=True)
        secret_names = {name for name in set(names) if is_secret_param(name)}
        found.update(compress(values, map(secret_names.__contains__, names)))
        found.update([unquote_plus(v) for v in found])
    found.update(pw for _pre, pw in _USERINFO_RE.findall(with_users))
    return found


_URL = attrgetter("url")
_REDIRECT_URL = attrgetter("redirect_url")

# Where a secret value can start in free text: a token character not preceded by one
# ("sid=abc", "Bearer abc", "'abc'"). Literals that start otherwise are checked one by one.
_TOKEN_CHARS = r"\w\-+/.~%"
_TOKEN_START_RE = re.compile(rf"(?<![{_TOKEN_CHARS}])[{_TOKEN_CHARS}]")
# The first MIN_LITERAL characters at each such start (the keys of _LiteralIndex._by_prefix).
_WORD_PREFIX_RE = re.compile(rf"(?<![{_TOKEN_CHARS}])(?=([{_TOKEN_CHARS}][\s\S]{{{MIN_LITERAL - 1}}}))")


class _LiteralIndex:
    """Finds known secret strings in text in about one dict lookup per word.

    A HAR can hold thousands of distinct secrets (every presigned image URL has its own
    signature); one regex alternation over all of them costs seconds per paragraph.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        literals = {s.strip() for s in secrets if s and len(s.strip()) >= MIN_LITERAL}
        literals.discard(REDACTED)
        self._by_prefix: dict[str, list[str]] = {}
        self._odd: list[str] = []  # literals that do not start with a token character
        # Longest first, so a secret that contains another is replaced whole.
        for lit in sorted(literals, key=lambda x: (-len(x), x)):
            if _TOKEN_START_RE.match(lit):
                self._by_prefix.setdefault(lit[:MIN_LITERAL], []).append(lit)
            else:
                self._odd.append(lit)
        # A HAR's few distinct secrets are quicker tested for one by one than word by word.
        self._few_prefixes = tuple(self._by_prefix) if len(self._by_prefix) <= 16 else None

    def sub(self, text: str) -> str:
        for lit in self._odd:
            if lit in text:
                text = text.replace(lit, REDACTED)
        # Most texts hold no secret: a C-level test settles it (a literal's first characters must
        # be in the text, at a word's start).
        if self._few_prefixes is not None:
            if not any(map(text.__contains__, self._few_prefixes)):
                return text
        elif self._by_prefix.keys().isdisjoint(_WORD_PREFIX_RE.findall(text)):
            return text
        out: list[str] = []
        pos = 0
        for m in _TOKEN_START_RE.finditer(text):
            i = m.start()
            if i < pos:
                continue
            for lit in self._by_prefix.get(text[i:i + MIN_LITERAL], ()):
                if text.startswith(lit, i):
                    out += (text[pos:i], REDACTED)
                    pos = i + len(lit)
                    break
        out.append(text[pos:])
        return "".join(out)


class Redactor:
    """Redacts texts, URLs and headers; knows the literal secret values of one HAR's traffic."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._literals = _LiteralIndex(secrets)
        self._texts: dict[str, str] = {}
        self._curls: dict[str, str] = {}
        self._fixes: dict[Fix, Fix] = {}

    @classmethod
    def for_exchanges(cls, exchanges: Iterable[Exchange], *, unread: bool = False) -> Redactor:
        """A redactor that also scrubs every secret value seen in these exchanges.

        Without ``unread`` only what has been read is learnt: every URL, and the header lists
        something (the engine, the fix stage, the GUI) already looked at. Report text can only
        quote what was read, and the fast loader leaves the headers of entries that cannot concern
        CORS in the file (:class:`~harcors.har.fast.LazyExchange`, ``LazyHeaders``): reading all
        of them just to learn secrets no report can contain cost seconds on a 50,000-entry HAR.
        Callers must read the exchanges they will export first (:func:`redact_analysis` does).
        """
        exchanges = list(exchanges)
        # Hot path: 50,000 exchanges on a big HAR. Their URLs are scanned in C; only the header
        # lists already read are walked, each distinct line once.
        secrets = list(_urls_secrets([*map(_URL, exchanges), *filter(None, map(_REDIRECT_URL, exchanges))]))
        if not unread:  # a LazyExchange read nothing but its URLs
            exchanges = list(compress(exchanges, map(is_not, map(type, exchanges), repeat(LazyExchange))))
        seen: set[tuple[str, str]] = set()  # the same header lines repeat on every entry
        for ex in exchanges:
            for headers in (ex.request_headers, ex.response_headers):
                if not unread and isinstance(headers, LazyHeaders) and not headers.loaded:
                    continue
                for line in headers:
                    if line in seen:
                        continue
                    seen.add(line)
                    name, value = line
                    if is_secret_header(name):
                        secrets += _credential_part(name, value)
                    elif _is_url_header(name):
                        secrets += _url_secrets(value)
                    if "eyJ" in value:
                        secrets += _JWT_RE.findall(value)
        return cls(secrets)

    def text(self, text: str) -> str:
        if not text:
            return text
        # Fix snippets, messages and notes repeat across thousands of findings: redact each once.
        done = self._texts.get(text)
        if done is None:
            done = self._texts[text] = redact_text(self._literals.sub(text))
        return done

    def curl(self, command: str) -> str:
        done = self._curls.get(command)
        if done is None:
            done = self._curls[command] = redact_curl(self._literals.sub(command))
        return done

    def opt(self, text: str | None) -> str | None:
        return None if text is None else self.text(text)

    def headers(self, headers: Headers) -> Headers:
        return Headers(
            (name, _secret_header_value(name, value) if is_secret_header(name) else self.text(value))
            for name, value in headers
        )

    def exchange(self, ex: Exchange) -> Exchange:
        init = ex.initiator
        if init is not None and init.url:
            init = Initiator(init.type, self.text(init.url), init.request_id)
        return dataclasses.replace(
            ex,
            url=self.text(ex.url),
            request_headers=self.headers(ex.request_headers),
            response_headers=self.headers(ex.response_headers),
            status_text=self.text(ex.status_text),
            initiator=init,
            error=self.opt(ex.error),
            redirect_url=self.text(ex.redirect_url),
            # Producer-specific leftovers may hold anything; reports never read them.
            extras={},
        )

    def fix(self, fix: Fix) -> Fix:
        done = self._fixes.get(fix)
        if done is None:
            done = self._fixes[fix] = dataclasses.replace(
                fix, title=self.text(fix.title), code=self.text(fix.code), notes=self.text(fix.notes)
            )
        return done

    def finding(self, f: Finding) -> Finding:
        request = self.exchange(f.request)
        if f.preflight is None:
            preflight = None
        elif f.preflight is f.request:
            preflight = request
        else:
            preflight = self.exchange(f.preflight)
        return dataclasses.replace(
            f,
            request=request,
            preflight=preflight,
            messages=Messages(
                chrome=self.text(f.messages.chrome),
                firefox=self.opt(f.messages.firefox),
                safari=self.opt(f.messages.safari),
            ),
            title=self.text(f.title),
            explanation=self.text(f.explanation),
            page_origin=self.opt(f.page_origin),
            failed_parameter=self.opt(f.failed_parameter),
            root_cause=self.opt(f.root_cause),
            notes=tuple(self.text(n) for n in f.notes),
            fixes=tuple(self.fix(x) for x in f.fixes),
            curl=tuple(self.curl(c) for c in f.curl),
            extras={},
        )

    def skipped(self, s: Skipped) -> Skipped:
        return Skipped(s.index, self.text(s.reason))


def redactor_for(analysis: Analysis) -> Redactor:
    """The redactor of one analysis: it knows the secrets of every exchange its report can show."""
    shown = [ex for f in analysis.findings for ex in (f.request, f.preflight) if ex is not None]
    for ex in shown:  # read what the report shows, so that its secrets are learnt too
        ex.request_headers.items()
        ex.response_headers.items()
    return Redactor.for_exchanges([*analysis.exchanges, *shown])


def redact_analysis(analysis: Analysis) -> Analysis:
    """A copy of ``analysis`` safe to export: its findings, skipped reasons and problem redacted.

    ``exchanges`` is left empty in the copy: reports only show the exchanges a finding names, and
    copying a 100k-entry HAR's worth of headers to then ignore it is waste.
    """
    redactor = redactor_for(analysis)
    return dataclasses.replace(
        analysis,
        exchanges=[],
        skipped=[redactor.skipped(s) for s in analysis.skipped],
        findings=[redactor.finding(f) for f in analysis.findings],
        problem=redactor.opt(analysis.problem),
    )

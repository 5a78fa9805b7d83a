"""The Exchange model: what CORS analysis needs from one HAR entry, and nothing else (no bodies)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


class _LowerNames(dict[str, str]):
    """name -> name.lower(), shared by every header list.

    Hot path: the engine asks tens of thousands of header lists for a handful of names, and a HAR
    spells its few hundred distinct names the same way every time; one dict lookup replaces a
    ``str.lower`` (and its new string) per name and per question.
    """

    __slots__ = ("already_lower",)
    LIMIT = 8192  # bounded, whatever the HAR holds

    def __init__(self) -> None:
        super().__init__()
        #: the names seen that are their own lower case (all of them, in an HTTP/2 capture)
        self.already_lower: set[str] = set()

    def __missing__(self, name: str) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
            self.already_lower.clear()
        lower = self[name] = name.lower()
        if lower == name:
            self.already_lower.add(name)
        return lower


_names = _LowerNames()
_lower = _names.__getitem__
_already_lower = _names.already_lower

#: ``name.lower()`` for a header name, remembered (hot: for code that walks header lists by name).
lower_name: Callable[[str], str] = _lower


_first = itemgetter(0)
_Positions = dict[str, int]  # lower-case name -> position of its first line
_Repeats = dict[str, tuple[int, ...]]  # lower-case name -> positions of all its lines


class _Shapes(dict[tuple[str, ...], tuple[_Positions, "_Repeats | None"]]):
    """A header list's names, in order -> where each lower-case name is in such a list.

    Hot path: the engine asks tens of thousands of header lists a few names each, and the lists of
    one HAR come in a few dozen shapes (the same names in the same order, other values). Working out
    a shape once and sharing it costs a third of indexing every list, and keeps no dict per list.
    """

    __slots__ = ()
    LIMIT = 4096  # bounded, whatever the HAR holds

    def __missing__(self, names: tuple[str, ...]) -> tuple[_Positions, _Repeats | None]:
        if len(self) >= self.LIMIT:
            self.clear()
        lowered = names if _already_lower.issuperset(names) else tuple(map(_lower, names))
        positions = dict(zip(lowered, range(len(lowered)), strict=True))
        repeats: _Repeats | None = None
        if len(positions) != len(lowered):  # a repeated name: first positions, and every one
            collected: dict[str, list[int]] = {}
            for i, name in enumerate(lowered):
                collected.setdefault(name, []).append(i)
            positions = {name: at[0] for name, at in collected.items()}
            repeats = {name: tuple(at) for name, at in collected.items()}
        shape = self[names] = (positions, repeats)
        return shape


_shapes = _Shapes()


class Headers:
    """An immutable, case-insensitive multi-map of HTTP headers that keeps every value and its order.

    Duplicates matter for CORS: two ``Access-Control-Allow-Origin`` lines are an error of their own.
    """

    # _index: lower-case name -> position of its first line, built on the first question (shared by
    # every list of the same shape: never change it). _multi: lower-case name -> positions of every
    # line, only for lists that repeat a name (set together with _index; None otherwise).
    __slots__ = ("_index", "_items", "_multi")

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: tuple[tuple[str, str], ...] = tuple(items)
        self._index: dict[str, int] | None = None

    def _lookup(self) -> dict[str, int]:
        index = self._index
        if index is None:
            # Hot path (every header list the engine reads): the names in one C pass, their shape
            # from the shared table.
            index, multi = _shapes[tuple(map(_first, self._items))]
            self._multi = multi  # before _index: whoever sees the index sees this too
            self._index = index
        return index

    def _values(self, name: str) -> list[str]:
        index = self._index  # hot, as get
        if index is None:
            index = self._lookup()
        lower = _lower(name)
        multi = self._multi
        items = self._items
        if multi is not None:
            return [items[i][1] for i in multi.get(lower, ())]
        at = index.get(lower)
        return [] if at is None else [items[at][1]]

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of ``name``, or ``default``."""
        index = self._index  # hot: one call fewer once the index is built
        if index is None:
            index = self._lookup()
        at = index.get(_lower(name))
        return default if at is None else self._items[at][1]

    def get_all(self, name: str) -> list[str]:
        """Every value of ``name``, in order (one per header line)."""
        index = self._index  # hot: _values inlined
        if index is None:
            index = self._lookup()
        lower = _lower(name)
        multi = self._multi
        if multi is not None:
            items = self._items
            return [items[i][1] for i in multi.get(lower, ())]
        at = index.get(lower)
        return [] if at is None else [self._items[at][1]]

    def combined(self, name: str) -> str | None:
        """All values joined with ", ", the way an HTTP stack folds repeated lines (RFC 9110 §5.3)."""
        values = self._values(name)
        return ", ".join(values) if values else None

    def count(self, name: str) -> int:
        return len(self._values(name))

    def names(self) -> list[str]:
        """Distinct lower-cased names, in first-seen order."""
        return list(self._lookup())

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        index = self._index  # hot, as get
        if index is None:
            index = self._lookup()
        return _lower(name) in index

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and self._items == other._items

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return f"Headers({list(self._items)!r})"

    def items(self) -> tuple[tuple[str, str], ...]:
        return self._items


# scheme://authority: all of a URL an origin depends on. A HAR asks for the origins of tens of
# thousands of URLs on a handful of hosts; they are worked out once per distinct prefix.
_AUTHORITY_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#\\\s]*(?=[/?#]|$)")
_ORIGINS: dict[str, str | None] = {}


def origin_of(url: str) -> str | None:
    """The serialized origin of a URL (scheme://host[:port], default port dropped), or None if opaque."""
    m = _AUTHORITY_RE.match(url)
    if m is None:
        return _origin_of(url)
    prefix = m.group(0)
    try:
        return _ORIGINS[prefix]
    except KeyError:
        if len(_ORIGINS) > 4096:  # bounded, whatever the HAR holds
            _ORIGINS.clear()
        origin = _ORIGINS[prefix] = _origin_of(prefix)
        return origin


def _origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if scheme not in ("http", "https", "ws", "wss") or not host:
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


@dataclass(frozen=True, slots=True)
class Initiator:
    """Who caused a request (Chrome's ``_initiator``): ``type`` is e.g. script, parser, preflight, other."""

    type: str
    url: str | None = None
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP request/response pair from a HAR, reduced to what CORS analysis needs.

    ``status`` is 0 when no response arrived (Chrome, Firefox, Safari, mitmproxy) and -1 for
    Playwright's failed entries; both mean "no response seen".
    """

    index: int
    started: float | None  # seconds since the epoch, UTC; None when the HAR has no usable date
    method: str
    url: str
    request_headers: Headers
    response_headers: Headers
    status: int
    status_text: str = ""
    resource_type: str = "other"
    resource_type_inferred: bool = False  # True when not taken from _resourceType
    initiator: Initiator | None = None
    error: str | None = None  # _error / _failureText, e.g. "net::ERR_FAILED"
    redirect_url: str = ""
    server_ip: str = ""
    pageref: str | None = None
    http_version: str = ""
    time_ms: float = 0.0
    has_body: bool = False
    request_mime: str | None = None
    response_mime: str | None = None
    from_cache: str | None = None  # Chrome's _fromCache: "memory" / "disk"
    extras: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def origin(self) -> str | None:
        """The request's ``Origin`` header (the page's origin for CORS requests), if sent."""
        return self.request_headers.get("origin")

    @property
    def target_origin(self) -> str | None:
        """The origin of the URL requested."""
        return origin_of(self.url)

    @property
    def got_response(self) -> bool:
        return self.status > 0

    @property
    def is_preflight(self) -> bool:
        """A CORS preflight: marked so by Chrome, or an OPTIONS carrying Access-Control-Request-Method."""
        if self.resource_type == "preflight" and not self.resource_type_inferred:
            return True
        if self.initiator is not None and self.initiator.type == "preflight":
            return True
        return self.method == "OPTIONS" and "access-control-request-method" in self.request_headers


@dataclass(frozen=True, slots=True)
class Skipped:
    """An entry that could not be understood, and why."""

    index: int
    reason: str


@dataclass(frozen=True, slots=True)
class HarInfo:
    """What the HAR says about itself."""

    path: str
    version: str | None = None
    creator: str | None = None
    creator_version: str | None = None
    browser: str | None = None
    browser_version: str | None = None
    pages: int = 0
    size_bytes: int = 0

    @property
    def producer(self) -> str:
        """A coarse producer name: chrome, firefox, safari, playwright, mitmproxy, charles, fiddler, ..."""
        return producer_of(self.creator, self.browser)


def producer_of(creator: str | None, browser: str | None = None) -> str:
    c = (creator or "").lower()
    b = (browser or "").lower()
    if c == "webinspector":
        return "chrome"
    if "firefox" in c:
        return "firefox"
    if "webkit" in c or "safari" in c:
        return "safari"
    if "playwright" in c:
        return f"playwright-{b}" if b else "playwright"
    for name in ("chrome-har", "mitmproxy", "charles", "fiddler", "httptoolkit", "http toolkit", "burp"):
        if name in c:
            return name.replace(" ", "")
    return c or "unknown"

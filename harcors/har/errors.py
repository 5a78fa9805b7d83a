"""The errors the HAR loader raises. Anything else escaping the loader is a bug."""

from __future__ import annotations


class HarError(Exception):
    """A file that cannot be read as a HAR at all (not JSON, truncated before any entry, no log.entries).

    ``str()`` is one line naming the file and the problem, fit for a terminal or a banner.
    """

    def __init__(self, path: str, problem: str, *, offset: int | None = None, index: int | None = None):
        self.path = path
        self.problem = problem
        self.offset = offset
        self.index = index
        where = []
        if index is not None:
            where.append(f"entry {index}")
        if offset is not None:
            where.append(f"byte {offset:,}")
        suffix = f" (at {', '.join(where)})" if where else ""
        super().__init__(f"{path}: {problem}{suffix}")


class LoadCancelled(Exception):
    """Raised inside the loader when the caller's cancel check says stop."""

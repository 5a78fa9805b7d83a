"""The errors the HAR loader raises. Anything else escaping the loader is a bug."""

from __future__ import annotations


class HarError(Exception):
    """A file that cannot be read as a HAR at all (not JSON, truncated before any entry, no log.entries).

    ``str()`` is one line naming the file, the problem and where it is, fit for a terminal or a banner:
    ``session.har: not valid JSON: expecting ',' delimiter (at line 3, column 17, byte 1,234)``.
    ``offset`` counts bytes of the JSON text: after decompression, after a UTF-8 byte order mark.
    """

    def __init__(
        self,
        path: str,
        problem: str,
        *,
        offset: int | None = None,
        index: int | None = None,
        line: int | None = None,
        column: int | None = None,
        approximate: bool = False,
    ):
        self.path = path
        self.problem = problem
        self.offset = offset
        self.index = index
        self.line = line
        self.column = column
        where = []
        if index is not None:
            where.append(f"entry {index}")
        if line is not None:
            where.append(f"line {line:,}" + (f", column {column:,}" if column is not None else ""))
        if offset is not None:
            where.append(f"{'near ' if approximate else ''}byte {offset:,}")
        text = ", ".join(where)
        suffix = f" ({text if text.startswith('near') else 'at ' + text})" if where else ""
        super().__init__(f"{path}: {problem}{suffix}")


class LoadCancelled(Exception):
    """Raised inside the loader when the caller's cancel check says stop."""

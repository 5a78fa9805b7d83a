"""harcors: why the browser blocked a request, and what to change on the server, from a HAR file."""

__version__ = "0.1.0"

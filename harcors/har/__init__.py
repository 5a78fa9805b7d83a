"""Reading HAR files: a tolerant streaming loader and the Exchange model."""

from harcors.har.errors import HarError, LoadCancelled
from harcors.har.loader import HarStream, LoadedHar, load_har
from harcors.har.model import Exchange, HarInfo, Headers, Initiator, Skipped, origin_of

__all__ = [
    "Exchange", "HarError", "HarInfo", "HarStream", "Headers", "Initiator", "LoadCancelled",
    "LoadedHar", "Skipped", "load_har", "origin_of",
]

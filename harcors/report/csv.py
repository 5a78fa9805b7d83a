"""The CSV export: one row per finding, columns as in :data:`harcors.report.model.FRAME_COLUMNS`."""

from __future__ import annotations

import pandas as pd

from harcors.report.model import Report

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (OWASP "CSV injection"); a HAR is free to put "=HYPERLINK(…)" in a header value.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_csv(report: Report) -> str:
    frame: pd.DataFrame = report.frame.copy()
    for col in frame.columns:
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
            frame[col] = frame[col].map(_defuse)
    return frame.to_csv(index=False, lineterminator="\n")

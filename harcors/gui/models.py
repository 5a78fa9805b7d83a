"""The findings table's model: a :class:`QAbstractTableModel` over a :class:`~harcors.gui.frames.Rows` frame.

Filtering and sorting happen on whole columns (see ``frames.py``) and produce a position array;
``data()`` is two list look-ups. No ``QSortFilterProxyModel``: its per-row ``filterAcceptsRow``
and ``lessThan`` calls would run Python code for every one of 100,000 rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from harcors.cors.model import Finding
from harcors.gui import theme
from harcors.gui.frames import COLUMNS, TITLES, Filter, Rows
from harcors.gui.qt import QtCore, QtGui, QtWidgets, Signal
from harcors.har.model import Exchange

Qt = QtCore.Qt
_ROLE = Qt.ItemDataRole

#: ``data(index, FindingRole)`` → the row's :class:`Finding` or None.
FindingRole = int(_ROLE.UserRole) + 1
#: ``data(index, ExchangeRole)`` → the row's :class:`Exchange` or None.
ExchangeRole = int(_ROLE.UserRole) + 2

_SEVERITY_TIPS = {
    "error": "Blocked by CORS", "warning": "Works, but fragile or unsafe", "": "No CORS problem",
}


class FindingsModel(QtCore.QAbstractTableModel):
    """Rows of one view (findings, or every request) with the current filter and sort applied.

    Signals:
        counts_changed(int shown, int total): emitted after the rows, the filter or the sort change.
    """

    counts_changed = Signal(int, int)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: Rows | None = None
        self._filter = Filter()
        self._sort_column: str | None = None
        self._descending = False
        self._order: list[int] = []  # display row → frame position
        self._display: list[list[str]] = []  # column → frame position → text
        self._severity: list[str] = []
        self._child: list[bool] = []
        self._fid: list[int] = []
        self._xpos: list[int] = []

    # -- feeding ---------------------------------------------------------------------------
    def set_rows(self, rows: Rows | None) -> None:
        """Show ``rows`` (keeping the current filter and sort)."""
        self.beginResetModel()
        self._rows = rows
        self._display = []
        if rows is not None:
            # Lists prepared by the loader thread: feeding the model costs no per-row work here.
            self._display = [rows.as_list("status_label" if name == "status" else name) for name in COLUMNS]
            self._severity = rows.as_list("severity")
            self._child = rows.as_list("child")
            self._fid = rows.as_list("fid")
            self._xpos = rows.as_list("xpos")
        self._recompute()
        self.endResetModel()
        self._emit_counts()

    def set_filter(self, flt: Filter) -> None:
        if flt == self._filter:
            return
        self.beginResetModel()
        self._filter = flt
        self._recompute()
        self.endResetModel()
        self._emit_counts()

    def filter(self) -> Filter:
        return self._filter

    def rows(self) -> Rows | None:
        return self._rows

    def _recompute(self) -> None:
        if self._rows is None or len(self._rows) == 0:
            self._order = []
            return
        keep = self._rows.mask(self._filter)
        self._order = self._rows.order(keep, self._sort_column, self._descending).tolist()

    def _emit_counts(self) -> None:
        self.counts_changed.emit(len(self._order), self.total())

    def total(self) -> int:
        return 0 if self._rows is None else len(self._rows)

    # -- look-ups for views ----------------------------------------------------------------
    def position(self, row: int) -> int:
        """The frame position shown at ``row``."""
        return self._order[row]

    def row_of_finding(self, finding: Finding) -> int:
        """The display row of ``finding`` (its first row), or -1 if it is not shown."""
        if self._rows is None:
            return -1
        fid = next((i for i, f in enumerate(self._rows.findings) if f is finding), -1)
        if fid < 0:
            return -1
        positions = np.flatnonzero(self._rows.array("fid") == fid)
        if not len(positions):
            return -1
        where = np.full(self.total(), -1, dtype=np.int64)
        where[np.asarray(self._order, dtype=np.int64)] = np.arange(len(self._order))
        rows = where[positions]
        rows = rows[rows >= 0]
        return int(rows.min()) if len(rows) else -1

    def row_where(self, wanted: Callable[[Finding], bool]) -> int:
        """The first display row whose finding is ``wanted``, or -1 (a Python call per finding)."""
        if self._rows is None:
            return -1
        for row, pos in enumerate(self._order):
            fid = self._fid[pos]
            if fid >= 0 and wanted(self._rows.findings[fid]):
                return row
        return -1

    def positions(self) -> list[int]:
        return list(self._order)

    def finding_at(self, row: int) -> Finding | None:
        if self._rows is None or not 0 <= row < len(self._order):
            return None
        fid = self._fid[self._order[row]]
        return self._rows.findings[fid] if fid >= 0 else None

    def exchange_at(self, row: int) -> Exchange | None:
        if self._rows is None or not 0 <= row < len(self._order):
            return None
        xpos = self._xpos[self._order[row]]
        if xpos >= 0:
            return self._rows.exchanges[xpos]
        finding = self.finding_at(row)
        return finding.request if finding is not None else None

    def shown_findings(self) -> list[Finding]:
        """The findings of the rows that pass the filter, in display order, each once."""
        if self._rows is None:
            return []
        seen: set[int] = set()
        out = []
        for pos in self._order:
            fid = self._fid[pos]
            if fid >= 0 and fid not in seen:
                seen.add(fid)
                out.append(self._rows.findings[fid])
        return out

    # -- QAbstractTableModel ---------------------------------------------------------------
    def rowCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QtCore.QModelIndex, role: int = _ROLE.DisplayRole) -> Any:
        if not index.isValid():
            return None
        pos = self._order[index.row()]
        col = index.column()
        if role == _ROLE.DisplayRole:
            return self._display[col][pos] if col else None
        if role == _ROLE.DecorationRole:
            if col == 0:
                sev = self._severity[pos]
                return theme.icon(sev) if sev else None
            return None
        if role == _ROLE.ToolTipRole:
            return self._tooltip(pos, col)
        if role == _ROLE.AccessibleTextRole and col == 0:
            return _SEVERITY_TIPS.get(self._severity[pos], "")
        if role == _ROLE.TextAlignmentRole:
            if COLUMNS[col] == "status":
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role == _ROLE.ForegroundRole and self._child[pos]:
            return QtGui.QGuiApplication.palette().brush(QtGui.QPalette.ColorRole.PlaceholderText)
        if role == FindingRole:
            return self.finding_at(index.row())
        if role == ExchangeRole:
            return self.exchange_at(index.row())
        return None

    def _tooltip(self, pos: int, col: int) -> str | None:
        name = COLUMNS[col]
        if name == "severity":
            return _SEVERITY_TIPS.get(self._severity[pos])
        if name in ("url", "origin", "rule"):
            return self._display[col][pos] or None
        if name == "message" and self._rows is not None:
            fid = self._fid[pos]
            if fid >= 0:
                return self._rows.findings[fid].messages.chrome or None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _ROLE.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == _ROLE.DisplayRole:
            return TITLES[COLUMNS[section]]
        if role == _ROLE.ToolTipRole and COLUMNS[section] == "severity":
            return "Severity"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort on a whole column; keeps the selection (persistent indexes follow their rows)."""
        name = COLUMNS[column] if 0 <= column < len(COLUMNS) else None
        descending = order == Qt.SortOrder.DescendingOrder
        if (name, descending) == (self._sort_column, self._descending):
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        before = [(self._order[i.row()], i.column()) for i in persistent]
        self._sort_column, self._descending = name, descending
        self._recompute()
        if persistent:
            where = np.full(self.total(), -1, dtype=np.int64)
            where[np.asarray(self._order, dtype=np.int64)] = np.arange(len(self._order))
            after = [
                self.index(int(where[pos]), col) if where[pos] >= 0 else QtCore.QModelIndex()
                for pos, col in before
            ]
            self.changePersistentIndexList(persistent, after)
        self.layoutChanged.emit()
        self._emit_counts()


class ElideDelegate(QtWidgets.QStyledItemDelegate):
    """Elides text at the right; the view itself elides in the middle, which suits URLs only."""

    def initStyleOption(self, option: QtWidgets.QStyleOptionViewItem, index: QtCore.QModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideRight

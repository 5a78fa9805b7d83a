"""The row of filters above the table: the one-click default view, severity, type, host, rule, search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from harcors.gui.frames import XHR_FETCH_FAILURES, Filter
from harcors.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal

_SEVERITIES = (("error", "Errors — blocked by the browser"), ("warning", "Warnings — work, but fragile"))
_ALWAYS_TYPES = ("fetch", "xhr")  # the default view needs them, even when the HAR has none


class _MultiChoice(QtWidgets.QPushButton):
    """A drop-down of checkable values; ``selected()`` is None when every value is checked.

    Signals:
        changed(): the user checked or unchecked a value.
    """

    changed = Signal()

    def __init__(self, label: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._label = label
        self._menu = QtWidgets.QMenu(self)
        self.setMenu(self._menu)
        self._actions: dict[str, QtGui.QAction] = {}
        self._selected: frozenset[str] | None = None
        self._update_text()

    def set_values(self, values: list[tuple[str, str]], selected: frozenset[str] | None) -> None:
        """``values`` are (value, label) pairs; ``selected`` is the chosen set (None: any value)."""
        self._menu.clear()
        self._actions = {}
        everything = self._menu.addAction("All")
        everything.triggered.connect(self._select_all)
        self._menu.addSeparator()
        for value, text in values:
            action = self._menu.addAction(text)
            action.setCheckable(True)
            action.setData(value)
            action.toggled.connect(self._on_toggled)
            self._actions[value] = action
        self.set_selected(selected)

    def set_selected(self, selected: frozenset[str] | None) -> None:
        self._selected = selected
        for value, action in self._actions.items():
            action.blockSignals(True)
            action.setChecked(selected is None or value in selected)
            action.blockSignals(False)
        self._update_text()

    def selected(self) -> frozenset[str] | None:
        return self._selected

    def _select_all(self) -> None:
        self.set_selected(None)
        self.changed.emit()

    def _on_toggled(self, _checked: bool) -> None:
        # Keep chosen values that this data does not offer (e.g. "xhr" in a fetch-only HAR).
        offered = set(self._actions)
        kept = set(self._selected or ()) - offered
        self._selected = frozenset(kept | {v for v, a in self._actions.items() if a.isChecked()})
        self._update_text()
        self.changed.emit()

    def _update_text(self) -> None:
        chosen = self.selected()
        if chosen is None:
            shown = "all"
        elif not chosen:
            shown = "none"
        else:
            shown = ", ".join(sorted(chosen)) if len(chosen) <= 2 else f"{len(chosen)} selected"
        self.setText(f"{self._label}: {shown}")


def _toggle(text: str, tip: str, on_toggled: Callable[[bool], None], *,
            checked: bool = False) -> QtWidgets.QPushButton:
    button = QtWidgets.QPushButton(text)
    button.setCheckable(True)
    button.setChecked(checked)  # before connecting: the initial state is no user choice
    button.setToolTip(tip)
    button.toggled.connect(on_toggled)
    button.setObjectName("toggle")  # styled as on/off by FilterBar's style sheet
    return button


def _choice_combo(tip: str, on_changed: Callable[..., None]) -> QtWidgets.QComboBox:
    combo = QtWidgets.QComboBox()
    combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
    combo.setMaximumWidth(260)
    combo.setToolTip(tip)
    combo.currentIndexChanged.connect(on_changed)
    return combo


def _select(combo: QtWidgets.QComboBox, value: str) -> None:
    """Select ``value``; one the data does not offer stays chosen as a "(0)" item ("" is "All")."""
    if value and combo.findData(value) < 0:
        combo.addItem(f"{value}  (0)", value)
    combo.setCurrentIndex(max(combo.findData(value), 0))


_ALL_REQUESTS_TIP = "Show every request in the HAR, each preflight under its request"


class FilterBar(QtWidgets.QWidget):
    """Edits a :class:`~harcors.gui.frames.Filter`; the "XHR/fetch failures only" button is the default.

    Signals:
        filter_changed(object): the new :class:`Filter` (search typing is debounced by 150 ms).
        all_requests_toggled(bool): "All requests" switched on or off.
    """

    filter_changed = Signal(object)
    all_requests_toggled = Signal(bool)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._filter = XHR_FETCH_FAILURES
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)

        self.failures_only = _toggle("XHR/fetch failures only",
                                     "Only blocked requests made from script (fetch, XMLHttpRequest)",
                                     self._on_preset, checked=True)
        layout.addWidget(self.failures_only)

        self.severity = _MultiChoice("Severity")
        self.severity.set_values(list(_SEVERITIES), self._filter.severities)
        self.severity.changed.connect(self._on_choice)
        layout.addWidget(self.severity)

        self.types = _MultiChoice("Type")
        self.types.changed.connect(self._on_choice)
        layout.addWidget(self.types)

        self.host = _choice_combo("Only requests to this host", self._on_choice)
        layout.addWidget(self.host)

        self.rule = _choice_combo("Only findings of this rule", self._on_choice)
        layout.addWidget(self.rule)

        self.search = QtWidgets.QLineEdit()
        self.search.setPlaceholderText("Search URLs and messages")
        self.search.setClearButtonEnabled(True)
        self.search.setAcceptDrops(False)  # a dropped HAR goes to the window, not into the text
        self.search.setMinimumWidth(180)
        self.search.textChanged.connect(self._on_text)
        layout.addWidget(self.search, 1)
        self._debounce = QtCore.QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self._on_choice)

        self.all_requests = _toggle("All requests", _ALL_REQUESTS_TIP, self._on_all_requests)
        # A checked toggle must read as "on" at a glance, in light and dark palettes alike.
        self.setStyleSheet(
            "QPushButton#toggle:checked { background-color: palette(highlight);"
            " color: palette(highlighted-text); border: 1px solid palette(highlight);"
            " border-radius: 3px; padding: 3px 6px; min-width: 0; }"
        )
        layout.addWidget(self.all_requests)

        self.count = QtWidgets.QLabel()
        self.count.setMinimumWidth(90)
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.count)
        self.set_choices([], [], [])

    # -- state ------------------------------------------------------------------------------
    def current(self) -> Filter:
        return self._filter

    def set_choices(self, types: list[tuple[str, int]], hosts: list[tuple[str, int]],
                    rules: list[tuple[str, int]]) -> None:
        """Offer the values present in the data (with counts); keeps the current choices."""
        known = dict(types)
        values = [(t, f"{t}  ({known.get(t, 0)})") for t in _ALWAYS_TYPES]
        values += [(t, f"{t}  ({n})") for t, n in types if t not in _ALWAYS_TYPES]
        self.types.set_values(values, self._filter.types)
        self._fill_combo(self.host, "All hosts", hosts, self._filter.host)
        self._fill_combo(self.rule, "All rules", rules, self._filter.rule)

    @staticmethod
    def _fill_combo(combo: QtWidgets.QComboBox, everything: str, values: list[tuple[str, int]],
                    current: str) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, "")
        for value, n in values:
            combo.addItem(f"{value}  ({n})", value)
        _select(combo, current)
        combo.blockSignals(False)

    def set_filter(self, flt: Filter) -> None:
        """Show ``flt`` in the widgets and emit it."""
        self._filter = flt
        self._sync_widgets()
        self.filter_changed.emit(flt)

    def reset(self) -> None:
        """Back to the default view (XHR/fetch failures, no host, rule or search)."""
        self._clear_search()
        self.set_filter(XHR_FETCH_FAILURES if not self.all_requests.isChecked() else Filter())

    def show_everything(self) -> None:
        self._clear_search()
        self.set_filter(Filter())

    def _clear_search(self) -> None:
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)

    def set_counts(self, shown: int, total: int) -> None:
        noun = "requests" if self.all_requests.isChecked() else "findings"
        self.count.setText(f"{shown:,} / {total:,} {noun}")
        self.count.setToolTip(f"{shown:,} shown of {total:,} {noun}")

    def set_all_requests_available(self, available: bool) -> None:
        """Early findings have no list of all requests yet: the toggle says so instead."""
        if not available and self.all_requests.isChecked():
            self.all_requests.setChecked(False)
        self.all_requests.setEnabled(available)
        self.all_requests.setToolTip(_ALL_REQUESTS_TIP if available
                                     else "Every request is listed once the whole file is read")

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # -- reactions --------------------------------------------------------------------------
    def _sync_widgets(self) -> None:
        flt = self._filter
        self.severity.set_selected(flt.severities)
        self.types.set_selected(flt.types)
        for combo, value in ((self.host, flt.host), (self.rule, flt.rule)):
            combo.blockSignals(True)
            _select(combo, value)
            combo.blockSignals(False)
        if self.search.text() != flt.text:
            self.search.blockSignals(True)
            self.search.setText(flt.text)
            self.search.blockSignals(False)
        self.failures_only.blockSignals(True)
        self.failures_only.setChecked(flt.is_xhr_fetch_failures)
        self.failures_only.blockSignals(False)

    def _on_preset(self, checked: bool) -> None:
        base = XHR_FETCH_FAILURES if checked else Filter()
        self.set_filter(replace(self._filter, severities=base.severities, types=base.types))

    def _on_text(self, _text: str) -> None:
        self._debounce.start()

    def _on_choice(self, *_args: object) -> None:
        self._debounce.stop()
        flt = Filter(
            severities=self.severity.selected(),
            types=self.types.selected(),
            host=self.host.currentData() or "",
            rule=self.rule.currentData() or "",
            text=self.search.text(),
        )
        if flt != self._filter:
            self.set_filter(flt)

    def _on_all_requests(self, checked: bool) -> None:
        # Every request is the point of this view: drop the default "failures only" narrowing.
        if checked and self._filter.is_xhr_fetch_failures:
            self._filter = replace(self._filter, severities=None, types=None)
        elif not checked and self._filter.severities is None and self._filter.types is None:
            self._filter = replace(self._filter, severities=XHR_FETCH_FAILURES.severities,
                                   types=XHR_FETCH_FAILURES.types)
        self._sync_widgets()
        self.all_requests_toggled.emit(checked)
        self.filter_changed.emit(self._filter)

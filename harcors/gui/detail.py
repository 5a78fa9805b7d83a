"""The detail pane: the browsers' exact messages, why, both requests side by side, the fix, curl."""

from __future__ import annotations

import html
from collections import OrderedDict

from harcors.cors.model import Finding, Fix
from harcors.fixes import StackFixes
from harcors.gui import theme
from harcors.gui.frames import browser_of
from harcors.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from harcors.har.model import Exchange, Headers

#: Headers that take part in a CORS decision; they are highlighted in the request views.
CORS_HEADERS = frozenset({
    "origin", "access-control-request-method", "access-control-request-headers",
    "access-control-request-private-network", "access-control-allow-origin",
    "access-control-allow-credentials", "access-control-allow-methods", "access-control-allow-headers",
    "access-control-allow-private-network", "access-control-expose-headers", "access-control-max-age",
    "vary", "sec-fetch-mode", "sec-fetch-site", "sec-fetch-dest", "content-type", "authorization",
    "cookie", "set-cookie", "location",
})
STATUS = ":status"  # pseudo header name: the status line is what failed

BROWSERS = (("chrome", "Chrome"), ("firefox", "Firefox"), ("safari", "Safari"))
_NO_WORDING = {
    "firefox": "The HAR does not tell which wording Firefox would use for this request.",
    "safari": "The HAR does not tell which wording Safari would use for this request.",
    "chrome": "No Chrome message for this finding.",
}


def browser_order(producer: str) -> list[str]:
    first = browser_of(producer)
    return [first] + [b for b, _ in BROWSERS if b != first]


Marks = dict[tuple[str, str], set[str]]  # (exchange: "preflight"|"request", part: "request"|"response")


_ACAO, _ACAC = "access-control-allow-origin", "access-control-allow-credentials"
_ACAM, _ACAH = "access-control-allow-methods", "access-control-allow-headers"
#: The response header (or status line) each rule is about.
RULE_HEADERS: dict[str, tuple[str, ...]] = {
    "missing-allow-origin": (_ACAO,),
    "allow-origin-mismatch": (_ACAO,),
    "multiple-allow-origin": (_ACAO,),
    "invalid-allow-origin": (_ACAO,),
    "wildcard-with-credentials": (_ACAO,),
    "reflected-origin-with-credentials": (_ACAO,),
    "allow-origin-null": (_ACAO,),
    "invalid-allow-credentials": (_ACAC,),
    "preflight-status": (STATUS,),
    "preflight-redirect": (STATUS, "location"),
    "redirect-with-credentials": ("location",),
    "method-not-allowed": (_ACAM,),
    "invalid-allow-methods": (_ACAM,),
    "header-not-allowed": (_ACAH,),
    "invalid-allow-headers": (_ACAH,),
    "wildcard-allow-headers-authorization": (_ACAH,),
    "private-network-access": ("access-control-allow-private-network",),
    "missing-vary-origin": ("vary",),
    "missing-max-age": ("access-control-max-age",),
}


def failing_stage(finding: Finding) -> str:
    """"preflight" or "request": whose response the browser rejected (the fix catalog decides)."""
    if finding.preflight is None:
        return "request"
    if finding.preflight is finding.request:
        return "preflight"
    # Chrome names the preflight twins of the ACAO/ACAC checks ("PreflightInvalidAllowCredentials").
    cors_error = getattr(finding, "cors_error", None) or ""
    chrome = finding.messages.chrome or ""
    if cors_error.startswith("Preflight") or "Response to preflight request" in chrome:
        return "preflight"
    try:
        from harcors.fixes.catalog import rules
        from harcors.fixes.context import failing_response

        entry = rules().get(finding.rule)
        if entry is not None:
            return failing_response(finding, entry)[0]
    except ImportError:  # pragma: no cover - the fix stage is optional for the pane
        pass
    pre = finding.preflight
    return "preflight" if pre.got_response and not 200 <= pre.status < 300 else "request"


def failing_marks(finding: Finding) -> Marks:
    """Which header (or status line) of which message the browser rejected.

    Keys are (exchange, part): exchange "preflight" or "request" as shown in the pane (a lone
    preflight is shown as the preflight), part "request" or "response".
    """
    marks: Marks = {}

    def mark(exchange: str, part: str, name: str) -> None:
        marks.setdefault((exchange, part), set()).add(name.lower())

    stage = failing_stage(finding)
    for name in RULE_HEADERS.get(finding.rule, ()):
        mark(stage, "response", name)
    if finding.rule == "acao-in-request":
        mark("request", "request", _ACAO)  # the page sent a response header as a request header
    param = (finding.failed_parameter or "").strip()
    if finding.rule == "header-not-allowed" and param:
        # The request header the server did not allow: on the actual request when the HAR has it.
        lone = finding.preflight is finding.request
        mark("preflight" if lone else "request", "request",
             "access-control-request-headers" if lone else param)
    return marks


def stack_names() -> dict[str, str]:
    """Catalog id → display name ("express" → "Express") for the stack picker."""
    try:
        from harcors.fixes import ANY_STACK, STACKS
    except ImportError:  # pragma: no cover
        return {}
    names = {s.id: s.name for s in STACKS}
    names.setdefault(ANY_STACK, "In the page's code")
    return names


class ExchangeView(QtWidgets.QWidget):
    """One request and its response as a two-column tree, CORS headers tinted, the failing one marked."""

    def __init__(self, title: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.title = QtWidgets.QLabel(f"<b>{html.escape(title)}</b>")
        layout.addWidget(self.title)
        self.model = QtGui.QStandardItemModel(0, 2, self)
        self.model.setHorizontalHeaderLabels(["Header", "Value"])
        self.tree = QtWidgets.QTreeView()
        self.tree.setModel(self.model)
        self.tree.setRootIsDecorated(True)
        self.tree.setIndentation(14)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(False)
        self.tree.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.tree.header().setStretchLastSection(True)
        self.tree.setColumnWidth(0, 230)
        layout.addWidget(self.tree, 1)
        self.placeholder = QtWidgets.QLabel()
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.placeholder.setContentsMargins(4, 8, 4, 4)
        layout.addWidget(self.placeholder, 1)
        self.placeholder.hide()

    def show_note(self, title: str, note: str) -> None:
        self.title.setText(f"<b>{html.escape(title)}</b>")
        self.model.removeRows(0, self.model.rowCount())
        self.tree.hide()
        self.placeholder.setText(note)
        self.placeholder.show()

    def show_exchange(self, title: str, ex: Exchange, marks: Marks, role: str) -> None:
        """Fill in ``ex``; ``role`` is "preflight" or "request" (which entries of ``marks`` apply)."""
        self.title.setText(f"<b>{html.escape(title)}</b>")
        self.placeholder.hide()
        self.tree.show()
        self.model.removeRows(0, self.model.rowCount())
        req_marks = marks.get((role, "request"), set())
        resp_marks = marks.get((role, "response"), set())
        self._section(f"{ex.method} {ex.url}", ex.request_headers, req_marks, missing_ok=False)
        if ex.got_response:
            status = f"{ex.status} {ex.status_text}".strip()
        else:
            status = "no response" + (f" ({ex.error})" if ex.error else "")
        self._section(f"Response: {status}", ex.response_headers, resp_marks, missing_ok=ex.got_response,
                      status_failed=STATUS in resp_marks)
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, min(self.tree.columnWidth(0) + 12, max(self.tree.width() // 2, 200)))
        failed = self.model.match(self.model.index(0, 0), Qt.ItemDataRole.UserRole, "failed", 1,
                                  Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
        if failed:  # the header the browser rejected is what the user came for: keep it in view
            self.tree.scrollTo(failed[0], QtWidgets.QAbstractItemView.ScrollHint.PositionAtCenter)
        else:
            self.tree.scrollToTop()

    def _section(self, heading: str, headers: Headers, failing: set[str], *, missing_ok: bool,
                 status_failed: bool = False) -> None:
        """A heading row; under it the CORS-relevant headers, then the others folded away."""
        head = QtGui.QStandardItem(heading)
        font = head.font()
        font.setBold(True)
        head.setFont(font)
        head.setToolTip(heading)
        tail = QtGui.QStandardItem("")
        if status_failed:
            for item in (head, tail):
                item.setBackground(theme.tint("error"))
            head.setIcon(theme.icon("error"))
            head.setToolTip(f"{heading}\nThe browser rejected this status.")
            head.setData("failed", Qt.ItemDataRole.UserRole)
        self.model.appendRow([head, tail])
        root = QtCore.QModelIndex()
        self.tree.setFirstColumnSpanned(self.model.rowCount() - 1, root, True)
        present = set(headers.names())
        others = []
        for name, value in headers:
            lower = name.lower()
            if lower in failing or lower in CORS_HEADERS:
                head.appendRow(self._header_row(name, value, lower in failing))
            else:
                others.append((name, value))
        if missing_ok:
            for name in sorted(failing - present - {STATUS}):
                pretty = "-".join(part.capitalize() for part in name.split("-"))
                head.appendRow(self._header_row(pretty, "(missing)", True, missing=True))
        if others:
            fold = QtGui.QStandardItem(f"{len(others)} other header{'s' if len(others) != 1 else ''}")
            fold.setForeground(self.palette().brush(QtGui.QPalette.ColorRole.PlaceholderText))
            for name, value in others:
                fold.appendRow(self._header_row(name, value, False))
            head.appendRow([fold, QtGui.QStandardItem("")])
        if not headers and not (missing_ok and failing - {STATUS}):
            empty = QtGui.QStandardItem("(no headers recorded)")
            empty.setForeground(self.palette().brush(QtGui.QPalette.ColorRole.PlaceholderText))
            head.appendRow([empty, QtGui.QStandardItem("")])
        self.tree.expand(head.index())
        if others:
            # Few HARs have fewer than a dozen other headers; unfold them only when they are few.
            fold_row = head.rowCount() - 1
            self.tree.setFirstColumnSpanned(fold_row, head.index(), True)
            self.tree.setExpanded(head.child(fold_row).index(), len(others) <= 3)

    def _header_row(self, name: str, value: str, failed: bool, *,
                    missing: bool = False) -> list[QtGui.QStandardItem]:
        key, val = QtGui.QStandardItem(name), QtGui.QStandardItem(value)
        key.setToolTip(name)
        val.setToolTip(value)
        lower = name.lower()
        if failed:
            for item in (key, val):
                item.setBackground(theme.tint("error"))
            key.setIcon(theme.icon("error"))
            why = " (it is missing)" if missing else ""
            key.setToolTip(f"{name}: this is what the browser rejected{why}")
            key.setData("failed", Qt.ItemDataRole.UserRole)
        elif lower in CORS_HEADERS:
            for item in (key, val):
                item.setBackground(theme.tint("cors"))
            key.setData("cors", Qt.ItemDataRole.UserRole)
        if failed or lower in CORS_HEADERS:
            font = key.font()
            font.setBold(True)
            key.setFont(font)
        if missing:
            font = val.font()
            font.setItalic(True)
            val.setFont(font)
        return [key, val]

    def rows(self) -> list[tuple[str, str, str | None]]:
        """(name, value, mark) of every row, depth first; mark is "failed", "cors" or None (for tests)."""
        out: list[tuple[str, str, str | None]] = []

        def walk(parent: QtGui.QStandardItem) -> None:
            for r in range(parent.rowCount()):
                key, val = parent.child(r, 0), parent.child(r, 1)
                out.append((key.text(), val.text() if val else "", key.data(Qt.ItemDataRole.UserRole)))
                walk(key)

        walk(self.model.invisibleRootItem())
        return out


def _code_view() -> QtWidgets.QPlainTextEdit:
    view = QtWidgets.QPlainTextEdit()
    view.setReadOnly(True)
    view.setFont(theme.monospace())
    view.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
    view.setAcceptDrops(False)
    return view


#: Findings whose stacks rendered on demand are kept: switching stacks, or back to a finding
#: looked at a moment ago, renders nothing again.
FIX_MEMO_FINDINGS = 32


class DetailPane(QtWidgets.QWidget):
    """Everything about the selected finding.

    Signals:
        copy_markdown_requested(object): the Finding whose "Copy as Markdown" button was clicked.
        stack_chosen(str): the user picked a server stack for the fix (remembered for next time).
    """

    copy_markdown_requested = Signal(object)
    stack_chosen = Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._finding: Finding | None = None
        self._fixes: StackFixes | None = None
        self._fix_memo: OrderedDict[int, StackFixes] = OrderedDict()  # id(finding) → its fixes
        self._preferred_stack = ""
        self._producer = "chrome"

        self.stack = QtWidgets.QStackedWidget(self)
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

        self.empty = QtWidgets.QLabel(
            "Select a finding to see the browser's message, why it happened and how to fix the server."
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setForegroundRole(QtGui.QPalette.ColorRole.PlaceholderText)
        self.stack.addWidget(self.empty)

        page = QtWidgets.QWidget()
        self.stack.addWidget(page)
        layout = QtWidgets.QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(6)

        head = QtWidgets.QHBoxLayout()
        self.icon = QtWidgets.QLabel()
        head.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        self.title = QtWidgets.QLabel()
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head.addWidget(self.title, 1)
        self.copy_md = QtWidgets.QPushButton("Copy as Markdown")
        self.copy_md.setToolTip("Copy this finding, ready for a bug ticket (secrets redacted) — Ctrl+Shift+C")
        self.copy_md.clicked.connect(self._on_copy_markdown)
        head.addWidget(self.copy_md, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(head)

        self.subtitle = QtWidgets.QLabel()
        self.subtitle.setWordWrap(True)
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.subtitle)

        self.messages = QtWidgets.QTabWidget()
        self.messages.setDocumentMode(True)
        self.message_views: dict[str, QtWidgets.QPlainTextEdit] = {}
        for key, _label in BROWSERS:
            view = _code_view()
            view.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.WidgetWidth)
            lines = view.fontMetrics().lineSpacing() * 4 + 14
            view.setFixedHeight(lines)
            self.message_views[key] = view
        # The stacked pages report a scroll area's generous size hint; cap the tabs at four lines.
        self.messages.setFixedHeight(self.messages.tabBar().sizeHint().height() + lines + 6)
        layout.addWidget(self.messages)

        self.explanation = QtWidgets.QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.explanation.setOpenExternalLinks(True)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.explanation)

        self.sections = QtWidgets.QTabWidget()
        self.sections.setDocumentMode(True)
        layout.addWidget(self.sections, 1)

        pair = QtWidgets.QSplitter(Qt.Orientation.Horizontal)
        pair.setChildrenCollapsible(False)
        self.preflight_view = ExchangeView("Preflight")
        self.request_view = ExchangeView("Request")
        pair.addWidget(self.preflight_view)
        pair.addWidget(self.request_view)
        self.sections.addTab(pair, "Preflight && request")

        fix = QtWidgets.QWidget()
        fix_layout = QtWidgets.QVBoxLayout(fix)
        fix_layout.setContentsMargins(0, 6, 0, 0)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel("Server stack:"))
        self.stack_picker = QtWidgets.QComboBox()
        self.stack_picker.setMinimumWidth(160)
        self.stack_picker.currentIndexChanged.connect(self._show_fix)
        self.stack_picker.activated.connect(self._on_stack_activated)
        row.addWidget(self.stack_picker)
        self.fix_title = QtWidgets.QLabel()
        self.fix_title.setWordWrap(True)
        row.addWidget(self.fix_title, 1)
        self.copy_fix = QtWidgets.QPushButton("Copy")
        self.copy_fix.setToolTip("Copy the fix to the clipboard")
        self.copy_fix.clicked.connect(lambda: self._copy(self.fix_code.toPlainText()))
        row.addWidget(self.copy_fix)
        fix_layout.addLayout(row)
        self.fix_code = _code_view()
        fix_layout.addWidget(self.fix_code, 1)
        self.fix_notes = QtWidgets.QLabel()
        self.fix_notes.setWordWrap(True)
        self.fix_notes.setTextFormat(Qt.TextFormat.MarkdownText)  # the catalog writes its notes in Markdown
        self.fix_notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.fix_notes.setOpenExternalLinks(True)
        fix_layout.addWidget(self.fix_notes)
        self.sections.addTab(fix, "Fix")

        curl = QtWidgets.QWidget()
        curl_layout = QtWidgets.QVBoxLayout(curl)
        curl_layout.setContentsMargins(0, 6, 0, 0)
        row = QtWidgets.QHBoxLayout()
        hint = QtWidgets.QLabel("Replay the requests from a terminal to see the server's answer:")
        row.addWidget(hint, 1)
        self.copy_curl = QtWidgets.QPushButton("Copy")
        self.copy_curl.clicked.connect(lambda: self._copy(self.curl.toPlainText()))
        row.addWidget(self.copy_curl)
        curl_layout.addLayout(row)
        self.curl = _code_view()
        self.curl.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.WidgetWidth)
        curl_layout.addWidget(self.curl, 1)
        self.sections.addTab(curl, "curl")

    # -- API ----------------------------------------------------------------------------------
    def finding(self) -> Finding | None:
        return self._finding

    def set_producer(self, producer: str) -> None:
        """The HAR's producer decides which browser's message tab comes first."""
        self._producer = producer

    def set_preferred_stack(self, stack: str) -> None:
        self._preferred_stack = stack

    def stack_fixes(self, finding: Finding) -> StackFixes:
        """``finding``'s fixes for every stack, those not rendered yet rendered when first shown.

        The analysis renders the likely stack's fixes only (the picker offers all 21); the last
        few findings' are kept here with what was rendered for them.
        """
        memo = self._fix_memo.pop(id(finding), None)
        if memo is None or memo.finding is not finding:  # the memo holds the finding: no id reuse
            memo = StackFixes(finding)
        self._fix_memo[id(finding)] = memo
        while len(self._fix_memo) > FIX_MEMO_FINDINGS:
            self._fix_memo.popitem(last=False)
        return memo

    def clear(self) -> None:
        self._finding = None
        self.stack.setCurrentWidget(self.empty)

    def message_tabs(self) -> list[str]:
        """Tab labels in order (for tests and the About box of a curious user)."""
        return [self.messages.tabText(i) for i in range(self.messages.count())]

    def message_text(self, browser: str) -> str:
        return self.message_views[browser].toPlainText()

    def show_finding(self, finding: Finding, preflight_of: Exchange | None = None) -> None:
        """Show ``finding``; ``preflight_of`` is unused unless the finding lacks its preflight."""
        self._finding = finding
        self.stack.setCurrentIndex(1)
        req = finding.request
        self.icon.setPixmap(theme.icon(str(finding.severity)).pixmap(22, 22))
        verdict = "Blocked by CORS" if finding.is_error else "Warning"
        self.title.setText(
            f"<span style='font-size:12pt; font-weight:600'>{html.escape(finding.title)}</span>"
            f"&nbsp;&nbsp;<span style='color:palette(placeholder-text)'>{html.escape(verdict)} · "
            f"rule <code>{html.escape(finding.rule)}</code> · {html.escape(str(finding.confidence))}</span>"
        )
        origin = finding.page_origin or req.origin or "?"
        status = str(req.status) if req.got_response else "no response"
        self.subtitle.setText(
            f"<code>{html.escape(req.method)} {html.escape(req.url)}</code><br>"
            f"from <code>{html.escape(origin)}</code> · {html.escape(status)} · "
            f"{html.escape(finding.initiator)}"
            + (" · with credentials" if finding.credentials else "")
        )
        self._fill_messages(finding)
        self._fill_explanation(finding)
        marks = failing_marks(finding)
        self._fill_pair(finding.request, finding.preflight, marks)
        guess = finding.extras.get("stack_guess")
        self._fill_fixes(self.stack_fixes(finding), getattr(guess, "stack", None))
        self.curl.setPlainText("\n\n".join(finding.curl) if finding.curl else "(no curl command)")
        self.copy_md.setEnabled(True)
        self.messages.show()

    def show_exchange(self, exchange: Exchange, preflight: Exchange | None) -> None:
        """A request without a finding (the "All requests" view)."""
        self._finding = None
        self.stack.setCurrentIndex(1)
        self.icon.setPixmap(theme.icon("ok").pixmap(22, 22))
        self.title.setText("<span style='font-size:12pt; font-weight:600'>No CORS problem found</span>")
        self.subtitle.setText(f"<code>{html.escape(exchange.method)} {html.escape(exchange.url)}</code>")
        self.messages.hide()
        self.explanation.setText(
            "harcors found nothing the browser would block, nor anything fragile, in this exchange."
        )
        self._fill_pair(exchange, preflight, {})
        self._fill_fixes(None)
        self.curl.setPlainText("")
        self.copy_md.setEnabled(False)
        self.sections.setCurrentIndex(0)

    # -- filling --------------------------------------------------------------------------------
    def _fill_messages(self, finding: Finding) -> None:
        current = self.messages.currentWidget()
        self.messages.blockSignals(True)
        self.messages.clear()
        first = browser_of(self._producer)
        labels = dict(BROWSERS)
        for key in browser_order(self._producer):
            text = getattr(finding.messages, key)
            view = self.message_views[key]
            if text:
                view.setPlainText(text)
                view.setEnabled(True)
            else:
                view.setPlainText(_NO_WORDING[key])
                view.setEnabled(False)
            index = self.messages.addTab(view, labels[key])
            if key == first:
                self.messages.setTabToolTip(index, f"This HAR was recorded by {labels[key]}-like software")
        self.messages.setCurrentIndex(0 if current is None else max(self.messages.indexOf(current), 0))
        self.messages.blockSignals(False)

    def _fill_explanation(self, finding: Finding) -> None:
        parts = [html.escape(finding.explanation)]
        if finding.root_cause:
            parts.append(f"<b>Root cause:</b> {html.escape(finding.root_cause)}")
        if finding.notes:
            parts.append("<b>Note:</b> " + " ".join(html.escape(n) for n in finding.notes))
        joined = "</p><p style='margin:6px 0 0 0'>".join(parts)
        self.explanation.setText(f"<p style='margin:0'>{joined}</p>")

    def _fill_pair(self, request: Exchange, preflight: Exchange | None, marks: Marks) -> None:
        if preflight is not None and preflight is request:
            # Only the preflight is in the HAR: the browser never sent the request.
            self.preflight_view.show_exchange(
                f"Preflight ({preflight.method})", preflight, marks, "preflight")
            self.request_view.show_note(
                "Request", "The browser never sent the actual request: the preflight failed, "
                "and this HAR has no entry for it.")
            return
        if preflight is not None:
            self.preflight_view.show_exchange(
                f"Preflight ({preflight.method})", preflight, marks, "preflight")
        else:
            self.preflight_view.show_note(
                "Preflight", "No preflight: the request is a simple one (safelisted method and headers), "
                "or the browser reused a cached preflight, or the HAR producer left it out.")
        self.request_view.show_exchange(f"Request ({request.method})", request, marks, "request")

    def _fill_fixes(self, fixes: StackFixes | None, detected: str | None = None) -> None:
        # One entry per fix of every stack, planned from the catalog: the list is the same whether
        # the analysis rendered one stack or all of them; _show_fix renders the one picked.
        self._fixes = fixes
        plan = fixes.plan if fixes is not None else ()
        self.stack_picker.blockSignals(True)
        self.stack_picker.clear()
        names = stack_names()
        for stack in plan:
            label = names.get(stack, stack)
            if stack == detected and len(plan) > 1:
                label += "  (detected)"
            self.stack_picker.addItem(label, stack)
        pick = self.stack_picker.findData(self._preferred_stack) if self._preferred_stack else -1
        self.stack_picker.setCurrentIndex(max(pick, 0))
        self.stack_picker.setEnabled(len(plan) > 1)
        self.stack_picker.blockSignals(False)
        self._show_fix()

    def _show_fix(self, *_args: object) -> None:
        i = self.stack_picker.currentIndex()
        fix = self.current_fix()
        if fix is None:
            self.fix_title.setText("")
            if self._fixes is not None and i >= 0:
                # Rendering found a value of this request the stack's syntax cannot write.
                name = stack_names().get(self._fixes.plan[i], self._fixes.plan[i])
                self.fix_code.setPlainText(f"(no fix for {name}: a value in this request cannot be "
                                           "written in its configuration)")
            else:
                self.fix_code.setPlainText("(no fix suggested for this finding)" if self._finding else "")
            self.fix_notes.setText("")
            self.copy_fix.setEnabled(False)
            return
        self.fix_title.setText(f"<b>{html.escape(fix.title)}</b>")
        self.fix_code.setPlainText(fix.code)
        self.fix_notes.setText(fix.notes)
        self.fix_notes.setVisible(bool(fix.notes))
        self.copy_fix.setEnabled(True)

    def _on_stack_activated(self, index: int) -> None:
        stack = self.stack_picker.itemData(index)
        if stack:
            self._preferred_stack = stack
            self.stack_chosen.emit(stack)

    def _on_copy_markdown(self) -> None:
        if self._finding is not None:
            self.copy_markdown_requested.emit(self._finding)

    def shown_stack(self, finding: Finding) -> str | None:
        """The server stack whose fix the pane shows for ``finding`` (None when it shows another)."""
        if finding is not self._finding:
            return None
        return self.stack_picker.currentData() or None

    def current_fix(self) -> Fix | None:
        """The fix shown, rendered now if its stack was not (None when there is none)."""
        i = self.stack_picker.currentIndex()
        if self._fixes is None or not 0 <= i < len(self._fixes.plan):
            return None
        return self._fixes.fix(i)

    @staticmethod
    def _copy(text: str) -> None:
        QtGui.QGuiApplication.clipboard().setText(text)

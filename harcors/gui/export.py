"""File ▸ Export report…: any report format, for the filtered rows, the selection or everything."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass

from harcors.analysis import Analysis
from harcors.cors.model import Finding
from harcors.fixes import with_every_stack
from harcors.gui.qt import Qt, QtCore, QtWidgets, Signal
from harcors.report.render import FORMATS, render

_LABELS = {
    "md": "Markdown", "html": "HTML page", "json": "JSON", "csv": "CSV spreadsheet",
    "sarif": "SARIF (code scanning)", "table": "Plain text",
}
_EXTENSIONS = {
    "md": ".md", "html": ".html", "json": ".json", "csv": ".csv", "sarif": ".sarif", "table": ".txt",
}


def extension(fmt: str) -> str:
    return _EXTENSIONS.get(fmt, f".{fmt}")


def label(fmt: str) -> str:
    return _LABELS.get(fmt, fmt.upper())


def export_formats() -> list[str]:
    """The report engine's formats, the most useful for sharing first."""
    preferred = ["md", "html", "json", "csv", "sarif", "table"]
    return [f for f in preferred if f in FORMATS] + [f for f in FORMATS if f not in preferred]


def with_findings(analysis: Analysis, findings: Sequence[Finding]) -> Analysis:
    """The same analysis, reporting only ``findings``."""
    return dataclasses.replace(analysis, findings=list(findings))


def every_stack(analysis: Analysis) -> Analysis:
    """``analysis`` with every stack's fixes, as a report needs them (the fix for the stack asked
    for, and the other stacks' section): the GUI's analysis renders the likely stack's only."""
    findings = with_every_stack(analysis.findings)
    same = all(new is old for new, old in zip(findings, analysis.findings, strict=True))
    return analysis if same else dataclasses.replace(analysis, findings=findings)


def finding_markdown(analysis: Analysis, finding: Finding, *, redact: bool = True,
                     stack: str | None = None) -> str:
    """One finding as Markdown for a bug ticket, secrets redacted unless ``redact`` is False."""
    # The report model needs pandas: import it on first use, not when the window opens.
    from harcors.report.markdown import finding_markdown as render_one

    # One finding's other stacks render in about a millisecond: fine on the GUI thread.
    [complete] = with_every_stack([finding])
    return render_one(analysis, complete, redact=redact, stack=stack)


def write_report(analyses: Sequence[Analysis], fmt: str, path: str, *, redact: bool = True,
                 stack: str | None = None) -> None:
    """Render the report of ``analyses`` and write it to ``path`` (the export's worker thread runs this).

    Raises OSError if the file cannot be written, ValueError for an unknown format.
    """
    text = render([every_stack(a) for a in analyses], fmt, redact=redact, stack=stack)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(text)


class ExportJob(QtCore.QThread):
    """Runs :func:`write_report` off the GUI thread: rendering every stack's fixes and the report of
    a big HAR takes seconds.

    Signals (queued to the GUI thread): succeeded(str path) or failed(str title, str message),
    then QThread.finished.
    """

    succeeded = Signal(str)
    failed = Signal(str, str)

    def __init__(self, analyses: Sequence[Analysis], fmt: str, path: str, *, redact: bool,
                 stack: str | None, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.analyses = list(analyses)
        self.fmt = fmt
        self.path = path
        self.redact = redact
        self.stack = stack

    def run(self) -> None:  # runs in the worker thread
        try:
            write_report(self.analyses, self.fmt, self.path, redact=self.redact, stack=self.stack)
        except OSError as exc:
            self.failed.emit("Export failed", f"Cannot write {self.path}:\n{exc.strerror or exc}")
        except ValueError as exc:
            self.failed.emit("Export failed", str(exc))
        else:
            self.succeeded.emit(self.path)


@dataclass
class ExportScope:
    """A choice in the dialog: what gets exported."""

    label: str
    analyses: list[Analysis]

    @property
    def count(self) -> int:
        return sum(len(a.findings) for a in self.analyses)


class ExportDialog(QtWidgets.QDialog):
    """Pick format, scope, redaction and where to save; Export writes the file in an :class:`ExportJob`
    and the dialog closes (accepted, :attr:`written` set) when it is written.

    Signals: export_failed(str message), after the error was shown (the dialog stays open).
    """

    export_failed = Signal(str)

    def __init__(self, scopes: Sequence[ExportScope], *, default_scope: int = 0, folder: str,
                 base_name: str, fmt: str = "md", stacks: Sequence[tuple[str, str]] = (),
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export report")
        self.setMinimumWidth(520)
        self.scopes = list(scopes)
        self.written: str | None = None
        self.job: ExportJob | None = None
        self._folder = folder
        self._base = base_name
        form = QtWidgets.QFormLayout(self)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.format = QtWidgets.QComboBox()
        for f in export_formats():
            self.format.addItem(f"{label(f)} ({extension(f)})", f)
        self.format.setCurrentIndex(max(self.format.findData(fmt), 0))
        self.format.currentIndexChanged.connect(self._update_extension)
        form.addRow("Format:", self.format)

        box = QtWidgets.QWidget()
        scope_layout = QtWidgets.QVBoxLayout(box)
        scope_layout.setContentsMargins(0, 0, 0, 0)
        self.scope_buttons: list[QtWidgets.QRadioButton] = []
        group = QtWidgets.QButtonGroup(self)
        for i, scope in enumerate(self.scopes):
            noun = "finding" if scope.count == 1 else "findings"
            button = QtWidgets.QRadioButton(f"{scope.label} — {scope.count:,} {noun}")
            group.addButton(button, i)
            scope_layout.addWidget(button)
            self.scope_buttons.append(button)
        if self.scope_buttons:
            self.scope_buttons[min(default_scope, len(self.scope_buttons) - 1)].setChecked(True)
        form.addRow("Export:", box)

        self.stack = QtWidgets.QComboBox()
        self.stack.addItem("As detected", "")
        for stack_id, name in stacks:
            self.stack.addItem(name, stack_id)
        form.addRow("Fix for:", self.stack)

        self.redact = QtWidgets.QCheckBox("Redact secrets (cookies, Authorization, tokens in URLs)")
        self.redact.setChecked(True)
        form.addRow("", self.redact)

        row = QtWidgets.QHBoxLayout()
        self.path = QtWidgets.QLineEdit(os.path.join(folder, base_name + extension(self.fmt())))
        row.addWidget(self.path, 1)
        browse = QtWidgets.QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row.addWidget(browse)
        form.addRow("Save to:", row)

        self.busy = QtWidgets.QProgressBar()
        self.busy.setRange(0, 0)  # no count to show: the report is rendered in one go
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.busy.hide()
        form.addRow(self.busy)

        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Save | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def fmt(self) -> str:
        return self.format.currentData() or "md"

    def scope(self) -> ExportScope:
        for button, scope in zip(self.scope_buttons, self.scopes, strict=True):
            if button.isChecked():
                return scope
        return self.scopes[0]

    def _update_extension(self) -> None:
        path = self.path.text().strip()
        root, ext = os.path.splitext(path)
        if ext.lower() in _EXTENSIONS.values() or not ext:
            self.path.setText(root + extension(self.fmt()))

    def _browse(self) -> None:
        fmt = self.fmt()
        chosen, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Export report", self.path.text(), f"{label(fmt)} (*{extension(fmt)});;All files (*)"
        )
        if chosen:
            self.path.setText(chosen)

    def start_export(self) -> ExportJob:
        """Write the report in a worker thread; the dialog accepts once it is written."""
        path = os.path.expanduser(self.path.text().strip())
        job = ExportJob(self.scope().analyses, self.fmt(), path, redact=self.redact.isChecked(),
                        stack=self.stack.currentData() or None, parent=self)
        job.succeeded.connect(self._on_written)
        job.failed.connect(self._on_failed)
        self.job = job
        self._set_busy(True)
        job.start()
        return job

    def is_exporting(self) -> bool:
        return self.job is not None

    def _set_busy(self, busy: bool) -> None:
        for child in self.findChildren(QtWidgets.QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if child is not self.busy:
                child.setEnabled(not busy)
        self.busy.setVisible(busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def _finish_job(self) -> None:
        if self.job is not None:
            self.job.wait()  # it has emitted its outcome: only returning from run() is left
            self.job = None
        self._set_busy(False)

    def _on_written(self, path: str) -> None:
        self._finish_job()
        self.written = path
        super().accept()

    def _on_failed(self, title: str, message: str) -> None:
        self._finish_job()
        QtWidgets.QMessageBox.critical(self, title, message)
        self.export_failed.emit(message)

    def accept(self) -> None:
        if self.is_exporting():
            return
        if not self.path.text().strip():
            self.path.setFocus()
            return
        self.start_export()

    def reject(self) -> None:
        if self.is_exporting():
            return  # the file is being written: let it finish (Escape and the close button land here)
        super().reject()

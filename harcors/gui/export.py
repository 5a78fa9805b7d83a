"""File ▸ Export report…: any report format, for the filtered rows, the selection or everything."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass

from harcors.analysis import Analysis
from harcors.cors.model import Finding
from harcors.gui.qt import QtWidgets
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


def finding_markdown(analysis: Analysis, finding: Finding, *, redact: bool = True,
                     stack: str | None = None) -> str:
    """One finding as Markdown for a bug ticket, secrets redacted unless ``redact`` is False."""
    # The report model needs pandas: import it on first use, not when the window opens.
    from harcors.report.markdown import finding_markdown as render_one

    return render_one(analysis, finding, redact=redact, stack=stack)


@dataclass
class ExportScope:
    """A choice in the dialog: what gets exported."""

    label: str
    analyses: list[Analysis]

    @property
    def count(self) -> int:
        return sum(len(a.findings) for a in self.analyses)


class ExportDialog(QtWidgets.QDialog):
    """Pick format, scope, redaction and where to save; :meth:`export` writes the file."""

    def __init__(self, scopes: Sequence[ExportScope], *, default_scope: int = 0, folder: str,
                 base_name: str, fmt: str = "md", stacks: Sequence[tuple[str, str]] = (),
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export report")
        self.setMinimumWidth(520)
        self.scopes = list(scopes)
        self.written: str | None = None
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

        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Save | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

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

    def export(self) -> str:
        """Render and write the report; returns the path. Raises OSError if it cannot be written."""
        path = os.path.expanduser(self.path.text().strip())
        text = render(self.scope().analyses, self.fmt(), redact=self.redact.isChecked(),
                      stack=self.stack.currentData() or None)
        with open(path, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        self.written = path
        return path

    def accept(self) -> None:
        if not self.path.text().strip():
            self.path.setFocus()
            return
        try:
            self.export()
        except OSError as exc:
            QtWidgets.QMessageBox.critical(self, "Export failed",
                                           f"Cannot write {self.path.text()}:\n{exc.strerror or exc}")
            return
        except ValueError as exc:
            QtWidgets.QMessageBox.critical(self, "Export failed", str(exc))
            return
        super().accept()

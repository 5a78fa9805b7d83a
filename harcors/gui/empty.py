"""A centred "nothing here yet" page: an icon, a title, one helpful line, and buttons."""

from __future__ import annotations

from harcors.gui.qt import Qt, QtGui, QtWidgets


class EmptyState(QtWidgets.QWidget):
    """Tells the user what to do next instead of showing an empty grid."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addStretch(3)
        self.icon = QtWidgets.QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.icon)
        self.title = QtWidgets.QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        layout.addWidget(self.title)
        self.text = QtWidgets.QLabel()
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setForegroundRole(QtGui.QPalette.ColorRole.PlaceholderText)
        self.text.setMaximumWidth(640)
        row = QtWidgets.QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.text, 10)
        row.addStretch(1)
        layout.addLayout(row)
        self.buttons = QtWidgets.QHBoxLayout()
        self.buttons.addStretch(1)
        self.buttons.addStretch(1)
        layout.addSpacing(8)
        layout.addLayout(self.buttons)
        layout.addStretch(4)

    def set_content(self, icon: QtGui.QIcon | None, title: str, text: str, size: int = 64) -> None:
        self.icon.setVisible(icon is not None)
        if icon is not None:
            self.icon.setPixmap(icon.pixmap(size, size))
        self.title.setText(title)
        self.text.setText(text)

    def add_button(self, text: str, default: bool = False) -> QtWidgets.QPushButton:
        button = QtWidgets.QPushButton(text)
        button.setDefault(default)
        self.buttons.insertWidget(self.buttons.count() - 1, button)
        return button

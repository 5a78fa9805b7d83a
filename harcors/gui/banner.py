"""An inline message bar (error / warning / info) with an optional action link and a close button."""

from __future__ import annotations

from harcors.gui import theme
from harcors.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal


class Banner(QtWidgets.QFrame):
    """A tinted strip above the table: an icon, one or two lines of text, an action, a close button.

    Signals:
        action_triggered(): the action link (e.g. "Show") was clicked.
    """

    action_triggered = Signal()

    def __init__(self, kind: str, text: str, action: str | None = None,
                 parent: QtWidgets.QWidget | None = None, closable: bool = True) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"banner-{kind}")
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.setSpacing(8)
        icon = QtWidgets.QLabel()
        icon.setPixmap(theme.icon(kind).pixmap(18, 18))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(icon)
        self.label = QtWidgets.QLabel(text)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.action_button: QtWidgets.QPushButton | None = None
        if action:
            self.action_button = QtWidgets.QPushButton(action)
            self.action_button.setFlat(True)
            self.action_button.setCursor(Qt.CursorShape.PointingHandCursor)
            self.action_button.clicked.connect(self.action_triggered)
            layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        if closable:
            close = QtWidgets.QToolButton()
            close.setAutoRaise(True)
            close.setText("✕")
            close.setToolTip("Dismiss")
            close.clicked.connect(self.hide)
            layout.addWidget(close, 0, Qt.AlignmentFlag.AlignVCenter)
        self._repaint_colours()

    def text(self) -> str:
        return self.label.text()

    def _repaint_colours(self) -> None:
        palette = self.palette()
        palette.setColor(QtGui.QPalette.ColorRole.Window, theme.tint(self.kind))
        self.setPalette(palette)

    def changeEvent(self, event: QtCore.QEvent) -> None:
        if event.type() == QtCore.QEvent.Type.ApplicationPaletteChange:
            self._repaint_colours()
        super().changeEvent(event)


class ReadingBanner(Banner):
    """Shown above early findings while the file is still read: progress, what is shown, Cancel (Esc).

    Signals:
        action_triggered(): Cancel was clicked (or Esc pressed).
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("info", "", action="Cancel", parent=parent, closable=False)
        self.bar = QtWidgets.QProgressBar()
        self.bar.setFormat("%p %")
        self.bar.setFixedWidth(160)
        self.bar.setRange(0, 1000)
        layout = self.layout()
        assert isinstance(layout, QtWidgets.QBoxLayout) and self.action_button is not None
        layout.insertWidget(layout.indexOf(self.action_button), self.bar, 0, Qt.AlignmentFlag.AlignVCenter)
        self.action_button.setToolTip("Stop reading this file (Esc)")
        self.action_button.setShortcut(QtGui.QKeySequence(Qt.Key.Key_Escape))

    def set_fraction(self, fraction: float | None) -> None:
        """How much is read, 0..1; None: busy with something that has no measure."""
        if fraction is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(max(fraction, 0.0), 1.0)))

"""The desktop app: PySide6 windows, table models and the background loader.

Everything Qt lives in this package and is imported through :mod:`harcors.gui.qt`; the rest of
harcors never imports Qt.
"""

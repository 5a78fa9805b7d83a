"""Fixtures for the GUI tests: offscreen Qt, a throwaway settings file, and a window to drive."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "sample_hars"


@pytest.fixture
def settings(tmp_path):
    from harcors.gui.settings import AppSettings, file_settings

    return AppSettings(file_settings(tmp_path / "settings.ini"))


@pytest.fixture
def window(qtbot, settings):
    from harcors.gui.mainwindow import MainWindow

    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1280, 820)
    win.show()
    yield win
    win.close()
    from harcors.gui.worker import wait_for_abandoned

    wait_for_abandoned()


def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"sample HAR {name} is not in sample_hars/ yet")
    return path

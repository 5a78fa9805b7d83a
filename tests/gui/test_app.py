"""The entry point the CLI calls: screenshots, the demo, the theme, the About box."""

from __future__ import annotations

from harcors import __version__
from harcors.cli import main
from harcors.gui import theme
from harcors.gui.about import about_dialog
from harcors.gui.app import SCREENSHOT_SIZE
from harcors.gui.qt import QtGui, QtWidgets
from harcors.resources import resource_path

from .conftest import sample


def test_cli_screenshot_renders_the_window_with_the_file(qapp, tmp_path):
    out = tmp_path / "shot.png"
    assert main([str(sample("session-shop-xhr.har")), "--screenshot", str(out)]) == 0
    image = QtGui.QImage(str(out))
    assert (image.width(), image.height()) == SCREENSHOT_SIZE
    # Not a blank grab: the table and the detail pane put many colours on screen.
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 50


def test_demo_is_bundled_and_opens(qapp, tmp_path):
    assert resource_path("demo.har").is_file()
    out = tmp_path / "demo.png"
    assert main(["--demo", "--screenshot", str(out)]) == 0
    assert QtGui.QImage(str(out)).width() == SCREENSHOT_SIZE[0]


def test_dark_palette_follows_the_setting(qapp, monkeypatch):
    monkeypatch.setenv("HARCORS_THEME", "dark")
    theme.apply_theme(qapp)
    try:
        assert theme.is_dark()
        # Tints stay distinguishable from the base colour in the dark palette too.
        base = QtGui.QGuiApplication.palette().color(QtGui.QPalette.ColorRole.Base)
        assert theme.tint("error") != base and theme.tint("cors") != base
    finally:
        monkeypatch.setenv("HARCORS_THEME", "light")
        theme.apply_theme(qapp)
    assert not theme.is_dark()


def test_about_names_the_version(qtbot):
    box = about_dialog()
    qtbot.addWidget(box)
    assert f"harcors {__version__}" in box.text()
    assert box.standardButtons() == QtWidgets.QMessageBox.StandardButton.Close


def test_app_icon_is_an_svg_with_a_png_twin(qapp):
    assert not theme.app_icon().isNull()
    assert resource_path("icons", "harcors.png").is_file()
    assert QtGui.QImage(str(resource_path("icons", "harcors.png"))).width() == 256


def test_no_display_says_what_to_do_instead(monkeypatch, capsys):
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    from harcors.gui.app import run_app

    assert run_app(["some.har"]) == 2
    assert "harcors analyze FILE" in capsys.readouterr().err

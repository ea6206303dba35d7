"""The plugin dialog: status of every plugin, problems in full, enable/disable without restart."""

from __future__ import annotations

from PySide6 import QtCore

import actviz
from actviz.gui.main_window import MainWindow
from actviz.gui.plugin_dialog import PluginDialog


class Broken:
    @actviz.hookimpl
    def actviz_activations(self):
        raise RuntimeError("broken on purpose")


def row_of(dialog: PluginDialog, name: str) -> int:
    return next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).text() == name)


def test_dialog_lists_plugins_and_full_problems(qtbot):
    reg = actviz.load_registry(extra=[("broken", Broken())])
    win = MainWindow(registry=reg)
    qtbot.addWidget(win)
    dialog = PluginDialog(win)
    qtbot.addWidget(dialog)
    lecture = row_of(dialog, "lecture")
    assert dialog.table.item(lecture, 1).text() == "active"
    assert "relu" in dialog.table.item(lecture, 4).text()
    text = dialog.details.toPlainText()
    assert "[broken] actviz_activations: RuntimeError: broken on purpose" in text
    assert "Traceback" in text


def test_disabling_a_plugin_reloads_without_restart_and_is_remembered(qtbot, private_settings):
    win = MainWindow()
    qtbot.addWidget(win)
    win.restore_state()
    win.show()
    win.select_function("relu")
    dialog = PluginDialog(win)
    qtbot.addWidget(dialog)
    item = dialog.table.item(row_of(dialog, "lecture"), 0)
    item.setCheckState(QtCore.Qt.CheckState.Unchecked)
    qtbot.wait(10)
    assert "relu" not in win.registry.activations
    assert "relu" not in win.browser.items
    assert dialog.table.item(row_of(dialog, "lecture"), 1).text() == "disabled"
    assert win.save_state()
    again = MainWindow(disabled=tuple(win.collect_state()["window"]["disabled"]))
    qtbot.addWidget(again)
    assert "relu" not in again.registry.activations
    win.set_plugin_enabled("lecture", True)
    assert "relu" in win.registry.activations and "relu" in win.browser.items


def test_a_view_whose_plugin_goes_away_closes_cleanly(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    assert "function" in win.views
    win.set_plugin_enabled("views", False)
    assert "function" not in win.view_names and win.tabs.count() == max(1, len(win.view_names))
    if not win.view_names:  # no third-party view either: a note says how to get them back
        assert "enable the 'views' plugin" in win.tabs.widget(0).text()
    win.set_plugin_enabled("views", True)
    assert win.show_view("function") is not None


def test_the_example_third_party_plugin_shows_in_registry_and_browser(window):
    reg = window.registry
    assert reg.activations["squareplus"].plugin == "example"
    assert reg.losses["cauchy_loss"].noise_model is not None
    assert "squareplus" in window.browser.items and "cauchy_loss" in window.browser.items
    info = next(i for i in reg.plugins if i.name == "example")
    assert info.distribution == "actviz-example" and not info.builtin

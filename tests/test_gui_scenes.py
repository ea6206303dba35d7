"""Scenes, remembered values and undo through the main window, as a user meets them."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from PySide6 import QtWidgets

import actviz
from actviz.gui.main_window import MainWindow
from tests.conftest import settle


def drawn(curve):
    x, y = curve.getData()
    return np.asarray(x), np.asarray(y)


def test_a_parameter_is_remembered_when_you_click_away_and_back(window, qtbot):
    window.select_function("logistic")
    window.panel.widgets["function.beta"].setValue(3.0)
    window.select_function("tanh")
    window.select_function("logistic")
    assert window.panel.widgets["function.beta"].value() == 3.0
    settle(qtbot)
    x, y = drawn(window.views["function"].curve_f)
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-3.0 * x)), rtol=1e-12)


def test_remembered_values_survive_a_relaunch(qtbot, registry):
    first = MainWindow(registry=registry)
    qtbot.addWidget(first)
    first.restore_state()
    first.select_function("logistic")
    first.models["function"].set("function.beta", 2.5)
    first.select_function("elu")
    first.close()
    again = MainWindow(registry=registry)
    qtbot.addWidget(again)
    again.restore_state()
    assert again.models["function"]["function"] == "elu"
    again.select_function("logistic")
    assert again.models["function"]["function.beta"] == 2.5


def _window(qtbot, registry):
    win = MainWindow(registry=registry)
    win.setProperty("testing", True)
    qtbot.addWidget(win)
    win.restore_state()
    win.resize(1000, 700)
    win.show()
    return win


def test_save_scene_then_open_it_in_a_new_window_reproduces_the_curves(qtbot, registry, tmp_path):
    win = _window(qtbot, registry)
    win.select_function("leaky_relu")
    win.models["function"].update({"function.alpha": 0.3, "zmin": -2.0, "zmax": 4.0})
    win.views["function"].pin()
    win.select_function("softplus")
    settle(qtbot)
    view = win.views["function"]
    before = [drawn(c) for c in (view.curve_f, view.curve_d, *[c for pair in view.pin_curves for c in pair])]
    path = tmp_path / "lecture.json"
    assert win.save_scene(str(path))
    scene = json.loads(path.read_text())
    assert scene["format"] == "actviz-scene" and scene["views"]["function"]["values"]["function"].endswith("/softplus")

    other = _window(qtbot, registry)
    other.select_function("relu")
    assert other.open_scene(str(path))
    settle(qtbot)
    view2 = other.views["function"]
    after = [drawn(c) for c in (view2.curve_f, view2.curve_d, *[c for pair in view2.pin_curves for c in pair])]
    assert len(after) == len(before) == 4
    for (x1, y1), (x2, y2) in zip(before, after, strict=True):
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)


def test_a_scene_naming_a_missing_plugin_opens_the_rest_and_names_it(qtbot, registry, tmp_path):
    win = _window(qtbot, registry)
    scene = win.collect_state()
    scene["views"]["function"]["values"].update({"function": "lecture/tanh", "zmin": -1.0, "zmax": 1.0})
    scene["views"]["function"]["extras"]["pins"] = [{"function": "fancy_pkg/mish2", "values": {}},
                                                    {"function": "lecture/relu", "values": {}}]
    scene["views"]["not_a_view"] = {}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(scene))
    assert win.open_scene(str(path))
    model = win.models["function"]
    assert model["function"] == "tanh" and model["zmin"] == -1.0
    assert len(model.pins()) == 1
    assert any("mish2" in m and "fancy_pkg" in m for m in win.missing)
    assert any("not_a_view" in m for m in win.missing)


@pytest.mark.parametrize("text", ["{broken", '{"format": "actviz-scene", "version": 7}'])
def test_a_corrupt_or_newer_scene_changes_nothing(qtbot, registry, tmp_path, text):
    win = _window(qtbot, registry)
    win.select_function("elu")
    before = win.collect_state()["views"]
    path = tmp_path / "bad.json"
    path.write_text(text)
    assert not win.open_scene(str(path))
    assert win.collect_state()["views"] == before
    assert "bad.json" in win.statusBar().currentMessage()


def test_undo_and_redo_from_the_edit_menu(window, qtbot):
    window.select_function("logistic")
    window.history.clear()
    control = window.panel.widgets["function.beta"]
    for pos in (600, 700, 800):  # one drag
        control.slider.setValue(pos)
    control.slider.sliderReleased.emit()
    window.select_function("tanh")
    assert len(window.history.undo_steps) == 2
    window.undo_action.trigger()
    assert window.models["function"]["function"] == "logistic"
    assert window.browser.current_name() == "logistic"
    window.undo_action.trigger()
    assert window.models["function"]["function.beta"] == 1.0
    window.redo_action.trigger()
    assert window.models["function"]["function.beta"] == pytest.approx(4.0, abs=0.01)


def test_the_function_list_sets_the_function_of_the_tab_you_are_on(window, qtbot):
    window.show_view("coin")
    assert not window.browser_dock.isVisible()
    assert not window.select_function("tanh")
    assert "does not use" in window.statusBar().currentMessage()
    window.show_view("function")
    assert window.browser_dock.isVisible()


def test_a_view_opens_another_through_its_context(window):
    view = window.show_view("function")
    other = view.context.open_view("coin")
    assert other is window.views["coin"] and window.current_view_name() == "coin"


def test_export_of_a_scene_writes_the_same_csv_as_the_gui(qtbot, registry, tmp_path):
    win = _window(qtbot, registry)
    win.select_function("elu")
    win.models["function"].update({"function.alpha": 0.5, "zmin": -3.0, "zmax": 2.0, "numerical": "off"})
    win.views["function"].pin()
    settle(qtbot)
    gui_csv = tmp_path / "gui.csv"
    assert win.export_to(str(gui_csv))
    scene = tmp_path / "scene.json"
    assert win.save_scene(str(scene))
    out = tmp_path / "cli.csv"
    width = win.views["function"].width(), win.views["function"].height()
    result = subprocess.run([sys.executable, "-m", "actviz", "export", "--scene", str(scene), "--out", str(out),
                             "--size", str(width[0]), str(width[1])], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    gui = np.genfromtxt(gui_csv, delimiter=",", names=True)
    cli = np.genfromtxt(out, delimiter=",", names=True)
    assert gui.dtype.names == cli.dtype.names
    # the same functions, values and range; the sampling follows each window's pixel width
    x_gui, x_cli = gui[gui.dtype.names[0]], cli[cli.dtype.names[0]]
    assert x_gui[0] == x_cli[0] == -3.0 and x_gui[-1] == x_cli[-1] == 2.0
    for name in gui.dtype.names[1:]:
        np.testing.assert_allclose(np.interp(x_gui, x_cli, cli[name]), gui[name], rtol=1e-3, atol=1e-3)


def test_a_relaunch_with_formulas_keeps_pins_and_range(qtbot, registry):
    win = MainWindow()
    qtbot.addWidget(win)
    win.restore_state()
    win.add_formula("wave", "sin(a*z)", {"a": (1.0, 0.1, 5.0)})
    win.models["function"].update({"zmin": -2.0, "zmax": 2.0})
    win.views["function"].pin()
    win.close()
    again = MainWindow()
    qtbot.addWidget(again)
    again.restore_state()
    model = again.models["function"]
    assert model["function"] == "wave" and (model["zmin"], model["zmax"]) == (-2.0, 2.0)
    assert [s.name for s, _ in model.pins()] == ["wave"]


def test_settings_with_every_field_of_the_wrong_type_start_and_save_again(qtbot, registry, private_settings):
    private_settings.parent.mkdir(parents=True, exist_ok=True)
    private_settings.write_text(json.dumps({
        "format": "actviz-scene", "version": 1, "view": 5, "views": {"function": []}, "window": {}}))
    win = MainWindow(registry=registry)
    qtbot.addWidget(win)
    win.restore_state()
    message = win.statusBar().currentMessage()
    assert "Last session" in message and '"view"' in message  # the bad field is named, the rest kept
    assert win.save_state()
    assert json.loads(private_settings.read_text())["format"] == "actviz-scene"
    private_settings.write_bytes(b"\x00\xff not json at all")
    garbage = MainWindow(registry=registry)
    qtbot.addWidget(garbage)
    garbage.restore_state()
    assert "unreadable" in garbage.statusBar().currentMessage()
    assert garbage.save_state()
    kept = [p for p in private_settings.parent.iterdir() if "unreadable" in p.name]
    assert len(kept) == 1  # the user's file is kept aside, never deleted
    bad_values = MainWindow(registry=registry)
    qtbot.addWidget(bad_values)
    private_settings.write_text(json.dumps({"format": "actviz-scene", "version": 1, "views": {
        "function": {"values": {"function": ["x"], "zmin": "abc", "function.beta": 10 ** 400}, "extras": 3}}}))
    bad_values.restore_state()
    assert bad_values.models["function"]["function"]  # defaults for the bad fields
    assert bad_values.save_state()


def test_disabling_a_plugin_keeps_the_tab_and_the_other_views_state(window, qtbot):
    window.select_function("tanh")
    window.show_view("coin")
    window.set_plugin_enabled("actviz_example" if "actviz_example" in {p.name for p in window.registry.plugins}
                              else "example", False)
    assert window.current_view_name() == "coin"
    assert window.models["function"]["function"] == "tanh"


def test_no_views_says_how_to_get_them_back(qtbot):
    reg = actviz.load_registry(disabled=("views", "example"))
    win = MainWindow(registry=reg)
    qtbot.addWidget(win)
    assert "enable the 'views' plugin" in win.tabs.currentWidget().text()


def test_the_colour_scheme_chosen_in_the_view_menu_survives_a_relaunch(qtbot, registry):
    from actviz.gui import theme

    win = MainWindow(registry=registry)
    qtbot.addWidget(win)
    win.restore_state()
    win.set_scheme("dark")
    win.close()
    try:
        theme.apply_scheme(QtWidgets.QApplication.instance(), "light")
        again = MainWindow(registry=registry)
        qtbot.addWidget(again)
        again.restore_state()
        assert again.scheme_actions["dark"].isChecked()
        assert theme.current_scheme() == "dark"
    finally:
        again.set_scheme("auto")
        again.close()

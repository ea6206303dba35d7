"""The main window, driven as a user would (pytest-qt, offscreen), checking what is drawn."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6 import QtGui, QtWidgets

import actviz
from actviz.gui.main_window import MainWindow
from tests.conftest import settle


def drawn(curve):
    """The data handed to the curve (getData() would return the view-clipped subset)."""
    return np.asarray(curve.xData), np.asarray(curve.yData)


def test_selecting_a_function_draws_the_registry_values(window, qtbot, registry):
    window.select_function("elu")
    settle(qtbot)
    view = window.views["function"]
    x, y = drawn(view.curve_f)
    spec = registry.activations["elu"]
    np.testing.assert_allclose(y, spec.function(x, alpha=1.0))
    _, d = drawn(view.curve_d)
    np.testing.assert_allclose(d, spec.derivative(x, alpha=1.0))
    assert view.plot_f.titleLabel.text == spec.label
    assert view.formula_f.tex == spec.formula


def test_dragging_a_slider_redraws_with_the_new_parameter(window, qtbot, registry):
    window.select_function("leaky_relu")
    settle(qtbot)
    view = window.views["function"]
    control = window.panel.widgets["function.alpha"]
    control.slider.setValue(300)  # 0.3 of the way along [0, 1]: as a drag would
    settle(qtbot)
    x, y = drawn(view.curve_f)
    np.testing.assert_allclose(y, np.where(x > 0, x, 0.3 * x))
    assert control.spin.value() == pytest.approx(0.3)


def test_parameter_changes_coalesce_into_one_redraw(window, qtbot):
    window.select_function("logistic")
    view = window.views["function"]
    # let the selection's own work finish first: formulas render off the GUI thread and then re-lay out the plots
    last = -1
    while view.redraw_count != last:
        last = view.redraw_count
        settle(qtbot, 150)
    before = view.redraw_count
    for v in np.linspace(0.2, 4.0, 50):
        window.models["function"].set("function.beta", float(v), merge=True)
    settle(qtbot)
    assert view.redraw_count == before + 1
    x, y = drawn(view.curve_f)
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-4.0 * x)))


def test_out_of_range_typed_value_is_clamped_with_a_note(window, qtbot):
    window.select_function("leaky_relu")
    control = window.panel.widgets["function.alpha"]
    control.spin.setValue(7.0)
    assert control.value() == 1.0
    assert "outside [0, 1]" in control.note.text() and not control.note.isHidden()
    control.reset.click()
    assert control.value() == pytest.approx(0.01) and control.note.isHidden()


def test_pinning_adds_curves_and_a_legend_entry(window, qtbot, registry):
    window.select_function("leaky_relu")
    settle(qtbot)
    view = window.views["function"]
    window.views["function"].pin()
    window.select_function("elu")
    window.views["function"].pin()
    settle(qtbot)
    assert len(view.model.pins()) == 2
    labels = [label.text for _, label in view.legend.items]
    assert any("ELU" in t for t in labels) and any("Leaky ReLU" in t for t in labels)
    x, y = drawn(view.pin_curves[1][1])  # ELU's derivative in the lower plot
    np.testing.assert_allclose(y, registry.activations["elu"].derivative(x, alpha=1.0))
    view.model.unpin(0)
    assert len(view.model.pins()) == 1 and view.pin_list.count() == 1
    window.views["function"].model.clear_pins()
    assert not view.model.pins() and len(view.legend.items) == 1


def test_zooming_resamples_the_visible_range(window, qtbot):
    window.select_function("relu")
    settle(qtbot)
    view = window.views["function"]
    for width in (1e-6, 10.0, 1e6):
        view.model.update({"zmin": -width / 2, "zmax": width / 2})
        settle(qtbot)
        x, y = drawn(view.curve_f)
        assert x[0] == pytest.approx(-width / 2) and x[-1] == pytest.approx(width / 2)
        assert 64 <= x.size <= 4100
        assert 0.0 in x  # the kink is sampled exactly at any zoom
        np.testing.assert_array_equal(y, np.maximum(x, 0))


def test_hover_readout_shows_z_f_and_derivative(window, qtbot):
    window.select_function("softplus")
    settle(qtbot)
    text = window.views["function"].readout_text(0.0)
    assert "z = 0" in text and "f(z) = 0.693147" in text and "f′(z) = 0.5" in text


def test_loss_shows_target_control_and_gradient(window, qtbot, registry):
    window.select_function("binary_cross_entropy")
    window.panel.widgets["function.t"].setValue(0.0)
    settle(qtbot)
    view = window.views["function"]
    x, y = drawn(view.curve_f)
    assert x.min() > 0 and x.max() < 1
    np.testing.assert_allclose(y, -np.log(1 - x), rtol=1e-9)
    assert view.plot_f.getAxis("left").labelText == "E(y; t)"


def test_search_filters_as_you_type(window, qtbot):
    qtbot.keyClicks(window.browser.search, "relu")
    names = window.browser.visible_names()
    assert "relu" in names and "leaky_relu" in names and "tanh" not in names


def test_wrong_derivative_shows_a_warning_naming_z(qtbot):
    class Wrong:
        @actviz.hookimpl
        def actviz_activations(self):
            return [actviz.Activation("wrong_square", "Wrong square", "z^2", lambda z: z * z,
                                      derivative=lambda z: 3 * z)]

    reg = actviz.load_registry(extra=[("wrong", Wrong())])
    win = MainWindow(registry=reg)
    qtbot.addWidget(win)
    win.show()
    win.select_function("wrong_square")
    settle(qtbot)
    view = win.views["function"]
    assert view.warning.isVisible() and "at z=" in view.warning.text()
    qtbot.waitUntil(lambda: "1 plugin problem" in win.problems_button.text(), timeout=5000)  # checked after the paint


def test_export_png_svg_csv(window, qtbot, tmp_path, registry):
    window.select_function("leaky_relu")
    window.views["function"].pin()
    settle(qtbot)
    png, svg, table = tmp_path / "v.png", tmp_path / "v.svg", tmp_path / "v.csv"
    for path in (png, svg, table):
        assert window.export_to(str(path)), window.statusBar().currentMessage()
    image = QtGui.QImage(str(png))
    assert not image.isNull() and image.width() > 300
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 3  # not blank
    root = ET.parse(svg).getroot()
    assert any(el.tag.endswith("path") for el in root.iter())
    with open(table) as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    assert header[:3] == ["z", "leaky_relu f", "leaky_relu f'"]
    assert any(h.startswith("pin1 ") for h in header)
    data = np.array([[float(c) for c in r[:3]] for r in rows[1:]])
    np.testing.assert_allclose(data[:, 1], registry.activations["leaky_relu"].function(data[:, 0], alpha=0.01))


def test_export_to_a_bad_path_keeps_running_with_a_message(window, tmp_path):
    assert not window.export_to(str(tmp_path))  # a directory
    assert "is a directory" in window.statusBar().currentMessage()
    assert not window.export_to(str(tmp_path / "missing" / "x.png"))
    assert "does not exist" in window.statusBar().currentMessage()


def test_settings_round_trip(qtbot, registry, private_settings):
    win = MainWindow(registry=registry)
    qtbot.addWidget(win)
    win.restore_state()
    win.show()
    win.select_function("leaky_relu")
    win.panel.widgets["function.alpha"].setValue(0.2)
    win.views["function"].pin()
    win.models["function"].update({"zmin": -2.0, "zmax": 3.0})
    qtbot.wait(20)
    assert win.save_state()
    win.close()
    again = MainWindow(registry=registry)
    qtbot.addWidget(again)
    again.restore_state()
    again.show()
    qtbot.wait(20)
    assert again.models["function"]["function"] == "leaky_relu"
    assert again.models["function"]["function.alpha"] == pytest.approx(0.2)
    view = again.views["function"]
    pins = view.model.pins()
    assert len(pins) == 1 and pins[0][1]["alpha"] == pytest.approx(0.2)
    low, high = view.plot_f.viewRange()[0]
    assert low == pytest.approx(-2.0) and high == pytest.approx(3.0)


@pytest.mark.parametrize("content", [b"\x00\xff garbage \x00", b"{not json", b"[1, 2]", b"",
                                     b'{"format": "actviz-scene", "version": 99}', b"[" * 100000])
def test_corrupt_settings_open_with_defaults_and_a_message(qtbot, registry, private_settings, content):
    private_settings.parent.mkdir(parents=True, exist_ok=True)
    private_settings.write_bytes(content)
    win = MainWindow(registry=registry)
    qtbot.addWidget(win)
    win.restore_state()
    win.show()
    assert win.models["function"]["function"]  # defaults
    assert "starting with defaults" in win.statusBar().currentMessage()


def test_keyboard_shortcuts(window):
    shortcuts = {a.shortcut().toString() for a in window.findChildren(QtGui.QAction)}
    assert {"Ctrl+E", "Ctrl+F", "Ctrl+P", "F1"} <= shortcuts


def test_a_view_that_fails_to_open_shows_its_error(qtbot):
    class BadView:
        @actviz.hookimpl
        def actviz_views(self):
            def create(context):
                raise RuntimeError("no widget for you")
            return [actviz.View("broken", "Broken", create)]

    reg = actviz.load_registry(extra=[("badview", BadView())])
    win = MainWindow(registry=reg)
    qtbot.addWidget(win)
    win.show()
    assert win.show_view("broken") is None
    label = win.tabs.currentWidget()
    assert "no widget for you" in label.text() and "badview" in label.text()
    assert win.show_view("function") is not None  # the others keep working


def test_problems_button_opens_the_list(window, qtbot):
    window.problems_button.click()
    dialog = window._problems_dialog
    assert dialog.table.rowCount() == len(window.registry.plugins)
    dialog.close()


def test_switching_functions_rebuilds_the_controls(window, qtbot):
    window.select_function("maxout")
    assert set(window.panel.widgets) == {"function.w1", "function.b1", "function.w2", "function.b2", "numerical"}
    window.select_function("relu")
    assert set(window.panel.widgets) == {"numerical"}
    visible = [w for w in window.panel.findChildren(QtWidgets.QSlider) if w.isVisibleTo(window.panel)]
    assert visible == []


def test_numerical_derivative_leaves_a_gap_at_a_jump(window, qtbot):
    window.select_function("binary_step")
    settle(qtbot)
    view = window.views["function"]
    x, y = drawn(view.curve_num)
    finite = y[np.isfinite(y)]
    assert np.abs(finite).max() < 1e-6  # no spike of 1/h at z = 0
    assert np.isnan(y[np.abs(x) < 1e-9]).all()


def test_formula_renders_as_a_transparent_image(window, qtbot):
    pytest.importorskip("matplotlib")
    window.select_function("softplus")
    label = window.views["function"].formula_f
    qtbot.waitUntil(lambda: label.rendered, timeout=10000)
    image = label.pixmap().toImage()
    assert image.width() > 40 and image.hasAlphaChannel()
    assert image.pixelColor(0, 0).alpha() == 0  # readable on a dark palette too


def test_unwritable_settings_location_is_a_message_not_a_crash(qtbot, registry, tmp_path, monkeypatch):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("a file where the settings directory should be")
    monkeypatch.setenv("ACTVIZ_SETTINGS", str(blocker / "last-scene.json"))
    win = MainWindow(registry=registry)
    qtbot.addWidget(win)
    win.restore_state()
    assert not win.save_state()
    assert "Could not save settings" in win.statusBar().currentMessage()
    assert blocker.read_text().startswith("a file")  # nothing the user had is touched


def test_settings_file_is_replaced_whole(qtbot, registry, private_settings):
    win = MainWindow(registry=registry)
    qtbot.addWidget(win)
    win.restore_state()
    win.select_function("tanh")
    assert win.save_state()
    first = private_settings.read_bytes()
    win.select_function("relu")
    assert win.save_state()
    assert private_settings.read_bytes() != first and b"relu" in private_settings.read_bytes()
    assert not [p for p in private_settings.parent.iterdir() if p.name != private_settings.name]


def test_parameters_dock_shows_only_for_views_that_follow_the_selection(window):
    window.show_view("function")
    assert window.params_dock.isVisible()
    window.show_view("coin")
    assert not window.params_dock.isVisible()
    window.show_view("likelihood")
    assert not window.params_dock.isVisible()  # it has its own column of controls


def test_f1_shows_the_help_of_the_tab_on_screen(window, registry):
    """F1 used to show the Function tab's help on every tab."""
    texts = {}
    for name in ("function", "delta", "coin"):
        window.show_view(name)
        texts[name] = window.guide_html()
        assert registry.views[name].label in texts[name]
    assert "confidently wrong" in texts["delta"] and "8 heads in 10" in texts["coin"]
    assert "Pick <i>Logistic</i>" in texts["function"] and "Pick <i>Logistic</i>" not in texts["coin"]
    for spec in registry.views.values():  # every built-in view has help written for a student
        assert spec.plugin != "views" or len(spec.help) > 200, spec.name


def test_derivative_checks_wait_for_the_first_picture(qtbot):
    """The window paints before the deferred derivative checks run; the count appears after."""
    from actviz.host.registry import load_registry

    registry = load_registry()
    assert registry.unchecked > 0
    win = MainWindow(registry=registry)
    qtbot.addWidget(win)
    assert registry.unchecked > 0 and "checking" in win.problems_button.text()
    win.show()
    qtbot.waitUntil(lambda: registry.unchecked == 0 and "plugin problem" in win.problems_button.text(),
                    timeout=10000)


def test_start_up_makes_only_the_shown_views_model_and_restores_the_others_when_asked(
        qtbot, registry, private_settings):
    win = MainWindow(registry=registry)
    qtbot.addWidget(win)
    win.restore_state()
    win.models["coin"].set("k", 4)
    win.show_view("coin")
    assert win.save_state()
    win.close()
    again = MainWindow(registry=registry)
    qtbot.addWidget(again)
    again.restore_state()
    assert again.current_view_name() == "coin"
    assert set(again.models.made()) == {"coin"} and set(again.views) == {"coin"}  # the saved tab alone
    assert again.models["coin"]["k"] == 4
    assert again.collect_state()["views"]["delta"] == win.collect_state()["views"]["delta"]  # kept, not made
    assert "delta" not in again.models.made()
    assert again.models["delta"]["pairs"] == win.models["delta"]["pairs"]
    assert set(again.models) == set(again.view_names)  # iterating makes every model, as before
    assert set(again.models.made()) == set(again.view_names)


def test_opening_a_view_forgets_the_source_lines_importing_read_but_keeps_hand_registered_code(window, qtbot):
    import linecache

    from actviz.gui.main_window import drop_source_lines

    linecache.getline(actviz.__file__, 1)  # as PySide6 reads every module imported after it
    linecache.cache["<cell 1>"] = (9, None, ["x = 1\n"], "<cell 1>")  # an interactive session's code
    assert actviz.__file__ in linecache.cache
    window.show_view("coin")
    assert actviz.__file__ not in linecache.cache
    assert linecache.cache["<cell 1>"][2] == ["x = 1\n"]
    assert linecache.getline(actviz.__file__, 1)  # read again when a traceback needs it
    assert drop_source_lines() >= 1
    del linecache.cache["<cell 1>"]

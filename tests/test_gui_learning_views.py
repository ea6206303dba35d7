"""The playground view, driven headless, checking what is drawn."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

import actviz
from actviz.cli import main
from actviz.gui.headless import build_view
from actviz.maths.learning import FEATURES
from tests.conftest import settle


def drawn(curve):
    return np.asarray(curve.xData), np.asarray(curve.yData)


@pytest.fixture
def make_view(qtbot, registry):
    def make(name, reg=None):
        view, _ = build_view(reg or registry, name, size=(1100, 720))
        qtbot.addWidget(view)
        return view
    return make


# -- playground -----------------------------------------------------------------------------------


def test_playground_defaults_are_the_spiral_with_tanh(make_view):
    view = make_view("playground")
    net = view.network
    assert view.values["dataset"] == "spiral" and net.activation.name == "tanh"
    assert net.hidden == (8, 8, 8) and net.features == tuple(FEATURES)
    assert all(box.isChecked() for box in view.feature_boxes.values())
    assert view.hidden_edit.text() == "8,8,8" and view.layers_spin.value() == 3
    assert "Hidden δ" in view.delta_link.text()


def test_stepping_changes_the_heat_map_and_loss_curves(make_view, qtbot):
    view = make_view("playground")
    before = view.image.image.copy()
    x0, _ = drawn(view.curve_train)
    assert x0.size == 1
    view.step_button.click()
    settle(qtbot)
    after = view.image.image
    assert not np.array_equal(before, after)
    xs, train = drawn(view.curve_train)
    _, test = drawn(view.curve_test)
    h = view.network.history
    np.testing.assert_array_equal(xs, h.epochs)
    np.testing.assert_array_equal(train, h.train_loss)
    np.testing.assert_array_equal(test, h.test_loss)
    assert xs.size == 2 and view.epoch_label.text() == "Epoch 1"
    # the heat map is the network's output on the grid
    expected = view.network.predict_grid(view.grid_x, view.grid_y)
    np.testing.assert_allclose(view.output_image, expected)
    # one δ curve per layer (3 hidden + output), δ > 0 after a step
    _, d = drawn(view.delta_curves[3])
    assert np.isnan(d[0]) and d[1] == pytest.approx(h.mean_abs_delta[1][3])
    assert not view.delta_curves[4].isVisible()


def test_switching_hidden_activation_rebuilds(make_view, qtbot):
    view = make_view("playground")
    view.step_epochs(3)
    settle(qtbot)
    image = view.image.image.copy()
    view.panel.widgets["activation"].setValue("logistic")
    settle(qtbot)
    assert view.network.activation.name == "logistic" and view.network.epoch == 0
    assert not np.array_equal(image, view.image.image)
    assert drawn(view.curve_train)[0].size == 1
    assert "logistic" in view.summary.text()


def test_architecture_and_features_controls(make_view, qtbot):
    view = make_view("playground")
    view.set_control("hidden", "4, 2")
    view.refresh()
    assert view.network.hidden == (4, 2) and view.hidden_edit.text() == "4,2"
    assert [len([b for b in view.neuron_layout.items if b in col]) for col in view.neuron_boxes[:2]] == [4, 2]
    view.layers_spin.setValue(5)
    assert view.network.hidden == (4,) * 5
    view.set_control("features", "x1,x2,x1_sq")
    assert view.network.features == ("x1", "x2", "x1_sq")
    assert not view.feature_boxes["sin_x1"].isChecked()
    view.feature_boxes["x1x2"].setChecked(True)
    assert view.network.features == ("x1", "x2", "x1_sq", "x1x2")
    with pytest.raises(ValueError, match="at most 6 hidden layers"):
        view.set_control("hidden", "2,2,2,2,2,2,2")
    with pytest.raises(ValueError, match="unknown feature"):
        view.set_control("features", "x3")
    view.set_control("hidden", "none")
    view.refresh()
    assert view.network.hidden == () and view.network.sizes == (4, 1)
    view.set_control("dataset", "blobs")
    view.refresh()
    assert view.network.multiclass and view.image.image.ndim == 3  # class colours mixed by probability


def test_bad_csv_shows_the_line_and_reason(make_view, tmp_path):
    view = make_view("playground")
    bad = tmp_path / "mine.csv"
    bad.write_text("x1,x2,label\n1,2,1\n3,abc,0\n", encoding="utf-8")
    assert not view.load_csv_file(str(bad))
    view.refresh()
    assert view.warning.isVisible() and "line 3" in view.warning.text() and "abc" in view.warning.text()
    assert view.network is not None and view.values["dataset"] == "spiral"
    good = tmp_path / "good.csv"
    good.write_text("\n".join(f"{i % 7 - 3},{i % 5 - 2},{1 if i % 2 else -1}" for i in range(40)), encoding="utf-8")
    assert view.load_csv_file(str(good))
    view.refresh()
    assert not view.warning.isVisible()
    assert len(view.network.dataset.x_train) == 20 and "good.csv" in view.summary.text()


class _Flaky:
    """A plugin whose activation works while probed and raises in training for |z| > 0.5."""

    armed = False

    @actviz.hookimpl
    def actviz_activations(self):
        def function(z):
            if _Flaky.armed and np.any(np.abs(z) > 0.5):
                raise ZeroDivisionError("flaky plugin fell over")
            return np.tanh(z)

        return [actviz.Activation("flaky_tanh", "Flaky tanh", r"\tanh z", function,
                                  derivative=lambda z: 1 - np.tanh(z) ** 2)]


def test_a_broken_plugin_activation_stops_training_with_the_message(make_view, qtbot):
    _Flaky.armed = False
    reg = actviz.load_registry(extra=[("flaky", _Flaky())])
    assert "flaky_tanh" in reg.activations
    view = make_view("playground", reg)
    view.set_control("activation", "flaky_tanh")
    view.set_control("hidden", "3")
    view.set_control("features", "x1,x2")
    view.set_control("learning_rate", 0.3)
    _Flaky.armed = True
    try:
        view.run_button.click()
        qtbot.waitUntil(lambda: not view.running, timeout=5000)
        settle(qtbot)
    finally:
        _Flaky.armed = False
    assert view.network.error is not None
    assert "flaky plugin fell over" in view.warning.text() and "flaky_tanh" in view.warning.text()
    assert view.warning.isVisible() and view.error == ""  # the redraw did not raise
    assert view.run_button.text() == "Run"


def test_runs_are_reproducible(make_view):
    runs = []
    for seed in (3, 3, 4):
        view = make_view("playground")
        view.set_control("hidden", "4,4")
        view.set_control("seed", seed)
        view.set_control("epochs", 5)
        view.refresh()
        runs.append((view.image.image.copy(), drawn(view.curve_test)[1], view.train_points.getData()))
    (a, la, pa), (b, lb, pb), (c, lc, _) = runs
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(la, lb)
    np.testing.assert_array_equal(pa[0], pb[0])
    assert not np.array_equal(a, c) and not np.array_equal(la, lc)


def test_running_trains_in_slices_and_reports_the_frame_budget(make_view, qtbot):
    view = make_view("playground")
    view.run_button.click()
    qtbot.waitUntil(lambda: view.network.epoch >= 5, timeout=5000)
    qtbot.wait(100)
    view.run_button.click()
    assert not view.running
    assert view.train_ms < 14  # one ~8 ms slice per frame
    assert "frames/s" in view.timing.text() or view.timing.text().startswith("draw")
    assert drawn(view.curve_train)[0].size >= 5


def test_headless_export_trains_epochs_first(tmp_path):
    out = tmp_path / "pg.csv"
    assert main(["export", "--view", "playground", "--set", "epochs=20", "--set", "hidden=4,4",
                 "--set", "features=x1,x2,x1_sq,x2_sq", "--set", "dataset=circle", "--out", str(out)]) == 0
    with open(out) as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for name in ("epoch", "train loss", "test loss", "mean |delta| layer 1", "mean |delta| output", "map output",
                 "train x1", "test label"):
        assert name in header
    epochs = [r[header.index("epoch")] for r in rows[1:] if r[header.index("epoch")]]
    assert len(epochs) == 21 and float(epochs[-1]) == 20
    png = tmp_path / "pg.png"
    assert main(["export", "--view", "playground", "--set", "epochs=10", "--out", str(png)]) == 0
    image = QtGui.QImage(str(png))
    assert not image.isNull() and image.width() > 300
    assert main(["export", "--view", "playground", "--set", "hidden=9", "--out", str(png)]) == 2
    assert main(["export", "--view", "playground", "--set", "nonsense=1", "--out", str(png)]) == 2


def test_playground_in_the_main_window(window, qtbot):
    view = window.show_view("playground")
    assert view is not None
    settle(qtbot)
    assert view.error == ""
    view.run_button.click()
    qtbot.wait(150)
    window.show_view("function")  # leaving the tab pauses training
    assert not view.running
    state = view.state()
    assert state["hidden"] == "8,8,8" and "epochs" not in state


def test_the_lecture_experience(make_view):
    """Spiral: 3-layer tanh under 0.05 test loss; logistic stalls; the modern plugin's GELU trains."""
    view = make_view("playground")
    view.set_control("epochs", 300)
    tanh = view.network.history.test_loss
    assert min(tanh) < 0.05
    view.set_control("activation", "logistic")
    view.set_control("epochs", 150)
    assert min(view.network.history.test_loss[1:]) > 0.45  # stalls at chance
    assert view.context.registry.activations["gelu"].plugin == "modern"
    view.set_control("activation", "gelu")
    view.set_control("epochs", 150)
    gelu = view.network.history.test_loss
    assert view.network.error is None and min(gelu) < 0.15 < gelu[0]


def test_neuron_maps_are_the_hidden_units(make_view):
    view = make_view("playground")
    view.set_control("hidden", "2,3")
    view.set_control("epochs", 2)
    view.refresh()
    grids = view.network.neuron_grids(view.grid_x, view.grid_y)
    np.testing.assert_allclose(view.neuron_images[1][2].image, grids[2][2][::2, ::2])
    rect = view.neuron_images[1][2].mapRectToParent(QtCore.QRectF(0, 0, 30, 30))
    assert rect.left() == pytest.approx(view.grid_x.min()) and rect.width() == pytest.approx(np.ptp(view.grid_x))

"""The playground on its Qt-free model: what is drawn, trained weights through undo and scenes, keys."""

from __future__ import annotations

import numpy as np
import pytest
from actviz_views.playground_maps import LUT, decade_ticks
from actviz_views.playground_model import PlaygroundModel, weights_state
from PySide6 import QtGui

import actviz
from actviz.gui import History, ModelError, build_view
from actviz.maths.contrast import readable
from actviz.maths.learning import FEATURES
from tests.conftest import settle


def drawn(curve):
    x, y = curve.getData()
    return np.asarray(x), np.asarray(y)


@pytest.fixture
def make_view(qtbot, registry):
    def make(settings=None, reg=None, history=None, model=None):
        view, _ = build_view(reg or registry, "playground", size=(1100, 720), settings=settings, history=history,
                             model=model)
        qtbot.addWidget(view)
        return view
    return make


def test_defaults_are_the_spiral_with_tanh(make_view):
    view = make_view()
    net = view.network
    assert view.model["dataset"] == "spiral" and net.activation.name == "tanh"
    assert net.hidden == (8, 8, 8) and net.features == tuple(FEATURES)
    assert all(box.isChecked() for box in view.feature_boxes.values())
    assert view.panel.widgets["hidden"].value() == "8,8,8" and view.layers_spin.value() == 3
    assert "Hidden δ" in view.explanation.text() and "href=\"depth\"" in view.explanation.text()
    assert {"activation", "output", "loss", "learning_rate"} <= set(view.panel.widgets)
    assert not {"epochs", "csv", "features"} & set(view.panel.widgets)


def test_stepping_changes_the_heat_map_and_loss_curves(make_view, qtbot):
    view = make_view()
    p = view.plots
    before = p.image.image.copy()
    assert drawn(p.curve_train)[0].size == 1
    view.step_button.click()
    settle(qtbot)
    assert not np.array_equal(before, p.image.image)
    xs, train = drawn(p.curve_train)
    h = view.network.history
    np.testing.assert_array_equal(xs, h.epochs)
    np.testing.assert_array_equal(train, h.train_loss)
    np.testing.assert_array_equal(drawn(p.curve_test)[1], h.test_loss)
    assert xs.size == 2 and view.epoch_label.text() == "Epoch 1"
    np.testing.assert_allclose(p.output_values, view.network.predict_grid(p.grid_x, p.grid_y))
    d = p.delta_curves[3].yData  # 3 hidden layers + output; getData() gives log10 on a log axis
    assert np.isnan(d[0]) and d[1] == pytest.approx(h.mean_abs_delta[1][3])
    assert not p.delta_curves[4].isVisible()
    assert view.model.extras["weights"] == weights_state(view.network)  # written when a step ends


def test_switching_hidden_activation_rebuilds(make_view, qtbot):
    view = make_view()
    view.step_epochs(3)
    settle(qtbot)
    image = view.plots.image.image.copy()
    combo = view.panel.widgets["activation"].combo
    combo.setCurrentIndex(combo.findData("logistic"))
    combo.activated.emit(combo.currentIndex())
    settle(qtbot)
    assert view.model["activation"] == "logistic"
    assert view.network.activation.name == "logistic" and view.network.epoch == 0
    assert not np.array_equal(image, view.plots.image.image)
    assert drawn(view.plots.curve_train)[0].size == 1
    assert "Logistic" in view.summary.text() or "logistic" in view.summary.text()
    assert "activation.beta" in view.panel.widgets  # the chosen function's parameter, namespaced


def test_live_keys_keep_training(make_view, qtbot):
    view = make_view({"activation": "leaky_relu"})
    view.step_epochs(2)
    view.model.update({"learning_rate": 0.1, "activation.alpha": 0.2})
    settle(qtbot)
    assert view.network.epoch == 2 and view.network.learning_rate == 0.1
    assert view.network.activation_params["alpha"] == 0.2


def test_architecture_and_features_controls(make_view, qtbot):
    view = make_view()
    view.model.set("hidden", "4, 2")
    settle(qtbot)
    assert view.network.hidden == (4, 2) and view.model["hidden"] == "4,2"
    assert view.panel.widgets["hidden"].value() == "4,2"
    p = view.plots
    assert p.diagram.sizes == (7, 4, 2, 1) and [len(r) for r in p.diagram.images] == [7, 4, 2, 1]
    view.layers_spin.setValue(5)
    settle(qtbot)
    assert view.model["hidden"] == "4,4,4,4,4" and view.network.hidden == (4,) * 5
    view.model.set("features", "x1,x2,x1_sq")
    settle(qtbot)
    assert view.network.features == ("x1", "x2", "x1_sq") and not view.feature_boxes["sin_x1"].isChecked()
    view.feature_boxes["x1x2"].setChecked(True)
    assert view.model["features"] == "x1,x2,x1_sq,x1x2"
    with pytest.raises(ModelError, match="hidden=.*at most 6 hidden layers"):
        view.model.set("hidden", "2,2,2,2,2,2,2")
    with pytest.raises(ModelError, match="features=.*unknown feature"):
        view.model.set("features", "x3")
    for box in view.feature_boxes.values():
        box.setChecked(False)  # the last one is refused and stays ticked
    assert view.model["features"] and sum(b.isChecked() for b in view.feature_boxes.values()) == 1
    view.model.set("hidden", "none")
    settle(qtbot)
    assert view.network.hidden == () and view.network.sizes == (1, 1)
    view.model.update({"dataset": "blobs", "features": "x1,x2"})
    settle(qtbot)
    assert view.network.multiclass and view.plots.image.image.ndim == 3  # class colours mixed by probability


def test_explanation_follows_the_data_set_and_loss(make_view, qtbot):
    view = make_view()
    assert "blue points are class 1" in view.explanation.text() and "Squared error" in view.explanation.text()
    view.model.set("dataset", "blobs")
    settle(qtbot)
    text = view.explanation.text()
    assert "3 classes" in text and "softmax" in text and "blue points" not in text
    view.model.set("dataset", "regression_plane")
    settle(qtbot)
    text = view.explanation.text()
    assert text.startswith("Regression") and "class" not in text
    view.model.update({"dataset": "circle", "output": "logistic", "loss": "binary_cross_entropy"})
    settle(qtbot)
    text = view.explanation.text()
    assert "t = 0" in text and "Bernoulli" in text and "spiral" not in text


def test_csv_key_names_the_line_and_reason(make_view, tmp_path, qtbot):
    view = make_view()
    bad = tmp_path / "mine.csv"
    bad.write_text("x1,x2,label\n1,2,1\n3,abc,0\n", encoding="utf-8")
    with pytest.raises(ModelError, match="csv=.*line 3.*abc"):
        view.model.set("csv", str(bad))
    assert not view.load_csv_file(str(bad)) and "line 3" in view.panel.note.text()
    assert view.network is not None and view.model["csv"] == ""
    good = tmp_path / "good.csv"
    good.write_text("\n".join(f"{i % 7 - 3},{i % 5 - 2},{1 if i % 2 else -1}" for i in range(40)), encoding="utf-8")
    assert view.load_csv_file(str(good))
    settle(qtbot)
    assert len(view.network.dataset.x_train) == 20 and "good.csv" in view.summary.text()
    assert "class 1" in view.explanation.text() and "class −1" in view.explanation.text().replace("-", "−")
    view.model.set("dataset", "xor")  # a data set replaces the file
    assert view.model["csv"] == ""


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
    view = make_view({"activation": "flaky_tanh", "hidden": "3", "features": "x1,x2", "learning_rate": 0.3}, reg)
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
        view = make_view({"hidden": "4,4", "seed": seed, "epochs": 5})
        runs.append((view.plots.image.image.copy(), drawn(view.plots.curve_test)[1]))
    (a, la), (b, lb), (c, lc) = runs
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(la, lb)
    assert not np.array_equal(a, c) and not np.array_equal(la, lc)


def test_running_trains_in_slices_without_showing_timings(make_view, qtbot):
    view = make_view()
    view.run_button.click()
    qtbot.waitUntil(lambda: view.network.epoch >= 5, timeout=8000)
    view.run_button.click()
    assert not view.running and view.model.extras["weights"] == weights_state(view.network)
    settle(qtbot)  # the paused picture is drawn on the next pass of the event loop (while running, a busy
    # machine may have drawn the curves some epochs behind)
    assert drawn(view.plots.curve_train)[0].size >= 5
    labels = [w.text() for w in view.findChildren(type(view.summary))]
    assert not any(" ms" in t or "frames/s" in t for t in labels)


def test_export_trains_epochs_first(make_view):
    view = make_view({"epochs": 20, "hidden": "4,4", "features": "x1,x2,x1_sq,x2_sq", "dataset": "circle"})
    cols = view.export_columns()
    for name in ("epoch", "train loss", "test loss", "mean |delta| layer 1", "mean |delta| output", "map output",
                 "train x1", "test label"):
        assert name in cols
    assert cols["epoch"].size == 21 and cols["epoch"][-1] == 20


def test_undo_of_a_reset_brings_the_trained_weights_back(make_view, qtbot):
    history = History()
    view = make_view(history=history)
    view.step_epochs(4)
    settle(qtbot)
    weights = [w.copy() for w in view.network.weights]
    image = view.plots.image.image.copy()
    view.model.set("output", "logistic")  # resets the network
    settle(qtbot)
    assert view.network.epoch == 0 and not np.array_equal(image, view.plots.image.image)
    history.undo()
    settle(qtbot)
    assert view.model["output"] == "tanh" and view.network.epoch == 4
    for a, b in zip(weights, view.network.weights, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(view.plots.image.image, image)
    assert drawn(view.plots.curve_train)[0].size == 5  # the loss history came back too
    history.redo()
    settle(qtbot)
    assert view.model["output"] == "logistic" and view.network.epoch == 0
    view.step_epochs(2)
    view.reset_button.click()  # Reset is a step too
    settle(qtbot)
    assert view.network.epoch == 0
    history.undo()
    settle(qtbot)
    assert view.network.epoch == 2


def test_a_scene_restores_the_trained_network(make_view, registry, qtbot):
    view = make_view({"hidden": "4,4"})
    view.step_epochs(3)
    view.sync_model()
    view.refresh()
    image = view.plots.image.image.copy()
    state = view.model.state()
    model = PlaygroundModel(registry)
    assert model.restore(state) == []
    other = make_view(model=model)
    assert other.network.epoch == 3
    np.testing.assert_array_equal(other.plots.image.image, image)
    broken = dict(state, extras={"weights": {"sizes": [7, 1], "w": [], "b": []}})
    assert any("weights" in m for m in PlaygroundModel(registry).restore(broken))


def test_state_round_trips_on_a_fresh_model(registry):
    model = PlaygroundModel(registry)
    model.update({"dataset": "xor", "hidden": "4,2", "activation": "leaky_relu", "activation.alpha": 0.3,
                  "loss": "huber", "loss.delta": 2.0, "learning_rate": 0.1, "features": "x2,x1"})
    fresh = PlaygroundModel(registry)
    assert fresh.restore(model.state()) == []
    assert fresh.values() == model.values() and fresh["features"] == "x1,x2"


def test_update_takes_keys_in_any_order_and_names_a_bad_one(registry):
    model = PlaygroundModel(registry)
    model.update({"activation.alpha": 0.25, "loss.delta": 0.5, "activation": "elu", "loss": "huber"})
    assert model["activation"] == "elu" and model["activation.alpha"] == 0.25 and model["loss.delta"] == 0.5
    with pytest.raises(ModelError, match="loss.delta"):
        model.update({"seed": 2, "loss.delta": 1e9})
    assert model["seed"] == 0
    with pytest.raises(ModelError, match="output="):
        model.set("output", "no_such_function")


def test_delta_plot_legend_is_its_title_and_ticks_not_crammed(make_view):
    view = make_view({"epochs": 5})
    p = view.plots
    title = p.plot_delta.titleLabel.text
    background = p.backgroundBrush().color().name()
    for i, name in enumerate(("1", "2", "3", "out")):  # each layer named in its curve's hue, dark enough to read
        colour = p.delta_curves[i].opts["pen"].color().name()
        assert f"color: {readable(colour, background)}'>{name}</b>" in title
    assert not p.plot_delta.titleLabel.sceneBoundingRect().intersects(p.plot_delta.vb.sceneBoundingRect())
    for lo, hi in ((-12.0, 0.0), (-3.3, -1.1), (-2.2, -1.9), (-30.0, 5.0)):
        (ticks,) = [t for _, t in decade_ticks(lo, hi, labels=4)]
        assert 1 <= len(ticks) <= 5 and all(lo <= t <= hi for t in ticks)
    axes = [p.plot_map, p.plot_loss, p.plot_delta]
    assert all(not a.getAxis(side).autoSIPrefix for a in axes for side in ("left", "bottom"))


def test_the_lecture_experience(make_view, qtbot):
    """Spiral: 3-layer tanh under 0.05 test loss; logistic stalls; the modern plugin's GELU trains."""
    view = make_view({"epochs": 300})
    assert min(view.network.history.test_loss) < 0.05
    view.model.update({"activation": "logistic", "epochs": 150})
    assert min(view.network.history.test_loss[1:]) > 0.45  # stalls at chance
    assert view.context.registry.activations["gelu"].plugin == "modern"
    view.model.update({"activation": "gelu"})
    gelu = view.network.history.test_loss
    assert view.network.error is None and min(gelu) < 0.15 < gelu[0]


def test_neuron_maps_are_the_hidden_units(make_view):
    view = make_view({"hidden": "2,3", "epochs": 2})
    p = view.plots
    grids = view.network.neuron_grids(p.grid_x, p.grid_y)
    m = grids[2][2][::2, ::2]
    lo, hi = -np.abs(m).max(), np.abs(m).max()
    rgb = p.diagram.rgb[2][2]
    assert rgb.shape == (30, 30, 3)
    # row 0 of the thumbnail is the top of the plane (largest x₂): the map flipped, through the colour table
    idx = np.clip((m - lo) / (hi - lo) * 255, 0, 255).astype(int) if m.min() < 0 < m.max() else None
    if idx is not None:
        np.testing.assert_array_equal(rgb, LUT[idx[::-1]])
    image = p.diagram.images[2][2]
    assert (image.width(), image.height()) == (30, 30)


def test_png_of_the_plots(make_view, tmp_path):
    view = make_view({"epochs": 3})
    image = view.plots.grab().toImage()
    assert isinstance(image, QtGui.QImage) and image.width() > 300


def _counted(monkeypatch, obj, name: str) -> list[int]:
    calls = [0]
    original = getattr(obj, name)

    def counted(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(obj, name, counted)
    return calls


def test_dragging_the_learning_rate_while_paused_redraws_nothing(make_view, qtbot, monkeypatch):
    """ε changes only the steps to come: the map, thumbnails, edges and scores stay as they are."""
    view = make_view()
    view.step_epochs(2)
    settle(qtbot)
    saved = view.model.extras["weights"]
    image = view.plots.image.image.copy()
    grids = _counted(monkeypatch, view.network, "neuron_grids")
    set_image = _counted(monkeypatch, view.plots.image, "setImage")
    edges = _counted(monkeypatch, view.diagram, "set_parameters")
    thumbs = _counted(monkeypatch, view.diagram, "set_thumbnails")
    redraws = view.redraw_count
    for rate in (0.1, 0.2, 0.05):
        view.model.set("learning_rate", rate, merge=True)
        settle(qtbot)
    assert view.redraw_count > redraws  # the view did follow each change
    assert view.network.learning_rate == 0.05
    assert grids[0] == set_image[0] == edges[0] == thumbs[0] == 0
    np.testing.assert_array_equal(view.plots.image.image, image)
    assert view.model.extras["weights"] is saved  # the trained weights neither rebuilt nor deep-copied
    view.step_epochs(1)  # training on draws again
    settle(qtbot)
    assert grids[0] >= 1 and set_image[0] >= 1 and edges[0] >= 1 and thumbs[0] >= 1


def test_an_activation_parameter_while_paused_redraws_the_map_thumbnails_and_scores(make_view, qtbot):
    view = make_view({"activation": "leaky_relu", "hidden": "4"})
    view.step_epochs(2)
    settle(qtbot)
    image = view.plots.image.image.copy()
    thumb = view.diagram.rgb[1][0].copy()
    view.model.set("activation.alpha", 0.9)
    settle(qtbot)
    net = view.network
    grids = net.neuron_grids(view.plots.grid_x, view.plots.grid_y)
    assert not np.array_equal(view.plots.image.image, image)
    assert not np.array_equal(view.diagram.rgb[1][0], thumb)  # the hidden units' maps follow α too
    assert view.scores["train"] == pytest.approx(net.accuracy())
    np.testing.assert_allclose(view.plots.output_values, net.predict_grid(view.plots.grid_x, view.plots.grid_y))
    assert len(grids) == 3


def test_a_saved_network_is_shared_by_copies_and_edits_make_a_new_one(make_view):
    import copy

    from actviz_views.playground_model import edit_weights

    view = make_view({"hidden": "4"})
    view.step_epochs(1)
    state = weights_state(view.network)
    assert copy.deepcopy(state) is state and copy.copy(state) is state
    edited = edit_weights(state, 0, 1, 2.5, 0)
    assert edited is not state and edited["w"][0][0][1] == 2.5 and state["w"][0][0][1] != 2.5
    assert copy.deepcopy(edited) is edited

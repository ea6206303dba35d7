"""The playground's network diagram: what it draws is the model's network, and clicking it edits the model.

Also the accuracy and confusion table (the loss's own decision rule), the display toggles, the output
colour scale from the noise model, a mini-batch step's ∂E/∂w on the edges, and screenshots of the
main window mid-training (``ACTVIZ_SCREENSHOTS=resources/screenshots`` writes them into the repository).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from actviz_views.playground_diagram import Selection
from actviz_views.playground_maps import (
    EDGE_MAX_PX,
    EDGE_MIN_PX,
    EDGE_NEG,
    EDGE_POS,
    output_scale,
)
from actviz_views.playground_model import PlaygroundModel, weights_state
from PySide6 import QtCore

from actviz.gui import History, build_view
from actviz.maths.learning import decide
from tests.conftest import settle


@pytest.fixture
def make_view(qtbot, registry):
    def make(settings=None, history=None, size=(1100, 720)):
        view, _ = build_view(registry, "playground", size=size, settings=settings, history=history)
        qtbot.addWidget(view)
        return view
    return make


def test_edges_are_the_weights_sign_to_colour_magnitude_to_width(make_view):
    view = make_view({"hidden": "4,3", "epochs": 3})
    d, net = view.diagram, view.network
    assert d.sizes == net.sizes == (7, 4, 3, 1)
    assert [len(r) for r in d._rects] == [7, 4, 3, 1]  # one drawn unit per neuron, per layer
    for layer, w in enumerate(net.weights):
        np.testing.assert_array_equal(d.edge_values[layer], w)
        colours = d.edge_color[layer]
        assert np.all(colours[w > 0] == EDGE_POS) and np.all(colours[w < 0] == EDGE_NEG)
        widths = d.edge_width[layer]
        order = np.argsort(np.abs(w).ravel())
        assert np.all(np.diff(widths.ravel()[order]) >= 0)  # wider for a larger |w|
        assert widths.min() >= EDGE_MIN_PX and widths.max() <= EDGE_MAX_PX
    # every edge drawn once, in the pen of its colour and width
    batches = d._edge_batches()
    assert sum(len(lines) for _, lines in batches) == 7 * 4 + 4 * 3 + 3
    big = np.unravel_index(np.argmax(np.abs(net.weights[0])), net.weights[0].shape)
    line = d.edge_line(0, *big)
    pens = [p for p, lines in batches if any(x == line for x in lines)]
    assert len(pens) == 1
    assert pens[0].color().name() == (EDGE_POS if net.weights[0][big] > 0 else EDGE_NEG)
    assert pens[0].widthF() == pytest.approx(d.edge_width[0][big], abs=0.13)


def test_feature_labels_and_thumbnails_follow_the_structure(make_view, qtbot):
    view = make_view({"features": "x1,x2,x1x2", "hidden": "2"})
    d = view.diagram
    assert d.feature_labels == ("x₁", "x₂", "x₁·x₂") and d.output_labels == ("y",)
    assert [len(layer) for layer in d.images] == [3, 2, 1] and all(i is not None for layer in d.images for i in layer)
    view.model.set("dataset", "blobs")
    settle(qtbot)
    assert d.sizes == (3, 2, 3) and d.output_labels == ("0", "1", "2")


def test_plus_and_minus_change_the_layer_size_through_the_model(make_view, qtbot):
    history = History()
    view = make_view({"hidden": "4,2"}, history=history)
    d = view.diagram
    d.click(d.button_rect(0, 1).center())  # + on layer 1
    settle(qtbot)
    assert view.model["hidden"] == "5,2" and view.network.hidden == (5, 2) and len(d._rects[1]) == 5
    d.click(d.button_rect(1, -1).center())  # − on layer 2
    settle(qtbot)
    assert view.model["hidden"] == "5,1" and d.sizes == (7, 5, 1, 1)
    d.click(d.button_rect(1, -1).center())  # a layer keeps at least one unit
    settle(qtbot)
    assert view.model["hidden"] == "5,1"
    d.click(d.button_rect(-1, 1).center())  # one layer more
    settle(qtbot)
    assert view.model["hidden"] == "5,1,1" and view.layers_spin.value() == 3
    history.undo()
    settle(qtbot)
    assert view.model["hidden"] == "5,1" and view.diagram.sizes == (7, 5, 1, 1)


def test_clicking_an_edge_edits_its_weight_undoably_and_changes_the_output_map(make_view, qtbot):
    history = History()
    view = make_view({"hidden": "3", "features": "x1,x2", "epochs": 5}, history=history)
    d = view.diagram
    before_w = [w.copy() for w in view.network.weights]
    before_image = view.plots.image.image.copy()
    line = d.edge_line(1, 2, 0)  # hidden unit 3 → output
    d.click(line.pointAt(0.5))
    assert view.selection == Selection(1, 0, 2) and d.selected == view.selection
    assert view.edit_spin.isVisibleTo(view) and view.edit_spin.value() == pytest.approx(before_w[1][2, 0], abs=1e-4)
    assert "layer 1 unit 3 → output" in view.edit_label.text()
    view.edit_spin.setValue(-4.0)
    settle(qtbot)
    assert view.network.weights[1][2, 0] == -4.0 and view.model.extras["weights"]["w"][1][2][0] == -4.0
    assert view.network.epoch == 5  # the rest of the trained network is kept
    assert d.edge_color[1][2, 0] == EDGE_NEG and d.edge_width[1][2, 0] == EDGE_MAX_PX
    edited_image = view.plots.image.image.copy()
    assert not np.array_equal(before_image, edited_image)
    np.testing.assert_allclose(view.plots.output_values, view.network.predict_grid(view.plots.grid_x,
                                                                                   view.plots.grid_y))
    history.undo()
    settle(qtbot)
    for a, b in zip(before_w, view.network.weights, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(view.plots.image.image, before_image)
    history.redo()
    settle(qtbot)
    assert view.network.weights[1][2, 0] == -4.0
    np.testing.assert_array_equal(view.plots.image.image, edited_image)


def test_clicking_a_unit_edits_its_bias_even_untrained(make_view, qtbot, registry):
    history = History()
    view = make_view({"hidden": "2", "features": "x1,x2"}, history=history)
    d = view.diagram
    d.click(d.node_rect(1, 1).center())
    assert view.selection == Selection(0, 1) and "bias of layer 1 unit 2" in view.edit_label.text()
    view.edit_spin.setValue(1.5)
    settle(qtbot)
    assert view.network.biases[0][1] == 1.5 and view.network.steps == 0
    saved = view.model.extras["weights"]
    assert saved["edited"] and saved["b"][0][1] == 1.5
    view.sync_model()  # pausing or saving keeps an edited untrained network (not "fresh from the seed")
    assert view.model.extras["weights"] == weights_state(view.network, edited=True)
    other = PlaygroundModel(registry)
    assert other.restore(view.model.state()) == []
    assert other.extras["weights"]["b"][0][1] == 1.5
    history.undo()
    settle(qtbot)
    assert view.network.biases[0][1] == 0.0 and view.model.extras["weights"]["b"][0] == [0.0, 0.0]
    fresh = PlaygroundModel(registry)
    fresh.update({"hidden": "2", "features": "x1,x2"})
    seeded = fresh.make_network(view.dataset)
    for a, b in zip(seeded.weights, view.network.weights, strict=True):
        np.testing.assert_array_equal(a, b)  # the weights from the seed, as before the edit
    d.click(QtCore.QPointF(d.rect().right() - 1, d.rect().center().y()))  # nothing there: the editor closes
    assert view.selection is None and not view.edit_spin.isVisibleTo(view)


def test_hovering_a_unit_enlarges_its_map_and_an_edge_names_its_weight(make_view, qtbot):
    view = make_view({"hidden": "3", "features": "x1,x2", "epochs": 2})
    d = view.diagram
    r = d.node_rect(1, 0)
    d.hover(r.center())
    view.plots.grab()  # paint
    assert d.hovered == (1, 0) and d.enlarged_rect is not None and d.enlarged_rect.width() > 2.5 * r.width()
    assert "bias b =" in d.toolTip()
    d.hover(d.edge_line(0, 1, 2).pointAt(0.5))
    assert d.hovered is None and d.hovered_edge == Selection(0, 2, 1)
    assert f"w = {view.network.weights[0][1, 2]:.4g}" in d.toolTip() and "x₂ → layer 1 unit 3" in d.toolTip()
    d.hover(None)
    view.plots.grab()
    assert d.enlarged_rect is None


def test_step_batch_draws_the_gradient_of_that_batch(make_view, qtbot):
    view = make_view({"hidden": "4", "features": "x1,x2", "regularization": "l2", "regularization_rate": 0.01})
    net = view.network
    w0 = [w.copy() for w in net.weights]
    view.batch_button.click()
    settle(qtbot)
    assert net.steps == 1 and view.model["edges"] == "gradient" and view.toggles["edges"].isChecked()
    d = view.diagram
    assert d.mode == "gradient"
    lr = net.learning_rate
    for layer, g in enumerate(d.edge_values):
        np.testing.assert_allclose(w0[layer] - lr * g, net.weights[layer])  # Δw = −ε ∂E/∂w of that batch
        assert np.all(d.edge_color[layer][g < 0] == EDGE_NEG)
    biggest = max(np.abs(g).max() for g in d.edge_values)
    assert max(w.max() for w in d.edge_width) == pytest.approx(EDGE_MAX_PX)  # the largest |∂E/∂w| is widest
    assert d.full == pytest.approx(biggest)
    d.hover(d.edge_line(0, 0, 0).pointAt(0.5))
    assert "∂E/∂w =" in d.toolTip()
    view.toggles["edges"].setChecked(False)
    settle(qtbot)
    assert view.model["edges"] == "weights" and d.mode == "weights"
    np.testing.assert_array_equal(d.edge_values[0], net.weights[0])


def test_accuracy_and_confusion_equal_a_direct_computation(make_view, qtbot):
    view = make_view({"dataset": "blobs", "hidden": "4", "epochs": 3, "noise": 0.3})
    net, data = view.network, view.dataset
    probs = net.predict(data.x_test)
    predicted = np.argmax(probs, axis=1)
    direct = np.mean(predicted == data.y_test)
    assert view.scores["test"] == pytest.approx(direct)
    assert view.scores["train"] == pytest.approx(np.mean(np.argmax(net.predict(data.x_train), axis=1) == data.y_train))
    matrix = np.zeros((3, 3), int)
    for t, p in zip(data.y_test, predicted, strict=True):
        matrix[t, p] += 1
    np.testing.assert_array_equal(view.scores["matrix"], matrix)
    text = view.confusion.text()
    assert all(f">{matrix[a, a]}<" in text for a in range(3)) and "true" in text
    assert f"test {100 * direct:.1f}" in view.summary.text()
    view.model.update({"dataset": "regression_plane"})
    settle(qtbot)
    assert view.scores == {} and not view.confusion.isVisibleTo(view) and "accuracy" not in view.summary.text()


@pytest.mark.parametrize(("output", "loss", "threshold"), [
    ("logistic", "binary_cross_entropy", 0.5),
    ("linear", "bce_with_logits", 0.0),
    ("linear", "poisson_nll", 0.0),
    ("tanh", "squared_error", 0.0),
])
def test_decisions_and_colour_scale_come_from_the_noise_model(make_view, qtbot, output, loss, threshold):
    view = make_view({"dataset": "xor", "hidden": "4", "features": "x1,x2", "output": output, "loss": loss,
                      "epochs": 2})
    net = view.network
    scale = output_scale(net)
    assert scale.threshold == pytest.approx(threshold, abs=1e-6)
    assert scale.lo < threshold < scale.hi and scale.hi - threshold == pytest.approx(threshold - scale.lo)
    y = net.predict(view.dataset.x_test)
    direct = np.mean(decide(net.loss_spec, y, net.class_targets, net.loss_params) == view.dataset.y_test)
    assert view.scores["test"] == pytest.approx(direct)
    bar = view.plots
    assert bar.bar_threshold.isVisible() and bar.bar_threshold.value() == pytest.approx(threshold, abs=1e-6)
    assert bar.image.levels[0] == pytest.approx(scale.lo) and bar.image.levels[1] == pytest.approx(scale.hi)
    assert f"y > {threshold:.3g}".replace("-", "−") in view.explanation_text
    view.toggles["discretize"].setChecked(True)
    settle(qtbot)
    shown = view.plots.image.image
    classes = net.decide(net.predict_grid(bar.grid_x, bar.grid_y).ravel()).reshape(shown.shape)
    np.testing.assert_array_equal(shown, np.where(classes == 1, scale.hi, scale.lo))


def test_show_test_data_and_the_regression_colour_bar(make_view, qtbot):
    view = make_view({"hidden": "3"})
    assert view.plots.test_points.isVisible()
    view.toggles["show_test"].setChecked(False)
    settle(qtbot)
    assert view.model["show_test"] == "off" and not view.plots.test_points.isVisible()
    assert view.network.steps == 0 and view.plots.train_points.isVisible()
    view.model.update({"dataset": "regression_plane", "show_test": "on"})
    settle(qtbot)
    p = view.plots
    y = view.dataset.y
    assert p.test_points.isVisible() and not p.bar_threshold.isVisible()
    assert p.colorbar.viewRange()[1] == pytest.approx([y.min(), y.max()])
    assert p.image.levels == pytest.approx([y.min(), y.max()])
    text = view.explanation_text
    assert text.startswith("Regression") and "plane" in text


def test_explanation_matches_the_data_set(make_view, qtbot):
    view = make_view({"dataset": "xor"})
    assert "XOR" in view.explanation_text and "spiral" not in view.explanation_text
    view.model.set("dataset", "circle")
    settle(qtbot)
    assert "x₁² + x₂²" in view.explanation_text
    view.model.update({"dataset": "two_gaussians", "output": "logistic", "loss": "binary_cross_entropy"})
    settle(qtbot)
    text = view.explanation_text
    assert "linearly separable" in text and "Bernoulli" in text and "y > 0.5" in text


def test_running_updates_edges_every_frame_and_maps_on_epochs(make_view, qtbot):
    view = make_view({"hidden": "8,8,8"})
    d = view.diagram
    view.run_button.click()
    qtbot.waitUntil(lambda: view.network.epoch >= 3, timeout=8000)
    view.run_button.click()
    settle(qtbot)
    np.testing.assert_array_equal(d.edge_values[2], view.network.weights[2])
    m = view.network.neuron_grids(view.plots.grid_x, view.plots.grid_y)[3][0][::2, ::2]
    assert d.rgb[3][0].shape == (30, 30, 3) and np.ptp(m) > 0
    assert view.plots.image.image.shape == (60, 60)


# -- screenshots of the main window mid-training ---------------------------------------------------------
SCENES = {
    "spiral": {"dataset": "spiral", "epochs": 120},
    "xor": {"dataset": "xor", "hidden": "4,2", "features": "x1,x2", "epochs": 60},
    "blobs": {"dataset": "blobs", "hidden": "4", "noise": 0.2, "epochs": 20},
}


def test_screenshots_mid_training(window, qtbot, tmp_path):
    """The playground in the real main window at both sizes; nothing of the diagram clipped or overlapping."""
    out = Path(os.environ.get("ACTVIZ_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    view = window.show_view("playground")
    for width, height in ((1024, 640), (1920, 1080)):
        window.resize(width, height)
        for name, settings in SCENES.items():
            view.model.reset()
            view.model.update(settings)
            settle(qtbot, 60)
            view.refresh()
            settle(qtbot, 30)
            d = view.diagram
            d._ensure_geometry()  # unit positions are laid out lazily, at the next paint
            box = d.rect()
            units = [r for layer in d._rects for r in layer]
            assert all(box.contains(r) for r in units), (name, width, [r for r in units if not box.contains(r)][:2])
            assert not any(a.intersects(b) for i, a in enumerate(units) for b in units[i + 1:])
            buttons = list(d._buttons.values())
            assert not any(b.intersects(r) for b in buttons for r in units)
            assert not any(a.intersects(b) for i, a in enumerate(buttons) for b in buttons[i + 1:])
            p = view.plots
            for item in (d, p.plot_map, p.colorbar, p.plot_loss, p.plot_delta):
                r = item.sceneBoundingRect()
                assert r.right() <= p.width() + 1 and r.bottom() <= p.height() + 1, (name, width, item)
            assert not d.sceneBoundingRect().intersects(p.plot_map.sceneBoundingRect())
            image = window.grab()
            path = out / f"playground_{name}_{width}x{height}.png"
            assert image.save(str(path))
            assert image.width() == width and path.stat().st_size > 10_000
            assert view.network.epoch == settings["epochs"]

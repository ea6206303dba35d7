"""The hidden-δ view: its model (keys, state, undo), and what is drawn equals actviz.maths.backprop."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest
from actviz_views.depth_model import BATCH, DepthModel
from PySide6 import QtCore

from actviz.cli import main
from actviz.gui import History, ModelError, build_view, close_view
from actviz.maths import backprop as bp
from tests.conftest import settle


def drawn(curve):
    return np.asarray(curve.xData, dtype=float), np.asarray(curve.yData, dtype=float)


@pytest.fixture
def depth(qtbot, registry):
    view, app = build_view(registry, "depth")
    qtbot.addWidget(view)
    yield view
    close_view(view, app)


# ---------------------------------------------------------------- the model, no Qt

def test_model_state_round_trips(registry):
    m = DepthModel(registry)
    assert m.values() == {"layers": 20, "width": 32, "init": "he", "scale": 1.0, "seed": 0,
                          "activations": "logistic,tanh,relu"}
    m.update({"layers": 7, "width": 16, "init": "xavier", "scale": 2.5, "seed": 42, "activations": "elu, relu,elu"})
    assert m["activations"] == "elu,relu"
    other = DepthModel(registry)
    assert other.restore(m.state()) == []
    assert other.values() == m.values() and other.state() == m.state()


def test_model_update_in_any_order_and_rejects_naming_the_key(registry):
    m = DepthModel(registry)
    m.update({"seed": 3, "activations": "tanh", "layers": 4})
    assert (m["seed"], m["activations"], m["layers"]) == (3, "tanh", 4)
    before = m.state()
    for bad, match in (({"activations": "logistic,nope"}, "activations=.*no activation 'nope'"),
                       ({"activations": ""}, "activations=.*at least one"),
                       ({"layers": 2.5}, "layers=2.5 must be a whole number"),
                       ({"layers": 51}, r"layers=51 is outside \[1, 50\]"),
                       ({"init": "magic"}, "init='magic' is not one of"),
                       ({"seed": 1, "width": 1}, r"width=1 is outside")):
        with pytest.raises(ModelError, match=match):
            m.update(bad)
    assert m.state() == before


def test_model_toggle(registry):
    m = DepthModel(registry)
    assert m.toggle("tanh", False) == "" and m["activations"] == "logistic,relu"
    assert m.toggle("elu", True) == "" and m["activations"] == "logistic,relu,elu"
    m.set("activations", "relu")
    assert m.toggle("relu", False) == "keep at least one activation" and m["activations"] == "relu"


# ---------------------------------------------------------------- the view

def test_depth_curves_equal_hidden_deltas(depth, registry):
    assert depth.model.names() == ["logistic", "tanh", "relu"]
    for i, name in enumerate(depth.model.names()):
        spec = registry.activations[name]
        ref = bp.hidden_deltas(spec, spec.defaults, 20, 32, "he", 1.0, 0, batch=BATCH)
        x, mean = drawn(depth.slots[i].mean)
        np.testing.assert_array_equal(x, np.arange(1, 21))
        np.testing.assert_array_equal(mean, ref.mean_abs)
        _, upper = drawn(depth.slots[i].upper)
        np.testing.assert_array_equal(upper, ref.p90)
        _, lower = drawn(depth.slots[i].lower)
        live = np.where(ref.p10 > 0, ref.p10, np.where(ref.p10_live > 0, ref.p10_live, np.nan))
        np.testing.assert_array_equal(lower, live)  # dead units (δ = 0) do not drag the band off the scale
        assert np.all(lower[np.isfinite(lower)] > 0)
    assert depth.plot.getAxis("left").logMode
    assert not depth.plot.getAxis("left").autoSIPrefix and not depth.plot.getAxis("bottom").autoSIPrefix


def test_logistic_vanishes_where_relu_does_not(depth):
    logistic = drawn(depth.slots[0].mean)[1]
    relu = drawn(depth.slots[2].mean)[1]
    assert logistic[0] < 1e-6 * relu[0]
    text = depth.readout.text()
    assert "vanishing" in text and "layer 1 / layer 20" in text
    ratio = float(re.search(r"Logistic \(sigmoid\)</b>: \|δ\| layer 1 / layer 20 = <b>([-+.e\d]+)</b>",
                            text).group(1))
    assert ratio == pytest.approx(depth.ratios["logistic"], rel=1e-2) and ratio < 1e-6


def test_model_changes_change_the_drawn_data(depth, registry, qtbot):
    mean = drawn(depth.slots[1].mean)[1]
    depth.model.set("seed", 7)
    depth.refresh()
    assert not np.array_equal(mean, drawn(depth.slots[1].mean)[1])
    depth.model.set("layers", 5)
    depth.refresh()
    assert drawn(depth.slots[1].mean)[0].tolist() == [1, 2, 3, 4, 5]
    depth.model.update({"scale": "2", "activations": "elu,leaky_relu", "init": "xavier"})
    settle(qtbot)
    spec = registry.activations["elu"]
    ref = bp.hidden_deltas(spec, spec.defaults, 5, 32, "xavier", 2.0, 7, batch=BATCH)
    np.testing.assert_array_equal(drawn(depth.slots[0].mean)[1], ref.mean_abs)
    assert not depth.slots[2].mean.isVisible()
    assert [label.text for _, label in depth.legend.items] == ["ELU", "Leaky ReLU"]
    checked = [depth.act_list.item(i).data(QtCore.Qt.ItemDataRole.UserRole) for i in range(depth.act_list.count())
               if depth.act_list.item(i).checkState() == QtCore.Qt.CheckState.Checked]
    assert sorted(checked) == ["elu", "leaky_relu"]
    assert depth.panel.widgets["init"].value() == "xavier" and "Xavier" in depth.init_note.text()


def test_zero_gradient_is_a_gap_on_the_log_axis(depth):
    """The binary step's f′ is 0: δ is exactly 0 below the output layer, which a log axis cannot draw."""
    depth.model.update({"activations": "binary_step,relu", "layers": "6"})
    depth.refresh()
    mean = drawn(depth.slots[0].mean)[1]
    assert np.isnan(mean[:-1]).all() and mean[-1] == 1.0
    assert "exactly 0" in depth.readout.text() and depth.error == ""
    assert np.isfinite(drawn(depth.slots[1].mean)[1]).all()


def test_list_and_panel_go_through_the_model(depth, qtbot):
    item = next(depth.act_list.item(i) for i in range(depth.act_list.count())
                if depth.act_list.item(i).data(QtCore.Qt.ItemDataRole.UserRole) == "tanh")
    item.setCheckState(QtCore.Qt.CheckState.Unchecked)
    settle(qtbot)
    assert depth.model["activations"] == "logistic,relu" and len(depth.legend.items) == 2
    depth.panel.widgets["layers"].setValue(9)
    settle(qtbot)
    assert depth.model["layers"] == 9 and drawn(depth.slots[0].mean)[0].size == 9
    assert depth.panel.widgets["seed"].slider.isHidden()


def test_undo_redo_restores_the_drawn_curves(qtbot, registry):
    history = History()
    view, app = build_view(registry, "depth", history=history)
    qtbot.addWidget(view)
    first = drawn(view.slots[0].mean)[1].copy()
    view.model.update({"seed": 5, "layers": 8})
    view.model.set("activations", "relu,logistic")
    settle(qtbot)
    changed = drawn(view.slots[0].mean)[1].copy()
    assert changed.size == 8
    history.undo()
    history.undo()
    settle(qtbot)
    np.testing.assert_array_equal(drawn(view.slots[0].mean)[1], first)
    assert view.model["activations"] == "logistic,tanh,relu" and view.panel.widgets["layers"].value() == 20
    history.redo()
    history.redo()
    settle(qtbot)
    np.testing.assert_array_equal(drawn(view.slots[0].mean)[1], changed)
    close_view(view, app)


# ---------------------------------------------------------------- export

@pytest.mark.parametrize("ext", ["csv", "png", "svg"])
def test_headless_export_depth(tmp_path, ext):
    out = tmp_path / f"depth.{ext}"
    rc = main(["export", "--view", "depth", "--set", "layers=12", "--set", "activations=logistic,relu",
               "--set", "seed=3", "--out", str(out)])
    assert rc == 0 and out.stat().st_size > 0
    if ext == "csv":
        rows = list(csv.reader(out.open()))
        assert rows[0][:2] == ["layer", "logistic mean |delta|"] and "relu p90 |delta|" in rows[0]
        assert len(rows) == 13


def test_export_bad_keys(tmp_path):
    out = tmp_path / "x.png"
    assert main(["export", "--view", "depth", "--set", "init=magic", "--out", str(out)]) == 2
    assert not out.exists()


def test_depth_view_in_the_main_window(window, qtbot):
    view = window.show_view("depth")
    settle(qtbot, 60)
    assert view.redraw_count >= 1 and view.error == "" and view.isVisible()

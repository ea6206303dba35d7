"""The output-δ view: its model (keys, state, undo), and what is drawn equals actviz.maths.backprop."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest
from actviz_views.delta_model import DeltaModel, robust_range
from actviz_views.delta_pairs import parse_pairs

from actviz.cli import main
from actviz.gui import History, ModelError, build_view, close_view
from actviz.maths import backprop as bp
from tests.conftest import settle


def drawn(curve):
    return np.asarray(curve.xData, dtype=float), np.asarray(curve.yData, dtype=float)


def same(drawn_values, expected):
    """Drawn data equal the math where it is finite; non-finite math is drawn as a gap (NaN)."""
    expected = np.asarray(expected, dtype=float)
    finite = np.isfinite(expected)
    np.testing.assert_array_equal(drawn_values[finite], expected[finite])
    assert np.isnan(drawn_values[~finite]).all()


@pytest.fixture
def delta(qtbot, registry):
    view, app = build_view(registry, "delta")
    qtbot.addWidget(view)
    yield view
    close_view(view, app)


# ---------------------------------------------------------------- the model, no Qt

def test_model_defaults_are_the_lecture_case(registry):
    m = DeltaModel(registry)
    assert m["pairs"] == "logistic:squared_error,logistic:binary_cross_entropy"
    assert m["pair"] == 2 and m["activation"] == "logistic" and m["loss"] == "binary_cross_entropy"
    assert m["activation.beta"] == 1.0 and m["t"] == 1.0 and m["ywrong"] == 0.01
    assert "loss.t" not in m.values()  # one target t for every pair
    browse = [f.name for f in m.fields if getattr(f, "browse", False)]
    assert browse == ["activation", "loss"]


def test_model_selected_pair_and_pairs_text_stay_equal(registry):
    m = DeltaModel(registry)
    m.set("activation.beta", 2.5)
    assert m["pairs"] == "logistic:squared_error,logistic(beta=2.5):binary_cross_entropy"
    m.set("pair", 1)
    assert m["activation.beta"] == 1.0 and m["loss"] == "squared_error"
    m.update({"loss": "huber", "loss.delta": 0.5})
    assert m["pairs"] == "logistic:huber(delta=0.5),logistic(beta=2.5):binary_cross_entropy"
    m.set("pair", 2)
    assert (m["activation.beta"], m["loss"]) == (2.5, "binary_cross_entropy")
    m.update({"pairs": "tanh:squared_error,softmax(z2=1):categorical_cross_entropy(K=4)"})
    assert m["pair"] == 2 and m["activation"] == "softmax" and m["activation.z2"] == 1.0 and m["loss.K"] == 4.0
    assert m.add_pair() == "" and m["pair"] == 3 and m["pairs"].count("softmax") == 2
    assert m.remove_pair(0) == "" and m["pairs"].startswith("softmax") and m["pair"] == 2


def test_model_changing_loss_clamps_t(registry):
    m = DeltaModel(registry)
    m.update({"loss": "squared_error", "t": 2.5})
    m.set("loss", "binary_cross_entropy")
    assert m["t"] == 1.0


def test_model_update_in_any_order_and_rejects_naming_the_key(registry):
    m = DeltaModel(registry)
    m.update({"activation.alpha": 0.2, "loss.delta": 0.25, "loss": "huber", "activation": "leaky_relu", "pair": 1})
    assert m["pairs"] == "leaky_relu(alpha=0.2):huber(delta=0.25),logistic:binary_cross_entropy"
    m.update({"activation.beta": 3, "pairs": "tanh:squared_error,logistic:binary_cross_entropy"})
    assert m["pairs"] == "tanh:squared_error,logistic(beta=3):binary_cross_entropy"
    before = m.state()
    for bad, match in (({"pair": 5}, "pair=5: choose 1"),
                       ({"t": 2.0}, r"t=2 is outside .*target range"),  # binary cross-entropy's t is in [0, 1]
                       ({"pairs": "nope:squared_error"}, "pairs=.*no activation 'nope'"),
                       ({"pairs": "logistic(beta=99):squared_error"}, "pairs=.*beta=99 is outside"),
                       ({"pairs": "logistic"}, "activation:loss"),
                       ({"activation.alpha": 0.1}, "activation.alpha applies only when"),
                       ({"zmin": 3, "zmax": 2}, "zmin=3 must be below zmax=2"),
                       ({"nope": 1}, "unknown key 'nope'")):
        with pytest.raises(ModelError, match=match):
            m.update(bad)
    assert m.state() == before


def test_model_state_round_trips(registry):
    m = DeltaModel(registry)
    m.update({"pairs": "tanh:squared_error,logistic(beta=2):binary_cross_entropy,softmax:categorical_cross_entropy",
              "pair": 2, "activation.beta": 2.25, "t": 0.5, "ywrong": 0.05, "zmin": -4, "zmax": 6})
    state = m.state()
    other = DeltaModel(registry)
    assert other.restore(state) == []
    assert other.values() == m.values() and other.state() == state


def test_robust_range_leaves_far_outliers_off_scale():
    z = np.linspace(-7, 7, 801)
    tame = -np.exp(-z * z)
    wild = np.where(z > 0, -1 / np.maximum(z, 1e-15), 0.0)
    wild[400] = -1e15
    fit = robust_range([tame, wild], zero=True)
    assert -20 < fit.low < -1 and fit.high > 0
    assert [i for i, _, _ in fit.off] == [1] and fit.off[0][1] == -1e15
    whole = robust_range([tame])
    assert whole.low < -1 < 0 < whole.high and not whole.off


# ---------------------------------------------------------------- the view

def test_default_pairs_are_drawn_with_legend(delta):
    labels = [label.text for _, label in delta.legend.items]
    assert labels == ["logistic + squared_error", "logistic + binary_cross_entropy"]
    assert delta.pair_list.count() == 2 and delta.pair_list.currentRow() == 1
    for plot in delta.plots:
        for side in ("left", "bottom"):
            assert not plot.getAxis(side).autoSIPrefix


def test_drawn_curves_equal_output_delta(delta, registry):
    for pf, slot in zip(delta.frame.pairs, delta.slots, strict=False):
        z, _ = drawn(slot.curves[0])
        e = pf.entry
        ref = bp.output_delta(e.activation, e.loss, z, e.act_values, e.loss_values, delta.model["t"])
        for curve, values in zip(slot.curves, (ref.y, ref.dE_dy, ref.fprime, ref.delta), strict=True):
            x, y = drawn(curve)
            np.testing.assert_array_equal(x, z)
            same(y, values)
    assert z[0] == delta.model["zmin"] and z[-1] == delta.model["zmax"]


def test_confidently_wrong_ratio_is_about_100(delta, registry):
    text = delta.readout.text()
    assert "y = 0.01" in text and "t = 1" in text
    ratio = float(re.search(r"<b>([\d.]+)×</b>", text).group(1))
    assert 90 < ratio < 110 and delta.ratio == pytest.approx(101.0, rel=0.01)
    logistic = registry.activations["logistic"]
    for pf in delta.frame.pairs:
        cw = bp.confidently_wrong(logistic, pf.entry.loss, {"beta": 1.0}, {}, 1.0, 0.01)
        assert f"|δ| = {abs(cw.delta):.3g}" in text
        assert pf.wrong.delta == pytest.approx(cw.delta)
    xs, ys = delta.markers[3].getData()
    assert sorted(ys) == pytest.approx(sorted(pf.wrong.delta for pf in delta.frame.pairs))
    assert xs == pytest.approx([delta.frame.pairs[0].wrong.z] * 2)


def test_formula_of_the_selected_pair(delta, qtbot):
    assert delta.formula.tex == r"\delta=\beta\,(y-t)"
    delta.model.set("pair", 1)
    settle(qtbot)
    assert delta.formula.tex == bp.PRODUCT_FORMULA  # logistic + squared error: no simplification
    assert delta.pair_list.currentRow() == 0


def test_softmax_cce_draws_full_jacobian_and_dashed_shortcut(delta):
    from PySide6 import QtCore

    delta.model.update({"t": "0", "pairs": "softmax(z2=0.5;z3=-1):categorical_cross_entropy"})
    delta.refresh()
    slot = delta.slots[0]
    z, d = drawn(slot.curves[3])
    np.testing.assert_allclose(d, bp.softmax_full_jacobian_delta(z, [0.5, -1.0], bp.softmax_targets(0.0, 3))[:, 0],
                               atol=1e-12)
    x, s = drawn(slot.shortcut)
    np.testing.assert_array_equal(x, z)
    np.testing.assert_array_equal(s, bp.softmax_shortcut_delta(z, [0.5, -1.0], 0.0))
    assert slot.shortcut.isVisible() and slot.shortcut.opts["pen"].style() == QtCore.Qt.PenStyle.DashLine
    assert not delta.shortcut_note.isHidden() and "off-diagonal" in delta.shortcut_note.text()
    assert any("shortcut" in label.text for _, label in delta.legend.items)
    assert delta.formula.tex == r"\delta_1=y_1-t_1"
    delta.model.set("activation", "logistic")  # another pair: no shortcut, no sentence
    delta.refresh()
    assert not slot.shortcut.isVisible() and delta.shortcut_note.isHidden()
    assert not any("shortcut" in label.text for _, label in delta.legend.items)


def test_model_changes_change_the_drawn_data(delta, registry):
    slot = delta.slots[1]
    logistic, huber = registry.activations["logistic"], registry.losses["huber"]
    _, before = drawn(slot.curves[3])
    delta.model.set("activation.beta", 2.5)
    delta.refresh()
    z, after = drawn(slot.curves[3])
    assert not np.array_equal(before, after)
    same(after, bp.output_delta(logistic, registry.losses["binary_cross_entropy"], z, {"beta": 2.5}, {}, 1.0).delta)
    delta.model.update({"zmax": 2, "t": "0.25", "zmin": "-3", "loss.delta": "0.5", "loss": "huber"})
    delta.refresh()
    z, d = drawn(slot.curves[3])
    assert z[0] == -3 and z[-1] == 2
    same(d, bp.output_delta(logistic, huber, z, {"beta": 2.5}, {"delta": 0.5}, 0.25).delta)
    assert "loss.delta" in delta.pair_panel.widgets


def test_add_remove_and_list_go_through_the_model(delta, qtbot):
    delta.add_button.click()
    settle(qtbot)
    assert delta.model["pair"] == 3 and len(delta.legend.items) == 3
    delta.model.set("activation", "tanh")
    settle(qtbot)
    assert delta.pair_panel.widgets["activation"].value() == "tanh"
    delta.remove_button.click()
    settle(qtbot)
    assert delta.model["pairs"] == "logistic:squared_error,logistic:binary_cross_entropy"
    assert len(delta.legend.items) == 2 and delta.pair_list.count() == 2
    delta.pair_list.setCurrentRow(0)
    settle(qtbot)
    assert delta.model["pair"] == 1 and delta.model["loss"] == "squared_error"


def test_panel_edits_the_selected_pair(delta, qtbot):
    delta.pair_panel.widgets["activation.beta"].setValue(3.0)
    settle(qtbot)
    entries = parse_pairs(delta.model["pairs"], delta.model.registry)
    assert entries[1].act_values == {"beta": 3.0} and entries[0].act_values == {"beta": 1.0}
    delta.model.set("pair", 1)
    settle(qtbot)
    assert delta.pair_panel.widgets["activation.beta"].value() == 1.0


def test_t_slider_takes_the_selected_loss_range(delta, qtbot):
    assert delta.range_panel.widgets["zmin"].param.low == -100
    assert (delta.pair_panel.widgets["t"].param.low, delta.pair_panel.widgets["t"].param.high) == (0, 1)
    delta.model.set("loss", "squared_error")
    settle(qtbot)
    assert delta.pair_panel.widgets["t"].param.high == 3


def test_relu_cross_entropy_is_off_scale_not_flattening(delta, qtbot):
    delta.model.update({"pairs": "relu:binary_cross_entropy,logistic:squared_error,logistic:binary_cross_entropy"})
    delta.refresh()
    _, d = drawn(delta.slots[0].curves[3])
    assert np.nanmin(d) < -1e6  # the data are drawn whole ...
    low, high = delta.plot_delta.viewRange()[1]
    assert -50 < low < -1 and high < 5  # ... but the axis keeps the logistic curves readable
    assert "off scale" in delta.offscale[3].textItem.toPlainText()
    assert "relu + binary_cross_entropy" in delta.offscale[3].textItem.toPlainText()
    assert delta.offscale[2].textItem.toPlainText() == ""
    delta.model.update({"pairs": "logistic:squared_error,logistic:binary_cross_entropy"})
    delta.refresh()
    assert all(n.textItem.toPlainText() == "" for n in delta.offscale)


def test_undo_redo_restores_the_drawn_curves(qtbot, registry):
    history = History()
    view, app = build_view(registry, "delta", history=history)
    qtbot.addWidget(view)
    first = drawn(view.slots[1].curves[3])[1].copy()
    view.model.set("activation.beta", 3.0)
    view.model.update({"loss": "squared_error", "zmin": -2})
    settle(qtbot)
    changed = drawn(view.slots[1].curves[3])[1].copy()
    assert changed.size == first.size and not np.array_equal(changed, first)
    history.undo()
    history.undo()
    settle(qtbot)
    np.testing.assert_array_equal(drawn(view.slots[1].curves[3])[1], first)
    assert view.pair_panel.widgets["activation.beta"].value() == 1.0
    history.redo()
    history.redo()
    settle(qtbot)
    np.testing.assert_array_equal(drawn(view.slots[1].curves[3])[1], changed)
    close_view(view, app)


# ---------------------------------------------------------------- export

@pytest.mark.parametrize("ext", ["csv", "png", "svg"])
def test_headless_export_delta(tmp_path, ext):
    out = tmp_path / f"delta.{ext}"
    rc = main(["export", "--view", "delta", "--set", "pairs=logistic:squared_error,logistic:binary_cross_entropy",
               "--set", "activation.beta=1", "--out", str(out)])
    assert rc == 0 and out.stat().st_size > 0
    if ext == "csv":
        rows = list(csv.reader(out.open()))
        assert rows[0][0] == "z" and "2 logistic + binary_cross_entropy delta" in rows[0]
        assert "1 logistic + squared_error dE/dy" in rows[0] and len(rows) == 802


def test_export_softmax_pair_has_shortcut_column(tmp_path):
    out = tmp_path / "softmax.csv"
    assert main(["export", "--view", "delta", "--set", "pairs=softmax:categorical_cross_entropy",
                 "--set", "t=0", "--out", str(out)]) == 0
    header = next(csv.reader(out.open()))
    assert "1 softmax + categorical_cross_entropy delta lecture shortcut" in header


def test_export_bad_keys(tmp_path, capsys):
    out = tmp_path / "x.png"
    assert main(["export", "--view", "delta", "--set", "nope=1", "--out", str(out)]) == 2
    assert main(["export", "--view", "delta", "--set", "pairs=logistic", "--out", str(out)]) == 2
    assert "activation:loss" in capsys.readouterr().err
    assert not out.exists()


def test_export_help_lists_the_keys(capsys):
    assert main(["export", "--view", "delta", "--help"]) == 0
    text = capsys.readouterr().out
    for key in ("pairs", "activation", "activation.beta", "loss.K", "ywrong", "zmin"):
        assert key in text


def test_delta_view_in_the_main_window(window, qtbot):
    view = window.show_view("delta")
    settle(qtbot, 60)
    assert view.redraw_count >= 1 and view.error == "" and view.isVisible()
    assert view.ratio == pytest.approx(101.0, rel=0.01)

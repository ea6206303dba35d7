"""The output-δ and hidden-δ views: what is drawn equals actviz.backprop, controls change it, export works."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest

from actviz.cli import main
from actviz.gui.headless import build_view, close_view
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


@pytest.fixture
def depth(qtbot, registry):
    view, app = build_view(registry, "depth")
    qtbot.addWidget(view)
    yield view
    close_view(view, app)


# ---------------------------------------------------------------- output δ

def test_default_pairs_are_the_lecture_case(delta):
    assert [p.short for p in delta.pairs] == ["logistic + squared_error", "logistic + binary_cross_entropy"]
    assert delta.control_value("pairs") == "logistic:squared_error,logistic:binary_cross_entropy"
    assert delta.t == 1.0 and delta.ywrong == 0.01
    labels = [label.text for _, label in delta.legend.items]
    assert labels == ["logistic + squared_error", "logistic + binary_cross_entropy"]
    assert delta.pairs[0].color != delta.pairs[1].color


def test_drawn_curves_equal_output_delta(delta, registry):
    for pair in delta.pairs:
        z, _ = drawn(pair.curves[0])
        ref = bp.output_delta(pair.activation, pair.loss, z, pair.act_values, pair.loss_values, delta.t)
        for curve, values in zip(pair.curves, (ref.y, ref.dE_dy, ref.fprime, ref.delta), strict=True):
            x, y = drawn(curve)
            np.testing.assert_array_equal(x, z)
            same(y, values)
    assert z[0] == delta.zmin and z[-1] == delta.zmax


def test_confidently_wrong_ratio_is_about_100(delta, registry):
    text = delta.readout.text()
    assert "y = 0.01" in text and "t = 1" in text
    ratio = float(re.search(r"<b>([\d.]+)×</b>", text).group(1))
    assert 90 < ratio < 110 and delta.ratio == pytest.approx(101.0, rel=0.01)
    logistic = registry.activations["logistic"]
    for pair in delta.pairs:
        cw = bp.confidently_wrong(logistic, pair.loss, {"beta": 1.0}, {}, 1.0, 0.01)
        assert f"|δ| = {abs(cw.delta):.3g}" in text
        assert pair.wrong.delta == pytest.approx(cw.delta)
    # each pair's mark sits at (z, δ) on the δ plot
    xs, ys = delta.markers[3].getData()
    assert sorted(ys) == pytest.approx(sorted(p.wrong.delta for p in delta.pairs))
    assert xs == pytest.approx([delta.pairs[0].wrong.z] * 2)


def test_formula_of_the_selected_pair(delta):
    assert delta.formula.tex == r"\delta=\beta\,(y-t)"
    delta.set_control("pair", 1)
    assert delta.formula.tex == bp.PRODUCT_FORMULA  # logistic + squared error: no simplification


def test_softmax_cce_draws_full_jacobian_and_dashed_shortcut(delta, qtbot):
    delta.apply_settings({"pairs": "softmax(z2=0.5;z3=-1):categorical_cross_entropy", "t": "0"})
    delta.refresh()
    pair = delta.pairs[0]
    z, d = drawn(pair.curves[3])
    np.testing.assert_allclose(d, bp.softmax_full_jacobian_delta(z, [0.5, -1.0], bp.softmax_targets(0.0, 3))[:, 0],
                               atol=1e-12)
    x, s = drawn(pair.shortcut)
    np.testing.assert_array_equal(x, z)
    np.testing.assert_array_equal(s, bp.softmax_shortcut_delta(z, [0.5, -1.0], 0.0))
    assert pair.shortcut.isVisible() and pair.shortcut.opts["pen"].style() == pg_dash()
    assert not delta.shortcut_note.isHidden() and "off-diagonal" in delta.shortcut_note.text()
    assert any("shortcut" in label.text for _, label in delta.legend.items)
    assert delta.formula.tex == r"\delta_1=y_1-t_1"
    # another pair: no shortcut, no sentence
    delta.set_control("activation", "logistic")
    delta.refresh()
    assert not pair.shortcut.isVisible() and delta.shortcut_note.isHidden()


def pg_dash():
    from PySide6 import QtCore
    return QtCore.Qt.PenStyle.DashLine


def test_controls_change_the_drawn_data(delta, registry):
    pair = delta.pairs[1]
    _, before = drawn(pair.curves[3])
    delta.apply_settings({"act.beta": "2.5"})
    delta.refresh()
    z, after = drawn(pair.curves[3])
    assert not np.array_equal(before, after)
    same(after, bp.output_delta(pair.activation, pair.loss, z, {"beta": 2.5}, {}, 1.0).delta)
    delta.apply_settings({"t": "0.25", "zmin": "-3", "zmax": "2"})
    delta.refresh()
    z, d = drawn(pair.curves[3])
    assert z[0] == -3 and z[-1] == 2
    same(d, bp.output_delta(pair.activation, pair.loss, z, {"beta": 2.5}, {}, 0.25).delta)
    delta.apply_settings({"loss": "huber", "loss.delta": "0.5"})
    delta.refresh()
    huber = registry.losses["huber"]
    assert pair.loss is huber and pair.loss_values == {"delta": 0.5}
    same(drawn(pair.curves[3])[1], bp.output_delta(pair.activation, huber, z, {"beta": 2.5}, {"delta": 0.5},
                                                   0.25).delta)
    assert "loss.delta" in [c.name for c in delta.controls()]


def test_add_and_remove_pairs(delta, qtbot):
    delta.add_button.click()
    assert len(delta.pairs) == 3 and delta.selected == 2
    delta.set_control("activation", "tanh")
    settle(qtbot)
    assert "tanh" in delta.pair_panel.widgets["activation"].value()
    assert len(delta.legend.items) == 3
    delta.remove_button.click()
    assert [p.short for p in delta.pairs] == ["logistic + squared_error", "logistic + binary_cross_entropy"]
    assert len(delta.legend.items) == 2


def test_panel_edits_the_selected_pair(delta, qtbot):
    settle(qtbot)
    delta.pair_panel.widgets["act.beta"].setValue(3.0)
    settle(qtbot)
    assert delta.pairs[1].act_values == {"beta": 3.0} and delta.pairs[0].act_values == {"beta": 1.0}
    delta.pair_list.setCurrentRow(0)
    settle(qtbot)
    assert delta.selected == 0 and delta.pair_panel.widgets["act.beta"].value() == 1.0


def test_bad_values_are_refused_with_reasons(delta):
    with pytest.raises(ValueError, match="no activation 'nope'"):
        delta.set_control("pairs", "nope:squared_error")
    with pytest.raises(ValueError, match="outside"):
        delta.set_control("pairs", "logistic(beta=99):squared_error")
    with pytest.raises(ValueError, match="choose 1"):
        delta.set_control("pair", 5)
    with pytest.raises(ValueError, match="target range"):
        delta.set_control("t", 2.0)  # binary cross-entropy's t is in [0, 1]
    with pytest.raises(ValueError, match="unknown key"):
        delta.apply_settings({"act.alpha": "0.1"})  # logistic has no alpha


def test_state_round_trip(delta, registry, qtbot):
    delta.apply_settings({"pairs": "tanh:squared_error,logistic(beta=2):binary_cross_entropy", "t": "0.5"})
    state = delta.state()
    other, app = build_view(registry, "delta")
    qtbot.addWidget(other)
    other.restore(state)
    assert other.state() == state
    close_view(other, app)


# ---------------------------------------------------------------- hidden δ

def test_depth_curves_equal_hidden_deltas(depth, registry):
    from actviz.gui.views.depth_view import BATCH

    assert depth.activations == ["logistic", "tanh", "relu"]
    for i, name in enumerate(depth.activations):
        spec = registry.activations[name]
        ref = bp.hidden_deltas(spec, spec.defaults, 20, 32, "he", 1.0, 0, batch=BATCH)
        x, mean = drawn(depth.slots[i].mean)
        np.testing.assert_array_equal(x, np.arange(1, 21))
        np.testing.assert_array_equal(mean, ref.mean_abs)
        _, upper = drawn(depth.slots[i].upper)
        np.testing.assert_array_equal(upper, ref.p90)
        _, lower = drawn(depth.slots[i].lower)
        np.testing.assert_array_equal(lower, np.where(ref.p10 > 0, ref.p10, depth.floor))
    assert isinstance(depth.slots[0].fill, __import__("pyqtgraph").FillBetweenItem)
    assert depth.plot.getAxis("left").logMode


def test_logistic_vanishes_where_relu_does_not(depth):
    logistic = drawn(depth.slots[0].mean)[1]
    relu = drawn(depth.slots[2].mean)[1]
    assert logistic[0] < 1e-6 * relu[0]
    text = depth.readout.text()
    assert "vanishing" in text and "layer 1 / layer 20" in text
    ratio = float(re.search(r"Logistic \(sigmoid\)</b>: \|δ\| layer 1 / layer 20 = <b>([-+.e\d]+)</b>",
                            text).group(1))
    assert ratio == pytest.approx(depth.ratios["logistic"], rel=1e-2) and ratio < 1e-6


def test_depth_controls_change_drawn_data(depth, registry):
    mean = drawn(depth.slots[1].mean)[1]
    depth.set_control("seed", 7)
    depth.refresh()
    seeded = drawn(depth.slots[1].mean)[1]
    assert not np.array_equal(mean, seeded)
    depth.set_control("layers", 5)
    depth.refresh()
    x, five = drawn(depth.slots[1].mean)
    assert x.tolist() == [1, 2, 3, 4, 5]
    depth.apply_settings({"activations": "elu,leaky_relu", "init": "xavier", "scale": "2"})
    depth.refresh()
    spec = registry.activations["elu"]
    from actviz.gui.views.depth_view import BATCH
    ref = bp.hidden_deltas(spec, spec.defaults, 5, 32, "xavier", 2.0, 7, batch=BATCH)
    np.testing.assert_array_equal(drawn(depth.slots[0].mean)[1], ref.mean_abs)
    assert not depth.slots[2].mean.isVisible()
    assert [label.text for _, label in depth.legend.items] == ["ELU", "Leaky ReLU"]
    checked = [depth.act_list.item(i).data(256) for i in range(depth.act_list.count())
               if depth.act_list.item(i).checkState().value == 2]
    assert sorted(checked) == ["elu", "leaky_relu"]


def test_zero_gradient_is_a_gap_on_the_log_axis(depth):
    """The binary step's f′ is 0: δ is exactly 0 below the output layer, which a log axis cannot draw."""
    depth.apply_settings({"activations": "binary_step,relu", "layers": "6"})
    depth.refresh()
    mean = drawn(depth.slots[0].mean)[1]
    assert np.isnan(mean[:-1]).all() and mean[-1] == 1.0
    assert "exactly 0" in depth.readout.text() and depth.error == ""
    assert np.isfinite(drawn(depth.slots[1].mean)[1]).all()


def test_depth_list_toggles_activations(depth, qtbot):
    from PySide6 import QtCore

    item = next(depth.act_list.item(i) for i in range(depth.act_list.count())
                if depth.act_list.item(i).data(QtCore.Qt.ItemDataRole.UserRole) == "tanh")
    item.setCheckState(QtCore.Qt.CheckState.Unchecked)
    settle(qtbot)
    assert depth.activations == ["logistic", "relu"]
    assert len(depth.legend.items) == 2


def test_depth_bad_values(depth):
    with pytest.raises(ValueError, match="no activation"):
        depth.set_control("activations", "logistic,nope")
    with pytest.raises(ValueError, match="whole number"):
        depth.set_control("layers", 2.5)
    with pytest.raises(ValueError, match="outside"):
        depth.set_control("layers", 51)


# ---------------------------------------------------------------- export

@pytest.mark.parametrize("ext", ["csv", "png", "svg"])
def test_headless_export_delta(tmp_path, ext):
    out = tmp_path / f"delta.{ext}"
    rc = main(["export", "--view", "delta", "--set", "pairs=logistic:squared_error,logistic:binary_cross_entropy",
               "--set", "act.beta=1", "--out", str(out)])
    assert rc == 0 and out.stat().st_size > 0
    if ext == "csv":
        rows = list(csv.reader(out.open()))
        assert rows[0][0] == "z" and "2 logistic + binary_cross_entropy delta" in rows[0]
        assert "1 logistic + squared_error dE/dy" in rows[0] and len(rows) == 802


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


def test_export_softmax_pair_has_shortcut_column(tmp_path):
    out = tmp_path / "softmax.csv"
    assert main(["export", "--view", "delta", "--set", "pairs=softmax:categorical_cross_entropy",
                 "--set", "t=0", "--out", str(out)]) == 0
    header = next(csv.reader(out.open()))
    assert "1 softmax + categorical_cross_entropy delta lecture shortcut" in header


def test_export_bad_keys(tmp_path, capsys):
    out = tmp_path / "x.png"
    assert main(["export", "--view", "delta", "--set", "nope=1", "--out", str(out)]) == 2
    assert main(["export", "--view", "depth", "--set", "init=magic", "--out", str(out)]) == 2
    assert main(["export", "--view", "delta", "--set", "pairs=logistic", "--out", str(out)]) == 2
    assert "activation:loss" in capsys.readouterr().err
    assert not out.exists()


def test_export_help_lists_the_keys(capsys):
    assert main(["export", "--view", "delta", "--help"]) == 0
    text = capsys.readouterr().out
    for key in ("pairs", "activation", "act.beta", "ywrong", "zmin"):
        assert key in text


def test_views_in_the_main_window(window, qtbot):
    for name in ("delta", "depth"):
        view = window.show_view(name)
        settle(qtbot, 60)
        assert view.redraw_count >= 1 and view.error == ""
        assert view.isVisible()
    delta = window.views["delta"]
    assert delta.ratio == pytest.approx(101.0, rel=0.01)

"""The coin-flip view, driven headless through its model: what is DRAWN equals actviz.maths.coin."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import numpy as np
import pyqtgraph as pg
import pytest
from actviz_views.coin_model import CoinModel, count_label, decade_ticks

from actviz.cli import main
from actviz.gui import History, ModelError, build_view, close_view
from actviz.maths import coin
from tests.conftest import settle


def drawn(curve):
    """The data handed to the curve or scatter (not a view-clipped subset)."""
    x, y = (curve.xData, curve.yData) if isinstance(curve, pg.PlotDataItem) else curve.getData()
    return (np.zeros(0) if x is None else np.asarray(x)), (np.zeros(0) if y is None else np.asarray(y))


def as_drawn(values):
    """What the view hands to a curve: non-finite values become NaN gaps."""
    return np.where(np.isfinite(values), values, np.nan)


@pytest.fixture
def view(registry, qtbot):
    v, app = build_view(registry, "coin")
    yield v
    close_view(v, app)


def show(view, **settings):
    view.model.update(settings)
    view.refresh()
    assert view.error == ""
    return view


# ---------------------------------------------------------------- the lecture's 8 of 10

def test_default_draws_the_coin_module_values(view):
    assert (view.model["k"], view.model["n"], view.model["source"]) == (8, 10, "typed")
    x, y = drawn(view.curve_lik)
    assert x[0] == 0.0 and x[-1] == 1.0 and np.all(np.diff(x) > 0)
    np.testing.assert_array_equal(y, as_drawn(coin.normalised_likelihood(x, 8, 10)))
    _, ll = drawn(view.curve_ll)
    np.testing.assert_array_equal(ll, as_drawn(coin.log_likelihood(x, 8, 10)))
    _, bce = drawn(view.curve_bce)
    np.testing.assert_array_equal(bce, as_drawn(coin.mean_bce(x, 8, 10)))
    for curve in (view.curve_ll, view.curve_bce, view.curve_negll):
        assert np.array_equal(drawn(curve)[0], x)
    assert np.isnan(ll[0]) and np.isnan(ll[-1]) and not np.isinf(ll).any()


def test_the_peak_is_marked_at_0_8_and_printed(view):
    for mark in (view.mark_lik, view.mark_ll, view.mark_bce):
        assert drawn(mark)[0].tolist() == [0.8]
    assert drawn(view.mark_lik)[1].tolist() == [1.0]
    x, ll = drawn(view.curve_ll)
    _, bce = drawn(view.curve_bce)
    assert x[np.nanargmax(ll)] == 0.8 and x[np.nanargmin(bce)] == 0.8
    assert "8/10 = 0.8" in view.hat_text.toPlainText() and "8/10 = 0.8" in view.readout.text()


def test_plots_are_numbered_in_reading_order(view):
    layout = view.layout_widget.ci.layout
    plots = sorted(view.plots, key=lambda p: next((r, c) for r in range(3) for c in range(2)
                                                  if layout.itemAt(r, c) is p))
    assert [p.titleLabel.text.split(" · ")[0] for p in plots] == ["1", "2", "3", "4", "5"]
    assert view.plot_post.titleLabel.text.startswith("4 · prior") and view.plot_traj.titleLabel.text.startswith("5")


def test_the_loss_is_minus_loglik_over_n_pointwise_and_said_in_words(view):
    x, bce = drawn(view.curve_bce)
    _, negll = drawn(view.curve_negll)
    fin = np.isfinite(bce)
    assert np.array_equal(fin, np.isfinite(negll)) and fin.sum() == x.size - 2
    np.testing.assert_allclose(negll[fin], bce[fin], rtol=1e-12, atol=1e-15)
    legend = [label.text for _, label in view.legend_bce.items]
    assert "mean BCE" in legend and "−ℓ(θ)/n" in legend
    assert "−ℓ(θ)/n" in view.identity.text() and "minimising the loss" in view.identity.text()


def test_y_ranges_are_clipped_to_the_finite_part(view):
    (_, _), (low, high) = view.plot_ll.viewRange()
    top = coin.log_likelihood(np.array([0.8]), 8, 10)[0]
    assert np.isfinite(low) and top < high < top + 5 and low == pytest.approx(8 * np.log(0.01) + 2 * np.log(0.99))


def test_axes_legends_and_log_ticks(view):
    background = view.layout_widget.backgroundBrush().color()
    for legend in (view.legend_bce, view.legend_post, view.legend_traj):
        assert legend.opts["brush"].color() == background
    for plot in view.plots:
        assert not plot.getAxis("left").autoSIPrefix and not plot.getAxis("bottom").autoSIPrefix
    axis = view.plot_traj.getAxis("bottom")
    levels = axis.tickValues(0.0, 7.0, 600)
    labels = [s for spacing, values in levels for s in axis.tickStrings(values, 1.0, spacing) if s]
    assert labels == ["1", "10", "100", "1\u2009000", "10\u2009000", "100\u2009000", "1\u2009000\u2009000",
                      "10\u2009000\u2009000"]
    assert decade_ticks(0.0, 12.0)[0] == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0]  # at most eight labels
    assert count_label(np.log10(3.0)) == ""


# ---------------------------------------------------------------- typed k and n

def test_spin_boxes_change_the_drawn_data(view, qtbot):
    view.widgets["k"].spin.setValue(3)
    settle(qtbot)
    x, ll = drawn(view.curve_ll)
    np.testing.assert_array_equal(ll, as_drawn(coin.log_likelihood(x, 3, 10)))
    view.widgets["n"].spin.setValue(40)
    settle(qtbot)
    x, lik = drawn(view.curve_lik)
    np.testing.assert_array_equal(lik, as_drawn(coin.normalised_likelihood(x, 3, 40)))
    assert drawn(view.mark_lik)[0].tolist() == [3 / 40] and "3/40" in view.readout.text()


def test_k_above_n_is_refused_with_a_visible_note(view, qtbot):
    view.widgets["k"].spin.setValue(12)
    settle(qtbot)
    panel = view.panels["k"]
    assert view.model["k"] == 8 and view.widgets["k"].value() == 8
    assert panel.note.isVisibleTo(view) and "k=12 heads cannot exceed n=10 flips" in panel.note.text()
    view.widgets["n"].spin.setValue(4)  # lowering n below k drags k down, and says so
    settle(qtbot)
    assert (view.model["k"], view.model["n"]) == (4, 4) and view.widgets["k"].value() == 4
    assert view.k_note.isVisibleTo(view) and "k lowered from 8 to 4" in view.k_note.text()
    with pytest.raises(ModelError, match="cannot exceed"):
        view.model.set("k", 5)
    with pytest.raises(ModelError, match="n=2.5 must be a whole number"):
        view.model.set("n", 2.5)


def test_edges_k_zero_and_k_equal_n(view):
    for k, hat in ((0, 0.0), (10, 1.0)):
        show(view, k=k)
        x, ll = drawn(view.curve_ll)
        assert drawn(view.mark_ll)[0].tolist() == [hat]
        assert ll[0 if k == 0 else -1] == 0.0 and np.isnan(ll[-1 if k == 0 else 0])
        assert ("θ = 1" if k == 0 else "θ = 0") in view.prior_note.text()


def test_no_flips_yet(view):
    show(view, k=0, n=0)
    for curve in (view.curve_lik, view.curve_ll, view.curve_bce, view.curve_negll, view.mark_lik, view.band_lik):
        assert drawn(curve)[1].size == 0
    for key in ("lik", "ll", "bce", "traj"):
        assert view.messages[key].isVisible() and "no flips yet" in view.messages[key].toPlainText()
    assert "No flips yet" in view.readout.text() and not view.warning.isVisibleTo(view)
    cols = view.export_columns()
    assert cols["theta_hat"].size == 0 and cols["log_likelihood"].size == 0
    show(view, n=10)
    assert not view.messages["lik"].isVisible() and drawn(view.curve_lik)[1].size > 0


@pytest.mark.parametrize("k", [0, 4_999_123, 10_000_000])
def test_ten_million_flips_draw_finite_curves(view, k):
    show(view, k=k, n=10_000_000)
    x, lik = drawn(view.curve_lik)
    hat = k / 10_000_000
    assert drawn(view.mark_lik)[0].tolist() == [hat]
    for curve in (view.curve_lik, view.curve_ll, view.curve_bce, view.curve_negll):
        y = drawn(curve)[1]
        assert not np.isinf(y).any() and np.isfinite(y).sum() >= y.size - 2
    assert np.count_nonzero(lik > 0.01) >= 50  # the peak is resolved
    (_, _), (low, high) = view.plot_ll.viewRange()
    assert np.isfinite(low) and np.isfinite(high) and low < high


# ---------------------------------------------------------------- the simulated coin

def test_flipping_changes_the_drawn_data_and_the_strip(view, qtbot):
    assert "no flips yet" in view.strip.text()
    view.flip_buttons[10].click()
    settle(qtbot)
    sim = view.model.simulator()
    assert sim.n == 10 and view.model["source"] == "simulation" and view.model["flips"] == 10
    assert (view.model["k"], view.model["n"]) == (sim.heads, 10)
    assert view.widgets["n"].value() == 10 and view.widgets["k"].value() == sim.heads
    x, ll = drawn(view.curve_ll)
    np.testing.assert_array_equal(ll, as_drawn(coin.log_likelihood(x, sim.heads, 10)))
    letters = "".join(c for c in view.strip.text() if c in "HT")
    assert sim.recent(60) in letters and f"heads {sim.heads}" in view.strip.text()
    ns, hats = sim.trajectory(1000)
    np.testing.assert_array_equal(drawn(view.curve_traj)[0], ns)
    np.testing.assert_array_equal(drawn(view.curve_traj)[1], hats)
    view.flip_buttons[1].click()
    settle(qtbot)
    assert view.model["n"] == 11 and drawn(view.curve_traj)[0][-1] == 11
    view.reset_button.click()
    settle(qtbot)
    assert view.model["n"] == 0 and drawn(view.curve_ll)[1].size == 0 and "no flips yet" in view.strip.text()


def test_ten_thousand_flips_settle_near_p(view):
    view.model.flip(10_000)
    view.refresh()
    traj_x, traj_y = drawn(view.curve_traj)
    assert traj_x[-1] == 10_000 and abs(traj_y[-1] - 0.3) < 0.02
    p_x, p_y = drawn(view.curve_p)
    assert p_y.tolist() == [0.3, 0.3] and p_x[-1] == 10_000


def test_the_seeded_coin_repeats_and_changing_p_reflips_the_same_count(registry):
    one, two = CoinModel(registry), CoinModel(registry)
    for m in (one, two):
        m.update({"seed": 42, "p": 0.6})
    one.flip(10)
    one.flip(90)  # ten and ninety flips are the same stream as a hundred
    two.flip(100)
    assert one.counts() == two.counts() and one.simulator().recent() == two.simulator().recent()
    two.set("seed", 43)
    assert two["n"] == 100 and two.simulator().recent() != one.simulator().recent()
    low = one["k"]
    one.set("p", 0.9)
    assert one["n"] == 100 and one["k"] > low and one["flips"] == 100


def test_typed_k_after_flipping_starts_from_the_coins_counts(view, qtbot):
    show(view, flips=50)
    heads = view.model["k"]
    assert view.model["source"] == "simulation" and view.model["n"] == 50
    view.widgets["n"].spin.setValue(60)
    settle(qtbot)
    assert view.model["source"] == "typed" and (view.model["k"], view.model["n"]) == (heads, 60)


# ---------------------------------------------------------------- Beta prior

def test_prior_is_off_by_default(view):
    assert view.model["prior"] == "off" and drawn(view.curve_post)[1].size == 0
    assert "prior off" in view.messages["post"].toPlainText() and view.messages["post"].isVisible()


@pytest.mark.parametrize("k,n,a,b", [(8, 10, 2.0, 2.0), (3, 20, 5.0, 1.5), (0, 4, 3.0, 3.0)])
def test_prior_on_draws_the_posterior_with_map_and_mean(view, k, n, a, b):
    show(view, a=a, k=k, prior="on", n=n, b=b)
    x, post = drawn(view.curve_post)
    np.testing.assert_allclose(post, as_drawn(np.exp(coin.log_posterior(x, k, n, a, b))), rtol=1e-15)
    _, prior = drawn(view.curve_prior)
    np.testing.assert_allclose(prior, as_drawn(np.exp(coin.log_posterior(x, 0, 0, a, b))), rtol=1e-15)
    assert drawn(view.mark_map)[0][0] == pytest.approx((k + a - 1) / (n + a + b - 2), rel=1e-12)
    assert drawn(view.mark_mean)[0][0] == pytest.approx((k + a) / (n + a + b), rel=1e-12)
    iv = coin.likelihood_interval(k, n)
    band_x = drawn(view.band_post)[0]
    assert band_x.min() == iv.lower and band_x.max() == iv.upper
    assert {"prior", "posterior", "MAP", "mean", "95% int."} <= {label.text for _, label in view.legend_post.items}
    assert "Plot 4" in view.prior_note.text() and "(k+a)/(n+a+b)" in view.prior_note.text()
    assert "MAP" in view.readout.text() and "posterior mean" in view.readout.text()


def test_prior_refuses_out_of_range_parameters(view):
    with pytest.raises(ModelError, match=r"^a=0 is outside"):
        view.model.set("a", 0.0)


# ---------------------------------------------------------------- model: order, state, undo

def test_update_takes_keys_in_any_order_and_names_a_bad_one(registry):
    model = CoinModel(registry)
    model.update({"k": 30, "n": 40})  # k above the old n: fine, n comes with it
    assert model.counts() == (30, 40)
    model.update({"prior": "on", "b": 3.0, "a": 4.0, "p": 0.5, "seed": 5, "flips": 20, "source": "typed"})
    assert model.counts() == (30, 40) and model["flips"] == 20
    before = model.values()
    with pytest.raises(ModelError, match=r"^k=50 heads cannot exceed n=40"):
        model.update({"a": 1.0, "k": 50})
    with pytest.raises(ModelError, match=r"^source='dice' is not one of"):
        model.update({"source": "dice", "k": 1})
    assert model.values() == before


def test_state_round_trips_on_a_fresh_model(registry):
    model = CoinModel(registry)
    model.update({"seed": 7, "flips": 300, "prior": "on", "a": 3.5})
    model.update({"n": 280})
    state = model.state()
    other = CoinModel(registry)
    assert other.restore(state) == []
    assert other.values() == model.values() and other["source"] == "typed" and other["flips"] == 300
    simulated = CoinModel(registry)
    simulated.update({"seed": 7, "flips": 300})
    again = CoinModel(registry)
    state = simulated.state()
    state["values"] = dict(reversed(list(state["values"].items())))  # order must not matter
    assert again.restore(state) == [] and again.values() == simulated.values()


def test_undo_and_redo_restore_the_drawn_curves(registry, qtbot):
    history = History()
    v, app = build_view(registry, "coin", history=history)
    try:
        first = drawn(v.curve_ll)[1].copy()
        v.flip_buttons[100].click()
        settle(qtbot)
        second = drawn(v.curve_ll)[1].copy(), drawn(v.curve_traj)[1].copy()
        assert v.model["n"] == 100
        history.undo()
        settle(qtbot)
        assert (v.model["k"], v.model["n"], v.model["flips"]) == (8, 10, 0)
        np.testing.assert_array_equal(drawn(v.curve_ll)[1], first)
        assert drawn(v.curve_traj)[1].size == 0
        history.redo()
        settle(qtbot)
        np.testing.assert_array_equal(drawn(v.curve_ll)[1], second[0])
        np.testing.assert_array_equal(drawn(v.curve_traj)[1], second[1])
    finally:
        close_view(v, app)


# ---------------------------------------------------------------- export

def test_export_csv_has_named_columns(tmp_path):
    out = tmp_path / "coin.csv"
    assert main(["export", "--view", "coin", "--set", "prior=on", "--set", "flips=10000", "--set", "p=0.3",
                 "--set", "seed=5", "--out", str(out)]) == 0
    with open(out, newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for name in ("theta", "likelihood_normalised", "log_likelihood", "mean_bce", "minus_log_likelihood_over_n",
                 "posterior_density", "prior_density", "flips", "theta_hat_after_flips", "theta_hat", "map",
                 "posterior_mean", "interval95_lower", "interval95_upper"):
        assert name in header
    col = {name: [r[i] for r in rows[1:] if i < len(r) and r[i] != ""] for i, name in enumerate(header)}
    sim = coin.CoinSimulator(0.3, 5)
    sim.flip(10_000)
    assert float(col["k"][0]) == sim.heads and float(col["n"][0]) == 10_000
    assert float(col["theta_hat_after_flips"][-1]) == pytest.approx(sim.estimate)


def test_export_typed_counts_in_any_order(tmp_path):
    out = tmp_path / "typed.csv"
    assert main(["export", "--view", "coin", "--set", "k=30", "--set", "n=40", "--out", str(out)]) == 0
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert float(rows[0]["theta_hat"]) == 0.75


def test_export_png_and_svg(tmp_path):
    png, svg = tmp_path / "coin.png", tmp_path / "coin.svg"
    assert main(["export", "--view", "coin", "--set", "flips=100", "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["export", "--view", "coin", "--set", "k=0", "--set", "n=10000000", "--out", str(svg)]) == 0
    ET.parse(svg)


def test_export_refuses_bad_keys_and_values(tmp_path, capsys):
    out = str(tmp_path / "x.csv")
    assert main(["export", "--view", "coin", "--set", "bogus=1", "--out", out]) == 2
    assert main(["export", "--view", "coin", "--set", "k=11", "--out", out]) == 2
    assert "cannot exceed" in capsys.readouterr().err
    assert main(["export", "--view", "coin", "--set", "source=dice", "--out", out]) == 2


def test_export_help_lists_the_keys(capsys):
    assert main(["export", "--view", "coin", "--help"]) == 0
    out = capsys.readouterr().out
    for key in ("k", "n", "source", "p", "seed", "flips", "prior", "a", "b"):
        assert f"  {key} " in out

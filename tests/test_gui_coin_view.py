"""The coin-flip view, driven headless: what is DRAWN equals actviz.coin, and the controls change it."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import numpy as np
import pyqtgraph as pg
import pytest

from actviz.cli import main
from actviz.gui.headless import build_view, close_view
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


def redraw(view):
    view.refresh()
    return view


# ---------------------------------------------------------------- the lecture's 8 of 10

def test_default_draws_the_coin_module_values(view):
    assert (view.control_value("k"), view.control_value("n"), view.source) == (8, 10, "typed")
    x, y = drawn(view.curve_lik)
    assert x[0] == 0.0 and x[-1] == 1.0 and np.all(np.diff(x) > 0)
    np.testing.assert_array_equal(y, as_drawn(coin.normalised_likelihood(x, 8, 10)))
    _, ll = drawn(view.curve_ll)
    np.testing.assert_array_equal(ll, as_drawn(coin.log_likelihood(x, 8, 10)))
    _, bce = drawn(view.curve_bce)
    np.testing.assert_array_equal(bce, as_drawn(coin.mean_bce(x, 8, 10)))
    for curve in (view.curve_ll, view.curve_bce, view.curve_negll):
        assert np.array_equal(drawn(curve)[0], x)
    # ℓ = −∞ at both ends for 0 < k < n: gaps, never ±inf handed to Qt
    assert np.isnan(ll[0]) and np.isnan(ll[-1]) and not np.isinf(ll).any()


def test_the_peak_is_marked_at_0_8_and_printed(view):
    for mark in (view.mark_lik, view.mark_ll, view.mark_bce):
        assert drawn(mark)[0].tolist() == [0.8]
    assert drawn(view.mark_lik)[1].tolist() == [1.0]
    x, ll = drawn(view.curve_ll)
    _, bce = drawn(view.curve_bce)
    _, lik = drawn(view.curve_lik)
    assert x[np.nanargmax(ll)] == 0.8 and x[np.nanargmax(lik)] == 0.8 and x[np.nanargmin(bce)] == 0.8
    assert "8/10 = 0.8" in view.hat_text.toPlainText()
    assert "8/10 = 0.8" in view.readout.text()
    assert view.plot_lik.titleLabel.text.startswith("1 · likelihood")


def test_the_loss_is_minus_loglik_over_n_pointwise_and_said_in_words(view):
    x, bce = drawn(view.curve_bce)
    _, negll = drawn(view.curve_negll)
    fin = np.isfinite(bce)
    assert np.array_equal(fin, np.isfinite(negll)) and fin.sum() == x.size - 2
    np.testing.assert_allclose(negll[fin], bce[fin], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(negll[fin], -coin.log_likelihood(x, 8, 10)[fin] / 10, rtol=1e-15)
    legend = [label.text for _, label in view.legend_bce.items]
    assert "mean BCE" in legend and "−ℓ(θ)/n" in legend
    words = view.identity.text()
    assert "−ℓ(θ)/n" in words and "minimising the loss" in words and view.identity.isVisibleTo(view)


def test_y_ranges_are_clipped_to_the_finite_part(view):
    (_, _), (low, high) = view.plot_ll.viewRange()
    top = coin.log_likelihood(np.array([0.8]), 8, 10)[0]
    assert np.isfinite(low) and top < high < top + 5 and low == pytest.approx(8 * np.log(0.01) + 2 * np.log(0.99))
    (_, _), (low, high) = view.plot_bce.viewRange()
    assert low < -top / 10 < high < 10


# ---------------------------------------------------------------- typed k and n

def test_spin_boxes_change_the_drawn_data(view, qtbot):
    view.widgets["k"].spin.setValue(3)
    settle(qtbot)
    x, ll = drawn(view.curve_ll)
    np.testing.assert_array_equal(ll, as_drawn(coin.log_likelihood(x, 3, 10)))
    assert drawn(view.mark_lik)[0].tolist() == [0.3]
    view.widgets["n"].spin.setValue(40)
    settle(qtbot)
    x, lik = drawn(view.curve_lik)
    np.testing.assert_array_equal(lik, as_drawn(coin.normalised_likelihood(x, 3, 40)))
    assert drawn(view.mark_lik)[0].tolist() == [3 / 40]
    assert "3/40" in view.readout.text()


def test_k_above_n_is_refused_with_a_visible_note(view, qtbot):
    view.widgets["k"].spin.setValue(12)
    settle(qtbot)
    assert view.control_value("k") == 10 and view.widgets["k"].value() == 10
    assert view.k_note.isVisibleTo(view) and "cannot exceed n=10" in view.k_note.text()
    assert drawn(view.mark_lik)[0].tolist() == [1.0]
    view.widgets["n"].spin.setValue(4)  # lowering n below k drags k down, and says so
    settle(qtbot)
    assert (view.control_value("k"), view.control_value("n")) == (4, 4)
    assert "k lowered" in view.k_note.text()
    with pytest.raises(ValueError, match="cannot exceed"):
        view.set_control("k", 5)
    with pytest.raises(ValueError, match="whole number"):
        view.set_control("n", 2.5)


def test_edges_k_zero_and_k_equal_n(view):
    for k, hat in ((0, 0.0), (10, 1.0)):
        view.set_control("k", k)
        redraw(view)
        x, ll = drawn(view.curve_ll)
        assert drawn(view.mark_ll)[0].tolist() == [hat]
        assert ll[0 if k == 0 else -1] == 0.0  # the one finite end: ℓ(θ̂) = 0
        assert np.isnan(ll[-1 if k == 0 else 0])  # the other is −∞, left as a gap
        _, bce = drawn(view.curve_bce)
        assert x[np.nanargmin(bce)] == hat
        assert ("θ = 1" if k == 0 else "θ = 0") in view.prior_note.text()


def test_no_flips_yet(view):
    view.set_control("k", 0)
    view.set_control("n", 0)
    redraw(view)
    for curve in (view.curve_lik, view.curve_ll, view.curve_bce, view.curve_negll, view.mark_lik, view.band_lik):
        assert drawn(curve)[1].size == 0
    for key in ("lik", "ll", "bce", "traj"):
        assert view.messages[key].isVisible() and "no flips yet" in view.messages[key].toPlainText()
    assert "No flips yet" in view.readout.text() and not view.warning.isVisibleTo(view)
    cols = view.export_columns()
    assert cols["theta_hat"].size == 0 and cols["log_likelihood"].size == 0
    view.set_control("n", 10)
    redraw(view)
    assert not view.messages["lik"].isVisible() and drawn(view.curve_lik)[1].size > 0


@pytest.mark.parametrize("k", [0, 4_999_123, 10_000_000])
def test_ten_million_flips_draw_finite_curves(view, k):
    n = 10_000_000
    view.set_control("n", n)
    view.set_control("k", k)
    redraw(view)
    assert not view.warning.isVisibleTo(view)
    x, lik = drawn(view.curve_lik)
    hat = k / n
    assert drawn(view.mark_lik)[0].tolist() == [hat]
    for curve in (view.curve_lik, view.curve_ll, view.curve_bce, view.curve_negll):
        y = drawn(curve)[1]
        assert not np.isinf(y).any() and np.isfinite(y).sum() >= y.size - 2
    # the peak (width ~1/√n, or 1/n at an edge) is resolved, not a single spike
    assert np.count_nonzero(lik > 0.01) >= 50
    _, ll = drawn(view.curve_ll)
    _, bce = drawn(view.curve_bce)
    assert x[np.nanargmax(ll)] == hat and x[np.nanargmin(bce)] == hat
    (_, _), (low, high) = view.plot_ll.viewRange()
    assert np.isfinite(low) and np.isfinite(high) and low < high


# ---------------------------------------------------------------- the simulated coin

def test_flipping_changes_the_drawn_data_and_the_strip(view, qtbot):
    before = drawn(view.curve_ll)[1].copy()
    assert "no flips yet" in view.strip.text()
    view.flip_buttons[10].click()
    settle(qtbot)
    sim = view.sim
    assert sim.n == 10 and view.source == "simulation"
    assert view.control_value("n") == 10 and view.control_value("k") == sim.heads
    assert view.widgets["n"].value() == 10 and view.widgets["k"].value() == sim.heads
    x, ll = drawn(view.curve_ll)
    np.testing.assert_array_equal(ll, as_drawn(coin.log_likelihood(x, sim.heads, 10)))
    assert not np.array_equal(before, ll, equal_nan=True) or sim.heads == 8
    letters = "".join(c for c in view.strip.text() if c in "HT")
    assert sim.recent(60) in letters and len(sim.recent(60)) == 10
    assert f"heads {sim.heads}" in view.strip.text() and f"tails {10 - sim.heads}" in view.strip.text()
    traj_x, traj_y = drawn(view.curve_traj)
    ns, hats = sim.trajectory(1000)
    np.testing.assert_array_equal(traj_x, ns)
    np.testing.assert_array_equal(traj_y, hats)
    strip = view.strip.text()
    view.flip_buttons[1].click()
    settle(qtbot)
    assert view.sim.n == 11 and view.strip.text() != strip and drawn(view.curve_traj)[0][-1] == 11
    view.reset_button.click()
    settle(qtbot)
    assert view.sim.n == 0 and drawn(view.curve_ll)[1].size == 0 and "no flips yet" in view.strip.text()


def test_ten_thousand_flips_settle_near_p(view, qtbot):
    assert view.control_value("p") == 0.3
    view.flip_buttons[10_000].click()
    view.refresh()
    assert view.sim.n == 10_000
    traj_x, traj_y = drawn(view.curve_traj)
    assert traj_x[-1] == 10_000 and abs(traj_y[-1] - 0.3) < 0.02
    p_x, p_y = drawn(view.curve_p)
    assert p_y.tolist() == [0.3, 0.3] and p_x[-1] == 10_000
    assert drawn(view.mark_lik)[0][0] == pytest.approx(0.3, abs=0.02)


def test_the_seeded_coin_repeats_across_two_views(registry, qtbot):
    one, app = build_view(registry, "coin")
    two, _ = build_view(registry, "coin")
    try:
        for v in (one, two):
            v.set_control("seed", 42)
            v.set_control("p", 0.6)
        one.flip(10)
        one.flip(90)  # ten and ninety flips are the same stream as a hundred
        two.flip(100)
        for v in (one, two):
            v.refresh()
        assert one.sim.heads == two.sim.heads and one.strip.text() == two.strip.text()
        for a, b in ((one.curve_traj, two.curve_traj), (one.curve_ll, two.curve_ll)):
            np.testing.assert_array_equal(drawn(a)[1], drawn(b)[1])
        two.set_control("seed", 43)
        two.refresh()
        assert two.sim.n == 100 and two.strip.text() != one.strip.text()  # another stream, same count
        two.set_control("seed", 42)
        two.refresh()
        assert two.strip.text() == one.strip.text()
    finally:
        close_view(two, app)
        close_view(one, app)


def test_changing_p_reflips_the_same_count(view):
    view.set_control("flips", 1000)
    redraw(view)
    low = view.sim.heads
    view.set_control("p", 0.9)
    redraw(view)
    assert view.sim.n == 1000 and view.sim.heads > low and view.control_value("flips") == 1000
    assert drawn(view.curve_p)[1].tolist() == [0.9, 0.9]


def test_typed_k_after_flipping_starts_from_the_coins_counts(view, qtbot):
    view.set_control("flips", 50)
    redraw(view)
    heads = view.sim.heads
    view.widgets["n"].spin.setValue(60)
    settle(qtbot)
    assert view.source == "typed" and (view.control_value("k"), view.control_value("n")) == (heads, 60)


# ---------------------------------------------------------------- Beta prior

def test_prior_is_off_by_default(view):
    assert view.control_value("prior") == "off" and drawn(view.curve_post)[1].size == 0
    assert "prior off" in view.messages["post"].toPlainText() and view.messages["post"].isVisible()


@pytest.mark.parametrize("k,n,a,b", [(8, 10, 2.0, 2.0), (3, 20, 5.0, 1.5), (0, 4, 3.0, 3.0)])
def test_prior_on_draws_the_posterior_with_map_and_mean(view, k, n, a, b):
    view.set_control("prior", "on")
    view.set_control("n", n)
    view.set_control("k", k)
    view.set_control("a", a)
    view.set_control("b", b)
    redraw(view)
    x, post = drawn(view.curve_post)
    np.testing.assert_allclose(post, as_drawn(np.exp(coin.log_posterior(x, k, n, a, b))), rtol=1e-15)
    _, prior = drawn(view.curve_prior)
    np.testing.assert_allclose(prior, as_drawn(np.exp(coin.log_posterior(x, 0, 0, a, b))), rtol=1e-15)
    map_x = drawn(view.mark_map)[0]
    mean_x = drawn(view.mark_mean)[0]
    assert map_x[0] == pytest.approx((k + a - 1) / (n + a + b - 2), rel=1e-12)
    assert mean_x[0] == pytest.approx((k + a) / (n + a + b), rel=1e-12)
    iv = coin.likelihood_interval(k, n)
    band_x = drawn(view.band_post)[0]
    assert band_x.min() == iv.lower and band_x.max() == iv.upper
    labels = [label.text for _, label in view.legend_post.items]
    assert {"prior", "posterior", "MAP", "mean", "95% int."} <= set(labels)
    assert "MAP" in view.prior_note.text() and "(k+a)/(n+a+b)" in view.prior_note.text()
    assert "MAP" in view.readout.text() and "posterior mean" in view.readout.text()


def test_interval_is_shaded_on_the_likelihood(view):
    iv = coin.likelihood_interval(8, 10)
    bx, by = drawn(view.band_lik)
    assert (bx.min(), bx.max()) == (iv.lower, iv.upper) and by.max() == 1.0
    assert f"{iv.lower:.4g}" in view.readout.text()


def test_prior_refuses_nonpositive_parameters(view):
    with pytest.raises(ValueError, match="a > 0"):
        view.set_control("a", 0.0)


# ---------------------------------------------------------------- state, export, main window

def test_state_round_trips(registry, view):
    view.set_control("seed", 7)
    view.set_control("flips", 300)
    view.set_control("prior", "on")
    state = view.state()
    other, app = build_view(registry, "coin")
    try:
        other.restore(dict(reversed(list(state.items()))))  # order must not matter
        other.refresh()
        view.refresh()
        assert other.state() == state
        np.testing.assert_array_equal(drawn(other.curve_traj)[1], drawn(view.curve_traj)[1])
    finally:
        close_view(other, app)


def test_export_csv_has_named_columns(tmp_path):
    out = tmp_path / "coin.csv"
    assert main(["export", "--view", "coin", "--set", "flips=10000", "--set", "p=0.3", "--set", "seed=5",
                 "--set", "prior=on", "--out", str(out)]) == 0
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
    assert float(col["flips"][-1]) == 10_000
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


def test_opens_in_the_main_window(window, qtbot):
    view = window.show_view("coin")
    settle(qtbot)
    assert view is not None and view.error == ""
    assert drawn(view.mark_lik)[0].tolist() == [0.8]

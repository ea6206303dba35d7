"""The likelihood view, driven headless through its model: what is DRAWN equals actviz.maths.likelihood."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import numpy as np
import pyqtgraph as pg
import pytest
from actviz_views.likelihood_model import LikelihoodModel

from actviz.cli import main
from actviz.gui import History, ModelError, build_view, close_view
from actviz.host.registry import Registry
from actviz.maths import likelihood as lk
from actviz.specs import Loss, Param
from tests.conftest import settle


def drawn(item):
    """The data handed to a curve (not a view-clipped subset), or a bar graph's x and heights."""
    if isinstance(item, pg.BarGraphItem):
        return np.asarray(item.opts["x"], dtype=float), np.asarray(item.opts["height"], dtype=float)
    x, y = item.getData() if isinstance(item, pg.ScatterPlotItem) else (item.xData, item.yData)
    return (np.zeros(0) if x is None else np.asarray(x)), (np.zeros(0) if y is None else np.asarray(y))


def as_drawn(values):
    return np.where(np.isfinite(values), values, np.nan)


@pytest.fixture
def view(registry, qtbot):
    v, app = build_view(registry, "likelihood")
    yield v
    close_view(v, app)


def show(view, **settings):
    """Set keys through the model (any order, ``loss.K`` spelled ``loss__K``) and redraw now."""
    view.model.update({k.replace("__", "."): v for k, v in settings.items()})
    view.refresh()
    assert view.error == ""
    return view


# ---------------------------------------------------------------- plot 1: E = −c ln p + const

def test_default_is_squared_error_with_the_gaussian_constant(view, registry):
    spec = registry.losses["squared_error"]
    assert view.model["loss"] == "squared_error" and view.model["loss.t"] == 1.0
    y, e = drawn(view.curve_e)
    np.testing.assert_allclose(e, spec.function(y, 1.0))
    _, nlp = drawn(view.curve_nlp)
    np.testing.assert_allclose(nlp, -spec.noise_model.log_density(1.0, y))
    _, fitted = drawn(view.curve_fit)
    np.testing.assert_allclose(fitted, e, atol=1e-12)  # E and c·(−ln p) + const are the same curve
    assert view.fit.fit.c == pytest.approx(1.0)
    assert view.fit.fit.const == pytest.approx(-0.5 * np.log(2 * np.pi))  # ½(t−y)² = −ln N − ½ln 2π
    assert "c = <b>1</b>" in view.fit_text.text() and "-0.918939" in view.fit_text.text()
    assert "0.9189" in view.plot_e.titleLabel.text


@pytest.mark.parametrize("name", ["absolute_error", "binary_cross_entropy", "categorical_cross_entropy",
                                  "poisson_nll", "cauchy_loss"])
def test_drawn_loss_and_fitted_negative_log_likelihood_agree(view, registry, name):
    spec = registry.losses[name]
    show(view, loss=name)
    y, e = drawn(view.curve_e)
    _, fitted = drawn(view.curve_fit)
    ok = np.isfinite(e)
    assert ok.sum() > 100
    np.testing.assert_allclose(fitted[ok], e[ok], atol=1e-8)
    fit = lk.fit_scale_offset(spec, t=[view.model.t], params=view.model.params)
    assert (view.fit.fit.c, view.fit.fit.const) == (pytest.approx(fit.c), pytest.approx(fit.const))


# ---------------------------------------------------------------- plot 2: p(t | y)

def test_density_drawn_equals_density_over_t(view, registry):
    show(view, loss="absolute_error", y=0.5)
    nm = registry.losses["absolute_error"].noise_model
    t, p = drawn(view.curve_p)
    np.testing.assert_allclose(p, lk.density_over_t(nm, 0.5, t).p)
    assert t[np.argmax(p)] == pytest.approx(0.5, abs=0.02)
    assert view.curve_p.isVisible() and not view.bars_p.isVisible()


def test_binary_and_categorical_pmfs_are_bars(view, registry):
    show(view, loss="binary_cross_entropy", y=0.2)
    x, h = drawn(view.bars_p)
    np.testing.assert_allclose(x, [0.0, 1.0])
    np.testing.assert_allclose(h, [0.8, 0.2])
    assert view.bars_p.isVisible() and not view.curve_p.isVisible()
    show(view, loss="categorical_cross_entropy", loss__K=4, y=0.4)
    x, h = drawn(view.bars_p)
    d = lk.density_over_t(registry.losses["categorical_cross_entropy"].noise_model, 0.4, params={"K": 4.0})
    np.testing.assert_allclose(x, d.t)
    np.testing.assert_allclose(h, d.p)
    assert h.sum() == pytest.approx(1.0) and x.size == 4


# ---------------------------------------------------------------- plot 3: the three routes agree

@pytest.mark.parametrize("name,statistic", [("squared_error", np.mean), ("absolute_error", np.median),
                                            ("binary_cross_entropy", np.mean)])
def test_argmin_loss_equals_argmax_likelihood_equals_closed_form(view, registry, name, statistic):
    spec = registry.losses[name]
    show(view, loss=name, seed=3, n=41)
    targets = lk.sample_targets(spec.noise_model, view.model["y_true"], 41, 3, view.model.params)
    np.testing.assert_array_equal(view.targets, targets)
    grid, total = drawn(view.curve_sum)
    _, ll = drawn(view.curve_ll)
    np.testing.assert_allclose(total, as_drawn(lk.total_loss(spec, grid, targets)))
    np.testing.assert_allclose(ll, as_drawn(lk.log_likelihood(spec.noise_model, grid, targets)))
    argmin = grid[np.nanargmin(total)]
    argmax = grid[np.nanargmax(ll)]
    assert argmin == argmax == pytest.approx(statistic(targets), abs=1e-12)
    assert drawn(view.mark_min)[0][0] == argmin and drawn(view.mark_max)[0][0] == argmax
    assert view.vlines["closed"][0].value() == pytest.approx(statistic(targets))
    assert view.ml_text.text().count(f"{argmin:.4g}") == 3 and "coincide" in view.ml_text.text()


def test_absolute_error_minimiser_sits_on_the_median_not_the_mean(view):
    show(view, loss="absolute_error", n=101, seed=11)
    grid, total = drawn(view.curve_sum)
    best = grid[np.nanargmin(total)]
    assert best == np.median(view.targets) != pytest.approx(np.mean(view.targets), abs=1e-3)
    assert "median" in view.plot_h.titleLabel.text


def test_loss_without_closed_form_still_agrees(view):
    show(view, loss="cauchy_loss")
    assert view.ml.closed_form is None and not view.vlines["closed"][0].isVisible()
    assert view.ml.argmin_loss == view.ml.argmax_likelihood
    assert "no closed-form" in view.ml_text.text()


# ---------------------------------------------------------------- the model drives the drawing

def test_keys_change_the_drawn_data(view):
    _, e0 = drawn(view.curve_e)
    show(view, loss__t=-1.5)
    _, e1 = drawn(view.curve_e)
    assert not np.allclose(e0, e1)
    _, p0 = drawn(view.curve_p)
    show(view, y=1.0)
    assert drawn(view.mark_e)[0][0] == 1.0 and view.line_y.value() == 1.0
    assert not np.allclose(p0, drawn(view.curve_p)[1])
    before = view.targets.copy()
    show(view, seed=7)
    assert not np.array_equal(before, view.targets)
    show(view, n=9)
    assert view.targets.size == 9 and drawn(view.bars_h)[1].sum() <= 9
    show(view, y_true=-2.0)
    assert view.ml.argmin_loss == pytest.approx(np.mean(view.targets)) and np.mean(view.targets) < -1.0


def test_loss_parameters_are_namespaced_keys(view, registry):
    show(view, loss="gaussian_nll", loss__var=4.0, y=0.0)
    nm = registry.losses["gaussian_nll"].noise_model
    t, p = drawn(view.curve_p)
    np.testing.assert_allclose(p, np.exp(nm.log_density(t, 0.0, var=4.0)))
    assert "loss.var" in view.panel.widgets and "var" not in view.panel.widgets
    all_keys = {k.name for k in view.model.all_keys()}
    assert {"loss.var", "loss.K", "loss.delta", "loss.t", "y", "seed", "n", "y_true"} <= all_keys


def test_the_function_list_sets_the_loss():
    field = next(f for f in LikelihoodModel(None).fields if f.name == "loss")
    assert field.browse and field.kind == "loss"


def test_y_takes_the_range_of_the_loss(view, qtbot):
    show(view, y=2.5)
    show(view, loss="binary_cross_entropy")  # another kind of y: y and y_true start from its defaults
    assert (view.model["y"], view.model["y_true"]) == (0.7, 0.3)
    settle(qtbot)
    assert (view.panel.widgets["y"].param.low, view.panel.widgets["y"].param.high) == (0.001, 0.999)
    with pytest.raises(ModelError, match=r"y=2 is outside \[0.001, 0.999\] for loss binary_cross_entropy"):
        view.model.set("y", 2.0)
    show(view, loss="squared_error", y=2.0)  # both at once, in either order
    show(view, y=0.25, loss="binary_cross_entropy")
    assert view.model["y"] == 0.25


def test_bad_values_are_refused_with_a_reason(view):
    model = view.model
    with pytest.raises(ModelError, match=r"^n=0 is outside"):
        model.set("n", 0)
    with pytest.raises(ModelError, match=r"^seed=1.5 is not a whole number"):
        model.set("seed", 1.5)
    with pytest.raises(ModelError, match="loss='nonsense' is not an installed loss"):
        model.set("loss", "nonsense")
    with pytest.raises(ModelError, match=r"loss.K applies only when loss=categorical_cross_entropy"):
        model.set("loss.K", 3)  # squared error has no K


# ---------------------------------------------------------------- model: order, state, undo

def test_update_takes_keys_in_any_order_and_names_a_bad_one(registry):
    model = LikelihoodModel(registry)
    model.update({"loss.K": 5, "y": 0.25, "loss": "categorical_cross_entropy"})  # the dependent key first
    assert (model["loss"], model["loss.K"], model["y"]) == ("categorical_cross_entropy", 5.0, 0.25)
    before = model.values()
    with pytest.raises(ModelError, match=r"^n="):
        model.update({"seed": 4, "n": -3, "loss": "squared_error"})
    assert model.values() == before  # all or nothing


def test_state_round_trips_on_a_fresh_model(registry):
    model = LikelihoodModel(registry)
    model.update({"loss": "categorical_cross_entropy", "loss.K": 5, "y": 0.25, "seed": 4, "n": 30,
                  "y_true": 0.6})
    model.update({"loss": "huber", "loss.delta": 2.0})
    model.set("loss", "categorical_cross_entropy")  # K = 5 is remembered
    state = model.state()
    other = LikelihoodModel(registry)
    assert other.restore(state) == []
    assert other.values() == model.values() and other["loss.K"] == 5.0
    other.set("loss", "huber")
    assert other["loss.delta"] == 2.0


def test_undo_and_redo_restore_the_drawn_curves(registry, qtbot):
    history = History()
    v, app = build_view(registry, "likelihood", history=history)
    try:
        first = drawn(v.curve_e)[1].copy(), drawn(v.curve_sum)[1].copy()
        v.model.update({"loss": "absolute_error", "loss.t": -1.0})
        v.model.set("seed", 9)
        settle(qtbot)
        second = drawn(v.curve_e)[1].copy(), drawn(v.curve_sum)[1].copy()
        assert not np.allclose(first[0], second[0])
        history.undo()
        history.undo()
        settle(qtbot)
        assert v.model["loss"] == "squared_error"
        np.testing.assert_array_equal(drawn(v.curve_e)[1], first[0])
        np.testing.assert_array_equal(drawn(v.curve_sum)[1], first[1])
        history.redo()
        history.redo()
        settle(qtbot)
        np.testing.assert_array_equal(drawn(v.curve_e)[1], second[0])
        np.testing.assert_array_equal(drawn(v.curve_sum)[1], second[1])
    finally:
        close_view(v, app)


def test_legends_are_opaque_and_axes_have_no_si_prefix(view):
    background = view.layout_widget.backgroundBrush().color()
    for legend in (view.legend_e, view.legend_p, view.legend_h):
        assert legend.opts["brush"].color() == background and legend.opts["brush"].color().alpha() == 255
    for plot in view.plots:
        assert not plot.getAxis("left").autoSIPrefix and not plot.getAxis("bottom").autoSIPrefix


# ---------------------------------------------------------------- a loss without a noise model

@pytest.fixture
def plain_registry(registry):
    plain = Loss(name="tukey_biweight", label="Tukey biweight", formula="E=(y-t)^4",
                 function=lambda y, t: (y - t) ** 4, target=Param("t", 0.0, -1.0, 1.0), plugin="test")
    return Registry(losses={**registry.losses, "tukey_biweight": plain}, views=registry.views)


def test_a_loss_without_a_noise_model_says_so_in_place_of_the_plots(plain_registry, qtbot):
    v, app = build_view(plain_registry, "likelihood", settings={"loss": "tukey_biweight"})
    try:
        assert v.error == ""
        assert v.cannot_draw() == "loss tukey_biweight has no noise model; the likelihood view needs one"
        assert "declares no noise model" in v.message.text() and v.message.isVisibleTo(v)
        assert not v.layout_widget.isVisibleTo(v)
        assert v.export_columns() == {}
        v.model.set("loss", "squared_error")
        v.refresh()
        assert v.cannot_draw() == "" and not v.message.isVisibleTo(v) and v.layout_widget.isVisibleTo(v)
        assert drawn(v.curve_e)[1].size > 100
    finally:
        close_view(v, app)


# ---------------------------------------------------------------- headless export

def test_export_csv_has_named_columns(tmp_path):
    out = tmp_path / "likelihood.csv"
    assert main(["export", "--view", "likelihood", "--set", "n=31", "--set", "seed=2",
                 "--set", "loss=absolute_error", "--out", str(out)]) == 0
    with open(out, newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for name in ("y", "E(y;t)", "-ln p(t|y)", "c*(-ln p)+const", "t (density)", "p(t|y)", "targets",
                 "candidate y", "total loss", "log-likelihood", "argmin total loss", "argmax log-likelihood",
                 "closed form", "c", "const"):
        assert name in header
    col = {name: [float(r[i]) for r in rows[1:] if i < len(r) and r[i] != ""] for i, name in enumerate(header)}
    assert len(col["targets"]) == 31
    assert col["argmin total loss"][0] == col["argmax log-likelihood"][0] == col["closed form"][0]
    assert col["closed form"][0] == pytest.approx(np.median(col["targets"]))
    assert col["const"][0] == pytest.approx(-np.log(2.0))


def test_export_png_and_svg(tmp_path):
    png, svg = tmp_path / "l.png", tmp_path / "l.svg"
    assert main(["export", "--view", "likelihood", "--set", "loss=binary_cross_entropy", "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["export", "--view", "likelihood", "--set", "loss.K=6", "--set", "loss=categorical_cross_entropy",
                 "--out", str(svg)]) == 0
    ET.parse(svg)


def test_export_refuses_bad_keys_and_values(tmp_path, capsys):
    out = str(tmp_path / "x.csv")
    assert main(["export", "--view", "likelihood", "--set", "bogus=1", "--out", out]) == 2
    assert main(["export", "--view", "likelihood", "--set", "loss=nope", "--out", out]) == 2
    assert main(["export", "--view", "likelihood", "--set", "n=0", "--out", out]) == 2
    assert "n=0 is outside" in capsys.readouterr().err


def test_export_help_lists_the_keys(capsys):
    assert main(["export", "--view", "likelihood", "--help"]) == 0
    out = capsys.readouterr().out
    for key in ("loss", "loss.t", "loss.K", "y", "seed", "n", "y_true"):
        assert f"  {key} " in out


def test_a_quantile_estimator_is_named_with_its_level(registry):
    from dataclasses import replace

    from actviz_views.likelihood_text import estimator_word

    spec = registry.losses["absolute_error"]
    nm = replace(spec.noise_model, estimator="quantile")
    object.__setattr__(nm, "estimator_param", "tau")  # the field another change adds to NoiseModel
    assert estimator_word(replace(spec, noise_model=nm), "quantile", {"tau": 0.9}) == "quantile 0.9"
    assert estimator_word(spec, "median", {}) == "median"

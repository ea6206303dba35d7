"""Tests for the example plugin. Copy and adapt: change the names and the reference values.

Run with ``pytest`` from the plugin directory after ``pip install -e '.[test]'``: the tests
go through the real entry point, so the distribution must be installed. There is no
conftest.py: installing actviz brings the fixtures used here (``actviz_registry``,
``assert_actviz_plugin_ok``, ``actviz_view``, ``install_actviz_plugin``; see
``actviz.pytest_plugin``). Only public names are imported: ``actviz``, ``actviz.models``,
``actviz.testing``.
"""

from __future__ import annotations

import itertools
import math

import actviz_example
import numpy as np
import pytest
from actviz_example.model import SAMPLES, SlopeModel, slope_histogram

from actviz.models import History, ModelError
from actviz.testing import view_curves

PLUGIN = "example"  # the entry-point name in pyproject.toml
NAMES = ["squareplus", "cauchy_loss"]
VIEW = "example_slopes"
Z = np.linspace(-1000.0, 1000.0, 20001)


@pytest.fixture(scope="module")
def registry(actviz_registry):
    """This plugin and actviz's built-ins, no other third party; loaded once for the module."""
    return actviz_registry(PLUGIN)


def corners(spec):
    """The defaults, then every corner of the parameter box (what `actviz check` probes)."""
    yield spec.defaults
    for combo in itertools.product(*[(p.low, p.high) for p in spec.params]):
        yield {p.name: v for p, v in zip(spec.params, combo, strict=True)}


def test_installed_and_loaded_through_the_entry_point(registry):
    mine = [s.name for s in registry.functions() if s.plugin == PLUGIN]
    assert mine == NAMES, "is the plugin installed? run: pip install -e ."
    assert registry.views[VIEW].plugin == PLUGIN


def test_actviz_check_finds_nothing(assert_actviz_plugin_ok, registry):
    """What `actviz check` runs: every parameter corner, the derivative against central differences."""
    assert_actviz_plugin_ok(PLUGIN, registry)


# Reference values worked out by hand.

def test_squareplus_values():
    f = actviz_example.squareplus
    assert f(np.array([0.0]), 4.0)[0] == 1.0  # √b/2
    assert f(np.array([3.0]), 16.0)[0] == 4.0  # (3 + 5)/2
    np.testing.assert_array_equal(f(Z, 0.0), np.maximum(Z, 0.0))  # b = 0 is ReLU
    # the tail keeps its relative accuracy: b/(2(√(z²+b) − z)) ≈ b/(4|z|)
    assert f(np.array([-1000.0]), 4.0)[0] == pytest.approx(4.0 / (2 * (math.sqrt(1e6 + 4) + 1000)), rel=1e-14)


def test_squareplus_derivative():
    d = actviz_example.squareplus_derivative
    assert d(np.array([0.0]), 4.0)[0] == 0.5
    assert d(np.array([3.0]), 16.0)[0] == pytest.approx(0.5 * (1 + 3 / 5))
    assert d(np.array([0.0]), 0.0)[0] == 0.5


def test_cauchy_values():
    E = actviz_example.cauchy_loss
    assert E(np.array([1.0]), 0.0, 1.0)[0] == pytest.approx(math.log(2.0))
    assert E(np.array([2.5]), 0.5, 2.0)[0] == pytest.approx(math.log(2.0))  # |y − t| = γ
    assert E(np.array([0.5]), 0.5, 2.0)[0] == 0.0


@pytest.mark.parametrize("name", NAMES)
def test_silent_and_finite_at_every_corner(registry, name):
    spec = registry.get(name)
    args = (spec.target.default,) if spec.kind == "loss" else ()
    for params in corners(spec):
        with np.errstate(divide="raise", over="raise", invalid="raise"):
            value = spec.function(Z, *args, **params)
            slope = spec.derivative(Z, *args, **params)
        assert np.isfinite(value).all() and np.isfinite(slope).all(), params


def test_derivatives_match_central_differences(registry):
    z = np.linspace(-8.0, 8.0, 1601)
    z = z[np.abs(z) > 1e-3]
    h = 1e-6
    for spec in (registry.get(n) for n in NAMES):
        args = (0.3,) if spec.kind == "loss" else ()
        for params in corners(spec):
            numeric = (spec.function(z + h, *args, **params) - spec.function(z - h, *args, **params)) / (2 * h)
            np.testing.assert_allclose(spec.derivative(z, *args, **params), numeric, rtol=1e-6, atol=1e-6)


# The noise model: E must be −c·ln p + const, and p must be a normalised density.

def test_cauchy_loss_is_the_cauchy_negative_log_likelihood(registry):
    spec = registry.get("cauchy_loss")
    nm = spec.noise_model
    y = np.linspace(-3.0, 3.0, 25)
    for params in corners(spec):
        for t in np.linspace(-3.0, 3.0, 7):
            e = spec.function(y, t, **params)
            nll = -nm.log_density(np.full_like(y, t), y, **params)
            # c = 1 and const = −ln(πγ), the same at every (y, t)
            np.testing.assert_allclose(e - nll, -math.log(math.pi * params["gamma"]), atol=1e-12)


def test_cauchy_density_normalises(registry):
    spec = registry.get("cauchy_loss")
    for params in corners(spec):
        gamma = params["gamma"]
        t = np.linspace(-200.0, 200.0, 400001)
        mass = np.trapezoid(np.exp(spec.noise_model.log_density(t, 0.0, **params)), t)
        # heavy tails: the mass inside ±L is (2/π) arctan(L/γ), not 1
        assert mass == pytest.approx(2 / math.pi * math.atan(200.0 / gamma), abs=1e-6)


def test_cauchy_log_density_is_silent_for_huge_residuals(registry):
    nm = registry.get("cauchy_loss").noise_model
    with np.errstate(divide="raise", over="raise", invalid="raise"):  # underflow to 0 is harmless
        lp = nm.log_density(np.array([-1e300, 0.0, 1e300]), 0.0, gamma=0.1)
    assert np.isfinite(lp).all()


def test_cauchy_samples(registry):
    nm = registry.get("cauchy_loss").noise_model
    s = nm.sample(1.5, 100000, np.random.default_rng(1), gamma=2.0)
    assert s.shape == (100000,)
    assert np.median(s) == pytest.approx(1.5, abs=0.05)  # the median, not the mean, locates a Cauchy
    q1, q3 = np.quantile(s, [0.25, 0.75])
    assert (q3 - q1) / 2 == pytest.approx(2.0, rel=0.05)  # the half inter-quartile range is γ


# The view's model: no Qt, so these tests need no display and no pytest-qt.

def test_the_model_declares_its_keys(registry):
    model = SlopeModel(registry)
    assert model["activation"] == "logistic"  # the preferred default, since the built-ins have it
    own = {f"activation.{p.name}" for p in registry.get("logistic").params}  # its parameters' keys
    assert set(model.values()) == {"activation", "sigma", "bins"} | own
    model.set("activation", "squareplus")
    # the chosen activation's parameters become keys of their own, namespaced by the control
    assert model.values() == {"activation": "squareplus", "activation.b": 4.0, "sigma": 2.0, "bins": 40.0}
    assert model.spec.name == "squareplus" and model.params == {"b": 4.0}


def test_the_model_round_trips_its_state(registry):
    model = SlopeModel(registry)
    model.update({"activation": "squareplus", "activation.b": 0.5, "sigma": 7.5, "bins": 12})
    fresh = SlopeModel(registry)
    assert fresh.restore(model.state()) == []  # nothing could not be applied
    assert fresh.values() == model.values()
    fresh.set("activation", "logistic")
    fresh.set("activation", "squareplus")
    assert fresh["activation.b"] == 0.5  # values are remembered per function


def test_the_model_takes_keys_in_any_order_and_names_a_bad_one(registry):
    model = SlopeModel(registry)
    model.update({"activation.b": 9.0, "sigma": 3.0, "activation": "squareplus"})  # parameter before its function
    assert model.params == {"b": 9.0} and model["sigma"] == 3.0
    with pytest.raises(ModelError, match="sigma"):
        model.update({"bins": 10, "sigma": 100})
    assert model["bins"] == 40.0 and model["sigma"] == 3.0  # all or nothing
    with pytest.raises(ModelError, match="activation"):
        model.set("activation", "no_such_function")


def test_the_histogram_numbers(registry):
    spec = registry.get("squareplus")
    hist = slope_histogram(spec, {"b": 0.0}, sigma=1.0, bins=10)  # b = 0 is ReLU: f′ is 0 or 1
    assert hist.edges.tolist() == pytest.approx(np.linspace(0.0, 1.0, 11).tolist())
    assert hist.fractions.sum() == pytest.approx(1.0)
    assert hist.fractions[0] == pytest.approx(0.5, abs=0.02) and hist.fractions[-1] == pytest.approx(0.5, abs=0.02)
    assert hist.problem == ""


# The view itself: built headless by the actviz_view fixture (needs pytest-qt).

def test_the_view_draws_the_histogram(registry, actviz_view):
    view = actviz_view(registry, VIEW, settings={"activation": "logistic", "sigma": 0.1, "bins": 20})
    assert view.error == ""
    edges, fractions = view_curves(view)["fraction"]
    assert edges.size == 21 and fractions.sum() == pytest.approx(1.0)
    # z ~ N(0, 0.01): the logistic slope σ(z)(1 − σ(z)) stays within a hair of its peak ¼
    assert edges[0] > 0.24 and edges[-1] <= 0.25 + 1e-12
    view.model.set("sigma", 10)
    view.refresh()
    edges, _ = view_curves(view)["fraction"]
    assert edges[0] < 0.01  # large σ: most inputs in the flat tails, slopes near 0
    assert set(view.export_columns()) == {"slope bin left", "slope bin right", "fraction"}


def test_the_views_panel_edits_the_model(registry, actviz_view):
    view = actviz_view(registry, VIEW, settings={"activation": "squareplus"})
    assert "activation.b" in view.panel.widgets  # the function's parameter has a control
    view.panel.widgets["sigma"].setValue(5.0)  # what a user's drag does
    assert view.model["sigma"] == 5.0
    view.model.set("activation.b", 0.0)  # and the model's changes show in the panel
    assert view.panel.widgets["activation.b"].value() == 0.0


def test_undo_and_redo_restore_the_drawing(registry, actviz_view):
    history = History()
    view = actviz_view(registry, VIEW, history=history)
    before = view_curves(view)["fraction"]
    view.model.update({"activation": "squareplus", "sigma": 6.0})
    view.refresh()
    after = view_curves(view)["fraction"]
    assert not np.array_equal(before[0], after[0])
    history.undo()
    view.refresh()
    np.testing.assert_array_equal(view_curves(view)["fraction"][0], before[0])
    np.testing.assert_array_equal(view_curves(view)["fraction"][1], before[1])
    history.redo()
    view.refresh()
    np.testing.assert_array_equal(view_curves(view)["fraction"][0], after[0])


BROKEN = """
    import numpy as np
    import actviz

    def fragile_slope(z):
        if z.size == {samples}:  # fine for actviz's probe, broken for the view's {samples} samples
            raise ArithmeticError("too many inputs")
        return 1.0 - np.tanh(z) ** 2

    @actviz.hookimpl
    def actviz_activations():
        return [actviz.Activation(name="fragile", label="Fragile", formula="f(z)=tanh z",
                                  function=lambda z: np.tanh(z), derivative=fragile_slope)]
"""


def test_a_broken_function_is_a_message_not_a_crash(actviz_registry, install_actviz_plugin, actviz_view):
    install_actviz_plugin("fragile", BROKEN.format(samples=SAMPLES))
    registry = actviz_registry(PLUGIN, "fragile")
    view = actviz_view(registry, VIEW, settings={"activation": "fragile"})
    assert view.error == ""  # the view did not fail
    assert "too many inputs" in view.warning.text()
    assert view_curves(view)["fraction"][1].size == 0

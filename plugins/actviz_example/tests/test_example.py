"""Tests for the example plugin. Copy and adapt: change the names and the reference values.

Run with ``pytest`` from the plugin directory after ``pip install -e '.[test]'``: the first
tests go through the real entry point, so the distribution must be installed.
"""

from __future__ import annotations

import math

import actviz_example
import numpy as np
import pytest

import actviz
from actviz.host.registry import check_spec, parameter_corners

PLUGIN = "example"  # the entry-point name in pyproject.toml
NAMES = ["squareplus", "cauchy_loss"]
Z = np.linspace(-1000.0, 1000.0, 20001)


@pytest.fixture(scope="module")
def registry():
    return actviz.load_registry()


def test_installed_and_loaded_through_the_entry_point(registry):
    mine = [s.name for s in registry.functions() if s.plugin == PLUGIN]
    assert mine == NAMES, "is the plugin installed? run: pip install -e ."
    assert [str(p) for p in registry.problems if p.plugin == PLUGIN] == []


@pytest.mark.parametrize("name", NAMES)
def test_actviz_check_finds_nothing(registry, name):
    """What `actviz check` runs: every parameter corner, the derivative against central differences."""
    assert check_spec(registry.get(name), deep=True) == []


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
    for params in parameter_corners(spec):
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
        for params in parameter_corners(spec):
            numeric = (spec.function(z + h, *args, **params) - spec.function(z - h, *args, **params)) / (2 * h)
            np.testing.assert_allclose(spec.derivative(z, *args, **params), numeric, rtol=1e-6, atol=1e-6)


# The noise model: E must be −c·ln p + const, and p must be a normalised density.

def test_cauchy_loss_is_the_cauchy_negative_log_likelihood(registry):
    spec = registry.get("cauchy_loss")
    nm = spec.noise_model
    y = np.linspace(-3.0, 3.0, 25)
    for params in parameter_corners(spec):
        for t in np.linspace(-3.0, 3.0, 7):
            e = spec.function(y, t, **params)
            nll = -nm.log_density(np.full_like(y, t), y, **params)
            # c = 1 and const = −ln(πγ), the same at every (y, t)
            np.testing.assert_allclose(e - nll, -math.log(math.pi * params["gamma"]), atol=1e-12)


def test_cauchy_density_normalises(registry):
    spec = registry.get("cauchy_loss")
    for params in parameter_corners(spec):
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


# The view: it is registered under this plugin's name and draws a histogram of slopes.

def test_the_view_is_registered_and_draws(registry):
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed
    from actviz.gui.headless import build_view, close_view  # Qt only here, as in create()

    assert "example_slopes" in registry.views
    assert registry.views["example_slopes"].plugin == PLUGIN
    view, app = build_view(registry, "example_slopes")
    try:
        view.apply_settings({"activation": "logistic", "sigma": "0.1", "bins": "20"})
        view.refresh()
        assert view.error == ""
        edges, fractions = view.curve.xData, view.curve.yData
        assert edges.size == 21 and fractions.sum() == pytest.approx(1.0)
        # z ~ N(0, 0.01): the logistic slope σ(z)(1 − σ(z)) stays within a hair of its peak ¼
        assert edges[0] > 0.24 and edges[-1] <= 0.25 + 1e-12
        view.apply_settings({"sigma": "10"})
        view.refresh()
        assert view.curve.xData[0] < 0.01  # large σ: most inputs in the flat tails, slopes near 0
        assert set(view.export_columns()) == {"slope bin left", "slope bin right", "fraction"}
        with pytest.raises(ValueError):
            view.set_control("sigma", 100.0)
    finally:
        close_view(view, app)

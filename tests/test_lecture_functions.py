"""The lecture's functions: right where the lecture is wrong, silent and stable everywhere."""

from __future__ import annotations

import math

import numpy as np
import pytest

from actviz.host.registry import check_spec, kinks_of, parameter_corners, targets

Z = np.linspace(-1000.0, 1000.0, 20001)
NEAR = np.linspace(-8.0, 8.0, 1601)
ACTIVATIONS = ["binary_step", "linear", "logistic", "tanh", "relu", "leaky_relu", "softplus", "elu", "rbf",
               "maxout", "softmax", "piecewise_linear", "gaussian"]
LOSSES = ["squared_error", "absolute_error", "binary_cross_entropy", "categorical_cross_entropy"]


def test_the_lecture_set_is_complete(registry):
    lecture = [n for n, s in registry.activations.items() if s.plugin == "lecture"]
    assert lecture == ACTIVATIONS
    assert [n for n, s in registry.losses.items() if s.plugin == "lecture"] == LOSSES
    assert not [p for p in registry.problems if p.plugin == "lecture"]


@pytest.mark.parametrize("name", ACTIVATIONS + LOSSES)
def test_deep_check_is_clean(registry, name):
    assert check_spec(registry.get(name), deep=True) == []


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_is_silent_and_finite_everywhere(registry, name):
    spec = registry.activations[name]
    for params in parameter_corners(spec):
        with np.errstate(divide="raise", over="raise", invalid="raise"):  # underflow to 0 is silent by default
            y = spec.function(Z, **params)
            d = spec.derivative(Z, **params)
        assert y.shape == Z.shape and d.shape == Z.shape
        assert np.isfinite(y).all() and np.isfinite(d).all(), params


@pytest.mark.parametrize("name", LOSSES)
def test_loss_is_silent_and_finite_inside_its_domain(registry, name):
    spec = registry.losses[name]
    y = np.linspace(1e-9, 1 - 1e-9, 5001) if spec.domain == "probability" else Z
    for params in parameter_corners(spec):
        for t in targets(spec):
            with np.errstate(divide="raise", over="raise", invalid="raise"):  # underflow to 0 is silent by default
                e = spec.function(y, t, **params)
                g = spec.gradient(y, t, **params)
            assert np.isfinite(e).all() and np.isfinite(g).all(), (params, t)


def central(f, z, h=1e-6):
    return (f(z + h) - f(z - h)) / (2 * h)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_derivative_matches_central_differences(registry, name):
    spec = registry.activations[name]
    for params in parameter_corners(spec):
        kinks = np.array(kinks_of(spec, params, None) or [np.inf])
        z = NEAR[np.min(np.abs(NEAR[:, None] - kinks[None, :]), axis=1) > 1e-3]
        analytic = spec.derivative(z, **params)
        numeric = central(lambda v, p=params: spec.function(v, **p), z)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-6 * max(1.0, np.abs(analytic).max()),
                                   err_msg=f"{name} {params}")


@pytest.mark.parametrize("name", LOSSES)
def test_loss_gradient_matches_central_differences(registry, name):
    spec = registry.losses[name]
    y = np.linspace(0.02, 0.98, 97) if spec.domain == "probability" else NEAR
    for params in parameter_corners(spec):
        for t in targets(spec):
            ys = y[np.abs(y - t) > 1e-3]
            analytic = spec.gradient(ys, t, **params)
            numeric = central(lambda v, t=t, p=params: spec.function(v, t, **p), ys, h=1e-7)
            np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-6, err_msg=f"{name} t={t}")


# -- the errata (../shared/DESIGN.md) -----------------------------------------------------------

def test_binary_step_is_zero_at_zero_and_flat(registry):
    s = registry.activations["binary_step"]
    np.testing.assert_array_equal(s.function(np.array([-1.0, 0.0, 1e-300, 2.0])), [0, 0, 1, 1])
    assert not s.derivative(np.array([-1.0, 0.0, 1.0])).any()


def test_tanh_has_the_2z_exponent(registry):
    s = registry.activations["tanh"]
    z = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(s.function(z), 2 / (1 + np.exp(-2 * z)) - 1, atol=1e-15)
    y = s.function(z)
    np.testing.assert_allclose(s.derivative(z), (1 + y) * (1 - y), atol=1e-15)


def test_logistic_derivative_keeps_beta(registry):
    s = registry.activations["logistic"]
    z = np.linspace(-3, 3, 7)
    y = s.function(z, beta=3.0)
    np.testing.assert_allclose(s.derivative(z, beta=3.0), 3.0 * y * (1 - y), rtol=1e-12)


def test_gaussian_derivative_uses_mu(registry):
    s = registry.activations["gaussian"]
    z = np.linspace(-3, 3, 7)
    f = s.function(z, mu=1.5, sigma=0.7)
    np.testing.assert_allclose(s.derivative(z, mu=1.5, sigma=0.7), -(z - 1.5) * f / 0.7 ** 2, rtol=1e-12)
    assert s.function(np.array([0.0]), mu=0.0, sigma=1.0)[0] == pytest.approx(1 / math.sqrt(2 * math.pi))


def test_piecewise_linear_slope_is_one_over_the_width(registry):
    s = registry.activations["piecewise_linear"]
    assert s.derivative(np.array([0.0]), xmin=-2.0, xmax=2.0)[0] == pytest.approx(0.25)


def test_cross_entropy_is_the_negative_log_likelihood(registry):
    s = registry.losses["binary_cross_entropy"]
    y = np.array([0.2, 0.7])
    np.testing.assert_allclose(s.function(y, 1.0), -np.log(y))
    assert (s.function(y, 0.3) > 0).all()
    np.testing.assert_allclose(s.gradient(y, 1.0), (y - 1) / (y * (1 - y)))


def test_relu_kink_follows_pytorch(registry):
    assert registry.activations["relu"].derivative(np.array([0.0]))[0] == 0.0
    assert registry.activations["leaky_relu"].derivative(np.array([0.0]), alpha=0.1)[0] == pytest.approx(0.1)


def test_softmax_output_is_a_probability(registry):
    s = registry.activations["softmax"]
    z = np.array([-1000.0, 0.0, 1000.0])
    y = s.function(z, z2=0.0, z3=0.0)
    np.testing.assert_allclose(y, [0.0, 1 / 3, 1.0], atol=1e-15)

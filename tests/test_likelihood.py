"""Losses as negative log-likelihoods, and the three routes to the maximum-likelihood y."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import actviz
from actviz.host.evaluation import EvaluationError
from actviz.maths import likelihood as lk
from actviz.maths import noise_models
from actviz.specs import Loss, NoiseModel

REG = actviz.load_registry()
WITH_NOISE = sorted(name for name, loss in REG.losses.items() if loss.noise_model is not None)
HALF_LN_2PI = 0.5 * math.log(2 * math.pi)


def loss(name: str) -> Loss:
    return REG.losses[name]


def grid_for(spec: Loss, n: int = 1601) -> np.ndarray:
    if spec.domain == "probability":
        return np.linspace(0.0, 1.0, n)  # the ends included: E is inf there, and must not win
    return np.linspace(-3.0, 3.0, n)


# ---------------------------------------------------------------- E = −c ln p + const

def test_every_builtin_loss_has_a_noise_model():
    assert {"squared_error", "absolute_error", "binary_cross_entropy", "categorical_cross_entropy"} <= set(WITH_NOISE)


@pytest.mark.parametrize("name", WITH_NOISE)
def test_loss_is_scaled_negative_log_likelihood(name):
    spec = loss(name)
    fit = lk.fit_scale_offset(spec, params=spec.defaults)
    assert fit.identifiable and fit.points > 100
    assert fit.c == pytest.approx(1.0, abs=1e-9)
    assert fit.max_residual < 1e-8
    # off the fitting grid too: random (y, t) pairs obey the same identity
    rng = np.random.default_rng(0)
    ys = rng.uniform(0.01, 0.99, 200) if spec.domain == "probability" else rng.uniform(-4, 4, 200)
    ts = rng.choice(lk.target_values(spec), 200)
    e = lk._loss_values(spec, ys, ts, spec.defaults)
    x = -lk.log_density(spec.noise_model, ts, ys, spec.defaults)
    if name == "poisson_nll":  # the constant is −ln t!, constant in y only
        assert fit.const_spread > 1.0
        np.testing.assert_allclose(e - fit.c * x, -np.vectorize(math.lgamma)(ts + 1), atol=1e-9)
    else:
        assert fit.const_spread < 1e-9
        np.testing.assert_allclose(e, fit.c * x + fit.const, atol=1e-9)


def test_squared_error_constant_comes_out_of_the_fit():
    c, const, resid = lk.fit_scale_offset(loss("squared_error"))
    assert c == pytest.approx(1.0, abs=1e-12)
    assert const == pytest.approx(-HALF_LN_2PI, abs=1e-12)  # ½(t−y)² = −ln N(t; y, 1) − ½ln 2π
    assert resid < 1e-12


def test_absolute_error_constant_is_minus_ln2():
    fit = lk.fit_scale_offset(loss("absolute_error"))
    assert (fit.c, fit.const) == (pytest.approx(1.0), pytest.approx(-math.log(2.0)))


@pytest.mark.parametrize("c_true,const_true", [(2.0, 0.5), (0.25, -3.0)])
def test_fit_recovers_a_known_scale(c_true, const_true):
    """A loss defined as 2·(−ln p) + ½ must come back as c = 2, const = ½."""
    nm = noise_models.gaussian()
    spec = Loss(name="scaled", label="scaled", formula="", domain="real", noise_model=nm,
                function=lambda y, t: c_true * 0.5 * (t - y) ** 2 + c_true * HALF_LN_2PI + const_true)
    c, const, resid = lk.fit_scale_offset(spec)
    assert c == pytest.approx(c_true, rel=1e-10) and const == pytest.approx(const_true, abs=1e-9)
    assert resid < 1e-9


def test_wrong_noise_model_shows_a_residual():
    fit = lk.fit_scale_offset(loss("squared_error"), noise=noise_models.laplace())
    assert fit.max_residual > 0.1


def test_degenerate_constant_loss_does_not_blow_up():
    """p independent of y and E constant: c is not identifiable, and nothing is NaN or a warning."""
    flat = NoiseModel("flat", lambda t, y: np.zeros(np.broadcast(t, y).shape) - 1.0,
                      lambda y, n, rng: rng.random(n))
    spec = Loss(name="flat", label="flat", formula="", function=lambda y, t: np.zeros_like(y) + 2.0,
                noise_model=flat)
    fit = lk.fit_scale_offset(spec)
    assert not fit.identifiable and fit.c == 1.0
    assert fit.const == pytest.approx(1.0) and fit.max_residual == pytest.approx(0.0)
    assert all(math.isfinite(v) for v in fit)


def test_fit_skips_points_where_either_side_is_infinite():
    fit = lk.fit_scale_offset(loss("binary_cross_entropy"), y_grid=np.linspace(0.0, 1.0, 101))
    assert fit.points == 2 * 101 - 2  # E(0; 1) and E(1; 0) are inf; E(0; 0) = E(1; 1) = 0 count
    assert fit.c == pytest.approx(1.0) and fit.max_residual < 1e-12


# ---------------------------------------------------------------- p(t | y)

def test_gaussian_density_integrates_to_one():
    t = np.linspace(-10, 10, 4001)
    d = lk.density_over_t(loss("squared_error").noise_model, 0.7, t)
    assert not d.discrete
    assert np.trapezoid(d.p, t) == pytest.approx(1.0, abs=1e-9)
    assert t[np.argmax(d.p)] == pytest.approx(0.7, abs=0.005)


def test_binary_and_categorical_pmfs():
    d = lk.density_over_t(loss("binary_cross_entropy").noise_model, 0.3)
    assert d.discrete and d.t.tolist() == [0.0, 1.0]
    np.testing.assert_allclose(d.p, [0.7, 0.3])
    cat = loss("categorical_cross_entropy")
    d = lk.density_over_t(cat.noise_model, 0.4, params={"K": 5.0})
    assert d.t.tolist() == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(d.p, [0.4, 0.15, 0.15, 0.15, 0.15])
    for k in (2.0, 3.0, 10.0):
        for y in (0.0, 0.5, 1.0):
            d = lk.density_over_t(cat.noise_model, y, params={"K": k})
            assert d.t.size == k and d.p.sum() == pytest.approx(1.0)
    soft = loss("soft_margin")
    d = lk.density_over_t(soft.noise_model, 0.0, outcomes=lk.target_values(soft))
    assert d.t.tolist() == [-1.0, 1.0] and d.p.tolist() == [0.5, 0.5]


def test_real_density_needs_a_grid():
    with pytest.raises(ValueError):
        lk.density_over_t(loss("squared_error").noise_model, 0.0)


# ---------------------------------------------------------------- samples, sums, ML

def test_samples_are_seeded():
    nm = loss("squared_error").noise_model
    a = lk.sample_targets(nm, 1.0, 50, seed=3)
    np.testing.assert_array_equal(a, lk.sample_targets(nm, 1.0, 50, seed=3))
    assert not np.array_equal(a, lk.sample_targets(nm, 1.0, 50, seed=4))
    assert a.shape == (50,) and abs(a.mean() - 1.0) < 0.5


def test_broken_sampler_is_an_evaluation_error():
    bad = NoiseModel("bad", lambda t, y: t * 0, lambda y, n, rng: np.zeros(n + 1))
    with pytest.raises(EvaluationError, match="shape"):
        lk.sample_targets(bad, 0.0, 3, seed=0)
    boom = NoiseModel("boom", lambda t, y: t * 0, lambda y, n, rng: 1 / 0)
    with pytest.raises(EvaluationError, match="ZeroDivisionError"):
        lk.sample_targets(boom, 0.0, 3, seed=0)


def test_total_loss_matches_a_plain_double_loop(monkeypatch):
    spec = loss("absolute_error")
    y = np.linspace(-2, 2, 7)
    t = np.array([0.5, -1.0, 0.5, 2.0, 3.5])
    expected = [sum(abs(ti - yi) for ti in t) for yi in y]
    np.testing.assert_allclose(lk.total_loss(spec, y, t), expected)
    monkeypatch.setattr(lk, "CHUNK_ELEMENTS", 7)  # one target per chunk: same answer
    np.testing.assert_allclose(lk.total_loss(spec, y, t), expected)
    ll = lk.log_likelihood(spec.noise_model, y, t)
    np.testing.assert_allclose(ll, -np.array(expected) - t.size * math.log(2.0))


@pytest.mark.parametrize("name", WITH_NOISE)
def test_three_routes_agree(name):
    spec = loss(name)
    y_true = 0.3 if spec.domain == "probability" else 0.6
    targets = lk.sample_targets(spec.noise_model, y_true, 201, seed=7, params=spec.defaults)
    grid = grid_for(spec)
    ml = lk.maximum_likelihood(spec, grid, targets, spec.defaults)
    step = grid[1] - grid[0]
    assert ml.argmin_loss is not None
    assert ml.argmin_loss == pytest.approx(ml.argmax_likelihood, abs=1.01 * step)
    if ml.closed_form is not None:
        assert abs(ml.argmin_loss - ml.closed_form) <= 0.51 * step + 1e-12
    assert ml.estimator == spec.noise_model.estimator


@pytest.mark.parametrize("name,estimator,statistic", [
    ("squared_error", "mean", np.mean),
    ("absolute_error", "median", np.median),
    ("binary_cross_entropy", "proportion", np.mean),
    ("categorical_cross_entropy", "proportion", np.mean),
])
def test_closed_forms(name, estimator, statistic):
    spec = loss(name)
    assert spec.noise_model.estimator == estimator
    targets = lk.sample_targets(spec.noise_model, 0.25, 101, seed=1, params=spec.defaults)
    assert lk.closed_form_estimate(spec.noise_model, targets) == pytest.approx(statistic(targets))


def test_absolute_error_picks_the_median_not_the_mean():
    """One far outlier drags the mean; the median, and the absolute error's minimiser, stay put."""
    targets = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 100.0])
    grid = np.linspace(-1, 20, 21001)
    l1 = lk.maximum_likelihood(loss("absolute_error"), grid, targets)
    l2 = lk.maximum_likelihood(loss("squared_error"), grid, targets)
    assert l1.argmin_loss == pytest.approx(0.3, abs=1e-9) and l1.closed_form == 0.3
    assert l2.argmin_loss == pytest.approx(np.mean(targets), abs=1e-3)
    assert l2.argmin_loss > 14


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-2.5, 2.5), min_size=1, max_size=15).filter(lambda v: len(v) % 2 == 1))
def test_median_minimises_absolute_error(values):
    grid = np.linspace(-3, 3, 6001)
    ml = lk.maximum_likelihood(loss("absolute_error"), grid, values)
    assert abs(ml.argmin_loss - np.median(values)) <= 0.0011
    assert ml.argmax_likelihood == ml.argmin_loss


def test_no_targets_and_no_estimator():
    assert lk.closed_form_estimate(loss("squared_error").noise_model, []) is None
    assert lk.closed_form_estimate(loss("log_cosh").noise_model, [1.0, 2.0]) is None
    np.testing.assert_array_equal(lk.total_loss(loss("squared_error"), [0.0, 1.0], []), [0.0, 0.0])


def test_all_infinite_loss_has_no_argmin():
    ml = lk.maximum_likelihood(loss("binary_cross_entropy"), np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    assert ml.argmin_loss is None and ml.argmax_likelihood is None
    assert np.isinf(ml.total_loss).all() and not np.isnan(ml.log_likelihood).any()


def test_loss_without_noise_model_is_refused():
    spec = Loss(name="plain", label="plain", formula="", function=lambda y, t: (y - t) ** 2)
    with pytest.raises(ValueError, match="no noise model"):
        lk.fit_scale_offset(spec)


def test_a_quantile_noise_model_has_the_pinball_minimiser_in_closed_form():
    """The asymmetric-Laplace reading of the pinball loss: min Σ E, max Σ ln p and the τ-quantile coincide."""

    def pinball(y, t, tau):
        return np.maximum(tau * (t - y), (tau - 1) * (t - y))

    def log_density(t, y, tau):
        return np.log(tau * (1 - tau)) - pinball(y, t, tau)

    nm = actviz.NoiseModel("asymmetric Laplace", log_density, lambda y, n, rng, tau: y + rng.laplace(0, 1, n),
                           estimator="quantile", estimator_param="tau")
    loss = actviz.Loss("pinball", "Pinball", "", pinball, gradient=lambda y, t, tau: np.where(t > y, -tau, 1 - tau),
                       params=(actviz.Param("tau", 0.5, 0.05, 0.95),), noise_model=nm)
    targets = np.random.default_rng(3).normal(0, 1, 41)
    closed = lk.closed_form_estimate(nm, targets, {"tau": 0.8})
    assert closed == pytest.approx(np.sort(targets)[int(np.ceil(0.8 * 41)) - 1])
    grid = np.linspace(-3, 3, 6001)
    ml = lk.maximum_likelihood(loss, grid, targets, {"tau": 0.8})
    assert ml.closed_form == closed
    assert abs(ml.argmin_loss - closed) <= 1e-3 and abs(ml.argmax_likelihood - closed) <= 1e-3

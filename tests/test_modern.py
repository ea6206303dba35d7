"""The modern catalogue: PyTorch's conventions, stable everywhere, and honest noise models."""

from __future__ import annotations

import math
from importlib import metadata

import actviz_modern
import numpy as np
import pytest

from actviz.host.registry import check_spec, kinks_of, parameter_corners

Z = np.linspace(-1000.0, 1000.0, 20001)
NEAR = np.linspace(-8.0, 8.0, 1601)
ACTIVATIONS = ["gelu", "gelu_tanh", "silu", "mish", "selu", "celu", "hardtanh", "relu6", "hardsigmoid",
               "hardswish", "softsign", "tanhshrink", "softshrink", "hardshrink", "logsigmoid", "threshold",
               "prelu", "rrelu_eval", "softplus_beta"]
LOSSES = ["huber", "smooth_l1", "poisson_nll", "gaussian_nll", "log_cosh", "soft_margin", "bce_with_logits"]
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# ------------------------------------------------------------ registration

def test_modern_is_a_real_entry_point():
    eps = {ep.name: ep.value for ep in metadata.entry_points(group="actviz")}
    assert eps.get("modern") == "actviz_modern"


def test_the_modern_set_loads_from_the_entry_point(registry):
    assert [n for n, s in registry.activations.items() if s.plugin == "modern"] == ACTIVATIONS
    assert [n for n, s in registry.losses.items() if s.plugin == "modern"] == LOSSES
    assert not [str(p) for p in registry.problems if p.plugin == "modern"]
    assert not any(s.numerical_derivative for s in registry.by_plugin()["modern"])


def test_the_modern_set_does_not_redefine_the_lecture(registry):
    lecture = {s.name for s in registry.functions() if s.plugin == "lecture"}
    assert not lecture & set(ACTIVATIONS + LOSSES)


@pytest.mark.parametrize("name", ACTIVATIONS + LOSSES)
def test_deep_check_is_clean(registry, name):
    assert check_spec(registry.get(name), deep=True) == []


@pytest.mark.parametrize("name", ACTIVATIONS + LOSSES)
def test_every_formula_renders_in_mathtext(registry, name):
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg", force=False)
    import io

    from matplotlib import mathtext

    spec = registry.get(name)
    nm = getattr(spec, "noise_model", None)
    for tex in (spec.formula, spec.derivative_formula, nm.formula if nm else ""):
        if tex:
            mathtext.math_to_image(f"${tex}$", io.BytesIO(), format="png")
    assert spec.notes and ("PyTorch" in spec.notes or "torch" in spec.notes)


# ------------------------------------------------------- reference values

def _f(registry, name, z, **params):
    spec = registry.activations[name]
    p = {**spec.defaults, **params}
    return float(spec.function(np.array([z]), **p)[0])


def _d(registry, name, z, **params):
    spec = registry.activations[name]
    p = {**spec.defaults, **params}
    return float(spec.derivative(np.array([z]), **p)[0])


@pytest.mark.parametrize(("name", "z", "params", "expected"), [
    ("gelu", 1.0, {}, 0.8413447460685429),
    ("gelu", -1.0, {}, -0.15865525393145707),
    ("gelu", -10.0, {}, -10.0 * 0.5 * math.erfc(10.0 / math.sqrt(2.0))),  # 7.6e-23: the tail keeps its digits
    ("gelu_tanh", 1.0, {}, 0.5 * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * 1.044715))),
    ("silu", 1.0, {}, 0.7310585786300049),
    ("mish", 1.0, {}, 0.8650983882673103),
    ("selu", 1.0, {}, SELU_SCALE),
    ("selu", -1.0, {}, SELU_SCALE * SELU_ALPHA * (math.exp(-1.0) - 1.0)),
    ("selu", -1000.0, {}, -SELU_SCALE * SELU_ALPHA),
    ("celu", -1.0, {"alpha": 2.0}, 2.0 * (math.exp(-0.5) - 1.0)),
    ("hardtanh", 5.0, {}, 1.0),
    ("hardtanh", -0.3, {}, -0.3),
    ("relu6", 7.0, {}, 6.0),
    ("hardsigmoid", 0.0, {}, 0.5),
    ("hardsigmoid", 3.0, {}, 1.0),
    ("hardswish", 1.0, {}, 4.0 / 6.0),
    ("hardswish", -3.0, {}, 0.0),
    ("softsign", 3.0, {}, 0.75),
    ("tanhshrink", 1.0, {}, 1.0 - math.tanh(1.0)),
    ("softshrink", 1.0, {}, 0.5),
    ("softshrink", -0.4, {}, 0.0),
    ("hardshrink", 0.5, {}, 0.0),
    ("hardshrink", -0.6, {}, -0.6),
    ("logsigmoid", 0.0, {}, -math.log(2.0)),
    ("logsigmoid", -1000.0, {}, -1000.0),
    ("threshold", 1.0, {}, 0.0),
    ("threshold", 1.5, {}, 1.5),
    ("threshold", -2.0, {"threshold": 0.0, "value": -1.0}, -1.0),
    ("prelu", -2.0, {}, -0.5),
    ("rrelu_eval", -48.0, {}, -11.0),  # slope (1/8 + 1/3)/2 = 11/48
    ("softplus_beta", 0.0, {"beta": 2.0}, math.log(2.0) / 2.0),
    ("softplus_beta", 21.0, {}, 21.0),  # above the threshold PyTorch returns z itself
])
def test_activation_values(registry, name, z, params, expected):
    assert _f(registry, name, z, **params) == pytest.approx(expected, rel=1e-13, abs=1e-300)


def test_gelu_matches_math_erf_everywhere(registry):
    z = np.linspace(-30.0, 30.0, 6001)
    ref = np.array([0.5 * v * math.erfc(-v / math.sqrt(2.0)) for v in z])
    np.testing.assert_allclose(registry.activations["gelu"].function(z), ref, rtol=1e-14, atol=0)
    d_ref = np.array([0.5 * math.erfc(-v / math.sqrt(2.0)) + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi)
                      for v in z])
    np.testing.assert_allclose(registry.activations["gelu"].derivative(z), d_ref, rtol=1e-13, atol=1e-300)


def test_gelu_tanh_stays_within_its_known_error_of_gelu(registry):
    z = np.linspace(-10.0, 10.0, 2001)
    gap = registry.activations["gelu_tanh"].function(z) - registry.activations["gelu"].function(z)
    assert np.abs(gap).max() < 5e-4


@pytest.mark.parametrize(("name", "z", "expected"), [
    # PyTorch autograd at the kinks
    ("hardtanh", -1.0, 0.0), ("hardtanh", 1.0, 0.0),
    ("relu6", 0.0, 0.0), ("relu6", 6.0, 0.0),
    ("hardsigmoid", -3.0, 0.0), ("hardsigmoid", 3.0, 0.0), ("hardsigmoid", 0.0, 1.0 / 6.0),
    ("hardswish", -3.0, 0.0), ("hardswish", 3.0, 1.0),  # PyTorch ≥ 2.7 (pytorch#148049)
    ("hardswish", -2.0, -1.0 / 6.0), ("hardswish", 2.0, 7.0 / 6.0),
    ("softshrink", 0.5, 0.0), ("softshrink", -0.5, 0.0), ("hardshrink", 0.5, 0.0),
    ("selu", 0.0, SELU_SCALE * SELU_ALPHA), ("celu", 0.0, 1.0),
    ("threshold", 1.0, 0.0), ("prelu", 0.0, 0.25), ("rrelu_eval", 0.0, 11.0 / 48.0),
    ("silu", 0.0, 0.5), ("gelu", 0.0, 0.5), ("gelu_tanh", 0.0, 0.5), ("mish", 0.0, math.tanh(math.log(2.0))),
    ("logsigmoid", 0.0, 0.5), ("softsign", 0.0, 1.0), ("tanhshrink", 0.0, 0.0),
])
def test_derivative_conventions(registry, name, z, expected):
    assert _d(registry, name, z) == pytest.approx(expected, rel=1e-14, abs=1e-15)


def _E(registry, name, y, t, **params):
    spec = registry.losses[name]
    return float(spec.function(np.array([y]), t, **{**spec.defaults, **params})[0])


@pytest.mark.parametrize(("name", "y", "t", "params", "expected"), [
    ("huber", 3.0, 1.0, {}, 1.5),
    ("huber", 1.5, 1.0, {}, 0.125),
    ("huber", 4.0, 1.0, {"delta": 2.0}, 4.0),
    ("smooth_l1", 1.0, 0.0, {"beta": 2.0}, 0.25),
    ("smooth_l1", 3.0, 0.0, {"beta": 2.0}, 2.0),
    ("poisson_nll", math.log(2.0), 2.0, {}, 2.0 - 2.0 * math.log(2.0)),
    ("poisson_nll", -1000.0, 0.0, {}, 0.0),
    ("gaussian_nll", 1.0, 0.0, {"var": 2.0}, 0.5 * (math.log(2.0) + 0.5)),
    ("log_cosh", 1.0, 0.0, {}, math.log(math.cosh(1.0))),
    ("log_cosh", 1000.0, 0.0, {}, 1000.0 - math.log(2.0)),
    ("soft_margin", 2.0, -1.0, {}, math.log1p(math.exp(2.0))),
    ("soft_margin", -1000.0, -1.0, {}, 0.0),
    ("bce_with_logits", 0.0, 0.3, {}, math.log(2.0)),
    ("bce_with_logits", -1000.0, 1.0, {}, 1000.0),
    ("bce_with_logits", 2.0, 0.0, {}, -math.log(1.0 - sigmoid(2.0))),
    ("bce_with_logits", 40.0, 1.0, {}, math.log1p(math.exp(-40.0))),  # tiny, not rounded to 0
    ("bce_with_logits", -40.0, 0.0, {}, math.log1p(math.exp(-40.0))),
    ("soft_margin", 40.0, 1.0, {}, math.log1p(math.exp(-40.0))),
])
def test_loss_values(registry, name, y, t, params, expected):
    assert _E(registry, name, y, t, **params) == pytest.approx(expected, rel=1e-13, abs=1e-300)


def test_huber_is_smooth_l1_times_beta(registry):
    y = np.linspace(-5, 5, 1001)
    for k in (0.1, 0.7, 1.0, 3.0):
        np.testing.assert_allclose(registry.losses["huber"].function(y, 0.3, delta=k),
                                   k * registry.losses["smooth_l1"].function(y, 0.3, beta=k), rtol=1e-14)


def test_soft_margin_is_bce_with_logits_with_pm1_labels(registry):
    y = np.linspace(-50, 50, 1001)
    sm, bce = registry.losses["soft_margin"], registry.losses["bce_with_logits"]
    np.testing.assert_allclose(sm.function(y, 1.0), bce.function(y, 1.0), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(sm.function(y, -1.0), bce.function(y, 0.0), rtol=1e-13, atol=1e-300)


# -------------------------------------------------- derivatives, silence

def central(f, z, h=1e-6):
    return (f(z + h) - f(z - h)) / (2 * h)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_derivative_matches_central_differences(registry, name):
    spec = registry.activations[name]
    for params in parameter_corners(spec):
        # CELU's f′ is continuous at 0 but f″ jumps there (1/α vs 0): a central difference
        # straddling 0 is off by ≈ h/(4α), so skip 0 as if it were a kink
        kinks = np.array(kinks_of(spec, params, None) + ([0.0] if name == "celu" else []) or [np.inf])
        z = NEAR[np.min(np.abs(NEAR[:, None] - kinks[None, :]), axis=1) > 1e-3]
        analytic = spec.derivative(z, **params)
        numeric = central(lambda v, p=params: spec.function(v, **p), z)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-6 * max(1.0, np.abs(analytic).max()),
                                   err_msg=f"{name} {params}")


def _targets(spec):
    t = spec.target
    return sorted({t.low, t.default, t.high, 0.5 * (t.low + t.high)})


@pytest.mark.parametrize("name", LOSSES)
def test_loss_gradient_matches_central_differences(registry, name):
    spec = registry.losses[name]
    for params in parameter_corners(spec):
        for t in _targets(spec):
            kinks = np.array(kinks_of(spec, params, t))
            ys = NEAR[np.min(np.abs(NEAR[:, None] - kinks[None, :]), axis=1) > 1e-3]
            analytic = spec.gradient(ys, t, **params)
            numeric = central(lambda v, t=t, p=params: spec.function(v, t, **p), ys, h=1e-7)
            np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=2e-6 * max(1.0, np.abs(analytic).max()),
                                       err_msg=f"{name} t={t} {params}")


def test_poisson_continuation_is_finite_and_consistent(registry):
    spec = registry.losses["poisson_nll"]
    y = np.linspace(600.0, 1000.0, 4001)
    e, g = spec.function(y, 2.0), spec.gradient(y, 2.0)
    assert np.isfinite(e).all() and np.isfinite(g).all()
    assert (np.diff(e) > 0).all() and (np.diff(g) > 0).all()
    np.testing.assert_allclose(e[:10], np.exp(y[:10]) - 2.0 * y[:10], rtol=1e-14)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_is_silent_and_finite_everywhere(registry, name):
    spec = registry.activations[name]
    for params in parameter_corners(spec):
        with np.errstate(divide="raise", over="raise", invalid="raise"):
            y = spec.function(Z, **params)
            d = spec.derivative(Z, **params)
        assert y.shape == Z.shape and d.shape == Z.shape
        assert np.isfinite(y).all() and np.isfinite(d).all(), params


@pytest.mark.parametrize("name", LOSSES)
def test_loss_is_silent_and_finite_everywhere(registry, name):
    spec = registry.losses[name]
    for params in parameter_corners(spec):
        for t in _targets(spec):
            with np.errstate(divide="raise", over="raise", invalid="raise"):
                e = spec.function(Z, t, **params)
                g = spec.gradient(Z, t, **params)
            assert np.isfinite(e).all() and np.isfinite(g).all(), (params, t)


def test_activations_accept_any_shape(registry):
    z = np.linspace(-4, 4, 24).reshape(2, 3, 4)
    for name in ACTIVATIONS:
        spec = registry.activations[name]
        assert spec.function(z, **spec.defaults).shape == z.shape
        assert spec.derivative(z, **spec.defaults).shape == z.shape
        assert np.shape(spec.function(np.float64(0.5), **spec.defaults)) == ()


# ------------------------------------------------------------ noise models

NOISY = LOSSES  # every modern loss has a noise model


def _target_grid(spec):
    nm = spec.noise_model
    if spec.name == "poisson_nll":
        return np.arange(0.0, 11.0)
    if spec.name == "soft_margin":
        return np.array([-1.0, 1.0])
    if nm.support == "binary":
        return np.array([0.0, 1.0])
    return np.linspace(spec.target.low, spec.target.high, 13)


@pytest.mark.parametrize("name", NOISY)
def test_loss_is_a_negative_log_likelihood(registry, name):
    """E = −c·ln p + const with c and const the same over a grid of (y, t)."""
    spec = registry.losses[name]
    nm = spec.noise_model
    assert nm is not None
    y = np.linspace(-3.0, 3.0, 25)
    for params in parameter_corners(spec):
        cs, consts = [], []
        for t in _target_grid(spec):
            e = spec.function(y, t, **params)
            nll = -nm.log_density(np.full_like(y, t), y, **params)
            c, const = np.polyfit(nll, e, 1)
            np.testing.assert_allclose(c * nll + const, e, rtol=0, atol=1e-9, err_msg=f"{name} t={t} {params}")
            if name == "poisson_nll":  # full=False drops ln t!, which depends on t (not on y)
                const += math.lgamma(t + 1.0)
            cs.append(c)
            consts.append(const)
        np.testing.assert_allclose(cs, 1.0, atol=1e-9, err_msg=name)
        np.testing.assert_allclose(consts, consts[0], atol=1e-9, err_msg=name)


def test_noise_model_constants(registry):
    """The constants E + ln p are the known normalisers."""
    y, t = np.array([0.3]), 1.2
    expected = {
        "huber": -math.log(math.sqrt(2 * math.pi) * math.erf(1 / math.sqrt(2)) + 2 * math.exp(-0.5)),
        "gaussian_nll": -0.5 * math.log(2 * math.pi),
        "log_cosh": -math.log(math.pi),
    }
    for name, const in expected.items():
        spec = registry.losses[name]
        got = spec.function(y, t, **spec.defaults) + spec.noise_model.log_density(t, y, **spec.defaults)
        assert float(got[0]) == pytest.approx(const, rel=1e-13)


def _densities(spec, params, y):
    nm = spec.noise_model
    if nm.support == "real" and spec.name != "poisson_nll":
        t = np.linspace(y - 400.0, y + 400.0, 400001)
        return np.trapezoid(np.exp(nm.log_density(t, np.full_like(t, y), **params)), t)
    t = np.arange(0.0, 400.0) if spec.name == "poisson_nll" else _target_grid(spec)
    return float(np.exp(nm.log_density(t, np.full_like(t, y), **params)).sum())


@pytest.mark.parametrize("name", NOISY)
def test_noise_model_normalises(registry, name):
    spec = registry.losses[name]
    for params in parameter_corners(spec):
        for y in (-2.0, 0.0, 0.7, 3.0):
            assert _densities(spec, params, y) == pytest.approx(1.0, abs=1e-6), (name, params, y)


@pytest.mark.parametrize("name", NOISY)
def test_noise_model_is_silent_at_extremes(registry, name):
    spec = registry.losses[name]
    nm = spec.noise_model
    t = np.linspace(spec.target.low, spec.target.high, 101)
    for params in parameter_corners(spec):
        for y in (-1000.0, 0.0, 1000.0):
            with np.errstate(divide="raise", over="raise", invalid="raise"):
                lp = nm.log_density(t, np.full_like(t, y), **params)
            assert np.isfinite(lp).all(), (name, params, y)
            if nm.support != "real":
                assert (lp <= 0.0).all()


def _ks(samples, spec, params, y):
    """Largest gap between the empirical CDF and the CDF integrated from the density."""
    t = np.linspace(y - 200.0, y + 200.0, 400001)
    pdf = np.exp(spec.noise_model.log_density(t, np.full_like(t, y), **params))
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (pdf[1:] + pdf[:-1]) * np.diff(t))])
    q = np.quantile(samples, np.linspace(0.01, 0.99, 99))
    return np.abs(np.interp(q, t, cdf) - np.linspace(0.01, 0.99, 99)).max()


@pytest.mark.parametrize("name", NOISY)
def test_noise_model_samples_follow_the_density(registry, name):
    spec = registry.losses[name]
    nm = spec.noise_model
    rng = np.random.default_rng(7)
    for params in parameter_corners(spec):
        for y in (-1.0, 0.5):
            s = np.asarray(nm.sample(y, 40000, rng, **params))
            assert s.shape == (40000,) and np.isfinite(s).all()
            if name == "poisson_nll":
                assert s.mean() == pytest.approx(math.exp(y), rel=0.03)
                assert (s == np.round(s)).all() and (s >= 0).all()
            elif name == "soft_margin":
                assert set(np.unique(s)) <= {-1.0, 1.0}
                assert (s == 1.0).mean() == pytest.approx(sigmoid(y), abs=0.01)
            elif nm.support == "binary":
                assert set(np.unique(s)) <= {0.0, 1.0}
                assert s.mean() == pytest.approx(sigmoid(y), abs=0.01)
            else:
                assert _ks(s, spec, params, y) < 0.01, (name, params, y)
    assert np.asarray(nm.sample(0.0, 0, rng, **spec.defaults)).shape == (0,)


def test_poisson_sampler_survives_huge_rates(registry):
    nm = registry.losses["poisson_nll"].noise_model
    s = nm.sample(1000.0, 5, np.random.default_rng(0))
    assert np.isfinite(s).all()


def test_erfc_helper_matches_math():
    x = np.linspace(-40, 40, 801)
    np.testing.assert_array_equal(actviz_modern._erfc(x), [math.erfc(v) for v in x])

"""δ of hidden layers in a deep stack, checked against finite differences and explicit Jacobian chains:
vanishing and exploding, seeded draws, the draw caches, overflow reported as inf.
"""

from __future__ import annotations

import numpy as np
import pytest

from actviz.maths import backprop as bp
from tests.backprop_helpers import REG


@pytest.fixture(scope="module")
def reg():
    return REG


def _fd_deltas(f, net, layer, h=1e-6):
    """dE/dz_layer by central differences: perturb each z, rerun the forward pass, E = Σ err ⊙ z_L."""
    weights, x, err = net.weights, net.x, net.output_error

    def energy_from(z_layer):
        a = f(z_layer)
        z = z_layer
        for w in weights[layer + 1:]:
            z = a @ w.T
            a = f(z)
        return float(np.sum(err * z))

    z = x
    for w in weights[: layer + 1]:
        z_l = z @ w.T
        z = f(z_l)
    out = np.empty_like(z_l)
    for idx in np.ndindex(z_l.shape):
        up, down = z_l.copy(), z_l.copy()
        up[idx] += h
        down[idx] -= h
        out[idx] = (energy_from(up) - energy_from(down)) / (2 * h)
    return out


@pytest.mark.parametrize("name", ["tanh", "logistic", "softplus"])
def test_hidden_deltas_match_finite_differences(reg, name):
    act = reg.activations[name]
    net = bp.make_network(4, 5, "xavier", 1.5, seed=3, batch=3, random_signs=True)
    _, _, delta = bp.forward_backward(act, act.defaults, net)
    f = lambda v: act.function(v, **act.defaults)
    for layer in range(4):
        np.testing.assert_allclose(delta[layer], _fd_deltas(f, net, layer), rtol=1e-5, atol=1e-8)


def test_hidden_deltas_match_explicit_jacobian_chain(reg):
    """Per sample, δ_l = (∏ Wᵀ diag f′) … written as one Jacobian matrix product."""
    act = reg.activations["leaky_relu"]
    params = {"alpha": 0.1}
    net = bp.make_network(6, 7, "he", 1.0, seed=11, batch=4, random_signs=True)
    z, _, delta = bp.forward_backward(act, params, net)
    fp = np.where(z > 0, 1.0, 0.1)
    for b in range(4):
        jac = np.eye(7)  # dz_L/dz_L
        for layer in range(5, -1, -1):
            np.testing.assert_allclose(delta[layer, b], net.output_error[b] @ jac, rtol=1e-12)
            if layer:
                jac = jac @ net.weights[layer] @ np.diag(fp[layer - 1, b])  # dz_L/dz_{layer−1}


def test_seeded_and_deterministic(reg):
    act = reg.activations["tanh"]
    a = bp.hidden_deltas(act, {}, 20, 32, "xavier", 1.0, seed=5)
    b = bp.hidden_deltas(act, {}, 20, 32, "xavier", 1.0, seed=5)
    c = bp.hidden_deltas(act, {}, 20, 32, "xavier", 1.0, seed=6)
    np.testing.assert_array_equal(a.mean_abs, b.mean_abs)
    assert not np.array_equal(a.mean_abs, c.mean_abs)
    assert a.layers.tolist() == list(range(1, 21))
    assert a.mean_abs[-1] == 1.0  # δ_L is the output error, ones


def test_logistic_vanishes_relu_he_holds(reg):
    logistic = bp.hidden_deltas(reg.activations["logistic"], {"beta": 1.0}, 20, 64, "xavier", 1.0, seed=0)
    assert logistic.mean_abs[0] < 1e-8 * logistic.mean_abs[-1]
    assert np.all(np.diff(logistic.mean_abs) > 0)  # shrinks at every step back
    for seed in range(3):
        relu = bp.hidden_deltas(reg.activations["relu"], {}, 20, 64, "he", 1.0, seed=seed)
        ratio = relu.mean_abs[0] / relu.mean_abs[-2]  # the top layer's δ has no f′ factor: skip it
        assert 0.1 < ratio < 10, ratio
        assert 0.3 < relu.zero_fraction[5] < 0.7  # half the ReLUs are off
    assert np.all(relu.p10 <= relu.median_abs) and np.all(relu.median_abs <= relu.p90)


def test_init_stds():
    assert bp.weight_std("scale", 0.3, 64) == 0.3
    assert bp.weight_std("xavier", 1.0, 64) == pytest.approx(0.125)
    assert bp.weight_std("he", 2.0, 50) == pytest.approx(0.4)
    with pytest.raises(ValueError):
        bp.weight_std("orthogonal", 1.0, 4)


def test_exploding_reports_inf_without_warnings(reg):
    res = bp.hidden_deltas(reg.activations["linear"], {}, 50, 64, "scale", 1e6, seed=0)
    assert res.overflow
    assert np.isinf(res.mean_abs[0]) and not np.isnan(res.mean_abs).any()
    assert not np.isnan(res.p90).any() and not np.isnan(res.log10_std).any()
    healthy = bp.hidden_deltas(reg.activations["relu"], {}, 50, 64, "he", 1.0, seed=0)
    assert not healthy.overflow and np.isfinite(healthy.mean_abs).all()


def test_only_small_networks_are_cached(reg):
    """The small-network cache stays small: a wide deep stack is kept apart (one entry), with the same numbers."""
    act = reg.activations["relu"]
    bp._cached_draws.cache_clear()
    bp.hidden_deltas(act, {}, 10, 32, "he", 1.0, seed=1)
    assert bp._cached_draws.cache_info().currsize == 1
    big = bp.hidden_deltas(act, {}, 50, 128, "he", 1.0, seed=1)
    assert bp._cached_draws.cache_info().currsize == 1
    again = bp.hidden_deltas(act, {}, 50, 128, "he", 1.0, seed=1)
    np.testing.assert_array_equal(big.mean_abs, again.mean_abs)
    assert bp._large_draws.cache_info().currsize == 1
    bp.hidden_deltas(act, {}, 50, 256, "he", 1.0, seed=1)  # 26 MiB of weights: drawn afresh, never kept
    assert bp._large_draws.cache_info().currsize == 1 and bp._cached_draws.cache_info().currsize == 1
    # the result holds per-layer numbers only, not views into the (layers × samples) work arrays
    for arr in (big.mean_abs, big.median_abs, big.p10, big.p90, big.log10_std, big.zero_fraction):
        assert arr.base is None or arr.base.size == arr.size


# ---------------------------------------------------------------- numbers at the edges

def _true_relu_log10_mean_abs(net):
    """log₁₀ mean|δ| per layer of a ReLU stack, rescaling every layer (ReLU is positively homogeneous)."""
    prev, masks = net.x, []
    for w in net.weights:
        z = prev @ w.T
        z = z / np.abs(z).max()
        masks.append(z > 0)
        prev = np.maximum(z, 0.0)
    d, scale = net.output_error.astype(float), 0.0
    out = np.empty(len(net.weights))
    out[-1] = np.log10(np.abs(d).mean())
    for layer in range(len(net.weights) - 2, -1, -1):
        d = (d @ net.weights[layer + 1]) * masks[layer]
        m = np.abs(d).max()
        d, scale = d / m, scale + np.log10(m)
        out[layer] = np.log10(np.abs(d).mean()) + scale
    return out


def test_an_overflowing_forward_pass_reports_inf_not_zero(reg):
    """ReLU, 400 layers, std 3: z overflows near layer 290; the true δ explodes (3.5e104 at layer 301)."""
    relu = reg.activations["relu"]
    res = bp.hidden_deltas(relu, {}, 400, 32, "scale", 3.0, seed=0, batch=16)
    true = _true_relu_log10_mean_abs(bp.make_network(400, 32, "scale", 3.0, 0, batch=16))
    assert 104 < true[300] < 105
    assert res.overflow
    assert np.isinf(res.mean_abs[300]) and np.isinf(res.median_abs[300])
    assert res.zero_fraction[300] == 0.0  # not "all the gradient is lost"
    assert (res.zero_fraction[:-1] < 1.0).all()
    assert res.mean_abs[-1] == 1.0  # the output error itself


def test_the_live_10th_percentile_is_taken_over_the_units_that_pass_a_gradient(reg):
    """Dead ReLUs (|δ| = 0) pull p10 to 0; p10_live is the 10th percentile of the others, as numpy has it."""
    spec = reg.activations["relu"]
    res = bp.hidden_deltas(spec, {}, 12, 32, "he", 1.0, seed=2, batch=64)
    assert np.any(res.p10 == 0)  # the case the band needs it for
    _, _, delta = bp.forward_backward(spec, spec.defaults, bp.make_network(12, 32, "he", 1.0, seed=2, batch=64))
    mags = np.abs(delta.reshape(delta.shape[0], -1))
    for layer, row in enumerate(mags):
        live = np.sort(row[row > 0])
        expected = live[round(0.1 * (live.size - 1))] if live.size else 0.0
        assert res.p10_live[layer] == expected
        assert res.p10[layer] <= res.p10_live[layer] <= res.p90[layer]

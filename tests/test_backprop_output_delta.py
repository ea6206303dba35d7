"""δ of output units, checked against independent computations: closed forms against the product and the
numerical chain, softmax's full Jacobian, the confidently wrong unit, and the edges of float64.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from actviz.maths import backprop as bp
from tests.backprop_helpers import REG, Z, pair


@pytest.fixture(scope="module")
def reg():
    return REG


# ---------------------------------------------------------------- output δ

@pytest.mark.parametrize("beta", [0.5, 1.0, 3.0])
@pytest.mark.parametrize("t", [0.0, 0.3, 1.0])
def test_logistic_bce_is_beta_times_error(reg, beta, t):
    act, loss = pair(reg, "logistic", "binary_cross_entropy")
    out = bp.output_delta(act, loss, Z, {"beta": beta}, {}, t)
    assert out.simplified and out.simplified_formula == r"\delta=\beta\,(y-t)"
    np.testing.assert_allclose(out.delta, beta * (out.y - t), rtol=1e-12)
    # the product form agrees where it is well conditioned, and so does the numerical chain
    inner = np.abs(Z) < 5
    np.testing.assert_allclose(out.product[inner], out.delta[inner], rtol=1e-9, atol=1e-12)
    num = bp.numerical_delta(act, loss, Z, {"beta": beta}, {}, t)
    np.testing.assert_allclose(num[inner], out.delta[inner], rtol=1e-5, atol=1e-8)


def test_logistic_bce_stays_finite_where_product_breaks(reg):
    """At z = ±40 y rounds to 0 or 1: the product is ∞·tiny, the closed form is exact."""
    act, loss = pair(reg, "logistic", "binary_cross_entropy")
    z = np.array([-1000.0, -40.0, 40.0, 1000.0])
    out = bp.output_delta(act, loss, z, {"beta": 1.0}, {}, 0.0)
    assert np.isfinite(out.delta).all()
    np.testing.assert_allclose(out.delta, [0.0, 0.0, 1.0, 1.0], atol=1e-15)
    assert not np.isnan(out.product).any()


def test_linear_squared_error_is_the_error(reg):
    act, loss = pair(reg, "linear", "squared_error")
    out = bp.output_delta(act, loss, Z, {}, {}, 0.7)
    assert out.simplified_formula == r"\delta=y-t"
    np.testing.assert_array_equal(out.delta, Z - 0.7)
    np.testing.assert_array_equal(out.product, out.delta)


def test_softmax_cce_is_full_jacobian_result(reg):
    act, loss = pair(reg, "softmax", "categorical_cross_entropy")
    ap = {"z2": 0.5, "z3": -1.0}
    for t in (0.0, 0.4, 1.0):
        out = bp.output_delta(act, loss, Z, ap, {"K": 3.0}, t)
        assert out.simplified_formula == r"\delta_1=y_1-t_1"
        full = bp.softmax_full_jacobian_delta(Z, [0.5, -1.0], bp.softmax_targets(t, 3))[:, 0]
        np.testing.assert_allclose(out.delta, full, atol=1e-12)
        num = bp.numerical_delta(act, loss, Z, ap, {"K": 3.0}, t)
        np.testing.assert_allclose(num, out.delta, rtol=1e-5, atol=1e-8)


def test_unknown_pair_uses_product_form(reg):
    act, loss = pair(reg, "tanh", "squared_error")
    out = bp.output_delta(act, loss, Z, {}, {}, 0.5)
    assert not out.simplified and out.simplified_formula == bp.PRODUCT_FORMULA
    y = np.tanh(Z)
    np.testing.assert_allclose(out.delta, (y - 0.5) * (1 - y * y), rtol=1e-8)  # 1 − y² loses digits
    np.testing.assert_allclose(bp.numerical_delta(act, loss, Z, {}, {}, 0.5), out.delta, rtol=1e-5, atol=1e-9)


def test_flat_unit_passes_no_gradient_instead_of_nan(reg):
    """binary_step has f′ = 0; with BCE at y = 1, t = 0 ∂E/∂y is ∞: δ is reported as 0, never NaN."""
    act, loss = pair(reg, "binary_step", "binary_cross_entropy")
    out = bp.output_delta(act, loss, Z, {}, {}, 0.0)
    assert np.isinf(out.dE_dy[Z > 0]).all()
    np.testing.assert_array_equal(out.delta, 0.0)


def test_every_pair_is_nan_free_on_a_wide_grid(reg):
    """All registered pairs at their defaults: no NaN and no warning (warnings are errors here)."""
    z = np.linspace(-1000.0, 1000.0, 401)
    for act in reg.activations.values():
        for loss in reg.losses.values():
            for t in (loss.target.low, loss.target.default, loss.target.high):
                out = bp.output_delta(act, loss, z, act.defaults, loss.defaults, t)
                defined = np.ones(z.shape, bool) if out.undefined is None else ~out.undefined
                assert not np.isnan(out.delta[defined]).any(), (act.name, loss.name, t)
                assert np.isnan(out.delta[~defined]).all() and bool(out.reason) == (not defined.all())


@settings(max_examples=40, deadline=None)
@given(st.floats(-6, 6), st.floats(0.2, 4.0), st.floats(0.0, 1.0))
def test_known_pairs_match_numerical_chain(z, beta, t):
    """Where 1 − σ(βz) keeps its digits (|βz| ≤ 10) the lecture's own BCE differentiates to β(y − t)."""
    assume(abs(beta * z) <= 10)
    act, loss = REG.activations["logistic"], REG.losses["binary_cross_entropy"]
    zz = np.array([z])
    out = bp.output_delta(act, loss, zz, {"beta": beta}, {}, t)
    num = bp.numerical_delta(act, loss, zz, {"beta": beta}, {}, t)
    np.testing.assert_allclose(num, out.delta, rtol=1e-4, atol=1e-7)


# ---------------------------------------------------------------- softmax

@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-20, 20), min_size=2, max_size=6), st.data())
def test_full_jacobian_delta_is_y_minus_t(logits, data):
    k = len(logits)
    w = np.array(data.draw(st.lists(st.floats(0.0, 1.0), min_size=k, max_size=k)))
    t = w / w.sum() if w.sum() > 0 else np.full(k, 1.0 / k)
    delta = bp.softmax_full_jacobian_delta(logits[0], logits[1:], t)[0]
    y = bp.softmax(np.array(logits))
    np.testing.assert_allclose(delta, y - t, atol=1e-12)
    assert abs(delta.sum()) < 1e-12  # softmax is shift invariant: δ sums to 0


def test_jacobian_entries_and_explicit_product():
    z = np.array([0.3, -1.2, 2.0])
    y = bp.softmax(z)
    jac = bp.softmax_jacobian(y)
    np.testing.assert_allclose(np.diag(jac), y * (1 - y))
    assert jac[0, 1] == pytest.approx(-y[0] * y[1]) and jac[2, 0] == pytest.approx(-y[2] * y[0])
    # the Jacobian itself, against central differences of softmax
    h = 1e-6
    num = np.column_stack([(bp.softmax(z + h * e) - bp.softmax(z - h * e)) / (2 * h) for e in np.eye(3)])
    np.testing.assert_allclose(jac, num, atol=1e-9)
    t = np.array([0.0, 1.0, 0.0])
    np.testing.assert_allclose(jac.T @ (-t / y), y - t, atol=1e-12)


def test_lecture_shortcut_differs_from_full_jacobian():
    z1 = np.linspace(-5, 5, 21)
    others = [0.0, 0.0]
    y1 = bp.softmax_full_jacobian_delta(z1, others, [0.0, 0.5, 0.5])[:, 0]
    shortcut = bp.softmax_shortcut_delta(z1, others, 0.0)
    np.testing.assert_array_equal(shortcut, 0.0)  # t₁ = 0: the shortcut sees nothing to learn
    truth_y1 = bp.softmax(np.column_stack([z1, np.zeros((21, 2))]))[:, 0]
    np.testing.assert_allclose(y1, truth_y1, atol=1e-15)  # … but the truth is y₁
    # at t₁ = 1 they differ by y₁ − y₁² … (shortcut −(1−y₁), truth y₁ − 1): equal
    np.testing.assert_allclose(bp.softmax_shortcut_delta(z1, others, 1.0),
                               bp.softmax_full_jacobian_delta(z1, others, [1.0, 0, 0])[:, 0], atol=1e-15)
    # and at soft targets they differ
    soft = bp.softmax_full_jacobian_delta(z1, others, bp.softmax_targets(0.5, 3))[:, 0]
    assert np.max(np.abs(bp.softmax_shortcut_delta(z1, others, 0.5) - soft)) > 0.2


def test_full_jacobian_survives_underflow():
    delta = bp.softmax_full_jacobian_delta(np.array([-1000.0, 1000.0]), [0.0, 3.0], [0.2, 0.3, 0.5])
    assert np.isfinite(delta).all()
    np.testing.assert_allclose(delta[0], [-0.2, 0.0474258731775668 - 0.3, 0.9525741268224334 - 0.5], atol=1e-12)
    np.testing.assert_allclose(delta[1], [0.8, -0.3, -0.5], atol=1e-12)


def test_lecture_shortcut_only_for_softmax_cce(reg):
    act, loss = pair(reg, "softmax", "categorical_cross_entropy")
    ap = {"z2": 0.5, "z3": -1.0}
    for t in (0.0, 0.6, 1.0):
        full, shortcut = bp.lecture_shortcut(act, loss, Z, ap, t)
        np.testing.assert_allclose(full, bp.output_delta(act, loss, Z, ap, {"K": 3.0}, t).delta, atol=1e-12)
        np.testing.assert_array_equal(shortcut, bp.softmax_shortcut_delta(Z, [0.5, -1.0], t))
        y1 = full + t
        np.testing.assert_allclose(full - shortcut, y1 * (1 - t), atol=1e-12)  # they differ by y₁(1 − t₁)
    assert bp.lecture_shortcut(*pair(reg, "logistic", "binary_cross_entropy"), Z, {"beta": 1.0}, 1.0) is None


# ---------------------------------------------------------------- confidently wrong

def test_confidently_wrong_z_logistic(reg):
    act = reg.activations["logistic"]
    for beta in (0.5, 1.0, 2.0):
        z = bp.confidently_wrong_z(act, {"beta": beta}, 0.01)
        assert z == pytest.approx(-np.log(99.0) / beta, rel=1e-12)


def test_confidently_wrong_none_when_unreachable(reg):
    assert bp.confidently_wrong_z(reg.activations["relu"], {}, -0.5) is None
    assert bp.confidently_wrong_z(reg.activations["logistic"], {"beta": 1.0}, 1.5) is None


def test_cross_entropy_learns_100x_faster_when_confidently_wrong(reg):
    act = reg.activations["logistic"]
    se = bp.confidently_wrong(act, reg.losses["squared_error"], {"beta": 1.0}, {}, t=1.0)
    ce = bp.confidently_wrong(act, reg.losses["binary_cross_entropy"], {"beta": 1.0}, {}, t=1.0)
    assert se.y == pytest.approx(0.01) and ce.z == se.z
    assert ce.delta == pytest.approx(-0.99)
    assert se.delta == pytest.approx(-0.99 * 0.01 * 0.99)
    assert ce.magnitude / se.magnitude == pytest.approx(1 / (0.01 * 0.99), rel=1e-9)


# ---------------------------------------------------------------- numbers at the edges

def test_probability_loss_leaves_delta_undefined_outside_0_1(reg):
    act, loss = pair(reg, "relu", "binary_cross_entropy")
    z = np.array([-2.0, 0.25, 0.75, 1.0, 1.5, 30.0])
    out = bp.output_delta(act, loss, z, {}, {}, 1.0)
    np.testing.assert_array_equal(out.undefined, [False, False, False, False, True, True])
    assert np.isnan(out.delta[4:]).all() and np.isnan(out.product[4:]).all() and np.isnan(out.dE_dy[4:]).all()
    np.testing.assert_allclose(out.delta[1:3], [-4.0, -1 / 0.75])
    assert "2 of 6" in out.reason and "[0, 1]" in out.reason
    inside = bp.output_delta(act, loss, np.array([0.5]), {}, {}, 1.0)
    assert inside.reason == "" and not inside.undefined.any()
    real = bp.output_delta(act, reg.losses["squared_error"], z, {}, {}, 1.0)
    assert real.undefined is None and np.isfinite(real.delta).all()


@pytest.mark.parametrize("t", [1.0, 0.3])
def test_gaussian_and_rbf_bce_where_y_underflows(reg, t):
    """At z = −100 y = e^{−5000} is 0 in float64 and the product is ∞·0 = 0; δ → −(1−… )·g stays exact."""
    loss = reg.losses["binary_cross_entropy"]
    z = np.array([-100.0, -40.0])
    g = bp.output_delta(reg.activations["gaussian"], loss, z, {"mu": 0.0, "sigma": 1.0}, {}, t)
    r = bp.output_delta(reg.activations["rbf"], loss, z, {"w": 0.0}, {}, t)
    # δ = (y − t)/(1 − y)·f′/y with y = 0: −t·(−(z − μ)/σ²) and −t·(−2(z − w))
    np.testing.assert_array_equal(g.delta, -t * -z)
    np.testing.assert_array_equal(r.delta, -t * -2.0 * z)
    assert (g.product == 0).all()  # what the product form said
    if t == 1.0:
        assert g.delta[0] == -100.0 and r.delta[0] == -200.0


@pytest.mark.parametrize("name, ap", [("gaussian", {"mu": 0.5, "sigma": 1.3}), ("rbf", {"w": -0.4}),
                                      ("tanh", {})])
@pytest.mark.parametrize("t", [0.0, 0.4, 1.0])
def test_underflow_closed_forms_match_the_numerical_chain(reg, name, ap, t):
    act, loss = reg.activations[name], reg.losses["binary_cross_entropy"]
    z = np.linspace(0.05, 3.0, 60) if name == "tanh" else np.linspace(-3.0, 3.0, 61) + 0.013
    out = bp.output_delta(act, loss, z, ap, {}, t)
    assert out.simplified
    num = bp.numerical_delta(act, loss, z, ap, {}, t)
    np.testing.assert_allclose(out.delta, num, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(out.delta, out.product, rtol=1e-9, atol=1e-12)


def test_tanh_bce_stays_finite_where_tanh_rounds_to_one(reg):
    """t = 0: δ = (1 + y) → 2; the product is (1/(1−y))·sech² z = ∞ once tanh z rounds to 1 (z ≥ 18.5)."""
    act, loss = pair(reg, "tanh", "binary_cross_entropy")
    z = np.array([18.5, 19.0, 25.0, 100.0, 1000.0])
    out = bp.output_delta(act, loss, z, {}, {}, 0.0)
    np.testing.assert_array_equal(out.delta, 2.0)
    t = 0.25
    out = bp.output_delta(act, loss, z, {}, {}, t)
    np.testing.assert_array_equal(out.delta, 2.0 - 2.0 * t)  # (y − t)(1 + y)/y at y = 1
    below = bp.output_delta(act, loss, np.array([-0.5]), {}, {}, 0.0)
    assert np.isnan(below.delta[0]) and below.reason

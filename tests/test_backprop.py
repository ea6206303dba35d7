"""δ of output units and hidden layers, checked against independent computations."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import actviz
from actviz.maths import backprop as bp
from actviz.maths.pairs import collect_output_delta_rules
from actviz.testing import install_entry_point_plugin, plugin_problems

Z = np.linspace(-8.0, 8.0, 161)


REG = actviz.load_registry()


@pytest.fixture(scope="module")
def reg():
    return REG


def pair(reg, act, loss):
    return reg.activations[act], reg.losses[loss]


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


# ---------------------------------------------------------------- depth

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


# ---------------------------------------------------------------- the host names no plugin

ROOT = Path(__file__).resolve().parent.parent

RENAMED_PLUGIN = '''
import dataclasses

import actviz
from actviz_lecture import ACTIVATIONS, LOSSES, OUTPUT_DELTAS

RENAME = {"logistic": "squash", "gaussian": "bump", "rbf": "blip", "tanh": "sway", "softmax": "share",
          "binary_cross_entropy": "xent", "categorical_cross_entropy": "cxent"}


def _renamed(spec):
    return dataclasses.replace(spec, name=RENAME[spec.name], plugin="")


@actviz.hookimpl
def actviz_activations():
    return [_renamed(a) for a in ACTIVATIONS if a.name in RENAME]


@actviz.hookimpl
def actviz_losses():
    return [_renamed(s) for s in LOSSES if s.name in RENAME]


@actviz.hookimpl
def actviz_output_deltas():
    return [dataclasses.replace(r, activation=RENAME[r.activation], loss=RENAME[r.loss], plugin="")
            for r in OUTPUT_DELTAS if r.activation in RENAME and r.loss in RENAME]
'''


@pytest.fixture
def renamed(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "renamed", RENAMED_PLUGIN)
    reg = actviz.load_registry()
    assert not plugin_problems(reg, "renamed"), plugin_problems(reg, "renamed")
    return reg


def test_closed_forms_work_for_renamed_functions(renamed):
    """The rules travel with the plugin: the lecture's functions under other names keep their closed forms."""
    reg = renamed
    rules = collect_output_delta_rules(reg)
    assert rules[("squash", "xent")].plugin == "renamed"
    squash, xent, cxent = reg.activations["squash"], reg.losses["xent"], reg.losses["cxent"]
    z = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    for table in (rules, None):  # explicit, and the installed plugins' rules by default
        out = bp.output_delta(squash, xent, z, {"beta": 2.0}, {}, 0.0, table)
        assert out.simplified and out.simplified_formula == r"\delta=\beta\,(y-t)"
        np.testing.assert_allclose(out.delta, [0.0, 0.0, 1.0, 2.0, 2.0], atol=1e-15)
    bump = bp.output_delta(reg.activations["bump"], xent, np.array([-100.0]), {"mu": 0.0, "sigma": 1.0}, {}, 1.0,
                           rules)
    assert bump.delta[0] == -100.0
    full, short = bp.lecture_shortcut(reg.activations["share"], cxent, Z, {"z2": 0.5, "z3": -1.0}, 0.0, rules)
    ref = bp.lecture_shortcut(reg.activations["softmax"], reg.losses["categorical_cross_entropy"], Z,
                              {"z2": 0.5, "z3": -1.0}, 0.0)
    np.testing.assert_array_equal(full, ref[0])
    np.testing.assert_array_equal(short, ref[1])
    # a rule is the property of its plugin: the lecture's rule never applies to the renamed pair, nor vice versa
    assert bp.known_pair(squash, reg.losses["binary_cross_entropy"], rules) is None


def test_a_rule_applies_only_while_its_plugin_owns_a_function(reg):
    rules = collect_output_delta_rules(reg)
    rule = rules[("logistic", "binary_cross_entropy")]
    assert rule.plugin == "lecture"
    stranger_act = dataclasses.replace(reg.activations["logistic"], plugin="stranger")
    stranger_loss = dataclasses.replace(reg.losses["binary_cross_entropy"], plugin="stranger")
    assert bp.known_pair(stranger_act, stranger_loss, rules) is None
    assert bp.known_pair(stranger_act, reg.losses["binary_cross_entropy"], rules) is rule


def test_a_raising_output_delta_hook_is_a_recorded_problem(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "shaky", '''
        import actviz

        @actviz.hookimpl
        def actviz_activations():
            return [actviz.Activation("cube", "Cube", "z^3", lambda z: z ** 3, lambda z: 3 * z ** 2)]

        @actviz.hookimpl
        def actviz_output_deltas():
            raise RuntimeError("no rules today")
    ''')
    install_entry_point_plugin(tmp_path, monkeypatch, "sloppy", '''
        import actviz

        @actviz.hookimpl
        def actviz_output_deltas():
            return ["not a rule", actviz.OutputDeltaRule("logistic", "binary_cross_entropy", "x", lambda *a: 0)]
    ''')
    reg = actviz.load_registry()
    rules = collect_output_delta_rules(reg)
    assert rules[("logistic", "binary_cross_entropy")].plugin == "lecture"
    shaky = plugin_problems(reg, "shaky")
    assert len(shaky) == 1 and shaky[0].stage == "actviz_output_deltas" and "no rules today" in shaky[0].message
    sloppy = [p.message for p in plugin_problems(reg, "sloppy")]
    assert len(sloppy) == 2 and "OutputDeltaRule" in sloppy[0] and "already given by plugin 'lecture'" in sloppy[1]
    collect_output_delta_rules(reg)
    assert len(plugin_problems(reg, "shaky")) == 1  # recorded once


def test_nothing_in_the_host_names_a_builtin_function():
    """No module outside plugins/ keys maths on a built-in name or reads a parameter by name."""
    assert not hasattr(bp, "KNOWN_PAIRS") and not hasattr(bp, "SHORTCUT_PAIRS")
    offenders = []
    for path in sorted([*(ROOT / "actviz" / "maths").rglob("*.py"), *(ROOT / "actviz" / "host").rglob("*.py")]):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"binary_cross_entropy", r"categorical_cross_entropy"):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)} names {pattern}")
        if path.parent.name == "maths" or path.parent.parent.name == "maths":
            if re.search(r"""["']beta["']""", text):
                offenders.append(f"{path.relative_to(ROOT)} reads 'beta' by name")
    assert not offenders, offenders


def test_delta_notes_carry_beta(reg):
    for loss in ("binary_cross_entropy", "categorical_cross_entropy"):
        assert "β(y − t)" in bp.known_pair(reg.activations["logistic"], reg.losses[loss]).note
    assert "δ = β(y − t)" in reg.losses["binary_cross_entropy"].notes
    assert "δ = β(y−t)·y(1−y)" in reg.losses["squared_error"].notes


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

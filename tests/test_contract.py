"""The plugin contract: specs, validation, isolation, ordering, disabling."""

from __future__ import annotations

import numpy as np
import pytest

import actviz
from actviz.specs import Activation, Loss, NoiseModel, Param, SpecError, validate_spec


def act(name="thing", **kw):
    base = dict(name=name, label=name.title(), formula="z", function=lambda z: z * 1.0,
                derivative=lambda z: np.ones_like(z))
    base.update(kw)
    return Activation(**base)


class Plugin:
    def __init__(self, activations=(), losses=()):
        self._a, self._l = activations, losses

    @actviz.hookimpl
    def actviz_activations(self):
        return self._a

    @actviz.hookimpl
    def actviz_losses(self):
        return self._l


def test_public_api_is_exported():
    for name in ("hookimpl", "Param", "Activation", "Loss", "NoiseModel", "View", "load_registry", "Registry"):
        assert hasattr(actviz, name), name


@pytest.mark.parametrize("bad, reason", [
    (act(name="not valid"), "not a Python identifier"),
    (act(name=""), "not a Python identifier"),
    (act(function=3), "not callable"),
    (act(params=(Param("a", 5.0, 0.0, 1.0),)), "outside"),
    (act(params=(Param("a", 0.5, 1.0, 0.0),)), "not below"),
    (act(params=(Param("a", 0.5, 0.0, 1.0), Param("a", 0.5, 0.0, 1.0))), "declared twice"),
    (act(params=[Param("a", 0.5, 0.0, 1.0)]), "tuple"),
    (act(label=""), "label"),
])
def test_invalid_specs_are_rejected_with_a_reason(bad, reason):
    with pytest.raises(SpecError, match=reason):
        validate_spec(bad)


def loss(name="thing_loss", **kw):
    base = dict(name=name, label=name.title(), formula="E", function=lambda y, t: 0.5 * (y - t) ** 2,
                gradient=lambda y, t: y - t)
    base.update(kw)
    return Loss(**base)


def pinball(tau_param=None, **noise):
    tau = tau_param or Param("tau", 0.5, 0.01, 0.99)
    model = NoiseModel("asymmetric Laplace", lambda t, y, tau: -np.abs(t - y), lambda y, n, rng, tau: y + 0 * n,
                       **noise)
    return loss("pinball", function=lambda y, t, tau: np.maximum(tau * (t - y), (tau - 1) * (t - y)),
                gradient=lambda y, t, tau: np.where(y < t, -tau, 1 - tau), params=(tau,), noise_model=model)


@pytest.mark.parametrize("bad, reason", [
    (act(label=2), r"label must be a string, got int"),
    (act(notes=123), r"notes must be a string, got int"),
    (act(formula=None), r"formula must be a string"),
    (act(derivative_formula=b"f'"), r"derivative_formula must be a string"),
    (loss(gradient_formula=1.5), r"gradient_formula must be a string"),
    (act(params=(Param("a", 0.5, 0.0, 1.0, label=3),)), r"parameter 'a': label must be a string"),
    (act(params=(Param("a", 0.5, 0.0, 1.0, help=["x"]),)), r"parameter 'a': help must be a string"),
    (act(label="L" * 201), r"label is 201 characters long; at most 200"),
    (act(formula="z" * 2001), r"formula is 2001 characters long; at most 2000"),
    (act(notes="n" * 5001), r"notes is 5001 characters long; at most 5000"),
    (act(params=(Param("a", 0.5, 0.0, 1.0, label="a" * 201),)), r"label is 201 characters"),
    (act(params=(Param("a", 0.0, -1e13, 1.0),)), r"parameter 'a' range .* cannot be shown"),
    (act(params=(Param("a", 0.0, -1.0, 2e12),)), r"cannot be shown: \|low\| and \|high\| must be at most 1e\+12"),
    (act(params=(Param("a", 0.0, -1.7e308, 1.7e308),)), r"cannot be shown"),
    (act(params=(Param("a", np.True_, 0.0, 1.0),)), r"default=.* is not a finite number"),
    (act(params=(Param("a", 0.5, 0.0, 1.0, step=np.float64("nan")),)), r"step=.*nan.* must be a positive number"),
    (loss(params=(Param("t", 0.5, 0.0, 1.0),), function=lambda y, t: y, gradient=lambda y, t: y),
     r"'t' has the target's name"),
    (loss(target=Param("k", 0.5, 0.0, 1.0), params=(Param("k", 0.5, 0.0, 1.0),)), r"'k' has the target's name"),
    (act(kinks=[0.0]), r"kinks must be callable \(kinks\(\*\*params\)"),
    (loss(kinks=0.0), r"kinks must be callable \(kinks\(t, \*\*params\)"),
    (pinball(estimator="quantile"), r"estimator 'quantile' needs estimator_param .* \['tau'\]\), got ''"),
    (pinball(estimator="quantile", estimator_param="q"), r"needs estimator_param .* got 'q'"),
    (pinball(Param("tau", 0.5, 0.0, 2.0), estimator="quantile", estimator_param="tau"), r"not within \[0, 1\]"),
    (pinball(estimator="mean", estimator_param="tau"), r"only used with estimator 'quantile', not 'mean'"),
    (pinball(estimator="Mean"), r"estimator 'Mean' is not one of"),
    (pinball(formula=7), r"noise model 'asymmetric Laplace': formula must be a string"),
    (pinball(estimator=None), r"estimator must be a string"),
])
def test_more_invalid_specs_are_rejected_naming_the_field(bad, reason):
    with pytest.raises(SpecError, match=reason):
        validate_spec(bad)


@pytest.mark.parametrize("number", [np.int64(3), np.int32(3), np.float32(3.0), np.float64(3.0), np.uint8(3)])
def test_numpy_numbers_are_numbers(number):
    spec = act(params=(Param("k", number, number - 2, number + 2, step=number / 3),))
    validate_spec(spec)
    [p] = spec.params
    assert (p.default, p.low, p.high) == (3.0, 1.0, 5.0)
    assert all(type(v) in (int, float) for v in (p.default, p.low, p.high, p.step))  # JSON and Qt take them
    reg = actviz.load_registry(extra=[("np", Plugin([act("np_param", function=lambda z, k: k * z,
                                                         derivative=lambda z, k: np.full_like(z, k),
                                                         params=(Param("k", np.int64(3), 1, np.float32(5)),))]))])
    assert "np_param" in reg.activations and not [p for p in reg.problems if p.plugin == "np"]


def test_the_largest_showable_range_and_texts_are_accepted():
    validate_spec(act(label="L" * 200, formula="z" * 2000, notes="n" * 5000,
                      params=(Param("a", 0.0, -1e12, 1e12, label="a" * 200),)))


def test_kinks_and_a_quantile_estimator_are_accepted():
    validate_spec(act(kinks=lambda: [0.0]))
    validate_spec(loss(kinks=lambda t: [t + 1.0]))
    spec = pinball(estimator="quantile", estimator_param="tau")
    validate_spec(spec)
    assert spec.noise_model.estimator_param == "tau"
    assert NoiseModel("x", abs, abs).estimator_param == ""  # optional, after the old fields


def test_in_test_plugin_loads_and_knows_its_plugin():
    reg = actviz.load_registry(extra=[("mine", Plugin([act("cube", function=lambda z: z ** 3,
                                                            derivative=lambda z: 3 * z ** 2)]))])
    spec = reg.activations["cube"]
    assert spec.plugin == "mine"
    assert reg.activations["relu"].plugin == "lecture"
    assert not [p for p in reg.problems if p.plugin == "mine"]


def test_missing_derivative_becomes_numerical_and_is_marked():
    reg = actviz.load_registry(extra=[("mine", Plugin([act("sq", function=lambda z: z * z, derivative=None)]))])
    spec = reg.activations["sq"]
    assert spec.numerical_derivative
    z = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(spec.derivative(z), 2 * z, rtol=1e-6, atol=1e-6)


def test_builtin_name_cannot_be_shadowed_and_first_third_party_wins():
    reg = actviz.load_registry(extra=[
        ("first", Plugin([act("relu"), act("shared", function=lambda z: z * 2.0,
                                             derivative=lambda z: np.full_like(z, 2.0))])),
        ("second", Plugin([act("shared")])),
    ])
    assert reg.activations["relu"].plugin == "lecture"
    assert reg.activations["shared"].plugin == "first"
    msgs = [(p.plugin, p.message) for p in reg.problems]
    assert ("first", "name 'relu' is already taken by plugin 'lecture'") in msgs
    assert ("second", "name 'shared' is already taken by plugin 'first'") in msgs


def test_hook_failures_are_isolated():
    class Raises:
        @actviz.hookimpl
        def actviz_activations(self):
            raise RuntimeError("boom")

    class ReturnsNone:
        @actviz.hookimpl
        def actviz_activations(self):
            return None

    class HalfGenerator:
        @actviz.hookimpl
        def actviz_activations(self):
            yield act("half_ok")
            raise ValueError("half-way")

    reg = actviz.load_registry(extra=[("raises", Raises()), ("none", ReturnsNone()), ("gen", HalfGenerator())])
    by = {p.plugin: p.message for p in reg.problems}
    assert "RuntimeError: boom" in by["raises"]
    assert "returned None" in by["none"]
    assert "half-way" in by["gen"]
    assert len(reg.activations) >= 13  # the built-ins are all there


@pytest.mark.parametrize("fn, reason", [
    (lambda z: 1.0, "scalar"),
    (lambda z: z[:3], "shape"),
    (lambda z: z + 0j, "complex"),
    (lambda z: z * np.nan, "nan"),
])
def test_bad_functions_are_rejected(fn, reason):
    reg = actviz.load_registry(extra=[("bad", Plugin([act("badf", function=fn)]))])
    assert "badf" not in reg.activations
    assert any(reason in p.message.lower() and p.spec == "badf" for p in reg.problems)


def test_wrong_derivative_is_reported_with_worst_z_and_both_values():
    reg = actviz.load_registry(extra=[("wrong", Plugin([act(
        "gauss_wrong", function=lambda z, mu: np.exp(-0.5 * (z - mu) ** 2),
        derivative=lambda z, mu: -z * np.exp(-0.5 * (z - mu) ** 2),  # the lecture's μ-less form
        params=(Param("mu", 1.0, -2.0, 2.0),))]))])
    [problem] = [p for p in reg.problems if p.plugin == "wrong"]
    assert problem.spec == "gauss_wrong"
    assert "at z=" in problem.message and "analytic" in problem.message and "numerical" in problem.message


def test_disable_blocks_a_plugin_before_import(monkeypatch):
    reg = actviz.load_registry(disabled=["lecture"])
    assert "relu" not in reg.activations
    assert any(i.name == "lecture" and i.status == "disabled" for i in reg.plugins)
    monkeypatch.setenv("ACTVIZ_DISABLE", "lecture, modern")
    reg = actviz.load_registry()
    assert "relu" not in reg.activations


def test_loss_spec_with_gradient_and_domain():
    loss = Loss("quartic", "Quartic", "(t-y)^4", lambda y, t: (t - y) ** 4, lambda y, t: -4 * (t - y) ** 3)
    reg = actviz.load_registry(extra=[("q", Plugin(losses=[loss]))])
    assert reg.losses["quartic"].plugin == "q"
    assert reg.losses["quartic"].domain == "real"


def test_registry_order_is_stable(registry):
    again = actviz.load_registry()
    assert list(again.activations) == list(registry.activations)
    assert list(again.losses) == list(registry.losses)

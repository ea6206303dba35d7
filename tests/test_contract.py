"""The plugin contract: specs, validation, isolation, ordering, disabling."""

from __future__ import annotations

import numpy as np
import pytest

import actviz
from actviz.specs import Activation, Loss, Param, SpecError, validate_spec


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

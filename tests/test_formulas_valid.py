"""Valid user formulas: they compute like numpy, find their own parameters, carry exact derivatives and
kinks, load as a plugin, and leave gaps (said in words) where undefined."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import actviz
from actviz.host import evaluation
from actviz.host.formulas import FormulaError, auto_params, compile_formula, formula_plugin, gap_words, parse_formula
from actviz.host.registry import check_spec
from actviz.numerics import sigmoid

# --- valid formulas ----------------------------------------------------------------------------

Z = np.concatenate([np.linspace(-50, 50, 1001), [-1e300, -1000, -0.0, 0.0, 5e-324, 1000, 1e300]])


SWISH = compile_formula("z * logistic(beta * z)", {"beta": (1.0, 0.0, 5.0)}, name="swish")


@settings(max_examples=60, deadline=None)
@given(beta=st.floats(0.0, 5.0))
def test_swish_formula_matches_numpy(beta):
    spec = SWISH
    with np.errstate(all="raise"):  # the formula's own errstate keeps it silent
        y = evaluation.value(spec, Z, {"beta": beta})
    with np.errstate(all="ignore"):
        expected = Z * sigmoid(beta * Z)
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("text, params, reference", [
    ("tanh(z)", {}, np.tanh),
    ("softplus(z) - log1p(exp(-abs(z))) - maximum(z, 0)", {}, lambda z: np.zeros_like(z)),
    ("where(z > 0, z, alpha * z)", {"alpha": 0.1}, lambda z: np.where(z > 0, z, 0.1 * z)),
    ("z**3 / 3 + 2*z - pi", {}, lambda z: z ** 3 / 3 + 2 * z - np.pi),
    ("-z**2", {}, lambda z: -(z ** 2)),
    ("2**-z", {}, lambda z: 2.0 ** -z),
    ("exp(-(z - w)**2 / (2 * s**2))", {"w": 0.5, "s": 2.0}, lambda z: np.exp(-(z - 0.5) ** 2 / 8.0)),
    ("arctan(z) + sinh(z/100) - cosh(z/100) + sin(z) * cos(z) + expm1(z/100) + sqrt(abs(z))", {},
     lambda z: np.arctan(z) + np.sinh(z / 100) - np.cosh(z / 100) + np.sin(z) * np.cos(z) + np.expm1(z / 100)
     + np.sqrt(np.abs(z))),
    ("1", {}, lambda z: np.ones_like(z)),
    ("beta", {"beta": 2.5}, lambda z: np.full_like(z, 2.5)),
])
def test_valid_formulas_evaluate_like_numpy(text, params, reference):
    spec = compile_formula(text, {k: (v, v - 1.0, v + 1.0) for k, v in params.items()})
    z = np.linspace(-5, 5, 201)
    y = spec.function(z, **params)
    assert y.shape == z.shape and y.dtype == float
    np.testing.assert_allclose(y, reference(z), rtol=1e-12, atol=1e-12)
    if text.startswith("softplus"):  # f ≡ 0: both derivatives are rounding noise, not comparable
        np.testing.assert_allclose(spec.derivative(z)[z != 0], 0.0, atol=1e-12)  # z = 0: the kink
    else:
        assert not check_spec(dataclass_with_plugin(spec))


def dataclass_with_plugin(spec):
    import dataclasses

    from actviz.host.registry import _with_numerical_derivative
    return _with_numerical_derivative(dataclasses.replace(spec, plugin="my_functions"))


def test_formulas_are_silent_where_numpy_would_warn():
    spec = compile_formula("log(z) + 1/z + exp(z) + sqrt(z) + z**0.5")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            y = spec.function(np.array([-1.0, 0.0, 1000.0]))
    assert np.isnan(y[0]) and np.isinf(y[2])


def test_formula_plugin_loads_under_my_functions_with_exact_derivatives():
    plugin = formula_plugin({
        "swish_b": ("z * logistic(beta * z)", {"beta": (1.0, 0.0, 5.0)}),
        "cubic": "z**3 / 3",
        "leaky": ("where(z > 0, z, alpha * z)", {"alpha": (0.1, 0.0, 1.0)}),
        "bump": ("exp(-(z - w)**2)", {"w": (0.5, -2.0, 2.0)}),
        "sqrt_z": "sqrt(z)",       # NaN for z < 0: a declared gap, loaded
        "relu": "maximum(z, 0)",   # a built-in's name: rejected as taken
        "grows": "exp(z)",         # overflows at z = 1000: loaded, with a warning
    })
    reg = actviz.load_registry(extra=[("my_functions", plugin)])
    for name in ("swish_b", "cubic", "leaky", "bump", "grows", "sqrt_z"):
        spec = reg.activations[name]
        assert spec.plugin == "my_functions" and not spec.numerical_derivative
    problems = {p.spec: str(p) for p in reg.problems if p.plugin == "my_functions"}
    assert problems.pop("relu") == "[my_functions / relu] validate: name 'relu' is already taken by plugin 'lecture'"
    assert problems.pop("grows").startswith("[my_functions / grows] check: function returns inf at finite input")
    assert not problems, problems
    assert reg.activations["relu"].plugin == "lecture"
    assert reg.activations["sqrt_z"].notes.startswith("Undefined for z < 0: left as a gap.")

    z = np.linspace(-4, 4, 81)
    analytic = {
        "swish_b": lambda z, beta: sigmoid(beta * z) + beta * z * sigmoid(beta * z) * sigmoid(-beta * z),
        "cubic": lambda z: z ** 2,
        "bump": lambda z, w: -2 * (z - w) * np.exp(-(z - w) ** 2),
    }
    for name, df in analytic.items():
        spec = reg.activations[name]
        for params in (spec.defaults, {p.name: p.high for p in spec.params}):
            np.testing.assert_allclose(evaluation.slope(spec, z, params), df(z, **params), rtol=1e-6, atol=1e-7)
    leaky = reg.activations["leaky"]
    np.testing.assert_array_equal(evaluation.slope(leaky, z, {"alpha": 0.1}), np.where(z > 0, 1.0, 0.1))
    assert leaky.kinks(alpha=0.1) == [0.0]


def test_formula_plugin_names_the_bad_formula():
    with pytest.raises(FormulaError, match=r"^mine: 'open' is not an allowed function"):
        formula_plugin({"ok": "z", "mine": "open(z)"})


def test_formula_latex_is_built_from_the_tree():
    spec = compile_formula("z * logistic(beta * z)", {"beta": (1.0, 0.0, 5.0)})
    assert spec.formula == r"f(z)=z\,\sigma\left(\beta\,z\right)"
    assert parse_formula("(a - b) - (c - d) / 2", ["a", "b", "c", "d"])[1] == r"a-b-\frac{c-d}{2}"
    assert parse_formula("w_1 * z", ["w_1"])[1] == r"\mathrm{w\_1}\,z"


# --- automatic parameters, losses, gaps --------------------------------------------------------

def test_free_names_become_parameters_with_ranges_by_role():
    assert auto_params("a*z*logistic(b*z)") == {"a": (1.0, -5.0, 5.0), "b": (1.0, -5.0, 5.0)}
    assert auto_params("exp(-(z - mu)**2 / (2*sigma**2)) + log(k*z) + sqrt(c)") == {
        "mu": (1.0, -5.0, 5.0), "sigma": (1.0, 0.1, 5.0), "k": (1.0, 0.1, 5.0), "c": (1.0, 0.1, 5.0)}
    spec = compile_formula("a*z*logistic(b*z)", {"b": (2.0, 0.0, 4.0)}, name="my_swish", label="my swish")
    assert [(p.name, p.default, p.low, p.high) for p in spec.params] == [("a", 1.0, -5.0, 5.0), ("b", 2.0, 0.0, 4.0)]
    assert (spec.name, spec.label) == ("my_swish", "my swish")
    z = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(spec.function(z, a=0.5), 0.5 * z * sigmoid(2.0 * z), rtol=1e-14)
    assert compile_formula("z").label == "my_function"  # the name, never the raw text


def test_a_loss_typed_as_E_of_y_and_t_has_its_exact_gradient():
    spec = compile_formula("delta**2 * (sqrt(1 + ((y - t)/delta)**2) - 1)", name="pseudo_huber", kind="loss",
                           target=(0.5, -2.0, 2.0))
    assert spec.kind == "loss" and [p.name for p in spec.params] == ["delta"]
    assert spec.params[0].low == 0.1 and (spec.target.default, spec.target.low, spec.target.high) == (0.5, -2, 2)
    y = np.linspace(-3, 3, 13)
    d = 1.0
    np.testing.assert_allclose(spec.gradient(y, 0.5), (y - 0.5) / np.sqrt(1 + ((y - 0.5) / d) ** 2), rtol=1e-12)
    assert spec.formula.startswith("E(y,t)=") and spec.gradient_formula.startswith(r"\frac{\partial E}{\partial y}=")
    assert not check_spec(dataclass_with_plugin(spec))

    ce = compile_formula("-(t*log(y) + (1 - t)*log(1 - y))", name="my_ce", kind="loss", domain="probability",
                         target=(1.0, 0.0, 1.0))
    assert ce.domain == "probability" and ce.params == ()
    p = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(ce.gradient(p, 0.25), (p - 0.25) / (p * (1 - p)), rtol=1e-12)
    reg = actviz.load_registry(extra=[("my_functions", formula_plugin([spec, ce]))], entry_points=False)
    assert reg.losses["my_ce"].plugin == "my_functions" and not reg.losses["my_ce"].numerical_derivative
    assert not [p for p in reg.problems if p.plugin == "my_functions"]


def test_log_is_accepted_with_a_gap_said_in_words():
    spec = compile_formula("log(z)", name="my_log")
    z = np.array([-2.0, -0.0, 0.5, 3.0])
    np.testing.assert_array_equal(spec.undefined(z), [True, True, False, False])
    assert np.isnan(spec.function(z)[0]) and spec.function(z)[1] == -np.inf
    assert gap_words(spec) == "undefined for z ≤ 0"
    assert spec.notes.startswith("Undefined for z ≤ 0: left as a gap.")
    reg = actviz.load_registry(extra=[("my_functions", formula_plugin([spec, compile_formula("1/z", name="inv")]))],
                               entry_points=False)
    assert set(reg.activations) >= {"my_log", "inv"}
    assert not [p for p in reg.problems if p.plugin == "my_functions"]  # no red problem for a declared gap
    assert gap_words(reg.activations["inv"]) == "undefined at z = 0"
    np.testing.assert_allclose(evaluation.slope(reg.activations["my_log"], np.array([0.5, 2.0]), {}), [2.0, 0.5])


def test_a_guarded_log_has_no_gap_and_an_overflow_is_still_reported():
    guarded = compile_formula("where(z > 0, log(1 + z), z)")
    assert not guarded.undefined(np.linspace(-5, 5, 11)).any() and gap_words(guarded) == ""
    grows = compile_formula("exp(z)")
    assert grows.undefined is None
    assert "inf" in str(check_spec(dataclass_with_plugin(grows))[0])


def test_kinks_are_the_zeros_of_affine_switches():
    spec = compile_formula("where(z > c, z - c, 0) + abs(2*z + 1)")
    assert spec.kinks(c=1.5) == [-0.5, 1.5]
    loss = compile_formula("abs(y - t)", kind="loss")
    assert loss.kinks(0.25) == [0.25]


def test_a_stored_derivative_is_used_and_still_checked(monkeypatch):
    from actviz.host import symbolic

    def refuse(*args, **kwargs):
        raise AssertionError("no differentiation when the derivative is stored")

    monkeypatch.setattr(symbolic, "derivative_text", refuse)
    spec = compile_formula("z**3", derivative="3 * z ** 2")
    np.testing.assert_allclose(spec.derivative(np.array([2.0])), [12.0])
    assert spec.derivative_formula == "f'(z)=3\\,{z}^{2}"
    with pytest.raises(FormulaError, match="the derivative .open.* 'open' is not an allowed function"):
        compile_formula("z**3", derivative="open('x')")
    wrong = compile_formula("z**3", derivative="2 * z")
    assert check_spec(dataclass_with_plugin(wrong))[0].stage == "derivative"


@pytest.mark.parametrize("mask, fatal", [
    (lambda z: z <= 0, False),                        # declared: a gap, no problem
    (lambda z: 1 / 0, True),                          # a broken mask declares nothing
    (lambda z: np.ones(z.shape, dtype=bool), True),   # "undefined everywhere" would leave nothing to draw
    (lambda z: z < -1, True),                         # NaN in (−1, 0] is not declared
])
def test_the_probe_allows_nan_only_where_the_spec_declares_it(mask, fatal):
    from actviz.specs import Activation

    spec = Activation("holes", "holes", "", function=lambda z: np.log(z), derivative=lambda z: 1 / z,
                      undefined=mask, plugin="third_party")
    problems = check_spec(spec)
    assert bool([p for p in problems if p.stage == "probe"]) == fatal, problems
    if fatal:
        assert "returns nan at finite input" in problems[0].message


def test_a_micro_sign_parameter_is_the_same_name_python_reads():
    """"µ" (U+00B5) is read by Python as "μ" (U+03BC): a declared µ is that parameter, not an unknown name."""
    spec = compile_formula("µ*z", {"µ": (1.0, 0.0, 2.0)}, name="micro")
    assert [(p.name, p.high) for p in spec.params] == [("μ", 2.0)]
    assert float(spec.function(np.array([3.0]), μ=2.0)[0]) == 6.0

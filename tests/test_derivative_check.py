"""The derivative check: never cries wolf on a right derivative, never misses a wrong one.

A right derivative (exact, or exact to 1e-9) must pass at every parameter
corner, however fast f oscillates or however large |z| is; a derivative whose
relative error is ≥ 1e-3 on ≥ 1 % of the grid, or ≥ 1e-2 anywhere away from a
declared kink, must fail, and the message says where and how badly.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import actviz
from actviz import numerics
from actviz.host.registry import ACTIVATION_GRID, PROBABILITY_GRID, check_spec, parameter_corners
from actviz.numerics import derivative_mismatch, richardson_derivative
from actviz.specs import Activation, Loss, Param

MESSAGE = re.compile(r"derivative wrong at (\d+) of (\d+) points "
                     r"\(largest relative error ([0-9.e+-]+) at (z|y)=([0-9.e+-]+)(.*?)\)")

_ERFC = np.frompyfunc(math.erfc, 1, 1)


def _phi(z):
    return 0.5 * np.asarray(_ERFC(-np.asarray(z) / math.sqrt(2.0)), dtype=float)


def _gelu_prime(z):
    with np.errstate(under="ignore"):
        return _phi(z) + z * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


def _kinked(z):
    return (z + z * z) / (1.0 + np.abs(z))


def _kinked_prime(z):
    """f = z for z ≥ 0; (z + z²)/(1 − z) below, whose slope is (1 + 2z − z²)/(1 − z)²."""
    neg = np.minimum(z, 0.0)
    return np.where(z >= 0, 1.0, (1.0 + 2.0 * neg - neg * neg) / (1.0 - neg) ** 2)


def snake(a_low=0.05, a_high=20.0):
    return Param("a", 1.0, a_low, a_high)


#: name → (f, f′, params, kinks): right derivatives that must pass everywhere
RIGHT = {
    "snake": (lambda z, a: z + np.sin(a * z) ** 2 / a, lambda z, a: 1.0 + np.sin(2.0 * a * z), (snake(),), None),
    "sin30": (lambda z: np.sin(30.0 * z), lambda z: 30.0 * np.cos(30.0 * z), (), None),
    "sin_fast": (lambda z, w: np.sin(w * z), lambda z, w: w * np.cos(w * z), (Param("w", 1.0, 0.01, 1e4),), None),
    "z_sin_z": (lambda z: z * np.sin(z), lambda z: np.sin(z) + z * np.cos(z), (), None),
    "kinked_ratio": (_kinked, _kinked_prime, (), lambda: [0.0]),
    "gelu_plugin": (lambda z: z * _phi(z), _gelu_prime, (), None),
    "steep_tanh": (lambda z, s: np.tanh(s * z),
                   lambda z, s: s * 4.0 * np.exp(-2.0 * np.abs(s * z)) / (1.0 + np.exp(-2.0 * np.abs(s * z))) ** 2,
                   (Param("s", 1.0, 0.1, 1000.0),), None),
    "chirp": (lambda z: np.sin(0.01 * z * z), lambda z: 0.02 * z * np.cos(0.01 * z * z), (), None),
}


class Plugin:
    def __init__(self, activations=(), losses=()):
        self._a, self._l = activations, losses

    @actviz.hookimpl
    def actviz_activations(self):
        return self._a

    @actviz.hookimpl
    def actviz_losses(self):
        return self._l


def _activation(name, f, df, params=(), kinks=None):
    return Activation(name=name, label=name, formula="f(z)", function=f, derivative=df, params=params, kinks=kinks)


def _loaded(spec):
    reg = actviz.load_registry(extra=[("probe", Plugin(*([[spec], []] if isinstance(spec, Activation)
                                                          else [[], [spec]])))])
    return reg, reg.get(spec.name)


def _off_by_1e9(df):
    """df, wrong by a relative ±1e-9 that alternates from point to point."""
    def wrapped(z, *args, **params):
        sign = np.where(np.arange(np.size(z)).reshape(np.shape(z)) % 2 == 0, 1.0, -1.0)
        return df(z, *args, **params) * (1.0 + 1e-9 * sign)
    return wrapped


@pytest.mark.parametrize("exactness", ["exact", "1e-9"])
@pytest.mark.parametrize("name", sorted(RIGHT))
def test_right_derivatives_pass_at_every_parameter_corner(name, exactness):
    f, df, params, kinks = RIGHT[name]
    df = df if exactness == "exact" else _off_by_1e9(df)
    reg, spec = _loaded(_activation(name, f, df, params, kinks))
    assert not [p for p in reg.problems if p.plugin == "probe"], [str(p) for p in reg.problems]
    assert len(parameter_corners(spec)) == (1 + 2 ** len(params) if params else 1)
    problems = check_spec(spec, deep=True)
    assert not problems, [str(p) for p in problems]


def test_large_z_oscillation_is_not_mistaken_for_a_wrong_derivative():
    """The old check stepped by ~6e-6·|z|: 6e-3 at |z| = 1000, a fifth of sin 30z's period."""
    z = np.array([-1000.0, -860.0, -550.0, 640.0, 999.0, 1000.0])
    for w in (30.0, 1e3, 1e6):
        assert derivative_mismatch(lambda v, w=w: np.sin(w * v), lambda v, w=w: w * np.cos(w * v), z) is None


def test_snake_missing_factor_two_fails_with_count_and_worst_error():
    f, _, params, _ = RIGHT["snake"]
    wrong = _activation("snake_wrong", f, lambda z, a: 1.0 + np.sin(a * z) * np.cos(a * z),
                        (Param("a", 5.0, 0.05, 20.0),))
    reg, _ = _loaded(wrong)
    [problem] = [p for p in reg.problems if p.plugin == "probe"]
    assert problem.stage == "derivative" and problem.spec == "snake_wrong"
    m = MESSAGE.search(problem.message)
    assert m, problem.message
    count, total, worst, var, z, rest = m.groups()
    assert int(total) == ACTIVATION_GRID.size and int(count) >= 0.95 * int(total)
    assert var == "z" and ", a=5" in rest
    assert 0.5 <= float(worst) <= 2.0
    # the worst point is where the true slope 1 + sin(2az) is ~0 and the wrong one ~½
    assert abs(1.0 + math.sin(10.0 * float(z))) < 1e-2
    assert problem.message.startswith("derivative disagrees with the numerical one at z=")


def test_a_loss_message_names_y_not_z():
    loss = Loss("quartic_wrong", "Quartic", "(t-y)^4", lambda y, t: (t - y) ** 4,
                lambda y, t: -2.0 * (t - y) ** 3)  # should be −4(t−y)³
    reg, _ = _loaded(loss)
    [problem] = [p for p in reg.problems if p.plugin == "probe"]
    m = MESSAGE.search(problem.message)
    assert m and m.group(4) == "y", problem.message
    assert "at y=" in problem.message and "z=" not in problem.message
    assert problem.message.endswith("(t=1)")


def test_probability_losses_are_checked_up_to_the_edges():
    ok = derivative_mismatch(lambda y: -0.3 * np.log(y) - 0.7 * np.log1p(-y),
                             lambda y: -0.3 / y + 0.7 / (1.0 - y), PROBABILITY_GRID, variable="y")
    assert ok is None
    bad = derivative_mismatch(lambda y: -np.log(y), lambda y: -1.0 / (y + 1e-3), PROBABILITY_GRID, variable="y")
    assert bad is not None and bad.variable == "y" and bad.z < 0.1


@pytest.mark.parametrize("df, fails", [
    (lambda z: 2.0 * z * 1.0011, True),                                         # 1.1e-3 everywhere
    (lambda z: np.where(z == 3.0, 6.1, 2.0 * z), True),                         # 1.6e-2 at one point
    (lambda z: np.where(np.abs(z - 3.0) < 0.06, 2.0 * z * 1.002, 2.0 * z), False),  # 2e-3 on 3 of 599
    (lambda z: 2.0 * z * (1.0 + 1e-6), False),                                  # 1e-6: right
])
def test_the_thresholds(df, fails):
    m = derivative_mismatch(lambda z: z * z, df, ACTIVATION_GRID)
    assert (m is not None) == fails, m


def test_one_wrong_point_is_named():
    m = derivative_mismatch(lambda z: z * z, lambda z: np.where(z == 3.0, 6.1, 2.0 * z), ACTIVATION_GRID)
    assert (m.count, m.total, m.z, m.analytic) == (1, ACTIVATION_GRID.size, 3.0, 6.1)
    assert abs(m.numerical - 6.0) < 1e-9 and abs(m.error - 0.1 / 6.1) < 1e-9
    assert "derivative wrong at 1 of 599 points (largest relative error 0.016 at z=3)" in str(m)


def test_undeclared_kink_fails_and_declared_kink_passes():
    f, df = np.abs, lambda z: np.where(z >= 0, 1.0, -1.0)
    m = derivative_mismatch(f, df, ACTIVATION_GRID)
    assert m is not None and m.z == 0.0 and "declare" in str(m)
    assert derivative_mismatch(f, df, ACTIVATION_GRID, kinks=[0.0]) is None
    # next to a kink the steps stay on one side of it
    z = np.array([-1e-6, 1e-6, -0.3, 0.3])
    assert derivative_mismatch(f, df, z, kinks=[0.0]) is None
    assert derivative_mismatch(f, lambda v: -df(v), z, kinks=[0.0]) is not None


def test_wrong_derivatives_of_the_gallery_still_fail():
    grid = ACTIVATION_GRID
    cases = [
        (np.sin, lambda z: -np.cos(z)),
        (lambda z: numerics.sigmoid(2 * z), lambda z: numerics.sigmoid(2 * z) * numerics.sigmoid(-2 * z)),
        (lambda z: np.exp(-0.5 * (z - 1) ** 2), lambda z: -z * np.exp(-0.5 * (z - 1) ** 2)),
        (lambda z: np.sin(30 * z), lambda z: 15 * np.cos(30 * z)),
    ]
    for f, df in cases:
        assert derivative_mismatch(f, df, grid) is not None


def test_already_computed_values_are_not_computed_again():
    calls = {"f": [], "df": 0}

    def f(v):
        calls["f"].append(v.copy())
        return np.sin(v)

    def df(v):
        calls["df"] += 1
        return np.cos(v)

    z = np.linspace(-3, 3, 61)
    assert derivative_mismatch(f, df, z, fz=np.sin(z), dfz=np.cos(z)) is None
    assert calls["df"] == 0
    assert not any(np.array_equal(v, z) for v in calls["f"])  # only z ± h
    # no derivative function at all is fine when its values are given
    assert derivative_mismatch(f, None, z, fz=np.sin(z), dfz=-np.cos(z)) is not None
    # the old positional form still works
    assert derivative_mismatch(np.sin, np.cos, z, (), 1e-3, None) is None


def test_the_error_estimate_bounds_the_actual_error():
    z = np.concatenate([ACTIVATION_GRID, [1e-300, -1e-20, 1e5]])
    for w in (0.1, 1.0, 30.0, 1e4):
        d = richardson_derivative(lambda v, w=w: np.sin(w * v), z)
        true = w * np.cos(w * z)
        assert np.isfinite(d.error).all()
        assert (np.abs(d.value - true) <= d.error + 1e-300).all(), w
        assert np.median(d.error / np.maximum(np.abs(true), 1e-300)) < 1e-7


def test_points_where_f_is_not_finite_are_skipped_silently():
    with np.errstate(all="raise"):
        assert derivative_mismatch(np.exp, np.exp, ACTIVATION_GRID) is None
        assert derivative_mismatch(np.sqrt, lambda z: 0.5 / np.sqrt(np.abs(z)), ACTIVATION_GRID) is None


def test_builtins_pass_the_deep_check(registry):
    for spec in registry.functions():
        problems = check_spec(spec, deep=True)
        assert not problems, [str(p) for p in problems]

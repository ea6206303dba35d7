"""The hostile gallery: broken third-party plugins, each installed through a real entry point.

Every case must end up in ``Registry.problems`` under its own plugin name,
with a reason a person can act on, while the built-in functions still load.
"""

from __future__ import annotations

import dataclasses
import textwrap
import time
from dataclasses import dataclass

import numpy as np
import pytest

import actviz
from actviz.host import evaluation
from actviz.host.registry import deep_check
from actviz.testing import assert_plugin_ok, format_problems, install_entry_point_plugin, plugin_problems
from tests.hostile_helpers import _assert_builtins_intact, activation_plugin, hook_plugin

GAUSSIAN = """
    def gaussian(z, mu, sigma):
        return np.exp(-0.5 * ((z - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
"""


@dataclass(frozen=True)
class Case:
    plugin: str
    source: str
    stage: str                 # the Problem.stage expected
    words: tuple[str, ...]     # each must appear in str(problem)
    spec: str = ""             # the function the problem names, if any
    loads: bool = False        # whether the function is still usable (a warning, not a rejection)


GALLERY = [
    Case("syntax_error", "def broken(:\n    pass\n", "import", ("SyntaxError",)),
    Case("missing_module", "import actviz_no_such_module_xyz\n", "import",
         ("ModuleNotFoundError", "actviz_no_such_module_xyz")),
    Case("import_raises", "raise RuntimeError('config file ~/.thing not found')\n", "import",
         ("RuntimeError", "config file ~/.thing not found")),
    Case("hook_raises", hook_plugin("raise RuntimeError('weights server offline')"), "actviz_activations",
         ("RuntimeError", "weights server offline")),
    Case("hook_returns_none", hook_plugin("pass"), "actviz_activations",
         ("actviz_activations() returned None", "return a list of specs")),
    Case("hook_returns_string", hook_plugin("return 'relu'"), "actviz_activations",
         ("actviz_activations() returned str", "return a list of specs")),
    Case("hook_generator_raises", hook_plugin("""
            from actviz import Activation
            yield Activation(name="half_way", label="Half", formula="z", function=lambda z: z + 0.0)
            raise LookupError("ran out of functions half-way")
        """), "actviz_activations", ("LookupError", "ran out of functions half-way")),
    Case("hook_returns_junk", hook_plugin("return ['relu', 42]"), "validate",
         ("expected actviz.Activation, got str",)),
    Case("missing_field", textwrap.dedent("""
            import actviz
            from actviz import Activation

            THING = Activation(name="thing", label="Thing", function=lambda z: z + 0.0)  # no formula

            @actviz.hookimpl
            def actviz_activations():
                return [THING]
        """), "import", ("TypeError", "missing 1 required positional argument: 'formula'")),
    Case("not_an_identifier", activation_plugin("lambda z: z + 0.0", name="my thing"), "validate",
         ("'my thing' is not a Python identifier",), spec="my thing"),
    Case("shadows_relu", activation_plugin("lambda z: z * 2.0", name="relu"), "validate",
         ("name 'relu' is already taken by plugin 'lecture'",), spec="relu"),
    Case("low_above_high", activation_plugin("lambda z, a: a * z", "lambda z, a: np.full_like(z, a)",
                                             params="(Param('a', 0.5, 1.0, 0.0),)"), "validate",
         ("parameter 'a'", "low=1.0 not below high=0.0"), spec="thing"),
    Case("default_outside", activation_plugin("lambda z, a: a * z", "lambda z, a: np.full_like(z, a)",
                                              params="(Param('a', 5.0, 0.0, 1.0),)"), "validate",
         ("parameter 'a'", "default 5.0 is outside [0.0, 1.0]"), spec="thing"),
    Case("nan_range", activation_plugin("lambda z, a: a * z", "lambda z, a: np.full_like(z, a)",
                                        params="(Param('a', 0.5, float('nan'), 1.0),)"), "validate",
         ("parameter 'a'", "low=nan is not a finite number"), spec="thing"),
    Case("scalar", activation_plugin("lambda z: 1.0"), "probe",
         ("function returned a scalar for an array of shape", "map elementwise"), spec="thing"),
    Case("wrong_shape", activation_plugin("lambda z: z[:-1] * 1.0"), "probe",
         ("function returned shape (", "for input shape ("), spec="thing"),
    Case("complex", activation_plugin("lambda z: z + 1j"), "probe",
         ("function returned complex numbers", "return real float values"), spec="thing"),
    Case("strings", activation_plugin("lambda z: np.array(['a'] * len(z))"), "probe",
         ("function returned an array of <U1, not numbers",), spec="thing"),
    Case("nan", activation_plugin("np.sqrt", "lambda z: 0.5 / np.sqrt(z)"), "probe",
         ("function returns nan at finite input -1000",), spec="thing"),
    Case("overflows", activation_plugin("np.exp", "np.exp"), "check",
         ("function returns inf at finite input",), spec="thing", loads=True),
    Case("raises_for_some_inputs", activation_plugin("table_lookup", prelude="""
            def table_lookup(z):
                if (np.abs(z) > 100).any():
                    raise IndexError("z outside my lookup table [-100, 100]")
                return np.tanh(z)
        """), "probe", ("function raised IndexError: z outside my lookup table",), spec="thing"),
    Case("derivative_raises", activation_plugin("np.sin", "lambda z: 1 / 0"), "derivative",
         ("derivative raised ZeroDivisionError",), spec="thing", loads=True),
    Case("derivative_sign", activation_plugin("np.sin", "lambda z: -np.cos(z)"), "derivative",
         ("derivative disagrees with the numerical one at z=", "analytic", "numerical"), spec="thing", loads=True),
    Case("derivative_factor",  # the lecture's own slip: f' = f(1-f) without the beta
         activation_plugin("lambda z, beta: 1 / (1 + np.exp(-beta * z))",
                           "lambda z, beta: (1 / (1 + np.exp(-beta * z))) * (1 - 1 / (1 + np.exp(-beta * z)))",
                           params="(Param('beta', 2.0, 0.1, 5.0),)"), "derivative",
         ("derivative disagrees with the numerical one at z=",), spec="thing", loads=True),
    Case("gaussian_without_mu",  # the lecture's table: f' = -z f / sigma^2, right only for mu = 0
         activation_plugin("gaussian", "lambda z, mu, sigma: -z / sigma ** 2 * gaussian(z, mu, sigma)",
                           name="my_gaussian", prelude=GAUSSIAN,
                           params="(Param('mu', 1.0, -5.0, 5.0), Param('sigma', 1.0, 0.1, 5.0))"),
         "derivative", ("derivative disagrees with the numerical one at z=",), spec="my_gaussian", loads=True),
    Case("mutates_input", activation_plugin("double_in_place", prelude="""
            def double_in_place(z):
                z *= 2
                return z
        """), "probe", ("function writes into its input array", "return a new array instead"),
         spec="thing"),
    Case("unlocks_and_mutates_input", activation_plugin("sneaky", prelude="""
            def sneaky(z):
                z.flags.writeable = True
                z[:] = 0.0
                return z * 1.0
        """), "probe", ("writes into its input array",), spec="thing"),
    Case("slow", activation_plugin("slow", prelude="""
            def slow(z):
                time.sleep(3.0)
                return z * 1.0
        """), "probe", ("function is slow: one call on", "points took longer than 0.25 s"), spec="thing"),
    Case("exit_on_import", "import sys\nsys.exit('plugin refuses to run on this machine')\n", "import",
         ("SystemExit", "plugin refuses to run on this machine")),
    Case("exit_in_hook", hook_plugin("raise SystemExit(3)"), "actviz_activations", ("SystemExit: 3",)),
    Case("exit_in_function", activation_plugin("quit_now", prelude="""
            def quit_now(z):
                raise SystemExit("bye")
        """), "probe", ("function raised SystemExit: bye",), spec="thing"),
    Case("loss_hook_returns_activation", hook_plugin("""
            from actviz import Activation
            return [Activation(name="misfiled", label="Misfiled", formula="z", function=lambda z: z + 0.0)]
        """, hook="actviz_losses"), "validate", ("expected actviz.Loss, got Activation",), spec="misfiled"),
]

# every case's function gets its plugin's name, so the whole gallery can load at once
GALLERY = [dataclasses.replace(c, source=c.source.replace("name='thing'", f"name={c.plugin!r}"), spec=c.plugin)
           if c.spec == "thing" else c for c in GALLERY]


def _load(tmp_path, monkeypatch, cases):
    for case in cases:
        install_entry_point_plugin(tmp_path, monkeypatch, case.plugin, case.source)
    start = time.perf_counter()
    reg = actviz.load_registry()
    return reg, time.perf_counter() - start


def _assert_reported(reg, case):
    mine = plugin_problems(reg, case.plugin)
    assert mine, f"{case.plugin}: nothing reported; all problems:\n{format_problems(reg.problems, False)}"
    matching = [p for p in mine if p.stage == case.stage and all(w in str(p) for w in case.words)]
    assert matching, (f"{case.plugin}: expected stage {case.stage!r} with {case.words}, got:\n"
                      + format_problems(mine, False))
    problem = matching[0]
    assert str(problem).startswith(f"[{case.plugin}")
    assert problem.spec == case.spec
    if case.spec:
        assert f"[{case.plugin} / {case.spec}]" in str(problem)
        assert (case.spec in reg.activations or case.spec in reg.losses) == (case.loads or case.spec == "relu")
    info = next(i for i in reg.plugins if i.name == case.plugin)
    if case.stage in ("import", "register"):
        assert info.status == "failed"
    return problem


@pytest.mark.parametrize("case", GALLERY, ids=lambda c: c.plugin)
def test_each_hostile_plugin_alone_is_reported_and_builtins_load(case, tmp_path, monkeypatch):
    reg, seconds = _load(tmp_path, monkeypatch, [case])
    _assert_builtins_intact(reg)
    _assert_reported(reg, case)
    assert seconds < 2.0, f"loading with {case.plugin} took {seconds:.2f} s"


def test_whole_gallery_at_once(tmp_path, monkeypatch):
    reg, seconds = _load(tmp_path, monkeypatch, GALLERY)
    _assert_builtins_intact(reg)
    for case in GALLERY:
        _assert_reported(reg, case)
    # a generator that raises half-way contributes nothing, not its first half
    assert "half_way" not in reg.activations
    # the gallery's slow function costs at most one bounded wait, not its 3 s
    assert seconds < 2.5, f"loading the gallery took {seconds:.2f} s"


def test_slow_function_is_waited_for_once_and_briefly(tmp_path, monkeypatch):
    slow = next(c for c in GALLERY if c.plugin == "slow")
    reg, seconds = _load(tmp_path, monkeypatch, [slow])
    assert seconds < 1.0, f"load waited {seconds:.2f} s for a function that takes 3 s"
    assert "slow" not in reg.activations
    [problem] = plugin_problems(reg, "slow")
    assert problem.stage == "probe" and "slow" in problem.message


def test_function_slow_only_on_many_points_is_caught(tmp_path, monkeypatch):
    case = Case("slow_per_point", activation_plugin("per_point", prelude="""
            def per_point(z):
                time.sleep(0.002 * z.size)
                return z * 1.0
        """), "probe", ("slow",), spec="thing")
    reg, seconds = _load(tmp_path, monkeypatch, [case])
    _assert_reported(reg, case)
    assert seconds < 1.5


def test_two_third_parties_with_one_name_first_keeps_it(tmp_path, monkeypatch):
    # third parties load in order of distribution name
    install_entry_point_plugin(tmp_path, monkeypatch, "early", activation_plugin(
        "lambda z: z * 2.0", "lambda z: np.full_like(z, 2.0)", name="shared_name"), dist_name="aaa-early")
    install_entry_point_plugin(tmp_path, monkeypatch, "late", activation_plugin(
        "lambda z: z * 3.0", "lambda z: np.full_like(z, 3.0)", name="shared_name"), dist_name="zzz-late")
    reg = actviz.load_registry()
    assert reg.activations["shared_name"].plugin == "early"
    np.testing.assert_array_equal(reg.activations["shared_name"].function(np.ones(2)), [2.0, 2.0])
    [problem] = plugin_problems(reg, "late")
    assert str(problem) == "[late / shared_name] validate: name 'shared_name' is already taken by plugin 'early'"
    assert not plugin_problems(reg, "early")
    _assert_builtins_intact(reg)


def test_derivative_message_names_plugin_function_and_worst_z(tmp_path, monkeypatch):
    case = next(c for c in GALLERY if c.plugin == "gaussian_without_mu")
    reg, _ = _load(tmp_path, monkeypatch, [case])
    [problem] = plugin_problems(reg, "gaussian_without_mu")
    text = str(problem)
    assert text.startswith("[gaussian_without_mu / my_gaussian] derivative: derivative disagrees")
    z = float(text.split("at z=")[1].split(":")[0])
    # with mu = 1 the missing term is mu*f/sigma^2, largest near the bump
    assert -1.0 <= z <= 3.0, text


def test_gaussian_without_mu_at_default_mu_zero_is_caught_by_deep_check(tmp_path, monkeypatch):
    case = Case("gaussian_mu0", activation_plugin(
        "gaussian", "lambda z, mu, sigma: -z / sigma ** 2 * gaussian(z, mu, sigma)", name="g0",
        prelude=GAUSSIAN, params="(Param('mu', 0.0, -5.0, 5.0), Param('sigma', 1.0, 0.1, 5.0))"),
        "check", ())
    reg, _ = _load(tmp_path, monkeypatch, [case])
    assert not plugin_problems(reg, "gaussian_mu0")  # right at mu = 0, so the quick check passes
    deep = [p for p in deep_check(reg) if p.plugin == "gaussian_mu0"]
    assert deep and all(p.spec == "g0" and "disagrees" in p.message and "'mu': -5.0" in p.message
                        for p in deep[:1]), format_problems(deep)


def test_keyboard_interrupt_is_not_swallowed(tmp_path, monkeypatch):
    """Ctrl-C while loading must still stop the program: it is re-raised, never recorded."""
    install_entry_point_plugin(tmp_path, monkeypatch, "ctrl_c", "raise KeyboardInterrupt\n")
    with pytest.raises(KeyboardInterrupt):
        actviz.load_registry()


def test_function_raising_only_for_some_inputs_is_guarded_at_run_time(tmp_path, monkeypatch):
    """Inputs the probe never saw: evaluation turns the raise into an EvaluationError with the reason."""
    install_entry_point_plugin(tmp_path, monkeypatch, "picky", activation_plugin(
        "picky", "lambda z: 1 / np.cosh(z) ** 2", prelude="""
            def picky(z):
                if (z == 0.123).any():
                    raise ArithmeticError("0.123 is cursed")
                return np.tanh(z)
        """))
    reg = assert_plugin_ok("picky")
    spec = reg.activations["thing"]
    assert evaluation.value(spec, np.array([0.5]), {}).tolist() == [np.tanh(0.5)]
    with pytest.raises(evaluation.EvaluationError, match="raised ArithmeticError: 0.123 is cursed"):
        evaluation.value(spec, np.array([0.0, 0.123]), {})


def test_unlocking_the_input_cannot_corrupt_the_callers_array():
    def sneaky(z):
        z.flags.writeable = True
        z[:] = 0.0
        return z * 1.0

    x = np.linspace(-1, 1, 5)
    before = x.copy()
    with pytest.raises(evaluation.EvaluationError, match="writes into its input"):
        evaluation.call(sneaky, x)
    np.testing.assert_array_equal(x, before)


def test_assert_plugin_ok_lists_every_problem(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "twice_bad", hook_plugin("""
            import numpy as np
            from actviz import Activation
            return [Activation(name="relu", label="R", formula="z", function=lambda z: z + 0.0),
                    Activation(name="scalar_one", label="S", formula="1", function=lambda z: 1.0)]
        """))
    with pytest.raises(AssertionError) as info:
        assert_plugin_ok("twice_bad")
    text = str(info.value)
    assert "plugin 'twice_bad' has 2 problem(s)" in text
    assert "[twice_bad / relu] validate: name 'relu' is already taken by plugin 'lecture'" in text
    assert "[twice_bad / scalar_one] probe: function returned a scalar" in text
    with pytest.raises(AssertionError, match="no actviz plugin named 'absent'"):
        assert_plugin_ok("absent")


def test_noise_models_are_probed_by_check_like_functions():
    """`actviz check` used to accept any noise model: a NaN log-density or a wrong-shaped sample now is a problem."""
    import numpy as np

    from actviz.host.registry import deep_check

    def loss(name, log_density, sample):
        return actviz.Loss(name, name, "(t-y)^2", lambda y, t: 0.5 * (t - y) ** 2, gradient=lambda y, t: y - t,
                           noise_model=actviz.NoiseModel("broken", log_density, sample))

    class Noisy:
        @actviz.hookimpl
        def actviz_losses(self):
            return [loss("nan_density", lambda t, y: np.full(np.shape(t), np.nan),
                         lambda y, n, rng: rng.normal(y, 1, n)),
                    loss("short_sample", lambda t, y: -0.5 * (t - y) ** 2, lambda y, n, rng: np.zeros(3)),
                    loss("fine_noise", lambda t, y: -0.5 * (t - y) ** 2, lambda y, n, rng: rng.normal(y, 1, n))]

    reg = actviz.load_registry(extra=[("noisy", Noisy())])
    found = {p.spec: p.message for p in deep_check(reg) if p.stage == "noise"}
    assert "log_density is nan" in found["nan_density"]
    assert "shape (3,), not (16,)" in found["short_sample"]
    assert "fine_noise" not in found

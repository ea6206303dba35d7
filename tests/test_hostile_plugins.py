"""The hostile gallery: broken third-party plugins, each installed through a real entry point.

Every case must end up in ``Registry.problems`` under its own plugin name,
with a reason a person can act on, while the built-in functions still load.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
import time
from dataclasses import dataclass

import numpy as np
import pytest

import actviz
from actviz.host import evaluation
from actviz.host.registry import deep_check
from actviz.testing import assert_plugin_ok, format_problems, install_entry_point_plugin, plugin_problems

LECTURE = ("binary_step", "linear", "logistic", "tanh", "relu", "leaky_relu", "softplus", "elu", "rbf",
           "maxout", "softmax", "piecewise_linear", "gaussian")
LECTURE_LOSSES = ("squared_error", "absolute_error", "binary_cross_entropy", "categorical_cross_entropy")


def activation_plugin(function: str, derivative: str = "lambda z: np.ones_like(z)", name: str = "thing",
                      params: str = "()", prelude: str = "") -> str:
    """Source of a plugin module offering one activation."""
    return textwrap.dedent("""
        import math
        import time
        import numpy as np
        import actviz
        from actviz import Activation, Param
        {prelude}

        @actviz.hookimpl
        def actviz_activations():
            return [Activation(name={name!r}, label="A thing", formula="f(z)",
                               function={function}, derivative={derivative}, params={params})]
    """).format(prelude=textwrap.dedent(prelude), name=name, function=function, derivative=derivative,
                params=params)


def hook_plugin(body: str, hook: str = "actviz_activations") -> str:
    return f"import actviz\n\n@actviz.hookimpl\ndef {hook}():\n" + textwrap.indent(textwrap.dedent(body), "    ")


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


def _assert_builtins_intact(reg):
    for name in LECTURE:
        assert reg.activations[name].plugin == "lecture", name
    for name in LECTURE_LOSSES:
        assert reg.losses[name].plugin == "lecture", name
    builtin_problems = [p for p in reg.problems if p.plugin in ("lecture", "modern", "views")]
    assert not builtin_problems, format_problems(builtin_problems)


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


# --- global side effects, hangs and SystemExit wherever plugin code runs ---------------------------

def _side_effects(reg, plugin):
    return [p for p in plugin_problems(reg, plugin) if p.stage == "side-effect"]


def test_monkeypatching_numpy_at_import_is_named_and_undone(tmp_path, monkeypatch):
    real_exp = np.exp
    install_entry_point_plugin(tmp_path, monkeypatch, "patcher", activation_plugin(
        "lambda z: z * 1.0", name="patcher_fn", prelude="np.exp = lambda z: z * 0.0"))
    reg = actviz.load_registry()
    assert np.exp is real_exp
    [problem] = _side_effects(reg, "patcher")
    assert "importing it changed global state" in problem.message and "replaced numpy.exp" in problem.message
    assert "undone" in problem.message
    # the built-in logistic still uses the real exp
    assert reg.activations["logistic"].function(np.array([0.0]), beta=1.0)[0] == 0.5
    assert reg.activations["patcher_fn"].plugin == "patcher"  # the plugin itself still loads
    _assert_builtins_intact(reg)


def test_seterr_raise_at_import_is_named_and_undone(tmp_path, monkeypatch):
    before = np.geterr()
    install_entry_point_plugin(tmp_path, monkeypatch, "strict", activation_plugin(
        "lambda z: z * 1.0", prelude="np.seterr(all='raise')"))
    reg = actviz.load_registry()
    assert np.geterr() == before
    [problem] = _side_effects(reg, "strict")
    assert "numpy's error handling" in problem.message and "'raise'" in problem.message
    _assert_builtins_intact(reg)


def test_patching_builtins_and_numpy_in_a_hook_is_named_and_undone(tmp_path, monkeypatch):
    real_len, real_tanh = len, np.tanh
    install_entry_point_plugin(tmp_path, monkeypatch, "hook_patcher", hook_plugin("""
            import builtins
            import numpy as np
            builtins.len = lambda obj: 0
            np.tanh = np.sin
            np.seterr(all='raise')
            return []
        """))
    reg = actviz.load_registry()
    assert len is real_len and np.tanh is real_tanh
    [problem] = _side_effects(reg, "hook_patcher")
    assert problem.message.startswith("actviz_activations() changed global state")
    for words in ("replaced builtins.len", "replaced numpy.tanh", "numpy's error handling"):
        assert words in problem.message
    _assert_builtins_intact(reg)


def test_a_hook_that_hangs_is_reported_and_loading_goes_on(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTVIZ_HOOK_TIMEOUT", "0.3")
    install_entry_point_plugin(tmp_path, monkeypatch, "hangs", hook_plugin("""
            import time
            time.sleep(30)
        """))
    start = time.perf_counter()
    reg = actviz.load_registry()
    assert time.perf_counter() - start < 2.0
    [problem] = plugin_problems(reg, "hangs")
    assert str(problem) == "[hangs] actviz_activations: actviz_activations() did not return within 0.3 s"
    _assert_builtins_intact(reg)


@pytest.mark.parametrize("kinks", [
    "lambda: time.sleep(30)",
    "lambda: (_ for _ in ()).throw(SystemExit('kinks says bye'))",
    "lambda: [Evil()]",
])
def test_kinks_that_hang_exit_or_return_junk_only_loosen_the_check(kinks, tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "kinky", textwrap.dedent(f"""
        import time
        import numpy as np
        import actviz

        class Evil:
            def __float__(self):
                raise SystemExit("float says bye")

        @actviz.hookimpl
        def actviz_activations():
            return [actviz.Activation(name="kinky_abs", label="abs", formula="|z|", function=np.abs,
                                      derivative=np.sign, kinks={kinks})]
    """))
    start = time.perf_counter()
    reg = actviz.load_registry()
    deep = [p for p in deep_check(reg) if p.plugin == "kinky"]
    assert time.perf_counter() - start < 3.0
    assert "kinky_abs" in reg.activations
    assert all(p.stage != "probe" for p in deep), format_problems(deep)


def test_system_exit_from_a_returned_objects_array_is_contained(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "fake_array", activation_plugin("fake", prelude="""
            class Fake:
                def __array__(self, dtype=None, copy=None):
                    raise SystemExit("__array__ says bye")

            def fake(z):
                return Fake()
        """))
    reg = actviz.load_registry()
    [problem] = plugin_problems(reg, "fake_array")
    assert problem.stage == "probe" and "SystemExit" in problem.message and "__array__ says bye" in problem.message


def test_a_spec_whose_attributes_raise_system_exit_is_contained(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "evil_spec", hook_plugin("""
            import numpy as np
            from actviz import Activation

            class Evil(Activation):
                def __getattribute__(self, name):
                    if name == "params":
                        raise SystemExit("attribute says bye")
                    return object.__getattribute__(self, name)

            return [Evil(name="evil_spec", label="E", formula="z", function=lambda z: z * 1.0)]
        """))
    reg = actviz.load_registry()
    assert "evil_spec" not in reg.activations
    [problem] = plugin_problems(reg, "evil_spec")
    assert problem.stage == "validate" and "SystemExit: attribute says bye" in problem.message


def test_a_typo_hook_names_the_closest_hookspec(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "typo", textwrap.dedent("""
        import actviz

        @actviz.hookimpl
        def actviz_activation():
            return []

        def actviz_losses():  # forgot the decorator
            return []
    """))
    reg = actviz.load_registry()
    messages = sorted(p.message for p in plugin_problems(reg, "typo"))
    assert messages == [
        "actviz_losses() has no @actviz.hookimpl decorator, so it is never called",
        "hook 'actviz_activation' matches no hookspec, so it is never called; did you mean 'actviz_activations'?",
    ], messages
    assert next(i for i in reg.plugins if i.name == "typo").status == "active"


def test_safe_mode_loads_the_builtins_only(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "third", activation_plugin(
        "lambda z: z * 1.0", name="third_fn", prelude="raise SystemExit('must not even be imported')"))
    reg = actviz.load_registry(safe_mode=True, extra=[("inproc", object())])
    assert not plugin_problems(reg, "third")
    statuses = {i.name: i.status for i in reg.plugins}
    assert statuses["third"] == "disabled" and statuses["inproc"] == "disabled"
    assert all(statuses[n] == "active" for n in ("lecture", "modern", "views"))
    assert all(i.status == "disabled" for i in reg.plugins if not i.builtin and i.name != "inproc")
    monkeypatch.setenv("ACTVIZ_SAFE_MODE", "1")
    assert "third_fn" not in actviz.load_registry().activations


def test_system_exit_from_array_off_the_probe_grid_is_contained(tmp_path, monkeypatch):
    """The derivative check evaluates the function between grid points, outside the guarded worker."""
    install_entry_point_plugin(tmp_path, monkeypatch, "off_grid", activation_plugin(
        "sly", "np.cos", name="sly", params="(Param('a', 0.5, 0.0, 1.0),)", prelude="""
            from actviz.host.registry import ACTIVATION_GRID

            class Fake:
                def __array__(self, dtype=None, copy=None):
                    raise SystemExit("__array__ says bye")

            def sly(z, a=0.5):
                return np.sin(z) if np.isin(z, ACTIVATION_GRID).all() else Fake()
        """).replace("derivative=np.cos", "derivative=lambda z, a: np.cos(z)"))
    reg = actviz.load_registry()
    found = plugin_problems(reg, "off_grid") + [p for p in deep_check(reg) if p.plugin == "off_grid"]
    assert found and all("SystemExit" in p.message for p in found), format_problems(found)
    _assert_builtins_intact(reg)


# --- at run time, on the GUI thread: SystemExit from a returned object, slow calls, huge formulas ------------

class _ExitingArray:
    """What a plugin function may return: an object whose conversion to an array ends the process."""

    def __array__(self, dtype=None, copy=None):
        raise SystemExit("__array__ says bye")


def test_system_exit_from_a_returned_object_is_a_line_in_the_function_view():
    """Before: np.asarray(out) let SystemExit through and the window closed; now it is a drawn message."""
    from actviz_views.function_model import compute

    spec = actviz.Activation(name="exits", label="Exits", formula="z", plugin="leaver",
                             function=lambda z: np.tanh(z) if z.size < 50 else _ExitingArray(),
                             derivative=lambda z: 1 / np.cosh(z) ** 2)
    curves = compute(spec, np.linspace(-1, 1, 200), {}, None, numerical=False)
    assert np.isnan(curves.values).all()
    [line] = curves.problems
    assert line.startswith("Exits (leaver): returned _ExitingArray, not an array")
    assert "SystemExit: __array__ says bye" in line


@pytest.fixture
def gui_limit():
    """The GUI's call limit, small as the issue asks for tests."""
    evaluation.set_call_limit(0.2)
    yield 0.2
    evaluation.set_call_limit(None)


def test_a_slow_call_on_the_gui_thread_is_reported_and_not_repeated(gui_limit):
    calls = []

    def sluggish(z, a):
        calls.append(a)
        if a > 0.5:
            time.sleep(0.6)
        return z * a

    x = np.linspace(-1, 1, 1000)
    assert evaluation.call(sluggish, x, a=0.25)[-1] == 0.25
    with pytest.raises(evaluation.SlowCall, match=r"function .*sluggish is slow: one call on 1000 points took "
                                                  r"longer than 0\.2 s$"):
        evaluation.call(sluggish, x, a=0.75)
    with pytest.raises(evaluation.SlowCall, match="not returned yet, so it is skipped"):
        evaluation.call(sluggish, x, a=0.5)  # the abandoned call is still running: no second thread
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # once the abandoned call returns, the same parameters are still skipped
        try:
            evaluation.call(sluggish, x, a=0.75)
        except evaluation.SlowCall as exc:
            if "skipped until a parameter changes" in str(exc):
                break
        time.sleep(0.05)
    with pytest.raises(evaluation.SlowCall, match="skipped until a parameter changes"):
        evaluation.call(sluggish, x, a=0.75)
    assert evaluation.call(sluggish, x, a=0.125)[0] == -0.125  # a new parameter: tried again, and fast
    assert calls == [0.25, 0.75, 0.125]
    assert not evaluation.slow_functions()


def test_a_hanging_function_view_redraw_shows_the_reason(gui_limit):
    """The function view's numbers with a plugin that never returns at one parameter value."""
    from actviz_views.function_model import compute

    def hangs(z, a):
        while a > 0.9:
            time.sleep(0.05)
        return z * a

    spec = actviz.Activation(name="hangs", label="Hangs", formula="a z", plugin="stuck", function=hangs,
                             derivative=lambda z, a: np.full_like(z, a),
                             params=(actviz.Param("a", 0.5, 0.0, 1.0),))
    xs = np.linspace(-1, 1, 100)
    ok = compute(spec, xs, {"a": 0.5}, None, numerical=True)
    assert ok.values[-1] == 0.5 and not ok.problems
    stuck = compute(spec, xs, {"a": 0.95}, None, numerical=True)
    assert np.isnan(stuck.values).all()
    [line] = stuck.problems
    assert re.match(r"Hangs \(stuck\): function hangs is slow: one call on \d+ points took longer than 0\.2 s", line)
    again = compute(spec, xs, {"a": 0.5}, None, numerical=True)  # still running: skipped, not waited for
    assert "so it is skipped" in again.problems[0]


def test_trusted_functions_run_on_the_gui_thread(gui_limit):
    """Training calls one function thousands of times: after a few fast calls it is called directly."""
    import threading

    threads = []

    def where(z):
        threads.append(threading.current_thread() is threading.main_thread())
        return z * 1.0

    for _ in range(evaluation.TRUST_AFTER + 2):
        evaluation.call(where, np.zeros(4))
    assert threads == [False] * evaluation.TRUST_AFTER + [True, True]
    evaluation.call(where, np.zeros(5))  # another shape: bounded again
    assert threads[-1] is False


def test_a_megabyte_formula_is_shown_as_text_without_rendering(qtbot, monkeypatch):
    from actviz.gui import formula

    def never(*args, **kwargs):
        raise AssertionError("mathtext must not see this formula")

    monkeypatch.setattr(formula, "render_later", never)
    label = formula.FormulaLabel()
    qtbot.addWidget(label)
    tex = "x^2 + " * 200_000
    label.set_formula(tex, deferred=False)
    assert not label.rendered
    assert label.text().endswith(f"…  ({len(tex)} characters; formulas over 2000 are shown as text)")
    assert len(label.text()) < 400 and len(label.toolTip()) < 400


def test_a_formula_that_renders_too_long_is_abandoned(qtbot, monkeypatch):
    """mathtext runs on its own thread; the label gives up after the limit and shows the source."""
    import threading

    from actviz.gui import formula

    release = threading.Event()

    def slow_png(tex, color, size=13.0):
        release.wait(10)
        return None

    monkeypatch.setenv("ACTVIZ_FORMULA_TIMEOUT", "0.1")
    monkeypatch.setattr(formula, "render_png", slow_png)
    label = formula.FormulaLabel()
    qtbot.addWidget(label)
    label.show()
    label.set_formula(r"\frac{a}{b_{slow}}")
    qtbot.waitUntil(lambda: "took longer than 0.1 s to render" in label.text(), timeout=5000)
    assert label.text().startswith(r"\frac{a}{b_{slow}}") and not label.rendered
    other = formula.FormulaLabel()
    qtbot.addWidget(other)
    other.set_formula(r"\alpha_{busy}", deferred=False)  # the thread is taken: shown as text at once
    assert other.text() == r"\alpha_{busy}" and not other.rendered
    release.set()
    formula._renderer.submit(lambda: None).result(5)


def test_half_a_million_kinks_are_capped_so_a_redraw_stays_small():
    """A plugin declaring 500k kinks used to make every redraw sample and mask around all of them."""
    import numpy as np

    from actviz.host.registry import MAX_KINKS, kinks_of

    spec = actviz.Activation("jagged", "Jagged", "z", lambda z: z.copy(), derivative=lambda z: np.ones_like(z),
                             kinks=lambda: np.linspace(-5e5, 5e5, 500_001))
    kinks = kinks_of(spec, {}, None)
    assert len(kinks) == MAX_KINKS
    assert max(abs(k) for k in kinks) < 2 * MAX_KINKS  # the ones near the origin, where the plot starts
    assert 0.0 in kinks


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

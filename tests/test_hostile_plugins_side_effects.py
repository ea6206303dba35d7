"""Hostile plugins that change global state, hang or raise SystemExit while they load or are checked.

Each is named in ``Registry.problems``, its changes are undone, and loading goes on.
"""

from __future__ import annotations

import textwrap
import time

import numpy as np
import pytest

import actviz
from actviz.host.registry import deep_check
from actviz.testing import format_problems, install_entry_point_plugin, plugin_problems
from tests.hostile_helpers import _assert_builtins_intact, activation_plugin, hook_plugin


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

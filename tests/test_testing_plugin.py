"""actviz's pytest plugin for plugin authors (actviz.pytest_plugin) and the helpers in actviz.testing.

The fixtures are exercised in pytester runs of their own, with the plugin loaded by
``-p`` (``-p no:actviz`` first, so an installed ``pytest11`` entry point does not
register it twice). That the entry point itself works from an installed wheel is
tests/test_example_wheels.py's job.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from actviz.testing import (
    assert_plugin_ok,
    install_entry_point_plugin,
    plugin_check,
    plugin_registry,
    third_party_plugins,
)

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
LOAD = ("-p", "no:actviz", "-p", "actviz.pytest_plugin", "-p", "no:cacheprovider")

GOOD = """
    import numpy as np
    import actviz

    @actviz.hookimpl
    def actviz_activations():
        return [actviz.Activation(name="{name}", label="Scaled", formula="f(z)=az",
                                  function=lambda z, a: a * z, derivative=lambda z, a: a + 0.0 * z,
                                  params=(actviz.Param("a", 1.0, 0.5, 2.0),))]
"""

# Fine at its defaults (what loading probes), NaN and ±inf at the corner a = 0 (what `actviz check` adds).
BAD_AT_A_CORNER = """
    import numpy as np
    import actviz

    @actviz.hookimpl
    def actviz_activations():
        return [actviz.Activation(name="divided", label="Divided", formula="f(z)=z/a",
                                  function=lambda z, a: z / a, derivative=lambda z, a: 1.0 / a + 0.0 * z,
                                  params=(actviz.Param("a", 1.0, 0.0, 2.0),))]
"""


# -- registration and import cost -----------------------------------------------------------------

def test_pyproject_registers_the_plugin_under_pytest11():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["project"]["entry-points"]["pytest11"] == {"actviz": "actviz.pytest_plugin"}


def test_loading_the_plugin_imports_neither_qt_nor_pytest_qt():
    """Every pytest run on a machine with actviz loads it: it must stay cheap and need nothing extra."""
    code = ("import sys, actviz.pytest_plugin\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'shiboken6', 'pyqtgraph', 'pytestqt') or m.startswith('actviz.gui'))\n"
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout


# -- actviz.testing, directly ---------------------------------------------------------------------

def test_plugin_registry_keeps_the_plugin_and_the_built_ins_only(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "first", GOOD.format(name="from_first"))
    install_entry_point_plugin(tmp_path, monkeypatch, "second", GOOD.format(name="from_second"))
    assert {"first", "second"} <= set(third_party_plugins())
    reg = plugin_registry("first")
    status = {info.name: info.status for info in reg.plugins}
    assert status["first"] == "active" and status["second"] == "disabled"
    assert "from_first" in reg.activations and "from_second" not in reg.activations
    assert all(status[i.name] == "active" for i in reg.plugins if i.builtin)
    assert "relu" in reg.activations  # a built-in
    both = plugin_registry("first", "second")
    assert {"from_first", "from_second"} <= set(both.activations)


def test_assert_plugin_ok_checks_every_parameter_corner(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "cornered", BAD_AT_A_CORNER)
    reg = plugin_registry("cornered")
    assert "divided" in reg.activations  # loading probes the defaults only: admitted
    assert_plugin_ok("cornered", reg, corners=False)
    with pytest.raises(AssertionError) as info:
        assert_plugin_ok("cornered", reg)
    text = str(info.value)
    assert "plugin 'cornered' has" in text and "'a': 0.0" in text and "[cornered / divided] check:" in text
    # exactly what `actviz check` prints about this plugin
    from actviz.host.registry import deep_check

    assert [str(p) for p in plugin_check(reg, "cornered")] == \
        [str(p) for p in deep_check(reg) if p.plugin == "cornered"]


def test_assert_plugin_ok_passes_a_healthy_plugin(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "healthy", GOOD.format(name="scaled"))
    reg = assert_plugin_ok("healthy", plugin_registry("healthy"))
    assert reg.activations["scaled"].plugin == "healthy"


# -- the fixtures, in pytester runs ---------------------------------------------------------------

FIXTURE_TESTS = '''
import numpy as np
import pytest

from actviz.testing import view_curves

GOOD = {good!r}
BAD = {bad!r}

VIEWS = """
import numpy as np

import actviz


def make_model(registry):
    from actviz.gui import FunctionChoice, Param, ViewModel

    class TwoCurves(ViewModel):
        def declare(self, registry):
            return (FunctionChoice("activation", "activation", default=("scaled",), browse=True),
                    Param("shift", 0.0, -1.0, 1.0))
    return TwoCurves(registry)

def create(context):
    import pyqtgraph as pg
    from PySide6 import QtWidgets
    from actviz.gui import ViewWidget
    from actviz.evaluation import value

    class TwoCurves(ViewWidget):
        def __init__(self, context):
            super().__init__(context)
            self.graphics = pg.GraphicsLayoutWidget()
            top = self.graphics.addPlot(row=0, col=0)
            bottom = self.graphics.addPlot(row=1, col=0)
            self.f = top.plot(name="f")
            self.g = bottom.plot()
            self.h = bottom.plot()
            QtWidgets.QVBoxLayout(self).addWidget(self.graphics)

        def redraw(self):
            m = self.model
            z = np.linspace(-1.0, 1.0, 5)
            self.f.setData(z, value(m.function("activation"), z, m.function_params("activation")) + m["shift"])
            self.g.setData(z, -z)

    return TwoCurves(context)

@actviz.hookimpl
def actviz_views():
    return [actviz.View("two_curves", "Two curves", create, model=make_model)]
"""


@pytest.fixture
def registry(install_actviz_plugin, actviz_registry):
    install_actviz_plugin("scaler", GOOD.format(name="scaled"))
    install_actviz_plugin("viewer", VIEWS)
    return actviz_registry("scaler", "viewer")


def test_registry_and_health(registry, assert_actviz_plugin_ok):
    assert "scaled" in registry.activations and "two_curves" in registry.views
    assert assert_actviz_plugin_ok("scaler") is not None
    assert_actviz_plugin_ok("viewer", registry)


def test_corner_failure(install_actviz_plugin, assert_actviz_plugin_ok):
    install_actviz_plugin("cornered", BAD)
    with pytest.raises(AssertionError, match="at .'a': 0.0"):
        assert_actviz_plugin_ok("cornered")


def test_view_and_curves(registry, actviz_view):
    view = actviz_view(registry, "two_curves", settings={{"activation.a": 2.0, "shift": 0.5}}, size=(400, 300))
    curves = view_curves(view)
    assert list(curves) == ["f", "curve1", "curve2"]
    x, y = curves["f"]
    np.testing.assert_allclose(y, 2.0 * x + 0.5)
    assert curves["curve2"][0].size == 0
    view.model.set("shift", -1.0)
    view.refresh()
    np.testing.assert_allclose(view_curves(view)["f"][1], 2.0 * x - 1.0)
'''


def write_fixture_tests(pytester):
    source = FIXTURE_TESTS.format(good=textwrap.dedent(GOOD), bad=textwrap.dedent(BAD_AT_A_CORNER))
    pytester.makepyfile(test_fixtures=source)


def test_the_fixtures_work_for_a_plugin_author(pytester, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    write_fixture_tests(pytester)
    result = pytester.runpytest_subprocess(*LOAD)
    result.assert_outcomes(passed=3)


def test_without_pytest_qt_only_the_view_fixture_asks_for_it(pytester):
    write_fixture_tests(pytester)
    result = pytester.runpytest_subprocess(*LOAD, "-p", "no:pytest-qt")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*the actviz_view fixture needs pytest-qt: pip install pytest-qt*"])

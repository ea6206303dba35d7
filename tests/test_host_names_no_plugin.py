"""The host knows no plugin by name: renamed lecture functions pin, export and get δ; a lone third-party view works."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

import actviz
from actviz.gui import build_view, close_view
from actviz.gui.main_window import MainWindow
from actviz.testing import install_entry_point_plugin, plugin_problems
from tests.renamed_lecture import RENAMED_PLUGIN


def test_renamed_functions_pin_and_draw_their_closed_form_delta(qtbot, tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "renamed", RENAMED_PLUGIN)
    reg = actviz.load_registry(disabled=("lecture",))
    assert not plugin_problems(reg, "renamed")
    view, app = build_view(reg, "function", settings={"function": "squash", "function.beta": 2.0})
    try:
        assert view.model.pin(reg.get("sway"), {}) == ""
        view.refresh()
        x, y = view.curve_f.getData()
        np.testing.assert_allclose(y, 1 / (1 + np.exp(-2.0 * x)), rtol=1e-12)
        assert [s.name for s, _ in view.model.pins()] == ["sway"]
        np.testing.assert_allclose(view.pin_curves[0][0].getData()[1], np.tanh(x), rtol=1e-12, atol=1e-15)
    finally:
        close_view(view, app)
    delta, app = build_view(reg, "delta", settings={"pairs": "squash:xent", "activation.beta": 2.0})
    try:
        delta.refresh()
        assert not delta.error
        assert (delta.model["activation"], delta.model["loss"]) == ("squash", "xent")
        out = delta.frame.pairs[0].out
        assert out.simplified  # the renamed plugin's own rule: δ = β(y − t), exact in the tails
        np.testing.assert_allclose(out.delta, 2.0 * (out.y - 1.0), rtol=1e-12, atol=1e-300)
    finally:
        close_view(delta, app)


def test_export_of_a_renamed_function_through_the_cli(tmp_path, monkeypatch):
    module = install_entry_point_plugin(tmp_path, monkeypatch, "renamed", RENAMED_PLUGIN)
    site = module.parent  # the site-packages directory holding the module and its dist-info
    out = tmp_path / "squash.csv"
    env = {**__import__("os").environ, "PYTHONPATH": f"{site}:{__import__('os').environ.get('PYTHONPATH', '')}",
           "ACTVIZ_DISABLE": "lecture"}
    result = subprocess.run([sys.executable, "-m", "actviz", "export", "squash", "--param", "beta=3",
                             "--range", "-1", "1", "--out", str(out)], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    data = np.genfromtxt(out, delimiter=",", names=True)
    np.testing.assert_allclose(data["squash_f"], 1 / (1 + np.exp(-3.0 * data["z"])), rtol=1e-9)


def test_a_window_with_only_a_third_party_view_follows_the_function_list(qtbot):
    reg = actviz.load_registry(disabled=("views",))
    assert list(reg.views) == ["example_slopes"]
    win = MainWindow(registry=reg)
    win.setProperty("testing", True)
    qtbot.addWidget(win)
    win.show()
    view = win.show_view("example_slopes")
    assert view is not None and win.browser_dock.isVisible()
    assert win.select_function("tanh")
    assert view.model["activation"] == "tanh"

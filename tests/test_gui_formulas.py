"""User formulas in the window: checked like a plugin, shown under my_functions, remembered."""

from __future__ import annotations

import numpy as np
import pytest

from actviz.gui.formula_dialog import FormulaDialog, parse_params
from actviz.gui.main_window import MainWindow
from actviz.host.formulas import FormulaError
from tests.conftest import settle


def test_adding_a_formula_shows_it_and_draws_it(window, qtbot):
    window.add_formula("my_swish", "z * logistic(beta * z)", {"beta": (1.0, 0.0, 5.0)})
    settle(qtbot)
    spec = window.registry.activations["my_swish"]
    assert spec.plugin == "my_functions" and spec.numerical_derivative
    assert "my_swish" in window.browser.items and window.selection.spec.name == "my_swish"
    x, y = window.views["function"].curve_f.xData, window.views["function"].curve_f.yData
    np.testing.assert_allclose(y, x / (1 + np.exp(-x)), rtol=1e-12)
    assert set(window.panel.widgets) == {"beta"}


@pytest.mark.parametrize("text, reason", [
    ("__import__('os').system('true')", "not allowed"),
    ("z.real", "not allowed"),
    ("9**9**9", "power towers"),
    ("gamma * z", "gamma"),
])
def test_bad_formulas_are_refused_and_nothing_changes(window, text, reason):
    before = list(window.registry.activations)
    with pytest.raises(FormulaError, match=reason):
        window.add_formula("evil", text, {})
    assert list(window.registry.activations) == before


def test_formula_that_returns_nan_is_refused_by_the_probe(window):
    with pytest.raises(FormulaError, match="nan"):
        window.add_formula("holey", "log(z)", {})


def test_formulas_persist_between_runs(qtbot, registry, private_settings):
    win = MainWindow()
    qtbot.addWidget(win)
    win.restore_state()
    win.add_formula("double", "2 * z", {})
    win.close()
    again = MainWindow()
    qtbot.addWidget(again)
    again.restore_state()
    assert again.registry.activations["double"].plugin == "my_functions"
    again.remove_formula("double")
    assert "double" not in again.registry.activations


def test_dialog_reports_the_reason(window, qtbot):
    dialog = FormulaDialog(window)
    qtbot.addWidget(dialog)
    dialog.text.setText("z.__class__")
    dialog.add()
    assert "Not added" in dialog.message.text()
    with pytest.raises(FormulaError, match="line 1"):
        parse_params("beta one 0 5")

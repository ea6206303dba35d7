"""User formulas in the window: checked like a plugin, shown under my_functions by their own name and label,
drawn with their exact derivative, remembered with it; the dialog finds parameters and points at errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from actviz.gui.formula_dialog import HELP, FormulaDialog, caret
from actviz.gui.main_window import MainWindow
from actviz.host.formulas import FormulaError
from actviz.numerics import sigmoid
from tests.conftest import settle


def test_adding_a_formula_shows_it_by_its_label_and_draws_it_with_its_exact_derivative(window, qtbot):
    window.add_formula("my_swish", "a * z * logistic(b * z)", {"b": (1.0, 0.0, 5.0)}, label="my swish")
    settle(qtbot)
    spec = window.registry.activations["my_swish"]
    assert spec.plugin == "my_functions" and not spec.numerical_derivative
    assert window.browser.items["my_swish"].text(0) == "my swish"
    assert window.models["function"]["function"] == "my_swish"
    view = window.views["function"]
    x, y = view.curve_f.xData, view.curve_f.yData
    np.testing.assert_allclose(y, x * sigmoid(x), rtol=1e-12)
    dx, dy = view.curve_d.xData, view.curve_d.yData
    np.testing.assert_allclose(dy, sigmoid(dx) * (1 + dx * sigmoid(-dx)), rtol=1e-9, atol=1e-12)
    assert view.legend.getLabel(view.curve_f).text == "my swish"
    assert {"function.a", "function.b"} <= set(window.panel.widgets)
    text, params, stored = window.formulas["my_swish"]
    assert params == {"a": (1.0, -5.0, 5.0), "b": (1.0, 0.0, 5.0)}
    assert stored["derivative"] == "a * (1 - b * z * (logistic(b * z) - 1)) * logistic(b * z)"
    assert stored["label"] == "my swish" and stored["kind"] == "activation"


@pytest.mark.parametrize("text, reason", [
    ("__import__('os').system('true')", "not allowed"),
    ("z.real", "not allowed"),
    ("9**9**9", "power towers"),
    ("x * z", "unknown name 'x'"),
])
def test_bad_formulas_are_refused_and_nothing_changes(window, text, reason):
    before = list(window.registry.activations)
    with pytest.raises(FormulaError, match=reason):
        window.add_formula("evil", text, {})
    assert list(window.registry.activations) == before and "evil" not in window.formulas


def test_log_is_drawn_with_a_gap_and_said_in_words(window, qtbot):
    window.add_formula("my_log", "log(z)")
    settle(qtbot)
    assert not [p for p in window.registry.problems if p.plugin == "my_functions"]
    view = window.views["function"]
    x, y = view.curve_f.xData, view.curve_f.yData
    assert x.min() < 0 < x.max()
    assert np.isnan(y[x < 0]).all()
    np.testing.assert_allclose(y[x > 0], np.log(x[x > 0]), rtol=1e-12)
    assert view.notes.text().startswith("Undefined for z ≤ 0: left as a gap.")


def test_a_loss_typed_as_E_of_y_and_t(window, qtbot):
    spec = window.add_formula("my_ce", "-(t*log(y) + (1 - t)*log(1 - y))", kind="loss", domain="probability",
                              target=(1.0, 0.0, 1.0), label="my cross-entropy")
    assert spec.kind == "loss" and window.registry.losses["my_ce"].label == "my cross-entropy"
    y = np.array([0.2, 0.7])
    np.testing.assert_allclose(spec.gradient(y, 0.5), (y - 0.5) / (y * (1 - y)), rtol=1e-12)
    stored = window.formulas["my_ce"][2]
    assert stored["domain"] == "probability" and stored["target"] == [1.0, 0.0, 1.0]
    assert stored["derivative"] == "(t - y) / (y * (y - 1))"


def test_formulas_persist_between_runs_with_their_derivative(qtbot, registry, private_settings):
    win = MainWindow()
    qtbot.addWidget(win)
    win.restore_state()
    win.add_formula("double", "2 * z", {})
    win.add_formula("sq", "(y - t)**2", kind="loss")
    win.close()
    saved = json.loads(private_settings.read_text())["formulas"]
    assert saved["double"] == ["2 * z", {}, {"label": "double", "kind": "activation", "derivative": "2"}]
    again = MainWindow()
    qtbot.addWidget(again)
    again.restore_state()
    assert again.registry.activations["double"].plugin == "my_functions"
    assert again.registry.losses["sq"].gradient_formula == r"\frac{\partial E}{\partial y}=2\,y-2\,t"
    again.remove_formula("double")
    assert "double" not in again.registry.activations


def test_old_two_part_formulas_still_load(window):
    window.apply_scene({"formulas": {"old": ["beta * z**2", {"beta": [2.0, 0.0, 4.0]}]}, "views": {}})
    spec = window.registry.activations["old"]
    assert spec.plugin == "my_functions" and not spec.numerical_derivative
    np.testing.assert_allclose(spec.derivative(np.array([3.0]), beta=2.0), [12.0])


def test_dialog_finds_parameters_while_typing(window, qtbot):
    dialog = FormulaDialog(window)
    qtbot.addWidget(dialog)
    dialog.text.setText("exp(-(z - mu)**2 / (2*sigma**2))")
    rows = [[dialog.params.item(r, c).text() for c in range(4)] for r in range(dialog.params.rowCount())]
    assert rows == [["mu", "1", "-5", "5"], ["sigma", "1", "0.1", "5"]]
    dialog.params.item(0, 1).setText("0.5")
    dialog.text.setText("exp(-(z - mu)**2 / (2*sigma**2)) + k")
    assert dialog.params.item(0, 1).text() == "0.5" and dialog.params.rowCount() == 3
    dialog.name.setText("bump")
    dialog.label.setText("my bump")
    dialog.add()
    spec = window.registry.activations["bump"]
    assert spec.label == "my bump" and spec.defaults == {"mu": 0.5, "sigma": 1.0, "k": 1.0}


def test_dialog_shows_the_error_column_and_keeps_the_help(window, qtbot):
    dialog = FormulaDialog(window)
    qtbot.addWidget(dialog)
    dialog.text.setText("z * foo(z)")
    assert "column 5" in dialog.message.text()
    assert dialog.pointer.text() == caret(5) == "    ^"
    assert dialog.help.text() == HELP and "logistic" in HELP and "where" in HELP
    dialog.text.setText("z * logistic(z)")
    assert dialog.message.text() == "" and dialog.pointer.text() == ""
    dialog.text.setText("z.__class__")
    dialog.add()
    assert dialog.message.text().startswith("Not added: attribute access is not allowed")
    assert dialog.pointer.text() == "^" and dialog.help.text() == HELP
    assert dialog.name.text() not in window.formulas  # nothing was added


def test_dialog_adds_a_loss_with_its_domain_and_target(window, qtbot):
    dialog = FormulaDialog(window)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(1)
    assert dialog.text_label.text() == "E(y, t) =" and not dialog.loss_row.isHidden()
    dialog.text.setText("(y - t)**2 / 2")
    dialog.domain.setCurrentText("probability")
    assert [box.value() for box in dialog.target] == [1.0, 0.0, 1.0]
    dialog.name.setText("half_sq")
    dialog.add()
    spec = window.registry.losses["half_sq"]
    assert spec.domain == "probability" and (spec.target.low, spec.target.high) == (0.0, 1.0)
    assert spec.gradient_formula == r"\frac{\partial E}{\partial y}=y-t"

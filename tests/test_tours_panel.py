"""The tour panel in the main window: next and back, checks that follow the model, undo, the Tours menu."""

from __future__ import annotations

import math

import numpy as np
import pytest

from actviz.host.tours import collect_tours
from actviz.models.tour import KeyCheck, Tour, TourStop
from actviz.testing import view_curves
from tests.conftest import settle


@pytest.fixture(scope="module")
def lecture(registry):
    return collect_tours(registry)["lecture"]


def test_panel_next_and_back_change_the_windows_view_and_values(window, qtbot, lecture):
    panel = window.start_tour(lecture)
    settle(qtbot)
    assert panel.progress.text() == "stop 1 of 20" and not panel.back_button.isEnabled()
    assert window.current_view_name() == "function" and window.models["function"]["function"] == "binary_step"
    assert panel.errata.isVisibleTo(panel) and "0 for x ≥ 0" in panel.claim.text()
    assert "0 for x ≤ 0" in panel.correction.text()
    panel.next_button.click()
    panel.next_button.click()
    settle(qtbot)
    assert panel.progress.text() == "stop 3 of 20" and panel.title.text().startswith("Cheat sheet 2")
    model = window.models["function"]
    assert model["function"] == "logistic" and model["function.beta"] == 1.0
    x, y = view_curves(window.views["function"])["f"]
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-x)), rtol=1e-12)
    assert "Not yet" in panel.status.text() and panel.found is False

    model.set("function.beta", 5.0)  # as the slider would: the check follows the model
    assert panel.found is True and "Found it" in panel.status.text()
    model.set("function", "relu")  # wander off
    assert panel.found is False
    panel.restore_button.click()
    settle(qtbot)
    assert model["function"] == "logistic" and model["function.beta"] == 1.0

    while panel.index < 11:
        panel.next()
    settle(qtbot)
    assert window.current_view_name() == "delta" and panel.progress.text() == "stop 12 of 20"
    assert window.models["delta"]["pairs"] == "softmax:categorical_cross_entropy"
    assert window.models["delta"]["activation"] == "softmax"
    panel.back_button.click()
    settle(qtbot)
    assert window.current_view_name() == "function" and window.models["function"]["function"] == "softmax"
    panel.go(99)
    assert panel.progress.text() == "stop 20 of 20" and not panel.next_button.isEnabled()
    assert window.current_view_name() == "likelihood"


def test_applying_a_stop_is_one_undoable_step(window, qtbot, lecture):
    window.models["function"].set("function", "elu")
    panel = window.start_tour(lecture)
    panel.go(2)
    assert window.models["function"]["function"] == "logistic"
    window.undo()
    assert window.models["function"]["function"] == "binary_step"  # stop 1's scene, also one step
    window.undo()
    assert window.models["function"]["function"] == "elu"


def test_tours_menu_lists_the_registrys_tours_and_starts_one(window, qtbot, lecture):
    window._fill_tours_menu()
    actions = {a.text(): a for a in window.tours_menu.actions() if a.text()}
    assert lecture.title in actions and "&Open tour file…" in actions
    actions[lecture.title].trigger()
    settle(qtbot)
    assert window.tour_panel.tour is lecture and window.tour_panel.progress.text() == "stop 1 of 20"
    window._fill_tours_menu()  # filled afresh each time it opens, not appended
    assert sum(a.text() == lecture.title for a in window.tours_menu.actions()) == 1


def test_a_second_tour_replaces_the_first_panel(window, qtbot, lecture):
    first = window.start_tour(lecture)
    stop = TourStop("Only", "Just one.", view="coin", settings={"k": 3, "n": 4},
                    check=KeyCheck("coin", "k", "==", 4), check_text="k = 4")
    second = window.start_tour(Tour("one", "One stop", (stop,)))
    settle(qtbot)
    assert window.tour_panel is second and second is not first
    assert first._watched == {}  # the replaced panel listens to no model
    assert window.current_view_name() == "coin" and window.models["coin"]["k"] == 3
    assert not second.errata.isVisibleTo(second) and "Not yet: k = 4" in second.status.text()
    window.models["function"].set("function", "tanh")  # the closed panel no longer listens
    window.models["coin"].set("k", 4)
    assert second.found is True and math.isclose(window.models["coin"]["k"], 4)

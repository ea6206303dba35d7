"""Tours: the lecture's built-in tour, tours from plugins and files, the handout export and the panel."""

from __future__ import annotations

import json
import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtGui

import actviz
from actviz.cli import main
from actviz.gui.headless import build_view, close_view
from actviz.host.tours import collect_tours, find_tour
from actviz.models.tour import (
    KeyCheck,
    Tour,
    TourError,
    TourStop,
    evaluate,
    fresh_model,
    load_tour_file,
    parse_tour,
    stop_state,
    tour_to_data,
)
from actviz.specs import Activation
from actviz.testing import install_entry_point_plugin, view_curves
from tests.conftest import settle

#: for every built-in stop with a check: a phrase of its text naming the control, and the values that find it
SOLUTIONS = {
    "Cheat sheet 1: the linear associator": ("function list", {"function": "squared_error"}),
    "Cheat sheet 2: the logistic unit and its slope β": ("slope β up to 5", {"function.beta": 5.0}),
    "ReLU and dying units": ("z = −50", {"zmin": -50.0}),
    "Leaky ReLU": ("α up to 1", {"function.alpha": 1.0}),
    "Exponential linear unit (ELU)": ("α down to 0", {"function.alpha": 0.0}),
    "Radial basis functions": ("centre w to 2", {"function.w": 2.0}),
    "playground.tensorflow.org, here": ("hidden activation to ReLU", {"activation": "relu"}),
    "Categorical outputs: softmax": ("z₂ to 3", {"function.z2": 3.0}),
    "Derivatives for categorical outputs": ("target t to 0", {"t": 0.0}),
    "Objective functions for neural nets": ("binary cross-entropy", {"function": "binary_cross_entropy"}),
    "Cross-entropy loss": ("t to 0", {"function.t": 0.0}),
    "The activation table: piecewise linear": ("x_min = −0.5, x_max = 0.5",
                                               {"function.xmin": -0.5, "function.xmax": 0.5}),
    "The activation table: Gaussian": ("μ to 2", {"function.mu": 2.0}),
    "Squared error versus cross-entropy": ("y = .99", {"ywrong": 0.99}),
    "Why a confidently wrong logistic unit stalls": ("how wrong |w| at 6", {"confidence": 6.0}),
    "Maximum likelihood estimation": ("80 heads in 100", {"n": 100, "k": 80}),
    "Probabilistic interpretation of squared-error loss": ("absolute error", {"loss": "absolute_error"}),
}

#: the errata of docs/DESIGN.md the tour shows side by side: a word of the lecture's claim and of the correction
ERRATA = [("0 for x ≥ 0", "0 for x ≤ 0"), ("f(x)(1 − f(x))", "β·f(x)"), ("2/(1 + e^(−z))", "e^(−2z)"),
          ("−x·f(x)/σ²", "−(x − μ)"), ("f′(x) = 1 for x_min", "1/(x_max − x_min)"),
          ("y* log(y)", "negative"), ("Δw = ε ∂E/∂y", "−ε ∂E/∂w"), ("y_j(1 − y_j)", "δ_j = y_j − t_j"),
          ("bits", "nats")]


@pytest.fixture(scope="module")
def lecture(registry):
    return collect_tours(registry)["lecture"]


def models_at(registry, stop):
    """Every view's model, the stop's view holding its scene (what the panel applies)."""
    models = {name: fresh_model(registry, name) for name in registry.views}
    models[stop.view].restore(stop_state(registry, stop))
    return models


def drawn_series(view) -> list[np.ndarray]:
    """The y data of every curve and scatter the view drew (PlotDataItem, PlotCurveItem, ScatterPlotItem)."""
    out = []
    for graphics in [view, *view.findChildren(pg.GraphicsView)]:
        if not isinstance(graphics, pg.GraphicsView):
            continue
        for item in graphics.scene().items():
            if isinstance(item, pg.PlotDataItem):
                y = item.getOriginalDataset()[1]
            elif isinstance(item, (pg.PlotCurveItem, pg.ScatterPlotItem)):
                y = item.getData()[1]
            else:
                continue
            out.append(np.asarray(y if y is not None else [], dtype=float))
    return out


# -- the built-in tour ---------------------------------------------------------------------------
def test_the_lecture_tour_walks_the_lecture_in_order(lecture):
    titles = [s.title for s in lecture.stops]
    order = ["perceptron", "linear associator", "logistic unit", "tanh", "ReLU", "Leaky", "Softplus", "ELU",
             "Radial", "playground", "softmax", "categorical outputs", "Objective", "Cross-entropy loss",
             "Squared error versus", "stalls", "Maximum likelihood", "Probabilistic interpretation"]
    positions = [next(i for i, t in enumerate(titles) if word in t) for word in order]
    assert positions == sorted(positions)
    assert lecture.plugin == "lecture" and len(lecture.stops) == 20
    views = {s.view for s in lecture.stops}
    assert {"function", "playground", "delta", "single_unit", "coin", "likelihood"} <= views


def test_every_erratum_is_shown_beside_its_correction(lecture):
    pairs = [(s.lecture_claim, s.correction) for s in lecture.stops if s.lecture_claim]
    for claim_word, correction_word in ERRATA:
        assert any(claim_word in claim and correction_word in correction for claim, correction in pairs), claim_word


@pytest.mark.parametrize("index", range(20))
def test_every_stop_opens_headless_and_draws(registry, lecture, index):
    stop = lecture.stops[index]
    model = fresh_model(registry, stop.view)
    assert model.restore(stop_state(registry, stop)) == []
    settings = stop.set_values()
    flat = settings.get("values", settings)
    for key, value in flat.items():  # the scene is what the stop says
        shown = model[key]
        assert (str(shown).rsplit("/", 1)[-1] == str(value).rsplit("/", 1)[-1] if isinstance(value, str)
                else shown == pytest.approx(value)), key
    view, app = build_view(registry, stop.view, size=(700, 500), model=model)
    try:
        assert not view.error and not view.cannot_draw()
        series = [y for y in drawn_series(view) if np.isfinite(y).sum() >= 2]
        assert len(series) >= 2, f"stop {index + 1} drew {len(series)} curves"
        if stop.view == "function":  # f is the stop's function at the stop's parameters
            x, y = view_curves(view)["f"]
            spec = model.spec
            args = (x,) if isinstance(spec, Activation) else (x, model.target)
            expected = spec.function(*args, **model.params)
            ok = np.isfinite(y) & np.isfinite(expected)
            assert ok.sum() > 100
            np.testing.assert_allclose(y[ok], expected[ok], rtol=1e-9, atol=1e-12)
    finally:
        close_view(view, app)


def test_pinned_logistic_is_drawn_beside_tanh(registry, lecture):
    stop = next(s for s in lecture.stops if s.title == "Logistic versus tanh")
    model = fresh_model(registry, stop.view)
    model.restore(stop_state(registry, stop))
    view, app = build_view(registry, "function", size=(700, 500), model=model)
    try:
        curves = view_curves(view)
        x, y = curves["Logistic (sigmoid) (beta=1)"]
        np.testing.assert_allclose(y, 1 / (1 + np.exp(-x)), rtol=1e-12)
        x, y = curves["f"]
        np.testing.assert_allclose(y, np.tanh(x), atol=1e-12)
    finally:
        close_view(view, app)


def test_every_check_is_reachable_with_the_controls_its_text_names(registry, lecture):
    checked = {s.title for s in lecture.stops if s.check is not None}
    assert checked == set(SOLUTIONS)
    for stop in lecture.stops:
        if stop.check is None:
            continue
        phrase, solution = SOLUTIONS[stop.title]
        assert phrase in stop.text, f"{stop.title}: the text does not name {phrase!r}"
        assert stop.check_text
        models = models_at(registry, stop)
        assert evaluate(stop, models) == (False, ""), f"{stop.title}: found before trying"
        models[stop.view].update(solution)  # the controls' own keys and ranges: a ModelError would fail here
        assert evaluate(stop, models) == (True, ""), f"{stop.title}: {solution} does not find it"


def test_a_check_can_be_lost_again(registry, lecture):
    stop = next(s for s in lecture.stops if s.title.startswith("Cheat sheet 2"))
    models = models_at(registry, stop)
    models["function"].set("function.beta", 5.0)
    assert evaluate(stop, models)[0] is True
    models["function"].set("function", "tanh")  # function.beta no longer applies
    assert evaluate(stop, models)[0] is False


# -- tours from plugins --------------------------------------------------------------------------
TOUR_PLUGIN = """
import actviz
@actviz.hookimpl
def actviz_tours():
    return [actviz.Tour(name="steep", title="Steep logistic", stops=(
        actviz.TourStop("Steeper", "Drag beta up.", view="function", settings={"function": "logistic"},
                        check=actviz.KeyCheck("function", "function.beta", ">=", 4), check_text="beta 4"),
        actviz.TourStop("Coin", "Eight of ten.", view="coin", settings={"k": 8, "n": 10}),
    ))]
"""


def test_a_plugins_tour_appears_through_the_hook(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "steep", TOUR_PLUGIN)
    reg = actviz.load_registry()
    tours = collect_tours(reg)
    assert set(tours) >= {"lecture", "steep"}
    tour = tours["steep"]
    assert tour.plugin == "steep" and [s.view for s in tour.stops] == ["function", "coin"]
    models = models_at(reg, tour.stops[0])
    assert models["function"]["function"] == "logistic"
    models["function"].set("function.beta", 4.5)
    assert evaluate(tour.stops[0], models) == (True, "")
    assert find_tour("steep", reg) is tour
    assert not [p for p in reg.problems if p.plugin == "steep"]


def test_a_raising_or_wrong_tour_hook_is_a_problem_not_a_crash(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "boom", """
        import actviz

        @actviz.hookimpl
        def actviz_tours():
            raise RuntimeError("no tour today")
    """)
    install_entry_point_plugin(tmp_path, monkeypatch, "wrong", """
        import actviz

        @actviz.hookimpl
        def actviz_tours():
            return [
                "not a tour",
                actviz.Tour("lecture", "Taken", (actviz.TourStop("a", "b", view="function"),)),
                actviz.Tour("ghost", "Ghost view", (actviz.TourStop("a", "b", view="no_such_view"),)),
                actviz.Tour("badkey", "Bad key", (actviz.TourStop("a", "b", view="function",
                                                                  settings={"function.beta": 9}),)),
            ]
    """)
    reg = actviz.load_registry()
    tours = collect_tours(reg)
    assert "lecture" in tours and tours["lecture"].plugin == "lecture"
    assert not {"ghost", "badkey"} & set(tours)
    boom = [p.message for p in reg.problems if p.plugin == "boom"]
    assert any("no tour today" in m for m in boom)
    wrong = [p.message for p in reg.problems if p.plugin == "wrong"]
    assert any("str, not an actviz.Tour" in m for m in wrong)
    assert any("'lecture' is already given by plugin 'lecture'" in m for m in wrong)
    assert any("no_such_view" in m and "stop 1" in m for m in wrong)
    assert any("function.beta" in m and "badkey" in m for m in wrong)


def test_a_check_that_raises_is_reported_not_raised(registry):
    def broken(models):
        raise ZeroDivisionError("oops")

    stop = TourStop("x", "y", view="function", check=broken)
    found, reason = evaluate(stop, models_at(registry, stop))
    assert found is None and "ZeroDivisionError: oops" in reason


def test_specs_say_which_field_is_wrong():
    with pytest.raises(TourError, match="text must not be empty"):
        TourStop("t", "", view="function")
    with pytest.raises(TourError, match="lecture_claim and correction go together"):
        TourStop("t", "x", view="function", lecture_claim="wrong")
    with pytest.raises(TourError, match="has no stops"):
        Tour("empty", "Empty", ())
    with pytest.raises(TourError, match="tour name"):
        Tour("has space", "x", (TourStop("t", "x", view="function"),))
    with pytest.raises(TourError, match="op '>>'"):
        KeyCheck("function", "zmin", ">>", 1)
    stop = TourStop("t", "x", view="function", settings={"function": "relu"})
    with pytest.raises(TypeError):
        stop.settings["function"] = "tanh"  # a tour is shared; its settings are read-only


# -- tour files ----------------------------------------------------------------------------------
TOML = """
name = "slopes"
title = "Slopes"

[[stops]]
title = "Steeper"
text = "Drag β up."
view = "function"
set = { function = "logistic", "function.beta" = 2 }
check = { key = "function.beta", op = ">", value = 4 }
check_text = "β above 4"

[[stops]]
title = "Wrong table"
text = "Compare."
view = "function"
set = { function = "gaussian" }
lecture_claim = "f′ = −x f/σ²"
correction = "f′ = −(x − μ) f/σ²"
"""


def test_a_toml_and_a_json_tour_file_load(tmp_path, registry):
    path = tmp_path / "slopes.toml"
    path.write_text(TOML, encoding="utf-8")
    tour = load_tour_file(path)
    assert tour.name == "slopes" and len(tour.stops) == 2
    first = tour.stops[0]
    assert first.check == KeyCheck("function", "function.beta", ">", 4)
    models = models_at(registry, first)
    assert models["function"]["function.beta"] == 2.0
    assert evaluate(first, models) == (False, "")
    models["function"].set("function.beta", 4.5)
    assert evaluate(first, models) == (True, "")
    assert tour.stops[1].correction == "f′ = −(x − μ) f/σ²"
    again = tmp_path / "slopes.json"
    again.write_text(json.dumps(tour_to_data(tour)), encoding="utf-8")
    assert find_tour(str(again), registry) == tour


@pytest.mark.parametrize("stop, message", [
    ({"title": "a", "text": "b"}, "stop 1: field 'view' is missing"),
    ({"title": "a", "text": 3, "view": "function"}, "stop 1: field 'text' must be a string"),
    ({"title": "a", "text": "b", "view": "function", "sets": {}}, "stop 1: unknown field 'sets'"),
    ({"title": "a", "text": "b", "view": "function", "check": {"key": "zmin", "op": "~", "value": 1}},
     "stop 1: field 'check': check op '~'"),
    ({"title": "a", "text": "b", "view": "function", "check": {"key": "zmin"}}, "stop 1: field 'check' must be"),
    ({"title": "a", "text": "b", "view": "function", "set": {"zmin": True}}, "stop 1: field 'set', key 'zmin'"),
])
def test_a_bad_tour_file_names_the_file_stop_and_field(tmp_path, stop, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"name": "bad", "title": "Bad", "stops": [stop]}), encoding="utf-8")
    with pytest.raises(TourError) as info:
        load_tour_file(path)
    text = str(info.value)
    assert text.startswith(str(path)) and message in text and "\n" not in text


def test_a_tour_file_with_a_key_the_view_lacks_names_it(tmp_path, registry):
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"name": "keys", "title": "Keys", "stops": [
        {"title": "fine", "text": "ok", "view": "function"},
        {"title": "off", "text": "no", "view": "function", "set": {"function": "relu", "function.beta": 2}},
    ]}), encoding="utf-8")
    with pytest.raises(TourError, match=r"keys\.json, stop 2 \(off\): view 'function': function.beta applies only"):
        find_tour(str(path), registry)
    with pytest.raises(TourError, match="no tour named 'nope'.*lecture"):
        find_tour("nope", registry)
    with pytest.raises(TourError, match="not valid TOML"):
        (tmp_path / "x.toml").write_text("name = ", encoding="utf-8")
        load_tour_file(tmp_path / "x.toml")
    with pytest.raises(TourError, match="a tour is a table/object"):
        parse_tour([1, 2], "inline")


# -- the handout --------------------------------------------------------------------------------
def test_export_tour_writes_a_png_per_stop_and_the_handout(tmp_path, capsys):
    path = tmp_path / "three.json"
    path.write_text(json.dumps({"name": "three", "title": "Three stops", "stops": [
        {"title": "Steep", "text": "The logistic at β = 3.\n\nSecond paragraph, y* stays.", "view": "function",
         "set": {"function": "logistic", "function.beta": 3}, "check": {"key": "function.beta", "op": ">=",
                                                                          "value": 5},
         "check_text": "β at 5"},
        {"title": "Shortcut", "text": "Softmax's δ.", "view": "delta",
         "set": {"pairs": "softmax:categorical_cross_entropy"},
         "lecture_claim": "δ_j = ∂E/∂y_j · y_j(1 − y_j)", "correction": "δ_j = y_j − t_j"},
        {"title": "Coin", "text": "8 of 10.", "view": "coin", "set": {"k": 8, "n": 10}},
    ]}), encoding="utf-8")
    out = tmp_path / "handout"
    assert main(["export", "--tour", str(path), "--out", str(out), "--size", "500", "360"]) == 0
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == ["01-steep.png", "02-shortcut.png", "03-coin.png"]
    for name in pngs:
        image = QtGui.QImage(str(out / name))
        assert image.width() == 500 and image.height() > 100
    text = (out / "handout.md").read_text(encoding="utf-8")
    assert text.startswith("# Three stops\n")
    assert text.index("## 1. Steep") < text.index("## 2. Shortcut") < text.index("## 3. Coin")
    for name in pngs:
        assert f"]({name})" in text
    assert "Second paragraph, y\\* stays." in text and "**Try it:** β at 5." in text
    assert "| The lecture says | Correct |" in text and "| δ\\_j = y\\_j − t\\_j |" in text
    assert "wrote" in capsys.readouterr().out


def test_export_tour_refuses_flags_it_ignores_and_unknown_tours(tmp_path, capsys):
    assert main(["export", "--tour", "lecture", "--view", "coin", "--out", str(tmp_path)]) == 2
    assert "takes only --out DIR and --size, not --view" in capsys.readouterr().err
    assert main(["export", "--tour", "nope", "--out", str(tmp_path)]) == 2
    assert "no tour named 'nope'" in capsys.readouterr().err
    assert main(["export", "--tour", "lecture"]) == 2
    assert "--out DIR is required" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_tour_command_starts_the_gui_on_the_tour_or_lists_them(monkeypatch, capsys):
    calls = []
    import actviz.gui.app

    monkeypatch.setattr(actviz.gui.app, "run_gui", lambda **kw: calls.append(kw) or 0)
    assert main(["tour", "lecture"]) == 0
    assert calls[-1]["tour"] == "lecture"
    assert main(["tour"]) == 0
    out = capsys.readouterr().out
    assert "lecture" in out and "20 stops" in out and len(calls) == 1


# -- the panel -----------------------------------------------------------------------------------
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

"""Tours from plugins and from TOML/JSON files: what loads, and problems that name the plugin, file, stop and field."""

from __future__ import annotations

import json

import pytest

import actviz
from actviz.host.tours import collect_tours, find_tour
from actviz.models.tour import KeyCheck, Tour, TourError, TourStop, evaluate, load_tour_file, parse_tour, tour_to_data
from actviz.testing import install_entry_point_plugin
from tests.tour_helpers import models_at

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

"""View models without a display: keys, dependent keys, remembered values, state, undo."""

from __future__ import annotations

import json

import pytest

from actviz.models import History, ModelError, SceneError, ViewModel, parse_scene, qualified
from actviz.specs import Choice, FunctionChoice, Param


class PairModel(ViewModel):
    def declare(self, registry):
        return (FunctionChoice("activation", "activation", default=("logistic",), browse=True),
                FunctionChoice("loss", "loss", default=("huber",)),
                Param("seed", 1.0, 0.0, 100.0, step=1.0),
                Choice("mode", "a", ("a", "b")))


@pytest.fixture
def model(registry):
    return PairModel(registry, History())


def test_a_chosen_functions_parameters_are_keys_namespaced_by_the_control(model):
    assert {"activation.beta", "loss.delta", "loss.t"} <= set(model.values())
    with pytest.raises(ModelError, match="loss.delta applies only when loss=huber"):
        model.set("loss", "squared_error") or model.set("loss.delta", 2)


def test_parameters_are_remembered_per_function(model):
    model.set("activation.beta", 3.0)
    model.set("activation", "tanh")
    assert "activation.beta" not in model.values()
    model.set("activation", "logistic")
    assert model["activation.beta"] == 3.0


def test_update_takes_keys_in_any_order_and_is_all_or_nothing(model):
    model.update({"loss.t": 0.5, "loss": "squared_error", "activation.alpha": 0.2, "activation": "leaky_relu"})
    assert model["loss"] == "squared_error" and model["activation.alpha"] == 0.2 and model["loss.t"] == 0.5
    before = model.values()
    with pytest.raises(ModelError, match=r"seed=1000 is outside \[0, 100\]"):
        model.update({"mode": "b", "seed": 1000})
    assert model.values() == before


@pytest.mark.parametrize("key, value, message", [
    ("seed", "abc", "not a number"), ("seed", float("nan"), "NaN"), ("mode", "c", "not one of a, b"),
    ("activation", "no_such", "not an installed activation"), ("nope", 1, "unknown key 'nope'"),
])
def test_bad_values_are_refused_with_the_key_and_reason(model, key, value, message):
    with pytest.raises(ModelError, match=message):
        model.set(key, value)


def test_all_keys_lists_dependent_keys_with_their_condition(model, registry):
    keys = {(k.name, k.condition) for k in model.all_keys()}
    assert ("activation.beta", "activation=logistic") in keys
    assert ("loss.delta", "loss=huber") in keys
    assert ("seed", None) in keys


def test_state_round_trips_through_json(model, registry):
    model.update({"activation": "elu", "activation.alpha": 0.5, "seed": 7, "mode": "b"})
    model.set("activation", "logistic")
    model.set("activation.beta", 2.5)
    state = json.loads(json.dumps(model.state()))
    assert state["values"]["activation"] == qualified(registry.activations["logistic"])
    fresh = PairModel(registry)
    assert fresh.restore(state) == []
    assert fresh.values() == model.values()
    fresh.set("activation", "elu")
    assert fresh["activation.alpha"] == 0.5  # the remembered values travel with the state


def test_restore_skips_what_it_cannot_use_and_says_what(model):
    missing = model.restore({"values": {"activation": "ghost_plugin/ghost", "seed": 5, "mode": "zzz"}})
    assert model["seed"] == 5 and model["activation"] == "logistic"
    assert any("function 'ghost' from plugin 'ghost_plugin' is not installed" in m for m in missing)
    assert any("mode='zzz'" in m for m in missing)
    assert model.restore([1, 2]) == ["state is a list, not a mapping"]


def test_undo_redo_and_a_drag_is_one_step(model):
    history = model.history
    for v in (1.5, 2.0, 2.5, 3.0):
        model.set("activation.beta", v, merge=True)
    history.seal()
    model.set("seed", 9)
    assert len(history.undo_steps) == 2
    history.undo()
    assert model["seed"] == 1
    history.undo()
    assert model["activation.beta"] == 1.0
    history.redo()
    assert model["activation.beta"] == 3.0
    model.set("mode", "b")
    assert not history.can_redo()


def test_listeners_hear_which_keys_changed(model):
    heard = []
    model.connect(heard.append)
    model.set("activation", "elu")
    assert {"activation", "activation.alpha"} <= heard[-1]
    model.set("seed", 1)  # unchanged: silence
    assert len(heard) == 1


@pytest.mark.parametrize("text, message", [
    ("{", "not valid JSON"), ("[1]", "not an actviz scene"),
    ('{"format": "actviz-scene", "version": 2}', "newer than this actviz"),
    ('{"format": "actviz-scene", "version": 1, "views": []}', "must be a mapping"),
    ('{"format": "actviz-scene", "version": 1, "v": ' + "[" * 5000 + "]" * 5000 + "}", "nested"),
    ('{"format": "actviz-scene", "version": 1, "x": ' + "9" * 400 + "}", "digits"),
])
def test_bad_scenes_are_refused_with_a_reason(text, message):
    with pytest.raises(SceneError, match=message):
        parse_scene(text)


def test_function_view_saved_without_pins_restores_with_none(registry):
    """A settings file with ``"pins": null`` (hand-edited or from a fuzzer) leaves no pins, not a TypeError later."""
    from actviz_views.function_model import FunctionModel

    model = FunctionModel(registry)
    assert model.restore({"values": {}, "extras": {"pins": None}}) == []
    assert model.pins() == [] and model.extras["pins"] == []
    assert model.pin() == "" and len(model.pins()) == 1


def test_keys_follow_a_replaced_or_added_spec_in_the_registry(model, registry):
    """Keys are kept between changes, but never past a change of the registry's specs."""
    import dataclasses

    before = {k.name: k.control for k in model.active_keys()}
    old = registry.activations["logistic"]
    wider = dataclasses.replace(old.params[0], high=old.params[0].high * 2)
    registry.activations["logistic"] = dataclasses.replace(old, params=(wider, *old.params[1:]))
    try:
        assert model.key("activation.beta").control.high == 2 * before["activation.beta"].high
        registry.activations["zz_new"] = dataclasses.replace(old, name="zz_new", label="zz new")
        assert "zz_new" in model.key("activation").control.options
    finally:
        registry.activations["logistic"] = old
        registry.activations.pop("zz_new", None)
    assert {k.name: k.control for k in model.active_keys()} == before


def test_extras_are_never_shared_with_the_caller_or_the_undo_history(model):
    """Undo keeps the extras' values by reference; what goes in and what state() hands out are copies."""
    pins = [{"function": "tanh", "values": {}}]
    model.extras["pins"] = []  # PairModel declares no extras: give it one
    model.set_extra("pins", pins)
    pins.append("caller's later edit")
    assert model.extras["pins"] == [{"function": "tanh", "values": {}}]
    model.state()["extras"]["pins"].append("edit of a saved state")
    assert model.extras["pins"] == [{"function": "tanh", "values": {}}]
    model.set_extra("pins", [])
    model.history.undo()
    assert model.extras["pins"] == [{"function": "tanh", "values": {}}]
    model.history.redo()
    assert model.extras["pins"] == []


def test_a_drag_records_no_state_per_frame_only_its_ends(model, monkeypatch):
    """Merged frames fold into the open step without taking a "before" state: one snapshot per frame."""
    model.set("activation.beta", 1.5, merge=True)
    taken = []
    original = type(model)._snapshot
    monkeypatch.setattr(type(model), "_snapshot", lambda self: (taken.append(1), original(self))[1])
    for v in (2.0, 2.5, 3.0):
        model.set("activation.beta", v, merge=True)
    assert len(taken) == 3  # the "after" of each frame; no "before"
    model.history.seal()
    model.history.undo()
    assert model["activation.beta"] == 1.0

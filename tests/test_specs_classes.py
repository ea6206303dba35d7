"""The spec classes behave exactly as ``@dataclass(frozen=True)`` makes them (their methods are written once).

Each is compared with a reference dataclass of the same fields: signature,
repr, equality, hash, frozen assignment, ``replace``/``asdict``, defaults and
subclassing.
"""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from actviz import specs
from actviz.specs import Activation, Choice, FunctionChoice, Loss, NoiseModel, Param, View

CLASSES = (Param, Choice, FunctionChoice, NoiseModel, Activation, Loss, View)


def _f(z):
    return z


def _reference(cls):
    """``@dataclass(frozen=True)`` of the same fields, as the spec class was declared before."""
    entries = []
    for f in dataclasses.fields(cls):
        if f.default_factory is not dataclasses.MISSING:
            entries.append((f.name, f.type, dataclasses.field(default_factory=f.default_factory)))
        elif f.default is not dataclasses.MISSING:
            entries.append((f.name, f.type, dataclasses.field(default=f.default)))
        else:
            entries.append((f.name, f.type))
    return dataclasses.make_dataclass(cls.__name__, entries, frozen=True)


SAMPLES = {
    Param: [("beta", 1.0, 0.0, 5.0), ("beta", 1.0, 0.0, 5.0, 0.1, "β", "slope")],
    Choice: [("mode", "a", ("a", "b")), ("mode", "a", ("a", "b"), "Mode", "pick", ("A", "B"), str.strip)],
    FunctionChoice: [("function", "activation"), ("loss", "loss", ("huber",), "Loss", "h", False, True, bool)],
    NoiseModel: [("gauss", _f, _f), ("gauss", _f, _f, "binary", "mean", "p", "")],
    Activation: [("swish", "Swish", "z", _f), ("swish", "Swish", "z", _f, _f, (Param("b", 1.0, 0.0, 2.0),),
                                               "1", "n", _f, "p", True, _f)],
    Loss: [("sq", "Squared", "e", _f), ("sq", "Squared", "e", _f, _f, (), "g", "n", "probability",
                                        Param("t", 0.5, 0.0, 1.0), NoiseModel("g", _f, _f), _f, "p", True, _f)],
    View: [("v", "V", _f), ("v", "V", _f, "d", "p", _f, "<p>h</p>")],
}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_a_spec_class_is_the_frozen_dataclass_it_was(cls):
    ref = _reference(cls)
    assert dataclasses.is_dataclass(cls)
    assert [f.name for f in dataclasses.fields(cls)] == [f.name for f in dataclasses.fields(ref)]
    mine, theirs = inspect.signature(cls), inspect.signature(ref)
    assert [(p.name, p.kind, repr(p.default)) for p in mine.parameters.values()] == \
           [(p.name, p.kind, repr(p.default)) for p in theirs.parameters.values()]
    for args in SAMPLES[cls]:
        a, b, r = cls(*args), cls(*args), ref(*args)
        assert repr(a) == repr(r)
        assert a == b and hash(a) == hash(b) == hash(r) and not (a != b)
        assert a != r  # another class, as two dataclasses never compare equal
        names = [f.name for f in dataclasses.fields(cls)]
        assert dataclasses.astuple(a) == dataclasses.astuple(r)
        assert cls(**{n: getattr(a, n) for n in names}) == a  # every field by keyword
        changed = dataclasses.replace(a, name="other")
        assert changed.name == "other" and changed != a and type(changed) is cls
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'name'"):
            a.name = "x"
        with pytest.raises(dataclasses.FrozenInstanceError):
            del a.name
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        cls(*SAMPLES[cls][0][:-1])
    with pytest.raises(TypeError, match="unexpected keyword argument 'nonsense'"):
        cls(*SAMPLES[cls][0], nonsense=1)


def test_a_loss_without_a_target_gets_a_fresh_default_one():
    a, b = Loss("sq", "Squared", "e", _f), Loss("sq", "Squared", "e", _f)
    assert a.target == Param("t", 1.0, -3.0, 3.0, label="target t") and a.target is not b.target
    assert a.target == _reference(Loss)("sq", "Squared", "e", _f).target
    assert repr(inspect.signature(Loss).parameters["target"].default) == "<factory>"


def test_a_plugin_may_subclass_a_spec_as_a_frozen_dataclass():
    @dataclasses.dataclass(frozen=True)
    class Tagged(Activation):
        tag: str = "x"

    t = Tagged("swish", "Swish", "z", _f, tag="y")
    assert t.tag == "y" and t.kind == "activation" and t == Tagged("swish", "Swish", "z", _f, tag="y")
    assert "tag='y'" in repr(t)


def test_specs_in_sets_and_dicts_and_their_recursion_safe_repr():
    p = Param("beta", 1.0, 0.0, 5.0)
    assert {p, Param("beta", 1.0, 0.0, 5.0)} == {p}
    assert repr(p) == "Param(name='beta', default=1.0, low=0.0, high=5.0, step=None, label=None, help='')"
    holder = Choice("c", "a", ("a",), parse=None)
    looped = dataclasses.replace(holder, labels=[holder])  # a list holding a Choice that holds it
    looped.labels.append(looped)
    assert "..." in repr(looped)
    assert specs.Activation.__eq__.__qualname__ == "Activation.__eq__"

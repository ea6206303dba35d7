"""Dragging t in the delta view: what a frame calls, sets and shows (counts and data, never times)."""

from __future__ import annotations

import numpy as np
import pytest
from actviz_views.delta_model import WrongCache, compute
from PySide6 import QtCore

from actviz.gui import build_view, close_view
from actviz.maths import backprop as bp
from tests.conftest import spy_set_data


class Counted:
    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.fn(*args, **kwargs)


@pytest.fixture
def delta(qtbot, registry):
    view, app = build_view(registry, "delta")
    qtbot.addWidget(view)
    yield view
    close_view(view, app)


@pytest.fixture
def logistic(registry):
    """The default pairs' activation with counting f and f′ (put back afterwards)."""
    spec = registry.activations["logistic"]
    saved = spec.function, spec.derivative
    f, d = Counted(spec.function), Counted(spec.derivative)
    object.__setattr__(spec, "function", f)
    object.__setattr__(spec, "derivative", d)
    yield f, d
    object.__setattr__(spec, "function", saved[0])
    object.__setattr__(spec, "derivative", saved[1])


def test_a_t_drag_calls_no_activation_function(delta, logistic):
    """y = f(z) and f′(z) do not depend on t, nor does the confidently-wrong z: dragging t recomputes neither."""
    f, d = logistic
    for t in (0.3, 0.45, 0.6):
        delta.model.set("t", t)
        delta.refresh()
    assert (f.calls, d.calls) == (0, 0)
    delta.model.set("activation.beta", 1.5)  # the selected pair's activation: its curves and root, once
    delta.refresh()
    assert f.calls >= 1 and d.calls == 2  # f′ on the grid and at the wrong z


def test_cached_numbers_equal_a_fresh_computation(delta, registry):
    """What the cache hands back across a t drag is what a fresh frame computes (the wrong point included)."""
    for t in (0.2, 0.8, 0.55):
        delta.model.set("t", t)
        delta.refresh()
    fresh = compute(delta.model, WrongCache())
    for got, want in zip(delta.frame.pairs, fresh.pairs, strict=True):
        for a, b in zip(got.series(), want.series(), strict=True):
            np.testing.assert_array_equal(a, b)
        assert got.wrong == want.wrong and got.wrong_values == want.wrong_values
    entry = delta.frame.pairs[1].entry
    ref = bp.confidently_wrong(entry.activation, entry.loss, entry.act_values, entry.loss_values, 0.55, 0.01)
    assert delta.frame.pairs[1].wrong == ref


def _spy(view):
    calls = []
    spy_set_data({c: c for slot in view.slots for c in (*slot.curves, slot.shortcut)}, calls.append)
    return calls


def test_a_t_drag_sets_only_the_curves_t_changes(delta):
    """∂E/∂y and δ of each pair move with t; y and f′ do not, and the unused slots are never touched."""
    calls = _spy(delta)
    delta.refresh()
    assert calls == []
    delta.model.set("t", 0.4)
    delta.refresh()
    want = {id(slot.curves[k]) for slot in delta.slots[:2] for k in (1, 3)}
    assert len(calls) == 4 and {id(c) for c in calls} == want
    z, y = delta.slots[0].curves[0].getData()
    np.testing.assert_array_equal(y, delta.frame.pairs[0].out.y)


def test_the_y_axes_hold_still_while_t_is_dragged_back_and_forth(delta):
    """Fitted once, ∂E/∂y's and δ's axes grow to hold both ends of a drag, then stay put."""
    ranges = []
    for t in (0.3, 0.7) * 4:
        delta.model.set("t", t)
        delta.refresh()
        ranges.append([tuple(p.viewRange()[1]) for p in delta.plots])
    assert all(r == ranges[2] for r in ranges[2:])
    for plot, curves in ((delta.plot_grad, 1), (delta.plot_delta, 3)):
        low, high = plot.viewRange()[1]
        for slot in delta.slots[:2]:
            values = slot.curves[curves].getData()[1]
            bulk = np.percentile(values[np.isfinite(values)], [2, 98])
            assert low <= bulk[0] and bulk[1] <= high  # every pair's bulk is on scale at both ends


def test_texts_are_set_only_when_they_change(delta, monkeypatch):
    set_text = []
    for label in (delta.readout, delta.warning):
        original = label.setText
        monkeypatch.setattr(label, "setText", lambda text, _o=original: (set_text.append(text), _o(text)))
    note_text = []
    for note in delta.offscale:
        original = note.setText
        monkeypatch.setattr(note, "setText", lambda text, _o=original: (note_text.append(text), _o(text)))
    delta.refresh()
    assert note_text == [] and all(t == delta.readout.text() for t in set_text)
    delta.model.set("t", 0.35)
    delta.refresh()
    assert "t = 0.35" in delta.readout.text() and delta.warning.isHidden()
    assert QtCore.Qt.TextFormat.RichText == delta.readout.textFormat()


def test_off_scale_note_names_only_what_the_shown_range_leaves_out(delta):
    delta.model.update({"pairs": "relu:binary_cross_entropy,logistic:squared_error,logistic:binary_cross_entropy"})
    delta.refresh()
    low, high = delta.plot_delta.viewRange()[1]
    note = delta.offscale[3]
    assert "relu + binary_cross_entropy" in note.textItem.toPlainText()
    assert note.pos() == QtCore.QPointF(delta.frame.z[-1], low)  # bottom right of the shown range
    _, d = delta.slots[0].curves[3].getData()
    assert np.nanmin(d) < low

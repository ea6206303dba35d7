"""Dragging a control in the depth view: what a frame calls and sets (counts and data, never times)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from actviz_views.depth_model import BATCH
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


def counted(spec):
    """A copy of ``spec`` whose f and f′ count their calls."""
    return dataclasses.replace(spec, function=Counted(spec.function), derivative=Counted(spec.derivative))


@pytest.fixture
def depth(qtbot, registry):
    view, app = build_view(registry, "depth", settings={"layers": 12, "width": 8})
    qtbot.addWidget(view)
    yield view
    close_view(view, app)


@pytest.fixture
def counting(registry):
    """The depth view's three default activations with counting f and f′ (put back afterwards)."""
    names = ("logistic", "tanh", "relu")
    specs = {n: registry.activations[n] for n in names}
    saved = {n: (s.function, s.derivative) for n, s in specs.items()}
    counters = {}
    for n, s in specs.items():
        f, d = Counted(s.function), Counted(s.derivative)
        object.__setattr__(s, "function", f)
        object.__setattr__(s, "derivative", d)
        counters[n] = (f, d)
    yield counters
    for n, s in specs.items():
        object.__setattr__(s, "function", saved[n][0])
        object.__setattr__(s, "derivative", saved[n][1])


def test_hidden_deltas_calls_f_once_per_layer_and_f_prime_once(registry):
    spec = counted(registry.activations["tanh"])
    bp.hidden_deltas(spec, spec.defaults, 17, 9, "he", 1.3, seed=2, batch=4)
    assert spec.function.calls == 17 and spec.derivative.calls == 1


@pytest.mark.parametrize("name", ["tanh", "relu", "logistic"])
def test_hidden_deltas_equal_the_network_make_network_draws(registry, name):
    """Scaling each layer's product (not every weight) gives the numbers of make_network's weights."""
    act = registry.activations[name]
    for layers, width, scale in ((6, 5, 1.7), (50, 128, 0.8)):  # a small (cached) and a large network
        net = bp.make_network(layers, width, "xavier", scale, seed=4, batch=3)
        _, _, delta = bp.forward_backward(act, act.defaults, net)
        res = bp.hidden_deltas(act, act.defaults, layers, width, "xavier", scale, seed=4, batch=3)
        np.testing.assert_allclose(res.mean_abs, np.abs(delta).reshape(layers, -1).mean(axis=1), rtol=1e-9)
        assert res.weight_std == bp.weight_std("xavier", scale, width)


def test_the_latest_large_network_is_drawn_once(registry):
    """Dragging the scale at 50 × 128 reuses the network's draw (one entry kept, 6.5 MiB)."""
    act = registry.activations["relu"]
    bp._large_draws.cache_clear()
    for scale in (1.0, 1.1, 1.2):
        bp.hidden_deltas(act, {}, 50, 128, "he", scale, seed=3, batch=BATCH)
    info = bp._large_draws.cache_info()
    assert (info.misses, info.hits, info.currsize) == (1, 2, 1)
    bp.hidden_deltas(act, {}, 50, 128, "he", 1.0, seed=4, batch=BATCH)
    assert bp._large_draws.cache_info().currsize == 1  # the new seed replaced it


def test_a_scale_drag_calls_each_function_once_per_layer(depth, counting):
    """Per frame, f once per layer (the forward pass is sequential) and f′ once, for each activation."""
    for scale in (1.1, 1.2, 1.3):
        depth.model.set("scale", scale)
        depth.refresh()
        for name, (f, d) in counting.items():
            assert (f.calls, d.calls) == (12, 1), name
            f.calls = d.calls = 0
    depth.model.set("scale", 1.1)  # a setting drawn before: nothing is recomputed
    depth.refresh()
    assert all(f.calls == d.calls == 0 for f, d in counting.values())


def test_dragging_back_over_passed_values_computes_nothing(depth, counting):
    values = [round(1.0 + 0.01 * i, 2) for i in range(40)]  # a slow drag: 40 settings × 3 activations
    for scale in values:
        depth.model.set("scale", scale)
        depth.refresh()
    for f, d in counting.values():
        f.calls = d.calls = 0
    for scale in reversed(values):
        depth.model.set("scale", scale)
        depth.refresh()
    assert all(f.calls == d.calls == 0 for f, d in counting.values())


def _count_set_data(view):
    calls = []
    spy_set_data({c: c for slot in view.slots for c in (slot.lower, slot.upper, slot.mean)}, calls.append)
    return calls


def test_a_frame_sets_only_the_curves_whose_data_changed(depth):
    calls = _count_set_data(depth)
    depth.refresh()  # nothing changed
    assert calls == []
    depth.model.set("scale", 1.25)
    depth.refresh()
    shown = {id(c) for slot in depth.slots[:3] for c in (slot.lower, slot.upper, slot.mean)}
    assert len(calls) == 9 and {id(c) for c in calls} == shown  # the three hidden slots stay empty, untouched


def test_the_band_fill_follows_both_edges(depth):
    """The fill's path is rebuilt once per frame, after both edges are set: it spans the new band."""
    depth.model.set("scale", 1.6)
    depth.refresh()
    for slot in depth.slots[:3]:
        lower, upper = slot.lower.curve.getPath(), slot.upper.curve.getPath()
        fill = slot.fill.path().boundingRect()
        want = lower.boundingRect().united(upper.boundingRect())
        assert fill == want and fill.height() > 0


def test_the_log_axis_holds_still_while_the_curves_stay_in_it(depth):
    low, high = depth.plot.vb.viewRange()[1]
    logs = [np.log10(c.yData[np.isfinite(c.yData)]) for s in depth.slots[:3] for c in (s.lower, s.upper, s.mean)]
    assert low <= min(v.min() for v in logs) and max(v.max() for v in logs) <= high
    assert low == round(low) and high == round(high)  # whole decades
    depth.model.set("scale", 1.02)
    depth.refresh()
    assert depth.plot.vb.viewRange()[1] == [low, high]
    depth.model.set("scale", 8.0)  # exploding: the curves leave the range, which re-fits to hold them
    depth.refresh()
    low8, high8 = depth.plot.vb.viewRange()[1]
    top = max(np.nanmax(np.log10(s.upper.yData)) for s in depth.slots[:3])
    assert high8 > high and high8 >= top


def test_unchanged_texts_are_not_set_again(depth, monkeypatch):
    depth.refresh()
    set_text = []
    for label in (depth.readout, depth.warning):
        original = label.setText
        monkeypatch.setattr(label, "setText", lambda text, _o=original: (set_text.append(text), _o(text)))
    depth.refresh()
    assert set_text == []
    assert depth.warning.isHidden()
    depth.model.set("scale", 1.9)
    depth.refresh()
    assert len(set_text) == 1 and "layer 1 / layer 12" in set_text[0]
    assert QtCore.Qt.TextFormat.RichText == depth.readout.textFormat()


class _LayoutRequests(QtCore.QObject):
    def __init__(self, widget):
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):
        if event.type() == QtCore.QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_a_new_readout_does_not_lay_out_the_page_again(depth, qtbot):
    """The readout changes on every frame of a drag; the page's layout runs only when it needs more lines."""
    page = depth.readout.parentWidget()
    requests = _LayoutRequests(page)
    texts = set()
    for scale in (1.3, 1.4, 1.5):
        depth.model.set("scale", scale)
        depth.refresh()
        qtbot.wait(1)
        texts.add(depth.readout.text())
    assert requests.count == 0 and len(texts) == 3
    one = depth.readout.height()
    depth.model.update({"activations": "logistic,tanh,relu,elu,softplus,leaky_relu"})
    depth.refresh()
    qtbot.wait(1)
    assert requests.count >= 1 and depth.readout.height() > one  # six rows: the box grew, the page re-laid out
    label = depth.readout.label
    assert label.height() >= label.heightForWidth(depth.readout.width()) and label.width() == depth.readout.width()
    assert depth.readout.height() == label.height()
    depth.model.update({"activations": "relu"})
    depth.refresh()
    qtbot.wait(1)
    assert depth.readout.height() < one


def test_the_log_grid_draws_no_minor_lines_where_decades_are_close(qtbot, registry):
    """At 50 × 128 the curves span ~65 decades: decade lines only, not nine lines per decade (a grey wash)."""
    view, app = build_view(registry, "depth", settings={"layers": 50, "width": 128, "scale": 5.0})
    qtbot.addWidget(view)
    try:
        axis = view.plot.getAxis("left")
        low, high = axis.range
        size = axis.geometry().height()
        assert (high - low) * 25 > size  # decades closer than 25 px
        levels = axis.tickValues(low, high, size)
        assert levels and all(spacing is not None and spacing >= 1 for spacing, _ in levels)
        assert sum(len(values) for _, values in levels) <= high - low + 1
        few = axis.tickValues(-3.0, 1.0, size)  # four decades: the 2…9 × 10ⁿ lines are still drawn
        assert any(spacing is None for spacing, _ in few)
    finally:
        close_view(view, app)


def test_steady_label_measures_a_new_shape_of_text_not_new_digits(qtbot, monkeypatch):
    from actviz.gui import steady_label

    box = steady_label.SteadyLabel("ratio <b>1.23</b> at t = 0.3")
    qtbot.addWidget(box)
    box.resize(300, 40)
    box.show()
    measured = []
    original = box.label.heightForWidth
    monkeypatch.setattr(box.label, "heightForWidth", lambda w: (measured.append(w), original(w))[1])
    tabular = steady_label._tabular_digits(box.label.font())
    box.setText("ratio <b>4.56</b> at t = 0.7")
    assert len(measured) == (0 if tabular else 1)
    long = "a much longer readout that needs more than one line at this width " * 3
    box.setText(long)
    assert len(measured) == (1 if tabular else 2)
    assert box.height() == box.label.height() == original(300) and box.height() > 40
    monkeypatch.setitem(steady_label._TABULAR, box.label.font().key(), False)  # proportional digits: always measured
    box.setText("ratio <b>7.89</b> at t = 0.1")
    before = len(measured)
    box.setText("ratio <b>1.11</b> at t = 0.1")
    assert len(measured) == before + 1

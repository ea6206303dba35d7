"""The function view while a parameter is dragged: what is recomputed and re-set (counts, never times)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from actviz_views.function_view import CHECK_REST_MS
from actviz_views.wiring import set_curve

import actviz
from actviz.gui import build_view, close_view
from actviz.gui.main_window import MainWindow
from tests.conftest import count_into, settle, spy_set_data

PINS = ("tanh", "softplus", "elu")


@pytest.fixture
def view(registry, qtbot):
    v, app = build_view(registry, "function")
    v.model.update({"function": "logistic"})
    for name in PINS:
        v.model.pin(registry.get(name), {})
    v.refresh()
    yield v
    close_view(v, app)


def _count_set_data(view) -> dict[str, int]:
    calls: dict[str, int] = {}
    items = {"f": view.curve_f, "d": view.curve_d, "num": view.curve_num}
    for i, (f_curve, d_curve) in enumerate(view.pin_curves):
        items[f"pin{i} f"], items[f"pin{i} d"] = f_curve, d_curve
    spy_set_data(items, count_into(calls))
    return calls


def _drag(view, values=(1.2, 0.9, 1.4)):
    for beta in values:
        view.model.set("function.beta", beta)
        view.refresh()


def test_dragging_beta_sets_only_the_shown_functions_curves(view, registry):
    pins_before = [(f.yData.copy(), d.yData.copy()) for f, d in view.pin_curves]
    calls = _count_set_data(view)
    _drag(view)
    assert calls == {"f": 3, "d": 3, "num": 3}
    spec = registry.get("logistic")
    np.testing.assert_allclose(view.curve_f.yData, spec.function(view.curve_f.xData, beta=1.4))
    for (f0, d0), (f_curve, d_curve) in zip(pins_before, view.pin_curves, strict=True):
        np.testing.assert_array_equal(f_curve.yData, f0)
        np.testing.assert_array_equal(d_curve.yData, d0)


def test_pins_are_redrawn_when_x_or_their_values_change(view, registry):
    calls = _count_set_data(view)
    view.model.update({"zmin": -3.0, "zmax": 3.0})
    view.refresh()
    assert all(calls.get(f"pin{i} {c}") == 1 for i in range(3) for c in "fd")
    x, y = view.pin_curves[0][0].xData, view.pin_curves[0][0].yData
    assert x.min() >= -3.0 and x.max() <= 3.0
    np.testing.assert_allclose(y, np.tanh(x))
    # a new pin list (one more pin) draws every pin again from its own values
    view.model.pin(registry.get("elu"), {"alpha": 2.0})
    view.refresh()
    x, y = view.pin_curves[3][0].xData, view.pin_curves[3][0].yData
    np.testing.assert_allclose(y, registry.get("elu").function(x, alpha=2.0))


def test_the_y_range_holds_still_while_beta_is_dragged_and_keeps_zero(view):
    view.model.pins()  # pins drawn: tanh reaches −1, softplus 5
    ranges = []
    for beta in (1.0, 1.1, 1.2, 1.3):
        view.model.set("function.beta", beta)
        view.refresh()
        ranges.append((tuple(view.plot_f.viewRange()[1]), tuple(view.plot_d.viewRange()[1])))
    assert len(set(ranges)) == 1
    (f_low, f_high), (d_low, d_high) = ranges[0]
    assert f_low <= -1.0 and f_high >= 5.0 and d_low <= 0.0 <= d_high
    assert not any(view.plot_f.vb.autoRangeEnabled()) and not any(view.plot_d.vb.autoRangeEnabled())


def test_the_y_range_refits_when_the_curves_leave_it(registry, qtbot):
    v, app = build_view(registry, "function")
    try:
        v.model.update({"function": "logistic"})
        v.refresh()
        low, high = v.plot_f.viewRange()[1]
        assert low <= 0.0 and 1.0 <= high < 2.0  # logistic alone: [0, 1] and a little room, not softplus's 5
        v.model.update({"function": "softplus"})
        v.refresh()
        assert v.plot_f.viewRange()[1][1] >= 5.0
    finally:
        close_view(v, app)


class _WrongAboveTwo:
    """f = a·z with f′ right for a ≤ 2 and twice too large above."""

    @actviz.hookimpl
    def actviz_activations(self):
        return [actviz.Activation("scaled", "Scaled", "a z", lambda z, a: a * z,
                                  derivative=lambda z, a: np.full_like(z, a if a <= 2 else 2 * a),
                                  params=(actviz.Param("a", 1.0, 0.0, 4.0),))]


def test_the_derivative_check_follows_a_drag_once_the_value_rests(qtbot):
    reg = actviz.load_registry(extra=[("wrong_above_two", _WrongAboveTwo())])
    win = MainWindow(registry=reg)
    qtbot.addWidget(win)
    win.show()
    win.select_function("scaled")
    settle(qtbot)
    view = win.views["function"]
    assert not view.warning.isVisibleTo(view) and view.mismatch is None
    view.model.set("function.a", 3.0)
    view.refresh()
    assert view.mismatch is None  # the curves first; the check waits until the value rests
    assert view._check_timer.interval() == CHECK_REST_MS and view._check_timer.isActive()
    qtbot.waitUntil(lambda: view.mismatch is not None, timeout=5000)
    settle(qtbot)
    assert "analytic 6," in view.warning.text() and view.warning.isVisibleTo(view)
    view.model.set("function.a", 1.5)
    view.refresh()
    assert "analytic 6," in view.warning.text()  # the last verdict stays until the new one: no flicker of the layout
    qtbot.waitUntil(lambda: view.mismatch is None, timeout=5000)
    settle(qtbot)
    assert view.mismatch is None and view.warning.text() == "" and not view.warning.isVisibleTo(view)


def test_a_new_function_is_checked_with_its_first_picture(qtbot):
    reg = actviz.load_registry(extra=[("wrong_above_two", _WrongAboveTwo())])
    v, app = build_view(reg, "function")
    try:
        v.model.update({"function": "scaled", "function.a": 3.0})
        v.refresh()
        assert v.mismatch is not None and "analytic 6," in v.warning.text()
    finally:
        close_view(v, app)


def test_no_gap_draws_connect_all_and_a_gap_stays_a_gap(view):
    assert view.curve_f.opts["connect"] == "all" and np.isfinite(view.curve_f.yData).all()
    xs = np.array([0.0, 1.0, 2.0])
    set_curve(view.curve_num, xs, np.array([1.0, np.inf, 3.0]))
    assert view.curve_num.opts["connect"] == "finite" and np.isnan(view.curve_num.yData[1])
    assert isinstance(view.curve_num, pg.PlotDataItem)


def test_a_drag_frame_calls_f_on_the_grid_and_the_resting_check_once_more(view, qtbot):
    """A frame evaluates f on x and x ± h only; the check's Richardson levels come in one call when the value rests."""
    spec = view.spec
    sizes: list[int] = []
    original = spec.function

    def counted(z, *args, **kw):
        sizes.append(np.size(z))
        return original(z, *args, **kw)

    object.__setattr__(spec, "function", counted)  # a frozen spec: the registry's own object, restored below
    try:
        view.model.set("function.beta", 1.3)
        view.refresh()
        assert sizes == [3 * view.xs.size] and view._check_timer.isActive()
        qtbot.waitUntil(lambda: not view._check_timer.isActive(), timeout=5000)
        qtbot.wait(10)
        assert len(sizes) == 2 and sizes[1] > 3 * view.xs.size  # the ladder, in one call
        assert view.mismatch is None
    finally:
        object.__setattr__(spec, "function", original)

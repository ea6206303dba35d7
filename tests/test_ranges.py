"""Held axis ranges: still while the data stays inside, round numbers when they move."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from actviz.maths.ranges import LIMIT, data_bounds, held_range, nice_range

finite = st.floats(-1e12, 1e12, allow_nan=False)


@given(finite, finite)
def test_nice_range_holds_the_data_with_room(a: float, b: float) -> None:
    low, high = min(a, b), max(a, b)
    lo, hi = nice_range(low, high)
    assert lo <= low and high <= hi and hi > lo
    if high > low:
        assert (high - low) / (hi - lo) > 0.4  # round, but not much wider than the data


def test_nice_range_ends_are_round() -> None:
    assert nice_range(0.0, 0.77) == (-0.1, 0.9)
    assert nice_range(-3.0, 3.0) == (-3.5, 3.5)
    assert nice_range(5.0, 5.0) == (4.5, 5.5)
    lo, hi = nice_range(-1e308, 1e308)
    assert (lo, hi) == (-LIMIT, LIMIT) and math.isfinite(hi - lo)


def test_held_range_stays_while_the_data_moves_inside_it() -> None:
    shown = nice_range(0.0, 1.76)
    assert held_range(shown, 0.0, 0.77) == shown  # a drag between two values: one scale
    assert held_range(shown, 0.1, 1.9) == shown


def test_held_range_moves_when_the_data_leaves_or_shrinks() -> None:
    shown = nice_range(0.0, 1.0)
    assert held_range(shown, 0.0, 2.0) == nice_range(0.0, 2.0)
    assert held_range(shown, 0.0, 0.1) == nice_range(0.0, 0.1)
    assert held_range(None, 0.0, 0.77) == nice_range(0.0, 0.77)


def test_data_bounds_skips_what_is_not_finite() -> None:
    assert data_bounds(np.array([np.nan, 1.0, np.inf]), None, np.array([-3.0])) == (-3.0, 1.0)
    assert data_bounds(np.array([np.nan]), np.zeros(0)) is None


def test_hold_range_sets_the_plot_once_and_keeps_it(qtbot) -> None:
    import pyqtgraph as pg

    from actviz.gui import hold_range

    plot = pg.PlotItem()
    assert hold_range(plot, np.array([0.0, 1.76]))
    first = plot.viewRange()[1]
    assert first == [nice_range(0.0, 1.76)[0], nice_range(0.0, 1.76)[1]]
    assert not hold_range(plot, np.array([0.0, 0.77]))
    assert plot.viewRange()[1] == first
    assert plot.getViewBox().state["autoRange"][1] is False
    assert hold_range(plot, np.array([0.0, 9.0]))
    assert plot.viewRange()[1][1] >= 9.0


def test_settle_plots_walks_the_scene_again_only_when_a_plot_comes(qtbot) -> None:
    import pyqtgraph as pg
    from PySide6 import QtWidgets

    from actviz.gui.viewbase import settle_plots

    widget = QtWidgets.QWidget()
    qtbot.addWidget(widget)
    layout = QtWidgets.QVBoxLayout(widget)
    graphics = pg.GraphicsLayoutWidget()
    layout.addWidget(graphics)
    first = graphics.addPlot(row=0, col=0)
    first.showGrid(x=True, y=True, alpha=0.25)
    walks = []
    real = widget.findChildren
    widget.findChildren = lambda *a: walks.append(1) or real(*a)
    settle_plots(widget)
    settle_plots(widget)
    assert len(walks) == 1  # the second frame reuses the walk
    assert first.getAxis("left")._actviz_grid == first.getAxis("left").grid
    second = graphics.addPlot(row=1, col=0)
    second.showGrid(x=True, y=True, alpha=0.25)
    settle_plots(widget)
    assert len(walks) == 2
    axis = second.getAxis("left")
    assert axis._actviz_grid == axis.grid and axis.style["autoReduceTextSpace"] is False
    first.showGrid(x=False, y=False)  # a change on a plot already walked is still seen
    settle_plots(widget)
    assert first.getAxis("left")._actviz_grid is False and len(walks) == 2


def test_held_range_grows_to_hold_both_ends_of_a_drag() -> None:
    shown = nice_range(-3.0, 1.0)
    both = held_range(shown, -1.0, 3.0, grow=True)  # mirrored data: one range for both frames
    assert both[0] <= -3.0 and both[1] >= 3.0
    assert held_range(both, -3.0, 1.0, grow=True) == both
    assert held_range(shown, -1.0, 3.0) == nice_range(-1.0, 3.0)  # without grow: the two ranges swap
    assert held_range(shown, 100.0, 101.0, grow=True) == nice_range(100.0, 101.0)  # far away: not a union


def test_a_grown_range_narrows_only_once_the_drag_rests(qtbot) -> None:
    """In a view, ``hold_range(grow=True)`` keeps one scale while a key is dragged, and fits the data at rest."""
    import pyqtgraph as pg

    from actviz.gui import Param, ViewContext, ViewModel, ViewWidget, hold_range

    class Scale(ViewModel):
        def declare(self, registry):
            return (Param("a", 1.0, 0.1, 100.0),)

    class ScaleView(ViewWidget):
        def __init__(self, context):
            super().__init__(context)
            self.plot = pg.PlotItem()

        def redraw(self):
            hold_range(self.plot, np.array([0.0, self.model["a"]]), grow=True)

    view = ScaleView(ViewContext(None, Scale()))
    qtbot.addWidget(view)
    view.model.set("a", 10.0)
    view.refresh()
    wide = view.plot.viewRange()[1]
    for a in (1.0, 10.0, 1.0):  # a drag to a tenth of the data and back: the same keys again, at once
        view.model.set("a", a, merge=True)
        view.refresh()
        assert view.moving and view.plot.viewRange()[1] == wide
    qtbot.waitUntil(lambda: not view.moving, timeout=3000)
    assert view.plot.viewRange()[1] == list(nice_range(0.0, 1.0))  # redrawn once at rest: fitted to the data
    view.model.set("a", 0.2)  # a single change after a rest is not a drag: it narrows at once
    view.refresh()
    assert not view.moving and view.plot.viewRange()[1] == list(nice_range(0.0, 0.2))

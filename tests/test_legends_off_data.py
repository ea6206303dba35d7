"""Legends off the data: the layout audit counts curve points and segments under every legend, and the views
it caught keep their legends clear (the function view's held range, single_unit's key row)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtWidgets

from actviz.gui import audit
from actviz.gui.audit_legends import count_under, hidden_by
from tests.conftest import settle

BOX = QtCore.QRectF(0.0, 0.0, 1.0, 1.0)
VIEW = QtCore.QRectF(-10.0, -10.0, 20.0, 20.0)


# -- the counting ----------------------------------------------------------------------------------------
def test_points_inside_are_counted_and_points_outside_the_view_are_not():
    x = np.array([0.5, 0.2, 2.0, 50.0])
    y = np.array([0.5, 0.9, 2.0, 0.5])
    assert count_under(x, y, BOX, VIEW, connected=False) == (2, 3)


def test_a_segment_crossing_the_box_counts_though_neither_end_is_inside():
    x, y = np.array([-1.0, 2.0]), np.array([0.5, 0.5])  # a flat line straight through
    assert count_under(x, y, BOX, VIEW, connected=True) == (1, 2)
    assert count_under(x, y, BOX, VIEW, connected=False) == (0, 2)  # a scatter's points are only points


def test_a_segment_passing_by_a_corner_does_not_count():
    x, y = np.array([0.9, 2.0]), np.array([-1.0, 0.2])  # runs below the box's lower-right corner
    assert count_under(x, y, BOX, VIEW, connected=True) == (0, 2)
    x, y = np.array([-1.0, 2.0]), np.array([2.0, 2.0])  # above it
    assert count_under(x, y, BOX, VIEW, connected=True) == (0, 2)


def test_a_gap_is_not_a_segment():
    x = np.array([-1.0, np.nan, 2.0])
    y = np.array([0.5, np.nan, 0.5])
    assert count_under(x, y, BOX, VIEW, connected=True) == (0, 2)


def test_counting_raises_no_numpy_warning_on_infinite_values():
    x = np.array([-np.inf, 0.5, np.inf, 1e308, -1e308])
    y = np.array([0.5, np.inf, 0.5, 1e308, -1e308])
    with np.errstate(all="raise"):
        under, shown = count_under(x, y, BOX, VIEW, connected=True)
    assert shown == 0 and under >= 0


# -- the audit reports it ---------------------------------------------------------------------------------
def _plot_with_legend(qtbot, ys: np.ndarray) -> QtWidgets.QWidget:
    widget = QtWidgets.QWidget()  # the audit looks at the plot widgets inside a window
    widget.resize(400, 300)
    plots = pg.GraphicsLayoutWidget(widget)
    plots.setGeometry(0, 0, 400, 300)
    plot = plots.addPlot()
    plot.addLegend(offset=(10, 10), brush=pg.mkBrush("#ffffff"))
    plot.plot(np.linspace(0, 10, 200), ys, name="the curve")
    plot.setRange(xRange=(0, 10), yRange=(0, 1), padding=0)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    settle(qtbot)
    return widget


def test_the_audit_names_a_legend_hiding_a_curve(qtbot):
    widget = _plot_with_legend(qtbot, np.full(200, 0.95))  # runs along the top, under the legend
    found = [f for f in audit.audit_window(widget, "fixture") if f.kind == "legend-over-data"]
    assert len(found) == 1 and found[0].items[1] == "the curve", found
    assert "hides" in found[0].detail


def test_the_audit_passes_a_legend_clear_of_the_curve(qtbot):
    widget = _plot_with_legend(qtbot, np.full(200, 0.1))
    assert not [f for f in audit.audit_window(widget, "fixture") if f.kind == "legend-over-data"]


# -- what it found ------------------------------------------------------------------------------------------
def test_the_function_views_legend_stays_clear_of_a_held_range(window, qtbot):
    """The audit drew squared error after squareplus, and it kept squareplus's range [−2, 6]: its bottom lies
    below the data's 0. The legend's room, measured from the data's bottom, fell short: 9 points ran under
    the legend. A range held from a user's zoom is the same case."""
    audit.resize_frame(window, 1024, 640)
    window.show_view("function")
    model, view = window.models["function"], window.views["function"]
    model.set("function", "squared_error")
    view.refresh()
    settle(qtbot)
    view.plot_f.setYRange(-2.0, 6.0, padding=0)  # what squareplus left
    view.refresh()
    settle(qtbot)
    assert view.plot_f.viewRange()[1][0] < 0  # the held range's bottom lies below the data's
    assert hidden_by(view.legend) == []
    y = view.curve_f.yData
    low, high = view.plot_f.viewRange()[1]
    assert low <= np.nanmin(y) and np.nanmax(y) <= high


@pytest.mark.parametrize("size", [(1024, 640), (1920, 1080)])
def test_no_legend_hides_data_in_the_screenshot_scenes(window, qtbot, size):
    """Every view in the state its README picture shows (a trained unit, a trained network)."""
    audit.resize_frame(window, *size)
    for name in window.view_names:
        view = window.show_view(name)
        if view is None:
            continue
        audit.apply_scene(window, name)
        view.refresh()
        settle(qtbot, 60)
        legends = [item for gv in window.findChildren(pg.GraphicsView) if gv.isVisible()
                   for item in gv.scene().items() if isinstance(item, pg.LegendItem) and item.isVisible()]
        for legend in legends:
            assert hidden_by(legend) == [], (name, size, [label.text for _, label in legend.items])


def test_single_units_key_is_a_row_of_its_own_under_both_plots(window, qtbot):
    audit.resize_frame(window, 1024, 640)
    view = window.show_view("single_unit")
    audit.apply_scene(window, "single_unit")
    settle(qtbot, 60)
    key = view.path_legend.sceneBoundingRect()
    for plot in (view.plot_data, view.plot_path):
        box = plot.vb.sceneBoundingRect()
        assert not key.intersects(box) and key.top() > box.bottom()
    assert [label.text for _, label in view.path_legend.items][0].startswith("start")


def test_a_key_row_is_packed_to_its_entries_and_centred(window, qtbot):
    audit.resize_frame(window, 1920, 1080)
    view = window.show_view("delta")
    settle(qtbot, 60)
    key, row = view.legend, view.layout_widget.ci
    width = key.geometry().width()
    assert width < 0.6 * row.geometry().width()  # not spread across the row
    left = key.geometry().left() - row.geometry().left()
    right = row.geometry().right() - key.geometry().right()
    assert abs(left - right) < 0.1 * row.geometry().width()  # centred over the plots
    label = key.items[0][1]
    label.setText(label.text + " renamed to something a good deal longer")
    settle(qtbot, 60)
    assert key.geometry().width() > width + 100  # a renamed entry widens it: nothing is cut
    assert hidden_by(key) == []


@pytest.mark.parametrize("loss", ["squared_error", "absolute_error", "binary_cross_entropy", "cauchy_loss"])
def test_the_histograms_markers_are_stems_under_its_legend(window, qtbot, loss):
    """Plot 3's closed form and y_true were lines through the whole plot, so both ran under its legend at
    every size; they are now stems from 0 to the data's top, and the legend sits in the headroom above."""
    audit.resize_frame(window, 1024, 640)
    view = window.show_view("likelihood")
    window.models["likelihood"].set("loss", loss)
    view.refresh()
    settle(qtbot, 60)
    ml, truth = view.ml, float(window.models["likelihood"]["y_true"])
    x, y = view.stems["truth"].getData()
    assert list(x) == [truth, truth] and y[0] == 0.0 and y[1] == view.hist_top
    x, _ = view.stems["closed"].getData()
    if ml.closed_form is None:
        assert x is None or len(x) == 0
    else:
        assert list(x) == [ml.closed_form] * 2
    assert hidden_by(view.legend_h) == []
    top = view.plot_h.viewRange()[1][1]
    assert view.hist_top < top  # the legend's headroom is above every bar and stem


@pytest.mark.parametrize("y", [-1.5, 1.0, 3.5])
def test_likelihoods_first_legend_keeps_off_the_y_line_at_rest(window, qtbot, y):
    """The y line runs through plot 1's headroom, where its legend sits: the legend takes another third."""
    audit.resize_frame(window, 1920, 1080)
    view = window.show_view("likelihood")
    window.models["likelihood"].update({"loss": "squared_error", "y": y})
    view.refresh()
    settle(qtbot, 300)  # past the drag's rest: a legend moves only then
    view.refresh()
    settle(qtbot, 60)
    shape = view.legend_e.sceneBoundingRect()
    line_x = view.plot_e.vb.mapViewToScene(QtCore.QPointF(view.line_y.value(), 0.0)).x()
    assert not shape.left() <= line_x <= shape.right(), (y, shape, line_x)

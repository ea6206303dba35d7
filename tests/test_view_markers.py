"""Markers (a dot on a point of a curve) are ScatterPlotItems moved with ``set_marker``: a value that is not
finite is not drawn, and a marker shows in its plot's legend by name. Likelihood's four markers use them."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from actviz_views.wiring import marker, set_marker

from actviz.gui import build_view, close_view
from tests.conftest import settle


@pytest.fixture
def plot(qtbot):
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    item = widget.addPlot()
    item.addLegend()
    yield item  # the widget stays alive (and owns the plot) until the test ends
    widget.close()


def test_a_marker_draws_its_finite_points_only(plot):
    dot = marker(plot, "#d55e00", name="observed")
    set_marker(dot, [0.0, 1.0, 2.0, np.nan], [1.0, np.inf, 3.0, 4.0])
    x, y = dot.getData()
    assert list(x) == [0.0, 2.0] and list(y) == [1.0, 3.0]
    set_marker(dot, [], [])
    assert len(dot.getData()[0]) == 0
    assert [label.text for _, label in plot.legend.items] == ["observed"]


def test_a_marker_refuses_mismatched_points(plot):
    with pytest.raises(ValueError, match="as many y as x"):
        set_marker(marker(plot, "#000000"), [0.0, 1.0], [1.0])


def test_likelihoods_markers_sit_on_their_curves(registry, qtbot):
    view, app = build_view(registry, "likelihood", size=(1200, 800))
    try:
        view.model.update({"loss": "squared_error", "y": 0.5})
        view.refresh()
        settle(qtbot)
        for dot in (view.mark_e, view.mark_p, view.mark_min, view.mark_max):
            assert isinstance(dot, pg.ScatterPlotItem) and len(dot.getData()[0]) == 1
        (x,), (y,) = view.mark_e.getData()
        assert x == 0.5 and y == pytest.approx(np.interp(0.5, view.curve_e.xData, view.curve_e.yData), rel=1e-3)
        (x,), (y,) = view.mark_min.getData()
        assert y == pytest.approx(np.nanmin(view.curve_sum.yData))
    finally:
        close_view(view, app)

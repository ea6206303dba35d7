"""Likelihood's plots leave their legends room above the data at any plot height: the fixed y range's
headroom is the share of the plot the legend takes, so no curve runs under a legend in a short window."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from tests.conftest import settle


def points_under(legend, plot) -> tuple[int, int]:
    """How many of the plot's drawn curve points (in view) lie under ``legend``, of how many in view."""
    box = plot.vb
    rect = box.mapSceneToView(legend.sceneBoundingRect()).boundingRect()
    (x0, x1), (y0, y1) = box.viewRange()
    under = shown = 0
    for item in plot.listDataItems():
        if not item.isVisible():
            continue
        x, y = item.getData() if isinstance(item, pg.ScatterPlotItem) else (item.xData, item.yData)
        if x is None:
            continue
        x, y = np.asarray(x, float), np.asarray(y, float)
        seen = np.isfinite(x) & np.isfinite(y) & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
        hidden = seen & (x >= rect.left()) & (x <= rect.right()) & (y >= rect.top()) & (y <= rect.bottom())
        under, shown = under + int(hidden.sum()), shown + int(seen.sum())
    return under, shown


@pytest.mark.parametrize("loss", ["squared_error", "absolute_error", "log_cosh", "cauchy_loss", "gaussian_nll"])
def test_no_curve_runs_under_a_legend_in_a_short_window(window, qtbot, loss):
    assert loss in window.registry.losses  # the lecture's, the modern and the example plugin's losses
    window.resize(1024, 640)
    window.show_view("likelihood")
    model, view = window.models["likelihood"], window.views["likelihood"]
    model.set("loss", loss)
    qtbot.wait(50)
    settle(qtbot)
    assert view.plot_e.vb.height() < 200  # short plots: where a fixed 45 % headroom let curves under
    for legend, plot in ((view.legend_e, view.plot_e), (view.legend_p, view.plot_p)):
        under, shown = points_under(legend, plot)
        assert shown > 50 and under == 0, (loss, legend.items[0][1].text, under, shown)


@pytest.mark.parametrize("name", ["binary_step", "gaussian", "logsigmoid", "rbf", "huber", "gaussian_nll"])
@pytest.mark.parametrize("size", [(1024, 640), (1920, 1080)])
def test_the_function_views_legend_keeps_clear_of_the_curves(window, qtbot, name, size):
    """The legend keeps its corner; the y range's top is lifted so that no curve runs under it."""
    window.resize(*size)
    window.show_view("function")
    model, view = window.models["function"], window.views["function"]
    model.set("function", name)
    qtbot.wait(50)
    settle(qtbot)
    under, shown = points_under(view.legend, view.plot_f)
    assert shown > 100 and under == 0, (name, size, under, shown)
    low, high = view.plot_f.viewRange()[1]
    assert low <= np.nanmin(view.curve_f.yData) and np.nanmax(view.curve_f.yData) <= high  # all of f in view

"""Dragging the coin's true p (no flips yet) redraws only what p moves: counts of setData, never times."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from actviz.gui import build_view, close_view
from tests.conftest import count_into, spy_set_data


@pytest.fixture
def view(registry, qtbot):
    v, app = build_view(registry, "coin")
    yield v
    close_view(v, app)


def _count_set_data(view) -> dict[str, int]:
    """setData calls per data item of the view (curves, dots, the line p), by attribute name."""
    calls: dict[str, int] = {}
    spy_set_data({name: item for name, item in vars(view).items()
                  if isinstance(item, (pg.PlotCurveItem, pg.PlotDataItem, pg.ScatterPlotItem))}, count_into(calls))
    return calls


@pytest.mark.parametrize("prior", ["off", "on"])
def test_dragging_p_with_no_flips_sets_only_the_line_p(view, prior):
    view.model.update({"prior": prior})
    view.refresh()
    ll_before = view.curve_ll.getData()[1].copy()
    strip, readout, hat = view.strip.text(), view.readout.text(), view.hat_text.toHtml()
    calls = _count_set_data(view)
    for p in (0.35, 0.7, 0.2):
        view.model.set("p", p)
        view.refresh()
        assert view.curve_p.yData.tolist() == [p, p]
    assert calls == {"curve_p": 3}
    # the rest still shows the counts 8 of 10, and the words did not change
    np.testing.assert_array_equal(view.curve_ll.getData()[1], ll_before)
    assert (view.strip.text(), view.readout.text(), view.hat_text.toHtml()) == (strip, readout, hat)
    assert "no flips yet" in view.strip.text()


def test_changing_the_counts_after_a_drag_redraws_plots_1_to_4(view):
    view.model.update({"prior": "on"})
    view.refresh()
    calls = _count_set_data(view)
    view.model.set("p", 0.6)
    view.refresh()
    view.model.set("k", 3)
    view.refresh()
    for name in ("curve_lik", "curve_ll", "curve_bce", "curve_negll", "mark_lik", "curve_post", "band_post"):
        assert calls.get(name) == 1, name
    assert view.mark_ll.getData()[0].tolist() == [0.3]
    assert "3/10" in view.readout.text()


def test_dragging_p_after_flips_reflips_and_redraws_everything(view):
    view.model.flip(100)
    view.refresh()
    traj = view.curve_traj.yData.copy()
    calls = _count_set_data(view)
    view.model.set("p", 0.8)
    view.refresh()
    assert view.model["n"] == 100 and calls.get("curve_traj") == 1 and calls.get("curve_ll") == 1
    assert not np.array_equal(view.curve_traj.yData, traj)
    assert "true p = 0.8" in view.strip.text()

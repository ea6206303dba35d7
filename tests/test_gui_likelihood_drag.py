"""The likelihood view while y is dragged: plot 2's axes hold still and its title changes in place."""

from __future__ import annotations

import numpy as np
import pytest
from actviz_views.likelihood_model import density_reach, density_window, held_density_window

from actviz.gui import build_view, close_view
from actviz.maths import likelihood as lk


@pytest.fixture
def view(registry, qtbot):
    v, app = build_view(registry, "likelihood")
    yield v
    close_view(v, app)


def _drag(view, ys):
    out = []
    for y in ys:
        view.model.set("y", y)
        view.refresh()
        assert view.error == ""
        out.append((tuple(view.plot_p.viewRange()[0]), tuple(view.plot_p.viewRange()[1])))
    return out


def test_the_t_axis_holds_while_y_goes_back_and_forth(view):
    ranges = _drag(view, (1.6, -1.6, 1.6, -1.6, 0.5, -0.2))
    assert len(set(ranges[1:])) == 1  # widened once to hold both ends of the drag, then still
    (t_low, t_high), (p_low, p_high) = ranges[-1]
    assert t_low <= -1.6 - 3.0 and t_high >= 1.6 + 3.0 and p_low == 0.0
    # the density is drawn across the whole held axis (its grid is every t the axis can show) and is p(t | y)
    t, p = view.curve_p.xData, view.curve_p.yData
    held = view._t_window[1]
    assert t[0] <= held[0] and t[-1] >= held[1] and t_low < held[0] < held[1] < t_high  # (the 2 % padding)
    reach = density_reach(view.model.spec)
    assert (t[0], t[-1]) == reach and reach[0] <= -4.0 - 3.0 and reach[1] >= 4.0 + 3.0  # y ∈ [−4, 4]
    spec = view.model.spec
    np.testing.assert_allclose(p, lk.density_over_t(spec.noise_model, -0.2, t, view.model.params).p)
    assert p_high >= 1.6 * np.nanmax(p)  # headroom for the legend above the peak


def test_the_window_widens_only_to_hold_what_y_needs(registry):
    spec = registry.get("squared_error")
    first = held_density_window(spec, 0.0, None)
    assert first[0] <= -3.0 and first[1] >= 3.0
    assert held_density_window(spec, 0.1, first) == first
    wider = held_density_window(spec, 3.5, first)
    assert wider[1] >= 6.5 and wider[0] <= first[0]
    poisson = registry.get("poisson_nll")
    assert held_density_window(poisson, 2.0, None)[0] == 0.0  # t ≥ 0 stays so
    assert density_window(registry.get("binary_cross_entropy"), 0.5) is None


def test_the_title_follows_y_without_re_laying_out_the_plots(view):
    _drag(view, (1.0,))
    label = view.plot_p.titleLabel
    geometry = [plot.geometry() for plot in view.plots]
    hints = dict(label._sizeHint)
    for y in (1.25, -2.5, 0.75):
        _drag(view, (y,))
        assert f"at y = {y:.3g}" in label.text
        assert f"at y = {y:.3g}" in label.item.toPlainText()
        assert dict(label._sizeHint) == hints and [p.geometry() for p in view.plots] == geometry
        # centred in its row
        centre = label.mapRectToParent(label.item.mapRectToParent(label.item.boundingRect())).center().x()
        assert abs(centre - label.geometry().center().x()) < 1.0
    assert "updateGeometry" not in label.__dict__  # the quiet setText put pyqtgraph's methods back


def test_a_new_loss_sets_its_title_and_axes_afresh(view):
    _drag(view, (1.6, -1.6))
    view.model.update({"loss": "poisson_nll"})
    view.refresh()
    assert "Poisson" in view.plot_p.titleLabel.text or "poisson" in view.plot_p.titleLabel.text.lower()
    t_low, _ = view.plot_p.viewRange()[0]
    assert t_low >= -0.2 * (view.plot_p.viewRange()[0][1])  # starts near t = 0, not at −4.6 kept from before


def test_a_drag_of_y_sets_no_range_that_is_already_shown(view, monkeypatch):
    """Windows asked for on every frame cost nothing while they stay put: no setRange, no re-ticked axis."""
    import pyqtgraph as pg

    _drag(view, (1.6, -1.6))  # the held t window widened once to both ends
    calls = []
    original = pg.ViewBox.setRange
    monkeypatch.setattr(pg.ViewBox, "setRange", lambda self, *a, **k: (calls.append(k), original(self, *a, **k))[1])
    _drag(view, (1.6, -1.6, 1.6))
    assert calls == []
    view.plot_p.getViewBox().setXRange(-1.0, 1.0, padding=0)  # a zoom of the student's own
    _drag(view, (-1.6,))
    assert view.plot_p.viewRange()[0][0] < -1.6  # the view's window again, not left at the zoom

"""A legend keeps its corner while a control is dragged, like a held axis range, and moves to where its data
leaves room once the drag rests: no legend jumps across a plot on every frame of a drag."""

from __future__ import annotations

import pytest
from actviz_views.likelihood_model import quietest_third

from actviz.gui import build_view, close_view, viewbase
from tests.conftest import settle


def _likelihood_wants(view) -> tuple[float, float]:
    """The corner of plot 2's legend that leaves its drawn data most room (the view's own rule)."""
    x_range = tuple(view.plot_p.viewRange()[0])
    data = [(view.curve_p.xData, view.curve_p.yData), view.mark_p.getData()]
    return quietest_third(x_range, data), 0.0


def _coin_wants(view) -> tuple[float, float]:
    """Plot 5's legend sits in the half the true p leaves free."""
    return 1.0, 0.0 if float(view.model["p"]) < 0.5 else 1.0


@pytest.mark.parametrize(("name", "key", "values", "legend", "wants"), [
    ("likelihood", "y", (-2.5, 2.5), "legend_p", _likelihood_wants),
    ("coin", "p", (0.2, 0.8), "legend_traj", _coin_wants),
])
def test_a_legend_holds_its_corner_mid_drag_and_moves_at_rest(registry, qtbot, monkeypatch, name, key, values,
                                                              legend, wants):
    monkeypatch.setattr(viewbase, "REST_MS", 1000)  # a drag's frames stay within it on a busy machine too
    view, app = build_view(registry, name)
    try:
        item = getattr(view, legend)
        a, b = values
        view.model.set(key, a)
        qtbot.wait(viewbase.REST_MS + 50)
        settle(qtbot)
        assert not view.moving and item._actviz_corner == wants(view)
        view.model.set(key, b, merge=True)  # a drag starts: its first change is not yet a drag
        settle(qtbot)
        held, position = item._actviz_corner, item.pos()
        elsewhere = 0
        for value in (a, b, a, b, a):  # and goes back and forth, each change within REST_MS of the last
            view.model.set(key, value, merge=True)
            settle(qtbot)
            assert view.moving and item._actviz_corner == held and item.pos() == position
            elsewhere += wants(view) != held
        assert elsewhere  # the data asked for another corner mid-drag, and the legend kept still
        qtbot.waitUntil(lambda: not view.moving, timeout=5000)
        settle(qtbot)
        assert item._actviz_corner == wants(view) != held  # at rest it goes where the data leaves room
        assert item.pos() != position
    finally:
        close_view(view, app)

"""View wiring the built-in views share: curves drawn with gaps, labels and legends touched only on change.

Each of these runs on every frame of a drag; doing nothing when nothing
changed is what keeps a frame near the cost of drawing its curves.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from actviz.gui import ViewWidget, hold_range
from actviz.maths.ranges import data_bounds

__all__ = ["MAX_LEGEND_SHARE", "KeyRow", "add_key_row", "finite", "hold_clear_of_legend", "legend_room",
           "legend_share", "marker", "pin_legend", "set_curve", "set_marker", "set_range", "set_text"]


def finite(values) -> np.ndarray:
    """NaN where not finite, so ``connect="finite"`` leaves a gap instead of drawing ±inf."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def set_curve(curve: pg.PlotDataItem | pg.PlotCurveItem, x: np.ndarray, values: np.ndarray) -> None:
    """``setData`` with non-finite values drawn as gaps; the slower ``connect="finite"`` path only when there is one."""
    whole = bool(np.isfinite(values).all())
    curve.setData(x, values if whole else finite(values), connect="all" if whole else "finite",
                  skipFiniteCheck=whole)


def marker(plot: pg.PlotItem, color: str, size: float = 9, name: str | None = None) -> pg.ScatterPlotItem:
    """A filled dot to mark a point on ``plot`` (``name``: listed in the plot's legend), moved with
    :func:`set_marker`. A ``ScatterPlotItem``: a one-point ``PlotDataItem`` with a symbol re-applies its whole
    style on every ``setData`` (0.5 ms against 0.1 ms), and a dragged value moves its markers on every frame."""
    item = pg.ScatterPlotItem(symbol="o", size=size, brush=pg.mkBrush(color), pen=None, name=name)
    plot.addItem(item)
    return item


def set_marker(item: pg.ScatterPlotItem, xs, ys) -> None:
    """Put ``item``'s dots at the finite (x, y) pairs; a point that is not finite is not drawn."""
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"a marker needs as many y as x values, got {x.size} and {y.size}")
    keep = np.isfinite(x) & np.isfinite(y)
    item.setData(x=x[keep], y=y[keep])


def set_text(label: QtWidgets.QLabel | QtWidgets.QWidget, text: str) -> None:
    """``setText`` only when the text changes (a QLabel's setText re-runs its page's layout)."""
    if label.text() != text:
        label.setText(text)


def pin_legend(legend: pg.LegendItem, where: float | Callable[[], float], top: bool = True,
               inset: tuple[float, float] = (4, 4), view: ViewWidget | None = None) -> None:
    """Pin ``legend`` to the top (or bottom) of its plot, at the left (``where`` = 0), centre (0.5) or right (1).

    ``where`` may be a function that finds the corner (e.g. the third the data leaves free): it is asked only
    when the legend may move. ``view``: while one of its controls is dragged (``view.may_narrow()`` is false)
    a placed legend keeps its corner, like a held axis range; the view redraws when the drag rests and the
    legend moves then. A legend that jumped across the plot on every frame of a drag was hard to read and
    repainted both corners.
    """
    corner = getattr(legend, "_actviz_corner", None)
    if corner is not None and view is not None and not view.may_narrow():
        return
    x = where() if callable(where) else where
    y = 0.0 if top else 1.0
    if corner != (x, y):
        legend._actviz_corner = (x, y)
        legend.anchor(itemPos=(x, y), parentPos=(x, y),
                      offset=(inset[0] * (1 - 2 * x), inset[1] if top else -inset[1]))


def set_range(plot: pg.PlotItem, axis: str, low: float, high: float, padding: float = 0.0) -> None:
    """``setXRange``/``setYRange`` unless the plot still shows what the same request gave last time.

    A view that asks for its window on every frame of a drag then costs nothing while it stays put.
    """
    box = plot.getViewBox()
    index = 0 if axis == "x" else 1
    asked = box.__dict__.setdefault("_actviz_asked", {})
    request = (float(low), float(high), padding)
    last = asked.get(axis)
    if last is not None and last[0] == request and box.viewRange()[index] == last[1]:
        return
    (box.setXRange if index == 0 else box.setYRange)(low, high, padding=padding)
    asked[axis] = (request, box.viewRange()[index])


#: the most of a plot's height a legend's headroom may take (a short plot keeps the rest for its data)
MAX_LEGEND_SHARE = 0.55


class KeyRow(pg.LegendItem):
    """A legend in a row of its own (above or under plots): it never hides a curve and is in every export.

    Packed to its entries' width and centred in its cell (a legend given a whole row spread its entries
    across it, each far from the next); :func:`add_key_row` places it.
    """

    def __init__(self, columns: int, **opts) -> None:
        super().__init__(labelTextSize="8pt", colCount=columns, verSpacing=-6, **opts)

    def sizeHint(self, which: QtCore.Qt.SizeHint, constraint: QtCore.QSizeF = QtCore.QSizeF()) -> QtCore.QSizeF:  # noqa: N802
        """No wider than its entries (an entry renamed later widens it: Qt asks again when a label changes)."""
        hint = super().sizeHint(which, constraint)
        if which == QtCore.Qt.SizeHint.MaximumSize:
            return QtCore.QSizeF(super().sizeHint(QtCore.Qt.SizeHint.PreferredSize, constraint).width(), hint.height())
        return hint

    def updateSize(self) -> None:  # noqa: N802 - pyqtgraph's name
        """Entries added or removed: the row's layout asks for the new size (pyqtgraph sets a geometry here)."""
        self.updateGeometry()


def add_key_row(layout: pg.GraphicsLayout, key: KeyRow, row: int, col: int = 0, colspan: int = 1) -> KeyRow:
    """Put ``key`` in ``layout`` at ``row``, centred across ``colspan`` columns."""
    layout.addItem(key, row=row, col=col, colspan=colspan)
    layout.layout.setAlignment(key, QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignVCenter)
    return key


def legend_share(legend: pg.LegendItem, plot: pg.PlotItem, least: float = 0.0) -> float:
    """The share of ``plot``'s height a legend at its top takes, down to its lower edge and a 4 px gap: what
    a y range must leave free above the data so that the legend covers none of it, at any plot height.

    ``least`` until the legend has been laid out; never more than :data:`MAX_LEGEND_SHARE`.
    """
    box, shape = plot.vb, legend.sceneBoundingRect()
    height = box.height()
    if height <= 0 or shape.isEmpty():
        return least
    return min(max((shape.bottom() - box.sceneBoundingRect().top() + 4) / height, least), MAX_LEGEND_SHARE)


def legend_room(legend: pg.LegendItem, plot: pg.PlotItem, curves, bottom: float) -> np.ndarray:
    """A top the y range must reach so that none of ``curves`` runs under ``legend`` (one value, or none).

    The legend keeps its place at the top of the plot; the curves' highest point inside its width must stay
    below its lower edge, so the range's top is lifted by :func:`legend_share`. Pass the result to
    :func:`actviz.gui.hold_range` with the data: the range grows to hold it and, like any held range, does
    not narrow while a control is dragged.
    """
    share = legend_share(legend, plot)
    if share <= 0:
        return np.zeros(0)
    area = plot.vb.mapSceneToView(legend.sceneBoundingRect()).boundingRect()
    highest = max((_highest_under(c, area.left(), area.right()) for c in curves
                   if c.isVisible() and c.xData is not None and len(c.xData)), default=-np.inf)
    if not np.isfinite(highest) or highest <= bottom:
        return np.zeros(0)
    return np.array([bottom + (highest - bottom) / (1.0 - share)])


def hold_clear_of_legend(legend: pg.LegendItem, plot: pg.PlotItem, curves, *arrays: np.ndarray) -> bool:
    """:func:`actviz.gui.hold_range` of ``arrays`` on y, its top lifted so that none of ``curves`` runs under
    ``legend`` (:func:`legend_room`). Returns whether the range changed.

    The room is measured from the bottom of the range that is shown, which lies below the data's when the
    range is held from an earlier picture or padded to round numbers: measured from the data's lowest point
    the top fell short, and squared error, drawn after squareplus, ran 9 points under the legend.
    """
    bounds = data_bounds(*arrays)
    if bounds is None:
        return False
    changed = hold_range(plot, *arrays, legend_room(legend, plot, curves, bounds[0]))
    for _ in range(3):  # a re-fit may pad the bottom further down: a round or two settles it
        low, high = plot.vb.viewRange()[1]
        room = legend_room(legend, plot, curves, min(low, bounds[0]))
        if not room.size or room[0] <= high:
            break
        changed = hold_range(plot, *arrays, room) or changed
    return changed


def _highest_under(curve: pg.PlotDataItem, left: float, right: float) -> float:
    """The curve's highest finite value for x in [left, right]; kept while its data and the span stay (a
    pinned curve, unchanged through a drag of the shown function, is not scanned again every frame)."""
    xs, ys = curve.xData, curve.yData
    kept = curve.__dict__.get("_actviz_highest")  # (the arrays themselves: an id could be reused)
    if kept is not None and kept[0] is xs and kept[1] is ys and kept[2] == (left, right):
        return kept[3]
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    under = (x >= left) & (x <= right) & np.isfinite(y)
    value = float(y[under].max()) if under.any() else -np.inf
    curve._actviz_highest = (xs, ys, (left, right), value)
    return value

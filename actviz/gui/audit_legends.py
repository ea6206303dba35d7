"""The layout audit's "legends off the data" rule: no drawn curve point or segment, and no scatter point, of a
plot may lie under that plot's legend.

A legend is opaque (the audit's ``legend`` rule), so whatever runs under it is hidden from the student. The
rule counts, per data item in the legend's ViewBox, the points inside the legend's rectangle and the curve
segments that cross it (a two-point line under a legend hides data too, with no point of it inside), among
those in view. Fills, images and bars are left out: a band or a picture under a corner legend is expected.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore

#: a point or segment this close to the legend's edge (pixels) is not under it: antialiasing, not hiding
EDGE = 1.0


def hidden_by(legend) -> list[tuple[str, int, int]]:
    """(curve name, points or segments under ``legend``, of how many in view) for each curve it hides part of."""
    import pyqtgraph as pg

    box = legend.parentItem()
    if not isinstance(box, pg.ViewBox) or not box.isVisible():
        return []
    shape = legend.sceneBoundingRect().adjusted(EDGE, EDGE, -EDGE, -EDGE)
    if shape.isEmpty():
        return []
    names = {id(item): label.text for item, label in legend.items}
    found = []
    for item in box.addedItems:
        if not item.isVisible():
            continue
        if isinstance(item, pg.PlotDataItem):
            x, y = item.getData()
            connected = item.opts.get("pen") is not None and item.curve.isVisible()
        elif isinstance(item, pg.ScatterPlotItem):
            x, y = item.getData()
            connected = False
        elif isinstance(item, pg.PlotCurveItem):
            x, y = item.getData()
            connected = True
        else:
            continue
        if x is None or y is None or len(x) == 0:
            continue
        view = box.viewRect()
        under, shown = count_under(np.asarray(x, float), np.asarray(y, float),
                                   item.mapRectFromScene(shape), item.mapRectFromItem(box.childGroup, view),
                                   connected)
        if under:
            name = names.get(id(item)) or item.name() or type(item).__name__
            found.append((str(name), under, shown))
    return found


def count_under(x: np.ndarray, y: np.ndarray, rect: QtCore.QRectF, view: QtCore.QRectF,
                connected: bool) -> tuple[int, int]:
    """(points inside ``rect``, plus segments crossing it when ``connected``; points inside ``view``).

    Coordinates are the item's own; non-finite points break a curve, as pyqtgraph draws them.
    """
    finite = np.isfinite(x) & np.isfinite(y)
    seen = finite & _inside(x, y, view)
    inside = seen & _inside(x, y, rect)
    under = int(inside.sum())
    if connected and x.size > 1:
        x0, y0, x1, y1 = x[:-1], y[:-1], x[1:], y[1:]
        both = finite[:-1] & finite[1:] & ~inside[:-1] & ~inside[1:]  # a segment with an end inside is counted
        under += int((both & _crosses(x0, y0, x1, y1, rect)).sum())
    return under, int(seen.sum())


def _inside(x: np.ndarray, y: np.ndarray, rect: QtCore.QRectF) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (x >= rect.left()) & (x <= rect.right()) & (y >= rect.top()) & (y <= rect.bottom())


def _crosses(x0, y0, x1, y1, rect: QtCore.QRectF) -> np.ndarray:
    """Whether each segment, both ends outside ``rect``, passes through it."""
    left, right, top, bottom = rect.left(), rect.right(), rect.top(), rect.bottom()
    with np.errstate(invalid="ignore", over="ignore"):
        apart = ((x0 < left) & (x1 < left)) | ((x0 > right) & (x1 > right)) \
            | ((y0 < top) & (y1 < top)) | ((y0 > bottom) & (y1 > bottom))
        # the segment's line separates the rectangle's corners unless all four lie on one side of it
        sides = [np.sign((x1 - x0) * (cy - y0) - (y1 - y0) * (cx - x0))
                 for cx, cy in ((left, top), (right, top), (left, bottom), (right, bottom))]
        one_side = (np.abs(sides[0] + sides[1] + sides[2] + sides[3]) == 4)
    return ~apart & ~one_side

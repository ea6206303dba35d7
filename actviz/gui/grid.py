"""Grid lines drawn by an item under a plot's ViewBox, not by its axes: new curve data no longer repaints the axes.

pyqtgraph draws a grid as the axis's tick lines stretched over the plot, so an
axis with a grid has a bounding rectangle as large as the plot: every
``setData`` of a curve in the plot makes Qt repaint the axes too, replaying
their pictures (tick labels and grid lines) on every drag frame (~1–2 ms a
view). :func:`follow` moves an axis's grid lines into a :class:`GridItem`
just under the ViewBox (where the axes drew them: under its background and
curves), at exactly the positions and in the pens the axis computed for them
(its own ``tickValues``, log axes and patched tick rules included), and
shrinks the axis back to its strip: the axis repaints only when its ticks
change. Views keep calling ``plot.showGrid(...)``; the axis's ``grid`` keeps
its value and ``showGrid(x=False)`` removes the lines at once.

The axis's picture holds its line and labels only; the grid item repaints
when the ViewBox's range or geometry changes, or when settling a frame
(:func:`settle`) finds the axis's ticks moved. A repaint that reaches an
axis's strip only next to the plot (a curve's area, widened by Qt for
antialiasing) draws the axis line there, not the labels' picture.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

_AxisItem = pg.AxisItem
_original: dict[str, Any] = {}


class GridItem(QtWidgets.QGraphicsObject):
    """The grid lines of the axes linked to one ViewBox.

    A sibling of the ViewBox just below it, where the axes drew the grid: under the ViewBox's
    background and curves, and not clipped by it (a line on the plot's edge stays drawn).
    """

    def __init__(self, box: pg.ViewBox) -> None:
        super().__init__(box.parentItem())
        self.box = box
        self.setZValue(box.zValue() - 0.5)  # the theme puts the axes at the ViewBox's z − 1
        self.setAcceptedMouseButtons(QtCore.Qt.MouseButton.NoButton)
        self.axes: list[pg.AxisItem] = []
        #: per axis: (tick lines as the axis drew them, axis→item transform) → lines grouped by pen
        self._drawn: dict[int, tuple[Any, list[tuple[QtGui.QPen, list[QtCore.QLineF]]]]] = {}
        self._rect = self._box_rect()
        box.sigXRangeChanged.connect(self._moved)
        box.sigYRangeChanged.connect(self._moved)
        box.geometryChanged.connect(self._resized)

    def _box_rect(self) -> QtCore.QRectF:
        # the lines run from the plot's far edge to the axis, on the box's edges at most: half a pixel
        # beyond them holds every pixel they light (and reaches no axis's labels when repainted)
        return self.box.geometry().adjusted(-0.5, -0.5, 0.5, 0.5)

    def _moved(self, *_args) -> None:
        self.update()

    def _resized(self) -> None:
        self.prepareGeometryChange()
        self._rect = self._box_rect()
        self.update()

    def boundingRect(self) -> QtCore.QRectF:
        return self._rect

    def paint(self, painter: QtGui.QPainter, *_args) -> None:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        for axis in self.axes:
            if axis.grid is False or not axis.isVisible():
                continue
            for pen, lines in self.lines(axis):
                painter.setPen(pen)
                painter.drawLines(lines)

    def lines(self, axis: pg.AxisItem) -> list[tuple[QtGui.QPen, list[QtCore.QLineF]]]:
        """``axis``'s grid lines in this item's coordinates, grouped by pen (its picture is built if stale)."""
        if axis.picture is None:
            build_picture(axis)
        ticks = axis.__dict__.get("_actviz_grid_ticks", ())
        transform = axis.itemTransform(self)[0]
        key = (ticks, transform)
        drawn = self._drawn.get(id(axis))
        if drawn is not None and drawn[0][0] is ticks and drawn[0][1] == transform:
            return drawn[1]
        groups: list[tuple[QtGui.QPen, list[QtCore.QLineF]]] = []
        for pen, p1, p2 in ticks:
            if not groups or not (groups[-1][0] is pen or groups[-1][0] == pen):
                groups.append((pen, []))
            groups[-1][1].append(transform.map(QtCore.QLineF(p1, p2)))
        self._drawn[id(axis)] = (key, groups)
        return groups

    def stale(self, axis: pg.AxisItem) -> bool:
        """Whether ``axis``'s tick lines differ from the ones this item last drew for it."""
        drawn = self._drawn.get(id(axis))
        ticks = axis.__dict__.get("_actviz_grid_ticks", ())
        if drawn is None:
            return True
        old = drawn[0][0]
        return old is not ticks and _positions(old) != _positions(ticks)

    def forget(self, axis: pg.AxisItem) -> None:
        if axis in self.axes:
            self.axes.remove(axis)
        self._drawn.pop(id(axis), None)
        self.update()


def _positions(ticks) -> list[tuple[float, float, float, float, int]]:
    return [(p1.x(), p1.y(), p2.x(), p2.y(), pen.color().rgba()) for pen, p1, p2 in ticks]


def build_picture(axis: pg.AxisItem) -> None:
    """Build ``axis``'s picture now, as its ``paint`` would (which then only replays it)."""
    picture = QtGui.QPicture()
    painter = QtGui.QPainter(picture)
    try:
        if axis.style["tickFont"]:
            painter.setFont(axis.style["tickFont"])
        specs = axis.generateDrawSpecs(painter)
        if specs is not None:
            axis.drawPicture(painter, *specs)
    finally:
        painter.end()
    axis.picture = picture


def _moved_out(axis: pg.AxisItem) -> GridItem | None:
    """The grid item drawing ``axis``'s grid, if its grid is shown and moved out of it."""
    item = axis.__dict__.get("_actviz_grid_item")
    return None if item is None or axis.grid is False else item


def _bounding_rect(self) -> QtCore.QRectF:
    if _moved_out(self) is None or self.__dict__.get("_actviz_specs"):
        return _original["boundingRect"](self)
    # the axis strip: no grid, and no tick marks (the grid lines are the ticks, as with pyqtgraph's grid)
    return self.mapRectFromParent(self.geometry())


def _generate_draw_specs(self, p):
    if _moved_out(self) is None:
        return _original["generateDrawSpecs"](self, p)
    # computed exactly as with the grid drawn here (the labels are kept or hidden against the same rectangle)
    self._actviz_specs = True
    try:
        specs = _original["generateDrawSpecs"](self, p)
    finally:
        self._actviz_specs = False
    if specs is None:
        self._actviz_grid_ticks = ()
        return None
    axis_spec, tick_specs, text_specs = specs
    self._actviz_grid_ticks = tuple(tick_specs)
    self._actviz_line = axis_spec
    self._actviz_text = _ink(QtGui.QFontMetricsF(p.font()), text_specs)
    return axis_spec, [], text_specs


def _ink(metrics: QtGui.QFontMetricsF, text_specs) -> QtCore.QRectF:
    """Where the labels' glyphs are, with a pixel to spare: each placed as ``drawText(rect, flags)`` places it.

    pyqtgraph's label rectangles are 0.8 of a line high and drawn unclipped, so they are not where the
    ink is; the glyphs' own tight rectangles are.
    """
    align = QtCore.Qt.AlignmentFlag
    ink = QtCore.QRectF()
    for rect, flags, string in text_specs:
        tight = metrics.tightBoundingRect(string)
        advance = metrics.horizontalAdvance(string)
        if flags & align.AlignRight:
            x = rect.right() - advance
        elif flags & align.AlignHCenter:
            x = rect.left() + (rect.width() - advance) / 2
        else:
            x = rect.left()
        if flags & align.AlignBottom:
            top = rect.bottom() - metrics.height()
        elif flags & align.AlignVCenter:
            top = rect.top() + (rect.height() - metrics.height()) / 2
        else:
            top = rect.top()
        ink |= tight.translated(x, top + metrics.ascent())
    return ink.adjusted(-1, -1, 1, 1) if not ink.isNull() else ink  # no labels: nothing to expose


def _paint(self, p, opt, widget) -> None:
    if _moved_out(self) is not None and self.picture is not None and not _labels_exposed(self, p):
        # only the edge next to the plot is repainted (the plot's area, widened for antialiasing,
        # reaches over it): the axis line is all there is to draw there, not the labels' picture
        pen, p1, p2 = self._actviz_line
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        p.setPen(pen)
        p.drawLine(p1, p2)
        return
    _original["paint"](self, p, opt, widget)


def _labels_exposed(axis: pg.AxisItem, p: QtGui.QPainter) -> bool:
    """Whether the region being repainted reaches ``axis``'s tick labels (True when it cannot be told)."""
    text = axis.__dict__.get("_actviz_text")
    engine = p.paintEngine()
    if text is None or engine is None:
        return True
    region = engine.systemClip()  # the paint event's region, in device pixels
    if region.isEmpty():  # painting to a picture, an export, …: no region to go by
        return True
    return region.intersects(p.deviceTransform().mapRect(text).toAlignedRect())


def _set_grid(self, grid) -> None:
    item = self.__dict__.get("_actviz_grid_item")
    if item is not None:
        self.prepareGeometryChange()  # the bounding rectangle follows the grid
    _original["setGrid"](self, grid)
    if item is not None:
        item.update()


def install() -> None:
    """Teach pyqtgraph's AxisItem to leave a moved grid to its GridItem (once; axes without one are unchanged)."""
    if _original:
        return
    for name, method in (("boundingRect", _bounding_rect), ("generateDrawSpecs", _generate_draw_specs),
                         ("setGrid", _set_grid), ("paint", _paint)):
        _original[name] = getattr(_AxisItem, name)
        setattr(_AxisItem, name, method)


def follow(axis: pg.AxisItem) -> None:
    """Draw ``axis``'s grid in its ViewBox's grid item while it has one; give it back when it has none."""
    install()
    item = axis.__dict__.get("_actviz_grid_item")
    box = axis.linkedView()
    if axis.grid is False or box is None or box.parentItem() is None:
        if item is not None:
            axis.prepareGeometryChange()
            axis._actviz_grid_item = None
            item.forget(axis)
            axis.picture = None
            axis.update()
        return
    if item is not None and item.box is box:
        return
    if item is not None:  # linked to another view since
        item.forget(axis)
    grid = box.__dict__.get("_actviz_grid_item")
    if grid is None:
        grid = box._actviz_grid_item = GridItem(box)
    axis.prepareGeometryChange()
    axis._actviz_grid_item = grid
    grid.axes.append(axis)
    axis.picture = None
    axis.update()
    grid.update()


def settle(axis: pg.AxisItem) -> None:
    """Before a frame's paint: rebuild ``axis``'s stale picture and repaint its grid if the lines moved.

    The axis's picture would be built in its paint anyway; built here, a grid line that moves is
    repainted in the same paint, not in a second one.
    """
    item = _moved_out(axis)
    if item is None or axis.picture is not None or not axis.isVisible():
        return
    build_picture(axis)
    if item.stale(axis):
        item.update()

"""A plot's grid is drawn by a grid item under its ViewBox, not by its axes (actviz.gui.grid)."""

from __future__ import annotations

import numpy as np
import pytest


def _make(qtbot, width: int = 500, height: int = 400):
    """A themed view-like widget: one plot with a grid and a curve, shown and settled."""
    import pyqtgraph as pg
    from PySide6 import QtWidgets

    from actviz.gui.theme import apply_plot_theme
    from actviz.gui.viewbase import settle_plots

    apply_plot_theme(QtWidgets.QApplication.instance())
    widget = QtWidgets.QWidget()
    qtbot.addWidget(widget)
    layout = QtWidgets.QVBoxLayout(widget)
    graphics = pg.GraphicsLayoutWidget()
    layout.addWidget(graphics)
    plot = graphics.addPlot()
    plot.showGrid(x=True, y=True, alpha=0.25)
    plot.setXRange(-5, 5, padding=0)
    plot.setYRange(-1, 1, padding=0)
    x = np.linspace(-5, 5, 200)
    curve = plot.plot(x, np.sin(x), pen=pg.mkPen("#0072b2", width=2))
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    settle_plots(widget)
    qtbot.wait(20)
    return widget, graphics, plot, curve


@pytest.fixture
def plot_widget(qtbot):
    return _make(qtbot)


def _grid_item(plot):
    from actviz.gui.grid import GridItem

    items = [i for i in plot.childItems() if isinstance(i, GridItem)]
    assert len(items) == 1
    return items[0]


def _image(widget) -> np.ndarray:
    from PySide6 import QtGui

    image = widget.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    bits = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return bits[:, : image.width() * 4].reshape(image.height(), image.width(), 4)[..., :3].astype(int)


def _tick_positions(axis) -> list[float]:
    """Where ``axis``'s ticks of the grid's levels are, along it, in scene coordinates."""
    rect = axis.sceneBoundingRect()
    levels = axis.tickValues(axis.range[0], axis.range[1], rect.height() + 2 if axis.orientation == "left"
                             else rect.width() + 2)[: axis.style["maxTickLevel"] + 1]
    box = axis.linkedView()
    points = []
    for _spacing, values in levels:
        for v in values:
            lo, hi = sorted(axis.range)
            if lo <= v <= hi:
                p = box.mapViewToScene(pg_point(v, 0) if axis.orientation == "bottom" else pg_point(0, v))
                points.append(p.x() if axis.orientation == "bottom" else p.y())
    return sorted(points)


def pg_point(x: float, y: float):
    from PySide6 import QtCore

    return QtCore.QPointF(x, y)


def _line_positions(plot, orientation: str) -> list[float]:
    item = _grid_item(plot)
    axis = plot.getAxis(orientation)
    lines = [line for _pen, group in item.lines(axis) for line in group]
    scene = [item.mapToScene(line.p1()) for line in lines]
    return sorted(p.x() if orientation == "bottom" else p.y() for p in scene)


def test_grid_lines_sit_at_the_axis_ticks_and_the_axis_shrinks_to_its_strip(plot_widget) -> None:
    _widget, _graphics, plot, _curve = plot_widget
    box = plot.getViewBox()
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        assert axis.grid == 63  # views still read and set the axis's grid
        lines = _line_positions(plot, side)
        assert lines, side
        assert lines == pytest.approx(_tick_positions(axis), abs=1e-6)
        # the axis's rectangle no longer covers the plot: a curve's new data does not repaint it
        rect = axis.sceneBoundingRect()
        assert not rect.intersects(box.sceneBoundingRect().adjusted(1, 1, -1, -1))
    item = _grid_item(plot)
    assert item.zValue() < box.zValue()  # under the ViewBox: under its curves, as the axes' grid was
    pens = {pen.color().name() for axis in (plot.getAxis("left"), plot.getAxis("bottom"))
            for pen, _lines in item.lines(axis)}
    assert pens == {plot.getAxis("left").tickPen().color().name()}  # the opaque mixed colour


def test_new_curve_data_repaints_the_grid_but_not_the_axes(plot_widget, qtbot, monkeypatch) -> None:
    import pyqtgraph as pg

    from actviz.gui import grid
    from actviz.gui.viewbase import settle_plots

    widget, _graphics, plot, curve = plot_widget
    x = np.linspace(-5, 5, 200)
    curve.setData(x, np.cos(x))  # a first frame: the window's first full repaint is behind it
    settle_plots(widget)
    qtbot.wait(20)
    plays, grids = [], []
    real = grid._original["paint"]
    monkeypatch.setitem(grid._original, "paint", lambda axis, *a: plays.append(axis) or real(axis, *a))
    lines = grid.GridItem.lines  # called by the grid item's paint, per axis
    monkeypatch.setattr(grid.GridItem, "lines", lambda item, axis: grids.append(axis) or lines(item, axis))
    for i in range(5):
        curve.setData(x, np.sin(x + 0.3 * i) * 0.9)
        settle_plots(widget)
        qtbot.wait(10)
    assert len(grids) >= 2 * 5  # the grid under the curve is repainted with it …
    assert plays == []  # … the axes' pictures (labels) are not replayed
    # a new range moves the ticks: the axis repaints, the grid follows in the same frame
    plot.setYRange(-2, 2, padding=0)
    settle_plots(widget)
    qtbot.wait(20)
    assert plot.getAxis("left") in plays
    assert _line_positions(plot, "left") == pytest.approx(_tick_positions(plot.getAxis("left")), abs=1e-6)
    assert isinstance(plot.getAxis("left"), pg.AxisItem)


def test_the_picture_is_the_one_the_axes_drew(qtbot, monkeypatch) -> None:
    """Same pixels as the axes' own grid in the same opaque colour, but where a line ends on the plot's edge."""
    from actviz.gui import grid

    widget, _graphics, plot, _curve = _make(qtbot)
    moved = _image(widget)
    monkeypatch.setattr(grid, "follow", lambda axis: None)  # the grid left in the axes, as before
    old_widget, _graphics, old_plot, _curve = _make(qtbot)
    assert grid._moved_out(old_plot.getAxis("left")) is None and old_plot.getAxis("left").grid == 63
    drawn_by_axes = _image(old_widget)
    differ = np.abs(moved - drawn_by_axes).max(axis=2) > 0
    box = plot.getViewBox().sceneBoundingRect()
    top, bottom, left, right = int(box.top()), int(box.bottom()), int(box.left()), int(box.right())
    assert differ[top + 2: bottom - 1, left + 2: right - 1].sum() == 0  # inside the plot: identical
    assert differ[:, : left - 2].sum() == 0 and differ[bottom + 2:, :].sum() == 0  # labels: identical
    assert differ.sum() <= 20  # a few line ends on the plot's border at most


def test_show_grid_false_removes_the_lines_and_true_brings_them_back(plot_widget, qtbot) -> None:
    from actviz.gui import grid
    from actviz.gui.viewbase import settle_plots

    widget, _graphics, plot, _curve = plot_widget
    with_grid = _image(widget)
    plot.showGrid(x=False, y=False)
    qtbot.wait(10)  # before any frame settles: the lines go at once
    item = _grid_item(plot)
    assert all(axis.grid is False for axis in item.axes)
    left = plot.getAxis("left")
    grey = np.array(left.tickPen().color().getRgb()[:3])

    def grey_pixels(image: np.ndarray) -> int:
        return int((np.abs(image - grey).max(axis=2) == 0).sum())

    assert grey_pixels(_image(widget)) < grey_pixels(with_grid) / 3  # tick marks, no lines
    settle_plots(widget)
    qtbot.wait(10)
    assert item.axes == [] and grid._moved_out(left) is None
    assert left.boundingRect() == grid._original["boundingRect"](left)  # pyqtgraph's own again
    plot.showGrid(x=True, y=True, alpha=0.25)
    settle_plots(widget)
    qtbot.wait(10)
    assert np.array_equal(_image(widget), with_grid)


def test_log_axis_lines_follow_the_axis_own_tick_values(plot_widget, qtbot) -> None:
    """The depth view patches its log axis's tick values: the grid shows exactly those."""
    from actviz.gui.viewbase import settle_plots

    widget, _graphics, plot, curve = plot_widget
    plot.setLogMode(y=True)
    left = plot.getAxis("left")
    asked = []
    original = left.logTickValues

    def decades_only(min_val, max_val, size, std_ticks):
        asked.append(1)
        return [(s, v) for s, v in original(min_val, max_val, size, std_ticks) if s is not None]

    left.logTickValues = decades_only
    curve.setData(np.arange(1, 20), 10.0 ** np.linspace(-8, 8, 19))
    plot.setYRange(-9, 9, padding=0)
    settle_plots(widget)
    qtbot.wait(20)
    assert asked
    lines = _line_positions(plot, "left")
    assert lines == pytest.approx(_tick_positions(left), abs=1e-6)
    box = plot.getViewBox()
    values = [box.mapSceneToView(pg_point(0, y)).y() for y in lines]
    assert values == pytest.approx(np.round(values), abs=1e-6)  # decades only: no 2…9 × 10ⁿ minors


def test_labels_ink_bounds_every_label_pixel(plot_widget) -> None:
    """A repaint that stays off the labels' ink draws only the axis line: that ink must hold every label pixel."""
    from PySide6 import QtGui

    from actviz.gui import grid

    _widget, _graphics, plot, _curve = plot_widget
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        assert grid._moved_out(axis) is not None
        frame = axis.mapRectFromParent(axis.geometry()).adjusted(-20, -20, 20, 20)
        images = []
        for with_text in (True, False):
            image = QtGui.QImage(int(frame.width()) + 1, int(frame.height()) + 1, QtGui.QImage.Format.Format_RGB32)
            image.fill(0xFFFFFF)
            painter = QtGui.QPainter(image)
            painter.translate(-frame.left() + 0.5, -frame.top() + 0.5)
            line, ticks, texts = axis.generateDrawSpecs(painter)
            assert ticks == []  # the axis draws no grid of its own
            axis.drawPicture(painter, line, ticks, texts if with_text else [])
            painter.end()
            bits = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
            images.append(bits[:, : image.width() * 4].astype(int))
        ys, xs = np.nonzero(images[0] != images[1])
        xs = xs // 4
        assert len(ys) > 0
        ink = axis._actviz_text
        px, py = xs + frame.left() - 0.5, ys + frame.top() - 0.5
        assert px.min() >= ink.left() and px.max() + 1 <= ink.right()
        assert py.min() >= ink.top() and py.max() + 1 <= ink.bottom()


def test_png_export_shows_the_grid(plot_widget, tmp_path) -> None:
    from PySide6 import QtGui

    from actviz.gui.export import write_png

    _widget, graphics, plot, _curve = plot_widget
    path = tmp_path / "grid.png"
    write_png(graphics.ci, str(path))
    image = QtGui.QImage(str(path)).convertToFormat(QtGui.QImage.Format.Format_RGB32)
    grey = plot.getAxis("left").tickPen().color().rgb()
    box = plot.getViewBox().sceneBoundingRect().translated(-graphics.ci.sceneBoundingRect().topLeft())
    row = int(box.center().y())
    inside = [image.pixel(x, y) for y in range(int(box.top()) + 2, int(box.bottom()) - 2)
              for x in (int(box.left()) + 3,)] + [image.pixel(x, row) for x in range(int(box.left()) + 2,
                                                                                  int(box.right()) - 2)]
    assert inside.count(grey) >= 10  # vertical and horizontal grid lines cross the plot


def test_an_axis_renders_its_label_once_as_it_is_made_and_shows_no_si_prefix(qtbot):
    """The theme's axis: pyqtgraph's setters no longer re-render the label's HTML one after another."""
    import pyqtgraph as pg
    from PySide6 import QtWidgets

    from actviz.gui.theme import apply_plot_theme

    apply_plot_theme(QtWidgets.QApplication.instance())
    rendered = []
    original = QtWidgets.QGraphicsTextItem.setHtml
    QtWidgets.QGraphicsTextItem.setHtml = lambda self, html: (rendered.append(html), original(self, html))[1]
    try:
        axis = pg.AxisItem("bottom", text="z", units="s")
    finally:
        QtWidgets.QGraphicsTextItem.setHtml = original
    assert len(rendered) == 1 and "z (s)" in rendered[0]
    assert axis.autoSIPrefix is False
    axis.setRange(0.0, 1e-6)  # no SI prefix: the label keeps its units, the ticks their numbers
    assert "z (s)" in axis.labelString() and axis.autoSIPrefixScale == 1.0

"""The true floor: bare pyqtgraph drawing exactly what a view draws in a frame, nothing more.

:func:`capture` reads, from a view's visible graphics views, every plot and
its data items (curves with their points, pens and symbols, scatters, fills,
bars, images, infinite lines such as a moving marker or a zero line) as drawn
after two frames of a drag (the two alternating control values).
:class:`Floor` rebuilds them in one bare ``pg.GraphicsLayoutWidget`` per
graphics view, of the same size, each plot at the same place and size, with
the x and y ranges set by hand (no auto-range), no grid, no legend, labels or
decorations, and replays the two frames: one ``setData`` (``setPos`` for a
line) per item whose data changed, then one paint. Whatever a view
costs above this is its own overhead (auto-ranging, ticks, grids, second
paints, Python around ``setData``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: opts of a PlotDataItem that decide how it is drawn (copied to the floor's curve)
CURVE_OPTS = ("pen", "shadowPen", "fillLevel", "fillBrush", "symbol", "symbolSize", "symbolBrush", "symbolPen",
              "connect", "stepMode", "antialias", "pxMode")


@dataclass
class ItemShape:
    """One data item of one plot: its kind, how it is drawn, and its data in frames A and B."""

    kind: str                       #: "curve", "pcurve", "scatter", "bars", "image", "fill", "line"
    opts: dict[str, Any]
    frames: list[dict[str, Any]] = field(default_factory=list)
    source: Any = None              #: the view's item (to map fills onto curves)
    z: float = 0.0

    def changed(self) -> bool:
        a, b = self.frames[0], self.frames[-1]
        return any(not _same(a[k], b.get(k)) for k in a)

    def points(self) -> int:
        x = self.frames[-1].get("x")
        if x is not None:
            return int(np.size(x))
        image = self.frames[-1].get("image")
        return int(np.size(image)) if image is not None else 0


@dataclass
class PlotShape:
    rect: tuple[float, float, float, float]   #: the PlotItem's geometry in scene coordinates
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    log: tuple[bool, bool]
    items: list[ItemShape] = field(default_factory=list)


@dataclass
class ViewShape:
    """Every graphics view of a view that repaints in a frame: size, place and plots."""

    geometry: tuple[int, int, int, int]        #: x, y, width, height relative to the view
    plots: list[PlotShape] = field(default_factory=list)

    def summary(self) -> dict:
        items = [i for p in self.plots for i in p.items]
        return {"size": list(self.geometry[2:]), "plots": len(self.plots), "items": len(items),
                "changed": sum(i.changed() for i in items), "points": sum(i.points() for i in items)}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
        except (TypeError, ValueError):
            return False
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


def _copy(value: Any) -> Any:
    return np.array(value, copy=True) if isinstance(value, np.ndarray) else value


def _snapshot(item: Any) -> ItemShape | None:
    import pyqtgraph as pg

    if not item.isVisible():
        return None
    z = item.zValue()
    if isinstance(item, pg.PlotDataItem):
        if item.xData is None or item.yData is None:
            return None  # an empty curve: nothing drawn
        opts = {k: item.opts[k] for k in CURVE_OPTS if k in item.opts}
        return ItemShape("curve", opts, [{"x": _copy(item.xData), "y": _copy(item.yData)}], item, z)
    if isinstance(item, pg.PlotCurveItem):
        if item.xData is None or item.yData is None:
            return None
        opts = {k: item.opts[k] for k in ("pen", "brush", "fillLevel", "connect", "antialias") if k in item.opts}
        return ItemShape("pcurve", opts, [{"x": _copy(item.xData), "y": _copy(item.yData)}], item, z)
    if isinstance(item, pg.ScatterPlotItem):
        d = item.data
        frame = {"x": d["x"].copy(), "y": d["y"].copy(), "size": d["size"].copy(), "brush": list(d["brush"]),
                 "pen": list(d["pen"]), "symbol": list(d["symbol"])}
        return ItemShape("scatter", {"pxMode": item.opts.get("pxMode", True)}, [frame], item, z)
    if isinstance(item, pg.BarGraphItem):
        frame = {k: _copy(v) for k, v in item.opts.items()}
        return ItemShape("bars", {}, [frame], item, z)
    if isinstance(item, pg.ImageItem):
        if item.image is None:
            return None
        frame = {"image": item.image.copy(), "levels": _copy(item.levels), "lut": _copy(item.lut),
                 "transform": item.transform()}
        return ItemShape("image", {}, [frame], item, z)
    if isinstance(item, pg.FillBetweenItem):
        return ItemShape("fill", {"brush": item.brush(), "curves": item.curves}, [{}], item, z)
    if isinstance(item, pg.InfiniteLine):
        return ItemShape("line", {"angle": item.angle, "pen": pg.mkPen(item.pen)}, [{"pos": item.value()}], item, z)
    return None


def _plots_of(gv) -> list:
    import pyqtgraph as pg

    plots = [item for item in gv.scene().items() if isinstance(item, pg.PlotItem) and item.isVisible()]
    return sorted(plots, key=lambda p: (round(p.sceneBoundingRect().y()), round(p.sceneBoundingRect().x())))


def _data_items(plot) -> list:
    """A plot's items in its data area, as added; those added with ``ignoreBounds`` (marker lines) after."""
    added = list(plot.vb.addedItems)
    return added + [it for it in plot.vb.childGroup.childItems() if it not in added]


def capture(view, perturb: Callable[[int], None], settle: Callable[[], None]) -> list[ViewShape]:
    """The plots and data items of ``view`` after ``perturb(0)`` and ``perturb(1)`` (frames A and B)."""
    from PySide6 import QtCore, QtWidgets

    gvs = [g for g in view.findChildren(QtWidgets.QGraphicsView) if g.isVisible()]
    shapes: list[ViewShape] = []
    frames: list[list[list[list[ItemShape | None]]]] = []
    for i in (0, 1):
        perturb(i)
        settle()
        per_gv = []
        for gv in gvs:
            per_gv.append([[_snapshot(it) for it in _data_items(plot)] for plot in _plots_of(gv)])
        frames.append(per_gv)
    for g, gv in enumerate(gvs):
        top_left = gv.mapTo(view, QtCore.QPoint(0, 0))
        shape = ViewShape((top_left.x(), top_left.y(), gv.width(), gv.height()))
        for p, plot in enumerate(_plots_of(gv)):
            r = plot.sceneBoundingRect()
            (x0, x1), (y0, y1) = plot.vb.viewRange()
            log = (bool(plot.ctrl.logXCheck.isChecked()), bool(plot.ctrl.logYCheck.isChecked()))
            ps = PlotShape((r.x(), r.y(), r.width(), r.height()), (x0, x1), (y0, y1), log)
            a_items, b_items = frames[0][g][p], frames[1][g][p]
            for a, b in zip(a_items, b_items, strict=False):
                if a is None or b is None:
                    continue
                a.frames.append(b.frames[0])
                ps.items.append(a)
            if ps.items:
                shape.plots.append(ps)
        if any(i.changed() for pl in shape.plots for i in pl.items):  # a graphics view the drag repaints
            shapes.append(shape)
    return shapes


class Floor:
    """The captured plots rebuilt in bare GraphicsLayoutWidgets, in one top-level window."""

    def __init__(self, shapes: list[ViewShape], size: tuple[int, int]) -> None:
        import pyqtgraph as pg
        from PySide6 import QtCore, QtWidgets

        self.window = QtWidgets.QWidget()
        self.window.resize(*size)
        self.widgets: list[Any] = []
        self.updates: list[tuple[ItemShape, Any]] = []
        for shape in shapes:
            win = pg.GraphicsLayoutWidget(self.window)
            x, y, w, h = shape.geometry
            win.setGeometry(x, y, w, h)
            self.widgets.append(win)
            for ps in shape.plots:
                plot = pg.PlotItem()
                win.scene().addItem(plot)
                plot.setGeometry(QtCore.QRectF(*ps.rect))
                plot.setLogMode(*ps.log)
                plot.disableAutoRange()
                plot.setXRange(*ps.x_range, padding=0)
                plot.setYRange(*ps.y_range, padding=0)
                plot.setMenuEnabled(False)
                made: dict[int, Any] = {}
                for item in ps.items:
                    new = self._make(plot, item, made)
                    if new is None:
                        continue
                    new.setZValue(item.z)
                    made[id(item.source)] = new
                    if item.changed() and item.kind != "fill":
                        self.updates.append((item, new))

    @staticmethod
    def _make(plot, item: ItemShape, made: dict[int, Any]):
        import pyqtgraph as pg

        first = item.frames[0]
        if item.kind == "curve":
            new = pg.PlotDataItem(first["x"], first["y"], **item.opts)
        elif item.kind == "pcurve":
            new = pg.PlotCurveItem(x=first["x"], y=first["y"], **item.opts)
        elif item.kind == "scatter":
            new = pg.ScatterPlotItem(**item.opts)
            new.setData(**first)
        elif item.kind == "bars":
            new = pg.BarGraphItem(**first)
        elif item.kind == "image":
            new = pg.ImageItem(first["image"], levels=first["levels"], lut=first["lut"])
            new.setTransform(first["transform"])
        elif item.kind == "line":
            new = pg.InfiniteLine(pos=first["pos"], angle=item.opts["angle"], pen=item.opts["pen"], movable=False)
            plot.addItem(new, ignoreBounds=True)
            return new
        elif item.kind == "fill":
            curves = [made.get(id(c)) for c in item.opts["curves"] or ()]
            if len(curves) != 2 or None in curves:
                return None
            new = pg.FillBetweenItem(curves[0], curves[1], brush=item.opts["brush"])
        else:
            return None
        plot.addItem(new)
        return new

    def perturb(self, i: int) -> None:
        """Frame A or B: one setData (setImage, setOpts) per item whose data changed."""
        k = i % 2
        for item, new in self.updates:
            data = item.frames[k]
            if item.kind in ("curve", "pcurve"):
                new.setData(data["x"], data["y"])
            elif item.kind == "scatter":
                new.setData(**data)
            elif item.kind == "bars":
                new.setOpts(**data)
            elif item.kind == "image":
                new.setImage(data["image"], levels=data["levels"], lut=data["lut"], autoLevels=False)
            elif item.kind == "line":
                new.setPos(data["pos"])

    def viewports(self) -> list[Any]:
        return [w.viewport() for w in self.widgets]

    def show(self) -> None:
        self.window.show()

    def close(self) -> None:
        self.window.close()
        self.window.deleteLater()

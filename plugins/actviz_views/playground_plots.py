"""The playground's plots: the network diagram, the output map with the points and its colour bar,
loss and mean |δ|.

Built once; the view hands them a data set and a network, and they ``setData`` what
:mod:`actviz_views.playground_maps` computes. Everything is one GraphicsLayout, so one paint per
frame draws it all and PNG/SVG export includes the diagram.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from actviz.gui import PALETTE, guard_plot, pen
from actviz.maths.contrast import readable
from actviz.maths.learning import MAX_HIDDEN_LAYERS, Dataset, PlaygroundNetwork
from actviz_views.playground_diagram import NetworkDiagram
from actviz_views.playground_maps import (
    GRID,
    LUT,
    OutputScale,
    class_colors,
    decade_ticks,
    epoch_axis_top,
    grid,
    output_picture,
    point_colors,
    thin,
)


class DecadeAxis(pg.AxisItem):
    """A log axis labelled at whole decades, never crammed (pyqtgraph labels 2…9 × 10ⁿ too)."""

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802, N803 - pyqtgraph's names
        return decade_ticks(minVal, maxVal, labels=max(3, int(size // 40)))


def _plain(plot: pg.PlotItem) -> pg.PlotItem:
    for side in ("left", "bottom"):
        plot.getAxis(side).enableAutoSIPrefix(False)
    return guard_plot(plot)


class PlaygroundPlots(pg.GraphicsLayoutWidget):
    """Every plot of the playground, themed with ``background`` / ``foreground``."""

    def __init__(self, background, foreground) -> None:
        super().__init__()
        self._layers_key: tuple | None = None
        self._history_key: tuple | None = None
        self._bar_key: tuple | None = None
        self._x_top = 0.0
        self.output_values = np.zeros((GRID, GRID))
        self.grid_x, self.grid_y = grid((-1.0, 1.0, -1.0, 1.0))
        self.map_rect = QtCore.QRectF(-1, -1, 2, 2)
        ci = self.ci
        ci.setContentsMargins(2, 2, 2, 2)
        top = ci.addLayout(row=0, col=0)
        self.top = top
        self.diagram = NetworkDiagram(background, foreground)
        top.addItem(self.diagram, row=0, col=0)
        self.diagram.setPreferredSize(900, 300)  # the centre of the view: it takes what the map leaves

        self.plot_map = _plain(top.addPlot(row=0, col=1))
        self.plot_map.setLabel("bottom", "x₁")
        self.plot_map.setLabel("left", "x₂")
        self.plot_map.setTitle("Output over the plane", size="9pt")
        self.plot_map.setAspectLocked(True)
        self.plot_map.setPreferredWidth(160)
        self.plot_map.setMinimumWidth(230)  # a data area of at least 160 px beside its axis; narrow windows scroll
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(LUT)
        self._lut_on = True
        self.plot_map.addItem(self.image)
        self.train_points = pg.ScatterPlotItem(symbol="o", size=7, pen=pg.mkPen("#ffffff", width=1), name="train")
        self.test_points = pg.ScatterPlotItem(symbol="s", size=7, pen=pg.mkPen("#000000", width=1.5), name="test")
        self.plot_map.addItem(self.train_points)
        self.plot_map.addItem(self.test_points)

        # the colour bar: the output's scale (or the classes), with the decision threshold marked
        bar = self.colorbar = _plain(top.addPlot(row=0, col=2))
        bar.hideAxis("left")
        bar.hideAxis("bottom")
        bar.showAxis("right")
        bar.setMouseEnabled(x=False, y=False)
        bar.hideButtons()
        bar.setMenuEnabled(False)
        bar.layout.setColumnFixedWidth(1, 14)  # the gradient; the axis beside it
        bar.getAxis("right").setWidth(44)  # room for "-0.5" beside the gradient
        bar.setMinimumWidth(64)
        bar.setMaximumWidth(70)
        bar.setTitle("y", size="9pt")
        bar.setProperty("actviz_thumbnail", True)  # a colour scale, not a plot of data: narrow by design
        self.bar_image = pg.ImageItem(axisOrder="row-major")
        bar.addItem(self.bar_image)
        self.bar_threshold = pg.InfiniteLine(angle=0, movable=False, pen=pg.mkPen(foreground, width=2,
                                                                                  style=QtCore.Qt.PenStyle.DashLine))
        bar.addItem(self.bar_threshold)
        top.setContentsMargins(0, 0, 0, 0)
        top.layout.setHorizontalSpacing(14)  # the map's last tick label clear of the colour bar

        bottom = self.bottom = ci.addLayout(row=1, col=0)
        self.narrow = False
        self.plot_loss = _plain(bottom.addPlot(row=0, col=0))
        self._background = QtGui.QColor(background).name()
        self.plot_loss.setTitle(f"Loss per epoch: <b style='color: {self.ink(0)}'>train</b> "
                                f"<b style='color: {self.ink(1)}'>test</b>", size="9pt")  # the title is the legend
        self.plot_loss.setLabel("bottom", "epoch")
        self.plot_loss.setLabel("left", "mean loss")
        self.plot_loss.showGrid(x=True, y=True, alpha=0.25)
        self.curve_train = self.plot_loss.plot(pen=pen(0), name="train")
        self.curve_test = self.plot_loss.plot(pen=pen(1), name="test")

        self.plot_delta = _plain(bottom.addPlot(row=0, col=1, axisItems={"left": DecadeAxis("left")}))
        self.plot_delta.setTitle("Mean |δ| per layer", size="9pt")
        for plot in (self.plot_loss, self.plot_delta):
            plot.setMinimumHeight(190)  # ≥ 120 px of data under the title and above the axis; short windows scroll
        self.plot_delta.setLabel("bottom", "epoch")
        self.plot_delta.setLabel("left", "mean |δ|")
        self.plot_delta.setLogMode(y=True)
        self.plot_delta.showGrid(x=True, y=False, alpha=0.25)
        self.delta_curves = [self.plot_delta.plot(pen=pen(i + 2, 1.5)) for i in range(MAX_HIDDEN_LAYERS + 1)]
        for plot in (self.plot_loss, self.plot_delta):
            plot.enableAutoRange(x=False)  # set in steps: a moving axis re-renders every frame
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.layout.setColumnStretchFactor(0, 1)
        bottom.layout.setColumnStretchFactor(1, 1)
        ci.layout.setVerticalSpacing(8)
        ci.layout.setRowStretchFactor(0, 4)
        ci.layout.setRowStretchFactor(1, 2)


    def ink(self, index: int) -> str:
        """Palette colour ``index`` for text: the curve's hue, dark or light enough to read on the plots."""
        return readable(PALETTE[index % len(PALETTE)], self._background)

    def set_narrow(self, narrow: bool) -> None:
        """Narrow windows stack the picture: the network, then the output map, then the two plots.

        Side by side, a 1024-px window left the map 87 px wide and the plots 51 px tall; stacked, every
        plot keeps its size and the page scrolls down, never sideways.
        """
        if narrow == self.narrow:
            return
        self.narrow = narrow
        ci = self.ci
        for item in (self.plot_map, self.colorbar):
            (self.middle if not narrow else self.top).removeItem(item)
            item.setMinimumHeight(270 if narrow else 0)  # a data area of ≥ 120 px under the title, square
        self.bottom.removeItem(self.plot_delta)  # narrow: loss above |δ|; wide: side by side
        self.bottom.addItem(self.plot_delta, row=1 if narrow else 0, col=0 if narrow else 1)
        if narrow:
            ci.removeItem(self.bottom)
            self.middle = ci.addLayout(row=1, col=0)
            self.middle.setContentsMargins(0, 0, 0, 0)
            self.middle.addItem(self.plot_map, row=0, col=0)
            self.middle.addItem(self.colorbar, row=0, col=1)
            ci.addItem(self.bottom, row=2, col=0)
        else:
            ci.removeItem(self.bottom)
            ci.removeItem(self.middle)
            self.top.addItem(self.plot_map, row=0, col=1)
            self.top.addItem(self.colorbar, row=0, col=2)
            ci.addItem(self.bottom, row=1, col=0)
    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        # a narrow window gives the diagram two thirds of the top row; a wide one three fifths
        top = getattr(self, "top", None)
        if top is not None:  # (pyqtgraph resizes once while it is built)
            # the map about as wide as it is tall, at most a third of the width; the diagram the rest
            w, h = self.width(), self.height()
            self.plot_map.setPreferredWidth(max(150.0, min(0.36 * w, 0.62 * h)))
            title = "Output over the plane" if w >= 800 else "Output"
            if self.plot_map.titleLabel.text != title:
                self.plot_map.setTitle(title, size="9pt")
        super().resizeEvent(event)

    def draw_points(self, d: Dataset) -> None:
        bounds = d.bounds(0.05)
        self.grid_x, self.grid_y = grid(bounds)
        x1lo, x1hi, x2lo, x2hi = bounds
        self.map_rect = QtCore.QRectF(x1lo, x2lo, x1hi - x1lo, x2hi - x2lo)  # given with every setImage
        for item, x, y in ((self.train_points, d.x_train, d.y_train), (self.test_points, d.x_test, d.y_test)):
            rgb = point_colors(d.kind, d.n_classes, d.y, y)
            cache: dict[tuple, object] = {}
            brushes = [cache.setdefault(tuple(c), pg.mkBrush(*map(int, c))) for c in rgb]
            item.setData(x[:, 0], x[:, 1], brush=brushes)
        self.plot_map.setRange(xRange=(x1lo, x1hi), yRange=(x2lo, x2hi), padding=0)

    def show_test(self, on: bool) -> None:
        self.test_points.setVisible(on)

    def arrange(self, net: PlaygroundNetwork | None, feature_labels: tuple[str, ...], class_labels: tuple) -> None:
        """The diagram's columns and one δ curve per layer, for this network's shape."""
        sizes = net.sizes if net is not None else ()
        outputs = tuple(str(c) for c in class_labels) if net is not None and net.multiclass else ("y",)
        self.diagram.set_structure(sizes, feature_labels, outputs)
        hidden = net.hidden if net is not None else ()
        if hidden == self._layers_key:
            return
        self._layers_key = hidden
        names = self.layer_names(hidden)
        for i, curve in enumerate(self.delta_curves):
            curve.setVisible(i < len(names))
            if i >= len(names):
                curve.setData([], [])
        # the legend is the title, each layer in its curve's colour: off the data, and no room taken
        self.delta_title = "|δ| of layer " + " ".join(
            f"<b style='color: {self.ink(i + 2)}'>{name}</b>"
            for i, name in enumerate(self.short_names(hidden)))
        self.plot_delta.setTitle(self.delta_title, size="9pt")

    @staticmethod
    def layer_names(hidden: tuple[int, ...]) -> list[str]:
        return [f"layer {i + 1}" for i in range(len(hidden))] + ["output"]

    @staticmethod
    def short_names(hidden: tuple[int, ...]) -> list[str]:
        return [f"{i + 1}" for i in range(len(hidden))] + ["out"]

    def forget_history(self) -> None:
        self._history_key = None

    def draw_output(self, net: PlaygroundNetwork, out: np.ndarray, scale: OutputScale, discrete: bool = False
                    ) -> None:
        image, levels, self.output_values = output_picture(net, out, scale, discrete)
        if levels is None:
            self._lut_on = False
            self.image.setImage(image, levels=(0, 255), lut=None, autoLevels=False, rect=self.map_rect)
        else:
            if not self._lut_on:
                self._lut_on = True
                self.image.setLookupTable(LUT)
            self.image.setImage(image, levels=levels, autoLevels=False, rect=self.map_rect)
        self.draw_colorbar(scale, net.dataset.class_labels)

    def draw_colorbar(self, scale: OutputScale, class_labels: tuple) -> None:
        """The output's colour scale with the decision threshold, or one block per class."""
        key = (scale, tuple(class_labels))
        if key == self._bar_key:
            return
        self._bar_key = key
        axis = self.colorbar.getAxis("right")
        if scale.kind == "classes":
            k = int(round(scale.hi - scale.lo))
            rgb = class_colors(k).astype(np.ubyte).reshape(k, 1, 3)
            self.bar_image.setImage(rgb, levels=(0, 255), lut=None, autoLevels=False,
                                    rect=QtCore.QRectF(0, -0.5, 1, k))
            labels = [str(class_labels[c]) if c < len(class_labels) else str(c) for c in range(k)]
            axis.setTicks([[(float(c), labels[c]) for c in range(k)]])
            self.colorbar.setTitle("class", size="9pt")
            self.bar_threshold.hide()
        else:
            values = np.linspace(scale.lo, scale.hi, 256).reshape(256, 1)
            self.bar_image.setImage(values, levels=(scale.lo, scale.hi), lut=LUT, autoLevels=False,
                                    rect=QtCore.QRectF(0, scale.lo, 1, scale.hi - scale.lo))
            axis.setTicks(None)
            self.colorbar.setTitle("y", size="9pt")
            if scale.threshold is not None:
                self.bar_threshold.setValue(scale.threshold)
                self.bar_threshold.show()
            else:
                self.bar_threshold.hide()
        self.colorbar.setXRange(0, 1, padding=0)
        self.colorbar.setYRange(scale.lo, scale.hi, padding=0)

    def draw_history(self, net: PlaygroundNetwork) -> None:
        h = net.history
        if self._history_key is not None and self._history_key[0] is h and self._history_key[1] == len(h.epochs):
            return  # no epoch completed since the last frame
        self._history_key = (h, len(h.epochs))
        top = epoch_axis_top(h.epochs[-1] if h.epochs else 0.0)
        if top != self._x_top:
            self._x_top = top
            for plot in (self.plot_loss, self.plot_delta):
                plot.setXRange(0.0, top, padding=0.02)
        idx = thin(len(h.epochs))
        epochs = np.asarray(h.epochs, float)[idx]
        for curve, values in ((self.curve_train, h.train_loss), (self.curve_test, h.test_loss)):
            ys = np.asarray(values, float)[idx]
            curve.setData(epochs, np.where(np.isfinite(ys), ys, np.nan), connect="finite")
        layers = len(net.weights)
        deltas = np.array([np.asarray(h.mean_abs_delta[i], float) for i in idx]).reshape(len(idx), layers)
        # epoch 0 has no δ yet (0): log axis, so leave it out
        deltas = np.where(np.isfinite(deltas) & (deltas > 0), deltas, np.nan)
        for i in range(layers):
            self.delta_curves[i].setData(epochs, deltas[:, i], connect="finite")


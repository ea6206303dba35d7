"""The playground's plots: output map with the points, one small map per hidden neuron, loss and mean |δ|.

Built once; the view hands them a data set and a network, and they ``setData`` what
:mod:`actviz_views.playground_maps` computes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from actviz.gui import guard_plot, pen
from actviz.maths.learning import MAX_HIDDEN_LAYERS, MAX_NEURONS, Dataset, PlaygroundNetwork
from actviz_views.playground_maps import (
    GRID,
    LUT,
    decade_ticks,
    epoch_axis_top,
    grid,
    neuron_levels,
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
        self._neuron_layout_key: tuple | None = None
        self._history_key: tuple | None = None
        self._x_top = 0.0
        self.output_values = np.zeros((GRID, GRID))
        self.grid_x, self.grid_y = grid((-1.0, 1.0, -1.0, 1.0))
        self.map_rect = QtCore.QRectF(-1, -1, 2, 2)
        ci = self.ci
        self.plot_map = _plain(ci.addPlot(row=0, col=0))
        self.plot_map.setLabel("bottom", "x₁")
        self.plot_map.setLabel("left", "x₂")
        self.plot_map.setTitle("Output over the plane")
        self.plot_map.setAspectLocked(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(LUT)
        self._lut_on = True
        self.plot_map.addItem(self.image)
        self.plot_map.addLegend(offset=(-5, 5), labelTextSize="8pt", brush=pg.mkBrush(background))
        self.train_points = pg.ScatterPlotItem(symbol="o", size=7, pen=pg.mkPen("#ffffff", width=1), name="train")
        self.test_points = pg.ScatterPlotItem(symbol="s", size=7, pen=pg.mkPen("#000000", width=1.5), name="test")
        self.plot_map.addItem(self.train_points)
        self.plot_map.addItem(self.test_points)

        self.neuron_layout = ci.addLayout(row=0, col=1)
        self.neuron_title = self.neuron_layout.addLabel("Hidden neurons", row=0, col=0, size="9pt")
        self.neuron_boxes: list[list[pg.ViewBox]] = []
        self.neuron_images: list[list[pg.ImageItem]] = []
        for _ in range(MAX_HIDDEN_LAYERS):
            boxes, images = [], []
            for _ in range(MAX_NEURONS):
                vb = pg.ViewBox(enableMouse=False, lockAspect=True)
                vb.setMenuEnabled(False)
                img = pg.ImageItem(axisOrder="row-major")
                img.setLookupTable(LUT)
                vb.addItem(img)
                vb.setMaximumSize(44, 44)
                vb.setMinimumSize(12, 12)
                boxes.append(vb)
                images.append(img)
            self.neuron_boxes.append(boxes)
            self.neuron_images.append(images)

        self.plot_loss = _plain(ci.addPlot(row=1, col=0))
        self.plot_loss.setTitle("Loss per epoch", size="9pt")
        self.plot_loss.setLabel("bottom", "epoch")
        self.plot_loss.setLabel("left", "mean loss")
        self.plot_loss.showGrid(x=True, y=True, alpha=0.25)
        self.plot_loss.addLegend(offset=(-5, 5), labelTextSize="8pt", brush=pg.mkBrush(background))
        self.curve_train = self.plot_loss.plot(pen=pen(0), name="train")
        self.curve_test = self.plot_loss.plot(pen=pen(1), name="test")

        delta_box = ci.addLayout(row=1, col=1)
        self.plot_delta = _plain(delta_box.addPlot(row=0, col=0, axisItems={"left": DecadeAxis("left")}))
        self.plot_delta.setTitle("Mean |δ| per layer", size="9pt")
        self.plot_delta.setLabel("bottom", "epoch")
        self.plot_delta.setLabel("left", "mean |δ|")
        self.plot_delta.setLogMode(y=True)
        self.plot_delta.showGrid(x=True, y=False, alpha=0.25)
        # below the plot, opaque: a legend inside the axes covered the curves
        self.delta_legend = pg.LegendItem(labelTextSize="8pt", colCount=4, brush=pg.mkBrush(background),
                                          pen=pg.mkPen(foreground, width=0.5))
        delta_box.addItem(self.delta_legend, row=1, col=0)
        self.delta_curves = [self.plot_delta.plot(pen=pen(i + 2, 1.5)) for i in range(MAX_HIDDEN_LAYERS + 1)]
        for plot in (self.plot_loss, self.plot_delta):
            plot.enableAutoRange(x=False)  # set in steps: a moving axis re-renders every frame
        ci.layout.setColumnStretchFactor(0, 3)
        ci.layout.setColumnStretchFactor(1, 2)
        ci.layout.setRowStretchFactor(0, 3)
        ci.layout.setRowStretchFactor(1, 2)

    def draw_points(self, d: Dataset) -> None:
        bounds = d.bounds(0.05)
        self.grid_x, self.grid_y = grid(bounds)
        x1lo, x1hi, x2lo, x2hi = bounds
        self.map_rect = QtCore.QRectF(x1lo, x2lo, x1hi - x1lo, x2hi - x2lo)  # given with every setImage
        for row in self.neuron_boxes:
            for vb in row:
                vb.setRange(self.map_rect, padding=0)
        for item, x, y in ((self.train_points, d.x_train, d.y_train), (self.test_points, d.x_test, d.y_test)):
            rgb = point_colors(d.kind, d.n_classes, d.y, y)
            cache: dict[tuple, object] = {}
            brushes = [cache.setdefault(tuple(c), pg.mkBrush(*map(int, c))) for c in rgb]
            item.setData(x[:, 0], x[:, 1], brush=brushes)
        self.plot_map.setRange(xRange=(x1lo, x1hi), yRange=(x2lo, x2hi), padding=0)

    def arrange_neurons(self, hidden: tuple[int, ...]) -> None:
        """One small map per hidden unit, a column per layer; one δ curve per layer."""
        if hidden == self._neuron_layout_key:
            return
        self._neuron_layout_key = hidden
        layout = self.neuron_layout
        for item in list(layout.items):
            if item is not self.neuron_title:
                layout.removeItem(item)
        self.neuron_title.setText("Hidden neurons" if hidden else "No hidden layer", size="9pt")
        for layer, width in enumerate(hidden):
            for unit in range(width):
                layout.addItem(self.neuron_boxes[layer][unit], row=unit + 1, col=layer)
        if hidden:
            layout.removeItem(self.neuron_title)
            layout.addItem(self.neuron_title, row=0, col=0, colspan=len(hidden))
        names = self.layer_names(hidden)
        self.delta_legend.clear()
        for i, curve in enumerate(self.delta_curves):
            curve.setVisible(i < len(names))
            if i < len(names):
                self.delta_legend.addItem(curve, names[i])
            else:
                curve.setData([], [])

    @staticmethod
    def layer_names(hidden: tuple[int, ...]) -> list[str]:
        return [f"layer {i + 1}" for i in range(len(hidden))] + ["output"]

    def forget_history(self) -> None:
        self._history_key = None

    def draw_output(self, net: PlaygroundNetwork, out: np.ndarray) -> None:
        image, levels, self.output_values = output_picture(net, out)
        if levels is None:
            self._lut_on = False
            self.image.setImage(image, levels=(0, 255), lut=None, autoLevels=False, rect=self.map_rect)
            return
        if not self._lut_on:
            self._lut_on = True
            self.image.setLookupTable(LUT)
        self.image.setImage(image, levels=levels, autoLevels=False, rect=self.map_rect)

    def draw_neurons(self, layers: list[np.ndarray]) -> None:
        for layer, maps in enumerate(layers):
            for unit, m in enumerate(maps):
                m, levels = neuron_levels(m)
                self.neuron_images[layer][unit].setImage(m, levels=levels, autoLevels=False, rect=self.map_rect)

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


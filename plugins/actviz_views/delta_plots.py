"""The output-δ view's stacked plots: y, ∂E/∂y, f′ and δ over z with one set of curves per pair, the legend row,
the confidently-wrong dots, and each plot's y range fitted to the pairs' bulk with an "off scale" note.

A mixin of :class:`~actviz_views.delta_view.DeltaView` (the view keeps the redraw that feeds it a frame).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from actviz.gui import PALETTE, guard_plot, hold_range, pen, themed_plot_colors, warning_color
from actviz_views import delta_text as text
from actviz_views.delta_model import Frame, robust_range
from actviz_views.delta_pairs import MAX_PAIRS
from actviz_views.wiring import KeyRow, add_key_row, set_curve

DASH = QtCore.Qt.PenStyle.DashLine


class _PairCurves:
    """The plot items of one drawn pair: y, ∂E/∂y, f′ and δ, and the dashed lecture shortcut on the δ plot.

    Each curve remembers the (z, values) arrays it shows: the model hands back the same objects for
    what a drag did not change (y and f′ while t moves), and curves whose values are unchanged are
    not set again.
    """

    def __init__(self, plots: list[pg.PlotItem], index: int) -> None:
        self.curves = [plot.plot(pen=pen(index, 2), connect="finite") for plot in plots]
        self.shortcut = plots[3].plot(pen=pen(index, 2, DASH), connect="finite")
        self.shown: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}

    def draw(self, k: int, z: np.ndarray, values: np.ndarray | None) -> bool:
        """Curve ``k`` (4 is the shortcut) shows ``values`` over ``z`` (None: nothing); returns whether it changed."""
        old = self.shown.get(k)
        if values is None:
            if old is None:
                return False
            self.shown[k] = None
            (self.shortcut if k == 4 else self.curves[k]).setData([], [])
            return True
        if old is not None and old[0] is z and (old[1] is values or np.array_equal(old[1], values, equal_nan=True)):
            return False
        self.shown[k] = (z, values)
        set_curve(self.shortcut if k == 4 else self.curves[k], z, values)
        return True

    def clear(self) -> None:
        for k in range(5):
            self.draw(k, np.zeros(0), None)


class DeltaPlots:
    """The plot stack's items, the wrong-point dots and the fitted y ranges."""

    def _build_plots(self) -> None:
        """The four x-linked plots with their off-scale notes, the legend row, the dots, each pair's curves."""
        self.layout_widget = pg.GraphicsLayoutWidget()
        self.plots: list[pg.PlotItem] = []
        self.offscale: list[pg.TextItem] = []
        for row, left in enumerate(text.PLOT_LABELS):
            plot = self.layout_widget.addPlot(row=row + 1, col=0)
            guard_plot(plot)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setLabel("left", left)
            for side in ("left", "bottom"):
                plot.getAxis(side).enableAutoSIPrefix(False)
            plot.getAxis("left").setWidth(78)  # room for "-1.5e+20" beside the rotated label
            plot.addItem(pg.InfiniteLine(0, angle=0, pen=pg.mkPen((128, 128, 128), width=1)), ignoreBounds=True)
            plot.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen((128, 128, 128), width=1)), ignoreBounds=True)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=True, y=False)  # y is fitted on every redraw
            plot.enableAutoRange(axis="x", enable=False)
            plot.enableAutoRange(axis="y", enable=False)
            if self.plots:
                plot.setXLink(self.plots[0])
            note = pg.TextItem("", color=self._note_color(), anchor=(1, 1), fill=self._note_fill())
            note.setFont(QtGui.QFont(note.textItem.font().family(), 8))
            note.setZValue(20)
            plot.addItem(note, ignoreBounds=True)
            self.offscale.append(note)
            self.plots.append(plot)
        self.plot_y, self.plot_grad, self.plot_slope, self.plot_delta = self.plots
        self.plot_delta.setLabel("bottom", "z (net input of the output unit)")
        # the legend gets its own row above the plots: it never hides a curve, and it is in every export
        self.legend = add_key_row(self.layout_widget.ci, KeyRow(2), row=0)
        self.markers = [pg.ScatterPlotItem(size=9, pen=pg.mkPen(pg.getConfigOption("foreground"), width=1))
                        for _ in self.plots]
        for plot, marker in zip(self.plots, self.markers, strict=True):
            plot.addItem(marker)
            marker.setZValue(10)
        self._brushes = [pg.mkBrush(c) for c in PALETTE]
        self.slots = [_PairCurves(self.plots, i) for i in range(MAX_PAIRS)]

    def _mark(self, frame: Frame) -> list[tuple]:
        """The confidently-wrong dots of each plot (set only where they moved); returns them per plot."""
        zmin, zmax = frame.z[0], frame.z[-1]
        out = []
        for k, marker in enumerate(self.markers):
            spots = tuple((pf.wrong.z, pf.wrong_values[k], pf.index) for pf in frame.pairs
                          if pf.out is not None and pf.wrong is not None and pf.wrong_values is not None
                          and zmin <= pf.wrong.z <= zmax and np.isfinite(pf.wrong_values[k]))
            out.append(spots)
            if getattr(marker, "_actviz_spots", None) == spots:
                continue
            marker._actviz_spots = spots
            if not spots:
                marker.setData([], [])
                continue
            xs, ys, colors = zip(*spots, strict=True)
            marker.setData(x=np.array(xs), y=np.array(ys),
                           brush=[self._brushes[c % len(self._brushes)] for c in colors])
        return out

    def _fit(self, frame: Frame, changed: list[bool] | None = None, marks: list[tuple] | None = None) -> None:
        """Each plot's y range from the pairs' bulk, held while a drag keeps it inside; far outliers named off scale.

        A plot whose curves and dots did not change keeps its range and note as they are.
        """
        zmax = frame.z[-1]
        fitted = getattr(self, "_fitted", {})
        self._fitted = fitted
        for k, (plot, note) in enumerate(zip(self.plots, self.offscale, strict=True)):
            key = (zmax, None if marks is None else marks[k])
            if changed is not None and not changed[k] and fitted.get(k) == key:
                continue
            fitted[k] = key
            series = [pf.series()[k] if pf.out is not None else None for pf in frame.pairs]
            dots = tuple(pf.wrong_values[k] for pf in frame.pairs
                         if pf.out is not None and pf.wrong_values is not None)
            fit = robust_range(series, dots, zero=k in (1, 3))
            if fit is None:
                self._note(note, "", plot)
                continue
            # the robust bounds (not the raw data): a steady axis that still leaves far outliers off scale
            hold_range(plot, np.array([fit.low, fit.high]), grow=True)  # a t drag mirrors the curves: one range
            low, high = plot.viewRange()[1]
            off = [(i, a, b) for i, a, b in fit.off if a < low or b > high]
            self._note(note, text.offscale(frame, k, off), plot)
            if note.pos() != QtCore.QPointF(zmax, low):
                note.setPos(zmax, low)  # bottom right, over the plot's least used corner

    @staticmethod
    def _note(note: pg.TextItem, words: str, plot: pg.PlotItem) -> None:
        room = 0.6 * plot.vb.width()
        if getattr(note, "_actviz_text", None) == (words, room):
            return
        note._actviz_text = (words, room)
        note.setText(words)
        note.setTextWidth(-1)
        if note.textItem.boundingRect().width() > room > 0:  # wrap rather than run into the axis
            note.setTextWidth(room)

    def _note_color(self) -> str:
        """The warning red, lighter on a dark plot so it keeps 4.5:1 contrast."""
        return warning_color(self.palette())

    def _note_fill(self) -> QtGui.QBrush:
        background = QtGui.QColor(themed_plot_colors(self)[0])
        background.setAlpha(200)
        return pg.mkBrush(background)

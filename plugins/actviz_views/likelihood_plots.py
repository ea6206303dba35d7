"""The likelihood view's plots, built once: E beside −ln p (1), the density p(t | y) (2), and the histogram with
Σ E above Σ ln p on the shared candidate-y axis (3), with their curves, bars, markers, vertical lines and
legends; and the title and axis-label setters that touch only what changed.

A mixin of :class:`~actviz_views.likelihood_view.LikelihoodView` (the view and its drawing feed the items data).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore

from actviz.gui import PALETTE, guard_plot, pen
from actviz_views.wiring import marker

DASH = QtCore.Qt.PenStyle.DashLine
DOT = QtCore.Qt.PenStyle.DotLine


def _shrinkable(label: pg.LabelItem) -> None:
    """Let a plot title be clipped rather than widen its column (LabelItem's minimum is its text width)."""

    def update_min() -> None:
        pg.LabelItem.updateMin(label)
        label.setMinimumWidth(0)
        label._sizeHint[QtCore.Qt.SizeHint.MinimumSize] = (0.0, label._sizeHint[QtCore.Qt.SizeHint.MinimumSize][1])

    label.updateMin = update_min  # LabelItem calls self.updateMin() on every setText and resize


class LikelihoodPlots:
    """The five plot items and what is drawn on them, and their titles and labels."""

    def _build_plots(self) -> None:
        """The plots in their grid, each with its curves, markers, lines and legend."""
        self.layout_widget = lw = pg.GraphicsLayoutWidget()
        background = lw.backgroundBrush().color()
        self.plot_e = lw.addPlot(row=0, col=0)
        self.plot_p = lw.addPlot(row=0, col=1)
        self.plot_h = lw.addPlot(row=1, col=0)
        sums = lw.addLayout(row=1, col=1)  # Σ E above Σ ln p, sharing the candidate-y axis
        for col in (0, 1):
            lw.ci.layout.setColumnStretchFactor(col, 1)
        lw.ci.layout.setRowStretchFactor(0, 1)
        lw.ci.layout.setRowStretchFactor(1, 2)  # the second row holds two plots on the right
        self.plot_s = sums.addPlot(row=0, col=0)
        self.plot_l = sums.addPlot(row=1, col=0)
        self.plots = (self.plot_e, self.plot_p, self.plot_h, self.plot_s, self.plot_l)
        for plot in self.plots:
            guard_plot(plot)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMenuEnabled(False)
            _shrinkable(plot.titleLabel)
            for side in ("left", "bottom"):
                plot.getAxis(side).enableAutoSIPrefix(False)  # no "(x0.001)" on a probability axis
        for plot, bottom, left in ((self.plot_e, "prediction y", "E  and  −ln p"),
                                   (self.plot_p, "target t", "p(t | y)"), (self.plot_h, "t", "count"),
                                   (self.plot_l, "candidate y", "Σ ln p")):
            self._label(plot, bottom)
            plot.setLabel("left", left)
        self.plot_s.hideAxis("bottom")
        self.plot_s.setLabel("left", "Σ E")
        self.plot_s.setXLink(self.plot_l)
        self.plot_h.setXLink(self.plot_l)
        for plot in (self.plot_h, self.plot_s, self.plot_l):
            plot.enableAutoRange(axis="x", enable=False)
        for plot in (self.plot_s, self.plot_l):
            plot.vb.setAutoVisible(y=True)  # fit y to what is visible in x
            plot.enableAutoRange(axis="y")
        self.plot_e.enableAutoRange(enable=False)
        self.plot_p.setYRange(0.0, 1.0)

        def legend(plot: pg.PlotItem, offset) -> pg.LegendItem:
            # opaque, in a corner the fixed y ranges keep free of data (they leave headroom above it)
            item = plot.addLegend(offset=offset, labelTextSize="8pt", verSpacing=-6, brush=pg.mkBrush(background))
            item.setZValue(1000)  # above the vertical marker lines
            return item

        # 1: E, −ln p and the fitted −c ln p + const for the current t
        self.legend_e = legend(self.plot_e, (-6, 4))
        self.curve_e = self.plot_e.plot(pen=pen(0, 2), name="E(y; t)")
        self.curve_nlp = self.plot_e.plot(pen=pen(4, 1.5, DOT), name="−ln p(t | y)")
        self.curve_fit = self.plot_e.plot(pen=pen(3, 2, DASH), name="c·(−ln p) + const")
        self.mark_e = marker(self.plot_e, PALETTE[1])
        self.line_y = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((150, 150, 150), width=1))
        self.plot_e.addItem(self.line_y, ignoreBounds=True)
        # 2: p(t | y): a curve for a density, bars for a pmf
        self.legend_p = legend(self.plot_p, (-6, 4))
        for plot in (self.plot_e, self.plot_p, self.plot_h):  # their legends' headroom is a share of the plot's height
            plot.vb.sigResized.connect(lambda *_: self.schedule_refresh())
        self.curve_p = self.plot_p.plot(pen=pen(2, 2), name="p(t | y)")
        self.bars_p = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.3, brush=PALETTE[2], pen=pen(2, 1))
        self.plot_p.addItem(self.bars_p)
        self.mark_p = marker(self.plot_p, PALETTE[1], name="observed t")
        # 3: histogram of the targets, the summed loss and the log-likelihood
        self.legend_h = legend(self.plot_h, (4, 4))
        self.bars_h = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.1, brush=(128, 128, 128, 110),
                                      pen=pg.mkPen((128, 128, 128), width=1))
        self.plot_h.addItem(self.bars_h)
        self.curve_expect = self.plot_h.plot(pen=pen(2, 1.5, DASH), name="expected n·p(t | y_true)")
        self.curve_sum = self.plot_s.plot(pen=pen(0, 2))
        self.mark_min = marker(self.plot_s, PALETTE[0])
        self.curve_ll = self.plot_l.plot(pen=pen(4, 2))
        self.mark_max = marker(self.plot_l, PALETTE[4])
        # vertical lines: argmin (solid), argmax (dashed), closed form (dotted), y_true (grey)
        styles = {"argmin": pen(0, 1.5), "argmax": pen(4, 1.5, DASH), "closed": pen(1, 2, DOT),
                  "truth": pg.mkPen((150, 150, 150), width=1, style=DASH)}
        homes = {"argmin": (self.plot_s,), "argmax": (self.plot_l,), "closed": (self.plot_s, self.plot_l)}
        self.vlines: dict[str, list[pg.InfiniteLine]] = {}
        for key, plots in homes.items():
            self.vlines[key] = []
            for plot in plots:
                line = pg.InfiniteLine(angle=90, movable=False, pen=styles[key])
                plot.addItem(line, ignoreBounds=True)
                self.vlines[key].append(line)
        # in the histogram the closed form and y_true are stems up to the data's top, not lines through the
        # whole plot: the legend sits in the headroom above the data, and a full-height line ran under it
        self.stems = {key: self.plot_h.plot(pen=styles[key]) for key in ("closed", "truth")}
        self.swatches = {key: pg.PlotDataItem(pen=styles[key]) for key in ("closed", "truth")}
        self.legend_h.addItem(self.swatches["closed"], "closed form")
        self.legend_h.addItem(self.swatches["truth"], "y_true")
        self.closed_label = self.legend_h.getLabel(self.swatches["closed"])

    def _legend_entry(self, item) -> None:
        """Plot 2's legend names whichever of the curve and the bars is showing."""
        if self.legend_p.getLabel(item) is None:
            for other in (self.curve_p, self.bars_p):
                self.legend_p.removeItem(other)
            self.legend_p.addItem(item, "p(t | y)")

    # setTitle/setLabel re-lay out HTML text (~0.1 ms each): only touch what changed
    @staticmethod
    def _title(plot: pg.PlotItem, title: str, same_row: object = None) -> None:
        """Set a plot's title; ``same_row``: a key of what the title is about (a drag changes only a number).

        While ``same_row`` stays, the new text is set and centred in the title row as it is, without the
        re-layout of every plot in the window that ``LabelItem.setText`` asks for (the row's height is
        fixed; its width would follow the text and make the columns drift on every drag frame).
        """
        if getattr(plot, "_actviz_title", None) == title:
            return
        label = plot.titleLabel
        quiet = same_row is not None and getattr(plot, "_actviz_title_row", None) == same_row and label.isVisible()
        plot._actviz_title, plot._actviz_title_row = title, same_row
        if not quiet:
            plot.setTitle(title, size="9pt")
            return
        hold = label.__dict__.get("updateMin"), label.__dict__.get("updateGeometry")
        label.updateMin = label.updateGeometry = lambda: None  # for the length of one setText: keep the sizes
        try:
            label.setText(title)
        finally:
            for name, method in zip(("updateMin", "updateGeometry"), hold, strict=True):
                if method is None:
                    del label.__dict__[name]
                else:
                    setattr(label, name, method)

    @staticmethod
    def _label(plot: pg.PlotItem, label: str) -> None:
        if getattr(plot, "_actviz_bottom", None) != label:
            plot._actviz_bottom = label
            plot.setLabel("bottom", label)

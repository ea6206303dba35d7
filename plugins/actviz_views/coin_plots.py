"""The coin-flip view's five plots, built once: the likelihood with its 95 % band (1), ℓ(θ) (2), the mean BCE
on top of −ℓ(θ)/n (3), prior and posterior (4), and the estimate after each flip on a log axis of counts (5),
with their curves, dots, legends and the "nothing to draw" messages; and the two axes that keep tick labels
short.

A mixin of :class:`~actviz_views.coin_view.CoinView` (the view's redraw feeds the items data).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from actviz.gui import PALETTE, guard_plot, pen
from actviz_views import coin_text as text
from actviz_views.coin_model import count_label, decade_ticks


class CompactAxis(pg.AxisItem):
    """Tick labels of at most ~7 characters (ℓ reaches −10⁸ at n = 10⁷), so a fixed axis width always fits them."""

    def tickStrings(self, values, scale, spacing):
        return [(f"{v * scale:.6g}" if abs(v * scale) < 1e6 else f"{v * scale:.3g}").replace("-", "−")
                for v in values]


class CountAxis(pg.AxisItem):
    """A log axis of flip counts: labels only at decades, as plain numbers (1, 10, 100, 1 000, …)."""

    def logTickValues(self, minVal, maxVal, size, stdTicks):
        major, minor = decade_ticks(minVal, maxVal)
        return [(1.0, major), (None, minor)]

    def logTickStrings(self, values, scale, spacing):
        return [count_label(v) if spacing is not None else "" for v in values]


class CoinPlots:
    """The plot items of the five rows and the messages shown over them."""

    def _build_plots(self) -> None:
        """The plots in their grid, each with its curves, marks and legend."""
        self.layout_widget = lw = pg.GraphicsLayoutWidget()
        background = lw.backgroundBrush().color()
        small = {"size": "8pt"}
        t1, t2, t3, t4, t5 = text.TITLES
        self.plot_lik = lw.addPlot(row=0, col=0, title=t1, **small)
        self.plot_ll = lw.addPlot(row=0, col=1, title=t2, axisItems={"left": CompactAxis("left")}, **small)
        self.plot_bce = lw.addPlot(row=1, col=0, title=t3, axisItems={"left": CompactAxis("left")}, **small)
        self.plot_post = lw.addPlot(row=1, col=1, title=t4, axisItems={"left": CompactAxis("left")}, **small)
        self.plot_traj = lw.addPlot(row=2, col=0, colspan=2, title=t5, axisItems={"bottom": CountAxis("bottom")},
                                    **small)
        self.theta_plots = (self.plot_lik, self.plot_ll, self.plot_bce, self.plot_post)
        self.plots = (*self.theta_plots, self.plot_traj)
        for plot in self.plots:
            guard_plot(plot)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMenuEnabled(False)
            for side in ("left", "bottom"):  # no "(M)" unit prefixes; and no label re-render on every range change
                plot.getAxis(side).enableAutoSIPrefix(False)
        self._metrics = QtGui.QFontMetrics(lw.font())
        for plot, left in zip(self.theta_plots, (f"L(θ) / L({text.ML})", "ℓ(θ)", "mean BCE", "density"),
                              strict=True):
            plot.setLabel("bottom", "θ")
            plot.setLabel("left", left)
            plot.setXRange(0.0, 1.0, padding=0.02)
            plot.setLimits(xMin=-0.05, xMax=1.05)
        self.plot_traj.setLabel("left", f"{text.ML} = heads / flips")
        self.plot_traj.setLabel("bottom", "flips so far (log scale)")
        self.plot_traj.setLogMode(x=True, y=False)
        self.plot_traj.setYRange(0.0, 1.0, padding=0.02)
        self.plot_lik.setYRange(0.0, 1.3, padding=0)
        for plot in (self.plot_ll, self.plot_bce, self.plot_post):
            plot.enableAutoRange(axis="x", enable=False)
        self.plot_post.setYRange(0.0, 1.0)

        def legend(plot: pg.PlotItem, **opts) -> pg.LegendItem:
            item = plot.addLegend(offset=(4, 4), labelTextSize="7pt", verSpacing=-6, brush=pg.mkBrush(background),
                                  **opts)
            item.setZValue(1000)
            return item

        def curve(plot: pg.PlotItem, name: str | None = None, **opts) -> pg.PlotCurveItem:
            item = pg.PlotCurveItem(name=name, connect="finite", **opts)
            plot.addItem(item)
            return item

        def dot(plot: pg.PlotItem) -> pg.ScatterPlotItem:
            item = pg.ScatterPlotItem(size=9, symbol="o", pen=pg.mkPen(PALETTE[1], width=1.5),
                                      brush=pg.mkBrush(PALETTE[1]))
            plot.addItem(item)
            return item

        green = QtGui.QColor(PALETTE[2])
        band_brush = pg.mkBrush(green.red(), green.green(), green.blue(), 60)
        dash, dot_style = QtCore.Qt.PenStyle.DashLine, QtCore.Qt.PenStyle.DotLine
        # 1: the likelihood, its peak and the 95% interval
        self.band_lik = curve(self.plot_lik, pen=None, fillLevel=0.0, brush=band_brush)
        self.curve_lik = curve(self.plot_lik, pen=pen(0))
        self.mark_lik = dot(self.plot_lik)
        # 2: ℓ(θ)
        self.curve_ll = curve(self.plot_ll, pen=pen(0))
        self.mark_ll = dot(self.plot_ll)
        # 3: the loss and −ℓ/n on top of each other
        self.legend_bce = legend(self.plot_bce)
        self.curve_bce = curve(self.plot_bce, "mean BCE", pen=pen(3, 2))
        self.curve_negll = curve(self.plot_bce, "−ℓ(θ)/n", pen=pen(0, 2, dash))
        self.mark_bce = dot(self.plot_bce)
        # 4: prior and posterior
        self.legend_post = legend(self.plot_post, colCount=2)
        self.band_post = curve(self.plot_post, "95% int.", pen=None, fillLevel=0.0, brush=band_brush)
        self.curve_prior = curve(self.plot_post, "prior", pen=pen(5, 2, dash))
        self.curve_post = curve(self.plot_post, "posterior", pen=pen(4))
        self.mark_map = curve(self.plot_post, "MAP", pen=pen(1, 2))
        self.mark_mean = curve(self.plot_post, "mean", pen=pen(2, 2, dot_style))
        # 5: the estimate as the coin is flipped (PlotDataItem: it follows the log x axis)
        self.legend_traj = legend(self.plot_traj, colCount=2)  # one row: the plot is short
        self.curve_p = self.plot_traj.plot(pen=pen(1, 2, dash), name="true p")
        self.curve_traj = self.plot_traj.plot(pen=pen(0, 2), name=f"{text.ML} after n flips")
        # printed θ̂ and the "nothing to draw" messages
        self.hat_text = pg.TextItem("", anchor=(0.5, 1.0), color=pg.getConfigOption("foreground"))  # reads on both
        self.plot_lik.addItem(self.hat_text, ignoreBounds=True)
        self.messages: dict[str, pg.TextItem] = {}
        for key, plot in (("lik", self.plot_lik), ("ll", self.plot_ll), ("bce", self.plot_bce),
                          ("post", self.plot_post), ("traj", self.plot_traj)):
            item = pg.TextItem("", anchor=(0, 0), color=pg.getConfigOption("foreground"), fill=pg.mkBrush(background))
            item.hide()
            item.setZValue(100)
            item.setParentItem(plot.vb)  # in the view box's own pixels: stays put whatever the range
            item.setPos(8, 30 if key in ("lik", "ll", "post") else 8)
            self.messages[key] = item

"""The likelihood view: every loss as the negative log-likelihood of a noise model.

Thin wiring over :class:`LikelihoodModel`: the plots are built once and
:meth:`LikelihoodView.redraw` maps the numbers of :mod:`likelihood_model` to
``setData``. A loss without a noise model is said in words, in place of the plots.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from actviz.evaluation import EvaluationError
from actviz.gui import (
    PALETTE,
    ControlPanel,
    FormulaLabel,
    ViewContext,
    ViewWidget,
    bind,
    control_column,
    guard_plot,
    page,
    pen,
    warning_label,
)
from actviz.maths.ranges import held_range
from actviz_views import likelihood_text as text
from actviz_views.likelihood_model import (
    LikelihoodModel,
    Numbers,
    bar_width,
    density_plot,
    e_window,
    held_density_window,
    quietest_third,
    value_at,
)
from actviz_views.wiring import finite, pin_legend, set_range, set_text

DASH = QtCore.Qt.PenStyle.DashLine
DOT = QtCore.Qt.PenStyle.DotLine
EMPTY = np.zeros(0)
LEGEND_INSET = (6, 4)  # pixels from the plot's side and top



def _shrinkable(label: pg.LabelItem) -> None:
    """Let a plot title be clipped rather than widen its column (LabelItem's minimum is its text width)."""

    def update_min() -> None:
        pg.LabelItem.updateMin(label)
        label.setMinimumWidth(0)
        label._sizeHint[QtCore.Qt.SizeHint.MinimumSize] = (0.0, label._sizeHint[QtCore.Qt.SizeHint.MinimumSize][1])

    label.updateMin = update_min  # LabelItem calls self.updateMin() on every setText and resize


class LikelihoodView(ViewWidget):
    """E beside −ln p, the density p(t | y), and the three routes to the maximum-likelihood y."""

    model: LikelihoodModel

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        self.numbers = Numbers()
        self.fit = self.ml = self.density = self.sample = None
        self.targets = EMPTY
        self.y_grid = self.e_values = self.nlp_values = self.fit_values = EMPTY

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
            item = plot.addLegend(offset=offset, labelTextSize="8pt", brush=pg.mkBrush(background))
            item.setZValue(1000)  # above the vertical marker lines
            return item

        marker = {"pen": None, "symbol": "o", "symbolSize": 9}
        # 1: E, −ln p and the fitted −c ln p + const for the current t
        self.legend_e = legend(self.plot_e, (-6, 4))
        self.curve_e = self.plot_e.plot(pen=pen(0, 2), name="E(y; t)")
        self.curve_nlp = self.plot_e.plot(pen=pen(4, 1.5, DOT), name="−ln p(t | y)")
        self.curve_fit = self.plot_e.plot(pen=pen(3, 2, DASH), name="c·(−ln p) + const")
        self.mark_e = self.plot_e.plot(symbolBrush=PALETTE[1], symbolPen=None, **marker)
        self.line_y = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((150, 150, 150), width=1))
        self.plot_e.addItem(self.line_y, ignoreBounds=True)
        # 2: p(t | y): a curve for a density, bars for a pmf
        self.legend_p = legend(self.plot_p, (-6, 4))
        self.curve_p = self.plot_p.plot(pen=pen(2, 2), name="p(t | y)")
        self.bars_p = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.3, brush=PALETTE[2], pen=pen(2, 1))
        self.plot_p.addItem(self.bars_p)
        self.mark_p = self.plot_p.plot(symbolBrush=PALETTE[1], symbolPen=None, name="observed t", **marker)
        # 3: histogram of the targets, the summed loss and the log-likelihood
        self.legend_h = legend(self.plot_h, (4, 4))
        self.bars_h = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.1, brush=(128, 128, 128, 110),
                                      pen=pg.mkPen((128, 128, 128), width=1))
        self.plot_h.addItem(self.bars_h)
        self.curve_expect = self.plot_h.plot(pen=pen(2, 1.5, DASH), name="expected n·p(t | y_true)")
        self.curve_sum = self.plot_s.plot(pen=pen(0, 2))
        self.mark_min = self.plot_s.plot(symbolBrush=PALETTE[0], symbolPen=None, **marker)
        self.curve_ll = self.plot_l.plot(pen=pen(4, 2))
        self.mark_max = self.plot_l.plot(symbolBrush=PALETTE[4], symbolPen=None, **marker)
        # vertical lines: argmin (solid), argmax (dashed), closed form (dotted), y_true (grey)
        styles = {"argmin": pen(0, 1.5), "argmax": pen(4, 1.5, DASH), "closed": pen(1, 2, DOT),
                  "truth": pg.mkPen((150, 150, 150), width=1, style=DASH)}
        homes = {"argmin": (self.plot_s,), "argmax": (self.plot_l,),
                 "closed": (self.plot_h, self.plot_s, self.plot_l), "truth": (self.plot_h,)}
        self.vlines: dict[str, list[pg.InfiniteLine]] = {}
        for key, plots in homes.items():
            self.vlines[key] = []
            for plot in plots:
                line = pg.InfiniteLine(angle=90, movable=False, pen=styles[key])
                plot.addItem(line, ignoreBounds=True)
                self.vlines[key].append(line)
        self.swatches = {key: pg.PlotDataItem(pen=styles[key]) for key in ("closed", "truth")}
        self.legend_h.addItem(self.swatches["closed"], "closed form")
        self.legend_h.addItem(self.swatches["truth"], "y_true")
        self.closed_label = self.legend_h.getLabel(self.swatches["closed"])

        # -- widgets ------------------------------------------------------------------------------
        self.intro = QtWidgets.QLabel(text.INTRO)
        self.intro.setWordWrap(True)
        self.formula_e = FormulaLabel()
        self.formula_p = FormulaLabel()
        self.message = QtWidgets.QLabel("")  # the "no noise model" sentence, in place of the plots
        self.message.setWordWrap(True)
        self.message.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        font = self.message.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.message.setFont(font)
        self.message.hide()
        self.warning = warning_label()
        self.fit_text = self._text_label()
        self.ml_text = self._text_label()
        self.info = QtWidgets.QLabel("")
        self.info.setWordWrap(True)
        self.info.hide()

        self.panel = ControlPanel(spin_width=84)
        self.binding = bind(self.model, self.panel)
        side = QtWidgets.QVBoxLayout()
        side.addWidget(self.panel)
        side.addStretch(1)
        head = QtWidgets.QHBoxLayout()
        head.addWidget(self.formula_e)
        head.addSpacing(24)
        head.addWidget(self.formula_p)
        head.addStretch(1)
        left = QtWidgets.QVBoxLayout()
        for item in (self.intro, head, self.warning, (self.message, 1), (self.layout_widget, 1), self.fit_text,
                     self.ml_text, self.info):
            if isinstance(item, QtWidgets.QLayout):
                left.addLayout(item)
            elif isinstance(item, tuple):
                left.addWidget(*item)
            else:
                left.addWidget(item)
        # two rows of plots (the right one split in two) need 2 × 2 × 160 px: a short window scrolls the page
        self.layout_widget.setMinimumHeight(3 * 200 + 60)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(page(left), 1)
        layout.addWidget(control_column(side, 210))
        self._y_ranges = None
        self._t_window: tuple = (None, None)  # (loss, the t range plot 2 holds while y is dragged)
        self._p_top: tuple = (None, None)  # (loss, the top of plot 2's y range)
        self.on_model_changed(frozenset({"loss"}))

    @staticmethod
    def _text_label() -> QtWidgets.QLabel:
        label = QtWidgets.QLabel(" ")
        label.setWordWrap(True)
        label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # -- model → widgets -----------------------------------------------------------------------
    @property
    def spec(self):
        return self.model.spec

    def cannot_draw(self) -> str:
        return self.model.problem()

    def on_model_changed(self, names: frozenset[str]) -> None:
        if "loss" in names:
            spec = self.spec
            nm = spec.noise_model if spec is not None else None
            self.formula_e.set_formula(spec.formula if spec else "", deferred=not self.context.headless)
            self.formula_p.set_formula(nm.formula if nm else "", deferred=not self.context.headless)
            ranges = tuple((k.control.low, k.control.high) for k in self.model.active_keys()
                           if k.name in ("y", "y_true"))
            if ranges != self._y_ranges:  # the y sliders take the new loss's range
                self._y_ranges = ranges
                self.binding.rebuild()
        self.schedule_refresh()

    def _show_plots(self, on: bool) -> None:
        for widget in (self.layout_widget, self.formula_p, self.fit_text, self.ml_text):
            widget.setVisible(on)
        self.message.setVisible(not on)

    def redraw(self) -> None:
        problem = self.model.problem()
        if problem:
            self.message.setText(text.no_noise_sentence(self.spec))
            self._show_plots(False)
            self.fit = self.ml = self.density = self.sample = None
            self.targets = self.y_grid = self.e_values = self.nlp_values = self.fit_values = EMPTY
            self.warning.hide()
            self.info.hide()
            return
        self._show_plots(True)
        spec = self.spec
        problems: list[str] = []
        notes: list[str] = []
        for step in (self._draw_fit, self._draw_density, self._draw_samples):
            try:
                notes += step(spec)
            except (EvaluationError, ValueError) as exc:
                problems.append(f"{spec.label} ({spec.plugin or 'plugin'}): {exc}")
        set_text(self.warning, "\n".join(problems))
        self.warning.setVisible(bool(problems))
        set_text(self.info, "  ".join(notes))
        self.info.setVisible(bool(notes))

    def _draw_fit(self, spec) -> list[str]:
        """Plot 1: E(y; t), −ln p(t | y) and c·(−ln p) + const over y; the marker at the current y."""
        model, y = self.model, float(self.model["y"])
        curves = self.numbers.fit(model)
        if curves is not self.fit:
            self.fit = curves
            self.y_grid, self.e_values = curves.ys, curves.e
            self.nlp_values, self.fit_values = curves.nlp, curves.fitted
            for curve, values in ((self.curve_e, curves.e), (self.curve_nlp, curves.nlp),
                                  (self.curve_fit, curves.fitted)):
                curve.setData(curves.ys, finite(values), connect="finite")
            self._title(self.plot_e, text.fit_title(model.t, curves.fit))
            self.fit_text.setText(text.fit_text(model.t, curves.fit, curves.fit_all, curves.e))
        self.mark_e.setData([y], finite([value_at(spec, y, model.params, model.t)]))
        self.line_y.setPos(y)
        x_range, y_range = e_window(spec, curves, y)
        set_range(self.plot_e, "x", *x_range, padding=0.02)
        if y_range is not None:  # fixed, with headroom for the legend (autorange would put data under it)
            set_range(self.plot_e, "y", *y_range, padding=0.02)
        pin_legend(self.legend_e, quietest_third(x_range, [(curves.ys, curves.e), (curves.ys, curves.nlp)]),
                   inset=LEGEND_INSET)
        return curves.notes

    def _draw_density(self, spec) -> list[str]:
        """Plot 2: p(t | y) for the current y; bars for a pmf, a curve for a density."""
        model, y = self.model, float(self.model["y"])
        loss = (spec.name, spec.plugin)
        d = density_plot(spec, model.params, model.t, y)
        shown = self._t_window[1] if self._t_window[0] == loss else None
        x_range = held_density_window(spec, y, shown) or d.x_range  # a density's t axis holds while y moves
        self._t_window = (loss, x_range)
        self.density = d.density
        if d.density.discrete:
            self.bars_p.setOpts(x=d.density.t, height=finite(d.density.p), width=bar_width(d.density.t))
            self.curve_p.setData([], [])
            self._legend_entry(self.bars_p)
        else:
            self.bars_p.setOpts(x=[0.0], height=[0.0], width=0.0)
            self.curve_p.setData(d.density.t, finite(d.density.p), connect="finite")
            self._legend_entry(self.curve_p)
        self.bars_p.setVisible(d.density.discrete)
        self.curve_p.setVisible(not d.density.discrete)
        self.mark_p.setData(d.mark_t, finite(d.mark_p))
        self._label(self.plot_p, d.axis)
        # from 0, with headroom for the legend (the top at least 1.6 × the peak); held while y is dragged
        shown = (0.0, self._p_top[1]) if self._p_top[0] == loss else None
        top = held_range(shown, 0.0, d.top * 1.6)[1]
        if self._p_top != (loss, top):
            self._p_top = (loss, top)
            self.plot_p.setYRange(0.0, top, padding=0)
        set_range(self.plot_p, "x", *x_range, padding=0.02)
        pin_legend(self.legend_p, quietest_third(x_range, [(d.density.t, d.density.p), (d.mark_t, d.mark_p)]),
                   inset=LEGEND_INSET)
        self._title(self.plot_p, text.density_title(spec, y, d.density.discrete), same_row=(loss, d.density.discrete))
        return d.notes

    def _draw_samples(self, spec) -> list[str]:
        """Plot 3: a histogram of the sampled targets, Σ E and Σ ln p over candidate y."""
        s = self.numbers.samples(self.model)
        if s is self.sample:
            return s.notes
        self.sample, self.ml, self.targets = s, s.ml, s.targets
        ml, grid = s.ml, s.ml.y_grid
        self.curve_sum.setData(grid, finite(ml.total_loss), connect="finite")
        self.curve_ll.setData(grid, finite(ml.log_likelihood), connect="finite")
        set_range(self.plot_l, "x", *s.window, padding=0.02)  # h and s are linked to it
        self.bars_h.setOpts(x=s.hist_x, height=s.hist_counts, width=s.hist_width)
        if s.discrete:
            self.curve_expect.setData(s.expect_t, finite(s.expect_counts), pen=None, symbol="t1", symbolSize=11,
                                      symbolBrush=PALETTE[2], symbolPen=None)
        else:
            self.curve_expect.setData(s.expect_t, finite(s.expect_counts), connect="finite",
                                      pen=pen(2, 1.5, DASH), symbol=None)
        self._label(self.plot_h, f"t  ({s.outside} targets beyond the axis)" if s.outside else "t")
        top = max(float(s.hist_counts.max(initial=0.0)), float(np.nanmax(finite(s.expect_counts), initial=0.0)))
        set_range(self.plot_h, "y", 0.0, max(top, 1.0) * 1.75)  # headroom for the legend
        pin_legend(self.legend_h, quietest_third(s.window, [(s.hist_x, s.hist_counts), (s.expect_t, s.expect_counts)]),
                   inset=LEGEND_INSET)
        for key, at in (("argmin", ml.argmin_loss), ("argmax", ml.argmax_likelihood), ("closed", ml.closed_form),
                        ("truth", float(self.model["y_true"]))):
            for line in self.vlines[key]:
                line.setVisible(at is not None)
                if at is not None:
                    line.setPos(at)
        self.mark_min.setData([] if ml.argmin_loss is None else [ml.argmin_loss],
                              finite(s.at(ml.total_loss, ml.argmin_loss)))
        self.mark_max.setData([] if ml.argmax_likelihood is None else [ml.argmax_likelihood],
                              finite(s.at(ml.log_likelihood, ml.argmax_likelihood)))
        params = self.model.params
        titles = text.sample_titles(spec, ml, s.targets.size, params)
        for key, plot in (("h", self.plot_h), ("s", self.plot_s), ("l", self.plot_l)):
            self._title(plot, titles[key])
        if self.closed_label.text != titles["closed"]:
            self.closed_label.setText(titles["closed"])
        self.ml_text.setText(text.ml_text(spec, ml, s.targets, params))
        return s.notes

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

    # -- export -------------------------------------------------------------------------------
    def export_item(self):
        return self.layout_widget.ci

    def export_columns(self) -> dict[str, np.ndarray]:
        if self.fit is None or self.density is None:
            return {}
        cols: dict[str, np.ndarray] = {
            "y": self.y_grid, "E(y;t)": self.e_values, "-ln p(t|y)": self.nlp_values,
            "c*(-ln p)+const": self.fit_values, "t (density)": self.density.t, "p(t|y)": self.density.p,
            "c": np.array([self.fit.fit.c]), "const": np.array([self.fit.fit.const]),
        }
        s = self.sample
        if s is not None:
            cols.update({"targets": s.targets, "histogram t": s.hist_x, "histogram count": s.hist_counts})
            if s.expect_t.size:
                cols["expected t"], cols["expected count"] = s.expect_t, s.expect_counts
            ml = s.ml
            cols.update({"candidate y": ml.y_grid, "total loss": ml.total_loss, "log-likelihood": ml.log_likelihood})
            for name, v in (("argmin total loss", ml.argmin_loss), ("argmax log-likelihood", ml.argmax_likelihood),
                            ("closed form", ml.closed_form)):
                cols[name] = np.array([np.nan if v is None else v])
        return cols


"""The likelihood view's three rows drawn from the model's numbers: plot 1's E, −ln p and fit at t, plot 2's
density for the current y (held t axis and top while y is dragged), and plot 3's histogram, Σ E and Σ ln p
with their argmin, argmax, closed form and y_true lines.

A mixin of :class:`~actviz_views.likelihood_view.LikelihoodView` (it sets the items
:class:`~actviz_views.likelihood_plots.LikelihoodPlots` built; the view's redraw calls it).
"""

from __future__ import annotations

import numpy as np

from actviz.gui import PALETTE, pen
from actviz.maths.ranges import held_range
from actviz_views import likelihood_text as text
from actviz_views.likelihood_curves import HISTOGRAM_LEGEND_SHARE
from actviz_views.likelihood_model import (
    DENSITY_LEGEND_SHARE,
    LEGEND_SHARE,
    LikelihoodModel,
    Numbers,
    bar_width,
    density_plot,
    e_window,
    held_density_window,
    quietest_third,
    value_at,
)
from actviz_views.likelihood_plots import DASH
from actviz_views.wiring import finite, legend_share, pin_legend, set_marker, set_range

LEGEND_INSET = (6, 4)  # pixels from the plot's side and top
class LikelihoodDrawing:
    """Each plot row set from the numbers (each a step of the view's redraw, returning its notes)."""

    model: LikelihoodModel
    numbers: Numbers

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
        set_marker(self.mark_e, [y], [value_at(spec, y, model.params, model.t)])
        self.line_y.setPos(y)
        x_range, y_range = e_window(spec, curves, y, legend_share(self.legend_e, self.plot_e, LEGEND_SHARE))
        set_range(self.plot_e, "x", *x_range, padding=0.02)
        if y_range is not None:  # fixed, with headroom for the legend (autorange would put data under it)
            set_range(self.plot_e, "y", *y_range, padding=0.02)
        # the y line runs through the legend's headroom too: its third scores as the highest there is
        line = ([y], [np.finfo(float).max])
        pin_legend(self.legend_e, lambda: quietest_third(x_range, [(curves.ys, curves.e), (curves.ys, curves.nlp),
                                                                   line]),
                   inset=LEGEND_INSET, view=self)
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
            if self.bars_p.isVisible():  # emptied once, not on every frame of a drag
                self.bars_p.setOpts(x=[0.0], height=[0.0], width=0.0)
            self.curve_p.setData(d.density.t, finite(d.density.p), connect="finite")
            self._legend_entry(self.curve_p)
        self.bars_p.setVisible(d.density.discrete)
        self.curve_p.setVisible(not d.density.discrete)
        set_marker(self.mark_p, d.mark_t, d.mark_p)
        self._label(self.plot_p, d.axis)
        # from 0, with the legend's headroom (the top at least 1.6 × the peak); held while y is dragged
        shown = (0.0, self._p_top[1]) if self._p_top[0] == loss else None
        top = held_range(shown, 0.0, d.top / (1.0 - legend_share(self.legend_p, self.plot_p, DENSITY_LEGEND_SHARE)))[1]
        if self._p_top != (loss, top):
            self._p_top = (loss, top)
            self.plot_p.setYRange(0.0, top, padding=0)
        set_range(self.plot_p, "x", *x_range, padding=0.02)
        pin_legend(self.legend_p, lambda: quietest_third(x_range, [(d.density.t, d.density.p), (d.mark_t, d.mark_p)]),
                   inset=LEGEND_INSET, view=self)
        self._title(self.plot_p, text.density_title(spec, y, d.density.discrete), same_row=(loss, d.density.discrete))
        return d.notes

    def _histogram_headroom(self) -> None:
        """Plot 3's y range: the data's top, and above it the share of the plot its legend takes."""
        share = legend_share(self.legend_h, self.plot_h, HISTOGRAM_LEGEND_SHARE)
        set_range(self.plot_h, "y", 0.0, self.hist_top / (1.0 - share))

    def _draw_samples(self, spec) -> list[str]:
        """Plot 3: a histogram of the sampled targets, Σ E and Σ ln p over candidate y."""
        s = self.numbers.samples(self.model)
        if s is self.sample:
            self._histogram_headroom()  # the plot may have been resized: the legend's share with it
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
        top = self.hist_top = max(float(s.hist_counts.max(initial=0.0)),
                                  float(np.nanmax(finite(s.expect_counts), initial=0.0)), 1.0)
        self._histogram_headroom()
        pin_legend(self.legend_h, lambda: quietest_third(s.window, [(s.hist_x, s.hist_counts),
                                                                    (s.expect_t, s.expect_counts)]),
                   inset=LEGEND_INSET, view=self)
        for key, at in (("argmin", ml.argmin_loss), ("argmax", ml.argmax_likelihood), ("closed", ml.closed_form),
                        ("truth", float(self.model["y_true"]))):
            for line in self.vlines.get(key, ()):
                line.setVisible(at is not None)
                if at is not None:
                    line.setPos(at)
            if key in self.stems:
                self.stems[key].setData([] if at is None else [at, at], [] if at is None else [0.0, top])
        for mark, values, at in ((self.mark_min, ml.total_loss, ml.argmin_loss),
                                 (self.mark_max, ml.log_likelihood, ml.argmax_likelihood)):
            ys = s.at(values, at)
            set_marker(mark, [at] if ys else [], ys)
        params = self.model.params
        titles = text.sample_titles(spec, ml, s.targets.size, params)
        for key, plot in (("h", self.plot_h), ("s", self.plot_s), ("l", self.plot_l)):
            self._title(plot, titles[key])
        if self.closed_label.text != titles["closed"]:
            self.closed_label.setText(titles["closed"])
        self.ml_text.setText(text.ml_text(spec, ml, s.targets, params))
        return s.notes

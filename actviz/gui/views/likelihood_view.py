"""The likelihood view: every loss as the negative log-likelihood of a noise model.

Three rows of evidence for one loss (the browser's, or the ``loss`` control's):

1. E(y; t) over y beside −ln p(t | y), with c and const of E = −c·ln p + const fitted and printed;
2. the noise model p(t | y) over t for the current prediction y (bars for a pmf);
3. targets t_α sampled from p(· | y_true): their histogram, the summed loss Σ E(y, t_α) with its
   minimiser, the log-likelihood Σ ln p(t_α | y) with its maximiser and the closed form (mean,
   median, proportion) — the three coincide.

All the mathematics is :mod:`actviz.likelihood`; this module picks grids, draws and explains.
"""

from __future__ import annotations

import html
import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from actviz.gui.controls import ControlPanel
from actviz.gui.formula import FormulaLabel
from actviz.gui.viewbase import PALETTE, Choice, ViewContext, ViewWidget, controls_of, guard_plot, pen, warning_label
from actviz.host import evaluation
from actviz.host.evaluation import EvaluationError
from actviz.maths import likelihood as lk
from actviz.specs import Loss, Param

TOP_POINTS = 600  # y samples of plot 1, t samples of plot 2
ML_POINTS = 601  # candidate y of plot 3 (the closed form is added as an exact grid point)
PREFERRED_LOSS = "squared_error"
FIXED = ("loss", "y", "seed", "n", "y_true")  # the view's own control names
MAX_N = 5000
MAX_SEED = 99_999
ESTIMATOR_WORDS = {"mean": "mean", "median": "median", "proportion": "proportion of ones"}

INTRO = ("<b>Every loss is a negative log-likelihood:</b> E(y; t) = −c·ln p(t | y) + const, so the y that "
         "minimises the summed loss over a data set maximises the likelihood. Bottom: targets sampled from "
         "p(· | y<sub>true</sub>); min Σ E, max Σ ln p and the closed form land on the same y.")
DASH = QtCore.Qt.PenStyle.DashLine
DOT = QtCore.Qt.PenStyle.DotLine


def no_noise_sentence(spec: Loss) -> str:
    return f"{spec.label} declares no noise model, so it has no likelihood reading here."


def y_param(spec: Loss, name: str = "y") -> Param:
    """The prediction y (or y_true): inside (0, 1) for probability losses, around the targets otherwise."""
    truth = name == "y_true"
    if spec.domain == "probability":
        return Param(name, 0.3 if truth else 0.7, 0.001, 0.999, step=0.001,
                     label="true y (sampling)" if truth else "prediction y",
                     help="the y the targets are sampled from" if truth else "the current prediction y")
    low = min(spec.target.low, -3.0) - 1.0
    high = max(spec.target.high, 3.0) + 1.0
    default = min(max(0.6 if truth else 0.0, low), high)
    return Param(name, default, low, high, step=0.05,
                 label="true y (sampling)" if truth else "prediction y",
                 help="the y the targets are sampled from" if truth else "the current prediction y")


def _finite(values: np.ndarray) -> np.ndarray:
    """NaN where not finite, so ``connect="finite"`` leaves a gap instead of drawing ±inf."""
    return np.where(np.isfinite(values), values, np.nan)


def _shrinkable(label: pg.LabelItem) -> None:
    """Let a plot title be clipped rather than widen its column (LabelItem's minimum is its text width)."""

    def update_min() -> None:
        pg.LabelItem.updateMin(label)
        label.setMinimumWidth(0)
        label._sizeHint[QtCore.Qt.SizeHint.MinimumSize] = (0.0, label._sizeHint[QtCore.Qt.SizeHint.MinimumSize][1])

    label.updateMin = update_min  # LabelItem calls self.updateMin() on every setText and resize


def _fmt(v: float | None) -> str:
    return "—" if v is None or not math.isfinite(v) else f"{v:.4g}"


class LikelihoodView(ViewWidget):
    """E beside −ln p, the density p(t | y), and the three routes to the maximum-likelihood y."""

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        reg = context.registry
        self.loss_name = PREFERRED_LOSS if PREFERRED_LOSS in reg.losses else next(iter(reg.losses), "")
        self.values: dict[str, float] = {}  # the loss's own params and its target t
        self.y = self.y_true = 0.0
        self.seed, self.n = 1, 51
        self._domain_key: tuple | None = None
        self._syncing = False
        self._sample_key: tuple | None = None  # plot 3 is redrawn only when this changes
        self._curve_key: tuple | None = None  # the curves of plot 1 likewise
        self._e_window: tuple | None = None
        self._notes: dict[str, list[str]] = {"fit": [], "samples": []}
        self._fit_key: tuple | None = None
        self._fit_all: lk.ScaleOffset | None = None
        self.targets = np.zeros(0)
        self.ml: lk.MaximumLikelihood | None = None
        self.fit: lk.ScaleOffset | None = None
        self.redraw_ms = 0.0
        self._clear_arrays()

        # -- plots (built once; redraw only calls setData) --------------------------------------
        self.layout_widget = pg.GraphicsLayoutWidget()
        lw = self.layout_widget
        self.plot_e = lw.addPlot(row=0, col=0)
        self.plot_p = lw.addPlot(row=0, col=1)
        self.plot_h = lw.addPlot(row=1, col=0)
        sums = lw.addLayout(row=1, col=1)  # Σ E above Σ ln p, sharing the candidate-y axis
        for col in (0, 1):
            lw.ci.layout.setColumnStretchFactor(col, 1)
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
        self._label(self.plot_e, "prediction y")
        self.plot_e.setLabel("left", "E  and  −ln p")
        self._label(self.plot_p, "target t")
        self.plot_p.setLabel("left", "p(t | y)")
        self._label(self.plot_h, "t")
        self.plot_h.setLabel("left", "count")
        self.plot_s.hideAxis("bottom")
        self.plot_s.setLabel("left", "Σ E")
        self._label(self.plot_l, "candidate y")
        self.plot_l.setLabel("left", "Σ ln p")
        self.plot_s.setXLink(self.plot_l)
        self.plot_h.setXLink(self.plot_l)
        for plot in (self.plot_h, self.plot_s, self.plot_l):
            plot.enableAutoRange(axis="x", enable=False)
        for plot in (self.plot_s, self.plot_l):
            plot.vb.setAutoVisible(y=True)  # fit y to what is visible in x
            plot.enableAutoRange(axis="y")
        self.plot_e.enableAutoRange(enable=False)
        self.plot_p.setYRange(0.0, 1.0)  # refitted in redraw; p ≥ 0 always starts at 0

        marker = {"pen": None, "symbol": "o", "symbolSize": 9}
        # 1: E, −ln p and the fitted −c ln p + const for the current t
        self.legend_e = self.plot_e.addLegend(offset=(-6, 4), labelTextSize="8pt")
        self.curve_e = self.plot_e.plot(pen=pen(0, 2), name="E(y; t)")
        self.curve_nlp = self.plot_e.plot(pen=pen(4, 1.5, DOT), name="−ln p(t | y)")
        self.curve_fit = self.plot_e.plot(pen=pen(3, 2, DASH), name="c·(−ln p) + const")
        self.mark_e = self.plot_e.plot(symbolBrush=PALETTE[1], symbolPen=None, **marker)  # at the current y
        self.line_y = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((150, 150, 150), width=1))
        self.plot_e.addItem(self.line_y, ignoreBounds=True)
        # 2: p(t | y): a curve for a density, bars for a pmf
        self.legend_p = self.plot_p.addLegend(offset=(-6, 4), labelTextSize="8pt")
        self.curve_p = self.plot_p.plot(pen=pen(2, 2), name="p(t | y)")
        self.bars_p = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.3, brush=PALETTE[2], pen=pen(2, 1))
        self.plot_p.addItem(self.bars_p)
        self.mark_p = self.plot_p.plot(symbolBrush=PALETTE[1], symbolPen=None, name="observed t", **marker)
        # 3: histogram of the targets, the summed loss and the log-likelihood
        self.legend_h = self.plot_h.addLegend(offset=(4, 4), labelTextSize="8pt")
        self.bars_h = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.1, brush=(128, 128, 128, 110),
                                      pen=pg.mkPen((128, 128, 128), width=1))
        self.plot_h.addItem(self.bars_h)
        self.curve_expect = self.plot_h.plot(pen=pen(2, 1.5, DASH), name="expected n·p(t | y_true)")
        self.curve_sum = self.plot_s.plot(pen=pen(0, 2), name="Σ E")
        self.mark_min = self.plot_s.plot(symbolBrush=PALETTE[0], symbolPen=None, name="minimum", **marker)
        self.curve_ll = self.plot_l.plot(pen=pen(4, 2), name="Σ ln p")
        self.mark_max = self.plot_l.plot(symbolBrush=PALETTE[4], symbolPen=None, name="maximum", **marker)
        # vertical lines: argmin (solid), argmax (dashed), closed form (dotted), y_true (grey) where useful
        self.vlines: dict[str, list[pg.InfiniteLine]] = {}
        styles = {"argmin": pen(0, 1.5), "argmax": pen(4, 1.5, DASH), "closed": pen(1, 2, DOT),
                  "truth": pg.mkPen((150, 150, 150), width=1, style=DASH)}
        homes = {"argmin": (self.plot_s,), "argmax": (self.plot_l,),
                 "closed": (self.plot_h, self.plot_s, self.plot_l), "truth": (self.plot_h,)}
        for key, plots in homes.items():
            self.vlines[key] = []
            for plot in plots:
                line = pg.InfiniteLine(angle=90, movable=False, pen=styles[key])
                plot.addItem(line, ignoreBounds=True)
                self.vlines[key].append(line)
        self._legend_swatches = {}
        for key, name in (("closed", "closed form"), ("truth", "y_true")):
            swatch = pg.PlotDataItem(pen=styles[key])  # a legend entry for the InfiniteLines
            self._legend_swatches[key] = swatch
            self.legend_h.addItem(swatch, name)
        self.closed_label = self.legend_h.getLabel(self._legend_swatches["closed"])

        # -- widgets ------------------------------------------------------------------------------
        self.intro = QtWidgets.QLabel(INTRO)
        self.intro.setWordWrap(True)
        self.formula_e = FormulaLabel()
        self.formula_p = FormulaLabel()
        self.message = QtWidgets.QLabel("")  # the "no noise model" sentence, instead of the plots
        self.message.setWordWrap(True)
        self.message.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        font = self.message.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.message.setFont(font)
        self.message.hide()
        self.warning = warning_label()
        self.fit_text = QtWidgets.QLabel(" ")
        self.fit_text.setWordWrap(True)
        self.fit_text.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ml_text = QtWidgets.QLabel(" ")
        self.ml_text.setWordWrap(True)
        self.ml_text.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info = QtWidgets.QLabel("")
        self.info.setWordWrap(True)
        self.info.hide()

        self.panel = ControlPanel(spin_width=84)
        self.panel.changed.connect(self._from_panel)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setFixedWidth(240)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)

        head = QtWidgets.QHBoxLayout()
        head.addWidget(self.formula_e)
        head.addSpacing(24)
        head.addWidget(self.formula_p)
        head.addStretch(1)
        left = QtWidgets.QVBoxLayout()
        left.addWidget(self.intro)
        left.addLayout(head)
        left.addWidget(self.warning)
        left.addWidget(self.message, 1)
        left.addWidget(self.layout_widget, 1)
        left.addWidget(self.fit_text)
        left.addWidget(self.ml_text)
        left.addWidget(self.info)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(scroll)

        context.selection.changed.connect(self.on_selection_changed)
        context.selection.params_changed.connect(self._selection_params_changed)
        sel = context.selection
        if isinstance(sel.spec, Loss) and sel.spec.name in reg.losses:
            self._set_loss(sel.spec.name, sel.values)
        else:
            self._set_loss(self.loss_name)

    # -- the loss and the selection -----------------------------------------------------------
    @property
    def spec(self) -> Loss | None:
        return self.context.registry.losses.get(self.loss_name)

    def _own_params(self, spec: Loss) -> tuple[Param, ...]:
        """The loss's parameters and target, except any whose name the view uses itself."""
        return tuple(p for p in controls_of(spec) if p.name not in FIXED)

    def _set_loss(self, name: str, values=None) -> None:
        spec = self.context.registry.losses.get(name)
        if spec is None:
            return
        self.loss_name = name
        self.values = {p.name: p.default for p in controls_of(spec)}
        for k, v in dict(values or {}).items():
            if k in self.values:
                self.values[k] = float(v)
        key = (spec.domain, y_param(spec).low, y_param(spec).high)
        if key != self._domain_key:  # another kind of y: start from this kind's defaults
            self._domain_key = key
            self.y, self.y_true = y_param(spec).default, y_param(spec, "y_true").default
        self._sample_key = self._curve_key = self._fit_key = None
        self.formula_e.set_formula(spec.formula, deferred=not self.context.headless)
        nm = spec.noise_model
        self.formula_p.set_formula(nm.formula if nm else "", deferred=not self.context.headless)
        self._rebuild_panel()
        self.schedule_refresh()

    def _rebuild_panel(self) -> None:
        controls = self.controls()
        self.panel.build(controls, {c.name: self.control_value(c.name) for c in controls})

    def on_selection_changed(self) -> None:
        sel = self.context.selection
        if isinstance(sel.spec, Loss) and sel.spec.name in self.context.registry.losses:
            self._set_loss(sel.spec.name, sel.values)

    def _selection_params_changed(self) -> None:
        sel = self.context.selection
        if not isinstance(sel.spec, Loss) or sel.spec.name != self.loss_name or self._syncing:
            return
        changed = False
        for k, v in sel.values.items():
            if k in self.values and self.values[k] != v:
                self.values[k] = float(v)
                self._show_value(k, v)
                changed = True
        if changed:
            self.schedule_refresh()

    def _show_value(self, name: str, value) -> None:
        widget = self.panel.widgets.get(name)
        if widget is not None and widget.value() != value:
            self._syncing = True
            try:
                widget.setValue(value)
            finally:
                self._syncing = False

    def _from_panel(self, name: str, value) -> None:
        if self._syncing:
            return
        try:
            self.set_control(name, value)
        except (ValueError, KeyError) as exc:
            self.context.status(str(exc))

    # -- controls ------------------------------------------------------------------------------
    def controls(self):
        spec = self.spec
        if spec is None:
            return ()
        return (
            Choice("loss", self.loss_name, tuple(self.context.registry.losses),
                   help="the loss to read as a negative log-likelihood (follows the browser)"),
            *self._own_params(spec),
            y_param(spec),
            Param("seed", 1, 0, MAX_SEED, step=1, label="seed", help="random seed of the sampled targets"),
            Param("n", 51, 1, MAX_N, step=1, label="n targets", help="how many targets to sample"),
            y_param(spec, "y_true"),
        )

    def control_value(self, name: str):
        if name == "loss":
            return self.loss_name
        if name == "y":
            return self.y
        if name == "y_true":
            return self.y_true
        if name == "seed":
            return float(self.seed)
        if name == "n":
            return float(self.n)
        if name in self.values:
            return self.values[name]
        raise KeyError(name)

    def set_control(self, name: str, value) -> None:
        by_name = {c.name: c for c in self.controls()}
        if name not in by_name:
            raise KeyError(name)
        control = by_name[name]
        if isinstance(control, Choice):
            if value not in control.options:
                raise ValueError(f"{name}={value!r} is not one of {', '.join(control.options)}")
            if value != self.loss_name:
                self._set_loss(value)
            return
        value = float(value)
        if not math.isfinite(value) or not control.low <= value <= control.high:
            raise ValueError(f"{name}={value:g} is outside [{control.low:g}, {control.high:g}]")
        if name in ("seed", "n"):
            if value != round(value):
                raise ValueError(f"{name}={value:g} is not a whole number")
            setattr(self, name, int(round(value)))
        elif name == "y":
            self.y = value
        elif name == "y_true":
            self.y_true = value
        else:
            self.values[name] = value
            sel = self.context.selection
            if isinstance(sel.spec, Loss) and sel.spec.name == self.loss_name and name in sel.values:
                self._syncing = True
                try:
                    sel.set_value(name, value)  # keep the browser's copy in step
                finally:
                    self._syncing = False
        self._show_value(name, value)
        self.schedule_refresh()

    def apply_settings(self, settings) -> None:
        settings = dict(settings)
        if "loss" in settings:  # the loss decides which other keys exist
            super().apply_settings({"loss": settings.pop("loss")})
        super().apply_settings(settings)

    def state(self):
        return {c.name: self.control_value(c.name) for c in self.controls()}

    def restore(self, state) -> None:
        state = dict(state)
        if "loss" in state:
            super().restore({"loss": state.pop("loss")})
        super().restore(state)

    # -- drawing ------------------------------------------------------------------------------
    def _clear_arrays(self) -> None:
        empty = np.zeros(0)
        self.y_grid = self.e_values = self.nlp_values = self.fit_values = empty
        self.density = lk.Density(empty, empty, False)
        self.hist_x = self.hist_counts = self.expect_t = self.expect_counts = empty
        self.hist_width = 0.0

    def _show_plots(self, on: bool) -> None:
        self.layout_widget.setVisible(on)
        self.formula_p.setVisible(on)
        self.fit_text.setVisible(on)
        self.ml_text.setVisible(on)

    def redraw(self) -> None:
        start = time.perf_counter()
        spec = self.spec
        problems: list[str] = []
        notes: list[str] = []
        if spec is None:
            self.message.setText("No loss is registered, so there is nothing to read as a likelihood.")
        elif spec.noise_model is None:
            self.message.setText(no_noise_sentence(spec))
        self.message.setVisible(spec is None or spec.noise_model is None)
        if spec is None or spec.noise_model is None:
            self._show_plots(False)
            self._clear_arrays()
            self.ml, self.fit, self.targets = None, None, np.zeros(0)
            self.warning.hide()
            self.info.hide()
            self.redraw_ms = (time.perf_counter() - start) * 1e3
            return
        self._show_plots(True)
        for step in (self._draw_fit, self._draw_density, self._draw_samples):
            try:
                step(spec, notes)
            except (EvaluationError, ValueError) as exc:
                problems.append(f"{spec.label} ({spec.plugin or 'plugin'}): {exc}")
        self.warning.setText("\n".join(problems))
        self.warning.setVisible(bool(problems))
        self.info.setText("  ".join(notes))
        self.info.setVisible(bool(notes))
        self.redraw_ms = (time.perf_counter() - start) * 1e3

    @property
    def params(self) -> dict[str, float]:
        spec = self.spec
        return {p.name: self.values[p.name] for p in spec.params} if spec else {}

    @property
    def t(self) -> float:
        spec = self.spec
        return self.values.get(spec.target.name, spec.target.default)

    def _draw_fit(self, spec: Loss, notes: list[str]) -> None:
        """Plot 1: E(y; t), −ln p(t | y) and c·(−ln p) + const over y, c and const printed."""
        nm, params, t = spec.noise_model, self.params, self.t
        e_at = evaluation.value(spec, np.array([self.y]), params, t)
        self.mark_e.setData([self.y], _finite(e_at))
        self.line_y.setPos(self.y)
        self._frame_e(spec)
        curve_key = (spec.name, tuple(sorted(params.items())), t)
        if curve_key == self._curve_key:  # only y moved: the marker above is all that changes
            notes.extend(self._notes["fit"])
            return
        self._curve_key = None
        self._notes["fit"] = []
        yp = y_param(spec)
        ys = np.linspace(yp.low, yp.high, TOP_POINTS)
        self.y_grid = ys
        self.e_values = self.nlp_values = self.fit_values = np.full(ys.shape, np.nan)
        self.fit = None
        fit_key = (spec.name, tuple(sorted(params.items())))
        if fit_key != self._fit_key:
            self._fit_all = lk.fit_scale_offset(spec, params=params)  # over every target value
            self._fit_key = fit_key
        fit_all = self._fit_all
        fit = lk.fit_scale_offset(spec, t=[t], params=params)  # the constant at this t
        self.fit = fit
        self.e_values = evaluation.value(spec, ys, params, t)
        self.nlp_values = -lk.log_density(nm, t, ys, params)
        with np.errstate(invalid="ignore", over="ignore"):
            self.fit_values = fit.c * self.nlp_values + fit.const
        self.curve_e.setData(ys, _finite(self.e_values), connect="finite")
        self.curve_nlp.setData(ys, _finite(self.nlp_values), connect="finite")
        self.curve_fit.setData(ys, _finite(self.fit_values), connect="finite")
        self._e_window = None
        bad = int(np.count_nonzero(~np.isfinite(self.e_values) | ~np.isfinite(self.nlp_values)))
        if bad:
            self._notes["fit"].append(f"Plot 1: E or −ln p is not finite at {bad} of {ys.size} y (left blank).")
        notes.extend(self._notes["fit"])
        self._title(self.plot_e, f"1 · t = {t:.3g}: E = {fit.c:.4g}·(−ln p) {'+' if fit.const >= 0 else '−'} "
                             f"{abs(fit.const):.4g}")
        text = (f"<b>E = −c·ln p(t | y) + const</b> fitted over y: c = <b>{fit.c:.6g}</b>, "
                f"const = <b>{fit.const:.6g}</b> at t = {t:.4g} (largest misfit {fit.max_residual:.2g})")
        if fit_all is not None and fit_all.points:
            if fit_all.const_spread > 1e-9:
                text += (f"; over all t, c = {fit_all.c:.6g} and the constant varies with t (by "
                         f"{fit_all.const_spread:.3g}) but not with y, so the minimiser does not move")
            else:
                text += f"; the same c and const for every t (c = {fit_all.c:.6g}, const = {fit_all.const:.6g})"
        if not fit.identifiable:
            text += ". −ln p does not vary with y here, so c is not identifiable (shown as 1)"
        scale = max(1.0, float(np.nanmax(np.abs(_finite(self.e_values)), initial=0.0)))
        if fit.points and fit.max_residual > 1e-6 * scale:
            text += (f". <span style='color:#c0392b'>E is not an affine function of −ln p: misfit "
                     f"{fit.max_residual:.3g}</span>")
        self.fit_text.setText(text + ".")
        self._curve_key = curve_key
        self._frame_e(spec)

    def _frame_e(self, spec: Loss) -> None:
        """Plot 1 shows y within ±3 of E's minimum (and the current y), with headroom for the legend.

        The whole y range would let a steep loss (Poisson's e^y) flatten everything else.
        """
        ys, e = self.y_grid, self.e_values
        if not ys.size:
            return
        ok = np.isfinite(e)
        if spec.domain == "probability" or not ok.any():
            low, high = float(ys[0]), float(ys[-1])
        else:
            best = float(ys[ok][np.argmin(e[ok])])
            low, high = max(float(ys[0]), best - 3.0), min(float(ys[-1]), best + 3.0)
        low, high = min(low, self.y - 0.25), max(high, self.y + 0.25)
        window = (low, high)
        if window == self._e_window:
            return
        self._e_window = window
        inside = (ys >= low) & (ys <= high)
        shown = np.concatenate([e[inside], self.nlp_values[inside]])
        shown = shown[np.isfinite(shown)]
        self.plot_e.setXRange(low, high, padding=0.02)
        if shown.size:  # a fixed range with headroom for the legend (autorange would hide it)
            bottom, top = float(shown.min()), float(shown.max())
            top = max(top, bottom + 1e-9)
            self.plot_e.setYRange(bottom, bottom + 1.4 * (top - bottom), padding=0.02)

    def _draw_density(self, spec: Loss, notes: list[str]) -> None:
        """Plot 2: p(t | y) for the current y; bars for a pmf, a curve for a density."""
        nm, params, t, y = spec.noise_model, self.params, self.t, self.y
        tp = spec.target
        self.density = lk.Density(np.zeros(0), np.zeros(0), nm.support != "real")
        if nm.support == "real":
            low = tp.low if tp.low >= 0 else min(tp.low, y - 3.0)
            grid = np.linspace(low, max(tp.high, y + 3.0), TOP_POINTS)
            self.density = d = lk.density_over_t(nm, y, grid, params)
            self.curve_p.setData(d.t, _finite(d.p), connect="finite")
            self.bars_p.setOpts(x=[0.0], height=[0.0], width=0.0)
            self.bars_p.hide()
            self.curve_p.show()
            self._legend_entry(self.curve_p)
            at = lk.density_over_t(nm, y, np.array([t]), params).p
            self.mark_p.setData([t], _finite(at))
            self._label(self.plot_p, "target t")
        else:
            outcomes = lk.target_values(spec, nm) if nm.support == "binary" else None
            self.density = d = lk.density_over_t(nm, y, params=params, outcomes=outcomes)
            width = min(0.4 * (float(np.min(np.diff(d.t))) if d.t.size > 1 else 1.0), 0.8)
            self.bars_p.setOpts(x=d.t, height=_finite(d.p), width=width)
            self.bars_p.show()
            self.curve_p.setData([], [])
            self.curve_p.hide()
            self._legend_entry(self.bars_p)
            if nm.support == "binary" and np.any(d.t == t):
                self.mark_p.setData([t], _finite(d.p[d.t == t][:1]))
            elif nm.support == "categorical":
                self.mark_p.setData([1.0 if t >= 0.5 else 2.0], _finite(d.p[:1] if t >= 0.5 else d.p[1:2]))
            else:
                self.mark_p.setData([], [])
            self._label(self.plot_p, "class c (t = 1 means class 1)" if nm.support == "categorical"
                                 else "outcome t")
        finite = d.p[np.isfinite(d.p)]
        top = float(finite.max()) if finite.size else 1.0
        self.plot_p.setYRange(0.0, max(top, 1e-12) * 1.6, padding=0)  # headroom for the legend
        self.plot_p.setXRange(float(d.t[0]) - (0.5 if d.discrete else 0.0),
                              float(d.t[-1]) + (0.5 if d.discrete else 0.0), padding=0.02)
        kind = "pmf" if d.discrete else "density"
        self._title(self.plot_p, f"2 · {nm.name} {kind} at y = {y:.3g}")
        bad = int(np.count_nonzero(~np.isfinite(d.p)))
        if bad:
            notes.append(f"Plot 2: p is not finite at {bad} of {d.p.size} t (left blank).")

    def _candidate_grid(self, spec: Loss, closed: float | None) -> np.ndarray:
        yp = y_param(spec, "y_true")
        if spec.domain == "probability":
            grid = np.linspace(0.0, 1.0, ML_POINTS)
        else:
            low, high = yp.low, yp.high
            t = self.targets[np.isfinite(self.targets)]
            if spec.noise_model.support == "real" and t.size:
                q_low, q_high = np.quantile(t, [0.01, 0.99])  # heavy tails (Cauchy) must not stretch the grid
                low, high = min(low, float(q_low)), max(high, float(q_high))
            grid = np.linspace(low, high, ML_POINTS)
        if closed is not None and math.isfinite(closed):  # the closed form itself is a candidate
            grid = np.unique(np.append(grid, closed))
        return grid

    def _draw_samples(self, spec: Loss, notes: list[str]) -> None:
        """Plot 3: a histogram of the sampled targets, Σ E and Σ ln p over candidate y."""
        nm, params = spec.noise_model, self.params
        key = (spec.name, tuple(sorted(params.items())), self.seed, self.n, self.y_true)
        if key == self._sample_key:  # nothing in plot 3 depends on y or t
            notes.extend(self._notes["samples"])
            return
        self._sample_key = None
        self._notes["samples"] = []
        self.ml = None
        self.targets = lk.sample_targets(nm, self.y_true, self.n, self.seed, params)
        closed = lk.closed_form_estimate(nm, self.targets)
        grid = self._candidate_grid(spec, closed)
        self.ml = ml = lk.maximum_likelihood(spec, grid, self.targets, params)
        targets = self.targets
        grid = ml.y_grid
        self.curve_sum.setData(grid, _finite(ml.total_loss), connect="finite")
        self.curve_ll.setData(grid, _finite(ml.log_likelihood), connect="finite")
        window = self._ml_window(spec, ml, targets)
        self.plot_l.setXRange(*window, padding=0.02)  # h and s are linked to it
        self._draw_histogram(spec, targets, np.array(window))

        def place(key: str, value: float | None) -> None:
            for line in self.vlines[key]:
                line.setVisible(value is not None)
                if value is not None:
                    line.setPos(value)

        place("argmin", ml.argmin_loss)
        place("argmax", ml.argmax_likelihood)
        place("closed", ml.closed_form)
        place("truth", self.y_true)
        self._text(self.closed_label, ESTIMATOR_WORDS.get(ml.estimator, ml.estimator) if ml.closed_form is not None
                                  else "closed form (none)")
        if ml.argmin_loss is not None:
            i = int(np.searchsorted(grid, ml.argmin_loss))
            self.mark_min.setData([ml.argmin_loss], _finite(ml.total_loss[i:i + 1]))
        else:
            self.mark_min.setData([], [])
        if ml.argmax_likelihood is not None:
            i = int(np.searchsorted(grid, ml.argmax_likelihood))
            self.mark_max.setData([ml.argmax_likelihood], _finite(ml.log_likelihood[i:i + 1]))
        else:
            self.mark_max.setData([], [])
        self._title(self.plot_s, f"Σ E(y, t_α): min at {_fmt(ml.argmin_loss)}")
        self._title(self.plot_l, f"Σ ln p(t_α | y): max at {_fmt(ml.argmax_likelihood)}")
        word = ESTIMATOR_WORDS.get(ml.estimator, "")
        closed = f"{word} = {_fmt(ml.closed_form)}" if ml.closed_form is not None else "no closed form"
        self._title(self.plot_h, f"3 · {targets.size} targets; {closed}")

        step = float(np.median(np.diff(grid))) if grid.size > 1 else 0.0
        text = (f"<b>{targets.size} sampled targets:</b> minimiser of Σ E = <b>{_fmt(ml.argmin_loss)}</b>, "
                f"maximiser of Σ ln p = <b>{_fmt(ml.argmax_likelihood)}</b>, ")
        if ml.closed_form is not None:
            text += f"closed form ({html.escape(word)} of the targets) = <b>{_fmt(ml.closed_form)}</b>"
            if ml.argmin_loss is not None and abs(ml.argmin_loss - ml.closed_form) <= 1.01 * step:
                text += " — the three coincide"
            if ml.estimator == "median" and targets.size % 2 == 0:
                text += (". With an even n every y between the two middle targets minimises Σ|t − y|: "
                         "the median is their midpoint")
        else:
            text += (f"and {html.escape(nm.name)} noise has no closed-form estimate: the minimiser and the "
                     "maximiser still coincide")
        text += f" (grid step {step:.2g})."
        self.ml_text.setText(text)
        for label, values in (("Σ E", ml.total_loss), ("Σ ln p", ml.log_likelihood)):
            bad = int(np.count_nonzero(~np.isfinite(values)))
            if bad:
                self._notes["samples"].append(
                    f"Plot 3: {label} is not finite at {bad} of {grid.size} candidate y (left blank).")
        notes.extend(self._notes["samples"])
        self._sample_key = key

    def _ml_window(self, spec: Loss, ml: lk.MaximumLikelihood, targets: np.ndarray) -> tuple[float, float]:
        """The candidate y shown: the data's bulk, the optimum ± a margin and y_true, inside the grid."""
        grid = ml.y_grid
        if spec.domain == "probability":
            return float(grid[0]), float(grid[-1])
        points = [self.y_true]
        for v in (ml.argmin_loss, ml.argmax_likelihood, ml.closed_form):
            if v is not None:
                points += [v - 1.5, v + 1.5]
        t = targets[np.isfinite(targets)]
        if t.size:
            points += [float(v) for v in np.quantile(t, [0.01, 0.99])]
        low, high = max(float(grid[0]), min(points) - 0.25), min(float(grid[-1]), max(points) + 0.25)
        return (low, high) if high > low else (float(grid[0]), float(grid[-1]))

    def _draw_histogram(self, spec: Loss, targets: np.ndarray, grid: np.ndarray) -> None:
        """Bars at each value for discrete targets, else bins over the shown window ``grid`` = [low, high]."""
        nm, params = spec.noise_model, self.params
        finite = targets[np.isfinite(targets)]
        span = float(grid[-1] - grid[0]) or 1.0
        values, counts = np.unique(finite, return_counts=True)
        self.expect_t = self.expect_counts = np.zeros(0)
        if nm.support != "real" or (values.size <= 60 and np.all(values == np.round(values))):
            gaps = np.diff(values)
            width = min(0.8 * float(gaps.min()) if gaps.size else 1.0, 0.04 * span)
            self.hist_x, self.hist_counts, self.hist_width = values, counts.astype(float), width
            self._label(self.plot_h, "t")
            if nm.support == "binary":  # expected counts n·P(t | y_true) at each outcome
                d = lk.density_over_t(nm, self.y_true, params=params, outcomes=lk.target_values(spec, nm))
                self.expect_t, self.expect_counts = d.t, finite.size * d.p
            self.curve_expect.setData(self.expect_t, _finite(self.expect_counts), pen=None, symbol="t1",
                                      symbolSize=11, symbolBrush=PALETTE[2], symbolPen=None)
        else:
            inside = finite[(finite >= grid[0]) & (finite <= grid[-1])]
            bins = int(min(40, max(8, math.sqrt(max(inside.size, 1)) * 2)))
            counts, edges = np.histogram(inside, bins=bins, range=(float(grid[0]), float(grid[-1])))
            width = float(edges[1] - edges[0])
            self.hist_x, self.hist_counts, self.hist_width = 0.5 * (edges[:-1] + edges[1:]), counts.astype(float), width
            t = np.linspace(float(grid[0]), float(grid[-1]), TOP_POINTS)
            self.expect_t = t
            self.expect_counts = finite.size * width * lk.density_over_t(nm, self.y_true, t, params).p
            outside = finite.size - inside.size
            if outside:
                self._label(self.plot_h, f"t  ({outside} targets beyond the axis)")
            else:
                self._label(self.plot_h, "t")
            self.curve_expect.setData(self.expect_t, _finite(self.expect_counts), connect="finite",
                                      pen=pen(2, 1.5, DASH), symbol=None)
        self.bars_h.setOpts(x=self.hist_x, height=self.hist_counts, width=self.hist_width)
        top = float(max(self.hist_counts.max(initial=0.0),
                        np.nanmax(_finite(self.expect_counts), initial=0.0)))
        self.plot_h.setYRange(0.0, max(top, 1.0) * 1.75, padding=0)  # headroom for the legend

    def _legend_entry(self, item) -> None:
        """Plot 2's legend names whichever of the curve and the bars is showing."""
        if self.legend_p.getLabel(item) is None:
            for other in (self.curve_p, self.bars_p):
                self.legend_p.removeItem(other)
            self.legend_p.addItem(item, "p(t | y)")

    # setTitle/setLabel re-lay out HTML text (~0.1 ms each): only touch what changed
    def _title(self, plot: pg.PlotItem, text: str) -> None:
        if getattr(plot, "_actviz_title", None) != text:
            plot._actviz_title = text
            plot.setTitle(text, size="9pt")

    def _label(self, plot: pg.PlotItem, text: str) -> None:
        if getattr(plot, "_actviz_bottom", None) != text:
            plot._actviz_bottom = text
            plot.setLabel("bottom", text)

    @staticmethod
    def _text(label, text: str) -> None:
        if label.text != text:
            label.setText(text)

    # -- export -------------------------------------------------------------------------------
    def export_item(self):
        return self.layout_widget.ci

    def export_columns(self) -> dict[str, np.ndarray]:
        spec = self.spec
        if spec is None or spec.noise_model is None:
            return {}
        cols: dict[str, np.ndarray] = {
            "y": self.y_grid, "E(y;t)": self.e_values, "-ln p(t|y)": self.nlp_values,
            "c*(-ln p)+const": self.fit_values,
            "t (density)": self.density.t, "p(t|y)": self.density.p,
            "targets": self.targets,
            "histogram t": self.hist_x, "histogram count": self.hist_counts,
        }
        if self.expect_t.size:
            cols["expected t"] = self.expect_t
            cols["expected count"] = self.expect_counts
        if self.fit is not None:
            cols["c"] = np.array([self.fit.c])
            cols["const"] = np.array([self.fit.const])
        if self.ml is not None:
            ml = self.ml
            cols["candidate y"] = ml.y_grid
            cols["total loss"] = ml.total_loss
            cols["log-likelihood"] = ml.log_likelihood
            for name, v in (("argmin total loss", ml.argmin_loss), ("argmax log-likelihood", ml.argmax_likelihood),
                            ("closed form", ml.closed_form)):
                cols[name] = np.array([np.nan if v is None else v])
        return cols

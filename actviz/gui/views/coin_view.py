"""The coin-flip view: k heads in n flips, the likelihood of the bias θ, and why it is the cross-entropy minimum.

Five plots over one set of counts (k, n): the normalised likelihood L(θ), the
log-likelihood ℓ(θ), the mean binary cross-entropy of the constant prediction θ
drawn on top of −ℓ(θ)/n, the estimate θ̂ of a seeded simulated coin after each
flip, and an optional Beta(a, b) prior with its posterior. The counts are either
typed (k, n spin boxes) or the simulated coin's (``source``); flipping the coin
switches to its counts, editing k or n switches back. All the math is
:mod:`actviz.coin`; this module samples θ, draws and explains.
"""

from __future__ import annotations

import html
import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui.controls import ControlPanel
from actviz.gui.viewbase import PALETTE, Choice, ViewContext, ViewWidget, control_column, guard_plot, pen, warning_label
from actviz.maths import coin
from actviz.specs import Param

MAX_FLIPS = 10_000_000
MAX_SEED = 2**31 - 1
COARSE = 501  # θ grid over [0, 1]
DENSE = 201  # extra θ points around each peak, so a peak of width 1/√n is resolved at n = 10⁷
STRIP = 60  # flips shown in the H/T strip
TRAJECTORY_POINTS = 1000
FLIP_BUTTONS = (1, 10, 100, 10_000)
LEGEND = {"offset": (4, 4), "labelTextSize": "7pt", "verSpacing": -6}
CENTRAL = (0.01, 0.99)  # the y ranges of ℓ and the loss are fitted to θ in here (they are infinite at the ends)

ML = "θ<sub>ML</sub>"  # the maximum-likelihood estimate θ̂ (combining hats render badly in many Qt fonts)
INTRO = ("<b>What is the coin's bias θ?</b> k heads in n flips have likelihood L(θ) = θ<sup>k</sup>"
         f"(1−θ)<sup>n−k</sup>, largest at {ML} = k/n; its log ℓ(θ) peaks at the same {ML}.")
IDENTITY = ("<b>Why the cross-entropy minimum is the same point:</b> with targets t = 1 (heads) and 0 (tails), "
            "the mean binary cross-entropy of predicting θ for every flip is (1/n)·Σ[−t ln θ − (1−t) ln(1−θ)] "
            "= −[k ln θ + (n−k) ln(1−θ)]/n = <b>−ℓ(θ)/n</b>: ℓ upside down and scaled, never shifted sideways. "
            f"So minimising the loss <i>is</i> maximising the likelihood: in plot 3 both curves coincide, "
            f"with the minimum at {ML} = k/n.")
PRIOR_ON = ("Plot 5: posterior Beta(k+a, n−k+b) from the prior Beta(a, b); <b>MAP</b> = its mode "
            "(k+a−1)/(n+a+b−2), <b>mean</b> = (k+a)/(n+a+b) (the prior counts as a heads and b tails). "
            f"Green band: the 95% <b>likelihood</b> interval {{θ : ℓ(θ) ≥ ℓ({ML}) − 1.92}}, which uses no prior.")
PRIOR_OFF = (f"Green band: the 95% likelihood interval {{θ : ℓ(θ) ≥ ℓ({ML}) − 1.92}} (L/L({ML}) ≥ 0.147). "
             "Set <i>Beta prior</i> = on for a prior, the posterior, its MAP and mean (plot 5).")
SOURCE_TEXT = {
    "typed": "Data: the typed k and n. Flipping the coin switches to its counts.",
    "simulation": "Data: the simulated coin's flips (k = heads, n = flips). Editing k or n switches back to typed.",
}


def _finite(values: np.ndarray) -> np.ndarray:
    """NaN where not finite, so ``connect="finite"`` leaves a gap instead of drawing ±inf."""
    return np.where(np.isfinite(values), values, np.nan)


def _corner(legend: pg.LegendItem, x: float, top: bool = True) -> None:
    """Pin ``legend`` to the top (or bottom) of its plot, at the left (x = 0), centre (0.5) or right (1)."""
    y = 0.0 if top else 1.0
    if getattr(legend, "_actviz_corner", None) == (x, y):
        return
    legend._actviz_corner = (x, y)
    legend.anchor(itemPos=(x, y), parentPos=(x, y), offset=(4 - 8 * x, 4 if top else -4))


def _curve(plot: pg.PlotItem, name: str | None = None, **opts) -> pg.PlotCurveItem:
    item = pg.PlotCurveItem(name=name, connect="finite", **opts)
    plot.addItem(item)
    return item


def _dot(plot: pg.PlotItem, name: str | None = None) -> pg.ScatterPlotItem:
    item = pg.ScatterPlotItem(size=9, symbol="o", pen=pg.mkPen(PALETTE[1], width=1.5), brush=pg.mkBrush(PALETTE[1]),
                              name=name)
    plot.addItem(item)
    return item


def _band(lower: float, upper: float, top: float) -> tuple[np.ndarray, np.ndarray]:
    return np.array([lower, lower, upper, upper]), np.array([0.0, top, top, 0.0])


class CompactAxis(pg.AxisItem):
    """Tick labels of at most ~7 characters (ℓ reaches −10⁸ at n = 10⁷), so a fixed axis width always fits them.

    pyqtgraph widens an axis only after a paint that found its labels too long,
    so a one-shot export would otherwise draw the ℓ axis without labels.
    """

    def tickStrings(self, values, scale, spacing):
        return [(f"{v * scale:.6g}" if abs(v * scale) < 1e6 else f"{v * scale:.3g}").replace("-", "−")
                for v in values]


class CoinView(ViewWidget):
    """Likelihood, log-likelihood, cross-entropy, convergence and a Beta posterior for a coin's bias."""

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        self._k, self._n = 8, 10  # the typed counts
        self.source = "typed"
        self.p, self.seed = 0.3, 1
        self.prior, self.a, self.b = False, 2.0, 2.0
        self.sim = coin.CoinSimulator(self.p, self.seed)
        self._flips = 0  # how many times the coin has been flipped (the simulator catches up lazily)
        self._sim_stale = False
        self._syncing = False
        self.redraw_ms = 0.0
        self._ranges: dict[pg.PlotItem, tuple[float, float]] = {}
        self._relayout = False
        self._empty_arrays()

        self.layout_widget = pg.GraphicsLayoutWidget()
        lw = self.layout_widget
        small = {"size": "8pt"}
        self.plot_lik = lw.addPlot(row=0, col=0, title="1 · likelihood L(θ)", **small)
        self.plot_ll = lw.addPlot(row=0, col=1, title="2 · log-likelihood ℓ(θ)",
                                  axisItems={"left": CompactAxis("left")}, **small)
        self.plot_bce = lw.addPlot(row=1, col=0, title="3 · mean BCE = −ℓ(θ)/n",
                                   axisItems={"left": CompactAxis("left")}, **small)
        self.plot_post = lw.addPlot(row=1, col=1, title="5 · prior → posterior",
                                    axisItems={"left": CompactAxis("left")}, **small)
        self.plot_traj = lw.addPlot(row=2, col=0, colspan=2, title=f"4 · {ML} of the simulated coin as it is flipped",
                                    **small)
        self.theta_plots = (self.plot_lik, self.plot_ll, self.plot_bce, self.plot_post)
        for plot in (*self.theta_plots, self.plot_traj):
            guard_plot(plot)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMenuEnabled(False)
            for side in ("left", "bottom"):  # no "(M)" unit prefixes; and no label re-render on every range change
                plot.getAxis(side).enableAutoSIPrefix(False)
        self._metrics = QtGui.QFontMetrics(self.layout_widget.font())
        for plot in self.theta_plots:
            plot.setLabel("bottom", "θ")
            plot.setXRange(0.0, 1.0, padding=0.02)
            plot.setLimits(xMin=-0.05, xMax=1.05)
        self.plot_lik.setLabel("left", f"L(θ) / L({ML})")
        self.plot_ll.setLabel("left", "ℓ(θ)")
        self.plot_bce.setLabel("left", "mean BCE")
        self.plot_post.setLabel("left", "density")
        self.plot_traj.setLabel("left", f"{ML} = heads / flips")
        self.plot_traj.setLabel("bottom", "flips so far (log scale)")
        self.plot_traj.setLogMode(x=True, y=False)
        self.plot_traj.setYRange(0.0, 1.0, padding=0.02)
        self.plot_lik.setYRange(0.0, 1.3, padding=0)
        for plot in (self.plot_ll, self.plot_bce, self.plot_post):
            plot.enableAutoRange(axis="x", enable=False)
        self.plot_post.setYRange(0.0, 1.0)

        background = pg.mkBrush(pg.getConfigOption("background"))
        band_brush = pg.mkBrush(QtGui.QColor(PALETTE[2]).red(), QtGui.QColor(PALETTE[2]).green(),
                                QtGui.QColor(PALETTE[2]).blue(), 60)
        dash, dot = QtCore.Qt.PenStyle.DashLine, QtCore.Qt.PenStyle.DotLine
        # (PlotCurveItem and ScatterPlotItem directly: PlotDataItem's extra layer cost ~0.5 ms per setData)
        # 1: the likelihood, its peak and the 95% interval
        self.band_lik = _curve(self.plot_lik, pen=None, fillLevel=0.0, brush=band_brush)
        self.curve_lik = _curve(self.plot_lik, pen=pen(0))
        self.mark_lik = _dot(self.plot_lik)
        # 2: ℓ(θ)
        self.curve_ll = _curve(self.plot_ll, pen=pen(0))
        self.mark_ll = _dot(self.plot_ll)
        # 3: the loss and −ℓ/n on top of each other
        self.legend_bce = self.plot_bce.addLegend(**LEGEND)
        self.curve_bce = _curve(self.plot_bce, "mean BCE", pen=pen(3, 2))
        self.curve_negll = _curve(self.plot_bce, "−ℓ(θ)/n", pen=pen(0, 2, dash))
        self.mark_bce = _dot(self.plot_bce)
        # 4: the estimate as the coin is flipped (PlotDataItem: it follows the log x axis)
        self.legend_traj = self.plot_traj.addLegend(**LEGEND)
        self.curve_p = self.plot_traj.plot(pen=pen(1, 2, dash), name="true p")
        self.curve_traj = self.plot_traj.plot(pen=pen(0, 2), name=f"{ML} after n flips")
        # 5: prior and posterior
        self.legend_post = self.plot_post.addLegend(**LEGEND, colCount=2)
        self.band_post = _curve(self.plot_post, "95% int.", pen=None, fillLevel=0.0, brush=band_brush)
        self.curve_prior = _curve(self.plot_post, "prior", pen=pen(5, 2, dash))
        self.curve_post = _curve(self.plot_post, "posterior", pen=pen(4))
        self.mark_map = _curve(self.plot_post, "MAP", pen=pen(1, 2))
        self.mark_mean = _curve(self.plot_post, "mean", pen=pen(2, 2, dot))
        # printed θ̂ and the "nothing to draw" messages
        self.hat_text = pg.TextItem("", anchor=(0.5, 1.0), color=PALETTE[1])
        self.plot_lik.addItem(self.hat_text, ignoreBounds=True)
        self.messages: dict[str, pg.TextItem] = {}
        for key, plot in (("lik", self.plot_lik), ("ll", self.plot_ll), ("bce", self.plot_bce),
                          ("traj", self.plot_traj), ("post", self.plot_post)):
            text = pg.TextItem("", anchor=(0, 0), color=pg.getConfigOption("foreground"), fill=background)
            text.hide()
            text.setZValue(100)
            text.setParentItem(plot.vb)  # in the view box's own pixels: stays put whatever the range
            text.setPos(8, 30 if key in ("lik", "ll", "post") else 8)
            self.messages[key] = text

        # -- widgets ------------------------------------------------------------------------------
        self.intro = QtWidgets.QLabel(INTRO)
        self.intro.setWordWrap(True)
        self.warning = warning_label()
        self.readout = QtWidgets.QLabel(" ")
        self.readout.setWordWrap(True)
        self.readout.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.identity = QtWidgets.QLabel(IDENTITY)
        self.identity.setWordWrap(True)
        self.prior_note = QtWidgets.QLabel(PRIOR_OFF)
        self.prior_note.setWordWrap(True)
        self.prior_note.setStyleSheet("font-size: small;")
        self.strip = QtWidgets.QLabel(" ")
        self.strip.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.strip.setWordWrap(True)
        self.source_label = QtWidgets.QLabel(SOURCE_TEXT[self.source])
        self.source_label.setWordWrap(True)
        self.k_note = QtWidgets.QLabel("")
        self.k_note.setStyleSheet("color: #c0392b; font-size: small;")
        self.k_note.setWordWrap(True)
        self.k_note.hide()

        by_name = {c.name: c for c in self.controls()}
        values = {name: self.control_value(name) for name in by_name}
        self.panels: dict[str, ControlPanel] = {}
        groups = {"Data": ("k", "n", "source"), "Simulated coin": ("p", "seed", "flips"),
                  "Beyond the lecture": ("prior", "a", "b")}
        boxes = {}
        for title, names in groups.items():
            panel = ControlPanel(spin_width=96)
            panel.build([by_name[n] for n in names], values)
            panel.reset_all.hide()
            panel.layout().setContentsMargins(0, 0, 0, 0)
            panel.changed.connect(self._from_panel)
            for name in names:
                self.panels[name] = panel
            box = QtWidgets.QGroupBox(title)
            box_layout = QtWidgets.QVBoxLayout(box)
            box_layout.setContentsMargins(4, 4, 4, 4)
            box_layout.addWidget(panel)
            boxes[title] = box
        self.widgets = {name: self.panels[name].widgets[name] for name in by_name}
        for name, widget in self.widgets.items():
            spin = getattr(widget, "spin", None)
            if spin is None:
                continue
            if name in ("k", "n", "seed", "flips"):  # whole numbers typed in a spin box; a slider over 10⁷ is useless
                spin.setDecimals(0)
                widget.slider.hide()
        data_box = boxes["Data"].layout()
        data_box.addWidget(self.k_note)
        data_box.addWidget(self.source_label)
        self.flip_buttons: dict[int, QtWidgets.QPushButton] = {}
        grid = QtWidgets.QGridLayout()
        for i, m in enumerate(FLIP_BUTTONS):
            button = QtWidgets.QPushButton(f"flip ×{m:,}".replace(",", " "))
            button.setToolTip(f"flip the simulated coin {m:,} times and use its counts as the data")
            button.clicked.connect(lambda _=False, m=m: self.flip(m))
            grid.addWidget(button, i // 2, i % 2)
            self.flip_buttons[m] = button
        self.reset_button = QtWidgets.QPushButton("reset coin")
        self.reset_button.setToolTip("forget all flips and restart the random stream from the seed")
        self.reset_button.clicked.connect(self.reset_coin)
        grid.addWidget(self.reset_button, 2, 0, 1, 2)
        coin_box = boxes["Simulated coin"].layout()
        coin_box.addLayout(grid)
        hint = QtWidgets.QLabel("The seed fixes the random stream: the same seed and number of flips repeat "
                                "a run exactly; changing p or the seed re-flips the same number of times.")
        hint.setWordWrap(True)
        hint.setStyleSheet("font-size: small;")
        coin_box.addWidget(hint)

        side = QtWidgets.QVBoxLayout()
        side.setContentsMargins(0, 0, 4, 0)
        for box in boxes.values():
            side.addWidget(box)
        side.addStretch(1)
        scroll = control_column(side, 230)
        main = QtWidgets.QVBoxLayout()
        main.addWidget(self.intro)
        main.addWidget(self.warning)
        main.addWidget(self.readout)
        main.addWidget(self.layout_widget, 1)
        main.addWidget(self.strip)
        main.addWidget(self.identity)
        main.addWidget(self.prior_note)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(scroll)
        layout.addLayout(main, 1)
        self.schedule_refresh()

    def _empty_arrays(self) -> None:
        self.theta = np.zeros(0)
        self.lik = self.loglik = self.bce = self.neg_ll_over_n = np.zeros(0)
        self.prior_density = self.post_density = np.zeros(0)
        self.traj_n, self.traj_hat = np.zeros(0), np.zeros(0)
        self.theta_hat: float | None = None
        self.interval: coin.LikelihoodInterval | None = None
        self.map: float | None = None
        self.mean: float | None = None

    # -- controls -----------------------------------------------------------------------------
    def controls(self):
        return (
            Param("k", 8, 0, MAX_FLIPS, 1, label="heads k", help="heads among the n flips (k ≤ n)"),
            Param("n", 10, 0, MAX_FLIPS, 1, label="flips n", help="number of flips"),
            Choice("source", "typed", ("typed", "simulation"), label="data from",
                   help="the typed k and n, or the simulated coin's counts"),
            Param("p", 0.3, 0.0, 1.0, 0.01, label="true bias p", help="P(heads) of the simulated coin"),
            Param("seed", 1, 0, MAX_SEED, 1, help="seed of the simulated coin's random stream"),
            Param("flips", 0, 0, MAX_FLIPS, 1, label="coin flips",
                  help="flip the simulated coin this many times from the seed (and use its counts)"),
            Choice("prior", "off", ("off", "on"), label="Beta prior", help="show a Beta(a, b) prior and posterior"),
            Param("a", 2.0, 0.1, 100.0, 0.1, label="prior a", help="Beta prior: like a heads already seen"),
            Param("b", 2.0, 0.1, 100.0, 0.1, label="prior b", help="Beta prior: like b tails already seen"),
        )

    # the order that makes a set of values independent of how they are listed
    ORDER = ("n", "k", "p", "seed", "flips", "source", "prior", "a", "b")

    def control_value(self, name: str):
        values = {"k": self.counts()[0], "n": self.counts()[1], "source": self.source, "p": self.p,
                  "seed": self.seed, "flips": self._flips, "prior": "on" if self.prior else "off",
                  "a": self.a, "b": self.b}
        if name not in values:
            raise KeyError(name)
        return values[name]

    @staticmethod
    def _whole(name: str, value, high: int) -> int:
        value = float(value)
        if value != value or not 0 <= value <= high:
            raise ValueError(f"{name}={value:g} is outside [0, {high:g}]")
        if value != math.floor(value):
            raise ValueError(f"{name}={value:g} must be a whole number")
        return int(value)

    def set_control(self, name: str, value) -> None:
        if name in ("k", "n"):
            count = self._whole(name, value, MAX_FLIPS)
            if self.source == "simulation":  # start from the counts on show
                self._k, self._n = self.counts()
            if name == "k":
                if count > self._n:
                    raise ValueError(f"k={count} heads cannot exceed n={self._n} flips (raise n first)")
                self._k = count
            else:
                if count < self._k:
                    self._note_k(f"k lowered from {self._k} to {count}: there cannot be more heads than flips")
                    self._k = count
                self._n = count
            self.source = "typed"
        elif name == "source":
            if value not in ("typed", "simulation"):
                raise ValueError(f"source={value!r} is not one of typed, simulation")
            self.source = value
        elif name == "p":
            p = float(value)
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"p={p:g} is outside [0, 1]")
            if p != self.p:
                self.p = p
                self._sim_stale = True
        elif name == "seed":
            seed = self._whole(name, value, MAX_SEED)
            if seed != self.seed:
                self.seed = seed
                self._sim_stale = True
        elif name == "flips":
            self._flips = self._whole(name, value, MAX_FLIPS)
            self._sim_stale = True
            self.source = "simulation"
        elif name == "prior":
            if value not in ("off", "on"):
                raise ValueError(f"prior={value!r} is not one of off, on")
            self.prior = value == "on"
        elif name in ("a", "b"):
            v = float(value)
            if not (v > 0 and math.isfinite(v)):
                raise ValueError(f"{name}={v:g}: a Beta prior needs {name} > 0")
            setattr(self, name, v)
        else:
            raise KeyError(name)
        self.schedule_refresh()

    def apply_settings(self, settings) -> None:
        rank = {name: i for i, name in enumerate(self.ORDER)}
        super().apply_settings(dict(sorted(settings.items(), key=lambda kv: rank.get(kv[0], -1))))

    def restore(self, state) -> None:
        rank = {name: i for i, name in enumerate(self.ORDER)}
        super().restore(dict(sorted(dict(state).items(), key=lambda kv: rank.get(kv[0], -1))))

    def _from_panel(self, name: str, value) -> None:
        if self._syncing:
            return
        if name in ("k", "n"):
            self._note_k("")
        try:
            self.set_control(name, value)
        except ValueError as exc:
            if name == "k":  # enforce k ≤ n visibly: use n
                self._k, self.source = self._n, "typed"
                self._note_k(f"{exc}; using k = {self._n}")
            else:
                self.warning.setText(str(exc))
                self.warning.show()
            self.schedule_refresh()

    def _note_k(self, text: str) -> None:
        self.k_note.setText(text)
        self.k_note.setVisible(bool(text))

    def _sync_panel(self) -> None:
        self._syncing = True
        try:
            for name, widget in self.widgets.items():
                value = self.control_value(name)
                if widget.value() != value:
                    widget.setValue(value)
        finally:
            self._syncing = False

    # -- the simulated coin -------------------------------------------------------------------
    def _ensure_sim(self) -> None:
        """Bring the simulator to (p, seed, flips): the same seed re-flips the same stream."""
        if self._sim_stale:
            self.sim.reset(seed=self.seed, p=self.p)
            self.sim.flip(self._flips)
            self._sim_stale = False

    def flip(self, m: int) -> None:
        """Flip the coin ``m`` more times (at most up to 10⁷ flips) and use its counts."""
        self._ensure_sim()
        m = max(0, min(int(m), MAX_FLIPS - self._flips))
        if m:
            self.sim.flip(m)
            self._flips += m
        self.source = "simulation"
        self.schedule_refresh()

    def reset_coin(self) -> None:
        self._flips = 0
        self._sim_stale = True
        self.source = "simulation"
        self.schedule_refresh()

    def counts(self) -> tuple[int, int]:
        """The (k, n) on show: typed, or the simulated coin's."""
        if self.source == "simulation":
            self._ensure_sim()
            return self.sim.heads, self.sim.n
        return self._k, self._n

    # -- drawing ------------------------------------------------------------------------------
    def theta_grid(self, k: int, n: int) -> np.ndarray:
        """[0, 1] evenly, plus dense points around θ̂ and the posterior mean; θ̂ itself is on the grid."""
        parts = [np.linspace(0.0, 1.0, COARSE)]
        if n:
            iv = self.interval
            width = max(iv.upper - iv.lower, 1e-12)
            centres = [k / n]
            if self.prior:
                centres.append(coin.posterior_mean(k, n, self.a, self.b))
            for c in centres:
                parts.append(np.clip(c + np.linspace(-2.0, 2.0, DENSE) * width, 0.0, 1.0))
            parts.append(np.array([k / n]))
        return np.unique(np.concatenate(parts))

    def redraw(self) -> None:
        start = time.perf_counter()
        problems: list[str] = []
        notes: list[str] = []
        k, n = self.counts()
        self._empty_arrays()
        try:
            self._draw_counts(k, n, notes)
        except (ValueError, ArithmeticError) as exc:
            problems.append(f"could not draw k={k}, n={n}: {exc}")
            for curve in (self.curve_lik, self.curve_ll, self.curve_bce, self.curve_negll, self.mark_lik,
                          self.mark_ll, self.mark_bce, self.band_lik):
                curve.setData([], [])
        try:
            self._draw_prior(k, n, notes)
        except (ValueError, ArithmeticError) as exc:
            problems.append(f"prior: {exc}")
        self._draw_trajectory()
        self._draw_strip()
        self._sync_panel()
        self.source_label.setText(SOURCE_TEXT[self.source])
        self.prior_note.setText(" ".join([PRIOR_ON if self.prior else PRIOR_OFF, *notes]))
        self.warning.setText("\n".join(problems))
        self.warning.setVisible(bool(problems))
        self.readout.setText(self._readout(k, n))
        if self._relayout:  # apply new axis widths now, not after the next paint (a one-shot export paints once)
            self._relayout = False
            self.layout_widget.ci.layout.activate()
        self.redraw_ms = 1000.0 * (time.perf_counter() - start)

    def _y_range(self, plot: pg.PlotItem, low: float, high: float) -> None:
        """Set a y range only when it moved: every range change costs ~1 ms of axis and signal work."""
        if (low, high) != self._ranges.get(plot):
            self._ranges[plot] = (low, high)
            plot.setYRange(low, high, padding=0)
            self._fit_axis(plot.getAxis("left"), low, high)

    def _fit_axis(self, axis: pg.AxisItem, low: float, high: float) -> None:
        """Width the left axis for the labels of this range now.

        pyqtgraph widens an axis only after a paint that found its labels too
        long, so a one-shot export would draw ℓ (−10⁷ at n = 10⁷) without labels.
        """
        ticks = axis.tickValues(low, high, max(axis.height(), 60.0))
        texts = [t for spacing, values in ticks for t in axis.tickStrings(values, 1.0, spacing)]
        text = max((self._metrics.horizontalAdvance(t) for t in texts), default=0)
        width = float(text + axis.style["tickTextOffset"][0] + self._metrics.height() + 6)
        if abs(width - (axis.fixedWidth or axis.width())) > 2:
            axis.setWidth(width)
            self._relayout = True

    def _message(self, key: str, text: str) -> None:
        """A "nothing to draw" note over plot ``key`` (hidden when empty: its fill would cover the curves)."""
        item = self.messages[key]
        if item.toPlainText() != text:
            item.setText(text)
        item.setVisible(bool(text))

    def _draw_counts(self, k: int, n: int, notes: list[str]) -> None:
        empty = n == 0
        for key in ("lik", "ll", "bce"):
            self._message(key, "no flips yet: type n > 0\nor flip the coin" if empty else "")
        if empty:
            for curve in (self.curve_lik, self.curve_ll, self.curve_bce, self.curve_negll, self.mark_lik,
                          self.mark_ll, self.mark_bce, self.band_lik):
                curve.setData([], [])
            self.hat_text.setText("")
            self.theta = self.theta_grid(k, n)
            return
        self.interval = coin.likelihood_interval(k, n)
        self.theta_hat = coin.mle(k, n)
        theta = self.theta = self.theta_grid(k, n)
        self.lik = coin.normalised_likelihood(theta, k, n)
        self.loglik = coin.log_likelihood(theta, k, n)
        self.bce = coin.mean_bce(theta, k, n)
        self.neg_ll_over_n = -self.loglik / n
        hat = self.theta_hat
        at_hat = int(np.searchsorted(theta, hat))
        self.curve_lik.setData(theta, _finite(self.lik), connect="finite")
        self.curve_ll.setData(theta, _finite(self.loglik), connect="finite")
        self.curve_bce.setData(theta, _finite(self.bce), connect="finite")
        self.curve_negll.setData(theta, _finite(self.neg_ll_over_n), connect="finite")
        self.mark_lik.setData([hat], [self.lik[at_hat]])
        self.mark_ll.setData([hat], [self.loglik[at_hat]])
        self.mark_bce.setData([hat], [self.bce[at_hat]])
        self.band_lik.setData(*_band(self.interval.lower, self.interval.upper, 1.0))
        self.hat_text.setHtml(f'<span style="color:{PALETTE[1]}; font-size:8pt">{ML} = {k:,}/{n:,} = {hat:.4g}</span>'
                             .replace(",", " "))
        self.hat_text.setAnchor((0.0 if hat < 0.5 else 1.0, 1.0))  # the text runs away from the nearer edge
        self.hat_text.setPos(hat, 1.03)
        # ℓ → −∞ and the loss → +∞ at the ends: fit the y range to θ in CENTRAL, where both are finite
        central = (theta >= CENTRAL[0]) & (theta <= CENTRAL[1])
        top = float(self.loglik[at_hat])
        low = float(np.min(self.loglik[central]))
        span = max(top - low, 1e-9 * max(1.0, abs(top)))
        self._y_range(self.plot_ll, low, top + 0.05 * span)
        bottom = float(self.bce[at_hat])
        high = float(np.max(self.bce[central]))
        span = max(high - bottom, 1e-9 * max(1.0, abs(bottom)))
        self._y_range(self.plot_bce, bottom - 0.05 * span, high)
        _corner(self.legend_bce, 0.5 if abs(hat - 0.5) < 0.15 else 1.0 if hat > 0.5 else 0.0)
        ends = [t for t, bad in ((0.0, k > 0), (1.0, k < n)) if bad]
        if ends:
            where = " and ".join(f"θ = {t:g}" for t in ends)
            notes.append(f"ℓ = −∞ and the loss = +∞ at {where}: no coin with that bias gives these flips. "
                         "Left undrawn; plots 2 and 3 fit their y axes to θ in [0.01, 0.99].")

    def _draw_prior(self, k: int, n: int, notes: list[str]) -> None:
        on = self.prior
        self._message("post", "" if on else "prior off:\nset Beta prior = on")
        self.legend_post.setVisible(on)
        if not on:
            for curve in (self.curve_prior, self.curve_post, self.mark_map, self.mark_mean, self.band_post):
                curve.setData([], [])
            return
        theta = self.theta
        self.prior_density = np.exp(coin.log_posterior(theta, 0, 0, self.a, self.b))
        self.post_density = np.exp(coin.log_posterior(theta, k, n, self.a, self.b))
        self.map = coin.map_estimate(k, n, self.a, self.b)
        self.mean = coin.posterior_mean(k, n, self.a, self.b)
        _corner(self.legend_post, 0.0 if self.mean > 0.5 else 1.0)
        finite = self.post_density[np.isfinite(self.post_density)]
        top = float(finite.max()) if finite.size else 1.0
        self.curve_prior.setData(theta, _finite(self.prior_density), connect="finite")
        self.curve_post.setData(theta, _finite(self.post_density), connect="finite")

        def height(x: float) -> float:
            d = float(np.exp(coin.log_posterior(np.array([x]), k, n, self.a, self.b))[0])
            return d if math.isfinite(d) else top

        if self.map is None:
            self.mark_map.setData([], [])
            notes.append("The posterior has no single mode (flat or U-shaped): no MAP.")
        else:
            self.mark_map.setData([self.map, self.map], [0.0, height(self.map)])
        self.mark_mean.setData([self.mean, self.mean], [0.0, height(self.mean)])
        self._y_range(self.plot_post, 0.0, 1.08 * top)
        if self.interval is not None:
            self.band_post.setData(*_band(self.interval.lower, self.interval.upper, top))
        else:
            self.band_post.setData([], [])
        if not np.isfinite(self.post_density).all() or not np.isfinite(self.prior_density).all():
            notes.append("A density is +∞ at an end (a or b below 1): that point is left undrawn.")

    def _draw_trajectory(self) -> None:
        self._ensure_sim()
        ns, hats = self.sim.trajectory(TRAJECTORY_POINTS)
        self.traj_n, self.traj_hat = ns.astype(float), hats
        self._message("traj", "" if ns.size else "no flips yet: press a flip button")
        self.curve_traj.setData(self.traj_n, hats)
        right = float(max(ns[-1] if ns.size else 1, 10))
        self.curve_p.setData([1.0, right], [self.p, self.p])
        if self._ranges.get(self.plot_traj) != right:
            self._ranges[self.plot_traj] = right
            self.plot_traj.setXRange(0.0, math.log10(right), padding=0.02)
        _corner(self.legend_traj, 1.0, top=self.p < 0.5)

    def _draw_strip(self) -> None:
        sim = self.sim
        if sim.n == 0:
            self.strip.setText(f"<b>Simulated coin:</b> no flips yet (true p = {self.p:g}, seed {self.seed}).")
            return
        colours = {"H": PALETTE[0], "T": PALETTE[1]}
        letters = "".join(f'<span style="color:{colours[c]}">{c}</span>' for c in sim.recent(STRIP))
        counts = f"heads {sim.heads:,} · tails {sim.tails:,} · flips {sim.n:,}".replace(",", " ")
        self.strip.setText(f"<b>Last flips</b> (oldest first) <tt><b>{letters}</b></tt> · {html.escape(counts)}"
                           f" · {ML} = {sim.estimate:.4f} (true p = {self.p:g}, seed {self.seed})")

    def _readout(self, k: int, n: int) -> str:
        if n == 0:
            text = f"<b>No flips yet</b>: with no data every θ is equally likely, so there is no {ML} to mark."
            if self.prior and self.mean is not None:
                text += f" The posterior is the prior: mean {self.mean:.4g}."
            return text
        iv = self.interval
        parts = [f"<b>{ML} = k/n = {k:,}/{n:,} = {self.theta_hat:.6g}</b>".replace(",", " "),
                 f"95% likelihood interval [{iv.lower:.4g}, {iv.upper:.4g}]"]
        if self.prior:
            parts.append(f"MAP {self.map:.4g}" if self.map is not None else "no MAP")
            parts.append(f"posterior mean {self.mean:.4g}")
        return " · ".join(parts)

    # -- export -------------------------------------------------------------------------------
    def export_item(self):
        return self.layout_widget.ci

    def export_columns(self) -> dict[str, np.ndarray]:
        cols = {"theta": self.theta, "likelihood_normalised": self.lik, "log_likelihood": self.loglik,
                "mean_bce": self.bce, "minus_log_likelihood_over_n": self.neg_ll_over_n}
        if self.prior:
            cols["prior_density"] = self.prior_density
            cols["posterior_density"] = self.post_density
        cols["flips"] = self.traj_n
        cols["theta_hat_after_flips"] = self.traj_hat

        def one(value) -> np.ndarray:
            return np.array([] if value is None else [float(value)])

        k, n = self.counts()
        cols.update({"k": np.array([float(k)]), "n": np.array([float(n)]), "theta_hat": one(self.theta_hat),
                     "true_p": np.array([self.p])})
        if self.interval is not None:
            cols["interval95_lower"] = one(self.interval.lower)
            cols["interval95_upper"] = one(self.interval.upper)
        if self.prior:
            cols["map"] = one(self.map)
            cols["posterior_mean"] = one(self.mean)
        return cols

"""The coin-flip view: k heads in n flips, the likelihood of the bias θ, and why it is the cross-entropy minimum.

Five plots over one set of counts (k, n), numbered in reading order: 1 the
normalised likelihood L(θ), 2 the log-likelihood ℓ(θ), 3 the mean binary
cross-entropy on top of −ℓ(θ)/n, 4 an optional Beta(a, b) prior with its
posterior, 5 the estimate of a seeded simulated coin after each flip. Thin
wiring over :class:`CoinModel`; the numbers are :mod:`coin_model`'s, the plots are built in
:mod:`coin_plots`.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from actviz.gui import PALETTE, ControlPanel, ViewContext, ViewWidget, bind, control_column, page, set_warning_style
from actviz.maths.contrast import readable
from actviz_views import coin_text as text
from actviz_views.coin_model import TRAJECTORY_POINTS, CoinModel, band, counts, posterior
from actviz_views.coin_plots import CoinPlots, CompactAxis, CountAxis
from actviz_views.likelihood_model import quietest_third
from actviz_views.wiring import finite, pin_legend, set_text

FLIP_BUTTONS = (1, 10, 100, 10_000)
GROUPS = {"Data": ("k", "n", "source"), "Simulated coin": ("p", "seed", "flips"),
          "Beyond the lecture": ("prior", "a", "b")}
SPIN_ONLY = ("k", "n", "seed", "flips")  # whole numbers typed in a spin box; a slider over 10⁷ is useless
EMPTY = np.zeros(0)

__all__ = ["EMPTY", "FLIP_BUTTONS", "GROUPS", "SPIN_ONLY", "CoinView", "CompactAxis", "CountAxis"]  # axes: coin_plots


class CoinView(CoinPlots, ViewWidget):
    """Likelihood, log-likelihood, cross-entropy, a Beta posterior and convergence for a coin's bias."""

    model: CoinModel

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        self.data = counts(0, 0)
        self.post = None
        self.traj_n = self.traj_hat = EMPTY
        self._ranges: dict = {}
        self._drawn: dict = {}  # what each group of curves was last drawn from (a drag of p redraws only line p)
        self._relayout = False
        self._shown = self.model.counts()

        self._build_plots()

        # -- widgets ------------------------------------------------------------------------------
        def label(content: str = " ", small_font: bool = False) -> QtWidgets.QLabel:
            w = QtWidgets.QLabel(content)
            w.setWordWrap(True)
            if small_font:
                w.setStyleSheet("font-size: small;")
            return w

        self.intro = label(text.INTRO)
        self.warning = label("")
        set_warning_style(self.warning, "font-weight: bold;")
        self.warning.hide()
        self.readout = label()
        self.readout.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.identity = label(text.IDENTITY)
        self.prior_note = label(text.PRIOR_OFF, small_font=True)
        self.strip = label()
        self.strip.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.source_label = label(text.SOURCE_TEXT["typed"])
        self.k_note = label("", small_font=True)
        set_warning_style(self.k_note, "font-size: small;")
        self.k_note.hide()

        self.panels: dict[str, ControlPanel] = {}
        self.bindings = []
        boxes = {}
        for title, names in GROUPS.items():
            panel = ControlPanel(spin_width=96)
            self.bindings.append(bind(self.model, panel, include=lambda key, names=names: key.name in names))
            panel.reset_all.hide()
            panel.layout().setContentsMargins(0, 0, 0, 0)
            for name in names:
                self.panels[name] = panel
            box = QtWidgets.QGroupBox(title)
            QtWidgets.QVBoxLayout(box).setContentsMargins(4, 4, 4, 4)
            box.layout().addWidget(panel)
            boxes[title] = box
        self.widgets = {name: self.panels[name].widgets[name] for name in self.panels}
        for name in SPIN_ONLY:
            self.widgets[name].slider.hide()
        boxes["Data"].layout().addWidget(self.k_note)
        boxes["Data"].layout().addWidget(self.source_label)
        self.flip_buttons: dict[int, QtWidgets.QPushButton] = {}
        grid = QtWidgets.QGridLayout()
        for i, m in enumerate(FLIP_BUTTONS):
            button = QtWidgets.QPushButton(f"flip ×{text.spaced(m)}")
            button.setToolTip(f"flip the simulated coin {m:,} times and use its counts as the data")
            button.clicked.connect(lambda _=False, m=m: self.model.flip(m))
            grid.addWidget(button, i // 2, i % 2)
            self.flip_buttons[m] = button
        self.reset_button = QtWidgets.QPushButton("reset coin")
        self.reset_button.setToolTip("forget all flips and restart the random stream from the seed")
        self.reset_button.clicked.connect(self.model.reset_coin)
        grid.addWidget(self.reset_button, 2, 0, 1, 2)
        boxes["Simulated coin"].layout().addLayout(grid)
        boxes["Simulated coin"].layout().addWidget(label(text.HINT, small_font=True))

        side = QtWidgets.QVBoxLayout()
        side.setContentsMargins(0, 0, 4, 0)
        for box in boxes.values():
            side.addWidget(box)
        side.addStretch(1)
        main = QtWidgets.QVBoxLayout()
        for w, stretch in ((self.intro, 0), (self.warning, 0), (self.readout, 0), (self.layout_widget, 1),
                           (self.strip, 0), (self.identity, 0), (self.prior_note, 0)):
            main.addWidget(w, stretch)
        self.layout_widget.setMinimumHeight(3 * 195 + 20)  # three rows of ≥ 120 px data areas; short windows scroll
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(control_column(side, 230))
        layout.addWidget(page(main), 1)
        self.schedule_refresh()

    # -- model → widgets -----------------------------------------------------------------------
    def on_model_changed(self, names: frozenset[str]) -> None:
        k, n = self.model.counts()
        old_k, old_n = self._shown
        if "n" in names and k < old_k and k == n and self.model["source"] == "typed" and n < old_n:
            self._note_k(f"k lowered from {old_k} to {k}: there cannot be more heads than flips")
        elif names & {"k", "n", "source"}:
            self._note_k("")
        self._shown = (k, n)
        self.schedule_refresh()

    def _note_k(self, note: str) -> None:
        self.k_note.setText(note)
        self.k_note.setVisible(bool(note))

    def redraw(self) -> None:
        model = self.model
        k, n = model.counts()
        prior = (float(model["a"]), float(model["b"])) if model.prior_on else None
        key = (k, n, prior)
        if self._drawn.get("counts") != key:  # plots 1–4 and their words depend on (k, n, prior) only
            self._drawn.pop("counts", None)  # a failure below must not leave a stale key
            problems, notes = [], []
            try:
                self.data = counts(k, n, prior)
            except (ValueError, ArithmeticError) as exc:
                problems.append(f"could not draw k={k}, n={n}: {exc}")
                self.data = counts(0, 0)
            self._draw_counts(notes)
            try:
                self._draw_prior(k, n, prior, notes)
            except (ValueError, ArithmeticError) as exc:
                problems.append(f"prior: {exc}")
            set_text(self.prior_note, " ".join([text.PRIOR_ON if prior else text.PRIOR_OFF, *notes]))
            set_text(self.warning, "\n".join(problems))
            self.warning.setVisible(bool(problems))
            post = self.post
            set_text(self.readout, text.readout(k, n, self.data.theta_hat, self.data.interval, prior is not None,
                                                 post.map if post else None, post.mean if post else None))
            self._drawn["counts"] = key
        self._draw_trajectory()
        set_text(self.source_label, text.SOURCE_TEXT[model["source"]])
        if self._relayout:  # apply new axis widths now, not after the next paint (a one-shot export paints once)
            self._relayout = False
            self.layout_widget.ci.layout.activate()

    def _y_range(self, plot: pg.PlotItem, low: float, high: float) -> None:
        """Set a y range only when it moved, and width the left axis for its labels now.

        pyqtgraph widens an axis only after a paint that found its labels too
        long, so a one-shot export would draw ℓ (−10⁷ at n = 10⁷) without labels.
        """
        if (low, high) == self._ranges.get(plot):
            return
        self._ranges[plot] = (low, high)
        plot.setYRange(low, high, padding=0)
        axis = plot.getAxis("left")
        ticks = axis.tickValues(low, high, max(axis.height(), 60.0))
        labels = [t for spacing, values in ticks for t in axis.tickStrings(values, 1.0, spacing)]
        width = max((self._metrics.horizontalAdvance(t) for t in labels), default=0)
        width = float(width + axis.style["tickTextOffset"][0] + self._metrics.height() + 6)
        if abs(width - (axis.fixedWidth or axis.width())) > 2:
            axis.setWidth(width)
            self._relayout = True

    def _message(self, key: str, message: str) -> None:
        """A "nothing to draw" note over plot ``key`` (hidden when empty: its fill would cover the curves)."""
        item = self.messages[key]
        if item.toPlainText() != message:
            item.setText(message)
        item.setVisible(bool(message))

    def _draw_counts(self, notes: list[str]) -> None:
        d = self.data
        for key in ("lik", "ll", "bce"):
            self._message(key, text.NO_FLIPS if d.empty else "")
        if d.empty:
            for item in (self.curve_lik, self.curve_ll, self.curve_bce, self.curve_negll, self.mark_lik,
                         self.mark_ll, self.mark_bce, self.band_lik):
                item.setData([], [])
            self.hat_text.setText("")
            self._drawn.pop("hat", None)
            return
        theta, hat, at = d.theta, d.theta_hat, d.at_hat
        for item, values in ((self.curve_lik, d.lik), (self.curve_ll, d.loglik), (self.curve_bce, d.bce),
                             (self.curve_negll, d.neg_ll_over_n)):
            item.setData(theta, finite(values), connect="finite")
        for item, values in ((self.mark_lik, d.lik), (self.mark_ll, d.loglik), (self.mark_bce, d.bce)):
            item.setData([hat], [values[at]])
        self.band_lik.setData(*band(d.interval.lower, d.interval.upper, 1.0))
        hat_html = text.hat_html(d.k, d.n, hat, self._hat_colour())
        if self._drawn.get("hat") != hat_html:
            self._drawn["hat"] = hat_html
            self.hat_text.setHtml(hat_html)
        self.hat_text.setAnchor((0.0 if hat < 0.5 else 1.0, 1.0))  # the text runs away from the nearer edge
        self.hat_text.setPos(hat, 1.03)
        self._y_range(self.plot_ll, *d.ll_range)
        self._y_range(self.plot_bce, *d.bce_range)
        pin_legend(self.legend_bce, lambda: quietest_third((0.0, 1.0), [(theta, d.bce)]), view=self)
        if d.infinite_ends:
            notes.append(text.ends_note(d.infinite_ends))

    def _draw_prior(self, k: int, n: int, prior: tuple[float, float] | None, notes: list[str]) -> None:
        self._message("post", "" if prior else text.PRIOR_OFF_MESSAGE)
        self.legend_post.setVisible(prior is not None)
        self.post = None
        if prior is None:
            for item in (self.curve_prior, self.curve_post, self.mark_map, self.mark_mean, self.band_post):
                item.setData([], [])
            return
        theta = self.data.theta
        self.post = post = posterior(theta, k, n, *prior)
        self.curve_prior.setData(theta, finite(post.prior), connect="finite")
        self.curve_post.setData(theta, finite(post.posterior), connect="finite")
        if post.map is None:
            self.mark_map.setData([], [])
            notes.append("The posterior has no single mode (flat or U-shaped): no MAP.")
        else:
            self.mark_map.setData([post.map, post.map], [0.0, post.map_height])
        self.mark_mean.setData([post.mean, post.mean], [0.0, post.mean_height])
        self._y_range(self.plot_post, 0.0, 1.08 * post.top)
        iv = self.data.interval
        self.band_post.setData(*(band(iv.lower, iv.upper, post.top) if iv is not None else ([], [])))
        pin_legend(self.legend_post, lambda: quietest_third((0.0, 1.0), [(theta, post.posterior), (theta, post.prior)]),
                   view=self)
        if post.infinite:
            notes.append("A density is +∞ at an end (a or b below 1): that point is left undrawn.")

    def _draw_trajectory(self) -> None:
        model = self.model
        sim = model.simulator()
        ns, hats = sim.trajectory(TRAJECTORY_POINTS)
        ns = ns.astype(float)
        self._message("traj", "" if ns.size else "no flips yet: press a flip button")
        if not (np.array_equal(ns, self.traj_n) and np.array_equal(hats, self.traj_hat)):
            self.curve_traj.setData(ns, hats)  # unchanged while p is dragged with no flips (or typed counts)
        self.traj_n, self.traj_hat = ns, hats
        p = float(model["p"])
        right = float(max(ns[-1] if ns.size else 1, 10))
        if self._drawn.get("p") != (p, right):
            self._drawn["p"] = (p, right)
            self.curve_p.setData([1.0, right], [p, p])
        if self._ranges.get(self.plot_traj) != right:
            self._ranges[self.plot_traj] = right
            self.plot_traj.setXRange(0.0, math.log10(right), padding=0.02)
        pin_legend(self.legend_traj, 1.0, top=p < 0.5, view=self)  # θ̂ settles on p at the right: the other half is free
        set_text(self.strip, text.strip(sim, p, int(model["seed"]), self._flip_colours()))

    def _hat_colour(self) -> str:
        """Plot 5's θ_ML text in its curve's hue, dark or light enough to read on the plot."""
        return readable(PALETTE[1], self.layout_widget.backgroundBrush().color().name())

    def _flip_colours(self) -> dict[str, str]:
        """The strip's H and T letters in their colours, dark or light enough to read on the window."""
        window = self.strip.palette().color(self.strip.backgroundRole()).name()
        return {c: readable(colour, window) for c, colour in text.COLOURS.items()}

    # -- export -------------------------------------------------------------------------------
    def export_item(self):
        return self.layout_widget.ci

    def export_columns(self) -> dict[str, np.ndarray]:
        d, post = self.data, self.post
        cols = {"theta": d.theta, "likelihood_normalised": d.lik, "log_likelihood": d.loglik, "mean_bce": d.bce,
                "minus_log_likelihood_over_n": d.neg_ll_over_n}
        if post is not None:
            cols["prior_density"], cols["posterior_density"] = post.prior, post.posterior
        cols["flips"], cols["theta_hat_after_flips"] = self.traj_n, self.traj_hat

        def one(value) -> np.ndarray:
            return np.array([] if value is None else [float(value)])

        k, n = self.model.counts()
        cols.update({"k": np.array([float(k)]), "n": np.array([float(n)]), "theta_hat": one(d.theta_hat),
                     "true_p": np.array([float(self.model["p"])])})
        if d.interval is not None:
            cols["interval95_lower"], cols["interval95_upper"] = one(d.interval.lower), one(d.interval.upper)
        if post is not None:
            cols["map"], cols["posterior_mean"] = one(post.map), one(post.mean)
        return cols

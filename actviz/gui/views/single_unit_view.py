"""The update-rules view: perceptron, delta rule and two logistic units learning on 2-D points.

All four units start from the same weights (by default confidently wrong: every point on the
wrong side) and see the same examples in the same order. The view draws the points with each
unit's decision line, the path of the weights (w₁, w₂) and the loss after every step; the
math is :class:`actviz.learning.SingleUnitTrainer`.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from actviz.gui.controls import ControlPanel
from actviz.gui.viewbase import PALETTE, Choice, ViewContext, ViewWidget, control_column, guard_plot, pen, warning_label
from actviz.maths.learning import RULE_LABELS, RULES, SingleUnitTrainer, confidently_wrong_weights, make_dataset
from actviz.specs import Param

#: Run stops here (press Reset to start again): keeps every curve a few thousand points at most
MAX_STEPS = 3000
FRAME_MS = 16

RULE_COLORS = {"perceptron": 4, "delta": 3, "logistic_squared_error": 1, "logistic_cross_entropy": 2}
RULE_SHORT = {"perceptron": "perceptron", "delta": "delta rule", "logistic_squared_error": "logistic + squared error",
              "logistic_cross_entropy": "logistic + cross-entropy"}
RULE_TINY = {"perceptron": "perceptron", "delta": "delta rule", "logistic_squared_error": "logistic + SE",
             "logistic_cross_entropy": "logistic + CE"}
LOSS_LABELS = {"perceptron": "misclassified points", "delta": "mean ½(t − y)²",
               "logistic_squared_error": "mean ½(t − y)²", "logistic_cross_entropy": "mean cross-entropy (nats)"}
SHOW = {"all": RULES, "logistic": ("logistic_squared_error", "logistic_cross_entropy"),
        **{r: (r,) for r in RULES}}

EXPLANATION = (
    "All units start from the same weights, confidently wrong (every point on the wrong side), and see the "
    "same examples. Watch the red curve (logistic + squared error): its update carries y(1 − y) ≈ 0 when the "
    "output is confidently wrong, so its loss stays flat near 0.5 and its line barely moves. The green one "
    "(cross-entropy) cancels that factor, Δw = ε(t − y)x, and swings round within a few dozen steps.")


class SingleUnitView(ViewWidget):
    """Four single units trained side by side, step by step or continuously."""

    batch_controls = frozenset({"steps"})

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        self.values: dict[str, object] = {c.name: c.default for c in self.controls() if c.name != "steps"}
        self.trainers: dict[str, SingleUnitTrainer] = {}
        self.bounds = (-1.0, 1.0, -1.0, 1.0)
        self.frame_ms = 0.0
        self._syncing = False

        # -- plots, built once ----------------------------------------------------------------
        self.layout_widget = pg.GraphicsLayoutWidget()
        self.plot_data = guard_plot(self.layout_widget.addPlot(row=0, col=0))
        self.plot_path = guard_plot(self.layout_widget.addPlot(row=0, col=1))
        self.loss_row = self.layout_widget.addLayout(row=1, col=0, colspan=2)
        self.plot_data.setTitle("Points and decision lines", size="10pt")
        self.plot_data.setLabel("bottom", "x₁")
        self.plot_data.setLabel("left", "x₂")
        self.plot_data.setAspectLocked(True)
        self.plot_path.setTitle("Weights (w₁, w₂)", size="10pt")
        self.plot_path.setLabel("bottom", "w₁")
        self.plot_path.setLabel("left", "w₂")
        for plot in (self.plot_data, self.plot_path):
            plot.showGrid(x=True, y=True, alpha=0.25)
        self.data_legend = self.plot_data.addLegend(offset=(5, 5), labelTextSize="8pt")
        self._titles: dict[str, str] = {}
        self.points_pos = pg.ScatterPlotItem(symbol="o", size=7, pen=pg.mkPen("#ffffff", width=1),
                                             brush=pg.mkBrush(PALETTE[0]), name="t = 1")
        self.points_neg = pg.ScatterPlotItem(symbol="s", size=7, pen=pg.mkPen("#ffffff", width=1),
                                             brush=pg.mkBrush(PALETTE[5]), name="t = 0")
        self.plot_data.addItem(self.points_pos)
        self.plot_data.addItem(self.points_neg)
        self.current = pg.ScatterPlotItem(symbol="o", size=14, pen=pg.mkPen(PALETTE[6], width=2), brush=None)
        self.plot_data.addItem(self.current)
        self.lines: dict[str, pg.PlotDataItem] = {}
        self.paths: dict[str, pg.PlotDataItem] = {}
        self.heads: dict[str, pg.ScatterPlotItem] = {}
        self.loss_plots: dict[str, pg.PlotItem] = {}
        self.loss_curves: dict[str, pg.PlotDataItem] = {}
        self.path_legend = self.plot_path.addLegend(offset=(-5, -5), labelTextSize="8pt")
        self.start_marker = pg.ScatterPlotItem(symbol="star", size=14, pen=pg.mkPen(PALETTE[6]),
                                               brush=pg.mkBrush(PALETTE[6]), name="start")
        self.plot_path.addItem(self.start_marker)
        for rule in RULES:
            c = RULE_COLORS[rule]
            self.lines[rule] = self.plot_data.plot(pen=pen(c))
            self.paths[rule] = self.plot_path.plot(pen=pen(c, 1.5), name=RULE_SHORT[rule])
            self.heads[rule] = pg.ScatterPlotItem(symbol="o", size=8, pen=pen(c, 1), brush=pg.mkBrush(PALETTE[c]))
            self.plot_path.addItem(self.heads[rule])
            plot = guard_plot(pg.PlotItem())
            plot.setTitle(RULE_TINY[rule], size="8pt")
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.getAxis("bottom").enableAutoSIPrefix(False)
            plot.enableAutoRange(x=False)
            plot.setLabel("bottom", "step")
            plot.setLabel("left", LOSS_LABELS[rule])
            plot.showGrid(x=True, y=True, alpha=0.25)
            self.loss_curves[rule] = plot.plot(pen=pen(c), name=RULE_SHORT[rule])
            self.loss_plots[rule] = plot
        self.layout_widget.ci.layout.setRowStretchFactor(0, 1)
        self.layout_widget.ci.layout.setRowStretchFactor(1, 1)
        self._x_top = 0.0
        self._shown_rules: tuple[str, ...] = ()

        # -- widgets --------------------------------------------------------------------------
        self.explanation = QtWidgets.QLabel(EXPLANATION)
        self.explanation.setWordWrap(True)
        self.warning = warning_label()
        self.status_label = QtWidgets.QLabel(" ")
        # one line whose changing text never resizes the plots above (a reflow cost a second paint per frame)
        self.status_label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        self.run_button = QtWidgets.QPushButton("Run")
        self.run_button.setCheckable(True)
        self.run_button.toggled.connect(self.set_running)
        self.step_button = QtWidgets.QPushButton("Step")
        self.step_button.clicked.connect(lambda: self.step(1))
        self.reset_button = QtWidgets.QPushButton("Reset")
        self.reset_button.clicked.connect(self.reset)
        self.panel = ControlPanel(spin_width=70)
        self.panel.build([c for c in self.controls() if c.name != "steps"], dict(self.values))
        self.panel.changed.connect(self._from_panel)
        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._tick)

        buttons = QtWidgets.QGridLayout()
        buttons.addWidget(self.run_button, 0, 0)
        buttons.addWidget(self.step_button, 0, 1)
        buttons.addWidget(self.reset_button, 1, 0)
        side = QtWidgets.QVBoxLayout()
        side.addLayout(buttons)
        side.addWidget(self.panel)
        scroll = control_column(side, 256)
        main = QtWidgets.QVBoxLayout()
        main.addWidget(self.explanation)
        main.addWidget(self.warning)
        main.addWidget(self.layout_widget, 1)
        main.addWidget(self.status_label)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(scroll)
        layout.addLayout(main, 1)
        self._arrange_loss_plots()
        self.rebuild()

    # -- controls -----------------------------------------------------------------------------
    def controls(self):
        return (
            Choice("rules", "all", tuple(SHOW), label="rules shown",
                   help="all four, the logistic pair, or one rule"),
            Choice("start", "confidently_wrong", ("confidently_wrong", "zero"), label="start from",
                   help="the same start for every unit: confidently wrong weights, or zero"),
            Param("confidence", 3.0, 0.5, 10.0, 0.1, label="how wrong |w|",
                  help="size of the confidently wrong start weights"),
            Param("learning_rate", 0.05, 0.001, 1.0, 0.001, label="learning rate ε",
                  help="ε of the delta rule and the logistic units (the perceptron has none)"),
            Param("points", 100, 10, 500, 2, help="number of points (two Gaussians)"),
            Param("noise", 0.0, 0.0, 1.0, 0.01, help="spread of the Gaussians"),
            Param("seed", 0, 0, 1000, 1, help="seed of the points and of the example order"),
            Param("speed", 30, 1, 600, 1, label="steps per second", help="speed while running"),
            Param("steps", 0, 0, MAX_STEPS, 1, help="train this many steps from the start (for export)"),
        )

    def control_value(self, name: str):
        if name == "steps":
            return self.step_count
        if name not in self.values:
            raise KeyError(name)
        return self.values[name]

    def set_control(self, name: str, value) -> None:
        if name not in self.values and name != "steps":
            raise KeyError(name)
        by_name = {c.name: c for c in self.controls()}
        control = by_name[name]
        if isinstance(control, Choice):
            if value not in control.options:
                raise ValueError(f"{name}={value!r} is not one of {', '.join(control.options)}")
        else:
            value = float(value)
            if not control.low <= value <= control.high:
                raise ValueError(f"{name}={value:g} is outside [{control.low:g}, {control.high:g}]")
            if name in ("points", "seed", "speed", "steps"):
                value = int(round(value))
        if name == "steps":
            self.rebuild()
            self.step(int(value))
            return
        self.values[name] = value
        self._sync_panel(name, value)
        if name == "rules":
            self._arrange_loss_plots()
            self.schedule_refresh()
        elif name == "speed":
            self._apply_speed()
        else:
            self.rebuild()

    def state(self):
        return {k: v for k, v in self.values.items()}

    def _from_panel(self, name: str, value) -> None:
        if self._syncing:
            return
        try:
            self.set_control(name, value)
        except ValueError as exc:
            self._warn(str(exc))

    def _sync_panel(self, name: str, value) -> None:
        widget = self.panel.widgets.get(name)
        if widget is None:
            return
        self._syncing = True
        try:
            widget.setValue(value)
        finally:
            self._syncing = False

    # -- training -----------------------------------------------------------------------------
    @property
    def shown(self) -> tuple[str, ...]:
        return SHOW[str(self.values["rules"])]

    @property
    def step_count(self) -> int:
        return min((t.steps for t in self.trainers.values()), default=0)

    def rebuild(self) -> None:
        """New points and fresh trainers from the controls (same start weights for every rule)."""
        d = make_dataset("two_gaussians", n=int(self.values["points"]), noise=float(self.values["noise"]),
                         train_ratio=1.0, seed=int(self.values["seed"]))
        self.x, self.t = d.x_train, d.y_train
        self.bounds = d.bounds(0.1)
        if self.values["start"] == "confidently_wrong":
            self.w0 = confidently_wrong_weights(self.x, self.t, float(self.values["confidence"]))
        else:
            self.w0 = np.zeros(3)
        eps = float(self.values["learning_rate"])
        seed = int(self.values["seed"])
        self.trainers = {rule: SingleUnitTrainer(self.x, self.t, rule, learning_rate=1.0 if rule == "perceptron"
                                                 else eps, weights=self.w0, seed=seed) for rule in RULES}
        self.last_index = -1
        pos, neg = self.x[self.t == 1], self.x[self.t == 0]
        self.points_pos.setData(pos[:, 0], pos[:, 1])
        self.points_neg.setData(neg[:, 0], neg[:, 1])
        self.start_marker.setData([self.w0[0]], [self.w0[1]])
        x1lo, x1hi, x2lo, x2hi = self.bounds
        self.plot_data.setRange(xRange=(x1lo, x1hi), yRange=(x2lo, x2hi), padding=0)
        self.schedule_refresh()

    def reset(self) -> None:
        self.set_running(False)
        self.rebuild()

    def step(self, n: int = 1) -> None:
        """``n`` update steps of every unit (each on the same example), then redraw."""
        n = max(0, min(int(n), MAX_STEPS - self.step_count))
        for trainer in self.trainers.values():
            result = trainer.run(n) if n else None
            if result is not None and result.index >= 0:
                self.last_index = result.index
        if self.step_count >= MAX_STEPS:
            self.set_running(False)
        self.schedule_refresh()

    def set_running(self, on: bool) -> None:
        on = bool(on) and self.step_count < MAX_STEPS
        if on:
            self._apply_speed()
            self.timer.start()
        else:
            self.timer.stop()
        if self.run_button.isChecked() != on:
            self.run_button.blockSignals(True)
            self.run_button.setChecked(on)
            self.run_button.blockSignals(False)
        self.run_button.setText("Pause" if on else "Run")

    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def _apply_speed(self) -> None:
        speed = float(self.values["speed"])
        self._per_tick = max(1, round(speed * FRAME_MS / 1000))
        self.timer.setInterval(max(FRAME_MS, round(1000 * self._per_tick / speed)))

    def _tick(self) -> None:
        start = time.perf_counter()
        self.step(self._per_tick)
        self.refresh()
        self.frame_ms = 1000 * (time.perf_counter() - start)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.set_running(False)  # a hidden tab does not train
        super().hideEvent(event)

    # -- drawing ------------------------------------------------------------------------------
    def _arrange_loss_plots(self) -> None:
        shown = self.shown
        if shown == self._shown_rules:
            return
        for rule in self._shown_rules:
            self.loss_row.removeItem(self.loss_plots[rule])
        for i, rule in enumerate(shown):
            self.loss_row.addItem(self.loss_plots[rule], row=i // 2, col=i % 2)  # 2 × 2: fits a narrow tab
        self._shown_rules = shown
        for rule in RULES:
            on = rule in shown
            for item in (self.lines[rule], self.paths[rule], self.heads[rule]):
                item.setVisible(on)
        self._relabel_legends()

    def _relabel_legends(self) -> None:
        self.data_legend.clear()
        self.data_legend.addItem(self.points_pos, "t = 1")
        self.data_legend.addItem(self.points_neg, "t = 0")
        self.path_legend.clear()
        self.path_legend.addItem(self.start_marker, "start (all units)")
        for rule in self.shown:
            self.path_legend.addItem(self.paths[rule], RULE_SHORT[rule])

    def redraw(self) -> None:
        t0 = time.perf_counter()
        problems = []
        for rule in self.shown:
            trainer = self.trainers[rule]
            seg = trainer.line(self.bounds)
            if seg is None:
                self.lines[rule].setData([], [])
            else:
                self.lines[rule].setData(seg[0], seg[1])
            path = np.asarray(trainer.path)
            self.paths[rule].setData(path[:, 0], path[:, 1])
            self.heads[rule].setData([path[-1, 0]], [path[-1, 1]])
            losses = np.asarray(trainer.losses, dtype=float)
            finite = losses[np.isfinite(losses)]
            self._extend_x(rule, losses.size - 1)
            self.loss_curves[rule].setData(np.arange(losses.size), np.where(np.isfinite(losses), losses, np.nan),
                                           connect="finite")
            # from 0, so a flat loss looks flat (autorange would magnify a 1e-4 drift)
            top = float(finite.max()) if finite.size else 1.0
            self.loss_plots[rule].setYRange(0.0, max(top, 1e-6) * 1.05, padding=0)
            title = f"{RULE_TINY[rule]}: {trainer.errors()} wrong"
            if self._titles.get(rule) != title:
                self._titles[rule] = title
                self.loss_plots[rule].setTitle(title, size="8pt")
            if trainer.error:
                problems.append(f"{RULE_SHORT[rule]}: {trainer.error}")
        if 0 <= self.last_index < len(self.x):
            self.current.setData([self.x[self.last_index, 0]], [self.x[self.last_index, 1]])
        else:
            self.current.setData([], [])
        parts = [f"step {self.step_count} · loss:"]
        for rule in self.shown:
            parts.append(f"{RULE_TINY[rule]} {self.trainers[rule].losses[-1]:.3g}")
        timing = f" · draw {1000 * (time.perf_counter() - t0):.1f} ms"
        if self.running:
            timing += f", frame {self.frame_ms:.1f} ms"
        self.status_label.setText(parts[0] + " " + ", ".join(parts[1:]) + timing)
        self._warn("\n".join(problems))

    def _extend_x(self, rule: str, last: int) -> None:
        """The step axis grows by doubling: a range that moves every step re-renders the axis every frame."""
        top = 50.0
        while top < last:
            top *= 2.0
        plot = self.loss_plots[rule]
        if plot.viewRange()[0][1] != top:
            plot.setXRange(0.0, top, padding=0)

    def _warn(self, text: str) -> None:
        self.warning.setText(text)
        self.warning.setVisible(bool(text))

    # -- export -------------------------------------------------------------------------------
    def export_item(self):
        return self.layout_widget.ci

    def export_columns(self) -> dict[str, np.ndarray]:
        cols: dict[str, np.ndarray] = {"x1": self.x[:, 0], "x2": self.x[:, 1], "t": self.t.astype(float)}
        for rule in self.shown:
            tr = self.trainers[rule]
            path = np.asarray(tr.path)
            cols[f"{rule} step"] = np.arange(len(tr.losses), dtype=float)
            cols[f"{rule} loss"] = np.asarray(tr.losses, dtype=float)
            cols[f"{rule} w1"], cols[f"{rule} w2"], cols[f"{rule} b"] = path[:, 0], path[:, 1], path[:, 2]
            xd, yd = self.lines[rule].xData, self.lines[rule].yData
            cols[f"{rule} line x1"] = np.zeros(0) if xd is None else np.asarray(xd)
            cols[f"{rule} line x2"] = np.zeros(0) if yd is None else np.asarray(yd)
        return cols


__all__ = ["SingleUnitView", "RULE_LABELS"]

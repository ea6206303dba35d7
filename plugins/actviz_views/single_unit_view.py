"""The update-rules view: perceptron, delta rule and two logistic units learning on 2-D points.

Thin wiring over :class:`SingleUnitModel` and :class:`Units`: the plots are built once; every
control goes through the model (undo, scenes and ``--set`` for free). Stepping and running are
not model changes: the trained units live in :class:`Units`, rebuilt when a key other than
``rules`` or ``speed`` changes (then ``steps`` steps are taken, for export).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from actviz.gui import (
    PALETTE,
    ControlPanel,
    ViewContext,
    ViewWidget,
    bind,
    control_column,
    guard_plot,
    hold_range,
    page,
    pen,
    warning_label,
)
from actviz.maths.learning import RULES
from actviz_views.single_unit_model import (
    KEEP,
    MAX_STEPS,
    SingleUnitModel,
    Units,
    columns,
    loss_axis_top,
    step_axis_top,
)
from actviz_views.single_unit_text import LOSS_LABELS, RULE_SHORT, RULE_TINY, explanation
from actviz_views.wiring import KeyRow, add_key_row

FRAME_MS = 16
RULE_COLORS = {"perceptron": 4, "delta": 3, "logistic_squared_error": 1, "logistic_cross_entropy": 2}


def _plain_axes(plot: pg.PlotItem) -> pg.PlotItem:
    for side in ("left", "bottom"):
        plot.getAxis(side).enableAutoSIPrefix(False)
    return guard_plot(plot)


def _curve(plot: pg.PlotItem, **opts) -> pg.PlotCurveItem:
    curve = pg.PlotCurveItem(**opts)
    plot.addItem(curve)
    return curve


def _set_line(curve: pg.PlotCurveItem, x: np.ndarray, y: np.ndarray, **opts) -> None:
    """The line through ``x``, ``y``. One point draws no line: the curve is emptied once instead of being set,
    and its plot repainted, on every frame of a drag at step 0 (the loss and the weight path start as one point).
    """
    if len(x) < 2:
        if curve.xData is None or len(curve.xData):
            curve.setData([], [])
        return
    curve.setData(x, y, **opts)



class SingleUnitView(ViewWidget):
    """Four single units trained side by side, step by step or continuously."""

    model: SingleUnitModel

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        self._titles: dict[str, str] = {}
        self._shown_rules: tuple[str, ...] = ()
        self._per_tick = 1
        self._points_drawn: np.ndarray | None = None  # the points on the data plot (Units.x), by identity
        self._current_drawn: tuple[float, float] | None = None
        self._loss_top: dict[str, float] = {}

        # -- plots, built once ----------------------------------------------------------------
        self.layout_widget = pg.GraphicsLayoutWidget()
        self.plot_data = _plain_axes(self.layout_widget.addPlot(row=0, col=0))
        self.plot_path = _plain_axes(self.layout_widget.addPlot(row=0, col=1))
        # the rules' key gets its own row under the two plots: it never hides a path or a line (in a corner of
        # the weights plot it hid the delta rule's whole path at 1024×640), and it keys both plots' colours
        self.path_legend = add_key_row(self.layout_widget.ci, KeyRow(5), row=1, colspan=2)
        self.loss_row = self.layout_widget.addLayout(row=2, col=0, colspan=2)
        # the classes' key is in the title: a legend in a corner hid the decision lines that cross it
        key = (f"<span style='color:{PALETTE[0]}'>●</span> t = 1, "
               f"<span style='color:{PALETTE[5]}'>■</span> t = 0")
        self.plot_data.setTitle(f"Points ({key}) and decision lines", size="10pt")
        self.plot_data.setLabel("bottom", "x₁")
        self.plot_data.setLabel("left", "x₂")
        self.plot_data.setAspectLocked(True)
        self.plot_path.setTitle("Weights (w₁, w₂)", size="10pt")
        self.plot_path.setLabel("bottom", "w₁")
        self.plot_path.setLabel("left", "w₂")
        for plot in (self.plot_data, self.plot_path):
            plot.showGrid(x=True, y=True, alpha=0.25)
        self.points_pos = pg.ScatterPlotItem(symbol="o", size=7, pen=pg.mkPen("#ffffff", width=1),
                                             brush=pg.mkBrush(PALETTE[0]), name="t = 1")
        self.points_neg = pg.ScatterPlotItem(symbol="s", size=7, pen=pg.mkPen("#ffffff", width=1),
                                             brush=pg.mkBrush(PALETTE[5]), name="t = 0")
        self.current = pg.ScatterPlotItem(symbol="o", size=14, pen=pg.mkPen(PALETTE[6], width=2), brush=None)
        for item in (self.points_pos, self.points_neg, self.current):
            self.plot_data.addItem(item)
        self.start_marker = pg.ScatterPlotItem(symbol="star", size=14, pen=pg.mkPen(PALETTE[6]),
                                               brush=pg.mkBrush(PALETTE[6]), name="start")
        self.plot_path.addItem(self.start_marker)
        self.lines: dict[str, pg.PlotCurveItem] = {}
        self.paths: dict[str, pg.PlotCurveItem] = {}
        self._head_style: dict[str, tuple] = {}
        self.loss_plots: dict[str, pg.PlotItem] = {}
        self.loss_curves: dict[str, pg.PlotCurveItem] = {}
        for rule in RULES:
            c = RULE_COLORS[rule]
            # plain curves: no symbols, log axes or downsampling here, so PlotDataItem's wrapping is pure overhead
            self.lines[rule] = _curve(self.plot_data, pen=pen(c))
            self.paths[rule] = _curve(self.plot_path, pen=pen(c, 1.5), name=RULE_SHORT[rule])
            self._head_style[rule] = (pen(c, 1), pg.mkBrush(PALETTE[c]))
            plot = _plain_axes(pg.PlotItem())
            plot.setTitle(RULE_TINY[rule], size="8pt")
            plot.setProperty("actviz_thumbnail", True)  # one of four small multiples: the layout audit exempts it
            plot.enableAutoRange(x=False)
            plot.setLabel("bottom", "step")
            plot.setLabel("left", LOSS_LABELS[rule])
            plot.showGrid(x=True, y=True, alpha=0.25)
            self.loss_curves[rule] = _curve(plot, pen=pen(c), name=RULE_SHORT[rule])
            self.loss_plots[rule] = plot
        # every shown unit's current weights, on top of the paths: one item (one setData, one paint per frame)
        self.heads = pg.ScatterPlotItem(symbol="o", size=8)
        self.plot_path.addItem(self.heads)
        self.layout_widget.ci.layout.setRowStretchFactor(0, 3)  # the two primary plots before the four small ones
        self.layout_widget.ci.layout.setRowStretchFactor(2, 2)

        # -- widgets --------------------------------------------------------------------------
        self.explanation = QtWidgets.QLabel()
        self.explanation.setWordWrap(True)
        self.warning = warning_label()
        # one line whose changing text never resizes the plots above (a reflow cost a second paint per frame),
        # nor re-runs the page's layout: a QLabel invalidates its parent's layout on every new text unless its
        # size is fixed, so it sits in a box of one line's height, placed by hand
        self.status_box = QtWidgets.QWidget()
        self.status_label = QtWidgets.QLabel(" ", self.status_box)
        self.status_box.setFixedHeight(self.status_label.sizeHint().height())
        self.status_box.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        self.status_box.resizeEvent = lambda event: self.status_label.resize(event.size())
        self.run_button = QtWidgets.QPushButton("Run")
        self.run_button.setCheckable(True)
        self.run_button.toggled.connect(self.set_running)
        self.step_button = QtWidgets.QPushButton("Step")
        self.step_button.clicked.connect(lambda: self.step(1))
        self.reset_button = QtWidgets.QPushButton("Reset")
        self.reset_button.setToolTip("Back to the start weights")
        self.reset_button.clicked.connect(self.reset)
        self.panel = ControlPanel(spin_width=70)
        self.binding = bind(self.model, self.panel, include=lambda key: key.name != "steps")
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
        main = QtWidgets.QVBoxLayout()
        main.addWidget(self.explanation)
        main.addWidget(self.warning)
        main.addWidget(self.layout_widget, 1)
        main.addWidget(self.status_box)
        self.layout_widget.setMinimumHeight(5 * 110)  # two rows of ≥ 120 px data areas; short windows scroll
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(control_column(side, 256))
        layout.addWidget(page(main), 1)
        self.on_model_changed(frozenset(self.model.values()))

    # -- model → widgets -----------------------------------------------------------------------
    def on_model_changed(self, names: frozenset[str]) -> None:
        if names & {"rules", "start"}:
            self._arrange_loss_plots()
            self.explanation.setText(explanation(str(self.model["start"]), str(self.model["rules"])))
        if "speed" in names:
            self._apply_speed()
        if names - KEEP:
            self.rebuild()
            # draw now: the rebuild's setData already asked for a paint, which a deferred refresh would follow
            # with a second one
            self.refresh()
            return
        self.schedule_refresh()

    def rebuild(self) -> None:
        """New points and fresh units from the model, then its ``steps`` steps."""
        self.units = u = Units(self.model, getattr(self, "units", None))
        if u.x is not self._points_drawn:  # new points (not a new start or learning rate): draw them
            self._points_drawn = u.x
            pos, neg = u.x[u.t == 1], u.x[u.t == 0]
            self.points_pos.setData(pos[:, 0], pos[:, 1])
            self.points_neg.setData(neg[:, 0], neg[:, 1])
            x1lo, x1hi, x2lo, x2hi = u.bounds
            self.plot_data.setRange(xRange=(x1lo, x1hi), yRange=(x2lo, x2hi), padding=0)
        self.start_marker.setData([u.w0[0]], [u.w0[1]])
        u.step(int(self.model["steps"]))
        if u.done:
            self.set_running(False)
        self.schedule_refresh()

    # -- training -----------------------------------------------------------------------------
    @property
    def shown(self) -> tuple[str, ...]:
        return self.model.shown

    @property
    def trainers(self):
        return self.units.trainers

    @property
    def step_count(self) -> int:
        return self.units.step_count

    def reset(self) -> None:
        self.set_running(False)
        self.units = Units(self.model, self.units)
        self.schedule_refresh()

    def step(self, n: int = 1) -> None:
        self.units.step(n)
        if self.units.done:
            self.set_running(False)
        self.schedule_refresh()

    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def set_running(self, on: bool) -> None:
        on = bool(on) and not self.units.done
        if on:
            self._apply_speed()
            self.timer.start()
        else:
            self.timer.stop()
        if self.run_button.isChecked() != on:
            with QtCore.QSignalBlocker(self.run_button):
                self.run_button.setChecked(on)
        self.run_button.setText("Pause" if on else "Run")

    def _apply_speed(self) -> None:
        speed = float(self.model["speed"])
        self._per_tick = max(1, round(speed * FRAME_MS / 1000))
        self.timer.setInterval(max(FRAME_MS, round(1000 * self._per_tick / speed)))

    def _tick(self) -> None:
        self.step(self._per_tick)
        self.refresh()

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
            for item in (self.lines[rule], self.paths[rule]):
                item.setVisible(rule in shown)
        self.path_legend.clear()
        self.path_legend.addItem(self.start_marker, "start (all units)" if len(shown) > 1 else "start")
        for rule in shown:
            self.path_legend.addItem(self.paths[rule], RULE_SHORT[rule])

    def redraw(self) -> None:
        u = self.units
        problems = []
        shown = self.shown
        heads = []
        for rule in shown:
            trainer = u.trainers[rule]
            seg = trainer.line(u.bounds)
            self.lines[rule].setData(*(([], []) if seg is None else seg))
            path = np.asarray(trainer.path)
            _set_line(self.paths[rule], path[:, 0], path[:, 1])
            heads.append(path[-1, :2])
            losses = np.asarray(trainer.losses, dtype=float)
            plot = self.loss_plots[rule]
            top = step_axis_top(losses.size - 1)
            if plot.viewRange()[0][1] != top:
                plot.setXRange(0.0, top, padding=0)
            finite = np.isfinite(losses)
            if finite.all():
                _set_line(self.loss_curves[rule], np.arange(losses.size), losses)
                high = float(losses.max())
            else:
                _set_line(self.loss_curves[rule], np.arange(losses.size), np.where(finite, losses, np.nan),
                          connect="finite")
                high = float(losses[finite].max()) if finite.any() else 1.0
            # from 0, so a flat loss looks flat (autorange would magnify a 1e-4 drift); the top holds still
            # while a drag keeps the loss between a third of it and it (no axis re-rendered every frame)
            held = self._loss_top.get(rule)
            loss_top = loss_axis_top(held, high)
            if held is not None and loss_top < held and not self.may_narrow():  # mid-drag it only grows
                loss_top = held
            if loss_top != held:
                self._loss_top[rule] = loss_top
                plot.setYRange(0.0, loss_top, padding=0)
            title = f"{RULE_TINY[rule]}: {trainer.errors()} wrong"
            if self._titles.get(rule) != title:
                self._titles[rule] = title
                plot.setTitle(title, size="8pt")
            if trainer.error:
                problems.append(f"{RULE_SHORT[rule]}: {trainer.error}")
        self.heads.setData(pos=np.array(heads), pen=[self._head_style[r][0] for r in shown],
                           brush=[self._head_style[r][1] for r in shown])
        # the weight plane holds its scale while the paths stay in it, with the origin (zero weights) in view
        weights = [np.asarray(u.trainers[rule].path)[:, :2] for rule in shown] + [np.zeros((1, 2))]
        hold_range(self.plot_path, *(w[:, 0] for w in weights), axis="x")
        hold_range(self.plot_path, *(w[:, 1] for w in weights), axis="y")
        current = (float(u.x[u.last_index, 0]), float(u.x[u.last_index, 1])) if 0 <= u.last_index < len(u.x) \
            else None
        if current != self._current_drawn:
            self._current_drawn = current
            self.current.setData(*(([current[0]], [current[1]]) if current is not None else ([], [])))
        status = u.status(shown, RULE_TINY)
        if u.done:
            status += f" · stopped at {MAX_STEPS} steps (Reset to start again)"
        self.status_label.setText(status)
        warning = "\n".join(problems)
        if warning != self.warning.text():
            self.warning.setText(warning)
        if self.warning.isHidden() == bool(problems):
            self.warning.setVisible(bool(problems))

    # -- export -------------------------------------------------------------------------------
    def export_item(self):
        return self.layout_widget.ci

    def export_columns(self) -> dict[str, np.ndarray]:
        lines = {}
        for rule in self.shown:
            xd, yd = self.lines[rule].getData()
            lines[rule] = (np.zeros(0) if xd is None else np.asarray(xd), np.zeros(0) if yd is None else np.asarray(yd))
        return columns(self.units, self.shown, lines)

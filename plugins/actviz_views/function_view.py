"""The function view: f and f′ (or E and ∂E/∂y) stacked on a shared axis, with pins.

Thin wiring over :class:`FunctionModel`: curves are created once and updated
with ``setData``; the visible range is re-sampled at about one point per pixel
on every pan or zoom, and a pan writes the range back to the model.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from actviz import Loss
from actviz.evaluation import EvaluationError, slope, value
from actviz.gui import FormulaLabel, ViewContext, ViewWidget, guard_plot, hold_range, page, pen, warning_label
from actviz.maths.sampling import clip_to_domain
from actviz_views.function_model import FunctionModel, compute, pin_title, sample, split_values
from actviz_views.wiring import hold_clear_of_legend, set_curve

#: how long a moved value must rest before the shown function's derivative is checked again (ms)
CHECK_REST_MS = 80


class FunctionView(ViewWidget):
    """f(z) above f′(z) for the model's function; pins overlay other functions."""

    dock_panel = True
    model: FunctionModel

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        self.xs = self.values = self.slopes = self.numerical = np.zeros(0)
        self.mismatch = None
        self.pin_curves: list[tuple[pg.PlotDataItem, pg.PlotDataItem]] = []
        self._pin_drawn: list = []  # per pin: what its curves were last drawn from, and the problem it had
        # while a drawn function's parameter or range moves, its derivative check waits until the value
        # rests (CHECK_REST_MS): a drag's frames draw, the verdict follows the last one
        self._check = None  # the check still to run (Curves.check), or None
        self._checked_spec = None  # the function the last check was for
        self._problems: tuple[list[str], list[str]] = ([], [])  # the frame's own warning lines, and its pins'
        self._check_lines: list[str] = []  # the last check's warning lines
        self._check_timer = QtCore.QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_REST_MS)
        self._check_timer.timeout.connect(self._run_check)

        self.layout_widget = pg.GraphicsLayoutWidget()
        self.plot_f = self.layout_widget.addPlot(row=0, col=0)
        self.plot_d = self.layout_widget.addPlot(row=1, col=0)
        self.plot_d.setXLink(self.plot_f)
        for plot in (self.plot_f, self.plot_d):
            guard_plot(plot)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.addItem(pg.InfiniteLine(0, angle=0, pen=pg.mkPen((128, 128, 128), width=1)))
            plot.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen((128, 128, 128), width=1)))
            # no clip-to-view: x is re-sampled to the view on every pan, so clipping would slice out nothing
            plot.vb.setAutoVisible(y=True)  # the "A" button's auto-range follows what is in view
            for side in ("left", "bottom"):
                plot.getAxis(side).enableAutoSIPrefix(False)
        self.legend = self.plot_f.addLegend(offset=(10, 10))
        self.curve_f = self.plot_f.plot(pen=pen(0), name="f")
        self.curve_d = self.plot_d.plot(pen=pen(0), name="f′")
        for curve in (self.curve_f, self.curve_d):
            curve.setZValue(5)  # the current function above the pins
        self.curve_num = self.plot_d.plot(
            pen=pg.mkPen("#f39c12", width=1, style=QtCore.Qt.PenStyle.DashLine), name="numerical")
        self.cross = [pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((150, 150, 150), width=1))
                      for _ in range(2)]
        self.plot_f.addItem(self.cross[0], ignoreBounds=True)
        self.plot_d.addItem(self.cross[1], ignoreBounds=True)

        self.formula_f = FormulaLabel()
        self.formula_d = FormulaLabel()
        self.warning = warning_label()
        self.readout = QtWidgets.QLabel(" ")
        self.notes = QtWidgets.QLabel()
        self.notes.setWordWrap(True)
        self.pin_list = QtWidgets.QListWidget()
        self.pin_list.setFixedHeight(64)
        self.pin_list.setWordWrap(True)  # a long pin title takes a second line rather than losing its values
        self.pin_list.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.unpin_button = QtWidgets.QPushButton("Remove pin")
        self.clear_button = QtWidgets.QPushButton("Clear pins")
        self.unpin_button.clicked.connect(lambda: self.model.unpin(self.pin_list.currentRow()))
        self.clear_button.clicked.connect(self.model.clear_pins)

        self.pin_action = QtGui.QAction("&Pin current function", self)
        self.pin_action.setShortcut(QtGui.QKeySequence("Ctrl+P"))
        self.pin_action.triggered.connect(self.pin)
        self.clear_action = QtGui.QAction("&Clear pins", self)
        self.clear_action.triggered.connect(self.model.clear_pins)

        # f beside f′, or f′ under f when both do not fit across (GELU's f′ is 450 px wide)
        self.head = head = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.Direction.LeftToRight)
        head.addWidget(self.formula_f)
        head.addSpacing(24)
        head.addWidget(self.formula_d)
        head.addStretch(1)
        for label in (self.formula_f, self.formula_d):
            label.shown.connect(self._arrange_head)
        pins = QtWidgets.QHBoxLayout()
        pins.addWidget(self.pin_list, 1)
        buttons = QtWidgets.QVBoxLayout()
        buttons.addWidget(self.unpin_button)
        buttons.addWidget(self.clear_button)
        pins.addLayout(buttons)
        column = QtWidgets.QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(head)
        column.addWidget(self.warning)
        column.addWidget(self.layout_widget, 1)
        column.addWidget(self.readout)
        column.addWidget(self.notes)
        column.addLayout(pins)
        self.layout_widget.setMinimumHeight(2 * 165 + 40)  # two ≥ 120 px data areas; a short window scrolls
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(page(column, across=True))

        self.plot_f.vb.sigXRangeChanged.connect(self._panned)
        self.plot_f.vb.sigResized.connect(self.schedule_refresh)
        self._mouse = pg.SignalProxy(self.layout_widget.scene().sigMouseMoved, rateLimit=60, slot=self._hover)
        self.on_model_changed(frozenset({"function", "zmin", "zmax", "numerical", "pins"}))

    # -- model → widgets -----------------------------------------------------------------------
    @property
    def spec(self):
        return self.model.spec

    def on_model_changed(self, names: frozenset[str]) -> None:
        if "function" in names:
            self._show_function()
        if names & {"zmin", "zmax"}:
            self._show_range()
        if "numerical" in names:
            self.curve_num.setVisible(self.model["numerical"] == "on")
        if "pins" in names:
            self._show_pins()
        self.schedule_refresh()

    def _show_function(self) -> None:
        spec = self.spec
        if spec is None:
            return
        loss = isinstance(spec, Loss)
        self.plot_f.setLabel("left", "E(y; t)" if loss else "f(z)")
        self.plot_d.setLabel("left", "∂E/∂y" if loss else "f′(z)")
        self.plot_d.setLabel("bottom", "y" if loss else "z")
        self.plot_f.setTitle(spec.label)
        self.formula_f.set_formula(spec.formula, deferred=not self.context.headless)
        self.formula_d.set_formula(spec.derivative_formula, deferred=not self.context.headless)
        note = spec.notes
        if spec.numerical_derivative:
            note = "The plugin gives no derivative: f′ is numerical. " + note
        self.notes.setText(note)
        label = self.legend.getLabel(self.curve_f)
        if label is not None:
            label.setText(spec.label)

    def _show_range(self) -> None:
        low, high = self.plot_f.viewRange()[0]
        zmin, zmax = self.model["zmin"], self.model["zmax"]
        if abs(low - zmin) > 1e-9 * (zmax - zmin) or abs(high - zmax) > 1e-9 * (zmax - zmin):
            self.plot_f.setXRange(zmin, zmax, padding=0)

    def _panned(self, *_args) -> None:
        low, high = self.plot_f.viewRange()[0]
        zmin, zmax = self.model["zmin"], self.model["zmax"]
        if abs(low - zmin) <= 1e-9 * (high - low) and abs(high - zmax) <= 1e-9 * (high - low):
            self.schedule_refresh()
            return
        low, high = max(low, -1e9), min(high, 1e9)
        if high > low:
            try:
                self.model.update({"zmin": low, "zmax": high}, merge=True)
            except ValueError:
                pass
        self.schedule_refresh()

    def _show_pins(self) -> None:
        for f_curve, d_curve in self.pin_curves:
            self.plot_f.removeItem(f_curve)
            self.plot_d.removeItem(d_curve)
        self.pin_curves = []
        self._pin_drawn = []
        self.pin_list.clear()
        for i, (spec, values) in enumerate(self.model.pins(), 1):
            title = pin_title(spec, values)
            self.pin_curves.append((self.plot_f.plot(pen=pen(i, 2), name=title), self.plot_d.plot(pen=pen(i, 2))))
            item = QtWidgets.QListWidgetItem(title)
            swatch = QtGui.QPixmap(12, 12)
            swatch.fill(pen(i).color())
            item.setIcon(QtGui.QIcon(swatch))
            self.pin_list.addItem(item)

    def _arrange_head(self) -> None:
        need = self.formula_f.sizeHint().width() + 24 + self.formula_d.sizeHint().width()
        across = need <= self.width() - 24
        direction = QtWidgets.QBoxLayout.Direction.LeftToRight if across else \
            QtWidgets.QBoxLayout.Direction.TopToBottom
        if self.head.direction() != direction:
            self.head.setDirection(direction)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange_head()

    # -- actions -------------------------------------------------------------------------------
    def view_actions(self) -> list[QtGui.QAction]:
        return [self.pin_action, self.clear_action]

    def pin(self) -> None:
        why = self.model.pin()
        if why:
            self.context.status(why)

    # -- drawing ------------------------------------------------------------------------------
    def redraw(self) -> None:
        spec = self.spec
        if spec is None:
            return
        model = self.model
        params, target = model.params, model.target
        low, high = self.plot_f.viewRange()[0]
        xs = sample(spec, low, high, int(self.plot_f.vb.width()) or 800, params, target)
        curves = compute(spec, xs, params, target, model["numerical"] == "on", defer_check=True)
        self.xs, self.values, self.slopes, self.numerical = curves.xs, curves.values, curves.slopes, curves.numerical
        self._check_timer.stop()
        self._check = curves.check
        if curves.check is None:
            self.mismatch, self._check_lines = curves.mismatch, []  # no check, or one already in problems
        elif self._checked_spec is not spec:  # a new function: its verdict comes with its first picture
            self._run_check(show=False)
        else:  # the same function, moved: check once the value rests (the last verdict stays until then)
            self._check_timer.start()
        pin_problems: list[str] = []
        set_curve(self.curve_f, xs, self.values)
        set_curve(self.curve_d, xs, self.slopes)
        if self.numerical.size:
            set_curve(self.curve_num, xs, self.numerical)
        f_arrays, d_arrays = [self.values], [self.slopes]
        if self.curve_num.isVisible():
            d_arrays.append(self.numerical)
        drawn = self._pin_drawn
        for i, ((pin_spec, values), (f_curve, d_curve)) in enumerate(zip(model.pins(), self.pin_curves,
                                                                         strict=False)):
            pp, pt = split_values(pin_spec, values)
            same = pin_spec.name == spec.name and pp == params and pt == target
            self._show_pin_entry(f_curve, d_curve, same)
            # a pin's curves depend on its own function and values and on x only: a drag of the shown
            # function's parameter leaves them as they are (no plugin call, no setData)
            key = (tuple(pp.items()), pt)
            if i < len(drawn) and drawn[i][0] is pin_spec and drawn[i][1] == key and np.array_equal(drawn[i][2], xs):
                problem = drawn[i][3]
            else:
                pxs = clip_to_domain(xs, getattr(pin_spec, "domain", "real"))
                problem = ""
                try:
                    set_curve(f_curve, pxs, value(pin_spec, pxs, pp, pt))
                    set_curve(d_curve, pxs, slope(pin_spec, pxs, pp, pt))
                except EvaluationError as exc:
                    problem = f"pin {pin_title(pin_spec, values)}: {exc}"
                if i < len(drawn):
                    drawn[i] = (pin_spec, key, xs, problem)
                else:
                    drawn.append((pin_spec, key, xs, problem))
            if problem:
                pin_problems.append(problem)
            if not same:
                f_arrays.append(f_curve.yData)
                d_arrays.append(d_curve.yData)
        # y holds still while a parameter is dragged (re-fitted when the curves leave it or fill under a
        # third); 0 stays in view, as the zero lines kept it when the range followed the data
        zero = np.zeros(1)
        # and the legend in its corner keeps clear of the curves (their top lifted under it)
        shown = [self.curve_f] + [f for f, _ in self.pin_curves[:len(model.pins())]]
        hold_clear_of_legend(self.legend, self.plot_f, shown, zero, *f_arrays)
        hold_range(self.plot_d, zero, *d_arrays)
        self._problems = (list(curves.problems), pin_problems)
        self._show_problems()

    def _run_check(self, show: bool = True) -> None:
        """The derivative check of the last frame (deferred by ``redraw``), its verdict into the warning."""
        check, self._check = self._check, None
        if check is None:
            return
        self._checked_spec = self.spec
        try:
            self.mismatch, self._check_lines = check()
        except Exception as exc:  # noqa: BLE001 - plugin code runs in the check; it must not escape a timer
            self.mismatch, self._check_lines = None, [f"derivative check: {type(exc).__name__}: {exc}"]
        if show:
            self._show_problems()

    def _show_problems(self) -> None:
        own, pins = self._problems
        problems = [*own, *self._check_lines, *pins]
        text = "\n".join(problems)
        if self.warning.text() != text:
            self.warning.setText(text)
        self.warning.setVisible(bool(problems))

    def _show_pin_entry(self, f_curve: pg.PlotDataItem, d_curve: pg.PlotDataItem, same: bool) -> None:
        """A pin of exactly the current function is the current curve: neither drawn twice nor listed twice."""
        for curve in (f_curve, d_curve):
            curve.setVisible(not same)
        listed = self.legend.getLabel(f_curve) is not None
        if same and listed:
            self.legend.removeItem(f_curve)
        elif not same and not listed:
            self.legend.addItem(f_curve, f_curve.name())

    def _hover(self, event) -> None:
        pos = event[0]
        if self.spec is None:
            return
        plot = next((p for p in (self.plot_f, self.plot_d) if p.sceneBoundingRect().contains(pos)), None)
        if plot is None:
            return
        x = plot.vb.mapSceneToView(pos).x()
        for line in self.cross:
            line.setPos(x)
        self.readout.setText(self.readout_text(x))

    def readout_text(self, x: float) -> str:
        spec, model = self.spec, self.model
        point = np.array([x])
        try:
            f = value(spec, point, model.params, model.target)[0]
            d = slope(spec, point, model.params, model.target)[0]
        except EvaluationError as exc:
            return f"{x:.6g}: {exc}"
        if isinstance(spec, Loss):
            return f"y = {x:.6g}    E = {f:.6g}    ∂E/∂y = {d:.6g}"
        return f"z = {x:.6g}    f(z) = {f:.6g}    f′(z) = {d:.6g}"

    # -- export -------------------------------------------------------------------------------
    def export_item(self):
        return self.layout_widget.ci

    def export_columns(self) -> dict[str, np.ndarray]:
        spec = self.spec
        if spec is None:
            return {}
        loss = isinstance(spec, Loss)
        x, f, d = ("y", "E", "dE/dy") if loss else ("z", "f", "f'")
        cols = {x: self.xs, f"{spec.name} {f}": self.values, f"{spec.name} {d}": self.slopes}
        if self.numerical.size:
            cols[f"{spec.name} {d} numerical"] = self.numerical
        for i, ((pin_spec, values), (f_curve, d_curve)) in enumerate(zip(self.model.pins(), self.pin_curves,
                                                                         strict=False), 1):
            xd, yd = f_curve.getData()
            _, dd = d_curve.getData()
            if xd is not None and xd.size == self.xs.size:
                title = pin_title(pin_spec, values)
                cols[f"pin{i} {title} {f}"] = yd
                cols[f"pin{i} {title} {d}"] = dd
        return cols

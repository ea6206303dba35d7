"""The function view: f and f′ (or E and ∂E/∂y) stacked on a shared axis, with pins.

Curves are created once and updated with ``setData``; the visible range is
re-sampled at about one point per pixel on every pan or zoom.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from actviz.gui.formula import FormulaLabel
from actviz.gui.viewbase import Choice, ViewContext, ViewWidget, controls_of, guard_plot, pen, warning_label
from actviz.host import evaluation
from actviz.host.registry import kinks_of
from actviz.maths.sampling import clip_to_domain, sample_range
from actviz.numerics import derivative_mismatch, near_kinks, step_size
from actviz.specs import Activation, Loss, Param

MAX_PINS = 8


@dataclass
class Pin:
    spec: Activation | Loss
    values: dict[str, float]
    color: int
    curves: list[pg.PlotDataItem] = field(default_factory=list)

    @property
    def title(self) -> str:
        own = ", ".join(f"{k}={v:g}" for k, v in self.values.items())
        return f"{self.spec.label} ({own})" if own else self.spec.label


def default_range(spec: Activation | Loss, target: float | None) -> tuple[float, float]:
    if isinstance(spec, Loss):
        if spec.domain == "probability":
            return (0.0, 1.0)
        t = 0.0 if target is None else target
        return (t - 3.0, t + 3.0)
    return (-5.0, 5.0)


def split_values(spec: Activation | Loss, values: dict[str, float]) -> tuple[dict[str, float], float | None]:
    params = {p.name: values.get(p.name, p.default) for p in spec.params}
    target = values.get(spec.target.name, spec.target.default) if isinstance(spec, Loss) else None
    return params, target


class FunctionView(ViewWidget):
    """f(z) above f′(z) for the browser's selection; pins overlay other functions."""

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        self.pins: list[Pin] = []
        self.show_numerical = True
        self.xs = np.zeros(0)
        self.values = np.zeros(0)
        self.slopes = np.zeros(0)
        self.numerical = np.zeros(0)
        self.mismatch = None
        self._domain_key: tuple | None = None

        self.layout_widget = pg.GraphicsLayoutWidget()
        self.plot_f = self.layout_widget.addPlot(row=0, col=0)
        self.plot_d = self.layout_widget.addPlot(row=1, col=0)
        self.plot_d.setXLink(self.plot_f)
        for plot in (self.plot_f, self.plot_d):
            guard_plot(plot)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.addItem(pg.InfiniteLine(0, angle=0, pen=pg.mkPen((128, 128, 128), width=1)))
            plot.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen((128, 128, 128), width=1)))
            plot.setClipToView(True)
            plot.vb.setAutoVisible(y=True)
            plot.enableAutoRange(axis="y")
        self.legend = self.plot_f.addLegend(offset=(10, 10))
        self.curve_f = self.plot_f.plot(pen=pen(0), name="f")
        self.curve_d = self.plot_d.plot(pen=pen(0), name="f′")
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
        self.numerical_box = QtWidgets.QCheckBox("numerical derivative")
        self.numerical_box.setChecked(True)
        self.numerical_box.toggled.connect(self.set_show_numerical)
        self.pin_list = QtWidgets.QListWidget()
        self.pin_list.setFixedHeight(64)
        self.unpin_button = QtWidgets.QPushButton("Remove pin")
        self.clear_button = QtWidgets.QPushButton("Clear pins")
        self.unpin_button.clicked.connect(lambda: self.unpin(self.pin_list.currentRow()))
        self.clear_button.clicked.connect(self.clear_pins)

        head = QtWidgets.QHBoxLayout()
        head.addWidget(self.formula_f)
        head.addSpacing(24)
        head.addWidget(self.formula_d)
        head.addStretch(1)
        head.addWidget(self.numerical_box)
        pins = QtWidgets.QHBoxLayout()
        pins.addWidget(self.pin_list, 1)
        buttons = QtWidgets.QVBoxLayout()
        buttons.addWidget(self.unpin_button)
        buttons.addWidget(self.clear_button)
        pins.addLayout(buttons)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.warning)
        layout.addWidget(self.layout_widget, 1)
        layout.addWidget(self.readout)
        layout.addWidget(self.notes)
        layout.addLayout(pins)

        self.plot_f.vb.sigXRangeChanged.connect(self.schedule_refresh)
        self.plot_f.vb.sigResized.connect(self.schedule_refresh)
        self._mouse = pg.SignalProxy(self.layout_widget.scene().sigMouseMoved, rateLimit=60, slot=self._hover)
        context.selection.changed.connect(self.on_selection_changed)
        context.selection.params_changed.connect(self.schedule_refresh)
        if context.selection.spec is not None:
            self.on_selection_changed()

    # -- selection and controls ---------------------------------------------------------------
    @property
    def spec(self) -> Activation | Loss | None:
        return self.context.selection.spec

    def on_selection_changed(self) -> None:
        spec = self.spec
        if spec is None:
            return
        sel = self.context.selection
        key = (spec.kind, getattr(spec, "domain", "real"))
        if key != self._domain_key:
            self._domain_key = key
            self.set_range(*default_range(spec, sel.target))
        x_name = "y" if isinstance(spec, Loss) else "z"
        self.plot_f.setLabel("left", "E(y; t)" if isinstance(spec, Loss) else "f(z)")
        self.plot_d.setLabel("left", "∂E/∂y" if isinstance(spec, Loss) else "f′(z)")
        self.plot_d.setLabel("bottom", x_name)
        self.plot_f.setTitle(spec.label)
        self.formula_f.set_formula(spec.formula, deferred=not self.context.headless)
        self.formula_d.set_formula(spec.derivative_formula, deferred=not self.context.headless)
        note = spec.notes
        if spec.numerical_derivative:
            note = "The plugin gives no derivative: f′ is numerical. " + note
        self.notes.setText(note)
        self._rename_legend()
        self.schedule_refresh()

    def set_range(self, low: float, high: float) -> None:
        self.plot_f.setXRange(low, high, padding=0)

    def controls(self):
        names = tuple(self.context.registry.activations) + tuple(self.context.registry.losses)
        spec = self.spec
        own = controls_of(spec) if spec is not None else ()
        low, high = self.plot_f.viewRange()[0]
        return (
            Choice("function", spec.name if spec else names[0], names, help="function to show"),
            Param("zmin", low, -1e9, 1e9, help="left end of the axis"),
            Param("zmax", high, -1e9, 1e9, help="right end of the axis"),
            *own,
        )

    def control_value(self, name: str):
        if name == "function":
            return self.spec.name if self.spec else ""
        if name in ("zmin", "zmax"):
            return self.plot_f.viewRange()[0][0 if name == "zmin" else 1]
        return self.context.selection.values[name]

    def set_control(self, name: str, value) -> None:
        sel = self.context.selection
        if name == "function":
            sel.select(self.context.registry.get(value))
        elif name in ("zmin", "zmax"):
            low, high = self.plot_f.viewRange()[0]
            width = high - low
            if name == "zmin":
                low, high = value, (high if high > value else value + width)
            else:
                low, high = (low if low < value else value - width), value
            self.set_range(low, high)
        elif name in sel.values:
            sel.set_value(name, value)
        else:
            raise KeyError(name)
        self.schedule_refresh()

    def apply_settings(self, settings) -> None:
        if "zmin" in settings and "zmax" in settings:
            low, high = float(settings["zmin"]), float(settings["zmax"])
            if not high > low:
                raise ValueError(f"zmin={low:g} must be below zmax={high:g}")
        super().apply_settings(settings)

    def set_show_numerical(self, on: bool) -> None:
        self.show_numerical = on
        self.numerical_box.setChecked(on)
        self.curve_num.setVisible(on)
        self.schedule_refresh()

    # -- pins ---------------------------------------------------------------------------------
    def pin(self, spec: Activation | Loss | None = None, values: dict[str, float] | None = None) -> Pin | None:
        spec = spec or self.spec
        if spec is None:
            return None
        if len(self.pins) >= MAX_PINS:
            self.context.status(f"at most {MAX_PINS} pins; remove one first")
            return None
        if values is None:
            values = dict(self.context.selection.values) if spec is self.spec else spec.defaults
        used = {p.color for p in self.pins}
        color = next(i for i in range(1, 20) if i not in used)
        p = Pin(spec, dict(values), color)
        style = QtCore.Qt.PenStyle.SolidLine
        p.curves = [self.plot_f.plot(pen=pen(color, 2, style), name=p.title),
                    self.plot_d.plot(pen=pen(color, 2, style))]
        self.pins.append(p)
        self.pin_list.addItem(p.title)
        self.schedule_refresh()
        return p

    def unpin(self, index: int) -> None:
        if not 0 <= index < len(self.pins):
            return
        p = self.pins.pop(index)
        self.plot_f.removeItem(p.curves[0])
        self.plot_d.removeItem(p.curves[1])
        self.pin_list.takeItem(index)
        self.schedule_refresh()

    def clear_pins(self) -> None:
        while self.pins:
            self.unpin(len(self.pins) - 1)

    def _rename_legend(self) -> None:
        label = self.legend.getLabel(self.curve_f) if self.spec is not None else None
        if label is not None:
            label.setText(self.spec.label)

    # -- drawing ------------------------------------------------------------------------------
    def sample_points(self, spec: Activation | Loss, params, target) -> np.ndarray:
        low, high = self.plot_f.viewRange()[0]
        pixels = int(self.plot_f.vb.width()) or 800
        xs = sample_range(low, high, pixels, kinks_of(spec, params, target))
        return clip_to_domain(xs, getattr(spec, "domain", "real"))

    def redraw(self) -> None:
        spec = self.spec
        if spec is None:
            return
        sel = self.context.selection
        params, target = sel.params, sel.target
        xs = self.sample_points(spec, params, target)
        self.xs = xs
        problems = []
        try:
            self.values = evaluation.value(spec, xs, params, target)
            self.slopes = evaluation.slope(spec, xs, params, target)
        except evaluation.EvaluationError as exc:
            self.values = self.slopes = np.full(xs.shape, np.nan)
            problems.append(f"{spec.label} ({spec.plugin}): {exc}")
        self.numerical = np.zeros(0)
        self.mismatch = None
        if self.show_numerical and not problems:
            kinks = kinks_of(spec, params, target)
            numerical = evaluation.numerical_slope(spec, xs, params, target)
            # a central difference straddling a kink or jump is meaningless there: leave a gap
            self.numerical = np.where(near_kinks(xs, kinks, step_size(xs)), np.nan, numerical)
            if not spec.numerical_derivative:
                args = () if target is None else (target,)
                self.mismatch = derivative_mismatch(
                    lambda v: evaluation.call(spec.function, v, *args, **params),
                    lambda v: evaluation.call(spec.derivative, v, *args, **params),
                    xs, kinks=kinks)
        self._set(self.curve_f, xs, self.values)
        self._set(self.curve_d, xs, self.slopes)
        self._set(self.curve_num, xs, self.numerical) if self.show_numerical else None
        for p in self.pins:
            pp, pt = split_values(p.spec, p.values)
            pxs = clip_to_domain(xs, getattr(p.spec, "domain", "real"))
            try:
                self._set(p.curves[0], pxs, evaluation.value(p.spec, pxs, pp, pt))
                self._set(p.curves[1], pxs, evaluation.slope(p.spec, pxs, pp, pt))
            except evaluation.EvaluationError as exc:
                problems.append(f"pin {p.title}: {exc}")
        bad = int(np.count_nonzero(~np.isfinite(self.values))) if self.values.size else 0
        if bad and not problems:
            problems.append(f"f is not finite at {bad} of {xs.size} points (left blank)")
        if self.mismatch is not None:
            problems.append(f"⚠ {self.mismatch}")
        self.warning.setText("\n".join(problems))
        self.warning.setVisible(bool(problems))

    @staticmethod
    def _set(curve: pg.PlotDataItem, xs: np.ndarray, ys: np.ndarray) -> None:
        ys = np.where(np.isfinite(ys), ys, np.nan)
        curve.setData(xs, ys, connect="finite")

    def _hover(self, event) -> None:
        pos = event[0]
        spec = self.spec
        if spec is None or not self.plot_f.sceneBoundingRect().contains(pos) and \
                not self.plot_d.sceneBoundingRect().contains(pos):
            return
        plot = self.plot_f if self.plot_f.sceneBoundingRect().contains(pos) else self.plot_d
        x = plot.vb.mapSceneToView(pos).x()
        for line in self.cross:
            line.setPos(x)
        self.readout.setText(self.readout_text(x))

    def readout_text(self, x: float) -> str:
        spec = self.spec
        sel = self.context.selection
        point = np.array([x])
        try:
            f = evaluation.value(spec, point, sel.params, sel.target)[0]
            d = evaluation.slope(spec, point, sel.params, sel.target)[0]
        except evaluation.EvaluationError as exc:
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
        x = "y" if isinstance(spec, Loss) else "z"
        d = "dE/dy" if isinstance(spec, Loss) else "f'"
        f = "E" if isinstance(spec, Loss) else "f"
        cols = {x: self.xs, f"{spec.name} {f}": self.values, f"{spec.name} {d}": self.slopes}
        if self.numerical.size:
            cols[f"{spec.name} {d} numerical"] = self.numerical
        for i, p in enumerate(self.pins, 1):
            xd, yd = p.curves[0].getData()
            _, dd = p.curves[1].getData()
            if xd is not None and xd.size == self.xs.size:
                cols[f"pin{i} {p.title} {f}"] = yd
                cols[f"pin{i} {p.title} {d}"] = dd
        return cols

    def state(self):
        low, high = self.plot_f.viewRange()[0]
        return {"range": [low, high], "numerical": self.show_numerical,
                "pins": [{"name": p.spec.name, "values": p.values} for p in self.pins]}

    def restore(self, state) -> None:
        reg = self.context.registry
        rng = state.get("range")
        if isinstance(rng, list) and len(rng) == 2 and all(isinstance(v, (int, float)) for v in rng) \
                and np.isfinite(rng).all() and rng[1] > rng[0]:
            self.set_range(float(rng[0]), float(rng[1]))
        self.set_show_numerical(bool(state.get("numerical", True)))
        for item in state.get("pins", []) or []:
            try:
                spec = reg.get(item["name"])
                values = {k: float(v) for k, v in dict(item.get("values", {})).items()}
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
            self.pin(spec, values)

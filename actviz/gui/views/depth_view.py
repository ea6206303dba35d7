"""The hidden-δ view: mean |δ| layer by layer through a seeded deep network, on a log axis.

All numbers come from :func:`actviz.backprop.hidden_deltas`; this module picks
the activations to overlay, caches results per setting and draws. Each
activation gets its mean |δ| per layer and a p10…p90 band.

Keys for ``actviz export --view depth --set KEY=VALUE``: ``layers``, ``width``,
``init`` (scale, xavier, he), ``scale``, ``seed`` and ``activations`` (a
comma-separated list of registry activation names, drawn at their default
parameters).
"""

from __future__ import annotations

import html
import math
import time
from collections import OrderedDict

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui.controls import ControlPanel
from actviz.gui.viewbase import PALETTE, Choice, ViewContext, ViewWidget, guard_plot, pen, warning_label
from actviz.host import evaluation
from actviz.maths import backprop as bp
from actviz.specs import Activation, Param

DEFAULT_ACTIVATIONS = ("logistic", "tanh", "relu")
MAX_OVERLAY = 6
MAX_SEED = 2**31 - 1
BATCH = 16  # × width 32 = 512 samples per layer: stable percentiles, and three activations redraw in a few ms
INITS = ("scale", "xavier", "he")
CACHE = 24

INTRO = ("<b>Vanishing and exploding gradients.</b> Going back one layer multiplies δ by the weights and by the "
         "slope: δ<sub>l</sub> = (W<sub>l+1</sub><sup>T</sup> δ<sub>l+1</sub>) ⊙ f′(z<sub>l</sub>). If the typical "
         "factor |W|·f′ is below 1, |δ| shrinks geometrically on its way to the first layers (vanishing: the "
         "logistic's f′ is at most ¼); above 1 it grows (exploding). The output error (δ = 1 at layer L, right) "
         "is sent back to layer 1 (left); each curve is the mean |δ| of its layer, the band its 10th–90th "
         "percentile, on a log scale.")
INIT_TEXT = {
    "scale": "Weights ~ N(0, scale²): the same std at every width.",
    "xavier": "Xavier: weights ~ N(0, scale²/width) — keeps |W|·f′ ≈ 1 for tanh near 0.",
    "he": "He: weights ~ N(0, 2·scale²/width) — doubles Xavier's variance for ReLU, which zeroes half its inputs.",
}


def _positive(values: np.ndarray) -> np.ndarray:
    """NaN where a log axis cannot draw (0, negative, ±inf, NaN)."""
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def _decades(ratio: float) -> str:
    if ratio == 0:
        return "all the gradient is lost (exactly 0)"
    if not math.isfinite(ratio):
        return "it overflowed"
    d = math.log10(ratio)
    if abs(d) < 0.5:
        return "about the same size"
    return f"{abs(d):.0f} decades {'smaller (vanishing)' if d < 0 else 'larger (exploding)'}"


class _Slot:
    """The plot items of one overlaid activation: mean curve, band edges and the fill between them."""

    def __init__(self, plot: pg.PlotItem, index: int) -> None:
        color = QtGui.QColor(PALETTE[index % len(PALETTE)])
        edge = pg.mkPen(color.red(), color.green(), color.blue(), 110, width=1)
        self.lower = plot.plot(pen=edge, connect="finite")
        self.upper = plot.plot(pen=edge, connect="finite")
        self.fill = pg.FillBetweenItem(self.lower, self.upper, brush=pg.mkBrush(color.red(), color.green(),
                                                                                color.blue(), 32))
        plot.addItem(self.fill)
        self.mean = plot.plot(pen=pen(index, 2), connect="finite")
        self.mean.setZValue(5)
        self.items = (self.lower, self.upper, self.fill, self.mean)

    def show(self, on: bool) -> None:
        for item in self.items:
            item.setVisible(on)

    def clear(self) -> None:
        for curve in (self.lower, self.upper, self.mean):
            curve.setData([], [])


class DepthView(ViewWidget):
    """Per-layer |δ| of a seeded random network for several hidden activations."""

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        reg = context.registry
        self.layers, self.width, self.init, self.scale, self.seed = 20, 32, "he", 1.0, 0
        chosen = [n for n in DEFAULT_ACTIVATIONS if n in reg.activations]
        self.activations: list[str] = chosen or list(reg.activations)[:1]
        self.results: dict[str, bp.DepthResult] = {}
        self.drawn: dict[str, dict[str, np.ndarray]] = {}
        self.ratios: dict[str, float] = {}
        self.floor = 1e-300
        self.redraw_ms = 0.0
        self._syncing = False
        self._cache: OrderedDict[tuple, bp.DepthResult] = OrderedDict()

        self.layout_widget = pg.GraphicsLayoutWidget()
        # the legend gets its own row above the plot: it never hides a curve, and it is in every export
        self.legend = pg.LegendItem(labelTextSize="8pt", colCount=3, verSpacing=-6)
        self.layout_widget.addItem(self.legend, row=0, col=0)
        self.plot = self.layout_widget.addPlot(row=1, col=0)
        guard_plot(self.plot)
        self.plot.setLogMode(x=False, y=True)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        for side in ("left", "bottom"):  # grid behind the curves: the log axis's many lines would cut them up
            self.plot.getAxis(side).setZValue(-1)
        self.plot.setMenuEnabled(False)
        self.plot.setLabel("left", "mean |δ| of the layer (log scale)")
        self.plot.setLabel("bottom", "layer l   (1 = first hidden layer, input side ← → output layer L)")
        self.slots = [_Slot(self.plot, i) for i in range(MAX_OVERLAY)]
        self.plot.addItem(pg.InfiniteLine(0, angle=0, pen=pg.mkPen((128, 128, 128), width=1,
                                                                  style=QtCore.Qt.PenStyle.DotLine)),
                          ignoreBounds=True)  # |δ| = 1 (log₁₀ = 0): the output error's size

        self.intro = QtWidgets.QLabel(INTRO)
        self.intro.setWordWrap(True)
        self.warning = warning_label()
        self.readout = QtWidgets.QLabel(" ")
        self.readout.setWordWrap(True)
        self.readout.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.readout.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.init_note = QtWidgets.QLabel("")
        self.init_note.setWordWrap(True)
        self.init_note.setStyleSheet("font-size: small;")

        self.panel = ControlPanel(spin_width=84)
        self.panel.reset_all.hide()
        self.panel.layout().setContentsMargins(0, 0, 0, 0)
        names = ("layers", "width", "init", "scale", "seed")
        self.panel.build([c for c in self.controls() if c.name in names],
                         {n: self.control_value(n) for n in names})
        self.panel.reset_all.hide()
        for name, widget in self.panel.widgets.items():
            spin = getattr(widget, "spin", None)
            if spin is not None:
                if name in ("layers", "width", "seed"):
                    spin.setDecimals(0)
                if name == "seed":
                    widget.slider.hide()
        self.panel.changed.connect(self._from_panel)
        self.act_list = QtWidgets.QListWidget()
        self.act_list.setToolTip(f"tick up to {MAX_OVERLAY} activations to overlay (drawn at their default "
                                 "parameters)")
        for name, spec in reg.activations.items():
            item = QtWidgets.QListWidgetItem(spec.label)
            item.setData(QtCore.Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(QtCore.Qt.CheckState.Unchecked)
            self.act_list.addItem(item)
        self.act_list.itemChanged.connect(self._from_list)
        self.act_list.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        net_box = QtWidgets.QGroupBox("Network")
        net_layout = QtWidgets.QVBoxLayout(net_box)
        net_layout.setContentsMargins(4, 4, 4, 4)
        net_layout.addWidget(self.panel)
        net_layout.addWidget(self.init_note)
        act_box = QtWidgets.QGroupBox("Hidden activations")
        act_layout = QtWidgets.QVBoxLayout(act_box)
        act_layout.setContentsMargins(4, 4, 4, 4)
        act_layout.addWidget(self.act_list)
        side = QtWidgets.QVBoxLayout()
        side.setContentsMargins(0, 0, 4, 0)
        side.addWidget(net_box)
        side.addWidget(act_box, 1)
        side_widget = QtWidgets.QWidget()
        side_widget.setLayout(side)
        side_widget.setFixedWidth(220)
        main = QtWidgets.QVBoxLayout()
        main.addWidget(self.intro)
        main.addWidget(self.warning)
        main.addWidget(self.layout_widget, 1)
        main.addWidget(self.readout)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(side_widget)
        layout.addLayout(main, 1)
        self._sync_widgets()
        self._relegend()
        self.schedule_refresh()

    # -- controls -----------------------------------------------------------------------------
    def controls(self):
        presets = (",".join(n for n in DEFAULT_ACTIVATIONS if n in self.context.registry.activations)
                   or next(iter(self.context.registry.activations), ""),)
        return (
            Param("layers", 20, 1, 50, 1, label="layers L", help="hidden layers δ is sent back through"),
            Param("width", 32, 2, 128, 1, label="width", help="units per layer (wide and deep redraws slowly)"),
            Choice("init", "he", INITS, label="init", help="weight std: scale itself, or scale × Xavier / He"),
            Param("scale", 1.0, 0.01, 10.0, 0.01, label="scale", help="the weight std (init=scale) or its multiplier"),
            Param("seed", 0, 0, MAX_SEED, 1, label="seed", help="seed of the inputs, weights and output error"),
            Choice("activations", presets[0], presets, label="activations",
                   help=f"(the option is an example) any comma-separated list of up to {MAX_OVERLAY} activation names "
                        "(drawn at their default parameters)"),
        )

    def control_value(self, name: str):
        values = {"layers": float(self.layers), "width": float(self.width), "init": self.init,
                  "scale": self.scale, "seed": float(self.seed), "activations": ",".join(self.activations)}
        if name not in values:
            raise KeyError(name)
        return values[name]

    @staticmethod
    def _whole(name: str, value, low: int, high: int) -> int:
        v = float(value)
        if not low <= v <= high:
            raise ValueError(f"{name}={v:g} is outside [{low}, {high}]")
        if v != int(v):
            raise ValueError(f"{name}={v:g} must be a whole number")
        return int(v)

    def set_control(self, name: str, value) -> None:
        reg = self.context.registry
        if name == "layers":
            self.layers = self._whole(name, value, 1, 50)
        elif name == "width":
            self.width = self._whole(name, value, 2, 128)
        elif name == "seed":
            self.seed = self._whole(name, value, 0, MAX_SEED)
        elif name == "init":
            if value not in INITS:
                raise ValueError(f"init={value!r} is not one of {', '.join(INITS)}")
            self.init = str(value)
        elif name == "scale":
            v = float(value)
            if not 0.01 <= v <= 10.0:
                raise ValueError(f"scale={v:g} is outside [0.01, 10]")
            self.scale = v
        elif name == "activations":
            names = [n.strip() for n in str(value).split(",") if n.strip()]
            unknown = [n for n in names if n not in reg.activations]
            if unknown:
                raise ValueError(f"activations: no activation {unknown[0]!r} (activations: "
                                 f"{', '.join(reg.activations)})")
            if not names:
                raise ValueError("activations: name at least one activation")
            names = list(dict.fromkeys(names))
            if len(names) > MAX_OVERLAY:
                raise ValueError(f"activations: at most {MAX_OVERLAY}, got {len(names)}")
            self.activations = names
            self._relegend()
        else:
            raise KeyError(name)
        self._sync_widgets()
        self.schedule_refresh()

    def apply_settings(self, settings) -> None:
        settings = dict(settings)
        if "activations" in settings:  # free text: not one of the presets
            self.set_control("activations", settings.pop("activations"))
        super().apply_settings(settings)

    def restore(self, state) -> None:
        state = dict(state)
        if isinstance(state.get("activations"), str):
            try:
                self.set_control("activations", state.pop("activations"))
            except ValueError:
                state.pop("activations")
        super().restore(state)

    def _sync_widgets(self) -> None:
        self._syncing = True
        try:
            for name, widget in self.panel.widgets.items():
                value = self.control_value(name)
                if widget.value() != value:
                    widget.setValue(value)
            for i in range(self.act_list.count()):
                item = self.act_list.item(i)
                on = item.data(QtCore.Qt.ItemDataRole.UserRole) in self.activations
                state = QtCore.Qt.CheckState.Checked if on else QtCore.Qt.CheckState.Unchecked
                if item.checkState() != state:
                    item.setCheckState(state)
            self.init_note.setText(INIT_TEXT[self.init])
        finally:
            self._syncing = False

    def _from_panel(self, name: str, value) -> None:
        if self._syncing:
            return
        if name in ("layers", "width", "seed"):
            value = round(float(value))
        try:
            self.set_control(name, value)
        except ValueError as exc:
            self.warning.setText(str(exc))
            self.warning.show()

    def _from_list(self, item: QtWidgets.QListWidgetItem) -> None:
        if self._syncing:
            return
        name = item.data(QtCore.Qt.ItemDataRole.UserRole)
        names = [n for n in self.activations if n != name]
        if item.checkState() == QtCore.Qt.CheckState.Checked:
            names.append(name)
        if not names or len(names) > MAX_OVERLAY:
            why = "keep at least one activation" if not names else f"at most {MAX_OVERLAY} activations"
            self.context.status(why)
            self._sync_widgets()
            return
        self.set_control("activations", ",".join(names))

    def _relegend(self) -> None:
        self.legend.clear()
        reg = self.context.registry
        for i, slot in enumerate(self.slots):
            on = i < len(self.activations)
            slot.show(on)
            if on:
                self.legend.addItem(slot.mean, reg.activations[self.activations[i]].label)
            else:
                slot.clear()

    # -- drawing ------------------------------------------------------------------------------
    def result(self, spec: Activation) -> bp.DepthResult:
        """hidden_deltas at the current settings, cached (dragging one control recomputes only what changed)."""
        params = spec.defaults
        key = (spec.name, tuple(sorted(params.items())), self.layers, self.width, self.init, self.scale, self.seed)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        res = bp.hidden_deltas(spec, params, self.layers, self.width, self.init, self.scale, self.seed, batch=BATCH)
        self._cache[key] = res
        while len(self._cache) > CACHE:
            self._cache.popitem(last=False)
        return res

    def redraw(self) -> None:
        start = time.perf_counter()
        reg = self.context.registry
        problems: list[str] = []
        self.results, self.ratios = {}, {}
        for name in self.activations:
            try:
                self.results[name] = self.result(reg.activations[name])
            except evaluation.EvaluationError as exc:
                problems.append(f"{reg.activations[name].label}: {exc} (not drawn)")
        positives = [v[np.isfinite(v) & (v > 0)] for r in self.results.values() for v in (r.mean_abs, r.p10, r.p90)]
        positives = [p for p in positives if p.size]
        self.floor = max(1e-300, float(min(p.min() for p in positives)) / 10.0) if positives else 1e-300
        self.drawn = {}
        rows = []
        for i, name in enumerate(self.activations):
            slot = self.slots[i]
            res = self.results.get(name)
            if res is None:
                slot.clear()
                continue
            x = res.layers.astype(float)
            mean = _positive(res.mean_abs)
            lower = np.where(res.p10 > 0, res.p10, self.floor)  # p10 = 0 (dead units): down to the floor
            upper = res.p90.astype(float)
            band = np.isfinite(lower) & np.isfinite(upper) & (upper > 0)
            lower, upper = np.where(band, lower, np.nan), np.where(band, np.maximum(upper, lower), np.nan)
            slot.lower.setData(x, lower, connect="finite")
            slot.upper.setData(x, upper, connect="finite")
            slot.mean.setData(x, mean, connect="finite")
            self.drawn[name] = {"mean": mean, "p10": lower, "p90": upper}
            rows.append(self._row(i, reg.activations[name], res, problems))
        self.plot.setXRange(0.5, self.layers + 0.5, padding=0)
        self.readout.setText("<br>".join(rows))
        self.warning.setText("\n".join(problems))
        self.warning.setVisible(bool(problems))
        self.redraw_ms = 1000.0 * (time.perf_counter() - start)

    def _row(self, index: int, spec: Activation, res: bp.DepthResult, problems: list[str]) -> str:
        first, last = float(res.mean_abs[0]), float(res.mean_abs[-1])
        with np.errstate(all="ignore"):
            ratio = first / last if last > 0 and math.isfinite(last) else math.inf
        if not math.isfinite(first):
            ratio = math.inf
        self.ratios[spec.name] = ratio
        color = PALETTE[index % len(PALETTE)]
        text = (f"<span style='color:{color}'>■</span> <b>{html.escape(spec.label)}</b>: "
                f"|δ| layer 1 / layer {res.layers[-1]} = <b>{ratio:.3g}</b> — {_decades(ratio)}")
        dead = float(res.zero_fraction.max())
        if dead > 0.05:
            text += f"; up to {dead:.0%} of the units pass no gradient (δ = 0, band drawn to the bottom)"
        if res.overflow:
            bad = int(np.count_nonzero(~np.isfinite(res.mean_abs)))
            problems.append(f"{spec.label}: the numbers overflowed (inf) in {bad} of {res.layers.size} layers "
                            "(left blank); lower the scale")
        return text

    # -- export -------------------------------------------------------------------------------
    def export_item(self):
        return self.layout_widget.ci

    def export_columns(self) -> dict[str, np.ndarray]:
        cols: dict[str, np.ndarray] = {}
        for name, res in self.results.items():
            cols.setdefault("layer", res.layers.astype(float))
            cols[f"{name} mean |delta|"] = res.mean_abs
            cols[f"{name} median |delta|"] = res.median_abs
            cols[f"{name} p10 |delta|"] = res.p10
            cols[f"{name} p90 |delta|"] = res.p90
            cols[f"{name} zero fraction"] = res.zero_fraction
        return cols

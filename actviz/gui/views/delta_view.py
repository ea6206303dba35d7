"""The output-δ view: y = f(z), ∂E/∂y, f′(z) and δ = ∂E/∂z stacked over z, for several (activation, loss) pairs.

Every drawn number comes from :mod:`actviz.backprop` (``output_delta``,
``confidently_wrong``, ``lecture_shortcut``); this module samples z, draws and
explains. The drawn pairs are a list (the ``pairs`` key): one of them is the
*selected* pair, whose activation, loss and parameters the controls edit, and
whose δ formula is shown.

Keys for ``actviz export --view delta --set KEY=VALUE``:

``pairs``        comma-separated ``activation:loss`` list, parameters in brackets, e.g.
                 ``logistic(beta=2):squared_error,softmax(z2=1;z3=0):categorical_cross_entropy(K=3)``
``pair``         which pair (1 = first) the next keys edit; default the last
``activation``   activation of the selected pair; its parameters are ``act.NAME`` (e.g. ``act.beta``)
``loss``         loss of the selected pair; its parameters are ``loss.NAME`` (e.g. ``loss.K``)
``t``            the target, shared by every pair
``ywrong``       the output y marked as "confidently wrong" (default 0.01)
``zmin, zmax``   the plotted z range
"""

from __future__ import annotations

import html
import re
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui.controls import ControlPanel
from actviz.gui.formula import FormulaLabel
from actviz.gui.viewbase import PALETTE, Choice, ViewContext, ViewWidget, control_column, guard_plot, pen, warning_label
from actviz.host import evaluation
from actviz.maths import backprop as bp
from actviz.specs import Activation, Loss, Param

DEFAULT_PAIRS = (("logistic", "squared_error"), ("logistic", "binary_cross_entropy"))
PRESETS = ("logistic:squared_error,logistic:binary_cross_entropy",
           "softmax:categorical_cross_entropy",
           "logistic:squared_error,logistic:binary_cross_entropy,tanh:squared_error,linear:squared_error")
MAX_PAIRS = 6
POINTS = 801
Z_LIMIT = 100.0
DASH = QtCore.Qt.PenStyle.DashLine

INTRO = ("<b>δ = ∂E/∂z = ∂E/∂y · f′(z)</b> is the error signal backpropagation sends into an output unit's "
         "weights (Δw = −ε δ x). Dots mark where each unit is <i>confidently wrong</i>: if f′ is tiny there and "
         "∂E/∂y does not make up for it, δ is tiny and learning stalls when the unit is most wrong.")
SHORTCUT_TEXT = ("<b>Dashed:</b> the lecture's diagonal shortcut δ₁ = ∂E/∂y₁ · y₁(1−y₁) = −t₁(1−y₁). It leaves out "
                 "the off-diagonal Jacobian terms −y<sub>i</sub>y₁ (raising z₁ also lowers every other y<sub>i</sub>, "
                 "which changes E too). The full chain gives δ₁ = y₁ − t₁ (solid). The two differ by y₁(1−t₁): "
                 "they agree only at t₁ = 1; at t₁ = 0 the shortcut says 0 while the true δ₁ is y₁ "
                 "(erratum 8).")


class PairError(ValueError):
    """A ``pairs`` text could not be read; the message says which part and why."""


@dataclass
class Pair:
    """One drawn (activation, loss) pair with its own parameters, colour and curves."""

    activation: Activation
    loss: Loss
    act_values: dict[str, float]
    loss_values: dict[str, float]
    color: int = 0
    curves: list[pg.PlotDataItem] = field(default_factory=list)  # y, ∂E/∂y, f′, δ
    shortcut: pg.PlotDataItem | None = None
    out: bp.OutputDelta | None = None
    wrong: bp.ConfidentlyWrong | None = None
    wrong_values: tuple[float, float, float, float] | None = None  # y, ∂E/∂y, f′, δ at the wrong z
    shortcut_data: np.ndarray | None = None
    problem: str = ""

    @property
    def title(self) -> str:
        own = [f"{p.name}={values.get(p.name, p.default):g}"
               for spec, values in ((self.activation, self.act_values), (self.loss, self.loss_values))
               for p in spec.params if values.get(p.name, p.default) != p.default]
        base = f"{self.activation.label} + {self.loss.label}"
        return f"{base} ({', '.join(own)})" if own else base

    @property
    def legend_name(self) -> str:
        return self.text.replace(":", " + ")

    @property
    def short(self) -> str:
        return f"{self.activation.name} + {self.loss.name}"

    @property
    def text(self) -> str:
        return f"{_with_params(self.activation.name, self.activation, self.act_values)}:" \
               f"{_with_params(self.loss.name, self.loss, self.loss_values)}"


def _with_params(name: str, spec: Activation | Loss, values: Mapping[str, float]) -> str:
    changed = [f"{p.name}={values[p.name]:g}" for p in spec.params if values.get(p.name, p.default) != p.default]
    return f"{name}({';'.join(changed)})" if changed else name


_PAIR = re.compile(r"^\s*(\w+)\s*(?:\(([^()]*)\))?\s*:\s*(\w+)\s*(?:\(([^()]*)\))?\s*$")


def _split_top(text: str) -> list[str]:
    """Split at commas outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in (s.strip() for s in parts) if p]


def _read_params(spec: Activation | Loss, text: str | None, where: str) -> dict[str, float]:
    values = {p.name: p.default for p in spec.params}
    by_name = {p.name: p for p in spec.params}
    for item in re.split(r"[;,]", text or ""):
        if not item.strip():
            continue
        key, eq, raw = item.partition("=")
        key = key.strip()
        if not eq or key not in by_name:
            known = ", ".join(by_name) or "none"
            raise PairError(f"{where}: {item.strip()!r} is not NAME=VALUE with a parameter of {spec.name} "
                            f"(parameters: {known})")
        try:
            value = float(raw)
        except ValueError:
            raise PairError(f"{where}: {key}={raw.strip()!r} is not a number") from None
        p = by_name[key]
        if not p.low <= value <= p.high:
            raise PairError(f"{where}: {key}={value:g} is outside [{p.low:g}, {p.high:g}]")
        values[key] = value
    return values


def parse_pairs(text: str, registry) -> list[tuple[Activation, Loss, dict[str, float], dict[str, float]]]:
    """Read ``act[(p=v;…)]:loss[(p=v;…)]`` items separated by commas; PairError names the bad one."""
    items = _split_top(str(text))
    if not items:
        raise PairError("pairs is empty: give at least one activation:loss")
    if len(items) > MAX_PAIRS:
        raise PairError(f"at most {MAX_PAIRS} pairs, got {len(items)}")
    out = []
    for item in items:
        m = _PAIR.match(item)
        if m is None:
            raise PairError(f"{item!r} is not activation:loss (e.g. logistic:binary_cross_entropy)")
        act_name, act_params, loss_name, loss_params = m.groups()
        if act_name not in registry.activations:
            raise PairError(f"{item!r}: no activation {act_name!r} (activations: {', '.join(registry.activations)})")
        if loss_name not in registry.losses:
            raise PairError(f"{item!r}: no loss {loss_name!r} (losses: {', '.join(registry.losses)})")
        act, loss = registry.activations[act_name], registry.losses[loss_name]
        out.append((act, loss, _read_params(act, act_params, item), _read_params(loss, loss_params, item)))
    return out


def _narrow(panel: ControlPanel) -> None:
    """Combo boxes that fit the side column (spin boxes: ControlPanel's spin_width)."""
    for widget in panel.widgets.values():
        combo = getattr(widget, "combo", None)
        if combo is not None:
            combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)


def _finite(values: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(values), values, np.nan)


def _fmt(value: float) -> str:
    return f"{value:.3g}" if np.isfinite(value) else str(value)


class DeltaView(ViewWidget):
    """y, ∂E/∂y, f′ and δ of output units over z, for a list of (activation, loss) pairs."""

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        reg = context.registry
        self.pairs: list[Pair] = []
        self.selected = 0
        self.t = 1.0
        self.ywrong = 0.01
        self.zmin, self.zmax = -7.0, 7.0
        self.z = np.zeros(0)
        self.ratio: float | None = None
        self.redraw_ms = 0.0
        self._syncing = False
        self._wrong_cache: OrderedDict[tuple, bp.ConfidentlyWrong | None] = OrderedDict()

        # -- plots ------------------------------------------------------------------------------
        self.layout_widget = pg.GraphicsLayoutWidget()
        lw = self.layout_widget
        lefts = ("output y = f(z)", "∂E/∂y at y", "slope f′(z)", "δ = ∂E/∂z")
        self.plots: list[pg.PlotItem] = []
        for row, left in enumerate(lefts):
            plot = lw.addPlot(row=row + 1, col=0)
            guard_plot(plot)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setLabel("left", left)
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.getAxis("left").setWidth(64)
            for side in ("left", "bottom"):  # grid behind the curves
                plot.getAxis(side).setZValue(-1)
            plot.addItem(pg.InfiniteLine(0, angle=0, pen=pg.mkPen((128, 128, 128), width=1)), ignoreBounds=True)
            plot.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen((128, 128, 128), width=1)), ignoreBounds=True)
            plot.setMenuEnabled(False)
            plot.enableAutoRange(axis="x", enable=False)
            plot.enableAutoRange(axis="y")
            if self.plots:
                plot.setXLink(self.plots[0])
            self.plots.append(plot)
        self.plot_y, self.plot_grad, self.plot_slope, self.plot_delta = self.plots
        self.plot_delta.setLabel("bottom", "z (net input of the output unit)")
        # the legend gets its own row above the plots: it never hides a curve, and it is in every export
        self.legend = pg.LegendItem(labelTextSize="8pt", colCount=2, verSpacing=-6)
        lw.addItem(self.legend, row=0, col=0)
        self.markers = [pg.ScatterPlotItem(size=9, pen=pg.mkPen(pg.getConfigOption("foreground"), width=1))
                        for _ in self.plots]
        for plot, marker in zip(self.plots, self.markers, strict=True):
            plot.addItem(marker)
            marker.setZValue(10)
        self._brushes = [pg.mkBrush(c) for c in PALETTE]
        self.plot_y.setXRange(self.zmin, self.zmax, padding=0)

        # -- texts --------------------------------------------------------------------------------
        self.intro = QtWidgets.QLabel(INTRO)
        self.intro.setWordWrap(True)
        self.formula = FormulaLabel()
        self.formula_caption = QtWidgets.QLabel("selected pair:")
        self.formula_note = QtWidgets.QLabel("")
        self.formula_note.setWordWrap(True)
        self.formula_note.setStyleSheet("font-size: small;")
        self.warning = warning_label()
        self.readout = QtWidgets.QLabel(" ")
        self.readout.setWordWrap(True)
        self.readout.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.readout.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.shortcut_note = QtWidgets.QLabel(SHORTCUT_TEXT)
        self.shortcut_note.setWordWrap(True)
        self.shortcut_note.hide()

        # -- controls -----------------------------------------------------------------------------
        self.pair_list = QtWidgets.QListWidget()
        self.pair_list.setFixedHeight(104)
        self.pair_list.setWordWrap(True)
        self.pair_list.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pair_list.currentRowChanged.connect(self._from_list)
        self.add_button = QtWidgets.QPushButton("Add pair")
        self.add_button.setToolTip("add a copy of the selected pair, then change its activation or loss below")
        self.remove_button = QtWidgets.QPushButton("Remove")
        self.remove_button.setToolTip("remove the selected pair")
        self.add_button.clicked.connect(self.add_pair)
        self.remove_button.clicked.connect(lambda: self.remove_pair(self.selected))
        self.pair_panel = ControlPanel(spin_width=84)
        self.pair_panel.reset_all.hide()
        self.pair_panel.layout().setContentsMargins(0, 0, 0, 0)
        self.pair_panel.changed.connect(self._from_panel)
        self.range_panel = ControlPanel(spin_width=84)
        self.range_panel.reset_all.hide()
        self.range_panel.layout().setContentsMargins(0, 0, 0, 0)
        self.range_panel.changed.connect(self._from_panel)
        self._panel_timer = QtCore.QTimer(self)
        self._panel_timer.setSingleShot(True)
        self._panel_timer.setInterval(0)
        self._panel_timer.timeout.connect(self._build_pair_panel)

        pairs_box = QtWidgets.QGroupBox("Pairs drawn")
        pairs_layout = QtWidgets.QVBoxLayout(pairs_box)
        pairs_layout.setContentsMargins(4, 4, 4, 4)
        pairs_layout.addWidget(self.pair_list)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        pairs_layout.addLayout(buttons)
        edit_box = QtWidgets.QGroupBox("Selected pair")
        edit_layout = QtWidgets.QVBoxLayout(edit_box)
        edit_layout.setContentsMargins(4, 4, 4, 4)
        edit_layout.addWidget(self.pair_panel)
        range_box = QtWidgets.QGroupBox("Target, mark and range")
        range_layout = QtWidgets.QVBoxLayout(range_box)
        range_layout.setContentsMargins(4, 4, 4, 4)
        range_layout.addWidget(self.range_panel)
        side = QtWidgets.QVBoxLayout()
        side.setContentsMargins(0, 0, 4, 0)
        for box in (pairs_box, edit_box, range_box):
            side.addWidget(box)
        side.addStretch(1)
        scroll = control_column(side, 220)

        head = QtWidgets.QHBoxLayout()
        head.addWidget(self.formula_caption)
        head.addWidget(self.formula)
        head.addStretch(1)
        main = QtWidgets.QVBoxLayout()
        main.addWidget(self.intro)
        main.addLayout(head)
        main.addWidget(self.warning)
        main.addWidget(self.layout_widget, 1)
        main.addWidget(self.readout)
        main.addWidget(self.formula_note)
        main.addWidget(self.shortcut_note)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(scroll)
        layout.addLayout(main, 1)

        self.plot_y.vb.sigXRangeChanged.connect(self._from_pan)
        defaults = [(reg.activations[a], reg.losses[b]) for a, b in DEFAULT_PAIRS
                    if a in reg.activations and b in reg.losses]
        if not defaults and reg.activations and reg.losses:
            defaults = [(next(iter(reg.activations.values())), next(iter(reg.losses.values())))]
        self._set_pairs([(a, b, a.defaults, b.defaults) for a, b in defaults])
        self.range_panel.build([c for c in self.controls() if c.name in ("ywrong", "zmin", "zmax")],
                               {n: self.control_value(n) for n in ("ywrong", "zmin", "zmax")})
        self.range_panel.reset_all.hide()
        _narrow(self.range_panel)
        self._build_pair_panel()
        self.schedule_refresh()

    # -- the pair list ------------------------------------------------------------------------
    @property
    def current(self) -> Pair | None:
        return self.pairs[self.selected] if self.pairs else None

    def _new_pair(self, act: Activation, loss: Loss, av: Mapping[str, float], lv: Mapping[str, float]) -> Pair:
        used = {p.color for p in self.pairs}
        color = next(i for i in range(len(PALETTE)) if i not in used)
        pair = Pair(act, loss, dict(av), dict(lv), color)
        pair.curves = [plot.plot(pen=pen(color, 2), connect="finite") for plot in self.plots]
        pair.shortcut = self.plot_delta.plot(pen=pen(color, 2, DASH), connect="finite")
        pair.shortcut.hide()
        self.legend.addItem(pair.curves[0], pair.legend_name)
        return pair

    def _drop_pair(self, pair: Pair) -> None:
        self.legend.removeItem(pair.curves[0])
        if pair.shortcut is not None:
            self.legend.removeItem(pair.shortcut)
            self.plot_delta.removeItem(pair.shortcut)
        for plot, curve in zip(self.plots, pair.curves, strict=True):
            plot.removeItem(curve)

    def _set_pairs(self, items) -> None:
        for pair in self.pairs:
            self._drop_pair(pair)
        self.pairs = []
        for item in items:
            self.pairs.append(self._new_pair(*item))
        self.selected = len(self.pairs) - 1
        self._clamp_t()
        self._pairs_changed()

    def add_pair(self) -> Pair | None:
        """Append a copy of the selected pair (at most MAX_PAIRS) and select it."""
        cur = self.current
        if cur is None:
            return None
        if len(self.pairs) >= MAX_PAIRS:
            self.context.status(f"at most {MAX_PAIRS} pairs; remove one first")
            return None
        pair = self._new_pair(cur.activation, cur.loss, cur.act_values, cur.loss_values)
        self.pairs.append(pair)
        self.selected = len(self.pairs) - 1
        self._pairs_changed()
        return pair

    def remove_pair(self, index: int) -> None:
        if len(self.pairs) <= 1 or not 0 <= index < len(self.pairs):
            if len(self.pairs) <= 1:
                self.context.status("the last pair cannot be removed")
            return
        self._drop_pair(self.pairs.pop(index))
        self.selected = min(self.selected, len(self.pairs) - 1)
        self._pairs_changed()

    def _pairs_changed(self) -> None:
        """The list, its selection or a pair's identity changed: relabel, rebuild the editor, redraw."""
        self._syncing = True
        try:
            self.pair_list.clear()
            for i, pair in enumerate(self.pairs, 1):
                item = QtWidgets.QListWidgetItem(f"{i}. {pair.title}")
                item.setForeground(QtGui.QBrush(QtGui.QColor(PALETTE[pair.color % len(PALETTE)])))
                item.setToolTip(pair.text)
                self.pair_list.addItem(item)
            self.pair_list.setCurrentRow(self.selected)
        finally:
            self._syncing = False
        self._relabel()
        self.remove_button.setEnabled(len(self.pairs) > 1)
        self.add_button.setEnabled(len(self.pairs) < MAX_PAIRS)
        self._panel_timer.start()
        self._show_formula()
        self.schedule_refresh()

    def _relabel(self) -> None:
        for i, pair in enumerate(self.pairs, 1):
            label = self.legend.getLabel(pair.curves[0])
            if label is not None:
                label.setText(pair.legend_name)
            item = self.pair_list.item(i - 1)
            if item is not None:
                item.setText(f"{i}. {pair.title}")
                item.setToolTip(pair.text)

    def _show_formula(self) -> None:
        cur = self.current
        if cur is None:
            return
        pair = bp.known_pair(cur.activation, cur.loss)
        tex = pair.formula if pair is not None else bp.PRODUCT_FORMULA
        self.formula.set_formula(tex, deferred=not self.context.headless)
        self.formula_caption.setText(f"δ of pair {self.selected + 1} ({cur.short}):")
        self.formula_note.setText(f"Pair {self.selected + 1}: " + (pair.note if pair is not None else
                                  "no simplification known for this pair: δ is the product of the two "
                                  "plots above it."))

    def _from_list(self, row: int) -> None:
        if self._syncing or not 0 <= row < len(self.pairs) or row == self.selected:
            return
        self.selected = row
        self._clamp_t()
        self._panel_timer.start()
        self._show_formula()
        self.schedule_refresh()

    def _clamp_t(self) -> None:
        cur = self.current
        if cur is not None:
            self.t = cur.loss.target.clamp(self.t)

    # -- controls -----------------------------------------------------------------------------
    def controls(self):
        reg = self.context.registry
        cur = self.current
        acts, losses = tuple(reg.activations), tuple(reg.losses)
        own: list[Param] = []
        target = Param("t", 1.0, -3.0, 3.0, label="target t")
        if cur is not None:
            own += [Param(f"act.{p.name}", p.default, p.low, p.high, p.step, label=p.display,
                          help=p.help) for p in cur.activation.params]
            own += [Param(f"loss.{p.name}", p.default, p.low, p.high, p.step, label=p.display,
                          help=p.help) for p in cur.loss.params]
            tp = cur.loss.target
            target = Param("t", min(max(1.0, tp.low), tp.high), tp.low, tp.high, tp.step, label="target t",
                           help="target of every pair (its range is the selected loss's)")
        return (
            Choice("pairs", PRESETS[0], PRESETS,
                   help="the drawn pairs (the options are examples): any comma-separated activation:loss list, "
                        "parameters in brackets, separated by ';', e.g. softmax(z2=1;z3=-1):huber(delta=0.5)"),
            Param("pair", len(self.pairs) or 1, 1, MAX_PAIRS, 1, label="selected pair",
                  help="which pair (1 = first) activation, loss and act.*/loss.* edit"),
            Choice("activation", cur.activation.name if cur else (acts[0] if acts else ""), acts,
                   help="activation of the selected pair; its parameters are the act.NAME keys"),
            Choice("loss", cur.loss.name if cur else (losses[0] if losses else ""), losses,
                   help="loss of the selected pair; its parameters are the loss.NAME keys"),
            *own,
            target,
            Param("ywrong", 0.01, 0.0001, 0.9999, 0.0001, label="wrong at y",
                  help="the output marked on every plot; y = 0.01 with t = 1 is confidently wrong"),
            Param("zmin", -7.0, -Z_LIMIT, Z_LIMIT, 0.5, label="z min", help="left end of the z axis"),
            Param("zmax", 7.0, -Z_LIMIT, Z_LIMIT, 0.5, label="z max", help="right end of the z axis"),
        )

    def control_value(self, name: str):
        cur = self.current
        if name == "pairs":
            return ",".join(p.text for p in self.pairs)
        if name == "pair":
            return float(self.selected + 1)
        if name == "activation":
            return cur.activation.name
        if name == "loss":
            return cur.loss.name
        if name.startswith("act.") and cur is not None and name[4:] in cur.act_values:
            return cur.act_values[name[4:]]
        if name.startswith("loss.") and cur is not None and name[5:] in cur.loss_values:
            return cur.loss_values[name[5:]]
        values = {"t": self.t, "ywrong": self.ywrong, "zmin": self.zmin, "zmax": self.zmax}
        if name not in values:
            raise KeyError(name)
        return values[name]

    def set_control(self, name: str, value) -> None:
        reg = self.context.registry
        cur = self.current
        if name == "pairs":
            try:
                items = parse_pairs(value, reg)
            except PairError as exc:
                raise ValueError(f"pairs: {exc}") from None
            self._set_pairs(items)
            return
        if name == "pair":
            index = float(value)
            if index != int(index) or not 1 <= index <= len(self.pairs):
                raise ValueError(f"pair={value:g}: choose 1 … {len(self.pairs)} (one of the drawn pairs)")
            self._from_list(int(index) - 1)
            self._sync_list()
            return
        if cur is None:
            raise KeyError(name)
        if name == "activation":
            if value not in reg.activations:
                raise ValueError(f"activation={value!r} is not one of {', '.join(reg.activations)}")
            if value != cur.activation.name:
                cur.activation = reg.activations[value]
                cur.act_values = cur.activation.defaults
                self._pairs_changed()
            return
        if name == "loss":
            if value not in reg.losses:
                raise ValueError(f"loss={value!r} is not one of {', '.join(reg.losses)}")
            if value != cur.loss.name:
                cur.loss = reg.losses[value]
                cur.loss_values = cur.loss.defaults
                self._clamp_t()
                self._pairs_changed()
            return
        if name.startswith(("act.", "loss.")):
            prefix, _, key = name.partition(".")
            spec = cur.activation if prefix == "act" else cur.loss
            values = cur.act_values if prefix == "act" else cur.loss_values
            param = next((p for p in spec.params if p.name == key), None)
            if param is None:
                raise KeyError(name)
            self._check(name, value, param.low, param.high)
            values[key] = float(value)
            self._relabel()
            self._sync_panel()
        elif name == "t":
            tp = cur.loss.target
            self._check(name, value, tp.low, tp.high, f" ({cur.loss.name}'s target range)")
            self.t = float(value)
            self._sync_panel()
        elif name == "ywrong":
            self._check(name, value, 0.0001, 0.9999)
            self.ywrong = float(value)
            self._sync_panel()
        elif name in ("zmin", "zmax"):
            v = float(value)
            self._check(name, v, -Z_LIMIT, Z_LIMIT)
            width = self.zmax - self.zmin
            if name == "zmin":
                self.zmin, self.zmax = v, (self.zmax if self.zmax > v else v + width)
            else:
                self.zmin, self.zmax = (self.zmin if self.zmin < v else v - width), v
            self.plot_y.setXRange(self.zmin, self.zmax, padding=0)
            self._sync_panel()
        else:
            raise KeyError(name)
        self.schedule_refresh()

    @staticmethod
    def _check(name: str, value, low: float, high: float, why: str = "") -> None:
        v = float(value)
        if not low <= v <= high:  # also rejects NaN
            raise ValueError(f"{name}={v:g} is outside [{low:g}, {high:g}]{why}")

    def apply_settings(self, settings) -> None:
        settings = dict(settings)
        if "zmin" in settings and "zmax" in settings:
            low, high = float(settings["zmin"]), float(settings["zmax"])
            if not high > low:
                raise ValueError(f"zmin={low:g} must be below zmax={high:g}")
        if "pairs" in settings:
            self.set_control("pairs", str(settings.pop("pairs")))
        for key in ("pair", "activation", "loss"):  # these decide which act.*/loss.* keys exist
            if key in settings:
                super().apply_settings({key: settings.pop(key)})
        super().apply_settings(settings)

    def state(self):
        return {name: self.control_value(name) for name in ("pairs", "pair", "t", "ywrong", "zmin", "zmax")}

    def restore(self, state) -> None:
        state = dict(state)
        if isinstance(state.get("pairs"), str):
            try:
                self.set_control("pairs", state["pairs"])
            except ValueError:
                pass  # a pair from a plugin no longer installed: keep the defaults
        for key in ("pair", "zmin", "zmax", "ywrong", "t"):
            if key in state:
                try:
                    self.set_control(key, float(state[key]))
                except (ValueError, TypeError, KeyError):
                    pass

    # -- panels -------------------------------------------------------------------------------
    def _build_pair_panel(self) -> None:
        self._panel_timer.stop()
        names = {"pairs", "pair", "ywrong", "zmin", "zmax"}
        controls = [c for c in self.controls() if c.name not in names]
        self._syncing = True
        try:
            self.pair_panel.build(controls, {c.name: self.control_value(c.name) for c in controls})
            self.pair_panel.reset_all.hide()
            _narrow(self.pair_panel)
        finally:
            self._syncing = False

    def _sync_panel(self) -> None:
        self._syncing = True
        try:
            for panel in (self.pair_panel, self.range_panel):
                for name, widget in panel.widgets.items():
                    try:
                        value = self.control_value(name)
                    except KeyError:
                        continue
                    if widget.value() != value:
                        widget.setValue(value)
        finally:
            self._syncing = False

    def _sync_list(self) -> None:
        self._syncing = True
        try:
            self.pair_list.setCurrentRow(self.selected)
        finally:
            self._syncing = False

    def _from_panel(self, name: str, value) -> None:
        if self._syncing:
            return
        try:
            self.set_control(name, value)
        except (ValueError, KeyError) as exc:
            self.warning.setText(str(exc))
            self.warning.show()

    def _from_pan(self) -> None:
        (low, high) = self.plot_y.viewRange()[0]
        if abs(low - self.zmin) > 1e-9 * (1 + abs(low)) or abs(high - self.zmax) > 1e-9 * (1 + abs(high)):
            self.zmin, self.zmax = max(low, -Z_LIMIT), min(high, Z_LIMIT)
            self._sync_panel()
            self.schedule_refresh()

    # -- drawing ------------------------------------------------------------------------------
    def _confidently_wrong(self, pair: Pair) -> bp.ConfidentlyWrong | None:
        key = (pair.activation.name, tuple(sorted(pair.act_values.items())), pair.loss.name,
               tuple(sorted(pair.loss_values.items())), self.t, self.ywrong)
        if key not in self._wrong_cache:
            self._wrong_cache[key] = bp.confidently_wrong(pair.activation, pair.loss, pair.act_values,
                                                          pair.loss_values, self.t, self.ywrong)
            while len(self._wrong_cache) > 64:
                self._wrong_cache.popitem(last=False)
        return self._wrong_cache[key]

    def redraw(self) -> None:
        start = time.perf_counter()
        z = np.linspace(self.zmin, self.zmax, POINTS)
        self.z = z
        problems: list[str] = []
        spots: list[list[tuple[float, float, int]]] = [[] for _ in self.plots]
        any_shortcut = False
        for pair in self.pairs:
            pair.out, pair.wrong, pair.wrong_values, pair.shortcut_data, pair.problem = None, None, None, None, ""
            tp = pair.loss.target
            if not tp.low <= self.t <= tp.high:
                pair.problem = f"t = {self.t:g} is outside {pair.loss.label}'s target range [{tp.low:g}, {tp.high:g}]"
            else:
                try:
                    pair.out = bp.output_delta(pair.activation, pair.loss, z, pair.act_values, pair.loss_values,
                                               self.t)
                    shortcut = bp.lecture_shortcut(pair.activation, pair.loss, z, pair.act_values, self.t)
                    pair.shortcut_data = None if shortcut is None else shortcut[1]
                    pair.wrong = self._confidently_wrong(pair)
                    if pair.wrong is not None:
                        at = bp.output_delta(pair.activation, pair.loss, np.array([pair.wrong.z]),
                                             pair.act_values, pair.loss_values, self.t)
                        pair.wrong_values = (float(at.y[0]), float(at.dE_dy[0]), float(at.fprime[0]),
                                             float(at.delta[0]))
                except evaluation.EvaluationError as exc:
                    pair.problem = f"{exc}"
                    pair.out = None
            if pair.problem:
                problems.append(f"{pair.short}: {pair.problem} (not drawn)")
                for curve in pair.curves:
                    curve.setData([], [])
                self._show_shortcut(pair)
                continue
            out = pair.out
            for curve, values in zip(pair.curves, (out.y, out.dE_dy, out.fprime, out.delta), strict=True):
                curve.setData(z, _finite(values), connect="finite")
            for what, values in (("y", out.y), ("δ", out.delta)):
                bad = int(np.count_nonzero(~np.isfinite(values)))
                if bad:
                    problems.append(f"{pair.short}: {what} is not finite at {bad} of {z.size} z (left blank)")
            self._show_shortcut(pair)
            any_shortcut |= pair.shortcut_data is not None
            if pair.wrong is not None and self.zmin <= pair.wrong.z <= self.zmax:
                for i, value in enumerate(pair.wrong_values):
                    if np.isfinite(value):
                        spots[i].append((pair.wrong.z, value, pair.color % len(PALETTE)))
        for marker, s in zip(self.markers, spots, strict=True):
            if not s:
                marker.setData([], [])
                continue
            xs, ys, colors = zip(*s, strict=True)
            marker.setData(x=np.array(xs), y=np.array(ys), brush=[self._brushes[c] for c in colors])
        self._fit_gradient_range()
        self.shortcut_note.setVisible(any_shortcut)
        self.readout.setText(self._readout())
        self.warning.setText("\n".join(problems))
        self.warning.setVisible(bool(problems))
        self.redraw_ms = 1000.0 * (time.perf_counter() - start)

    def _show_shortcut(self, pair: Pair) -> None:
        curve = pair.shortcut
        if pair.shortcut_data is None:
            if curve.isVisible():
                curve.hide()
                self.legend.removeItem(curve)
            curve.setData([], [])
            return
        curve.setData(self.z, _finite(pair.shortcut_data), connect="finite")
        if not curve.isVisible():
            curve.show()
            self.legend.addItem(curve, f"{pair.activation.name}: lecture's diagonal shortcut")

    def _fit_gradient_range(self) -> None:
        """∂E/∂y runs off to ±∞ where y saturates: fit the axis to the bulk and the marked points."""
        chunks = [p.out.dE_dy[np.isfinite(p.out.dE_dy)] for p in self.pairs if p.out is not None]
        chunks = [c for c in chunks if c.size]
        if not chunks:
            return
        values = np.concatenate(chunks)
        low, high = np.percentile(values, [3.0, 97.0])
        marks = [p.wrong_values[1] for p in self.pairs if p.wrong_values is not None
                 and self.zmin <= p.wrong.z <= self.zmax and np.isfinite(p.wrong_values[1])]
        low, high = min([low, 0.0, *marks]), max([high, 0.0, *marks])
        pad = 0.08 * (high - low) or 1.0
        self.plot_grad.setYRange(low - pad, high + pad, padding=0)

    def _readout(self) -> str:
        """|δ| of each pair at the confidently-wrong output, and how many times larger the largest is."""
        rows, mags = [], []
        for pair in self.pairs:
            color = PALETTE[pair.color % len(PALETTE)]
            name = f"<span style='color:{color}'>■</span> {html.escape(pair.short)}"
            if pair.problem:
                continue
            if pair.wrong is None or pair.wrong_values is None:
                rows.append(f"{name}: never outputs y = {self.ywrong:g} (no confidently-wrong point)")
                continue
            y, g, fp, d = pair.wrong_values
            where = "" if self.zmin <= pair.wrong.z <= self.zmax else " (outside the plotted z range)"
            rows.append(f"{name}: z = {pair.wrong.z:.3g}{where}: ∂E/∂y = {_fmt(g)}, f′ = {_fmt(fp)}, "
                        f"<b>|δ| = {_fmt(abs(d))}</b>")
            mags.append((abs(d), pair))
        head = f"<b>Confidently wrong: y = {self.ywrong:g} while t = {self.t:g}.</b> "
        self.ratio = None
        finite = [(m, p) for m, p in mags if np.isfinite(m)]
        if len(finite) >= 2:
            big = max(finite, key=lambda mp: mp[0])
            small = min(finite, key=lambda mp: mp[0])
            if small[0] > 0:
                self.ratio = big[0] / small[0]
            if self.ratio is not None and self.ratio < 1.05:
                head += "Every pair gets about the same |δ| from this mistake."
            elif self.ratio is not None:
                head += (f"|δ| of {html.escape(big[1].short)} is <b>{self.ratio:.3g}×</b> that of "
                         f"{html.escape(small[1].short)}: the {html.escape(small[1].short)} unit gets a "
                         f"{self.ratio:.3g}× smaller update from the same mistake.")
            elif big[0] > 0:
                head += (f"{html.escape(small[1].short)} passes no gradient at all (δ = 0): it cannot learn "
                         "from this mistake.")
        return head + "<br>" + "<br>".join(rows)

    # -- export -------------------------------------------------------------------------------
    def export_item(self):
        return self.layout_widget.ci

    def export_columns(self) -> dict[str, np.ndarray]:
        cols: dict[str, np.ndarray] = {"z": self.z}
        names = ("y", "dE/dy", "f'", "delta")
        for i, pair in enumerate(self.pairs, 1):
            if pair.out is None:
                continue
            for name, values in zip(names, (pair.out.y, pair.out.dE_dy, pair.out.fprime, pair.out.delta),
                                    strict=True):
                cols[f"{i} {pair.short} {name}"] = values
            if pair.shortcut_data is not None:
                cols[f"{i} {pair.short} delta lecture shortcut"] = pair.shortcut_data
        return cols

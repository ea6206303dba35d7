"""The hidden-δ view: mean |δ| layer by layer through a seeded deep network, on a log axis.

Thin wiring over :class:`DepthModel`: the numbers come from
:func:`depth_model.compute` (which calls ``actviz.maths.backprop.hidden_deltas``);
each overlaid activation gets a mean curve and a p10…p90 band, created once.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui import (
    PALETTE,
    ControlPanel,
    SteadyLabel,
    ViewContext,
    ViewWidget,
    bind,
    guard_plot,
    hold_range,
    pen,
    warning_label,
)
from actviz_views import depth_text as text
from actviz_views.depth_model import MAX_OVERLAY, DepthCache, DepthModel, Frame, compute
from actviz_views.wiring import KeyRow, add_key_row, set_text

NAME_ROLE = QtCore.Qt.ItemDataRole.UserRole


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
            if curve.xData is not None and len(curve.xData):
                curve.setData([], [])

    def draw(self, x: np.ndarray, lower: np.ndarray, upper: np.ndarray, mean: np.ndarray) -> int:
        """Set the curves whose data changed (the fill's path is rebuilt once); returns how many were set."""
        new = [(c, y) for c, y in ((self.lower, lower), (self.upper, upper), (self.mean, mean))
               if not _same(c, x, y)]
        edges = [c for c, _ in new if c is not self.mean]
        for curve, y in new:
            # the fill follows both edges: when both move, only the last one's change rebuilds its path
            blocker = QtCore.QSignalBlocker(curve) if len(edges) == 2 and curve is edges[0] else None
            finite = bool(np.isfinite(y).all())  # gaps (NaN) need connect="finite", the slower path
            curve.setData(x, y, connect="all" if finite else "finite", skipFiniteCheck=finite)
            del blocker
        return len(new)


#: pixels per decade below which a log axis draws no 2…9 × 10ⁿ lines between its decades
MINOR_PX = 25.0


def _sparse_log_minors(axis: pg.AxisItem) -> None:
    """No 2…9 × 10ⁿ grid lines where the decades are too close for them.

    pyqtgraph adds nine lines per decade whenever its own levels are few: over the 65 decades a
    deep exploding network spans that is ~600 lines in 350 px, a grey wash that hides the decade
    lines and costs most of a frame to paint. The decade levels stay as pyqtgraph chooses them.
    """
    original = axis.logTickValues

    def log_tick_values(min_val, max_val, size, std_ticks):
        decades = max_val - min_val
        if decades > 0 and size / decades < MINOR_PX:
            return [(spacing, values) for spacing, values in std_ticks if spacing >= 1.0]
        return original(min_val, max_val, size, std_ticks)

    axis.logTickValues = log_tick_values


def _same(curve: pg.PlotDataItem, x: np.ndarray, y: np.ndarray) -> bool:
    """Whether ``curve`` already shows exactly (x, y) (NaN gaps included)."""
    old_x, old_y = curve.xData, curve.yData
    return (old_x is not None and old_y is not None and old_x.shape == x.shape and old_y.shape == y.shape
            and np.array_equal(old_x, x) and np.array_equal(old_y, y, equal_nan=True))


class DepthView(ViewWidget):
    """Per-layer |δ| of a seeded random network for several hidden activations."""

    model: DepthModel

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        self.frame: Frame | None = None
        self._cache = DepthCache()

        self.layout_widget = pg.GraphicsLayoutWidget()
        # the legend gets its own row above the plot: it never hides a curve, and it is in every export
        self.legend = add_key_row(self.layout_widget.ci, KeyRow(3), row=0)
        self.plot = self.layout_widget.addPlot(row=1, col=0)
        guard_plot(self.plot)
        self.plot.setLogMode(x=False, y=True)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        for side in ("left", "bottom"):  # the theme puts the grid behind the curves and the legend
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        self.plot.setMenuEnabled(False)
        _sparse_log_minors(self.plot.getAxis("left"))
        self.plot.setLabel("left", "mean |δ| of the layer (log scale)")
        self.plot.setLabel("bottom", "layer l   (1 = first hidden layer, input side ← → output layer L)")
        self.slots = [_Slot(self.plot, i) for i in range(MAX_OVERLAY)]
        self.plot.addItem(pg.InfiniteLine(0, angle=0, pen=pg.mkPen((128, 128, 128), width=1,
                                                                  style=QtCore.Qt.PenStyle.DotLine)),
                          ignoreBounds=True)  # |δ| = 1 (log₁₀ = 0): the output error's size

        self.intro = QtWidgets.QLabel(text.INTRO)
        self.intro.setWordWrap(True)
        self.warning = warning_label()
        self.readout = SteadyLabel(" ")
        self.init_note = QtWidgets.QLabel("")
        self.init_note.setWordWrap(True)
        self.init_note.setStyleSheet("font-size: small;")

        self.panel = ControlPanel(spin_width=84)
        self.panel.layout().setContentsMargins(0, 0, 0, 0)
        self.binding = bind(self.model, self.panel, include=lambda key: key.name != "activations")
        self.panel.reset_all.hide()
        seed = self.panel.widgets.get("seed")
        if seed is not None:
            seed.slider.hide()  # two billion seeds: a slider step skips millions
        self.act_list = QtWidgets.QListWidget()
        self.act_list.setToolTip(f"tick up to {MAX_OVERLAY} activations to overlay (drawn at their default "
                                 "parameters)")
        for name, spec in context.registry.activations.items():
            item = QtWidgets.QListWidgetItem(spec.label)
            item.setData(NAME_ROLE, name)
            item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(QtCore.Qt.CheckState.Unchecked)
            self.act_list.addItem(item)
        self.act_list.itemChanged.connect(self._from_list)
        self.act_list.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.act_list.setWordWrap(True)  # a long name takes a second line rather than losing its end

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
        self.on_model_changed(frozenset({"activations", "init"}))

    # -- model → widgets -----------------------------------------------------------------------
    def on_model_changed(self, names: frozenset[str]) -> None:
        if "activations" in names:
            self._show_activations()
        if "init" in names:
            self.init_note.setText(text.INIT_TEXT.get(self.model["init"], ""))
        self.schedule_refresh()

    def _show_activations(self) -> None:
        names = self.model.names()
        with QtCore.QSignalBlocker(self.act_list):
            for i in range(self.act_list.count()):
                item = self.act_list.item(i)
                on = item.data(NAME_ROLE) in names
                state = QtCore.Qt.CheckState.Checked if on else QtCore.Qt.CheckState.Unchecked
                if item.checkState() != state:
                    item.setCheckState(state)
        self.legend.clear()
        reg = self.context.registry
        for i, slot in enumerate(self.slots):
            on = i < len(names)
            slot.show(on)
            if on:
                self.legend.addItem(slot.mean, reg.activations[names[i]].label)
            else:
                slot.clear()

    def _from_list(self, item: QtWidgets.QListWidgetItem) -> None:
        why = self.model.toggle(item.data(NAME_ROLE), item.checkState() == QtCore.Qt.CheckState.Checked)
        if why:
            self.context.status(why)
            self._show_activations()  # undo the tick the model refused

    # -- drawing ------------------------------------------------------------------------------
    def redraw(self) -> None:
        frame = compute(self.model, self._cache)
        self.frame = frame
        x = np.arange(1.0, frame.layers + 1.0)
        drawn: list[np.ndarray] = []
        for i, slot in enumerate(self.slots):
            curve = frame.curves[i] if i < len(frame.curves) else None
            if curve is None:
                slot.clear()
                continue
            slot.draw(x, curve.lower, curve.upper, curve.mean)
            drawn += [curve.lower, curve.upper, curve.mean]
        if self.plot.vb.state["targetRange"][0] != [0.5, frame.layers + 0.5]:
            self.plot.setXRange(0.5, frame.layers + 0.5, padding=0)
        with np.errstate(all="ignore"):  # the y axis is log₁₀: it holds still while |δ| stays in its decades
            hold_range(self.plot, *(np.log10(values) for values in drawn))
        set_text(self.readout, text.readout(frame, PALETTE))
        set_text(self.warning, "\n".join(frame.problems))
        if self.warning.isHidden() == bool(frame.problems):
            self.warning.setVisible(bool(frame.problems))

    @property
    def ratios(self) -> dict[str, float]:
        """|δ| of layer 1 over layer L, per drawn activation name."""
        if self.frame is None:
            return {}
        return {c.spec.name: c.ratio for c in self.frame.curves if c is not None}

    # -- export -------------------------------------------------------------------------------
    def export_item(self):
        return self.layout_widget.ci

    def export_columns(self) -> dict[str, np.ndarray]:
        cols: dict[str, np.ndarray] = {}
        for curve in self.frame.curves if self.frame is not None else ():
            if curve is None:
                continue
            res, name = curve.result, curve.spec.name
            cols.setdefault("layer", res.layers.astype(float))
            cols[f"{name} mean |delta|"] = res.mean_abs
            cols[f"{name} median |delta|"] = res.median_abs
            cols[f"{name} p10 |delta|"] = res.p10
            cols[f"{name} p90 |delta|"] = res.p90
            cols[f"{name} zero fraction"] = res.zero_fraction
        return cols

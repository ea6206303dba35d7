"""The output-δ view: y = f(z), ∂E/∂y, f′(z) and δ = ∂E/∂z stacked over z, for several (activation, loss) pairs.

Thin wiring over :class:`DeltaModel`: the numbers come from
:func:`delta_model.compute` (which calls :mod:`actviz.maths.backprop`), the
texts from :mod:`delta_text`; this module keeps one set of curves per pair and
maps the numbers to ``setData``. A y axis a pair would blow up (ReLU with
cross-entropy reaches −1e15) is fitted to the bulk, with an "off scale" note.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui import (
    PALETTE,
    ControlPanel,
    FormulaLabel,
    SteadyLabel,
    ViewContext,
    ViewWidget,
    bind,
    control_column,
    guard_plot,
    hold_range,
    page,
    pen,
    themed_plot_colors,
    warning_label,
)
from actviz_views import delta_text as text
from actviz_views.delta_model import Z_LIMIT, DeltaModel, Frame, WrongCache, compute, robust_range, rules_of
from actviz_views.delta_pairs import MAX_PAIRS
from actviz_views.wiring import set_curve

DASH = QtCore.Qt.PenStyle.DashLine
PAIR_KEYS = ("activation", "loss", "t")
RANGE_KEYS = ("ywrong", "zmin", "zmax")


#: the height one stacked plot needs: a 120 px data area and its bottom axis
PLOT_ROW = 160



class _PairCurves:
    """The plot items of one drawn pair: y, ∂E/∂y, f′ and δ, and the dashed lecture shortcut on the δ plot.

    Each curve remembers the (z, values) arrays it shows: the model hands back the same objects for
    what a drag did not change (y and f′ while t moves), and curves whose values are unchanged are
    not set again.
    """

    def __init__(self, plots: list[pg.PlotItem], index: int) -> None:
        self.curves = [plot.plot(pen=pen(index, 2), connect="finite") for plot in plots]
        self.shortcut = plots[3].plot(pen=pen(index, 2, DASH), connect="finite")
        self.shown: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}

    def draw(self, k: int, z: np.ndarray, values: np.ndarray | None) -> bool:
        """Curve ``k`` (4 is the shortcut) shows ``values`` over ``z`` (None: nothing); returns whether it changed."""
        old = self.shown.get(k)
        if values is None:
            if old is None:
                return False
            self.shown[k] = None
            (self.shortcut if k == 4 else self.curves[k]).setData([], [])
            return True
        if old is not None and old[0] is z and (old[1] is values or np.array_equal(old[1], values, equal_nan=True)):
            return False
        self.shown[k] = (z, values)
        set_curve(self.shortcut if k == 4 else self.curves[k], z, values)
        return True

    def clear(self) -> None:
        for k in range(5):
            self.draw(k, np.zeros(0), None)


class DeltaView(ViewWidget):
    """y, ∂E/∂y, f′ and δ of output units over z, for the model's list of (activation, loss) pairs."""

    model: DeltaModel

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        self.frame: Frame | None = None
        self.ratio: float | None = None
        self.z = np.zeros(0)
        self._cache = WrongCache()

        self.layout_widget = pg.GraphicsLayoutWidget()
        self.plots: list[pg.PlotItem] = []
        self.offscale: list[pg.TextItem] = []
        for row, left in enumerate(text.PLOT_LABELS):
            plot = self.layout_widget.addPlot(row=row + 1, col=0)
            guard_plot(plot)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setLabel("left", left)
            for side in ("left", "bottom"):
                plot.getAxis(side).enableAutoSIPrefix(False)
            plot.getAxis("left").setWidth(78)  # room for "-1.5e+20" beside the rotated label
            plot.addItem(pg.InfiniteLine(0, angle=0, pen=pg.mkPen((128, 128, 128), width=1)), ignoreBounds=True)
            plot.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen((128, 128, 128), width=1)), ignoreBounds=True)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=True, y=False)  # y is fitted on every redraw
            plot.enableAutoRange(axis="x", enable=False)
            plot.enableAutoRange(axis="y", enable=False)
            if self.plots:
                plot.setXLink(self.plots[0])
            note = pg.TextItem("", color=self._note_color(), anchor=(1, 1), fill=self._note_fill())
            note.setFont(QtGui.QFont(note.textItem.font().family(), 8))
            note.setZValue(20)
            plot.addItem(note, ignoreBounds=True)
            self.offscale.append(note)
            self.plots.append(plot)
        self.plot_y, self.plot_grad, self.plot_slope, self.plot_delta = self.plots
        self.plot_delta.setLabel("bottom", "z (net input of the output unit)")
        # the legend gets its own row above the plots: it never hides a curve, and it is in every export
        self.legend = pg.LegendItem(labelTextSize="8pt", colCount=2, verSpacing=-6)
        self.layout_widget.addItem(self.legend, row=0, col=0)
        self.markers = [pg.ScatterPlotItem(size=9, pen=pg.mkPen(pg.getConfigOption("foreground"), width=1))
                        for _ in self.plots]
        for plot, marker in zip(self.plots, self.markers, strict=True):
            plot.addItem(marker)
            marker.setZValue(10)
        self._brushes = [pg.mkBrush(c) for c in PALETTE]
        self.slots = [_PairCurves(self.plots, i) for i in range(MAX_PAIRS)]

        self.intro = QtWidgets.QLabel(text.INTRO)
        self.intro.setWordWrap(True)
        self.formula = FormulaLabel()
        self.formula_caption = QtWidgets.QLabel("selected pair:")
        self.formula_note = QtWidgets.QLabel("")
        self.formula_note.setWordWrap(True)
        self.formula_note.setStyleSheet("font-size: small;")
        self.warning = warning_label()
        self.readout = SteadyLabel(" ")
        self.shortcut_note = QtWidgets.QLabel(text.SHORTCUT_TEXT)
        self.shortcut_note.setWordWrap(True)
        self.shortcut_note.hide()

        self.pair_list = QtWidgets.QListWidget()
        self.pair_list.setFixedHeight(104)
        self.pair_list.setWordWrap(True)
        self.pair_list.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pair_list.currentRowChanged.connect(self._from_list)
        self.add_button = QtWidgets.QPushButton("Add pair")
        self.add_button.setToolTip("add a copy of the selected pair, then change its activation or loss below")
        self.remove_button = QtWidgets.QPushButton("Remove")
        self.remove_button.setToolTip("remove the selected pair")
        self.add_button.clicked.connect(lambda: self._status(self.model.add_pair()))
        self.remove_button.clicked.connect(lambda: self._status(self.model.remove_pair(self.model.selected)))
        self.pair_panel = ControlPanel(spin_width=84)
        self.range_panel = ControlPanel(spin_width=84)
        for panel in (self.pair_panel, self.range_panel):
            panel.layout().setContentsMargins(0, 0, 0, 0)
        self.pair_binding = bind(self.model, self.pair_panel,
                                 include=lambda key: key.name in PAIR_KEYS or key.owner in PAIR_KEYS)
        self.range_binding = bind(self.model, self.range_panel, include=lambda key: key.name in RANGE_KEYS)

        pairs_box = QtWidgets.QGroupBox("Pairs drawn")
        pairs_layout = QtWidgets.QVBoxLayout(pairs_box)
        pairs_layout.setContentsMargins(4, 4, 4, 4)
        pairs_layout.addWidget(self.pair_list)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        pairs_layout.addLayout(buttons)
        side = QtWidgets.QVBoxLayout()
        side.setContentsMargins(0, 0, 4, 0)
        side.addWidget(pairs_box)
        for title, panel in (("Selected pair", self.pair_panel), ("Target, mark and range", self.range_panel)):
            box = QtWidgets.QGroupBox(title)
            box_layout = QtWidgets.QVBoxLayout(box)
            box_layout.setContentsMargins(4, 4, 4, 4)
            box_layout.addWidget(panel)
            side.addWidget(box)
        side.addStretch(1)

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
        # four plots of at least 120 px each do not fit under the text on a 640 px screen: the column scrolls
        self.layout_widget.setMinimumHeight(4 * PLOT_ROW + 110)  # + legend row and the z label
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(control_column(side, 236))
        layout.addWidget(page(main), 1)

        self.plot_y.vb.sigXRangeChanged.connect(self._panned)
        self.on_model_changed(frozenset({"pairs", "pair", "zmin", "zmax"}))

    # -- model → widgets -----------------------------------------------------------------------
    def on_model_changed(self, names: frozenset[str]) -> None:
        if "loss" in names:  # t's slider takes the new loss's target range (same keys: no rebuild by itself)
            self.pair_binding.rebuild()
        if names & {"pairs", "pair"}:
            self._show_pairs()
        if names & {"zmin", "zmax"}:
            self._show_range()
        self.schedule_refresh()

    def _show_pairs(self) -> None:
        entries = self.model.entries()
        selected = self.model.selected
        with QtCore.QSignalBlocker(self.pair_list):
            if self.pair_list.count() != len(entries):  # a pair added or removed: rebuild list and legend
                self.pair_list.clear()
                for i in range(len(entries)):
                    item = QtWidgets.QListWidgetItem()
                    color = QtGui.QColor(PALETTE[i % len(PALETTE)])
                    # the curve's colour, made light (dark) enough for 4.5:1 on a dark (light) list
                    dark = self.pair_list.palette().color(QtGui.QPalette.ColorRole.Base).lightnessF() < 0.5
                    color = color.lighter(150) if dark else color.darker(170)
                    item.setForeground(QtGui.QBrush(color))
                    self.pair_list.addItem(item)
                self.legend.clear()
                for i, slot in enumerate(self.slots):
                    if i < len(entries):
                        self.legend.addItem(slot.curves[0], entries[i].legend_name)
                    else:
                        slot.clear()
            for i, entry in enumerate(entries):  # a dragged parameter only relabels
                item = self.pair_list.item(i)
                item.setText(f"{i + 1}. {entry.title}")
                item.setToolTip(entry.text)
                label = self.legend.getLabel(self.slots[i].curves[0])
                if label is not None and label.text != entry.legend_name:
                    label.setText(entry.legend_name)
            self.pair_list.setCurrentRow(selected)
        self.remove_button.setEnabled(len(entries) > 1)
        self.add_button.setEnabled(len(entries) < MAX_PAIRS)
        tex, short, note = text.formula(self.model.selected_entry(), rules_of(self.model.registry))
        self.formula.set_formula(tex, deferred=not self.context.headless)
        self.formula_caption.setText(f"δ of pair {selected + 1} ({short}):")
        self.formula_note.setText(f"Pair {selected + 1}: {note}")

    def _show_range(self) -> None:
        low, high = self.plot_y.viewRange()[0]
        zmin, zmax = self.model["zmin"], self.model["zmax"]
        if abs(low - zmin) > 1e-9 * (zmax - zmin) or abs(high - zmax) > 1e-9 * (zmax - zmin):
            self.plot_y.setXRange(zmin, zmax, padding=0)

    def _panned(self, *_args) -> None:
        low, high = self.plot_y.viewRange()[0]
        zmin, zmax = self.model["zmin"], self.model["zmax"]
        if abs(low - zmin) <= 1e-9 * (high - low) and abs(high - zmax) <= 1e-9 * (high - low):
            return
        low, high = max(low, -Z_LIMIT), min(high, Z_LIMIT)
        if high > low:
            try:
                self.model.update({"zmin": low, "zmax": high}, merge=True)
            except ValueError:
                pass

    def _from_list(self, row: int) -> None:
        if 0 <= row and row != self.model.selected:
            self.model.select(row)

    def _status(self, why: str) -> None:
        if why:
            self.context.status(why)

    # -- drawing ------------------------------------------------------------------------------
    def redraw(self) -> None:
        self._tidy_panels()
        frame = compute(self.model, self._cache)
        self.frame, self.z = frame, frame.z
        shortcut_items = {id(sample.item) for sample, _ in self.legend.items}
        changed = [False] * len(self.plots)
        for i, slot in enumerate(self.slots):
            pf = frame.pairs[i] if i < len(frame.pairs) else None
            series = pf.series() if pf is not None and pf.out is not None else (None,) * len(self.plots)
            for k, values in enumerate(series):
                changed[k] |= slot.draw(k, frame.z, values)
            has_shortcut = pf is not None and pf.out is not None and pf.shortcut is not None
            changed[3] |= slot.draw(4, frame.z, pf.shortcut if has_shortcut else None)
            if has_shortcut and id(slot.shortcut) not in shortcut_items:
                self.legend.addItem(slot.shortcut, f"{pf.entry.activation.name}: lecture's diagonal shortcut")
            elif not has_shortcut and id(slot.shortcut) in shortcut_items:
                self.legend.removeItem(slot.shortcut)
            if slot.shortcut.isVisible() != has_shortcut:
                slot.shortcut.setVisible(has_shortcut)
        marks = self._mark(frame)
        self._fit(frame, changed, marks)
        if self.shortcut_note.isHidden() == frame.any_shortcut:
            self.shortcut_note.setVisible(frame.any_shortcut)
        html, self.ratio = text.readout(frame, PALETTE)
        self.readout.setText(html)
        problems = "\n".join(frame.problems)
        if self.warning.text() != problems:
            self.warning.setText(problems)
        if self.warning.isHidden() == bool(problems):
            self.warning.setVisible(bool(problems))

    def _mark(self, frame: Frame) -> list[tuple]:
        """The confidently-wrong dots of each plot (set only where they moved); returns them per plot."""
        zmin, zmax = frame.z[0], frame.z[-1]
        out = []
        for k, marker in enumerate(self.markers):
            spots = tuple((pf.wrong.z, pf.wrong_values[k], pf.index) for pf in frame.pairs
                          if pf.out is not None and pf.wrong is not None and pf.wrong_values is not None
                          and zmin <= pf.wrong.z <= zmax and np.isfinite(pf.wrong_values[k]))
            out.append(spots)
            if getattr(marker, "_actviz_spots", None) == spots:
                continue
            marker._actviz_spots = spots
            if not spots:
                marker.setData([], [])
                continue
            xs, ys, colors = zip(*spots, strict=True)
            marker.setData(x=np.array(xs), y=np.array(ys),
                           brush=[self._brushes[c % len(self._brushes)] for c in colors])
        return out

    def _fit(self, frame: Frame, changed: list[bool] | None = None, marks: list[tuple] | None = None) -> None:
        """Each plot's y range from the pairs' bulk, held while a drag keeps it inside; far outliers named off scale.

        A plot whose curves and dots did not change keeps its range and note as they are.
        """
        zmax = frame.z[-1]
        fitted = getattr(self, "_fitted", {})
        self._fitted = fitted
        for k, (plot, note) in enumerate(zip(self.plots, self.offscale, strict=True)):
            key = (zmax, None if marks is None else marks[k])
            if changed is not None and not changed[k] and fitted.get(k) == key:
                continue
            fitted[k] = key
            series = [pf.series()[k] if pf.out is not None else None for pf in frame.pairs]
            dots = tuple(pf.wrong_values[k] for pf in frame.pairs
                         if pf.out is not None and pf.wrong_values is not None)
            fit = robust_range(series, dots, zero=k in (1, 3))
            if fit is None:
                self._note(note, "", plot)
                continue
            # the robust bounds (not the raw data): a steady axis that still leaves far outliers off scale
            hold_range(plot, np.array([fit.low, fit.high]), grow=True)  # a t drag mirrors the curves: one range
            low, high = plot.viewRange()[1]
            off = [(i, a, b) for i, a, b in fit.off if a < low or b > high]
            self._note(note, text.offscale(frame, k, off), plot)
            if note.pos() != QtCore.QPointF(zmax, low):
                note.setPos(zmax, low)  # bottom right, over the plot's least used corner

    @staticmethod
    def _note(note: pg.TextItem, words: str, plot: pg.PlotItem) -> None:
        room = 0.6 * plot.vb.width()
        if getattr(note, "_actviz_text", None) == (words, room):
            return
        note._actviz_text = (words, room)
        note.setText(words)
        note.setTextWidth(-1)
        if note.textItem.boundingRect().width() > room > 0:  # wrap rather than run into the axis
            note.setTextWidth(room)

    def _note_color(self) -> str:
        """The warning red, lighter on a dark plot so it keeps 4.5:1 contrast."""
        return "#ff8a80" if QtGui.QColor(themed_plot_colors(self)[0]).lightnessF() < 0.5 else "#c0392b"

    def _note_fill(self) -> QtGui.QBrush:
        background = QtGui.QColor(themed_plot_colors(self)[0])
        background.setAlpha(200)
        return pg.mkBrush(background)

    def _tidy_panels(self) -> None:
        """Narrow combo boxes for the side column; no reset-all buttons (the ↺ of each control stays)."""
        for panel in (self.pair_panel, self.range_panel):
            panel.reset_all.hide()
            for widget in panel.widgets.values():
                combo = getattr(widget, "combo", None)
                if combo is not None and combo.minimumContentsLength() != 10:
                    combo.setSizeAdjustPolicy(
                        QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                    combo.setMinimumContentsLength(10)

    # -- export -------------------------------------------------------------------------------
    def export_item(self):
        return self.layout_widget.ci

    def export_columns(self) -> dict[str, np.ndarray]:
        cols: dict[str, np.ndarray] = {"z": self.z}
        if self.frame is None:
            return cols
        names = ("y", "dE/dy", "f'", "delta")
        for pf in self.frame.pairs:
            if pf.out is None:
                continue
            label = f"{pf.index + 1} {pf.entry.short}"
            for name, values in zip(names, pf.series(), strict=True):
                cols[f"{label} {name}"] = values
            if pf.shortcut is not None:
                cols[f"{label} delta lecture shortcut"] = pf.shortcut
        return cols

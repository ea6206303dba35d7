"""The output-δ view: y = f(z), ∂E/∂y, f′(z) and δ = ∂E/∂z stacked over z, for several (activation, loss) pairs.

Thin wiring over :class:`DeltaModel`: the numbers come from
:func:`delta_model.compute` (which calls :mod:`actviz.maths.backprop`), the
texts from :mod:`delta_text`; this module keeps one set of curves per pair and
maps the numbers to ``setData``. A y axis a pair would blow up (ReLU with
cross-entropy reaches −1e15) is fitted to the bulk, with an "off scale" note.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtWidgets

from actviz.gui import PALETTE, FormulaLabel, SteadyLabel, ViewContext, ViewWidget, control_column, page, warning_label
from actviz_views import delta_text as text
from actviz_views.delta_model import Z_LIMIT, DeltaModel, Frame, WrongCache, compute
from actviz_views.delta_plots import DASH, DeltaPlots, _PairCurves
from actviz_views.delta_side import PAIR_KEYS, RANGE_KEYS, DeltaSide

__all__ = ["DASH", "PAIR_KEYS", "PLOT_ROW", "RANGE_KEYS", "DeltaView", "_PairCurves"]  # also from delta_plots/_side

#: the height one stacked plot needs: a 120 px data area and its bottom axis
PLOT_ROW = 160


class DeltaView(DeltaPlots, DeltaSide, ViewWidget):
    """y, ∂E/∂y, f′ and δ of output units over z, for the model's list of (activation, loss) pairs."""

    model: DeltaModel

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        self.frame: Frame | None = None
        self.ratio: float | None = None
        self.z = np.zeros(0)
        self._cache = WrongCache()

        self._build_plots()

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

        side = self._build_side()

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

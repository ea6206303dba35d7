"""The slope histogram's widget: a thin layer that draws what ``model.py`` computes.

This module imports Qt, so ``__init__.py`` imports it only inside ``create``
(when the tab is first opened, or by ``actviz export --view example_slopes``):
``actviz list`` and ``actviz check`` never pay for Qt.

A view widget has four duties, all shown below:

1. build its plots ONCE in ``__init__`` and only call ``setData`` in ``redraw()``;
2. keep no state of its own: every control is a key of ``self.model`` (declared in
   ``model.py``), shown by a ``ControlPanel`` that ``bind`` keeps in sync both ways,
   so undo, scenes and ``--set`` work with no code here;
3. redraw when the model changes: ``ViewWidget`` schedules one coalesced refresh per
   change by itself (override ``on_model_changed(names)`` to react to some keys first);
4. hand every drawn curve to ``export_columns()`` and its plot to ``export_item()``.

Only public names are imported: ``actviz``, ``actviz.gui`` (the whole view API),
``actviz.models``, ``actviz.evaluation``, ``actviz.numerics`` and ``actviz.maths.*``.

What the student sees: with a small σ every z sits near 0, where a logistic unit's slope is
largest (¼); with a large σ most z land in the flat tails and the slopes pile up at 0 —
saturated units pass almost no gradient back.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

from actviz.gui import PALETTE, ControlPanel, ViewContext, ViewWidget, bind, guard_plot, pen, warning_label
from actviz_example.model import SlopeModel, slope_histogram

INTRO = ("How steep is the activation where its inputs actually fall? z is drawn from N(0, σ²) and the "
         "histogram shows f′(z). Large σ pushes a squashing function into its flat tails: the slopes pile "
         "up at 0 and the unit passes almost no gradient back.")


class SlopeHistogram(ViewWidget):
    """One histogram: how often f′(z) takes each value when z ~ N(0, σ²)."""

    model: SlopeModel

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)  # sets self.model and redraws on every model change
        self.edges = self.fractions = np.zeros(0)

        # -- the plot: built once ---------------------------------------------------------------
        self.layout_widget = pg.GraphicsLayoutWidget()
        self.plot = guard_plot(self.layout_widget.addPlot())  # guard_plot: keeps tiny ranges drawable
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "slope f′(z)")
        self.plot.setLabel("left", "fraction of samples")
        for side in ("left", "bottom"):
            self.plot.getAxis(side).enableAutoSIPrefix(False)  # no "(x0.001)" beside an axis
        # stepMode="center": x holds the bin edges (one more than the fractions), drawn as bars.
        # Colours come from actviz's PALETTE (readable on light and dark backgrounds). A named
        # curve is easy to find in tests: actviz.testing.view_curves(view)["fraction"].
        fill = pg.mkColor(PALETTE[0])
        fill.setAlpha(90)
        self.curve = self.plot.plot(stepMode="center", fillLevel=0, pen=pen(0, 1.5), brush=fill, name="fraction")

        # -- the words: what is drawn, and what went wrong --------------------------------------
        intro = QtWidgets.QLabel(INTRO)
        intro.setWordWrap(True)
        self.summary = QtWidgets.QLabel(" ")
        self.warning = warning_label()  # plugin errors are shown here, never raised out of redraw

        # -- the controls: one panel bound to the model (keep the Binding alive on the view) -----
        self.panel = ControlPanel()
        self.binding = bind(self.model, self.panel)
        self.panel.setFixedWidth(240)

        left = QtWidgets.QVBoxLayout()
        left.addWidget(intro)
        left.addWidget(self.warning)
        left.addWidget(self.layout_widget, 1)
        left.addWidget(self.summary)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(self.panel)
        self.schedule_refresh()

    # -- drawing: model → numbers (model.py) → setData -----------------------------------------
    def redraw(self) -> None:
        model = self.model
        hist = slope_histogram(model.spec, model.params, model["sigma"], int(round(model["bins"])))
        self.edges, self.fractions = hist.edges, hist.fractions
        if hist.fractions.size:
            self.curve.setData(hist.edges, hist.fractions)
        else:
            self.curve.clear()
        self.plot.setTitle(hist.title)
        self.summary.setText(hist.summary or " ")
        self.warning.setText(hist.problem)
        self.warning.setVisible(bool(hist.problem))

    # -- export ----------------------------------------------------------------------------------
    def export_item(self):
        return self.layout_widget.ci

    def export_columns(self) -> dict[str, np.ndarray]:
        if not self.fractions.size:
            return {}
        return {"slope bin left": self.edges[:-1], "slope bin right": self.edges[1:], "fraction": self.fractions}

"""An example view: the histogram of f′(z) for z ~ N(0, σ²), for the selected activation.

This module imports Qt, so ``__init__.py`` imports it only inside ``create`` (when the tab is
first opened, or by ``actviz export --view example_slopes``): ``actviz list`` and
``actviz check`` never pay for Qt.

A view is a ``ViewWidget`` subclass with four duties, all shown below:

1. build its plots ONCE in ``__init__`` and only call ``setData`` in ``redraw()``;
2. call ``schedule_refresh()`` (never ``redraw()``) whenever something changes the picture;
3. name its controls in ``controls()`` so the command line and saved state can set them;
4. hand every drawn curve to ``export_columns()`` and its plot to ``export_item()``.

What the student sees: with a small σ every z sits near 0, where a logistic unit's slope is
largest (¼); with a large σ most z land in the flat tails and the slopes pile up at 0 —
saturated units pass almost no gradient back.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

import actviz
from actviz.gui.controls import ControlPanel
from actviz.gui.viewbase import PALETTE, Choice, ViewWidget, guard_plot, pen
from actviz.host import evaluation

SAMPLES = 20_000  # enough for a smooth histogram, quick to evaluate (~1 ms for most activations)
SEED = 0  # a fixed seed: the same σ always draws the same picture
SATURATED = 0.01  # |f′| below this counts as "saturated" in the printed summary


class SlopeHistogram(ViewWidget):
    """One histogram: how often f′(z) takes each value when z ~ N(0, σ²)."""

    def __init__(self, context, parent=None) -> None:
        super().__init__(context, parent)
        activations = context.registry.activations
        # The view's own state. Prefer the logistic function if it is there, else the first activation.
        self.activation = "logistic" if "logistic" in activations else next(iter(activations), "")
        self.sigma = 2.0
        self.bins = 40
        self.edges = np.zeros(0)
        self.counts = np.zeros(0)

        # -- the plot: built once ---------------------------------------------------------------
        self.layout_widget = pg.GraphicsLayoutWidget()
        self.plot = guard_plot(self.layout_widget.addPlot())  # guard_plot: keeps tiny ranges drawable
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "slope f′(z)")
        self.plot.setLabel("left", "fraction of samples")
        for side in ("left", "bottom"):
            self.plot.getAxis(side).enableAutoSIPrefix(False)  # no "(x0.001)" beside an axis
        # stepMode="center": x holds the bin edges (one more than the counts), drawn as bars
        # colours come from actviz's PALETTE (readable on light and dark backgrounds)
        fill = pg.mkColor(PALETTE[0])
        fill.setAlpha(90)
        self.curve = self.plot.plot(stepMode="center", fillLevel=0, pen=pen(0, 1.5), brush=fill)

        # -- the words: what is drawn, and what went wrong --------------------------------------
        intro = QtWidgets.QLabel(
            "How steep is the activation where its inputs actually fall? z is drawn from N(0, σ²) and "
            "the histogram shows f′(z). Large σ pushes a squashing function into its flat tails: the "
            "slopes pile up at 0 and the unit passes almost no gradient back.")
        intro.setWordWrap(True)
        self.summary = QtWidgets.QLabel(" ")
        self.warning = QtWidgets.QLabel()  # plugin errors are shown here, never raised out of redraw
        self.warning.setStyleSheet("color: #c0392b; font-weight: bold;")
        self.warning.setWordWrap(True)
        self.warning.hide()

        # -- the controls: built from controls(), so the GUI and `--set` agree -------------------
        self.panel = ControlPanel()
        self.panel.build(self.controls(), {c.name: self.control_value(c.name) for c in self.controls()})
        self.panel.changed.connect(self._from_panel)
        self.panel.setFixedWidth(240)

        left = QtWidgets.QVBoxLayout()
        left.addWidget(intro)
        left.addWidget(self.warning)
        left.addWidget(self.layout_widget, 1)
        left.addWidget(self.summary)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(self.panel)

        # Follow the browser: selecting an activation there shows it here.
        context.selection.changed.connect(self.on_selection_changed)
        context.selection.params_changed.connect(self.schedule_refresh)
        self.on_selection_changed()
        self.schedule_refresh()

    # -- following the browser -----------------------------------------------------------------
    def on_selection_changed(self) -> None:
        spec = self.context.selection.spec
        if spec is not None and spec.name in self.context.registry.activations:
            self.activation = spec.name
            self.panel.widgets["activation"].setValue(spec.name)
            self.schedule_refresh()

    def _from_panel(self, name, value) -> None:
        try:
            self.set_control(name, value)
        except (ValueError, KeyError) as exc:
            self.context.status(str(exc))

    # -- the controls (also what `actviz export --view example_slopes --set KEY=VALUE` sets) -----
    def controls(self):
        names = tuple(self.context.registry.activations)
        return (
            Choice("activation", self.activation, names, help="the activation f whose slope is shown"),
            actviz.Param("sigma", 2.0, 0.05, 20.0, step=0.05, label="σ of z",
                         help="standard deviation of the inputs z ~ N(0, σ²)"),
            actviz.Param("bins", 40, 5, 200, step=1, label="bins", help="number of histogram bins"),
        )

    def control_value(self, name):
        return {"activation": self.activation, "sigma": self.sigma, "bins": float(self.bins)}[name]

    def set_control(self, name, value) -> None:
        if name == "activation":
            if value not in self.context.registry.activations:
                raise ValueError(f"activation={value!r} is not a registered activation")
            self.activation = value
        elif name == "sigma":
            if not 0.05 <= float(value) <= 20.0:
                raise ValueError(f"sigma={value} is outside [0.05, 20]")
            self.sigma = float(value)
        elif name == "bins":
            if not 5 <= float(value) <= 200:
                raise ValueError(f"bins={value} is outside [5, 200]")
            self.bins = int(round(float(value)))
        else:
            raise KeyError(name)
        self.schedule_refresh()  # coalesced: many changes, one redraw

    # -- drawing -------------------------------------------------------------------------------
    def redraw(self) -> None:
        spec = self.context.registry.activations.get(self.activation)
        if spec is None:
            return
        # The browser's parameter values when it shows this activation, the defaults otherwise.
        sel = self.context.selection
        params = sel.params if sel.spec is spec else spec.defaults
        z = self.sigma * np.random.default_rng(SEED).standard_normal(SAMPLES)
        try:
            slopes = evaluation.slope(spec, z, params)  # guarded: a broken plugin is an EvaluationError
        except evaluation.EvaluationError as exc:
            self.warning.setText(f"{spec.label}: {exc}")
            self.warning.show()
            self.curve.setData([], [])
            self.edges = self.counts = np.zeros(0)
            return
        finite = slopes[np.isfinite(slopes)]
        counts, edges = np.histogram(finite, bins=self.bins)
        self.edges, self.counts = edges, counts / SAMPLES
        self.curve.setData(edges, self.counts)
        self.plot.setTitle(f"f′(z) of {spec.label}, z ~ N(0, {self.sigma:g}²)")
        problems = SAMPLES - finite.size
        self.warning.setText(f"f′ is not finite at {problems} of {SAMPLES} samples (left out)" if problems else "")
        self.warning.setVisible(bool(problems))
        if finite.size:
            self.summary.setText(f"mean f′ = {finite.mean():.4g}; {np.mean(np.abs(finite) < SATURATED):.1%} "
                                 f"of the samples have |f′| < {SATURATED:g} (saturated)")

    # -- export --------------------------------------------------------------------------------
    def export_item(self):
        return self.layout_widget.ci

    def export_columns(self):
        if not self.counts.size:
            return {}
        return {"slope bin left": self.edges[:-1], "slope bin right": self.edges[1:], "fraction": self.counts}

"""The likelihood view: every loss as the negative log-likelihood of a noise model.

Thin wiring over :class:`LikelihoodModel`: the plots are built once (:mod:`likelihood_plots`) and
:meth:`LikelihoodView.redraw` maps the numbers of :mod:`likelihood_model` to ``setData``, one row at a
time (:mod:`likelihood_draw`). A loss without a noise model is said in words, in place of the plots.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from actviz.evaluation import EvaluationError
from actviz.gui import ControlPanel, FormulaLabel, ViewContext, ViewWidget, bind, control_column, page, warning_label
from actviz_views import likelihood_text as text
from actviz_views.likelihood_draw import LEGEND_INSET, LikelihoodDrawing
from actviz_views.likelihood_model import LikelihoodModel, Numbers
from actviz_views.likelihood_plots import DASH, DOT, LikelihoodPlots, _shrinkable
from actviz_views.wiring import set_text

__all__ = ["DASH", "DOT", "EMPTY", "LEGEND_INSET", "LikelihoodView", "_shrinkable"]  # also from likelihood_plots/_draw

EMPTY = np.zeros(0)


class LikelihoodView(LikelihoodPlots, LikelihoodDrawing, ViewWidget):
    """E beside −ln p, the density p(t | y), and the three routes to the maximum-likelihood y."""

    model: LikelihoodModel

    def __init__(self, context: ViewContext, parent=None) -> None:
        super().__init__(context, parent)
        self.numbers = Numbers()
        self.fit = self.ml = self.density = self.sample = None
        self.hist_top = 1.0
        self.targets = EMPTY
        self.y_grid = self.e_values = self.nlp_values = self.fit_values = EMPTY

        self._build_plots()

        # -- widgets ------------------------------------------------------------------------------
        self.intro = QtWidgets.QLabel(text.INTRO)
        self.intro.setWordWrap(True)
        self.formula_e = FormulaLabel()
        self.formula_p = FormulaLabel()
        self.message = QtWidgets.QLabel("")  # the "no noise model" sentence, in place of the plots
        self.message.setWordWrap(True)
        self.message.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        font = self.message.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.message.setFont(font)
        self.message.hide()
        self.warning = warning_label()
        self.fit_text = self._text_label()
        self.ml_text = self._text_label()
        self.info = QtWidgets.QLabel("")
        self.info.setWordWrap(True)
        self.info.hide()

        self.panel = ControlPanel(spin_width=84)
        self.binding = bind(self.model, self.panel)
        side = QtWidgets.QVBoxLayout()
        side.addWidget(self.panel)
        side.addStretch(1)
        head = QtWidgets.QHBoxLayout()
        head.addWidget(self.formula_e)
        head.addSpacing(24)
        head.addWidget(self.formula_p)
        head.addStretch(1)
        left = QtWidgets.QVBoxLayout()
        for item in (self.intro, head, self.warning, (self.message, 1), (self.layout_widget, 1), self.fit_text,
                     self.ml_text, self.info):
            if isinstance(item, QtWidgets.QLayout):
                left.addLayout(item)
            elif isinstance(item, tuple):
                left.addWidget(*item)
            else:
                left.addWidget(item)
        # two rows of plots (the right one split in two) need 2 × 2 × 160 px: a short window scrolls the page
        self.layout_widget.setMinimumHeight(3 * 200 + 60)
        layout = QtWidgets.QHBoxLayout(self)
        layout.addWidget(page(left), 1)
        layout.addWidget(control_column(side, 210))
        self._y_ranges = None
        self._t_window: tuple = (None, None)  # (loss, the t range plot 2 holds while y is dragged)
        self._p_top: tuple = (None, None)  # (loss, the top of plot 2's y range)
        self.on_model_changed(frozenset({"loss"}))

    @staticmethod
    def _text_label() -> QtWidgets.QLabel:
        label = QtWidgets.QLabel(" ")
        label.setWordWrap(True)
        label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # -- model → widgets -----------------------------------------------------------------------
    @property
    def spec(self):
        return self.model.spec

    def cannot_draw(self) -> str:
        return self.model.problem()

    def on_model_changed(self, names: frozenset[str]) -> None:
        if "loss" in names:
            spec = self.spec
            nm = spec.noise_model if spec is not None else None
            self.formula_e.set_formula(spec.formula if spec else "", deferred=not self.context.headless)
            self.formula_p.set_formula(nm.formula if nm else "", deferred=not self.context.headless)
            ranges = tuple((k.control.low, k.control.high) for k in self.model.active_keys()
                           if k.name in ("y", "y_true"))
            if ranges != self._y_ranges:  # the y sliders take the new loss's range
                self._y_ranges = ranges
                self.binding.rebuild()
        self.schedule_refresh()

    def _show_plots(self, on: bool) -> None:
        for widget in (self.layout_widget, self.formula_p, self.fit_text, self.ml_text):
            widget.setVisible(on)
        self.message.setVisible(not on)

    def redraw(self) -> None:
        problem = self.model.problem()
        if problem:
            self.message.setText(text.no_noise_sentence(self.spec))
            self._show_plots(False)
            self.fit = self.ml = self.density = self.sample = None
            self.targets = self.y_grid = self.e_values = self.nlp_values = self.fit_values = EMPTY
            self.warning.hide()
            self.info.hide()
            return
        self._show_plots(True)
        spec = self.spec
        problems: list[str] = []
        notes: list[str] = []
        for step in (self._draw_fit, self._draw_density, self._draw_samples):
            try:
                notes += step(spec)
            except (EvaluationError, ValueError) as exc:
                problems.append(f"{spec.label} ({spec.plugin or 'plugin'}): {exc}")
        set_text(self.warning, "\n".join(problems))
        self.warning.setVisible(bool(problems))
        set_text(self.info, "  ".join(notes))
        self.info.setVisible(bool(notes))

    # -- export -------------------------------------------------------------------------------
    def export_item(self):
        return self.layout_widget.ci

    def export_columns(self) -> dict[str, np.ndarray]:
        if self.fit is None or self.density is None:
            return {}
        cols: dict[str, np.ndarray] = {
            "y": self.y_grid, "E(y;t)": self.e_values, "-ln p(t|y)": self.nlp_values,
            "c*(-ln p)+const": self.fit_values, "t (density)": self.density.t, "p(t|y)": self.density.p,
            "c": np.array([self.fit.fit.c]), "const": np.array([self.fit.fit.const]),
        }
        s = self.sample
        if s is not None:
            cols.update({"targets": s.targets, "histogram t": s.hist_x, "histogram count": s.hist_counts})
            if s.expect_t.size:
                cols["expected t"], cols["expected count"] = s.expect_t, s.expect_counts
            ml = s.ml
            cols.update({"candidate y": ml.y_grid, "total loss": ml.total_loss, "log-likelihood": ml.log_likelihood})
            for name, v in (("argmin total loss", ml.argmin_loss), ("argmax log-likelihood", ml.argmax_likelihood),
                            ("closed form", ml.closed_form)):
                cols[name] = np.array([np.nan if v is None else v])
        return cols


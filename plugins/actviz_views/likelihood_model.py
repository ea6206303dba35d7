"""The likelihood view's state and numbers, with no Qt: one loss read as a negative log-likelihood.

Keys: ``loss`` (any loss; the function list sets it while the view is shown),
``loss.NAME`` for its parameters and ``loss.t`` for its target; the view's own
``y`` (the current prediction), ``seed``, ``n`` (how many targets to sample)
and ``y_true`` (the y they are sampled from). The range of ``y`` and
``y_true`` follows the loss: inside (0, 1) for a probability loss, around the
targets otherwise.

Three rows of numbers, each computed here and only drawn by the widget:

1. :func:`fit_curves`: E(y; t) over y beside −ln p(t | y), with c and const of E = −c·ln p + const;
2. :func:`density_plot`: the noise model p(t | y) over t for the current y;
3. :func:`samples`: targets drawn from p(· | y_true), their histogram, Σ E and Σ ln p over candidate y.

Rows 1 and 2 are in :mod:`likelihood_curves`, row 3 in :mod:`likelihood_samples` (re-exported here); this
module keeps the keys, their rules, and :class:`Numbers`, which recomputes a row only when its inputs change.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from actviz.maths import likelihood as lk
from actviz.models import ViewModel
from actviz.specs import FunctionChoice, Loss, Param
from actviz_views.likelihood_curves import (
    DENSITY_LEGEND_SHARE,
    LEGEND_SHARE,
    TOP_POINTS,
    DensityPlot,
    FitCurves,
    bar_width,
    density_plot,
    density_reach,
    density_window,
    e_window,
    fit_curves,
    held_density_window,
    value_at,
    y_param,
)
from actviz_views.likelihood_samples import ML_POINTS, Samples, candidate_grid, ml_window, samples

# the rows' numbers live in likelihood_curves and likelihood_samples
__all__ = ["DENSITY_LEGEND_SHARE", "LEGEND_SHARE", "MAX_N", "MAX_SEED", "ML_POINTS", "TOP_POINTS", "Y_LIMIT",
           "DensityPlot", "FitCurves", "LikelihoodModel", "Numbers", "Samples", "bar_width", "candidate_grid",
           "density_plot", "density_reach", "density_window", "e_window", "fit_curves", "held_density_window",
           "ml_window", "quietest_third", "samples", "value_at", "y_param"]

MAX_N = 5000
MAX_SEED = 99_999
Y_LIMIT = 1e6  # the declared range of y and y_true; the loss's own range is checked in validate()


def _y_range(spec: Loss | None) -> tuple[float, float]:
    p = y_param(spec)
    return (p.low, p.high)


class LikelihoodModel(ViewModel):
    """Which loss, its parameters and target, the prediction y, and the sampled data set."""

    Y_KEYS = ("y", "y_true")

    def declare(self, registry: Any):
        return (
            FunctionChoice("loss", "loss", default=("squared_error",), label="loss", browse=True,
                           help="the loss to read as a negative log-likelihood (the function list sets it)"),
            Param("y", 0.0, -Y_LIMIT, Y_LIMIT, step=0.05, label="prediction y", help="the current prediction y"),
            Param("seed", 1, 0, MAX_SEED, step=1, label="seed", help="random seed of the sampled targets"),
            Param("n", 51, 1, MAX_N, step=1, label="n targets", help="how many targets to sample"),
            Param("y_true", 0.6, -Y_LIMIT, Y_LIMIT, step=0.05, label="true y (sampling)",
                  help="the y the targets are sampled from"),
        )

    def __init__(self, registry: Any = None, history: Any = None) -> None:
        super().__init__(registry, history)
        for name in self.Y_KEYS:
            self._values[name] = y_param(self.spec, name).default

    # -- what the view reads -------------------------------------------------------------------
    @property
    def spec(self) -> Loss | None:
        spec = self.function("loss")
        return spec if isinstance(spec, Loss) else None

    @property
    def params(self) -> dict[str, float]:
        return self.function_params("loss")

    @property
    def t(self) -> float:
        t = self.function_target("loss")
        return 0.0 if t is None else float(t)

    def problem(self) -> str:
        """Why the view cannot draw this loss ("" when it can): no loss, or one without a noise model."""
        spec = self.spec
        if spec is None:
            return "no loss is installed; the likelihood view needs one"
        if spec.noise_model is None:
            return f"loss {spec.name} has no noise model; the likelihood view needs one"
        return ""

    # -- keys: y and y_true take the loss's range ----------------------------------------------
    def _ranged(self, keys):
        spec = self.spec
        out = []
        for k in keys:
            if k.name in self.Y_KEYS:
                k = replace(k, control=y_param(spec, k.name))
            out.append(k)
        return out

    def active_keys(self):
        return self._ranged(super().active_keys())

    def all_keys(self):
        return self._ranged(super().all_keys())

    def default_of(self, name: str) -> Any:
        if name in self.Y_KEYS:
            return y_param(self.spec, name).default
        return super().default_of(name)

    def _choose(self, f, raw):
        self._range_before = _y_range(self.spec)  # on the trial copy: the loss being replaced
        return super()._choose(f, raw)

    def adjust(self, changed: set[str], explicit: set[str]) -> set[str]:
        """Another kind of y (a probability loss after a real one): y and y_true start from its defaults."""
        if "loss" not in changed or getattr(self, "_range_before", None) == _y_range(self.spec):
            return set()
        moved = set()
        for name in self.Y_KEYS:
            if name not in explicit:
                self._values[name] = y_param(self.spec, name).default
                moved.add(name)
        return moved

    def validate(self) -> str:
        for name in ("seed", "n"):
            if self[name] != round(self[name]):
                return f"{name}={self[name]:g} is not a whole number"
        spec = self.spec
        for name in self.Y_KEYS:
            p = y_param(spec, name)
            if not p.low <= self[name] <= p.high:
                where = f" for loss {spec.name}" if spec is not None else ""
                return f"{name}={self[name]:g} is outside [{p.low:g}, {p.high:g}]{where}"
        return ""




class Numbers:
    """The three rows for a model, each recomputed only when what it depends on changed.

    Dragging y redraws the marker of plot 1 and plot 2; plot 1's curves depend
    on (loss, params, t); plot 3 on (loss, params, seed, n, y_true).
    """

    def __init__(self) -> None:
        self._fit: tuple[Any, FitCurves] | None = None
        self._fit_all: tuple[Any, lk.ScaleOffset] | None = None
        self._samples: tuple[Any, Samples] | None = None

    def fit(self, model: LikelihoodModel) -> FitCurves:
        spec, params, t = model.spec, model.params, model.t
        key = (spec.name, spec.plugin, tuple(sorted(params.items())), t)
        if self._fit is None or self._fit[0] != key:
            fkey = key[:3]
            fit_all = self._fit_all[1] if self._fit_all is not None and self._fit_all[0] == fkey else None
            curves = fit_curves(spec, params, t, fit_all)
            self._fit_all = (fkey, curves.fit_all)
            self._fit = (key, curves)
        return self._fit[1]

    def samples(self, model: LikelihoodModel) -> Samples:
        spec, params = model.spec, model.params
        seed, n, y_true = int(model["seed"]), int(model["n"]), float(model["y_true"])
        key = (spec.name, spec.plugin, tuple(sorted(params.items())), seed, n, y_true)
        if self._samples is None or self._samples[0] != key:
            self._samples = (key, samples(spec, params, seed, n, y_true))
        return self._samples[1]

    def clear(self) -> None:
        self._fit = self._fit_all = self._samples = None


def quietest_third(x_range: tuple[float, float], series) -> float:
    """Where along the top of a plot a legend hides the least data: 0 (left), 0.5 (centre) or 1 (right).

    ``series`` are (x, y) pairs; each third of ``x_range`` scores the highest y drawn in it.
    """
    low, high = x_range
    span = (high - low) or 1.0
    scores = []
    for i, anchor in enumerate((1.0, 0.0, 0.5)):  # ties go right, then left
        third = {1.0: 2, 0.0: 0, 0.5: 1}[anchor]
        a, b = low + third * span / 3, low + (third + 1) * span / 3
        top = -np.inf
        for xs, ys in series:
            xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
            inside = (xs >= a) & (xs <= b) & np.isfinite(ys)
            if inside.any():
                top = max(top, float(ys[inside].max()))
        scores.append((top, i, anchor))
    return min(scores)[2]

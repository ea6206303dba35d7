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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from actviz.evaluation import value
from actviz.maths import likelihood as lk
from actviz.maths.ranges import held_range
from actviz.models import ViewModel
from actviz.specs import FunctionChoice, Loss, Param

TOP_POINTS = 600  # y samples of plot 1, t samples of plot 2
ML_POINTS = 601  # candidate y of plot 3 (the closed form is added as an exact grid point)
MAX_N = 5000
MAX_SEED = 99_999
Y_LIMIT = 1e6  # the declared range of y and y_true; the loss's own range is checked in validate()


def y_param(spec: Loss | None, name: str = "y") -> Param:
    """The prediction y (or y_true): inside (0, 1) for probability losses, around the targets otherwise."""
    truth = name == "y_true"
    label = "true y (sampling)" if truth else "prediction y"
    help_ = "the y the targets are sampled from" if truth else "the current prediction y"
    if spec is not None and spec.domain == "probability":
        return Param(name, 0.3 if truth else 0.7, 0.001, 0.999, step=0.001, label=label, help=help_)
    t_low, t_high = (spec.target.low, spec.target.high) if spec is not None else (-3.0, 3.0)
    low, high = min(t_low, -3.0) - 1.0, max(t_high, 3.0) + 1.0
    default = min(max(0.6 if truth else 0.0, low), high)
    return Param(name, default, low, high, step=0.05, label=label, help=help_)


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


# ---------------------------------------------------------------- plot 1: E = −c ln p + const

@dataclass
class FitCurves:
    """E, −ln p and c·(−ln p) + const over ``ys`` at target t; ``fit_all`` is the fit over every t."""

    ys: np.ndarray
    e: np.ndarray
    nlp: np.ndarray
    fitted: np.ndarray
    fit: lk.ScaleOffset
    fit_all: lk.ScaleOffset | None
    notes: list[str] = field(default_factory=list)


def fit_curves(spec: Loss, params: dict[str, float], t: float,
               fit_all: lk.ScaleOffset | None = None) -> FitCurves:
    nm = spec.noise_model
    yp = y_param(spec)
    ys = np.linspace(yp.low, yp.high, TOP_POINTS)
    if fit_all is None:
        fit_all = lk.fit_scale_offset(spec, params=params)  # over every target value
    fit = lk.fit_scale_offset(spec, t=[t], params=params)  # the constant at this t
    e = value(spec, ys, params, t)
    nlp = -lk.log_density(nm, t, ys, params)
    with np.errstate(invalid="ignore", over="ignore"):
        fitted = fit.c * nlp + fit.const
    notes = []
    bad = int(np.count_nonzero(~np.isfinite(e) | ~np.isfinite(nlp)))
    if bad:
        notes.append(f"Plot 1: E or −ln p is not finite at {bad} of {ys.size} y (left blank).")
    return FitCurves(ys, e, nlp, fitted, fit, fit_all, notes)


def e_window(spec: Loss, curves: FitCurves, y: float) -> tuple[tuple[float, float], tuple[float, float] | None]:
    """Plot 1's x range (±3 around E's minimum, and y) and y range (with headroom for the legend).

    The whole y range would let a steep loss (Poisson's e^y) flatten everything else.
    """
    ys, e = curves.ys, curves.e
    ok = np.isfinite(e)
    if spec.domain == "probability" or not ok.any():
        low, high = float(ys[0]), float(ys[-1])
    else:
        best = float(ys[ok][np.argmin(e[ok])])
        low, high = max(float(ys[0]), best - 3.0), min(float(ys[-1]), best + 3.0)
    low, high = min(low, y - 0.25), max(high, y + 0.25)
    inside = (ys >= low) & (ys <= high)
    shown = np.concatenate([e[inside], curves.nlp[inside]])
    shown = shown[np.isfinite(shown)]
    if not shown.size:
        return (low, high), None
    bottom, top = float(shown.min()), float(shown.max())
    top = max(top, bottom + 1e-9)
    return (low, high), (bottom, bottom + 1.45 * (top - bottom))


def value_at(spec: Loss, y: float, params: dict[str, float], t: float) -> float:
    return float(value(spec, np.array([y]), params, t)[0])


# ---------------------------------------------------------------- plot 2: p(t | y)

@dataclass
class DensityPlot:
    density: lk.Density
    mark_t: list[float]
    mark_p: list[float]
    x_range: tuple[float, float]
    top: float
    axis: str
    notes: list[str] = field(default_factory=list)


def density_window(spec: Loss, y: float) -> tuple[float, float] | None:
    """The t a density is shown over at y: the target's range and y ± 3 (t ≥ 0 stays so); None for a pmf."""
    tp = spec.target
    if spec.noise_model.support != "real":
        return None
    low = tp.low if tp.low >= 0 else min(tp.low, y - 3.0)
    return low, max(tp.high, y + 3.0)


def density_reach(spec: Loss) -> tuple[float, float] | None:
    """Every t :func:`density_window` can show for a y in its range: a density's grid, whatever y is."""
    yp = y_param(spec)
    low, high = density_window(spec, yp.low) or (0.0, 0.0), density_window(spec, yp.high) or (0.0, 0.0)
    return (min(low[0], high[0]), max(low[1], high[1])) if spec.noise_model.support == "real" else None


def held_density_window(spec: Loss, y: float, shown: tuple[float, float] | None) -> tuple[float, float] | None:
    """:func:`density_window`, held while y is dragged: ``shown`` stays while it holds the window.

    Otherwise the t axis widens to round numbers around what it showed and what y now needs, so
    the density moves across a still axis instead of the axis following y on every frame.
    """
    need = density_window(spec, y)
    if need is None:
        return None
    held = held_range(shown, *need, shrink=0.0, grow=True)  # never narrows while y moves
    reach = density_reach(spec)  # no further than the density is drawn (t ≥ 0 stays so)
    return max(held[0], reach[0]), min(held[1], reach[1])


def density_plot(spec: Loss, params: dict[str, float], t: float, y: float) -> DensityPlot:
    """p(t | y) for the current y: at each outcome for a pmf; for a density over every t the plot can
    show (:func:`density_reach`, so the t axis can hold still while y moves), ``x_range`` what y needs."""
    nm = spec.noise_model
    if nm.support == "real":
        grid = np.linspace(*density_reach(spec), 2 * TOP_POINTS)
        d = lk.density_over_t(nm, y, grid, params)
        mark_t, mark_p = [t], [float(lk.density_over_t(nm, y, np.array([t]), params).p[0])]
        axis = "target t"
    else:
        outcomes = lk.target_values(spec, nm) if nm.support == "binary" else None
        d = lk.density_over_t(nm, y, params=params, outcomes=outcomes)
        if nm.support == "binary" and np.any(d.t == t):
            mark_t, mark_p = [t], [float(d.p[d.t == t][0])]
        elif nm.support == "categorical":
            mark_t, mark_p = ([1.0], [float(d.p[0])]) if t >= 0.5 else ([2.0], [float(d.p[1])])
        else:
            mark_t, mark_p = [], []
        axis = "class c (t = 1 means class 1)" if nm.support == "categorical" else "outcome t"
    finite = d.p[np.isfinite(d.p)]
    top = max(float(finite.max()) if finite.size else 1.0, 1e-12)
    window = density_window(spec, y) or (float(d.t[0]) - 0.5, float(d.t[-1]) + 0.5)
    notes = []
    bad = int(np.count_nonzero(~np.isfinite(d.p)))
    if bad:
        notes.append(f"Plot 2: p is not finite at {bad} of {d.p.size} t (left blank).")
    return DensityPlot(d, mark_t, mark_p, window, top, axis, notes)


def bar_width(xs: np.ndarray, cap: float = 0.8) -> float:
    return min(0.4 * (float(np.min(np.diff(xs))) if xs.size > 1 else 1.0), cap)


# ---------------------------------------------------------------- plot 3: the three routes agree

@dataclass
class Samples:
    """Targets from p(· | y_true), the maximum-likelihood numbers over candidate y, and the histogram."""

    targets: np.ndarray
    ml: lk.MaximumLikelihood
    window: tuple[float, float]
    hist_x: np.ndarray
    hist_counts: np.ndarray
    hist_width: float
    expect_t: np.ndarray
    expect_counts: np.ndarray
    discrete: bool
    outside: int
    notes: list[str] = field(default_factory=list)

    def at(self, values: np.ndarray, y: float | None) -> list[float]:
        """The value of a curve over the candidate grid at the grid point ``y``."""
        if y is None:
            return []
        i = int(np.searchsorted(self.ml.y_grid, y))
        return [float(values[i])] if i < values.size else []


def candidate_grid(spec: Loss, targets: np.ndarray, closed: float | None) -> np.ndarray:
    yp = y_param(spec, "y_true")
    if spec.domain == "probability":
        grid = np.linspace(0.0, 1.0, ML_POINTS)
    else:
        low, high = yp.low, yp.high
        t = targets[np.isfinite(targets)]
        if spec.noise_model.support == "real" and t.size:
            q_low, q_high = np.quantile(t, [0.01, 0.99])  # heavy tails (Cauchy) must not stretch the grid
            low, high = min(low, float(q_low)), max(high, float(q_high))
        grid = np.linspace(low, high, ML_POINTS)
    if closed is not None and math.isfinite(closed):  # the closed form itself is a candidate
        grid = np.unique(np.append(grid, closed))
    return grid


def ml_window(spec: Loss, ml: lk.MaximumLikelihood, targets: np.ndarray, y_true: float) -> tuple[float, float]:
    """The candidate y shown: the data's bulk, the optimum ± a margin and y_true, inside the grid."""
    grid = ml.y_grid
    if spec.domain == "probability":
        return float(grid[0]), float(grid[-1])
    points = [y_true]
    for v in (ml.argmin_loss, ml.argmax_likelihood, ml.closed_form):
        if v is not None:
            points += [v - 1.5, v + 1.5]
    t = targets[np.isfinite(targets)]
    if t.size:
        points += [float(v) for v in np.quantile(t, [0.01, 0.99])]
    low, high = max(float(grid[0]), min(points) - 0.25), min(float(grid[-1]), max(points) + 0.25)
    return (low, high) if high > low else (float(grid[0]), float(grid[-1]))


def samples(spec: Loss, params: dict[str, float], seed: int, n: int, y_true: float) -> Samples:
    nm = spec.noise_model
    targets = lk.sample_targets(nm, y_true, n, seed, params)
    closed = lk.closed_form_estimate(nm, targets, params)
    ml = lk.maximum_likelihood(spec, candidate_grid(spec, targets, closed), targets, params)
    window = ml_window(spec, ml, targets, y_true)
    finite = targets[np.isfinite(targets)]
    values, counts = np.unique(finite, return_counts=True)
    expect_t = expect_counts = np.zeros(0)
    outside = 0
    discrete = nm.support != "real" or (values.size <= 60 and bool(np.all(values == np.round(values))))
    if discrete:  # bars at each value
        gaps = np.diff(values)
        width = min(0.8 * float(gaps.min()) if gaps.size else 1.0, 0.04 * ((window[1] - window[0]) or 1.0))
        hist_x, hist_counts = values, counts.astype(float)
        if nm.support == "binary":  # expected counts n·P(t | y_true) at each outcome
            d = lk.density_over_t(nm, y_true, params=params, outcomes=lk.target_values(spec, nm))
            expect_t, expect_counts = d.t, finite.size * d.p
    else:  # bins over the shown window
        inside = finite[(finite >= window[0]) & (finite <= window[1])]
        bins = int(min(40, max(8, math.sqrt(max(inside.size, 1)) * 2)))
        counts, edges = np.histogram(inside, bins=bins, range=window)
        width = float(edges[1] - edges[0])
        hist_x, hist_counts = 0.5 * (edges[:-1] + edges[1:]), counts.astype(float)
        expect_t = np.linspace(window[0], window[1], TOP_POINTS)
        expect_counts = finite.size * width * lk.density_over_t(nm, y_true, expect_t, params).p
        outside = finite.size - inside.size
    notes = []
    for label, v in (("Σ E", ml.total_loss), ("Σ ln p", ml.log_likelihood)):
        bad = int(np.count_nonzero(~np.isfinite(v)))
        if bad:
            notes.append(f"Plot 3: {label} is not finite at {bad} of {ml.y_grid.size} candidate y (left blank).")
    return Samples(targets, ml, window, hist_x, hist_counts, width, expect_t, expect_counts, discrete, outside,
                   notes)


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

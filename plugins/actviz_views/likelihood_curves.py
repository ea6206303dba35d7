"""The likelihood view's plots 1 and 2 as numbers, with no Qt: E(y; t) over y beside −ln p(t | y) with c and
const of E = −c·ln p + const (:func:`fit_curves`), and the noise model p(t | y) over t (:func:`density_plot`),
with the windows that keep them steady while y is dragged. :func:`y_param` is the range of y they share with
the model's keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from actviz.evaluation import value
from actviz.maths import likelihood as lk
from actviz.maths.ranges import held_range
from actviz.specs import Loss, Param

TOP_POINTS = 600  # y samples of plot 1, t samples of plot 2


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


#: the least share of plot 1's (plot 2's, plot 3's) height left above the data for its legend, and all of it
#: while the legend's own height is not known
LEGEND_SHARE = 1 - 1 / 1.45
DENSITY_LEGEND_SHARE = 1 - 1 / 1.6
HISTOGRAM_LEGEND_SHARE = 1 - 1 / 1.75


def e_window(spec: Loss, curves: FitCurves, y: float, legend_share: float = LEGEND_SHARE
             ) -> tuple[tuple[float, float], tuple[float, float] | None]:
    """Plot 1's x range (±3 around E's minimum, and y) and y range, whose top ``legend_share`` is left free
    of data for the legend.

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
    return (low, high), (bottom, bottom + (top - bottom) / (1.0 - legend_share))


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

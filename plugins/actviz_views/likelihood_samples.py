"""The likelihood view's plot 3 as numbers, with no Qt: targets drawn from p(· | y_true), their histogram,
and Σ E and Σ ln p over candidate y, whose minimum and maximum agree with the closed form (:func:`samples`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from actviz.maths import likelihood as lk
from actviz.specs import Loss
from actviz_views.likelihood_curves import TOP_POINTS, y_param

ML_POINTS = 601  # candidate y of plot 3 (the closed form is added as an exact grid point)


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

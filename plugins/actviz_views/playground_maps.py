"""The playground's pictures as numbers, with no Qt: colour scales, the output map, neuron maps, log ticks."""

from __future__ import annotations

import math

import numpy as np

from actviz.maths.learning import PlaygroundNetwork

GRID = 60  # heat-map resolution (GRID × GRID)
# playground.tensorflow.org's colours: orange for the negative class, blue for the positive
NEG, MID, POS = (245, 147, 34), (232, 234, 235), (8, 119, 189)
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")
MAX_CURVE_POINTS = 1000


def _lut() -> np.ndarray:
    s = np.linspace(0.0, 1.0, 256)[:, None]
    neg, mid, pos = (np.array(c, float) for c in (NEG, MID, POS))
    lower = neg + (mid - neg) * np.clip(2 * s, 0, 1)
    upper = mid + (pos - mid) * np.clip(2 * s - 1, 0, 1)
    return np.where(s < 0.5, lower, upper).astype(np.ubyte)


LUT = _lut()


def class_colors(k: int) -> np.ndarray:
    """RGB per class: orange/blue for two classes, the palette for more."""
    if k <= 2:
        return np.array([NEG, POS], float)
    return np.array([[int(PALETTE[i % len(PALETTE)][j:j + 2], 16) for j in (1, 3, 5)] for i in range(k)], float)


def grid(bounds: tuple[float, float, float, float], n: int = GRID) -> tuple[np.ndarray, np.ndarray]:
    x1lo, x1hi, x2lo, x2hi = bounds
    return np.meshgrid(np.linspace(x1lo, x1hi, n), np.linspace(x2lo, x2hi, n))


def point_colors(net_kind: str, n_classes: int, y_all: np.ndarray, y: np.ndarray) -> np.ndarray:
    """RGB per point: its class's colour, or its target on the output colour scale (regression)."""
    if net_kind == "regression":
        lo, hi = float(np.min(y_all)), float(np.max(y_all))
        idx = np.clip(((np.asarray(y, float) - lo) / max(hi - lo, 1e-12) * 255).astype(int), 0, 255)
        return LUT[idx].astype(float)
    return class_colors(n_classes)[np.asarray(y, int)]


def output_picture(net: PlaygroundNetwork, out: np.ndarray
                   ) -> tuple[np.ndarray, tuple[float, float] | None, np.ndarray]:
    """What the output map shows for the output layer's grid ``out`` (units, GRID, GRID).

    Returns (image, levels, values): a scalar image with its colour levels (one output unit), or an
    RGB image (levels None) mixing the class colours by softmax probability; ``values`` is what
    the CSV export writes (the output, or the most probable class).
    """
    if net.multiclass:
        probs = np.moveaxis(out, 0, -1)
        probs = np.where(np.isfinite(probs), probs, 0.0)
        rgb = 0.45 * (probs @ class_colors(net.n_out)) + 0.55 * np.array(MID, float)
        return np.clip(rgb, 0, 255).astype(np.ubyte), None, probs.argmax(axis=-1).astype(float)
    img = out[0]
    lo, hi = net.output_range
    if not hi > lo:
        lo, hi = lo - 1.0, hi + 1.0
    return np.where(np.isfinite(img), img, 0.5 * (lo + hi)), (lo, hi), img


def neuron_levels(m: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """A neuron map with symmetric levels around 0 when it changes sign."""
    m = np.where(np.isfinite(m), m, 0.0)
    lo, hi = float(m.min()), float(m.max())
    if lo < 0 < hi:
        lo, hi = -max(-lo, hi), max(-lo, hi)
    if not hi - lo > 1e-12:
        lo, hi = lo - 1.0, hi + 1.0
    return m, (lo, hi)


def thin(n: int) -> np.ndarray:
    """Indices of at most MAX_CURVE_POINTS of n, first and last kept."""
    return np.arange(n) if n <= MAX_CURVE_POINTS else np.unique(np.linspace(0, n - 1, MAX_CURVE_POINTS).astype(int))


def epoch_axis_top(last: float) -> float:
    """The epoch axis grows by doubling: a range that moves every epoch re-renders the axis every frame."""
    top = 10.0
    while top < last:
        top *= 2.0
    return top


def decade_ticks(lo: float, hi: float, labels: int = 4) -> list[tuple[float | None, list[float]]]:
    """Log-axis ticks (in log10 units) over [lo, hi] with at most about ``labels`` labelled ticks.

    Whole decades, every ``k``-th decade when many are shown; 1, 2, 5 × 10ⁿ within a decade or two.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [(1.0, [])]
    span = hi - lo
    if span < 1.5:
        marks = [d + math.log10(m) for d in range(math.floor(lo), math.ceil(hi) + 1) for m in (1, 2, 5)]
        inside = [v for v in marks if lo <= v <= hi]
        if len(inside) > labels:
            inside = [v for v in inside if abs(v - round(v)) < 1e-9] or inside[:labels]
        return [(None, inside)]
    step = max(1, math.ceil(span / (max(labels, 1) + 1)))
    first = math.ceil(lo / step) * step
    return [(float(step), [float(v) for v in range(first, math.floor(hi) + 1, step)])]

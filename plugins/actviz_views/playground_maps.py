"""The playground's pictures as numbers, with no Qt: colour scales, the output map, neuron maps, log ticks.

Also what the network diagram draws: each node's thumbnail as RGB, each edge's colour (the sign)
and width (the magnitude), and the output's colour scale read from the loss's noise model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from actviz.evaluation import EvaluationError, call
from actviz.maths.learning import PlaygroundNetwork, class_log_likelihoods, decide

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


def output_picture(net: PlaygroundNetwork, out: np.ndarray, scale: OutputScale | None = None,
                   discrete: bool = False) -> tuple[np.ndarray, tuple[float, float] | None, np.ndarray]:
    """What the output map shows for the output layer's grid ``out`` (units, GRID, GRID).

    Returns (image, levels, values): a scalar image with its colour levels (one output unit, on
    ``scale``), or an RGB image (levels None) mixing the class colours by softmax probability;
    ``discrete`` shows the decisions instead (the most probable class, or the class the loss's noise
    model picks). ``values`` is what the CSV export writes (the output, or the most probable class).
    """
    if net.multiclass:
        probs = np.moveaxis(out, 0, -1)
        probs = np.where(np.isfinite(probs), probs, 0.0)
        best = probs.argmax(axis=-1)
        if discrete:
            rgb = 0.8 * class_colors(net.n_out)[best] + 0.2 * np.array(MID, float)
        else:
            rgb = 0.45 * (probs @ class_colors(net.n_out)) + 0.55 * np.array(MID, float)
        return np.clip(rgb, 0, 255).astype(np.ubyte), None, best.astype(float)
    scale = scale or output_scale(net)
    img = out[0]
    shown = discrete_output(net, out, scale) if discrete else img
    return np.where(np.isfinite(shown), shown, 0.5 * (scale.lo + scale.hi)), (scale.lo, scale.hi), img


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


# -- the output's colour scale, from the loss's noise model -----------------------------------------
#: the colour scale of a one-unit classifier ends where the noise model gives 99 : 1 odds
ODDS_END = math.log(99.0)


@dataclass(frozen=True)
class OutputScale:
    """How the output map colours y: levels (lo, hi), the decision threshold (binary) and what it shows."""

    lo: float
    hi: float
    threshold: float | None = None
    #: "binary" (one output unit read as a class), "regression", or "classes" (softmax)
    kind: str = "binary"
    #: class 1 where y > threshold (True) or below it
    rising: bool = True


def output_span(net: PlaygroundNetwork, limit: float = 60.0) -> tuple[float, float]:
    """The outputs the output activation can reach (z over ±limit), clipped to ±limit."""
    z = np.linspace(-limit, limit, 2001)
    try:
        with np.errstate(all="ignore"):
            f = np.asarray(call(net.output.function, z, **net.output_params), float)
    except EvaluationError:
        return (-limit, limit)
    f = f[np.isfinite(f)]
    if f.size == 0:
        return (-limit, limit)
    lo, hi = max(float(f.min()), -limit), min(float(f.max()), limit)
    return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)


def output_scale(net: PlaygroundNetwork, samples: int = 6001) -> OutputScale:
    """The output map's colour scale for any loss: grey at the decision threshold, full colour at the ends.

    The threshold is where :func:`actviz.maths.learning.decide` (the loss's noise model) switches
    class over the outputs the output activation can reach: 0.5 for a probability, 0 for a logit or
    a Poisson log-rate, the midpoint of the targets for a Gaussian mean. The scale runs from target to
    target when they lie either side of it, else to where the noise model gives 99 : 1 odds.
    """
    if net.multiclass:
        return OutputScale(-0.5, net.n_out - 0.5, kind="classes")
    if net.dataset.kind == "regression":
        lo, hi = net.output_range
        return OutputScale(lo, hi if hi > lo else lo + 1.0, kind="regression")
    targets = tuple(float(t) for t in net.class_targets)
    lo_span, hi_span = output_span(net)
    ys = np.linspace(lo_span, hi_span, samples)
    classes = decide(net.loss_spec, ys, targets, net.loss_params)
    switches = np.flatnonzero(np.diff(classes) != 0)
    if switches.size == 0:
        return OutputScale(min(targets), max(targets), None)
    mid = 0.5 * (targets[0] + targets[1])
    i = int(switches[np.argmin(np.abs(ys[switches] - mid))])  # the switch nearest the targets' midpoint
    threshold = _bisect(net, targets, float(ys[i]), float(ys[i + 1]), int(classes[i]))
    rising = bool(classes[i + 1] == 1)
    t_lo, t_hi = min(targets), max(targets)
    tol = 1e-6 * (hi_span - lo_span)
    if t_lo < threshold - tol and t_hi > threshold + tol:
        half = max(threshold - t_lo, t_hi - threshold)
    else:
        half = _odds_half_width(net, ys, targets, threshold)
        half = float(f"{half:.3g}") if half else max(abs(t_lo - threshold), abs(t_hi - threshold), 1.0)
    return OutputScale(threshold - half, threshold + half, threshold, "binary", rising)


def _bisect(net: PlaygroundNetwork, targets: tuple[float, float], a: float, b: float, class_a: int) -> float:
    """The output where the decision switches between ``a`` and ``b``, to about 1e-12 of the span."""
    for _ in range(60):
        mid = 0.5 * (a + b)
        if mid in (a, b):
            break
        if int(decide(net.loss_spec, np.array([mid]), targets, net.loss_params)[0]) == class_a:
            a = mid
        else:
            b = mid
    value = 0.5 * (a + b)
    nice = round(value, 9)
    return nice if abs(nice - value) <= 1e-9 * max(1.0, abs(value)) else value


def _odds_half_width(net: PlaygroundNetwork, ys: np.ndarray, targets: tuple[float, float],
                     threshold: float) -> float | None:
    """Distance from the threshold to the nearer output where the noise model's odds reach 99 : 1."""
    logp = class_log_likelihoods(net.loss_spec, ys, targets, net.loss_params)
    if logp is None:
        return None
    with np.errstate(invalid="ignore"):
        llr = np.abs(logp[:, 1] - logp[:, 0])
    sure = np.isfinite(llr) & (llr >= ODDS_END) | (llr == np.inf)
    below = ys[sure & (ys < threshold)]
    above = ys[sure & (ys > threshold)]
    sides = [d for d in ((threshold - below.max()) if below.size else None,
                         (above.min() - threshold) if above.size else None) if d is not None and d > 0]
    return float(min(sides)) if sides else None


def discrete_output(net: PlaygroundNetwork, out: np.ndarray, scale: OutputScale) -> np.ndarray:
    """The output map as the network's decisions: each class's end of the scale (or 8 bands for regression)."""
    y = out[0]
    if scale.kind == "regression":
        bands = 8
        step = (scale.hi - scale.lo) / bands
        k = np.clip(np.floor((y - scale.lo) / step), 0, bands - 1)
        return scale.lo + (k + 0.5) * step
    classes = net.decide(y.ravel()).reshape(y.shape)
    return np.where(classes == 1, scale.hi if scale.rising else scale.lo, scale.lo if scale.rising else scale.hi)


# -- the network diagram ------------------------------------------------------------------------------
#: Okabe–Ito orange and blue (colour-blind safe): the sign of a weight, as in the map's two classes
EDGE_NEG, EDGE_POS = "#e69f00", "#0072b2"
#: |w| drawn at the widest; an edge's width grows linearly in |w| up to here
EDGE_FULL = 3.0
EDGE_MIN_PX, EDGE_MAX_PX = 0.5, 7.0


def edge_widths(values: np.ndarray, full: float = EDGE_FULL) -> np.ndarray:
    """Pixel widths, linear in |value| from EDGE_MIN_PX (0) to EDGE_MAX_PX (|value| ≥ ``full``)."""
    full = full if full > 0 and math.isfinite(full) else 1.0
    v = np.abs(np.where(np.isfinite(values), values, 0.0))
    return EDGE_MIN_PX + (EDGE_MAX_PX - EDGE_MIN_PX) * np.clip(v / full, 0.0, 1.0)


def edge_colors(values: np.ndarray) -> np.ndarray:
    """EDGE_POS where the value is ≥ 0, EDGE_NEG where it is negative (strings, the values' shape)."""
    return np.where(np.asarray(values) < 0, EDGE_NEG, EDGE_POS)


def to_rgb(m: np.ndarray, levels: tuple[float, float], lut: np.ndarray = LUT) -> np.ndarray:
    """A scalar map as (rows, cols, 3) uint8 through ``lut``, rows flipped so x₂ grows upwards."""
    lo, hi = levels
    span = hi - lo if hi != lo else 1.0
    with np.errstate(invalid="ignore"):
        idx = np.clip((np.where(np.isfinite(m), m, 0.5 * (lo + hi)) - lo) / span * 255.0, 0, 255).astype(np.intp)
    return np.ascontiguousarray(lut[idx[::-1]])


def class_tint(p: np.ndarray, color) -> np.ndarray:
    """A probability map from the neutral grey (0) to a class colour (1), rows flipped, as uint8 RGB."""
    p = np.clip(np.where(np.isfinite(p), p, 0.0), 0.0, 1.0)[::-1, :, None]
    mid, c = np.array(MID, float), np.asarray(color, float)
    return np.ascontiguousarray((mid + p * (c - mid)).astype(np.ubyte))


def thumbnails(net: PlaygroundNetwork, grids: list[np.ndarray], scale: OutputScale, step: int = 2
               ) -> list[list[np.ndarray]]:
    """Every node's map as RGB: features and hidden units on their own symmetric scale, outputs on the output's."""
    out: list[list[np.ndarray]] = []
    for layer in grids[:-1]:
        row = []
        for m in layer:
            m, levels = neuron_levels(m[::step, ::step])
            row.append(to_rgb(m, levels))
        out.append(row)
    last = grids[-1][:, ::step, ::step]
    if scale.kind == "classes":
        colors = class_colors(net.n_out)
        out.append([class_tint(p, colors[k]) for k, p in enumerate(last)])
    else:
        out.append([to_rgb(last[0], (scale.lo, scale.hi))])
    return out

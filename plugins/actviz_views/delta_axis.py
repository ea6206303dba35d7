"""A y range for the output-δ plots that keeps the lesson visible: every series fits whole unless a few
of its points lie far beyond its bulk (ReLU + cross-entropy's δ near z = 0⁺), with no Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class AxisFit:
    """A y range and the series it leaves partly off scale: (index, lowest, highest finite value)."""

    low: float
    high: float
    off: list[tuple[int, float, float]] = field(default_factory=list)


def _percentile(ordered: np.ndarray, q: float) -> float:
    """``np.percentile(ordered, q)`` (its default, linear) of sorted values, without its per-call overhead."""
    at = (q / 100.0) * (ordered.size - 1)
    below = math.floor(at)
    above = min(below + 1, ordered.size - 1)
    a, b, t = float(ordered[below]), float(ordered[above]), at - below
    diff = b - a
    return b - diff * (1.0 - t) if t >= 0.5 else a + diff * t  # numpy's _lerp, to the last bit


def robust_range(series: list[np.ndarray | None], marks: tuple[float, ...] = (), zero: bool = False,
                 quantile: float = 2.0, spread: float = 3.0) -> AxisFit | None:
    """Fit every series whole unless a few of its points lie far beyond its bulk.

    A series' bulk is its ``quantile``…(100−``quantile``) percentile span; points
    more than ``spread`` spans beyond it (ReLU + cross-entropy's δ reaching −1e15
    at z ≈ 0⁺) are left off scale, so they do not flatten every other curve.
    ``marks`` are kept in range when they are near it; ``zero`` keeps 0 in range.
    """
    lows, highs, off = [], [], []
    for index, values in enumerate(series):
        if values is None:
            continue
        v = values[np.isfinite(values)]
        if not v.size:
            continue
        v = np.sort(v)
        lo_q, hi_q = _percentile(v, quantile), _percentile(v, 100.0 - quantile)
        span = (hi_q - lo_q) or 1e-9 * (1.0 + abs(hi_q))
        vmin, vmax = float(v[0]), float(v[-1])
        lo = vmin if vmin >= lo_q - spread * span else float(lo_q)
        hi = vmax if vmax <= hi_q + spread * span else float(hi_q)
        if lo > vmin or hi < vmax:
            off.append((index, vmin, vmax))
        lows.append(lo)
        highs.append(hi)
    if not lows:
        return None
    low, high = min(lows), max(highs)
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    reach = spread * ((high - low) or 1.0)
    near = [m for m in marks if np.isfinite(m) and low - reach <= m <= high + reach]
    low, high = min([low, *near]), max([high, *near])
    pad = 0.06 * (high - low) or 0.5 * (abs(high) or 1.0)
    low, high = low - pad, high + pad
    return AxisFit(low, high, [(i, a, b) for i, a, b in off if a < low or b > high])

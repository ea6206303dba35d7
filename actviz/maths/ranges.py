"""Axis ranges that hold still while a control is dragged.

An axis that follows the data exactly moves on every frame of a drag: its
ticks and grid are regenerated (the largest cost of a frame after the
curves), and the student cannot compare one frame with the next because the
scale changed under the curve. A held range moves only when the data leaves
it or shrinks to a small part of it, and then to round numbers.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["PADDING", "SHRINK", "data_bounds", "held_range", "nice_range"]

#: a held range is re-fitted when the data spans less than this share of it
SHRINK = 1 / 3
#: extra room on each side of a fitted range, as a share of the data's span
PADDING = 0.05
#: the largest magnitude a range end may have (pyqtgraph's ticks fail far beyond it)
LIMIT = 1e300


def data_bounds(*arrays: np.ndarray | None) -> tuple[float, float] | None:
    """The finite minimum and maximum over ``arrays`` (``None`` entries skipped); ``None`` when there is none."""
    low, high = math.inf, -math.inf
    for values in arrays:
        if values is None:
            continue
        values = np.asarray(values, dtype=float)
        if values.size == 0:
            continue
        finite = values[np.isfinite(values)] if not np.isfinite(values).all() else values
        if finite.size:
            low, high = min(low, float(finite.min())), max(high, float(finite.max()))
    return (low, high) if low <= high else None


def nice_range(low: float, high: float, padding: float = PADDING) -> tuple[float, float]:
    """``[low, high]`` padded and widened to multiples of a round step (1, 2 or 5 × 10ⁿ).

    A flat series gets a unit-wide range around its value, so it sits in the middle.
    """
    low, high = max(low, -LIMIT), min(high, LIMIT)
    span = high - low
    if not span > 0 or not math.isfinite(span):
        if span > 0:  # inf span: two ends of opposite sign near the limit
            return -LIMIT, LIMIT
        middle = low
        half = max(abs(middle) * 0.1, 0.5) if math.isfinite(middle) else 0.5
        return middle - half, middle + half
    low, high = low - padding * span, high + padding * span
    step = 10.0 ** math.floor(math.log10(span))
    for factor in (0.1, 0.2, 0.5):
        if span / (step * factor) <= 12:
            step *= factor
            break
    nice_low, nice_high = math.floor(low / step) * step, math.ceil(high / step) * step
    if nice_high - nice_low <= 0 or not math.isfinite(nice_high - nice_low):
        return low, high
    return max(nice_low, -LIMIT), min(nice_high, LIMIT)


def held_range(current: tuple[float, float] | None, low: float, high: float,
               shrink: float = SHRINK, padding: float = PADDING, grow: bool = False) -> tuple[float, float]:
    """The range to show data spanning ``[low, high]`` when ``current`` is shown now.

    ``current`` is kept while it holds the data and the data fills at least
    ``shrink`` of it; otherwise the data gets a new :func:`nice_range`.
    ``grow``: data that leaves ``current`` gets a range holding both, while the
    data fills ``shrink`` of that (a drag between two regimes settles on one
    range instead of swapping two on every frame).
    """
    if current is not None:
        a, b = current
        span = b - a
        inside = a <= low and high <= b
        if inside and span > 0 and (high - low) >= shrink * span:
            return current
        if inside and high == low and a < low < b and span <= max(abs(low) * 0.25, 1.0):
            return current  # a flat series inside a small range: nothing to re-fit
        if grow and not inside and (high - low) >= shrink * (max(high, b) - min(low, a)):
            low, high = min(low, a), max(high, b)
    return nice_range(low, high, padding)

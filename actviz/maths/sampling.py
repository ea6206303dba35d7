"""Where to evaluate a curve: about one point per pixel of the visible range, kinks exact.

Re-sampling the visible range (instead of zooming a fixed array) keeps the
cost of a repaint independent of the zoom, and inserting each kink with its
two float neighbours keeps corners sharp and jumps vertical at any zoom.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

MIN_POINTS = 64
MAX_POINTS = 4096
PROBABILITY_EDGE = 1e-12


def sample_range(low: float, high: float, pixels: int, kinks: Iterable[float] = ()) -> np.ndarray:
    """Sorted sample points covering [low, high], ~``pixels`` of them, plus every kink inside."""
    if not (np.isfinite(low) and np.isfinite(high)) or high <= low:
        low, high = (-1.0, 1.0) if not np.isfinite(low) or not np.isfinite(high) else (low, low + 1.0)
    n = int(min(max(pixels, MIN_POINTS), MAX_POINTS))
    xs = np.linspace(low, high, n)
    inside = [float(k) for k in kinks if np.isfinite(k) and low < k < high]
    if inside:
        k = np.asarray(inside)
        xs = np.concatenate([xs, k, np.nextafter(k, -np.inf), np.nextafter(k, np.inf)])
        xs = np.sort(xs)  # np.unique would import numpy.ma before the first paint (~18 ms)
        xs = xs[np.concatenate([[True], xs[1:] != xs[:-1]])]
    return xs


def clip_to_domain(xs: np.ndarray, domain: str) -> np.ndarray:
    """Probabilities live in (0, 1): keep samples strictly inside."""
    if domain != "probability":
        return xs
    xs = xs[(xs > 0.0) & (xs < 1.0)]
    if xs.size == 0:
        xs = np.array([PROBABILITY_EDGE, 0.5, 1.0 - PROBABILITY_EDGE])
    return xs

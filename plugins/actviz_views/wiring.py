"""View wiring the built-in views share: curves drawn with gaps, labels and legends touched only on change.

Each of these runs on every frame of a drag; doing nothing when nothing
changed is what keeps a frame near the cost of drawing its curves.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

__all__ = ["finite", "pin_legend", "set_curve", "set_range", "set_text"]


def finite(values) -> np.ndarray:
    """NaN where not finite, so ``connect="finite"`` leaves a gap instead of drawing ±inf."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def set_curve(curve: pg.PlotDataItem | pg.PlotCurveItem, x: np.ndarray, values: np.ndarray) -> None:
    """``setData`` with non-finite values drawn as gaps; the slower ``connect="finite"`` path only when there is one."""
    whole = bool(np.isfinite(values).all())
    curve.setData(x, values if whole else finite(values), connect="all" if whole else "finite",
                  skipFiniteCheck=whole)


def set_text(label: QtWidgets.QLabel | QtWidgets.QWidget, text: str) -> None:
    """``setText`` only when the text changes (a QLabel's setText re-runs its page's layout)."""
    if label.text() != text:
        label.setText(text)


def pin_legend(legend: pg.LegendItem, x: float, top: bool = True, inset: tuple[float, float] = (4, 4)) -> None:
    """Pin ``legend`` to the top (or bottom) of its plot, at the left (x = 0), centre (0.5) or right (1)."""
    y = 0.0 if top else 1.0
    if getattr(legend, "_actviz_corner", None) != (x, y):
        legend._actviz_corner = (x, y)
        legend.anchor(itemPos=(x, y), parentPos=(x, y),
                      offset=(inset[0] * (1 - 2 * x), inset[1] if top else -inset[1]))


def set_range(plot: pg.PlotItem, axis: str, low: float, high: float, padding: float = 0.0) -> None:
    """``setXRange``/``setYRange`` unless the plot still shows what the same request gave last time.

    A view that asks for its window on every frame of a drag then costs nothing while it stays put.
    """
    box = plot.getViewBox()
    index = 0 if axis == "x" else 1
    asked = box.__dict__.setdefault("_actviz_asked", {})
    request = (float(low), float(high), padding)
    last = asked.get(axis)
    if last is not None and last[0] == request and box.viewRange()[index] == last[1]:
        return
    (box.setXRange if index == 0 else box.setYRange)(low, high, padding=padding)
    asked[axis] = (request, box.viewRange()[index])

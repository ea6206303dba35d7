"""The hidden-δ view's explanations and readout, as HTML strings (no Qt)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from actviz_views.depth_model import Frame

INTRO = ("<b>Vanishing and exploding gradients.</b> Going back one layer multiplies δ by the weights and by the "
         "slope: δ<sub>l</sub> = (W<sub>l+1</sub><sup>T</sup> δ<sub>l+1</sub>) ⊙ f′(z<sub>l</sub>). If the typical "
         "factor |W|·f′ is below 1, |δ| shrinks geometrically on its way to the first layers (vanishing: the "
         "logistic's f′ is at most ¼); above 1 it grows (exploding). The output error (δ = 1 at layer L, right) "
         "is sent back to layer 1 (left); each curve is the mean |δ| of its layer, the band its 10th–90th "
         "percentile over the units that pass a gradient (δ ≠ 0), on a log scale.")
INIT_TEXT = {
    "scale": "Weights ~ N(0, scale²): the same std at every width.",
    "xavier": "Xavier: weights ~ N(0, scale²/width) — keeps |W|·f′ ≈ 1 for tanh near 0.",
    "he": "He: weights ~ N(0, 2·scale²/width) — doubles Xavier's variance for ReLU, which zeroes half its inputs.",
}


def decades(ratio: float) -> str:
    if ratio == 0:
        return "all the gradient is lost (exactly 0)"
    if not math.isfinite(ratio):
        return "it overflowed"
    d = math.log10(ratio)
    if abs(d) < 0.5:
        return "about the same size"
    return f"{abs(d):.0f} decades {'smaller (vanishing)' if d < 0 else 'larger (exploding)'}"


def readout(frame: Frame, colors: Sequence[str] = ("#000000",)) -> str:
    """One line per activation: |δ| of layer 1 over layer L, in decades, and how many units pass nothing."""
    rows = []
    for index, curve in enumerate(frame.curves):
        if curve is None:
            continue
        res = curve.result
        color = colors[index % len(colors)]
        text = (f"<span style='color:{color}'>■</span> <b>{html.escape(curve.spec.label)}</b>: "
                f"|δ| layer 1 / layer {res.layers[-1]} = <b>{curve.ratio:.3g}</b> — {decades(curve.ratio)}")
        dead = float(res.zero_fraction.max())
        if dead > 0.05:
            text += (f"; up to {dead:.0%} of the units pass no gradient (δ = 0, below any log scale: "
                     "the band spans the others)")
        rows.append(text)
    return "<br>".join(rows)

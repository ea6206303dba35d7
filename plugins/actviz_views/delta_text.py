"""The output-δ view's explanations and readout, as HTML strings (no Qt)."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from actviz.maths import backprop as bp
from actviz_views.delta_model import Frame, PairFrame
from actviz_views.delta_pairs import PairEntry

INTRO = ("<b>δ = ∂E/∂z = ∂E/∂y · f′(z)</b> is the error signal backpropagation sends into an output unit's "
         "weights (Δw = −ε δ x). Dots mark where each unit is <i>confidently wrong</i>: if f′ is tiny there and "
         "∂E/∂y does not make up for it, δ is tiny and learning stalls when the unit is most wrong.")
SHORTCUT_TEXT = ("<b>Dashed:</b> the lecture's diagonal shortcut δ₁ = ∂E/∂y₁ · y₁(1−y₁) = −t₁(1−y₁). It leaves out "
                 "the off-diagonal Jacobian terms −y<sub>i</sub>y₁ (raising z₁ also lowers every other y<sub>i</sub>, "
                 "which changes E too). The full chain gives δ₁ = y₁ − t₁ (solid). The two differ by y₁(1−t₁): "
                 "they agree only at t₁ = 1; at t₁ = 0 the shortcut says 0 while the true δ₁ is y₁ "
                 "(erratum 8).")
PLOT_LABELS = ("output y = f(z)", "∂E/∂y at y", "slope f′(z)", "δ = ∂E/∂z")
PLOT_SYMBOLS = ("y", "∂E/∂y", "f′", "δ")


def fmt(value: float) -> str:
    return f"{value:.3g}" if np.isfinite(value) else str(value)


def formula(entry: PairEntry | None, rules=None) -> tuple[str, str, str]:
    """(LaTeX of δ, caption, one-sentence note) for the selected pair; ``rules`` as in backprop.known_pair."""
    if entry is None:
        return bp.PRODUCT_FORMULA, "", ""
    rule = bp.known_pair(entry.activation, entry.loss, rules)
    tex = rule.formula if rule is not None else bp.PRODUCT_FORMULA
    note = rule.note if rule is not None and rule.note else (
        "no simplification known for this pair: δ is the product of the two plots above it.")
    return tex, entry.short, note


def offscale(frame: Frame, plot: int, off: list[tuple[int, float, float]]) -> str:
    """The small note on a plot whose y range leaves a pair's far outliers out."""
    parts = []
    for index, low, high in off:
        pair = frame.pairs[index]
        reach = fmt(low) if abs(low) >= abs(high) else fmt(high)
        parts.append(f"{pair.entry.short} reaches {reach}")
    if not parts:
        return ""
    return f"{PLOT_SYMBOLS[plot]} off scale: " + "; ".join(parts)


def _row(pf: PairFrame, frame: Frame, zmin: float, zmax: float, colors: Sequence[str]) -> str:
    name = f"<span style='color:{colors[pf.index % len(colors)]}'>■</span> {html.escape(pf.entry.short)}"
    if pf.wrong is None or pf.wrong_values is None:
        return f"{name}: never outputs y = {frame.ywrong:g} (no confidently-wrong point)"
    _, g, fp, d = pf.wrong_values
    where = "" if zmin <= pf.wrong.z <= zmax else " (outside the plotted z range)"
    return (f"{name}: z = {pf.wrong.z:.3g}{where}: ∂E/∂y = {fmt(g)}, f′ = {fmt(fp)}, "
            f"<b>|δ| = {fmt(abs(d))}</b>")


def readout(frame: Frame, colors: Sequence[str] = ("#000000",)) -> tuple[str, float | None]:
    """|δ| of each pair at the confidently-wrong output and how many times larger the largest is; (HTML, ratio)."""
    zmin, zmax = float(frame.z[0]), float(frame.z[-1])
    rows, mags = [], []
    for pf in frame.pairs:
        if pf.problem:
            continue
        rows.append(_row(pf, frame, zmin, zmax, colors))
        if pf.wrong is not None and pf.wrong_values is not None:
            mags.append((abs(pf.wrong_values[3]), pf.entry.short))
    head = f"<b>Confidently wrong: y = {frame.ywrong:g} while t = {frame.t:g}.</b> "
    ratio = None
    finite = [(m, s) for m, s in mags if np.isfinite(m)]
    if len(finite) >= 2:
        big = max(finite, key=lambda ms: ms[0])
        small = min(finite, key=lambda ms: ms[0])
        if small[0] > 0:
            ratio = big[0] / small[0]
        if ratio is not None and ratio < 1.05:
            head += "Every pair gets about the same |δ| from this mistake."
        elif ratio is not None:
            b, s = html.escape(big[1]), html.escape(small[1])
            head += (f"|δ| of {b} is <b>{ratio:.3g}×</b> that of {s}: the {s} unit gets a "
                     f"{ratio:.3g}× smaller update from the same mistake.")
        elif big[0] > 0:
            head += f"{html.escape(small[1])} passes no gradient at all (δ = 0): it cannot learn from this mistake."
    return head + "<br>" + "<br>".join(rows), ratio

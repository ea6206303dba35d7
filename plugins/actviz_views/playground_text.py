"""The playground's words: the explanation (which follows the data set, output and loss), the summary,
the accuracy and the confusion table."""

from __future__ import annotations

import html
import math

import numpy as np

from actviz.maths.contrast import ink_on
from actviz.maths.learning import Dataset, PlaygroundNetwork, parameter_count
from actviz_views.playground_maps import OutputScale, class_colors, output_scale

DELTA_LINK = ("Mean |δ| per layer (log scale): when the lower layers' δ is orders of magnitude below the output's, "
              "they hardly learn — see why in the <a href=\"depth\">Hidden δ</a> view.")
POINTS = "Circles are training points, squares test points."


def _num(v: float) -> str:
    return f"{v:.3g}".replace("-", "−")


DIAGRAM = ("The diagram is the network: each square is a unit's output over the plane (hover to enlarge), "
           "edges are blue for a positive weight and orange for a negative one, thicker for a larger |w|; "
           "click a unit or an edge to set its bias or weight (Undo takes it back), + / − change a layer's size.")
#: what each generated data set asks of the network
DATA_HINTS = {
    "circle": "The circle is not linearly separable in x₁, x₂, but x₁² + x₂² separates it: with the squared "
              "features a network without hidden layers draws it.",
    "xor": "XOR (the quadrants) needs the product x₁·x₂, or a hidden layer that builds it from x₁ and x₂: "
           "try features x₁, x₂ only with hidden layers none, then 4.",
    "two_gaussians": "Two Gaussians are linearly separable: one output unit on x₁, x₂ is enough.",
    "spiral": "The spiral needs depth: try it with tanh, then switch the hidden activation to logistic: its |δ| "
              "shrinks layer by layer and training stalls.",
    "blobs": "The blobs are K classes: a softmax output gives one probability per class; the table counts "
             "which class each test point was given.",
    "regression_plane": "The target is a plane in x₁, x₂: a linear output unit with no hidden layer fits it exactly.",
}


def explanation(data: Dataset | None, net: PlaygroundNetwork | None, data_name: str,
                scale: OutputScale | None = None) -> str:
    """What the picture shows for this data set and this output/loss."""
    if data is None or net is None:
        return "Background: the network's output over the plane. " + POINTS
    scale = scale or output_scale(net)
    parts = []
    if data.kind == "regression":
        parts.append(f"Regression: the output map is the network's output y over the plane, orange "
                     f"(y = {_num(scale.lo)}) through grey to blue (y = {_num(scale.hi)}), as the colour bar shows; "
                     "each point has its target's colour on the same scale. " + POINTS)
        parts.append(_scored(net))
    elif net.multiclass:
        names = ", ".join(str(c) for c in data.class_labels)
        parts.append(f"{data.n_classes} classes ({names}), one colour each: the output map mixes the class colours "
                     f"by the softmax probabilities, and a point is given its most probable class. " + POINTS)
        parts.append(f"The output is a softmax over {data.n_classes} units scored by categorical cross-entropy "
                     "(δ = y − t); the output activation and loss controls apply to one output unit only.")
    else:
        lo, hi = net.class_targets
        neg, pos = (data.class_labels + (0, 1))[:2] if len(data.class_labels) >= 2 else (0, 1)
        parts.append(f"Two classes: blue points are class {pos} (target t = {_num(hi)}), orange points class {neg} "
                     f"(t = {_num(lo)}); the output map is the network's output y on the colour bar's scale, from "
                     f"orange at {_num(scale.lo)} to blue at {_num(scale.hi)}. " + POINTS)
        parts.append(_scored(net))
        parts.append(_decision(net, scale))
    if net.hidden:
        parts.append(DIAGRAM)
    hint = DATA_HINTS.get(data_name)
    if hint and not (data_name == "spiral" and (net.multiclass or data.kind != "classification")):
        parts.append(hint)
    return " ".join(p for p in parts if p)


def _decision(net: PlaygroundNetwork, scale: OutputScale) -> str:
    """How a point is classified: the loss's noise model picks the more probable target."""
    loss = net.loss_spec
    lo, hi = net.class_targets
    if scale.threshold is None:
        return f"The loss's noise model prefers one class at every output, so every point gets class {_num(hi)}."
    side = ">" if scale.rising else "<"
    if loss is not None and loss.noise_model is not None:
        why = (f"its {loss.noise_model.name} noise model makes t = {_num(hi)} more probable than t = {_num(lo)} "
               f"where y {side} {_num(scale.threshold)}")
    else:
        why = f"without a noise model the nearer target wins, so y {side} {_num(scale.threshold)}"
    return (f"A point is called blue when {why}: grey on the map and the line on the colour bar mark that "
            "boundary, and the accuracy and the table count these decisions.")


def _scored(net: PlaygroundNetwork) -> str:
    loss = net.loss_spec
    if loss is None:
        return ""
    text = f"The output unit, {net.output.label}, is scored by the loss {loss.label}"
    if loss.noise_model is not None:
        text += f", the negative log-likelihood of {loss.noise_model.name} noise"
    return text + "."


def summary(net: PlaygroundNetwork, data: Dataset, data_name: str,
            accuracy: tuple[float, float] | None = None) -> str:
    """Rich text: the losses and, for classes, the accuracy (train, test) beside them; then the data and the net."""
    h = net.history
    train, test = (h.train_loss[-1], h.test_loss[-1]) if h.epochs else (math.nan, math.nan)
    if net.multiclass:
        out = "softmax + categorical cross-entropy"
    else:
        out = f"{net.output.label} output, {net.loss_spec.label} loss"
    plugin = f" (plugin {net.activation.plugin})" if net.activation.plugin else ""
    lines = [f"loss: train {train:.4g} · test {test:.4g}"]
    if data.kind == "classification":
        train_acc, test_acc = accuracy if accuracy is not None else (net.accuracy(), net.accuracy(test=True))
        lines.append(f"accuracy: train {_percent(train_acc)} · test {_percent(test_acc)}")
    lines += [f"{data_name}: {len(data.x_train)} train / {len(data.x_test)} test points",
              f"network {' → '.join(map(str, net.sizes))} ({parameter_count(net.sizes)} weights)",
              f"hidden: {net.activation.label}{plugin}", out]
    return "<br>".join(html.escape(line) for line in lines)


def _percent(v: float) -> str:
    return "—" if not math.isfinite(v) else f"{100 * v:.1f}\u00a0%"  # never a lone % on the next line


def confusion_html(matrix: np.ndarray, labels: tuple, test: bool) -> str:
    """A K×K table, rows the true class and columns the predicted one, headed by the class colours."""
    k = len(matrix)
    colors = class_colors(k)
    def head(c: int) -> str:
        fill = "#" + "".join(f"{int(v):02x}" for v in colors[c])
        return (f"<th style='background-color: {fill}; color: {ink_on(fill)}; padding: 1px 4px'>"
                f"{html.escape(str(labels[c]) if c < len(labels) else str(c))}</th>")
    rows = ["<tr><th style='padding: 1px 4px'>true \\ pred.</th>" + "".join(head(c) for c in range(k)) + "</tr>"]
    for a in range(k):
        cells = "".join(f"<td align='right' style='padding: 1px 4px'>{'<b>' if a == p else ''}{int(matrix[a, p])}"
                        f"{'</b>' if a == p else ''}</td>" for p in range(k))
        rows.append(f"<tr>{head(a)}{cells}</tr>")
    title = "test points" if test else "training points"
    return (f"<div>Confusion ({title}): rows the true class, columns the decided one</div>"
            f"<table cellspacing='0' style='border: 1px solid gray'>{''.join(rows)}</table>")

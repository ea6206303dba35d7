"""The playground's words: the explanation (which follows the data set, output and loss) and the summary."""

from __future__ import annotations

import math

from actviz.maths.learning import Dataset, PlaygroundNetwork, parameter_count

DELTA_LINK = ("Mean |δ| per layer (log scale): when the lower layers' δ is orders of magnitude below the output's, "
              "they hardly learn — see why in the <a href=\"depth\">Hidden δ</a> view.")
POINTS = "Circles are training points, squares test points."


def _num(v: float) -> str:
    return f"{v:.3g}".replace("-", "−")


def explanation(data: Dataset | None, net: PlaygroundNetwork | None, data_name: str) -> str:
    """What the picture shows for this data set and this output/loss."""
    if data is None or net is None:
        return "Background: the network's output over the plane. " + POINTS
    parts = []
    if data.kind == "regression":
        lo, hi = net.output_range
        parts.append(f"Regression: the background is the network's output y over the plane, orange (y = {_num(lo)}) "
                     f"through grey to blue (y = {_num(hi)}); each point has its target's colour on the same scale. "
                     + POINTS)
        parts.append(_scored(net))
    elif net.multiclass:
        names = ", ".join(str(c) for c in data.class_labels)
        parts.append(f"{data.n_classes} classes ({names}), one colour each: the background mixes the class colours "
                     f"by the softmax probabilities. " + POINTS)
        parts.append(f"The output is a softmax over {data.n_classes} units scored by categorical cross-entropy "
                     "(δ = y − t); the output activation and loss controls apply to one output unit only.")
    else:
        lo, hi = net.class_targets
        neg, pos = (data.class_labels + (0, 1))[:2] if len(data.class_labels) >= 2 else (0, 1)
        parts.append(f"Two classes: blue points are class {pos} (target t = {_num(hi)}), orange points class {neg} "
                     f"(t = {_num(lo)}); the background is the network's output on the same scale, from orange at "
                     f"{_num(lo)} to blue at {_num(hi)}. " + POINTS)
        parts.append(_scored(net))
    if net.hidden:
        parts.append("Each small map is one hidden neuron's output.")
    if data_name == "spiral" and data.kind == "classification" and not net.multiclass:
        parts.append("Try the spiral with tanh, then switch the hidden activation to logistic: its |δ| shrinks "
                     "layer by layer and training stalls.")
    return " ".join(parts)


def _scored(net: PlaygroundNetwork) -> str:
    loss = net.loss_spec
    if loss is None:
        return ""
    text = f"The output unit, {net.output.label}, is scored by the loss {loss.label}"
    if loss.noise_model is not None:
        text += f", the negative log-likelihood of {loss.noise_model.name} noise"
    return text + "."


def summary(net: PlaygroundNetwork, data: Dataset, data_name: str) -> str:
    h = net.history
    train, test = (h.train_loss[-1], h.test_loss[-1]) if h.epochs else (math.nan, math.nan)
    if net.multiclass:
        out = "softmax + categorical cross-entropy"
    else:
        out = f"{net.output.label} output, {net.loss_spec.label} loss"
    plugin = f" (plugin {net.activation.plugin})" if net.activation.plugin else ""
    return (f"train loss {train:.4g} · test loss {test:.4g}\n"
            f"{data_name}: {len(data.x_train)} train / {len(data.x_test)} test points\n"
            f"network {' → '.join(map(str, net.sizes))} ({parameter_count(net.sizes)} weights)\n"
            f"hidden: {net.activation.label}{plugin}\n{out}")

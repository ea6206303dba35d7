"""The playground network: a small fully connected net on 2-D data, forward and backward pass.

Every call into plugin code goes through :func:`actviz.host.evaluation.call`; a plugin that raises
or returns NaN/inf stops training with a message naming the function, never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np

from actviz.host.evaluation import EvaluationError, call
from actviz.maths.learning.common import (
    MAX_HIDDEN_LAYERS,
    MAX_NEURONS,
    PROBABILITY_EPS,
    WEIGHT_LIMIT,
    History,
    TrainingError,
    _describe,
)
from actviz.maths.learning.datasets import Dataset, feature_matrix
from actviz.maths.learning.decisions import accuracy_and_confusion
from actviz.maths.learning.decisions import decide as decide_class
from actviz.maths.learning.training import TrainingLoop
from actviz.specs import Activation, Loss


class PlaygroundNetwork(TrainingLoop):
    """A fully connected net on 2-D data, trained by our own backprop.

    ``hidden`` lists the layer widths (≤ 6 layers of ≤ 8 units; empty for none). The hidden layers
    use ``activation`` (any registered :class:`Activation`, with ``activation_params``). For a
    binary or regression problem the single output unit uses ``output`` and is scored by ``loss``
    (elementwise E(y, t) with ∂E/∂y); for K > 2 classes, or with ``softmax=True``, the output is a
    softmax over K units scored by categorical cross-entropy, whose full Jacobian gives δ = y − t.

    Binary targets are 0/1 when the loss's target t lives in [0, …) (probabilities, logits as in
    BCE-with-logits, counts) and −1/+1 when its target is a ±1 label; otherwise they follow the
    output activation: 0/1 if it saturates at 0 and 1 (logistic), −1/+1 if at ±1 (tanh) or if it is
    unbounded (linear). ``class_targets`` overrides this.

    The loss reported (history, :meth:`losses`) is the mean per-example loss without the
    regularisation term. Weights start at N(0, 1/fan_in) and biases at 0, from ``seed``; the
    minibatch order comes from the same seed, so a run is reproducible.
    """

    def __init__(
        self,
        dataset: Dataset,
        activation: Activation,
        output: Activation | None = None,
        loss: Loss | None = None,
        hidden: Sequence[int] = (4, 2),
        features: Sequence[str] = ("x1", "x2"),
        learning_rate: float = 0.03,
        batch_size: int = 10,
        regularization: Literal["none", "l1", "l2"] = "none",
        regularization_rate: float = 0.0,
        activation_params: Mapping[str, float] | None = None,
        output_params: Mapping[str, float] | None = None,
        loss_params: Mapping[str, float] | None = None,
        softmax: bool = False,
        class_targets: tuple[float, float] | None = None,
        seed: int = 0,
        weight_limit: float = WEIGHT_LIMIT,
    ):
        hidden = tuple(int(h) for h in hidden)
        if len(hidden) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(hidden)}")
        if any(not 1 <= h <= MAX_NEURONS for h in hidden):
            raise ValueError(f"each hidden layer needs 1 to {MAX_NEURONS} neurons, got {list(hidden)}")
        if regularization not in ("none", "l1", "l2"):
            raise ValueError(f"regularization must be 'none', 'l1' or 'l2', got {regularization!r}")
        self.dataset = dataset
        self.features = tuple(features)
        self.hidden = hidden
        self.activation = activation
        self.activation_params = {**activation.defaults, **dict(activation_params or {})}
        self.multiclass = dataset.kind == "classification" and (dataset.n_classes > 2 or softmax)
        if not self.multiclass:
            if output is None or loss is None:
                raise ValueError("a binary or regression network needs an output activation and a loss")
        self.output = output
        self.output_params = {**output.defaults, **dict(output_params or {})} if output else {}
        self.loss_spec = loss
        self.loss_params = {**loss.defaults, **dict(loss_params or {})} if loss else {}
        self.learning_rate = float(learning_rate)
        self.batch_size = int(batch_size)
        self.regularization = regularization
        self.regularization_rate = float(regularization_rate)
        self.seed = seed
        self.weight_limit = float(weight_limit)
        self.n_out = dataset.n_classes if self.multiclass else 1
        self.class_targets = class_targets if class_targets is not None else self._default_targets()
        self.notes: list[str] = self._check_pairing()
        self._x_train = feature_matrix(dataset.x_train, self.features)
        self._x_test = feature_matrix(dataset.x_test, self.features) if len(dataset.x_test) else None
        self._t_train = self._targets(dataset.y_train)
        self._t_test = self._targets(dataset.y_test) if len(dataset.y_test) else None
        self.reset()

    # -- setup -------------------------------------------------------------------------------

    @property
    def sizes(self) -> tuple[int, ...]:
        return (len(self.features), *self.hidden, self.n_out)

    def _default_targets(self) -> tuple[float, float]:
        if self.dataset.kind == "regression" or self.multiclass:
            return (0.0, 1.0)
        target = self.loss_spec.target
        if self.loss_spec.domain == "probability" or target.low >= 0.0:
            return (0.0, 1.0)  # probabilities, logits against 0/1 labels, counts
        if target.low == -1.0 and target.high == 1.0:
            return (-1.0, 1.0)  # a ±1 label, as in the soft-margin loss
        try:
            z = np.array([-60.0, -30.0, 30.0, 60.0])
            f = call(self.output.function, z, **self.output_params)
        except EvaluationError:
            return (0.0, 1.0)
        if not np.all(np.isfinite(f)):
            return (-1.0, 1.0)
        low_saturates = abs(f[0] - f[1]) < 1e-3
        high_saturates = abs(f[3] - f[2]) < 1e-3
        if low_saturates and high_saturates and f[2] - f[1] > 1e-3:
            return (round(float(f[1]), 6), round(float(f[2]), 6))
        if low_saturates and f[2] > f[1]:
            return (round(float(f[1]), 6), round(float(f[1]), 6) + 1.0)
        return (-1.0, 1.0)

    def _check_pairing(self) -> list[str]:
        """Notes for the user about an output/loss pair that cannot work well (not errors)."""
        notes = []
        if self.multiclass or self.loss_spec is None:
            return notes
        if self.loss_spec.domain == "probability":
            try:
                f = call(self.output.function, np.linspace(-30, 30, 61), **self.output_params)
                if np.any(f < 0) or np.any(f > 1) or not np.all(np.isfinite(f)):
                    notes.append(f"{self.loss_spec.label} expects outputs in (0, 1), but {self.output.label} "
                                 f"leaves that range; pick a logistic output")
            except EvaluationError:
                pass
        return notes

    def _targets(self, y: np.ndarray) -> np.ndarray:
        if self.dataset.kind == "regression":
            return np.asarray(y, dtype=float).reshape(-1, 1)
        y = np.asarray(y, dtype=int)
        if self.multiclass:
            return np.eye(self.n_out)[y]
        lo, hi = self.class_targets
        return np.where(y == 1, hi, lo).astype(float).reshape(-1, 1)

    def reset(self) -> None:
        """Fresh weights and history from the seed (the playground's restart button)."""
        ss = np.random.SeedSequence(self.seed)
        init_seq, order_seq = ss.spawn(2)
        init = np.random.default_rng(init_seq)
        self._order_rng = np.random.default_rng(order_seq)
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            self.weights.append(init.normal(0.0, 1.0 / math.sqrt(fan_in), (fan_in, fan_out)))
            self.biases.append(np.zeros(fan_out))
        self.steps = 0
        self.examples_seen = 0
        self.error: str | None = None
        self.history = History()
        self.last_mean_abs_delta = np.zeros(len(self.weights))
        self._order = self._order_rng.permutation(len(self._x_train))
        self._pos = 0
        self._epoch_int = 0
        try:
            self._record()
        except TrainingError as exc:
            self.error = str(exc)

    # -- evaluation -----------------------------------------------------------------------------

    @property
    def epoch(self) -> float:
        """Passes through the training set so far (fractional mid-epoch)."""
        return self.examples_seen / len(self._x_train)

    def _act(self, spec: Activation, params: Mapping[str, float], z: np.ndarray, role: str,
             derivative: bool = False) -> np.ndarray:
        fn = spec.derivative if derivative else spec.function
        what = "derivative" if derivative else "function"
        try:
            out = call(fn, z, **params)
        except EvaluationError as exc:
            raise TrainingError(f"{role} {_describe(spec)}: {what} {exc}") from None
        if not np.isfinite(out).all():
            j = np.flatnonzero(~np.isfinite(out).ravel())[0]
            raise TrainingError(f"{role} {_describe(spec)}: {what} returned {out.ravel()[j]} at z = "
                                f"{z.ravel()[j]:.6g}")
        return out

    def _clip(self, y: np.ndarray) -> np.ndarray:
        if self.loss_spec is not None and self.loss_spec.domain == "probability":
            inside = (y >= 0.0) & (y <= 1.0)
            return np.where(inside, np.clip(y, PROBABILITY_EPS, 1.0 - PROBABILITY_EPS), y)
        return y

    def _loss_call(self, y: np.ndarray, t: np.ndarray, gradient: bool) -> np.ndarray:
        spec = self.loss_spec
        fn = spec.gradient if gradient else spec.function
        what = "gradient" if gradient else "function"
        yc = self._clip(y)
        try:
            out = call(fn, yc, t, **self.loss_params)
        except EvaluationError as exc:
            raise TrainingError(f"loss {_describe(spec)}: {what} {exc}") from None
        if not np.isfinite(out).all():
            j = np.flatnonzero(~np.isfinite(out).ravel())[0]
            hint = ""
            if spec.domain == "probability" and not 0.0 <= y.ravel()[j] <= 1.0:
                hint = "; this loss needs outputs in (0, 1), so pick an output activation such as logistic"
            raise TrainingError(f"loss {_describe(spec)}: {what} returned {out.ravel()[j]} at y = "
                                f"{y.ravel()[j]:.6g}, t = {t.ravel()[j]:g}{hint}")
        return out

    def _forward(self, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Pre-activations z and activations a (a[0] = the input features) of every layer."""
        zs, acts = [], [x]
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = acts[-1] @ w + b
            zs.append(z)
            if i < last:
                acts.append(self._act(self.activation, self.activation_params, z, "hidden activation"))
            elif self.multiclass:
                zmax = z.max(axis=1, keepdims=True)
                e = np.exp(z - zmax)
                acts.append(e / e.sum(axis=1, keepdims=True))
            else:
                acts.append(self._act(self.output, self.output_params, z, "output activation"))
        return zs, acts

    def _mean_loss(self, y: np.ndarray, t: np.ndarray) -> float:
        if self.multiclass:
            # −Σ t ln y with ln y = z − logsumexp(z), recomputed from y to stay finite
            return float(-np.mean(np.sum(t * np.log(np.clip(y, 1e-300, 1.0)), axis=1)))
        return float(np.mean(self._loss_call(y, t, gradient=False)))

    def penalty(self) -> float:
        """The regularisation term λ·Σ|w| (L1) or λ·½Σw² (L2) over weights, not biases."""
        if self.regularization == "l1":
            return self.regularization_rate * sum(float(np.abs(w).sum()) for w in self.weights)
        if self.regularization == "l2":
            return self.regularization_rate * 0.5 * sum(float((w * w).sum()) for w in self.weights)
        return 0.0

    def loss_and_gradients(self, x: np.ndarray, t: np.ndarray, with_loss: bool = True
                           ) -> tuple[float, list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
        """Objective mean E + penalty on feature rows ``x`` with target rows ``t``, by backprop.

        Returns (objective, ∂/∂W per layer, ∂/∂b per layer, δ per layer); the objective is NaN
        when ``with_loss`` is false (a training step does not need it). Raises TrainingError.
        """
        with np.errstate(all="ignore"):
            return self._loss_and_gradients(x, t, with_loss)

    def _loss_and_gradients(self, x: np.ndarray, t: np.ndarray, with_loss: bool):
        zs, acts = self._forward(x)
        y = acts[-1]
        n = len(x)
        objective = self._mean_loss(y, t) + self.penalty() if with_loss else math.nan
        if self.multiclass:
            delta = (y - t) / n
        else:
            dy = self._loss_call(y, t, gradient=True)
            fp = self._act(self.output, self.output_params, zs[-1], "output activation", derivative=True)
            delta = dy * fp / n
        deltas = [delta]
        if len(zs) > 1:
            # one guarded call for every hidden layer's f′(z)
            flat = np.concatenate([z.ravel() for z in zs[:-1]])
            fp_all = self._act(self.activation, self.activation_params, flat, "hidden activation", derivative=True)
            fps, start = [], 0
            for z in zs[:-1]:
                fps.append(fp_all[start:start + z.size].reshape(z.shape))
                start += z.size
            for layer in range(len(self.weights) - 1, 0, -1):
                deltas.append((deltas[-1] @ self.weights[layer].T) * fps[layer - 1])
            deltas.reverse()
        grad_w, grad_b = [], []
        for layer, delta in enumerate(deltas):
            gw = acts[layer].T @ delta
            if self.regularization == "l1":
                gw = gw + self.regularization_rate * np.sign(self.weights[layer])
            elif self.regularization == "l2":
                gw = gw + self.regularization_rate * self.weights[layer]
            grad_w.append(gw)
            grad_b.append(delta.sum(axis=0))
        return objective, grad_w, grad_b, deltas

    # -- reading out ----------------------------------------------------------------------------

    def predict(self, points: np.ndarray) -> np.ndarray:
        """Network output at (n, 2) points: (n,) for one output unit, (n, K) class probabilities."""
        with np.errstate(all="ignore"):
            _, acts = self._forward(feature_matrix(points, self.features))
        y = acts[-1]
        return y if self.multiclass else y[:, 0]

    def decide(self, y: np.ndarray) -> np.ndarray:
        """Class indices for outputs ``y`` ((n,) for one unit, (n, K) softmax probabilities).

        One unit: the class whose target the loss's noise model makes most probable,
        argmax over classes of ln p(t = class target | y) (see :mod:`.decisions`); a loss
        without a noise model falls back to the nearest target. Softmax: the most probable class.
        """
        y = np.asarray(y, dtype=float)
        if self.multiclass:
            return np.argmax(y, axis=1)
        return decide_class(self.loss_spec, y, self.class_targets, self.loss_params)

    def classify(self, points: np.ndarray) -> np.ndarray:
        """Predicted class indices at (n, 2) points (classification only), by :meth:`decide`."""
        return self.decide(self.predict(points))

    def accuracy(self, test: bool = False) -> float:
        d = self.dataset
        x, y = (d.x_test, d.y_test) if test else (d.x_train, d.y_train)
        if d.kind != "classification" or len(x) == 0:
            return math.nan
        return float(np.mean(self.classify(x) == y))

    def confusion(self, test: bool = False) -> tuple[float, np.ndarray]:
        """(accuracy, K×K confusion matrix: row true class, column predicted) on train or test points."""
        d = self.dataset
        if d.kind != "classification":
            raise ValueError("a confusion matrix needs a classification data set")
        x, y = (d.x_test, d.y_test) if test else (d.x_train, d.y_train)
        predicted = self.classify(x) if len(x) else np.zeros(0, dtype=int)
        return accuracy_and_confusion(y, predicted, d.n_classes)

    def predict_grid(self, xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
        """Output over a grid (e.g. from np.meshgrid): shaped like xx, or xx.shape + (K,)."""
        pts = np.column_stack([np.ravel(xx), np.ravel(yy)])
        y = self.predict(pts)
        return y.reshape(*np.shape(xx), -1) if self.multiclass else y.reshape(np.shape(xx))

    def neuron_grids(self, xx: np.ndarray, yy: np.ndarray) -> list[np.ndarray]:
        """Every unit's output over the grid, for the small neuron maps.

        One array per layer, shaped (units, *xx.shape): [0] the input features, then each hidden
        layer, then the output layer.
        """
        pts = np.column_stack([np.ravel(xx), np.ravel(yy)])
        with np.errstate(all="ignore"):
            _, acts = self._forward(feature_matrix(pts, self.features))
        return [a.T.reshape(a.shape[1], *np.shape(xx)) for a in acts]

    @property
    def output_range(self) -> tuple[float, float]:
        """The range the heat map's colour scale should span."""
        if self.multiclass:
            return (0.0, 1.0)
        if self.dataset.kind == "regression":
            y = self.dataset.y
            return (float(y.min()), float(y.max()))
        return self.class_targets


#: the old name, kept importable
Network = PlaygroundNetwork


def parameter_count(sizes: Sequence[int]) -> int:
    """Weights and biases of a fully connected net with the given layer sizes."""
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))

"""The learning engine: data sets, single-unit update rules and a playground network.

Numpy only, no Qt: the GUI drives it from a timer and draws what it reports.

* Data sets in playground.tensorflow.org's coordinates (about ±6): :func:`make_dataset`
  ("circle", "xor", "two_gaussians", "spiral", "blobs", "regression_plane") and
  :func:`load_csv` for a user's (x1, x2, label) file. :func:`feature_matrix` maps points to
  the playground's input features (x1, x2, x1², x2², x1·x2, sin x1, sin x2).
* :class:`SingleUnitTrainer`: the lecture's cheat-sheet rules, one example per step —
  perceptron Δw = (t − y)x, delta rule Δw = ε(t − y)x, and the logistic unit trained by
  Δw = −ε ∂E/∂w with squared error or cross-entropy.
* :class:`Network`: up to 6 hidden layers of up to 8 units, any registered activation and
  loss, our own backpropagation, minibatches, L1/L2, binary and multi-class (softmax with
  categorical cross-entropy, δ = y − t) classification and regression.

Every call into plugin code goes through :func:`actviz.evaluation.call`; a plugin that raises
or returns NaN/inf stops training with a message naming the function, never an exception.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from actviz.host.evaluation import EvaluationError, call
from actviz.numerics import sigmoid
from actviz.specs import Activation, Loss

Kind = Literal["classification", "regression"]

MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 8
#: a weight beyond this magnitude counts as exploded
WEIGHT_LIMIT = 1e6
#: probability-domain losses see y clipped into [EPS, 1 − EPS] (as PyTorch's BCELoss clamps its logs)
PROBABILITY_EPS = 1e-12

# ----------------------------------------------------------------------------------------------
# data sets
# ----------------------------------------------------------------------------------------------

DATASETS = ("circle", "xor", "two_gaussians", "spiral", "blobs", "regression_plane")

DATASET_LABELS = {
    "circle": "Circle",
    "xor": "Exclusive or (quadrants)",
    "two_gaussians": "Two Gaussians",
    "spiral": "Spiral",
    "blobs": "Gaussian blobs (K classes)",
    "regression_plane": "Plane (regression)",
}


@dataclass(frozen=True)
class Dataset:
    """Points split into train and test sets.

    ``x_*`` have shape (n, 2). For classification ``y_*`` hold class indices 0 … K−1 (int);
    for regression they hold real targets (float). ``class_labels`` are the labels the classes
    had in the source (e.g. −1 and 1 in a CSV file), for display.
    """

    name: str
    kind: Kind
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int = 2
    class_labels: tuple = (0, 1)

    @property
    def x(self) -> np.ndarray:
        return np.concatenate([self.x_train, self.x_test])

    @property
    def y(self) -> np.ndarray:
        return np.concatenate([self.y_train, self.y_test])

    def bounds(self, pad: float = 0.1) -> tuple[float, float, float, float]:
        """(x1 min, x1 max, x2 min, x2 max) of all points, padded by ``pad`` of the span."""
        x = self.x
        lo, hi = x.min(axis=0), x.max(axis=0)
        span = np.maximum(hi - lo, 1e-9)
        lo, hi = lo - pad * span, hi + pad * span
        return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def _split(name: str, kind: Kind, x: np.ndarray, y: np.ndarray, train_ratio: float,
           rng: np.random.Generator, n_classes: int = 2, class_labels: tuple = (0, 1)) -> Dataset:
    if not 0.0 < train_ratio <= 1.0:
        raise ValueError(f"train_ratio must be in (0, 1], got {train_ratio}")
    order = rng.permutation(len(x))
    n_train = min(len(x), max(1, int(round(train_ratio * len(x)))))
    tr, te = order[:n_train], order[n_train:]
    return Dataset(name, kind, x[tr], y[tr], x[te], y[te], n_classes, class_labels)


def _circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    radius = 5.0
    half = n // 2
    r = np.concatenate([rng.uniform(0.0, 0.5 * radius, half), rng.uniform(0.7 * radius, radius, n - half)])
    angle = rng.uniform(0.0, 2.0 * math.pi, n)
    x = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    jitter = rng.uniform(-radius, radius, (n, 2)) * noise
    label = (np.hypot(*(x + jitter).T) < 0.5 * radius).astype(int)
    return x, label


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    padding = 0.3
    x = rng.uniform(-5.0, 5.0, (n, 2))
    x = x + np.where(x > 0, padding, -padding)
    jitter = rng.uniform(-5.0, 5.0, (n, 2)) * noise
    shifted = x + jitter
    label = (shifted[:, 0] * shifted[:, 1] >= 0).astype(int)
    return x, label


def _two_gaussians(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    variance = 0.5 + (4.0 - 0.5) * noise
    half = n // 2
    centres = np.array([[2.0, 2.0]] * half + [[-2.0, -2.0]] * (n - half))
    x = centres + rng.normal(0.0, math.sqrt(variance), (n, 2))
    label = np.array([1] * half + [0] * (n - half))
    return x, label


def _spiral(n: int, noise: float, rng: np.random.Generator, k: int = 2) -> tuple[np.ndarray, np.ndarray]:
    xs, labels = [], []
    for c in range(k):
        m = n // k + (1 if c < n % k else 0)
        i = np.arange(m)
        r = i / m * 5.0
        t = 1.75 * i / m * 2.0 * math.pi + 2.0 * math.pi * c / k
        p = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1.0, 1.0, (m, 2)) * noise
        xs.append(p)
        # playground: the arm with Δt = 0 is the positive class
        labels.append(np.full(m, (1 - c) if k == 2 else c))
    return np.concatenate(xs), np.concatenate(labels)


def _blobs(n: int, noise: float, rng: np.random.Generator, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    angle = 2.0 * math.pi * np.arange(k) / k + math.pi / 4
    centres = 3.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    label = np.arange(n) % k
    sd = math.sqrt(0.3 + 3.0 * noise)
    return centres[label] + rng.normal(0.0, sd, (n, 2)), label


def _regression_plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    radius = 6.0
    x = rng.uniform(-radius, radius, (n, 2))
    jitter = rng.uniform(-radius, radius, (n, 2)) * noise
    shifted = x + jitter
    return x, (shifted[:, 0] + shifted[:, 1]) / 10.0


def make_dataset(name: str, n: int = 200, noise: float = 0.0, train_ratio: float = 0.5, seed: int = 0,
                 n_classes: int | None = None) -> Dataset:
    """Generate one of :data:`DATASETS`, as playground.tensorflow.org does.

    ``noise`` is a fraction in [0, 1] (the playground's slider is 0–50 %); ``n_classes`` is the
    number of blobs (default 3) or spiral arms (default 2). Same arguments → same points.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    if n < 2:
        raise ValueError(f"need at least 2 points, got {n}")
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise must be in [0, 1], got {noise}")
    rng = np.random.default_rng(seed)
    k = 2
    if name == "circle":
        x, y = _circle(n, noise, rng)
    elif name == "xor":
        x, y = _xor(n, noise, rng)
    elif name == "two_gaussians":
        x, y = _two_gaussians(n, noise, rng)
    elif name == "spiral":
        k = max(2, int(n_classes or 2))
        x, y = _spiral(n, noise, rng, k)
    elif name == "blobs":
        k = max(2, int(n_classes or 3))
        x, y = _blobs(n, noise, rng, k)
    else:
        x, y = _regression_plane(n, noise, rng)
        return _split(name, "regression", x, y.astype(float), train_ratio, rng, n_classes=0, class_labels=())
    return _split(name, "classification", x.astype(float), y.astype(int), train_ratio, rng, k, tuple(range(k)))


def _number(text: str, lineno: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"line {lineno}: {column} {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"line {lineno}: {column} is {text.strip()}, not a finite number")
    return value


def load_csv(path: str | Path, train_ratio: float = 0.5, seed: int = 0, kind: Kind | None = None,
             max_classes: int = 10) -> Dataset:
    """Read a user's CSV of (x1, x2, label) rows, with or without a header line.

    Blank lines and lines starting with ``#`` are skipped. Labels that are all integers with at
    most ``max_classes`` distinct values make a classification problem (sorted labels become
    classes 0 … K−1, so −1/1 and 0/1 both work); otherwise it is regression. ``kind`` forces one.
    Raises :class:`ValueError` naming the line and the reason.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path.name}: not a text file ({exc.reason})") from None
    rows: list[tuple[float, float, float]] = []
    header_seen = False
    for lineno, fields in enumerate(csv.reader(text.splitlines()), start=1):
        if not fields or all(not f.strip() for f in fields) or fields[0].lstrip().startswith("#"):
            continue
        if len(fields) != 3:
            raise ValueError(f"line {lineno}: expected 3 values (x1, x2, label), got {len(fields)}")
        if not rows and not header_seen:
            try:
                [float(f) for f in fields]
            except ValueError:
                if all(f.strip() and not _looks_numeric(f) for f in fields):
                    header_seen = True  # a header line such as "x1,x2,label"
                    continue
        rows.append(tuple(_number(f, lineno, col) for f, col in zip(fields, ("x1", "x2", "label"), strict=True)))
    if len(rows) < 2:
        raise ValueError(f"{path.name}: need at least 2 data rows (x1, x2, label), found {len(rows)}")
    data = np.array(rows, dtype=float)
    x, labels = data[:, :2], data[:, 2]
    integral = bool(np.all(labels == np.round(labels)))
    distinct = np.unique(labels)
    if kind is None:
        kind = "classification" if integral and len(distinct) <= max_classes else "regression"
    if kind == "classification":
        if not integral:
            bad = int(np.argmax(labels != np.round(labels)))
            raise ValueError(f"row {bad + 1}: class label {labels[bad]:g} is not an integer")
        if len(distinct) < 2:
            raise ValueError(f"{path.name}: every row has label {distinct[0]:g}; classification needs 2 classes")
        if len(distinct) > max_classes:
            raise ValueError(f"{path.name}: {len(distinct)} distinct labels, more than {max_classes} classes")
        y = np.searchsorted(distinct, labels).astype(int)
        class_labels = tuple(int(v) for v in distinct)
        return _split(path.stem, "classification", x, y, train_ratio, np.random.default_rng(seed),
                      len(distinct), class_labels)
    if kind != "regression":
        raise ValueError(f"kind must be 'classification' or 'regression', got {kind!r}")
    return _split(path.stem, "regression", x, labels, train_ratio, np.random.default_rng(seed), 0, ())


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ----------------------------------------------------------------------------------------------
# features
# ----------------------------------------------------------------------------------------------

FEATURES: dict[str, str] = {
    "x1": "x₁",
    "x2": "x₂",
    "x1_sq": "x₁²",
    "x2_sq": "x₂²",
    "x1x2": "x₁·x₂",
    "sin_x1": "sin x₁",
    "sin_x2": "sin x₂",
}


def feature_matrix(points: np.ndarray, features: Sequence[str] = ("x1", "x2")) -> np.ndarray:
    """The selected input features of (n, 2) points, shape (n, len(features))."""
    p = np.asarray(points, dtype=float).reshape(-1, 2)
    x1, x2 = p[:, 0], p[:, 1]
    columns = {
        "x1": lambda: x1, "x2": lambda: x2, "x1_sq": lambda: x1 * x1, "x2_sq": lambda: x2 * x2,
        "x1x2": lambda: x1 * x2, "sin_x1": lambda: np.sin(x1), "sin_x2": lambda: np.sin(x2),
    }
    if not features:
        raise ValueError("select at least one input feature")
    for f in features:
        if f not in columns:
            raise ValueError(f"unknown feature {f!r}; choose from {', '.join(FEATURES)}")
    return np.column_stack([columns[f]() for f in features])


# ----------------------------------------------------------------------------------------------
# single units: the lecture's cheat sheets
# ----------------------------------------------------------------------------------------------

RULES = ("perceptron", "delta", "logistic_squared_error", "logistic_cross_entropy")

RULE_LABELS = {
    "perceptron": "Perceptron: Δw = (t − y)x, binary step",
    "delta": "Delta rule: Δw = ε(t − y)x, linear unit",
    "logistic_squared_error": "Logistic unit, squared error: Δw = ε(t − y)y(1 − y)x",
    "logistic_cross_entropy": "Logistic unit, cross-entropy: Δw = ε(t − y)x",
}


@dataclass(frozen=True)
class StepResult:
    """One single-unit update: weights (w₁, w₂, b) after it, the data-set loss, the example used."""

    weights: np.ndarray
    loss: float
    index: int
    delta_w: np.ndarray


def decision_line(weights: Sequence[float], bounds: tuple[float, float, float, float],
                  level: float = 0.0) -> tuple[np.ndarray, np.ndarray] | None:
    """The segment of w₁x₁ + w₂x₂ + b = level inside ``bounds`` (x1 min, x1 max, x2 min, x2 max).

    Returns (x1 pair, x2 pair), or None when w₁ = w₂ = 0 or the line misses the box.
    """
    w1, w2, b = (float(v) for v in weights)
    x1lo, x1hi, x2lo, x2hi = bounds
    c = level - b
    points = []
    if w2 != 0.0:
        for x1 in (x1lo, x1hi):
            x2 = (c - w1 * x1) / w2
            if x2lo <= x2 <= x2hi:
                points.append((x1, x2))
    if w1 != 0.0:
        for x2 in (x2lo, x2hi):
            x1 = (c - w2 * x2) / w1
            if x1lo <= x1 <= x1hi:
                points.append((x1, x2))
    unique = []
    for p in points:
        if all(abs(p[0] - q[0]) > 1e-12 or abs(p[1] - q[1]) > 1e-12 for q in unique):
            unique.append(p)
    if len(unique) < 2:
        return None
    a, b2 = unique[0], unique[1]
    return np.array([a[0], b2[0]]), np.array([a[1], b2[1]])


def confidently_wrong_weights(x: np.ndarray, t: np.ndarray, magnitude: float = 3.0) -> np.ndarray:
    """Weights (w₁, w₂, b) whose logistic unit is confidently wrong on (x, t ∈ {0, 1}).

    Points along the class-mean direction, flipped: z = −magnitude · d̂·(x − midpoint).
    """
    x = np.asarray(x, dtype=float)
    t = np.asarray(t)
    m1, m0 = x[t == 1].mean(axis=0), x[t == 0].mean(axis=0)
    d = m1 - m0
    d = d / max(float(np.linalg.norm(d)), 1e-12)
    mid = 0.5 * (m1 + m0)
    w = -magnitude * d
    return np.array([w[0], w[1], -float(w @ mid)])


class SingleUnitTrainer:
    """One unit z = w₁x₁ + w₂x₂ + b on 2-D points, trained one example per :meth:`step`.

    ``rule`` is one of :data:`RULES`. Targets are the class indices t ∈ {0, 1}. The examples are
    visited in a fresh seeded random order each epoch. ``loss`` is reported over the whole data
    set after each step: misclassifications (perceptron), mean ½(t − y)² (delta rule and logistic
    with squared error) or mean cross-entropy in nats (logistic with cross-entropy).
    """

    def __init__(self, x: np.ndarray, t: np.ndarray, rule: str = "perceptron", learning_rate: float | None = None,
                 weights: Sequence[float] | None = None, seed: int = 0):
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
        self.x = np.asarray(x, dtype=float).reshape(-1, 2)
        self.t = np.asarray(t, dtype=float).reshape(-1)
        if len(self.x) != len(self.t) or len(self.x) == 0:
            raise ValueError("x and t need the same, non-zero number of rows")
        if not np.all((self.t == 0) | (self.t == 1)):
            raise ValueError("single-unit targets must be 0 or 1")
        self.rule = rule
        self.learning_rate = float(learning_rate if learning_rate is not None else (1.0 if rule == "perceptron"
                                                                                       else 0.1))
        self.seed = seed
        self.error: str | None = None
        self._rng = np.random.default_rng(seed)
        self._xa = np.column_stack([self.x, np.ones(len(self.x))])  # augmented: bias input 1
        self.weights = (np.zeros(3) if weights is None else np.array(weights, dtype=float).reshape(3))
        self.path: list[np.ndarray] = [self.weights.copy()]
        self.losses: list[float] = [self.loss()]
        self.steps = 0
        self.epoch = 0
        self._order = self._rng.permutation(len(self.x))
        self._pos = 0

    @property
    def level(self) -> float:
        """The z at which the predicted class flips (y crosses its midpoint)."""
        return 0.5 if self.rule == "delta" else 0.0

    def output(self, x: np.ndarray | None = None) -> np.ndarray:
        xa = self._xa if x is None else np.column_stack([np.asarray(x, float).reshape(-1, 2), np.ones(len(x))])
        z = xa @ self.weights
        if self.rule == "perceptron":
            return (z > 0).astype(float)
        if self.rule == "delta":
            return z
        return sigmoid(z)

    def predict(self, x: np.ndarray | None = None) -> np.ndarray:
        xa = self._xa if x is None else np.column_stack([np.asarray(x, float).reshape(-1, 2), np.ones(len(x))])
        return (xa @ self.weights > self.level).astype(int)

    def loss(self) -> float:
        """The loss over the whole data set at the current weights."""
        return self._loss(self.weights)

    def _loss(self, w: np.ndarray) -> float:
        z = self._xa @ w
        t = self.t
        if self.rule == "perceptron":
            return float(np.sum((z > 0) != (t == 1)))
        if self.rule == "logistic_cross_entropy":
            # −t ln σ(z) − (1 − t) ln σ(−z) = softplus(z) − t z, exact in both tails
            return float(np.mean(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))) - t * z))
        y = z if self.rule == "delta" else sigmoid(z)
        return float(np.mean(0.5 * (t - y) ** 2))

    def errors(self) -> int:
        return int(np.sum(self.predict() != self.t))

    def step(self) -> StepResult:
        """Update on the next example; returns the new weights and the data-set loss.

        If the weights would overflow (ε far too large for the delta rule), nothing changes and
        :attr:`error` says why.
        """
        if self.error is not None:
            return StepResult(self.weights.copy(), self.losses[-1], -1, np.zeros(3))
        i = int(self._order[self._pos])
        self._pos += 1
        if self._pos == len(self._order):
            self._pos = 0
            self.epoch += 1
            self._order = self._rng.permutation(len(self.x))
        xa, t = self._xa[i], self.t[i]
        z = float(xa @ self.weights)
        eps = self.learning_rate
        if self.rule == "perceptron":
            y = 1.0 if z > 0 else 0.0
            dw = eps * (t - y) * xa
        elif self.rule == "delta":
            dw = eps * (t - z) * xa
        else:
            y = float(sigmoid(z))
            # Δw = −ε ∂E/∂w: squared error keeps the factor y(1 − y); cross-entropy cancels it
            g = (t - y) * y * (1.0 - y) if self.rule == "logistic_squared_error" else (t - y)
            dw = eps * g * xa
        with np.errstate(all="ignore"):
            new = self.weights + dw
            loss = self._loss(new)
        if not (np.all(np.abs(new) <= WEIGHT_LIMIT) and math.isfinite(loss)):
            self.error = (f"the weights diverged (|w| = {float(np.max(np.abs(new))):.3g}) at step {self.steps}; "
                          f"lower the learning rate ε")
            return StepResult(self.weights.copy(), self.losses[-1], i, np.zeros(3))
        self.weights = new
        self.steps += 1
        self.path.append(self.weights.copy())
        self.losses.append(loss)
        return StepResult(self.weights.copy(), loss, i, dw)

    def run(self, n: int) -> StepResult | None:
        """``n`` steps; the last result (None for n = 0)."""
        result = None
        for _ in range(n):
            result = self.step()
        return result

    def line(self, bounds: tuple[float, float, float, float] | None = None):
        """The decision line inside ``bounds`` (default: the data, padded)."""
        if bounds is None:
            lo, hi = self.x.min(axis=0), self.x.max(axis=0)
            pad = 0.1 * np.maximum(hi - lo, 1e-9)
            bounds = (lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1])
        return decision_line(self.weights, bounds, self.level)


# ----------------------------------------------------------------------------------------------
# the playground network
# ----------------------------------------------------------------------------------------------


class TrainingError(RuntimeError):
    """Training cannot go on; ``str()`` says which function or quantity failed and why."""


@dataclass
class History:
    """What the loss plot and the δ display read; one entry per completed epoch (and at epoch 0)."""

    epochs: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    mean_abs_delta: list[np.ndarray] = field(default_factory=list)


def _describe(spec: Activation | Loss) -> str:
    where = f" (plugin {spec.plugin!r})" if spec.plugin else ""
    return f"{spec.name!r}{where}"


class Network:
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

    # -- training -------------------------------------------------------------------------------

    def _next_batch(self) -> np.ndarray:
        size = max(1, min(self.batch_size, len(self._x_train)))
        idx = self._order[self._pos:self._pos + size]
        self._pos += len(idx)
        if self._pos >= len(self._order):
            self._order = self._order_rng.permutation(len(self._x_train))
            self._pos = 0
        return idx

    def _backprop_batch(self, idx: np.ndarray):
        return self._loss_and_gradients(self._x_train[idx], self._t_train[idx], with_loss=False)

    def step(self) -> bool:
        """One minibatch update Δw = −ε ∂E/∂w. False (and :attr:`error` set) if training stopped."""
        if self.error is not None:
            return False
        idx = self._next_batch()
        try:
            with np.errstate(all="ignore"):  # overflow shows up as exploded weights below
                _, gw, gb, deltas = self._backprop_batch(idx)
                lr = self.learning_rate
                new_w = [w - lr * g for w, g in zip(self.weights, gw, strict=True)]
                new_b = [b - lr * g for b, g in zip(self.biases, gb, strict=True)]
                biggest = float(np.abs(np.concatenate([a.ravel() for a in (*new_w, *new_b)])).max())
            if not biggest <= self.weight_limit:  # also catches NaN
                raise TrainingError(f"the weights exploded (max |w| = {biggest:.3g}) at epoch {self.epoch:.0f}; "
                                    f"lower the learning rate or add regularisation")
        except TrainingError as exc:
            self.error = str(exc)
            return False
        self.weights, self.biases = new_w, new_b
        n = len(idx)
        self.last_mean_abs_delta = np.array([float(np.abs(d).sum()) / d.shape[1] for d in deltas])
        self.steps += 1
        self.examples_seen += n
        if int(self.epoch) > self._epoch_int:
            self._epoch_int = int(self.epoch)
            try:
                self._record()
            except TrainingError as exc:
                self.error = str(exc)
                return False
        return True

    def train_steps(self, n: int) -> int:
        """Up to ``n`` minibatch steps; returns how many were taken (fewer if training stopped)."""
        done = 0
        for _ in range(n):
            if not self.step():
                break
            done += 1
        return done

    def train_for(self, seconds: float, max_steps: int = 100_000) -> int:
        """Minibatch steps until ``seconds`` have passed (one GUI timer slice); returns the count."""
        end = time.perf_counter() + seconds
        done = 0
        while done < max_steps and time.perf_counter() < end:
            if not self.step():
                break
            done += 1
        return done

    def train_epochs(self, n: int) -> int:
        """Train until ``n`` more epochs are complete (or training stops); returns the steps taken."""
        target = self._epoch_int + n
        done = 0
        while self._epoch_int < target and self.step():
            done += 1
        return done

    def losses(self) -> tuple[float, float]:
        """Current mean (train, test) loss; test is NaN without test points."""
        with np.errstate(all="ignore"):
            _, acts = self._forward(self._x_train)
            train = self._mean_loss(acts[-1], self._t_train)
            test = math.nan
            if self._x_test is not None:
                _, acts = self._forward(self._x_test)
                test = self._mean_loss(acts[-1], self._t_test)
        return train, test

    def _record(self) -> None:
        train, test = self.losses()
        h = self.history
        h.epochs.append(self.epoch)
        h.train_loss.append(train)
        h.test_loss.append(test)
        h.mean_abs_delta.append(self.last_mean_abs_delta.copy())

    # -- reading out ----------------------------------------------------------------------------

    def predict(self, points: np.ndarray) -> np.ndarray:
        """Network output at (n, 2) points: (n,) for one output unit, (n, K) class probabilities."""
        with np.errstate(all="ignore"):
            _, acts = self._forward(feature_matrix(points, self.features))
        y = acts[-1]
        return y if self.multiclass else y[:, 0]

    def classify(self, points: np.ndarray) -> np.ndarray:
        """Predicted class indices (classification only)."""
        y = self.predict(points)
        if self.multiclass:
            return np.argmax(y, axis=1)
        return (y > 0.5 * sum(self.class_targets)).astype(int)

    def accuracy(self, test: bool = False) -> float:
        d = self.dataset
        x, y = (d.x_test, d.y_test) if test else (d.x_train, d.y_train)
        if d.kind != "classification" or len(x) == 0:
            return math.nan
        return float(np.mean(self.classify(x) == y))

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


def parameter_count(sizes: Sequence[int]) -> int:
    """Weights and biases of a fully connected net with the given layer sizes."""
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))

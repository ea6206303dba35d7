"""Single units trained by the lecture's cheat-sheet rules, one example per step."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from actviz.maths.learning.common import WEIGHT_LIMIT
from actviz.numerics import sigmoid

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
    return weights_against(*class_means(x, t), magnitude)


def class_means(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean point of class 1 and of class 0."""
    x = np.asarray(x, dtype=float)
    t = np.asarray(t)
    return x[t == 1].mean(axis=0), x[t == 0].mean(axis=0)


def weights_against(m1: np.ndarray, m0: np.ndarray, magnitude: float) -> np.ndarray:
    """:func:`confidently_wrong_weights` from the class means (a drag of ``magnitude`` keeps the means)."""
    d = m1 - m0
    d = d / max(float(np.linalg.norm(d)), 1e-12)
    mid = 0.5 * (m1 + m0)
    w = -magnitude * d
    return np.array([w[0], w[1], -float(w @ mid)])


class Examples:
    """2-D points and 0/1 targets, checked and augmented once.

    Units trained side by side on the same points share one: a drag that makes four fresh units per
    frame then checks, augments and shuffles the points once, not four times.
    """

    __slots__ = ("x", "t", "xa", "_orders", "_means")

    def __init__(self, x: np.ndarray, t: np.ndarray) -> None:
        self.x = np.asarray(x, dtype=float).reshape(-1, 2)
        self.t = np.asarray(t, dtype=float).reshape(-1)
        if len(self.x) != len(self.t) or len(self.x) == 0:
            raise ValueError("x and t need the same, non-zero number of rows")
        if not np.all((self.t == 0) | (self.t == 1)):
            raise ValueError("single-unit targets must be 0 or 1")
        self.xa = np.column_stack([self.x, np.ones(len(self.x))])  # augmented: bias input 1
        for a in (self.x, self.t, self.xa):
            a.flags.writeable = False  # shared by every unit on them
        self._orders: dict[int, np.ndarray] = {}
        self._means: tuple[np.ndarray, np.ndarray] | None = None

    def first_order(self, seed: int) -> np.ndarray:
        """The first epoch's order for ``seed``: what ``default_rng(seed).permutation`` gives first."""
        order = self._orders.get(seed)
        if order is None:
            order = self._orders[seed] = np.random.default_rng(seed).permutation(len(self.x))
            order.flags.writeable = False
        return order

    @property
    def means(self) -> tuple[np.ndarray, np.ndarray]:
        """:func:`class_means`, computed once."""
        if self._means is None:
            self._means = class_means(self.x, self.t)
        return self._means


class SingleUnitTrainer:
    """One unit z = w₁x₁ + w₂x₂ + b on 2-D points, trained one example per :meth:`step`.

    ``rule`` is one of :data:`RULES`. Targets are the class indices t ∈ {0, 1}. The examples are
    visited in a fresh seeded random order each epoch. ``loss`` is reported over the whole data
    set after each step: misclassifications (perceptron), mean ½(t − y)² (delta rule and logistic
    with squared error) or mean cross-entropy in nats (logistic with cross-entropy).
    """

    def __init__(self, x: np.ndarray | Examples, t: np.ndarray | None = None, rule: str = "perceptron",
                 learning_rate: float | None = None, weights: Sequence[float] | None = None, seed: int = 0):
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
        examples = x if isinstance(x, Examples) else Examples(x, t)
        self.examples = examples
        self.x, self.t, self._xa = examples.x, examples.t, examples.xa
        self.rule = rule
        self.learning_rate = float(learning_rate if learning_rate is not None else (1.0 if rule == "perceptron"
                                                                                       else 0.1))
        self.seed = seed
        self.error: str | None = None
        self._rng: np.random.Generator | None = None  # made at the first epoch's end (most units never get there)
        self.weights = (np.zeros(3) if weights is None else np.array(weights, dtype=float).reshape(3))
        self.path: list[np.ndarray] = [self.weights.copy()]
        self.losses: list[float] = [self.loss()]
        self.steps = 0
        self.epoch = 0
        self._order = examples.first_order(seed)
        self._pos = 0

    def _next_order(self) -> np.ndarray:
        """The next epoch's order: the seeded generator's next permutation, as if it had made the first too."""
        if self._rng is None:
            self._rng = np.random.default_rng(self.seed)
            self._rng.permutation(len(self.x))  # the first epoch's, shared through Examples.first_order
        return self._rng.permutation(len(self.x))

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
            self._order = self._next_order()
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

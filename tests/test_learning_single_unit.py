"""The learning engine's single units: the perceptron, delta and logistic rules, and the decision line."""

from __future__ import annotations

import math

import numpy as np
import pytest

from actviz.maths import learning
from actviz.maths.learning import SingleUnitTrainer, confidently_wrong_weights, decision_line, make_dataset


@pytest.fixture(scope="module")
def gaussians():
    d = make_dataset("two_gaussians", n=100, seed=0)
    return d.x, d.y


def test_perceptron_converges_on_separable_data(gaussians):
    x, t = gaussians
    unit = SingleUnitTrainer(x, t, "perceptron", seed=0)
    assert unit.losses[0] == 50  # z = 0 everywhere: every positive is misclassified
    unit.run(5 * len(x))
    assert unit.errors() == 0 and unit.losses[-1] == 0
    assert len(unit.path) == len(unit.losses) == 5 * len(x) + 1
    # the rule itself: Δw = (t − y)x on the augmented input
    unit2 = SingleUnitTrainer(x, t, "perceptron", weights=(0.0, 0.0, 0.0))
    r = unit2.step()
    xa = np.append(x[r.index], 1.0)
    assert np.allclose(r.delta_w, (t[r.index] - 0.0) * xa)


def test_delta_rule_reduces_squared_error(gaussians):
    x, t = gaussians
    unit = SingleUnitTrainer(x, t, "delta", learning_rate=0.02)
    r = unit.step()
    xa = np.append(x[r.index], 1.0)
    assert np.allclose(r.delta_w, 0.02 * (t[r.index] - 0.0) * xa)
    unit.run(500)
    assert unit.losses[-1] < 0.05 < unit.losses[0]
    assert unit.errors() == 0


def test_squared_error_stalls_where_cross_entropy_recovers(gaussians):
    x, t = gaussians
    w0 = confidently_wrong_weights(x, t, magnitude=3.0)
    se = SingleUnitTrainer(x, t, "logistic_squared_error", learning_rate=0.1, weights=w0, seed=1)
    ce = SingleUnitTrainer(x, t, "logistic_cross_entropy", learning_rate=0.1, weights=w0, seed=1)
    assert se.errors() == ce.errors() == len(x)  # every point confidently wrong
    se.run(300)
    ce.run(300)
    # ½(t − y)² barely moves from its worst value 0.5: δ = (y − t)·y(1 − y) ≈ 0
    assert se.losses[-1] > 0.49
    assert se.errors() == len(x)
    # cross-entropy's δ = y − t stays large, so it swings round
    assert ce.losses[-1] < 0.02 and ce.errors() == 0


def test_decision_line():
    line = decision_line((1.0, 1.0, 0.0), (-1, 1, -1, 1))
    assert line is not None
    (a, b), (c, d) = line
    assert math.isclose(a + c, 0) and math.isclose(b + d, 0)
    x1s, x2s = decision_line((0.0, 2.0, -1.0), (-3, 3, -3, 3))  # horizontal: x2 = 0.5
    assert np.allclose(x2s, 0.5) and sorted(x1s) == [-3, 3]
    x1s, x2s = decision_line((2.0, 0.0, -1.0), (-3, 3, -3, 3))  # vertical: x1 = 0.5
    assert np.allclose(x1s, 0.5)
    assert decision_line((0.0, 0.0, 1.0), (-1, 1, -1, 1)) is None
    assert decision_line((1.0, 0.0, -10.0), (-1, 1, -1, 1)) is None  # x1 = 10 misses the box


def test_unknown_rule(gaussians):
    with pytest.raises(ValueError, match="unknown rule"):
        SingleUnitTrainer(*gaussians, rule="hebb")


def test_delta_rule_divergence_is_reported_not_raised(gaussians):
    x, t = gaussians
    unit = SingleUnitTrainer(x, t, "delta", learning_rate=5.0)
    unit.run(2000)
    assert unit.error is not None and "diverged" in unit.error
    assert np.all(np.isfinite(unit.weights)) and np.all(np.abs(unit.weights) <= learning.WEIGHT_LIMIT)
    steps = unit.steps
    unit.step()
    assert unit.steps == steps

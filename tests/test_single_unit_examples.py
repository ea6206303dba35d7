"""Units trained side by side share their checked examples, and train exactly as units made alone."""

from __future__ import annotations

import numpy as np
import pytest
from actviz_views.single_unit_model import SingleUnitModel, Units

from actviz.maths.learning import (
    RULES,
    Examples,
    SingleUnitTrainer,
    class_means,
    confidently_wrong_weights,
    make_dataset,
    weights_against,
)


@pytest.fixture
def points():
    d = make_dataset("two_gaussians", n=40, noise=0.6, train_ratio=1.0, seed=3)
    return d.x_train, d.y_train


def _reference_orders(seed: int, n: int, epochs: int) -> list[np.ndarray]:
    """The visiting orders a unit must follow: one seeded generator, one permutation per epoch."""
    rng = np.random.default_rng(seed)
    return [rng.permutation(n) for _ in range(epochs)]


@pytest.mark.parametrize("rule", RULES)
def test_a_unit_on_shared_examples_visits_and_learns_as_one_made_alone(points, rule):
    x, t = points
    shared = Examples(x, t)
    w0 = confidently_wrong_weights(x, t, 2.0)
    alone = SingleUnitTrainer(x, t, rule, learning_rate=0.05, weights=w0, seed=7)
    together = SingleUnitTrainer(shared, rule=rule, learning_rate=0.05, weights=w0, seed=7)
    visited = [together.step().index for _ in range(3 * len(x))]  # three epochs: the generator is made late
    assert together.error is None
    for _ in range(3 * len(x)):
        alone.step()
    expected = np.concatenate(_reference_orders(7, len(x), 3))
    assert visited == expected.tolist()
    np.testing.assert_array_equal(np.asarray(together.path), np.asarray(alone.path))
    assert together.losses == alone.losses
    assert together.epoch == alone.epoch == 3


def test_units_on_the_same_examples_do_not_disturb_each_other(points):
    x, t = points
    shared = Examples(x, t)
    a = SingleUnitTrainer(shared, rule="delta", learning_rate=0.2, seed=1)
    b = SingleUnitTrainer(shared, rule="delta", learning_rate=0.2, seed=1)
    a.run(2 * len(x) + 5)  # a moves on to its second and third epochs; b still follows its first
    b.run(2 * len(x) + 5)
    np.testing.assert_array_equal(a.weights, b.weights)
    with pytest.raises(ValueError):
        shared.x[0, 0] = 99.0  # shared by every unit: read-only
    with pytest.raises(ValueError):
        shared.first_order(1)[0] = 5


def test_examples_reject_what_a_unit_rejects_with_the_same_words():
    with pytest.raises(ValueError, match="targets must be 0 or 1"):
        Examples(np.zeros((3, 2)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="same, non-zero number of rows"):
        Examples(np.zeros((3, 2)), np.array([0, 1]))
    with pytest.raises(ValueError, match="targets must be 0 or 1"):
        SingleUnitTrainer(np.zeros((3, 2)), np.array([0, 1, 2]))


def test_weights_from_the_class_means_are_the_confidently_wrong_weights(points):
    x, t = points
    m1, m0 = class_means(x, t)
    np.testing.assert_allclose(m1, x[t == 1].mean(axis=0))
    np.testing.assert_array_equal(weights_against(m1, m0, 4.0), confidently_wrong_weights(x, t, 4.0))
    w = weights_against(m1, m0, 4.0)
    z1, z0 = np.append(m1, 1.0) @ w, np.append(m0, 1.0) @ w
    assert z1 < 0 < z0  # class 1's mean on the class-0 side, and the other way round: confidently wrong


def test_dragging_confidence_reuses_the_points_examples_and_means(registry):
    model = SingleUnitModel(registry)
    first = Units(model)
    model.set("confidence", float(model["confidence"]) + 1.0)
    second = Units(model, first)
    assert second.examples is first.examples and second.x is first.x
    assert all(tr.examples is first.examples for tr in second.trainers.values())
    np.testing.assert_array_equal(second.w0, confidently_wrong_weights(first.x, first.t, float(model["confidence"])))
    model.set("seed", int(model["seed"]) + 1)  # new points: new examples
    third = Units(model, second)
    assert third.examples is not second.examples
    np.testing.assert_array_equal(third.examples.x, third.x)

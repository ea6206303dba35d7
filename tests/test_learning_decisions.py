"""The playground network's class decisions: by the loss's noise model, then accuracy and the confusion matrix."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from actviz.maths import learning
from actviz.maths.learning import Network, make_dataset

# -- the decision rule comes from the loss's noise model ------------------------------------------

def _network_with_output(registry, loss, output, value):
    """A network without hidden layers whose single output is the constant ``value``."""
    d = make_dataset("two_gaussians", n=40, seed=1)
    net = Network(d, registry.activations["tanh"], registry.activations[output], registry.losses[loss], hidden=())
    net.weights = [np.zeros_like(w) for w in net.weights]
    net.biases = [np.full_like(b, value) for b in net.biases]
    return net


@pytest.mark.parametrize(("loss", "value", "expected"), [
    ("bce_with_logits", 0.31, 1),   # σ(0.31) = 0.577: class 1, though the logit is below the 0.5 midpoint
    ("bce_with_logits", -0.31, 0),
    ("poisson_nll", 0.31, 1),       # log-rate > 0: p(1 | y) = y·p(0 | y) > p(0 | y)
    ("poisson_nll", -0.01, 0),
    ("soft_margin", 0.05, 1),
    ("squared_error", 0.51, 1),     # Gaussian: the nearest target
])
def test_a_logit_output_is_read_as_a_logit(registry, loss, value, expected):
    net = _network_with_output(registry, loss, "linear", value)
    assert net.class_targets in ((0.0, 1.0), (-1.0, 1.0))
    assert (net.classify(np.zeros((3, 2))) == expected).all()
    if loss == "bce_with_logits" and value == 0.31:
        assert 1.0 / (1.0 + math.exp(-0.31)) == pytest.approx(0.5769, abs=1e-4)


def _direct_class(loss, y, targets, params):
    """The more probable class under the loss's noise model, one output at a time."""
    out = []
    for v in y:
        logp = [float(np.asarray(loss.noise_model.log_density(np.array([t]), np.array([v]), **params))[0])
                for t in targets]
        out.append(int(logp[1] > logp[0]))
    return np.array(out)


def test_every_noise_model_decides_by_its_own_probabilities(registry):
    """Train briefly with each loss that has a noise model; the class is the more probable one under it."""
    d = make_dataset("two_gaussians", n=60, noise=0.6, seed=3)
    grid = np.column_stack([np.linspace(-6, 6, 41), np.linspace(6, -6, 41)])
    losses = [spec for spec in registry.losses.values() if spec.noise_model is not None]
    assert {"bce_with_logits", "poisson_nll", "binary_cross_entropy", "squared_error"} <= {s.name for s in losses}
    for loss in losses:
        output = "logistic" if loss.domain == "probability" else "linear"
        net = Network(d, registry.activations["tanh"], registry.activations[output], loss, hidden=(3,),
                      learning_rate=0.02, seed=2)
        net.train_steps(15)
        y = net.predict(grid)
        expected = _direct_class(loss, y, net.class_targets, net.loss_params)
        np.testing.assert_array_equal(net.classify(grid), expected, err_msg=loss.name)


def test_a_loss_without_noise_model_uses_the_nearest_target(registry):
    loss = dataclasses.replace(registry.losses["squared_error"], noise_model=None)
    y = np.array([-3.0, 0.2, 0.49, 0.51, 4.0])
    np.testing.assert_array_equal(learning.decide(loss, y, (0.0, 1.0)), [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(learning.decide(None, y, (-1.0, 1.0)), [0, 1, 1, 1, 1])


# -- accuracy and the confusion matrix ------------------------------------------------------------

def test_confusion_matrix_matches_a_direct_count():
    rng = np.random.default_rng(7)
    k = 4
    actual = rng.integers(0, k, 200)
    predicted = np.where(rng.random(200) < 0.6, actual, rng.integers(0, k, 200))
    acc, matrix = learning.accuracy_and_confusion(actual, predicted, k)
    direct = np.zeros((k, k), dtype=int)
    for a, p in zip(actual, predicted, strict=True):
        direct[a, p] += 1
    np.testing.assert_array_equal(matrix, direct)
    np.testing.assert_array_equal(learning.confusion_matrix(actual, predicted), direct)
    assert acc == sum(int(a == p) for a, p in zip(actual, predicted, strict=True)) / 200
    assert matrix.sum(axis=1).tolist() == [int(np.sum(actual == c)) for c in range(k)]
    with pytest.raises(ValueError):
        learning.confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError):
        learning.confusion_matrix([0, 5], [0, 1], 3)
    empty_acc, empty = learning.accuracy_and_confusion([], [], 2)
    assert math.isnan(empty_acc) and empty.shape == (2, 2) and empty.sum() == 0


def test_network_confusion_agrees_with_its_accuracy(registry):
    d = make_dataset("blobs", n=90, noise=0.3, seed=0)
    net = Network(d, registry.activations["relu"], hidden=(4,), learning_rate=0.03)
    net.train_epochs(5)
    for test in (False, True):
        acc, matrix = net.confusion(test)
        assert matrix.shape == (3, 3)
        assert acc == pytest.approx(net.accuracy(test))
        assert matrix.sum() == len(d.y_test if test else d.y_train)

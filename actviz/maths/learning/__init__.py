"""The learning engine: data sets, single-unit update rules and a playground network.

Numpy only, no Qt: the GUI drives it from a timer and draws what it reports. One module per job:

* :mod:`.datasets`: data sets in playground.tensorflow.org's coordinates (about ±6),
  :func:`make_dataset` ("circle", "xor", "two_gaussians", "spiral", "blobs", "regression_plane"),
  :func:`load_csv` for a user's (x1, x2, label) file, and :func:`feature_matrix`, the playground's
  input features (x1, x2, x1², x2², x1·x2, sin x1, sin x2).
* :mod:`.single_unit`: :class:`SingleUnitTrainer`, the lecture's cheat-sheet rules, one example
  per step — perceptron Δw = (t − y)x, delta rule Δw = ε(t − y)x, and the logistic unit trained
  by Δw = −ε ∂E/∂w with squared error or cross-entropy.
* :mod:`.network`: :class:`PlaygroundNetwork` (old name ``Network``; not
  :class:`actviz.maths.backprop.RandomStack`, the depth view's random stack): up to 6 hidden
  layers of up to 8 units, any registered activation and loss, our own forward and backward pass.
* :mod:`.training`: its training loop (minibatches, L1/L2, the loss history).
* :mod:`.decisions`: reading outputs as classes through the loss's own noise model, accuracy and
  the confusion matrix.

Every call into plugin code goes through :func:`actviz.host.evaluation.call`; a plugin that raises
or returns NaN/inf stops training with a message naming the function, never an exception.
"""

from __future__ import annotations

from actviz.maths.learning.common import (
    MAX_HIDDEN_LAYERS,
    MAX_NEURONS,
    PROBABILITY_EPS,
    WEIGHT_LIMIT,
    History,
    Kind,
    TrainingError,
)
from actviz.maths.learning.datasets import (
    DATASET_LABELS,
    DATASETS,
    FEATURES,
    Dataset,
    feature_matrix,
    load_csv,
    make_dataset,
)
from actviz.maths.learning.decisions import (
    accuracy_and_confusion,
    class_log_likelihoods,
    confusion_matrix,
    decide,
    nearest_target,
)
from actviz.maths.learning.network import Network, PlaygroundNetwork, parameter_count
from actviz.maths.learning.single_unit import (
    RULE_LABELS,
    RULES,
    Examples,
    SingleUnitTrainer,
    StepResult,
    class_means,
    confidently_wrong_weights,
    decision_line,
    weights_against,
)
from actviz.maths.learning.training import TrainingLoop

__all__ = [
    "DATASETS",
    "DATASET_LABELS",
    "FEATURES",
    "MAX_HIDDEN_LAYERS",
    "MAX_NEURONS",
    "PROBABILITY_EPS",
    "RULES",
    "RULE_LABELS",
    "WEIGHT_LIMIT",
    "Dataset",
    "History",
    "Kind",
    "Network",
    "Examples",
    "PlaygroundNetwork",
    "SingleUnitTrainer",
    "StepResult",
    "TrainingError",
    "TrainingLoop",
    "accuracy_and_confusion",
    "class_log_likelihoods",
    "class_means",
    "confidently_wrong_weights",
    "confusion_matrix",
    "decide",
    "decision_line",
    "feature_matrix",
    "load_csv",
    "make_dataset",
    "nearest_target",
    "parameter_count",
    "weights_against",
]

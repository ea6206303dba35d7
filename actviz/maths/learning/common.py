"""What every part of the learning engine shares: limits, the training error and the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from actviz.specs import Activation, Loss

Kind = Literal["classification", "regression"]

MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 8
#: a weight beyond this magnitude counts as exploded
WEIGHT_LIMIT = 1e6
#: probability-domain losses see y clipped into [EPS, 1 − EPS] (as PyTorch's BCELoss clamps its logs)
PROBABILITY_EPS = 1e-12


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

"""What the δ tests share: a grid of z, one registry loaded at import, and a registry's activation/loss pair."""

from __future__ import annotations

import numpy as np

import actviz

Z = np.linspace(-8.0, 8.0, 161)

REG = actviz.load_registry()


def pair(reg, act, loss):
    return reg.activations[act], reg.losses[loss]

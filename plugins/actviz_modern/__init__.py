"""The modern catalogue: PyTorch's element-wise activations and common losses.

A built-in plugin (entry point ``modern``), separate from the lecture set: it
adds every element-wise activation of ``torch.nn`` the lecture does not
already have, and the regression / classification losses used with them.
Values, defaults and the derivative at kinks follow PyTorch's documentation
and its autograd kernels; where Keras/TensorFlow differ the notes say so.
Formulas use the mathtext subset of LaTeX. Everything is numpy only, silent
and finite for every z in [−1000, 1000] and every parameter in range.
"""

from __future__ import annotations

import actviz
from actviz_modern._shared import _erfc
from actviz_modern.activations import ACTIVATIONS
from actviz_modern.losses import LOSSES

__all__ = ["ACTIVATIONS", "LOSSES", "_erfc", "actviz_activations", "actviz_losses"]


@actviz.hookimpl
def actviz_activations():
    return ACTIVATIONS


@actviz.hookimpl
def actviz_losses():
    return LOSSES

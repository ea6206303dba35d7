"""Reading a trained output as a class: the loss's own noise model decides, and how well it did.

For one output unit the candidate targets are the two class targets (0/1, or ±1). The predicted
class is the target t that the loss's noise model makes most probable given the output y:
argmax over classes of ln p(t = class | y). So a logit (BCE with logits) predicts class 1 when
y > 0, a Poisson log-rate when y > 0, a probability when y > 1/2, and a Gaussian mean the nearest
target. A loss without a noise model (or where it gives no finite answer) falls back to the
nearest target. Numpy only, no Qt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from actviz.host.evaluation import EvaluationError, call
from actviz.specs import Loss


def class_log_likelihoods(loss: Loss | None, y, targets: Sequence[float],
                          loss_params: Mapping[str, float] | None = None) -> np.ndarray | None:
    """ln p(t = targets[k] | y) for each output, shape (n, K); None without a usable noise model."""
    model = getattr(loss, "noise_model", None)
    if model is None:
        return None
    y = np.asarray(y, dtype=float).reshape(-1)
    params = dict(loss_params or {})
    columns = []
    try:
        with np.errstate(all="ignore"):
            for t in targets:
                columns.append(np.broadcast_to(np.asarray(
                    call(model.log_density, np.full_like(y, float(t)), y, **params), dtype=float), y.shape))
    except (EvaluationError, TypeError, ValueError):
        return None
    return np.column_stack(columns)


def nearest_target(y, targets: Sequence[float]) -> np.ndarray:
    """Index of the target nearest to each output (ties go to the first)."""
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    return np.argmin(np.abs(y - np.asarray(targets, dtype=float)[None, :]), axis=1)


def decide(loss: Loss | None, y, targets: Sequence[float],
           loss_params: Mapping[str, float] | None = None) -> np.ndarray:
    """Predicted class index per output: argmax_k ln p(t = targets[k] | y) under the loss's noise model.

    Ties go to the first class; outputs where the noise model gives no finite log-density
    for any target, and losses without a noise model, use the nearest target.
    """
    y = np.asarray(y, dtype=float).reshape(-1)
    fallback = nearest_target(y, targets)
    logp = class_log_likelihoods(loss, y, targets, loss_params)
    if logp is None:
        return fallback
    usable = np.isfinite(logp) | (logp == -np.inf)
    informative = (usable.all(axis=1)) & np.isfinite(logp).any(axis=1)
    best = np.argmax(np.where(np.isnan(logp), -np.inf, logp), axis=1)
    return np.where(informative, best, fallback)


def confusion_matrix(actual, predicted, n_classes: int | None = None) -> np.ndarray:
    """K×K counts: row = the true class, column = the predicted class (classes 0 … K−1)."""
    actual = np.asarray(actual, dtype=int).reshape(-1)
    predicted = np.asarray(predicted, dtype=int).reshape(-1)
    if actual.shape != predicted.shape:
        raise ValueError(f"{actual.size} true classes but {predicted.size} predictions")
    k = int(n_classes) if n_classes is not None else int(max(actual.max(initial=-1), predicted.max(initial=-1)) + 1)
    if actual.size and (min(actual.min(), predicted.min()) < 0 or max(actual.max(), predicted.max()) >= k):
        raise ValueError(f"class indices must lie in 0 … {k - 1}")
    out = np.zeros((k, k), dtype=int)
    np.add.at(out, (actual, predicted), 1)
    return out


def accuracy_and_confusion(actual, predicted, n_classes: int | None = None) -> tuple[float, np.ndarray]:
    """(fraction predicted right, :func:`confusion_matrix`); accuracy is NaN for no examples."""
    matrix = confusion_matrix(actual, predicted, n_classes)
    total = int(matrix.sum())
    return (float(np.trace(matrix)) / total if total else float("nan")), matrix

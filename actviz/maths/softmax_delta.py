"""δ of a softmax output with categorical cross-entropy: the full K×K Jacobian against the lecture's
diagonal shortcut (erratum 8), over the first logit with the others held (numpy only, no Qt)."""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def softmax(logits) -> Array:
    """softmax over the last axis, shifted by the max so nothing overflows."""
    logits = np.asarray(logits, dtype=float)
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _logits(z1, z_others) -> Array:
    z1 = np.atleast_1d(np.asarray(z1, dtype=float))
    others = np.asarray(z_others, dtype=float).reshape(-1)
    return np.concatenate([z1[:, None], np.broadcast_to(others, (z1.size, others.size))], axis=1)


def softmax_jacobian(y) -> Array:
    """∂y_i/∂z_j = y_i(δ_ij − y_j): diagonal y_i(1−y_i), off-diagonal −y_i y_j; shape (..., K, K)."""
    y = np.asarray(y, dtype=float)
    return y[..., :, None] * (np.eye(y.shape[-1]) - y[..., None, :])


def softmax_full_jacobian_delta(z1, z_others, t_vector) -> Array:
    """δ = Jᵀ ∂E/∂y for E = −Σ t_i ln y_i, with the full K×K softmax Jacobian.

    ``z1`` may be an array (n,); ``z_others`` are the K−1 fixed logits; returns
    (n, K). For targets summing to 1 this equals y − t. Where some y_i underflows
    to 0, ∂E/∂y_i = −t_i/y_i is infinite and the matrix product is 0·∞, so there
    the algebraically identical factored form Jᵀg = (I − y1ᵀ)(y⊙g) with y⊙g = −t is used.
    """
    y = softmax(_logits(z1, z_others))
    t = np.broadcast_to(np.asarray(t_vector, dtype=float), y.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        g = np.where(t == 0, 0.0, -t / y)
        delta = np.einsum("nij,ni->nj", softmax_jacobian(y), g)
    factored = -t + y * t.sum(axis=-1, keepdims=True)
    return np.where(np.isfinite(delta), delta, factored)


def softmax_shortcut_delta(z1, z_others, t1) -> Array:
    """The lecture's diagonal shortcut δ₁ = ∂E/∂y₁ · y₁(1−y₁) with ∂E/∂y₁ = −t₁/y₁.

    It drops the off-diagonal terms: it equals −t₁(1−y₁), which is 0 at t₁ = 0
    although the true δ₁ is y₁. Computed in that cancelled form so y₁ → 0 stays finite.
    """
    y1 = softmax(_logits(z1, z_others))[:, 0]
    return -np.asarray(t1, dtype=float) * (1.0 - y1)


def softmax_targets(t1: float, classes: int) -> Array:
    """The categorical loss's target vector: t₁ for class 1, (1−t₁)/(K−1) for each other class."""
    k = int(classes)
    return np.concatenate([[t1], np.full(k - 1, (1.0 - t1) / (k - 1))])

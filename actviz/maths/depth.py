"""δ through a stack of hidden layers: a seeded random bias-free network, its forward and backward pass,
and per-layer |δ| statistics that show vanishing and exploding gradients (numpy only, no Qt).

Plugin functions are only ever called through :mod:`actviz.evaluation`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from actviz.host import evaluation
from actviz.specs import Activation

Array = np.ndarray

Init = Literal["scale", "xavier", "he"]


@dataclass(frozen=True)
class DepthResult:
    """Per-layer statistics of |δ| (index 0 is layer 1, the first hidden layer).

    ``mean_abs`` is inf in every layer whose δ overflowed or depends on a forward pass that
    overflowed (the true δ is then beyond float64 or unknowable; never reported as 0); ``p10``/``p90``
    are the 10th and 90th percentiles of |δ| over batch × width; ``p10_live`` is the 10th percentile
    over the units that pass a gradient (|δ| > 0; 0 when none does), the lower edge of a band that
    dead units would otherwise pull down to nothing; ``log10_std`` is
    the spread of log₁₀|δ| over its non-zero finite entries; ``zero_fraction``
    counts units passing no gradient (dead ReLUs); ``activation_std`` is the
    forward pass's std of a_l.
    """

    layers: Array
    mean_abs: Array
    median_abs: Array
    p10: Array
    p90: Array
    log10_std: Array
    zero_fraction: Array
    activation_std: Array
    weight_std: float
    overflow: bool
    p10_live: Array


def weight_std(init: Init, scale: float, width: int) -> float:
    """Std of the weights: ``scale`` itself for "scale"; ``scale`` × the Xavier or He std otherwise."""
    if init == "scale":
        return float(scale)
    if init == "xavier":
        return float(scale) * math.sqrt(1.0 / width)  # Glorot: 2/(fan_in + fan_out), square layers
    if init == "he":
        return float(scale) * math.sqrt(2.0 / width)
    raise ValueError(f"unknown init {init!r}: use 'scale', 'xavier' or 'he'")


@dataclass(frozen=True)
class RandomStack:
    """A seeded bias-free stack: inputs (batch, width), weights (L, width, width), output error.

    The depth view's random network (not the trainable playground network of
    :mod:`actviz.maths.learning`).
    """

    x: Array
    weights: Array
    output_error: Array


#: the old name, kept importable
Network = RandomStack


#: networks with more weights than this are not kept in the small-network cache (2 MiB per entry)
CACHED_WEIGHTS = 2**18
#: the one most recent network up to this many weights (8 MiB: the depth view's 50 × 128 × 128 fits) is kept
#: too, so dragging the scale, init or an activation redraws nothing; larger ones are drawn afresh
LARGE_CACHED_WEIGHTS = 2**20


def _draws(layers: int, width: int, seed: int, input_dist: str, batch: int,
           random_signs: bool) -> tuple[Array, Array, Array]:
    """Unit-variance inputs, unit-std weights and the output error, drawn once per seed and shape.

    Cached (read-only) so that dragging an activation parameter or the scale does not redraw the
    network: up to eight small networks, and the most recent large one (at most
    :data:`LARGE_CACHED_WEIGHTS` weights), so the caches stay a few MiB (a 50 × 256 × 256 stack,
    26 MiB, is drawn afresh each time).
    """
    weights = layers * width * width
    if weights <= CACHED_WEIGHTS:
        return _cached_draws(layers, width, seed, input_dist, batch, random_signs)
    if weights <= LARGE_CACHED_WEIGHTS:
        return _large_draws(layers, width, seed, input_dist, batch, random_signs)
    return _draw(layers, width, seed, input_dist, batch, random_signs)


def _draw(layers: int, width: int, seed: int, input_dist: str, batch: int,
          random_signs: bool) -> tuple[Array, Array, Array]:
    rng = np.random.default_rng(seed)
    if input_dist == "normal":
        x = rng.standard_normal((batch, width))
    elif input_dist == "uniform":
        x = rng.uniform(-math.sqrt(3.0), math.sqrt(3.0), (batch, width))  # unit variance
    else:
        raise ValueError(f"unknown input_dist {input_dist!r}: use 'normal' or 'uniform'")
    w = rng.standard_normal((layers, width, width))
    err = rng.choice([-1.0, 1.0], (batch, width)) if random_signs else np.ones((batch, width))
    for arr in (x, w, err):
        arr.flags.writeable = False
    return x, w, err


_cached_draws = functools.lru_cache(maxsize=8)(_draw)
_large_draws = functools.lru_cache(maxsize=1)(_draw)


def _checked_shape(layers, width, batch) -> tuple[int, int, int]:
    layers, width, batch = int(layers), int(width), int(batch)
    if not 1 <= layers <= 1000 or width < 1 or batch < 1:
        raise ValueError("need 1 ≤ layers ≤ 1000, width ≥ 1 and batch ≥ 1")
    return layers, width, batch


def make_network(layers: int, width: int, init: Init = "he", scale: float = 1.0, seed: int = 0,
                 input_dist: Literal["normal", "uniform"] = "normal", batch: int = 32,
                 random_signs: bool = False) -> RandomStack:
    """Draw inputs, weights and output error from ``np.random.default_rng(seed)``, in that order.

    The weights are N(0, weight_std²); the output error is ones, or seeded ±1 with ``random_signs``.
    """
    layers, width, batch = _checked_shape(layers, width, batch)
    std = weight_std(init, scale, width)
    x, w, err = _draws(layers, width, int(seed), input_dist, batch, bool(random_signs))
    return RandomStack(x, std * w, err)


def forward_backward(activation: Activation, act_params: Mapping[str, float],
                     net: RandomStack) -> tuple[Array, Array, Array]:
    """z_l = W_l a_{l−1}, a_l = f(z_l); δ_L = output error, δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ f′(z_l).

    δ_l is ∂E/∂z_l for E = Σ output_error ⊙ z_L. Returns (z, a, δ), each (L, batch, width).
    Overflow is silenced here and shows as inf/NaN in the arrays: where z_l overflowed to
    NaN, f′(z_l) is unknown and δ is NaN there and in every layer it flows back into.
    """
    return _propagate(activation, act_params, net.x, net.weights, net.output_error, 1.0)


def _propagate(activation: Activation, act_params: Mapping[str, float], x: Array, weights: Array,
               output_error: Array, std: float) -> tuple[Array, Array, Array]:
    """:func:`forward_backward` through the weights ``std`` × ``weights``, scaling each layer's product.

    The forward pass is sequential (f is called once per layer, on every sample and unit at once);
    f′ is called once, on every layer at once. Scaling the (batch × width) products instead of the
    (L × width × width) weights keeps one unit-std draw of the network for every scale.
    """
    n_layers, batch, width = weights.shape[0], *x.shape
    z = np.empty((n_layers, batch, width))
    a = np.empty((n_layers, batch, width))
    delta = np.empty((n_layers, batch, width))
    scaled = std != 1.0
    prev = x
    with np.errstate(all="ignore"):
        for layer in range(n_layers):
            np.matmul(prev, weights[layer].T, out=z[layer])
            if scaled:
                z[layer] *= std
            a[layer] = evaluation.value(activation, z[layer], act_params)
            prev = a[layer]
        fp = evaluation.slope(activation, z.reshape(n_layers * batch, width), act_params).reshape(z.shape)
        # z is NaN where the forward pass overflowed (inf − inf): f′ there is unknown, not f′(NaN)
        # (ReLU's (z > 0) would say 0 and report an exploding gradient as exactly lost)
        nan = np.isnan(z)
        if nan.any():
            fp = np.where(nan, np.nan, fp)
        if scaled:
            fp = fp * std  # δ_l = (std·Wᵀ δ_{l+1}) ⊙ f′ = (Wᵀ δ_{l+1}) ⊙ (std·f′)
        delta[-1] = output_error
        for layer in range(n_layers - 2, -1, -1):
            np.matmul(delta[layer + 1], weights[layer + 1], out=delta[layer])
            delta[layer] *= fp[layer]
    return z, a, delta


def hidden_deltas(activation: Activation, act_params: Mapping[str, float], layers: int, width: int = 64,
                  init: Init = "he", scale: float = 1.0, seed: int = 0,
                  input_dist: Literal["normal", "uniform"] = "normal", batch: int = 32,
                  random_signs: bool = False) -> DepthResult:
    """Per-layer |δ| statistics of a seeded random network: vanishing or exploding gradients at a glance.

    ``batch`` inputs × ``width`` units give the samples per layer (2048 by default:
    enough for stable percentiles, and L = 50 stays a few ms for cheap activations).
    The network is :func:`make_network`'s (the same draws), propagated with its
    weight std applied to each layer's product rather than to every weight.
    """
    layers, width, batch = _checked_shape(layers, width, batch)
    std = weight_std(init, scale, width)
    x, w, err = _draws(layers, width, int(seed), input_dist, batch, bool(random_signs))
    _, a, delta = _propagate(activation, act_params, x, w, err, std)
    n_layers = delta.shape[0]
    mag = np.abs(delta.reshape(n_layers, -1), out=delta.reshape(n_layers, -1))
    finite = np.isfinite(mag)
    row_ok = finite.all(axis=1)
    overflow = not bool(row_ok.all() and np.isfinite(a).all())
    if not row_ok.all():
        mag = np.where(finite, mag, np.inf)  # NaN here is an overflowed inf − inf: report it as inf
    srt = np.sort(mag, axis=1)  # (one sort is faster here than np.partition at three ranks)
    m = srt.shape[1]
    # copies: a column view would keep the whole sorted (layers × samples) array alive
    p10, med, p90 = (srt[:, min(m - 1, round(q * (m - 1)))].copy() for q in (0.1, 0.5, 0.9))
    with np.errstate(over="ignore"):
        mean_abs = np.where(row_ok, srt.mean(axis=1), np.inf)
    positive = (srt > 0) & np.isfinite(srt)
    count = positive.sum(axis=1)
    safe = np.maximum(count, 1)
    logs = np.log(np.where(positive, srt, 1.0))  # 0 where not positive, as in the sums below
    mean_log = logs.sum(axis=1) / safe
    log_std = np.sqrt((((logs - mean_log[:, None]) * positive) ** 2).sum(axis=1) / safe) / math.log(10.0)
    zeros = np.count_nonzero(srt == 0, axis=1)
    zero_fraction = zeros / m
    # |δ| ≥ 0 is sorted: the zeros come first, the live units after them
    live_rank = np.minimum(m - 1, zeros + np.round(0.1 * np.maximum(m - 1 - zeros, 0)).astype(int))
    p10_live = srt[np.arange(n_layers), live_rank].copy()
    acts = a.reshape(n_layers, -1)
    with np.errstate(all="ignore"):
        act_std = acts.std(axis=1)
    act_std = np.where(np.isfinite(act_std), act_std, np.inf)
    return DepthResult(np.arange(1, n_layers + 1), mean_abs, med, p10, p90, log_std, zero_fraction,
                       act_std, weight_std(init, scale, width), overflow, p10_live)

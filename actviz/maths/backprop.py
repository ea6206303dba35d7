"""δ for an output unit and δ through a stack of hidden layers (numpy only, no Qt).

The output view draws δ = ∂E/∂z = ∂E/∂y · f′(z) for any activation/loss pair and,
for the pairs where the chain simplifies, the simplified formula (computed from
that formula, so it stays exact where the product form meets 0·∞ in the tails).
Which pairs simplify, and how, is declared by the plugin owning the functions
(hook ``actviz_output_deltas``, :mod:`actviz.maths.pairs`): this module names none.
The depth view follows δ back through L hidden layers to show vanishing and
exploding gradients.

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
from actviz.maths.pairs import OutputDeltaRule, rule_for
from actviz.numerics import numerical_derivative
from actviz.specs import Activation, Loss

Array = np.ndarray

#: the general chain rule, shown when no simplification is known
PRODUCT_FORMULA = r"\delta=\frac{\partial E}{\partial y}\,f'(z)"


# ---------------------------------------------------------------- output unit

#: kept for old code: a pair's closed form is now an ``actviz.OutputDeltaRule`` a plugin declares
KnownPair = OutputDeltaRule

RulesTable = Mapping[tuple[str, str], OutputDeltaRule]


@dataclass(frozen=True)
class OutputDelta:
    """δ of one output unit over a z grid, with the pieces of the chain rule.

    ``product`` is ∂E/∂y · f′(z) as computed; ``delta`` is the best value: the
    closed form of the pair's :class:`~actviz.OutputDeltaRule` when its plugin
    declares one, otherwise the product. ``simplified_formula`` is the closed
    form's LaTeX, or the general product form (``PRODUCT_FORMULA``) when
    ``simplified`` is False. Where f′ = 0 exactly and ∂E/∂y is infinite, the
    product is taken as 0 (no gradient passes a flat unit) rather than NaN.

    For a loss whose ``domain`` is "probability", E is undefined where y = f(z)
    leaves [0, 1]: there ``dE_dy``, ``product`` and ``delta`` are NaN,
    ``undefined`` marks the points and ``reason`` says why (for the view to show).
    """

    z: Array
    y: Array
    dE_dy: Array
    fprime: Array
    product: Array
    delta: Array
    simplified_formula: str
    simplified: bool
    note: str = ""
    undefined: Array | None = None
    reason: str = ""


def _product(dE_dy: Array, fprime: Array) -> Array:
    with np.errstate(invalid="ignore", over="ignore"):
        out = dE_dy * fprime
    return np.where((fprime == 0) & np.isinf(dE_dy), 0.0, out)


def known_pair(activation: Activation, loss: Loss, rules: RulesTable | None = None) -> OutputDeltaRule | None:
    """The closed form for this pair, if the plugin owning it declares one.

    ``rules`` is a table from :func:`actviz.maths.pairs.collect_output_delta_rules`
    (by (activation name, loss name)); None means the installed plugins' rules.
    """
    return rule_for(activation, loss, rules)


def _undefined_reason(loss: Loss, y: Array, undefined: Array) -> str:
    n = int(np.count_nonzero(undefined))
    if not n:
        return ""
    return (f"y = f(z) leaves [0, 1] at {n} of {undefined.size} points: {loss.label} needs a probability, "
            "so E and δ are undefined there (not drawn)")


def output_delta(activation: Activation, loss: Loss, z, act_params: Mapping[str, float],
                 loss_params: Mapping[str, float], t: float, rules: RulesTable | None = None,
                 unit: tuple[Array, Array] | None = None) -> OutputDelta:
    """δ = ∂E/∂z for y = f(z) and loss E(y; t), elementwise over ``z``.

    ``rules`` as in :func:`known_pair`. ``unit`` is (f(z), f′(z)) when the caller has them
    already (:func:`unit_values`): a new target t or loss then calls only the loss's functions.
    """
    z = np.asarray(z, dtype=float)
    y, fprime = unit if unit is not None else unit_values(activation, z, act_params)
    dE_dy = evaluation.slope(loss, y, loss_params, t)
    undefined = None
    reason = ""
    if loss.domain == "probability":
        undefined = ~((y >= 0.0) & (y <= 1.0))
        reason = _undefined_reason(loss, y, undefined)
        if undefined.any():
            dE_dy = np.where(undefined, np.nan, dE_dy)
    product = _product(dE_dy, fprime)
    if undefined is not None and undefined.any():
        product = np.where(undefined, np.nan, product)
    pair = known_pair(activation, loss, rules)
    if pair is None:
        return OutputDelta(z, y, dE_dy, fprime, product, product, PRODUCT_FORMULA, False,
                           undefined=undefined, reason=reason)
    with np.errstate(all="ignore"):
        delta = np.asarray(pair.delta(z, y, float(t), act_params, loss_params), dtype=float)
    delta = np.broadcast_to(delta, z.shape).copy()
    if undefined is not None and undefined.any():
        delta[undefined] = np.nan
    return OutputDelta(z, y, dE_dy, fprime, product, delta, pair.formula, True, pair.note,
                       undefined=undefined, reason=reason)


def unit_values(activation: Activation, z, act_params: Mapping[str, float]) -> tuple[Array, Array]:
    """(f(z), f′(z)) of the output unit: the part of :func:`output_delta` that neither t nor the loss changes."""
    z = np.asarray(z, dtype=float)
    return evaluation.value(activation, z, act_params), evaluation.slope(activation, z, act_params)


def numerical_delta(activation: Activation, loss: Loss, z, act_params: Mapping[str, float],
                    loss_params: Mapping[str, float], t: float) -> Array:
    """d/dz E(f(z), t) by central differences of the composite: the reference the tests use."""
    def composite(v: Array) -> Array:
        return evaluation.value(loss, evaluation.value(activation, v, act_params), loss_params, t)

    return numerical_derivative(composite, np.asarray(z, dtype=float))


# ---------------------------------------------------------------- softmax

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


def lecture_shortcut(activation: Activation, loss: Loss, z, act_params: Mapping[str, float],
                     t: float, rules: RulesTable | None = None) -> tuple[Array, Array] | None:
    """(full-Jacobian δ₁, the lecture's diagonal-shortcut δ₁) over z₁, or None.

    Only for pairs whose :class:`~actviz.OutputDeltaRule` has a ``lecture_shortcut``
    (the plugin owning softmax and categorical cross-entropy declares one, erratum 8).
    ``rules`` as in :func:`known_pair`.
    """
    pair = known_pair(activation, loss, rules)
    if pair is None or pair.lecture_shortcut is None:
        return None
    z = np.asarray(z, dtype=float)
    with np.errstate(all="ignore"):
        full, short = pair.lecture_shortcut(z, act_params, float(t))
    shape = np.shape(z) if np.ndim(z) else (1,)
    return (np.broadcast_to(np.asarray(full, dtype=float), shape).copy(),
            np.broadcast_to(np.asarray(short, dtype=float), shape).copy())


# ---------------------------------------------------------------- confidently wrong

@dataclass(frozen=True)
class ConfidentlyWrong:
    """δ of one pair where the unit outputs ``y`` although the target is ``t``."""

    z: float
    y: float
    t: float
    delta: float

    @property
    def magnitude(self) -> float:
        return abs(self.delta)


def confidently_wrong_z(activation: Activation, act_params: Mapping[str, float], y_target: float = 0.01,
                        low: float = -1000.0, high: float = 1000.0, points: int = 4001) -> float | None:
    """The z where f(z) = ``y_target``, or None if f never crosses it in [low, high].

    Scans a grid for the first sign change of f(z) − y_target and bisects that
    bracket to machine precision (the unique root on a monotone activation).
    """
    grid = np.unique(np.concatenate([np.linspace(low, high, points), np.linspace(-20.0, 20.0, 4001)]))
    grid = grid[(grid >= low) & (grid <= high)]
    diff = evaluation.value(activation, grid, act_params) - y_target
    if not np.isfinite(diff).any():
        return None
    exact = np.flatnonzero(diff == 0)
    sign = np.sign(diff)
    change = np.flatnonzero(np.isfinite(diff[:-1]) & np.isfinite(diff[1:]) & (sign[:-1] * sign[1:] < 0))
    if exact.size and (not change.size or exact[0] <= change[0]):
        return float(grid[exact[0]])
    if not change.size:
        return None
    a, b = float(grid[change[0]]), float(grid[change[0] + 1])
    fa = float(diff[change[0]])

    def f(v: float) -> float:
        return float(evaluation.value(activation, np.array([v]), act_params)[0]) - y_target

    for _ in range(200):
        m = 0.5 * (a + b)
        if m in (a, b):
            break
        fm = f(m)
        if fm == 0:
            return m
        if (fm < 0) == (fa < 0):
            a, fa = m, fm
        else:
            b = m
    return 0.5 * (a + b)


def confidently_wrong(activation: Activation, loss: Loss, act_params: Mapping[str, float],
                      loss_params: Mapping[str, float], t: float = 1.0,
                      y_target: float = 0.01, rules: RulesTable | None = None) -> ConfidentlyWrong | None:
    """δ of the pair at the z where y = ``y_target`` (None if the activation never gets there)."""
    z = confidently_wrong_z(activation, act_params, y_target)
    if z is None:
        return None
    out = output_delta(activation, loss, np.array([z]), act_params, loss_params, t, rules)
    return ConfidentlyWrong(z, float(out.y[0]), float(t), float(out.delta[0]))


# ---------------------------------------------------------------- depth

Init = Literal["scale", "xavier", "he"]


@dataclass(frozen=True)
class DepthResult:
    """Per-layer statistics of |δ| (index 0 is layer 1, the first hidden layer).

    ``mean_abs`` is inf in every layer whose δ overflowed or depends on a forward pass that
    overflowed (the true δ is then beyond float64 or unknowable; never reported as 0); ``p10``/``p90``
    are the 10th and 90th percentiles of |δ| over batch × width; ``log10_std`` is
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
    zero_fraction = np.count_nonzero(srt == 0, axis=1) / m
    acts = a.reshape(n_layers, -1)
    with np.errstate(all="ignore"):
        act_std = acts.std(axis=1)
    act_std = np.where(np.isfinite(act_std), act_std, np.inf)
    return DepthResult(np.arange(1, n_layers + 1), mean_abs, med, p10, p90, log_std, zero_fraction,
                       act_std, weight_std(init, scale, width), overflow)

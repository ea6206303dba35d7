"""δ for an output unit and δ through a stack of hidden layers (numpy only, no Qt).

The output view draws δ = ∂E/∂z = ∂E/∂y · f′(z) for any activation/loss pair and,
for the pairs where the chain simplifies, the simplified formula (computed from
that formula, so it stays exact where the product form meets 0·∞ in the tails).
Which pairs simplify, and how, is declared by the plugin owning the functions
(hook ``actviz_output_deltas``, :mod:`actviz.maths.pairs`): this module names none.
The depth view follows δ back through L hidden layers to show vanishing and
exploding gradients.

Plugin functions are only ever called through :mod:`actviz.evaluation`.

Here: the output unit (and the "confidently wrong" point); the softmax Jacobian is in
:mod:`actviz.maths.softmax_delta` and the hidden stack in :mod:`actviz.maths.depth`, whose names stay
importable from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from actviz.host import evaluation
from actviz.maths.depth import (  # noqa: F401 - re-exported: these were this module's names
    CACHED_WEIGHTS,
    LARGE_CACHED_WEIGHTS,
    DepthResult,
    Init,
    Network,
    RandomStack,
    _cached_draws,
    _large_draws,
    forward_backward,
    hidden_deltas,
    make_network,
    weight_std,
)
from actviz.maths.pairs import OutputDeltaRule, rule_for
from actviz.maths.softmax_delta import (  # noqa: F401 - re-exported: these were this module's names
    softmax,
    softmax_full_jacobian_delta,
    softmax_jacobian,
    softmax_shortcut_delta,
    softmax_targets,
)
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

"""The likelihood reading of a loss: E = −c·ln p(t | y) + const, and maximum likelihood (numpy only).

The likelihood view overlays a loss and its noise model's −ln p, draws p(t | y),
samples targets and shows that the y minimising the summed loss is the one
maximising the likelihood, and (for the stock models) the mean, median or
proportion of the targets. Plugin callables go through :mod:`actviz.evaluation`
or :func:`_guarded`, so a broken noise model is an :class:`EvaluationError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from actviz.host import evaluation
from actviz.host.evaluation import EvaluationError
from actviz.specs import Loss, NoiseModel

Array = np.ndarray

#: elements per plugin call when summing over grid × targets
CHUNK_ELEMENTS = 1 << 18


def _params(params: Mapping[str, float] | None) -> dict[str, float]:
    return dict(params or {})


def _noise(loss: Loss, noise: NoiseModel | None) -> NoiseModel:
    nm = noise if noise is not None else loss.noise_model
    if nm is None:
        raise ValueError(f"loss {loss.name!r} has no noise model")
    return nm


def log_density(noise: NoiseModel, t, y, params: Mapping[str, float] | None = None) -> Array:
    """ln p(t | y), elementwise over the broadcast of ``t`` and ``y`` (guarded)."""
    t, y = np.broadcast_arrays(np.asarray(t, dtype=float), np.asarray(y, dtype=float))
    return evaluation.call(noise.log_density, np.ascontiguousarray(t), np.ascontiguousarray(y),
                           **_params(params))


def _loss_values(loss: Loss, y, t, params: Mapping[str, float] | None) -> Array:
    y, t = np.broadcast_arrays(np.asarray(y, dtype=float), np.asarray(t, dtype=float))
    return evaluation.call(loss.function, np.ascontiguousarray(y), np.ascontiguousarray(t), **_params(params))


# ---------------------------------------------------------------- E = −c ln p + const

def target_values(loss: Loss, noise: NoiseModel | None = None, count: int = 13) -> Array:
    """Targets to fit over: the outcomes for binary/categorical models, a spread of t otherwise.

    Binary outcomes are the ends of the loss's target range ({0, 1}, or {−1, 1} for a soft margin).
    """
    nm = _noise(loss, noise)
    if nm.support in ("binary", "categorical"):
        return np.array([loss.target.low, loss.target.high])
    return np.linspace(loss.target.low, loss.target.high, count)


def fit_grid(loss: Loss, count: int = 121) -> Array:
    """Outputs y to fit over: inside (0, 1) for probability losses, around the targets otherwise."""
    if loss.domain == "probability":
        return np.linspace(0.005, 0.995, count)
    return np.linspace(min(loss.target.low, -3.0), max(loss.target.high, 3.0), count)


@dataclass(frozen=True)
class ScaleOffset:
    """E(y; t) ≈ c·(−ln p(t | y)) + const, fitted by least squares.

    The constant is fitted per target value (the ML reading only needs it
    constant in y); ``const`` is their mean and ``const_spread`` their range,
    0 when the constant is a true constant (Poisson's ln t! makes it vary).
    ``identifiable`` is False when −ln p does not vary, so any c fits: then
    c = 1 by convention. Unpacks as ``c, const, max_residual``.
    """

    c: float
    const: float
    max_residual: float
    const_spread: float = 0.0
    identifiable: bool = True
    points: int = 0

    def __iter__(self) -> Iterator[float]:
        return iter((self.c, self.const, self.max_residual))


def fit_scale_offset(loss: Loss, noise: NoiseModel | None = None, y_grid=None, t=None,
                     params: Mapping[str, float] | None = None) -> ScaleOffset:
    """Fit c and const over the grid y_grid × t, on points where both E and ln p are finite."""
    nm = _noise(loss, noise)
    params = _params(loss.defaults if params is None else params)
    y = fit_grid(loss) if y_grid is None else np.asarray(y_grid, dtype=float).ravel()
    ts = target_values(loss, nm) if t is None else np.atleast_1d(np.asarray(t, dtype=float)).ravel()
    yy, tt = np.meshgrid(y, ts, indexing="ij")  # (ny, nt): one column per target value
    e = _loss_values(loss, yy, tt, params)
    x = -log_density(nm, tt, yy, params)
    ok = np.isfinite(e) & np.isfinite(x)
    n_ok = int(ok.sum())
    if n_ok == 0:
        return ScaleOffset(1.0, 0.0, float("inf"), 0.0, False, 0)
    counts = ok.sum(axis=0)
    safe = np.maximum(counts, 1)
    xz, ez = np.where(ok, x, 0.0), np.where(ok, e, 0.0)
    xbar, ebar = xz.sum(axis=0) / safe, ez.sum(axis=0) / safe
    dx, de = np.where(ok, x - xbar, 0.0), np.where(ok, e - ebar, 0.0)
    scale = max(1.0, float(np.max(np.abs(xz))))
    identifiable = True
    if np.sqrt((dx * dx).sum() / n_ok) > 1e-9 * scale:
        c = float((dx * de).sum() / (dx * dx).sum())
        consts = ebar - c * xbar
    else:  # −ln p flat in y for every t: try the variation across t with one shared constant
        gx = xz.sum() / n_ok
        px = np.where(ok, x - gx, 0.0)
        if np.sqrt((px * px).sum() / n_ok) > 1e-9 * scale:
            c = float((px * np.where(ok, e - ez.sum() / n_ok, 0.0)).sum() / (px * px).sum())
        else:
            c, identifiable = 1.0, False
        consts = np.full(ts.shape, ez.sum() / n_ok - c * gx)
    used = counts > 0
    resid = np.where(ok, ez - (c * xz + consts), 0.0)
    const = float((consts * counts).sum() / counts.sum())
    spread = float(np.ptp(consts[used]))
    return ScaleOffset(c, const, float(np.max(np.abs(resid))), spread, identifiable, n_ok)


# ---------------------------------------------------------------- p(t | y)

@dataclass(frozen=True)
class Density:
    """p(t | y) for drawing: a curve over ``t`` (real support) or a pmf on outcomes (discrete)."""

    t: Array
    p: Array
    discrete: bool


def density_over_t(noise: NoiseModel, y: float, t_grid=None, params: Mapping[str, float] | None = None,
                   outcomes=None) -> Density:
    """p(t | y) over ``t_grid`` (real), at ``outcomes`` (binary, default {0, 1}) or over K classes.

    Categorical: class 1 gets p(t = 1 | y), each of the other K−1 classes p(t = 0 | y).
    K is read off the model itself, K − 1 = (1 − p₁)/p_other, so the bars always sum
    to 1; only where p_other = 0 (y = 1) does it fall back to the ``K`` parameter.
    """
    params = _params(params)
    if noise.support == "real":
        if t_grid is None:
            raise ValueError("a real-valued noise model needs t_grid")
        t = np.asarray(t_grid, dtype=float)
        with np.errstate(under="ignore"):
            return Density(t, np.exp(log_density(noise, t, y, params)), False)
    if noise.support == "binary":
        t = np.asarray((0.0, 1.0) if outcomes is None else outcomes, dtype=float)
        with np.errstate(under="ignore"):
            return Density(t, np.exp(log_density(noise, t, y, params)), True)
    with np.errstate(under="ignore"):
        p1, p_other = np.exp(log_density(noise, np.array([1.0, 0.0]), y, params))
    guess = 1.0 + (1.0 - p1) / p_other if p_other > 1e-12 else float(params.get("K", 3))
    k = int(min(max(round(guess), 2), 1000))
    return Density(np.arange(1.0, k + 1.0), np.concatenate([[p1], np.full(k - 1, p_other)]), True)


# ---------------------------------------------------------------- samples and sums

def _guarded(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - plugin code
        raise EvaluationError(f"raised {type(exc).__name__}: {exc}") from exc


def sample_targets(noise: NoiseModel, y: float, n: int, seed: int | None,
                   params: Mapping[str, float] | None = None) -> Array:
    """``n`` targets t ~ p(· | y) from ``np.random.default_rng(seed)``: the same seed gives the same data."""
    n = int(n)
    if n < 0:
        raise ValueError("n must be ≥ 0")
    out = _guarded(noise.sample, float(y), n, np.random.default_rng(seed), **_params(params))
    arr = np.asarray(out)
    if np.iscomplexobj(arr) or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise EvaluationError(f"sample returned {arr.dtype}, not real numbers")
    if arr.shape != (n,):
        raise EvaluationError(f"sample returned shape {arr.shape}, expected ({n},)")
    return arr.astype(float)


def _sum_over_targets(fn: Callable[[Array, Array], Array], y_grid, targets) -> Array:
    """Σ_α fn(y, t_α) for every y: repeated targets are evaluated once and weighted by their count
    (binary data costs two columns), in chunks of at most CHUNK_ELEMENTS evaluations."""
    y = np.asarray(y_grid, dtype=float).ravel()
    t = np.asarray(targets, dtype=float).ravel()
    total = np.zeros(y.shape)
    if t.size == 0 or y.size == 0:
        return total
    t, counts = np.unique(t, return_counts=True)
    step = max(1, CHUNK_ELEMENTS // y.size)
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, t.size, step):
            yy, tt = np.meshgrid(y, t[start:start + step], indexing="ij")
            total += fn(yy, tt) @ counts[start:start + step].astype(float)
    return total


def total_loss(loss: Loss, y_grid, targets, params: Mapping[str, float] | None = None) -> Array:
    """Σ_α E(y, t_α) over the targets, for each y in ``y_grid``."""
    return _sum_over_targets(lambda y, t: _loss_values(loss, y, t, params), y_grid, targets)


def log_likelihood(noise: NoiseModel, y_grid, targets, params: Mapping[str, float] | None = None) -> Array:
    """Σ_α ln p(t_α | y) for each y in ``y_grid``."""
    return _sum_over_targets(lambda y, t: log_density(noise, t, y, params), y_grid, targets)


def closed_form_estimate(noise: NoiseModel, targets, params: Mapping[str, float] | None = None) -> float | None:
    """The maximum-likelihood y in closed form: the targets' mean, median, proportion of ones or quantile.

    A "quantile" estimator reads its level from the loss parameter the noise
    model names in ``estimator_param`` (the pinball loss's τ). None when the
    model names no estimator, an unknown one, or there are no targets.
    """
    t = np.asarray(targets, dtype=float).ravel()
    if t.size == 0:
        return None
    if noise.estimator == "mean":
        return float(np.mean(t))
    if noise.estimator == "median":
        s = np.sort(np.asarray(t, dtype=float), axis=None)  # np.median would import numpy.ma
        return float(0.5 * (s[(s.size - 1) // 2] + s[s.size // 2]))
    if noise.estimator == "proportion":
        return float(np.mean(t == 1.0))
    if noise.estimator == "quantile":
        level = (params or {}).get(getattr(noise, "estimator_param", ""), None)
        if level is None or not 0.0 <= float(level) <= 1.0:
            return None
        # the pinball loss is minimised by any point between the order statistics around τ·n: take the lower one
        return float(np.quantile(t, float(level), method="inverted_cdf"))
    return None


@dataclass(frozen=True)
class MaximumLikelihood:
    """The three routes to the best y over a grid: min Σ E, max Σ ln p, and the closed form.

    ``argmin_loss`` and ``argmax_likelihood`` are grid points (None if no value
    was finite); ``closed_form`` is exact (None when there is none).
    """

    y_grid: Array
    total_loss: Array
    log_likelihood: Array
    argmin_loss: float | None
    argmax_likelihood: float | None
    closed_form: float | None
    estimator: str


def _arg(values: Array, grid: Array, best: Callable[[Array], int]) -> float | None:
    ok = ~np.isnan(values)
    if not ok.any() or not np.isfinite(values[ok]).any():
        return None
    idx = np.flatnonzero(ok)
    return float(grid[idx[best(values[ok])]])


def maximum_likelihood(loss: Loss, y_grid, targets, params: Mapping[str, float] | None = None,
                       noise: NoiseModel | None = None) -> MaximumLikelihood:
    """Minimise the summed loss and maximise the log-likelihood over ``y_grid``; add the closed form."""
    nm = _noise(loss, noise)
    grid = np.asarray(y_grid, dtype=float).ravel()
    tl = total_loss(loss, grid, targets, params)
    ll = log_likelihood(nm, grid, targets, params)
    return MaximumLikelihood(grid, tl, ll, _arg(tl, grid, lambda v: int(np.argmin(v))),
                             _arg(ll, grid, lambda v: int(np.argmax(v))),
                             closed_form_estimate(nm, targets, params), nm.estimator)

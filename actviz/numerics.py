"""Stable numeric primitives, numerical derivatives and the derivative check.

Everything here is numpy only and silent: no function emits a floating-point
warning for any finite input, and none returns NaN where the true value is
finite. Plugins are welcome to import these.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Derivative", "DerivativeMismatch", "as_array", "derivative_mismatch", "kink_distance", "log_sigmoid",
    "near_kinks", "numerical_derivative", "richardson_derivative", "safe_divide", "sigmoid", "softplus",
    "step_size", "xlogy",
]

Array = np.ndarray


def as_array(z) -> Array:
    return np.asarray(z, dtype=float)


def sigmoid(z) -> Array:
    """1/(1+e^{−z}) without overflow: evaluate e^{−|z|} only."""
    z = as_array(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(z) -> Array:
    """ln(1+e^z) = max(z, 0) + log1p(e^{−|z|}); exact in both tails."""
    z = as_array(z)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def log_sigmoid(z) -> Array:
    """ln σ(z) = −softplus(−z)."""
    return -softplus(-as_array(z))


def xlogy(x, y) -> Array:
    """x·ln y with 0·ln 0 = 0 (the convention cross-entropy needs)."""
    x, y = np.broadcast_arrays(as_array(x), as_array(y))
    out = np.zeros(np.broadcast(x, y).shape)
    nz = x != 0
    with np.errstate(divide="ignore", invalid="ignore"):
        out[nz] = x[nz] * np.log(y[nz])
    return out


def safe_divide(a, b, fill: float = np.inf) -> Array:
    a, b = np.broadcast_arrays(as_array(a), as_array(b))
    out = np.full(a.shape, fill, dtype=float)
    nz = b != 0
    with np.errstate(over="ignore"):
        out[nz] = a[nz] / b[nz]
    zero_num = (~nz) & (a == 0)
    out[zero_num] = 0.0
    out[(~nz) & (a < 0)] = -abs(fill)
    return out


def step_size(z: Array) -> Array:
    """Central-difference step: ε^{1/3}·max(1, |z|), a representable offset."""
    z = as_array(z)
    h = np.cbrt(np.finfo(float).eps) * np.maximum(1.0, np.abs(z))
    # make z+h exactly representable so the quotient uses the true step
    with np.errstate(over="ignore", invalid="ignore"):
        hp = (z + h) - z
    return np.where(np.isfinite(hp) & (hp > 0), hp, h)


def numerical_derivative(f: Callable[[Array], Array], z) -> Array:
    """Central difference of an elementwise f at every z."""
    z = as_array(z)
    h = step_size(z)
    with np.errstate(all="ignore"):
        return (as_array(f(z + h)) - as_array(f(z - h))) / (2.0 * h)


#: a point is wrong when its relative error is at least this …
WRONG_RTOL = 1e-3
#: … on at least this share of the points, or at least this much anywhere
WRONG_SHARE = 0.01
GROSS_RTOL = 1e-2
#: disagreement must exceed the numerical derivative's error estimate this many times
MARGIN = 8.0
#: the search stops at a point once its error estimate is this small (relative)
SETTLED = 1e-7
#: steps tried per point: max(1, |z|)/64 halved up to this many times
MAX_LEVELS = 40
#: assumed rounding of f in units of ε·(|f| + |z·f′|), for the roundoff part of the error estimate
ROUNDING = 4.0
EPS = float(np.finfo(float).eps)
#: the second ladder's step ratio: 1/φ, far from any ratio of small integers
BETA = (math.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True)
class Derivative:
    """A numerical derivative with a per-point error estimate (see :func:`richardson_derivative`)."""

    value: Array   #: the estimate of f′(z)
    error: Array   #: a conservative bound on |value − f′(z)|; inf where nothing converged
    step: Array    #: the central-difference step the estimate came from (0 where skipped)


def _median(values: np.ndarray) -> float:
    """``np.median`` of a non-empty finite array, without importing numpy.ma (~25 ms, 2.4 MiB at start-up)."""
    s = np.sort(values, axis=None)
    return float(0.5 * (s[(s.size - 1) // 2] + s[s.size // 2]))


def richardson_derivative(
    f: Callable[[Array], Array],
    z,
    fz: Array | None = None,
    max_step=None,
    settled: float = SETTLED,
    max_levels: int = MAX_LEVELS,
    floor: float = 0.0,
) -> Derivative:
    """f′(z) by Richardson-extrapolated central differences, with an error estimate, per point.

    Two ladders of steps run side by side at each point: h = H·2^−k and
    h′ = β·h (β = 1/φ ≈ 0.618), starting from H = min(max(1, |z|)/64, ``max_step``).
    Each step gives a central difference D(h) = (f(z+h) − f(z−h))/((z+h) − (z−h))
    (the denominator is the true distance between the rounded points), and
    each pair of steps on a ladder the extrapolation R(h) = (4D(h) − D(2h))/3,
    whose error is O(h⁴). The error estimate is the largest of: how much R
    moved on each ladder over the last halving, how much the two ladders'
    R differ, and the roundoff bound 1.5·``ROUNDING``·ε·(|f| + |z·R|)/h′.
    Two ladders whose ratio is irrational cannot both alias with a periodic f
    (steps that are whole periods of sin 30z make one ladder look converged
    to a wrong value).

    The estimate with the smallest bound relative to max(|R|, ``floor``) is
    kept. A point stops once that bound is below ``settled``·|R| + ``floor``,
    or once the roundoff bound alone exceeds it (it doubles with every
    halving, so nothing later can do better). So a function that oscillates fast (sin 30z at z = 1000) ends up
    with a step of its own scale, not |z|'s, and a slowly varying one stops
    after three levels.

    ``f`` must map elementwise: it is called once a level, on z ± h and z ± h′
    of the points still searching, in one array. Points where z or ``fz``
    is not finite, or no estimate is, get an infinite error. ``max_step``
    (per point) keeps the steps off a kink or a domain edge.
    """
    with np.errstate(all="ignore"):  # silent, like everything here: overflow and 0/0 become inf/NaN
        return _richardson(f, z, fz, max_step, settled, max_levels, floor)


def _richardson(f, z, fz, max_step, settled, max_levels, floor) -> Derivative:
    z = as_array(z)
    shape = z.shape
    z = z.ravel()
    n = z.size
    fz = np.broadcast_to(as_array(f(z) if fz is None else fz), shape).ravel()
    best = np.full(n, np.nan)
    best_err = np.full(n, np.inf)
    best_step = np.zeros(n)
    best_score = np.full(n, np.inf)
    floor = max(floor, np.finfo(float).tiny)
    h0 = np.maximum(1.0, np.abs(z)) / 64.0
    if max_step is not None:
        h0 = np.minimum(h0, np.broadcast_to(as_array(max_step), shape).ravel())
    active = np.flatnonzero(np.isfinite(z) & np.isfinite(fz) & (h0 > 0))
    # per point and ladder: the last central difference and the last extrapolation
    d_last = np.full((2, n), np.nan)
    r_last = np.full((2, n), np.nan)
    ratio = np.array([[1.0], [BETA]])
    for level in range(max_levels):
        if active.size == 0:
            break
        za = z[active]
        h = h0[active] * 2.0 ** -level * ratio          # (2, m): both ladders
        up, down = za + h, za - h
        width = up - down
        both = as_array(f(np.concatenate([up.ravel(), down.ravel()])))
        fu, fd = both[:h.size].reshape(h.shape), both[h.size:].reshape(h.shape)
        d = (fu - fd) / width
        r = (4.0 * d - d_last[:, active]) / 3.0
        change = np.maximum(np.abs(r - r_last[:, active]).max(axis=0), np.abs(r[0] - r[1]))
        size = np.maximum(np.abs(fu), np.abs(fd)).max(axis=0) + np.abs(fz[active]) + np.abs(za * r[1])
        roundoff = 1.5 * ROUNDING * EPS * size / h[1]
        err = np.maximum(change, roundoff)
        err = np.where(np.isfinite(err) & np.isfinite(r[1]) & (width > 0).all(axis=0), err, np.inf)
        # compare relative bounds: at steps far beyond f's scale D ~ (f(z+h) − f(z−h))/2h is small,
        # and so is its absolute change, but not relative to itself
        score = err / np.maximum(np.abs(r[1]), floor)
        better = score < best_score[active]
        best_score[active[better]] = score[better]
        idx = active[better]
        best[idx], best_err[idx], best_step[idx] = r[1][better], err[better], h[1][better]
        d_last[:, active], r_last[:, active] = d, r
        b, be = best[active], best_err[active]
        done = be <= settled * np.abs(b) + floor
        # the roundoff bound doubles with every halving: once it passes the best, nothing later wins
        done |= roundoff / np.maximum(np.maximum(np.abs(r[1]), np.abs(b)), floor) >= best_score[active]
        done |= ~(width > 0).all(axis=0)  # steps below the spacing of floats at z
        active = active[~done]
    return Derivative(best.reshape(shape), best_err.reshape(shape), best_step.reshape(shape))


@dataclass(frozen=True)
class DerivativeMismatch:
    """Where an analytic derivative disagrees with the numerical one, and how widely."""

    z: float
    analytic: float
    numerical: float
    error: float                 #: the largest relative error, at ``z``
    count: int = 1               #: points where the derivative is wrong
    total: int = 1               #: points checked (the grid's size)
    variable: str = "z"          #: "z" for an activation, "y" for a loss
    params: tuple[tuple[str, float], ...] = ()

    def __str__(self) -> str:
        at = ", ".join([f"{self.variable}={self.z:.6g}", *(f"{k}={v:g}" for k, v in self.params)])
        text = (f"derivative disagrees with the numerical one at {self.variable}={self.z:.6g}: "
                f"analytic {self.analytic:.6g}, numerical {self.numerical:.6g}; "
                f"derivative wrong at {self.count} of {self.total} points "
                f"(largest relative error {self.error:.2g} at {at})")
        if self.count < WRONG_SHARE * self.total:
            text += f"; if f′ jumps there, declare the {self.variable} in kinks"
        return text


def near_kinks(z: Array, kinks, width: Array) -> Array:
    mask = np.zeros(z.shape, dtype=bool)
    for k in kinks or ():
        mask |= np.abs(z - float(k)) <= 2.0 * width
    return mask


def kink_distance(z: Array, kinks) -> Array:
    """Distance from each z to the nearest finite kink (inf when there is none)."""
    z = as_array(z)
    dist = np.full(z.shape, np.inf)
    for k in kinks or ():
        k = float(k)
        if np.isfinite(k):
            with np.errstate(invalid="ignore", over="ignore"):
                dist = np.fmin(dist, np.abs(z - k))
    return dist


def derivative_mismatch(
    f: Callable[[Array], Array],
    df: Callable[[Array], Array] | None,
    z,
    kinks=(),
    rtol: float = WRONG_RTOL,
    atol: float | None = None,
    fz: Array | None = None,
    dfz: Array | None = None,
    *,
    variable: str = "z",
    params=None,
    margin: float = MARGIN,
) -> DerivativeMismatch | None:
    """Compare the analytic derivative with :func:`richardson_derivative`; the verdict, or None.

    A point is wrong when the disagreement exceeds ``margin`` times the
    numerical derivative's own error estimate *and* its relative error
    |a − n|/max(|a|, |n|, floor) is at least ``rtol``. The derivative fails
    when at least 1 % of the points are wrong, or any point by 10·``rtol``.
    ``floor`` (``atol``; default 1e-12 × the median |f′| on the grid) keeps
    rounding in f's far tails, where f′ is ~0, from counting as an error.

    Points at a declared kink (within 1e-9·max(1, |z|)) and points where z,
    f or f′ is not finite are skipped; near a kink the steps stay on one
    side of it. Pass ``fz`` and ``dfz`` when already computed (the registry's
    probe has them): then ``df`` is not called at all and f only at z ± h.
    ``variable`` ("z", or "y" for a loss) and ``params`` (a mapping) name the
    worst point in the message.
    """
    with np.errstate(all="ignore"):
        return _mismatch(f, df, as_array(z), kinks, rtol, atol, fz, dfz, variable, params, margin)


def _mismatch(f, df, z, kinks, rtol, atol, fz, dfz, variable, params, margin) -> DerivativeMismatch | None:
    a = as_array(df(z) if dfz is None else dfz)
    fz = as_array(f(z) if fz is None else fz)
    a = np.broadcast_to(a, z.shape).ravel()
    fz = np.broadcast_to(fz, z.shape).ravel()
    zf = z.ravel()
    dist = kink_distance(zf, kinks)
    usable = np.isfinite(zf) & np.isfinite(a) & np.isfinite(fz)
    usable &= ~(dist <= 1e-9 * np.maximum(1.0, np.abs(zf)))
    if not usable.any():
        return None
    a = a[usable]
    if atol is None:
        atol = 1e-12 * _median(np.abs(a))
    floor = max(atol, np.finfo(float).tiny)
    num = richardson_derivative(f, zf[usable], fz=fz[usable], max_step=dist[usable] / 4.0, floor=floor)
    n, err = num.value, num.error
    diff = np.abs(a - n)
    rel = diff / np.maximum(np.maximum(np.abs(a), np.abs(n)), floor)
    wrong = np.isfinite(err) & (diff > margin * err) & (rel >= rtol)
    count = int(np.count_nonzero(wrong))
    total = int(z.size)
    if count == 0 or (count < WRONG_SHARE * total and not (wrong & (rel >= 10 * rtol)).any()):
        return None
    i = int(np.argmax(np.where(wrong, rel, -1.0)))
    named = tuple((str(k), float(v)) for k, v in dict(params or {}).items())
    return DerivativeMismatch(float(zf[usable][i]), float(a[i]), float(n[i]), float(rel[i]),
                              count, total, variable, named)

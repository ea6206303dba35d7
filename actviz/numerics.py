"""Stable numeric primitives, numerical derivatives and the derivative check.

Everything here is numpy only and silent: no function emits a floating-point
warning for any finite input, and none returns NaN where the true value is
finite. Plugins are welcome to import these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

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


@dataclass(frozen=True)
class DerivativeMismatch:
    """Where an analytic derivative disagrees most with the numerical one."""

    z: float
    analytic: float
    numerical: float
    error: float

    def __str__(self) -> str:
        return (f"derivative disagrees with the numerical one at z={self.z:.6g}: "
                f"analytic {self.analytic:.6g}, numerical {self.numerical:.6g}")


def near_kinks(z: Array, kinks, width: Array) -> Array:
    mask = np.zeros(z.shape, dtype=bool)
    for k in kinks or ():
        mask |= np.abs(z - float(k)) <= 2.0 * width
    return mask


def derivative_mismatch(
    f: Callable[[Array], Array],
    df: Callable[[Array], Array] | None,
    z,
    kinks=(),
    rtol: float = 1e-4,
    atol: float = 1e-6,
    fz: Array | None = None,
    dfz: Array | None = None,
) -> DerivativeMismatch | None:
    """Return the worst disagreement beyond tolerance, or None.

    Points within a couple of steps of a declared kink, and points where
    either side is not finite, are skipped: a central difference straddling
    a kink measures the average slope, not a mistake. Pass ``fz`` and ``dfz``
    when already computed (the registry's probe has them): then f is called
    only twice more.
    """
    z = as_array(z)
    h = step_size(z)
    with np.errstate(all="ignore"):
        a = as_array(df(z) if dfz is None else dfz)
        fz = as_array(f(z) if fz is None else fz)
        up, down = as_array(f(z + h)), as_array(f(z - h))
        n = (up - down) / (2.0 * h)
        # skip points where f bends sharply within the step (undeclared kinks)
        curvature = np.abs(up - 2 * fz + down) / h
    a = np.broadcast_to(a, z.shape)
    ok = np.isfinite(a) & np.isfinite(n) & ~near_kinks(z, kinks, h)
    # A kink shows as curvature of order |Δslope| in one step: skip those.
    ok &= ~(curvature > 1e-2 * np.maximum(1.0, np.abs(a)))
    if not ok.any():
        return None
    with np.errstate(all="ignore"):
        err = np.abs(a - n) / (atol + rtol * np.maximum(np.abs(a), np.abs(n)))
    err = np.where(ok, err, 0.0)
    i = int(np.argmax(err))
    if err[i] <= 1.0:
        return None
    return DerivativeMismatch(float(z[i]), float(a[i]), float(n[i]), float(err[i]))

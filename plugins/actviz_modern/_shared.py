"""Constants and numerically careful helpers shared by the modern activations and losses."""

from __future__ import annotations

import math

import numpy as np

SQRT2 = math.sqrt(2.0)
SQRT_2PI = math.sqrt(2.0 * math.pi)
LN2 = math.log(2.0)
LN_PI = math.log(math.pi)
#: SELU's fixed-point constants, as in torch.nn.SELU (Klambauer et al. 2017)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
#: √(2/π) and the cubic coefficient of GELU's tanh approximation
GELU_K = math.sqrt(2.0 / math.pi)
GELU_C = 0.044715
#: above this log-rate e^y is continued by a quadratic so that it stays finite (e^709.78 overflows)
EXP_CAP = 690.0


def _cases(top: str, bottom: str) -> str:
    """Two-line piecewise definition in the mathtext subset (no \\begin{cases} there)."""
    return r"\left\{\genfrac{}{}{0}{}{" + top + "}{" + bottom + r"}\right."


def _cases3(top: str, middle: str, bottom: str) -> str:
    """Three-line piecewise definition: nested \\genfrac, display style so all rows keep one size."""
    inner = r"\genfrac{}{}{0}{0}{" + middle + "}{" + bottom + "}"
    return r"\left\{\genfrac{}{}{0}{0}{" + top + "}{" + inner + r"}\right."


# ---------------------------------------------------------------- numerics

_ERFC = np.frompyfunc(math.erfc, 1, 1)


def _erfc(x):
    """erfc, elementwise, at libm's accuracy (≈1e-16 relative, no cancellation in the tails).

    Vectorising ``math.erfc`` costs ≈ 0.1 µs a point (≈ 0.2 ms for 2000), which is
    cheaper than carrying a rational approximation of our own and exact to the last bit.
    """
    x = np.asarray(x, dtype=float)
    return np.asarray(_ERFC(x), dtype=float).reshape(x.shape)


def _norm_cdf(z):
    """Φ(z) = ½ erfc(−z/√2): accurate in the lower tail, where 1 + erf would cancel."""
    return 0.5 * _erfc(-np.asarray(z, dtype=float) / SQRT2)


def _norm_pdf(z):
    z = np.asarray(z, dtype=float)
    return np.exp(-0.5 * z * z) / SQRT_2PI


def _sech2(z):
    """1 − tanh² z without overflow: 4e^{−2|z|}/(1+e^{−2|z|})²."""
    e = np.exp(-2.0 * np.abs(z))
    return 4.0 * e / (1.0 + e) ** 2


def _log_cosh(x):
    """ln cosh x = |x| + log1p(e^{−2|x|}) − ln 2, exact in both tails."""
    a = np.abs(x)
    return a + np.log1p(np.exp(-2.0 * a)) - LN2


def _capped_exp(y):
    """e^y, continued above y = 690 by its second-order Taylor polynomial so it never overflows.

    Value, slope and curvature match at the join (so central differences see no kink);
    at y = 1000 the continuation is ≈ 2e304, still finite.
    """
    y = np.asarray(y, dtype=float)
    d = np.maximum(y - EXP_CAP, 0.0)
    with np.errstate(over="ignore"):  # d² → inf only for y ≳ 1e154, where e^y overflows as well
        quadratic = math.exp(EXP_CAP) * (1.0 + d + 0.5 * d * d)
    return np.where(y <= EXP_CAP, np.exp(np.minimum(y, EXP_CAP)), quadratic)


def _poisson_nll(y, t):
    """e^y − t·y (e^y continued above 690); +inf, not inf − inf = NaN, where e^y's continuation overflows.

    Where the continuation is finite (y ≲ 3e4) t·y is too, so the difference is exact there.
    """
    e = _capped_exp(y)
    finite = np.isfinite(e)
    with np.errstate(over="ignore"):  # t·y overflows only where E truly does (|y| ≳ 1e307)
        return e - np.where(finite, t * np.where(finite, y, 0.0), 0.0)


def _capped_exp_slope(y):
    """The derivative of :func:`_capped_exp`."""
    y = np.asarray(y, dtype=float)
    d = np.maximum(y - EXP_CAP, 0.0)
    with np.errstate(over="ignore"):  # inf only for y ≳ 4e8, where e^y overflows as well
        linear = math.exp(EXP_CAP) * (1.0 + d)
    return np.where(y <= EXP_CAP, np.exp(np.minimum(y, EXP_CAP)), linear)


_LGAMMA = np.frompyfunc(math.lgamma, 1, 1)


def _lgamma1p(t):
    """ln Γ(t + 1) for t ≥ 0 (elementwise); NaN-free: t < 0 gives +inf (probability 0)."""
    t = np.asarray(t, dtype=float)
    out = np.full(t.shape, np.inf)
    ok = t >= 0
    out[ok] = np.asarray(_LGAMMA(t[ok] + 1.0), dtype=float)
    return out


# ------------------------------------------------------------- activations

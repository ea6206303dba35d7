"""The coin-flip demo: the Bernoulli likelihood of θ, its maximum, a Beta prior, and a seeded coin.

k heads in n flips gives ℓ(θ) = k ln θ + (n−k) ln(1−θ), peaked at θ̂ = k/n; the
mean binary cross-entropy of the constant prediction θ against the flips is
−ℓ(θ)/n, so minimising the loss is maximising the likelihood. Everything stays
in log space, so n = 10⁷ flips is as easy as 10. Numpy and the standard library only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

Array = np.ndarray


def _counts(k: int, n: int) -> tuple[int, int]:
    k, n = int(k), int(n)
    if n < 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 ≤ k ≤ n, got k={k}, n={n}")
    return k, n


def _coef_log(coef: float, x: Array) -> Array:
    """coef·ln x with 0·ln 0 = 0; ln of 0 is −inf (so ±inf when coef ≠ 0)."""
    if coef == 0:
        return np.zeros(x.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        return coef * np.log(x)


def _coef_log1m(coef: float, x: Array) -> Array:
    """coef·ln(1 − x), via log1p for accuracy near 0, with 0·ln 0 = 0."""
    if coef == 0:
        return np.zeros(x.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        return coef * np.log1p(-x)


def _outside(theta: Array) -> Array:
    return ~((theta >= 0) & (theta <= 1))  # also catches NaN


def log_likelihood(theta_grid, k: int, n: int) -> Array:
    """ℓ(θ) = k ln θ + (n−k) ln(1−θ); −inf only where the truth is (θ = 0 with k > 0, θ = 1 with k < n).

    θ outside [0, 1] is not a probability: −inf there.
    """
    k, n = _counts(k, n)
    theta = np.asarray(theta_grid, dtype=float)
    out = _coef_log(k, theta) + _coef_log1m(n - k, theta)
    return np.where(_outside(theta), -np.inf, out)


def normalised_likelihood(theta_grid, k: int, n: int) -> Array:
    """L(θ)/max L = exp(ℓ − max ℓ): peak 1, never underflowing as a whole even at n = 10⁷."""
    ll = log_likelihood(theta_grid, k, n)
    finite = np.isfinite(ll)
    if not finite.any():
        return np.zeros(ll.shape)
    with np.errstate(under="ignore"):
        return np.exp(ll - ll[finite].max())


def mle(k: int, n: int) -> float | None:
    """θ̂ = k/n, the maximiser of ℓ; None before the first flip."""
    k, n = _counts(k, n)
    return k / n if n else None


def mean_bce(theta_grid, k: int, n: int) -> Array | None:
    """Mean binary cross-entropy −t ln θ − (1−t) ln(1−θ) of the constant prediction θ over the flips.

    Computed from the loss's definition, one term per flip, with the k flips t = 1
    and the n − k flips t = 0 grouped (so 10⁷ flips cost two evaluations).
    None for n = 0: a mean over no flips is undefined.
    """
    k, n = _counts(k, n)
    if n == 0:
        return None
    theta = np.asarray(theta_grid, dtype=float)

    def bce(t: float) -> Array:  # the lecture's loss with 0·ln 0 = 0
        return -_coef_log(t, theta) - _coef_log(1.0 - t, 1.0 - theta)

    with np.errstate(over="ignore"):
        out = (k * bce(1.0) + (n - k) * bce(0.0)) / n if 0 < k < n else bce(1.0 if k else 0.0)
    return np.where(_outside(theta), np.inf, out)


# ---------------------------------------------------------------- Beta prior

def _beta_params(k: int, n: int, a: float, b: float) -> tuple[float, float]:
    k, n = _counts(k, n)
    if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"Beta prior needs a > 0 and b > 0, got a={a}, b={b}")
    return k + a, n - k + b


def log_posterior(theta_grid, k: int, n: int, a: float = 1.0, b: float = 1.0) -> Array:
    """ln of the posterior density Beta(θ; k+a, n−k+b) under a Beta(a, b) prior (normalised).

    With a < 1 (or b < 1) and no heads (tails) the density is +inf at θ = 0 (1), as it truly is.
    """
    alpha, beta = _beta_params(k, n, a, b)
    theta = np.asarray(theta_grid, dtype=float)
    log_b = math.lgamma(alpha) + math.lgamma(beta) - math.lgamma(alpha + beta)
    out = _coef_log(alpha - 1.0, theta) + _coef_log1m(beta - 1.0, theta) - log_b
    return np.where(_outside(theta), -np.inf, out)


def posterior_mean(k: int, n: int, a: float = 1.0, b: float = 1.0) -> float:
    """E[θ | data] = (k+a)/(n+a+b): the prior acts like a heads and b tails already seen."""
    alpha, beta = _beta_params(k, n, a, b)
    return alpha / (alpha + beta)


def map_estimate(k: int, n: int, a: float = 1.0, b: float = 1.0) -> float | None:
    """The posterior mode (k+a−1)/(n+a+b−2), where it exists.

    With α = k+a and β = n−k+b: both > 1 gives the formula. When one is ≤ 1 the
    density is monotone and the mode is the end it rises to (the formula clamped
    to [0, 1]): α ≤ 1 < β → 0, β ≤ 1 < α → 1. There is no single mode when the
    posterior is flat (α = β = 1, e.g. no flips under a uniform prior) or U-shaped
    (both < 1, where the formula would give the minimum): None then.
    """
    alpha, beta = _beta_params(k, n, a, b)
    if alpha > 1 and beta > 1:
        return min(max((alpha - 1.0) / (alpha + beta - 2.0), 0.0), 1.0)
    if alpha <= 1 < beta or (alpha < 1 and beta == 1):
        return 0.0
    if beta <= 1 < alpha or (beta < 1 and alpha == 1):
        return 1.0
    return None


# ---------------------------------------------------------------- likelihood interval

def likelihood_drop(level: float = 0.95) -> float:
    """χ²₁(level)/2: how far ℓ may fall below its peak inside the interval (1.920729… at 95 %)."""
    if not 0 < level < 1:
        raise ValueError("level must be in (0, 1)")
    z = NormalDist().inv_cdf(0.5 + 0.5 * level)  # χ²₁ quantile = z² at (1+level)/2
    return 0.5 * z * z


@dataclass(frozen=True)
class LikelihoodInterval:
    """{θ : ℓ(θ) ≥ ℓ(θ̂) − drop}, with the estimate it surrounds (None when n = 0)."""

    lower: float
    upper: float
    mle: float | None
    level: float
    drop: float


def likelihood_interval(k: int, n: int, level: float = 0.95) -> LikelihoodInterval:
    """The likelihood-ratio interval for θ, by bisection on each side of θ̂.

    At k = 0 it is [0, 1 − e^{−drop/n}], at k = n [e^{−drop/n}, 1]; n = 0 gives [0, 1].
    """
    k, n = _counts(k, n)
    drop = likelihood_drop(level)
    if n == 0:
        return LikelihoodInterval(0.0, 1.0, None, level, drop)
    hat = k / n

    def rel(theta: float) -> float:
        """ℓ(θ) − ℓ(θ̂), written as differences of logs so large n keeps its digits."""
        total = 0.0
        if k:
            if theta <= 0:
                return -math.inf
            total += k * (math.log(theta) - math.log(hat))
        if n - k:
            if theta >= 1:
                return -math.inf
            total += (n - k) * (math.log1p(-theta) - math.log1p(-hat))
        return total

    def boundary(inside: float, outside: float) -> float:
        for _ in range(2200):
            mid = 0.5 * (inside + outside)
            if mid in (inside, outside):
                break
            if rel(mid) >= -drop:
                inside = mid
            else:
                outside = mid
        return inside

    lower = 0.0 if k == 0 else boundary(hat, 0.0)
    upper = 1.0 if k == n else boundary(hat, 1.0)
    return LikelihoodInterval(lower, upper, hat, level, drop)


# ---------------------------------------------------------------- the simulated coin

class CoinSimulator:
    """A seeded coin with P(heads) = p: flips in bulk, remembers counts, a short history and a trajectory.

    The trajectory θ̂ after each flip is kept at checkpoints only: every flip up
    to 1000, then 250 log-spaced points per decade (≈ 2000 for 10⁷ flips), so
    memory grows with log n. ``reset()`` restarts the same random stream: the
    same seed and the same sequence of ``flip`` calls always give the same results.
    """

    DENSE = 1000
    PER_DECADE = 250
    HISTORY = 1000
    CHUNK = 1 << 20

    def __init__(self, p: float = 0.5, seed: int | None = None) -> None:
        self.p = self._check_p(p)
        self.seed = int(np.random.SeedSequence().entropy) if seed is None else int(seed)
        self.reset()

    @staticmethod
    def _check_p(p: float) -> float:
        p = float(p)
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be in [0, 1], got {p}")
        return p

    def reset(self, seed: int | None = None, p: float | None = None) -> None:
        """Forget all flips and restart the stream (from ``seed`` if given, else the current seed)."""
        if seed is not None:
            self.seed = int(seed)
        if p is not None:
            self.p = self._check_p(p)
        self._rng = np.random.default_rng(self.seed)
        self._n = 0
        self._heads = 0
        self._history = np.zeros(0, dtype=bool)
        self._j = 1  # index of the next checkpoint
        self._next = self._checkpoint(1)
        self._cp_n: list[int] = []
        self._cp_heads: list[int] = []

    @classmethod
    def _checkpoint(cls, j: int) -> int:
        if j <= cls.DENSE:
            return j
        return math.ceil(cls.DENSE * 10.0 ** ((j - cls.DENSE) / cls.PER_DECADE))

    @property
    def n(self) -> int:
        return self._n

    @property
    def heads(self) -> int:
        return self._heads

    @property
    def tails(self) -> int:
        return self._n - self._heads

    @property
    def estimate(self) -> float | None:
        """θ̂ = heads/n so far (None before the first flip)."""
        return mle(self._heads, self._n)

    def flip(self, m: int = 1) -> int:
        """Flip ``m`` times (vectorised, in chunks so 10⁷ flips stay in bounded memory); returns the heads."""
        m = int(m)
        if m < 0:
            raise ValueError("m must be ≥ 0")
        batch_heads = 0
        while m:
            size = min(m, self.CHUNK)
            draws = self._rng.random(size) < self.p
            end = self._n + size
            marks = []
            while self._next <= end:
                marks.append(self._next)
                self._j += 1
                self._next = self._checkpoint(self._j)
            if marks:
                pos = np.asarray(marks, dtype=np.int64) - self._n - 1
                cum = np.cumsum(draws[: pos[-1] + 1], dtype=np.int64)
                self._cp_n.extend(marks)
                self._cp_heads.extend((self._heads + cum[pos]).tolist())
            got = int(np.count_nonzero(draws))
            self._heads += got
            batch_heads += got
            self._n = end
            self._history = np.concatenate([self._history, draws[-self.HISTORY:]])[-self.HISTORY:]
            m -= size
        return batch_heads

    def recent(self, limit: int = 60) -> str:
        """The last ``limit`` flips (at most 1000) as 'H'/'T', oldest first."""
        limit = max(0, min(int(limit), self.HISTORY))
        tail = self._history[len(self._history) - limit:] if limit else self._history[:0]
        return "".join("H" if h else "T" for h in tail)

    def trajectory(self, max_points: int = 2000) -> tuple[Array, Array]:
        """(flip counts, θ̂ after that many flips), log-thinned to at most ``max_points`` points.

        The last point is always the current count.
        """
        ns = list(self._cp_n)
        hs = list(self._cp_heads)
        if self._n and (not ns or ns[-1] != self._n):
            ns.append(self._n)
            hs.append(self._heads)
        n_arr = np.asarray(ns, dtype=np.int64)
        h_arr = np.asarray(hs, dtype=np.int64)
        if n_arr.size > max_points >= 2:
            idx = np.unique(np.round(np.geomspace(1, n_arr.size, max_points)).astype(np.int64) - 1)
            n_arr, h_arr = n_arr[idx], h_arr[idx]
        return n_arr, (h_arr / np.maximum(n_arr, 1)).astype(float)

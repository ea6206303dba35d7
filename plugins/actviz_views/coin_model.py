"""The coin view's state and numbers, with no Qt: k heads in n flips, a simulated coin, a Beta prior.

Keys: ``k`` and ``n`` (the counts on show), ``source`` (``typed``, or
``simulation``: then k and n are the simulated coin's), ``p``, ``seed`` and
``flips`` (the simulated coin: its bias, its random stream and how many times
it has been flipped), ``prior``, ``a`` and ``b`` (a Beta(a, b) prior). Any set
of keys may be given in any order: :meth:`CoinModel.adjust` makes the
follow-ups (typing k or n switches to typed counts, flipping to the coin's,
lowering n below k drags k down).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from actviz.maths import coin
from actviz.models import ModelError, ViewModel
from actviz.specs import Choice, Param

MAX_FLIPS = 10_000_000
MAX_SEED = 2**31 - 1
COARSE = 501  # θ grid over [0, 1]
DENSE = 201  # extra θ points around each peak, so a peak of width 1/√n is resolved at n = 10⁷
CENTRAL = (0.01, 0.99)  # the y ranges of ℓ and the loss are fitted to θ in here (they are infinite at the ends)
TRAJECTORY_POINTS = 1000
WHOLE = ("k", "n", "seed", "flips")


class _Coin:
    """The simulated coin at (p, seed, flips), shared by a model and its trial copies (it is a pure function
    of those three): the same seed re-flips the same stream, so more flips only extend it."""

    def __init__(self) -> None:
        self.sim: coin.CoinSimulator | None = None

    def at(self, p: float, seed: int, flips: int) -> coin.CoinSimulator:
        sim = self.sim
        if sim is None or (sim.p, sim.seed) != (p, seed) or sim.n > flips:
            sim = self.sim = coin.CoinSimulator(p, seed)
        if sim.n < flips:
            sim.flip(flips - sim.n)
        return sim


class CoinModel(ViewModel):
    """The counts, the simulated coin and the prior of the coin view."""

    def declare(self, registry: Any):
        return (
            Param("k", 8, 0, MAX_FLIPS, 1, label="heads k", help="heads among the n flips (k ≤ n)"),
            Param("n", 10, 0, MAX_FLIPS, 1, label="flips n", help="number of flips"),
            Choice("source", "typed", ("typed", "simulation"), label="data from",
                   help="the typed k and n, or the simulated coin's counts"),
            Param("p", 0.3, 0.0, 1.0, 0.01, label="true bias p", help="P(heads) of the simulated coin"),
            Param("seed", 1, 0, MAX_SEED, 1, help="seed of the simulated coin's random stream"),
            Param("flips", 0, 0, MAX_FLIPS, 1, label="coin flips",
                  help="flip the simulated coin this many times from the seed (and use its counts)"),
            Choice("prior", "off", ("off", "on"), label="Beta prior", help="show a Beta(a, b) prior and posterior"),
            Param("a", 2.0, 0.1, 100.0, 0.1, label="prior a", help="Beta prior: like a heads already seen"),
            Param("b", 2.0, 0.1, 100.0, 0.1, label="prior b", help="Beta prior: like b tails already seen"),
        )

    def __init__(self, registry: Any = None, history: Any = None) -> None:
        self._coin = _Coin()
        super().__init__(registry, history)

    # -- what the view reads -------------------------------------------------------------------
    def counts(self) -> tuple[int, int]:
        """The (k, n) on show: typed, or the simulated coin's."""
        return int(self["k"]), int(self["n"])

    def simulator(self) -> coin.CoinSimulator:
        return self._coin.at(float(self["p"]), int(self["seed"]), int(self["flips"]))

    @property
    def prior_on(self) -> bool:
        return self["prior"] == "on"

    def flip(self, m: int) -> None:
        """Flip the coin ``m`` more times (at most up to 10⁷ flips) and use its counts."""
        self.update({"flips": min(int(self["flips"]) + max(int(m), 0), MAX_FLIPS), "source": "simulation"})

    def reset_coin(self) -> None:
        """Forget every flip: the stream restarts from the seed."""
        self.update({"flips": 0, "source": "simulation"})

    # -- rules ---------------------------------------------------------------------------------
    def adjust(self, changed: set[str], explicit: set[str]) -> set[str]:
        moved: set[str] = set()
        for name in WHOLE:  # checked here: the simulated coin below needs whole counts
            if self[name] != round(self[name]):
                raise ModelError(f"{name}={self[name]:g} must be a whole number")

        def put(name: str, value: Any) -> None:
            if self._values[name] != value:
                self._values[name] = value
                moved.add(name)

        if "source" not in explicit:
            if {"k", "n"} & explicit:  # typing a count starts from the counts on show
                put("source", "typed")
            elif "flips" in explicit:
                put("source", "simulation")
        if "n" in explicit and "k" not in explicit and self["k"] > self["n"]:
            put("k", self["n"])  # fewer flips than heads: k comes down with n
        if self["source"] == "simulation" and {"source", "p", "seed", "flips"} & (changed | moved):
            sim = self.simulator()
            for name, count in (("k", sim.heads), ("n", sim.n)):
                if name in explicit and self[name] != count:
                    raise ModelError(f"{name}={self[name]:g}: with source=simulation k and n are the simulated "
                                     f"coin's ({sim.heads} of {sim.n}); set source=typed to type them")
                put(name, float(count))
        return moved

    def validate(self) -> str:
        if self["k"] > self["n"]:
            return f"k={self['k']:g} heads cannot exceed n={self['n']:g} flips (raise n first)"
        return ""


# ---------------------------------------------------------------- numbers


def theta_grid(k: int, n: int, interval: coin.LikelihoodInterval | None, centres: list[float]) -> np.ndarray:
    """[0, 1] evenly, plus dense points around θ̂ (and the posterior mean); θ̂ itself is on the grid."""
    parts = [np.linspace(0.0, 1.0, COARSE)]
    if n and interval is not None:
        width = max(interval.upper - interval.lower, 1e-12)
        for c in centres:
            parts.append(np.clip(c + np.linspace(-2.0, 2.0, DENSE) * width, 0.0, 1.0))
        parts.append(np.array([k / n]))
    return np.unique(np.concatenate(parts))


@dataclass
class Counts:
    """Plots 1–3 for (k, n): L/L(θ̂), ℓ and the mean BCE over θ, the peak, the interval and y ranges."""

    k: int
    n: int
    theta: np.ndarray
    lik: np.ndarray
    loglik: np.ndarray
    bce: np.ndarray
    neg_ll_over_n: np.ndarray
    theta_hat: float | None
    interval: coin.LikelihoodInterval | None
    at_hat: int
    ll_range: tuple[float, float] | None
    bce_range: tuple[float, float] | None
    infinite_ends: list[float]

    @property
    def empty(self) -> bool:
        return self.n == 0


def counts(k: int, n: int, prior: tuple[float, float] | None = None) -> Counts:
    """Everything plots 1–3 draw for k heads in n flips (``prior`` = (a, b) adds grid points at its mean)."""
    empty = np.zeros(0)
    if n == 0:
        grid = theta_grid(k, n, None, [])
        return Counts(k, n, grid, empty, empty, empty, empty, None, None, 0, None, None, [])
    interval = coin.likelihood_interval(k, n)
    hat = coin.mle(k, n)
    centres = [hat] + ([coin.posterior_mean(k, n, *prior)] if prior else [])
    theta = theta_grid(k, n, interval, centres)
    lik = coin.normalised_likelihood(theta, k, n)
    loglik = coin.log_likelihood(theta, k, n)
    bce = coin.mean_bce(theta, k, n)
    at = int(np.searchsorted(theta, hat))
    # ℓ → −∞ and the loss → +∞ at the ends: fit the y ranges to θ in CENTRAL, where both are finite
    central = (theta >= CENTRAL[0]) & (theta <= CENTRAL[1])
    top, low = float(loglik[at]), float(np.min(loglik[central]))
    span = max(top - low, 1e-9 * max(1.0, abs(top)))
    bottom, high = float(bce[at]), float(np.max(bce[central]))
    span_b = max(high - bottom, 1e-9 * max(1.0, abs(bottom)))
    ends = [t for t, bad in ((0.0, k > 0), (1.0, k < n)) if bad]
    return Counts(k, n, theta, lik, loglik, bce, -loglik / n, hat, interval, at, (low, top + 0.05 * span),
                  (bottom - 0.05 * span_b, high), ends)


@dataclass
class Posterior:
    """Plot 4: the Beta(a, b) prior and the posterior Beta(k+a, n−k+b) over θ, its MAP and mean."""

    prior: np.ndarray
    posterior: np.ndarray
    map: float | None
    mean: float
    map_height: float
    mean_height: float
    top: float
    infinite: bool


def posterior(theta: np.ndarray, k: int, n: int, a: float, b: float) -> Posterior:
    prior = np.exp(coin.log_posterior(theta, 0, 0, a, b))
    post = np.exp(coin.log_posterior(theta, k, n, a, b))
    finite = post[np.isfinite(post)]
    top = float(finite.max()) if finite.size else 1.0

    def height(x: float | None) -> float:
        if x is None:
            return 0.0
        d = float(np.exp(coin.log_posterior(np.array([x]), k, n, a, b))[0])
        return d if np.isfinite(d) else top

    best, mean = coin.map_estimate(k, n, a, b), coin.posterior_mean(k, n, a, b)
    infinite = not (np.isfinite(post).all() and np.isfinite(prior).all())
    return Posterior(prior, post, best, mean, height(best), height(mean), top, infinite)


def band(lower: float, upper: float, top: float) -> tuple[np.ndarray, np.ndarray]:
    """A filled rectangle over [lower, upper] up to ``top``."""
    return np.array([lower, lower, upper, upper]), np.array([0.0, top, top, 0.0])


def decade_ticks(low: float, high: float, most: int = 8) -> tuple[list[float], list[float]]:
    """log10 positions of labelled decades (at most ``most``) and of unlabelled 2…9 minor ticks in [low, high]."""
    first, last = int(np.ceil(low - 1e-9)), int(np.floor(high + 1e-9))
    step = max(1, -(-(last - first + 1) // most))
    major = [float(d) for d in range(first, last + 1) if d % step == 0]
    minor = []
    if step == 1:
        for d in range(first - 1, last + 1):
            minor += [m for m in (d + np.log10(np.arange(2, 10))).tolist() if low <= m <= high]
    return major, minor


def count_label(exponent: float) -> str:
    """A plain label for 10^exponent flips: 1, 10, 100, 1 000 … 10 000 000 (thin spaces between thousands)."""
    value = 10.0 ** exponent
    if abs(exponent - round(exponent)) > 1e-6 or not 0 <= value < 1e12:
        return ""
    return f"{round(value):,}".replace(",", "\u2009")

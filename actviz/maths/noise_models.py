"""Stock noise models: the likelihoods whose negative logs are the common losses.

Plugins reuse these in ``Loss(noise_model=...)``. Each log-density is
elementwise in (t, y) and silent for every finite input.
"""

from __future__ import annotations

import math

import numpy as np

from actviz.numerics import xlogy
from actviz.specs import NoiseModel

LN_2PI = math.log(2.0 * math.pi)


def _clip_prob(y):
    return np.clip(np.asarray(y, dtype=float), 0.0, 1.0)


def gaussian(sigma_param: str | None = None) -> NoiseModel:
    """t = y + η, η ~ N(0, σ²); σ = 1 unless the loss has a parameter named ``sigma_param``."""

    def sigma(params) -> float:
        return float(params.get(sigma_param, 1.0)) if sigma_param else 1.0

    def log_density(t, y, **params):
        s = sigma(params)
        r = (np.asarray(t, dtype=float) - np.asarray(y, dtype=float)) / s
        return -0.5 * r * r - math.log(s) - 0.5 * LN_2PI

    def sample(y, n, rng, **params):
        return float(y) + sigma(params) * rng.standard_normal(int(n))

    return NoiseModel("Gaussian", log_density, sample, support="real", estimator="mean",
                      formula=r"p(t\,|\,y)=\frac{1}{\sigma\sqrt{2\pi}}e^{-\frac{(t-y)^2}{2\sigma^2}}")


def laplace(scale_param: str | None = None) -> NoiseModel:
    """t = y + η, η ~ Laplace(0, b); its maximum-likelihood location is the median."""

    def scale(params) -> float:
        return float(params.get(scale_param, 1.0)) if scale_param else 1.0

    def log_density(t, y, **params):
        b = scale(params)
        return -np.abs(np.asarray(t, dtype=float) - np.asarray(y, dtype=float)) / b - math.log(2.0 * b)

    def sample(y, n, rng, **params):
        return float(y) + rng.laplace(0.0, scale(params), int(n))

    return NoiseModel("Laplace", log_density, sample, support="real", estimator="median",
                      formula=r"p(t\,|\,y)=\frac{1}{2b}e^{-|t-y|/b}")


def bernoulli() -> NoiseModel:
    """t ∈ {0, 1} with P(t = 1) = y; the maximum-likelihood y is the proportion of ones."""

    def log_density(t, y, **params):
        t = np.asarray(t, dtype=float)
        y = _clip_prob(y)
        return xlogy(t, y) + xlogy(1.0 - t, 1.0 - y)

    def sample(y, n, rng, **params):
        return (rng.random(int(n)) < float(y)).astype(float)

    return NoiseModel("Bernoulli", log_density, sample, support="binary", estimator="proportion",
                      formula=r"p(t\,|\,y)=y^t(1-y)^{1-t}")


def categorical(classes_param: str = "K") -> NoiseModel:
    """K classes: class 1 has probability y, the other K−1 share 1−y evenly.

    t is the target's class-1 indicator (1: class 1, 0: another class).
    """

    def classes(params) -> float:
        return float(params.get(classes_param, 3.0))

    def log_density(t, y, **params):
        t = np.asarray(t, dtype=float)
        y = _clip_prob(y)
        return xlogy(t, y) + xlogy(1.0 - t, (1.0 - y) / (classes(params) - 1.0))

    def sample(y, n, rng, **params):
        return (rng.random(int(n)) < float(y)).astype(float)

    return NoiseModel("categorical", log_density, sample, support="categorical", estimator="proportion",
                      formula=r"p(c\,|\,y)=y^{[c=1]}\left(\frac{1-y}{K-1}\right)^{[c\neq 1]}")

"""Regression and classification losses, each with the noise model it is the likelihood of."""

from __future__ import annotations

import math

import numpy as np

from actviz.numerics import log_sigmoid, sigmoid, softplus
from actviz.specs import Loss, NoiseModel, Param
from actviz_modern._shared import (
    LN_PI,
    SQRT2,
    SQRT_2PI,
    _capped_exp,
    _capped_exp_slope,
    _cases,
    _lgamma1p,
    _log_cosh,
    _poisson_nll,
)


def _huber_type(x, k, s2):
    """The quadratic-core/linear-tail family: x²/(2s²) for |x| < k, else (k/s²)(|x| − k/2).

    Huber(δ) is k = δ, s² = 1; PyTorch's smooth L1 (β) is k = β, s² = β.
    """
    a = np.abs(x)
    return np.where(a < k, 0.5 * x * x / s2, (k / s2) * (a - 0.5 * k))


def _huber_type_log_z(k, s2) -> float:
    """ln ∫ exp(−huber_type(x)) dx = ln(√(2π)·s·erf(k/(s√2)) + 2e^{−k²/(2s²)}·s²/k)."""
    s = math.sqrt(s2)
    return math.log(SQRT_2PI * s * math.erf(k / (s * SQRT2)) + 2.0 * math.exp(-0.5 * k * k / s2) * s2 / k)


def _huber_type_sample(n, rng, k, s2):
    """Draw n values from exp(−huber_type(x))/Z: a truncated normal core and exponential tails."""
    n = int(n)
    s = math.sqrt(s2)
    core_mass = SQRT_2PI * s * math.erf(k / (s * SQRT2))
    n_core = int(rng.binomial(n, core_mass / math.exp(_huber_type_log_z(k, s2)))) if n else 0
    core = np.empty(0)
    while core.size < n_core:  # rejection from N(0, s²); acceptance erf(k/(s√2)) ≥ 8 % in range
        draw = s * rng.standard_normal(2 * (n_core - core.size) + 16)
        core = np.concatenate([core, draw[np.abs(draw) < k]])
    tails = (k + rng.exponential(s2 / k, n - n_core)) * rng.choice([-1.0, 1.0], n - n_core)
    out = np.concatenate([core[:n_core], tails])
    rng.shuffle(out)
    return out


def _huber_type_noise(name, k_param, s2_of, formula) -> NoiseModel:
    def ks(params):
        k = float(params[k_param])
        return k, float(s2_of(k))

    def log_density(t, y, **params):
        k, s2 = ks(params)
        return -_huber_type(np.asarray(t, dtype=float) - np.asarray(y, dtype=float), k, s2) - _huber_type_log_z(k, s2)

    def sample(y, n, rng, **params):
        k, s2 = ks(params)
        return float(y) + _huber_type_sample(n, rng, k, s2)

    return NoiseModel(name, log_density, sample, support="real", estimator="", formula=formula)


def _poisson_log_density(t, y, **params):
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    return t * y - _capped_exp(y) - _lgamma1p(t)


def _poisson_sample(y, n, rng, **params):
    # λ = e^y, capped at e^40 ≈ 2.4e17 (numpy's Poisson sampler refuses λ beyond ≈ 1e19)
    return rng.poisson(math.exp(min(float(y), 40.0)), int(n)).astype(float)


def _gaussian_nll(y, t, var):
    """½ ln σ² + ½(y−t)²/σ², as ½ ln σ² + s² with s = (y−t)·√(1/(2σ²)).

    Squaring (y−t) first overflows at |y−t| ≈ 1.3e154 although E stays finite up to
    |y−t| ≈ 1.9e154·σ; s² overflows only where E itself does.
    """
    with np.errstate(over="ignore"):  # s or s² = inf exactly where the true E exceeds float64
        s = (y - t) * math.sqrt(0.5 / var)
        return 0.5 * math.log(var) + s * s


def _gaussian_var_log_density(t, y, var, **params):
    r = np.asarray(t, dtype=float) - np.asarray(y, dtype=float)
    return -0.5 * (math.log(2.0 * math.pi * var) + r * r / var)


def _hypsecant_sample(y, n, rng, **params):
    u = 1.0 - rng.random(int(n))  # in (0, 1]: the inverse CDF ln tan(πu/2) stays finite
    return float(y) + np.log(np.tan(0.5 * math.pi * u))


def _bernoulli_logit_log_density(t, y, **params):
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    return t * log_sigmoid(y) + (1.0 - t) * log_sigmoid(-y)


def _bernoulli_logit_sample(y, n, rng, **params):
    return (rng.random(int(n)) < float(sigmoid(float(y)))).astype(float)


def _bce_with_logits(y, t):
    """softplus(y) − t·y as max(y, 0) − t·y + log1p(e^{−|y|}) (TensorFlow's form).

    For t ∈ {0, 1} the first two terms cancel exactly where E is tiny (t = 1, y ≫ 0 or
    t = 0, y ≪ 0), so E ≈ e^{−|y|} keeps its relative accuracy instead of rounding to 0.
    """
    return np.maximum(y, 0.0) - t * y + np.log1p(np.exp(-np.abs(y)))


def _sign_target(t):
    """Map a soft-margin target to ±1: t > 0 is the positive class, t ≤ 0 (−1, or 0) the negative."""
    return np.where(np.asarray(t, dtype=float) > 0, 1.0, -1.0)


def _soft_margin_log_density(t, y, **params):
    return log_sigmoid(_sign_target(t) * np.asarray(y, dtype=float))


def _soft_margin_sample(y, n, rng, **params):
    return np.where(rng.random(int(n)) < float(sigmoid(float(y))), 1.0, -1.0)


REAL_TARGET = Param("t", 1.0, -3.0, 3.0, step=0.05, label="target t")

LOSSES = (
    Loss(
        name="huber", label="Huber",
        formula=r"E=" + _cases(r"\frac{1}{2}(y-t)^2 \quad |y-t|<\delta",
                                r"\delta\left(|y-t|-\frac{\delta}{2}\right) \quad \mathrm{otherwise}"),
        function=lambda y, t, delta: _huber_type(y - t, delta, 1.0),
        gradient=lambda y, t, delta: np.clip(y - t, -delta, delta),
        gradient_formula=r"\frac{\partial E}{\partial y}=\mathrm{clip}(y-t,\ -\delta,\ \delta)",
        params=(Param("delta", 1.0, 0.1, 5.0, step=0.05, label="δ",
                      help="Where the quadratic core turns linear; PyTorch's default 1.0 (must be > 0)."),),
        target=REAL_TARGET,
        noise_model=_huber_type_noise(
            "Huber", "delta", lambda k: 1.0,
            r"p(t\,|\,y)=\frac{e^{-H_\delta(t-y)}}{\sqrt{2\pi}\,\mathrm{erf}(\delta/\sqrt{2})+2e^{-\delta^2/2}/\delta}"),
        notes=("torch.nn.HuberLoss(delta=1.0): squared error near the target, absolute error "
               "(scaled by δ) beyond δ, so outliers pull with a bounded force δ. Its gradient is "
               "continuous (y − t clipped to ±δ); only the curvature jumps at t ± δ. It is the negative "
               "log of Huber's least-favourable density, a Gaussian core with Laplace tails, normalised "
               "by √(2π)(2Φ(δ) − 1) + 2e^{−δ²/2}/δ. Its maximum-likelihood location has no closed form "
               "(an M-estimator between mean and median)."),
    ),
    Loss(
        name="smooth_l1", label="Smooth L1",
        formula=r"E=" + _cases(r"\frac{(y-t)^2}{2\beta} \quad |y-t|<\beta",
                                r"|y-t|-\frac{\beta}{2} \quad \mathrm{otherwise}"),
        function=lambda y, t, beta: _huber_type(y - t, beta, beta),
        gradient=lambda y, t, beta: np.clip((y - t) / beta, -1.0, 1.0),
        gradient_formula=r"\frac{\partial E}{\partial y}=\mathrm{clip}\left(\frac{y-t}{\beta},\ -1,\ 1\right)",
        params=(Param("beta", 1.0, 0.1, 5.0, step=0.05, label="β",
                      help="Width of the quadratic core; PyTorch's default 1.0 (β = 0 is L1)."),),
        target=REAL_TARGET,
        noise_model=_huber_type_noise(
            "smooth-L1", "beta", lambda k: k,
            r"p(t\,|\,y)=\frac{e^{-E}}{\sqrt{2\pi\beta}\,\mathrm{erf}\sqrt{\beta/2}+2e^{-\beta/2}}"),
        notes=("torch.nn.SmoothL1Loss(beta=1.0) (Fast R-CNN's box regression loss): Huber divided "
               "by β, so the linear tails always have slope 1 while the core narrows as β → 0 "
               "(towards L1). For β = 1 it equals Huber with δ = 1. Its density exp(−E) normalises to "
               "√(2πβ)·erf(√(β/2)) + 2e^{−β/2}."),
    ),
    Loss(
        name="poisson_nll", label="Poisson NLL (log input)",
        formula=r"E=e^{y}-t\,y",
        function=_poisson_nll,
        gradient=lambda y, t: _capped_exp_slope(y) - t,
        gradient_formula=r"\frac{\partial E}{\partial y}=e^{y}-t",
        target=Param("t", 2.0, 0.0, 10.0, step=1.0, label="count t",
                     help="A non-negative count (PyTorch also accepts non-integer targets)."),
        noise_model=NoiseModel(
            "Poisson", _poisson_log_density, _poisson_sample, support="real", estimator="",
            formula=r"p(t\,|\,y)=\frac{\lambda^{t}e^{-\lambda}}{t!},\quad \lambda=e^{y}"),
        notes=("torch.nn.PoissonNLLLoss(log_input=True, full=False): y is the log of the Poisson "
               "rate λ = e^y and t a count; E is −ln p(t | λ) without the ln t! term, which does not "
               "depend on y (full=True adds a Stirling approximation of it). Minimised at y = ln t; "
               "over a data set the maximum-likelihood y is ln(mean t). The noise model is a pmf over "
               "the counts t = 0, 1, 2, …; between integers its curve is the Γ-function interpolation, "
               "not a density. Where e^y would overflow it is continued (beyond y = 690, by its "
               "second-order Taylor polynomial) so the curve stays finite."),
    ),
    Loss(
        name="gaussian_nll", label="Gaussian NLL",
        formula=r"E=\frac{1}{2}\left(\ln\sigma^2+\frac{(y-t)^2}{\sigma^2}\right)",
        function=_gaussian_nll,
        gradient=lambda y, t, var: (y - t) / var,
        gradient_formula=r"\frac{\partial E}{\partial y}=\frac{y-t}{\sigma^2}",
        params=(Param("var", 1.0, 0.05, 5.0, step=0.05, label="variance σ²",
                      help="The predicted variance (here a fixed parameter, not a second output)."),),
        target=REAL_TARGET,
        noise_model=NoiseModel(
            "Gaussian (variance σ²)", _gaussian_var_log_density,
            lambda y, n, rng, var: float(y) + math.sqrt(var) * rng.standard_normal(int(n)),
            support="real", estimator="mean",
            formula=r"p(t\,|\,y)=\frac{1}{\sqrt{2\pi\sigma^2}}e^{-\frac{(t-y)^2}{2\sigma^2}}"),
        notes=("torch.nn.GaussianNLLLoss with its default full=False (the constant ½ln 2π is dropped; "
               "PyTorch also clamps var below at eps = 1e-6). In a network the variance is a second "
               "output, and ½ln σ² is what stops it from growing without bound; with σ² = 1 this is "
               "squared error plus a constant. Small σ² sharpens the bowl: ∂E/∂y is scaled by 1/σ²."),
    ),
    Loss(
        name="log_cosh", label="Log-cosh",
        formula=r"E=\ln\cosh(y-t)",
        function=lambda y, t: _log_cosh(y - t),
        gradient=lambda y, t: np.tanh(y - t),
        gradient_formula=r"\frac{\partial E}{\partial y}=\tanh(y-t)",
        target=REAL_TARGET,
        noise_model=NoiseModel(
            "hyperbolic secant",
            lambda t, y, **params: -LN_PI - _log_cosh(np.asarray(t, dtype=float) - np.asarray(y, dtype=float)),
            _hypsecant_sample, support="real", estimator="",
            formula=r"p(t\,|\,y)=\frac{1}{\pi\cosh(t-y)}"),
        notes=("Not in torch.nn; Keras/TensorFlow's LogCosh loss. Like a smooth Huber: ≈ ½(y−t)² "
               "near the target, ≈ |y−t| − ln 2 far away, with a gradient tanh(y − t) bounded by 1. "
               "Computed as |x| + log1p(e^{−2|x|}) − ln 2 so that cosh never overflows. It is the "
               "negative log of the hyperbolic secant density 1/(π cosh(t − y)), up to ln π."),
    ),
    Loss(
        name="soft_margin", label="Soft margin (logistic)",
        formula=r"E=\ln\left(1+e^{-t\,y}\right)",
        function=lambda y, t: softplus(-t * y),
        gradient=lambda y, t: -t * sigmoid(-t * y),
        gradient_formula=r"\frac{\partial E}{\partial y}=-t\,\sigma(-t\,y)",
        target=Param("t", 1.0, -1.0, 1.0, step=2.0, label="label t",
                     help="The class label, −1 or +1."),
        noise_model=NoiseModel(
            "Bernoulli (±1 labels)", _soft_margin_log_density, _soft_margin_sample,
            support="binary", estimator="",
            formula=r"P(t\,|\,y)=\sigma(t\,y)=\frac{1}{1+e^{-t\,y}},\quad t\in\{-1,1\}"),
        notes=("torch.nn.SoftMarginLoss: the logistic loss with ±1 labels, a smooth hinge that "
               "keeps pushing the margin t·y up. Identical to bce_with_logits after mapping t = −1 → 0. "
               "The noise model is P(t = 1) = σ(y); its log-density also accepts t = 0 for the "
               "negative class, and it samples ±1. The maximum-likelihood y is the logit of the "
               "proportion of positives."),
    ),
    Loss(
        name="bce_with_logits", label="BCE with logits",
        formula=r"E=-t\ln\sigma(y)-(1-t)\ln(1-\sigma(y))=\ln(1+e^{y})-t\,y",
        function=_bce_with_logits,
        gradient=lambda y, t: sigmoid(y) - t,
        gradient_formula=r"\frac{\partial E}{\partial y}=\sigma(y)-t",
        target=Param("t", 1.0, 0.0, 1.0, step=0.01, label="target t",
                     help="The probability of class 1, usually 0 or 1."),
        noise_model=NoiseModel(
            "Bernoulli (logit)", _bernoulli_logit_log_density, _bernoulli_logit_sample,
            support="binary", estimator="",
            formula=r"p(t\,|\,y)=\sigma(y)^t(1-\sigma(y))^{1-t}"),
        notes=("torch.nn.BCEWithLogitsLoss (pos_weight = 1): binary cross-entropy taking the logit y "
               "instead of the probability, computed as max(y, 0) − t·y + ln(1 + e^{−|y|}), so it stays finite and "
               "accurate where BCELoss on σ(y) would take ln 0 (PyTorch clamps that log at −100). "
               "The gradient σ(y) − t is bounded: no stall when confidently wrong. The maximum-"
               "likelihood y is the logit of the proportion of ones. Keras: "
               "BinaryCrossentropy(from_logits=True)."),
    ),
)

"""The modern catalogue: PyTorch's element-wise activations and common losses.

A built-in plugin (entry point ``modern``), separate from the lecture set: it
adds every element-wise activation of ``torch.nn`` the lecture does not
already have, and the regression / classification losses used with them.
Values, defaults and the derivative at kinks follow PyTorch's documentation
and its autograd kernels; where Keras/TensorFlow differ the notes say so.
Formulas use the mathtext subset of LaTeX. Everything is numpy only, silent
and finite for every z in [−1000, 1000] and every parameter in range.
"""

from __future__ import annotations

import math

import numpy as np

import actviz
from actviz.numerics import log_sigmoid, sigmoid, softplus
from actviz.specs import Activation, Loss, NoiseModel, Param

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

def _gelu(z):
    return z * _norm_cdf(z)


def _gelu_derivative(z):
    return _norm_cdf(z) + z * _norm_pdf(z)


#: beyond this |z| the tanh approximation's u = √(2/π)(z + 0.044715z³) saturates σ(±2u) exactly
GELU_TANH_CLIP = 1e5


def _gelu_tanh_u(z):
    """u(z); z is clipped to ±1e5 first (u ≈ 1.8e13 there), so z³ never overflows."""
    zc = np.clip(z, -GELU_TANH_CLIP, GELU_TANH_CLIP)
    return GELU_K * (zc + GELU_C * zc * zc * zc)


def _gelu_tanh(z):
    # ½z(1 + tanh u) = z·σ(2u): no cancellation where tanh u → −1
    return z * sigmoid(2.0 * _gelu_tanh_u(z))


def _gelu_tanh_derivative(z):
    u = _gelu_tanh_u(z)
    s = sigmoid(2.0 * u)
    zc = np.clip(z, -GELU_TANH_CLIP, GELU_TANH_CLIP)
    du = GELU_K * (1.0 + 3.0 * GELU_C * zc * zc)
    # d/dz σ(2u) = 2σ(2u)σ(−2u)·u′ = ½ sech²(u)·2u′ … written with σ to stay finite; the bracket is
    # exactly 0 where σ saturates (|z| ≳ 10), so z·0 = 0 even at z = 1e308 (z·2 would overflow first)
    return s + (2.0 * s * sigmoid(-2.0 * u) * du) * z


def _silu(z):
    return z * sigmoid(z)


def _silu_derivative(z):
    s = sigmoid(z)
    return s + z * s * sigmoid(-z)


def _mish(z):
    return z * np.tanh(softplus(z))


def _mish_derivative(z):
    sp = softplus(z)
    return np.tanh(sp) + z * _sech2(sp) * sigmoid(z)


def _elu_part(z, alpha, inner=1.0):
    """α(e^{z·inner} − 1) for z ≤ 0, never evaluating e of a large positive number."""
    return alpha * np.expm1(np.minimum(z, 0.0) * inner)


def _selu(z):
    return SELU_SCALE * np.where(z > 0, z, _elu_part(z, SELU_ALPHA))


def _selu_derivative(z):
    return SELU_SCALE * np.where(z > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(z, 0.0)))


def _celu(z, alpha):
    return np.where(z > 0, z, _elu_part(z, alpha, 1.0 / alpha))


def _celu_derivative(z, alpha):
    return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0) / alpha))


def _softshrink(z, lambd):
    return np.where(z > lambd, z - lambd, np.where(z < -lambd, z + lambd, 0.0))


def _shrink_derivative(z, lambd):
    # PyTorch's softshrink/hardshrink backward: 0 on the closed band [−λ, λ]
    return np.where((z >= -lambd) & (z <= lambd), 0.0, 1.0)


def _softplus_beta(z, beta, threshold):
    bz = beta * z
    return np.where(bz > threshold, z, softplus(bz) / beta)


def _softplus_beta_derivative(z, beta, threshold):
    bz = beta * z
    return np.where(bz > threshold, 1.0, sigmoid(bz))



ACTIVATIONS = (
    Activation(
        name="gelu", label="GELU (exact)",
        formula=r"f(z)=z\,\Phi(z)=\frac{z}{2}\left(1+\mathrm{erf}\frac{z}{\sqrt{2}}\right)",
        function=_gelu, derivative=_gelu_derivative,
        derivative_formula=r"f'(z)=\Phi(z)+z\,\phi(z),\quad \phi(z)=\frac{e^{-z^2/2}}{\sqrt{2\pi}}",
        notes=("Gaussian error linear unit, torch.nn.GELU() with approximate='none': the input "
               "weighted by the probability Φ(z) that a standard normal falls below it. Smooth and "
               "non-monotone (a shallow dip to −0.17 near z = −0.75); the default in BERT and GPT-style "
               "transformers. Φ is computed from erfc so the lower tail keeps full relative accuracy. "
               "Keras's gelu defaults to the exact form too (approximate=False)."),
    ),
    Activation(
        name="gelu_tanh", label="GELU (tanh approximation)",
        formula=r"f(z)=\frac{z}{2}\left(1+\tanh\left(\sqrt{2/\pi}\,(z+0.044715z^3)\right)\right)",
        function=_gelu_tanh, derivative=_gelu_tanh_derivative,
        derivative_formula=(r"f'(z)=\frac{1+\tanh u}{2}+\frac{z}{2}\,\mathrm{sech}^2u\;"
                            r"\sqrt{2/\pi}\,(1+0.134145z^2),\quad u=\sqrt{2/\pi}\,(z+0.044715z^3)"),
        notes=("torch.nn.GELU(approximate='tanh'): the original BERT/GPT-2 approximation, within "
               "≈ 5e-4 of the exact GELU everywhere. Computed as z·σ(2u), which equals the formula and "
               "does not lose precision where tanh u → −1."),
    ),
    Activation(
        name="silu", label="SiLU (Swish)",
        formula=r"f(z)=z\,\sigma(z)=\frac{z}{1+e^{-z}}",
        function=_silu, derivative=_silu_derivative,
        derivative_formula=r"f'(z)=\sigma(z)\,(1+z\,(1-\sigma(z)))",
        notes=("Sigmoid-weighted linear unit, torch.nn.SiLU. Swish (Ramachandran et al.) is "
               "z·σ(βz); PyTorch and Keras's swish/silu fix β = 1. Smooth, non-monotone, minimum "
               "≈ −0.278 at z ≈ −1.28; unbounded above like ReLU."),
    ),
    Activation(
        name="mish", label="Mish",
        formula=r"f(z)=z\,\tanh(\mathrm{softplus}(z))=z\,\tanh\ln(1+e^{z})",
        function=_mish, derivative=_mish_derivative,
        derivative_formula=(r"f'(z)=\tanh(\mathrm{softplus}\,z)+z\,\mathrm{sech}^2(\mathrm{softplus}\,z)"
                            r"\,\sigma(z)"),
        notes=("torch.nn.Mish (Misra 2019): a smooth, non-monotone ReLU-like curve, close to SiLU "
               "but with a slightly deeper negative dip (≈ −0.309)."),
    ),
    Activation(
        name="selu", label="SELU",
        formula=r"f(z)=\lambda" + _cases(r"z \quad z>0", r"\alpha(e^{z}-1) \quad z\leq 0"),
        function=_selu, derivative=_selu_derivative,
        derivative_formula=r"f'(z)=\lambda" + _cases(r"1 \quad z>0", r"\alpha e^{z} \quad z\leq 0"),
        kinks=lambda: [0.0],
        notes=("Scaled ELU, torch.nn.SELU, with the fixed constants α ≈ 1.6732632 and λ ≈ 1.0507010 "
               "that make zero mean and unit variance a fixed point of a deep stack (self-normalising "
               "networks; needs LeCun-normal init and AlphaDropout). f′ jumps at 0 from λα ≈ 1.758 to "
               "λ ≈ 1.051; f′(0) = λα, PyTorch's convention (its ELU backward uses the z ≤ 0 branch)."),
    ),
    Activation(
        name="celu", label="CELU",
        formula=r"f(z)=\max(0,z)+\min\left(0,\ \alpha\left(e^{z/\alpha}-1\right)\right)",
        function=_celu, derivative=_celu_derivative,
        derivative_formula=r"f'(z)=" + _cases(r"1 \quad z>0", r"e^{z/\alpha} \quad z\leq 0"),
        params=(Param("alpha", 1.0, 0.1, 3.0, step=0.05, label="α",
                      help="Saturation value −α for z → −∞; PyTorch rejects α = 0."),),
        notes=("Continuously differentiable ELU, torch.nn.CELU (Barron 2017): the exponent is "
               "divided by α, so f′(0) = 1 from both sides for every α (plain ELU's f′ jumps to α). "
               "α = 1 is ELU."),
    ),
    Activation(
        name="hardtanh", label="Hardtanh",
        formula=r"f(z)=\min(\max(z,\ a),\ b),\quad a=\mathrm{min\_val},\ b=\mathrm{max\_val}",
        function=lambda z, min_val, max_val: np.clip(z, min_val, max_val),
        derivative=lambda z, min_val, max_val: np.where((z > min_val) & (z < max_val), 1.0, 0.0),
        derivative_formula=r"f'(z)=" + _cases(r"1 \quad a<z<b", r"0 \quad \mathrm{otherwise}"),
        params=(Param("min_val", -1.0, -5.0, 0.0, step=0.05, label="min_val"),
                Param("max_val", 1.0, 0.1, 6.0, step=0.05, label="max_val")),
        kinks=lambda min_val, max_val: [min_val, max_val],
        notes=("torch.nn.Hardtanh(min_val=−1, max_val=1): a piecewise-linear tanh, cheap on "
               "integer/quantised hardware. f′ = 0 at both corners (PyTorch's hardtanh_backward uses "
               "open bounds). ReLU6 is Hardtanh(0, 6)."),
    ),
    Activation(
        name="relu6", label="ReLU6",
        formula=r"f(z)=\min(\max(0,z),\ 6)",
        function=lambda z: np.clip(z, 0.0, 6.0),
        derivative=lambda z: np.where((z > 0.0) & (z < 6.0), 1.0, 0.0),
        derivative_formula=r"f'(z)=" + _cases(r"1 \quad 0<z<6", r"0 \quad \mathrm{otherwise}"),
        kinks=lambda: [0.0, 6.0],
        notes=("torch.nn.ReLU6 (MobileNet): ReLU capped at 6 so activations fit low-precision "
               "fixed point. PyTorch computes it as hardtanh(z, 0, 6), so f′ = 0 at both z = 0 and z = 6."),
    ),
    Activation(
        name="hardsigmoid", label="Hard sigmoid",
        formula=r"f(z)=\frac{\mathrm{ReLU6}(z+3)}{6}=\min\left(\max\left(0,\frac{z}{6}+\frac{1}{2}\right),1\right)",
        function=lambda z: np.clip(z / 6.0 + 0.5, 0.0, 1.0),
        derivative=lambda z: np.where((z > -3.0) & (z < 3.0), 1.0 / 6.0, 0.0),
        derivative_formula=r"f'(z)=" + _cases(r"\frac{1}{6} \quad -3<z<3", r"0 \quad \mathrm{otherwise}"),
        kinks=lambda: [-3.0, 3.0],
        notes=("torch.nn.Hardsigmoid (MobileNetV3): a piecewise-linear logistic; f′ = 0 at ±3 "
               "(PyTorch's backward uses the open interval). Older Keras/TensorFlow "
               "(tf.keras.activations.hard_sigmoid before Keras 3) used clip(0.2z + 0.5, 0, 1), which "
               "saturates at ±2.5; Keras 3 switched to PyTorch's relu6(z+3)/6."),
    ),
    Activation(
        name="hardswish", label="Hard swish",
        formula=r"f(z)=z\,\frac{\mathrm{ReLU6}(z+3)}{6}",
        function=lambda z: z * (np.clip(z + 3.0, 0.0, 6.0) / 6.0),  # the factor ≤ 1: no overflow
        derivative=lambda z: np.where(z <= -3.0, 0.0, np.where(z < 3.0, z / 3.0 + 0.5, 1.0)),
        derivative_formula=r"f'(z)=" + _cases3(r"0 \quad z\leq -3", r"\frac{2z+3}{6} \quad -3<z<3",
                                              r"1 \quad z\geq 3"),
        kinks=lambda: [-3.0, 3.0],
        notes=("torch.nn.Hardswish (MobileNetV3): SiLU with the sigmoid replaced by the hard sigmoid. "
               "f′ jumps at −3 (0 → −½) and at 3 (1.5 → 1). At the kinks this follows current PyTorch "
               "(pytorch#148049, 2025): f′(−3) = 0 and f′(3) = 1; PyTorch ≤ 2.6 returned −½ and 1.5 there."),
    ),
    Activation(
        name="softsign", label="Softsign",
        formula=r"f(z)=\frac{z}{1+|z|}",
        function=lambda z: z / (1.0 + np.abs(z)),
        derivative=lambda z: 1.0 / (1.0 + np.abs(z)) ** 2,
        derivative_formula=r"f'(z)=\frac{1}{(1+|z|)^2}",
        notes=("torch.nn.Softsign: a tanh-shaped squashing to (−1, 1) that approaches its asymptotes "
               "polynomially (like 1/|z|), not exponentially, so it saturates more gently. Its "
               "second derivative jumps at 0 but f′ is continuous."),
    ),
    Activation(
        name="tanhshrink", label="Tanhshrink",
        formula=r"f(z)=z-\tanh z",
        function=lambda z: z - np.tanh(z),
        derivative=lambda z: np.tanh(z) ** 2,
        derivative_formula=r"f'(z)=\tanh^2 z",
        notes=("torch.nn.Tanhshrink: flat (≈ z³/3) near 0 and linear with offset ∓1 far out; "
               "a smooth shrinkage used in sparse coding (LISTA-style) networks."),
    ),
    Activation(
        name="softshrink", label="Softshrink (soft thresholding)",
        formula=r"f(z)=" + _cases3(r"z-\lambda \quad z>\lambda", r"z+\lambda \quad z<-\lambda",
                                   r"0 \quad \mathrm{otherwise}"),
        function=_softshrink, derivative=_shrink_derivative,
        derivative_formula=r"f'(z)=" + _cases(r"1 \quad |z|>\lambda", r"0 \quad |z|\leq\lambda"),
        params=(Param("lambd", 0.5, 0.0, 3.0, step=0.05, label="λ",
                      help="Half-width of the dead zone; PyTorch's default 0.5 (it must be ≥ 0)."),),
        kinks=lambda lambd: [-lambd, lambd],
        notes=("torch.nn.Softshrink(lambd=0.5): the proximal operator of λ|z| (ISTA's soft "
               "thresholding): shrinks towards 0 by λ and zeroes the band in between. f′ = 0 at "
               "±λ, PyTorch's convention."),
    ),
    Activation(
        name="hardshrink", label="Hardshrink (hard thresholding)",
        formula=r"f(z)=" + _cases(r"z \quad |z|>\lambda", r"0 \quad |z|\leq\lambda"),
        function=lambda z, lambd: np.where(np.abs(z) > lambd, z, 0.0),
        derivative=_shrink_derivative,
        derivative_formula=r"f'(z)=" + _cases(r"1 \quad |z|>\lambda", r"0 \quad |z|\leq\lambda"),
        params=(Param("lambd", 0.5, 0.0, 3.0, step=0.05, label="λ",
                      help="Half-width of the dead zone; PyTorch's default 0.5."),),
        kinks=lambda lambd: [-lambd, lambd],
        notes=("torch.nn.Hardshrink(lambd=0.5): keeps z unchanged outside [−λ, λ] and zeroes it "
               "inside; f itself jumps at ±λ, where f′ is taken as 0 (PyTorch's convention)."),
    ),
    Activation(
        name="logsigmoid", label="Log-sigmoid",
        formula=r"f(z)=\ln\sigma(z)=-\ln(1+e^{-z})",
        function=log_sigmoid, derivative=lambda z: sigmoid(-z),
        derivative_formula=r"f'(z)=1-\sigma(z)=\sigma(-z)",
        notes=("torch.nn.LogSigmoid: −softplus(−z), computed without overflow. As an output it "
               "pairs with a negative log-likelihood; it is what bce_with_logits uses internally."),
    ),
    Activation(
        name="threshold", label="Threshold",
        formula=r"f(z)=" + _cases(r"z \quad z>\theta", r"v \quad z\leq\theta"),
        function=lambda z, threshold, value: np.where(z > threshold, z, value),
        derivative=lambda z, threshold, value: np.where(z > threshold, 1.0, 0.0),
        derivative_formula=r"f'(z)=" + _cases(r"1 \quad z>\theta", r"0 \quad z\leq\theta"),
        params=(Param("threshold", 1.0, -3.0, 3.0, step=0.05, label="threshold θ"),
                Param("value", 0.0, -3.0, 3.0, step=0.05, label="value v",
                      help="What replaces z at or below the threshold.")),
        kinks=lambda threshold, value: [threshold],
        notes=("torch.nn.Threshold(threshold, value) has no defaults; here θ = 1, v = 0: a ReLU "
               "whose cutoff moved to 1, so f jumps from 0 to 1 there (θ = v = 0 is exactly ReLU). "
               "f′ = 0 at z = θ, PyTorch's convention."),
    ),
    Activation(
        name="prelu", label="PReLU",
        formula=r"f(z)=\max(0,z)+a\,\min(0,z)",
        function=lambda z, a: np.where(z > 0, z, a * z),
        derivative=lambda z, a: np.where(z > 0, 1.0, a),
        derivative_formula=r"f'(z)=" + _cases(r"1 \quad z>0", r"a \quad z\leq 0"),
        params=(Param("a", 0.25, -1.0, 1.0, step=0.01, label="slope a",
                      help="Learned negative slope; torch.nn.PReLU initialises it to 0.25."),),
        kinks=lambda a: [0.0],
        notes=("Parametric ReLU, torch.nn.PReLU (He et al. 2015): a leaky ReLU whose negative slope is "
               "learned (one per layer by default, or one per channel), initialised to 0.25. "
               "a = −1 gives |z|. f′(0) = a, PyTorch's convention."),
    ),
    Activation(
        name="rrelu_eval", label="RReLU (evaluation mode)",
        formula=r"f(z)=" + _cases(r"z \quad z\geq 0", r"\frac{l+u}{2}\,z \quad z<0"),
        function=lambda z, lower, upper: np.where(z >= 0, z, 0.5 * (lower + upper) * z),
        derivative=lambda z, lower, upper: np.where(z > 0, 1.0, 0.5 * (lower + upper)),
        derivative_formula=r"f'(z)=" + _cases(r"1 \quad z>0", r"\frac{l+u}{2} \quad z\leq 0"),
        params=(Param("lower", 1.0 / 8.0, 0.0, 1.0, step=0.005, label="lower l"),
                Param("upper", 1.0 / 3.0, 0.0, 1.0, step=0.005, label="upper u")),
        kinks=lambda lower, upper: [0.0],
        notes=("Randomised leaky ReLU, torch.nn.RReLU(lower=1/8, upper=1/3). In training each "
               "negative input gets a slope drawn uniformly from [l, u]; in evaluation mode (plotted "
               "here) the slope is fixed at the mean (l + u)/2 ≈ 0.229. PyTorch then calls leaky_relu, "
               "so f′(0) is the negative slope."),
    ),
    Activation(
        name="softplus_beta", label="Softplus (β, threshold)",
        formula=r"f(z)=" + _cases(r"z \quad \beta z>\tau",
                                  r"\frac{1}{\beta}\ln(1+e^{\beta z}) \quad \mathrm{otherwise}"),
        function=_softplus_beta, derivative=_softplus_beta_derivative,
        derivative_formula=r"f'(z)=" + _cases(r"1 \quad \beta z>\tau", r"\sigma(\beta z) \quad \mathrm{otherwise}"),
        params=(Param("beta", 1.0, 0.1, 5.0, step=0.05, label="β",
                      help="Sharpness: β → ∞ approaches ReLU."),
                Param("threshold", 20.0, 1.0, 40.0, step=0.5, label="threshold τ",
                      help="Above βz > τ PyTorch returns z itself (its numerical-stability switch).")),
        kinks=lambda beta, threshold: [threshold / beta],
        notes=("torch.nn.Softplus(beta=1, threshold=20) exactly as PyTorch computes it, including "
               "the switch to the identity where βz > τ. That switch leaves a jump of "
               "ln(1 + e^{−τ})/β in f (2e-9 at the defaults, visible at small τ) and in f′ (σ(τ) → 1). "
               "The lecture's softplus is β = 1 without the switch."),
    ),
)


# ------------------------------------------------------------------ losses

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


@actviz.hookimpl
def actviz_activations():
    return ACTIVATIONS


@actviz.hookimpl
def actviz_losses():
    return LOSSES

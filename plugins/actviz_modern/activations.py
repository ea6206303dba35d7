"""PyTorch's element-wise activations the lecture does not already have."""

from __future__ import annotations

import numpy as np

from actviz.numerics import log_sigmoid, sigmoid, softplus
from actviz.specs import Activation, Param
from actviz_modern._shared import GELU_C, GELU_K, SELU_ALPHA, SELU_SCALE, _cases, _cases3, _norm_cdf, _norm_pdf, _sech2


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

"""The lecture's activations and losses, right where the lecture is wrong.

A built-in plugin registered through the entry-point group ``actviz`` like any
third party's (``actviz --disable lecture`` turns it off). Formulas use the
mathtext subset of LaTeX; kinks follow PyTorch's conventions.
"""

from __future__ import annotations

import math

import numpy as np

import actviz
from actviz.maths import noise_models
from actviz.numerics import safe_divide, sigmoid, softplus, xlogy
from actviz.specs import Activation, Loss, Param


def _cases(top: str, bottom: str) -> str:
    """Two-line piecewise definition in the mathtext subset (no \\begin{cases} there)."""
    return r"\left\{\genfrac{}{}{0}{}{" + top + "}{" + bottom + r"}\right."


def _sech2(z):
    """1 − tanh² z without overflow: 4e^{−2|z|}/(1+e^{−2|z|})²."""
    e = np.exp(-2.0 * np.abs(z))
    return 4.0 * e / (1.0 + e) ** 2


def _softmax_first(z, z2, z3):
    """y₁ of softmax(z, z2, z3) = σ(z − ln(e^{z2}+e^{z3}))."""
    return sigmoid(z - np.logaddexp(z2, z3))


def _gaussian(z, mu, sigma):
    with np.errstate(over="ignore"):  # u² → inf only where the density is exactly 0
        u = (z - mu) / sigma
        return np.exp(-0.5 * u * u) / (sigma * math.sqrt(2.0 * math.pi))


def _gaussian_derivative(z, mu, sigma):
    """−(z−μ)/σ²·f, zero where f underflows (avoids inf·0 for |z| near the float limit)."""
    f = _gaussian(z, mu, sigma)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(f > 0, -(z - mu) / sigma ** 2 * f, 0.0)


def _rbf(z, w):
    with np.errstate(over="ignore"):  # (z − w)² → inf only where e^{−∞} = 0 is the answer
        return np.exp(-((z - w) ** 2))


def _rbf_derivative(z, w):
    f = _rbf(z, w)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(f > 0, -2.0 * (z - w) * f, 0.0)


def _maxout_first_wins(z, w1, b1, w2, b2):
    return w1 * z + b1 >= w2 * z + b2


def _maxout_kinks(w1, b1, w2, b2):
    return [] if w1 == w2 else [(b2 - b1) / (w1 - w2)]



ACTIVATIONS = (
    Activation(
        name="binary_step", label="Binary step (perceptron)",
        formula=r"f(z)=" + _cases(r"1 \quad z>0", r"0 \quad z\leq 0"),
        function=lambda z: (z > 0).astype(float),
        derivative=lambda z: np.zeros_like(z),
        derivative_formula=r"f'(z)=0\quad (z\neq 0;\ \mathrm{undefined\ at}\ 0)",
        kinks=lambda: [0.0],
        notes=("The perceptron's threshold unit. The lecture's table writes '0 for x ≥ 0' and gives "
               "the derivative as '1 for x ≥ 0'; both are wrong: the step is 0 for z ≤ 0, and its "
               "derivative is 0 everywhere except z = 0, where it is undefined (drawn as 0). That zero "
               "gradient is why the perceptron needs its own update rule, not backpropagation."),
    ),
    Activation(
        name="linear", label="Linear (identity)",
        formula=r"f(z)=z", function=lambda z: z + 0.0,
        derivative=lambda z: np.ones_like(z), derivative_formula=r"f'(z)=1",
        notes=("The linear associator's output: unbounded, so it suits regression targets, paired "
               "with squared error. A stack of linear layers is still linear."),
    ),
    Activation(
        name="logistic", label="Logistic (sigmoid)",
        formula=r"f(z)=\frac{1}{1+e^{-\beta z}}",
        function=lambda z, beta: sigmoid(beta * z),
        derivative=lambda z, beta: beta * sigmoid(beta * z) * sigmoid(-beta * z),
        derivative_formula=r"f'(z)=\beta\,f(z)\,(1-f(z))",
        params=(Param("beta", 1.0, 0.1, 5.0, step=0.05, label="slope β",
                      help="Steepness: β → ∞ approaches the binary step."),),
        notes=("Squashes to (0, 1), so the output reads as a probability. Its output is 0.5 when there "
               "is no input evidence, so it triggers the next layer and needs large biases to "
               "neutralise; its mean activation is not 0. Saturates at both ends, where f′ → 0 and "
               "learning stalls. The lecture's table drops the β in f′ = β·f·(1−f)."),
    ),
    Activation(
        name="tanh", label="Hyperbolic tangent",
        formula=r"f(z)=\tanh z=\frac{2}{1+e^{-2z}}-1",
        function=lambda z: np.tanh(z), derivative=_sech2,
        derivative_formula=r"f'(z)=1-f(z)^2=(1+y)(1-y)",
        notes=("A logistic stretched to (−1, 1): output 0 with no input evidence, so it does not "
               "trigger the next layer, needs no large biases, and keeps the mean activation near 0 as "
               "weight initialisation assumes. The lecture's tanh output unit writes "
               "2/(1+e^{−z}) − 1; the exponent is −2z."),
    ),
    Activation(
        name="relu", label="ReLU",
        formula=r"f(z)=\max(0,z)",
        function=lambda z: np.maximum(z, 0.0),
        derivative=lambda z: (z > 0).astype(float),
        derivative_formula=r"f'(z)=" + _cases(r"1 \quad z>0", r"0 \quad z\leq 0"),
        kinks=lambda: [0.0],
        notes=("Linear with a cutoff at zero: cheap to compute, and does not squash the "
               "backpropagated error while the unit is active. But it can let activations and "
               "gradients explode, and a unit that never rises above threshold never learns. "
               "f′(0) is taken as 0, PyTorch's convention."),
    ),
    Activation(
        name="leaky_relu", label="Leaky ReLU",
        formula=r"f(z)=" + _cases(r"z \quad z>0", r"\alpha z \quad z\leq 0"),
        function=lambda z, alpha: np.where(z > 0, z, alpha * z),
        derivative=lambda z, alpha: np.where(z > 0, 1.0, alpha),
        derivative_formula=r"f'(z)=" + _cases(r"1 \quad z>0", r"\alpha \quad z\leq 0"),
        params=(Param("alpha", 0.01, 0.0, 1.0, step=0.01, label="slope α",
                      help="Slope for z ≤ 0. PyTorch's default is 0.01; Keras uses 0.3, TF 0.2."),),
        kinks=lambda alpha: [0.0],
        notes=("ReLU with a small slope below zero, so inactive units still learn. α = 0 is ReLU "
               "(under-used units); α = 1 is linear (no non-linearity left). f′(0) = α, as in PyTorch."),
    ),
    Activation(
        name="softplus", label="Softplus",
        formula=r"f(z)=\ln(1+e^{z})",
        function=softplus, derivative=sigmoid,
        derivative_formula=r"f'(z)=\frac{1}{1+e^{-z}}=\mathrm{logistic}(z)",
        notes=("A smooth ReLU: its derivative is the logistic, defined everywhere and zero only as "
               "z → −∞. It does not saturate for large z, which helps against vanishing gradients."),
    ),
    Activation(
        name="elu", label="ELU",
        formula=r"f(z)=" + _cases(r"z \quad z>0", r"\alpha(e^{z}-1) \quad z\leq 0"),
        function=lambda z, alpha: np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0))),
        derivative=lambda z, alpha: np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0))),
        derivative_formula=r"f'(z)=" + _cases(r"1 \quad z>0", r"y+\alpha \quad z\leq 0"),
        params=(Param("alpha", 1.0, 0.0, 3.0, step=0.05, label="α",
                      help="Saturation value −α for z → −∞."),),
        kinks=lambda alpha: [0.0],
        notes=("Exponential linear unit: negative outputs pull the mean activation towards 0, and it "
               "saturates smoothly at −α. α = 0 gives ReLU. f′(0) = α, PyTorch's convention."),
    ),
    Activation(
        name="rbf", label="Radial basis function",
        formula=r"f(z)=e^{-(z-w)^2}",
        function=_rbf, derivative=_rbf_derivative,
        derivative_formula=r"f'(z)=-2(z-w)\,f(z)",
        params=(Param("w", 0.0, -5.0, 5.0, step=0.05, label="centre w"),),
        notes=("Responds only near its centre w: sparse activation, so many units just don't learn "
               "(ReLU's problem too). Initialise w near clusters of the inputs."),
    ),
    Activation(
        name="maxout", label="Maxout (two pieces)",
        formula=r"f(z)=\max(w_1 z+b_1,\ w_2 z+b_2)",
        function=lambda z, w1, b1, w2, b2: np.maximum(w1 * z + b1, w2 * z + b2),
        derivative=lambda z, w1, b1, w2, b2: np.where(_maxout_first_wins(z, w1, b1, w2, b2), w1, w2),
        derivative_formula=r"f'(z)=" + _cases(r"w_1 \quad w_1 z+b_1\geq w_2 z+b_2", r"w_2 \quad \mathrm{otherwise}"),
        params=(Param("w1", 1.0, -3.0, 3.0, step=0.05), Param("b1", 0.0, -3.0, 3.0, step=0.05),
                Param("w2", -0.5, -3.0, 3.0, step=0.05), Param("b2", 0.0, -3.0, 3.0, step=0.05)),
        kinks=_maxout_kinks,
        notes=("The larger of two affine pieces: a learnable piecewise-linear convex function. "
               "ReLU and leaky ReLU are special cases (w2 = b2 = 0, or w2 = α). At a tie the first "
               "piece's slope is used."),
    ),
    Activation(
        name="softmax", label="Softmax (output 1 of 3)",
        formula=r"y_1=\frac{e^{z_1}}{e^{z_1}+e^{z_2}+e^{z_3}}",
        function=_softmax_first,
        derivative=lambda z, z2, z3: _softmax_first(z, z2, z3) * (1.0 - _softmax_first(z, z2, z3)),
        derivative_formula=(r"\frac{\partial y_1}{\partial z_1}=y_1(1-y_1),"
                            r"\quad \frac{\partial y_i}{\partial z_1}=-y_i y_1"),
        params=(Param("z2", 0.0, -10.0, 10.0, step=0.1, label="logit z₂"),
                Param("z3", 0.0, -10.0, 10.0, step=0.1, label="logit z₃")),
        notes=("Turns K logits into a probability distribution: exponentiation makes each term "
               "positive, the denominator makes them sum to 1 (the Luce choice rule). Plotted here: "
               "y₁ as z₁ moves, the other logits fixed. The off-diagonal Jacobian terms −y_i·y_j are "
               "what the lecture's 'same update as two categories' shortcut leaves out; with "
               "categorical cross-entropy the full chain gives δ_j = y_j − t_j."),
    ),
    Activation(
        name="piecewise_linear", label="Piecewise linear (ramp)",
        formula=r"f(z)=\min\left(1,\max\left(0,\frac{z-x_{min}}{x_{max}-x_{min}}\right)\right)",
        function=lambda z, xmin, xmax: np.clip((z - xmin) / (xmax - xmin), 0.0, 1.0),
        derivative=lambda z, xmin, xmax: np.where((z > xmin) & (z < xmax), 1.0 / (xmax - xmin), 0.0),
        derivative_formula=r"f'(z)=" + _cases(r"\frac{1}{x_{max}-x_{min}} \quad x_{min}<z<x_{max}",
                                             r"0 \quad \mathrm{otherwise}"),
        params=(Param("xmin", -1.0, -5.0, -0.1, step=0.05, label="x_min"),
                Param("xmax", 1.0, 0.1, 5.0, step=0.05, label="x_max")),
        kinks=lambda xmin, xmax: [xmin, xmax],
        notes=("A linear ramp from 0 to 1 between x_min and x_max. The lecture's table gives its slope "
               "as 1; it is 1/(x_max − x_min). At the corners f′ is taken as 0, as PyTorch's hardtanh does."),
    ),
    Activation(
        name="gaussian", label="Gaussian",
        formula=r"f(z)=\frac{1}{\sigma\sqrt{2\pi}}e^{-\frac{1}{2}\left(\frac{z-\mu}{\sigma}\right)^2}",
        function=_gaussian,
        derivative=_gaussian_derivative,
        derivative_formula=r"f'(z)=-\frac{z-\mu}{\sigma^2}f(z)",
        params=(Param("mu", 0.0, -5.0, 5.0, step=0.05, label="μ"),
                Param("sigma", 1.0, 0.1, 5.0, step=0.05, label="σ")),
        notes=("A bump centred on μ with width σ: like the RBF, it responds only near its centre. "
               "The lecture's table writes f′ = −x·f/σ², right only when μ = 0; it is −(z−μ)·f/σ²."),
    ),
)


def _bce(y, t):
    return -xlogy(t, y) - xlogy(1.0 - t, 1.0 - y)


def _bce_gradient(y, t):
    return safe_divide(y - t, y * (1.0 - y))


def _cce(y, t, K):
    return -xlogy(t, y) - xlogy(1.0 - t, (1.0 - y) / (K - 1.0))


PROBABILITY_TARGET = Param("t", 1.0, 0.0, 1.0, step=0.01, label="target t",
                           help="The true class probability, usually 0 or 1.")
REAL_TARGET = Param("t", 1.0, -3.0, 3.0, step=0.05, label="target t")

LOSSES = (
    Loss(
        name="squared_error", label="Squared error",
        formula=r"E=\frac{1}{2}(t-y)^2", function=lambda y, t: 0.5 * (t - y) ** 2,
        gradient=lambda y, t: y - t, gradient_formula=r"\frac{\partial E}{\partial y}=y-t",
        target=REAL_TARGET, noise_model=noise_models.gaussian(),
        notes=("Sensible for any output range and activation; the loss of linear regression. It is "
               "the negative log-likelihood under Gaussian noise t = y + η, η ~ N(0, 1), up to the "
               "constant ½ln 2π. With a logistic output its δ = β(y−t)·y(1−y) vanishes when the unit is "
               "confidently wrong, so learning stalls."),
    ),
    Loss(
        name="absolute_error", label="Absolute error",
        formula=r"E=|t-y|", function=lambda y, t: np.abs(t - y),
        gradient=lambda y, t: np.sign(y - t),
        gradient_formula=r"\frac{\partial E}{\partial y}=\mathrm{sign}(y-t)",
        target=REAL_TARGET, noise_model=noise_models.laplace(),
        notes=("The negative log-likelihood under Laplace noise (up to ln 2): robust to outliers, and "
               "its minimiser over a data set is the median, not the mean. The lecture asks for "
               "∂E/∂y: it is sign(y − t), taken as 0 at y = t as in PyTorch."),
    ),
    Loss(
        name="binary_cross_entropy", label="Binary cross-entropy",
        formula=r"E=-t\ln y-(1-t)\ln(1-y)", function=_bce, gradient=_bce_gradient,
        gradient_formula=r"\frac{\partial E}{\partial y}=\frac{y-t}{y(1-y)}",
        domain="probability", target=PROBABILITY_TARGET, noise_model=noise_models.bernoulli(),
        notes=("For an output y ∈ (0, 1) read as a Bernoulli probability of class membership. It is "
               "the negative log-likelihood −ℓ (the lecture's objectives table drops the minus sign). "
               "With a logistic output δ = β(y − t): learning is not suppressed when the output is "
               "confidently wrong. Measured in nats with natural logs, not bits."),
    ),
    Loss(
        name="categorical_cross_entropy", label="Categorical cross-entropy",
        formula=r"E=-\sum_j t_j\ln y_j=-t\ln y-(1-t)\ln\frac{1-y}{K-1}",
        function=_cce, gradient=lambda y, t, K: _bce_gradient(y, t),
        gradient_formula=r"\frac{\partial E}{\partial y}=\frac{y-t}{y(1-y)}",
        params=(Param("K", 3.0, 2.0, 10.0, step=1.0, label="classes K",
                      help="Number of classes; the other K−1 share 1−y evenly."),),
        domain="probability", target=PROBABILITY_TARGET, noise_model=noise_models.categorical("K"),
        notes=("The softmax output's loss: −ln of the probability given to the true class. Plotted as "
               "a function of y = y₁, the probability of class 1, with the other K−1 classes sharing "
               "1 − y evenly and t the target's class-1 share. With softmax, the full Jacobian gives "
               "δ_j = y_j − t_j (the lecture's diagonal shortcut does not)."),
    ),
)


@actviz.hookimpl
def actviz_activations():
    return ACTIVATIONS


@actviz.hookimpl
def actviz_losses():
    return LOSSES


# ------------------------------------------------------------------ closed forms of δ for our pairs
# The host knows no function by name: this plugin owns these activations and losses, so it
# says where δ = ∂E/∂y·f′(z) simplifies, and how to compute it where the product breaks.


def _logistic_ce_delta(z, y, t, ap, lp):
    return ap["beta"] * (y - t)


def _error_delta(z, y, t, ap, lp):
    return y - t


def _ce_times(g, y, t, one_minus_y):
    """(y − t)/(y(1−y)) · f′ with f′ = g·y, as g·(−1 + (1−t)/(1−y)): no division by y.

    Exact where y underflows to 0 (the product form is ∞·0 there); 1 − y is passed in
    so that callers can compute it without cancellation.
    """
    t = np.asarray(t, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # g = 0 with 1 − y = 0 (an RBF at its centre): f′ = 0 against ∂E/∂y = ∞, taken as 0 like the product
        return -g + np.where((t == 1.0) | (g == 0.0), 0.0, g * (1.0 - t) / one_minus_y)


def _gaussian_ce_delta(z, y, t, ap, lp):
    g = -(z - ap["mu"]) / ap["sigma"] ** 2  # f′/f
    return _ce_times(g, y, t, 1.0 - y)


def _rbf_ce_delta(z, y, t, ap, lp):
    u = z - ap["w"]
    with np.errstate(over="ignore"):
        one_minus_y = -np.expm1(-(u * u))
    return _ce_times(-2.0 * u, y, t, one_minus_y)


def _tanh_ce_delta(z, y, t, ap, lp):
    """(y − t)(1 − y²)/(y(1 − y)) = (1 + y) − t(1 + y)/y: finite where tanh rounds to 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (1.0 + y) - np.where(np.asarray(t) == 0.0, 0.0, t * (1.0 + y) / y)


def _softmax_shortcut(z, ap, t):
    from actviz.maths.backprop import softmax_full_jacobian_delta, softmax_shortcut_delta, softmax_targets

    others = [float(ap["z2"]), float(ap["z3"])]
    full = softmax_full_jacobian_delta(z, others, softmax_targets(t, 3))[:, 0]
    return full, softmax_shortcut_delta(z, others, t)


_CE = ("binary_cross_entropy", "categorical_cross_entropy")
_UNDERFLOW_NOTE = ("Computed as {form}, which never divides by y: where y underflows to 0 the product "
                   "∂E/∂y·f′ is ∞·0, but δ is finite.")

OUTPUT_DELTAS = (
    actviz.OutputDeltaRule(
        "logistic", "binary_cross_entropy", r"\delta=\beta\,(y-t)", _logistic_ce_delta,
        "The 1/(y(1−y)) of the loss cancels the logistic's f′ = βy(1−y), leaving δ = β(y − t): "
        "no stall when confidently wrong."),
    actviz.OutputDeltaRule(
        "logistic", "categorical_cross_entropy", r"\delta=\beta\,(y-t)", _logistic_ce_delta,
        "As a function of y₁ alone the categorical loss has the binary loss's gradient, so δ = β(y − t)."),
    actviz.OutputDeltaRule(
        "linear", "squared_error", r"\delta=y-t", _error_delta,
        "The delta rule: f′ = 1, so δ is the error itself."),
    actviz.OutputDeltaRule(
        "softmax", "categorical_cross_entropy", r"\delta_1=y_1-t_1", _error_delta,
        "With the full softmax Jacobian (off-diagonal −y_i y_j included), not the lecture's diagonal shortcut.",
        lecture_shortcut=_softmax_shortcut),
    actviz.OutputDeltaRule(
        "softmax", "binary_cross_entropy", r"\delta_1=y_1-t_1", _error_delta,
        "E depends on y₁ only and ∂y₁/∂z₁ = y₁(1−y₁) exactly."),
    *(actviz.OutputDeltaRule(
        "gaussian", loss, r"\delta=\frac{y-t}{1-y}\cdot\left(-\frac{z-\mu}{\sigma^2}\right)", _gaussian_ce_delta,
        _UNDERFLOW_NOTE.format(form="(y − t)/(1 − y) · (−(z − μ)/σ²)")) for loss in _CE),
    *(actviz.OutputDeltaRule(
        "rbf", loss, r"\delta=\frac{y-t}{1-y}\cdot(-2(z-w))", _rbf_ce_delta,
        _UNDERFLOW_NOTE.format(form="(y − t)/(1 − y) · (−2(z − w)), with 1 − y = −expm1(−(z − w)²)"))
      for loss in _CE),
    *(actviz.OutputDeltaRule(
        "tanh", loss, r"\delta=\frac{(y-t)(1+y)}{y}", _tanh_ce_delta,
        "f′ = (1 + y)(1 − y) cancels the loss's 1 − y, so δ stays finite where tanh rounds to 1 "
        "(the product is ∞·tiny there). For z < 0, y < 0 is no probability: δ is undefined.")
      for loss in _CE),
)


@actviz.hookimpl
def actviz_output_deltas():
    return OUTPUT_DELTAS


@actviz.hookimpl
def actviz_tours():
    from actviz_lecture.tour import LECTURE_TOUR

    return [LECTURE_TOUR]

"""actviz-example: a complete third-party actviz plugin, written to be copied.

It adds one activation with a parameter (squareplus), one loss with a noise
model (the Cauchy loss) and one view (a histogram of slopes: its state in
``model.py``, its widget in ``view.py``).
To make your own plugin, copy the whole ``plugins/actviz_example`` directory,
rename things as README.md explains, and replace the specs below with yours.

How actviz finds this module: ``pyproject.toml`` declares an entry point in
the group ``actviz`` named ``example`` that points here. When actviz loads its
registry it imports this module and calls every function below that is
decorated with ``@actviz.hookimpl`` and named after a hook
(``actviz_activations``, ``actviz_losses``, ``actviz_views``).

Rules every function must follow (``actviz check`` and the tests enforce them):

* ``function``/``derivative`` receive a *read-only* float64 numpy array (any
  shape) plus your parameters as keyword arguments, and return a *new* array of
  the same shape. Never write into the input.
* Stay finite and silent (no numpy RuntimeWarning: no overflow, no 0/0) for
  every z in [−1000, 1000] and every parameter value in [low, high]: actviz
  probes the defaults and every corner of the parameter box.
* Return NaN only where the mathematics really is undefined. ``np.where``
  evaluates *both* branches, so guard the branch you don't use (see below).
"""

from __future__ import annotations

import math

import numpy as np

import actviz  # the public API: hookimpl, Activation, Loss, NoiseModel, Param

# ---------------------------------------------------------------------------
# An activation with a parameter: squareplus (Barron 2021)
# ---------------------------------------------------------------------------


def squareplus(z, b):
    """f(z) = (z + √(z² + b))/2, a ReLU smoothed by a square root only.

    The textbook form cancels catastrophically for z ≪ 0 (−1000 + 1000.002…),
    so there we use the algebraically equal b / (2(√(z² + b) − z)).
    Near the float limit z² overflows although f ≈ z does not: √(z² + b) is
    np.hypot(z, √b), and sums are halved before they are added.
    """
    sb = math.sqrt(b)
    r = np.hypot(z, sb)
    # np.where computes every branch for every element, so each branch gets inputs clamped to
    # the range it is used on: no 0/0 at z = 0, b = 0, and no overflow in r − z near −1.8e308.
    zs = np.where(z < -1.0, -1.0, np.minimum(z, -1e-300))  # −1 ≤ z < 0: r − z ≥ |z| > 0
    near = 0.5 * b / (np.hypot(zs, sb) - zs)
    zl = np.minimum(z, -1.0)  # z < −1: divide by |z| first
    far = (0.5 * b / -zl) / (np.hypot(1.0, sb / zl) + 1.0)
    negative_side = np.where(z < -1.0, far, near)
    return np.where(z < 0, negative_side, 0.5 * z + 0.5 * r)


def squareplus_derivative(z, b):
    """f′(z) = ½(1 + z/√(z² + b)) = f(z)/√(z² + b); ½ at the ReLU kink (b = 0, z = 0)."""
    r = np.hypot(z, math.sqrt(b))
    return np.where(r > 0, squareplus(z, b) / np.where(r > 0, r, 1.0), 0.5)


ACTIVATIONS = [
    actviz.Activation(
        name="squareplus",  # a Python identifier, unique across *all* plugins
        label="Squareplus",  # what the browser shows
        # Formulas are LaTeX in matplotlib's mathtext subset (no \begin{cases}).
        formula=r"f(z)=\frac{z+\sqrt{z^2+b}}{2}",
        function=squareplus,
        derivative=squareplus_derivative,  # leave out and actviz differentiates numerically
        derivative_formula=r"f'(z)=\frac{1}{2}\left(1+\frac{z}{\sqrt{z^2+b}}\right)",
        # Each Param becomes a slider + spin box: Param(name, default, low, high, step, label, help).
        # ``name`` is the keyword your functions receive.
        params=(actviz.Param("b", 4.0, 0.0, 10.0, step=0.1, label="b",
                             help="Smoothness at 0: b = 0 is exactly ReLU; f(0) = √b/2."),),
        # Points where f′ jumps; the derivative check and the plots leave them out.
        kinks=lambda b: [0.0] if b == 0 else [],
        notes=("A smooth ReLU built from a square root, no exponential: cheap on any hardware. "
               "b sets how round the corner is; b = 0 is ReLU. Barron, 'Squareplus: a softplus-like "
               "algebraic rectifier' (2021)."),
    ),
]


# ---------------------------------------------------------------------------
# A loss with a noise model: the Cauchy (Lorentzian) loss
# ---------------------------------------------------------------------------


def _log1p_square_ratio(d, gamma):
    """ln(1 + (d/γ)²) without forming d/γ, which overflows for |d| ≳ γ·1.8e308 (γ < 1).

    For |d| > γ it is 2(ln|d| − ln γ) + ln(1 + (γ/d)²), every piece finite.
    """
    a = np.abs(d)
    # np.where computes both branches for every element, so clamp each branch's input to
    # the range it is used on: otherwise (d/γ)² overflows (or log(0) warns) in the discarded one.
    small = np.minimum(a, gamma) / gamma  # ≤ 1
    big = np.maximum(a, gamma)  # ≥ γ > 0: its log is finite, γ/big ≤ 1
    ratio = gamma / big
    return np.where(a <= gamma, np.log1p(small * small),
                    2.0 * (np.log(big) - math.log(gamma)) + np.log1p(ratio * ratio))


def cauchy_loss(y, t, gamma):
    """E = ln(1 + ((y − t)/γ)²)."""
    return _log1p_square_ratio(y - t, gamma)


def cauchy_gradient(y, t, gamma):
    """∂E/∂y = 2d/(γ² + d²), d = y − t, written as 2/(d + γ²/d) for |d| > γ (no d² to overflow)."""
    d = y - t
    far = np.abs(d) > gamma
    big = np.where(far, d, 1.0)
    near = np.where(far, 0.0, d)
    return np.where(far, 2.0 / (big + gamma * gamma / big), 2.0 * near / (gamma * gamma + near * near))


def cauchy_log_density(t, y, gamma):
    """ln p(t | y) of t = y + γ·(standard Cauchy noise); elementwise in t and y."""
    d = np.asarray(t, dtype=float) - np.asarray(y, dtype=float)
    return -math.log(math.pi * gamma) - _log1p_square_ratio(d, gamma)


def cauchy_sample(y, n, rng, gamma):
    """n targets drawn from p(· | y) with the numpy Generator rng."""
    return y + gamma * rng.standard_cauchy(int(n))


LOSSES = [
    actviz.Loss(
        name="cauchy_loss",
        label="Cauchy (Lorentzian) loss",
        formula=r"E=\ln\left(1+\left(\frac{y-t}{\gamma}\right)^2\right)",
        function=cauchy_loss,  # function(y, t, **params)
        gradient=cauchy_gradient,  # ∂E/∂y, same signature
        gradient_formula=r"\frac{\partial E}{\partial y}=\frac{2(y-t)}{\gamma^2+(y-t)^2}",
        params=(actviz.Param("gamma", 1.0, 0.1, 5.0, step=0.05, label="scale γ",
                             help="Half-width at half-maximum of the Cauchy noise."),),
        domain="real",  # y may be any real ("probability" for y in (0, 1))
        target=actviz.Param("t", 0.0, -3.0, 3.0, step=0.05, label="target t"),
        # The likelihood reading: E = −c·ln p(t | y) + const (here c = 1, const = −ln πγ).
        # The loss's own parameters are passed to log_density and sample as keywords.
        noise_model=actviz.NoiseModel(
            name="Cauchy",
            log_density=cauchy_log_density,
            sample=cauchy_sample,
            support="real",  # a density over t ("binary"/"categorical" for a pmf)
            estimator="",  # no closed-form maximum-likelihood location (the mean does not even exist)
            formula=r"p(t\,|\,y)=\frac{1}{\pi\gamma\left(1+\left(\frac{t-y}{\gamma}\right)^2\right)}",
        ),
        notes=("The negative log-likelihood of Cauchy noise: quadratic near the target, only "
               "logarithmic far away, so its gradient 2(y−t)/(γ² + (y−t)²) peaks at |y − t| = γ and "
               "then decays to 0: far outliers are ignored rather than merely down-weighted. Not "
               "convex. Barron's general robust loss with α = 0."),
    ),
]


# ---------------------------------------------------------------------------
# The hooks. The function names must match the hook names exactly.
# ---------------------------------------------------------------------------


@actviz.hookimpl
def actviz_activations():
    return ACTIVATIONS


@actviz.hookimpl
def actviz_losses():
    return LOSSES


# A view: an extra tab in the main window, and a target of
# ``actviz export --view example_slopes --set activation=tanh --set sigma=5 --out slopes.png``.
#
# A view is two things:
#
# * ``model(registry)`` returns its state, a ``ViewModel`` subclass with no Qt (``model.py``):
#   the fields it declares are the view's controls, its ``--set`` keys, what scenes save and
#   what undo restores;
# * ``create(context)`` returns its widget (``view.py``), a thin ``ViewWidget`` that draws
#   ``context.model``.
#
# Both import their module only when first called, so the Qt import in view.py costs nothing
# for ``actviz list`` or ``actviz check``.


def make_model(registry):
    from actviz_example.model import SlopeModel  # lazy, like create below

    return SlopeModel(registry)


def create(context):
    from actviz_example.view import SlopeHistogram  # lazy: Qt is imported here, not at load time

    return SlopeHistogram(context)


@actviz.hookimpl
def actviz_views():
    return [
        actviz.View(
            name="example_slopes",  # unique across plugins; what `--view` takes
            label="Slope histogram",  # the tab's title
            create=create,
            model=make_model,
            description="The distribution of f′(z) for z ~ N(0, σ²): where inputs fall, how steep f is there.",
        ),
    ]

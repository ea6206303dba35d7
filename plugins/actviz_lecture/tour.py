"""The lecture "Activation and Loss Functions", walked in its own order, stop by stop.

Cheat sheets (perceptron, linear associator, logistic unit) → the activations one by
one → the playground → categorical outputs and softmax's derivative → objective
functions → squared error versus cross-entropy → maximum likelihood → the
probabilistic reading of squared error. Each stop's settings use the views'
real keys (``actviz export --view VIEW --help``); where the lecture is wrong,
the stop shows its claim beside the correction (the errata in docs/DESIGN).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from actviz import KeyCheck, Tour, TourStop


def _fn(name: str, **params: float) -> dict[str, Any]:
    """Flat settings of the function view: the function and some of its parameters."""
    return {"function": name, **{f"function.{k}": v for k, v in params.items()}}


def _with_pins(name: str, *pins: tuple[str, Mapping[str, float]]) -> dict[str, Any]:
    """A function-view state with pinned curves to compare against (the ``model.state()`` form)."""
    return {"values": {"function": f"lecture/{name}"},
            "extras": {"pins": [{"function": f"lecture/{p}", "values": dict(v)} for p, v in pins]}}


def _eighty_percent_of_many(models: Mapping[str, Any]) -> bool:
    """At least 100 flips with k/n still 0.8: the same peak, a narrower likelihood."""
    coin = models.get("coin")
    if coin is None:
        return False
    k, n = coin.get("k"), coin.get("n")
    return coin.get("source") == "typed" and n is not None and n >= 100 and abs(k - 0.8 * n) < 1e-9


def _narrow_ramp(models: Mapping[str, Any]) -> bool:
    """The ramp narrowed to within [−0.5, 0.5], where its slope 1/(x_max − x_min) reaches 1."""
    return (KeyCheck("function", "function.xmin", ">=", -0.5)(models)
            and KeyCheck("function", "function.xmax", "<=", 0.5)(models))


STOPS = (
    TourStop(
        "Cheat sheet 1: the perceptron",
        "The perceptron sums its inputs, z_j = Σᵢ w_ji x_i, and fires y = 1 when z_j > 0, else 0. "
        "Its update Δw_ji = (t_j − y_j) x_i counts misclassifications; it is not the gradient of a loss.\n\n"
        "Look at the lower plot: the derivative of the binary step is 0 on both sides of the jump "
        "(and undefined at 0), so no gradient could tell the weights which way to move.",
        view="function", settings=_fn("binary_step"),
        lecture_claim="Binary: f(x) = 1 for x > 0, 0 for x ≥ 0; f′(x) = 0 for x < 0, 1 for x ≥ 0.",
        correction="f(x) = 0 for x ≤ 0; f′(x) = 0 for every x ≠ 0, undefined at 0.",
    ),
    TourStop(
        "Cheat sheet 1: the linear associator",
        "The linear associator (linear regression) outputs y_j = Σᵢ w_ji x_i: slope 1 everywhere, so the "
        "error t − y passes back unchanged and Δw_ji = ε (t_j − y_j) x_i.\n\n"
        "The cheat sheet says this rule assumes minimising squared error: pick that loss in the function "
        "list to see E = ½(t − y)² and its derivative y − t, a straight line through the target.",
        view="function", settings=_fn("linear"),
        check=KeyCheck("function", "function", "==", "squared_error"),
        check_text="squared error picked in the function list",
    ),
    TourStop(
        "Cheat sheet 2: the logistic unit and its slope β",
        "The logistic unit y = 1/(1 + e^(−βz)) is the two-layer net of cheat sheet 2, and the same unit is "
        "used in every layer of a deeper net. Its derivative peaks at z = 0 and vanishes at both ends.\n\n"
        "Drag the slope β up to 5: the logistic approaches the perceptron's binary step, and its derivative "
        "grows to β/4 = 1.25 at z = 0. The dashed numerical derivative stays on the drawn one only because "
        "the factor β is there.",
        view="function", settings=_fn("logistic", beta=1.0),
        check=KeyCheck("function", "function.beta", ">=", 5),
        check_text="slope β at 5",
        lecture_claim="Logistic sigmoid f(x) = 1/(1 + e^(−βx)), f′(x) = f(x)(1 − f(x)).",
        correction="f′(x) = β·f(x)(1 − f(x)); the table drops β (right only for β = 1).",
    ),
    TourStop(
        "Logistic versus tanh",
        "tanh is the logistic stretched to the range [−1, +1]: tanh(z) = 2·logistic(2z) − 1. The logistic is "
        "pinned for comparison.\n\n"
        "Read both curves at z = 0, with no input evidence and bias 0: the logistic outputs .5, which "
        "triggers the next layer and needs large biases to neutralise; tanh outputs 0, as the weight "
        "initialisation assumes (mean activation 0). Its slope there is 1, four times the logistic's ¼.",
        view="function", settings=_with_pins("tanh", ("logistic", {"beta": 1.0})),
        lecture_claim="tanh output unit: y = tanh(z) = 2/(1 + e^(−z)) − 1, ∂y/∂z = (1 + y)(1 − y).",
        correction="tanh(z) = 2/(1 + e^(−2z)) − 1 (the activation table has it right); with e^(−z) the "
                   "derivative would not be (1 + y)(1 − y).",
    ),
    TourStop(
        "ReLU and dying units",
        "The rectified linear unit y = max(0, z) is linear with a cutoff at zero: its derivative is 1 for "
        "z > 0 and 0 for z ≤ 0. While the unit is active nothing squashes the back-propagated error.\n\n"
        "Look at the left half of the lower plot: a unit whose z stays below 0 for every input gets "
        "δ = 0 and never learns again (a dying unit). Widen the axis to z = −50: the derivative is 0 "
        "all the way; nothing pulls the unit back.",
        view="function", settings=_fn("relu"),
        check=KeyCheck("function", "zmin", "<=", -50),
        check_text="the z axis reaching −50 (zoom out with the mouse wheel, or drag the plot)",
    ),
    TourStop(
        "Leaky ReLU",
        "The leaky ReLU keeps a slope α for z ≤ 0, so a unit that is off still learns a little. "
        "α = 0 is the standard ReLU (underused units); α = 1 loses the nonlinearity.\n\n"
        "Drag α up to 1: the kink disappears and the unit is just linear, f′ = 1 everywhere.",
        view="function", settings=_fn("leaky_relu", alpha=0.1),
        check=KeyCheck("function", "function.alpha", ">=", 1),
        check_text="slope α at 1",
    ),
    TourStop(
        "Softplus",
        "Softplus y = ln(1 + e^z) is a smooth ReLU: its derivative is defined everywhere, is zero only as "
        "z → −∞, and never saturates at the right end.\n\n"
        "Its derivative is exactly the logistic: compare the lower plot with the pinned logistic curve "
        "in the upper plot.",
        view="function", settings=_with_pins("softplus", ("logistic", {"beta": 1.0})),
    ),
    TourStop(
        "Exponential linear unit (ELU)",
        "ELU is z for z > 0 and α(e^z − 1) for z ≤ 0: it saturates at −α on the left, so its mean "
        "activation is closer to 0 than ReLU's. For z ≤ 0 its derivative is y + α.\n\n"
        "The lecture says ELU reduces to the standard ReLU when α = 0: drag α down to 0 and see it.",
        view="function", settings=_fn("elu", alpha=1.0),
        check=KeyCheck("function", "function.alpha", "==", 0),
        check_text="α at 0",
    ),
    TourStop(
        "Radial basis functions",
        "A radial basis unit responds only near its centre: y = e^(−(z − w)²). Its activation is sparse: "
        "far from w both y and its derivative are 0, so, as with ReLUs, many units just don't learn. "
        "Clever schemes initialise w near a cluster of the inputs.\n\n"
        "Move the centre w to 2: the bump and its derivative move with it.",
        view="function", settings=_fn("rbf", w=0.0),
        check=KeyCheck("function", "function.w", ">=", 2),
        check_text="centre w at 2 or more",
    ),
    TourStop(
        "playground.tensorflow.org, here",
        "The lecture's playground: two features x₁, x₂, two hidden layers of 4 and 2 tanh neurons, "
        "learning rate 0.03, on the circle data. Press Run and watch the test and training loss fall.\n\n"
        "Then switch the hidden activation to ReLU and run again: the boundary becomes piecewise linear.",
        view="playground",
        settings={"dataset": "circle", "features": "x1,x2", "hidden": "4,2", "activation": "tanh",
                  "learning_rate": 0.03, "batch_size": 10, "noise": 0.0, "train_ratio": 0.5},
        check=KeyCheck("playground", "activation", "==", "relu"),
        check_text="hidden activation ReLU",
    ),
    TourStop(
        "Categorical outputs: softmax",
        "With n categories (animal, vegetable, mineral) y_j = e^(z_j) / Σ_k e^(z_k) is the probability that "
        "the input's category is j: exponentiation makes every y_j ≥ 0, the denominator makes them sum to 1. "
        "Shown is y₁ over z₁ with the other two logits z₂, z₃ fixed.\n\n"
        "Raise z₂ to 3: y₁ drops everywhere, because the outputs share one unit of probability.",
        view="function", settings=_fn("softmax", z2=0.0, z3=0.0),
        check=KeyCheck("function", "function.z2", ">=", 3),
        check_text="logit z₂ at 3 or more",
    ),
    TourStop(
        "Derivatives for categorical outputs",
        "The lecture writes softmax's δ with the logistic's diagonal term y_j(1 − y_j) only. The solid "
        "curve is the true δ₁ of softmax with categorical cross-entropy; the dashed one is the lecture's "
        "shortcut. At t₁ = 1 they agree.\n\n"
        "Set the target t to 0: the shortcut goes flat at 0 while the true δ₁ = y₁ still pushes the "
        "wrong output down.",
        view="delta", settings={"pairs": "softmax:categorical_cross_entropy", "t": 1.0},
        check=KeyCheck("delta", "t", "==", 0),
        check_text="target t at 0",
        lecture_claim="δ_j = ∂E/∂y_j · y_j(1 − y_j) for a softmax output unit: the update is the same as "
                      "for two categories.",
        correction="The softmax Jacobian has off-diagonal terms −y_i y_j; with categorical cross-entropy the "
                   "full result is δ_j = y_j − t_j.",
    ),
    TourStop(
        "Objective functions for neural nets",
        "Regression uses the objective of linear regression, the quadratic loss J = ½(y − y*)² with "
        "dJ/dy = y − y*. Classification uses that of logistic regression, the cross-entropy (a negative "
        "log-likelihood), which needs probabilities.\n\n"
        "Pick binary cross-entropy in the function list: with y* = 1 it grows without bound as y → 0.",
        view="function", settings=_fn("squared_error", t=1.0),
        check=KeyCheck("function", "function", "==", "binary_cross_entropy"),
        check_text="binary cross-entropy picked in the function list",
        lecture_claim="Cross-entropy J = y* log(y) + (1 − y*) log(1 − y), "
                      "dJ/dy = y*/y + (1 − y*)/(y − 1).",
        correction="That J is the log-likelihood; the loss is its negative, J = −y* ln y − (1 − y*) ln(1 − y), "
                   "with dJ/dy = (y − y*)/(y(1 − y)).",
    ),
    TourStop(
        "Cross-entropy loss",
        "A single output y ∈ [0, 1] is the Bernoulli probability of class membership; the target t is the "
        "true class probability, usually 0 or 1. E = −t ln y − (1 − t) ln(1 − y), ∂E/∂y = (y − t)/(y(1 − y)).\n\n"
        "Set t to 0: the loss mirrors, now infinite at y = 1.",
        view="function", settings=_fn("binary_cross_entropy", t=1.0),
        check=KeyCheck("function", "function.t", "==", 0),
        check_text="target t at 0",
        lecture_claim="Cross entropy H measures distance in bits from the predicted to the target distribution.",
        correction="With natural logarithms (ln) it is measured in nats; bits need log₂ (1 nat ≈ 1.44 bits).",
    ),
    TourStop(
        "The activation table: piecewise linear",
        "The ramp is 0 below x_min, 1 above x_max, and linear in between.\n\n"
        "With the default x_min = −1, x_max = 1 the middle slope is ½, not 1. Narrow the ramp to "
        "x_min = −0.5, x_max = 0.5: only then is the slope 1.",
        view="function", settings=_fn("piecewise_linear", xmin=-1.0, xmax=1.0),
        check=_narrow_ramp,
        check_text="x_min at −0.5 or above and x_max at 0.5 or below",
        lecture_claim="Piecewise linear: f′(x) = 1 for x_min ≤ x ≤ x_max.",
        correction="f′(x) = 1/(x_max − x_min) between x_min and x_max (1 only when they are 1 apart).",
    ),
    TourStop(
        "The activation table: Gaussian",
        "The Gaussian unit f(x) = e^(−½((x − μ)/σ)²)/(σ√(2π)) peaks at μ.\n\n"
        "Move μ to 2: the derivative still crosses 0 at the peak, x = μ. The table's −x·f/σ² would cross "
        "at x = 0; the dashed numerical derivative shows which is right.",
        view="function", settings=_fn("gaussian", mu=0.0, sigma=1.0),
        check=KeyCheck("function", "function.mu", ">=", 2),
        check_text="μ at 2 or more",
        lecture_claim="Gaussian: f′(x) = −x·f(x)/σ².",
        correction="f′(x) = −(x − μ)·f(x)/σ²; the two agree only when μ = 0.",
    ),
    TourStop(
        "Squared error versus cross-entropy",
        "For a logistic output, ∂E/∂z is (y − t)·y(1 − y) with squared error but just y − t with "
        "cross-entropy: the 1/(y(1 − y)) of the loss cancels the logistic's slope. The marker is a "
        "confidently wrong output, y = 0.01 with t = 1: squared error's δ is about −0.01, cross-entropy's −0.99.\n\n"
        "Move the marked output to the lecture's y = .99 with t = 1: both δ are small now, but cross-entropy's "
        "(−0.01) is still 100 times squared error's (−0.0001): it does not suppress learning when the output "
        "is confident, and keeps fitting the target exactly.",
        view="delta", settings={"pairs": "logistic:squared_error,logistic:binary_cross_entropy",
                                "t": 1.0, "ywrong": 0.01},
        check=KeyCheck("delta", "ywrong", ">=", 0.99),
        check_text="marked output y at .99",
        lecture_claim="Remember: Δw = ε ∂E/∂y.",
        correction="Δw = −ε ∂E/∂w = −ε ∂E/∂y · ∂y/∂z · x: a minus sign (downhill), and the chain to the weight.",
    ),
    TourStop(
        "Why a confidently wrong logistic unit stalls",
        "Two logistic units start from the same confidently wrong weights, every point on the wrong side. "
        "Press Run: the unit with squared error barely moves at first, since its update carries "
        "y(1 − y) ≈ 0; the one with cross-entropy learns at once.\n\n"
        "Make the start more wrong (how wrong |w| at 6) and run again: the squared-error unit stalls longer.",
        view="single_unit", settings={"rules": "logistic", "start": "confidently_wrong", "confidence": 3.0},
        check=KeyCheck("single_unit", "confidence", ">=", 6),
        check_text="how wrong |w| at 6 or more",
    ),
    TourStop(
        "Maximum likelihood estimation",
        "10 coin flips gave 8 heads and 2 tails: what is the coin's bias? Each flip's likelihood is "
        "y^t (1 − y)^(1−t); the data's likelihood peaks at the bias that makes them most probable, "
        "k/n = 0.8. Its logarithm is t ln y + (1 − t) ln(1 − y) summed: minus the cross-entropy.\n\n"
        "Keep the proportion but flip more: 80 heads in 100. The peak stays at 0.8 and narrows.",
        view="coin", settings={"k": 8, "n": 10, "source": "typed", "prior": "off"},
        check=_eighty_percent_of_many,
        check_text="n at 100 or more with k = 0.8·n",
    ),
    TourStop(
        "Probabilistic interpretation of squared-error loss",
        "If the output is corrupted by Gaussian noise, y = t + η with η ~ N(0, 1), then "
        "ln P(t | y) = −½(t − y)² + const: squared error is the negative log-likelihood, E = −cℓ. "
        "The first row draws both; the last one sums them over targets sampled with that noise, and "
        "its peak is the maximum-likelihood y (their mean).\n\n"
        "Other noise motivates other losses: pick absolute error, the negative log-likelihood under Laplace "
        "noise. Its ∂E/∂y = sign(y − t), and the best y moves to the median.",
        view="likelihood", settings={"loss": "squared_error"},
        check=KeyCheck("likelihood", "loss", "==", "absolute_error"),
        check_text="absolute error picked in the function list",
    ),
)

LECTURE_TOUR = Tour("lecture", "Activation and Loss Functions: the lecture, live", STOPS)

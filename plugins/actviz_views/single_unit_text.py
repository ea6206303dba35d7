"""The update-rules view's words: rule names at three lengths, loss-axis labels, the explanation."""

from __future__ import annotations

from actviz.maths.learning import RULES

RULE_SHORT = {"perceptron": "perceptron", "delta": "delta rule", "logistic_squared_error": "logistic + squared error",
              "logistic_cross_entropy": "logistic + cross-entropy"}
RULE_TINY = {"perceptron": "perceptron", "delta": "delta rule", "logistic_squared_error": "logistic + SE",
             "logistic_cross_entropy": "logistic + CE"}
LOSS_LABELS = {"perceptron": "misclassified points", "delta": "mean ½(t − y)²",
               "logistic_squared_error": "mean ½(t − y)²", "logistic_cross_entropy": "mean cross-entropy (nats)"}
#: the ``rules`` control: which units are shown
SHOW = {"all": RULES, "logistic": ("logistic_squared_error", "logistic_cross_entropy"), **{r: (r,) for r in RULES}}
SHOW_LABELS = {"all": "all four", "logistic": "the logistic pair", "perceptron": "perceptron",
               "delta": "delta rule", "logistic_squared_error": "logistic + squared error",
               "logistic_cross_entropy": "logistic + cross-entropy"}

_RULES = {
    "perceptron": "The perceptron, Δw = (t − y)x with a step output, moves only on a misclassified point.",
    "delta": "The delta rule, Δw = ε(t − y)x on a linear unit, minimises ½(t − y)²; its line sits where y = ½.",
    "logistic_squared_error": "The logistic unit with squared error, Δw = ε(t − y)y(1 − y)x, carries the factor "
                              "y(1 − y), which is ≈ 0 wherever the unit is confident.",
    "logistic_cross_entropy": "The logistic unit with cross-entropy, Δw = ε(t − y)x, has no y(1 − y) factor: "
                              "the further it is wrong, the harder it pushes.",
}


def explanation(start: str, rules: str) -> str:
    """What to watch, for the chosen start and rules."""
    shown = SHOW.get(rules, RULES)
    same = "All units start" if len(shown) > 1 else "The unit starts"
    if start == "confidently_wrong":
        head = (f"{same} from the same weights, confidently wrong (every point on the wrong side)"
                + (", and see the same examples." if len(shown) > 1 else "."))
    else:
        head = f"{same} from zero weights" + (" and see the same examples." if len(shown) > 1 else ".")
    if start == "confidently_wrong" and {"logistic_squared_error", "logistic_cross_entropy"} <= set(shown):
        return head + (" Watch logistic + squared error (see the legend): its update carries y(1 − y) ≈ 0 when the "
                       "output is confidently wrong, so its loss stays flat near 0.5 and its line barely moves. "
                       "Logistic + cross-entropy cancels that factor, Δw = ε(t − y)x, and swings round "
                       "within a few dozen steps.")
    return head + " " + " ".join(_RULES[r] for r in shown)

"""The built-in views, registered through ``actviz_views`` like any third party's.

Each ``create`` imports its Qt module only when the view is first shown, so
``actviz list`` and ``actviz check`` never import Qt.
"""

from __future__ import annotations

import importlib

import actviz
from actviz.specs import View


def _lazy(module: str, cls: str):
    def create(context):
        return getattr(importlib.import_module(f"actviz.gui.views.{module}"), cls)(context)

    create.__qualname__ = f"create_{cls}"
    return create


VIEWS = (
    View("function", "Function", _lazy("function_view", "FunctionView"),
         description="f and f′ (or E and ∂E/∂y) of the selected function, with pins to compare."),
    View("delta", "Output δ", _lazy("delta_view", "DeltaView"),
         description="δ = ∂E/∂y · f′(z) of an output unit for (activation, loss) pairs."),
    View("depth", "Hidden δ", _lazy("depth_view", "DepthView"),
         description="|δ| layer by layer through a deep network: vanishing and exploding gradients."),
    View("likelihood", "Likelihood", _lazy("likelihood_view", "LikelihoodView"),
         description="Each loss as the negative log-likelihood of a noise model."),
    View("coin", "Coin flips", _lazy("coin_view", "CoinView"),
         description="Maximum likelihood of a coin's bias, and why it is the cross-entropy minimum."),
    View("single_unit", "Update rules", _lazy("single_unit_view", "SingleUnitView"),
         description="Perceptron, delta rule and logistic units learning on 2-D points, step by step."),
    View("playground", "Playground", _lazy("playground_view", "PlaygroundView"),
         description="A small network learning on 2-D data with any activation and loss."),
)


@actviz.hookimpl
def actviz_views():
    return VIEWS

"""The built-in views, registered through ``actviz_views`` like any third party's.

Each view is a Qt-free model (``*_model.py``) and a thin widget (``*_view.py``)
written against the public API (``actviz``, ``actviz.gui``, ``actviz.models``,
``actviz.maths``, ``actviz.evaluation``, ``actviz.numerics``). ``model`` and
``create`` import their modules only when first needed, so ``actviz list`` and
``actviz check`` never import Qt.
"""

from __future__ import annotations

import importlib

import actviz
from actviz_views.help_text import HELP


def _lazy(module: str, cls: str):
    def make(arg):
        return getattr(importlib.import_module(f"actviz_views.{module}"), cls)(arg)

    make.__qualname__ = f"make_{cls}"
    return make


def _view(name: str, label: str, stem: str, model: str, widget: str, description: str) -> actviz.View:
    return actviz.View(name, label, _lazy(f"{stem}_view", widget), description=description,
                       model=_lazy(f"{stem}_model", model), help=HELP.get(name, "").strip())


VIEWS = (
    _view("function", "Function", "function", "FunctionModel", "FunctionView",
          "f and f′ (or E and ∂E/∂y) of the selected function, with pins to compare."),
    _view("delta", "Output δ", "delta", "DeltaModel", "DeltaView",
          "δ = ∂E/∂y · f′(z) of an output unit for (activation, loss) pairs."),
    _view("depth", "Hidden δ", "depth", "DepthModel", "DepthView",
          "|δ| layer by layer through a deep network: vanishing and exploding gradients."),
    _view("likelihood", "Likelihood", "likelihood", "LikelihoodModel", "LikelihoodView",
          "Each loss as the negative log-likelihood of a noise model."),
    _view("coin", "Coin flips", "coin", "CoinModel", "CoinView",
          "Maximum likelihood of a coin's bias, and why it is the cross-entropy minimum."),
    _view("single_unit", "Update rules", "single_unit", "SingleUnitModel", "SingleUnitView",
          "Perceptron, delta rule and logistic units learning on 2-D points, step by step."),
    _view("playground", "Playground", "playground", "PlaygroundModel", "PlaygroundView",
          "A small network learning on 2-D data with any activation and loss."),
)


@actviz.hookimpl
def actviz_views():
    return VIEWS

"""actviz: see how neural-network activations and losses behave.

The public face for plugin authors::

    import actviz

    @actviz.hookimpl
    def actviz_activations():
        return [actviz.Activation(...)]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from actviz.host.plugins import PluginInfo, Problem
from actviz.host.registry import Registry, load_registry
from actviz.specs import Activation, Loss, NoiseModel, Param, SpecError, View

if TYPE_CHECKING:
    from actviz.maths.pairs import OutputDeltaRule
    from actviz.models.tour import KeyCheck, Tour, TourStop

# imported when first named (``actviz.Tour``, ``from actviz import Tour``): the window's first paint needs neither
_LAZY = {"KeyCheck": "actviz.models.tour", "Tour": "actviz.models.tour", "TourStop": "actviz.models.tour",
         "OutputDeltaRule": "actviz.maths.pairs"}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'actviz' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("actviz")

__all__ = [
    "Activation",
    "KeyCheck",
    "Loss",
    "NoiseModel",
    "OutputDeltaRule",
    "Param",
    "PluginInfo",
    "Problem",
    "Registry",
    "SpecError",
    "Tour",
    "TourStop",
    "View",
    "hookimpl",
    "load_registry",
]

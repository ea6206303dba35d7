"""actviz: see how neural-network activations and losses behave.

The public face for plugin authors::

    import actviz

    @actviz.hookimpl
    def actviz_activations():
        return [actviz.Activation(...)]
"""

from __future__ import annotations

import pluggy

from actviz.host.plugins import PluginInfo, Problem
from actviz.host.registry import Registry, load_registry
from actviz.maths.pairs import OutputDeltaRule
from actviz.models.tour import KeyCheck, Tour, TourStop
from actviz.specs import Activation, Loss, NoiseModel, Param, SpecError, View

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

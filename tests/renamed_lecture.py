"""A plugin offering the lecture's functions and δ rules under other names: the host must need none by name."""

from __future__ import annotations

RENAMED_PLUGIN = '''
import dataclasses

import actviz
from actviz_lecture import ACTIVATIONS, LOSSES, OUTPUT_DELTAS

RENAME = {"logistic": "squash", "gaussian": "bump", "rbf": "blip", "tanh": "sway", "softmax": "share",
          "binary_cross_entropy": "xent", "categorical_cross_entropy": "cxent"}


def _renamed(spec):
    return dataclasses.replace(spec, name=RENAME[spec.name], plugin="")


@actviz.hookimpl
def actviz_activations():
    return [_renamed(a) for a in ACTIVATIONS if a.name in RENAME]


@actviz.hookimpl
def actviz_losses():
    return [_renamed(s) for s in LOSSES if s.name in RENAME]


@actviz.hookimpl
def actviz_output_deltas():
    return [dataclasses.replace(r, activation=RENAME[r.activation], loss=RENAME[r.loss], plugin="")
            for r in OUTPUT_DELTAS if r.activation in RENAME and r.loss in RENAME]
'''

"""A view's keys: one settable name with its control spec, and how values are read into it.

Keys are what the panel, ``--set KEY=VALUE``, saved state and scenes share;
a FunctionChoice's own parameters are keys namespaced by that control.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from actviz.specs import Activation, Choice, Loss, Param


class ModelError(ValueError):
    """A value a model cannot take; the message names the key and the reason."""


@dataclass(frozen=True)
class Key:
    """One settable key: its name, its control spec and when it applies (``None``: always)."""

    name: str
    control: Param | Choice
    condition: str | None = None
    owner: str | None = None  # the FunctionChoice a dependent key belongs to

    def describe(self) -> str:
        c = self.control
        if isinstance(c, Param):
            text = f"[{c.low:g}, {c.high:g}], default {c.default:g}"
        elif c.parse is not None:
            text = f"text, default {c.default!r}; e.g. {', '.join(c.options[:2])}"
        else:
            text = f"one of {', '.join(c.options)}; default {c.default}"
        if c.help:
            text += f"  {c.help}"
        if self.condition:
            text += f"  (when {self.condition})"
        return text


def qualified(spec: Activation | Loss) -> str:
    """How scenes name a function: ``plugin/name`` (just ``name`` when the plugin is unknown)."""
    return f"{spec.plugin}/{spec.name}" if spec.plugin else spec.name


def own_params(spec: Activation | Loss, target: bool = True) -> tuple[Param, ...]:
    """The live parameters of a function: its params, plus the target t of a loss."""
    if isinstance(spec, Loss) and target:
        return (*spec.params, spec.target)
    return tuple(spec.params)


def convert(key: str, control: Param | Choice, raw: Any) -> Any:
    if isinstance(control, Choice):
        value = raw if isinstance(raw, str) else str(raw)
        if control.parse is not None:
            try:
                return control.parse(value)
            except ValueError as exc:
                raise ModelError(f"{key}={value!r}: {exc}") from None
        if value not in control.options:
            raise ModelError(f"{key}={value!r} is not one of {', '.join(control.options)}")
        return value
    if isinstance(raw, bool):
        raise ModelError(f"{key}={raw!r} is not a number")
    try:
        value = float(raw)
    except (TypeError, ValueError, OverflowError):
        raise ModelError(f"{key}={raw!r} is not a number") from None
    if math.isnan(value):
        raise ModelError(f"{key} is NaN")
    if not control.low <= value <= control.high:
        raise ModelError(f"{key}={value:g} is outside [{control.low:g}, {control.high:g}]")
    return value

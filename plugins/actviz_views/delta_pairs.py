"""The output-δ view's list of (activation, loss) pairs as text, with no Qt.

``logistic(beta=2):squared_error,softmax(z2=1;z3=0):categorical_cross_entropy(K=3)``:
comma-separated ``activation:loss`` items, parameters in brackets separated by
``;`` (only those that differ from the default are written back).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from actviz.specs import Activation, Loss

MAX_PAIRS = 6
DEFAULT_PAIRS = (("logistic", "squared_error"), ("logistic", "binary_cross_entropy"))
PRESETS = ("logistic:squared_error,logistic:binary_cross_entropy",
           "softmax:categorical_cross_entropy",
           "logistic:squared_error,logistic:binary_cross_entropy,tanh:squared_error,linear:squared_error")

_PAIR = re.compile(r"^\s*(\w+)\s*(?:\(([^()]*)\))?\s*:\s*(\w+)\s*(?:\(([^()]*)\))?\s*$")


class PairError(ValueError):
    """A ``pairs`` text could not be read; the message says which part and why."""


def number(value: float) -> str:
    """Short when exact (2, 0.5), else every digit (the text must round-trip the value)."""
    short = f"{value:g}"
    return short if float(short) == value else repr(float(value))


def _with_params(spec: Activation | Loss, values: Mapping[str, float]) -> str:
    changed = [f"{p.name}={number(values[p.name])}" for p in spec.params
               if values.get(p.name, p.default) != p.default]
    return f"{spec.name}({';'.join(changed)})" if changed else spec.name


@dataclass
class PairEntry:
    """One drawn pair: an activation and a loss with their parameter values."""

    activation: Activation
    loss: Loss
    act_values: dict[str, float] = field(default_factory=dict)
    loss_values: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.act_values = {p.name: float(self.act_values.get(p.name, p.default)) for p in self.activation.params}
        self.loss_values = {p.name: float(self.loss_values.get(p.name, p.default)) for p in self.loss.params}

    @property
    def text(self) -> str:
        return f"{_with_params(self.activation, self.act_values)}:{_with_params(self.loss, self.loss_values)}"

    @property
    def short(self) -> str:
        return f"{self.activation.name} + {self.loss.name}"

    @property
    def legend_name(self) -> str:
        return self.text.replace(":", " + ")

    @property
    def title(self) -> str:
        own = [f"{p.name}={values.get(p.name, p.default):g}"
               for spec, values in ((self.activation, self.act_values), (self.loss, self.loss_values))
               for p in spec.params if values.get(p.name, p.default) != p.default]
        base = f"{self.activation.label} + {self.loss.label}"
        return f"{base} ({', '.join(own)})" if own else base


def split_top(text: str) -> list[str]:
    """Split at commas outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in (s.strip() for s in parts) if p]


def _read_params(spec: Activation | Loss, text: str | None, where: str) -> dict[str, float]:
    values = {p.name: p.default for p in spec.params}
    by_name = {p.name: p for p in spec.params}
    for item in re.split(r"[;,]", text or ""):
        if not item.strip():
            continue
        key, eq, raw = item.partition("=")
        key = key.strip()
        if not eq or key not in by_name:
            known = ", ".join(by_name) or "none"
            raise PairError(f"{where}: {item.strip()!r} is not NAME=VALUE with a parameter of {spec.name} "
                            f"(parameters: {known})")
        try:
            value = float(raw)
        except ValueError:
            raise PairError(f"{where}: {key}={raw.strip()!r} is not a number") from None
        p = by_name[key]
        if not p.low <= value <= p.high:
            raise PairError(f"{where}: {key}={value:g} is outside [{p.low:g}, {p.high:g}]")
        values[key] = value
    return values


def parse_pairs(text: str, registry: Any) -> list[PairEntry]:
    """Read ``act[(p=v;…)]:loss[(p=v;…)]`` items separated by commas; PairError names the bad one."""
    items = split_top(str(text))
    if not items:
        raise PairError("pairs is empty: give at least one activation:loss")
    if len(items) > MAX_PAIRS:
        raise PairError(f"at most {MAX_PAIRS} pairs, got {len(items)}")
    out = []
    for item in items:
        m = _PAIR.match(item)
        if m is None:
            raise PairError(f"{item!r} is not activation:loss (e.g. logistic:binary_cross_entropy)")
        act_name, act_params, loss_name, loss_params = m.groups()
        if act_name not in registry.activations:
            raise PairError(f"{item!r}: no activation {act_name!r} (activations: {', '.join(registry.activations)})")
        if loss_name not in registry.losses:
            raise PairError(f"{item!r}: no loss {loss_name!r} (losses: {', '.join(registry.losses)})")
        act, loss = registry.activations[act_name], registry.losses[loss_name]
        out.append(PairEntry(act, loss, _read_params(act, act_params, item), _read_params(loss, loss_params, item)))
    return out


def format_pairs(entries: list[PairEntry]) -> str:
    return ",".join(e.text for e in entries)


def default_pairs(registry: Any) -> str:
    """The lecture's two pairs when installed, else the first activation with the first loss ("" if none)."""
    if registry is None:
        return ""
    chosen = [f"{a}:{b}" for a, b in DEFAULT_PAIRS if a in registry.activations and b in registry.losses]
    if not chosen and registry.activations and registry.losses:
        chosen = [f"{next(iter(registry.activations))}:{next(iter(registry.losses))}"]
    return ",".join(chosen)

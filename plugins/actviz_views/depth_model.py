"""The hidden-δ view's state and numbers, with no Qt.

Keys (``actviz export --view depth --set KEY=VALUE``, any order): ``layers``,
``width``, ``init`` (scale, xavier, he), ``scale``, ``seed`` and
``activations`` (a comma-separated list of up to six registry activation
names, drawn at their default parameters).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from actviz.evaluation import EvaluationError
from actviz.maths import backprop as bp
from actviz.models import ViewModel
from actviz.specs import Activation, Choice, Param

DEFAULT_ACTIVATIONS = ("logistic", "tanh", "relu")
MAX_OVERLAY = 6
MAX_SEED = 2**31 - 1
BATCH = 16  # × width 32 = 512 samples per layer: stable percentiles, and three activations redraw in a few ms
INITS = ("scale", "xavier", "he")
WHOLE = ("layers", "width", "seed")


def parse_activations(text: str, registry: Any) -> list[str]:
    """Registry activation names from a comma-separated list (duplicates dropped); ValueError says what is wrong."""
    names = list(dict.fromkeys(n.strip() for n in str(text).split(",") if n.strip()))
    known = registry.activations if registry is not None else {}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"no activation {unknown[0]!r} (activations: {', '.join(known)})")
    if not names:
        raise ValueError("name at least one activation")
    if len(names) > MAX_OVERLAY:
        raise ValueError(f"at most {MAX_OVERLAY}, got {len(names)}")
    return names


class DepthModel(ViewModel):
    """A seeded deep network's shape and initialisation, and the hidden activations to overlay."""

    def declare(self, registry: Any):
        acts = registry.activations if registry is not None else {}
        default = ",".join(n for n in DEFAULT_ACTIVATIONS if n in acts) or next(iter(acts), "")

        def parse(value: str) -> str:
            return ",".join(parse_activations(value, registry))

        return (
            Param("layers", 20, 1, 50, 1, label="layers L", help="hidden layers δ is sent back through"),
            Param("width", 32, 2, 128, 1, label="width", help="units per layer (wide and deep redraws slowly)"),
            Choice("init", "he", INITS, label="init", help="weight std: scale itself, or scale × Xavier / He"),
            Param("scale", 1.0, 0.01, 10.0, 0.01, label="scale", help="the weight std (init=scale) or its multiplier"),
            Param("seed", 0, 0, MAX_SEED, 1, label="seed", help="seed of the inputs, weights and output error"),
            Choice("activations", default, (default,), label="activations", parse=parse,
                   help=f"(the option is an example) any comma-separated list of up to {MAX_OVERLAY} activation "
                        "names (drawn at their default parameters)"),
        )

    def validate(self) -> str:
        for name in WHOLE:
            if self[name] != int(self[name]):
                return f"{name}={self[name]:g} must be a whole number"
        return ""

    def names(self) -> list[str]:
        """The overlaid activations' registry names."""
        return [n for n in str(self["activations"]).split(",") if n]

    def toggle(self, name: str, on: bool) -> str:
        """Add or remove one activation; returns why not, or ""."""
        names = [n for n in self.names() if n != name] + ([name] if on else [])
        if not names:
            return "keep at least one activation"
        if len(names) > MAX_OVERLAY:
            return f"at most {MAX_OVERLAY} activations"
        self.set("activations", ",".join(names))
        return ""


@dataclass
class Curve:
    """One activation's drawn numbers: mean |δ| and the p10…p90 band (NaN where a log axis cannot draw)."""

    spec: Activation
    result: bp.DepthResult
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    ratio: float


@dataclass
class Frame:
    curves: list[Curve | None]
    problems: list[str] = field(default_factory=list)
    layers: int = 1


class DepthCache:
    """hidden_deltas per setting: dragging one control recomputes only what changed.

    A result is a few per-layer arrays (~4 KiB at 50 layers), so many are kept: dragging the
    scale back over values it passed redraws without computing (at 50 × 128 a new setting costs
    tens of ms per activation).
    """

    def __init__(self, size: int = 240) -> None:
        self.size = size
        self._items: OrderedDict[tuple, bp.DepthResult] = OrderedDict()

    def get(self, spec: Activation, layers: int, width: int, init: str, scale: float, seed: int) -> bp.DepthResult:
        params = spec.defaults
        key = (spec.plugin, spec.name, tuple(sorted(params.items())), layers, width, init, scale, seed)
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        res = bp.hidden_deltas(spec, params, layers, width, init, scale, seed, batch=BATCH)
        self._items[key] = res
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return res


def positive(values: np.ndarray) -> np.ndarray:
    """NaN where a log axis cannot draw (0, negative, ±inf, NaN)."""
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def first_to_last(res: bp.DepthResult) -> float:
    """mean |δ| of layer 1 over that of layer L (inf when it overflowed)."""
    first, last = float(res.mean_abs[0]), float(res.mean_abs[-1])
    if not math.isfinite(first):
        return math.inf
    with np.errstate(all="ignore"):
        return first / last if last > 0 and math.isfinite(last) else math.inf


def compute(model: DepthModel, cache: DepthCache | None = None) -> Frame:
    """Every overlaid activation's per-layer |δ| at the model's settings; failures become problems."""
    cache = cache or DepthCache()
    reg = model.registry
    layers, width, seed = int(model["layers"]), int(model["width"]), int(model["seed"])
    results: list[tuple[Activation, bp.DepthResult | None]] = []
    frame = Frame([], layers=layers)
    for name in model.names():
        spec = reg.activations[name]
        try:
            results.append((spec, cache.get(spec, layers, width, model["init"], model["scale"], seed)))
        except EvaluationError as exc:
            frame.problems.append(f"{spec.label}: {exc} (not drawn)")
            results.append((spec, None))
    for spec, res in results:
        if res is None:
            frame.curves.append(None)
            continue
        # dead units (|δ| = 0) have no place on a log axis: the band spans the units that pass a gradient
        lower = np.where(res.p10 > 0, res.p10, np.where(res.p10_live > 0, res.p10_live, np.nan))
        upper = res.p90.astype(float)
        band = np.isfinite(lower) & np.isfinite(upper) & (upper > 0)
        lower, upper = np.where(band, lower, np.nan), np.where(band, np.maximum(upper, lower), np.nan)
        frame.curves.append(Curve(spec, res, positive(res.mean_abs), lower, upper, first_to_last(res)))
        if res.overflow:
            bad = int(np.count_nonzero(~np.isfinite(res.mean_abs)))
            frame.problems.append(f"{spec.label}: the numbers overflowed (inf) in {bad} of {res.layers.size} "
                                  "layers (left blank); lower the scale")
    return frame

"""The output-δ view's state and numbers, with no Qt.

Keys (``actviz export --view delta --set KEY=VALUE``, any order):

``pairs``        every drawn pair as text, e.g.
                 ``logistic(beta=2):squared_error,softmax(z2=1;z3=0):categorical_cross_entropy(K=3)``
``pair``         which pair (1 = first) is *selected*; setting ``pairs`` selects the last
``activation``   the selected pair's activation (the function list sets it); its parameters are
                 ``activation.NAME`` (e.g. ``activation.beta``)
``loss``         the selected pair's loss; its parameters are ``loss.NAME`` (e.g. ``loss.K``)
``t``            the target, shared by every pair (within the selected loss's target range)
``ywrong``       the output y marked as "confidently wrong" (default 0.01)
``zmin, zmax``   the plotted z range

The selected pair lives twice, kept equal by :meth:`DeltaModel.adjust`: as its
item in ``pairs`` and as the ``activation``/``loss`` fields with their
parameters (which the controls, the function list, undo and ``--set`` edit).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from actviz.evaluation import EvaluationError
from actviz.maths import backprop as bp
from actviz.maths.pairs import collect_output_delta_rules
from actviz.models import Key, ViewModel
from actviz.specs import Choice, FunctionChoice, Param
from actviz_views.delta_pairs import (
    MAX_PAIRS,
    PRESETS,
    PairEntry,
    default_pairs,
    format_pairs,
    parse_pairs,
    split_top,
)

POINTS = 801
Z_LIMIT = 100.0
Z_WIDTH = 14.0


class DeltaModel(ViewModel):
    """Several (activation, loss) pairs over a z range; one of them selected for editing."""

    range_keys = ("zmin", "zmax")

    def declare(self, registry: Any):
        losses = list(registry.losses.values()) if registry is not None else []
        t_low = min((loss.target.low for loss in losses), default=-3.0)
        t_high = max((loss.target.high for loss in losses), default=3.0)
        text = default_pairs(registry)
        items = split_top(text)
        act, _, loss = (items[-1] if items else ":").partition(":")

        def parse(value: str) -> str:
            return format_pairs(parse_pairs(value, registry))

        return (
            Choice("pairs", text, PRESETS, label="pairs", parse=parse,
                   help="every drawn pair (the options are examples): a comma-separated activation:loss list, "
                        "parameters in brackets separated by ';', e.g. softmax(z2=1;z3=-1):huber(delta=0.5)"),
            Param("pair", float(max(1, len(items))), 1, MAX_PAIRS, 1, label="selected pair",
                  help="which pair (1 = first) activation, loss and their parameters edit"),
            FunctionChoice("activation", "activation", (act,), label="activation", browse=True,
                           help="activation of the selected pair"),
            FunctionChoice("loss", "loss", (loss,), label="loss", target=False, browse=True,
                           help="loss of the selected pair"),
            Param("t", min(max(1.0, t_low), t_high), t_low, t_high, label="target t",
                  help="target of every pair (within the selected loss's target range)"),
            Param("ywrong", 0.01, 0.0001, 0.9999, 0.0001, label="wrong at y",
                  help="the output marked on every plot; y = 0.01 with t = 1 is confidently wrong"),
            Param("zmin", -7.0, -Z_LIMIT, Z_LIMIT, 0.5, label="z min", help="left end of the z axis"),
            Param("zmax", 7.0, -Z_LIMIT, Z_LIMIT, 0.5, label="z max", help="right end of the z axis"),
        )

    def __init__(self, registry: Any = None, history: Any = None) -> None:
        super().__init__(registry, history)
        self._follow_selection({"pairs"}, set())  # the selected pair's fields from the default list
        self.adjust({"pairs"}, set())

    # -- what the view reads -------------------------------------------------------------------
    def entries(self) -> list[PairEntry]:
        """The drawn pairs (the selected one as the fields hold it)."""
        if not self["pairs"]:
            return []
        return parse_pairs(self["pairs"], self.registry)

    @property
    def selected(self) -> int:
        """Index (0-based) of the selected pair."""
        return int(self["pair"]) - 1

    def selected_entry(self) -> PairEntry | None:
        act, loss = self.function("activation"), self.function("loss")
        if act is None or loss is None:
            return None
        return PairEntry(act, loss, self.function_params("activation"), self.function_params("loss"))

    def active_keys(self) -> list[Key]:
        """As declared, but ``t`` shows the selected loss's target range (the panel's slider)."""
        keys = super().active_keys()
        loss = self.function("loss")
        if loss is None:
            return keys
        tp, declared = loss.target, self._by_name["t"]
        memo = self.__dict__.setdefault("_narrowed", {})  # one Param per target range: binders compare keys per frame
        shape = (tp.low, tp.high, tp.step, declared)
        narrowed = memo.get(shape)
        if narrowed is None:
            narrowed = memo[shape] = Param("t", tp.clamp(declared.default), tp.low, tp.high, tp.step,
                                           label=declared.label, help=declared.help)
        return [Key("t", narrowed) if k.name == "t" else k for k in keys]

    # -- keeping the two homes of the selected pair equal -----------------------------------------
    def _apply(self, settings):
        """Independent keys, then the selected pair's fields from ``pairs``/``pair``, then dependent keys.

        So ``activation.beta`` applies to the activation the new selection brings, in any order.
        """
        independent = {k: v for k, v in settings.items() if "." not in k}
        dependent = {k: v for k, v in settings.items() if "." in k}
        changed = super()._apply(independent)
        changed |= self._follow_selection(changed, set(independent))
        if dependent:
            changed |= super()._apply(dependent)
        return changed

    def _follow_selection(self, changed: set[str], explicit: set[str]) -> set[str]:
        """A new list or selection loads the selected item into the fields (except what was set explicitly)."""
        more: set[str] = set()
        if not {"pairs", "pair"} & changed or not self._values["pairs"]:
            return more
        entries = parse_pairs(self._values["pairs"], self.registry)
        n = len(entries)
        if "pair" not in explicit and ("pairs" in explicit or self._values["pair"] > n):
            if self._values["pair"] != float(n):
                self._values["pair"] = float(n)
                more.add("pair")
        i = int(self._values["pair"]) - 1
        if self._values["pair"] == i + 1 and 0 <= i < n:
            more |= self._load(entries[i], explicit)
        return more

    def adjust(self, changed: set[str], explicit: set[str]) -> set[str]:
        """Write the selected pair's fields back into ``pairs``; keep t in the loss's range and zmin < zmax."""
        more: set[str] = set()
        text = self._values["pairs"]
        entry = self.selected_entry()
        if text and entry is not None:
            entries = parse_pairs(text, self.registry)
            i = int(self._values["pair"]) - 1
            if self._values["pair"] == i + 1 and 0 <= i < len(entries):
                entries[i] = entry
                new = format_pairs(entries)
                if new != text:
                    self._values["pairs"] = new
                    more.add("pairs")
        loss = self.function("loss")
        if loss is not None and "t" not in explicit:
            t = loss.target.clamp(self._values["t"])
            if t != self._values["t"]:
                self._values["t"] = t
                more.add("t")
        more |= self._keep_range(explicit)
        return more

    def _load(self, entry: PairEntry, explicit: set[str]) -> set[str]:
        """The selected pair's fields from its item in ``pairs``; a function the caller chose explicitly wins."""
        more: set[str] = set()
        for name, spec, values in (("activation", entry.activation, entry.act_values),
                                   ("loss", entry.loss, entry.loss_values)):
            if name in explicit:
                continue
            f = self._by_name[name]
            more |= self._choose(f, spec.name)
            for p, v in values.items():
                if self._values.get(f"{name}.{p}") != v:
                    self._values[f"{name}.{p}"] = v
                    more.add(f"{name}.{p}")
            self._remember(f)
        return more

    def _keep_range(self, explicit: set[str]) -> set[str]:
        """Moving one end past the other drags the other along (the width of the default range)."""
        low, high = self._values["zmin"], self._values["zmax"]
        if low < high or len({"zmin", "zmax"} & explicit) != 1:
            return set()
        if "zmin" in explicit:
            self._values["zmax"] = min(low + Z_WIDTH, Z_LIMIT)
            return {"zmax"}
        self._values["zmin"] = max(high - Z_WIDTH, -Z_LIMIT)
        return {"zmin"}

    def validate(self) -> str:
        n = len(split_top(self["pairs"]))
        pair = self["pair"]
        if n and (pair != int(pair) or not 1 <= pair <= n):
            return f"pair={pair:g}: choose 1 … {n} (one of the drawn pairs)"
        loss = self.function("loss")
        if loss is not None and not loss.target.low <= self["t"] <= loss.target.high:
            return (f"t={self['t']:g} is outside {loss.label}'s target range "
                    f"[{loss.target.low:g}, {loss.target.high:g}]")
        if not self["zmin"] < self["zmax"]:
            return f"zmin={self['zmin']:g} must be below zmax={self['zmax']:g}"
        return ""

    # -- editing the list ----------------------------------------------------------------------
    def add_pair(self) -> str:
        """Append a copy of the selected pair and select it; returns why not, or ""."""
        entries = self.entries()
        if not entries:
            return "no pair to copy"
        if len(entries) >= MAX_PAIRS:
            return f"at most {MAX_PAIRS} pairs; remove one first"
        entries.append(entries[self.selected])
        self.update({"pairs": format_pairs(entries), "pair": len(entries)})
        return ""

    def remove_pair(self, index: int) -> str:
        entries = self.entries()
        if len(entries) <= 1:
            return "the last pair cannot be removed"
        if not 0 <= index < len(entries):
            return f"there is no pair {index + 1}"
        del entries[index]
        selected = self.selected - (index < self.selected)
        self.update({"pairs": format_pairs(entries), "pair": min(max(selected, 0), len(entries) - 1) + 1})
        return ""

    def select(self, index: int) -> None:
        self.set("pair", index + 1)


# ---------------------------------------------------------------- numbers


@dataclass
class PairFrame:
    """One pair's numbers over z: the chain-rule pieces, its confidently-wrong point, the lecture's shortcut."""

    entry: PairEntry
    index: int
    out: bp.OutputDelta | None = None
    wrong: bp.ConfidentlyWrong | None = None
    wrong_values: tuple[float, float, float, float] | None = None  # y, ∂E/∂y, f′, δ at the wrong z
    shortcut: np.ndarray | None = None
    problem: str = ""

    def series(self) -> tuple[np.ndarray, ...]:
        out = self.out
        return () if out is None else (out.y, out.dE_dy, out.fprime, out.delta)


@dataclass
class Frame:
    z: np.ndarray
    pairs: list[PairFrame]
    problems: list[str] = field(default_factory=list)
    t: float = 1.0
    ywrong: float = 0.01

    @property
    def any_shortcut(self) -> bool:
        return any(p.shortcut is not None for p in self.pairs)


def rules_of(registry: Any) -> dict | None:
    """The closed forms δ of this registry's plugins (``actviz_output_deltas``); None: the installed plugins'."""
    return collect_output_delta_rules(registry) if registry is not None else None


class _Lru:
    """A small least-recently-used dict."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple, Any] = OrderedDict()

    def get(self, key: tuple, make):
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        value = self.items[key] = make()
        while len(self.items) > self.size:
            self.items.popitem(last=False)
        return value


def _frozen(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    for values in arrays:
        values.flags.writeable = False
    return arrays


class WrongCache:
    """What a frame computed that the next may reuse: dragging t redoes only the loss's part.

    Kept across frames: the z grid per range; each pair's unit values f(z), f′(z) per activation,
    parameters and range (t and the loss do not change them); the confidently-wrong z per activation,
    parameters and y (a root search; neither t nor the loss moves it); the four values at that z per
    pair and t. The same objects come back, so the view can tell an unchanged curve by identity.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._grids = _Lru(4)
        self._units = _Lru(2 * MAX_PAIRS)
        self._roots = _Lru(size)
        self._items = _Lru(size)

    def grid(self, zmin: float, zmax: float) -> np.ndarray:
        """The plotted z (read-only, the same array for the same range)."""
        return self._grids.get((zmin, zmax), lambda: _frozen(np.linspace(zmin, zmax, POINTS))[0])

    def unit(self, entry: PairEntry, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(f(z), f′(z)) of the pair's activation over ``z`` (a :meth:`grid`), read-only."""
        a = entry.activation
        key = (a.plugin, a.name, tuple(entry.act_values.items()), float(z[0]), float(z[-1]), z.size)
        return self._units.get(key, lambda: _frozen(*bp.unit_values(a, z, entry.act_values)))

    def get(self, entry: PairEntry, t: float, ywrong: float, rules: Any = None):
        """(ConfidentlyWrong, (y, ∂E/∂y, f′, δ) there), or (None, None) when f never outputs ``ywrong``."""
        a, loss = entry.activation, entry.loss
        act = (a.plugin, a.name, tuple(entry.act_values.items()))

        def root():
            z = bp.confidently_wrong_z(a, entry.act_values, ywrong)
            return None if z is None else (z, _frozen(*bp.unit_values(a, np.array([z]), entry.act_values)))

        found = self._roots.get((*act, ywrong), root)
        if found is None:
            return None, None
        z, unit = found

        def make():
            at = bp.output_delta(a, loss, np.array([z]), entry.act_values, entry.loss_values, t, rules, unit=unit)
            values = (float(at.y[0]), float(at.dE_dy[0]), float(at.fprime[0]), float(at.delta[0]))
            return bp.ConfidentlyWrong(z, values[0], float(t), values[3]), values

        key = (*act, loss.plugin, loss.name, tuple(entry.loss_values.items()), t, ywrong)
        return self._items.get(key, make)


def compute(model: DeltaModel, cache: WrongCache | None = None) -> Frame:
    """Every pair's numbers at the model's settings (each failing pair is a problem, never an exception)."""
    cache = cache or WrongCache()
    z = cache.grid(model["zmin"], model["zmax"])
    t, ywrong = model["t"], model["ywrong"]
    rules = rules_of(model.registry)
    entries = model.entries()
    chosen = model.selected_entry()
    if chosen is not None and 0 <= model.selected < len(entries):
        entries[model.selected] = chosen
    frame = Frame(z, [], [], t, ywrong)
    for i, entry in enumerate(entries):
        pf = PairFrame(entry, i)
        frame.pairs.append(pf)
        tp = entry.loss.target
        if not tp.low <= t <= tp.high:
            pf.problem = f"t = {t:g} is outside {entry.loss.label}'s target range [{tp.low:g}, {tp.high:g}]"
        else:
            try:
                pf.out = bp.output_delta(entry.activation, entry.loss, z, entry.act_values, entry.loss_values, t,
                                         rules, unit=cache.unit(entry, z))
                shortcut = bp.lecture_shortcut(entry.activation, entry.loss, z, entry.act_values, t, rules)
                pf.shortcut = None if shortcut is None else shortcut[1]
                pf.wrong, pf.wrong_values = cache.get(entry, t, ywrong, rules)
            except EvaluationError as exc:
                pf.out, pf.problem = None, str(exc)
        if pf.problem:
            frame.problems.append(f"{entry.short}: {pf.problem} (not drawn)")
            continue
        if pf.out.reason:  # a probability loss undefined where y leaves [0, 1]
            frame.problems.append(f"{entry.short}: {pf.out.reason}")
            continue
        for what, values in (("y", pf.out.y), ("δ", pf.out.delta)):
            bad = int(np.count_nonzero(~np.isfinite(values)))
            if bad:
                frame.problems.append(f"{entry.short}: {what} is not finite at {bad} of {z.size} z (left blank)")
    return frame


# ---------------------------------------------------------------- a y range that keeps the lesson visible


@dataclass
class AxisFit:
    """A y range and the series it leaves partly off scale: (index, lowest, highest finite value)."""

    low: float
    high: float
    off: list[tuple[int, float, float]] = field(default_factory=list)


def _percentile(ordered: np.ndarray, q: float) -> float:
    """``np.percentile(ordered, q)`` (its default, linear) of sorted values, without its per-call overhead."""
    at = (q / 100.0) * (ordered.size - 1)
    below = math.floor(at)
    above = min(below + 1, ordered.size - 1)
    a, b, t = float(ordered[below]), float(ordered[above]), at - below
    diff = b - a
    return b - diff * (1.0 - t) if t >= 0.5 else a + diff * t  # numpy's _lerp, to the last bit


def robust_range(series: list[np.ndarray | None], marks: tuple[float, ...] = (), zero: bool = False,
                 quantile: float = 2.0, spread: float = 3.0) -> AxisFit | None:
    """Fit every series whole unless a few of its points lie far beyond its bulk.

    A series' bulk is its ``quantile``…(100−``quantile``) percentile span; points
    more than ``spread`` spans beyond it (ReLU + cross-entropy's δ reaching −1e15
    at z ≈ 0⁺) are left off scale, so they do not flatten every other curve.
    ``marks`` are kept in range when they are near it; ``zero`` keeps 0 in range.
    """
    lows, highs, off = [], [], []
    for index, values in enumerate(series):
        if values is None:
            continue
        v = values[np.isfinite(values)]
        if not v.size:
            continue
        v = np.sort(v)
        lo_q, hi_q = _percentile(v, quantile), _percentile(v, 100.0 - quantile)
        span = (hi_q - lo_q) or 1e-9 * (1.0 + abs(hi_q))
        vmin, vmax = float(v[0]), float(v[-1])
        lo = vmin if vmin >= lo_q - spread * span else float(lo_q)
        hi = vmax if vmax <= hi_q + spread * span else float(hi_q)
        if lo > vmin or hi < vmax:
            off.append((index, vmin, vmax))
        lows.append(lo)
        highs.append(hi)
    if not lows:
        return None
    low, high = min(lows), max(highs)
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    reach = spread * ((high - low) or 1.0)
    near = [m for m in marks if np.isfinite(m) and low - reach <= m <= high + reach]
    low, high = min([low, *near]), max([high, *near])
    pad = 0.06 * (high - low) or 0.5 * (abs(high) or 1.0)
    low, high = low - pad, high + pad
    return AxisFit(low, high, [(i, a, b) for i, a, b in off if a < low or b > high])

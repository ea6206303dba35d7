"""The output-δ view's numbers per frame, with no Qt: each pair's chain-rule pieces over z, its
confidently-wrong point and the lecture's shortcut (:func:`compute`), and what one frame may reuse from
the last (:class:`WrongCache`), so dragging t redoes only the loss's part.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from actviz.evaluation import EvaluationError
from actviz.maths import backprop as bp
from actviz.maths.pairs import collect_output_delta_rules
from actviz_views.delta_pairs import MAX_PAIRS, PairEntry

if TYPE_CHECKING:
    from actviz_views.delta_model import DeltaModel

POINTS = 801


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

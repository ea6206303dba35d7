"""The output-δ view's state: its keys and the rules that keep them consistent, with no Qt.

Its numbers are in :mod:`delta_frames` (per frame) and :mod:`delta_axis` (the y range); both re-exported here.

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

from typing import Any

from actviz.models import Key, ViewModel
from actviz.specs import Choice, FunctionChoice, Param
from actviz_views.delta_axis import AxisFit, robust_range
from actviz_views.delta_frames import POINTS, Frame, PairFrame, WrongCache, compute, rules_of
from actviz_views.delta_pairs import (
    MAX_PAIRS,
    PRESETS,
    PairEntry,
    default_pairs,
    format_pairs,
    parse_pairs,
    split_top,
)

__all__ = ["POINTS", "Z_LIMIT", "Z_WIDTH", "AxisFit", "DeltaModel", "Frame", "PairFrame", "WrongCache", "compute",
           "robust_range", "rules_of"]  # the numbers live in delta_frames and delta_axis

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

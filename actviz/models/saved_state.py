"""A view model's saved state: what scenes, sessions and undo keep, and how it is applied again."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

from actviz.models.keys import ModelError, qualified
from actviz.specs import FunctionChoice


class SavedState:
    """The :class:`~actviz.models.ViewModel` methods that turn it into JSON-able state and back."""

    def state(self) -> dict[str, Any]:
        """Everything needed to reproduce this view, JSON-able; functions named ``plugin/name``."""
        state = self._snapshot()
        state["extras"] = copy.deepcopy(state["extras"])
        return state

    def _snapshot(self) -> dict[str, Any]:
        """:meth:`state` with the extras' values shared: what undo keeps (restore copies them back in)."""
        values: dict[str, Any] = {}
        for name, value in self._values.items():
            f = self._by_name.get(name)
            if isinstance(f, FunctionChoice):
                spec = self.function(name)
                values[name] = qualified(spec) if spec is not None else value
            else:
                values[name] = value
        for f in self.fields:
            if isinstance(f, FunctionChoice):
                self._remember(f)
        return {"values": values,
                "remembered": {k: {n: dict(v) for n, v in m.items()} for k, m in self.memory.items() if m},
                "extras": dict(self.extras)}

    def restore(self, state: Mapping[str, Any], *, record: bool = False) -> list[str]:
        """Apply a saved state; whatever cannot be applied is skipped and listed in the result."""
        missing: list[str] = []
        if not isinstance(state, Mapping):
            return [f"state is a {type(state).__name__}, not a mapping"]
        trial = self._copy()
        remembered = state.get("remembered", {})
        if isinstance(remembered, Mapping):
            for field_name, per_function in remembered.items():
                if field_name not in trial.memory or not isinstance(per_function, Mapping):
                    continue
                for fn, params in per_function.items():
                    if isinstance(params, Mapping):
                        clean = {str(k): float(v) for k, v in params.items()
                                 if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}
                        trial.memory[field_name][str(fn).rsplit("/", 1)[-1]] = clean
        values = state.get("values", {})
        if isinstance(values, Mapping):
            independent = {str(k): v for k, v in values.items() if "." not in str(k)}
            dependent = {str(k): v for k, v in values.items() if "." in str(k)}
            for group in (independent, dependent):
                try:
                    applied = trial._copy()
                    applied.adjust(applied._apply(group), set(group))
                    trial = applied
                except ModelError:  # one bad value: apply one by one and name each that fails
                    for name, raw in group.items():
                        try:
                            applied = trial._copy()
                            applied.adjust(applied._apply({name: raw}), {name})
                            trial = applied
                        except ModelError as exc:
                            missing.append(self._why(name, raw, exc))
            problem = trial.validate()
            if problem:
                missing.append(f"{problem}; kept the defaults")
                trial = self._copy()
        extras = state.get("extras", {})
        if isinstance(extras, Mapping):
            for name, value in extras.items():
                if name in trial.extras:
                    clean, dropped = trial.clean_extra(name, value)
                    missing.extend(dropped)
                    if clean is not None or value is None:  # a saved None ("fresh") is a value too
                        trial.extras[name] = copy.deepcopy(clean)
        changed = {k for k in set(trial._values) | set(self._values) if trial._values.get(k) != self._values.get(k)}
        changed |= {k for k in set(trial.extras) | set(self.extras) if trial.extras.get(k) != self.extras.get(k)}
        if record and self.history is not None:
            self._commit(trial, changed)
        else:
            self._values, self.memory, self.extras = trial._values, trial.memory, trial.extras
            if changed:
                self._emit(changed)
        self.missing = missing
        return missing

    def _why(self, name: str, raw: Any, exc: ModelError) -> str:
        if isinstance(self._by_name.get(name), FunctionChoice):
            plugin, _, fn = str(raw).rpartition("/")
            return f"{name}: function {fn!r}" + (f" from plugin {plugin!r}" if plugin else "") + " is not installed"
        return str(exc)

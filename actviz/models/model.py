"""A view's whole state, declared once as Param / Choice / FunctionChoice specs, with no Qt.

From that one declaration come the control panel (one generic binder), the
``--set KEY=VALUE`` keys and their ``--help`` listing, saved state, scenes and
undo. Keys: a view's own controls keep flat names (``t``, ``seed``); the
parameters of a function picked by a :class:`FunctionChoice` are namespaced by
that control (``loss.delta``, ``activation.alpha``), so no plugin's parameter
name can collide with a view's key.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from actviz.models.keys import Key, ModelError, convert, own_params, qualified
from actviz.models.saved_state import SavedState
from actviz.specs import Activation, Choice, FunctionChoice, Loss, Param

__all__ = ["Key", "ModelError", "ViewModel", "own_params", "qualified"]

Field = Param | Choice | FunctionChoice
Listener = Callable[[frozenset[str]], None]


class ViewModel(SavedState):
    """Values of declared fields, validated, observable, serialisable and undoable.

    Subclasses implement :meth:`declare` (the fields, which may depend on the
    registry) and may keep *extras*: JSON-able state that is not a control
    (pins, trained weights), set through :meth:`set_extra` so it is saved,
    restored and undone like the rest. ``range_keys`` names the (low, high)
    keys that ``--range`` sets, if the view has an x range.
    """

    range_keys: tuple[str, str] | None = None
    #: keys that run bulk work before drawing (train N epochs): for export and scenes, not for a panel or a drag
    batch_keys: frozenset[str] = frozenset()

    def __init__(self, registry: Any = None, history: Any = None) -> None:
        self.registry = registry
        self.history = history
        self._listeners: list[Listener] = []
        self.fields: tuple[Field, ...] = tuple(self.declare(registry))
        self._by_name = {f.name: f for f in self.fields}
        self._choices = tuple(f for f in self.fields if isinstance(f, FunctionChoice))
        self._values: dict[str, Any] = {}
        #: per FunctionChoice: function name -> its remembered parameter values
        self.memory: dict[str, dict[str, dict[str, float]]] = {}
        self.extras: dict[str, Any] = self.default_extras()
        #: what the last restore could not apply (missing plugins, bad values), one line each
        self.missing: list[str] = []
        for f in self.fields:
            self._values[f.name] = self._default(f)
            if isinstance(f, FunctionChoice):
                self.memory[f.name] = {}
                self._load_params(f, self._values[f.name])

    # -- declaration ---------------------------------------------------------------------------
    def declare(self, registry: Any) -> Sequence[Field]:
        """The fields of this view, in the order the panel shows them."""
        return ()

    def default_extras(self) -> dict[str, Any]:
        return {}

    def adjust(self, changed: set[str], explicit: set[str]) -> set[str]:
        """Follow-up changes after ``changed`` (``explicit``: keys the caller set); return what else changed.

        Runs on a trial copy, before :meth:`validate`; e.g. a new function kind brings its own x range.
        """
        return set()

    def validate(self) -> str:
        """Why the current combination of values is not allowed ("" when it is), e.g. zmin ≥ zmax."""
        return ""

    def clean_extra(self, name: str, value: Any) -> tuple[Any, list[str]]:
        """A saved extra made usable (e.g. pins of missing functions dropped) and what was dropped."""
        return value, []

    def options(self, field: FunctionChoice) -> tuple[str, ...]:
        """Names of the functions ``field`` can pick."""
        reg = self.registry
        if reg is None:
            return ()
        pools = {"activation": reg.activations, "loss": reg.losses}
        specs = [s for kind, pool in pools.items() if field.kind in (kind, "any") for s in pool.values()]
        return tuple(s.name for s in specs if field.accepts is None or field.accepts(s))

    def function(self, name: str) -> Activation | Loss | None:
        """The spec a FunctionChoice field currently picks."""
        chosen = self._values.get(name)
        if not chosen or self.registry is None:
            return None
        try:
            return self.registry.get(chosen)
        except KeyError:
            return None

    def function_params(self, name: str) -> dict[str, float]:
        """The chosen function's own parameter values (the target of a loss excluded)."""
        spec = self.function(name)
        if spec is None:
            return {}
        return {p.name: self._values.get(f"{name}.{p.name}", p.default) for p in spec.params}

    def function_target(self, name: str) -> float | None:
        spec = self.function(name)
        if not isinstance(spec, Loss):
            return None
        return self._values.get(f"{name}.{spec.target.name}", spec.target.default)

    def _default(self, f: Field) -> Any:
        if isinstance(f, FunctionChoice):
            options = self.options(f)
            for preferred in f.default:
                if preferred in options:
                    return preferred
            return options[0] if options else ""
        return f.default

    def function_choice(self, f: FunctionChoice) -> Choice:
        """The FunctionChoice as a Choice over the registry's current options (labels for the GUI)."""
        options = self.options(f)
        labels = tuple(self.registry.get(n).label for n in options) if self.registry is not None else ()
        return Choice(f.name, self._default(f), options, label=f.label, help=f.help, labels=labels)

    # -- keys ----------------------------------------------------------------------------------
    def active_keys(self) -> list[Key]:
        """The keys that apply now, in panel order (a function's parameters after its choice).

        Asked on every change (the binder compares them, a dependent key is looked up), so they are
        kept while the chosen functions and the registry's specs stay the same objects.
        """
        stamp = (self._registry_stamp(), tuple(self._values.get(f.name) for f in self._choices))
        cached = self.__dict__.get("_keys_cache")
        if cached is not None and cached[0] == stamp:
            return list(cached[1])
        keys = self._active_keys()
        self._keys_cache = (stamp, tuple(keys))
        return keys

    def _registry_stamp(self) -> tuple:
        """Identity of the registry and of every spec in it: a new, added, removed or replaced one changes it."""
        reg = self.registry
        if reg is None:
            return ()
        return (id(reg), tuple(map(id, reg.activations.values())), tuple(map(id, reg.losses.values())))

    def _active_keys(self) -> list[Key]:
        keys: list[Key] = []
        for f in self.fields:
            if isinstance(f, FunctionChoice):
                keys.append(Key(f.name, self.function_choice(f)))
                spec = self.function(f.name)
                if spec is not None:
                    for p in own_params(spec, f.target):
                        keys.append(Key(f"{f.name}.{p.name}", p, owner=f.name))
            else:
                keys.append(Key(f.name, f))
        return keys

    def all_keys(self) -> list[Key]:
        """Every key this view can take, dependent keys included with the condition they need."""
        keys: list[Key] = []
        for f in self.fields:
            if isinstance(f, FunctionChoice):
                keys.append(Key(f.name, self.function_choice(f)))
                for option in self.options(f):
                    spec = self.registry.get(option)
                    for p in own_params(spec, f.target):
                        keys.append(Key(f"{f.name}.{p.name}", p, f"{f.name}={option}", owner=f.name))
            else:
                keys.append(Key(f.name, f))
        return keys

    def key(self, name: str) -> Key:
        for k in self.active_keys():
            if k.name == name:
                return k
        conditions = sorted({k.condition for k in self.all_keys() if k.name == name and k.condition})
        if conditions:
            raise ModelError(f"{name} applies only when {' or '.join(conditions[:6])}"
                             f"{' …' if len(conditions) > 6 else ''}")
        raise ModelError(f"unknown key {name!r} (keys: {', '.join(k.name for k in self.active_keys()) or 'none'})")

    def default_of(self, name: str) -> Any:
        """The default of an active key."""
        f = self._by_name.get(name)
        if f is not None:
            return self._default(f)
        return self.key(name).control.default

    def is_function(self, name: str) -> bool:
        """Whether ``name`` is a FunctionChoice field."""
        return isinstance(self._by_name.get(name), FunctionChoice)

    # -- values --------------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Any:
        if name not in self._values:
            raise KeyError(name)
        return self._values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._values.get(name, default)

    def values(self) -> dict[str, Any]:
        """The value of every active key."""
        return {k.name: self._values[k.name] for k in self.active_keys()}

    def set(self, name: str, value: Any, *, merge: bool = False) -> None:
        """Set one key (text or value); ModelError names the key and the reason, and nothing changes."""
        self.update({name: value}, merge=merge)

    def update(self, settings: Mapping[str, Any], *, merge: bool = False) -> None:
        """Set several keys in any order: choices first, then what depends on them. All or nothing."""
        trial = self._copy()
        changed = trial._apply(settings)
        changed |= trial.adjust(changed, set(settings))
        problem = trial.validate()
        if problem:
            raise ModelError(problem)
        if not changed:
            return
        self._commit(trial, changed, merge=merge)

    def _apply(self, settings: Mapping[str, Any]) -> set[str]:
        changed: set[str] = set()
        dependent = {k: v for k, v in settings.items() if "." in k}
        for name, raw in settings.items():  # independent keys first: a function before its parameters
            if name in dependent:
                continue
            f = self._by_name.get(name)
            if f is None:
                raise ModelError(f"unknown key {name!r} (keys: {', '.join(k.name for k in self.active_keys())})")
            if isinstance(f, FunctionChoice):
                changed |= self._choose(f, raw)
            else:
                value = convert(name, f, raw)
                if self._values.get(name) != value:
                    self._values[name] = value
                    changed.add(name)
        for name, raw in dependent.items():
            key = self.key(name)
            value = convert(name, key.control, raw)
            if self._values.get(name) != value:
                self._values[name] = value
                changed.add(name)
                self._remember(self._by_name[key.owner])  # type: ignore[arg-type]
        return changed

    def _choose(self, f: FunctionChoice, raw: Any) -> set[str]:
        name = str(raw).rsplit("/", 1)[-1]  # "plugin/name" from a scene, or a bare name
        options = self.options(f)
        if name not in options:
            shown = ", ".join(options[:12]) + (" …" if len(options) > 12 else "")
            raise ModelError(f"{f.name}={raw!r} is not an installed {f.kind if f.kind != 'any' else 'function'}"
                             f" (choices: {shown or 'none'})")
        if self._values.get(f.name) == name:
            return set()
        self._remember(f)
        old = {k: v for k, v in self._values.items() if k.startswith(f.name + ".")}
        for k in old:
            del self._values[k]
        self._values[f.name] = name
        self._load_params(f, name)
        new = {k for k in self._values if k.startswith(f.name + ".")}
        return {f.name} | set(old) | new

    def _remember(self, f: FunctionChoice) -> None:
        chosen = self._values.get(f.name)
        if chosen:
            prefix = f.name + "."
            self.memory[f.name][chosen] = {k[len(prefix):]: v for k, v in self._values.items()
                                           if k.startswith(prefix)}

    def _load_params(self, f: FunctionChoice, name: str) -> None:
        spec = self.function(f.name)
        if spec is None:
            return
        remembered = self.memory[f.name].get(name, {})
        for p in own_params(spec, f.target):
            value = remembered.get(p.name, p.default)
            self._values[f"{f.name}.{p.name}"] = value if p.low <= value <= p.high else p.default

    def reset(self, name: str | None = None) -> None:
        """Reset one key to its default, or (``None``) every key and extra."""
        if name is None:
            trial = type(self).__new__(type(self))
            trial.__dict__.update(self._copy().__dict__)
            trial._values = {}
            for f in self.fields:
                trial._values[f.name] = trial._default(f)
                if isinstance(f, FunctionChoice):
                    trial.memory[f.name] = {}
                    trial._load_params(f, trial._values[f.name])
            trial.extras = self.default_extras()
            changed = {k for k in set(trial._values) | set(self._values)
                       if trial._values.get(k) != self._values.get(k)}
            changed |= {k for k in set(trial.extras) | set(self.extras) if trial.extras.get(k) != self.extras.get(k)}
            if changed:
                self._commit(trial, changed)
            return
        self.set(name, self.default_of(name))

    # -- extras (pins, weights: JSON-able state that is not a control) ---------------------------
    def set_extra(self, name: str, value: Any, *, record: bool = True, merge: bool = False) -> None:
        if self.extras.get(name) == value:
            return
        trial = self._copy()
        trial.extras[name] = copy.deepcopy(value)
        if record:
            self._commit(trial, {name}, merge=merge)
        else:
            self.extras = trial.extras
            self._emit({name})

    # -- observation ---------------------------------------------------------------------------
    def connect(self, listener: Listener) -> None:
        """Call ``listener(names)`` after every change, with the keys and extras that changed."""
        self._listeners.append(listener)

    def disconnect(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, names: Iterable[str]) -> None:
        names = frozenset(names)
        for listener in list(self._listeners):
            listener(names)

    # -- state ---------------------------------------------------------------------------------
    def _copy(self) -> ViewModel:
        """A trial copy to apply a change to. Extras are shared: they are replaced, never changed in place."""
        other = copy.copy(self)
        other._values = dict(self._values)
        other.memory = {k: {n: dict(v) for n, v in m.items()} for k, m in self.memory.items()}
        other.extras = dict(self.extras)
        return other

    def _commit(self, trial: ViewModel, changed: set[str], *, merge: bool = False) -> None:
        history = self.history
        # a drag's frames fold into one open step, which needs no "before" (it has one): no state per frame
        before = self._snapshot() if history is not None and not history.merges(self, changed, merge) else None
        self._values, self.memory, self.extras = trial._values, trial.memory, trial.extras
        if history is not None:
            history.record(self, before, self._snapshot(), changed, merge=merge)
        self._emit(changed)

"""The validated catalogue the rest of the app reads.

:func:`load_registry` calls each plugin's hooks one by one, validates every
spec, probes every function on a grid, checks analytic derivatives against
numerical ones, and records each failure as a :class:`Problem` naming the
plugin. What passes is in ``.activations``, ``.losses`` and ``.views``.
The probe and the derivative check of one function are :mod:`actviz.host.probe`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from actviz.host import guard
from actviz.host.plugins import PluginInfo, Problem, call_each, load_plugins
from actviz.host.probe import (  # noqa: F401 - re-exported: the probe's names were this module's
    ACTIVATION_GRID,
    MAX_CORNERS,
    MAX_KINKS,
    MAX_READ,
    PROBABILITY_GRID,
    _contained_check,
    _finish_steps,
    _probe_all,
    _probe_steps,
    _Step,
    check_spec,
    kinks_of,
    parameter_corners,
    probe_grid,
    targets,
)
from actviz.numerics import numerical_derivative
from actviz.specs import Activation, Loss, SpecError, View, validate_spec, validate_view


@dataclass
class Registry:
    """Every usable function and view, plus what went wrong on the way.

    ``problems`` is complete whenever it is read: :func:`load_registry`
    admits a function on its probe and leaves the derivative check (most of
    a load's time) for the first read of ``problems``
    (:meth:`check_derivatives`), so a window can paint first.
    """

    activations: dict[str, Activation] = field(default_factory=dict)
    losses: dict[str, Loss] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    plugins: list[PluginInfo] = field(default_factory=list)

    def get(self, name: str) -> Activation | Loss:
        if name in self.activations:
            return self.activations[name]
        if name in self.losses:
            return self.losses[name]
        raise KeyError(name)

    def functions(self) -> list[Activation | Loss]:
        return [*self.activations.values(), *self.losses.values()]

    def by_plugin(self) -> dict[str, list[Activation | Loss]]:
        groups: dict[str, list[Activation | Loss]] = {}
        for spec in self.functions():
            groups.setdefault(spec.plugin, []).append(spec)
        return groups

    @property
    def unchecked(self) -> int:
        """Functions whose derivative check has not run yet (0 once ``problems`` has been read)."""
        return len(self.__dict__.get("_pending", ()))

    def check_derivatives(self) -> None:
        """Run the derivative checks the load left undone; their problems go where an eager load put them."""
        pending = self.__dict__.pop("_pending", [])
        problems = self.__dict__["_problems"]
        for item in reversed(pending):  # from the end, so earlier positions stay valid
            problems[item.start:item.end] = _finish_steps(item.spec, item.steps)


def _get_problems(self: Registry) -> list[Problem]:
    if self.__dict__.get("_pending"):
        self.check_derivatives()
    return self.__dict__["_problems"]


def _set_problems(self: Registry, value: list[Problem]) -> None:
    self.__dict__["_problems"] = value


Registry.problems = property(_get_problems, _set_problems)  # type: ignore[assignment] - a field read lazily


@dataclass
class _Pending:
    """An admitted function whose derivative check is still to run: its problems are problems[start:end]."""

    spec: Activation | Loss
    steps: list[_Step]
    start: int
    end: int


def _with_numerical_derivative(spec: Activation | Loss) -> Activation | Loss:
    if spec.derivative is not None:
        return spec

    def numerical(x, *args, _f=spec.function, **params):
        return numerical_derivative(lambda v: _f(v, *args, **params), x)

    key = "gradient" if isinstance(spec, Loss) else "derivative"
    return dataclasses.replace(spec, **{key: numerical, "numerical_derivative": True})


@dataclass
class _Offer:
    """One item a plugin's hook returned, validated: ``spec`` is ready to probe (None: refused)."""

    plugin: str
    table: dict
    problems: list[Problem] = field(default_factory=list)  # from validating it
    name: str = ""
    spec: Any = None
    error: BaseException | None = None  # preparing it ran plugin code that raised


def _validate(item: Any, plugin: str, table: dict, kind: type) -> _Offer:
    offer = _Offer(plugin, table)
    try:
        if not isinstance(item, kind):
            raise SpecError(f"expected actviz.{kind.__name__}, got {type(item).__name__}")
        validate_spec(item)
        offer.name = item.name
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a spec subclass runs plugin code in its attributes
        message = str(exc) if isinstance(exc, SpecError) else f"validating it raised {guard.describe(exc)}"
        offer.problems.append(Problem(plugin, "validate", message, spec=_safe_name(item)))
        return offer
    try:
        offer.spec = _with_numerical_derivative(dataclasses.replace(item, plugin=plugin))
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001
        offer.error = exc
    return offer


def _admit(offer: _Offer, taken: dict[str, str], problems: list[Problem], pending: list[_Pending] | None,
           probed: dict | None = None) -> None:
    """Probe one validated spec; admit it unless the probe rejects it.

    With ``pending`` its derivative check is left there, to run when the
    registry's problems are first read; without, it runs now.
    """
    problems.extend(offer.problems)
    name, spec, plugin = offer.name, offer.spec, offer.plugin
    if spec is None and offer.error is None:
        return
    if name in taken:
        problems.append(Problem(plugin, "validate", f"name {name!r} is already taken by plugin {taken[name]!r}",
                                spec=name))
        return
    if offer.error is not None:
        problems.append(Problem(plugin, "probe", f"checking it raised {guard.describe(offer.error)}", spec=name))
        return
    try:
        steps = list(_probe_steps(spec, deep=False, probed=(probed or {}).get(id(spec))))  # derivative checks wait
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001
        problems.append(Problem(plugin, "probe", f"checking it raised {guard.describe(exc)}", spec=name))
        return
    found = [p for step in steps for p in step.problems]
    if any(p.stage == "probe" for p in found):
        problems.extend(found)
        return
    start = len(problems)
    problems.extend(found)
    if pending is not None and any(step.mismatch is not None for step in steps):
        pending.append(_Pending(spec, steps, start, len(problems)))
    elif pending is None:
        problems[start:] = _finish_steps(spec, steps)
    taken[name] = plugin
    offer.table[name] = spec


def _safe_name(spec: Any) -> str:
    try:
        name = getattr(spec, "name", "")
    except BaseException:  # noqa: BLE001
        return ""
    return name if isinstance(name, str) else ""


def _admit_view(view: Any, plugin: str, views: dict, problems: list[Problem]) -> None:
    try:
        validate_view(view)
        name = view.name
        if name in views:
            problems.append(Problem(plugin, "validate", f"view name {name!r} is already taken "
                                    f"by plugin {views[name].plugin!r}"))
            return
        views[name] = dataclasses.replace(view, plugin=plugin)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001
        message = str(exc) if isinstance(exc, SpecError) else f"validating it raised {guard.describe(exc)}"
        problems.append(Problem(plugin, "validate", message))


def load_registry(
    disabled: Iterable[str] = (),
    extra: Iterable[tuple[str, Any]] = (),
    entry_points: bool = True,
    safe_mode: bool = False,
    only: Iterable[str] | None = None,
    defer_derivatives: bool = True,
) -> Registry:
    """Load every plugin not in ``disabled`` and return the validated registry.

    ``extra`` adds in-process plugins as (name, module-or-object) pairs; they
    load after the entry points, like third parties. ``safe_mode`` loads the
    built-in plugins only; ``only`` imports just the named entry points.

    Names are owned: every hook of every plugin is called first, then specs
    are admitted plugin by plugin in load order (built-ins first), so a
    third party's activation cannot take the name of a built-in loss. A name
    already taken is a problem naming both plugins.

    A function is admitted on its probe (f and f′ on a grid, each call
    time-bounded); its derivative check runs when ``problems`` is first
    read (``defer_derivatives``), or at once when that is False.
    """
    with _collection_paused():
        return _load(disabled, extra, entry_points, safe_mode, only, defer_derivatives)


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while the registry loads (as it was again after).

    A load allocates tens of thousands of objects that live on (modules,
    functions, specs); the collector scanned them ~20 times on the way (~10 ms
    of 200 plugins). They are collected as usual after the load.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _load(disabled: Iterable[str], extra: Iterable[tuple[str, Any]], entry_points: bool, safe_mode: bool,
          only: Iterable[str] | None, defer_derivatives: bool) -> Registry:
    pending: list[_Pending] = []
    with guard.one_snapshot():  # imports and hooks run plugin code only: numpy's namespace is copied once
        pm, infos, problems = load_plugins(disabled, extra, entry_points, safe_mode=safe_mode, only=only)
        reg = Registry(problems=problems, plugins=infos)
        offered: dict[str, list[tuple[list, dict, type]]] = {}
        for hook, table, kind in (("actviz_activations", reg.activations, Activation),
                                  ("actviz_losses", reg.losses, Loss)):
            for plugin, items, problem in call_each(pm, hook):
                if problem is not None:
                    problems.append(problem)
                    continue
                offered.setdefault(plugin, []).append((items, table, kind))
    order = {name: i for i, (name, _) in enumerate(pm.list_name_plugin())}  # registration order
    offers = [_validate(item, plugin, table, kind)
              for plugin in sorted(offered, key=lambda n: order.get(n, len(order)))
              for items, table, kind in offered[plugin] for item in items]
    claimed: set[str] = set()
    first = [o for o in offers if o.spec is not None and o.name not in claimed and not claimed.add(o.name)]
    probed = _probe_all(first)
    taken: dict[str, str] = {}
    for offer in offers:
        _admit(offer, taken, problems, pending if defer_derivatives else None, probed)
    with guard.one_snapshot():  # a new one: probing ran plugin functions, unwatched
        for plugin, items, problem in call_each(pm, "actviz_views"):
            if problem is not None:
                problems.append(problem)
                continue
            for view in items:
                _admit_view(view, plugin, reg.views, problems)
    _summarise(reg, problems)
    if pending:
        reg.__dict__["_pending"] = pending
    return reg


def _summarise(reg: Registry, problems: list[Problem]) -> None:
    by_name = {info.name: info for info in reg.plugins}
    for spec in [*reg.functions(), *reg.views.values()]:
        info = by_name.get(spec.plugin)
        if info is not None:
            info.adds.append(spec.name)
    failed = {p.plugin for p in problems if p.stage in ("import", "register")}
    for info in reg.plugins:
        if info.name in failed:
            info.status = "failed"


def deep_check(reg: Registry) -> list[Problem]:
    """Everything ``actviz check`` reports: load problems plus every parameter corner."""
    problems = list(reg.problems)
    seen = {(p.plugin, p.spec, p.message) for p in problems}
    for spec in reg.functions():
        for p in _contained_check(spec):
            if (p.plugin, p.spec, p.message) not in seen:
                seen.add((p.plugin, p.spec, p.message))
                problems.append(p)
    return problems

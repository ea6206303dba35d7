"""Finding plugins: entry points of the group ``actviz``, blocked before import when disabled.

Built-in plugins (those shipped in the ``actviz`` distribution) come first so
a third party can never shadow a built-in name; third parties follow in a
stable order. A plugin that fails to import is recorded, never raised.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pluggy

from actviz import hookspecs

GROUP = "actviz"
HOST_DISTRIBUTION = "actviz"


@dataclass(frozen=True)
class Problem:
    """One thing that went wrong with a plugin: who, at which stage, and why."""

    plugin: str
    stage: str
    message: str
    traceback: str = ""
    spec: str = ""

    def __str__(self) -> str:
        where = f"{self.plugin}" + (f" / {self.spec}" if self.spec else "")
        return f"[{where}] {self.stage}: {self.message}"


@dataclass
class PluginInfo:
    """What the plugin dialog and ``actviz plugins`` show about one plugin."""

    name: str
    distribution: str = ""
    version: str = ""
    location: str = ""
    builtin: bool = False
    status: str = "active"  # active | disabled | failed
    adds: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in
                ("name", "distribution", "version", "location", "builtin", "status", "adds")}


def disabled_from_env(environ: dict[str, str] | None = None) -> set[str]:
    raw = (environ if environ is not None else os.environ).get("ACTVIZ_DISABLE", "")
    return {part.strip() for part in raw.split(",") if part.strip()}


def make_plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("actviz")
    pm.add_hookspecs(hookspecs)
    return pm


def _entry_points() -> list[tuple[metadata.EntryPoint, str, str]]:
    """(entry point, distribution name, version), built-ins first, each metadata file read once."""
    found = []
    seen: set[str] = set()
    for ep in metadata.entry_points(group=GROUP):
        if ep.name in seen:  # the same distribution on sys.path twice shows up twice
            continue
        seen.add(ep.name)
        meta = ep.dist.metadata if ep.dist else None
        found.append((ep, (meta["Name"] or "") if meta else "", (meta["Version"] or "") if meta else ""))

    def order(item: tuple[metadata.EntryPoint, str, str]) -> tuple[int, str, str]:
        ep, dist, _ = item
        return (0 if dist == HOST_DISTRIBUTION else 1, dist.lower(), ep.name)

    return sorted(found, key=order)


def _location(obj: Any) -> str:
    return getattr(obj, "__file__", None) or getattr(type(obj), "__module__", "") or ""


def load_plugins(
    disabled: Iterable[str] = (),
    extra: Iterable[tuple[str, Any]] = (),
    entry_points: bool = True,
) -> tuple[pluggy.PluginManager, list[PluginInfo], list[Problem]]:
    """Import and register every plugin not in ``disabled``.

    ``extra`` registers in-process plugins (name, module-or-object) after the
    entry points, as a third party would be; tests and user formulas use it.
    """
    blocked = set(disabled) | disabled_from_env()
    pm = make_plugin_manager()
    infos: list[PluginInfo] = []
    problems: list[Problem] = []
    sources: list[tuple[str, Any, PluginInfo]] = []
    if entry_points:
        for ep, dist, version in _entry_points():
            info = PluginInfo(name=ep.name, distribution=dist, version=version,
                              builtin=dist == HOST_DISTRIBUTION, location=ep.value)
            infos.append(info)
            if ep.name in blocked:
                info.status = "disabled"
                continue
            try:
                obj = ep.load()
            except BaseException as exc:  # noqa: BLE001 - a plugin may raise anything, even SystemExit
                if isinstance(exc, KeyboardInterrupt):
                    raise
                info.status = "failed"
                problems.append(Problem(ep.name, "import", f"{type(exc).__name__}: {exc}",
                                        traceback.format_exc()))
                continue
            info.location = _location(obj)
            sources.append((ep.name, obj, info))
    for name, obj in extra:
        info = PluginInfo(name=name, location=_location(obj))
        infos.append(info)
        if name in blocked:
            info.status = "disabled"
            continue
        sources.append((name, obj, info))
    for name, obj, info in sources:
        try:
            if pm.get_plugin(name) is not None:
                raise ValueError(f"a plugin named {name!r} is already registered")
            pm.register(obj, name=name)
        except Exception as exc:  # noqa: BLE001 - pluggy validates hook signatures here
            info.status = "failed"
            problems.append(Problem(name, "register", f"{type(exc).__name__}: {exc}",
                                    traceback.format_exc()))
    return pm, infos, problems


def call_each(pm: pluggy.PluginManager, hook_name: str) -> Iterable[tuple[str, Any, Problem | None]]:
    """Call one hook plugin by plugin, in registration order, each call guarded.

    Yields (plugin name, returned items as a list, problem or None). A hook
    that raises, returns None or a non-iterable, or whose generator raises
    half-way, yields a problem and no items.
    """
    caller = getattr(pm.hook, hook_name)
    # get_hookimpls() lists in registration order (pluggy *calls* them in reverse);
    # registration order is what makes built-ins win and the first third party keep a name.
    for impl in caller.get_hookimpls():
        name = impl.plugin_name
        try:
            result = impl.function()
            if result is None:
                raise TypeError(f"{hook_name}() returned None; return a list of specs")
            if isinstance(result, (str, bytes)) or not hasattr(result, "__iter__"):
                raise TypeError(f"{hook_name}() returned {type(result).__name__}; return a list of specs")
            items = list(result)
        except BaseException as exc:  # noqa: BLE001
            if isinstance(exc, KeyboardInterrupt):
                raise
            yield name, [], Problem(name, hook_name, f"{type(exc).__name__}: {exc}",
                                    "".join(traceback.format_exception(*sys.exc_info())))
            continue
        yield name, items, None

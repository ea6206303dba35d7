"""Finding plugins: entry points of the group ``actviz``, blocked before import when disabled.

Names are owned (:func:`discover`): the built-in plugins (those shipped in
the ``actviz`` distribution) always keep their names and load first; between
third parties the first by distribution name keeps a name; every collision
is a problem naming both distributions. A plugin that fails to import is
recorded, never raised. Plugin code (imports, hooks) is watched: anything it
raises but KeyboardInterrupt is contained, hooks have a time cap
(``ACTVIZ_HOOK_TIMEOUT``), and a change to numpy's error state or to the
functions of numpy, math or builtins is undone and named (:mod:`guard`).

Here: who is loaded and in which order. The scan of installed distributions is
:mod:`entry_points`, the records :mod:`plugin_records`, the watch on plugin
code :mod:`plugin_watch`, the pluggy manager and hook calls :mod:`plugin_hooks`;
their names other modules and tests use are importable from here as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import pluggy

from actviz.host import guard

# the names as X re-export what other modules and tests import from here, as before the split
from actviz.host.entry_points import _EntryPoint, _name_and_version, _normalise, group_entry_points
from actviz.host.entry_points import _installed as _installed
from actviz.host.entry_points import _read_text as _read_text
from actviz.host.entry_points import installed_version as installed_version
from actviz.host.plugin_hooks import _unknown_hooks, make_plugin_manager
from actviz.host.plugin_hooks import call_each as call_each
from actviz.host.plugin_records import PluginInfo, Problem
from actviz.host.plugin_watch import _contained, _format_tb, _Watch
from actviz.host.plugin_watch import _forks as _forks

GROUP = "actviz"
HOST_DISTRIBUTION = "actviz"


def disabled_from_env(environ: dict[str, str] | None = None) -> set[str]:
    raw = (environ if environ is not None else os.environ).get("ACTVIZ_DISABLE", "")
    return {part.strip() for part in raw.split(",") if part.strip()}


def _entry_points() -> list[tuple[_EntryPoint, str, str]]:
    """(entry point, distribution name, version): built-ins first, then by distribution name.

    Every entry point is kept, collisions included (:func:`discover` decides
    who owns a name); only the same distribution seen twice on ``sys.path``
    is listed once. Each metadata file is read once.
    """
    found = []
    seen: set[tuple[str, str]] = set()
    for ep in group_entry_points(GROUP):
        dist, version = _name_and_version(ep.dist)
        key = (ep.name, _normalise(dist))
        if key in seen:  # the same distribution on sys.path twice shows up twice
            continue
        seen.add(key)
        found.append((ep, dist, version))

    def order(item: tuple[_EntryPoint, str, str]) -> tuple[int, str]:
        _, dist, _ = item
        return (0 if dist == HOST_DISTRIBUTION else 1, _normalise(dist))

    return sorted(found, key=order)  # stable: one distribution's entry points keep their order


def loser_name(name: str, dist: str) -> str:
    """How ``actviz plugins`` lists an entry point that lost its name: ``name@distribution``."""
    return f"{name}@{dist or '?'}"


def discover(
    blocked: Iterable[str] = (), safe_mode: bool = False,
) -> tuple[list[tuple[_EntryPoint, PluginInfo]], list[PluginInfo], list[Problem]]:
    """Every entry point of the group, without importing any: (to load, all infos, problems).

    Names are owned: a built-in keeps its name, and between third parties the
    first by distribution name keeps it. The others are not loaded; each is a
    problem naming both distributions, listed as ``name@distribution``.
    ``safe_mode`` disables every entry point that is not built in.
    """
    blocked = set(blocked)
    owners: dict[str, str] = {}
    to_load: list[tuple[_EntryPoint, PluginInfo]] = []
    infos: list[PluginInfo] = []
    problems: list[Problem] = []
    for ep, dist, version in _entry_points():
        builtin = dist == HOST_DISTRIBUTION
        info = PluginInfo(name=ep.name, distribution=dist, version=version, builtin=builtin, location=ep.value)
        if ep.name in owners:
            info.name = loser_name(ep.name, dist)
            info.status = "failed"
            infos.append(info)
            owner = owners[ep.name]
            why = "a built-in plugin" if owner == HOST_DISTRIBUTION else "it sorts first"
            problems.append(Problem(info.name, "name",
                                    f"entry point name {ep.name!r} of distribution {dist!r} is already taken "
                                    f"by distribution {owner!r} ({why}); not loaded"))
            continue
        owners[ep.name] = dist
        infos.append(info)
        if ep.name in blocked or (safe_mode and not builtin):
            info.status = "disabled"
            continue
        to_load.append((ep, info))
    return to_load, infos, problems


def safe_mode_from_env(environ: dict[str, str] | None = None) -> bool:
    raw = (environ if environ is not None else os.environ).get("ACTVIZ_SAFE_MODE", "")
    return raw.strip().lower() not in ("", "0", "false", "no")


def _location(obj: Any) -> str:
    return getattr(obj, "__file__", None) or getattr(type(obj), "__module__", "") or ""


def load_plugins(
    disabled: Iterable[str] = (),
    extra: Iterable[tuple[str, Any]] = (),
    entry_points: bool = True,
    safe_mode: bool = False,
    only: Iterable[str] | None = None,
) -> tuple[pluggy.PluginManager, list[PluginInfo], list[Problem]]:
    """Import and register every plugin not in ``disabled``.

    ``extra`` registers in-process plugins (name, module-or-object) after the
    entry points, as a third party would be; tests and user formulas use it.
    ``safe_mode`` (or ``ACTVIZ_SAFE_MODE=1``) loads the built-in plugins only.
    ``only`` imports just the entry points of those names (``actviz check``
    checks each plugin in a process of its own).
    """
    safe_mode = safe_mode or safe_mode_from_env()
    blocked = set(disabled) | disabled_from_env()
    pm = make_plugin_manager()
    infos: list[PluginInfo] = []
    problems: list[Problem] = []
    sources: list[tuple[str, Any, PluginInfo]] = []
    if entry_points:
        to_load, infos, problems = discover(blocked, safe_mode)
        if only is not None:
            keep = set(only)
            to_load = [(ep, info) for ep, info in to_load if ep.name in keep]
            infos = [info for info in infos if info.name in keep]
            problems = [p for p in problems if p.plugin in keep]
        with guard.one_snapshot():  # numpy's namespace copied once, not per plugin
            for ep, info in to_load:
                watch = _Watch()
                try:
                    obj = ep.load()
                except BaseException as exc:  # noqa: BLE001 - a plugin may raise anything, even SystemExit
                    problems.extend(watch.finish(ep.name, "import", "importing it"))
                    _contained(exc)
                    info.status = "failed"
                    problems.append(Problem(ep.name, "import", guard.describe(exc), _format_tb(exc)))
                    continue
                problems.extend(watch.finish(ep.name, "import", "importing it"))
                info.location = _location(obj)
                sources.append((ep.name, obj, info))
    for name, obj in extra:
        info = PluginInfo(name=name, location=_location(obj))
        infos.append(info)
        if name in blocked or safe_mode:
            info.status = "disabled"
            continue
        sources.append((name, obj, info))
    for name, obj, info in sources:
        try:
            if pm.get_plugin(name) is not None:
                raise ValueError(f"a plugin named {name!r} is already registered")
            pm.register(obj, name=name)
        except BaseException as exc:  # noqa: BLE001 - pluggy validates hook signatures here
            _contained(exc)
            info.status = "failed"
            problems.append(Problem(name, "register", guard.describe(exc), _format_tb(exc)))
            continue
        problems.extend(_unknown_hooks(pm, name, obj))
    return pm, infos, problems



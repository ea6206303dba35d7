"""The pluggy side: the plugin manager, hooks no hookspec has, and calling one hook plugin by plugin, guarded.

Each hook runs watched (:mod:`plugin_watch`) on a worker with its own time cap
(``ACTVIZ_HOOK_TIMEOUT``, :func:`guard.hook_seconds`).
"""

from __future__ import annotations

import functools
import types
from collections.abc import Iterable
from typing import Any

import pluggy

from actviz import hookspecs
from actviz.host import guard
from actviz.host.plugin_records import Problem
from actviz.host.plugin_watch import _contained, _format_tb, _Watch

#: attribute types that are never a routine, so never a hook implementation (what a plugin module mostly holds)
_NOT_ROUTINES = frozenset({types.ModuleType, str, bytes, int, float, bool, type(None), dict, list, tuple, set,
                           frozenset})


class _PluginManager(pluggy.PluginManager):
    """pluggy's manager, skipping the attributes that cannot be hooks without ``inspect.isroutine``.

    ``register`` asks about every name in ``dir(plugin)``; a plugin module's
    are mostly modules and strings (``np``, ``__file__`` …), and pluggy's
    check of each costs ~3 µs. Anything else is decided by pluggy.
    """

    def parse_hookimpl_opts(self, plugin: Any, name: str) -> Any:
        if type(getattr(plugin, name)) in _NOT_ROUTINES:  # raising as pluggy would
            return None
        return super().parse_hookimpl_opts(plugin, name)


def make_plugin_manager() -> pluggy.PluginManager:
    pm = _PluginManager("actviz")
    pm.add_hookspecs(hookspecs)
    return pm


@functools.cache
def _hookspec_names() -> list[str]:
    return sorted(n for n in vars(hookspecs) if n.startswith("actviz_"))


def _close(name: str, names: Iterable[str], cutoff: float = 0.8) -> list[str]:
    """The name in ``names`` closest to ``name`` (difflib, imported only for a hook no hookspec has: ~4 ms)."""
    import difflib

    return difflib.get_close_matches(name, names, n=1, cutoff=cutoff)


def _did_you_mean(name: str) -> str:
    close = _close(name, _hookspec_names(), cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else f"the hooks are {', '.join(_hookspec_names())}"


def _unknown_hooks(pm: pluggy.PluginManager, name: str, obj: Any) -> list[Problem]:
    """Hooks of this plugin that pluggy would never call: a typo'd name, or a hook without ``@hookimpl``.

    (pluggy's ``check_pending`` raises for the first unknown hook only.)
    """
    found = []
    specs = set(_hookspec_names())
    try:
        for hook_name, caller in vars(pm.hook).items():
            if hook_name.startswith("_") or caller.has_spec():
                continue
            if any(impl.plugin_name == name for impl in caller.get_hookimpls()):
                found.append(Problem(name, "hook", f"hook {hook_name!r} matches no hookspec, so it is never "
                                     f"called; {_did_you_mean(hook_name)}"))
        for attr in dir(obj):
            if not attr.startswith("actviz_"):
                continue
            caller = getattr(pm.hook, attr, None)
            # newest last: this plugin's impl is found at once, not after every earlier plugin's
            if caller is not None and any(impl.plugin_name == name for impl in reversed(caller.get_hookimpls())):
                continue
            if attr in specs or _close(attr, specs):
                if callable(getattr(obj, attr, None)):
                    found.append(Problem(name, "hook", f"{attr}() has no @actviz.hookimpl decorator, so it is "
                                         "never called" + ("" if attr in specs else f"; {_did_you_mean(attr)}")))
    except BaseException as exc:  # noqa: BLE001 - dir() and getattr() run the plugin's code
        _contained(exc)
        found.append(Problem(name, "hook", f"inspecting its hooks raised {guard.describe(exc)}"))
    return found


def call_each(pm: pluggy.PluginManager, hook_name: str) -> Iterable[tuple[str, Any, Problem | None]]:
    """Call one hook plugin by plugin, in registration order, each call guarded.

    Yields (plugin name, returned items as a list, problem or None). A hook
    that raises (anything but KeyboardInterrupt, SystemExit included),
    returns None or a non-iterable, whose generator raises half-way, or that
    takes longer than :func:`guard.hook_seconds`, yields a problem and no
    items. A hook that changes numpy or builtins globally, or forks, yields
    an extra ``side-effect`` problem (no items with it) and the change is
    undone.
    """
    caller = getattr(pm.hook, hook_name)
    seconds = guard.hook_seconds()
    # get_hookimpls() lists in registration order (pluggy *calls* them in reverse);
    # registration order is what makes built-ins win and the first third party keep a name.
    impls = caller.get_hookimpls()
    # every plugin's hook in one hand-over to a worker, each still with its own time cap; all have
    # returned before any result is used, so no plugin code of ours runs while a hook does
    runs = guard.run_each_limited(seconds, [functools.partial(_run_hook, impl.function, hook_name, impl.plugin_name)
                                            for impl in impls])
    for impl, (returned, value) in zip(impls, runs, strict=True):
        name = impl.plugin_name
        if not returned:
            if isinstance(value, guard.TimedOut):
                yield name, [], Problem(name, hook_name, f"{hook_name}() did not return within {seconds:g} s")
                continue
            raise value  # _run_hook contains the plugin's exceptions: this is ours
        items, error, effects = value
        for problem in effects:
            yield name, [], problem
        if error is not None:
            _contained(error)
            yield name, [], Problem(name, hook_name, guard.describe(error), _format_tb(error))
            continue
        yield name, items, None


def _run_hook(function: Any, hook_name: str, plugin: str) -> tuple[list, BaseException | None, list[Problem]]:
    """On the worker thread: call the hook and list what it returns, watched."""
    watch = _Watch()
    items: list = []
    error: BaseException | None = None
    try:
        result = function()
        if result is None:
            raise TypeError(f"{hook_name}() returned None; return a list of specs")
        if isinstance(result, (str, bytes)) or not hasattr(result, "__iter__"):
            raise TypeError(f"{hook_name}() returned {type(result).__name__}; return a list of specs")
        items = list(result)
    except BaseException as exc:  # noqa: BLE001 - handed back to call_each
        error, items = exc, []
    return items, error, watch.finish(plugin, hook_name, f"{hook_name}()")

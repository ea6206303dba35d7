"""Finding plugins: entry points of the group ``actviz``, blocked before import when disabled.

Names are owned (:func:`discover`): the built-in plugins (those shipped in
the ``actviz`` distribution) always keep their names and load first; between
third parties the first by distribution name keeps a name; every collision
is a problem naming both distributions. A plugin that fails to import is
recorded, never raised. Plugin code (imports, hooks) is watched: anything it
raises but KeyboardInterrupt is contained, hooks have a time cap
(``ACTVIZ_HOOK_TIMEOUT``), and a change to numpy's error state or to the
functions of numpy, math or builtins is undone and named (:mod:`guard`).
"""

from __future__ import annotations

import functools
import importlib
import importlib.machinery
import os
import pathlib
import re
import sys
import traceback
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy

from actviz import hookspecs
from actviz.host import guard

if TYPE_CHECKING:
    from importlib import metadata

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


def _normalise(dist: str) -> str:
    return dist.lower().replace("_", "-").replace(".", "-")


def _name_and_version(dist: metadata.Distribution | None) -> tuple[str, str]:
    """A distribution's ``Name`` and ``Version`` from its metadata's header lines.

    What ``dist.metadata[...]`` returns, without parsing the whole file as an
    email message (most of the time of discovering 200 plugins).
    """
    if dist is None:
        return "", ""
    try:
        text = _read_text(dist, "METADATA") or _read_text(dist, "PKG-INFO") or ""
    except (OSError, UnicodeDecodeError):  # unreadable metadata names nothing, as an empty one does
        text = ""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():  # the headers end at the first blank line
            break
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key in ("name", "version") and key not in found:
            found[key] = value.strip()
    return found.get("name", ""), found.get("version", "")


def _metadata():
    """``importlib.metadata``, imported when first needed: it imports the ``email`` package (~20 ms of start-up),
    and a plain directory on ``sys.path`` (the usual case) is scanned and loaded here without it."""
    from importlib import metadata

    return metadata


class _Distribution:
    """A distribution in a plain metadata directory, as ``importlib.metadata.PathDistribution`` is there.

    The scan needs only its directory and files (:func:`_read_text`); any
    other attribute (``metadata``, ``version``, ``name``, ``entry_points`` …)
    is the standard library's own ``PathDistribution``'s, made on first use.
    """

    def __init__(self, path: str) -> None:
        self._path = pathlib.Path(path)

    def read_text(self, filename: str) -> str | None:
        return _read_file(os.path.join(self._path, filename))

    def _standard(self) -> metadata.Distribution:
        real = self.__dict__.get("_real")
        if real is None:
            real = self.__dict__["_real"] = _metadata().PathDistribution(self._path)
        return real

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") or attr == "_real":
            raise AttributeError(attr)
        return getattr(self._standard(), attr)

    def __repr__(self) -> str:
        return f"<distribution at {str(self._path)!r}>"


#: ``importlib.metadata.EntryPoint.pattern``: module, optional ``:attr``, optional ``[extras]``
_ENTRY_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")


class _EntryPoint:
    """One entry point as ``importlib.metadata.EntryPoint`` gives it (name, value, group, dist, ``load()``).

    Anything else (``module``, ``attr``, ``extras``, ``matches`` …) is the
    standard library's ``EntryPoint``'s, made on first use.
    """

    __slots__ = ("name", "value", "group", "dist", "_real")

    def __init__(self, name: str, value: str, group: str, dist: Any = None) -> None:
        self.name, self.value, self.group, self.dist = name, value, group, dist
        self._real = None

    def load(self) -> Any:
        """As ``EntryPoint.load``: the module, or the object the value names in it."""
        match = _ENTRY_VALUE.match(self.value)
        if match is None:  # fails as the standard library fails
            return self._standard().load()
        module = importlib.import_module(match.group("module"))
        attrs = filter(None, (match.group("attr") or "").split("."))
        return functools.reduce(getattr, attrs, module)

    def _standard(self) -> metadata.EntryPoint:
        if self._real is None:
            self._real = _metadata().EntryPoint(name=self.name, value=self.value, group=self.group)._for(self.dist)
        return self._real

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(self._standard(), attr)

    def _key(self) -> tuple[str, str, str]:
        return (self.name, self.value, self.group)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _EntryPoint):
            return self._key() == other._key()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"EntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r})"


def group_entry_points(group: str) -> list[_EntryPoint]:
    """``importlib.metadata.entry_points(group=group)``, same entry points in the same order, at a third of the cost.

    Both read every installed distribution's ``entry_points.txt``; this
    parses only those with a ``[group]`` section (the standard library parses
    every file, console scripts and all) and makes a distribution object only
    for those (:func:`_installed`). A distribution on ``sys.path`` twice
    counts once, the first, as there. Where every distribution is in a plain
    directory (the usual case), ``importlib.metadata`` is not even imported.
    """
    header = f"[{group}]"
    seen: set[str] = set()
    found: list[_EntryPoint] = []
    for key, where in _installed():
        if key in seen:
            continue
        seen.add(key)
        if isinstance(where, str):  # a metadata directory: no object made unless it has the group
            text = _read_file(os.path.join(where, "entry_points.txt"))
            if not (text and header in text):
                continue
            dist: Any = _Distribution(where)
        else:
            dist = where
            text = _read_text(dist, "entry_points.txt")
            if not (text and header in text):  # a section header is exactly "[group]" once stripped
                continue
        found.extend(_section(text, group, dist))
    return found


def _section(text: str, group: str, dist: Any) -> list[_EntryPoint]:
    """The entry points of ``[group]`` in one ``entry_points.txt``, as ``EntryPoints._from_text_for`` and
    ``select(group=...)`` give them (lines read by the same rules), without a named tuple and a match per
    line (~25 µs a distribution). A line without ``=`` is left to the standard library, to fail as there."""
    found = []
    section = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
            continue
        name, sep, value = line.partition("=")
        if not sep:
            return list(_metadata().EntryPoints._from_text_for(text, dist).select(group=group))
        if section == group:
            found.append(_EntryPoint(name.strip(), value.strip(), group, dist))
    return found


def _normalise_stem(name: str) -> str:
    """importlib.metadata's ``Prepared.normalize``: PEP 503 with underscores."""
    return _SEPARATORS.sub("-", name).lower().replace("-", "_")


_SEPARATORS = re.compile(r"[-_.]+")


def _key(dist: metadata.Distribution) -> str:
    try:
        return dist._normalized_name  # what importlib.metadata's own de-duplication compares
    except AttributeError:  # a distribution from another finder
        return _normalise((dist.metadata or {}).get("Name") or "")


def _installed() -> Iterator[tuple[str, metadata.Distribution | str]]:
    """(normalised name, distribution or its metadata directory) in ``metadata.distributions()`` order.

    Where the standard library's path finder is the only distribution finder
    (as usual), a plain directory on ``sys.path`` is listed here as
    ``Lookup`` lists it, without a ``pathlib`` object or a regular expression
    per entry (~10 ms of 300 distributions); anything else (a zip file, an
    ``.egg``, an odd metadata directory name, another finder) is the
    standard library's own answer.
    """
    finders = [f for f in sys.meta_path if getattr(f, "find_distributions", None) is not None]
    if finders != [importlib.machinery.PathFinder]:
        for dist in _metadata().distributions():
            yield _key(dist), dist
        return
    for root in sys.path:
        try:
            children = os.listdir(root or ".") if isinstance(root, str) else None
        except FileNotFoundError:  # nothing there: FastPath.children lists nothing, even as a zip file
            continue
        except Exception:  # noqa: BLE001 - as FastPath.children: the standard library decides (a zip file)
            children = None
        if children is None or os.path.basename(root).lower().endswith(".egg"):
            metadata = _metadata()
            context = metadata.DistributionFinder.Context(path=[root])
            for dist in importlib.machinery.PathFinder.find_distributions(context):
                yield _key(dist), dist
            continue
        groups: dict[str, list[str]] = {}  # as Lookup.infos: by normalised lower-case stem, first seen first
        for child in children:
            low = child.lower()
            if low.endswith((".dist-info", ".egg-info")):
                groups.setdefault(_normalise_stem(low.rpartition(".")[0].partition("-")[0]), []).append(child)
        for children_of_name in groups.values():
            for child in children_of_name:
                stem, ext = os.path.splitext(child)  # as PathDistribution._name_from_stem
                name = stem.partition("-")[0] if ext in (".dist-info", ".egg-info") else ""
                path = os.path.join(root, child)
                if name:
                    yield _normalise_stem(name), path
                else:  # the name comes from the metadata
                    dist = _metadata().PathDistribution(pathlib.Path(root, child))
                    yield _key(dist), dist


def installed_version(name: str) -> str | None:
    """``importlib.metadata.version(name)`` read from the metadata's header (None: not installed).

    The first installed distribution of that (normalised) name, as the
    standard library finds it, without importing ``importlib.metadata`` or
    parsing the file as an email message where the distribution is in a
    plain directory (e.g. a cache key that names a package's version).
    """
    wanted = _normalise_stem(name)
    for key, where in _installed():
        if key == wanted:
            return _name_and_version(_Distribution(where) if isinstance(where, str) else where)[1]
    return None


def _read_text(dist: metadata.Distribution, name: str) -> str | None:
    """``dist.read_text(name)``; a plain read for a distribution in a directory (no pathlib objects)."""
    path = getattr(dist, "_path", None)
    if not isinstance(path, pathlib.PurePath):  # e.g. in a zip file
        return dist.read_text(name)
    return _read_file(os.path.join(path, name))


def _read_file(path: str) -> str | None:
    """A metadata file's text as ``read_text`` gives it (None: missing); os.read, not a text file object.

    ~6 µs a file instead of ~17 (~520 files for 200 plugins).
    """
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            chunks = []
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
        finally:
            os.close(fd)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None  # as read_text
    text = b"".join(chunks).decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text  # universal newlines, as open()


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


_forks = [0]  # os.fork() calls seen in this process (a plugin must not fork the host)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_parent=lambda: _forks.__setitem__(0, _forks[0] + 1))


class _Watch:
    """Around one run of plugin code: what it changed globally, and whether it forked.

    In a forked copy of the host the plugin's code returns to ours; that copy
    leaves at once (``os._exit``), and the original names the plugin.
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.forks = _forks[0]
        self.state = guard.GlobalState()

    def finish(self, plugin: str, stage: str, where: str) -> list[Problem]:
        if os.getpid() != self.pid:
            os._exit(0)
        found = []
        changes = self.state.undo()
        if changes:
            found.append(Problem(plugin, "side-effect", guard.side_effect_message(changes, where)))
        if _forks[0] != self.forks:
            found.append(Problem(plugin, "side-effect", f"{where} forked the process (os.fork); "
                                 "a plugin must not fork the host"))
        return found


def _contained(exc: BaseException) -> None:
    """Re-raise a KeyboardInterrupt; everything else a plugin raises is recorded by the caller."""
    if isinstance(exc, KeyboardInterrupt):
        raise exc


def _format_tb(exc: BaseException) -> str:
    try:
        return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    except BaseException:  # noqa: BLE001 - a plugin's exception may break formatting
        return ""


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

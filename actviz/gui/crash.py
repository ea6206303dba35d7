"""Crash recovery, as browsers do: name the plugin that was running when the app died, offer to disable it.

Two small files live next to the settings file. ``running`` is created when
the GUI starts and removed when it exits cleanly; finding it at start-up
(and its process gone) means the last session crashed: a segfault in a
plugin's C extension, ``os._exit``, the OOM killer, or a user killing a hung
window. ``breadcrumb`` is a 1 KiB memory-mapped file that
:mod:`actviz.host.evaluation` updates around every plugin call: one byte
says whether plugin code is running, the rest which plugin and function.
The name is rewritten only when the function changes, and a write into a
shared mapping reaches the page cache at once, so it survives the process
dying mid-call at the cost of a byte store per call. The scene itself is
autosaved by the main window, so nothing else is lost.
"""

from __future__ import annotations

import atexit
import mmap
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from actviz.host import evaluation

MARKER = "running"
BREADCRUMB = "breadcrumb"
SIZE = 1024
BUSY, IDLE = ord("B"), ord("I")


def _code_of(fn: Callable) -> tuple[str, str]:
    """(module, qualified name) of a plugin callable, without letting its attributes raise."""
    try:
        module = str(getattr(fn, "__module__", "") or "")
    except BaseException:  # noqa: BLE001 - a plugin object's __getattr__ is plugin code
        module = ""
    return module, evaluation.function_name(fn)


def plugin_modules(infos: Iterable[Any] | None = None) -> dict[str, str]:
    """Top-level module → plugin name, from the entry points (nothing is imported)."""
    if infos is None:
        from actviz.host.plugins import discover

        try:
            infos = discover()[1]
        except Exception:  # noqa: BLE001 - broken metadata must not stop the app
            return {}
    table: dict[str, str] = {}
    for info in infos:
        top = str(info.location).split(":", 1)[0].split(".", 1)[0].strip()
        if top:
            table.setdefault(top, info.name)
    return table


class Breadcrumb:
    """The mmap'd trail: :meth:`enter`/:meth:`leave` around each plugin call (an :class:`evaluation.Trail`)."""

    def __init__(self, path: str, owners: dict[str, str] | None = None) -> None:
        self.path = path
        self.owners = owners if owners is not None else {}
        with open(path, "wb") as f:  # a fresh, idle trail for this session
            f.write(bytes([IDLE]) + bytes(SIZE - 1))
        self._file = open(path, "r+b")  # noqa: SIM115 - kept open for the mapping's lifetime
        self._map = mmap.mmap(self._file.fileno(), SIZE)
        self._active: dict[int, Callable] = {}  # thread id → the function it is running
        self._shown: Callable | None = None
        self._busy = False

    def enter(self, fn: Callable) -> None:
        self._active[threading.get_ident()] = fn
        if fn is not self._shown:
            self._show(fn)
        if not self._busy:
            self._busy = True
            self._map[0] = BUSY

    def leave(self) -> None:
        self._active.pop(threading.get_ident(), None)
        if not self._active:
            self._busy = False
            self._map[0] = IDLE
            return
        still = next(iter(self._active.values()), None)  # an abandoned slow call is still running
        if still is not None and still is not self._shown:
            self._show(still)

    def _show(self, fn: Callable) -> None:
        module, name = _code_of(fn)
        plugin = self.owners.get(module.split(".", 1)[0], "")
        text = f"{plugin}\t{name}\t{module}".encode("utf-8", "replace")[:SIZE - 2]
        self._map[1:SIZE] = text + bytes(SIZE - 1 - len(text))
        self._shown = fn

    def close(self) -> None:
        try:
            self._map.close()
            self._file.close()
        except (OSError, ValueError):
            pass


@dataclass(frozen=True)
class Crash:
    """What the last session was doing when it died."""

    plugin: str = ""    # the plugin whose code was running (empty: unknown)
    function: str = ""  # its function's name
    module: str = ""
    busy: bool = False  # whether plugin code was running at that moment

    def message(self, question: bool = False) -> str:
        """One paragraph for the status bar (and, with ``question``, the Disable / Keep dialog)."""
        saved = "Your scene was autosaved and is restored."
        if self.busy and self.plugin:
            ask = f" Disable plugin {self.plugin!r}?" if question else ""
            return (f"actviz closed unexpectedly last time while running {self.function} of plugin "
                    f"{self.plugin!r}. {saved}{ask}")
        if self.busy and self.function:
            return (f"actviz closed unexpectedly last time while running {self.function} "
                    f"({self.module or 'unknown module'}). {saved}")
        return f"actviz closed unexpectedly last time (not inside plugin code). {saved}"


def read_breadcrumb(path: str, owners: dict[str, str] | None = None) -> Crash:
    """The trail a dead session left (an unreadable one says nothing)."""
    try:
        with open(path, "rb") as f:
            raw = f.read(SIZE)
    except OSError:
        return Crash()
    if not raw:
        return Crash()
    fields = raw[1:].split(b"\0", 1)[0].decode("utf-8", "replace").split("\t")
    plugin, name, module = (fields + ["", "", ""])[:3]
    if not plugin and module:
        plugin = (owners if owners is not None else plugin_modules()).get(module.split(".", 1)[0], "")
    return Crash(plugin=plugin, function=name, module=module, busy=raw[0] == BUSY)


def _alive(pid: int) -> bool:
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but is not ours
        return True
    return True


class CrashRecovery:
    """One GUI session: :meth:`start` says whether the last one crashed, :meth:`finish` marks a clean exit."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.marker = os.path.join(directory, MARKER)
        self.breadcrumb_path = os.path.join(directory, BREADCRUMB)
        self.crash: Crash | None = None
        self.trail: Breadcrumb | None = None
        self.message = ""
        self._owns_marker = False

    def start(self, owners: dict[str, str] | None = None) -> Crash | None:
        """Read what the last session left, then mark this one running and install the breadcrumb."""
        try:
            os.makedirs(self.directory, exist_ok=True)
            pid = self._marker_pid()
            if pid is not None and _alive(pid):  # another actviz is running: leave its files alone
                return None
            owners = owners if owners is not None else plugin_modules()
            self.crash = read_breadcrumb(self.breadcrumb_path, owners) if pid is not None else None
            tmp = f"{self.marker}.{os.getpid()}"
            with open(tmp, "w", encoding="ascii") as f:
                f.write(str(os.getpid()))
            os.replace(tmp, self.marker)
            self._owns_marker = True
            self.trail = Breadcrumb(self.breadcrumb_path, owners)
        except OSError as exc:  # a read-only config directory: run without recovery
            self.message = f"Crash recovery is off: {exc.strerror or exc}"
            return self.crash
        evaluation.set_trail(self.trail)
        atexit.register(self.finish)  # any normal interpreter exit is clean; a crash never gets here
        return self.crash

    def _marker_pid(self) -> int | None:
        """The pid in the marker; None when there is no marker (the last exit was clean)."""
        try:
            with open(self.marker, encoding="ascii", errors="replace") as f:
                text = f.read(32).strip()
        except FileNotFoundError:
            return None
        try:
            return int(text)
        except ValueError:
            return 0  # a marker we cannot read still means a session did not finish

    def finish(self) -> None:
        """A clean exit: no breadcrumb, no marker."""
        if self.trail is not None:
            evaluation.set_trail(None)
            self.trail.close()
            self.trail = None
        if self._owns_marker:
            try:
                os.remove(self.marker)
            except OSError:
                pass
            self._owns_marker = False

    def should_ask(self) -> bool:
        """Whether there is a plugin to offer disabling, and a display to ask on (never in tests)."""
        crash = self.crash
        return crash is not None and crash.busy and bool(crash.plugin) and _interactive()

    def ask(self) -> bool:
        """Disable / Keep, before the plugins load (a plugin that crashed while loading would crash again)."""
        from PySide6 import QtWidgets

        assert self.crash is not None
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Warning, "actviz recovered",
                                    self.crash.message(question=True))
        disable = box.addButton("Disable", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Keep", QtWidgets.QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is disable

    def report(self, window: Any) -> None:
        """The crash as a status message; when its plugin is still enabled, :meth:`disable` remains to call."""
        crash = self.crash
        if self.message:
            window.show_status(self.message)
        if crash is None:
            return
        if crash.plugin and crash.plugin in window.disabled:
            window.show_status(f"actviz closed unexpectedly last time while running {crash.function} of plugin "
                               f"{crash.plugin!r}; the plugin is disabled (Plugins → Plugins… enables it).")
            self.crash = None
            return
        window.show_status(crash.message())

    def disable(self, window: Any) -> bool:
        """Disable the plugin that was running (remembered in the settings like the Plugins dialog does)."""
        crash = self.crash
        if crash is None or not crash.plugin:
            return False
        window.set_plugin_enabled(crash.plugin, False)
        window.save_state()
        window.show_status(f"Plugin {crash.plugin!r} disabled; enable it again under Plugins → Plugins….")
        self.crash = None
        return True


def _interactive() -> bool:
    """A real display (not offscreen, as in tests and CI): only then may start-up block on a dialog."""
    from PySide6 import QtGui

    return QtGui.QGuiApplication.platformName() not in ("", "offscreen", "minimal")

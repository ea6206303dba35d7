"""Window state between runs: simply the last scene, a JSON file autosaved as you work.

A file that cannot be read is moved aside (kept for the user, never deleted)
with one message, and the app starts on defaults and can save again. Fields
that are wrong are dropped one by one by the models that read them; the rest
is kept. The first time, a settings file of the old format (one JSON
document inside a QSettings ini) is read once and becomes the first scene.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from actviz.models.scene import SceneError, new_scene, parse_scene, read_scene, write_scene

LEGACY_KEY = "state/json"


def settings_path() -> str:
    env = os.environ.get("ACTVIZ_SETTINGS")
    if env:
        return env
    from PySide6 import QtCore

    base = QtCore.QStandardPaths.writableLocation(QtCore.QStandardPaths.StandardLocation.AppConfigLocation)
    return os.path.join(base or os.path.expanduser("~/.config"), "actviz", "last-scene.json")


class SettingsStore:
    """Load and save the last scene; every failure becomes ``message``, never an exception."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path or settings_path()
        self.message = ""

    def load(self) -> dict[str, Any]:
        """The last scene (an empty one when there is none or it is unreadable)."""
        self.message = ""
        if not os.path.exists(self.path):
            legacy = self._legacy()
            return legacy if legacy is not None else new_scene(None, {})
        try:
            return read_scene(self.path, lenient=True)
        except SceneError as exc:
            aside = self._move_aside()
            kept = f" (kept as {aside})" if aside else ""
            self.message = f"Settings were unreadable: {exc}{kept}; starting with defaults."
            return new_scene(None, {})

    def _move_aside(self) -> str:
        aside = f"{self.path}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}"
        try:
            os.replace(self.path, aside)
        except OSError:
            return ""
        return aside

    def _legacy(self) -> dict[str, Any] | None:
        """Read the old ini format once (``actviz.ini`` beside the new file) and convert it."""
        old = os.path.join(os.path.dirname(self.path), "actviz.ini")
        if old == self.path or not os.path.exists(old):
            return None
        try:
            from PySide6 import QtCore

            raw = QtCore.QSettings(old, QtCore.QSettings.Format.IniFormat).value(LEGACY_KEY, None)
            state = json.loads(str(raw)) if raw is not None else None
        except (ValueError, TypeError, RecursionError):
            return None
        if not isinstance(state, dict):
            return None
        return from_legacy(state)

    def save(self, scene: dict[str, Any]) -> bool:
        try:
            write_scene(self.path, scene)
        except (OSError, TypeError, ValueError) as exc:
            self.message = f"Could not save settings to {self.path}: {getattr(exc, 'strerror', None) or exc}"
            return False
        return True

    def reset(self) -> None:
        try:
            os.remove(self.path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            self.message = f"Could not remove settings {self.path}: {exc}"


def from_legacy(state: dict[str, Any]) -> dict[str, Any]:
    """The first round's settings document as a scene: function, values, pins, range, other views, window."""
    views: dict[str, Any] = {}
    old_views = state.get("views") if isinstance(state.get("views"), dict) else {}
    function = state.get("function")
    values = state.get("values") if isinstance(state.get("values"), dict) else {}
    fview: dict[str, Any] = {"values": {}, "remembered": {}, "extras": {}}
    if isinstance(function, str):
        fview["values"]["function"] = function
        own = values.get(function)
        if isinstance(own, dict):
            fview["values"].update({f"function.{k}": v for k, v in own.items()})
    fview["remembered"]["function"] = {str(k): v for k, v in values.items() if isinstance(v, dict)}
    old_function = old_views.get("function") if isinstance(old_views.get("function"), dict) else {}
    rng = old_function.get("range")
    if isinstance(rng, list) and len(rng) == 2:
        fview["values"]["zmin"], fview["values"]["zmax"] = rng
    pins = old_function.get("pins")
    if isinstance(pins, list):
        fview["extras"]["pins"] = [{"function": p.get("name"), "values": p.get("values", {})}
                                   for p in pins if isinstance(p, dict)]
    views["function"] = fview
    for name, old in old_views.items():
        if name != "function" and isinstance(old, dict):
            views[name] = {"values": {k: v for k, v in old.items() if not isinstance(v, (dict, list))}}
    window = {k: state[k] for k in ("geometry", "disabled") if k in state}
    scene = new_scene(state.get("tab") if isinstance(state.get("tab"), str) else None, views, window)
    if isinstance(state.get("formulas"), dict):
        scene["formulas"] = state["formulas"]
    try:
        return parse_scene(json.dumps(scene), "old settings")
    except (SceneError, TypeError, ValueError):
        return new_scene(None, {})

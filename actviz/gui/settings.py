"""Window state between runs: one JSON document inside a QSettings ini file.

One document (not many keys) so a corrupt or foreign store is detected as a
whole and replaced by defaults with a message, never half-applied. QSettings
writes through QSaveFile, so a crash mid-write cannot truncate the old file.
"""

from __future__ import annotations

import json
import os
from typing import Any

from PySide6 import QtCore

KEY = "state/json"
VERSION = 1


def settings_path() -> str:
    env = os.environ.get("ACTVIZ_SETTINGS")
    if env:
        return env
    base = QtCore.QStandardPaths.writableLocation(QtCore.QStandardPaths.StandardLocation.AppConfigLocation)
    return os.path.join(base or os.path.expanduser("~/.config"), "actviz", "actviz.ini")


class SettingsStore:
    """Load and save the app state; every failure becomes ``message``, never an exception."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path or settings_path()
        self.message = ""

    def _qsettings(self) -> QtCore.QSettings:
        return QtCore.QSettings(self.path, QtCore.QSettings.Format.IniFormat)

    def load(self) -> dict[str, Any]:
        self.message = ""
        if not os.path.exists(self.path):
            return {}
        try:
            qs = self._qsettings()
            if qs.status() != QtCore.QSettings.Status.NoError:
                raise ValueError(f"Qt could not read it ({qs.status().name})")
            raw = qs.value(KEY, None)
            if raw is None:
                raise ValueError("it holds no actviz state")
            state = json.loads(str(raw))
            if not isinstance(state, dict) or state.get("version") != VERSION:
                raise ValueError("it is not an actviz state of this version")
            return state
        except (OSError, ValueError, TypeError) as exc:
            self.message = f"Settings file {self.path} is unreadable ({exc}); starting with defaults."
            return {}

    def save(self, state: dict[str, Any]) -> bool:
        try:
            text = json.dumps({**state, "version": VERSION})
            directory = os.path.dirname(self.path)
            if directory:
                os.makedirs(directory, exist_ok=True)
            qs = self._qsettings()
            qs.setValue(KEY, text)
            qs.sync()
            if qs.status() != QtCore.QSettings.Status.NoError:
                raise OSError(f"Qt could not write it ({qs.status().name})")
        except (OSError, TypeError, ValueError) as exc:
            self.message = f"Could not save settings to {self.path}: {exc}"
            return False
        return True

    def reset(self) -> None:
        try:
            os.remove(self.path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            self.message = f"Could not remove settings {self.path}: {exc}"

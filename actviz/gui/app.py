"""Start the desktop app."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from PySide6 import QtCore, QtWidgets

from actviz.gui.settings import SettingsStore
from actviz.gui.theme import apply_plot_theme


def run_gui(disabled: Iterable[str] = (), reset_settings: bool = False) -> int:
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("actviz")
    app.setOrganizationName("actviz")
    apply_plot_theme(app)
    from actviz.gui.main_window import MainWindow

    settings = SettingsStore()
    if reset_settings:
        settings.reset()
    saved = settings.load()
    disabled = set(disabled) | set(saved.get("disabled", []) if isinstance(saved.get("disabled"), list) else [])
    window = MainWindow(disabled=tuple(disabled), settings=settings)
    window.restore_state()
    window.show()
    QtCore.QTimer.singleShot(0, lambda: None)
    return app.exec()

"""Start the desktop app."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

from PySide6 import QtWidgets

from actviz.gui.settings import SettingsStore
from actviz.gui.theme import apply_plot_theme


def run_gui(disabled: Iterable[str] = (), reset_settings: bool = False, safe_mode: bool = False,
            scene: str | None = None, tour: str | None = None) -> int:
    """Open the main window (on ``scene``, then on ``tour``: a tour name or a tour file); the app's exit code."""
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("actviz")
    app.setOrganizationName("actviz")
    apply_plot_theme(app)
    from actviz.gui.main_window import MainWindow

    settings = SettingsStore()
    if reset_settings:
        settings.reset()
    saved = settings.load()
    remembered = saved.get("window", {}).get("disabled", [])
    disabled = set(disabled) | {str(d) for d in remembered if isinstance(d, str)} if isinstance(remembered, list) \
        else set(disabled)
    if safe_mode:  # every registry this process loads takes built-in plugins only
        os.environ["ACTVIZ_SAFE_MODE"] = "1"
    window = MainWindow(disabled=tuple(disabled), settings=settings)
    window.restore_state()
    if safe_mode:
        window.setWindowTitle("actviz — safe mode (built-in plugins only)")
    if scene:
        window.open_scene(scene)
    if tour:
        from actviz.host.tours import find_tour
        from actviz.models.tour import TourError

        try:
            window.start_tour(find_tour(tour, window.registry))
        except TourError as exc:
            print(f"actviz: error: {exc}", file=sys.stderr)
            return 2
    window.show()
    return app.exec()

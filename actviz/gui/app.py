"""Start the desktop app."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

from PySide6 import QtWidgets

from actviz.gui.crash import CrashRecovery
from actviz.gui.settings import SettingsStore
from actviz.gui.theme import apply_plot_theme
from actviz.host import evaluation


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
    recovery = CrashRecovery(os.path.dirname(os.path.abspath(settings.path)))
    crash = recovery.start()  # did the last session die inside a plugin? (asked before any plugin loads)
    if crash is not None and recovery.should_ask() and recovery.ask():
        disabled.add(crash.plugin)
    evaluation.set_call_limit(evaluation.call_limit_from_env())  # no plugin call may hang the window
    window = MainWindow(disabled=tuple(disabled), settings=settings)
    window.restore_state()
    recovery.report(window)
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
    code = app.exec()
    recovery.finish()  # a clean exit: the next start reports no crash
    return code

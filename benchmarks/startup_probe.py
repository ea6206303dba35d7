"""Run as a script: launch → first painted window, printed as one JSON line.

``python benchmarks/startup_probe.py actviz`` builds the main window as
``actviz.gui.app.run_gui`` does (private settings, 1000×700) and reports the
wall-clock time (``time.time()``) when the window's first paint pass has
finished, plus which heavy modules were imported by then.
``actviz-nomath`` is the same with matplotlib unimportable (formulas fall
back to text), to show what rendering formulas before the first paint
costs. ``python benchmarks/startup_probe.py bare`` does the same for an empty
QWidget after ``import PySide6.QtWidgets, pyqtgraph``. The parent measures
from just before it launched the process.
"""

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HEAVY = ("matplotlib", "scipy", "pandas", "PIL", "sympy", "torch")


def main(mode: str) -> None:
    import json

    import pyqtgraph  # noqa: F401 - part of the bare baseline, as the brief defines it
    import PySide6.QtWidgets
    from PySide6 import QtCore, QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["actviz"])
    if mode == "actviz-nomath":  # what start-up costs when formulas never reach matplotlib first
        sys.modules["matplotlib"] = None  # type: ignore[assignment] - the import then fails fast
    if mode.startswith("actviz"):
        from actviz.gui.app import apply_plot_theme
        from actviz.gui.main_window import MainWindow
        from actviz.gui.settings import SettingsStore

        app.setApplicationName("actviz")
        apply_plot_theme(app)
        window = MainWindow(settings=SettingsStore())
        window.restore_state()
    else:
        window = PySide6.QtWidgets.QWidget()
    window.resize(1000, 700)
    state = {"painted": None}

    def done() -> None:
        t = time.time()
        heavy = sorted(m for m in HEAVY if sys.modules.get(m) is not None)
        print(json.dumps({"painted": t, "first_paint_event": state["painted"], "heavy": heavy,
                          "modules": len(sys.modules)}), flush=True)
        app.quit()

    class FirstPaint(QtCore.QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt API
            if event.type() == QtCore.QEvent.Type.Paint and state["painted"] is None:
                state["painted"] = time.time()
                QtCore.QTimer.singleShot(0, done)  # runs once this paint pass has finished
            return False

    probe = FirstPaint()
    window.installEventFilter(probe)
    window.show()
    app.exec()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "actviz")

"""What start-up leaves for later: modules the first painted window does not need are not imported by it.

Checked in a fresh interpreter (counts of modules, never times): importing
actviz and building, restoring and painting the main window.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import actviz
import actviz.gui

PROBE = r"""
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import actviz
first = sorted(m for m in ("actviz.models.tour", "actviz.maths.pairs") if m in sys.modules)
from PySide6 import QtWidgets
app = QtWidgets.QApplication(["actviz"])
from actviz.gui.main_window import MainWindow
from actviz.gui.settings import SettingsStore
window = MainWindow(settings=SettingsStore())
window.restore_state()
window.resize(1000, 700)
window.show()
app.processEvents()
print(json.dumps({"after_import": first, "modules": sorted(sys.modules), "made": sorted(window.models.made()),
                  "views": sorted(window.views)}))
"""


def test_public_names_stay_importable():
    for name in actviz.__all__:
        assert getattr(actviz, name) is not None
    from actviz import KeyCheck, OutputDeltaRule, Tour, TourStop  # noqa: F401 - imported when first named

    assert set(actviz.__all__) <= set(dir(actviz))
    for name in actviz.gui.__all__:
        assert getattr(actviz.gui, name) is not None


def test_theme_contrast_is_the_audits():
    from PySide6 import QtGui

    from actviz.gui import audit, theme

    assert theme.MIN_CONTRAST == audit.MIN_CONTRAST
    for fg, bg in (("#000000", "#ffffff"), ("#8a8d91", "#1e1f22"), ("#80ff0000", "#ffffff"), ("#3daee9", "#232629")):
        f, b = QtGui.QColor(fg), QtGui.QColor(bg)
        assert theme.contrast(f, b) == audit.contrast(f, b)


def test_the_first_painted_window_imports_only_what_it_shows(tmp_path):
    env = dict(os.environ, ACTVIZ_SETTINGS=str(tmp_path / "s.ini"), ACTVIZ_FORMULA_CACHE=str(tmp_path / "f"))
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.splitlines()[-1])
    assert report["after_import"] == []  # import actviz: tours and output-delta rules wait to be named
    assert report["views"] == ["function"] and report["made"] == ["function"]  # the other views' models wait
    modules = set(report["modules"])
    for lazy in ("actviz.gui.audit", "actviz.models.tour", "actviz_views.coin_model", "html.entities",
                 "actviz.host.formulas", "importlib.metadata", "email", "difflib"):
        assert lazy not in modules, lazy

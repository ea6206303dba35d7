"""Regenerate the README's screenshots: ``python resources/make_screenshots.py``.

Drives the real main window (offscreen unless a display is set) into the
state each picture needs and saves ``window.grab()`` for every view.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if not os.environ.get("DISPLAY"):  # offscreen, on a screen as large as the largest picture
    import tempfile

    _SCREEN = Path(tempfile.gettempdir()) / "actviz-screenshot-screen.json"
    _SCREEN.write_text('{"screens": [{"name": "shots", "x": 0, "y": 0, "width": 1920, "height": 1080}]}')
    os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={_SCREEN}")
os.environ.setdefault("ACTVIZ_SETTINGS", str(Path(__file__).with_name(".screenshot-scene.json")))

from PySide6 import QtWidgets  # noqa: E402

OUT = Path(__file__).resolve().parent / "screenshots"

SIZES = ((1024, 640), (1920, 1080))
#: file suffix per colour scheme: the light pictures keep their old names
SCHEMES = (("light", ""), ("dark", "_dark"))


def settle(app: QtWidgets.QApplication, rounds: int = 20) -> None:
    """Let redraws run and the formulas (rendered on their own thread) arrive and be laid out."""
    from actviz.gui.audit import wait_for_formulas

    for _ in range(rounds):
        app.processEvents()
    for window in app.topLevelWidgets():
        if window.isVisible():
            wait_for_formulas(window)
    for _ in range(rounds):
        app.processEvents()


def main() -> int:
    app = QtWidgets.QApplication(sys.argv[:1])
    from actviz.gui.audit import apply_scene, resize_frame
    from actviz.gui.main_window import MainWindow
    from actviz.gui.theme import apply_scheme

    apply_scheme(app, "light")
    OUT.mkdir(parents=True, exist_ok=True)
    win = MainWindow()
    win.settings.reset()
    win.restore_state()
    win.show()
    win.select_function("elu")
    win.views["function"].pin()
    win.select_function("leaky_relu")
    win.models["function"].set("function.alpha", 0.2)
    for (width, height), (scheme, tail) in ((size, scheme) for scheme in SCHEMES for size in SIZES):
        suffix = f"_{width}x{height}{tail}"
        win.set_scheme(scheme)
        resize_frame(win, width, height)
        win.show_view("function")
        settle(app)
        win.grab().save(str(OUT / f"function{suffix}.png"))
        for name in win.view_names:
            if name == "function":
                continue
            view = win.show_view(name)
            if view is None:
                continue
            apply_scene(win, name)
            settle(app)
            view.refresh()
            settle(app)
            win.grab().save(str(OUT / f"{name}{suffix}.png"))
            print(f"wrote {OUT / f'{name}{suffix}.png'}")
    extras(app, win)
    win.close()
    win.settings.reset()  # closing saved the window state; the screenshots leave nothing behind
    return 0


def extras(app: QtWidgets.QApplication, win) -> None:
    """The tour panel at a stop with an erratum, and a typed formula with its sliders and exact derivative."""
    from actviz.gui.audit import resize_frame
    from actviz.host.tours import find_tour

    win.set_scheme("light")
    for width, height in SIZES:
        resize_frame(win, width, height)
        panel = win.start_tour(find_tour("lecture", win.registry))
        stop = next(i for i, s in enumerate(panel.tour.stops) if s.lecture_claim)
        panel.go(stop)
        settle(app, 40)
        win.grab().save(str(OUT / f"tour_{width}x{height}.png"))
        panel.close()
        win.add_formula("scaled_swish", "a*z*logistic(b*z)", label="a·z·σ(b·z)")
        win.show_view("function")
        win.select_function("scaled_swish")
        win.models["function"].update({"function.b": 2.0})
        settle(app, 40)
        win.grab().save(str(OUT / f"formula_{width}x{height}.png"))
        win.remove_formula("scaled_swish")


if __name__ == "__main__":
    sys.exit(main())

"""GUI-thread plugin code (a view's create and redraw) is watched and named; SystemExit from it is contained."""

from __future__ import annotations

import time

import actviz
from actviz.gui import ViewWidget
from actviz.gui.main_window import MainWindow
from actviz.gui.watchdog import WATCHDOG, Watchdog


class Sleepy(ViewWidget):
    def redraw(self) -> None:
        time.sleep(0.4)


class Quitter(ViewWidget):
    def redraw(self) -> None:
        raise SystemExit(3)


class Views:
    @actviz.hookimpl
    def actviz_views(self):
        return [actviz.View("sleepy", "Sleepy", Sleepy), actviz.View("quitter", "Quitter", Quitter)]


def test_a_section_that_outlives_the_limit_is_reported_once_by_name():
    heard: list[str] = []
    dog = Watchdog(0.05, report=heard.append)
    with dog.watch("view Slow (plugin someone) redrawing"):
        time.sleep(0.3)
    with dog.watch("view Quick (plugin someone) redrawing"):
        pass
    time.sleep(0.05)
    assert heard == ["view Slow (plugin someone) redrawing has not returned for 0.05 s; "
                     "the window is frozen until it does"]


def test_a_slow_view_redraw_is_named_and_a_quitting_one_is_contained(qtbot, monkeypatch):
    heard: list[str] = []
    monkeypatch.setattr(WATCHDOG, "seconds", 0.05)
    monkeypatch.setattr(WATCHDOG, "report", heard.append)
    reg = actviz.load_registry(extra=[("moody", Views())])
    win = MainWindow(registry=reg)
    win.setProperty("testing", True)
    qtbot.addWidget(win)
    win.show()
    view = win.show_view("sleepy")
    view.refresh()
    qtbot.waitUntil(lambda: any("Sleepy" in h and "redrawing" in h for h in heard), timeout=3000)
    quitter = win.show_view("quitter")
    quitter.refresh()  # SystemExit from plugin code must not close the app
    assert "SystemExit" in quitter.error
    assert win.show_view("function") is not None

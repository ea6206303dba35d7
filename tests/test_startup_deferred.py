"""What the main window leaves until after its first paint: the function list's entries, dropping source lines.

The first painted window is the real one, its view drawn; the list is filled
a moment later (or at once when anything reads or searches it). Counts and
contents only, never times.
"""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from actviz.gui import main_window as main_window_module
from actviz.gui.browser import FunctionBrowser
from actviz.gui.main_window import MainWindow


class _FirstPaint(QtCore.QObject):
    """Records what the list held when the window's first paint event arrived."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.seen: tuple[int, bool] | None = None
        window.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        if event.type() == QtCore.QEvent.Type.Paint and self.seen is None:
            browser = self.window.browser
            self.seen = (browser.tree.topLevelItemCount(), browser.is_filled())
        return False


@pytest.fixture
def drops(monkeypatch):
    calls: list[int] = []
    real = main_window_module.drop_source_lines
    monkeypatch.setattr(main_window_module, "drop_source_lines", lambda: calls.append(1) or real())
    return calls


def test_the_list_is_filled_after_the_first_paint_with_the_views_function_current(qtbot, registry, drops):
    win = MainWindow(registry=registry)
    win.setProperty("testing", True)
    qtbot.addWidget(win)
    win.restore_state()
    assert win.views  # the shown view is built before the first paint
    assert not win.browser.is_filled() and win.browser.tree.topLevelItemCount() == 0
    first = _FirstPaint(win)
    win.resize(1000, 700)
    win.show()
    qtbot.waitUntil(lambda: win.browser.is_filled())
    assert first.seen == (0, False)  # the first paint did not wait for the list
    function = win.current_view().model["function"]
    assert set(win.browser.items) == set(registry.activations) | set(registry.losses)
    assert win.browser.current_name() == function  # selected while it waited: current once filled
    assert drops == [1]  # source lines dropped once, after the first paint (was also while the view was built)
    win.show_view("coin")
    assert drops == [1, 1]  # a view opened later drops what it imported at once


def test_reading_or_searching_the_waiting_list_fills_it(qtbot, registry):
    browser = FunctionBrowser(registry, defer=True)
    qtbot.addWidget(browser)
    browser.select("tanh", emit=False)
    assert not browser.is_filled() and browser.current_name() == "tanh"
    assert "relu" in browser.items and browser.is_filled()
    assert browser.current_name() == "tanh"
    other = FunctionBrowser(registry, defer=True)
    qtbot.addWidget(other)
    other.search.setText("relu")
    assert other.is_filled() and "relu" in other.visible_names() and "tanh" not in other.visible_names()


def test_a_user_pick_in_the_waiting_list_is_emitted(qtbot, registry):
    browser = FunctionBrowser(registry, defer=True)
    qtbot.addWidget(browser)
    with qtbot.waitSignal(browser.selected) as blocker:
        browser.select("elu")
    assert blocker.args == ["elu"] and browser.current_name() == "elu"


def test_the_window_keeps_its_menus_and_list_when_never_painted(qtbot, registry):
    win = MainWindow(registry=registry)
    qtbot.addWidget(win)
    win.restore_state()
    titles = [a.text() for a in win.menuBar().actions()]
    assert titles[:2] == ["&File", "&Edit"] and "&Help" in titles
    assert "logistic" in win.browser.items  # filled when read
    assert isinstance(win.browser.tree.topLevelItem(0), QtWidgets.QTreeWidgetItem)

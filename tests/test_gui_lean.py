"""Plots built lean (actviz/gui/lean.py): context menus made on the first right-click, no background pixmap.

What the user gets must not change: a right-click on a plot opens pyqtgraph's full menu (View All,
the axis forms showing the current range, Plot Options, Export...), disabled menus stay disabled,
and plots draw the same background.
"""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from pytestqt.qtbot import QtBot

from actviz.gui import lean
from tests.conftest import settle

# a popup menu under the offscreen platform: it cannot raise or grab the keyboard, and QTest notes that the
# press went to the scene (pyqtgraph takes right-clicks on release)
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", "Mouse event .* not accepted")


def _right_click(qtbot: QtBot, plot: pg.PlotItem) -> QtWidgets.QMenu | None:
    """Right-click the middle of ``plot``'s data area, as a user would; the menu that pops up, if any."""
    view = plot.scene().views()[0]
    centre = plot.vb.mapToScene(plot.vb.boundingRect().center())
    pos = view.mapFromScene(centre)
    qtbot.mouseClick(view.viewport(), QtCore.Qt.MouseButton.RightButton, pos=pos)
    settle(qtbot)
    return QtWidgets.QApplication.activePopupWidget()


def _texts(menu: QtWidgets.QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if a.text()]


@pytest.fixture
def layout(qtbot):
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    widget.resize(500, 400)
    return widget


def test_a_viewbox_builds_no_menu_until_it_is_needed(layout):
    plot = layout.addPlot()
    assert isinstance(plot.vb.menu, lean.MenuNotBuilt)
    assert not lean.menu_built(plot.vb)


def test_right_click_opens_the_full_menu_built_from_the_current_state(layout, qtbot):
    plot = layout.addPlot()
    plot.plot([0, 1, 2], [0, 1, 4])
    layout.show()
    qtbot.waitExposed(layout)
    plot.setXRange(-3.0, 7.0, padding=0)
    plot.enableAutoRange(axis="y", enable=False)
    menu = _right_click(qtbot, plot)
    try:
        assert menu is plot.vb.menu and lean.menu_built(plot.vb)
        texts = _texts(menu)
        for entry in ("View All", "X axis", "Y axis", "Mouse Mode", "Plot Options", "Export..."):
            assert entry in texts, texts
        x_form = menu.ctrl[0]
        assert (x_form.minText.text(), x_form.maxText.text()) == ("-3", "7")
        assert x_form.manualRadio.isChecked()
        menu.viewAll.trigger()  # the menu acts on its ViewBox: View All fits the data again
        settle(qtbot)
        low, high = plot.vb.viewRange()[0]
        assert low > -1 and high < 3
    finally:
        menu.close()


def test_a_disabled_menu_stays_closed_and_unbuilt(layout, qtbot):
    plot = layout.addPlot()
    plot.setMenuEnabled(False)
    layout.show()
    qtbot.waitExposed(layout)
    assert plot.vb.menu is None
    assert _right_click(qtbot, plot) is None
    plot.setMenuEnabled(True)
    assert isinstance(plot.vb.menu, lean.MenuNotBuilt)
    menu = _right_click(qtbot, plot)
    try:
        assert menu is not None and lean.menu_built(plot.vb)
    finally:
        menu.close()


def test_a_late_menu_lists_the_other_named_views_to_link(layout):
    first = layout.addPlot(name="lean-first")
    second = layout.addPlot(name="lean-second")
    menu = lean.build_menu(second.vb)
    combo = menu.ctrl[0].linkCombo
    assert "lean-first" in [combo.itemText(i) for i in range(combo.count())]
    assert lean.build_menu(second.vb) is menu  # built once
    assert not lean.menu_built(first.vb)


def test_any_use_of_the_stand_in_builds_the_real_menu(layout):
    plot = layout.addPlot()
    actions = plot.vb.menu.actions()  # e.g. a parent item adding the ViewBox's actions to its own menu
    assert lean.menu_built(plot.vb)
    assert "View All" in [a.text() for a in actions]


def test_dropping_the_background_cache_draws_the_same_pixels(layout, qtbot):
    plot = layout.addPlot()
    plot.plot([0, 1, 2], [0, 1, 4], pen="r")
    layout.setBackground("#20304a")
    layout.show()
    qtbot.waitExposed(layout)
    settle(qtbot)
    before = layout.grab().toImage()
    assert lean.drop_background_cache(layout) == 1
    assert layout.cacheMode() == QtWidgets.QGraphicsView.CacheModeFlag.CacheNone
    assert lean.drop_background_cache(layout) == 0
    settle(qtbot)
    after = layout.grab().toImage()
    assert after.convertToFormat(QtGui.QImage.Format.Format_RGB32) == \
        before.convertToFormat(QtGui.QImage.Format.Format_RGB32)


def test_every_view_in_the_main_window_is_lean_and_its_plots_still_have_menus(window, qtbot):
    for name in window.view_names:
        view = window.show_view(name)
        settle(qtbot)
        for graphics in view.findChildren(pg.GraphicsView):
            assert graphics.cacheMode() == QtWidgets.QGraphicsView.CacheModeFlag.CacheNone, name
    window.show_view("function")
    settle(qtbot, 100)
    plot = window.views["function"].plot_f
    assert not lean.menu_built(plot.vb)
    menu = _right_click(qtbot, plot)
    try:
        assert menu is plot.vb.menu
        assert {"View All", "Plot Options", "Export..."} <= set(_texts(menu))
    finally:
        menu.close()

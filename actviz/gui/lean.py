"""Less native memory per plot, with nothing the student sees or uses taken away.

Measured with ``python -m benchmarks --only memory`` (every view opened):

* **ViewBox context menus are built when first used.** pyqtgraph builds a
  ``ViewBoxMenu`` (a menu with two axis-option forms) in every ``ViewBox``'s
  constructor, ~0.3 MiB each, and most are never opened (five views disable
  them at once). :func:`install` makes the constructor leave a small stand-in;
  the real menu is built, from the ViewBox's state at that moment, when a
  right-click (or anything else) first asks for it. ≈ −3 MiB over every view.
* **No background pixmap per plot widget.** ``pg.GraphicsView`` caches its
  background (a plain fill of the background brush) in a viewport-sized pixmap,
  ~1.4 MiB per view at 1000×700. :func:`drop_background_cache` turns the cache
  off: the fill is drawn directly, the same pixels. ≈ −9 MiB over every view.

The PlotItem's own "Plot Options" menu is left as it is: its form widgets hold
the plot's state (grid, log mode, downsampling...) and PlotItem reads them on
every ``addItem``, so building it later would need a copy of pyqtgraph's code.
"""

from __future__ import annotations

import importlib
import weakref
from typing import Any

import pyqtgraph as pg
from PySide6 import QtWidgets

_VIEWBOX_MODULE = importlib.import_module("pyqtgraph.graphicsItems.ViewBox.ViewBox")
_REAL_MENU = importlib.import_module("pyqtgraph.graphicsItems.ViewBox.ViewBoxMenu").ViewBoxMenu


class MenuNotBuilt:
    """Stands in for a ViewBox's ``menu`` until something uses it; then builds the real one.

    It answers the two calls the ViewBox makes on its menu in passing (the
    named-view list, and ``setParent(None)`` when the menu is disabled) without
    building anything; any other attribute builds the real menu, puts it on the
    ViewBox and is read from it.
    """

    __slots__ = ("_view", "__weakref__")

    def __init__(self, view: pg.ViewBox) -> None:
        self._view = weakref.ref(view)

    def setViewList(self, views: list) -> None:  # noqa: N802 - pyqtgraph's name
        """The link combos are filled from the ViewBox's list when the menu is built."""

    def setParent(self, parent: Any) -> None:  # noqa: N802 - Qt's name
        """Dropped unbuilt (the menu was disabled): nothing to release."""

    def __getattr__(self, name: str) -> Any:
        view = self._view()
        if view is None:
            raise AttributeError(name)
        return getattr(build_menu(view), name)


def build_menu(view: pg.ViewBox) -> QtWidgets.QMenu | None:
    """``view``'s context menu, built now if it was deferred (None while the menu is disabled)."""
    menu = view.menu
    if isinstance(menu, MenuNotBuilt):
        menu = view.menu = _REAL_MENU(view)
        view.updateViewLists()  # the link combos list the other named views, as at construction
    return menu


def menu_built(view: pg.ViewBox) -> bool:
    """Whether ``view`` holds a real context menu (not the stand-in, not disabled)."""
    return isinstance(view.menu, QtWidgets.QMenu)


def _deferred_menu(view: pg.ViewBox) -> MenuNotBuilt:
    return MenuNotBuilt(view)


def install() -> None:
    """Defer every ViewBox's context menu from now on (idempotent)."""
    if getattr(_VIEWBOX_MODULE, "ViewBoxMenu", None) is _deferred_menu:
        return
    # ViewBox.__init__ and _applyMenuEnabled look the class up in their module when they build a menu
    _VIEWBOX_MODULE.ViewBoxMenu = _deferred_menu
    get_menu, context_menus = pg.ViewBox.getMenu, pg.ViewBox.getContextMenus

    def getMenu(self: pg.ViewBox, ev: Any) -> Any:  # noqa: N802 - pyqtgraph's name
        build_menu(self)  # the right-click pops up (and the scene extends) the real QMenu
        return get_menu(self, ev)

    def getContextMenus(self: pg.ViewBox, event: Any) -> Any:  # noqa: N802 - pyqtgraph's name
        if self.menuEnabled():
            build_menu(self)
        return context_menus(self, event)

    pg.ViewBox.getMenu = getMenu
    pg.ViewBox.getContextMenus = getContextMenus


def drop_background_cache(widget: QtWidgets.QWidget) -> int:
    """Draw the background of ``widget``'s plot widgets directly instead of from a cached pixmap.

    Returns how many graphics views were changed.
    """
    views = [widget] if isinstance(widget, pg.GraphicsView) else []
    views += widget.findChildren(pg.GraphicsView)
    none = QtWidgets.QGraphicsView.CacheModeFlag.CacheNone
    changed = 0
    for view in views:
        if view.cacheMode() != none:
            view.setCacheMode(none)
            view.resetCachedContent()
            changed += 1
    return changed

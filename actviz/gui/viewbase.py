"""What every view is: a QWidget over a Qt-free model, with coalesced refresh and exportable curves.

A view plugin subclasses :class:`ViewWidget`. The main window and
``actviz export --view`` only use this interface and the view's model, so a
third party's view is exported, saved in scenes, undone and guarded exactly
like a built-in one.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui import grid, lean
from actviz.gui.theme import set_warning_style
from actviz.gui.watchdog import WATCHDOG, describe
from actviz.host.registry import Registry
from actviz.maths.ranges import data_bounds, held_range
from actviz.models import History, ViewModel

# every plot's ViewBox builds its context menu on the first right-click, not in its constructor (lean.py)
lean.install()

#: a change of the same keys within this time of the last is part of a drag; the drag rests after it
REST_MS = 250
#: the views whose ``redraw`` is running now (innermost last): ``hold_range`` asks it whether a drag is on
_redrawing: list[ViewWidget] = []


@dataclass
class ViewContext:
    """What a view gets from the host: the registry, its own model, and a few host services."""

    registry: Registry
    model: ViewModel
    status: Callable[[str], None] = field(default=lambda message: None)
    headless: bool = False
    #: open (and show) another view by name; returns it, or None when there is none
    open_view: Callable[[str], Any] = field(default=lambda name: None)
    history: History | None = None


class ViewWidget(QtWidgets.QWidget):
    """Base class of every view: thin wiring from ``self.model`` to plots.

    Subclasses build their plots once in ``__init__`` and implement
    :meth:`redraw` with ``setData`` only, reading ``self.model``. A model
    change schedules one refresh (override :meth:`on_model_changed` to react
    to particular keys first); at most one redraw is ever pending, so a
    dragged slider never queues work behind it.
    """

    redrawn = QtCore.Signal()
    #: the host shows this view's controls in its Parameters dock (views without a control column of their own)
    dock_panel: bool = False

    def __init__(self, context: ViewContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.model: ViewModel = context.model
        self._pending = False
        self.error: str = ""
        self.redraw_count = 0
        # one reusable zero-delay timer: a QTimer.singleShot(callable) per change costs an object each time
        self._refresh_timer = QtCore.QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        #: a control of this view is being dragged: the same keys changed again within REST_MS
        self.moving = False
        self._last_change: tuple[frozenset[str], float] = (frozenset(), -1.0)
        self._held_back = False
        self._rest_timer = QtCore.QTimer(self)
        self._rest_timer.setSingleShot(True)
        self._rest_timer.setInterval(REST_MS)
        self._rest_timer.timeout.connect(self._rested)
        self.model.connect(self._model_changed)

    # -- the contract -------------------------------------------------------------------------
    def on_model_changed(self, names: frozenset[str]) -> None:
        """The model changed ``names``; the default redraws."""
        self.schedule_refresh()

    def redraw(self) -> None:
        """Recompute and ``setData`` every curve. Called by :meth:`refresh`."""

    def export_columns(self) -> dict[str, np.ndarray]:
        """Every drawn curve as named columns, for CSV."""
        return {}

    def export_item(self) -> QtWidgets.QGraphicsItem | None:
        """The pyqtgraph item (usually a GraphicsLayout) that PNG and SVG export."""
        return None

    def view_actions(self) -> list[QtGui.QAction]:
        """Actions the host adds to its View menu and toolbar while this view is shown."""
        return []

    def sync_model(self) -> None:
        """Write state that lives outside the model (e.g. trained weights) into its extras, unrecorded.

        The host calls this before it saves a scene.
        """

    def cannot_draw(self) -> str:
        """Why this view cannot draw its current model (e.g. the chosen loss has no noise model), or ""."""
        return ""

    # -- machinery ----------------------------------------------------------------------------
    def may_narrow(self) -> bool:
        """Whether what holds still during a drag may change now: not while a drag is on (:attr:`moving`).

        A held range that would narrow, or a legend that would move to a quieter corner, waits: the view
        redraws once the drag rests, and it changes then. ``hold_range(..., grow=True)`` asks this itself;
        a view holding a range or placing a legend of its own asks it too.
        """
        if self.moving:
            self._held_back = True
            return False
        return True

    def _rested(self) -> None:
        self.moving = False
        self._last_change = (frozenset(), -1.0)  # the next change starts afresh, whenever it comes
        if self._held_back:
            self._held_back = False
            self.refresh()

    def _model_changed(self, names: frozenset[str]) -> None:
        if not shiboken6.isValid(self):  # deleted by Qt before it was closed: stop listening
            self.model.disconnect(self._model_changed)
            return
        now = time.monotonic()
        last_names, last_time = self._last_change
        self.moving = names == last_names and now - last_time < REST_MS / 1000
        self._last_change = (names, now)
        if self.moving:
            self._rest_timer.start()
        try:
            self.on_model_changed(names)
        except Exception as exc:  # noqa: BLE001 - views may come from plugins
            self.error = f"{type(exc).__name__}: {exc}"
            self.context.status(f"view {type(self).__name__} failed to follow a change: {self.error}")
            traceback.print_exc()

    def schedule_refresh(self) -> None:
        if self._pending:
            return
        self._pending = True
        self._refresh_timer.start()

    def refresh(self) -> None:
        """Redraw now, guarded: a failing redraw shows its error instead of raising."""
        self._pending = False
        self._refresh_timer.stop()
        _redrawing.append(self)
        try:
            with WATCHDOG.watch(f"{describe(self)} redrawing", type(self).redraw):
                self.redraw()
            self.error = ""
        except BaseException as exc:  # noqa: BLE001 - views may come from plugins; SystemExit must not close the app
            if isinstance(exc, KeyboardInterrupt):
                raise
            self.error = f"{type(exc).__name__}: {exc}"
            self.context.status(f"view {type(self).__name__} failed to redraw: {self.error}")
            traceback.print_exc()
        finally:
            _redrawing.pop()
        settle_plots(self)
        self.redraw_count += 1
        self.redrawn.emit()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.model.disconnect(self._model_changed)
        super().closeEvent(event)


def warning_label() -> QtWidgets.QLabel:
    """The red line a view shows a plugin's failure or a rejected value in; hidden while empty."""
    label = QtWidgets.QLabel("")
    set_warning_style(label, "font-weight: bold;")
    label.setWordWrap(True)
    label.hide()
    return label


def control_column(side: QtWidgets.QLayout, width: int) -> QtWidgets.QScrollArea:
    """A view's fixed-width, vertically scrolling column of controls."""
    widget = QtWidgets.QWidget()
    widget.setLayout(side)
    scroll = QtWidgets.QScrollArea()
    scroll.setWidget(widget)
    scroll.setWidgetResizable(True)
    scroll.setFixedWidth(width)
    scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
    return scroll


def page(layout: QtWidgets.QLayout, across: bool = False) -> QtWidgets.QScrollArea:
    """A view's main column as a page that scrolls down when the window is short.

    Plots keep their readable size instead of being squashed (the layout audit's 160×120 px floor).
    ``across``: also scroll sideways when something cannot shrink (GELU's 750 px f′): never cut it.
    """
    widget = QtWidgets.QWidget()
    widget.setLayout(layout)
    scroll = QtWidgets.QScrollArea()
    scroll.setWidget(widget)
    scroll.setWidgetResizable(True)
    policy = QtCore.Qt.ScrollBarPolicy
    scroll.setHorizontalScrollBarPolicy(policy.ScrollBarAsNeeded if across else policy.ScrollBarAlwaysOff)
    scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
    return scroll


def guard_plot(plot: pg.PlotItem) -> pg.PlotItem:
    """Keep a plot's ranges drawable.

    pyqtgraph divides by zero computing ticks when autorange meets data with a
    subnormal spread (e.g. a gradient of ±5e-324), and the error cascades
    through every paint; a floor on the range width avoids it. Every view
    should pass its plots through this.
    """
    plot.setLimits(minXRange=1e-9, minYRange=1e-12)
    return plot


def hold_range(plot: pg.PlotItem | pg.ViewBox, *arrays: np.ndarray | None, axis: str = "y",
               grow: bool = False) -> bool:
    """Show ``arrays`` on ``plot``'s ``axis`` with a range that holds still while a control is dragged.

    The range moves only when the data leaves it or fills less than a third of
    it, and then to round numbers (:func:`actviz.maths.ranges.held_range`):
    the ticks and grid are not regenerated on every frame, and the student
    compares frames on one scale. Auto-range is turned off on ``axis``. On a
    log axis pass log10 of the values. ``grow``: data leaving the range widens
    it to hold both (see ``held_range``), and while a control of the view is
    dragged (:attr:`ViewWidget.moving`) the range does not narrow: it narrows
    once the drag rests, so a drag between two regimes keeps one scale.
    Returns whether the range changed.
    """
    box = plot.getViewBox() if isinstance(plot, pg.PlotItem) else plot
    index = 1 if axis == "y" else 0
    bounds = data_bounds(*arrays)
    if bounds is None:
        return False
    if box.state["autoRange"][index] is not False:
        box.enableAutoRange(axis=axis, enable=False)
    shown = tuple(float(v) for v in box.viewRange()[index])
    held = box.__dict__.setdefault("_actviz_held", {})
    # the first fit ignores whatever range the plot had; later ones keep what is shown (a user's zoom too)
    target = held_range(shown if axis in held else None, *bounds, grow=grow)
    if grow and axis in held and shown[0] <= bounds[0] and bounds[1] <= shown[1] and not _near(target, shown):
        view = _redrawing[-1] if _redrawing else None
        if view is not None and not view.may_narrow():  # a narrower range, mid-drag: once it rests
            target = shown
    held[axis] = target
    if _near(target, shown):
        return False
    (box.setYRange if index else box.setXRange)(*target, padding=0)
    return True


def _near(a: tuple[float, float], b: tuple[float, float]) -> bool:
    span = max(abs(a[1] - a[0]), abs(b[1] - b[0]), 1e-300)
    return abs(a[0] - b[0]) <= 1e-9 * span and abs(a[1] - b[1]) <= 1e-9 * span


def settle_plots(widget: QtWidgets.QWidget) -> None:
    """Make the next paint of ``widget``'s plots the only one for this frame.

    pyqtgraph auto-ranges inside the paint; a range that moves there dirties
    the axes and the curves again and costs a second full paint. Settling the
    ranges here, before the paint, lets the first paint draw everything. Axes
    never narrow. A grid is drawn, opaque, by an item inside the ViewBox, not
    by its axis (:mod:`actviz.gui.grid`): a curve's new data repaints the grid
    under it but not the axes, whose pictures (line and labels) are rebuilt
    here, before the paint, and only when their ticks move.
    """
    try:
        _settle(_plot_items(widget))
    except RuntimeError:  # an item was deleted since the walk: walk again
        widget.__dict__.pop("_actviz_plot_items", None)
        _settle(_plot_items(widget))


def _plot_items(widget: QtWidgets.QWidget) -> list[tuple[Any, pg.GraphicsView]]:
    """``widget``'s ViewBoxes and axes, found by walking its scenes once and again when a ViewBox comes or goes.

    Walking every scene item wraps each in Python: ~1 ms of a drag frame, for a list that changes only
    when a plot is added (every plot has a ViewBox, so pyqtgraph's registry of them is the stamp).
    """
    stamp = len(pg.ViewBox.AllViews)
    cached = widget.__dict__.get("_actviz_plot_items")
    if cached is not None and cached[0] == stamp:
        return cached[1]
    found = [(item, view) for view in widget.findChildren(pg.GraphicsView) for item in view.scene().items()
             if isinstance(item, (pg.ViewBox, pg.AxisItem))]
    widget.__dict__["_actviz_plot_items"] = (stamp, found)
    return found


def _settle(items: list[tuple[Any, pg.GraphicsView]]) -> None:
    for item, view in items:
        if isinstance(item, pg.ViewBox):
            for _ in range(6):  # a new range re-clips the curves, which may move it once more
                if getattr(item, "_autoRangeNeedsUpdate", False):
                    item.updateAutoRange()
                elif getattr(item, "_matrixNeedsUpdate", False):
                    item.updateMatrix()
                else:
                    break
        else:
            if item.style.get("autoReduceTextSpace", True):
                # an axis that narrows when its labels get shorter re-lays out the plot inside the
                # paint and costs another paint; it only ever widens (a few times, then never)
                item.setStyle(autoReduceTextSpace=False)
            if getattr(item, "_actviz_grid", False) != item.grid:
                _opaque_grid(item, view.backgroundBrush().color())
            grid.settle(item)


def _opaque_grid(axis: pg.AxisItem, background: Any) -> None:
    """Draw grid lines in an opaque colour mixed with the background.

    Qt's raster engine draws translucent cosmetic lines pixel by pixel: a
    grid at pyqtgraph's default translucency cost ~4 ms per axis per frame,
    the same grid opaque ~0.2 ms. The lines are drawn by the ViewBox's grid
    item in the axis's tick pen (:func:`actviz.gui.grid.follow`).
    """
    axis._actviz_grid = axis.grid
    if axis.grid is False:
        axis.setTickPen()
        axis.setStyle(tickAlpha=None, maxTickLevel=2)
        grid.follow(axis)
        return
    fg = axis.pen().color()
    share = 0.6 * axis.grid / 255  # one shade for every line: keep two levels, not three
    mixed = [round(share * f + (1 - share) * b) for f, b in
             zip(fg.getRgb()[:3], background.getRgb()[:3], strict=True)]
    axis.setTickPen(pg.mkPen(mixed))
    axis.setStyle(tickAlpha=255, maxTickLevel=1)
    grid.follow(axis)


def themed_plot_colors(widget: QtWidgets.QWidget) -> tuple[Any, Any]:
    """Background and foreground from the palette, so dark themes stay readable."""
    pal = widget.palette()
    return pal.color(pal.ColorRole.Base), pal.color(pal.ColorRole.Text)


#: Okabe & Ito's colour-blind-safe qualitative palette (no yellow or black: they vanish on one of the two
#: backgrounds), with grey before their sky blue so the first six never hold two blues, then two tableau colours
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#e69f00", "#cc79a7", "#7f7f7f", "#56b4e9", "#8c564b", "#bcbd22")


def pen(index: int, width: float = 2.0, style: QtCore.Qt.PenStyle = QtCore.Qt.PenStyle.SolidLine):
    return pg.mkPen(PALETTE[index % len(PALETTE)], width=width, style=style)

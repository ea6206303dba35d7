"""What every view is: a QWidget with named controls, coalesced refresh, and exportable curves.

A view plugin subclasses :class:`ViewWidget`. The main window and
``actviz export --view`` only use this interface, so a third party's view
is exported, persisted and guarded exactly like a built-in one.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from actviz.host.registry import Registry
from actviz.specs import Activation, Loss, Param


@dataclass(frozen=True)
class Choice:
    """A control that picks one of ``options`` (e.g. a function from the registry)."""

    name: str
    default: str
    options: tuple[str, ...]
    label: str | None = None
    help: str = ""

    @property
    def display(self) -> str:
        return self.label or self.name


Control = Param | Choice


class Selection(QtCore.QObject):
    """The browser's current function and its parameter values; drives every view."""

    changed = QtCore.Signal()  # another function was selected
    params_changed = QtCore.Signal()  # a parameter of the current function moved

    def __init__(self, spec: Activation | Loss | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.values: dict[str, float] = {}
        if spec is not None:
            self.select(spec)

    def select(self, spec: Activation | Loss, values: Mapping[str, float] | None = None) -> None:
        self.spec = spec
        self.values = {p.name: p.default for p in controls_of(spec)}
        for k, v in (values or {}).items():
            if k in self.values:
                self.values[k] = float(v)
        self.changed.emit()

    def set_value(self, name: str, value: float) -> None:
        if self.values.get(name) == value:
            return
        self.values[name] = float(value)
        self.params_changed.emit()

    @property
    def params(self) -> dict[str, float]:
        """The function's own parameters (without the loss target)."""
        names = {p.name for p in self.spec.params} if self.spec else set()
        return {k: v for k, v in self.values.items() if k in names}

    @property
    def target(self) -> float | None:
        if isinstance(self.spec, Loss):
            return self.values.get(self.spec.target.name, self.spec.target.default)
        return None


def controls_of(spec: Activation | Loss) -> tuple[Param, ...]:
    """The live controls of a function: its params, plus the target t of a loss."""
    if isinstance(spec, Loss):
        return (*spec.params, spec.target)
    return spec.params


@dataclass
class ViewContext:
    """What a view gets from the host: the registry, the selection, a status line."""

    registry: Registry
    selection: Selection
    status: Callable[[str], None] = field(default=lambda message: None)
    headless: bool = False


class ViewWidget(QtWidgets.QWidget):
    """Base class of every view.

    Subclasses build their plots once in ``__init__`` and implement
    :meth:`redraw` with ``setData`` only. Anything that changes the picture
    calls :meth:`schedule_refresh`; at most one redraw is ever pending, so a
    dragged slider never queues work behind it.
    """

    redrawn = QtCore.Signal()
    #: controls that run bulk work before drawing (train N epochs, take N steps): for headless
    #: export only; the view's own panel leaves them out, so a dragged slider never blocks
    batch_controls: frozenset[str] = frozenset()

    def __init__(self, context: ViewContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._pending = False
        self.error: str = ""
        self.redraw_count = 0
        # one reusable zero-delay timer: a QTimer.singleShot(callable) per change costs an object each time
        self._refresh_timer = QtCore.QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)

    # -- the contract -------------------------------------------------------------------------
    def controls(self) -> tuple[Control, ...]:
        """Named controls; ``actviz export --view V --set KEY=VALUE`` sets these."""
        return ()

    def control_value(self, name: str) -> Any:
        raise KeyError(name)

    def set_control(self, name: str, value: Any) -> None:
        """Set one control (value already converted); raise ValueError with a reason if bad."""
        raise KeyError(name)

    def redraw(self) -> None:
        """Recompute and ``setData`` every curve. Called by :meth:`refresh`."""

    def export_columns(self) -> dict[str, np.ndarray]:
        """Every drawn curve as named columns, for CSV."""
        return {}

    def export_item(self) -> QtWidgets.QGraphicsItem | None:
        """The pyqtgraph item (usually a GraphicsLayout) that PNG and SVG export."""
        return None

    def on_selection_changed(self) -> None:
        """The browser selected another function; views that follow it override this."""

    def state(self) -> dict[str, Any]:
        """What to persist between runs (JSON-able)."""
        return {c.name: self.control_value(c.name) for c in self.controls()}

    def restore(self, state: Mapping[str, Any]) -> None:
        for c in self.controls():
            if c.name in state:
                try:
                    self.set_control(c.name, convert_control(c, state[c.name]))
                except (ValueError, TypeError, KeyError):
                    pass  # a stale or foreign value keeps the default

    # -- machinery ----------------------------------------------------------------------------
    def schedule_refresh(self) -> None:
        if self._pending:
            return
        self._pending = True
        self._refresh_timer.start()

    def refresh(self) -> None:
        """Redraw now, guarded: a failing redraw shows its error instead of raising."""
        self._pending = False
        self._refresh_timer.stop()
        try:
            self.redraw()
            self.error = ""
        except Exception as exc:  # noqa: BLE001 - views may come from plugins
            self.error = f"{type(exc).__name__}: {exc}"
            self.context.status(f"view {type(self).__name__} failed to redraw: {self.error}")
            traceback.print_exc()
        settle_plots(self)
        self.redraw_count += 1
        self.redrawn.emit()

    def apply_settings(self, settings: Mapping[str, str]) -> None:
        """Apply ``KEY=VALUE`` strings (from the command line); ValueError names the bad one."""
        by_name = {c.name: c for c in self.controls()}
        for key, raw in settings.items():
            if key not in by_name:
                known = ", ".join(by_name) or "none"
                raise ValueError(f"unknown key {key!r} for this view (keys: {known})")
            self.set_control(key, convert_control(by_name[key], raw))


def convert_control(control: Control, raw: Any) -> Any:
    """Parse a control value from text; ValueError says which control and why."""
    if isinstance(control, Choice):
        value = str(raw)
        if value not in control.options:
            raise ValueError(f"{control.name}={value!r} is not one of {', '.join(control.options)}")
        return value
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{control.name}={raw!r} is not a number") from None
    if value != value:
        raise ValueError(f"{control.name} is NaN")
    if not control.low <= value <= control.high:
        raise ValueError(f"{control.name}={value:g} is outside [{control.low:g}, {control.high:g}]")
    return value


def warning_label() -> QtWidgets.QLabel:
    """The red line a view shows a plugin's failure or a rejected value in; hidden while empty."""
    label = QtWidgets.QLabel("")
    label.setStyleSheet("color: #c0392b; font-weight: bold;")
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


def guard_plot(plot: pg.PlotItem) -> pg.PlotItem:
    """Keep a plot's ranges drawable.

    pyqtgraph divides by zero computing ticks when autorange meets data with a
    subnormal spread (e.g. a gradient of ±5e-324), and the error cascades
    through every paint; a floor on the range width avoids it. Every view
    should pass its plots through this.
    """
    plot.setLimits(minXRange=1e-9, minYRange=1e-12)
    return plot


def settle_plots(widget: QtWidgets.QWidget) -> None:
    """Make the next paint of ``widget``'s plots the only one for this frame.

    pyqtgraph auto-ranges inside the paint; a range that moves there dirties
    the axes and the curves again and costs a second full paint. Settling the
    ranges here, before the paint, lets the first paint draw everything. Axes
    (which also draw the grid, the costliest thing in a frame) are cached as
    pixmaps and re-rendered only when their ticks change.
    """
    for view in widget.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item, pg.ViewBox):
                for _ in range(3):  # a new range re-clips the curves, which may move it once more
                    if getattr(item, "_autoRangeNeedsUpdate", False):
                        item.updateAutoRange()
                    elif getattr(item, "_matrixNeedsUpdate", False):
                        item.updateMatrix()
                    else:
                        break
            elif isinstance(item, pg.AxisItem):
                if item.cacheMode() != _AXIS_CACHE:
                    item.setCacheMode(_AXIS_CACHE)
                if getattr(item, "_actviz_grid", False) != item.grid:
                    _opaque_grid(item, view.backgroundBrush().color())


_AXIS_CACHE = QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache


def _opaque_grid(axis: pg.AxisItem, background: Any) -> None:
    """Draw grid lines in an opaque colour mixed with the background.

    Qt's raster engine draws translucent cosmetic lines pixel by pixel: a
    grid at pyqtgraph's default translucency cost ~4 ms per axis per frame,
    the same grid opaque ~0.2 ms.
    """
    axis._actviz_grid = axis.grid
    if axis.grid is False:
        axis.setTickPen()
        axis.setStyle(tickAlpha=None, maxTickLevel=2)
        return
    fg = axis.pen().color()
    share = 0.6 * axis.grid / 255  # one shade for every line: keep two levels, not three
    mixed = [round(share * f + (1 - share) * b) for f, b in
             zip(fg.getRgb()[:3], background.getRgb()[:3], strict=True)]
    axis.setTickPen(pg.mkPen(mixed))
    axis.setStyle(tickAlpha=255, maxTickLevel=1)


def themed_plot_colors(widget: QtWidgets.QWidget) -> tuple[Any, Any]:
    """Background and foreground from the palette, so dark themes stay readable."""
    pal = widget.palette()
    return pal.color(pal.ColorRole.Base), pal.color(pal.ColorRole.Text)


PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")


def pen(index: int, width: float = 2.0, style: QtCore.Qt.PenStyle = QtCore.Qt.PenStyle.SolidLine):
    return pg.mkPen(PALETTE[index % len(PALETTE)], width=width, style=style)

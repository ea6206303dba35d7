"""Colours that read in light and dark palettes, the desktop's colour scheme, and plot defaults.

:func:`apply_scheme` picks the palette: the desktop's (Qt 6.5+
``QStyleHints.colorScheme()``, followed when it changes) or a forced light or
dark one. Either way links, placeholder text and the warning red are given
colours with at least 4.5:1 contrast (WCAG AA) on their background. A widget
given the warning red by :func:`set_warning_style` is re-coloured at each
switch (rich text asks :func:`warning_color` when it is rendered); a style
sheet that hard-codes the light red (``color: #c0392b``) while the palette is
dark is swapped for the lighter red as it is polished or restyled, and swapped
back on a light palette. :func:`apply_plot_theme` makes
new plots follow the palette, and turns SI prefixes off for every axis
(a "(×0.001)" beside an axis misreads as a unit) and gives every legend an
opaque background, so a legend over a curve stays readable.
"""

from __future__ import annotations

import gc
import weakref

import pyqtgraph as pg
import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets

from actviz.maths import contrast as contrast_of
from actviz.maths.contrast import MIN_CONTRAST  # noqa: F401 - actviz.gui.audit checks with it

SCHEMES = ("auto", "light", "dark")
#: the warning red on light and on dark backgrounds (≥ 4.5:1 on each)
WARNING_LIGHT = "#c0392b"
WARNING_DARK = "#ff8a80"

_DARK = {
    "Window": "#202124", "WindowText": "#e8eaed", "Base": "#17181a", "AlternateBase": "#26282b",
    "Text": "#e8eaed", "Button": "#2d2f33", "ButtonText": "#e8eaed", "BrightText": "#ffffff",
    "Highlight": "#2f6fcf", "HighlightedText": "#ffffff", "ToolTipBase": "#2d2f33", "ToolTipText": "#e8eaed",
    "Link": "#8ab4f8", "LinkVisited": "#c58af9", "PlaceholderText": "#a3a7ad", "Light": "#3c3f44",
    "Midlight": "#33363a", "Mid": "#2a2c30", "Dark": "#141517", "Shadow": "#000000",
}
_LIGHT_FIXES = {"Link": "#0b57d0", "LinkVisited": "#7b1fa2", "PlaceholderText": "#63666a"}

_state: dict[str, object] = {"scheme": "auto", "dark": False, "filter": None, "hooked": False, "applied": False}
#: text colours by role, as (on a light window, on a dark one): each ≥ 4.5:1 on its window and base
TEXT_COLORS = {
    "warning": (WARNING_LIGHT, WARNING_DARK),
    "success": ("#196f3d", "#81c995"),
    "quiet": ("#5f6b6d", "#9aa0a6"),
}
#: widgets given a role's colour by :func:`set_text_color`, with their role and other declarations; re-coloured
#: at each scheme switch. Held weakly, so a closed widget leaves by itself (and the switch never walks
#: ``QApplication.allWidgets()``)
_styled: weakref.WeakKeyDictionary[QtWidgets.QWidget, tuple[str, str]] = weakref.WeakKeyDictionary()
#: widgets whose hard-coded light red the dark palette's filter swapped, swapped back on a light one
_warned: weakref.WeakSet[QtWidgets.QWidget] = weakref.WeakSet()


def is_dark(palette: QtGui.QPalette | None = None) -> bool:
    """Whether ``palette`` (the application's by default) draws light text on a dark window."""
    if palette is None:
        palette = QtGui.QGuiApplication.palette()
    window = palette.color(QtGui.QPalette.ColorRole.Window)
    text = palette.color(QtGui.QPalette.ColorRole.WindowText)
    return window.lightnessF() < text.lightnessF()


def text_color(role: str = "warning", palette: QtGui.QPalette | None = None) -> str:
    """The colour of ``role`` (a key of :data:`TEXT_COLORS`) that reads on ``palette`` (the application's)."""
    light, dark = TEXT_COLORS[role]
    return dark if is_dark(palette) else light


def warning_color(palette: QtGui.QPalette | None = None) -> str:
    """The warning red that reads on ``palette``'s background (the application's by default), e.g. for rich
    text: ``f"<span style='color:{warning_color()}'>…</span>"``."""
    return text_color("warning", palette)


def set_text_color(widget: QtWidgets.QWidget, role: str | None, extra: str = "") -> None:
    """Give ``widget``'s text the colour of ``role`` ("warning", "success", "quiet"), followed by the style
    declarations in ``extra``, in the colour that reads on the current palette and again after every
    colour-scheme switch; ``role=None`` leaves only ``extra``."""
    if role is None:
        _styled.pop(widget, None)
    else:
        if role not in TEXT_COLORS:  # fails here, where the plugin asked, not at the next switch
            raise KeyError(f"text colour role {role!r}: use one of {', '.join(TEXT_COLORS)} (or None)")
        _styled[widget] = (role, extra)
    widget.setStyleSheet(_sheet(role, extra))


def _sheet(role: str | None, extra: str) -> str:
    return " ".join(filter(None, (f"color: {text_color(role)};" if role else "", extra)))


def set_warning_style(widget: QtWidgets.QWidget, extra: str = "", on: bool = True) -> None:
    """Give ``widget`` the warning red, followed by the style declarations in ``extra``, in the red that reads
    on the current palette and again after every colour-scheme switch; ``on=False`` leaves only ``extra``."""
    set_text_color(widget, "warning" if on else None, extra)


def dark_palette() -> QtGui.QPalette:
    palette = QtGui.QPalette()
    for role, color in _DARK.items():
        palette.setColor(getattr(QtGui.QPalette.ColorRole, role), QtGui.QColor(color))
    disabled = QtGui.QPalette.ColorGroup.Disabled
    for role in ("WindowText", "Text", "ButtonText"):
        palette.setColor(disabled, getattr(QtGui.QPalette.ColorRole, role), QtGui.QColor("#8a8d91"))
    return palette


def luminance(color: QtGui.QColor) -> float:
    return contrast_of.luminance((color.redF(), color.greenF(), color.blueF()))


def contrast(fg: QtGui.QColor, bg: QtGui.QColor) -> float:
    """WCAG contrast ratio; a translucent foreground is first blended over the background."""
    if fg.alphaF() < 1.0:
        a = fg.alphaF()
        fg = QtGui.QColor.fromRgbF(a * fg.redF() + (1 - a) * bg.redF(), a * fg.greenF() + (1 - a) * bg.greenF(),
                                   a * fg.blueF() + (1 - a) * bg.blueF())
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _readable(palette: QtGui.QPalette) -> QtGui.QPalette:
    """Links and placeholder text with AA contrast on Base (Fusion's placeholder is 50 % text: 3.9:1)."""
    base = palette.color(QtGui.QPalette.ColorRole.Base)
    fixes = {k: _DARK[k] for k in _LIGHT_FIXES} if is_dark(palette) else _LIGHT_FIXES
    for role, color in fixes.items():
        r = getattr(QtGui.QPalette.ColorRole, role)
        for group in (QtGui.QPalette.ColorGroup.Active, QtGui.QPalette.ColorGroup.Inactive):
            if contrast(palette.color(group, r), base) < MIN_CONTRAST:
                palette.setColor(group, r, QtGui.QColor(color))
    return palette


def desktop_scheme(app: QtWidgets.QApplication) -> str:
    """"dark" or "light" as the desktop says (Qt 6.5+), "light" when it does not say."""
    hints = app.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    if scheme is not None and scheme() == QtCore.Qt.ColorScheme.Dark:
        return "dark"
    return "light"


def scheme_applied() -> bool:
    """Whether :func:`apply_scheme` ran in this process (the main window applies "auto" once if not)."""
    return bool(_state["applied"])


def current_scheme() -> str:
    """The scheme last asked for: "auto" (follow the desktop), "light" or "dark"."""
    return str(_state["scheme"])


def apply_scheme(app: QtWidgets.QApplication, scheme: str = "auto") -> bool:
    """Set the palette for ``scheme``; returns whether it is dark. "auto" follows later desktop changes too."""
    if scheme not in SCHEMES:
        raise ValueError(f"colour scheme {scheme!r}: use one of {', '.join(SCHEMES)}")
    _state["scheme"] = scheme
    if not _state["hooked"] and hasattr(app.styleHints(), "colorSchemeChanged"):
        app.styleHints().colorSchemeChanged.connect(lambda _s: _follow_desktop(app))
        _state["hooked"] = True
    if "platform" not in _state:  # the desktop's own palette, before we changed anything
        _state["platform"] = QtGui.QPalette(app.palette())
    dark = (desktop_scheme(app) if scheme == "auto" else scheme) == "dark"
    platform = _state["platform"]
    if scheme == "auto" and is_dark(platform) == dark:
        palette = QtGui.QPalette(platform)  # the desktop's palette matches its scheme: keep its colours
    else:
        palette = dark_palette() if dark else app.style().standardPalette()
    app.setPalette(_readable(palette))
    _state["dark"] = dark
    _state["applied"] = True
    _install_warning_filter(app, dark)
    apply_plot_theme(app)
    return dark


def _follow_desktop(app: QtWidgets.QApplication) -> None:
    if _state["scheme"] == "auto":
        apply_scheme(app, "auto")


_RESTYLED = (QtCore.QEvent.Type.Polish, QtCore.QEvent.Type.StyleChange)


class _WarningRecolour(QtCore.QObject):
    """While the palette is dark: swaps the light warning red in a widget's style sheet for the dark one when the
    widget is polished or its style sheet changes later, and remembers the widget for the switch back.

    The swap sets the style sheet again, which sends another StyleChange; the sheet no longer holds the light
    red then, so that one changes nothing.
    """

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() in _RESTYLED and isinstance(obj, QtWidgets.QWidget):
            sheet = obj.styleSheet()
            if sheet and WARNING_LIGHT in sheet:
                _warned.add(obj)
                obj.setStyleSheet(sheet.replace(WARNING_LIGHT, WARNING_DARK))
        return False


def _install_warning_filter(app: QtWidgets.QApplication, dark: bool) -> None:
    current = _state["filter"]
    if dark and current is None:
        _state["filter"] = _WarningRecolour(app)
        app.installEventFilter(_state["filter"])
    elif not dark and current is not None:
        app.removeEventFilter(current)
        _state["filter"] = None
    _recolour_warned(dark)


def _recolour_warned(dark: bool) -> None:
    """Every remembered widget in its role's colour for the palette; a widget Qt has deleted is dropped."""
    old, new = (WARNING_LIGHT, WARNING_DARK) if dark else (WARNING_DARK, WARNING_LIGHT)
    collecting = gc.isenabled()
    gc.disable()  # a cyclic pass mid-walk could delete a top-level widget under a child we are about to touch
    try:
        for widget, (role, extra) in list(_styled.items()):
            if shiboken6.isValid(widget):
                widget.setStyleSheet(_sheet(role, extra))
            else:
                _styled.pop(widget, None)
        for widget in list(_warned):
            if not shiboken6.isValid(widget):
                _warned.discard(widget)
                continue
            sheet = widget.styleSheet()
            if old in sheet:
                widget.setStyleSheet(sheet.replace(old, new))
    finally:
        if collecting:
            gc.enable()


def _patch_pyqtgraph() -> None:
    """No SI prefix on any axis, an opaque background behind every legend, grids under legends: once."""
    if getattr(pg.AxisItem, "_actviz_plain", False):
        return
    axis_init = pg.AxisItem.__init__
    update_label = pg.AxisItem._updateLabel
    constructing = [0]  # axes being constructed now (nothing is set on an axis before Qt made it)

    def label_when_built(self) -> None:
        if not constructing[0]:
            update_label(self)

    def plain_axis(self, *args, **kwargs) -> None:
        # pyqtgraph re-renders the label's HTML after each of its setters (7 times per axis, ~0.1 ms each,
        # 80 times as a view is built): render it once, when the axis is set up
        constructing[0] += 1
        try:
            axis_init(self, *args, **kwargs)
        finally:
            constructing[0] -= 1
        self.autoSIPrefix, self.autoSIPrefixScale, self.labelUnitPrefix = False, 1.0, ""
        update_label(self)

    legend_init = pg.LegendItem.__init__

    def opaque_legend(self, *args, **kwargs) -> None:
        if kwargs.get("brush") is None:
            background = QtGui.QColor(pg.mkColor(pg.getConfigOption("background")))
            background.setAlpha(235)
            kwargs["brush"] = pg.mkBrush(background)
        legend_init(self, *args, **kwargs)

    set_axes = pg.PlotItem.setAxisItems

    def grid_below(self, *args, **kwargs) -> None:
        set_axes(self, *args, **kwargs)
        for entry in self.axes.values():  # the grid is drawn by the axes: under the view box (z −100), its
            entry["item"].setZValue(self.vb.zValue() - 1)  # curves and its legend

    pg.AxisItem.__init__ = plain_axis
    pg.AxisItem._updateLabel = label_when_built
    pg.LegendItem.__init__ = opaque_legend
    pg.PlotItem.setAxisItems = grid_below
    pg.AxisItem._actviz_plain = True


def apply_plot_theme(app: QtWidgets.QApplication) -> None:
    """New plots take the palette's colours, no SI prefixes and opaque legends."""
    _patch_pyqtgraph()
    pal = app.palette()
    base = pal.color(QtGui.QPalette.ColorRole.Base)
    text = pal.color(QtGui.QPalette.ColorRole.Text)
    pg.setConfigOptions(background=base, foreground=text, antialias=False)

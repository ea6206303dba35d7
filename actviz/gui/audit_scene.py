"""The layout audit's view of pyqtgraph scenes: tick and axis labels, titles, legend entries and text items
as text boxes (:class:`~actviz.gui.audit_findings.TextBox`), and the scene's own findings: text cut by its
plot area, an SI multiplier on an axis, a see-through legend over a plot, a legend hiding data
(:mod:`actviz.gui.audit_legends`), a primary plot under ``MIN_PLOT``."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui.audit_findings import MIN_PLOT, SLACK, Finding, TextBox
from actviz.gui.audit_legends import hidden_by
from actviz.gui.audit_widgets import _plain, _visible_part, _window_rect


def _graphics_boxes(window: QtWidgets.QWidget, where: str, findings: list[Finding]) -> list[TextBox]:
    import pyqtgraph as pg

    boxes: list[TextBox] = []
    painter_image = QtGui.QImage(4, 4, QtGui.QImage.Format.Format_ARGB32)
    for view in window.findChildren(pg.GraphicsView):
        if not view.isVisible() or view.window() is not window:
            continue
        viewport = view.viewport()
        port = _window_rect(viewport, viewport.rect())
        port_visible, _, _ = _visible_part(viewport, port)
        background = view.backgroundBrush().color()

        def to_window(rect: QtCore.QRectF, _view=view, _viewport=viewport) -> QtCore.QRectF:
            polygon = _view.mapFromScene(rect)
            return _window_rect(_viewport, QtCore.QRectF(polygon.boundingRect()))

        def add(name: str, scene_rect: QtCore.QRectF, fg, bg, owner, document=None, port=port,
                port_visible=port_visible) -> None:
            rect = to_window(scene_rect)
            if rect.isEmpty():
                return
            inside = rect.intersected(port)
            if inside.width() < rect.width() - SLACK or inside.height() < rect.height() - SLACK:
                findings.append(Finding("clip", where, (name,), "cut by the edge of its plot area"))
            shown = inside.intersected(port_visible)
            if not shown.isEmpty():  # else scrolled out of sight
                boxes.append(TextBox(name, shown, fg, bg, owner, document))

        for item in view.scene().items():
            if not item.isVisible():
                continue
            if isinstance(item, pg.AxisItem):
                plot_name = _plot_name(item)
                side = item.orientation
                if item.autoSIPrefix and item.autoSIPrefixScale != 1.0:
                    findings.append(Finding("si-prefix", where, (f"{side} axis of {plot_name}",),
                                            f"shows ×{1 / item.autoSIPrefixScale:g}"))
                painter = QtGui.QPainter(painter_image)
                try:
                    if item.style["tickFont"]:
                        painter.setFont(item.style["tickFont"])
                    specs = item.generateDrawSpecs(painter)
                finally:
                    painter.end()
                fg = item.textPen().color()
                if specs is not None and item.style.get("showValues", True):
                    for rect, _flags, text in specs[2]:
                        add(f"tick {text!r} on the {side} axis of {plot_name}",
                            item.mapRectToScene(QtCore.QRectF(rect)), fg, background, owner=item)
                label = item.label
                if label is not None and label.isVisible() and item.labelText:
                    color = item.labelStyle.get("color")
                    add(f"{side} axis label {item.labelText!r} of {plot_name}", _text_rect(label),
                        pg.mkColor(color) if color else fg, background, owner=label)
            elif isinstance(item, pg.LabelItem):
                if not item.text:
                    continue
                color = item.opts.get("color") or pg.getConfigOption("foreground")
                legend = _legend_of(item)
                bg = background
                if legend is not None:
                    brush = legend.opts.get("brush")
                    if brush is not None and pg.mkBrush(brush).style() != QtCore.Qt.BrushStyle.NoBrush:
                        bg = pg.mkBrush(brush).color()
                kind = "legend entry" if legend is not None else "title"
                add(f"{kind} {_plain(item.text)!r}", _text_rect(item.item), pg.mkColor(color), bg, owner=item,
                    document=item.item.document())
            elif isinstance(item, pg.TextItem):
                text = item.toPlainText()
                if not text.strip():
                    continue
                fill = item.fill.color() if item.fill.style() != QtCore.Qt.BrushStyle.NoBrush else background
                add(f"text {text[:40]!r}", _text_rect(item.textItem), pg.mkColor(item.color), fill, owner=item,
                    document=item.textItem.document())
            elif isinstance(item, pg.LegendItem) and item.items:
                brush = item.opts.get("brush")
                opaque = brush is not None and pg.mkBrush(brush).style() != QtCore.Qt.BrushStyle.NoBrush \
                    and pg.mkBrush(brush).color().alpha() >= 200
                over = any(isinstance(o, pg.ViewBox) and o.isVisible()
                           and o.sceneBoundingRect().intersects(item.sceneBoundingRect())
                           for o in view.scene().items())
                names = ", ".join(_plain(label.text) for _, label in item.items[:2])
                if over and not opaque:
                    findings.append(Finding("legend", where, (f"legend ({names})",), "over a plot without an opaque "
                                                                                      "background"))
                for curve, under, shown in hidden_by(item):
                    findings.append(Finding("legend-over-data", where, (f"legend ({names})", _plain(curve)),
                                            f"hides {under} of its {shown} points and segments in view"))
            elif isinstance(item, pg.PlotItem):
                if item.property("actviz_thumbnail"):
                    continue
                rect = to_window(item.vb.sceneBoundingRect())
                if rect.width() < MIN_PLOT[0] or rect.height() < MIN_PLOT[1]:
                    findings.append(Finding("small-plot", where, (f"plot {_plot_name(item)}",),
                                            f"data area {rect.width():.0f}×{rect.height():.0f} px, needs "
                                            f"{MIN_PLOT[0]}×{MIN_PLOT[1]}"))
    return boxes


def _text_rect(item: QtWidgets.QGraphicsTextItem) -> QtCore.QRectF:
    """The scene rectangle of a text item's text, without the document's margin."""
    margin = item.document().documentMargin()
    return item.mapRectToScene(item.boundingRect().adjusted(margin, margin, -margin, -margin))


def _legend_of(item):
    import pyqtgraph as pg

    parent = item.parentItem()
    while parent is not None:
        if isinstance(parent, pg.LegendItem):
            return parent
        parent = parent.parentItem()
    return None


def _plot_name(item) -> str:
    import pyqtgraph as pg

    plot = item
    while plot is not None and not isinstance(plot, pg.PlotItem):
        plot = plot.parentItem()
    if plot is None:
        return "a plot"
    title = plot.titleLabel.text if plot.titleLabel.isVisible() and plot.titleLabel.text else ""
    left = plot.getAxis("left").labelText
    name = _plain(title) or left or "untitled"
    return repr(name[:40])


"""A layout audit: what a student sees must be readable at every window size and in both palettes.

:func:`audit_window` looks at one shown window and returns :class:`Finding`s:
two visible text items that overlap (widget labels, buttons, spin boxes, plot
titles, axis and tick labels, legend entries, formula pixmaps, text items),
text or a formula cut off by its own widget or by a parent, primary plots whose
data area is under :data:`MIN_PLOT` (mark a thumbnail with
``plot.setProperty("actviz_thumbnail", True)``), an axis showing an SI
multiplier, a legend without an opaque background over a plot, text under
WCAG AA contrast (4.5:1) against its own background, and a window larger than
the available screen. :func:`audit_main_window` drives the main window
through every view (and, for the function and δ views, their functions);
``python -m actviz.gui.audit --size 1024x640 --scheme dark`` runs it on the
screen Qt was given (the tests give the offscreen platform a screen of the
audited size) and prints the findings as JSON lines.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui.theme import MIN_CONTRAST, contrast

#: a primary plot's data area must be at least this wide and tall (logical pixels)
MIN_PLOT = (160, 120)
#: overlaps and clips smaller than this (pixels) are antialiasing, not collisions
SLACK = 2.0


@dataclass(frozen=True)
class Finding:
    """One problem: its kind, where (view, size, scheme) and the items involved."""

    kind: str  # overlap | clip | small-plot | si-prefix | legend | contrast | too-big
    where: str
    items: tuple[str, ...]
    detail: str = ""

    def __str__(self) -> str:
        items = " / ".join(self.items)
        return f"[{self.kind}] {self.where}: {items}" + (f" ({self.detail})" if self.detail else "")


@dataclass
class TextBox:
    """A visible piece of text (or a formula image) in window coordinates."""

    name: str
    rect: QtCore.QRectF
    fg: QtGui.QColor | None = None
    bg: QtGui.QColor | None = None
    owner: object = None  # boxes with the same owner (e.g. one axis's ticks) are checked by their owner


# -- colours: luminance, contrast and MIN_CONTRAST (WCAG) come from actviz.gui.theme, which applies them ----


_CSS_COLOR = re.compile(r"(?<![-\w])color\s*:\s*([^;]+)")
_CSS_BACKGROUND = re.compile(r"background(?:-color)?\s*:\s*([^;]+)")


def _css(widget: QtWidgets.QWidget, pattern: re.Pattern) -> QtGui.QColor | None:
    match = pattern.search(widget.styleSheet() or "")
    if match is None:
        return None
    color = QtGui.QColor(match.group(1).strip())
    return color if color.isValid() else None


def widget_colors(widget: QtWidgets.QWidget) -> tuple[QtGui.QColor, QtGui.QColor]:
    """The colour a widget's text is drawn in and the colour behind it."""
    fg = _css(widget, _CSS_COLOR) or widget.palette().color(widget.foregroundRole())
    w: QtWidgets.QWidget | None = widget
    while w is not None:
        bg = _css(w, _CSS_BACKGROUND)
        if bg is not None:
            return fg, bg
        if isinstance(w, (QtWidgets.QAbstractSpinBox, QtWidgets.QLineEdit, QtWidgets.QAbstractItemView)):
            return fg, w.palette().color(QtGui.QPalette.ColorRole.Base)
        if w.autoFillBackground() or w.isWindow():
            return fg, w.palette().color(w.backgroundRole())
        w = w.parentWidget()
    return fg, widget.palette().color(QtGui.QPalette.ColorRole.Window)


# -- collecting text -------------------------------------------------------------------------------
def _describe(widget: QtWidgets.QWidget, text: str) -> str:
    text = " ".join(text.split())
    short = text if len(text) <= 40 else text[:37] + "…"
    return f"{type(widget).__name__} {short!r}" if text else type(widget).__name__


def _plain(text: str) -> str:
    doc = QtGui.QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def _window_rect(widget: QtWidgets.QWidget, rect: QtCore.QRect | QtCore.QRectF) -> QtCore.QRectF:
    rect = QtCore.QRectF(rect)
    top_left = widget.mapTo(widget.window(), rect.topLeft().toPoint())
    return QtCore.QRectF(QtCore.QPointF(top_left), rect.size())


def _label_need(label: QtWidgets.QLabel) -> tuple[QtCore.QSizeF, str]:
    """The size a label's content needs, and its text for messages."""
    pixmap = label.pixmap()
    if pixmap is not None and not pixmap.isNull():
        shown = label.shown_size() if hasattr(label, "shown_size") else pixmap.deviceIndependentSize()
        return QtCore.QSizeF(shown), f"formula {label.toolTip() or '(image)'}"
    text = label.text()
    cr = label.contentsRect()
    if label.wordWrap():
        height = label.heightForWidth(label.width())
        margins = label.contentsMargins()
        return QtCore.QSizeF(cr.width(), height - margins.top() - margins.bottom()), text
    hint = label.sizeHint()
    margins = label.contentsMargins()
    return QtCore.QSizeF(hint.width() - margins.left() - margins.right(),
                         hint.height() - margins.top() - margins.bottom()), text


def _aligned(outer: QtCore.QRectF, size: QtCore.QSizeF, alignment) -> QtCore.QRectF:
    w, h = min(size.width(), outer.width()), min(size.height(), outer.height())
    a = QtCore.Qt.AlignmentFlag
    x = outer.left() + (outer.width() - w if alignment & a.AlignRight else
                        (outer.width() - w) / 2 if alignment & a.AlignHCenter else 0)
    y = outer.top() + (outer.height() - h if alignment & a.AlignBottom else
                       0 if alignment & a.AlignTop else (outer.height() - h) / 2)
    return QtCore.QRectF(x, y, w, h)


def _visible_part(widget: QtWidgets.QWidget, rect: QtCore.QRectF) -> tuple[QtCore.QRectF, bool, bool]:
    """``rect`` (window coordinates) cut by every parent; whether it was cut across and cut down.

    A scroll area that can scroll in a direction does not count as cutting in it.
    """
    visible = QtCore.QRectF(rect)
    cut_x = cut_y = False
    child = widget
    parent = widget.parentWidget()
    while parent is not None and not child.isWindow():
        area = _window_rect(parent, parent.rect())
        inter = visible.intersected(area)
        scroll = parent.parentWidget() if parent.parentWidget() is not None else None
        scrolls = isinstance(scroll, QtWidgets.QAbstractScrollArea) and scroll.viewport() is parent
        can_x = scrolls and scroll.horizontalScrollBarPolicy() != QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        can_y = scrolls and scroll.verticalScrollBarPolicy() != QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        if inter.width() < visible.width() - SLACK and not can_x:
            cut_x = True
        if inter.height() < visible.height() - SLACK and not can_y:
            cut_y = True
        visible = inter
        child, parent = parent, parent.parentWidget()
    return visible, cut_x, cut_y


def _widget_boxes(window: QtWidgets.QWidget, where: str, findings: list[Finding]) -> list[TextBox]:
    boxes: list[TextBox] = []
    for w in window.findChildren(QtWidgets.QWidget):
        if not w.isVisible() or w.window() is not window:
            continue
        if isinstance(w, QtWidgets.QLabel):
            need, text = _label_need(w)
            if not text.strip() and (w.pixmap() is None or w.pixmap().isNull()):
                continue
            if w.textFormat() != QtCore.Qt.TextFormat.PlainText and "<" in text:
                text = _plain(text)
            cr = QtCore.QRectF(w.contentsRect())
            content = _aligned(cr, need, w.alignment())
            name = _describe(w, text)
            if need.width() > cr.width() + SLACK or need.height() > cr.height() + SLACK:
                findings.append(Finding("clip", where, (name,), f"needs {need.width():.0f}×{need.height():.0f}, "
                                                                f"has {cr.width():.0f}×{cr.height():.0f}"))
        elif isinstance(w, QtWidgets.QAbstractButton) and w.text():
            text = w.text().replace("&", "")
            name = _describe(w, text)
            if w.sizeHint().width() > w.width() + SLACK and not isinstance(w, QtWidgets.QToolButton):
                findings.append(Finding("clip", where, (name,), f"needs {w.sizeHint().width()} px, "
                                                                f"has {w.width()}"))
            content = QtCore.QRectF(w.rect())
        elif isinstance(w, QtWidgets.QAbstractSpinBox):
            edit = w.findChild(QtWidgets.QLineEdit)
            text = edit.text() if edit is not None else w.text()
            name = _describe(w, text)
            room = edit.width() if edit is not None else w.width()
            need = w.fontMetrics().horizontalAdvance(text) + 2
            if need > room + SLACK:
                findings.append(Finding("clip", where, (name,), f"text needs {need} px, has {room}"))
            content = QtCore.QRectF(w.rect())
        elif isinstance(w, QtWidgets.QComboBox):
            text = w.currentText()
            name = _describe(w, text)
            content = QtCore.QRectF(w.rect())
        elif isinstance(w, QtWidgets.QLineEdit) and not isinstance(w.parentWidget(), (QtWidgets.QAbstractSpinBox,
                                                                                          QtWidgets.QComboBox)):
            text = w.text() or w.placeholderText()
            if not text:
                continue
            name = _describe(w, text)
            content = QtCore.QRectF(w.rect())
            if not w.text():
                fg = w.palette().color(QtGui.QPalette.ColorRole.PlaceholderText)
                bg = w.palette().color(QtGui.QPalette.ColorRole.Base)
                rect = _window_rect(w, content)
                boxes.append(TextBox(f"placeholder of {name}", rect, fg, bg, owner=w))
                continue
        else:
            continue
        rect = _window_rect(w, content)
        visible, cut_x, cut_y = _visible_part(w, rect)
        if visible.isEmpty():
            continue  # scrolled out of sight
        if cut_x or cut_y:
            findings.append(Finding("clip", where, (name,), f"cut by its parent: {rect.width():.0f}×{rect.height():.0f}"
                                                            f" shown as {visible.width():.0f}×{visible.height():.0f}"))
        fg, bg = widget_colors(w)
        boxes.append(TextBox(name, visible, fg, bg, owner=w))
    return boxes


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

        def add(name: str, scene_rect: QtCore.QRectF, fg, bg, owner, port=port, port_visible=port_visible) -> None:
            rect = to_window(scene_rect)
            if rect.isEmpty():
                return
            inside = rect.intersected(port)
            if inside.width() < rect.width() - SLACK or inside.height() < rect.height() - SLACK:
                findings.append(Finding("clip", where, (name,), "cut by the edge of its plot area"))
            shown = inside.intersected(port_visible)
            if not shown.isEmpty():  # else scrolled out of sight
                boxes.append(TextBox(name, shown, fg, bg, owner))

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
                add(f"{kind} {_plain(item.text)!r}", _text_rect(item.item), pg.mkColor(color), bg, owner=item)
            elif isinstance(item, pg.TextItem):
                text = item.toPlainText()
                if not text.strip():
                    continue
                fill = item.fill.color() if item.fill.style() != QtCore.Qt.BrushStyle.NoBrush else background
                add(f"text {text[:40]!r}", _text_rect(item.textItem), pg.mkColor(item.color), fill, owner=item)
            elif isinstance(item, pg.LegendItem) and item.items:
                brush = item.opts.get("brush")
                opaque = brush is not None and pg.mkBrush(brush).style() != QtCore.Qt.BrushStyle.NoBrush \
                    and pg.mkBrush(brush).color().alpha() >= 200
                over = any(isinstance(o, pg.ViewBox) and o.isVisible()
                           and o.sceneBoundingRect().intersects(item.sceneBoundingRect())
                           for o in view.scene().items())
                if over and not opaque:
                    names = ", ".join(_plain(label.text) for _, label in item.items[:2])
                    findings.append(Finding("legend", where, (f"legend ({names})",), "over a plot without an opaque "
                                                                                      "background"))
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


# -- the audit -------------------------------------------------------------------------------------
def overlaps(boxes: Sequence[TextBox], where: str) -> list[Finding]:
    """Every pair of text boxes that overlap by more than :data:`SLACK` pixels both ways."""
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a.owner is not None and a.owner is b.owner and not a.name.startswith("tick"):
                continue
            inter = a.rect.intersected(b.rect)
            if inter.width() > SLACK and inter.height() > SLACK:
                found.append(Finding("overlap", where, (a.name, b.name),
                                     f"{inter.width():.0f}×{inter.height():.0f} px at "
                                     f"({inter.left():.0f}, {inter.top():.0f})"))
    return found


def audit_window(window: QtWidgets.QWidget, where: str = "", screen: QtCore.QSize | None = None) -> list[Finding]:
    """Everything wrong with what ``window`` shows now (see the module docstring)."""
    where = where or type(window).__name__
    findings: list[Finding] = []
    boxes = _widget_boxes(window, where, findings) + _graphics_boxes(window, where, findings)
    findings.extend(overlaps(boxes, where))
    for box in boxes:
        if box.fg is not None and box.bg is not None:
            ratio = contrast(box.fg, box.bg)
            if ratio < MIN_CONTRAST:
                findings.append(Finding("contrast", where, (box.name,),
                                        f"{ratio:.1f}:1 ({box.fg.name()} on {box.bg.name()})"))
    palette = window.palette()
    for role, name in ((QtGui.QPalette.ColorRole.Link, "links"),
                       (QtGui.QPalette.ColorRole.PlaceholderText, "placeholder text")):
        ratio = contrast(palette.color(role), palette.color(QtGui.QPalette.ColorRole.Base))
        if ratio < MIN_CONTRAST:
            findings.append(Finding("contrast", where, (f"palette {name}",), f"{ratio:.1f}:1"))
    if screen is None and window.screen() is not None:
        screen = window.screen().availableGeometry().size()
    if screen is not None:
        size = window.frameGeometry().size()
        if size.width() > screen.width() or size.height() > screen.height():
            findings.append(Finding("too-big", where, ("window",), f"{size.width()}×{size.height()} on a "
                                                                   f"{screen.width()}×{screen.height()} screen"))
    return _unique(findings)


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    seen: dict[tuple, Finding] = {}
    for f in findings:
        seen.setdefault((f.kind, f.where, f.items), f)
    return list(seen.values())


def settle(app: QtWidgets.QApplication, rounds: int = 4) -> None:
    for _ in range(rounds):
        app.processEvents()


def audit_main_window(window, sizes: Sequence[tuple[int, int]], functions: str = "sample",
                      label: str = "", views: Sequence[str] | None = None) -> list[Finding]:
    """Drive ``window`` (a MainWindow) through every view at every size; the function and δ views per function.

    ``functions``: "all" audits every function of the function view and every
    activation and loss of the δ view; "sample" a few (the first, a long label,
    the last); "none" only the view's current state.
    """
    app = QtWidgets.QApplication.instance()
    findings: list[Finding] = []
    for width, height in sizes:
        resize_frame(window, width, height)
        settle(app)
        for name in views or list(window.view_names):
            view = window.show_view(name)
            if view is None:
                continue
            for state, apply in _states(window, name, functions):
                apply()
                view.refresh()
                settle(app, 2)  # lay out (and paint once: formula labels render after their first paint)
                view.refresh()
                wait_for_formulas(window)
                settle(app, 2)  # lay the new pictures out (nested layouts take a pass each)
                where = f"{name} {width}x{height}{' ' + label if label else ''}{' ' + state if state else ''}"
                findings.extend(audit_window(window, where))
    return findings


def wait_for_formulas(window: QtWidgets.QWidget, seconds: float = 5.0) -> bool:
    """Let the formula labels finish rendering (on their thread), so the audit sees the pictures.

    Returns whether it waited for any.
    """
    import time

    from actviz.gui.formula import FormulaLabel

    app = QtWidgets.QApplication.instance()
    deadline = time.monotonic() + seconds
    waited = False
    while time.monotonic() < deadline:
        if not any(f.isVisible() and f.tex and not f.rendered and not f.text()
                   for f in window.findChildren(FormulaLabel)):
            break
        waited = True
        app.processEvents()
        time.sleep(0.005)
    return waited


def resize_frame(window: QtWidgets.QWidget, width: int, height: int) -> None:
    """Make the window's frame (title bar and borders included) ``width`` × ``height``."""
    frame, inner = window.frameGeometry().size(), window.geometry().size()
    window.resize(width - (frame.width() - inner.width()), height - (frame.height() - inner.height()))


def _states(window, name: str, functions: str):
    """(label, apply) for each state of view ``name`` worth auditing."""
    model = window.models[name]
    yield "", lambda: None
    if functions == "none":
        return
    registry = window.registry
    if name == "function":
        names = list(registry.activations) + list(registry.losses)
        for fn in _pick(names, functions, registry):
            yield f"function={fn}", lambda fn=fn: model.set("function", fn)
    elif name == "delta":
        loss = model["loss"]
        for act in _pick(list(registry.activations), functions, registry):
            yield f"activation={act} loss={loss}", lambda act=act: model.update({"activation": act, "loss": loss})
        for fn in _pick(list(registry.losses), functions, registry):
            yield f"activation=logistic loss={fn}", lambda fn=fn: model.update({"activation": "logistic", "loss": fn})


def _pick(names: list[str], functions: str, registry) -> list[str]:
    if functions == "all" or len(names) <= 3:
        return names
    longest = max(names, key=lambda n: len(registry.get(n).label))
    return list(dict.fromkeys([names[0], longest, names[-1]]))


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m actviz.gui.audit``: audit the main window on this screen, one JSON finding per line."""
    parser = argparse.ArgumentParser(prog="python -m actviz.gui.audit", description=main.__doc__)
    parser.add_argument("--size", action="append", default=[], help="WIDTHxHEIGHT (repeatable; default: the screen)")
    parser.add_argument("--scheme", action="append", choices=("light", "dark"), default=[])
    parser.add_argument("--functions", choices=("all", "sample", "none"), default="sample")
    parser.add_argument("--view", action="append", default=[])
    args = parser.parse_args(argv)
    from actviz.gui.headless import application
    from actviz.gui.theme import apply_scheme

    app = application()
    screen = app.primaryScreen().availableGeometry().size()
    sizes = [tuple(int(v) for v in s.lower().split("x")) for s in args.size] or [(screen.width(), screen.height())]
    from actviz.gui.main_window import MainWindow

    count = 0
    for scheme in args.scheme or ["light"]:
        apply_scheme(app, scheme)
        window = MainWindow()
        window.setProperty("testing", True)
        window.show()
        settle(app)
        dpr = window.devicePixelRatioF()
        label = scheme + (f" dpr{dpr:g}" if dpr != 1 else "")
        for finding in audit_main_window(window, sizes, args.functions, label, args.view or None):
            print(json.dumps(asdict(finding)), flush=True)
            count += 1
        window.settings.reset = lambda: None
        window.hide()
        window.deleteLater()
        settle(app)
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main())

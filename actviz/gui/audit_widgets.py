"""The layout audit's view of widgets: every visible piece of widget text (labels, buttons, spin boxes, combo
boxes, line edits) as a :class:`~actviz.gui.audit_findings.TextBox` in window coordinates with its colours,
and the text cut off by its own widget or by a parent as ``clip`` findings."""

from __future__ import annotations

import re

from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui.audit_findings import SLACK, Finding, TextBox

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
        document = None
        if isinstance(w, QtWidgets.QLabel):
            need, text = _label_need(w)
            if not text.strip() and (w.pixmap() is None or w.pixmap().isNull()):
                continue
            document = None
            if w.textFormat() != QtCore.Qt.TextFormat.PlainText and "<" in text:
                document = QtGui.QTextDocument()
                document.setHtml(text)
                text = document.toPlainText()
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
        elif isinstance(w, QtWidgets.QAbstractItemView) and w.model() is not None:
            findings.extend(_clipped_rows(w, where))
            continue
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
        # a disabled control's greyed text is exempt from the contrast minimum (WCAG 1.4.3: inactive components)
        fg, bg = widget_colors(w) if w.isEnabled() else (None, None)
        boxes.append(TextBox(name, visible, fg, bg, owner=w, document=document))
    return boxes



def _clipped_rows(view: QtWidgets.QAbstractItemView, where: str) -> list[Finding]:
    """Rows of a list, tree or table whose text its column cuts short (elided with "…")."""
    findings: list[Finding] = []
    model, delegate, port = view.model(), view.itemDelegate(), view.viewport().rect()
    pending = [QtCore.QModelIndex()]
    while pending:
        parent = pending.pop()
        columns = 1 if isinstance(view, QtWidgets.QListView) else model.columnCount(parent)  # (private in a list's)
        for row in range(model.rowCount(parent)):
            for column in range(columns):
                index = model.index(row, column, parent)
                rect = view.visualRect(index)
                if rect.isEmpty() or not rect.intersects(port):
                    continue  # scrolled out of sight, or in a collapsed branch
                option = QtWidgets.QStyleOptionViewItem()
                option.font = view.font()
                option.rect = rect
                delegate.initStyleOption(option, index)
                if getattr(view, "wordWrap", lambda: False)():
                    continue  # wraps to its width; the row's height follows it
                text = str(index.data() or "")
                shown = min(rect.right(), port.right()) - rect.left() + 1
                if isinstance(view, QtWidgets.QTableView | QtWidgets.QTreeView):
                    shown = min(shown, rect.width())
                need = delegate.sizeHint(option, index).width()
                if text and need > shown + SLACK:
                    findings.append(Finding("clip", where, (f"row {text[:40]!r} of {_describe(view, '')}",),
                                            f"needs {need} px, has {shown}"))
            if isinstance(view, QtWidgets.QTreeView) and model.rowCount(model.index(row, 0, parent)):
                pending.append(model.index(row, 0, parent))
    return findings

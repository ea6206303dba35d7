"""Painting the network diagram: edges batched by pen, unit thumbnails with their bias marks, labels, the
+ / − buttons, the legend and a hovered unit's enlarged map.

A mixin of :class:`~actviz_views.playground_diagram.NetworkDiagram`.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from actviz.gui import wrap_lines
from actviz.maths.learning import MAX_HIDDEN_LAYERS, MAX_NEURONS
from actviz_views.playground_diagram_geometry import HEADER_PX
from actviz_views.playground_diagram_pointer import Selection
from actviz_views.playground_maps import EDGE_NEG, EDGE_POS

HOVER_SCALE = 4.0  # a hovered unit's map grows to this many times its size (at most HOVER_MAX_PX)
HOVER_MAX_PX = 170.0


class DiagramPainter:
    """Draws what the item holds; the edges' pens are grouped once per change of widths or signs."""

    def _edge_batches(self) -> list[tuple[QtGui.QPen, list[QtCore.QLineF]]]:
        """Edges grouped by pen (colour, width to ¼ px): a few drawLines calls instead of one per edge."""
        self._ensure_geometry()
        if self._batches or not self.edge_width:
            return self._batches
        groups: dict[tuple[str, int], list[QtCore.QLineF]] = {}
        for layer, (widths, colors) in enumerate(zip(self.edge_width, self.edge_color, strict=False)):
            if layer >= len(self._lines) or widths.size != len(self._lines[layer]):
                break
            lines = self._lines[layer]
            keys = np.rint(widths.ravel() * 4).astype(int) * 2 + (colors.ravel() == EDGE_NEG)
            for key in np.unique(keys):
                color = EDGE_NEG if key % 2 else EDGE_POS
                groups.setdefault((color, int(key // 2)), []).extend(lines[k] for k in np.flatnonzero(keys == key))
        batches = []
        for (color, quarter), lines in sorted(groups.items(), key=lambda kv: kv[0][1]):  # thin under thick
            p = QtGui.QPen(QtGui.QColor(color), quarter / 4.0)
            p.setCapStyle(QtCore.Qt.PenCapStyle.FlatCap)
            batches.append((p, lines))
        self._batches = batches
        return batches

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        self.paints += 1
        if not self.sizes:
            return
        self._ensure_geometry()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, not self.live)
        painter.setFont(self.font)
        for pen, lines in self._edge_batches():
            painter.setPen(pen)
            painter.drawLines(lines)
        if self.selected is not None and not self.selected.is_bias:
            self._outline_edge(painter, self.selected, 2.0)
        if self.hovered_edge is not None:
            self._outline_edge(painter, self.hovered_edge, 1.0)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        border = QtGui.QPen(self.foreground, 1.0)
        bias_size = 0.0
        for layer, rects in enumerate(self._rects):
            images = self.images[layer] if layer < len(self.images) else []
            for unit, r in enumerate(rects):
                pixmap = self._pixmap(layer, unit, round(r.width())) if unit < len(images) else None
                if pixmap is not None:
                    painter.drawPixmap(r.topLeft(), pixmap)
                else:
                    painter.fillRect(r, self.background)
                painter.setPen(border)
                painter.drawRect(r)
                if layer > 0 and layer - 1 < len(self.biases) and unit < len(self.biases[layer - 1]):
                    bias_size = max(4.0, r.width() / 4)
                    b = float(self.biases[layer - 1][unit])
                    mark = QtCore.QRectF(r.left() - bias_size / 2, r.bottom() - bias_size / 2, bias_size, bias_size)
                    painter.fillRect(mark, QtGui.QColor(EDGE_NEG if b < 0 else EDGE_POS))
                    painter.drawRect(mark)
        self._draw_labels(painter)
        self._draw_buttons(painter)
        self._draw_legend(painter)
        if self.selected is not None and self.selected.is_bias:
            r = self._rects[self.selected.layer + 1][self.selected.j]
            painter.setPen(QtGui.QPen(self.foreground, 3.0))
            painter.drawRect(r.adjusted(-2, -2, 2, 2))
        self.enlarged_rect = None
        if self.hovered is not None:
            self._draw_enlarged(painter, *self.hovered)

    def _outline_edge(self, painter: QtGui.QPainter, sel: Selection, extra: float) -> None:
        width = float(self.edge_width[sel.layer][sel.i, sel.j]) if sel.layer < len(self.edge_width) else 1.0
        line = self.edge_line(sel.layer, sel.i, sel.j)
        painter.setPen(QtGui.QPen(self.foreground, width + 2 * extra + 1))
        painter.drawLine(line)
        painter.setPen(QtGui.QPen(QtGui.QColor(str(self.edge_color[sel.layer][sel.i, sel.j])), width))
        painter.drawLine(line)

    def _draw_labels(self, painter: QtGui.QPainter) -> None:
        painter.setPen(self.foreground)
        fm = QtGui.QFontMetricsF(self.font)
        for unit, r in enumerate(self._rects[0]):
            if unit < len(self.feature_labels):
                text = self.feature_labels[unit]
                w = fm.horizontalAdvance(text)
                painter.drawText(QtCore.QPointF(r.left() - w - 4, r.center().y() + fm.ascent() / 2 - 1), text)
        for unit, r in enumerate(self._rects[-1]):
            if unit < len(self.output_labels):
                painter.drawText(QtCore.QPointF(r.right() + 4, r.center().y() + fm.ascent() / 2 - 1),
                                 str(self.output_labels[unit]))
        top = self.rect().top() + 2 + fm.ascent()
        title = self._hidden_title()
        left, right = self._buttons[(-1, -1)], self._buttons[(-1, 1)]
        mid = 0.5 * (left.right() + right.left())
        painter.drawText(QtCore.QPointF(mid - fm.horizontalAdvance(title) / 2, top), title)
        for layer, text in ((0, "features"), (len(self._rects) - 1, "output")):
            cx = self._rects[layer][0].center().x()
            w = fm.horizontalAdvance(text)
            box = QtCore.QRectF(cx - w / 2, top - fm.ascent(), w, fm.height())
            if not box.adjusted(-4, 0, 4, 0).intersects(left.united(right)) and box.left() >= self.rect().left():
                painter.drawText(QtCore.QPointF(box.left(), top), text)  # only where it fits beside the buttons
        row2 = self.rect().top() + HEADER_PX - 6
        for layer in range(len(self.sizes) - 2 if self._show_counts else 0):
            text = str(self.sizes[layer + 1])
            cx = self._rects[layer + 1][0].center().x()
            painter.drawText(QtCore.QPointF(cx - fm.horizontalAdvance(text) / 2, row2), text)

    def _draw_buttons(self, painter: QtGui.QPainter) -> None:
        hidden = len(self.sizes) - 2
        for (layer, delta), r in self._buttons.items():
            if layer == -1:
                enabled = (hidden < MAX_HIDDEN_LAYERS and self.can_grow) if delta > 0 else hidden > 0
            else:
                n = self.sizes[layer + 1]
                enabled = n < MAX_NEURONS if delta > 0 else n > 1
            color = QtGui.QColor(self.foreground)
            if not enabled:
                color.setAlpha(70)
            painter.setPen(QtGui.QPen(color, 1.0))
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(r, 3, 3)
            c = r.center()
            painter.drawLine(QtCore.QPointF(c.x() - 4, c.y()), QtCore.QPointF(c.x() + 4, c.y()))
            if delta > 0:
                painter.drawLine(QtCore.QPointF(c.x(), c.y() - 4), QtCore.QPointF(c.x(), c.y() + 4))

    def _key_parts(self, mode: str, full: float) -> tuple[str, str]:
        # no-break spaces keep a bracket or a phrase on one line when the key wraps
        if mode == "gradient":
            return "edges: ∂E/∂w of the last\u00a0mini-batch", f"width ∝ |∂E/∂w| (widest\u00a0{full:.3g})"
        return f"edges: weight w, width ∝ |w| (widest\u00a0at\u00a0|w|\u00a0≥\u00a0{full:g})", "small squares: biases"

    def key_lines(self, width: float, mode: str | None = None, full: float | None = None) -> list[str]:
        """The key's text beside its two swatches: one line when it fits in ``width``, else its two parts on
        lines of their own, wrapped at spaces where even a part does not fit.

        At 1024×640 the one line was cut to "…; small squ…": a student lost what the small squares are.
        """
        fm = QtGui.QFontMetricsF(self.font)
        mode = mode or self.mode
        first, second = self._key_parts(mode, self.full if full is None else full)
        room = max(width - self._swatches_width(fm) - 4, 10.0)
        joined = f"{first}{'; ' if mode == 'weights' else ', '}{second}"
        if fm.horizontalAdvance(joined) <= room:
            return [joined]
        return [line for part in (first, second) for line in wrap_lines(part, fm, room)]

    @staticmethod
    def _swatches_width(fm: QtGui.QFontMetricsF) -> float:
        return 2 + sum(20 + fm.horizontalAdvance(label) + 6 for label in ("> 0", "< 0"))

    def _draw_legend(self, painter: QtGui.QPainter) -> None:
        fm = QtGui.QFontMetricsF(self.font)
        rect = self.rect()
        lines = self.key_lines(rect.width())
        y = rect.bottom() - 4 - (len(lines) - 1) * fm.height()
        x = rect.left() + 2
        for color, label in ((EDGE_POS, "> 0"), (EDGE_NEG, "< 0")):
            painter.setPen(QtGui.QPen(QtGui.QColor(color), 3.0))
            mid = y - fm.ascent() / 2 + 1
            painter.drawLine(QtCore.QPointF(x, mid), QtCore.QPointF(x + 14, mid))
            painter.setPen(self.foreground)
            painter.drawText(QtCore.QPointF(x + 17, y), label)
            x += 20 + fm.horizontalAdvance(label) + 6
        for i, text in enumerate(lines):
            painter.drawText(QtCore.QPointF(x, y + i * fm.height()), text)

    def _draw_enlarged(self, painter: QtGui.QPainter, layer: int, unit: int) -> None:
        image = self.images[layer][unit] if layer < len(self.images) and unit < len(self.images[layer]) else None
        if image is None:
            return
        r = self._rects[layer][unit]
        size = min(HOVER_MAX_PX, HOVER_SCALE * r.width(), self.rect().height() - 4, self.rect().width() - 4)
        box = QtCore.QRectF(r.center().x() - size / 2, r.center().y() - size / 2, size, size)
        bounds = self.rect()
        box.moveLeft(min(max(box.left(), bounds.left() + 2), bounds.right() - size - 2))
        box.moveTop(min(max(box.top(), bounds.top() + 2), bounds.bottom() - size - 2))
        painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(box, image)
        painter.setPen(QtGui.QPen(self.foreground, 2.0))
        painter.drawRect(box)
        self.enlarged_rect = box

"""The network as a picture, TensorFlow-Playground style: a column of units per layer, edges between them.

One :class:`NetworkDiagram` item (a pyqtgraph GraphicsWidget, so it is part of the view's PNG/SVG
export and painted in the same pass as the plots). Each unit is a thumbnail of its output over the
plane; each edge is coloured by the sign of its weight (or of ∂E/∂w of the last mini-batch) and as
thick as its magnitude. The item keeps what it draws as plain arrays (:attr:`edge_width`,
:attr:`edge_color`, :attr:`images`) so tests read the picture without pixels, and turns clicks into
signals: a unit or an edge selected, a layer made larger or smaller. It never trains or edits
anything itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from actviz.maths.learning import MAX_HIDDEN_LAYERS, MAX_NEURONS
from actviz_views.playground_maps import EDGE_FULL, EDGE_NEG, EDGE_POS, edge_colors, edge_widths

HEADER_PX = 38  # two text rows: layer titles, then the + / − buttons
FOOTER_PX = 18  # the legend line
BUTTON_PX = 15
HOVER_SCALE = 4.0  # a hovered unit's map grows to this many times its size (at most HOVER_MAX_PX)
HOVER_MAX_PX = 170.0


@dataclass(frozen=True)
class Selection:
    """A weight w[layer][i, j] (``i`` the unit it comes from) or, with ``i`` None, the bias b[layer][j]."""

    layer: int
    j: int
    i: int | None = None

    @property
    def is_bias(self) -> bool:
        return self.i is None


def _qimage(rgb: np.ndarray) -> QtGui.QImage:
    """An owned QImage copy of a (rows, cols, 3) uint8 array."""
    rows, cols, _ = rgb.shape
    image = QtGui.QImage(rgb.data, cols, rows, 3 * cols, QtGui.QImage.Format.Format_RGB888)
    return image.copy()


def _segment_distance(p: QtCore.QPointF, a: QtCore.QPointF, b: QtCore.QPointF) -> float:
    ax, ay, bx, by, px, py = a.x(), a.y(), b.x(), b.y(), p.x(), p.y()
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else min(1.0, max(0.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


class NetworkDiagram(pg.GraphicsWidget):
    """Units by layer with live thumbnails; edges by sign and magnitude; clicks become signals."""

    #: a unit or an edge was clicked (a :class:`Selection`), or the background (None)
    sigSelected = QtCore.Signal(object)
    #: a + / − button: (hidden layer index, +1 or −1), or (-1, ±1) for the number of hidden layers
    sigResize = QtCore.Signal(int, int)

    def __init__(self, background, foreground) -> None:
        super().__init__()
        self.setAcceptHoverEvents(True)
        self.background = QtGui.QColor(background)
        self.foreground = QtGui.QColor(foreground)
        self.sizes: tuple[int, ...] = ()
        self.feature_labels: tuple[str, ...] = ()
        self.output_labels: tuple[str, ...] = ()
        #: per layer (0 = the features), per unit: the thumbnail (None until the first maps arrive)
        self.images: list[list[QtGui.QImage | None]] = []
        self.rgb: list[list[np.ndarray]] = []
        #: per weight layer: the values drawn, their widths (px) and colours, and the biases
        self.edge_values: list[np.ndarray] = []
        self.edge_width: list[np.ndarray] = []
        self.edge_color: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.weights: list[np.ndarray] = []
        self.grad_w: list[np.ndarray] | None = None
        self.grad_b: list[np.ndarray] | None = None
        self.mode = "weights"
        self.full = EDGE_FULL
        self.hovered: tuple[int, int] | None = None
        self.hovered_edge: Selection | None = None
        self.selected: Selection | None = None
        self.can_grow = True
        self._rects: list[list[QtCore.QRectF]] = []
        self._buttons: dict[tuple[int, int], QtCore.QRectF] = {}
        self._batches: list[tuple[QtGui.QPen, list[QtCore.QLineF]]] = []
        self._geometry_key: tuple | None = None
        self._show_counts = True
        #: training is running: edges drawn without antialiasing (8× cheaper for wide lines), crisp again on pause
        self.live = False
        self._drawn_key: tuple | None = None
        self._pixmaps: dict[tuple[int, int, int], QtGui.QPixmap] = {}
        self._lines: list[list[QtCore.QLineF]] = []  # per weight layer, i * fan_out + j
        self.paints = 0
        self.enlarged_rect: QtCore.QRectF | None = None
        font = QtGui.QFont()
        font.setPointSizeF(8.0)
        self.font = font
        self.setMinimumSize(160, 160)
        self.setSizePolicy(pg.QtWidgets.QSizePolicy.Policy.Expanding, pg.QtWidgets.QSizePolicy.Policy.Expanding)

    # -- what to draw --------------------------------------------------------------------------------
    def set_structure(self, sizes: Sequence[int], feature_labels: Sequence[str], output_labels: Sequence[str]) -> None:
        """Layer sizes (features, hidden…, outputs) and the labels of the first and last columns."""
        sizes = tuple(int(s) for s in sizes)
        if (sizes, tuple(feature_labels), tuple(output_labels)) == (self.sizes, self.feature_labels,
                                                                     self.output_labels):
            return
        self.sizes, self.feature_labels, self.output_labels = sizes, tuple(feature_labels), tuple(output_labels)
        self.images = [[None] * n for n in sizes]
        self.rgb = [[] for _ in sizes]
        self.hovered = self.hovered_edge = None
        self.selected = None
        self._geometry_key = None
        self.update()

    def set_thumbnails(self, rgb: list[list[np.ndarray]]) -> None:
        """Every unit's map as RGB arrays, per layer (as :func:`playground_maps.thumbnails` makes them)."""
        self.rgb = rgb
        self.images = [[_qimage(m) for m in layer] for layer in rgb]
        self._pixmaps = {}
        self.update()

    def _pixmap(self, layer: int, unit: int, size: int) -> QtGui.QPixmap | None:
        """The thumbnail scaled once to the unit's size: painting it is then a plain copy."""
        key = (layer, unit, size)
        pm = self._pixmaps.get(key)
        if pm is None:
            image = self.images[layer][unit] if layer < len(self.images) and unit < len(self.images[layer]) else None
            if image is None:
                return None
            pm = QtGui.QPixmap.fromImage(image.scaled(size, size, QtCore.Qt.AspectRatioMode.IgnoreAspectRatio,
                                                      QtCore.Qt.TransformationMode.FastTransformation))
            self._pixmaps[key] = pm
        return pm

    def set_live(self, on: bool) -> None:
        if on != self.live:
            self.live = on
            self.update()

    def set_parameters(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                       grad_w: Sequence[np.ndarray] | None = None, grad_b: Sequence[np.ndarray] | None = None,
                       mode: str = "weights") -> None:
        """The weights (and the last mini-batch's ∂E/∂w); ``mode`` "gradient" draws ∂E/∂w on the edges."""
        self.weights = [np.asarray(w, float) for w in weights]
        self.biases = [np.asarray(b, float) for b in biases]
        self.grad_w = [np.asarray(g, float) for g in grad_w] if grad_w is not None else None
        self.grad_b = [np.asarray(g, float) for g in grad_b] if grad_b is not None else None
        self.mode = "gradient" if mode == "gradient" and self.grad_w is not None else "weights"
        if self.mode == "gradient":
            values = self.grad_w
            biggest = max((float(np.nanmax(np.abs(g))) for g in values if g.size), default=0.0)
            self.full = biggest if biggest > 0 and math.isfinite(biggest) else 1.0  # widest = the largest |∂E/∂w|
        else:
            values = self.weights
            self.full = EDGE_FULL
        self.edge_values = values
        self.edge_width = [edge_widths(v, self.full) for v in values]
        self.edge_color = [edge_colors(v) for v in values]
        # what is drawn changes only when a width moves by ¼ px, a sign flips or a bias mark changes colour
        key = (self.mode, tuple(np.rint(w * 4).astype(np.int16).tobytes() for w in self.edge_width),
               tuple((v < 0).tobytes() for v in values), tuple((b < 0).tobytes() for b in self.biases))
        if key != self._drawn_key:
            self._drawn_key = key
            self._batches = []
            self.update()

    # -- geometry ------------------------------------------------------------------------------------
    def node_rect(self, layer: int, unit: int) -> QtCore.QRectF:
        self._ensure_geometry()
        return QtCore.QRectF(self._rects[layer][unit])

    def button_rect(self, layer: int, delta: int) -> QtCore.QRectF | None:
        """Where the + (delta 1) or − (−1) button of hidden ``layer`` is (-1: the number of layers)."""
        self._ensure_geometry()
        r = self._buttons.get((layer, delta))
        return QtCore.QRectF(r) if r is not None else None

    def edge_line(self, layer: int, i: int, j: int) -> QtCore.QLineF:
        self._ensure_geometry()
        a, b = self._rects[layer][i], self._rects[layer + 1][j]
        return QtCore.QLineF(a.right(), a.center().y(), b.left(), b.center().y())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._geometry_key = None

    def _ensure_geometry(self) -> None:
        rect = self.rect()
        key = (rect.width(), rect.height(), self.sizes)
        if key == self._geometry_key:
            return
        self._geometry_key = key
        self._batches = []
        self._pixmaps = {}
        self._rects, self._buttons, self._lines = [], {}, []
        if not self.sizes:
            return
        fm = QtGui.QFontMetricsF(self.font)
        left = max((fm.horizontalAdvance(t) for t in self.feature_labels), default=0.0) + 6.0
        right = max((fm.horizontalAdvance(str(t)) for t in self.output_labels), default=0.0) + 6.0
        top, bottom = rect.top() + HEADER_PX, rect.bottom() - FOOTER_PX
        height = max(bottom - top, 20.0)
        columns = len(self.sizes)
        col_w = max((rect.width() - left - right) / columns, 10.0)
        rows = max(self.sizes)
        pitch = height / rows
        size = max(10.0, min(64.0, 0.62 * pitch, 0.5 * col_w))
        pitch = min(pitch, 1.6 * size)
        for layer, n in enumerate(self.sizes):
            cx = rect.left() + left + (layer + 0.5) * col_w
            y0 = top + 0.5 * (height - n * pitch)
            self._rects.append([QtCore.QRectF(cx - size / 2, y0 + (k + 0.5) * pitch - size / 2, size, size)
                                for k in range(n)])
        hidden = columns - 2
        row2 = rect.top() + HEADER_PX - BUTTON_PX - 3
        # − size +: the size between the buttons when the column has room for it
        self._show_counts = col_w >= 3 * BUTTON_PX + 8
        offset = max(BUTTON_PX / 2 + 1, min(18.0, 0.5 * col_w - BUTTON_PX / 2 - 1)) if self._show_counts \
            else BUTTON_PX / 2 + 1
        for layer in range(hidden):
            cx = self._rects[layer + 1][0].center().x()
            self._buttons[(layer, -1)] = QtCore.QRectF(cx - offset - BUTTON_PX / 2, row2, BUTTON_PX, BUTTON_PX)
            self._buttons[(layer, 1)] = QtCore.QRectF(cx + offset - BUTTON_PX / 2, row2, BUTTON_PX, BUTTON_PX)
        # the number of hidden layers: beside the hidden block's title
        if hidden:
            mid = 0.5 * (self._rects[1][0].center().x() + self._rects[hidden][0].center().x())
        else:
            mid = 0.5 * (self._rects[0][0].center().x() + self._rects[-1][0].center().x())
        title_w = fm.horizontalAdvance(self._hidden_title()) + 8
        y1 = rect.top() + 2
        self._buttons[(-1, -1)] = QtCore.QRectF(mid - title_w / 2 - BUTTON_PX - 2, y1, BUTTON_PX, BUTTON_PX)
        self._buttons[(-1, 1)] = QtCore.QRectF(mid + title_w / 2 + 2, y1, BUTTON_PX, BUTTON_PX)
        for a_rects, b_rects in zip(self._rects[:-1], self._rects[1:], strict=True):
            self._lines.append([QtCore.QLineF(a.right(), a.center().y(), b.left(), b.center().y())
                                for a in a_rects for b in b_rects])

    def _hidden_title(self) -> str:
        n = len(self.sizes) - 2
        return f"{n} hidden layer{'s' if n != 1 else ''}" if n else "no hidden layer"

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

    # -- painting ------------------------------------------------------------------------------------
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

    def _draw_legend(self, painter: QtGui.QPainter) -> None:
        fm = QtGui.QFontMetricsF(self.font)
        rect = self.rect()
        y = rect.bottom() - 4
        if self.mode == "gradient":
            text = f"edges: ∂E/∂w of the last mini-batch, width ∝ |∂E/∂w| (widest {self.full:.3g})"
        else:
            text = f"edges: weight w, width ∝ |w| (widest at |w| ≥ {self.full:g}); small squares: biases"
        x = rect.left() + 2
        for color, label in ((EDGE_POS, "> 0"), (EDGE_NEG, "< 0")):
            painter.setPen(QtGui.QPen(QtGui.QColor(color), 3.0))
            mid = y - fm.ascent() / 2 + 1
            painter.drawLine(QtCore.QPointF(x, mid), QtCore.QPointF(x + 14, mid))
            painter.setPen(self.foreground)
            painter.drawText(QtCore.QPointF(x + 17, y), label)
            x += 20 + fm.horizontalAdvance(label) + 6
        text = fm.elidedText(text, QtCore.Qt.TextElideMode.ElideRight, max(rect.right() - x - 2, 10))
        painter.drawText(QtCore.QPointF(x, y), text)

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

    # -- interaction ---------------------------------------------------------------------------------
    def unit_at(self, pos: QtCore.QPointF) -> tuple[int, int] | None:
        self._ensure_geometry()
        for layer, rects in enumerate(self._rects):
            for unit, r in enumerate(rects):
                if r.adjusted(-2, -2, 2, 2).contains(pos):
                    return layer, unit
        return None

    def edge_at(self, pos: QtCore.QPointF) -> Selection | None:
        """The edge nearest ``pos`` within a few pixels (or its half width), if any."""
        self._ensure_geometry()
        best, best_d = None, math.inf
        for layer in range(len(self._rects) - 1):
            a_rects, b_rects = self._rects[layer], self._rects[layer + 1]
            if not a_rects or not (a_rects[0].right() <= pos.x() <= b_rects[0].left()):
                continue
            widths = self.edge_width[layer] if layer < len(self.edge_width) else None
            for i, a in enumerate(a_rects):
                pa = QtCore.QPointF(a.right(), a.center().y())
                for j, b in enumerate(b_rects):
                    d = _segment_distance(pos, pa, QtCore.QPointF(b.left(), b.center().y()))
                    reach = max(4.0, 0.5 * float(widths[i, j]) + 2.0) if widths is not None else 4.0
                    if d <= reach and d < best_d:
                        best, best_d = Selection(layer, j, i), d
        return best

    def button_at(self, pos: QtCore.QPointF) -> tuple[int, int] | None:
        self._ensure_geometry()
        for key, r in self._buttons.items():
            if r.adjusted(-2, -2, 2, 2).contains(pos):
                return key
        return None

    def click(self, pos: QtCore.QPointF) -> None:
        """What a left click at ``pos`` (item coordinates) does: a button, a unit's bias, an edge's weight."""
        button = self.button_at(pos)
        if button is not None:
            self.sigResize.emit(*button)
            return
        unit = self.unit_at(pos)
        if unit is not None:
            layer, j = unit
            self.select(Selection(layer - 1, j) if layer > 0 else None)
            return
        self.select(self.edge_at(pos))

    def select(self, sel: Selection | None) -> None:
        self.selected = sel
        self.update()
        self.sigSelected.emit(sel)

    def select_quietly(self, sel: Selection | None) -> None:
        self.selected = sel
        self.update()

    def hover(self, pos: QtCore.QPointF | None) -> None:
        """Enlarge the unit under ``pos``; name the edge under it in the tooltip (None: the pointer left)."""
        unit = self.unit_at(pos) if pos is not None else None
        edge = self.edge_at(pos) if pos is not None and unit is None else None
        if (unit, edge) != (self.hovered, self.hovered_edge):
            self.hovered, self.hovered_edge = unit, edge
            self.setToolTip(self.describe(unit, edge))
            self.update()

    def describe(self, unit: tuple[int, int] | None, edge: Selection | None) -> str:
        """The tooltip: a unit's bias or an edge's weight, and the last mini-batch's gradient of it."""
        if unit is not None:
            layer, j = unit
            if layer == 0:
                return f"input feature {self.feature_labels[j] if j < len(self.feature_labels) else j}"
            b = self.biases[layer - 1][j] if layer - 1 < len(self.biases) else math.nan
            text = f"{self.unit_name(layer, j)}: bias b = {b:.4g}"
            if self.grad_b is not None:
                text += f", ∂E/∂b = {self.grad_b[layer - 1][j]:.3g} (last mini-batch)"
            return text + " — click to edit"
        if edge is not None:
            w = self.weights[edge.layer][edge.i, edge.j] if edge.layer < len(self.weights) else math.nan
            text = f"{self.unit_name(edge.layer, edge.i)} → {self.unit_name(edge.layer + 1, edge.j)}: w = {w:.4g}"
            if self.grad_w is not None:
                text += f", ∂E/∂w = {self.grad_w[edge.layer][edge.i, edge.j]:.3g} (last mini-batch)"
            return text + " — click to edit"
        return ""

    def unit_name(self, layer: int, unit: int | None) -> str:
        if layer == 0 and unit is not None and unit < len(self.feature_labels):
            return self.feature_labels[unit]
        if layer == len(self.sizes) - 1:
            return "output" if self.sizes[-1] == 1 else f"output {unit + 1}"
        return f"layer {layer} unit {unit + 1}"

    # pyqtgraph's scene delivers these (its own click and hover events)
    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph's name
        if ev.button() == QtCore.Qt.MouseButton.LeftButton:
            ev.accept()
            self.click(ev.pos())

    def hoverEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph's name
        self.hover(None if ev.isExit() else ev.pos())

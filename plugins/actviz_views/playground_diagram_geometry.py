"""Where the network diagram puts things: a column of unit squares per layer, the + / − buttons above the
hidden layers, the edges between units; cached until the item's size or the layer sizes change.

A mixin of :class:`~actviz_views.playground_diagram.NetworkDiagram`.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui

from actviz_views.playground_maps import EDGE_FULL

HEADER_PX = 38  # two text rows: layer titles, then the + / − buttons
FOOTER_PX = 18  # the legend line
#: (edge mode, widest value) whose key the footer must hold: weights, and a gradient with a long number
KEY_SAMPLES = (("weights", EDGE_FULL), ("gradient", 0.000123))
BUTTON_PX = 15


class DiagramGeometry:
    """The rectangles of the units and buttons and the lines of the edges, computed once per size."""

    sizes: tuple[int, ...]
    feature_labels: tuple[str, ...]
    output_labels: tuple[str, ...]
    font: QtGui.QFont

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
        # the key takes a second line when it does not fit in one (in either edge mode: no jump on a switch)
        rows = max(len(self.key_lines(rect.width(), mode, full)) for mode, full in KEY_SAMPLES)
        top, bottom = rect.top() + HEADER_PX, rect.bottom() - FOOTER_PX - (rows - 1) * fm.height()
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

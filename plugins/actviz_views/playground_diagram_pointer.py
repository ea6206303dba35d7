"""Clicks and hovers on the network diagram: what is under the pointer (a unit, an edge, a button), the
selection it makes and the tooltip that names it. Nothing is edited here: a click becomes a signal.

A mixin of :class:`~actviz_views.playground_diagram.NetworkDiagram`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6 import QtCore


@dataclass(frozen=True)
class Selection:
    """A weight w[layer][i, j] (``i`` the unit it comes from) or, with ``i`` None, the bias b[layer][j]."""

    layer: int
    j: int
    i: int | None = None

    @property
    def is_bias(self) -> bool:
        return self.i is None


def _segment_distance(p: QtCore.QPointF, a: QtCore.QPointF, b: QtCore.QPointF) -> float:
    ax, ay, bx, by, px, py = a.x(), a.y(), b.x(), b.y(), p.x(), p.y()
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else min(1.0, max(0.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


class DiagramPointer:
    """Hit tests on the diagram's geometry, and what a click or a hover does."""

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

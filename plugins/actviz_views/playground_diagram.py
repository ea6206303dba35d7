"""The network as a picture, TensorFlow-Playground style: a column of units per layer, edges between them.

One :class:`NetworkDiagram` item (a pyqtgraph GraphicsWidget, so it is part of the view's PNG/SVG
export and painted in the same pass as the plots). Each unit is a thumbnail of its output over the
plane; each edge is coloured by the sign of its weight (or of ∂E/∂w of the last mini-batch) and as
thick as its magnitude. The item keeps what it draws as plain arrays (:attr:`edge_width`,
:attr:`edge_color`, :attr:`images`) so tests read the picture without pixels, and turns clicks into
signals: a unit or an edge selected, a layer made larger or smaller. It never trains or edits
anything itself.

Here: the item, its signals and what it is given to draw; where things go is in
:mod:`.playground_diagram_geometry`, painting in :mod:`.playground_diagram_paint`, clicks and hovers in
:mod:`.playground_diagram_pointer`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from actviz_views.playground_diagram_geometry import DiagramGeometry
from actviz_views.playground_diagram_paint import DiagramPainter
from actviz_views.playground_diagram_pointer import DiagramPointer, Selection
from actviz_views.playground_maps import EDGE_FULL, edge_colors, edge_widths

__all__ = ["NetworkDiagram", "Selection"]


def _qimage(rgb: np.ndarray) -> QtGui.QImage:
    """An owned QImage copy of a (rows, cols, 3) uint8 array."""
    rows, cols, _ = rgb.shape
    image = QtGui.QImage(rgb.data, cols, rows, 3 * cols, QtGui.QImage.Format.Format_RGB888)
    return image.copy()


class NetworkDiagram(DiagramPointer, DiagramPainter, DiagramGeometry, pg.GraphicsWidget):
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

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._geometry_key = None

"""LaTeX formulas rendered as mathematics, lazily.

matplotlib's mathtext is a well-kept pure-Python TeX-subset renderer that
ships wheels everywhere and needs no TeX install; it is imported only when a
formula is first drawn (after the window's first paint), and when it is
missing or a formula does not parse the raw source is shown instead.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PySide6 import QtCore, QtGui, QtWidgets


@lru_cache(maxsize=256)
def render_png(tex: str, color: str, size: float = 13.0) -> bytes | None:
    """PNG bytes of ``$tex$``, or None when it cannot be rendered."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib import mathtext
        from matplotlib.font_manager import FontProperties
    except ImportError:
        return None
    buf = io.BytesIO()
    try:
        mathtext.math_to_image(f"${tex}$", buf, prop=FontProperties(size=size), dpi=110,
                               format="png", color=color)
    except Exception:  # noqa: BLE001 - mathtext raises ValueError and friends on bad input
        return None
    return buf.getvalue()


class FormulaLabel(QtWidgets.QLabel):
    """Shows a formula as an image; the LaTeX source is the tooltip and the fallback."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.tex = ""
        self.rendered = False
        self.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)

    def set_formula(self, tex: str, deferred: bool = True) -> None:
        self.tex = tex
        self.rendered = False
        self.setToolTip(tex)
        self.setText(tex)
        if tex:
            if deferred:
                QtCore.QTimer.singleShot(0, self._render)
            else:
                self._render()

    def _render(self) -> None:
        tex = self.tex
        if not tex:
            return
        color = self.palette().color(QtGui.QPalette.ColorRole.WindowText).name()
        png = render_png(tex, color)
        if png is None or tex != self.tex:
            return
        pixmap = QtGui.QPixmap()
        pixmap.loadFromData(png, "PNG")
        self.setPixmap(pixmap)
        self.rendered = True

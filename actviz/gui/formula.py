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
        with matplotlib.rc_context({"savefig.transparent": True}):  # readable on dark palettes too
            mathtext.math_to_image(f"${tex}$", buf, prop=FontProperties(size=size), dpi=110,
                                   format="png", color=color)
    except Exception:  # noqa: BLE001 - mathtext raises ValueError and friends on bad input
        return None
    return buf.getvalue()


_PIXMAPS: dict[tuple[str, str], QtGui.QPixmap] = {}


def formula_pixmap(tex: str, color: str) -> QtGui.QPixmap | None:
    """One decoded pixmap per formula and colour: re-decoding on every selection grew memory."""
    key = (tex, color)
    if key not in _PIXMAPS:
        png = render_png(tex, color)
        if png is None:
            return None
        if len(_PIXMAPS) > 512:
            _PIXMAPS.clear()
        pixmap = QtGui.QPixmap()
        pixmap.loadFromData(png, "PNG")
        _PIXMAPS[key] = pixmap
    return _PIXMAPS[key]


class FormulaLabel(QtWidgets.QLabel):
    """Shows a formula as an image; the LaTeX source is the tooltip and the fallback."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.tex = ""
        self.rendered = False
        self._pending = False
        self._painted = False
        self.setMinimumHeight(28)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._render)
        self.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)

    def set_formula(self, tex: str, deferred: bool = True) -> None:
        """Show ``tex``; deferred rendering waits for this label's first paint.

        Waiting for the paint keeps matplotlib out of start-up: the window
        appears first, the formulas a moment later.
        """
        self.tex = tex
        self.rendered = False
        self._pending = False
        self.setToolTip(tex)
        self.clear()
        if not tex:
            return
        if not deferred:
            self._render()
        elif self._painted:
            self._timer.start()
        else:
            self._pending = True

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self._painted = True
        if self._pending:
            self._pending = False
            self._timer.start()

    def _render(self) -> None:
        tex = self.tex
        if not tex:
            return
        color = self.palette().color(QtGui.QPalette.ColorRole.WindowText).name()
        pixmap = formula_pixmap(tex, color)
        if tex != self.tex:
            return
        if pixmap is None:
            self.setText(tex)  # no renderer, or mathtext cannot parse it: show the source
            return
        self.setPixmap(pixmap)
        self.rendered = True

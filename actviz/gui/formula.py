"""LaTeX formulas rendered as mathematics, lazily.

matplotlib's mathtext is a well-kept pure-Python TeX-subset renderer that
ships wheels everywhere and needs no TeX install; it is imported only when a
formula is first drawn (after the window's first paint), and when it is
missing or a formula does not parse the raw source is shown instead.
"""

from __future__ import annotations

import io
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import lru_cache

from PySide6 import QtCore, QtGui, QtWidgets

#: longer LaTeX is shown as (shortened) text: mathtext's time grows steeply with length
MAX_TEX = 2000
#: how long a formula may take to render before it is shown as text; ACTVIZ_FORMULA_TIMEOUT overrides
RENDER_SECONDS = 5.0
#: characters of the source shown when a formula is not rendered
SHOWN_CHARS = 300


def render_seconds() -> float:
    try:
        value = float(os.environ.get("ACTVIZ_FORMULA_TIMEOUT", RENDER_SECONDS))
    except ValueError:
        return RENDER_SECONDS
    return value if 0 < value < 1e6 else RENDER_SECONDS


@lru_cache(maxsize=256)
def render_png(tex: str, color: str, size: float = 13.0) -> bytes | None:
    """PNG bytes of ``$tex$``, or None when it cannot be rendered (or is longer than :data:`MAX_TEX`)."""
    if len(tex) > MAX_TEX:
        return None
    from actviz.gui import formula_cache  # a PNG drawn before is read from disk: a warm start skips matplotlib
    if (hit := formula_cache.load(tex, color, size)) is not None:
        return hit
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
    except ImportError:
        return None
    try:
        png = _mathtext_png(f"${tex}$", color, size)
    except Exception:  # noqa: BLE001 - mathtext raises ValueError and friends on bad input
        return None
    formula_cache.store(tex, color, size, png)
    return png


def _mathtext_png(text: str, color: str, size: float, dpi: float = 110.0) -> bytes:
    """``text`` drawn by mathtext on a transparent canvas (readable on dark palettes too), cut to its ink.

    mathtext's own ``math_to_image`` sizes the picture by the box its parser computes, and that box can be
    smaller than the ink: ``\\left\\{`` around ``\\genfrac`` (every piecewise formula) lost the top of its first
    row. Here the canvas has a margin of the font size on every side, and the picture is cut to the pixels
    drawn, with one transparent pixel around them.
    """
    import numpy as np
    from matplotlib import image, mathtext
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=size)
    width, height, depth, _, _ = mathtext.MathTextParser("path").parse(text, dpi=72, prop=prop)
    pad = 2.0 * size  # points
    figure = Figure(figsize=((width + 2 * pad) / 72, (height + 2 * pad) / 72), dpi=dpi, facecolor=(0, 0, 0, 0))
    figure.text(pad / (width + 2 * pad), (depth + pad) / (height + 2 * pad), text, fontproperties=prop,
                color=color)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    ink = rgba[..., 3] > 0
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        raise ValueError("nothing drawn")
    top, bottom = max(rows[0] - 1, 0), min(rows[-1] + 2, ink.shape[0])
    left, right = max(cols[0] - 1, 0), min(cols[-1] + 2, ink.shape[1])
    buf = io.BytesIO()
    image.imsave(buf, np.ascontiguousarray(rgba[top:bottom, left:right]), format="png")
    return buf.getvalue()


_renderer: ThreadPoolExecutor | None = None
_overran: Future | None = None  # a render that ran out of time and is still going


def render_later(tex: str, color: str) -> Future | None:
    """:func:`render_png` on the one mathtext thread (matplotlib is not thread-safe, so one at a time).

    None while an earlier render that overran its time is still running: the
    thread is taken, and the caller shows the source instead of queueing behind it.
    """
    global _renderer, _overran
    if _overran is not None:
        if not _overran.done():
            return None
        _overran = None
    if _renderer is None:
        _renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="actviz-mathtext")
    return _renderer.submit(render_png, tex, color)


def _gave_up(future: Future) -> None:
    global _overran
    if not future.done():
        _overran = future


def as_text(tex: str, why: str) -> str:
    """The source (shortened) and why it is not drawn as mathematics."""
    shown = tex if len(tex) <= SHOWN_CHARS else tex[:SHOWN_CHARS] + "…"
    return f"{shown}  ({why})" if why else shown


_PIXMAPS: dict[tuple[str, str], QtGui.QPixmap] = {}


def _pixmap(key: tuple[str, str], png: bytes) -> QtGui.QPixmap:
    if len(_PIXMAPS) > 512:
        _PIXMAPS.clear()
    pixmap = QtGui.QPixmap()
    pixmap.loadFromData(png, "PNG")
    _PIXMAPS[key] = pixmap
    return pixmap


def formula_pixmap(tex: str, color: str, seconds: float | None = None) -> QtGui.QPixmap | None:
    """One decoded pixmap per formula and colour: re-decoding on every selection grew memory.

    Rendering runs on the mathtext thread and is waited for at most ``seconds``.
    """
    key = (tex, color)
    if key not in _PIXMAPS:
        if len(tex) > MAX_TEX:
            return None
        future = render_later(tex, color)
        if future is None:
            return None
        try:
            png = future.result(timeout=render_seconds() if seconds is None else seconds)
        except FutureTimeout:
            _gave_up(future)
            return None
        if png is None:
            return None
        _pixmap(key, png)
    return _PIXMAPS[key]


#: the smallest a formula is drawn (a fraction of its size) before its label asks for more room
MIN_SCALE = 0.7


class FormulaLabel(QtWidgets.QLabel):
    """Shows a formula as an image; the LaTeX source is the tooltip and the fallback.

    ``shown()`` after a picture or the fallback text is in place (rendering may finish later than
    :meth:`set_formula`), so a view can re-arrange around its new size.
    """

    shown = QtCore.Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.tex = ""
        self.rendered = False
        self._pending = False
        self._painted = False
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred, QtWidgets.QSizePolicy.Policy.Minimum)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(lambda: self._render(wait=False))
        self.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)

    def set_formula(self, tex: str, deferred: bool = True) -> None:
        """Show ``tex``; deferred rendering waits for this label's first paint.

        Waiting for the paint keeps matplotlib out of start-up: the window
        appears first, the formulas a moment later.
        """
        self.tex = tex
        self.rendered = False
        self._pending = False
        self.setToolTip(as_text(tex, ""))  # a megabyte tooltip would freeze on hover
        self.clear()
        if not tex:
            return
        if not deferred:
            self._render()
        elif self._painted:
            self._timer.start()
        else:
            self._pending = True

    def sizeHint(self) -> QtCore.QSize:
        """The whole formula: a tall one (a matrix, cases) gets every row, not a fixed strip."""
        hint = super().sizeHint()
        return hint.expandedTo(QtCore.QSize(0, 28))

    def minimumSizeHint(self) -> QtCore.QSize:
        """Down to :data:`MIN_SCALE` of the formula: a long formula shrinks rather than widen the window."""
        pixmap = self.pixmap()
        if pixmap is None or pixmap.isNull():
            return super().minimumSizeHint().expandedTo(QtCore.QSize(0, 28)).boundedTo(QtCore.QSize(160, 10**6))
        size = pixmap.deviceIndependentSize() * MIN_SCALE
        margins = self.contentsMargins()
        return QtCore.QSize(int(size.width()) + 1 + margins.left() + margins.right(),
                            int(size.height()) + 1 + margins.top() + margins.bottom())

    def shown_size(self) -> QtCore.QSizeF:
        """The size the formula is drawn at: whole, or scaled down (keeping its shape) to fit."""
        pixmap = self.pixmap()
        if pixmap is None or pixmap.isNull():
            return QtCore.QSizeF(self.contentsRect().size())
        full = pixmap.deviceIndependentSize()
        room = self.contentsRect().size()
        scale = min(1.0, room.width() / max(full.width(), 1), room.height() / max(full.height(), 1))
        return full * max(scale, MIN_SCALE)

    def paintEvent(self, event) -> None:
        pixmap = self.pixmap()
        if pixmap is not None and not pixmap.isNull():
            shown = self.shown_size()
            if shown.width() < pixmap.deviceIndependentSize().width() - 0.5:
                painter = QtGui.QPainter(self)
                painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform)
                rect = QtCore.QRectF(self.contentsRect())
                target = QtCore.QRectF(rect.left(), rect.top() + (rect.height() - shown.height()) / 2,
                                       shown.width(), shown.height())
                painter.drawPixmap(target, pixmap, QtCore.QRectF(pixmap.rect()))
                painter.end()
                self._first_paint()
                return
        super().paintEvent(event)
        self._first_paint()

    def _first_paint(self) -> None:
        self._painted = True
        if self._pending:
            self._pending = False
            self._timer.start()

    def _render(self, wait: bool = True) -> None:
        """Draw ``self.tex``: from the cache, else on the mathtext thread, never blocking longer than its limit.

        ``wait`` (a non-deferred ``set_formula``, as in exports) waits for the
        picture; otherwise the label polls, so the window keeps responding.
        """
        tex = self.tex
        if not tex:
            return
        if len(tex) > MAX_TEX:
            self.setText(as_text(tex, f"{len(tex)} characters; formulas over {MAX_TEX} are shown as text"))
            return
        color = self.palette().color(QtGui.QPalette.ColorRole.WindowText).name()
        key = (tex, color)
        if key in _PIXMAPS:
            self._show(_PIXMAPS[key])
            return
        if wait:
            self._show(formula_pixmap(tex, color))
            return
        future = render_later(tex, color)
        if future is None:
            self.setText(as_text(tex, "the formula renderer is busy"))
            return
        self._poll(future, key, time.monotonic() + render_seconds())

    def _poll(self, future: Future, key: tuple[str, str], deadline: float) -> None:
        if key[0] != self.tex:
            return
        if not future.done():
            if time.monotonic() < deadline:
                QtCore.QTimer.singleShot(15, self, lambda: self._poll(future, key, deadline))
                return
            _gave_up(future)
            self.setText(as_text(key[0], f"took longer than {render_seconds():g} s to render"))
            return
        png = future.result()
        self._show(_PIXMAPS.get(key) or (_pixmap(key, png) if png is not None else None))

    def _show(self, pixmap: QtGui.QPixmap | None) -> None:
        # the source shown as text wraps instead of being cut; a picture does not (wrapping costs a layout pass)
        self.setWordWrap(pixmap is None)
        if pixmap is None:
            self.setText(as_text(self.tex, ""))  # no renderer, or mathtext cannot parse it: show the source
        else:
            self.setPixmap(pixmap)
            self.rendered = True
        self.shown.emit()

"""Write a view to PNG, SVG or CSV, atomically, with a reason on failure.

A PNG or SVG is the view's plots with a caption below them: the values
shown (by their labels) and the chosen functions' formulas, so a picture
pasted into notes still says what it shows. The file appears whole or not at all: each format is written to a temporary
file beside the target and renamed over it, so an existing file is never
left half-written.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Mapping

import numpy as np

FORMATS = ("png", "svg", "csv")


class ExportError(Exception):
    """The export could not be written; the message names the path and the reason."""


def check_target(path: str) -> str:
    if os.path.isdir(path):
        raise ExportError(f"{path}: is a directory")
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext not in FORMATS:
        raise ExportError(f"{path}: unknown format {ext or '(none)'!r}; use .png, .svg or .csv")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ExportError(f"{path}: directory {directory} does not exist")
    if not os.access(directory, os.W_OK):
        raise ExportError(f"{path}: directory {directory} is not writable")
    return ext


def write_csv(columns: Mapping[str, np.ndarray], stream) -> None:
    names = list(columns)
    arrays = [np.asarray(columns[n]).ravel() for n in names]
    rows = max((a.size for a in arrays), default=0)
    writer = csv.writer(stream)
    writer.writerow(names)
    for i in range(rows):
        writer.writerow(["" if i >= a.size else (repr(float(a[i])) if np.isfinite(a[i]) else "nan")
                         for a in arrays])


def _atomic(path: str, ext: str, write) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".actviz-", suffix=f".{ext}", dir=directory)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write in {directory}: {exc.strerror or exc}") from None
    os.close(fd)
    try:
        write(tmp)
        if not os.path.exists(tmp) or os.path.getsize(tmp) == 0:
            raise ExportError(f"{path}: nothing was written")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; exports are ordinary files
        os.replace(tmp, path)
    except ExportError:
        raise
    except Exception as exc:  # noqa: BLE001 - exporters raise a variety of errors
        raise ExportError(f"{path}: {type(exc).__name__}: {exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


#: the largest picture written, per side: Qt's painter fails (with a warning, not an error) far beyond it
MAX_SIDE = 10000


def caption(view) -> tuple[str, list[str]]:
    """What the picture shows, in words: the view's values (labels, not internal names) and its formulas."""
    from actviz.specs import Param

    model = view.model
    parts: list[str] = []
    formulas: list[str] = []
    try:
        keys = model.active_keys()
    except Exception:  # noqa: BLE001 - a plugin's model; the picture matters more than its caption
        keys = []
    for key in keys:
        value = model.get(key.name)
        control = key.control
        if isinstance(control, Param):
            shown = f"{float(value):.4g}"
        else:
            shown = str(control.option_label(value)) if value in control.options else str(value)
        if len(shown) > 80:
            shown = shown[:77] + "…"
        parts.append(f"{control.display} = {shown}")
        if key.owner is None and model.is_function(key.name):
            spec = model.function(key.name)
            if spec is not None and spec.formula and spec.formula not in formulas:
                formulas.append(spec.formula)
    return " · ".join(parts), formulas


def _caption_document(view, width: float, scale: float):
    """The caption as a text document of ``width`` (vector text in an SVG; formulas as pictures)."""
    import html

    import pyqtgraph as pg
    from PySide6 import QtCore, QtGui

    from actviz.gui.formula import formula_pixmap

    text, formulas = caption(view) if view is not None else ("", [])
    doc = QtGui.QTextDocument()
    font = QtGui.QFont(QtGui.QGuiApplication.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    doc.setDefaultFont(font)
    color = pg.mkColor(pg.getConfigOption("foreground")).name()
    images = []
    for i, tex in enumerate(formulas):
        pixmap = formula_pixmap(tex, color, seconds=30.0)  # an export may wait for matplotlib's first import
        if pixmap is None:
            images.append(html.escape(tex))
            continue
        url = QtCore.QUrl(f"formula:{i}")
        doc.addResource(QtGui.QTextDocument.ResourceType.ImageResource, url, pixmap.toImage())
        size = pixmap.deviceIndependentSize() * scale
        images.append(f"<img src='formula:{i}' width='{size.width():.0f}' height='{size.height():.0f}'>")
    body = f"<p style='color:{color}'>{html.escape(text)}</p>" if text else ""
    if images:
        body += f"<p style='color:{color}'>" + " &nbsp;&nbsp;&nbsp; ".join(images) + "</p>"
    doc.setHtml(body)
    doc.setTextWidth(width)
    return doc


class _Vector:
    """Axes drawn directly while exporting: their cached pixmaps would put bitmaps in an SVG (and blur a PNG)."""

    def __init__(self, scene) -> None:
        import pyqtgraph as pg

        self.axes = [item for item in scene.items() if isinstance(item, pg.AxisItem)]
        self.modes = [axis.cacheMode() for axis in self.axes]

    def __enter__(self) -> None:
        from PySide6 import QtWidgets

        for axis in self.axes:
            axis.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.NoCache)

    def __exit__(self, *_exc) -> None:
        for axis, mode in zip(self.axes, self.modes, strict=True):
            axis.setCacheMode(mode)


def render(view, item, device_factory, width: int | None = None) -> None:
    """Paint ``item`` (scaled to ``width`` pixels) and the caption below it on ``device_factory(w, h)``."""
    from PySide6 import QtCore, QtGui

    source = item.sceneBoundingRect()
    scale = width / source.width() if width else 1.0
    w = round(source.width() * scale)
    plot_h = round(source.height() * scale)
    doc = _caption_document(view, w - 16 * scale, scale)
    h = plot_h + (round(doc.size().height() + 8 * scale) if not doc.isEmpty() else 0)
    if not (1 <= w <= MAX_SIDE and 1 <= h <= MAX_SIDE):
        raise ExportError(f"a {w}×{h} pixel picture is too large: at most {MAX_SIDE} pixels a side")
    device = device_factory(w, h)
    background = item.scene().views()[0].backgroundBrush() if item.scene().views() else QtGui.QBrush()
    painter = QtGui.QPainter(device)
    try:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
        painter.fillRect(QtCore.QRectF(0, 0, w, h), background)
        with _Vector(item.scene()):
            item.scene().render(painter, QtCore.QRectF(0, 0, w, plot_h), source)
        painter.translate(8 * scale, plot_h)
        doc.drawContents(painter)
    finally:
        painter.end()


def write_svg(item, path: str, view=None, width: int | None = None) -> None:
    """Render through QSvgGenerator: text and axes stay vectors.

    pyqtgraph 0.14's SVGExporter cannot parse the path syntax Qt 6.11 emits,
    so we let Qt write the vector file directly.
    """
    from PySide6 import QtCore
    from PySide6.QtSvg import QSvgGenerator

    def device(w: int, h: int) -> QSvgGenerator:
        generator = QSvgGenerator()
        generator.setFileName(path)
        generator.setSize(QtCore.QSize(w, h))
        generator.setViewBox(QtCore.QRectF(0, 0, w, h))
        generator.setTitle("actviz")
        return generator

    render(view, item, device, width)


def write_png(item, path: str, view=None, width: int | None = None) -> None:
    from PySide6 import QtGui

    images: list = []

    def device(w: int, h: int):
        image = QtGui.QImage(w, h, QtGui.QImage.Format.Format_ARGB32)
        image.fill(0)
        images.append(image)
        return image

    render(view, item, device, width)
    if not images[0].save(path, "PNG"):
        raise ExportError(f"{path}: Qt could not write the PNG")


def export_view(view, path: str, width: int | None = None) -> None:
    """Write ``view`` (an actviz ViewWidget) to ``path``; the extension picks the format."""
    ext = check_target(path)
    view.refresh()
    if ext == "csv":
        columns = view.export_columns()
        if not columns:
            raise ExportError(f"{path}: this view has no curves to export")

        def write(tmp: str) -> None:
            with open(tmp, "w", newline="", encoding="utf-8") as fh:
                write_csv(columns, fh)
        _atomic(path, ext, write)
        return
    if width is not None and not 16 <= int(width) <= MAX_SIDE:
        raise ExportError(f"{path}: a width of {width} pixels is outside 16..{MAX_SIDE}")
    item = view.export_item()
    if item is None:
        if ext == "svg":
            raise ExportError(f"{path}: this view has no plot to export as SVG")

        def grab(tmp: str) -> None:
            if not view.grab().save(tmp, "PNG"):
                raise ExportError(f"{path}: Qt could not write the PNG")
        _atomic(path, ext, grab)
        return

    def write_image(tmp: str) -> None:
        (write_svg if ext == "svg" else write_png)(item, tmp, view, int(width) if width else None)
    _atomic(path, ext, write_image)

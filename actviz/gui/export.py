"""Write a view to PNG, SVG or CSV, atomically, with a reason on failure.

The file appears whole or not at all: each format is written to a temporary
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


def write_svg(item, path: str) -> None:
    """Render the item's scene rectangle through QSvgGenerator.

    pyqtgraph 0.14's SVGExporter cannot parse the path syntax Qt 6.11 emits,
    so we let Qt write the vector file directly.
    """
    from PySide6 import QtCore, QtGui
    from PySide6.QtSvg import QSvgGenerator

    source = item.sceneBoundingRect()
    generator = QSvgGenerator()
    generator.setFileName(path)
    generator.setSize(source.size().toSize())
    generator.setViewBox(QtCore.QRectF(0, 0, source.width(), source.height()))
    generator.setTitle("actviz")
    painter = QtGui.QPainter(generator)
    try:
        item.scene().render(painter, QtCore.QRectF(0, 0, source.width(), source.height()), source)
    finally:
        painter.end()


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
    import pyqtgraph.exporters as exporters

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
        if ext == "svg":
            write_svg(item, tmp)
            return
        exporter = exporters.ImageExporter(item)
        if width:
            exporter.parameters()["width"] = int(width)
        exporter.export(tmp)
    _atomic(path, ext, write_image)

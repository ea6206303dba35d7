"""Plot colours that follow the system palette, so light and dark themes both read."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets


def apply_plot_theme(app: QtWidgets.QApplication) -> None:
    pal = app.palette()
    base = pal.color(QtGui.QPalette.ColorRole.Base)
    text = pal.color(QtGui.QPalette.ColorRole.Text)
    pg.setConfigOptions(background=base, foreground=text, antialias=False)

"""A readout label whose changing text does not re-lay out the page on every frame of a drag."""

from __future__ import annotations

import re

from PySide6 import QtCore, QtGui, QtWidgets

__all__ = ["SteadyLabel"]

_DIGITS = re.compile(r"\d")
_TABULAR: dict[str, bool] = {}


def _tabular_digits(font: QtGui.QFont) -> bool:
    """Whether every digit has the same advance in ``font``, regular and bold (most UI fonts: yes)."""
    key = font.key()
    if key not in _TABULAR:
        widths = set()
        for bold in (False, True):
            face = QtGui.QFont(font)
            face.setBold(bold)
            metrics = QtGui.QFontMetricsF(face)
            widths |= {(bold, metrics.horizontalAdvance(d)) for d in "0123456789"}
        _TABULAR[key] = len(widths) == 2
    return _TABULAR[key]


class SteadyLabel(QtWidgets.QWidget):
    """A word-wrapped rich-text readout whose new text re-lays out the page only when its height changes.

    A QLabel in a layout invalidates that layout on every ``setText`` (its size hint may have
    changed), and the page's layout pass (the long wrapped intro's height for its width, the plots'
    geometry) cost more than the label's own repaint on every frame of a drag. Here the label sits
    in a box without a layout, whose fixed height follows the text's height at the box's width: a
    new text repaints the label, and changes the page's layout only when it needs another line.
    """

    def __init__(self, text: str = " ", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QtWidgets.QLabel(text, self)
        self._measured: dict[tuple[int, str, str], int] = {}
        self.label.setWordWrap(True)
        self.label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        policy = QtWidgets.QSizePolicy.Policy
        self.setSizePolicy(policy.Preferred, policy.Fixed)
        self._fit(resized=True)

    def text(self) -> str:
        return self.label.text()

    def textFormat(self) -> QtCore.Qt.TextFormat:
        return self.label.textFormat()

    def setText(self, text: str) -> None:
        if text != self.label.text():
            self.label.setText(text)
            self._fit(resized=False)

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(self.label.sizeHint().width(), self.height())

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit(resized=True)

    def _height(self, width: int) -> int:
        """The label's height at ``width``; a text that differs only in its digits is not measured again.

        Measuring lays the rich text out (and Qt then lays it out once more to paint); the digits of a
        readout change on every frame of a drag, and where the font's digits all have one width a new
        number cannot wrap differently.
        """
        font = self.label.font()
        if not _tabular_digits(font):
            return self.label.heightForWidth(width)
        key = (width, font.key(), _DIGITS.sub("0", self.label.text()))
        height = self._measured.get(key)
        if height is None:
            if len(self._measured) >= 16:  # a few shapes (a drag between two regimes): forget the oldest
                del self._measured[next(iter(self._measured))]
            height = self._measured[key] = self.label.heightForWidth(width)
        return height

    def _fit(self, resized: bool) -> None:
        width = self.width()
        height = self._height(width) if width > 0 else -1
        if height <= 0:
            height = self.label.sizeHint().height()
        if height == self.height() and not resized:
            return  # the same lines: only the label repaints (its least width, the longest word, is kept)
        self.label.setGeometry(0, 0, width, height)
        minimum = self.label.minimumSizeHint().width()
        if self.minimumWidth() != minimum:
            self.setMinimumWidth(minimum)
        if self.minimumHeight() != height or self.maximumHeight() != height:
            self.setFixedHeight(height)

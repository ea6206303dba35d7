"""Text broken into lines that fit a width, for text a widget paints itself (a QLabel wraps its own)."""

from __future__ import annotations

from PySide6 import QtGui


def wrap_lines(text: str, metrics: QtGui.QFontMetrics | QtGui.QFontMetricsF, room: float) -> list[str]:
    """``text`` in lines no wider than ``room`` pixels in ``metrics``' font, broken at spaces.

    A word wider than ``room`` gets a line of its own (it is not split); a no-break space (U+00A0) keeps
    the words beside it together, e.g. a bracket with its number.
    """
    if metrics.horizontalAdvance(text) <= room:
        return [text]
    lines, line = [], ""
    for word in text.split(" "):
        wider = f"{line} {word}" if line else word
        if line and metrics.horizontalAdvance(wider) > room:
            lines.append(line)
            line = word
        else:
            line = wider
    return [*lines, line]

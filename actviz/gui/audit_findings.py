"""What the layout audit reports (:class:`Finding`), the text boxes it compares (:class:`TextBox`), and its
tolerances."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtCore, QtGui

#: a primary plot's data area must be at least this wide and tall (logical pixels)
MIN_PLOT = (160, 120)
#: overlaps and clips smaller than this (pixels) are antialiasing, not collisions
SLACK = 2.0


@dataclass(frozen=True)
class Finding:
    """One problem: its kind, where (view, size, scheme) and the items involved."""

    kind: str  # overlap | clip | small-plot | si-prefix | legend | contrast | too-big
    where: str
    items: tuple[str, ...]
    detail: str = ""

    def __str__(self) -> str:
        items = " / ".join(self.items)
        return f"[{self.kind}] {self.where}: {items}" + (f" ({self.detail})" if self.detail else "")


@dataclass
class TextBox:
    """A visible piece of text (or a formula image) in window coordinates."""

    name: str
    rect: QtCore.QRectF
    fg: QtGui.QColor | None = None
    bg: QtGui.QColor | None = None
    owner: object = None  # boxes with the same owner (e.g. one axis's ticks) are checked by their owner

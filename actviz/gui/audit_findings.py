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

    kind: str  # overlap | clip | small-plot | si-prefix | legend | legend-over-data | contrast | too-big
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
    document: QtGui.QTextDocument | None = None  # rich text: its inline colours are checked against ``bg`` too


#: glyphs drawn as a curve's colour swatch beside its name (a sample of the curve, not text to read)
SWATCHES = "■□●○▲△▼▽◆◇━─—–― \u00a0"


def inline_colors(document: QtGui.QTextDocument) -> list[tuple[str, QtGui.QColor, QtGui.QColor | None]]:
    """The runs of rich text that set their own colour, as (text, colour, the background their own format or
    table cell gives them, else None); colour swatches are left out."""
    runs: list[tuple[str, QtGui.QColor, QtGui.QColor | None]] = []
    brush = QtGui.QTextFormat.Property.BackgroundBrush
    block = document.begin()
    while block.isValid():
        text = block.text()
        table = QtGui.QTextCursor(block).currentTable()
        cell = table.cellAt(block.position()).format() if table is not None else None
        cell_bg = cell.background().color() if cell is not None and cell.hasProperty(brush) else None
        for run in block.textFormats():
            if run.format.hasProperty(QtGui.QTextFormat.Property.ForegroundBrush):
                words = text[run.start:run.start + run.length]
                if words.strip(SWATCHES):
                    own = run.format.background().color() if run.format.hasProperty(brush) else cell_bg
                    runs.append((words, run.format.foreground().color(), own))
        block = block.next()
    return runs

"""The network diagram's key (edge colours and widths, bias squares) is read whole at every width: it takes
a second line where one does not fit, and the units keep clear of it. At 1024×640 the one line was cut to
"…; small squ…", and the student lost what the small squares are."""

from __future__ import annotations

import pytest
from actviz_views.playground_diagram_geometry import FOOTER_PX
from PySide6 import QtGui

from actviz.gui import build_view
from tests.conftest import settle


@pytest.mark.parametrize(("size", "rows"), [((760, 640), 4), ((1000, 640), 3), ((1900, 1000), 1)])
def test_the_key_wraps_instead_of_being_cut(qtbot, registry, size, rows):
    view, _ = build_view(registry, "playground", size=size)
    qtbot.addWidget(view)
    settle(qtbot)
    diagram = view.plots.diagram
    width = diagram.rect().width()
    for mode, full in (("weights", 3.0), ("gradient", 0.000123)):
        lines = diagram.key_lines(width, mode, full)
        assert len(lines) <= rows, (size, width, lines)
        assert not any("…" in line for line in lines), lines
    assert "small squares: biases" in " ".join(diagram.key_lines(width, "weights", 3.0))
    rows = max(len(diagram.key_lines(width, mode, full)) for mode, full in (("weights", 3.0), ("gradient", 1e-4)))
    line = QtGui.QFontMetricsF(diagram.font).height()
    key_top = diagram.rect().bottom() - FOOTER_PX - (rows - 1) * line
    lowest = max(r.bottom() for column in diagram._rects for r in column)
    assert lowest < key_top  # no unit (nor its bias square, a few px below) over the key

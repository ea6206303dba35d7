"""The layout audit also reads the tour panel (each tour at its first stop and its first erratum), and what
it found there: the function list cut eleven names to "…" beside the tour at 1024×640 (names now wrap), and
"Back to this stop" did not fit its button (now "Restore stop"). A disabled control's greyed text is exempt
from the contrast minimum, as WCAG exempts inactive components."""

from __future__ import annotations

from PySide6 import QtWidgets

from actviz.gui import audit, theme
from actviz.gui.audit_widgets import _clipped_rows
from actviz.gui.browser import LABEL_ROLE, FunctionBrowser
from actviz.host.tours import find_tour
from tests.conftest import settle


def test_long_names_wrap_in_a_narrow_function_list(qtbot, registry):
    browser = FunctionBrowser(registry)
    qtbot.addWidget(browser)
    browser.resize(180, 600)
    browser.show()
    settle(qtbot)
    tree = browser.tree
    metrics = tree.fontMetrics()
    room = tree.viewport().width() - 2 * tree.indentation()
    wrapped = 0
    for name, item in browser.items.items():
        lines = item.text(0).split("\n")
        assert " ".join(lines) == item.data(0, LABEL_ROLE) == registry.get(name).label
        assert all(metrics.horizontalAdvance(line) <= room for line in lines), lines
        wrapped += len(lines) > 1
        assert tree.visualItemRect(item).height() >= len(lines) * metrics.height() - 2  # the row holds them
    assert wrapped >= 3  # "Hardshrink (hard thresholding)" and friends
    assert not _clipped_rows(tree, "narrow list")
    browser.resize(600, 600)
    settle(qtbot)
    assert all("\n" not in item.text(0) for item in browser.items.values())  # one line again when wide
    browser.search.setText("thresholding")
    assert set(browser.visible_names()) >= {"softshrink", "hardshrink"}


def test_the_tour_panel_reads_at_1024x640(window, qtbot):
    audit.resize_frame(window, 1024, 640)
    panel = window.start_tour(find_tour("lecture", window.registry))
    settle(qtbot, 60)
    audit.wait_for_formulas(window)  # rendered on their thread (no warm cache on a fresh machine)
    settle(qtbot, 60)
    assert panel.restore_button.text() == "Restore stop"
    found = [f for f in audit.audit_window(window, "tour") if f.kind in ("clip", "overlap", "contrast")]
    assert not found, "\n".join(map(str, found))


def test_a_disabled_controls_grey_text_is_exempt_from_contrast(qtbot):
    theme.apply_scheme(QtWidgets.QApplication.instance(), "light")
    window = QtWidgets.QWidget()
    window.resize(300, 100)
    off = QtWidgets.QPushButton("◀ Back", window)
    off.setGeometry(10, 10, 100, 30)
    off.setEnabled(False)
    faint = QtWidgets.QPushButton("faint", window)
    faint.setGeometry(150, 10, 100, 30)
    faint.setStyleSheet("color: #d0d0d0;")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    contrast = [f.items[0] for f in audit.audit_window(window, "fixture") if f.kind == "contrast"]
    assert any("faint" in item for item in contrast) and not any("Back" in item for item in contrast)


def test_wrap_lines_breaks_at_spaces_only(qapp):
    from PySide6 import QtGui

    from actviz.gui import wrap_lines

    metrics = QtGui.QFontMetricsF(QtGui.QFont())
    room = metrics.horizontalAdvance("widest at |w|")
    assert wrap_lines("short", metrics, room) == ["short"]
    lines = wrap_lines("edges: weight w, width (widest\u00a0at\u00a0|w|\u00a0≥\u00a03)", metrics, room)
    assert lines[-1] == "(widest\u00a0at\u00a0|w|\u00a0≥\u00a03)"  # held together, though wider than room
    assert " ".join(lines) == "edges: weight w, width (widest\u00a0at\u00a0|w|\u00a0≥\u00a03)"
    assert all(metrics.horizontalAdvance(line) <= room for line in lines[:-1])

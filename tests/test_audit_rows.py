"""The layout audit reads the rows of lists, trees and tables too: a row whose text its column cuts short is
a clip, and a list that wraps its rows passes."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from actviz.gui import build_view, close_view
from actviz.gui.audit import audit_window

LONG = "Softshrink (soft thresholding) + Binary cross-entropy"


def _window(qtbot, view: QtWidgets.QAbstractItemView) -> QtWidgets.QWidget:
    window = QtWidgets.QWidget()
    layout = QtWidgets.QVBoxLayout(window)
    layout.addWidget(view)
    view.setFixedWidth(160)
    window.resize(220, 240)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _row_clips(window) -> list[str]:
    return [f.items[0] for f in audit_window(window, "fixture", screen=None) if f.kind == "clip"]


def test_a_list_row_cut_short_is_a_clip_and_a_wrapping_list_passes(qtbot):
    cut = QtWidgets.QListWidget()
    cut.addItems(["short", LONG])
    cut.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    clips = _row_clips(_window(qtbot, cut))
    assert len(clips) == 1 and clips[0].startswith(f"row {LONG[:40]!r}"), clips
    wrapped = QtWidgets.QListWidget()
    wrapped.addItems(["short", LONG])
    wrapped.setWordWrap(True)
    wrapped.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    assert _row_clips(_window(qtbot, wrapped)) == []


def test_a_tree_row_under_its_parent_is_read_too(qtbot):
    tree = QtWidgets.QTreeWidget()
    tree.setHeaderHidden(True)
    parent = QtWidgets.QTreeWidgetItem(["group"])
    parent.addChild(QtWidgets.QTreeWidgetItem([LONG]))
    hidden = QtWidgets.QTreeWidgetItem(["closed group"])
    hidden.addChild(QtWidgets.QTreeWidgetItem([LONG + " (never shown)"]))
    tree.addTopLevelItems([parent, hidden])
    parent.setExpanded(True)
    clips = _row_clips(_window(qtbot, tree))
    assert len(clips) == 1 and LONG[:40] in clips[0], clips  # the collapsed branch's row is not on screen


@pytest.mark.parametrize(("name", "attribute"), [("depth", "act_list"), ("function", "pin_list")])
def test_the_views_lists_wrap_a_long_name_onto_a_second_line(registry, name, attribute):
    view, app = build_view(registry, name)
    try:
        lst = getattr(view, attribute)
        assert lst.wordWrap()
        if name == "depth":
            view.resize(1000, 700)
            view.show()
            app.processEvents()
            heights = {lst.item(i).text(): lst.visualItemRect(lst.item(i)).height() for i in range(lst.count())}
            assert heights["Softshrink (soft thresholding)"] > heights["ReLU"]  # two lines, nothing elided
    finally:
        close_view(view, app)

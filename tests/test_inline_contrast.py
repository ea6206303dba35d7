"""Text coloured inside rich text (a title naming a curve in its colour, a table's coloured header, the coin's
H/T letters) reads on what is behind it, and the layout audit checks every such run."""

from __future__ import annotations

import pytest
from PySide6 import QtGui, QtWidgets

from actviz.gui import build_view, close_view, theme
from actviz.gui.audit import audit_window
from actviz.gui.audit_findings import inline_colors
from actviz.maths.contrast import MIN_CONTRAST, contrast
from tests.conftest import settle


@pytest.fixture
def scheme(qapp):
    before = theme.current_scheme()
    yield lambda name: theme.apply_scheme(qapp, name)
    theme.apply_scheme(qapp, before)


def _document(html: str) -> QtGui.QTextDocument:
    doc = QtGui.QTextDocument()
    doc.setHtml(html)
    return doc


def test_inline_colours_are_the_runs_that_set_a_colour_without_swatches_with_their_cells_background():
    runs = inline_colors(_document(
        "plain <span style='color:#e69f00'>■</span> name <b style='color:#e69f00'>orange words</b>"
        "<table><tr><th style='background-color:#0072b2; color:#ffffff'>head</th><td>cell</td></tr></table>"))
    found = {words: (colour.name(), None if bg is None else bg.name()) for words, colour, bg in runs}
    assert found == {"orange words": ("#e69f00", None), "head": ("#ffffff", "#0072b2")}


def test_the_audit_names_faint_words_in_a_label_and_passes_a_swatch(qtbot, scheme):
    scheme("light")
    window = QtWidgets.QWidget()
    layout = QtWidgets.QVBoxLayout(window)
    layout.addWidget(QtWidgets.QLabel("<span style='color:#e69f00'>■</span> a swatch beside a curve's name"))
    layout.addWidget(QtWidgets.QLabel("Loss: <b style='color:#e69f00'>faint orange</b> words"))
    layout.addWidget(QtWidgets.QLabel("<table><tr><th style='background-color:#f59322; color:white'>0</th></tr>"
                                      "</table>"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    findings = [f for f in audit_window(window, "fixture") if f.kind == "contrast"]
    names = " | ".join(f.items[0] for f in findings)
    assert len(findings) == 2, names
    assert "'faint orange'" in names and "'0'" in names and "swatch" not in names
    assert any("#ffffff on #f59322" in f.detail for f in findings)


@pytest.mark.parametrize("name", ["light", "dark"])
def test_the_coins_flips_and_estimate_read_in_either_scheme(registry, qtbot, scheme, name):
    scheme(name)
    view, app = build_view(registry, "coin")
    try:
        view.flip_buttons[10].click()
        settle(qtbot)
        window_bg = view.strip.palette().color(view.strip.backgroundRole())
        letters = [(w, c) for w, c, _ in inline_colors(_document(view.strip.text())) if set(w) <= set("HT")]
        assert letters and "".join(w for w, _ in letters) in view.model.simulator().recent(60)
        assert {w[0] for w, _ in letters} <= {"H", "T"}
        for _, colour in letters:
            assert contrast(colour.name(), window_bg.name()) >= MIN_CONTRAST
        plot_bg = view.layout_widget.backgroundBrush().color().name()
        hat = inline_colors(view.hat_text.textItem.document())
        assert hat and all(contrast(c.name(), plot_bg) >= MIN_CONTRAST for _, c, _ in hat)
    finally:
        close_view(view, app)


@pytest.mark.parametrize("name", ["light", "dark"])
def test_the_playgrounds_coloured_titles_and_confusion_header_read(registry, qtbot, scheme, name):
    scheme(name)
    view, app = build_view(registry, "playground")
    try:
        plots = view.plots
        background = plots.backgroundBrush().color().name()
        for plot in (plots.plot_loss, plots.plot_delta):
            runs = inline_colors(plot.titleLabel.item.document())
            assert len(runs) >= 3  # the title's words and at least two coloured names
            for words, colour, _ in runs:
                assert contrast(colour.name(), background) >= MIN_CONTRAST, (words, colour.name())
        table = [r for r in inline_colors(_document(view.confusion.text())) if r[2] is not None]
        assert table and all(contrast(c.name(), bg.name()) >= MIN_CONTRAST for _, c, bg in table)
    finally:
        close_view(view, app)

"""Screen-ready at every size: the layout audit (actviz.gui.audit) over every view, and the fixes it drove.

The whole-window audits run in child processes, because the offscreen
platform's screen size (and device pixel ratio) is fixed when Qt starts: each
child gets a screen of the audited size through the platform's ``configfile``
option, so "the window never grows past the screen" is checked against a real
screen. The audit itself is shown to catch what it claims on a deliberately
broken fixture window.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui import audit, theme
from actviz.gui.controls import NumberBox, ParamControl, parse_number
from actviz.specs import Param

ROOT = Path(__file__).resolve().parents[1]
#: the playground has its own engineer: its findings are held to this ceiling here, to be ratcheted to zero
PLAYGROUND_CEILING = 0


# -- the audit catches what it claims ------------------------------------------------------------------
@pytest.fixture
def broken(qtbot):
    """A window that gets everything wrong: overlapping labels, a clipped label, a squashed plot, an SI axis."""
    theme.apply_scheme(QtWidgets.QApplication.instance(), "light")
    window = QtWidgets.QWidget()
    window.resize(600, 400)
    first = QtWidgets.QLabel("Overlapping one", window)
    first.setGeometry(10, 10, 150, 20)
    second = QtWidgets.QLabel("Overlapping two", window)
    second.setGeometry(60, 15, 150, 20)
    clipped = QtWidgets.QLabel("A label far too long for its narrow box", window)
    clipped.setGeometry(10, 60, 60, 20)
    faint = QtWidgets.QLabel("faint", window)
    faint.setGeometry(300, 10, 80, 20)
    faint.setStyleSheet("color: #c8c8c8;")
    plots = pg.GraphicsLayoutWidget(window)
    plots.setGeometry(10, 100, 500, 110)
    plot = plots.addPlot()
    plot.setLabel("left", "value")  # pyqtgraph scales only a labelled axis
    plot.getAxis("left").enableAutoSIPrefix(True)  # what the theme turns off: the fixture turns it back on
    plot.plot(np.linspace(0, 1, 5), np.linspace(0, 3e-6, 5))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(20)
    return window


def test_audit_names_the_overlapping_items(broken):
    findings = audit.audit_window(broken, "fixture 600x400")
    overlaps = [f for f in findings if f.kind == "overlap"]
    assert any("Overlapping one" in f.items[0] and "Overlapping two" in f.items[1] for f in overlaps), findings
    text = str(overlaps[0])
    assert text.startswith("[overlap] fixture 600x400:") and "Overlapping" in text


def test_audit_catches_a_clipped_label_a_small_plot_an_si_axis_and_faint_text(broken):
    findings = audit.audit_window(broken, "fixture")
    kinds = {(f.kind, f.items[0].split(" '")[0]) for f in findings}
    assert any(f.kind == "clip" and "far too long" in f.items[0] for f in findings), findings
    assert ("small-plot", "plot") in kinds
    assert any(f.kind == "si-prefix" for f in findings)
    assert any(f.kind == "contrast" and "faint" in f.items[0] for f in findings)


def test_audit_passes_a_tidy_window(qtbot):
    """The checks do not cry wolf: a laid-out window with a roomy plot has no findings."""
    theme.apply_scheme(QtWidgets.QApplication.instance(), "light")
    window = QtWidgets.QWidget()
    layout = QtWidgets.QVBoxLayout(window)
    layout.addWidget(QtWidgets.QLabel("A title"))
    plots = pg.GraphicsLayoutWidget()
    plot = plots.addPlot(title="roomy")
    plot.plot([0, 1, 2], [0, 1e-6, 4e-6])
    plot.setLabel("left", "value")
    layout.addWidget(plots, 1)
    window.resize(500, 400)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(20)
    assert audit.audit_window(window, "tidy", screen=QtCore.QSize(800, 800)) == []


def test_contrast_is_wcag():
    assert audit.contrast(QtGui.QColor("#000000"), QtGui.QColor("#ffffff")) == pytest.approx(21.0)
    assert audit.contrast(QtGui.QColor("#777777"), QtGui.QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)


# -- the whole app, in a child per screen --------------------------------------------------------------
def _run_audit(tmp_path: Path, width: int, height: int, *args: str, scale: int = 1) -> list[dict]:
    config = tmp_path / f"screen-{width}x{height}-{scale}.json"
    config.write_text(json.dumps({"screens": [{"name": "audit", "x": 0, "y": 0, "width": width * scale,
                                               "height": height * scale}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}",
               ACTVIZ_SETTINGS=str(tmp_path / "settings.json"))
    if scale != 1:
        env["QT_SCALE_FACTOR"] = str(scale)
    done = subprocess.run([sys.executable, "-m", "actviz.gui.audit", "--size", f"{width}x{height}", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    findings = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    return findings


def _report(findings: list[dict]) -> str:
    return "\n".join(str(audit.Finding(f["kind"], f["where"], tuple(f["items"]), f["detail"])) for f in findings)


def _check(findings: list[dict]) -> None:
    playground = [f for f in findings if f["where"].startswith("playground ")]
    others = [f for f in findings if not f["where"].startswith("playground ")]
    assert not others, "\n" + _report(others)
    assert len(playground) <= PLAYGROUND_CEILING, "\n" + _report(playground)


@pytest.mark.parametrize(("size", "args"), [
    ((1024, 640), ("--scheme", "light", "--functions", "all")),
    ((1024, 640), ("--scheme", "dark", "--functions", "sample")),
    ((1400, 900), ("--scheme", "light", "--scheme", "dark", "--functions", "sample")),
    ((1920, 1080), ("--scheme", "light", "--scheme", "dark", "--functions", "sample")),
], ids=["1024x640-light-every-function", "1024x640-dark", "1400x900", "1920x1080"])
def test_every_view_is_readable(tmp_path, size, args):
    """No overlap, clip, squashed plot, SI axis, faint text or oversized window, in any view or palette."""
    findings = _run_audit(tmp_path, *size, *args)
    _check(findings)


def test_every_view_is_readable_at_device_pixel_ratio_2(tmp_path):
    findings = _run_audit(tmp_path, 1024, 640, "--scheme", "light", "--functions", "none", scale=2)
    _check(findings)


def test_the_child_audit_reports_what_it_finds(tmp_path):
    """The child really audits: on a screen too small for the window's minimum it says the window is too big."""
    findings = _run_audit(tmp_path, 500, 360, "--functions", "none", "--view", "function")
    assert any(f["kind"] == "too-big" and f["where"].startswith("function 500x360") for f in findings), findings


# -- the theme ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_palette_links_and_placeholder_read(qapp, scheme):
    dark = theme.apply_scheme(qapp, scheme)
    try:
        palette = qapp.palette()
        assert dark == (scheme == "dark") == theme.is_dark(palette)
        base = palette.color(QtGui.QPalette.ColorRole.Base)
        for role in (QtGui.QPalette.ColorRole.Link, QtGui.QPalette.ColorRole.PlaceholderText,
                     QtGui.QPalette.ColorRole.Text):
            assert audit.contrast(palette.color(role), base) >= audit.MIN_CONTRAST, role
        assert audit.contrast(QtGui.QColor(theme.warning_color()),
                              palette.color(QtGui.QPalette.ColorRole.Window)) >= audit.MIN_CONTRAST
        assert pg.mkColor(pg.getConfigOption("background")) == base
    finally:
        theme.apply_scheme(qapp, "light")


def test_warning_red_is_swapped_on_a_dark_palette(qtbot, qapp):
    theme.apply_scheme(qapp, "dark")
    try:
        label = QtWidgets.QLabel("bad value")
        label.setStyleSheet("color: #c0392b; font-weight: bold;")
        qtbot.addWidget(label)
        label.show()
        qtbot.waitExposed(label)
        assert theme.WARNING_DARK in label.styleSheet()
        fg, bg = audit.widget_colors(label)
        assert audit.contrast(fg, bg) >= audit.MIN_CONTRAST
    finally:
        theme.apply_scheme(qapp, "light")
    assert theme.WARNING_LIGHT in label.styleSheet()


def test_no_axis_has_si_prefixes_and_legends_are_opaque(qapp):
    theme.apply_plot_theme(qapp)
    plot = pg.PlotItem()
    plot.plot([0, 1], [0, 1e-6])
    legend = plot.addLegend()
    assert not plot.getAxis("left").autoSIPrefix and not plot.getAxis("bottom").autoSIPrefix
    assert legend.opts["brush"] is not None and pg.mkBrush(legend.opts["brush"]).color().alpha() >= 200
    assert plot.getAxis("left").zValue() < plot.vb.zValue()  # the grid (drawn by the axis) under the legend


def test_the_view_menu_switches_the_colour_scheme(window, qtbot):
    """View → Colour scheme → Dark rebuilds the views on a dark plot background; Light brings it back."""
    window.show_view("function")
    window.scheme_actions["dark"].trigger()
    qtbot.wait(20)
    try:
        view = window.show_view("function")
        assert theme.current_scheme() == "dark" and window.scheme_actions["dark"].isChecked()
        assert view.layout_widget.backgroundBrush().color().lightnessF() < 0.3
    finally:
        window.scheme_actions["light"].trigger()
    view = window.show_view("function")
    assert view.layout_widget.backgroundBrush().color().lightnessF() > 0.7


# -- numbers typed in a spin box ------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "locale", "value"), [
    ("2.5", "C", 2.5), ("2,5", "C", 2.5), ("2,5", "de_DE", 2.5), ("1e-1", "C", 0.1), ("-3.5E2", "en_US", -350.0),
    ("−0.5", "C", -0.5), ("1,5e-3", "de_DE", 0.0015), ("abc", "C", None), ("1,000", "en_US", None), ("", "C", None),
])
def test_parse_number_follows_the_locale_and_reads_scientific_notation(text, locale, value):
    got = parse_number(text, QtCore.QLocale(locale))
    assert got == (pytest.approx(value) if value is not None else None)


def _type(qtbot, box: QtWidgets.QAbstractSpinBox, text: str) -> None:
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), QtCore.Qt.Key.Key_Return)


@pytest.mark.parametrize(("typed", "value"), [("2,5", 2.5), ("1e-1", 0.1), ("0.75", 0.75)])
def test_typing_in_a_parameter_box(qtbot, typed, value):
    control = ParamControl(Param("beta", 1.0, -5.0, 5.0, label="β"))
    qtbot.addWidget(control)
    control.show()
    seen = []
    control.valueChanged.connect(seen.append)
    _type(qtbot, control.spin, typed)
    assert control.value() == pytest.approx(value)
    assert seen and seen[-1] == pytest.approx(value)
    assert not control.note.isVisible()


def test_garbage_shows_a_note_and_keeps_the_value(qtbot):
    control = ParamControl(Param("beta", 1.0, -5.0, 5.0, label="β"))
    qtbot.addWidget(control)
    control.show()
    _type(qtbot, control.spin, "9")  # clamped: a note says so
    assert "outside" in control.note.text() and control.value() == 5.0
    _type(qtbot, control.spin, "abc")
    assert control.note.isVisible() and "'abc' is not a number" in control.note.text()
    assert control.value() == 5.0 and parse_number(control.spin.text()) == 5.0
    _type(qtbot, control.spin, "2")
    assert control.value() == 2.0 and not control.note.isVisible()  # no stale note


def test_number_box_validates_partial_input(qtbot):
    box = NumberBox()
    qtbot.addWidget(box)
    state, _, _ = box.validate("1e-", 3)
    assert state == QtGui.QValidator.State.Intermediate
    assert box.validate("1e-3", 4)[0] == QtGui.QValidator.State.Acceptable


# -- the function view's legend ------------------------------------------------------------------------
def test_a_pin_of_the_current_function_is_listed_once(window, qtbot):
    view = window.show_view("function")
    window.select_function("elu")
    qtbot.wait(20)
    view.pin()  # a pin of exactly what is drawn
    view.refresh()
    labels = [label.text for _sample, label in view.legend.items]
    assert labels.count("ELU") == 1 and not any(label.startswith("ELU (") for label in labels), labels
    window.select_function("relu")
    view.refresh()
    labels = [label.text for _sample, label in view.legend.items]
    assert any(label.startswith("ELU") for label in labels) and "ReLU" in labels, labels
    assert view.curve_f.zValue() > view.pin_curves[0][0].zValue()  # the current curve is never under a pin


def test_choice_boxes_show_labels_and_shrink(window):
    view = window.show_view("delta")
    combo = view.pair_panel.widgets["loss"].combo
    assert combo.currentText() == window.registry.get(view.model["loss"]).label
    assert combo.minimumSizeHint().width() < 160  # a long label elides in a narrow column, not clip it


# -- export: what the user sees, said in words, vectors in an SVG ---------------------------------------
@pytest.fixture
def leaky(registry):
    from actviz.gui.headless import build_view, close_view

    view, app = build_view(registry, "function", size=(900, 600),
                           settings={"function": "leaky_relu", "function.alpha": 0.2})
    yield view
    close_view(view, app)


def test_png_export_carries_a_caption_with_values_and_formula(leaky, tmp_path):
    from actviz.gui.export import caption, export_view

    text, formulas = caption(leaky)
    assert "Leaky ReLU" in text and "leaky_relu" not in text and "= 0.2" in text
    assert formulas == [leaky.model.spec.formula]
    path = tmp_path / "leaky.png"
    export_view(leaky, str(path), width=900)
    image = QtGui.QImage(str(path))
    source = leaky.export_item().sceneBoundingRect()
    plot_h = round(source.height() * 900 / source.width())
    assert image.width() == 900 and image.height() > plot_h + 20
    strip = [QtGui.QColor(image.pixel(x, y)).lightnessF() for y in range(plot_h + 2, image.height(), 2)
             for x in range(0, 600, 3)]
    assert min(strip) < 0.5  # dark caption text below the plots


def test_svg_export_keeps_text_and_axes_as_vectors(leaky, tmp_path):
    from actviz.gui.export import export_view

    modes = {id(a): a.cacheMode() for a in leaky.layout_widget.scene().items() if isinstance(a, pg.AxisItem)}
    path = tmp_path / "leaky.svg"
    export_view(leaky, str(path))
    svg = path.read_text()
    texts = [t.split(">", 1)[1].split("<", 1)[0].strip() for t in svg.split("<text")[1:]]
    assert "-4" in texts and "f(z)" in texts  # tick labels and the axis label are text
    assert "function = Leaky ReLU" in " ".join(texts) and "= 0.2" in " ".join(texts)  # the caption is text
    assert svg.count("<image") <= 1  # the formula picture at most; no bitmap axes
    after = {id(a): a.cacheMode() for a in leaky.layout_widget.scene().items() if isinstance(a, pg.AxisItem)}
    assert after == modes


def test_a_huge_export_is_refused_before_qt_paints(leaky, tmp_path, qtlog):
    from actviz.gui.export import ExportError, export_view

    path = tmp_path / "huge.png"
    with pytest.raises(ExportError, match=r"100000 pixels is outside 16\.\.10000"):
        export_view(leaky, str(path), width=100000)
    assert not path.exists()
    assert not [r for r in qtlog.records if "QPainter" in r.message or "QImage" in r.message]

"""The warning red follows the colour scheme: set before or after a widget is polished, in style sheets and in
rich text, at every switch, and the switch walks only the widgets that hold the red (never ``allWidgets()``)."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6 import QtGui, QtWidgets

import actviz
from actviz.gui import build_view, close_view, set_warning_style, theme
from actviz.gui.main_window import MainWindow
from actviz.host.registry import Registry
from actviz.maths import noise_models
from actviz.specs import Loss, Param


@pytest.fixture
def scheme(qapp):
    """``scheme("dark")`` switches the application's palette; the scheme before the test comes back after it."""
    before = theme.current_scheme()
    yield lambda name: theme.apply_scheme(qapp, name)
    theme.apply_scheme(qapp, before)


def drawn_color(widget: QtWidgets.QWidget) -> str:
    """The colour the widget's text is drawn in (its style sheet, once polished, sets its palette)."""
    return widget.palette().color(widget.foregroundRole()).name()


def shown_label(qtbot) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel("bad value")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    return label


def test_a_red_set_after_the_label_is_polished_is_swapped_in_dark_and_back_in_light(qtbot, scheme):
    scheme("dark")
    label = shown_label(qtbot)  # polished now, with no style sheet
    label.setStyleSheet("color: #c0392b;")
    assert label.styleSheet() == f"color: {theme.WARNING_DARK};"
    assert drawn_color(label) == theme.WARNING_DARK
    window = label.palette().color(QtGui.QPalette.ColorRole.Window)
    assert theme.contrast(QtGui.QColor(drawn_color(label)), window) >= theme.MIN_CONTRAST
    scheme("light")
    assert label.styleSheet() == f"color: {theme.WARNING_LIGHT};"
    assert drawn_color(label) == theme.WARNING_LIGHT


def test_set_warning_style_writes_the_palettes_red_and_follows_each_switch(qtbot, scheme):
    scheme("light")
    label = shown_label(qtbot)
    set_warning_style(label, "font-weight: bold;")
    assert label.styleSheet() == f"color: {theme.WARNING_LIGHT}; font-weight: bold;"
    scheme("dark")
    assert label.styleSheet() == f"color: {theme.WARNING_DARK}; font-weight: bold;"
    assert drawn_color(label) == theme.WARNING_DARK
    scheme("light")
    assert label.styleSheet() == f"color: {theme.WARNING_LIGHT}; font-weight: bold;"
    set_warning_style(label, "font-size: small;", on=False)
    assert label.styleSheet() == "font-size: small;"
    scheme("dark")
    assert label.styleSheet() == "font-size: small;"
    set_warning_style(label)
    assert label.styleSheet() == f"color: {theme.WARNING_DARK};"


def test_a_widget_deleted_by_qt_does_not_break_the_switch(qtbot, scheme):
    scheme("light")
    parent = QtWidgets.QWidget()
    dead = QtWidgets.QLabel("gone", parent)
    set_warning_style(dead)
    alive = shown_label(qtbot)
    set_warning_style(alive)
    shiboken6.delete(parent)  # the C++ label goes with its parent; its Python wrapper is still in the set
    assert not shiboken6.isValid(dead)
    scheme("dark")
    assert alive.styleSheet() == f"color: {theme.WARNING_DARK};"
    assert dead not in theme._warned


def test_a_switch_never_walks_all_widgets(qtbot, scheme, monkeypatch):
    label = shown_label(qtbot)
    set_warning_style(label)

    def refuse(*_args):
        raise AssertionError("apply_scheme walked QApplication.allWidgets()")

    monkeypatch.setattr(QtWidgets.QApplication, "allWidgets", refuse)
    scheme("dark")
    assert label.styleSheet() == f"color: {theme.WARNING_DARK};"
    scheme("light")
    assert label.styleSheet() == f"color: {theme.WARNING_LIGHT};"


def test_the_problems_button_turned_red_after_the_window_is_shown_dark_reads(qtbot, scheme):
    class WrongDerivative:
        @actviz.hookimpl
        def actviz_activations(self):
            return [actviz.Activation("wrong_square", "Wrong square", "z^2", lambda z: z * z,
                                      derivative=lambda z: 3 * z)]

    scheme("dark")
    win = MainWindow(registry=actviz.load_registry(extra=[("wrong", WrongDerivative())]))
    win.setProperty("testing", True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: "1 plugin problem" in win.problems_button.text(), timeout=5000)  # after the paint
    button = win.problems_button
    assert theme.WARNING_DARK in button.styleSheet() and theme.WARNING_LIGHT not in button.styleSheet()
    window = win.palette().color(QtGui.QPalette.ColorRole.Window)
    assert theme.contrast(QtGui.QColor(drawn_color(button)), window) >= theme.MIN_CONTRAST
    scheme("light")
    assert theme.WARNING_LIGHT in button.styleSheet()


@pytest.fixture
def misfit_registry(registry):
    """A squared error that declares Laplace noise: E is not an affine function of −ln p, so there is a misfit."""
    wrong = Loss(name="laplace_squared", label="Squared error, Laplace noise", formula="E=(y-t)^2/2",
                 function=lambda y, t: 0.5 * (y - t) ** 2, noise_model=noise_models.laplace(),
                 target=Param("t", 0.0, -1.0, 1.0), plugin="test")
    return Registry(losses={**registry.losses, "laplace_squared": wrong}, views=registry.views)


@pytest.mark.parametrize("name, red", [("dark", theme.WARNING_DARK), ("light", theme.WARNING_LIGHT)])
def test_the_likelihood_misfit_is_written_in_the_schemes_red(misfit_registry, scheme, name, red):
    scheme(name)
    view, app = build_view(misfit_registry, "likelihood", settings={"loss": "laplace_squared"})
    try:
        assert view.error == "" and view.fit.fit.max_residual > 0.1
        assert f"<span style='color:{red}'>E is not an affine function of −ln p" in view.fit_text.text()
    finally:
        close_view(view, app)


@pytest.mark.parametrize("name, red", [("dark", theme.WARNING_DARK), ("light", theme.WARNING_LIGHT)])
def test_the_delta_views_off_scale_notes_take_the_schemes_red(registry, scheme, name, red):
    scheme(name)
    view, app = build_view(registry, "delta")
    try:
        background = QtGui.QColor(view._note_fill().color())
        background.setAlpha(255)
        assert view._note_color() == red
        assert theme.contrast(QtGui.QColor(red), background) >= theme.MIN_CONTRAST
        assert (background.lightnessF() < 0.5) == (name == "dark")  # the plot's own background
    finally:
        close_view(view, app)


# -- every text colour role, not only the red ----------------------------------------------------------

WINDOWS = {"light": ("#efefef", "#ffffff"), "dark": (theme._DARK["Window"], theme._DARK["Base"])}


@pytest.mark.parametrize("role", sorted(theme.TEXT_COLORS))
def test_each_roles_colours_read_on_the_window_and_base_of_their_scheme(role):
    light, dark = theme.TEXT_COLORS[role]
    for color, backgrounds in ((light, WINDOWS["light"]), (dark, WINDOWS["dark"])):
        for background in backgrounds:
            assert theme.contrast(QtGui.QColor(color), QtGui.QColor(background)) >= theme.MIN_CONTRAST, \
                (role, color, background)


def test_a_role_styled_widget_keeps_its_role_and_declarations_across_switches(qtbot, scheme):
    scheme("light")
    label = shown_label(qtbot)
    theme.set_text_color(label, "success", "font-weight: bold;")
    assert label.styleSheet() == f"color: {theme.TEXT_COLORS['success'][0]}; font-weight: bold;"
    scheme("dark")
    assert label.styleSheet() == f"color: {theme.TEXT_COLORS['success'][1]}; font-weight: bold;"
    assert drawn_color(label) == theme.TEXT_COLORS["success"][1]
    theme.set_text_color(label, None, "font-weight: bold;")
    scheme("light")
    assert label.styleSheet() == "font-weight: bold;"
    with pytest.raises(KeyError):
        theme.set_text_color(label, "shouting")


@pytest.mark.parametrize("name", ["light", "dark"])
def test_the_tour_checks_found_and_waiting_lines_read_in_either_scheme(window, qtbot, scheme, name):
    from actviz.host.tours import collect_tours

    scheme(name)
    panel = window.start_tour(collect_tours(window.registry)["lecture"])
    panel.go(2)  # cheat sheet 2: logistic at β = 1, the check asks for a steeper β
    qtbot.waitUntil(lambda: panel.status.isVisible())
    background = panel.palette().color(QtGui.QPalette.ColorRole.Window)
    waiting = drawn_color(panel.status)
    assert "Not yet" in panel.status.text()
    window.models["function"].set("function.beta", 5.0)
    assert "Found it" in panel.status.text()
    found = drawn_color(panel.status)
    assert found != waiting
    for label, color in (("found", found), ("waiting", waiting), ("progress", drawn_color(panel.progress))):
        assert theme.contrast(QtGui.QColor(color), background) >= theme.MIN_CONTRAST, (name, label, color)

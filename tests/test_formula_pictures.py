"""Every formula a plugin gives is drawn whole: the picture is cut to its ink with a transparent border, so
no row of a piecewise formula is lost. mathtext's ``math_to_image`` sized the picture by its parser's box,
and ``\\left\\{`` around ``\\genfrac`` (every piecewise formula: ReLU, leaky ReLU, the step...) lost the top
of its first row, in the function view and the tour at every size."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib import image

from actviz.gui import formula_cache
from actviz.gui.formula import render_png


def _alpha(png: bytes) -> np.ndarray:
    return image.imread(io.BytesIO(png), format="png")[..., 3]


def _formulas(registry) -> list[tuple[str, str]]:
    specs = [*registry.activations.values(), *registry.losses.values()]
    return [(f"{s.name} {which}", tex) for s in specs for which, tex in (("f", s.formula),
                                                                           ("f′", s.derivative_formula)) if tex]


def test_every_formula_is_drawn_with_a_clear_border(registry, monkeypatch):
    monkeypatch.setenv("ACTVIZ_FORMULA_CACHE", "off")
    formulas = _formulas(registry)
    assert len(formulas) > 40
    cut = []
    for name, tex in formulas:
        png = render_png(tex, "#000000")
        if png is None:
            continue  # shown as text (the dialog and the label test that path)
        alpha = _alpha(png)
        border = np.concatenate([alpha[0], alpha[-1], alpha[:, 0], alpha[:, -1]])
        if border.max() > 0 or alpha.max() == 0:
            cut.append(name)
    assert not cut, f"drawn cut off or empty: {cut}"


def test_a_piecewise_formula_keeps_its_first_row(monkeypatch):
    """The picture holds the ink mathtext's own box cut: it is taller than that box."""
    from matplotlib import mathtext
    from matplotlib.font_manager import FontProperties

    monkeypatch.setenv("ACTVIZ_FORMULA_CACHE", "off")
    tex = r"f(z)=\left\{\genfrac{}{}{0}{}{z \quad z>0}{\alpha z \quad z\leq 0}\right."
    old = io.BytesIO()
    mathtext.math_to_image(f"${tex}$", old, prop=FontProperties(size=13), dpi=110, format="png")
    boxed = _alpha(old.getvalue())
    assert boxed[0].max() > 0  # the old picture's top row has ink: it was cut there
    drawn = _alpha(render_png(tex, "#000000"))
    assert drawn.shape[0] > boxed.shape[0] and drawn[0].max() == 0


def test_the_cache_key_changed_with_the_rendering(tmp_path, monkeypatch):
    """A cache filled by the old renderer is not read: its pictures were the cut ones."""
    monkeypatch.setenv("ACTVIZ_FORMULA_CACHE", str(tmp_path))
    path = formula_cache.path_for("x^2", "#000000", 13.0)
    monkeypatch.setattr(formula_cache, "VERSION", "1")
    assert formula_cache.path_for("x^2", "#000000", 13.0) != path


@pytest.mark.parametrize("color", ["#000000", "#e6e6e6"])
def test_the_picture_is_transparent_around_the_formula(color, monkeypatch):
    monkeypatch.setenv("ACTVIZ_FORMULA_CACHE", "off")
    alpha = _alpha(render_png(r"\sigma(z) = \frac{1}{1 + e^{-z}}", color))
    assert alpha[0, 0] == 0 and alpha.max() == 1.0

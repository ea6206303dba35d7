"""The lecture's built-in tour: its order and errata, every stop drawn headless, every check reachable."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from actviz.gui.headless import build_view, close_view
from actviz.host.tours import collect_tours
from actviz.models.tour import evaluate, fresh_model, stop_state
from actviz.specs import Activation
from actviz.testing import view_curves
from tests.tour_helpers import models_at

#: for every built-in stop with a check: a phrase of its text naming the control, and the values that find it
SOLUTIONS = {
    "Cheat sheet 1: the linear associator": ("function list", {"function": "squared_error"}),
    "Cheat sheet 2: the logistic unit and its slope β": ("slope β up to 5", {"function.beta": 5.0}),
    "ReLU and dying units": ("z = −50", {"zmin": -50.0}),
    "Leaky ReLU": ("α up to 1", {"function.alpha": 1.0}),
    "Exponential linear unit (ELU)": ("α down to 0", {"function.alpha": 0.0}),
    "Radial basis functions": ("centre w to 2", {"function.w": 2.0}),
    "playground.tensorflow.org, here": ("hidden activation to ReLU", {"activation": "relu"}),
    "Categorical outputs: softmax": ("z₂ to 3", {"function.z2": 3.0}),
    "Derivatives for categorical outputs": ("target t to 0", {"t": 0.0}),
    "Objective functions for neural nets": ("binary cross-entropy", {"function": "binary_cross_entropy"}),
    "Cross-entropy loss": ("t to 0", {"function.t": 0.0}),
    "The activation table: piecewise linear": ("x_min = −0.5, x_max = 0.5",
                                               {"function.xmin": -0.5, "function.xmax": 0.5}),
    "The activation table: Gaussian": ("μ to 2", {"function.mu": 2.0}),
    "Squared error versus cross-entropy": ("y = .99", {"ywrong": 0.99}),
    "Why a confidently wrong logistic unit stalls": ("how wrong |w| at 6", {"confidence": 6.0}),
    "Maximum likelihood estimation": ("80 heads in 100", {"n": 100, "k": 80}),
    "Probabilistic interpretation of squared-error loss": ("absolute error", {"loss": "absolute_error"}),
}

#: the errata of docs/DESIGN.md the tour shows side by side: a word of the lecture's claim and of the correction
ERRATA = [("0 for x ≥ 0", "0 for x ≤ 0"), ("f(x)(1 − f(x))", "β·f(x)"), ("2/(1 + e^(−z))", "e^(−2z)"),
          ("−x·f(x)/σ²", "−(x − μ)"), ("f′(x) = 1 for x_min", "1/(x_max − x_min)"),
          ("y* log(y)", "negative"), ("Δw = ε ∂E/∂y", "−ε ∂E/∂w"), ("y_j(1 − y_j)", "δ_j = y_j − t_j"),
          ("bits", "nats")]


@pytest.fixture(scope="module")
def lecture(registry):
    return collect_tours(registry)["lecture"]


def drawn_series(view) -> list[np.ndarray]:
    """The y data of every curve and scatter the view drew (PlotDataItem, PlotCurveItem, ScatterPlotItem)."""
    out = []
    for graphics in [view, *view.findChildren(pg.GraphicsView)]:
        if not isinstance(graphics, pg.GraphicsView):
            continue
        for item in graphics.scene().items():
            if isinstance(item, pg.PlotDataItem):
                y = item.getOriginalDataset()[1]
            elif isinstance(item, (pg.PlotCurveItem, pg.ScatterPlotItem)):
                y = item.getData()[1]
            else:
                continue
            out.append(np.asarray(y if y is not None else [], dtype=float))
    return out


# -- the built-in tour ---------------------------------------------------------------------------
def test_the_lecture_tour_walks_the_lecture_in_order(lecture):
    titles = [s.title for s in lecture.stops]
    order = ["perceptron", "linear associator", "logistic unit", "tanh", "ReLU", "Leaky", "Softplus", "ELU",
             "Radial", "playground", "softmax", "categorical outputs", "Objective", "Cross-entropy loss",
             "Squared error versus", "stalls", "Maximum likelihood", "Probabilistic interpretation"]
    positions = [next(i for i, t in enumerate(titles) if word in t) for word in order]
    assert positions == sorted(positions)
    assert lecture.plugin == "lecture" and len(lecture.stops) == 20
    views = {s.view for s in lecture.stops}
    assert {"function", "playground", "delta", "single_unit", "coin", "likelihood"} <= views


def test_every_erratum_is_shown_beside_its_correction(lecture):
    pairs = [(s.lecture_claim, s.correction) for s in lecture.stops if s.lecture_claim]
    for claim_word, correction_word in ERRATA:
        assert any(claim_word in claim and correction_word in correction for claim, correction in pairs), claim_word


@pytest.mark.parametrize("index", range(20))
def test_every_stop_opens_headless_and_draws(registry, lecture, index):
    stop = lecture.stops[index]
    model = fresh_model(registry, stop.view)
    assert model.restore(stop_state(registry, stop)) == []
    settings = stop.set_values()
    flat = settings.get("values", settings)
    for key, value in flat.items():  # the scene is what the stop says
        shown = model[key]
        assert (str(shown).rsplit("/", 1)[-1] == str(value).rsplit("/", 1)[-1] if isinstance(value, str)
                else shown == pytest.approx(value)), key
    view, app = build_view(registry, stop.view, size=(700, 500), model=model)
    try:
        assert not view.error and not view.cannot_draw()
        series = [y for y in drawn_series(view) if np.isfinite(y).sum() >= 2]
        assert len(series) >= 2, f"stop {index + 1} drew {len(series)} curves"
        if stop.view == "function":  # f is the stop's function at the stop's parameters
            x, y = view_curves(view)["f"]
            spec = model.spec
            args = (x,) if isinstance(spec, Activation) else (x, model.target)
            expected = spec.function(*args, **model.params)
            ok = np.isfinite(y) & np.isfinite(expected)
            assert ok.sum() > 100
            np.testing.assert_allclose(y[ok], expected[ok], rtol=1e-9, atol=1e-12)
    finally:
        close_view(view, app)


def test_pinned_logistic_is_drawn_beside_tanh(registry, lecture):
    stop = next(s for s in lecture.stops if s.title == "Logistic versus tanh")
    model = fresh_model(registry, stop.view)
    model.restore(stop_state(registry, stop))
    view, app = build_view(registry, "function", size=(700, 500), model=model)
    try:
        curves = view_curves(view)
        x, y = curves["Logistic (sigmoid) (beta=1)"]
        np.testing.assert_allclose(y, 1 / (1 + np.exp(-x)), rtol=1e-12)
        x, y = curves["f"]
        np.testing.assert_allclose(y, np.tanh(x), atol=1e-12)
    finally:
        close_view(view, app)


def test_every_check_is_reachable_with_the_controls_its_text_names(registry, lecture):
    checked = {s.title for s in lecture.stops if s.check is not None}
    assert checked == set(SOLUTIONS)
    for stop in lecture.stops:
        if stop.check is None:
            continue
        phrase, solution = SOLUTIONS[stop.title]
        assert phrase in stop.text, f"{stop.title}: the text does not name {phrase!r}"
        assert stop.check_text
        models = models_at(registry, stop)
        assert evaluate(stop, models) == (False, ""), f"{stop.title}: found before trying"
        models[stop.view].update(solution)  # the controls' own keys and ranges: a ModelError would fail here
        assert evaluate(stop, models) == (True, ""), f"{stop.title}: {solution} does not find it"


def test_a_check_can_be_lost_again(registry, lecture):
    stop = next(s for s in lecture.stops if s.title.startswith("Cheat sheet 2"))
    models = models_at(registry, stop)
    models["function"].set("function.beta", 5.0)
    assert evaluate(stop, models)[0] is True
    models["function"].set("function", "tanh")  # function.beta no longer applies
    assert evaluate(stop, models)[0] is False

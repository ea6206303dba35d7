"""Hostile plugin code at run time, on the GUI thread: SystemExit from a returned object, slow and
hanging calls, huge formulas and kink lists are contained and shown, never fatal.
"""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

import actviz
from actviz.host import evaluation


class _ExitingArray:
    """What a plugin function may return: an object whose conversion to an array ends the process."""

    def __array__(self, dtype=None, copy=None):
        raise SystemExit("__array__ says bye")


def test_system_exit_from_a_returned_object_is_a_line_in_the_function_view():
    """Before: np.asarray(out) let SystemExit through and the window closed; now it is a drawn message."""
    from actviz_views.function_model import compute

    spec = actviz.Activation(name="exits", label="Exits", formula="z", plugin="leaver",
                             function=lambda z: np.tanh(z) if z.size < 50 else _ExitingArray(),
                             derivative=lambda z: 1 / np.cosh(z) ** 2)
    curves = compute(spec, np.linspace(-1, 1, 200), {}, None, numerical=False)
    assert np.isnan(curves.values).all()
    [line] = curves.problems
    assert line.startswith("Exits (leaver): returned _ExitingArray, not an array")
    assert "SystemExit: __array__ says bye" in line


@pytest.fixture
def gui_limit():
    """The GUI's call limit, small as the issue asks for tests."""
    evaluation.set_call_limit(0.2)
    yield 0.2
    evaluation.set_call_limit(None)


def test_a_slow_call_on_the_gui_thread_is_reported_and_not_repeated(gui_limit):
    calls = []

    def sluggish(z, a):
        calls.append(a)
        if a > 0.5:
            time.sleep(0.6)
        return z * a

    x = np.linspace(-1, 1, 1000)
    assert evaluation.call(sluggish, x, a=0.25)[-1] == 0.25
    with pytest.raises(evaluation.SlowCall, match=r"function .*sluggish is slow: one call on 1000 points took "
                                                  r"longer than 0\.2 s$"):
        evaluation.call(sluggish, x, a=0.75)
    with pytest.raises(evaluation.SlowCall, match="not returned yet, so it is skipped"):
        evaluation.call(sluggish, x, a=0.5)  # the abandoned call is still running: no second thread
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # once the abandoned call returns, the same parameters are still skipped
        try:
            evaluation.call(sluggish, x, a=0.75)
        except evaluation.SlowCall as exc:
            if "skipped until a parameter changes" in str(exc):
                break
        time.sleep(0.05)
    with pytest.raises(evaluation.SlowCall, match="skipped until a parameter changes"):
        evaluation.call(sluggish, x, a=0.75)
    assert evaluation.call(sluggish, x, a=0.125)[0] == -0.125  # a new parameter: tried again, and fast
    assert calls == [0.25, 0.75, 0.125]
    assert not evaluation.slow_functions()


def test_a_hanging_function_view_redraw_shows_the_reason(gui_limit):
    """The function view's numbers with a plugin that never returns at one parameter value."""
    from actviz_views.function_model import compute

    def hangs(z, a):
        while a > 0.9:
            time.sleep(0.05)
        return z * a

    spec = actviz.Activation(name="hangs", label="Hangs", formula="a z", plugin="stuck", function=hangs,
                             derivative=lambda z, a: np.full_like(z, a),
                             params=(actviz.Param("a", 0.5, 0.0, 1.0),))
    xs = np.linspace(-1, 1, 100)
    ok = compute(spec, xs, {"a": 0.5}, None, numerical=True)
    assert ok.values[-1] == 0.5 and not ok.problems
    stuck = compute(spec, xs, {"a": 0.95}, None, numerical=True)
    assert np.isnan(stuck.values).all()
    [line] = stuck.problems
    assert re.match(r"Hangs \(stuck\): function hangs is slow: one call on \d+ points took longer than 0\.2 s", line)
    again = compute(spec, xs, {"a": 0.5}, None, numerical=True)  # still running: skipped, not waited for
    assert "so it is skipped" in again.problems[0]


def test_trusted_functions_run_on_the_gui_thread(gui_limit):
    """Training calls one function thousands of times: after a few fast calls it is called directly."""
    import threading

    threads = []

    def where(z):
        threads.append(threading.current_thread() is threading.main_thread())
        return z * 1.0

    for _ in range(evaluation.TRUST_AFTER + 2):
        evaluation.call(where, np.zeros(4))
    assert threads == [False] * evaluation.TRUST_AFTER + [True, True]
    evaluation.call(where, np.zeros(5))  # another shape: bounded again
    assert threads[-1] is False


def test_a_megabyte_formula_is_shown_as_text_without_rendering(qtbot, monkeypatch):
    from actviz.gui import formula

    def never(*args, **kwargs):
        raise AssertionError("mathtext must not see this formula")

    monkeypatch.setattr(formula, "render_later", never)
    label = formula.FormulaLabel()
    qtbot.addWidget(label)
    tex = "x^2 + " * 200_000
    label.set_formula(tex, deferred=False)
    assert not label.rendered
    assert label.text().endswith(f"…  ({len(tex)} characters; formulas over 2000 are shown as text)")
    assert len(label.text()) < 400 and len(label.toolTip()) < 400


def test_a_formula_that_renders_too_long_is_abandoned(qtbot, monkeypatch):
    """mathtext runs on its own thread; the label gives up after the limit and shows the source."""
    import threading

    from actviz.gui import formula

    release = threading.Event()

    def slow_png(tex, color, size=13.0):
        release.wait(10)
        return None

    monkeypatch.setenv("ACTVIZ_FORMULA_TIMEOUT", "0.1")
    monkeypatch.setattr(formula, "render_png", slow_png)
    label = formula.FormulaLabel()
    qtbot.addWidget(label)
    label.show()
    label.set_formula(r"\frac{a}{b_{slow}}")
    qtbot.waitUntil(lambda: "took longer than 0.1 s to render" in label.text(), timeout=5000)
    assert label.text().startswith(r"\frac{a}{b_{slow}}") and not label.rendered
    other = formula.FormulaLabel()
    qtbot.addWidget(other)
    other.set_formula(r"\alpha_{busy}", deferred=False)  # the thread is taken: shown as text at once
    assert other.text() == r"\alpha_{busy}" and not other.rendered
    release.set()
    formula._renderer.submit(lambda: None).result(5)


def test_half_a_million_kinks_are_capped_so_a_redraw_stays_small():
    """A plugin declaring 500k kinks used to make every redraw sample and mask around all of them."""
    import numpy as np

    from actviz.host.registry import MAX_KINKS, kinks_of

    spec = actviz.Activation("jagged", "Jagged", "z", lambda z: z.copy(), derivative=lambda z: np.ones_like(z),
                             kinks=lambda: np.linspace(-5e5, 5e5, 500_001))
    kinks = kinks_of(spec, {}, None)
    assert len(kinks) == MAX_KINKS
    assert max(abs(k) for k in kinks) < 2 * MAX_KINKS  # the ones near the origin, where the plot starts
    assert 0.0 in kinks

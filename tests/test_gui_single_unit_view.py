"""The update-rules view on its Qt-free model: what is drawn, undo, state, ``--set`` keys."""

from __future__ import annotations

import numpy as np
import pytest
from actviz_views.single_unit_model import SingleUnitModel, Units

from actviz.gui import History, ModelError, build_view
from actviz.maths.learning import RULES
from tests.conftest import settle


def drawn(curve):
    x, y = curve.getData()
    return np.asarray(x), np.asarray(y)


@pytest.fixture
def make_view(qtbot, registry):
    def make(settings=None, history=None):
        view, _ = build_view(registry, "single_unit", size=(1100, 720), settings=settings, history=history)
        qtbot.addWidget(view)
        return view
    return make


def test_drawn_decision_lines_are_the_trainers_lines(make_view):
    view = make_view({"steps": 40})
    assert view.step_count == 40
    for rule in RULES:
        x, y = drawn(view.lines[rule])
        seg = view.trainers[rule].line(view.units.bounds)
        assert seg is not None
        np.testing.assert_array_equal(x, seg[0])
        np.testing.assert_array_equal(y, seg[1])
        px, py = drawn(view.paths[rule])
        path = np.asarray(view.trainers[rule].path)
        np.testing.assert_array_equal(px, path[:, 0])
        np.testing.assert_array_equal(py, path[:, 1])
    assert view.status_label.text().startswith("step 40 · loss:")
    assert " ms" not in view.status_label.text()  # no timings for students


def test_all_units_start_from_the_same_confidently_wrong_weights(make_view):
    view = make_view()
    starts = [t.path[0] for t in view.trainers.values()]
    assert all(np.array_equal(s, starts[0]) for s in starts)
    assert all(t.errors() == len(view.units.x) for t in view.trainers.values() if t.rule != "delta")


def test_cross_entropy_drops_while_squared_error_stays(make_view):
    view = make_view({"steps": 300})
    _, se = drawn(view.loss_curves["logistic_squared_error"])
    steps, ce = drawn(view.loss_curves["logistic_cross_entropy"])
    assert steps.size == 301
    np.testing.assert_array_equal(ce, view.trainers["logistic_cross_entropy"].losses)
    assert se[0] > 0.49 and se[-1] > 0.49  # squared error stays at its worst
    assert ce[0] > 5 and ce[-1] < 0.05  # cross-entropy recovers
    assert "100 wrong" in view.loss_plots["logistic_squared_error"].titleLabel.text
    assert ": 0 wrong" in view.loss_plots["logistic_cross_entropy"].titleLabel.text
    low, high = view.loss_plots["logistic_squared_error"].viewRange()[1]
    assert low <= 0.0 and high >= 0.5  # drawn from 0: the flat curve looks flat
    assert "y(1 − y)" in view.explanation.text()


def test_explanation_follows_the_start_and_rules(make_view, qtbot):
    view = make_view()
    view.model.update({"start": "zero", "rules": "perceptron"})
    settle(qtbot)
    text = view.explanation.text()
    assert "zero weights" in text and "confidently wrong" not in text and "perceptron" in text


def test_step_run_pause_and_rule_selection(make_view, qtbot):
    view = make_view()
    view.step_button.click()
    settle(qtbot)
    assert view.step_count == 1
    view.model.set("speed", 600)
    assert view.step_count == 1  # speed keeps the trained units
    view.run_button.click()
    assert view.running and view.run_button.text() == "Pause"
    qtbot.waitUntil(lambda: view.step_count > 30, timeout=3000)
    view.run_button.click()
    assert not view.running
    count = view.step_count
    settle(qtbot, 60)
    assert view.step_count == count
    view.panel.widgets["rules"].combo.setCurrentIndex(1)
    view.panel.widgets["rules"].combo.activated.emit(1)
    settle(qtbot)
    assert view.model["rules"] == "logistic" and view.step_count == count
    assert not view.lines["perceptron"].isVisible() and view.lines["logistic_cross_entropy"].isVisible()
    cols = view.export_columns()
    assert set(cols) >= {"logistic_cross_entropy loss", "logistic_squared_error w1"}
    assert not any(k.startswith("perceptron") for k in cols)
    view.reset_button.click()
    settle(qtbot)
    assert view.step_count == 0
    with pytest.raises(ModelError, match="learning_rate=5 is outside"):
        view.model.set("learning_rate", 5.0)


def test_a_control_change_rebuilds_the_units(make_view, qtbot):
    view = make_view({"steps": 10})
    view.model.set("seed", 7)
    settle(qtbot)
    assert view.step_count == 10  # rebuilt, then the model's steps again
    assert np.array_equal(view.units.x, Units(view.model).x)


def test_export_columns_after_steps(make_view):
    view = make_view({"rules": "logistic", "steps": 100})
    cols = view.export_columns()
    ce = cols["logistic_cross_entropy loss"]
    assert ce.size == 101 and ce[-1] < ce[0]
    assert "perceptron loss" not in cols


def test_state_round_trips_on_a_fresh_model(registry):
    model = SingleUnitModel(registry)
    model.update({"rules": "delta", "start": "zero", "learning_rate": 0.2, "seed": 5, "points": 60})
    fresh = SingleUnitModel(registry)
    assert fresh.restore(model.state()) == []
    assert fresh.values() == model.values()


def test_update_takes_keys_in_any_order_and_names_a_bad_one(registry):
    model = SingleUnitModel(registry)
    model.update({"seed": 3, "rules": "logistic", "start": "zero"})
    assert model["rules"] == "logistic" and model["seed"] == 3
    with pytest.raises(ModelError, match="rules='nope'"):
        model.update({"seed": 4, "rules": "nope"})
    assert model["seed"] == 3  # all or nothing
    with pytest.raises(ModelError, match="points"):
        model.set("points", 5000)


def test_undo_and_redo_restore_the_drawn_curves(make_view, qtbot):
    history = History()
    view = make_view({"steps": 50}, history=history)
    before = drawn(view.loss_curves["logistic_cross_entropy"])[1].copy()
    view.model.set("learning_rate", 0.5)
    settle(qtbot)
    after = drawn(view.loss_curves["logistic_cross_entropy"])[1].copy()
    assert not np.array_equal(before, after)
    history.undo()
    settle(qtbot)
    np.testing.assert_array_equal(drawn(view.loss_curves["logistic_cross_entropy"])[1], before)
    assert view.panel.widgets["learning_rate"].value() == pytest.approx(0.05)
    history.redo()
    settle(qtbot)
    np.testing.assert_array_equal(drawn(view.loss_curves["logistic_cross_entropy"])[1], after)


def test_no_si_prefixes(make_view):
    view = make_view()
    plots = [view.plot_data, view.plot_path, *view.loss_plots.values()]
    assert all(not p.getAxis(side).autoSIPrefix for p in plots for side in ("left", "bottom"))


def _count_set_data(monkeypatch, item) -> list[int]:
    calls = [0]
    original = item.setData

    def counted(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(item, "setData", counted)
    return calls


def test_dragging_how_wrong_redraws_the_units_not_the_points_and_holds_the_scales(make_view, qtbot, monkeypatch):
    view = make_view()
    settle(qtbot)
    pos_calls = _count_set_data(monkeypatch, view.points_pos)
    neg_calls = _count_set_data(monkeypatch, view.points_neg)
    data_range = view.plot_data.viewRange()
    path_range = view.plot_path.viewRange()
    loss_ranges = {rule: plot.viewRange()[1] for rule, plot in view.loss_plots.items()}
    x_before = view.units.x
    for confidence in (2.8, 2.6):  # the start weights shrink a little: every loss stays above a third of its axis
        view.model.set("confidence", confidence)
        settle(qtbot)
        start = view.trainers["delta"].path[0]
        np.testing.assert_allclose(np.hypot(*start[:2]), confidence)  # the units did follow the control
        assert view.heads.points()[1].pos().x() == pytest.approx(start[0])
        assert drawn(view.paths["delta"])[0].size == 0  # one point draws no line: not set on every frame
    assert view.units.x is x_before  # the same points, not drawn again
    assert pos_calls[0] == neg_calls[0] == 0
    assert view.plot_data.viewRange() == data_range
    assert view.plot_path.viewRange() == path_range  # the weight plane holds its scale
    for rule, plot in view.loss_plots.items():
        low, high = plot.viewRange()[1]
        assert (low, high) == tuple(loss_ranges[rule]), rule  # no axis re-rendered on every frame
        assert low == 0.0 and high >= max(view.trainers[rule].losses), rule  # from 0, and the loss inside
    path_low, path_high = view.plot_path.viewRange()[0]
    assert path_low <= 0.0 <= path_high  # zero weights in view: how far the start is from them


def test_new_points_are_drawn_and_framed(make_view, qtbot):
    view = make_view()
    view.model.set("seed", 9)
    settle(qtbot)
    x, _ = drawn(view.points_pos)
    np.testing.assert_array_equal(x, view.units.x[view.units.t == 1][:, 0])
    x1lo, x1hi, x2lo, x2hi = view.units.bounds
    (a, b), (c, d) = view.plot_data.viewRange()
    # aspect locked: one of the two may be wider than the points
    assert a <= x1lo + 1e-9 and x1hi - 1e-9 <= b and c <= x2lo + 1e-9 and x2hi - 1e-9 <= d


def test_loss_axis_top_holds_inside_and_refits_to_round_numbers():
    from actviz_views.single_unit_model import loss_axis_top

    assert loss_axis_top(None, 0.5) == pytest.approx(0.55)
    assert loss_axis_top(0.55, 0.3) == 0.55  # held: the loss fills more than a third
    assert loss_axis_top(0.55, 0.1) < 0.2  # re-fitted when it fills less
    assert loss_axis_top(0.55, 0.6) >= 0.6  # and when it leaves
    assert loss_axis_top(None, 0.0) > 0  # a zero loss still gets an axis
    assert loss_axis_top(None, float("nan")) == pytest.approx(1.1)  # no finite loss: a unit axis


def test_one_head_per_shown_unit_at_its_current_weights(make_view, qtbot):
    view = make_view({"steps": 20})
    points = view.heads.points()
    assert len(points) == 4
    for point, rule in zip(points, RULES, strict=True):
        w = view.trainers[rule].path[-1]
        assert (point.pos().x(), point.pos().y()) == pytest.approx((w[0], w[1]))
        assert point.brush().color() == view.paths[rule].opts["pen"].color()  # in its unit's colour
    view.model.set("rules", "logistic")
    settle(qtbot)
    assert len(view.heads.points()) == 2


def test_the_status_line_follows_a_drag_without_re_running_the_page_layout(make_view, qtbot):
    from PySide6 import QtCore, QtWidgets

    view = make_view()
    view.show()
    settle(qtbot)
    assert view.status_label.width() == view.status_box.width() > 100  # the line spans its box
    requests = []

    class Watch(QtCore.QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt API
            if event.type() == QtCore.QEvent.Type.LayoutRequest:
                requests.append(obj)
            return False

    watch = Watch()
    page = view.status_box.parentWidget()
    watched = [page, *page.findChildren(QtWidgets.QWidget), view]
    for widget in watched:
        widget.installEventFilter(watch)
    try:
        texts = set()
        for confidence in (4.0, 5.0, 6.0):
            view.model.set("confidence", confidence)
            settle(qtbot)
            texts.add(view.status_label.text())
    finally:
        for widget in watched:
            widget.removeEventFilter(watch)
    assert len(texts) == 3  # the losses in the line changed every time
    assert [w for w in requests if w is not view.status_box] == []


def test_a_one_point_loss_or_path_is_left_empty_and_not_set_on_every_frame(make_view, qtbot, monkeypatch):
    view = make_view()  # step 0: every loss and weight path is one point, which draws no line
    calls = [_count_set_data(monkeypatch, c) for c in (*view.loss_curves.values(), *view.paths.values())]
    for confidence in (4.0, 5.0):
        view.model.set("confidence", confidence)
        settle(qtbot)
    assert [c[0] for c in calls] == [0] * 8
    assert all(drawn(c)[0].size == 0 for c in view.loss_curves.values())
    view.step(1)
    settle(qtbot)
    for rule, curve in view.loss_curves.items():  # two points: a line again
        np.testing.assert_array_equal(drawn(curve)[1], view.trainers[rule].losses)
        assert drawn(view.paths[rule])[0].size == 2


def test_a_drag_between_two_regimes_keeps_one_loss_scale_and_narrows_when_it_rests(make_view, qtbot):
    """Dragging how wrong from 7.7 to 3.3 and back: the loss axes only grow mid-drag; at rest they fit again."""
    view = make_view()
    settle(qtbot)
    tops = []
    for confidence in (7.7, 3.3, 7.7, 3.3, 7.7, 3.3):
        view.model.set("confidence", confidence, merge=True)
        settle(qtbot)
        tops.append({rule: plot.viewRange()[1][1] for rule, plot in view.loss_plots.items()})
    assert view.moving and all(t == tops[0] for t in tops)  # one scale for both ends of the drag
    big = tops[0]
    qtbot.waitUntil(lambda: not view.moving, timeout=3000)
    settle(qtbot)
    for rule, plot in view.loss_plots.items():
        low, high = plot.viewRange()[1]
        losses = max(view.trainers[rule].losses)
        assert low == 0.0 and losses <= high, rule
        if losses < big[rule] / 3:  # the loss at 3.3 fills under a third of the drag's axis: fitted at rest
            assert high < big[rule], rule
    assert any(plot.viewRange()[1][1] < big[rule] for rule, plot in view.loss_plots.items())

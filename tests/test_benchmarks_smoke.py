"""The benchmark suite runs and reports well-formed results (tiny repeat counts; nothing is timed here).

What it does check, because it is a count and not a time: every frame of
every view paints exactly once, the true floor draws the same curves as the
view, and each plugin function is called once per curve per frame.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import calls, discovery, latency, memory, startup
from benchmarks.__main__ import combine, table, targets
from benchmarks.floor import Floor, capture
from benchmarks.frames import flush


def _positive_stats(res: dict) -> None:
    for key in ("median", "p95", "min", "mean"):
        assert res[key] > 0, key
    assert res["p95"] >= res["median"] >= res["min"]
    assert res["n"] > 0


@pytest.fixture(scope="module")
def latency_results(qapp):
    return latency.run(repeats=3, zoom_repeats=2, warmup=1, with_matplotlib=True)


def test_every_view_paints_each_frame_exactly_once(latency_results):
    r = latency_results
    assert {"function, 0 pins", "function, 4 pins"} <= set(r["views"])
    assert r["views"]["function, 4 pins"]["curves"] > r["views"]["function, 0 pins"]["curves"]
    for name, res in [*r["views"].items(), *r["zoom"].items()]:
        _positive_stats(res)
        assert res["timeouts"] == 0, name
        if res["viewports"] == 0:  # the drag repaints no plot (the playground's learning rate while paused)
            assert name == "playground" and res["paints"] == {"0": res["n"]}, name
            continue
        assert res["paints"] == {"1": res["n"] * res["viewports"]}, f"{name}: paints per frame {res['paints']}"
    assert set(r["zoom"]) == {"10", "1000", "1e+06"}
    _positive_stats(r["naive_floor"])
    _positive_stats(r["matplotlib"])
    assert r["shape"]["curves"] == r["views"]["function, 4 pins"]["curves"]
    for name in latency.OTHER_VIEWS:  # every other view is either measured or skipped with a reason
        assert (name in r["views"]) != (name in r["skipped"])


def test_the_true_floor_paints_once_and_beside_every_view(latency_results):
    for name, res in latency_results["views"].items():
        if "floor_missing" in res:
            continue
        floor = res["floor"]
        _positive_stats(floor)
        assert floor["paints"] == {"1": floor["n"] * floor["viewports"]}, name
        assert res["ratio"] == pytest.approx(res["median"] / floor["median"])
        assert sum(s["changed"] for s in res["floor_shape"]) >= 1, name


def test_floor_draws_what_the_view_drew(qapp):
    window, app = latency.make_window()
    try:
        view, _, perturb = latency.prepare_function_view(window, app, 4)
        shapes = capture(view, perturb, lambda: flush(app, 0.02))
        assert len(shapes) == 1
        plots = shapes[0].plots
        assert len(plots) == 2  # f above f′
        # the f plot: the shown function and 4 pins, each with the view's points
        curves = [i for i in plots[0].items if i.kind == "curve"]
        assert len(curves) == 5
        assert curves[0].points() == view.xs.size
        assert np.array_equal(curves[0].frames[-1]["y"], view.curve_f.yData, equal_nan=True)
        assert sum(i.changed() for p in plots for i in p.items) == 3  # f, f′ and the numerical f′ move
        floor = Floor(shapes, (view.width(), view.height()))
        floor.show()
        flush(app, 0.02)
        floor.perturb(1)
        flush(app, 0.02)
        drawn = [it for it in floor.widgets[0].scene().items() if type(it).__name__ == "PlotDataItem"]
        assert len(drawn) == sum(i.kind == "curve" for p in plots for i in p.items)
        lines = [it for it in floor.widgets[0].scene().items() if type(it).__name__ == "InfiniteLine"]
        assert len(lines) == sum(i.kind == "line" for p in plots for i in p.items) >= 2  # the zero lines
        assert any(np.array_equal(d.yData, view.curve_f.yData, equal_nan=True) for d in drawn)
        # hand-set ranges, no grid
        plot = next(it for it in floor.widgets[0].scene().items() if type(it).__name__ == "PlotItem")
        assert not any(plot.vb.autoRangeEnabled())
        assert plot.getAxis("left").grid is False
        floor.close()
    finally:
        latency.close_window(window, app)


def test_the_floor_moves_the_lines_the_view_moves(qapp):
    """Likelihood's marker line at y moves on every frame of a y drag: the floor draws it and moves it too."""
    window, app = latency.make_window()
    try:
        view, _, perturb = latency.prepare_view(window, app, "likelihood")
        shapes = capture(view, perturb, lambda: flush(app, 0.02))
        moving = [i for s in shapes for p in s.plots for i in p.items if i.kind == "line" and i.changed()]
        assert [i.source for i in moving] == [view.line_y]
        floor = Floor(shapes, (view.width(), view.height()))
        floor.show()
        flush(app, 0.02)
        made = [new for item, new in floor.updates if item is moving[0]]
        for k in (0, 1):
            floor.perturb(k)
            assert made[0].value() == moving[0].frames[k]["pos"]
        assert moving[0].frames[0]["pos"] != moving[0].frames[1]["pos"]
        floor.close()
    finally:
        latency.close_window(window, app)


def test_each_plugin_function_is_called_once_per_curve_per_frame(qapp):
    window, app = latency.make_window()
    try:
        r = calls.function_view_calls(window, app, frames=3)
    finally:
        latency.close_window(window, app)
    assert r["frames"] == 3
    shown = r["functions"][r["shown"]]
    assert shown["f"] == 1 and shown["df"] == 1, f"{r['shown']}: f {shown['f']}×, f′ {shown['df']}× per frame"
    for name, c in r["functions"].items():
        if name != r["shown"]:  # a pin depends on x and its own values only: not re-evaluated while β moves
            assert c["f"] == 0 and c["df"] == 0, f"pin {name}: f {c['f']}×, f′ {c['df']}× per frame"
    # the shown function's one call of f also feeds the numerical f′ (the grid and z ± h: 3 points per x);
    # the derivative check's Richardson levels are not evaluated on a drag frame, only once the value rests
    points = window.views["function"].xs.size
    assert shown["f_points"] == 3 * points


def test_startup_structure():
    r = startup.run(runs=1, warm=False)
    for mode in ("bare", "actviz", "actviz-nomath"):
        assert r[mode]["median"] > 0
        assert isinstance(r[mode]["heavy_before_paint"], list)
    assert "matplotlib" not in r["actviz-nomath"]["heavy_before_paint"]
    assert r["ratio"] > 0


def test_discovery_loads_every_synthetic_plugin():
    r = discovery.run(counts=(0, 3), runs=1, warm=1)
    zero, three = r["counts"]["0"], r["counts"]["3"]
    assert three["activations"] == zero["activations"] + 3
    assert three["plugins"] == zero["plugins"] + 3
    assert three["problems"] == zero["problems"]
    assert zero["cold_median"] > 0 and three["cold_median"] > 0


def test_memory_structure():
    r = memory.run(runs=1)
    assert r["peak_mib"] > 0
    assert "function" in r["views"]


def test_combine_takes_medians_and_extremes():
    runs = [{"median": 3.0, "paints_per_frame_max": 1, "paints_per_frame_min": 1, "name": "a"},
            {"median": 1.0, "paints_per_frame_max": 2, "paints_per_frame_min": 1, "name": "b"},
            {"median": 2.0, "paints_per_frame_max": 1, "paints_per_frame_min": 0, "name": "c"}]
    assert combine(runs) == {"median": 2.0, "paints_per_frame_max": 2, "paints_per_frame_min": 0, "name": "c"}


def test_table_and_targets(latency_results):
    result = {"machine": {"date": "d", "nproc": 2, "cpu": "c", "loads": [0.5, 0.6, 0.7]}, "window": [1000, 700],
              "runs": 3, "latency": latency_results,
              "calls": {"shown": "logistic", "frames": 3,
                        "functions": {"logistic": {"f": 1.0, "df": 2.0, "f_points": 10.0}}}}
    result["targets"] = targets(result)
    rows = {name: ok for name, _, ok in result["targets"]}
    assert rows["function view: each f, f′ called once per frame"] is False  # f′ twice is a MISS
    assert rows["exactly one paint per frame, every view"] is True
    assert any(name.startswith("depth 50×128") for name in rows)
    text = table(result)
    assert "0.50, 0.60, 0.70" in text and "median of 3" in text
    assert "actviz/floor" in text and "naive reference" in text

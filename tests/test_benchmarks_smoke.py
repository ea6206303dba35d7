"""The benchmark suite runs and reports well-formed results (tiny repeat counts; nothing is timed here)."""

from __future__ import annotations

import pytest

from benchmarks import discovery, latency, memory, startup
from benchmarks.__main__ import table, targets


def _positive_stats(res: dict) -> None:
    for key in ("median", "p95", "min", "mean"):
        assert res[key] > 0, key
    assert res["p95"] >= res["median"] >= res["min"]
    assert res["n"] > 0


@pytest.fixture(scope="module")
def latency_results(qapp):
    return latency.run(repeats=3, zoom_repeats=2, warmup=1, with_matplotlib=True)


def test_latency_structure_and_one_paint_per_frame(latency_results):
    r = latency_results
    assert set(r["function"]) == {"pins0", "pins4"}
    assert r["function"]["pins4"]["curves"] > r["function"]["pins0"]["curves"]
    for res in [*r["function"].values(), *r["zoom"].values(), *r["views"].values()]:
        _positive_stats(res)
        assert res["timeouts"] == 0
        assert res["viewports"] >= 1
        assert res["paints_per_frame_min"] >= 1  # every frame is drawn
    for res in [*r["function"].values(), *r["zoom"].values()]:
        assert res["paints_per_frame_min"] == res["paints_per_frame_max"] == 1  # and the function view exactly once
    assert set(r["zoom"]) == {"10", "1000", "1e+06"}
    _positive_stats(r["floor"])
    _positive_stats(r["matplotlib"])
    assert r["shape"]["curves"] == r["function"]["pins4"]["curves"]
    for name in latency.OTHER_VIEWS:  # every other view is either measured or skipped with a reason
        assert (name in r["views"]) != (name in r["skipped"])


def test_startup_structure():
    r = startup.run(runs=1, warm=False)
    for mode in ("bare", "actviz", "actviz-nomath"):
        assert r[mode]["median"] > 0
        assert isinstance(r[mode]["heavy_before_paint"], list)
    assert r["actviz-nomath"]["heavy_before_paint"] == [] or "matplotlib" not in r["actviz-nomath"][
        "heavy_before_paint"]
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


def test_table_and_targets(latency_results):
    result = {"machine": {"date": "d", "nproc": 2, "cpu": "c", "load_before": 0.0}, "window": [1000, 700],
              "latency": latency_results}
    result["targets"] = targets(result)
    names = [name for name, _, _ in result["targets"]]
    assert "actviz/floor ≤ 1.5" in names and "matplotlib/actviz ≥ 3" in names
    text = table(result)
    assert "PASS" in text or "MISS" in text

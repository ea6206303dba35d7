"""The memory benchmark's breakdown: resident MiB after the main window, and what each view added (no timings)."""

from __future__ import annotations

from benchmarks import memory
from benchmarks.memory_probe import rss_mib


def test_breakdown_is_the_growth_per_view_median_over_runs():
    reports = [
        {"steps": [["window", 120.0], ["function", 121.0], ["delta", 127.0]]},
        {"steps": [["window", 124.0], ["function", 126.0], ["delta", 130.0]]},
        {"steps": [["window", 122.0], ["function", 122.5], ["delta", 129.5]]},
    ]
    result = memory.breakdown(reports)
    assert result["window_mib"] == 122.0
    assert result["view_mib"] == {"function": 1.0, "delta": 6.0}


def test_breakdown_of_reports_without_steps_is_empty():
    assert memory.breakdown([{"peak_mib": 150.0}]) == {}


def test_rss_is_read_in_mib():
    assert 1.0 < rss_mib() < 100_000.0

"""Memory: peak RSS of a fresh process with the main window and every view opened once."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = Path(__file__).with_name("memory_probe.py")


def probe_env(tmp: str) -> dict[str, str]:
    """Private settings and a private formula cache in ``tmp``."""
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", ACTVIZ_SETTINGS=os.path.join(tmp, "actviz.ini"),
                ACTVIZ_FORMULA_CACHE=os.path.join(tmp, "formulas"))


def warm_formula_cache(tmp: str) -> int:
    """Open every view once and wait for its formulas: the PNGs a warm start reads. Returns how many."""
    subprocess.run([sys.executable, str(PROBE), "warm"], env=probe_env(tmp), capture_output=True, text=True,
                   timeout=300)
    return len(list(Path(tmp, "formulas").glob("*.png")))


def run(runs: int = 2, warm: bool = True) -> dict:
    """Peak RSS (median of ``runs`` fresh processes), after one run that fills the formula cache."""
    reports = []
    cached = 0
    with tempfile.TemporaryDirectory(prefix="actviz-bench-") as tmp:
        env = probe_env(tmp)
        if warm:
            cached = warm_formula_cache(tmp)
        for _ in range(runs):
            proc = subprocess.run([sys.executable, str(PROBE)], env=env, capture_output=True, text=True,
                                  timeout=300)
            lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
            if proc.returncode != 0 or not lines:
                raise RuntimeError(f"memory probe failed ({proc.returncode}): {proc.stderr[-2000:]}")
            reports.append(json.loads(lines[-1]))
    peaks = [r["peak_mib"] for r in reports]
    return {"peak_mib": statistics.median(peaks), "max_mib": max(peaks), "n": len(peaks),
            "views": reports[-1]["views"], "matplotlib_loaded": reports[-1]["matplotlib"],
            "cached_formulas": cached, **breakdown(reports)}


def breakdown(reports: list[dict]) -> dict:
    """Where the peak comes from: resident MiB after the main window, and what opening each view added.

    Medians over the runs. The window's figure includes its first tab's view, built with it;
    a view's figure is the growth of the resident set while it opened and drew once.
    """
    windows, added = [], {}
    for report in reports:
        steps = report.get("steps") or []
        if not steps:
            continue
        windows.append(steps[0][1])
        for (_, before), (name, after) in zip(steps, steps[1:], strict=False):
            added.setdefault(name, []).append(after - before)
    if not windows:
        return {}
    return {"window_mib": statistics.median(windows),
            "view_mib": {name: statistics.median(values) for name, values in added.items()}}

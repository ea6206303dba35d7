"""Start-up: whole processes, launch → first painted main window, against a bare Qt window.

Bytecode is compiled as an install leaves it, for both: the probes use a
private ``PYTHONPYCACHEPREFIX`` that the warm-up launches fill (this machine
sets ``PYTHONDONTWRITEBYTECODE``, and the repository has no ``__pycache__``,
so otherwise every actviz start compiled all of actviz's modules — an
installed actviz has them compiled by ``pip``; bare's PySide6 and pyqtgraph
always had theirs).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .memory import probe_env, warm_formula_cache

PROBE = Path(__file__).with_name("startup_probe.py")


def launch(mode: str, settings_dir: str, write_bytecode: bool = False) -> dict:
    env = dict(probe_env(settings_dir), PYTHONPYCACHEPREFIX=str(Path(settings_dir) / "pycache"))
    if write_bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    t0 = time.time()
    proc = subprocess.run([sys.executable, str(PROBE), mode], env=env, capture_output=True, text=True, timeout=120)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"start-up probe {mode} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    report = json.loads(lines[-1])
    report["seconds"] = report["painted"] - t0
    return report


def run(runs: int = 5, warm: bool = True) -> dict:
    """Median wall time (ms) from launch to first painted window, per mode, and the ratios."""
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="actviz-bench-") as settings_dir:
        if warm:  # warm the OS file cache for both, and the formula cache as a second start finds it
            warm_formula_cache(settings_dir)
            for mode in ("bare", "actviz", "actviz-nomath"):  # and the bytecode, as an install leaves it
                launch(mode, settings_dir, write_bytecode=True)
        samples: dict[str, list[dict]] = {"bare": [], "actviz": [], "actviz-nomath": []}
        for _ in range(runs):
            for mode in samples:  # interleaved, so load drift hits both
                samples[mode].append(launch(mode, settings_dir))
    for mode, reports in samples.items():
        secs = [r["seconds"] * 1e3 for r in reports]
        out[mode] = {"median": statistics.median(secs), "min": min(secs), "max": max(secs), "n": len(secs),
                     "heavy_before_paint": sorted({m for r in reports for m in r["heavy"]}),
                     "modules": reports[-1]["modules"]}
    out["ratio"] = out["actviz"]["median"] / out["bare"]["median"]
    out["ratio_nomath"] = out["actviz-nomath"]["median"] / out["bare"]["median"]
    return out

"""Discovery: registry load with the built-ins plus N synthetic plugin distributions.

Each synthetic plugin is a real installed distribution: a ``.dist-info``
directory with ``METADATA`` and an ``entry_points.txt`` for the group
``actviz``, and a tiny module adding one activation. They live in a
temporary directory put on ``sys.path`` of a fresh process, so every import
and every metadata scan is paid, as at a real start.

Bytecode is compiled as an install leaves it: the children use a private
``PYTHONPYCACHEPREFIX`` that one unmeasured child per N fills (``pip``
compiles on install; this machine sets ``PYTHONDONTWRITEBYTECODE``, so
without it every child would compile every plugin and actviz's own modules).
``cold`` is the first ``load_registry()`` of a fresh process: the registry
the app draws from. Its derivative checks run when ``problems`` is first read
(after the first paint in the app); ``checks`` is that read, and
``cold + checks`` what the load cost when they ran inside it.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

MODULE = '''import numpy as np

import actviz


@actviz.hookimpl
def actviz_activations():
    return [actviz.Activation(
        name="bench_{i}", label="Bench {i}", formula=r"\\\\tanh({k} z)",
        function=lambda z: np.tanh({k} * z), derivative=lambda z: {k} / np.cosh({k} * z) ** 2,
    )]
'''

CHILD = r'''
import json, sys, time
sys.path.insert(0, sys.argv[1])
import actviz
from actviz.host.registry import load_registry
t0 = time.perf_counter()
reg = load_registry()
cold = time.perf_counter() - t0
t0 = time.perf_counter()
problems = reg.problems  # the derivative checks the load left for the first read
checks = time.perf_counter() - t0
warm = []
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    load_registry()
    warm.append(time.perf_counter() - t0)
print(json.dumps({"cold": cold, "checks": checks, "warm": warm, "activations": len(reg.activations),
                  "plugins": len(reg.plugins), "problems": [str(p) for p in problems]}))
'''


def write_plugins(root: Path, n: int) -> None:
    """Install ``n`` one-activation plugin distributions into ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        name = f"actviz_bench_{i}"
        (root / f"{name}.py").write_text(MODULE.format(i=i, k=1 + (i % 7) / 7), encoding="utf-8")
        info = root / f"{name}-0.1.dist-info"
        info.mkdir(exist_ok=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(f"[actviz]\nbench_{i} = {name}\n", encoding="utf-8")
        (info / "RECORD").write_text("", encoding="utf-8")


def bytecode_env(pycache: Path, write: bool = False) -> dict[str, str]:
    """This environment with compiled bytecode kept under ``pycache`` (written only when ``write``)."""
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(pycache))
    if write:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def load_in_fresh_process(path: Path, warm: int, env: dict[str, str] | None = None) -> dict:
    env = dict(os.environ if env is None else env)
    env.pop("ACTVIZ_DISABLE", None)
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), str(warm)], env=env, capture_output=True,
                          text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"discovery child failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(counts: tuple[int, ...] = (0, 50, 100, 200), runs: int = 3, warm: int = 3) -> dict:
    """Cold (first load in a fresh process) and warm load times per plugin count, in ms."""
    out: dict = {"counts": {}}
    with tempfile.TemporaryDirectory(prefix="actviz-bench-plugins-") as tmp:
        for n in counts:
            path = Path(tmp) / f"n{n}"
            write_plugins(path, n)
            pycache = Path(tmp) / "pycache"
            load_in_fresh_process(path, 0, bytecode_env(pycache, write=True))  # "installs" the bytecode
            reports = [load_in_fresh_process(path, warm, bytecode_env(pycache)) for _ in range(runs)]
            cold = [r["cold"] * 1e3 for r in reports]
            checks = [r["checks"] * 1e3 for r in reports]
            warm_ms = [w * 1e3 for r in reports for w in r["warm"]]
            base = reports[0]
            out["counts"][str(n)] = {
                "cold_median": statistics.median(cold), "cold_min": min(cold),
                "checks_median": statistics.median(checks),
                "cold_checked_median": statistics.median(c + k for c, k in zip(cold, checks, strict=True)),
                "warm_median": statistics.median(warm_ms) if warm_ms else None,
                "activations": base["activations"], "plugins": base["plugins"],
                "problems": len(base["problems"]), "n": len(cold)}
    rows = out["counts"]
    zero = rows[str(counts[0])]["cold_median"]
    # linearity: the added cost per plugin at each count, and the fit of a straight line through them
    per = {n: (rows[str(n)]["cold_median"] - zero) / n for n in counts if n}
    out["per_plugin_ms"] = {str(n): v for n, v in per.items()}
    if len(per) >= 2:
        xs, ys = list(counts), [rows[str(n)]["cold_median"] for n in counts]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
        fit = [my + slope * (x - mx) for x in xs]
        ss_res = sum((y - f) ** 2 for y, f in zip(ys, fit, strict=True))
        ss_tot = sum((y - my) ** 2 for y in ys) or 1.0
        out["fit"] = {"slope_ms_per_plugin": slope, "r2": 1 - ss_res / ss_tot}
    return out

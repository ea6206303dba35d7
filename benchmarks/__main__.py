"""``python -m benchmarks [--quick] [--json PATH]``: run the suite, print a table, write JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from . import WINDOW_SIZE

DEFAULT_JSON = Path(__file__).with_name("results") / "latest.json"


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"date": time.strftime("%Y-%m-%d %H:%M:%S %z"), "nproc": os.cpu_count(), "cpu": cpu,
            "python": platform.python_version(), "load_before": load}


def versions() -> dict:
    out = {}
    for mod in ("PySide6", "pyqtgraph", "numpy", "matplotlib", "pluggy"):
        try:
            out[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001 - optional
            out[mod] = None
    return out


def targets(r: dict) -> list[tuple[str, str, bool | None]]:
    """(target, measured, passed) rows; passed None when not measured."""
    rows: list[tuple[str, str, bool | None]] = []
    lat = r.get("latency", {})
    f4 = lat.get("function", {}).get("pins4")
    if f4:
        rows.append(("function view, 4 pins: median ≤ 8 ms", f"{f4['median']:.1f} ms", f4["median"] <= 8))
    for key, res in [("function, 0 pins", lat.get("function", {}).get("pins0")),
                     *[(f"{name} view", res) for name, res in lat.get("views", {}).items()]]:
        if res:
            rows.append((f"{key}: median ≤ 16 ms", f"{res['median']:.1f} ms", res["median"] <= 16))
    every = [*lat.get("function", {}).values(), *lat.get("views", {}).values()]
    if every:
        worst = max(x["p95"] for x in every)
        rows.append(("every view: p95 ≤ 16 ms", f"worst {worst:.1f} ms", worst <= 16))
        once = all(x["paints_per_frame_min"] == 1 and x["paints_per_frame_max"] == 1 for x in every)
        rows.append(("each frame painted exactly once", "yes" if once else "no", once))
    for name, why in lat.get("skipped", {}).items():
        rows.append((f"{name} view", f"skipped: {why}", None))
    if f4 and "floor" in lat:
        ratio = f4["median"] / lat["floor"]["median"]
        rows.append(("actviz/floor ≤ 1.5", f"{ratio:.2f}", ratio <= 1.5))
    if f4 and "matplotlib" in lat:
        ratio = lat["matplotlib"]["median"] / f4["median"]
        rows.append(("matplotlib/actviz ≥ 3", f"{ratio:.2f}", ratio >= 3))
    zoom = lat.get("zoom", {})
    if "10" in zoom and "1e+06" in zoom:
        ratio = zoom["1e+06"]["median"] / zoom["10"]["median"]
        rows.append(("latency at width 1e6 ≤ 1.2× width 10", f"{ratio:.2f}×", ratio <= 1.2))
    st = r.get("startup")
    if st:
        rows.append(("start-up ≤ 1.3× bare", f"{st['ratio']:.2f}×", st["ratio"] <= 1.3))
        heavy = st["actviz"]["heavy_before_paint"]
        rows.append(("nothing heavy imported before first paint", ", ".join(heavy) or "none", not heavy))
    disc = r.get("discovery")
    if disc and "200" in disc["counts"]:
        ms = disc["counts"]["200"]["cold_median"]
        rows.append(("discovery of 200 plugins ≤ 150 ms", f"{ms:.0f} ms", ms <= 150))
        if "fit" in disc:
            r2 = disc["fit"]["r2"]
            rows.append(("discovery linear in plugins (R² ≥ 0.95)", f"R² {r2:.3f}", r2 >= 0.95))
    mem = r.get("memory")
    if mem:
        rows.append(("peak RSS ≤ 160 MiB", f"{mem['peak_mib']:.0f} MiB", mem["peak_mib"] <= 160))
    return rows


def fmt_stats(s: dict) -> str:
    text = f"{s['median']:7.2f} {s['p95']:7.2f}"
    if "paints_per_frame_max" in s:
        text += f"   {s['paints_per_frame_min']}–{s['paints_per_frame_max']}"
    return text


def table(r: dict) -> str:
    out = [f"actviz benchmarks — {r['machine']['date']} — {r['machine']['nproc']} CPU "
           f"({r['machine']['cpu']}), load {r['machine']['load_before']}, window {r['window']}"]
    lat = r.get("latency")
    if lat:
        out.append("")
        out.append(f"{'drag latency (ms)':44} {'median':>7} {'p95':>7}   paints/frame")
        for key, res in lat["function"].items():
            label = f"function view, {key.replace('pins', '')} pins ({res['curves']} curves)"
            out.append(f"{label:44} {fmt_stats(res)}")
        for name, res in lat["views"].items():
            out.append(f"{name + ' view (' + res['control'] + ')':44} {fmt_stats(res)}")
        for name, why in lat["skipped"].items():
            out.append(f"{name + ' view':44} skipped: {why}")
        shape = lat["shape"]
        out.append(f"{'floor: bare pyqtgraph, same ' + str(shape['curves']) + ' curves':44} {fmt_stats(lat['floor'])}")
        if "matplotlib" in lat:
            out.append(f"{'matplotlib Agg, same curves (draw)':44} {fmt_stats(lat['matplotlib'])}")
        for width, res in lat["zoom"].items():
            out.append(f"{'function view 4 pins, z-range width ' + width:44} {fmt_stats(res)}")
    st = r.get("startup")
    if st:
        out.append("")
        out.append(f"{'start-up to first paint (ms)':44} {'median':>7} {'min':>7}")
        for mode in ("bare", "actviz", "actviz-nomath"):
            out.append(f"{mode:44} {st[mode]['median']:7.0f} {st[mode]['min']:7.0f}")
    disc = r.get("discovery")
    if disc:
        out.append("")
        out.append(f"{'registry load, built-ins + N plugins (ms)':44} {'cold':>7} {'warm':>7}")
        for n, res in disc["counts"].items():
            warm = f"{res['warm_median']:7.1f}" if res["warm_median"] is not None else "      -"
            out.append(f"{'N = ' + n + ' (' + str(res['activations']) + ' activations)':44} "
                       f"{res['cold_median']:7.1f} {warm}")
        if "fit" in disc:
            out.append(f"{'slope (ms per plugin), R²':44} {disc['fit']['slope_ms_per_plugin']:7.2f} "
                       f"{disc['fit']['r2']:7.3f}")
    mem = r.get("memory")
    if mem:
        out.append("")
        out.append(f"{'peak RSS, every view opened (MiB)':44} {mem['peak_mib']:7.1f}")
    out.append("")
    out.append("targets")
    for name, measured, ok in r["targets"]:
        mark = "PASS" if ok else ("SKIP" if ok is None else "MISS")
        out.append(f"  {mark:4}  {name:46} {measured}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny repeat counts (a smoke run, not a measurement)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"where to write results ({DEFAULT_JSON})")
    parser.add_argument("--only", default="latency,startup,discovery,memory",
                        help="comma-separated parts to run (default: all)")
    args = parser.parse_args(argv)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    parts = set(args.only.split(","))
    q = args.quick
    result: dict = {"machine": machine(), "versions": versions(), "window": list(WINDOW_SIZE), "quick": q}
    if "latency" in parts:
        from . import latency

        result["latency"] = latency.run(repeats=10 if q else 300, zoom_repeats=10 if q else 150,
                                        warmup=2 if q else 10)
    if "startup" in parts:
        from . import startup

        result["startup"] = startup.run(runs=1 if q else 7)
    if "discovery" in parts:
        from . import discovery

        result["discovery"] = (discovery.run(counts=(0, 5, 10), runs=1, warm=1) if q
                               else discovery.run(counts=(0, 50, 100, 200), runs=5, warm=3))
    if "memory" in parts:
        from . import memory

        result["memory"] = memory.run(runs=1 if q else 3)
    result["targets"] = targets(result)
    text = table(result)
    print(text)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    print(f"\nwrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m benchmarks [--quick] [--runs N] [--only PARTS] [--json PATH]``: run the suite N times
(default 3), print the median of each figure with the load averages and PASS/MISS per target, write JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from . import WINDOW_SIZE

DEFAULT_JSON = Path(__file__).with_name("results") / "latest.json"
PARTS = ("latency", "calls", "startup", "discovery", "memory", "playground")


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


#: the issue's targets
DRAG_MEDIAN_MS = 8.0
DRAG_P95_MS = 16.0
FLOOR_RATIO = 1.5
STARTUP_RATIO = 1.2
DISCOVERY_MS = 150.0
RSS_MIB = 160.0


def targets(r: dict) -> list[tuple[str, str, bool | None]]:
    """(target, measured, passed) rows; passed None when not measured."""
    rows: list[tuple[str, str, bool | None]] = []
    lat = r.get("latency", {})
    views = lat.get("views", {})
    for name, res in views.items():
        ratio = res.get("ratio")
        ok = res["median"] <= DRAG_MEDIAN_MS and (ratio is None or ratio <= FLOOR_RATIO)
        floor = f", {ratio:.2f}× floor" if ratio is not None else ", no floor (no data changed)"
        rows.append((f"{name}: median ≤ {DRAG_MEDIAN_MS:g} ms and ≤ {FLOOR_RATIO:g}× floor",
                     f"{res['median']:.1f} ms{floor}", ok))
    if views:
        worst_name, worst = max(views.items(), key=lambda kv: kv[1]["p95"])
        rows.append((f"every view: p95 ≤ {DRAG_P95_MS:g} ms", f"worst {worst['p95']:.1f} ms ({worst_name})",
                     worst["p95"] <= DRAG_P95_MS))
        twice = [n for n, x in views.items() if x["viewports"]  # a view whose drag repaints no plot paints 0 times
                 and not x["paints_per_frame_min"] == x["paints_per_frame_max"] == 1]
        rows.append(("exactly one paint per frame, every view", ", ".join(twice) + " not" if twice else "yes",
                     not twice))
    for name, why in lat.get("skipped", {}).items():
        rows.append((f"{name} view", f"skipped: {why}", None))
    calls = r.get("calls")
    if calls:
        worst = max(max(c["f"], c["df"] or 0) for c in calls["functions"].values())
        rows.append(("function view: each f, f′ called once per frame", f"at most {worst:g}× per frame",
                     worst <= 1))
    st = r.get("startup")
    if st:
        rows.append((f"start-up ≤ {STARTUP_RATIO:g}× bare", f"{st['ratio']:.2f}×", st["ratio"] <= STARTUP_RATIO))
    disc = r.get("discovery")
    if disc and "200" in disc["counts"]:
        ms = disc["counts"]["200"]["cold_median"]
        rows.append((f"discovery of 200 plugins ≤ {DISCOVERY_MS:g} ms cold", f"{ms:.0f} ms", ms <= DISCOVERY_MS))
    play = r.get("playground")
    if play and "error" not in play:
        try:
            from . import playground

            rows.extend(playground.targets(play))
        except Exception as exc:  # noqa: BLE001 - another engineer's piece must not stop the report
            rows.append(("playground", f"{type(exc).__name__}: {exc}", None))
    mem = r.get("memory")
    if mem:
        rows.append((f"peak RSS ≤ {RSS_MIB:g} MiB, every view opened", f"{mem['peak_mib']:.0f} MiB",
                     mem["peak_mib"] <= RSS_MIB))
    return rows


def fmt_stats(s: dict) -> str:
    text = f"{s['median']:7.2f} {s['p95']:7.2f}"
    if "paints_per_frame_max" in s:
        text += f"   {s['paints_per_frame_min']}–{s['paints_per_frame_max']}"
    return text


def table(r: dict) -> str:
    m = r["machine"]
    loads = ", ".join(f"{x:.2f}" for x in m.get("loads", [m.get("load_before") or 0.0]))
    out = [f"actviz benchmarks — {m['date']} — {m['nproc']} CPU ({m['cpu']}), window {r['window']}",
           f"figures: median of {r.get('runs', 1)} full run(s); 1-minute load average before each run: {loads}"]
    lat = r.get("latency")
    if lat:
        out.append("")
        out.append(f"{'drag latency (ms)':30} {'median':>7} {'p95':>7}   paints  {'floor':>7} {'p95':>7}  "
                   f"actviz/floor")
        for name, res in lat["views"].items():
            floor = res.get("floor")
            tail = (f"  {floor['median']:7.2f} {floor['p95']:7.2f}  {res['ratio']:6.2f}" if floor
                    else "        -       -       -")
            out.append(f"{name:30} {fmt_stats(res)}{tail}")
        for name, why in lat["skipped"].items():
            out.append(f"{name:30} skipped: {why}")
        shape = lat["shape"]
        out.append(f"{'naive reference (old floor):':30} {fmt_stats(lat['naive_floor'])}   bare pyqtgraph, "
                   f"{shape['curves']} curves, auto-ranged")
        if "matplotlib" in lat:
            out.append(f"{'matplotlib Agg, same curves':30} {fmt_stats(lat['matplotlib'])}")
        for width, res in lat["zoom"].items():
            out.append(f"{'function 4 pins, width ' + width:30} {fmt_stats(res)}")
    calls = r.get("calls")
    if calls:
        out.append("")
        out.append(f"plugin calls per frame, function view ({calls['shown']} dragged, the others pinned)")
        for name, c in calls["functions"].items():
            df = f"{c['df']:g}" if c["df"] is not None else "-"
            out.append(f"  {name:28} f {c['f']:g}×  f′ {df}×  ({c['f_points']:.0f} points of f)")
    st = r.get("startup")
    if st:
        out.append("")
        out.append(f"{'start-up to first paint (ms)':30} {'median':>7} {'min':>7}")
        for mode in ("bare", "actviz", "actviz-nomath"):
            if mode in st:
                out.append(f"{mode:30} {st[mode]['median']:7.0f} {st[mode]['min']:7.0f}  "
                           f"heavy before paint: {', '.join(st[mode]['heavy_before_paint']) or 'none'}")
    disc = r.get("discovery")
    if disc:
        out.append("")
        out.append(f"{'registry load + N plugins (ms)':30} {'cold':>7} {'warm':>7}")
        for n, res in disc["counts"].items():
            warm = f"{res['warm_median']:7.1f}" if res["warm_median"] is not None else "      -"
            out.append(f"{'N = ' + n + ' (' + str(res['activations']) + ' activations)':30} "
                       f"{res['cold_median']:7.1f} {warm}")
    mem = r.get("memory")
    if mem:
        out.append("")
        out.append(f"{'peak RSS, every view (MiB)':30} {mem['peak_mib']:7.1f}   matplotlib loaded: "
                   f"{mem.get('matplotlib_loaded')}")
    play = r.get("playground")
    if play:
        out.append("")
        try:
            from . import playground  # the playground's engineer's piece: its own table

            out.append(playground.table(play))
        except Exception as exc:  # noqa: BLE001 - another engineer's piece must not stop the report
            out.append(f"playground: {play.get('error') or f'{type(exc).__name__}: {exc}'}")
    out.append("")
    out.append("targets")
    for name, measured, ok in r["targets"]:
        mark = "PASS" if ok else ("SKIP" if ok is None else "MISS")
        out.append(f"  {mark:4}  {name:58} {measured}")
    return "\n".join(out)


def combine(runs: list) -> object:
    """The median over runs of every number (max of a max, min of a min); other leaves from the last run."""
    first = runs[-1]
    if isinstance(first, dict):
        keys = [k for k in first if all(isinstance(r, dict) and k in r for r in runs)]
        out = {}
        for k in first:
            if k not in keys:
                out[k] = first[k]
            elif "max" in str(k) and all(isinstance(r[k], (int, float)) for r in runs):
                out[k] = max(r[k] for r in runs)
            elif "min" in str(k) and k != "min" and all(isinstance(r[k], (int, float)) for r in runs):
                out[k] = min(r[k] for r in runs)
            else:
                out[k] = combine([r[k] for r in runs])
        if "median" in out and "floor" in out and isinstance(out["floor"], dict) and "ratio" in out:
            out["ratio"] = out["median"] / out["floor"]["median"]
        return out
    if all(isinstance(r, (int, float)) and not isinstance(r, bool) for r in runs):
        return statistics.median(runs)
    return first


def run_once(parts: set[str], quick: bool) -> dict:
    """One full run of the chosen parts."""
    q = quick
    result: dict = {}
    if "latency" in parts:
        from . import latency

        result["latency"] = latency.run(repeats=10 if q else 200, zoom_repeats=10 if q else 100,
                                        warmup=2 if q else 10)
    if "calls" in parts:
        from . import calls, latency

        window, app = latency.make_window()
        try:
            result["calls"] = calls.function_view_calls(window, app)
        finally:
            latency.close_window(window, app)
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
    if "playground" in parts and Path(__file__).with_name("playground.py").exists():
        try:
            from . import playground  # written by the playground's engineer

            result["playground"] = playground.run(quick=q)
        except Exception as exc:  # noqa: BLE001 - another engineer's piece must not stop the suite
            result["playground"] = {"error": f"{type(exc).__name__}: {exc}"}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny repeat counts (a smoke run, not a measurement)")
    parser.add_argument("--runs", type=int, default=None, help="full runs to take the median of (default 3; 1 quick)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"where to write results ({DEFAULT_JSON})")
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated parts to run (default: all)")
    args = parser.parse_args(argv)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    parts = set(args.only.split(","))
    runs = args.runs or (1 if args.quick else 3)
    result: dict = {"machine": machine(), "versions": versions(), "window": list(WINDOW_SIZE), "quick": args.quick,
                    "runs": runs}
    each, loads = [], []
    for i in range(runs):
        loads.append(os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0)
        print(f"run {i + 1}/{runs}: load average {loads[-1]:.2f}", file=sys.stderr, flush=True)
        each.append(run_once(parts, args.quick))
    result.update(combine(each))  # type: ignore[arg-type]
    result["machine"]["loads"] = loads
    result["each_run"] = each
    result["targets"] = targets(result)
    print(table(result))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    print(f"\nwrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

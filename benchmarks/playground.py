"""Playground speed: training with no drawing, and drawn frames while the view trains.

``python -m benchmarks.playground [--quick] [--json PATH]``

* **epochs/s, no drawing**: the default model (spiral, 400 points, features all 7, 8-8-8 tanh,
  batch 10) trained epoch by epoch on the engine alone, after one warm-up epoch.
* **drawn frames/s while training**: the playground view at 3 × 8 tanh on the spiral, shown
  offscreen at ``WINDOW`` pixels, Run pressed; every paint of its graphics viewport is counted
  (one viewport holds the diagram, the output map, its colour bar, loss and δ plots) and timed.
  Also reported: epochs trained meanwhile, redraws, paints per redraw (1 is one paint per frame),
  the median and 95th percentile interval between paints, the median time of one redraw, and the
  CPU time this process spent per frame with the share of a core it got (on a shared machine the
  wall-clock fps is bounded by that share; 1000 / CPU ms per frame is the rate with a free core).

Target: ≥ 30 drawn frames per second.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

WINDOW = (1280, 800)
TARGET_FPS = 30.0


def _registry():
    import actviz

    return actviz.load_registry()


def epochs_per_second(seconds: float = 3.0, registry=None) -> dict:
    """Epochs of the default spiral network per second of training, nothing drawn."""
    from actviz_views.playground_model import PlaygroundModel

    model = PlaygroundModel(registry or _registry())
    net = model.make_network(model.make_dataset())
    net.train_epochs(1)  # warm-up: first calls into numpy and the plugin functions
    start_epoch, start_steps = net.epoch, net.steps
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        net.train_epochs(1)
    elapsed = time.perf_counter() - t0
    epochs = net.epoch - start_epoch
    return {"epochs_per_s": epochs / elapsed, "steps_per_s": (net.steps - start_steps) / elapsed,
            "seconds": elapsed, "network": "-".join(map(str, net.sizes)), "batch_size": net.batch_size,
            "train_points": len(net.dataset.x_train), "error": net.error}


def drawn_fps(seconds: float = 4.0, size: tuple[int, int] = WINDOW, registry=None) -> dict:
    """Paints per second of the playground while it trains at 3 × 8 tanh on the spiral."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtCore

    from actviz.gui import build_view

    view, app = build_view(registry or _registry(), "playground", size=size,
                           settings={"dataset": "spiral", "hidden": "8,8,8", "activation": "tanh"})
    view.hide()
    view.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, False)
    view.show()  # offscreen, but exposed: its viewport really paints
    for _ in range(10):
        app.processEvents()
    viewport = view.plots.viewport()
    stamps: list[float] = []

    class Painted(QtCore.QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt API
            if obj is viewport and event.type() == QtCore.QEvent.Type.Paint:
                stamps.append(time.perf_counter())
            return False

    counter = Painted()
    viewport.installEventFilter(counter)
    redraw_ms: list[float] = []
    original = view.redraw

    def timed_redraw():
        t = time.perf_counter()
        original()
        redraw_ms.append(1e3 * (time.perf_counter() - t))

    view.redraw = timed_redraw
    net = view.network
    try:
        view.set_running(True)
        warm_end = time.perf_counter() + 0.5
        while time.perf_counter() < warm_end:
            app.processEvents()
        stamps.clear()
        redraw_ms.clear()
        redraws0, epoch0 = view.redraw_count, net.epoch
        t0, cpu0 = time.perf_counter(), time.process_time()
        while time.perf_counter() - t0 < seconds:
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 5)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        view.set_running(False)
        redraws = view.redraw_count - redraws0
        epochs = net.epoch - epoch0
    finally:
        view.set_running(False)
        viewport.removeEventFilter(counter)
        view.redraw = original
        view.close()
        view.deleteLater()
        app.processEvents()
    gaps = [1e3 * (b - a) for a, b in zip(stamps, stamps[1:], strict=False)] or [float("nan")]
    ordered = sorted(gaps)
    return {"fps": len(stamps) / elapsed, "paints": len(stamps), "redraws": redraws,
            "paints_per_redraw": len(stamps) / redraws if redraws else float("nan"),
            "frame_ms_median": statistics.median(ordered), "frame_ms_p95": ordered[int(0.95 * (len(ordered) - 1))],
            "redraw_ms_median": statistics.median(redraw_ms) if redraw_ms else float("nan"),
            "epochs_per_s_while_drawn": epochs / elapsed, "seconds": elapsed, "window": list(size),
            # CPU this process spent per painted frame (training slice included): on a shared, loaded
            # machine wall-clock fps understates what a free core gives; 1000 / this is that bound
            "cpu_ms_per_frame": 1e3 * cpu / len(stamps) if stamps else float("nan"), "cpu_share": cpu / elapsed,
            "error": net.error}


def run(quick: bool = False) -> dict:
    """Both measurements (short ones with ``quick``: a smoke run, not a measurement)."""
    registry = _registry()
    return {"training": epochs_per_second(0.3 if quick else 3.0, registry),
            "drawn": drawn_fps(0.5 if quick else 4.0, registry=registry), "target_fps": TARGET_FPS}


def targets(result: dict) -> list[tuple[str, str, bool | None]]:
    """(target, measured, passed) rows for ``benchmarks.__main__``'s table."""
    drawn = result["drawn"]
    return [("playground 3×8 tanh spiral: drawn fps ≥ 30", f"{drawn['fps']:.1f} fps", drawn["fps"] >= TARGET_FPS),
            ("playground: one paint per redraw", f"{drawn['paints_per_redraw']:.2f}",
             drawn["paints_per_redraw"] <= 1.05)]


def table(result: dict) -> str:
    t, d = result["training"], result["drawn"]
    return "\n".join([
        f"{'playground (default spiral ' + t['network'] + ', batch ' + str(t['batch_size']) + ')':44} value",
        f"{'  epochs/s, no drawing':44} {t['epochs_per_s']:7.1f}   ({t['steps_per_s']:.0f} steps/s)",
        f"{'  drawn frames/s while training (3×8 tanh)':44} {d['fps']:7.1f}   (target ≥ {TARGET_FPS:g})",
        f"{'  frame interval median / p95 (ms)':44} {d['frame_ms_median']:7.1f} {d['frame_ms_p95']:7.1f}",
        f"{'  redraw median (ms)':44} {d['redraw_ms_median']:7.2f}",
        f"{'  paints per redraw':44} {d['paints_per_redraw']:7.2f}",
        f"{'  CPU ms per frame (share of a core)':44} {d['cpu_ms_per_frame']:7.1f}   ({d['cpu_share']:.0%})",
        f"{'  epochs/s while drawn':44} {d['epochs_per_s_while_drawn']:7.1f}",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.playground", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs (checks the harness, measures nothing)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    result = run(quick=args.quick)
    print(table(result))
    for name, measured, ok in targets(result):
        print(f"  {'PASS' if ok else 'MISS':4}  {name:46} {measured}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

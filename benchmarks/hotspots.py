"""``python -m benchmarks.hotspots [VIEW ...] [--frames N] [--top K]``: where a drag frame's time goes.

Each view (default: every view the latency benchmark drags) is dragged for
``--frames`` frames under cProfile, in the same window and with the same
control as ``benchmarks.latency``; the functions with the most own time
(``tottime``) are printed, per frame, with the share of the frame. The
README's "largest remaining cost" tables come from here.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def profile_view(window, app, label: str, frames: int) -> pstats.Stats:
    from . import latency
    from .frames import flush

    if label.startswith("function"):
        view, _, perturb = latency.prepare_function_view(window, app, 4 if "4" in label else 0)
    else:
        setup = latency.DEPTH_LARGE if label == "depth 50×128" else None
        view, _, perturb = latency.prepare_view(window, app, label.split()[0], setup)
    for i in range(5):  # warm
        perturb(i)
        flush(app)
    prof = cProfile.Profile()
    prof.enable()
    for i in range(frames):
        perturb(i + 5)
        flush(app)
    prof.disable()
    return pstats.Stats(prof)


def top(stats: pstats.Stats, frames: int, k: int) -> list[tuple[str, float, float]]:
    """(function, own ms per frame, share of the frame) for the ``k`` largest own times."""
    rows = []
    total = stats.total_tt  # type: ignore[attr-defined]
    for (file, line, name), (_, _, tt, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        short = file.split("site-packages/")[-1].split("/work/main/")[-1]
        rows.append((f"{short}:{line}({name})" if line else name, tt * 1e3 / frames, tt / total if total else 0))
    rows.sort(key=lambda r: -r[1])
    return rows[:k]


def main(argv: list[str] | None = None) -> int:
    from . import latency

    parser = argparse.ArgumentParser(prog="python -m benchmarks.hotspots", description=__doc__.splitlines()[0])
    parser.add_argument("views", nargs="*", help="function, 'function 4 pins', delta, depth, 'depth 50×128', …")
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args(argv)
    labels = args.views or ["function 4 pins", "delta", "depth", "depth 50×128", "likelihood", "coin",
                            "single_unit"]
    window, app = latency.make_window()
    try:
        for label in labels:
            stats = profile_view(window, app, label, args.frames)
            per = stats.total_tt * 1e3 / args.frames  # type: ignore[attr-defined]
            print(f"\n{label}: {per:.1f} ms of profiled CPU per frame (cProfile inflates Python-heavy code)")
            for name, ms, share in top(stats, args.frames, args.top):
                print(f"  {ms:7.2f} ms  {share:5.1%}  {name}")
    finally:
        latency.close_window(window, app)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run as a script: peak RSS of the app with every view opened once, printed as JSON.

``memory_probe.py warm`` also waits until every formula is drawn, which fills
the formula disk cache (``ACTVIZ_FORMULA_CACHE``) for the measured runs.
"""

import json
import os
import resource
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def peak_rss_kib() -> int:
    """This process's own peak RSS: VmHWM, which starts afresh at exec.

    ``ru_maxrss`` does not: a child started by a large parent (the benchmark,
    after its latency windows) inherits the parent's high-water mark and
    reported ~100 MiB too much.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def rss_mib() -> float:
    """This process's resident set now (VmRSS), MiB; 0 where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from benchmarks.frames import flush
    from benchmarks.latency import close_window, make_window

    window, app = make_window()
    opened = []
    steps = [("window", rss_mib())]  # resident MiB after the window (with its first view), then after each view
    for name in list(window.view_names):
        view = window.show_view(name)
        flush(app, 0.05)
        if view is not None:
            view.refresh()
            flush(app, 0.02)
            opened.append(name)
            steps.append((name, rss_mib()))
    window.show_view(window.view_names[0]) if window.view_names else None
    flush(app, 0.1)
    if "warm" in sys.argv[1:]:  # wait for every formula, so the disk cache holds them all
        import time

        from actviz.gui import FormulaLabel

        end = time.monotonic() + 30
        while time.monotonic() < end:
            labels = [lab for lab in window.findChildren(FormulaLabel) if lab.tex]
            if all(lab.rendered or lab.text() for lab in labels):
                break
            flush(app, 0.05)
    peak_kib = peak_rss_kib()
    close_window(window, app)
    print(json.dumps({"peak_mib": peak_kib / 1024, "views": opened, "steps": steps,
                      "matplotlib": sys.modules.get("matplotlib") is not None}), flush=True)


if __name__ == "__main__":
    main()

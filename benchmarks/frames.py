"""Timing one frame: a change, then every watched viewport painted, each exactly once.

A :class:`PaintCounter` is an event filter on each ``QGraphicsView``'s
viewport (where the scene is really drawn; ``PlotWidget.repaint()`` paints
nothing). :func:`measure_frames` perturbs, then spins the event loop until
every expected viewport has painted and a few more passes paint nothing; the
frame ends with its last paint, so a second paint (pyqtgraph re-ranging
during the first one) is part of the latency, and it is counted.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable

from PySide6 import QtCore, QtWidgets

#: a frame that has not painted after this long counts as stuck
FRAME_TIMEOUT = 2.0
#: event-loop passes without a paint after which a frame is complete
QUIET_PASSES = 3


class PaintCounter(QtCore.QObject):
    """Counts QEvent.Paint per watched viewport."""

    def __init__(self, viewports: Iterable[QtWidgets.QWidget]) -> None:
        super().__init__()
        self.viewports = list(viewports)
        self.counts = {id(v): 0 for v in self.viewports}
        for v in self.viewports:
            v.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        if event.type() == QtCore.QEvent.Type.Paint:
            key = id(obj)
            if key in self.counts:
                self.counts[key] += 1
        return False

    def snapshot(self) -> dict[int, int]:
        return dict(self.counts)

    def remove(self) -> None:
        for v in self.viewports:
            try:
                v.removeEventFilter(self)
            except RuntimeError:  # the widget is already gone
                pass


def graphics_viewports(widget: QtWidgets.QWidget) -> list[QtWidgets.QWidget]:
    """The viewport of every visible QGraphicsView (PlotWidget, GraphicsLayoutWidget) in ``widget``."""
    views = [widget] if isinstance(widget, QtWidgets.QGraphicsView) else []
    views += widget.findChildren(QtWidgets.QGraphicsView)
    return [v.viewport() for v in views if v.isVisible()]


def flush(app: QtWidgets.QApplication, seconds: float = 0.0) -> None:
    """Run the event loop until nothing is pending (and at least ``seconds``)."""
    end = time.perf_counter() + seconds
    app.processEvents()
    app.processEvents()
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()


def stats(samples: list[float]) -> dict[str, float]:
    """Median, p95, min, mean (milliseconds in, milliseconds out) and the count."""
    ordered = sorted(samples)
    n = len(ordered)
    p95 = ordered[min(n - 1, max(0, int(round(0.95 * (n - 1)))))]
    return {"median": statistics.median(ordered), "p95": p95, "min": ordered[0],
            "mean": statistics.fmean(ordered), "n": n}


def expected_viewports(app, counter: PaintCounter, perturb: Callable[[int], None], frames: int = 4) -> set[int]:
    """Which viewports every change repaints: those painted in each of a few settled warm-up frames.

    The first frame after opening may repaint things a drag never touches
    (a layout settling), so it is left out.
    """
    perturb(0)
    flush(app, 0.03)
    painted: set[int] | None = None
    for i in range(1, frames + 1):
        before = counter.snapshot()
        perturb(i)
        flush(app, 0.03)
        now = {k for k, v in counter.snapshot().items() if v > before[k]}
        painted = now if painted is None else painted & now
    return painted or set()


def paints_histogram(paints: list[int]) -> dict[str, int]:
    """How many (viewport, frame) pairs painted 0, 1, 2, … times."""
    out: dict[str, int] = {}
    for n in paints:
        out[str(n)] = out.get(str(n), 0) + 1
    return dict(sorted(out.items()))


class NoRepaint(RuntimeError):
    """The control changes nothing a graphics view draws (its frame is measured by :func:`measure_redraws`)."""


def measure_redraws(app: QtWidgets.QApplication, view, perturb: Callable[[int], None], repeats: int,
                    warmup: int = 5) -> dict:
    """Frames of a control that repaints no graphics view (the playground's learning rate while paused).

    A frame is ``perturb(i)`` → the view's redraw returned (``view.redrawn``) → every widget repaint it
    caused (a readout, the control itself), until a few event-loop passes paint nothing; it ends with the
    later of the redraw and the last widget paint. ``paints`` counts graphics-view paints: 0 per frame.
    """
    widgets = [w for w in (view, *view.findChildren(QtWidgets.QWidget)) if w.isVisible()]
    counter = PaintCounter(widgets)
    redrawn: list[float] = []

    def done() -> None:
        redrawn.append(time.perf_counter())

    view.redrawn.connect(done)
    samples: list[float] = []
    timeouts = 0
    try:
        for i in range(warmup):
            perturb(i)
            flush(app)
        for step in range(warmup, warmup + repeats):
            flush(app)
            redrawn.clear()
            t0 = time.perf_counter()
            perturb(step)
            end, last, quiet = t0 + FRAME_TIMEOUT, t0, 0
            while True:
                seen = sum(counter.counts.values())
                app.processEvents()
                now = time.perf_counter()
                if sum(counter.counts.values()) != seen:
                    last, quiet = now, 0
                elif redrawn:
                    quiet += 1
                    if quiet >= QUIET_PASSES:
                        break
                if now > end:
                    timeouts += 1
                    break
            samples.append((max(last, redrawn[-1] if redrawn else last) - t0) * 1e3)
    finally:
        view.redrawn.disconnect(done)
        counter.remove()
    result = stats(samples)
    result.update(viewports=0, paints_per_frame_min=0, paints_per_frame_max=0, timeouts=timeouts,
                  paints={"0": len(samples)})
    return result


def measure_frames(app: QtWidgets.QApplication, counter: PaintCounter, perturb: Callable[[int], None],
                   repeats: int, warmup: int = 5, settle: float = 0.0) -> dict:
    """Time ``repeats`` frames of ``perturb(i)`` → every expected viewport painted.

    Returns milliseconds (median, p95, …), the number of viewports waited for
    and how often each painted per frame (``paints_per_frame`` min/max; 1/1
    is exactly once).
    """
    expected = expected_viewports(app, counter, perturb)
    if not expected:
        raise NoRepaint("no viewport repaints when this control changes")
    # indices run on from the warm-up's, so every frame alternates the value (a model key without jitter
    # set to the value it already has would draw nothing)
    step = 5
    for _ in range(warmup):
        perturb(step)
        step += 1
        flush(app)
    samples: list[float] = []
    paints: list[int] = []
    timeouts = 0
    for _ in range(repeats):
        flush(app, settle)
        before = counter.snapshot()
        t0 = time.perf_counter()
        perturb(step)
        step += 1
        end = t0 + FRAME_TIMEOUT
        last = t0
        quiet = 0
        while True:
            seen = sum(counter.counts.values())
            app.processEvents()
            now = time.perf_counter()
            snap = counter.counts
            if sum(snap.values()) != seen:
                last, quiet = now, 0  # a paint ended inside this pass: the frame is not over yet
            elif all(snap[k] > before[k] for k in expected):
                quiet += 1
                if quiet >= QUIET_PASSES:  # the loop has nothing left that paints
                    break
            if now > end:
                timeouts += 1
                break
        samples.append((last - t0) * 1e3)
        flush(app)  # a late, redundant paint of this frame lands here and is counted
        after = counter.snapshot()
        paints.extend(after[k] - before[k] for k in expected)
        # a viewport outside the expected set that painted more than once is a redundant paint too
        extra = max((after[k] - before[k] for k in after if k not in expected), default=0)
        if extra > 1:
            paints.append(extra)
    result = stats(samples)
    result.update(viewports=len(expected), paints_per_frame_min=min(paints), paints_per_frame_max=max(paints),
                  timeouts=timeouts, paints=paints_histogram(paints), samples=samples, paint_counts=paints)
    return result


def merge_blocks(blocks: list[dict]) -> dict:
    """One result from several :func:`measure_frames` blocks of the same drag (their frames pooled)."""
    samples = [x for b in blocks for x in b["samples"]]
    paints = [x for b in blocks for x in b["paint_counts"]]
    result = stats(samples)
    result.update(viewports=max(b["viewports"] for b in blocks), paints_per_frame_min=min(paints),
                  paints_per_frame_max=max(paints), timeouts=sum(b["timeouts"] for b in blocks),
                  paints=paints_histogram(paints), blocks=len(blocks))
    return result

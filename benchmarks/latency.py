"""Drag latency in the real main window, the pyqtgraph floor and the matplotlib alternative.

A "drag" is what a slider does: ``ControlPanel`` widget ``setValue`` (the
path a QSlider's ``valueChanged`` takes) → ``Selection.set_value`` →
coalesced ``refresh`` → ``setData`` → the view's viewports repainted. Views
other than the function view are driven generically through
the view's model keys.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable

import numpy as np

from . import WINDOW_SIZE
from .frames import (
    NoRepaint,
    PaintCounter,
    flush,
    graphics_viewports,
    measure_frames,
    measure_redraws,
    merge_blocks,
    stats,
)

#: the function the function view shows while dragged (has a parameter), and what gets pinned
FUNCTION = "logistic"
PINS = ("tanh", "relu", "softplus", "elu")
#: the other views of the issue; measured when a plugin registers them
OTHER_VIEWS = ("delta", "depth", "likelihood", "coin", "single_unit", "playground")
#: the slider a student drags in each view (a numeric control that does not rebuild the view)
DRAG_CONTROL = {"delta": "t", "depth": "scale", "likelihood": "y", "coin": "p",
                "single_unit": "confidence", "playground": "learning_rate"}
ZOOM_WIDTHS = (10.0, 1e3, 1e6)


def make_window(registry=None):
    """The main window as ``actviz`` shows it (private settings), 1000×700, painted once."""
    os.environ.setdefault("ACTVIZ_SETTINGS", os.path.join(tempfile.mkdtemp(prefix="actviz-bench-"), "s.ini"))
    from actviz.gui.headless import application
    from actviz.gui.main_window import MainWindow
    from actviz.gui.theme import apply_plot_theme

    app = application()
    apply_plot_theme(app)
    window = MainWindow(registry=registry)
    window.setProperty("testing", True)
    window.restore_state()
    window.resize(*WINDOW_SIZE)
    window.show()
    flush(app, 0.1)
    return window, app


def close_window(window, app) -> None:
    from PySide6 import QtCore

    window.close()
    window.deleteLater()
    app.processEvents()
    app.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)


def slider_perturb(window, name: str, low: float, high: float) -> Callable[[int], None]:
    """Alternate a parameter between two values through the parameter panel, as a slider does."""
    widget = window.panel.widgets[name]
    a, b = low + 0.3 * (high - low), low + 0.7 * (high - low)

    def perturb(i: int) -> None:
        # a little jitter so no two consecutive values are equal (set_value ignores no-ops)
        widget.setValue((a if i % 2 else b) + 1e-6 * (i % 7))

    return perturb


def control_perturb(window, view, name: str = "") -> tuple[str, Callable[[int], None]]:
    """Pick one numeric key of ``view``'s model (not an axis end) and alternate it through the model."""
    from actviz.specs import Choice, Param

    model = view.model
    keys = [k for k in model.active_keys() if not model.is_function(k.name) and k.name not in model.batch_keys]
    params = [k for k in keys if isinstance(k.control, Param)]
    named = [k for k in params if k.name == DRAG_CONTROL.get(name, "")]
    preferred = named or [k for k in params if k.name not in (model.range_keys or ())]
    candidates = preferred or params
    if candidates:
        k, c = candidates[0], candidates[0].control
        if k.name in window.panel.widgets:
            return f"slider {k.name}", slider_perturb(window, k.name, c.low, c.high)
        span = c.high - c.low
        lo, hi = c.low + 0.3 * span, c.low + 0.7 * span
        if c.step:
            lo, hi = c.low + round(0.3 * span / c.step) * c.step, c.low + round(0.7 * span / c.step) * c.step
        return f"model {k.name}", lambda i: model.set(k.name, lo if i % 2 else hi, merge=True)
    choices = [k for k in keys if isinstance(k.control, Choice) and k.control.parse is None
               and len(k.control.options) > 1]
    if choices:
        k = choices[0]
        return f"model {k.name}", lambda i: model.set(k.name, k.control.options[i % 2])
    raise RuntimeError(f"view {type(view).__name__} has no control to perturb")


def curve_shape(view) -> list[tuple[int, int, object]]:
    """(plot index, points, pen) of every visible data curve in the view's graphics views."""
    import pyqtgraph as pg
    from PySide6 import QtWidgets

    shape = []
    gvs = [g for g in view.findChildren(QtWidgets.QGraphicsView) if g.isVisible()]
    plots = [item for g in gvs for item in g.scene().items() if isinstance(item, pg.PlotItem)]
    for index, plot in enumerate(plots):
        for item in plot.listDataItems():
            if isinstance(item, pg.PlotDataItem) and item.isVisible():
                x, _ = item.getData()
                shape.append((index, 0 if x is None else len(x), item.opts["pen"]))
    return shape


def prepare_function_view(window, app, pins: int, width: float | None = None):
    """The function view showing FUNCTION with ``pins`` pins; returns it and the slider drag."""
    view = window.show_view("function")
    window.select_function(FUNCTION)
    view.model.clear_pins()
    for name in PINS[:pins]:
        view.model.pin(window.registry.get(name), {})
    if width is not None:
        view.model.update({"zmin": -width / 2, "zmax": width / 2})
    flush(app, 0.05)
    param = window.registry.get(FUNCTION).params[0]
    perturb = slider_perturb(window, f"function.{param.name}", param.low, param.high)
    return view, f"slider {param.name}", perturb


def prepare_view(window, app, name: str, setup: dict | None = None):
    """View ``name`` opened (with the model keys ``setup``), and the control a student drags in it."""
    view = window.show_view(name)
    if view is None:
        raise RuntimeError(window.view_errors.get(name, f"view {name!r} did not open"))
    if setup:
        view.model.update(setup)
    flush(app, 0.05)
    label, perturb = control_perturb(window, view, name)
    return view, label, perturb


#: the view's frames and its floor's are taken in this many alternating blocks: a change of load during
#: the measurement (another process on the second core) falls on both alike, not on one of them
BLOCKS = 5


def measure_view(app, view, label: str, perturb: Callable[[int], None], repeats: int, warmup: int = 5,
                 floor: bool = True) -> dict:
    """The view's frames and (``floor``) the true floor's frames for exactly what it drew, interleaved."""
    from .floor import Floor, capture

    counter = PaintCounter(graphics_viewports(view))
    try:
        first = measure_frames(app, counter, perturb, max(1, repeats // BLOCKS), warmup)
    except NoRepaint:  # the control changes nothing drawn (e.g. the playground's learning rate while paused)
        counter.remove()
        result = measure_redraws(app, view, perturb, repeats, warmup)
        result.update(control=label, curves=len(curve_shape(view)),
                      floor_missing="the drag repaints no graphics view")
        return result
    shapes = capture(view, perturb, lambda: flush(app, 0.02)) if floor else []
    rebuilt = None
    if shapes:
        rebuilt = Floor(shapes, (view.width(), view.height()))
        rebuilt.show()
        flush(app, 0.05)
    floor_counter = PaintCounter(rebuilt.viewports()) if rebuilt is not None else None
    mine, theirs = [first], []
    try:
        for block in range(BLOCKS):
            n = max(1, repeats // BLOCKS)
            if floor_counter is not None:
                theirs.append(measure_frames(app, floor_counter, rebuilt.perturb, n, warmup))
            if block < BLOCKS - 1:
                mine.append(measure_frames(app, counter, perturb, n, warmup))
    finally:
        counter.remove()
        if floor_counter is not None:
            floor_counter.remove()
            rebuilt.close()
            app.processEvents()
    result = merge_blocks(mine)
    result["control"] = label
    result["curves"] = len(curve_shape(view))
    if floor:
        result["floor_shape"] = [s.summary() for s in shapes]
        if theirs:
            result["floor"] = merge_blocks(theirs)
            result["ratio"] = result["median"] / result["floor"]["median"]
        else:  # the view repainted, but no curve's data changed: the floor draws nothing
            result["floor_missing"] = "the drag changed no curve's data"
    return result


def function_view_latency(window, app, pins: int, repeats: int, width: float | None = None,
                          warmup: int = 5, floor: bool = True) -> dict:
    view, label, perturb = prepare_function_view(window, app, pins, width)
    result = measure_view(app, view, label, perturb, repeats, warmup, floor)
    result["points"] = int(view.xs.size)
    return result


def view_latency(window, app, name: str, repeats: int, warmup: int = 5, setup: dict | None = None,
                 floor: bool = True) -> dict:
    view, label, perturb = prepare_view(window, app, name, setup)
    return measure_view(app, view, label, perturb, repeats, warmup, floor)


# -- the naive reference: bare pyqtgraph, auto-ranged ----------------------------------------------------------------
def naive_floor_latency(app, shape: list[tuple[int, int, object]], size: tuple[int, int], repeats: int,
                        warmup: int = 5) -> dict:
    """The old reference: a bare GraphicsLayoutWidget, same plots, curves, points and pens, auto-ranged.

    Kept, labelled "naive", beside the true floor: its y ranges follow the
    data inside the paint, so it paints one to two times a frame.
    """
    import pyqtgraph as pg

    win = pg.GraphicsLayoutWidget()
    win.resize(*size)
    nplots = max(i for i, _, _ in shape) + 1
    plots = [win.addPlot(row=i, col=0) for i in range(nplots)]
    curves = [(plots[i].plot(pen=p), n) for i, n, p in shape]
    win.show()
    flush(app, 0.05)

    def perturb(i: int) -> None:
        for k, (curve, n) in enumerate(curves):
            x = np.linspace(-5, 5, n)
            curve.setData(x, np.tanh(x * (1 + 0.1 * (i % 2)) + 0.1 * k))

    counter = PaintCounter([win.viewport()])
    try:
        return merge_blocks([measure_frames(app, counter, perturb, repeats, warmup)])
    finally:
        counter.remove()
        win.close()
        win.deleteLater()
        app.processEvents()


# -- the alternative: matplotlib Agg ----------------------------------------------------------
def matplotlib_latency(shape: list[tuple[int, int, object]], size: tuple[int, int], repeats: int,
                       warmup: int = 3) -> dict:
    """The same curves in matplotlib's Agg canvas: set_data + rescale + draw."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    dpi = 100
    fig = Figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    nplots = max(i for i, _, _ in shape) + 1
    axes = fig.subplots(nplots, 1, sharex=True, squeeze=False)[:, 0]
    for ax in axes:
        ax.grid(True, alpha=0.25)
    lines = []
    for i, n, p in shape:
        width = p.widthF() if hasattr(p, "widthF") else 1.0
        (line,) = axes[i].plot(np.zeros(n), np.zeros(n), lw=max(width, 0.5))
        lines.append((line, n))

    def frame(i: int) -> None:
        for k, (line, n) in enumerate(lines):
            x = np.linspace(-5, 5, n)
            line.set_data(x, np.tanh(x * (1 + 0.1 * (i % 2)) + 0.1 * k))
        for ax in axes:
            ax.relim()
            ax.autoscale_view()
        canvas.draw()

    for i in range(warmup):
        frame(i)
    samples = []
    for i in range(repeats):
        t0 = time.perf_counter()
        frame(i)
        samples.append((time.perf_counter() - t0) * 1e3)
    return stats(samples)


#: the depth view at its largest (the issue's 50 layers × 128 units)
DEPTH_LARGE = {"layers": 50, "width": 128}


def run(repeats: int = 200, zoom_repeats: int | None = None, views: tuple[str, ...] = OTHER_VIEWS,
        with_matplotlib: bool = True, warmup: int = 5, floor: bool = True) -> dict:
    """Every in-process latency measurement, in one window, in one run.

    ``views`` maps a label to its measurement (``median``, ``p95``, paints per
    frame, and with ``floor`` the true floor's frames and ``ratio``).
    """
    from PySide6 import QtWidgets

    zoom_repeats = zoom_repeats or repeats
    window, app = make_window()
    out: dict = {"views": {}, "skipped": {}, "zoom": {}}
    try:
        for pins in (0, 4):
            out["views"][f"function, {pins} pins"] = function_view_latency(window, app, pins, repeats, warmup=warmup,
                                                                          floor=floor)
        view = window.views["function"]
        shape = curve_shape(view)
        gv = view.findChildren(QtWidgets.QGraphicsView)[0]
        size = (gv.width(), gv.height())
        out["shape"] = {"curves": len(shape), "points": [n for _, n, _ in shape], "size": list(size)}
        out["naive_floor"] = naive_floor_latency(app, shape, size, repeats, warmup)
        if with_matplotlib:
            out["matplotlib"] = matplotlib_latency(shape, size, max(3, repeats // 4))
        for width in ZOOM_WIDTHS:
            out["zoom"][f"{width:g}"] = function_view_latency(window, app, 4, zoom_repeats, width=width,
                                                              warmup=warmup, floor=False)
        window.views["function"].model.clear_pins()
        jobs = [(name, name, None) for name in views]
        if "depth" in views:
            jobs.append(("depth 50×128", "depth", DEPTH_LARGE))
        for label, name, setup in jobs:
            if name not in window.registry.views:
                out["skipped"][label] = "not registered (no plugin adds this view yet)"
                continue
            try:
                out["views"][label] = view_latency(window, app, name, repeats, warmup, setup, floor)
            except Exception as exc:  # noqa: BLE001 - a view in progress must not stop the suite
                out["skipped"][label] = f"{type(exc).__name__}: {exc}"
    finally:
        close_window(window, app)
    return out

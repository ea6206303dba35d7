"""A layout audit: what a student sees must be readable at every window size and in both palettes.

:func:`audit_window` looks at one shown window and returns :class:`Finding`s:
two visible text items that overlap (widget labels, buttons, spin boxes, plot
titles, axis and tick labels, legend entries, formula pixmaps, text items),
text or a formula cut off by its own widget or by a parent, primary plots whose
data area is under :data:`MIN_PLOT` (mark a thumbnail with
``plot.setProperty("actviz_thumbnail", True)``), an axis showing an SI
multiplier, a legend without an opaque background over a plot, a legend hiding
curve points or segments, text under
WCAG AA contrast (4.5:1) against its own background, and a window larger than
the available screen. :func:`audit_main_window` drives the main window
through every view (and, for the function and δ views, their functions);
``python -m actviz.gui.audit --size 1024x640 --scheme dark`` runs it on the
screen Qt was given (the tests give the offscreen platform a screen of the
audited size) and prints the findings as JSON lines.

The boxes are collected by :mod:`actviz.gui.audit_widgets` (widgets) and :mod:`actviz.gui.audit_scene`
(pyqtgraph scenes); :mod:`actviz.gui.audit_findings` holds :class:`Finding` and the tolerances. Here: the
checks over all boxes, and driving the main window.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict

from PySide6 import QtCore, QtGui, QtWidgets

from actviz.gui.audit_findings import MIN_PLOT, SLACK, Finding, TextBox, inline_colors  # noqa: F401 - re-exported
from actviz.gui.audit_scene import _graphics_boxes
from actviz.gui.audit_widgets import _widget_boxes, widget_colors  # noqa: F401 - widget_colors re-exported
from actviz.gui.theme import MIN_CONTRAST, contrast


def overlaps(boxes: Sequence[TextBox], where: str) -> list[Finding]:
    """Every pair of text boxes that overlap by more than :data:`SLACK` pixels both ways."""
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a.owner is not None and a.owner is b.owner and not a.name.startswith("tick"):
                continue
            inter = a.rect.intersected(b.rect)
            if inter.width() > SLACK and inter.height() > SLACK:
                found.append(Finding("overlap", where, (a.name, b.name),
                                     f"{inter.width():.0f}×{inter.height():.0f} px at "
                                     f"({inter.left():.0f}, {inter.top():.0f})"))
    return found


def audit_window(window: QtWidgets.QWidget, where: str = "", screen: QtCore.QSize | None = None) -> list[Finding]:
    """Everything wrong with what ``window`` shows now (see the module docstring)."""
    where = where or type(window).__name__
    findings: list[Finding] = []
    boxes = _widget_boxes(window, where, findings) + _graphics_boxes(window, where, findings)
    findings.extend(overlaps(boxes, where))
    for box in boxes:
        if box.fg is not None and box.bg is not None:
            ratio = contrast(box.fg, box.bg)
            if ratio < MIN_CONTRAST:
                findings.append(Finding("contrast", where, (box.name,),
                                        f"{ratio:.1f}:1 ({box.fg.name()} on {box.bg.name()})"))
        if box.document is not None and box.bg is not None:
            faint: dict[tuple[str, str], list[str]] = {}  # (colour, background) → its words
            for words, color, background in inline_colors(box.document):
                background = background or box.bg
                if contrast(color, background) < MIN_CONTRAST:
                    faint.setdefault((color.name(), background.name()), []).append(words.strip())
            for (color, background), words in faint.items():
                ratio = contrast(QtGui.QColor(color), QtGui.QColor(background))
                findings.append(Finding("contrast", where, (f"{' '.join(words)[:30]!r} in {box.name}",),
                                        f"{ratio:.1f}:1 ({color} on {background})"))
    palette = window.palette()
    for role, name in ((QtGui.QPalette.ColorRole.Link, "links"),
                       (QtGui.QPalette.ColorRole.PlaceholderText, "placeholder text")):
        ratio = contrast(palette.color(role), palette.color(QtGui.QPalette.ColorRole.Base))
        if ratio < MIN_CONTRAST:
            findings.append(Finding("contrast", where, (f"palette {name}",), f"{ratio:.1f}:1"))
    if screen is None and window.screen() is not None:
        screen = window.screen().availableGeometry().size()
    if screen is not None:
        size = window.frameGeometry().size()
        if size.width() > screen.width() or size.height() > screen.height():
            findings.append(Finding("too-big", where, ("window",), f"{size.width()}×{size.height()} on a "
                                                                   f"{screen.width()}×{screen.height()} screen"))
    return _unique(findings)


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    seen: dict[tuple, Finding] = {}
    for f in findings:
        seen.setdefault((f.kind, f.where, f.items), f)
    return list(seen.values())


def settle(app: QtWidgets.QApplication, rounds: int = 4) -> None:
    for _ in range(rounds):
        app.processEvents()


def audit_main_window(window, sizes: Sequence[tuple[int, int]], functions: str = "sample",
                      label: str = "", views: Sequence[str] | None = None) -> list[Finding]:
    """Drive ``window`` (a MainWindow) through every view at every size; the function and δ views per function.

    ``functions``: "all" audits every function of the function view and every
    activation and loss of the δ view; "sample" a few (the first, a long label,
    the last); "none" only the view's current state.
    """
    app = QtWidgets.QApplication.instance()
    findings: list[Finding] = []
    for width, height in sizes:
        resize_frame(window, width, height)
        settle(app)
        for name in views or list(window.view_names):
            view = window.show_view(name)
            if view is None:
                continue
            for state, apply in _states(window, name, functions):
                apply()
                view.refresh()
                settle(app, 2)  # lay out (and paint once: formula labels render after their first paint)
                view.refresh()
                wait_for_formulas(window)
                settle(app, 2)  # lay the new pictures out (nested layouts take a pass each)
                where = f"{name} {width}x{height}{' ' + label if label else ''}{' ' + state if state else ''}"
                findings.extend(audit_window(window, where))
        if views is None and functions != "none":
            findings.extend(_audit_tours(window, f"{width}x{height}{' ' + label if label else ''}"))
    return findings


def _audit_tours(window, where: str) -> list[Finding]:
    """Each tour's panel at its first stop and at its first stop that sets the lecture's claim beside the
    correction (the widest text), over the view the stop shows."""
    from actviz.host.tours import collect_tours

    app = QtWidgets.QApplication.instance()
    findings: list[Finding] = []
    for name, tour in collect_tours(window.registry).items():
        panel = window.start_tour(tour)
        claims = [i for i, stop in enumerate(tour.stops) if stop.lecture_claim]
        for index in dict.fromkeys([0, *claims[:1]]):
            panel.go(index)
            settle(app, 4)
            wait_for_formulas(window)
            settle(app, 2)
            findings.extend(audit_window(window, f"tour {name} stop {index + 1} {where}"))
        panel.close()  # as its close button does: the views after it get their room back
        settle(app, 2)
    return findings


def wait_for_formulas(window: QtWidgets.QWidget, seconds: float = 5.0) -> bool:
    """Let the formula labels finish rendering (on their thread), so the audit sees the pictures.

    Returns whether it waited for any.
    """
    import time

    from actviz.gui.formula import FormulaLabel

    app = QtWidgets.QApplication.instance()
    deadline = time.monotonic() + seconds
    waited = False
    while time.monotonic() < deadline:
        if not any(f.isVisible() and f.tex and not f.rendered and not f.text()
                   for f in window.findChildren(FormulaLabel)):
            break
        waited = True
        app.processEvents()
        time.sleep(0.005)
    return waited


def resize_frame(window: QtWidgets.QWidget, width: int, height: int) -> None:
    """Make the window's frame (title bar and borders included) ``width`` × ``height``."""
    frame, inner = window.frameGeometry().size(), window.geometry().size()
    window.resize(width - (frame.width() - inner.width()), height - (frame.height() - inner.height()))


#: view name → (function for its function-list field, {key: value}): the state the README's screenshots show
#: (``resources/make_screenshots.py``), audited too: a trained unit or network draws what a fresh one does not
SCENES: dict[str, tuple[str | None, dict]] = {
    "delta": ("logistic", {}),
    "depth": (None, {"layers": 20}),
    "likelihood": ("absolute_error", {}),
    "coin": (None, {}),
    "playground": (None, {"epochs": 300}),
    "single_unit": (None, {"steps": 120}),
}


def apply_scene(window, name: str) -> None:
    """Put view ``name`` of ``window`` (a MainWindow) into its :data:`SCENES` state."""
    function, settings = SCENES.get(name, (None, {}))
    if function:
        window.select_function(function)
    model = window.models[name]
    for key, value in settings.items():
        model.set(key, value)


def _states(window, name: str, functions: str):
    """(label, apply) for each state of view ``name`` worth auditing."""
    model = window.models[name]
    yield "", lambda: None
    if functions == "none":
        return
    if SCENES.get(name, (None, {}))[1]:
        yield "scene", lambda: apply_scene(window, name)
    registry = window.registry
    if name == "function":
        names = list(registry.activations) + list(registry.losses)
        for fn in _pick(names, functions, registry):
            yield f"function={fn}", lambda fn=fn: model.set("function", fn)
    elif name == "delta":
        loss = model["loss"]
        for act in _pick(list(registry.activations), functions, registry):
            yield f"activation={act} loss={loss}", lambda act=act: model.update({"activation": act, "loss": loss})
        for fn in _pick(list(registry.losses), functions, registry):
            yield f"activation=logistic loss={fn}", lambda fn=fn: model.update({"activation": "logistic", "loss": fn})


def _pick(names: list[str], functions: str, registry) -> list[str]:
    if functions == "all" or len(names) <= 3:
        return names
    longest = max(names, key=lambda n: len(registry.get(n).label))
    return list(dict.fromkeys([names[0], longest, names[-1]]))


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m actviz.gui.audit``: audit the main window on this screen, one JSON finding per line."""
    parser = argparse.ArgumentParser(prog="python -m actviz.gui.audit", description=main.__doc__)
    parser.add_argument("--size", action="append", default=[], help="WIDTHxHEIGHT (repeatable; default: the screen)")
    parser.add_argument("--scheme", action="append", choices=("light", "dark"), default=[])
    parser.add_argument("--functions", choices=("all", "sample", "none"), default="sample")
    parser.add_argument("--view", action="append", default=[])
    args = parser.parse_args(argv)
    from actviz.gui.headless import application
    from actviz.gui.theme import apply_scheme

    app = application()
    screen = app.primaryScreen().availableGeometry().size()
    sizes = [tuple(int(v) for v in s.lower().split("x")) for s in args.size] or [(screen.width(), screen.height())]
    from actviz.gui.main_window import MainWindow

    count = 0
    for scheme in args.scheme or ["light"]:
        apply_scheme(app, scheme)
        window = MainWindow()
        window.setProperty("testing", True)
        window.show()
        settle(app)
        dpr = window.devicePixelRatioF()
        label = scheme + (f" dpr{dpr:g}" if dpr != 1 else "")
        for finding in audit_main_window(window, sizes, args.functions, label, args.view or None):
            print(json.dumps(asdict(finding)), flush=True)
            count += 1
        window.settings.reset = lambda: None
        window.hide()
        window.deleteLater()
        settle(app)
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main())

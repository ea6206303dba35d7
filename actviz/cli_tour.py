"""``actviz export --tour NAME --out DIR``: a tour as a handout, and ``actviz tour`` without a name.

Every stop is rendered headless on a fresh model of its view with the stop's
scene (exactly what the tour panel shows), written as ``DIR/NN-title.png``,
and ``DIR/handout.md`` holds the stops' texts in order, each under its
picture, with the lecture's claim beside the correction where the lecture is
wrong. A stop that cannot be drawn is one line on stderr naming the stop; the
other stops are still written and the exit code is 1.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

from actviz.host.registry import Registry
from actviz.host.sanitize import clean
from actviz.host.tours import collect_tours, find_tour
from actviz.models.tour import Tour, TourError, TourStop, fresh_model, stop_state

HANDOUT = "handout.md"
_MARKDOWN = re.compile(r"([\\`*_\[\]|<>#])")


def _fail(message: str) -> int:
    print(f"actviz: error: {clean(message)}", file=sys.stderr)
    return 2


def list_tours(registry: Registry) -> int:
    """``actviz tour`` alone: every installed tour with its plugin and number of stops."""
    tours = collect_tours(registry)
    if not tours:
        print("no tours installed")
    for tour in tours.values():
        print(f"  {clean(tour.name):<20} {clean(tour.plugin):<12} {len(tour.stops):>3} stops  {clean(tour.title)}")
    problems = [p for p in registry.problems if p.stage == "actviz_tours" or "tour" in p.message]
    for p in problems:
        print(clean(str(p)), file=sys.stderr)
    return 0


def md(text: str) -> str:
    """Plain tour text made safe for Markdown (y* and x_min stay as written)."""
    return _MARKDOWN.sub(r"\\\1", text)


def image_name(index: int, stop: TourStop) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", stop.title.lower()).strip("-")[:40] or "stop"
    return f"{index:02d}-{slug}.png"


def handout(tour: Tour, images: list[str | None], failures: dict[int, str]) -> str:
    """The Markdown of the whole tour: title, then each stop's picture, text, errata and what to try."""
    lines = [f"# {md(tour.title)}", ""]
    if tour.plugin:
        lines += [f"A tour from the actviz plugin `{tour.plugin}`: {len(tour.stops)} stops.", ""]
    for i, (stop, image) in enumerate(zip(tour.stops, images, strict=True), 1):
        lines += [f"## {i}. {md(stop.title)}", ""]
        if image:
            lines += [f"![{md(stop.title)}]({image})", ""]
        else:
            lines += [f"*(this stop could not be drawn: {md(failures.get(i, 'unknown reason'))})*", ""]
        for paragraph in stop.text.split("\n\n"):
            lines += [md(paragraph.strip()), ""]
        if stop.lecture_claim:
            lines += ["| The lecture says | Correct |", "|---|---|",
                      f"| {md(stop.lecture_claim)} | {md(stop.correction)} |", ""]
        if stop.check_text:
            lines += [f"**Try it:** {md(stop.check_text)}.", ""]
        lines += [f"*View: {md(stop.view)}*", ""]
    return "\n".join(lines)


def _render(registry: Registry, stop: TourStop, path: str, size: tuple[int, int]) -> str:
    """Draw one stop into ``path``; "" when written, else why not."""
    from actviz.gui.export import ExportError, export_view
    from actviz.gui.headless import build_view, close_view

    try:
        model = fresh_model(registry, stop.view)
        model.restore(stop_state(registry, stop))
    except TourError as exc:
        return str(exc)
    try:
        view, app = build_view(registry, stop.view, size=size, model=model)
    except BaseException as exc:  # noqa: BLE001 - a view plugin may fail to build
        if isinstance(exc, KeyboardInterrupt):
            raise
        return f"view {stop.view!r} could not be created: {type(exc).__name__}: {exc}"
    try:
        reason = view.cannot_draw() or (f"view {stop.view!r} failed to draw: {view.error}" if view.error else "")
        if reason:
            return reason
        try:
            export_view(view, path, width=size[0])
        except ExportError as exc:
            return str(exc)
        return f"view {stop.view!r} failed to draw: {view.error}" if view.error else ""
    finally:
        close_view(view, app)


def run_tour_export(args: Any, registry: Registry) -> int:
    """Write a PNG per stop and ``handout.md`` into ``args.out`` (a directory, created if needed)."""
    others = [flag for flag, given in (("NAME", args.name), ("--view", args.view), ("--scene", args.scene),
                                       ("--set", args.settings), ("--param", args.param), ("--range", args.range))
              if given]
    if others:
        return _fail(f"--tour exports every stop as the tour sets it; "
                     f"it takes only --out DIR and --size, not {others[0]}")
    if not args.out:
        return _fail("--out DIR is required with --tour (a PNG per stop and handout.md go there)")
    try:
        tour = find_tour(args.tour, registry)
    except TourError as exc:
        return _fail(str(exc))
    out = args.out
    if os.path.exists(out) and not os.path.isdir(out):
        return _fail(f"{out}: not a directory (--tour writes a PNG per stop and {HANDOUT} into --out DIR)")
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        return _fail(f"cannot create {out}: {exc.strerror or exc}")
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from actviz.gui.headless import quiet_qt

    quiet_qt(verbose=getattr(args, "verbose", False))
    size = (int(args.size[0]), int(args.size[1]))
    images: list[str | None] = []
    failures: dict[int, str] = {}
    for i, stop in enumerate(tour.stops, 1):
        name = image_name(i, stop)
        reason = _render(registry, stop, os.path.join(out, name), size)
        if reason:
            failures[i] = reason
            images.append(None)
            print(f"actviz: error: tour {clean(tour.name)!r}, stop {i} ({clean(stop.title)}): {clean(reason)}",
                  file=sys.stderr)
        else:
            images.append(name)
    path = os.path.join(out, HANDOUT)
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(handout(tour, images, failures))
    except OSError as exc:
        return _fail(f"cannot write {path}: {exc.strerror or exc}")
    print(f"wrote {path} and {len(tour.stops) - len(failures)} images")
    return 1 if failures else 0

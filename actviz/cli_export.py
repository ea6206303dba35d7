"""``actviz export``: build one view offscreen, apply the command line, write the file."""

from __future__ import annotations

import os
import sys

from actviz.host.registry import Registry


def _fail(message: str) -> int:
    print(f"actviz: error: {message}", file=sys.stderr)
    return 2


def run_export(args, registry: Registry) -> int:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from actviz.gui.headless import build_view

    view_name = args.view or "function"
    if view_name not in registry.views:
        return _fail(f"no view named {view_name!r} (views: {', '.join(registry.views)})")
    settings = dict(args.settings)
    if args.name:
        if view_name != "function":
            return _fail("a function NAME is only for the function view; use --set function=NAME")
        settings["function"] = args.name
    if args.view is None and not args.name and not args.want_help:
        return _fail("name a function (actviz export relu --out relu.png) or a view (--view NAME)")
    try:
        view, app = build_view(registry, view_name, size=tuple(args.size))
    except Exception as exc:  # noqa: BLE001 - a view plugin may fail to build
        return _fail(f"view {view_name!r} could not be created: {type(exc).__name__}: {exc}")
    if args.want_help:
        print(f"keys of view {view_name!r} (--set KEY=VALUE):")
        for c in view.controls():
            rng = f"[{c.low:g}, {c.high:g}], default {c.default:g}" if hasattr(c, "low") else \
                f"one of {', '.join(c.options)}; default {c.default}"
            print(f"  {c.name:<14} {rng}{'  ' + c.help if c.help else ''}")
        return 0
    if not args.out:
        return _fail("--out FILE is required (.png, .svg or .csv)")
    from actviz.gui.headless import close_view

    try:
        return _export(view, args, settings, app)
    finally:
        close_view(view, app)


def _export(view, args, settings, app) -> int:
    from actviz.gui.export import ExportError, check_target, export_view
    from actviz.gui.viewbase import convert_control

    view_name = args.view or "function"
    try:
        check_target(args.out)
        if "function" in settings:  # the function first: its parameters depend on it
            view.apply_settings({"function": settings.pop("function")})
        by_name = {c.name: c for c in view.controls()}
        for key, raw in args.param:
            if key not in by_name:
                raise ValueError(f"unknown parameter {key!r} (parameters: "
                                 f"{', '.join(n for n in by_name if n not in ('function', 'zmin', 'zmax')) or 'none'})")
            view.set_control(key, convert_control(by_name[key], raw))
        if args.range:
            settings["zmin"], settings["zmax"] = (str(v) for v in args.range)
        view.apply_settings(settings)
        view.refresh()
        export_view(view, args.out, width=args.size[0])
    except (ValueError, KeyError, ExportError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        return _fail(str(msg))
    if view.error:
        return _fail(f"view {view_name!r} failed to draw: {view.error}")
    print(f"wrote {args.out}")
    return 0

"""``actviz export``: build one view offscreen on its model, apply the command line, write the file.

Keys come from the view's model, so ``--help`` needs no window (and no Qt) and
``--set`` takes them in any order. ``NAME``, ``--param`` and ``--range`` are
shorthands: NAME sets the view's function-list field, ``--param k=v`` its
``FIELD.k`` key, ``--range`` the model's ``range_keys``.
"""

from __future__ import annotations

import os
import sys
from collections import OrderedDict
from typing import Any

from actviz.host.registry import Registry
from actviz.models import ModelError, SceneError, ViewModel, read_scene
from actviz.specs import FunctionChoice


def _fail(message: str) -> int:
    print(f"actviz: error: {message}", file=sys.stderr)
    return 2


def _model(registry: Registry, name: str) -> ViewModel:
    factory = registry.views[name].model
    model = factory(registry) if factory is not None else ViewModel(registry)
    if not isinstance(model, ViewModel):
        raise TypeError(f"model() returned {type(model).__name__}, not an actviz ViewModel")
    return model


def function_field(model: ViewModel) -> FunctionChoice | None:
    """The field NAME and --param address: the function-list field that takes any function, else the first."""
    browse = [f for f in model.fields if isinstance(f, FunctionChoice) and f.browse]
    return next((f for f in browse if f.kind == "any"), browse[0] if browse else None)


def default_view(registry: Registry) -> str | None:
    """The view ``actviz export NAME`` draws: the first whose function-list field takes any function."""
    for name in registry.views:
        try:
            field = function_field(_model(registry, name))
        except Exception:  # noqa: BLE001 - view plugins are third-party code
            continue
        if field is not None and field.kind == "any":
            return name
    return None


def keys_help(view_name: str, model: ViewModel) -> str:
    """Every key of a view, dependent keys grouped with the functions they apply to."""
    lines = [f"keys of view {view_name!r} (--set KEY=VALUE, any order):"]
    grouped: OrderedDict[tuple[str, str], list[str]] = OrderedDict()
    for key in model.all_keys():
        plain = key.describe().split("  (when ")[0]
        grouped.setdefault((key.name, plain), [])
        if key.condition:
            grouped[(key.name, plain)].append(key.condition.split("=", 1)[1])
    for (name, plain), conditions in grouped.items():
        when = ""
        if conditions:
            owner = name.split(".", 1)[0]
            shown = ", ".join(conditions[:8]) + (f" and {len(conditions) - 8} more" if len(conditions) > 8 else "")
            when = f"  (when {owner} is {shown})"
        lines.append(f"  {name:<22} {plain}{when}")
    return "\n".join(lines)


def run_export(args: Any, registry: Registry) -> int:
    scene = None
    if getattr(args, "scene", None):
        try:
            scene = read_scene(args.scene)
        except SceneError as exc:
            return _fail(str(exc))
    view_name = args.view or (scene.get("view") if scene else None) or (default_view(registry) if args.name or
                                                                         args.want_help else None)
    if view_name is None:
        if not args.want_help:
            return _fail("name a function (actviz export relu --out relu.png), a view (--view NAME) "
                         "or a scene (--scene FILE)")
        view_name = next(iter(registry.views), None)
        if view_name is None:
            return _fail("no views are installed")
    if view_name not in registry.views:
        return _fail(f"no view named {view_name!r} (views: {', '.join(registry.views) or 'none'})")
    try:
        model = _model(registry, view_name)
    except Exception as exc:  # noqa: BLE001 - a view plugin may fail to build its model
        return _fail(f"view {view_name!r} has no usable model: {type(exc).__name__}: {exc}")
    if args.want_help:
        try:
            from actviz.cli import export_flags_help

            print(export_flags_help())
        except ImportError:
            pass
        print(keys_help(view_name, model))
        return 0
    if not args.out:
        return _fail("--out FILE is required (.png, .svg or .csv)")
    if scene is not None:
        for line in model.restore(scene.get("views", {}).get(view_name, {})):
            print(f"actviz: warning: scene: {line}", file=sys.stderr)
    try:
        model.update(_settings(args, model, view_name))
    except ModelError as exc:
        return _fail(str(exc))
    return _draw(args, registry, view_name, model)


def _settings(args: Any, model: ViewModel, view_name: str) -> dict[str, Any]:
    settings: dict[str, Any] = dict(args.settings)
    field = function_field(model)
    if args.name:
        if field is None:
            raise ModelError(f"view {view_name!r} takes no function NAME; use --set KEY=VALUE")
        settings[field.name] = args.name
    for key, raw in args.param:
        if field is None:
            raise ModelError(f"view {view_name!r} has no function parameters; use --set KEY=VALUE")
        settings[f"{field.name}.{key}"] = raw
    if args.range:
        if not model.range_keys:
            raise ModelError(f"view {view_name!r} has no x range to set")
        low, high = args.range
        settings[model.range_keys[0]], settings[model.range_keys[1]] = low, high
    return settings


#: pixels per side: Qt overflows (and warns about bindings) long before sizes reach int32
SIZE_LIMITS = (16, 10000)


def _draw(args: Any, registry: Registry, view_name: str, model: ViewModel) -> int:
    low, high = SIZE_LIMITS
    if not all(isinstance(v, int) and low <= v <= high for v in args.size):
        shown = " ".join(map(str, args.size))
        return _fail(f"--size W H must be whole numbers of pixels in {low}..{high}, got {shown}")
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from actviz.gui.export import ExportError, check_target, export_view
    from actviz.gui.headless import build_view, close_view, quiet_qt

    try:
        check_target(args.out)
    except ExportError as exc:
        return _fail(str(exc))
    quiet_qt(verbose=getattr(args, "verbose", False))
    try:
        view, app = build_view(registry, view_name, size=tuple(args.size), model=model)
    except BaseException as exc:  # noqa: BLE001 - a view plugin may fail to build
        if isinstance(exc, KeyboardInterrupt):
            raise
        return _fail(f"view {view_name!r} could not be created: {type(exc).__name__}: {exc}")
    try:
        reason = view.cannot_draw()
        if reason:
            return _fail(reason)
        if view.error:
            return _fail(f"view {view_name!r} failed to draw: {view.error}")
        try:
            export_view(view, args.out, width=args.size[0])
        except ExportError as exc:
            return _fail(str(exc))
        if view.error:
            return _fail(f"view {view_name!r} failed to draw: {view.error}")
    finally:
        close_view(view, app)
    print(f"wrote {args.out}")
    return 0

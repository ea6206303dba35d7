"""The ``actviz`` command: the GUI by default, and ``list``, ``check``, ``plugins``, ``export``.

Bad arguments are one line on stderr and exit code 2; ``check`` exits 1 when
any plugin has a problem, so plugin authors can run it in CI.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from actviz.host.registry import Registry, deep_check, load_registry


class UsageError(Exception):
    """A bad command line; the message is shown as one line with exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not the usage dump
        raise UsageError(message)


def _key_value(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    key, value = text.split("=", 1)
    return key.strip(), value.strip()


def build_parser() -> Parser:
    parser = Parser(prog="actviz", description="See how activations and losses behave.")
    parser.add_argument("--disable", action="append", default=[], metavar="PLUGIN",
                        help="do not load this plugin (repeatable; also ACTVIZ_DISABLE=a,b)")
    parser.add_argument("--reset-settings", action="store_true", help="forget the saved window state")
    parser.add_argument("--safe-mode", action="store_true", help="load the built-in plugins only")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    p = sub.add_parser("list", help="every function with its plugin and parameters")
    p.add_argument("--json", action="store_true")
    sub.add_parser("check", help="validate every installed plugin; exit 1 on any problem")
    p = sub.add_parser("plugins", help="every plugin: distribution, location, status, what it adds")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("open", help="start the app on a saved scene")
    p.add_argument("scene", metavar="FILE", help="a scene saved with File → Save scene…")
    p = sub.add_parser("export", add_help=False,
                       help="write a function or a view to PNG, SVG or CSV without a window")
    p.add_argument("name", nargs="?", help="function to export (function view)")
    p.add_argument("--view", help="view to export (default: the function view)")
    p.add_argument("--param", action="append", default=[], type=_key_value, metavar="NAME=VALUE")
    p.add_argument("--set", action="append", default=[], type=_key_value, metavar="KEY=VALUE",
                   dest="settings")
    p.add_argument("--range", nargs=2, type=float, metavar=("LOW", "HIGH"))
    p.add_argument("--out", metavar="FILE")
    p.add_argument("--scene", metavar="FILE", help="render a saved scene (its current view, or --view)")
    p.add_argument("--size", nargs=2, type=int, default=(1000, 700), metavar=("W", "H"))
    p.add_argument("-h", "--help", action="store_true", dest="want_help")
    return parser


def export_flags_help() -> str:
    """``actviz export``'s own flags, printed above a view's keys by ``--help``."""
    return """usage: actviz export [NAME] [--view VIEW] [--scene FILE] [--set KEY=VALUE ...]
                     [--param NAME=VALUE ...] [--range LOW HIGH] [--size W H] --out FILE
  NAME                 a function, shown in the first view that shows any function
  --view VIEW          the view to export (default: the scene's, or the function view)
  --scene FILE         start from a saved scene (File → Save scene…)
  --set KEY=VALUE      a key of the view (listed below), any order, repeatable
  --param NAME=VALUE   a parameter of the function NAME (the key FUNCTION.NAME)
  --range LOW HIGH     the x range, for views that have one
  --size W H           pixels (default 1000 700)
  --out FILE           .png, .svg or .csv
"""


def describe(spec) -> dict:
    return {
        "name": spec.name, "label": spec.label, "kind": spec.kind, "plugin": spec.plugin,
        "params": [{"name": p.name, "default": p.default, "low": p.low, "high": p.high} for p in spec.params],
        "numerical_derivative": spec.numerical_derivative,
    }


def cmd_list(reg: Registry, as_json: bool) -> int:
    items = [describe(s) for s in reg.functions()]
    if as_json:
        print(json.dumps({"functions": items, "views": sorted(reg.views)}, indent=2))
        return 0
    for kind in ("activation", "loss"):
        rows = [i for i in items if i["kind"] == kind]
        print(f"{'losses' if kind == 'loss' else 'activations'} ({len(rows)}):")
        for i in rows:
            params = ", ".join(f"{p['name']}={p['default']:g} [{p['low']:g}, {p['high']:g}]" for p in i["params"])
            mark = " (numerical derivative)" if i["numerical_derivative"] else ""
            print(f"  {i['name']:<28} {i['plugin']:<12} {params}{mark}")
    if reg.problems:
        print(f"{len(reg.problems)} plugin problem(s); run `actviz check`", file=sys.stderr)
    return 0


def cmd_check(reg: Registry) -> int:
    problems = deep_check(reg)
    for p in problems:
        print(str(p))
    n = len(reg.functions())
    if problems:
        print(f"{len(problems)} problem(s) in {len({p.plugin for p in problems})} plugin(s); "
              f"{n} function(s) usable")
        return 1
    print(f"ok: {n} functions, {len(reg.views)} views, {len(reg.plugins)} plugins, no problems")
    return 0


def cmd_plugins(reg: Registry, as_json: bool) -> int:
    rows = []
    for info in reg.plugins:
        d = info.as_dict()
        d["problems"] = [{"stage": p.stage, "spec": p.spec, "message": p.message, "traceback": p.traceback}
                         for p in reg.problems if p.plugin == info.name]
        rows.append(d)
    if as_json:
        print(json.dumps(rows, indent=2))
        return 0
    for d in rows:
        dist = f"{d['distribution']} {d['version']}".strip() or "(in-process)"
        print(f"{d['name']:<14} {d['status']:<9} {dist:<24} {d['location']}")
        if d["adds"]:
            print(f"{'':<14} adds: {', '.join(d['adds'])}")
        for p in d["problems"]:
            print(f"{'':<14} problem [{p['stage']}] {p['spec']}: {p['message']}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "export":
            from actviz.cli_export import run_export  # Qt is imported only here
            return run_export(args, load_registry(disabled=args.disable))
        if args.safe_mode:
            import os

            os.environ["ACTVIZ_SAFE_MODE"] = "1"  # every registry this process loads: built-ins only
        if args.command in (None, "open"):
            from actviz.gui.app import run_gui
            return run_gui(disabled=args.disable, reset_settings=args.reset_settings, safe_mode=args.safe_mode,
                           scene=getattr(args, "scene", None))
        reg = load_registry(disabled=args.disable)
        if args.command == "list":
            return cmd_list(reg, args.json)
        if args.command == "check":
            return cmd_check(reg)
        return cmd_plugins(reg, args.json)
    except UsageError as exc:
        print(f"actviz: error: {exc}", file=sys.stderr)
        return 2

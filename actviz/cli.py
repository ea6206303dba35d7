"""The ``actviz`` command: the GUI by default, and ``list``, ``check``, ``plugins``, ``export``.

Bad arguments are one line on stderr and exit code 2; ``check`` exits 1 when
any plugin has a problem, so plugin authors can run it in CI.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Sequence

from actviz.host.isolation import CheckReport, check_plugins, describe_function, describe_view, problem_dict
from actviz.host.plugins import Problem, disabled_from_env, discover
from actviz.host.registry import Registry, deep_check, load_registry
from actviz.host.sanitize import clean


class UsageError(Exception):
    """A bad command line; the message is shown as one line with exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not the usage dump
        raise UsageError(message)


#: --size bounds, in pixels: Qt refuses (with an OverflowError) sizes beyond int32 long before that
MIN_PIXELS, MAX_PIXELS = 16, 10000


def _pixels(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of pixels, got {text!r}") from None
    if not MIN_PIXELS <= value <= MAX_PIXELS:
        raise argparse.ArgumentTypeError(f"{text} pixels is outside {MIN_PIXELS}..{MAX_PIXELS}")
    return value


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"argument --range: expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UsageError(f"argument --range: {text!r} is not a finite number")
    return value


def split_range(argv: list[str]) -> tuple[list[str], tuple[float, float] | None]:
    """Take ``export ... --range LOW HIGH`` out of ``argv``, reading both numbers explicitly.

    argparse takes ``-1e9`` for an option (its negative-number test knows no
    exponent), so ``--range -1e9 1e9`` was "expected 2 arguments".
    """
    if "export" not in argv or "--range" not in argv[argv.index("export"):]:
        return argv, None
    at = argv.index("--range", argv.index("export"))
    if len(argv) < at + 3:
        raise UsageError("argument --range: expected 2 arguments (LOW HIGH)")
    low, high = _number(argv[at + 1]), _number(argv[at + 2])
    rest = argv[:at] + argv[at + 3:]
    if "--range" in rest[at:]:
        raise UsageError("argument --range: given twice")
    return rest, (low, high)


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
    parser.add_argument("--safe-mode", action="store_true",
                        help="load the built-in plugins only (every other entry point is disabled before import)")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    p = sub.add_parser("list", help="every function with its plugin and parameters")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("check", help="validate installed plugins, each in a child process; exit 1 on any problem")
    p.add_argument("plugins", nargs="*", metavar="PLUGIN", help="check only these (the others still load)")
    p.add_argument("--verbose", "-v", action="store_true", help="a line per function, with tracebacks")
    p.add_argument("--json", action="store_true", help="plugins, functions and problems as JSON")
    p = sub.add_parser("plugins", help="every plugin: distribution, location, status, what it adds")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("open", help="start the app on a saved scene")
    p.add_argument("scene", metavar="FILE", help="a scene saved with File → Save scene…")
    p = sub.add_parser("tour", help="start the app on a guided tour (without NAME: list the tours)")
    p.add_argument("tour", nargs="?", metavar="NAME|FILE", help="an installed tour's name, or a .json/.toml tour file")
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
    p.add_argument("--size", nargs=2, type=_pixels, default=(1000, 700), metavar=("W", "H"))
    p.add_argument("--tour", metavar="NAME|FILE", help="every stop of a tour: a PNG each and handout.md in --out DIR")
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
  --tour NAME|FILE     instead: every stop of a tour, a PNG each and handout.md, into --out DIR
"""


def describe(spec) -> dict:
    return describe_function(spec)


def _problem_line(p: Problem) -> str:
    return clean(str(p))


def cmd_list(reg: Registry, as_json: bool) -> int:
    items = [describe(s) for s in reg.functions()]
    if as_json:
        print(json.dumps({"functions": items, "views": [describe_view(v) for v in reg.views.values()]}, indent=2))
        return 0
    for kind in ("activation", "loss"):
        rows = [i for i in items if i["kind"] == kind]
        print(f"{'losses' if kind == 'loss' else 'activations'} ({len(rows)}):")
        for i in rows:
            params = ", ".join(f"{clean(p['name'])}={p['default']:g} [{p['low']:g}, {p['high']:g}]"
                               for p in i["params"])
            mark = " (numerical derivative)" if i["numerical_derivative"] else ""
            print(f"  {clean(i['name']):<28} {clean(i['plugin']):<12} {params}{mark}")
    print(f"views ({len(reg.views)}):")
    for v in reg.views.values():
        print(f"  {clean(v.name):<28} {clean(v.plugin):<12} {clean(v.label)}")
    if reg.problems:
        print(f"{len(reg.problems)} plugin problem(s); run `actviz check`", file=sys.stderr)
    return 0


def _summary(report: CheckReport) -> str:
    n = len(report.functions)
    if report.problems:
        return (f"{len(report.problems)} problem(s) in {len({p.plugin for p in report.problems})} plugin(s); "
                f"{n} function(s) usable")
    return f"ok: {n} functions, {len(report.views)} views, {len(report.plugins)} plugins, no problems"


def cmd_check(args: argparse.Namespace) -> int:
    """Each plugin checked in a child process (:mod:`actviz.host.isolation`); exit 1 on any problem."""
    names = list(dict.fromkeys(args.plugins)) or None
    if names is not None:
        known = [i.name for i in discover(set(args.disable) | disabled_from_env(), args.safe_mode)[1]]
        unknown = [n for n in names if n not in known]
        if unknown:
            raise UsageError(f"no plugin named {unknown[0]!r} (plugins: {', '.join(known) or 'none'})")
    full = check_plugins(disabled=args.disable, safe_mode=args.safe_mode, names=names)
    report = full.only(names) if names is not None else full
    if args.json:
        print(json.dumps({
            "ok": not report.problems,
            "plugins": [i.as_dict() for i in report.plugins],
            "functions": [{**f, "problems": sum(p.plugin == f["plugin"] and p.spec == f["name"]
                                                for p in report.problems)} for f in report.functions],
            "views": report.views,
            "problems": [problem_dict(p) for p in report.problems],
        }, indent=2))
        return 1 if report.problems else 0
    if args.verbose:
        _verbose_check(report)
    else:
        for p in report.problems:
            print(_problem_line(p))
    print(_summary(report))
    return 1 if report.problems else 0


def _verbose_check(report: CheckReport) -> None:
    for info in report.plugins:
        dist = f"{info.distribution} {info.version}".strip() or "(in-process)"
        print(f"{clean(info.name)}: {info.status}, {clean(dist)}, {clean(info.location)}")
        mine = [p for p in report.problems if p.plugin == info.name]
        for p in (p for p in mine if not p.spec):
            _verbose_problem(p, "  ")
        specs = [f for f in report.functions if f["plugin"] == info.name]
        for f in specs:
            found = [p for p in mine if p.spec == f["name"]]
            extra = " (numerical derivative)" if f["numerical_derivative"] else ""
            print(f"  {'FAIL' if found else 'ok':<5}{clean(f['name'])} ({f['kind']}){extra}")
            for p in found:
                _verbose_problem(p, "       ")
        listed = {f["name"] for f in specs}
        for p in (p for p in mine if p.spec and p.spec not in listed):  # rejected: not usable
            print(f"  {'FAIL':<5}{clean(p.spec)} (not loaded)")
            _verbose_problem(p, "       ")
        for v in (v for v in report.views if v["plugin"] == info.name):
            print(f"  {'ok':<5}{clean(v['name'])} (view)")


def _verbose_problem(p: Problem, indent: str) -> None:
    print(f"{indent}{p.stage}: {clean(p.message)}")
    if p.traceback:
        print(textwrap.indent(clean(p.traceback.rstrip(), multiline=True), indent + "  "))


def cmd_plugins(reg: Registry, as_json: bool) -> int:
    problems = deep_check(reg)  # what `actviz check` reports, so both count the same problems
    rows = []
    for info in reg.plugins:
        d = info.as_dict()
        d["problems"] = [{"stage": p.stage, "spec": p.spec, "message": p.message, "traceback": p.traceback}
                         for p in problems if p.plugin == info.name]
        rows.append(d)
    if as_json:
        print(json.dumps(rows, indent=2))
        return 0
    for d in rows:
        dist = f"{d['distribution']} {d['version']}".strip() or "(in-process)"
        print(f"{clean(d['name']):<14} {d['status']:<9} {clean(dist):<24} {clean(d['location'])}")
        if d["adds"]:
            print(f"{'':<14} adds: {', '.join(clean(a) for a in d['adds'])}")
        for p in d["problems"]:
            print(f"{'':<14} problem [{p['stage']}] {clean(p['spec'])}: {clean(p['message'])}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        argv, explicit_range = split_range(list(sys.argv[1:] if argv is None else argv))
        args = parser.parse_args(argv)
        if explicit_range is not None:
            args.range = explicit_range
        if args.command == "export" and args.tour:
            from actviz.cli_tour import run_tour_export  # Qt is imported only there
            return run_tour_export(args, load_registry(disabled=args.disable, safe_mode=args.safe_mode))
        if args.command == "tour" and not args.tour:
            from actviz.cli_tour import list_tours
            return list_tours(load_registry(disabled=args.disable, safe_mode=args.safe_mode))
        if args.command == "export":
            from actviz.cli_export import run_export  # Qt is imported only here
            return run_export(args, load_registry(disabled=args.disable, safe_mode=args.safe_mode))
        if args.command in (None, "open", "tour"):
            from actviz.gui.app import run_gui
            if args.command == "tour":
                return run_gui(disabled=args.disable, reset_settings=args.reset_settings, safe_mode=args.safe_mode,
                               tour=args.tour)
            return run_gui(disabled=args.disable, reset_settings=args.reset_settings, safe_mode=args.safe_mode,
                           scene=getattr(args, "scene", None))
        if args.command == "check":
            return cmd_check(args)
        reg = load_registry(disabled=args.disable, safe_mode=args.safe_mode)
        if args.command == "list":
            return cmd_list(reg, args.json)
        return cmd_plugins(reg, args.json)
    except UsageError as exc:
        print(f"actviz: error: {clean(exc)}", file=sys.stderr)
        return 2

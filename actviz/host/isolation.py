"""``actviz check`` in child processes: a plugin that crashes, exits or hangs is reported, not fatal.

The parent finds the entry points without importing any (:func:`discover`),
then checks the built-in plugins in one child process and each third party
in a child of its own (``python -m actviz.host.isolation``, never a fork of
the parent). A child imports its plugins, calls their hooks, runs the deep
check and writes a JSON report. A child that dies by a signal (a segfault in
native code), exits before writing its report (``os._exit``, ``sys.exit`` in
a thread, …) or runs past ``ACTVIZ_CHECK_TIMEOUT`` seconds is one problem
against its plugin. Each child runs in a session of its own, so whatever it
forked is killed when it is done. Names taken across children are settled
here, in load order, exactly as :func:`actviz.host.registry.load_registry`
settles them in one process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from actviz.host.plugins import HOST_DISTRIBUTION, PluginInfo, Problem, disabled_from_env, discover

#: how long one child may take, in seconds; ``ACTVIZ_CHECK_TIMEOUT`` overrides
CHECK_SECONDS = 60.0
#: children at once (the check is CPU-bound; more would only fight for cores)
PARALLEL = 2


def check_seconds() -> float:
    try:
        return max(0.1, float(os.environ.get("ACTVIZ_CHECK_TIMEOUT", CHECK_SECONDS)))
    except ValueError:
        return CHECK_SECONDS


def describe_function(spec: Any) -> dict[str, Any]:
    return {
        "name": spec.name, "label": spec.label, "kind": spec.kind, "plugin": spec.plugin,
        "params": [{"name": p.name, "default": p.default, "low": p.low, "high": p.high} for p in spec.params],
        "numerical_derivative": spec.numerical_derivative,
    }


def describe_view(view: Any) -> dict[str, Any]:
    return {"name": view.name, "plugin": view.plugin, "label": view.label, "description": view.description}


def problem_dict(p: Problem) -> dict[str, str]:
    return {"plugin": p.plugin, "stage": p.stage, "spec": p.spec, "message": p.message, "traceback": p.traceback}


@dataclass
class CheckReport:
    """What ``actviz check`` found: every plugin, every usable function and view, every problem."""

    plugins: list[PluginInfo] = field(default_factory=list)
    functions: list[dict[str, Any]] = field(default_factory=list)
    views: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def only(self, names: Iterable[str]) -> CheckReport:
        keep = set(names)
        return CheckReport([i for i in self.plugins if i.name in keep],
                           [f for f in self.functions if f["plugin"] in keep],
                           [v for v in self.views if v["plugin"] in keep],
                           [p for p in self.problems if p.plugin in keep])


# --- the child ----------------------------------------------------------------------------------

def child_main(argv: list[str]) -> None:
    """``python -m actviz.host.isolation REPORT NAME...``: check these entry points, write REPORT."""
    import faulthandler

    faulthandler.enable()  # a segfault leaves a Python traceback on stderr for the parent
    from actviz.host import plugins
    from actviz.host.registry import deep_check, load_registry

    report, names = argv[0], argv[1:]
    pid = os.getpid()
    reg = load_registry(only=names)
    forks = plugins._forks[0]
    problems = deep_check(reg)
    if os.getpid() != pid:  # a forked copy that came back into our code
        os._exit(0)
    if plugins._forks[0] != forks and len(names) == 1:
        problems.append(Problem(names[0], "side-effect", "its functions forked the process (os.fork) while "
                                "being checked; a plugin must not fork the host"))
    data = {
        "plugins": [i.as_dict() for i in reg.plugins],
        "functions": [describe_function(s) for s in reg.functions()],
        "views": [describe_view(v) for v in reg.views.values()],
        "problems": [problem_dict(p) for p in problems],
    }
    tmp = f"{report}.part"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    os.replace(tmp, report)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # a plugin's non-daemon thread or atexit handler must not keep the child alive


# --- the parent ---------------------------------------------------------------------------------

@dataclass
class _Child:
    names: list[str]
    proc: subprocess.Popen
    report: Path
    stderr: Path
    started: float


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # the child sees exactly the plugins this process sees (tests prepend to sys.path)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env.setdefault("PYTHONFAULTHANDLER", "1")
    return env


def _start(names: list[str], workdir: Path, index: int) -> _Child:
    report = workdir / f"report-{index}.json"
    stderr = workdir / f"stderr-{index}.txt"
    with open(stderr, "wb") as err, open(workdir / f"stdout-{index}.txt", "wb") as out:
        # files, not pipes: a grandchild the plugin forked must not keep us waiting for EOF
        proc = subprocess.Popen([sys.executable, "-m", "actviz.host.isolation", str(report), *names],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=_child_env(),
                                start_new_session=True)
    return _Child(names, proc, report, stderr, time.monotonic())


def _kill_session(child: _Child) -> None:
    try:
        os.killpg(child.proc.pid, signal.SIGKILL)  # the child's own session: it and whatever it forked
    except (ProcessLookupError, PermissionError):
        pass


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _stderr_tail(path: Path, limit: int = 4000) -> str:
    try:
        data = path.read_bytes()[-limit:]
    except OSError:
        return ""
    return data.decode("utf-8", "replace")


def _failure(child: _Child, timed_out: bool, seconds: float) -> tuple[str, str]:
    """(one-line message, stderr tail) for a child that wrote no report."""
    tail = _stderr_tail(child.stderr)
    rc = child.proc.returncode
    if timed_out:
        return (f"checking it did not finish within {seconds:g} s (it hangs, or raise ACTVIZ_CHECK_TIMEOUT)",
                tail)
    if rc is not None and rc < 0:
        what = {"SIGSEGV": "a segmentation fault", "SIGABRT": "an abort", "SIGBUS": "a bus error",
                "SIGFPE": "a floating-point exception", "SIGILL": "an illegal instruction"}
        name = _signal_name(-rc)
        return f"checking it crashed the process with {name} ({what.get(name, 'killed by a signal')})", tail
    if rc == 0:
        return ("the process ended (exit code 0) before the check finished: the plugin exits the interpreter "
                "(os._exit or similar)"), tail
    return f"the process exited with code {rc} before the check finished", tail


def _read_report(child: _Child) -> dict[str, Any] | None:
    try:
        data = json.loads(child.report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _run_children(groups: list[list[str]], seconds: float) -> list[tuple[dict | None, str, str]]:
    """Run one child per group, at most PARALLEL at once; per group (report or None, failure, stderr)."""
    results: list[tuple[dict | None, str, str]] = [(None, "", "")] * len(groups)
    with tempfile.TemporaryDirectory(prefix="actviz-check-") as tmp:
        workdir = Path(tmp)
        pending = list(enumerate(groups))
        running: dict[int, _Child] = {}
        try:
            while pending or running:
                while pending and len(running) < PARALLEL:
                    index, names = pending.pop(0)
                    running[index] = _start(names, workdir, index)
                time.sleep(0.01)
                for index, child in list(running.items()):
                    timed_out = time.monotonic() - child.started > seconds
                    if child.proc.poll() is None and not timed_out:
                        continue
                    if timed_out and child.proc.poll() is None:
                        _kill_session(child)
                        child.proc.wait()
                    else:
                        timed_out = False
                        _kill_session(child)  # anything it forked
                    del running[index]
                    data = _read_report(child)
                    if data is not None:
                        results[index] = (data, "", "")
                    else:
                        message, tail = _failure(child, timed_out, seconds)
                        results[index] = (None, message, tail)
        finally:
            for child in running.values():
                _kill_session(child)
                child.proc.wait()
    return results


def check_plugins(
    disabled: Iterable[str] = (), safe_mode: bool = False, names: Iterable[str] | None = None,
) -> CheckReport:
    """Check every enabled plugin in child processes; ``names`` limits which are *needed*.

    With ``names``, the plugins loading before the last named one still run
    (they may own names the named ones want); later ones cannot matter and
    are skipped. The report covers every plugin that ran; filter it with
    :meth:`CheckReport.only`.
    """
    from actviz.host.plugins import safe_mode_from_env

    safe_mode = safe_mode or safe_mode_from_env()
    to_load, infos, problems = discover(set(disabled) | disabled_from_env(), safe_mode)
    builtins = [info.name for _, info in to_load if info.distribution == HOST_DISTRIBUTION]
    groups = ([builtins] if builtins else []) + [[info.name] for _, info in to_load
                                                 if info.distribution != HOST_DISTRIBUTION]
    if names is not None:
        wanted = set(names)
        last = max((i for i, g in enumerate(groups) if wanted & set(g)), default=-1)
        groups = groups[:last + 1]
    seconds = check_seconds()
    report = CheckReport(plugins=infos, problems=list(problems))
    by_name = {info.name: info for info in infos}
    taken: dict[str, str] = {}
    views_taken: dict[str, str] = {}
    for group, (data, failure, tail) in zip(groups, _run_children(groups, seconds), strict=True):
        if data is None:
            for name in group:
                by_name[name].status = "failed"
                report.problems.append(Problem(name, "check", failure, tail))
            continue
        for row in data.get("plugins", []):
            info = by_name.get(row.get("name"))
            if info is not None:
                info.status, info.location = row.get("status", info.status), row.get("location", info.location)
        lost: set[tuple[str, str]] = set()
        settled: list[Problem] = []
        for fn in data.get("functions", []):
            owner = taken.get(fn["name"])
            if owner is not None and owner != fn["plugin"]:
                lost.add((fn["plugin"], fn["name"]))
                settled.append(Problem(fn["plugin"], "validate", f"name {fn['name']!r} is already taken by "
                                       f"plugin {owner!r}", spec=fn["name"]))
                continue
            taken[fn["name"]] = fn["plugin"]
            report.functions.append(fn)
        for view in data.get("views", []):
            owner = views_taken.get(view["name"])
            if owner is not None and owner != view["plugin"]:
                settled.append(Problem(view["plugin"], "validate", f"view name {view['name']!r} is already "
                                       f"taken by plugin {owner!r}"))
                continue
            views_taken[view["name"]] = view["plugin"]
            report.views.append(view)
        for row in data.get("problems", []):
            p = Problem(**{k: str(row.get(k, "")) for k in ("plugin", "stage", "message", "traceback", "spec")})
            if (p.plugin, p.spec) not in lost:  # a function that lost its name is not checked in one process
                report.problems.append(p)
        report.problems.extend(settled)
    for info in infos:
        info.adds = [f["name"] for f in report.functions if f["plugin"] == info.name] + \
                    [v["name"] for v in report.views if v["plugin"] == info.name]
    return report


if __name__ == "__main__":
    child_main(sys.argv[1:])

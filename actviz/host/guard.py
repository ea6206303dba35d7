"""Running plugin code in the host: a time cap, and nothing it changes globally survives.

:func:`run_limited` runs a callable on a reusable daemon worker thread and
waits at most so many seconds for it. :class:`GlobalState` snapshots what a
plugin could monkeypatch for everyone (numpy's error handling and the
functions of ``numpy``, ``math`` and ``builtins``); :meth:`GlobalState.undo`
puts it back and says what had changed, so the culprit can be named.
"""

from __future__ import annotations

import builtins
import contextlib
import math
import operator
import os
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from actviz.host.call_worker import borrow, give_back

#: the time a hook (``actviz_activations()`` …) may take; ``ACTVIZ_HOOK_TIMEOUT`` overrides
HOOK_SECONDS = 5.0
#: the time one ``kinks(...)`` call may take
KINKS_SECONDS = 0.25

WATCHED_MODULES = (np, math, builtins)


def hook_seconds() -> float:
    try:
        return max(0.01, float(os.environ.get("ACTVIZ_HOOK_TIMEOUT", HOOK_SECONDS)))
    except ValueError:
        return HOOK_SECONDS


class TimedOut(Exception):
    """The plugin code did not return within the time allowed (it is left running on a daemon thread)."""


def describe(exc: BaseException) -> str:
    """``Type: message`` for any exception, even one whose ``__str__`` raises."""
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001 - a plugin's exception class may break str()
        text = "<unprintable>"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def run_limited(seconds: float, fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` on a worker thread; its result, or its exception re-raised here.

    Raises :class:`TimedOut` after ``seconds``; the call is abandoned (Python
    cannot stop a thread) and its worker is never reused. Any exception the
    call raises, SystemExit and KeyboardInterrupt included, is re-raised in
    the caller, who decides what to contain.
    """
    box: dict[str, Any] = {}
    finished = threading.Event()

    def job() -> None:
        try:
            box["out"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc
        finally:
            finished.set()

    worker = borrow()
    worker.submit(job)
    if not finished.wait(seconds):
        raise TimedOut(f"did not return within {seconds:g} s")
    give_back(worker)
    if "error" in box:
        raise box["error"]
    return box["out"]


def run_each_limited(seconds: float, calls: list[Callable[[], Any]]) -> list[tuple[bool, Any]]:
    """Each call in turn on one worker thread, each allowed ``seconds``: (True, result) or (False, exception).

    What :func:`run_limited` does per call, with one hand-over to the worker
    for the whole run instead of one per call (a plugin's hook costs
    microseconds; waking a thread and back costs ~0.1 ms, far more on a
    busy machine). A call that overruns gets (False, :class:`TimedOut`); its
    worker is abandoned and the calls after it run on a fresh one.
    """
    out: list[tuple[bool, Any]] = []
    while len(out) < len(calls):
        out += _run_batch(seconds, calls[len(out):])
    return out


def _run_batch(seconds: float, calls: list[Callable[[], Any]]) -> list[tuple[bool, Any]]:
    """Results of the calls up to the first that overran (its result a TimedOut), or of all of them."""
    results: list[tuple[bool, Any]] = []
    starts: list[float] = []
    finished = threading.Event()
    stop: list[bool] = [False]

    def job() -> None:
        try:
            for fn in calls:
                if stop[0]:  # abandoned after a call overran: the rest run elsewhere
                    return
                starts.append(time.monotonic())
                try:
                    results.append((True, fn()))
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    results.append((False, exc))
        finally:
            finished.set()

    def wait() -> float:  # until the running call would overrun (a call not started yet: a whole allowance)
        k = len(results)
        return max(0.0, starts[k] + seconds - time.monotonic()) if k < len(starts) else seconds

    worker = borrow()
    worker.submit(job)
    while not finished.wait(wait()):
        k = len(results)
        if k < len(starts) and time.monotonic() - starts[k] >= seconds:
            stop[0] = True
            return [*results[:k], (False, TimedOut(f"did not return within {seconds:g} s"))]
    give_back(worker)
    return results


def _same(a: Any, b: Any) -> bool:
    return a is b


def _snapshot() -> dict[str, dict[str, Any]]:
    return {m.__name__: dict(vars(m)) for m in WATCHED_MODULES}


#: the snapshot shared by every :class:`GlobalState` inside :func:`one_snapshot` (None: each takes its own)
_shared: dict[str, dict[str, Any]] | None = None


@contextlib.contextmanager
def one_snapshot() -> Iterator[None]:
    """Snapshot numpy, math and builtins once for every :class:`GlobalState` taken inside.

    For a run of plugin code in which only plugin code could change those
    modules (the registry's imports and hooks, one plugin after another):
    each :meth:`GlobalState.undo` puts the modules back to this snapshot, so
    it is still the state before the next plugin runs, and copying ~750
    names per plugin is saved. Nested: an inner call reuses the outer snapshot.
    """
    global _shared
    outer = _shared
    if outer is None:
        _shared = _snapshot()
    try:
        yield
    finally:
        _shared = outer


def _dict_version_reader() -> Callable[[dict], int] | None:
    """A reader of a dict's version tag, which CPython 3.11-3.13 changes on every change to the dict; else None.

    An equal tag before and after plugin code means the dict was not touched,
    so the ~750 identity comparisons of numpy, math and builtins are skipped
    (~0.1 ms for each of a plugin's import and hooks). A changed tag (even an
    attribute set to itself) means the full comparison. The reader checks
    itself on a dict of its own: the layout must show ``len`` and a tag that
    moves on every kind of change, or it is not used.
    """
    if sys.implementation.name != "cpython" or not (3, 11) <= sys.version_info[:2] <= (3, 13) \
            or getattr(sys, "_is_gil_enabled", lambda: True)() is False:
        return None
    try:
        import ctypes  # numpy has imported it already

        head = object.__basicsize__  # PyObject_HEAD; then ma_used, then ma_version_tag
        tags: dict[int, tuple[dict, Any]] = {}  # by id: the dict (kept alive) and a live view of its tag

        def version(d: dict) -> int:
            found = tags.get(id(d))
            if found is None or found[0] is not d:
                found = tags[id(d)] = (d, ctypes.c_uint64.from_address(id(d) + head + 8))
            return found[1].value

        def used(d: dict) -> int:
            return ctypes.c_ssize_t.from_address(id(d) + head).value

        probe: dict[str, Any] = {"a": 1, "b": 2}
        seen = [version(probe)]
        for change in (lambda: probe.__setitem__("a", object()), lambda: probe.__setitem__("c", 3),
                       lambda: probe.__delitem__("c"), lambda: probe.update(a=4), lambda: probe.pop("b"),
                       lambda: probe.setdefault("d", 5), lambda: probe.popitem(), lambda: probe.clear()):
            change()
            seen.append(version(probe))
        if used(probe) != 0 or len(set(seen)) != len(seen) or version(probe) != seen[-1]:
            return None
        probe["e"] = 6
        return version if used(probe) == 1 and version(probe) != seen[-1] else None
    except Exception:  # noqa: BLE001 - no ctypes, or not this layout: the full comparison every time
        return None


#: reads a dict's version tag (None: not available here; every check compares every name)
_dict_version = _dict_version_reader()


def _versions() -> tuple[int, ...] | None:
    return None if _dict_version is None else tuple(_dict_version(vars(m)) for m in WATCHED_MODULES)


def _unchanged(now: dict[str, Any], before: dict[str, Any]) -> bool:
    """Same names in the same order bound to the same objects (identity only: a plugin's ``__eq__`` never runs)."""
    return (len(now) == len(before) and all(map(operator.is_, now, before))
            and all(map(operator.is_, now.values(), before.values())))


class GlobalState:
    """What a plugin must not change for everyone: taken before its code runs, checked after.

    numpy's error handling lives in a context variable, so take and undo the
    snapshot on the thread that runs the plugin code. Inside
    :func:`one_snapshot` the modules' snapshot is shared, not copied.
    """

    def __init__(self) -> None:
        self.err = np.geterr()
        self.modules = _shared if _shared is not None else _snapshot()
        self.versions = _versions()

    def undo(self) -> list[str]:
        """Put everything back; one short phrase per change found (empty: nothing changed)."""
        changes: list[str] = []
        err = np.geterr()
        if err != self.err:
            diff = ", ".join(f"{k}={err[k]!r}" for k in sorted(err) if err[k] != self.err.get(k))
            changes.append(f"numpy's error handling (np.seterr {diff})")
            np.seterr(**self.err)
        versions = _versions()
        for i, module in enumerate(WATCHED_MODULES):
            if versions is not None and versions[i] == self.versions[i]:  # not touched since taken: ~1 µs
                continue
            before = self.modules[module.__name__]
            now = vars(module)
            if _unchanged(now, before):  # touched but as it was, in ~50 µs for numpy
                continue
            name = module.__name__
            for key in [k for k in now if k not in before]:
                if isinstance(now[key], types.ModuleType):  # numpy imports its submodules lazily
                    continue
                changes.append(f"added {name}.{key}")
                delattr(module, key)
            for key, value in before.items():
                if key not in now:
                    changes.append(f"deleted {name}.{key}")
                    setattr(module, key, value)
                elif not _same(now[key], value):
                    changes.append(f"replaced {name}.{key}")
                    setattr(module, key, value)
            # the module is as it was (plus lazily imported submodules): that is the snapshot from now on,
            # so the next check takes the fast path (shared with every GlobalState in one_snapshot())
            before.clear()
            before.update(now)
        return changes


def side_effect_message(changes: list[str], where: str) -> str:
    return f"{where} changed global state for every plugin: {'; '.join(changes)} (undone)"

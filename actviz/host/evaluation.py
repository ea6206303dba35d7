"""Guarded calls into plugin code: every evaluation the app makes goes through here.

A plugin function may raise (anything, SystemExit included), return a scalar,
the wrong shape, complex numbers, an object whose conversion raises, or try to
write into its input. :func:`call` turns all of that into an
:class:`EvaluationError` with a reason, and never lets a numpy warning out.

On the GUI thread the app also needs a bound on time: once
:func:`set_call_limit` is given a number of seconds (the GUI does this at
start-up; ``ACTVIZ_CALL_TIMEOUT`` overrides), every :func:`call` made on the
main thread runs on a reusable worker thread and is abandoned after that
long. The function is then marked slow: later calls are skipped with the
same message, without waiting again, until its abandoned call has returned
and a parameter differs. Measured on the shared 2-core machine: a direct call
of ``np.tanh`` on 1000 points costs ~50 µs, the same call through the worker
~90-180 µs (a thread hand-off of ~40-130 µs), i.e. well under 1 ms for a
whole function-view redraw, while a hang costs the GUI at most the limit,
once. Calls on other threads (the probe's workers, the check's children)
stay direct.

:func:`set_trail` installs a breadcrumb (see :mod:`actviz.gui.crash`) told
which function is running, so a crash that takes the whole process down can
be blamed on the right plugin at the next start.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from actviz.host.call_worker import DONE, Finished, run_within
from actviz.host.input_protection import same_bits as _same_bits
from actviz.numerics import numerical_derivative
from actviz.specs import Activation, Loss

SLOW_CALL_SECONDS = 0.25
#: the cap on a GUI-thread call once the GUI has called :func:`set_call_limit` (ACTVIZ_CALL_TIMEOUT overrides)
GUI_CALL_SECONDS = 2.0


class EvaluationError(RuntimeError):
    """A plugin function could not be evaluated; ``str()`` says why."""


class SlowCall(EvaluationError):
    """A plugin function did not return within the time allowed."""


class Trail(Protocol):
    """Told which plugin function is running on which thread (a crash breadcrumb)."""

    def enter(self, fn: Callable) -> None: ...

    def leave(self) -> None: ...


WRITES_INPUT = "writes into its input array; return a new array instead"

_limit: float | None = None
_trail: Trail | None = None
_main = threading.main_thread()


def set_call_limit(seconds: float | None) -> None:
    """Bound every main-thread :func:`call` to ``seconds`` (None: call directly, the default)."""
    global _limit
    _limit = None if seconds is None else max(0.001, float(seconds))
    _slow.clear()
    _fast.clear()


def call_limit() -> float | None:
    return _limit


def call_limit_from_env(default: float = GUI_CALL_SECONDS) -> float:
    """``ACTVIZ_CALL_TIMEOUT`` in seconds when it is a positive number, else ``default``."""
    try:
        value = float(os.environ.get("ACTVIZ_CALL_TIMEOUT", default))
    except ValueError:
        return default
    return value if np.isfinite(value) and value > 0 else default


def current_trail() -> Trail | None:
    """The installed crash breadcrumb, if any (the GUI watchdog writes view code to it too)."""
    return _trail


def set_trail(trail: Trail | None) -> None:
    """Install (or remove) the crash breadcrumb told about every plugin call."""
    global _trail
    _trail = trail


def describe(exc: BaseException) -> str:
    """``Type: message`` for any exception, even one whose ``__str__`` raises."""
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001 - a plugin's exception class may break str()
        text = "<unprintable>"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def function_name(fn: Callable) -> str:
    """The plugin function's own name, for messages (a hostile callable cannot break this)."""
    try:
        name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or type(fn).__name__
        return str(name).rsplit("<locals>.", 1)[-1][:80]  # "make.<locals>.f" says nothing more than "f"
    except BaseException:  # noqa: BLE001 - a plugin object's __getattr__ is plugin code
        return "function"


def call(fn: Callable, x: np.ndarray, *args, **params) -> np.ndarray:
    """Call ``fn(x, *args, **params)`` and return a float64 array shaped like ``x``.

    ``fn`` gets a read-only copy of ``x``: even a function that unlocks it
    cannot change the caller's array, and the attempt is reported. On the
    main thread with a call limit set, the call is time-bounded (see the
    module docstring) and may raise :class:`SlowCall`.
    """
    x = np.asarray(x, dtype=float)
    if _limit is not None and threading.current_thread() is _main:
        return _bounded(_limit, fn, x, args, params)
    return _direct(fn, x, args, params)


def _direct(fn: Callable, x: np.ndarray, args: tuple, params: Mapping[str, Any]) -> np.ndarray:
    trail = _trail
    if trail is not None:
        trail.enter(fn)
    try:
        return _checked(fn, x, args, params)
    finally:
        if trail is not None:
            trail.leave()


_FLOAT = np.dtype(float)


def _checked(fn: Callable, x: np.ndarray, args: tuple, params: Mapping[str, Any]) -> np.ndarray:
    frozen = x.copy()
    frozen.flags.writeable = False
    try:
        with np.errstate(all="ignore"):
            out = fn(frozen, *args, **params)
    except ValueError as exc:
        if "read-only" in describe(exc):
            raise EvaluationError(WRITES_INPUT) from exc
        raise EvaluationError(f"raised {describe(exc)}") from exc
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - plugin code; SystemExit from it must not end the app
        raise EvaluationError(f"raised {describe(exc)}") from exc
    if not _same_bits(frozen, x):
        raise EvaluationError(WRITES_INPUT)
    if type(out) is np.ndarray and out.dtype == _FLOAT and out.shape == x.shape:  # what the checks below pass as is
        return out
    try:  # converting runs the returned object's code (__array__, __len__, __float__ …)
        with np.errstate(all="ignore"):
            arr = np.asarray(out)
            if np.iscomplexobj(arr):
                raise EvaluationError("returned complex numbers; return real float values")
            if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) and arr.dtype != bool:
                raise EvaluationError(f"returned an array of {arr.dtype}, not numbers")
            if arr.shape != x.shape:
                if arr.ndim == 0:
                    raise EvaluationError(f"returned a scalar for an array of shape {x.shape}; map elementwise")
                raise EvaluationError(f"returned shape {arr.shape} for input shape {x.shape}")
            return arr.astype(float, copy=False)
    except EvaluationError:
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - SystemExit from __array__ of a returned object included
        raise EvaluationError(f"returned {type(out).__name__}, not an array "
                              f"(converting it raised {describe(exc)})") from exc


def _on_worker(seconds: float, fn: Callable, x: np.ndarray, args: tuple,
               params: Mapping[str, Any]) -> tuple[np.ndarray | None, Finished]:
    """Run the checked call on a worker; (result, finished) — result None when it overran."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["out"] = _direct(fn, x, args, params)
        except EvaluationError as exc:
            box["error"] = exc
        except BaseException as exc:  # noqa: BLE001 - a KeyboardInterrupt here is the plugin's, not Ctrl-C
            box["error"] = EvaluationError(f"raised {describe(exc)}")

    returned, finished = run_within(seconds, run)
    if not returned:
        return None, finished
    if "error" in box:
        raise box["error"]
    return box["out"], finished


def call_within(seconds: float, fn: Callable, x: np.ndarray, *args, **params) -> np.ndarray:
    """:func:`call` on a worker thread, waiting at most ``seconds`` for it.

    Raises :class:`SlowCall` when the call takes longer. Python cannot stop a
    thread, so the call is abandoned: it finishes on its daemon thread and
    its result is dropped. This is how the registry probes a new function,
    so a function that takes seconds (or never returns) costs the load
    ``seconds``, once. Workers are reused (starting a thread per call made
    probing 200 plugins cost ~0.5 s); an abandoned worker is never reused.
    """
    x = np.asarray(x, dtype=float)
    out, _ = _on_worker(seconds, fn, x, args, params)
    if out is None:
        raise SlowCall(f"one call on {np.size(x)} points took longer than {seconds:g} s")
    return out


@dataclass
class _Slow:
    """A function that overran on the GUI thread: what it was called with, and whether it has returned."""

    fn: Callable  # kept alive so its id is not reused
    signature: tuple
    finished: Finished
    message: str
    skipped: int = field(default=0)


#: functions that overran on the GUI thread, by id
_slow: dict[int, _Slow] = {}


def _signature(x: np.ndarray, args: tuple, params: Mapping[str, Any]) -> tuple:
    """What "the parameters changed" compares: scalar arguments by value, arrays by shape."""
    def key(v: Any) -> Any:
        if isinstance(v, np.ndarray):
            return ("array", v.shape)
        return v if isinstance(v, (int, float, str, bool, type(None))) else ("object", type(v).__name__)
    return (x.shape, tuple(key(a) for a in args), tuple(sorted((str(k), key(v)) for k, v in params.items())))


def slow_functions() -> dict[str, str]:
    """Name → message of every function currently marked slow (for tests and the status bar)."""
    return {function_name(s.fn): s.message for s in _slow.values()}


#: fast calls in a row, at the same parameters and shape, after which a function is called directly
TRUST_AFTER = 3
#: what "fast" means, as a fraction of the limit
FAST_FRACTION = 0.1
#: (id(fn), signature) → (fn, fast calls in a row); the function is kept so its id is not reused
_fast: dict[tuple[int, tuple], tuple[Callable, int]] = {}


def _bounded(seconds: float, fn: Callable, x: np.ndarray, args: tuple, params: Mapping[str, Any]) -> np.ndarray:
    """A GUI-thread call: skipped when marked slow, direct when trusted, else on a worker with a limit.

    Trust is what keeps training cheap: the playground calls the same function
    with the same parameters and batch shape thousands of times, and the
    worker hand-off would double the cost of each step. A function is trusted
    after :data:`TRUST_AFTER` fast calls at one signature; changing a
    parameter (a drag) bounds it again. A trusted call that overruns cannot be
    stopped, but it is marked slow like any other, so it cannot happen twice.
    """
    signature = _signature(x, args, params)
    key = id(fn)
    mark = _slow.get(key)
    if mark is not None:
        if not mark.finished.is_set():
            mark.skipped += 1
            raise SlowCall(f"{mark.message}; its last call has not returned yet, so it is skipped")
        if mark.signature == signature:
            mark.skipped += 1
            raise SlowCall(f"{mark.message}; skipped until a parameter changes")
        del _slow[key]  # it returned and the parameters differ: try again, bounded as ever
    seen = _fast.get((key, signature))
    trusted = seen is not None and seen[1] >= TRUST_AFTER
    start = time.perf_counter()
    if trusted:
        out: np.ndarray | None = _direct(fn, x, args, params)
        finished = DONE
    else:
        out, finished = _on_worker(seconds, fn, x, args, params)
        if out is not None:
            finished = DONE  # it returned (the caller holds its lock now)
    took = time.perf_counter() - start
    if out is None or took > seconds:
        _fast.pop((key, signature), None)
        message = (f"function {function_name(fn)} is slow: one call on {x.size} points took "
                   f"{'longer than' if out is None else f'{took:.3g} s, more than'} {seconds:g} s")
        _slow[key] = _Slow(fn, signature, finished, message)
        if out is None:
            raise SlowCall(message)
        return out  # it did return (trusted, so directly): keep this result, skip the next call
    if took < seconds * FAST_FRACTION:
        if not trusted:
            if len(_fast) > 4096:
                _fast.clear()
            _fast[(key, signature)] = (fn, seen[1] + 1 if seen is not None else 1)
    else:
        _fast.pop((key, signature), None)
    return out


def timed_call(fn: Callable, x: np.ndarray, *args, **params) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    out = call(fn, x, *args, **params)
    return out, time.perf_counter() - start


def value(spec: Activation | Loss, x: np.ndarray, params: Mapping[str, float], t: float | None = None) -> np.ndarray:
    """f(z) for an activation, E(y; t) for a loss."""
    if isinstance(spec, Loss):
        return call(spec.function, x, spec.target.default if t is None else t, **params)
    return call(spec.function, x, **params)


def slope(spec: Activation | Loss, x: np.ndarray, params: Mapping[str, float], t: float | None = None) -> np.ndarray:
    """f′(z) for an activation, ∂E/∂y for a loss (numerical when the plugin gives none)."""
    fn = spec.derivative
    if fn is None:
        return numerical_slope(spec, x, params, t)
    if isinstance(spec, Loss):
        return call(fn, x, spec.target.default if t is None else t, **params)
    return call(fn, x, **params)


def numerical_slope(spec: Activation | Loss, x: np.ndarray, params: Mapping[str, float],
                    t: float | None = None) -> np.ndarray:
    """Central difference of the spec's own function, guarded like any call."""
    x = np.asarray(x, dtype=float)
    return numerical_derivative(lambda v: value(spec, v, params, t), x)

"""Guarded calls into plugin code: every evaluation the app makes goes through here.

A plugin function may raise, return a scalar, the wrong shape, complex
numbers, or try to write into its input. :func:`call` turns all of that into
an :class:`EvaluationError` with a reason, and never lets a numpy warning out.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping

import numpy as np

from actviz.numerics import numerical_derivative
from actviz.specs import Activation, Loss

SLOW_CALL_SECONDS = 0.25


class EvaluationError(RuntimeError):
    """A plugin function could not be evaluated; ``str()`` says why."""


class SlowCall(EvaluationError):
    """A plugin function did not return within the time allowed."""


WRITES_INPUT = "writes into its input array; return a new array instead"


def call(fn: Callable, x: np.ndarray, *args, **params) -> np.ndarray:
    """Call ``fn(x, *args, **params)`` and return a float64 array shaped like ``x``.

    ``fn`` gets a read-only copy of ``x``: even a function that unlocks it
    cannot change the caller's array, and the attempt is reported.
    """
    x = np.asarray(x, dtype=float)
    frozen = x.copy()
    frozen.flags.writeable = False
    try:
        with np.errstate(all="ignore"):
            out = fn(frozen, *args, **params)
    except ValueError as exc:
        if "read-only" in str(exc):
            raise EvaluationError(WRITES_INPUT) from exc
        raise EvaluationError(f"raised ValueError: {exc}") from exc
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - plugin code; SystemExit from it must not end the app
        raise EvaluationError(f"raised {type(exc).__name__}: {exc}") from exc
    if not np.array_equal(frozen, x, equal_nan=True):
        raise EvaluationError(WRITES_INPUT)
    try:
        arr = np.asarray(out)
    except Exception as exc:  # noqa: BLE001
        raise EvaluationError(f"returned {type(out).__name__}, not an array") from exc
    if np.iscomplexobj(arr):
        raise EvaluationError("returned complex numbers; return real float values")
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) and arr.dtype != bool:
        raise EvaluationError(f"returned an array of {arr.dtype}, not numbers")
    if arr.shape != x.shape:
        if arr.ndim == 0:
            raise EvaluationError(f"returned a scalar for an array of shape {x.shape}; map elementwise")
        raise EvaluationError(f"returned shape {arr.shape} for input shape {x.shape}")
    return arr.astype(float, copy=False)


class _Worker:
    """A daemon thread that runs one job at a time from its own queue."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._loop, name="actviz-probe", daemon=True).start()

    def _loop(self) -> None:
        while True:
            self.jobs.get()()


_idle: list[_Worker] = []
_idle_lock = threading.Lock()


def call_within(seconds: float, fn: Callable, x: np.ndarray, *args, **params) -> np.ndarray:
    """:func:`call` on a worker thread, waiting at most ``seconds`` for it.

    Raises :class:`SlowCall` when the call takes longer. Python cannot stop a
    thread, so the call is abandoned: it finishes on its daemon thread and
    its result is dropped. This is how the registry probes a new function,
    so a function that takes seconds (or never returns) costs the load
    ``seconds``, once. Workers are reused (starting a thread per call made
    probing 200 plugins cost ~0.5 s); an abandoned worker is never reused.
    """
    box: dict[str, object] = {}
    finished = threading.Event()

    def run() -> None:
        try:
            box["out"] = call(fn, x, *args, **params)
        except EvaluationError as exc:
            box["error"] = exc
        except BaseException as exc:  # noqa: BLE001 - a KeyboardInterrupt here is the plugin's, not Ctrl-C
            box["error"] = EvaluationError(f"raised {type(exc).__name__}: {exc}")
        finally:
            finished.set()

    with _idle_lock:
        worker = _idle.pop() if _idle else None
    if worker is None:
        worker = _Worker()
    worker.jobs.put(run)
    if not finished.wait(seconds):
        raise SlowCall(f"one call on {np.size(x)} points took longer than {seconds:g} s")
    with _idle_lock:
        _idle.append(worker)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["out"]  # type: ignore[return-value]


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

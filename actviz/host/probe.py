"""Probing one function: on a grid, at its parameter corners, and its derivative against a numerical one.

:func:`check_spec` is the whole check of one spec (``actviz check`` runs it
at every parameter corner). For a registry load the same check is cut into
steps (:func:`_probe_steps`): the probe admits or rejects a function at once,
and the derivative check (most of the time) is handed back undone, to run
when the registry's problems are first read (:func:`_finish_steps`).
:func:`_probe_all` probes every offered function in one hand-over to a worker.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np

from actviz.host import evaluation, guard
from actviz.host.plugins import Problem
from actviz.numerics import derivative_mismatch
from actviz.specs import Activation, Loss


def _union(*grids: np.ndarray) -> np.ndarray:
    """Sorted, each value once: ``np.unique``, which would import numpy.ma (18 ms of start-up)."""
    out = np.sort(np.concatenate(grids))
    return out[np.concatenate([[True], out[1:] != out[:-1]])]


#: where activations are probed: wide, and dense near the origin
ACTIVATION_GRID = _union(np.linspace(-1000, 1000, 201), np.linspace(-10, 10, 401))
PROBABILITY_GRID = np.concatenate([np.geomspace(1e-6, 0.5, 150), 1 - np.geomspace(0.5, 1e-6, 150)[1:]])
MAX_CORNERS = 32


def probe_grid(spec: Activation | Loss) -> np.ndarray:
    if isinstance(spec, Loss) and spec.domain == "probability":
        return PROBABILITY_GRID
    return ACTIVATION_GRID


def parameter_corners(spec: Activation | Loss) -> list[dict[str, float]]:
    """Defaults first, then every corner of the parameter box (capped)."""
    sets = [spec.defaults]
    if spec.params:
        ranges = [(p.low, p.high) for p in spec.params]
        for combo in itertools.islice(itertools.product(*ranges), MAX_CORNERS):
            sets.append({p.name: v for p, v in zip(spec.params, combo, strict=True)})
    return sets


def targets(spec: Activation | Loss) -> list[float | None]:
    if isinstance(spec, Activation):
        return [None]
    t = spec.target
    return [t.default, t.low, t.high] if spec.domain == "probability" else [t.default]


def kinks_of(spec: Activation | Loss, params: dict[str, float], t: float | None) -> list[float]:
    """Where the spec says it has kinks, plus y = t for a loss; a broken ``kinks`` only loosens the check.

    ``kinks`` is plugin code: it runs with a time cap (:data:`guard.KINKS_SECONDS`)
    and whatever it raises or returns that is not numbers is ignored.
    """
    extra = [t] if t is not None else []  # losses usually kink at y = t
    if spec.kinks is None:
        return extra
    args = (t,) if isinstance(spec, Loss) else ()

    def listed() -> list[float]:  # iterating and float() run the plugin's code too
        returned = spec.kinks(*args, **params)
        if isinstance(returned, np.ndarray):
            values = returned.astype(float, copy=False).ravel()
        else:
            values = np.fromiter(itertools.islice((float(k) for k in returned), MAX_READ), float)
        values = values[np.isfinite(values)]
        if values.size > MAX_KINKS:  # millions would freeze every redraw: keep those nearest 0, where students look
            values = values[np.argpartition(np.abs(values), MAX_KINKS - 1)[:MAX_KINKS]]
        return [float(v) for v in values]

    if id(spec.kinks) in _HUNG_KINKS:  # it hung once: don't wait for it again
        return extra
    try:
        return guard.run_limited(guard.KINKS_SECONDS, listed) + extra
    except KeyboardInterrupt:
        raise
    except guard.TimedOut:
        _HUNG_KINKS[id(spec.kinks)] = spec.kinks
        return extra
    except BaseException:  # noqa: BLE001 - SystemExit or junk from kinks()
        return extra


#: at most this many kinks are used for sampling and the derivative check (the nearest to 0 win)
MAX_KINKS = 2000
#: a kinks() that yields items one by one is read this far at most
MAX_READ = 1_000_000

#: kinks callables that did not return in time, by id (kept alive so the id is not reused)
_HUNG_KINKS: dict[int, Any] = {}


@dataclass
class _Step:
    """One (parameters, target) of a check: what its probe found, and its derivative check still to run."""

    problems: list[Problem]
    mismatch: Callable[[], Problem | None] | None = None


def _probe_steps(spec: Activation | Loss, deep: bool,
                 probed: dict[tuple[str, float | None], tuple[bool, Any]] | None = None,
                 ) -> Generator[_Step, bool | None, None]:
    """The check of one spec as steps, in order; a step whose probe makes the rest pointless is the last.

    The probe (f, its declared gaps and f′ on the grid, each call bounded)
    runs here; the derivative check (Richardson ladders: f at z ± h, most of
    the cost) is handed back undone in ``mismatch``. Sending True for a step
    (its derivative is wrong) skips the other targets at those parameters,
    as :func:`check_spec` does; iterating plainly probes every step.
    ``probed`` holds f and f′ at the defaults already called (:func:`_probe_all`).
    """
    grid = probe_grid(spec)

    def bounded(key: tuple[str, float | None], fn: Callable, args: tuple, params: dict, at_defaults: bool,
                ) -> np.ndarray:
        if probed is not None and at_defaults and key in probed:
            returned, value = probed[key]
            if not returned:
                raise value
            return value
        return evaluation.call_within(evaluation.SLOW_CALL_SECONDS, fn, grid, *args, **params)
    param_sets = parameter_corners(spec) if deep else [spec.defaults]

    def problem(stage: str, msg: str) -> Problem:
        return Problem(spec.plugin, stage, msg, spec=spec.name)

    for i, params in enumerate(param_sets):
        where = "" if i == 0 else f" at {params}"
        for t in targets(spec):
            tw = "" if t is None else f" (t={t:g})"
            args = () if t is None else (t,)
            found: list[Problem] = []
            try:  # bounded: a function taking seconds (or forever) costs one short wait
                y = bounded(("f", t), spec.function, args, params, i == 0)
            except evaluation.SlowCall as exc:
                yield _Step([problem("probe" if i == 0 else "check", f"function is slow: {exc}{where}{tw}")])
                return
            except evaluation.EvaluationError as exc:
                yield _Step([problem("probe" if i == 0 else "check", f"function {exc}{where}{tw}")])
                return
            bad = ~np.isfinite(y)
            if bad.any() and spec.undefined is not None:  # a gap the spec declares is not a fault
                try:
                    gaps = evaluation.call_within(evaluation.SLOW_CALL_SECONDS, spec.undefined, grid, *args,
                                                  **params) > 0.5
                except evaluation.EvaluationError:  # a broken mask declares nothing
                    gaps = np.zeros(grid.shape, dtype=bool)
                if not gaps.all():  # undefined everywhere would leave nothing to draw
                    bad &= ~gaps
            if bad.any():
                j = int(np.argmax(bad))
                found.append(problem("probe" if (i == 0 and np.isnan(y[j])) else "check",
                                     f"function returns {y[j]} at finite input {grid[j]:g}{where}{tw}"))
                if i == 0 and np.isnan(y[j]):
                    yield _Step(found)
                    return
            if spec.numerical_derivative:
                yield _Step(found)
                continue
            try:
                dy = bounded(("df", t), spec.derivative, args, params, i == 0)
            except evaluation.SlowCall as exc:
                found.append(problem("probe" if i == 0 else "check", f"derivative is slow: {exc}{where}{tw}"))
                yield _Step(found)
                return
            except evaluation.EvaluationError as exc:
                found.append(problem("derivative", f"derivative {exc}{where}{tw}"))
                yield _Step(found)
                continue

            def mismatch(y=y, dy=dy, args=args, params=params, t=t, where=where, tw=tw) -> Problem | None:
                try:  # f at z ± h only: the probe's values and slopes are reused
                    found = derivative_mismatch(
                        lambda v: evaluation.call(spec.function, v, *args, **params), None,
                        grid, kinks=kinks_of(spec, params, t), fz=y, dfz=dy,
                        variable="y" if isinstance(spec, Loss) else "z", params=params)
                except evaluation.EvaluationError as exc:
                    return problem("derivative", f"derivative check: function {exc} next to the grid{where}{tw}")
                return None if found is None else problem("derivative", f"{found}{where}{tw}")

            if (yield _Step(found, mismatch)):  # check_spec sends True: a wrong derivative ends these parameters
                break
    if deep and isinstance(spec, Loss) and spec.noise_model is not None:
        yield _Step([p for params in param_sets for p in _noise_problems(spec, params)])


def check_spec(spec: Activation | Loss, deep: bool = False) -> list[Problem]:
    """Probe one spec. The first problem at the defaults is fatal (the spec is unusable).

    Returns problems; a problem whose stage is ``"probe"`` means reject.
    ``deep`` adds every parameter corner (what ``actviz check`` runs).
    """
    problems: list[Problem] = []
    steps = _probe_steps(spec, deep)
    step = next(steps, None)
    while step is not None:
        problems += step.problems
        wrong = step.mismatch() if step.mismatch is not None else None
        if wrong is not None:
            problems.append(wrong)
        try:
            step = steps.send(wrong is not None)
        except StopIteration:
            break
    return problems


def _noise_problems(spec: Loss, params: dict[str, float]) -> list[Problem]:
    """Probe a loss's noise model like a function: ln p(t | y) on a grid of t and y, and a few samples."""
    nm = spec.noise_model
    where = f" at {params}" if params != spec.defaults else ""
    ys = np.array([0.05, 0.3, 0.5, 0.7, 0.95]) if spec.domain == "probability" else np.linspace(-2.0, 2.0, 5)
    tp = spec.target
    ts = np.array([0.0, 1.0]) if nm.support == "binary" else np.unique(np.round(np.linspace(tp.low, tp.high, 7))) \
        if nm.support == "categorical" else np.linspace(tp.low, tp.high, 7)

    def problem(msg: str) -> list[Problem]:
        return [Problem(spec.plugin, "noise", f"noise model {nm.name!r}: {msg}{where}", spec=spec.name)]

    for y in ys:
        try:
            logp = evaluation.call_within(evaluation.SLOW_CALL_SECONDS, nm.log_density, ts, float(y), **params)
        except evaluation.EvaluationError as exc:
            return problem(f"log_density {exc}")
        if np.isnan(logp).any() or (logp == np.inf).any():
            j = int(np.argmax(np.isnan(logp) | (logp == np.inf)))
            return problem(f"log_density is {logp[j]} at t={ts[j]:g}, y={y:g}")
    rng = np.random.default_rng(0)
    try:
        drawn = guard.run_limited(evaluation.SLOW_CALL_SECONDS,
                                  lambda: np.asarray(nm.sample(float(ys[len(ys) // 2]), 16, rng, **params), float))
    except KeyboardInterrupt:
        raise
    except guard.TimedOut:
        return problem(f"sample is slow: 16 draws took longer than {evaluation.SLOW_CALL_SECONDS:g} s")
    except BaseException as exc:  # noqa: BLE001 - plugin code
        return problem(f"sample raised {evaluation.describe(exc)}")
    if drawn.shape != (16,) or not np.isfinite(drawn).all():
        return problem(f"sample(y, 16, rng) returned shape {drawn.shape} with non-finite values"
                       if drawn.shape == (16,) else f"sample(y, 16, rng) returned shape {drawn.shape}, not (16,)")
    return []


class _Skipped(Exception):
    """f′ is not probed where f failed (as :func:`check_spec` would not)."""


def _probe_all(offers: list[Any]) -> dict[int, dict[tuple[str, float | None], tuple[bool, Any]]]:
    """f and f′ of every offered spec (``offer.spec``) on its grid at its defaults, in one hand-over to a worker.

    Each call keeps its own time cap (:data:`evaluation.SLOW_CALL_SECONDS`).
    By spec id, (``"f"`` or ``"df"``, target) → (True, values) or (False,
    the EvaluationError :func:`evaluation.call_within` would have raised).
    Probing 200 plugins one call at a time paid ~500 thread hand-overs.
    """
    calls: list = []
    keys: list[tuple[dict, tuple[str, float | None], int]] = []
    out: dict[int, dict[tuple[str, float | None], tuple[bool, Any]]] = {}
    returned: set[tuple[int, float | None]] = set()  # written by the worker; verdicts only by this thread
    for offer in offers:
        spec = offer.spec
        grid, params, mine = probe_grid(spec), spec.defaults, out.setdefault(id(spec), {})
        for t in targets(spec):
            args = () if t is None else (t,)

            def f(spec=spec, grid=grid, args=args, params=params, t=t) -> np.ndarray:
                y = evaluation.call(spec.function, grid, *args, **params)
                returned.add((id(spec), t))  # on the worker, as it happens: f′ is probed only after a good f
                return y

            def df(spec=spec, grid=grid, args=args, params=params, t=t) -> np.ndarray:
                if (id(spec), t) not in returned:
                    raise _Skipped
                return evaluation.call(spec.derivative, grid, *args, **params)

            calls.append(f)
            keys.append((mine, ("f", t), grid.size))
            if not spec.numerical_derivative:
                calls.append(df)
                keys.append((mine, ("df", t), grid.size))
    seconds = evaluation.SLOW_CALL_SECONDS
    for (mine, key, points), (ok, value) in zip(keys, guard.run_each_limited(seconds, calls), strict=True):
        if ok:
            mine[key] = (True, value)
        elif isinstance(value, guard.TimedOut):  # worded as call_within words it
            mine[key] = (False, evaluation.SlowCall(f"one call on {points} points took longer than {seconds:g} s"))
        elif isinstance(value, evaluation.EvaluationError):
            mine[key] = (False, value)
        elif isinstance(value, _Skipped):  # not probed ahead: check_spec's own call decides
            mine.pop(key, None)
        else:  # as call_within: a KeyboardInterrupt on a worker is the plugin's, not Ctrl-C
            mine[key] = (False, evaluation.EvaluationError(f"raised {evaluation.describe(value)}"))
    return out


def _finish_steps(spec: Activation | Loss, steps: list[_Step]) -> list[Problem]:
    """The problems :func:`check_spec` reports at the defaults, from probed steps: derivative checks run now."""
    out: list[Problem] = []
    for step in steps:
        out += step.problems
        if step.mismatch is None:
            continue
        try:
            wrong = step.mismatch()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - e.g. __array__ of a returned object raising SystemExit
            wrong = Problem(spec.plugin, "derivative", f"checking its derivative raised {guard.describe(exc)}",
                            spec=spec.name)
        if wrong is not None:
            out.append(wrong)
            break  # as check_spec: a wrong derivative ends the check at these parameters
    return out


def _contained_check(spec: Activation | Loss) -> list[Problem]:
    """:func:`check_spec` with every parameter corner; plugin code raising SystemExit is a problem, not an exit."""
    try:
        return check_spec(spec, deep=True)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - e.g. __array__ of a returned object raising SystemExit
        return [Problem(spec.plugin, "check", f"checking it raised {guard.describe(exc)}", spec=spec.name)]

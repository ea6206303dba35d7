"""The function view's state and numbers, with no Qt: which function, its parameters, the x range, pins.

Keys: ``function`` (any activation or loss; the function list sets it),
``function.NAME`` for its parameters (``function.t`` for a loss's target),
``zmin``/``zmax`` (what ``--range`` sets) and ``numerical`` (show the
numerical derivative). Pins are an extra: ``[{"function": "plugin/name",
"values": {...}}]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from actviz import Activation, Loss
from actviz.evaluation import EvaluationError, call, kinks_of, slope, value
from actviz.maths.sampling import clip_to_domain, sample_range
from actviz.models import ViewModel, qualified
from actviz.numerics import derivative_mismatch, kink_distance, near_kinks, numerical_derivative, step_size
from actviz.specs import Choice, FunctionChoice, Param

MAX_PINS = 8
RANGE_LIMIT = 1e9


def default_range(spec: Activation | Loss | None, target: float | None) -> tuple[float, float]:
    """The x range a function is first shown over: probabilities on [0, 1], a loss around its target."""
    if isinstance(spec, Loss):
        if spec.domain == "probability":
            return (0.0, 1.0)
        t = 0.0 if target is None else target
        return (t - 3.0, t + 3.0)
    return (-5.0, 5.0)


def _range_kind(spec: Activation | Loss | None) -> tuple[str, str]:
    return (spec.kind, getattr(spec, "domain", "real")) if spec is not None else ("", "")


class FunctionModel(ViewModel):
    """f and f′ (or E and ∂E/∂y) of one function, with up to eight pinned others."""

    range_keys = ("zmin", "zmax")

    def declare(self, registry: Any):
        return (
            FunctionChoice("function", "any", label="function", help="function to show", browse=True),
            Param("zmin", -5.0, -RANGE_LIMIT, RANGE_LIMIT, label="z min", help="left end of the axis"),
            Param("zmax", 5.0, -RANGE_LIMIT, RANGE_LIMIT, label="z max", help="right end of the axis"),
            Choice("numerical", "on", ("on", "off"), label="numerical derivative",
                   help="draw the numerical derivative (dashed) to check the plugin's"),
        )

    def __init__(self, registry: Any = None, history: Any = None) -> None:
        super().__init__(registry, history)
        low, high = default_range(self.spec, self.target)
        self._values["zmin"], self._values["zmax"] = low, high

    def default_extras(self) -> dict[str, Any]:
        return {"pins": []}

    # -- what the view reads -------------------------------------------------------------------
    @property
    def spec(self) -> Activation | Loss | None:
        return self.function("function")

    @property
    def params(self) -> dict[str, float]:
        return self.function_params("function")

    @property
    def target(self) -> float | None:
        return self.function_target("function")

    def adjust(self, changed: set[str], explicit: set[str]) -> set[str]:
        if "function" not in changed or {"zmin", "zmax"} & explicit:
            return set()
        spec = self.spec
        before = self._kind_before
        if before == _range_kind(spec):
            return set()
        self._values["zmin"], self._values["zmax"] = default_range(spec, self.target)
        return {"zmin", "zmax"}

    @property
    def _kind_before(self) -> tuple[str, str]:
        # the trial's remembered kind: the function whose params were remembered last is the old one
        return getattr(self, "_shown_kind", _range_kind(None))

    def _choose(self, f, raw):
        self._shown_kind = _range_kind(self.spec)
        return super()._choose(f, raw)

    def validate(self) -> str:
        if not self["zmin"] < self["zmax"]:
            return f"zmin={self['zmin']:g} must be below zmax={self['zmax']:g}"
        return ""

    # -- pins ----------------------------------------------------------------------------------
    def pins(self) -> list[tuple[Activation | Loss, dict[str, float]]]:
        out = []
        for pin in self.extras["pins"]:
            try:
                out.append((self.registry.get(str(pin["function"]).rsplit("/", 1)[-1]), dict(pin["values"])))
            except KeyError:
                continue
        return out

    def pin(self, spec: Activation | Loss | None = None, values: dict[str, float] | None = None) -> str:
        """Pin ``spec`` (default: the shown function with its values); returns why not, or ""."""
        pins = list(self.extras["pins"])
        if len(pins) >= MAX_PINS:
            return f"at most {MAX_PINS} pins; remove one first"
        spec = spec or self.spec
        if spec is None:
            return "no function to pin"
        if values is None:
            values = dict(self.params)
            if self.target is not None:
                values[spec.target.name] = self.target
        pins.append({"function": qualified(spec), "values": {k: float(v) for k, v in values.items()}})
        self.set_extra("pins", pins)
        return ""

    def unpin(self, index: int) -> None:
        pins = list(self.extras["pins"])
        if 0 <= index < len(pins):
            del pins[index]
            self.set_extra("pins", pins)

    def clear_pins(self) -> None:
        self.set_extra("pins", [])

    def clean_extra(self, name: str, value: Any) -> tuple[Any, list[str]]:
        if name != "pins":
            return value, []
        if value is None:  # no pins saved
            return [], []
        if not isinstance(value, list):
            return None, [f"pins: expected a list, got {type(value).__name__}"]
        kept, dropped = [], []
        for item in value[:MAX_PINS]:
            try:
                fn = str(item["function"])
                values = {str(k): float(v) for k, v in dict(item.get("values", {})).items()}
            except (KeyError, TypeError, ValueError, AttributeError):
                dropped.append(f"pins: {item!r} is not a pin")
                continue
            try:
                self.registry.get(fn.rsplit("/", 1)[-1])
            except KeyError:
                plugin, _, name_ = fn.rpartition("/")
                dropped.append(f"pin of function {name_!r}" + (f" from plugin {plugin!r}" if plugin else "")
                               + " is not installed")
                continue
            kept.append({"function": fn, "values": values})
        return kept, dropped


def pin_title(spec: Activation | Loss, values: dict[str, float]) -> str:
    own = ", ".join(f"{k}={v:g}" for k, v in values.items())
    return f"{spec.label} ({own})" if own else spec.label


def split_values(spec: Activation | Loss, values: dict[str, float]) -> tuple[dict[str, float], float | None]:
    params = {p.name: values.get(p.name, p.default) for p in spec.params}
    target = values.get(spec.target.name, spec.target.default) if isinstance(spec, Loss) else None
    return params, target


@dataclass
class Curves:
    """One frame's numbers: x, f, f′, the numerical f′ (empty when hidden) and what went wrong."""

    xs: np.ndarray
    values: np.ndarray
    slopes: np.ndarray
    numerical: np.ndarray
    problems: list[str]
    mismatch: Any = None
    #: with ``compute(..., defer_check=True)``: the derivative check still to run, a call returning
    #: (mismatch or None, its warning lines); ``problems`` and ``mismatch`` leave it out
    check: Any = None


_last_kinks: list = [None, None, None, None]


def _kinks(spec: Activation | Loss, params: dict[str, float], target: float | None) -> list[float]:
    """``kinks_of``, remembered for the last (spec, params, target): sample and compute share one call.

    ``kinks`` is plugin code run on a worker thread with a time cap; the hand-over
    costs more than the call, so a frame pays it once.
    """
    key = (tuple(params.items()), target)
    if _last_kinks[0] is spec and _last_kinks[1] == key:
        return list(_last_kinks[2])
    kinks = kinks_of(spec, params, target)
    _last_kinks[:] = [spec, key, tuple(kinks), None]
    return list(kinks)


#: Richardson levels of the derivative check evaluated up front, in one call of f (with the frame's, or
#: on their own when the check waits for the value to rest); a smooth f settles after 3–6 levels, and
#: points that need more cost one more call
LADDER_LEVELS = 6
_BETA = (5.0 ** 0.5 - 1.0) / 2.0   # numerics.BETA: the second ladder's step ratio


class _Evaluated:
    """f on a set of points computed in one call; a later call of f on some of them is a lookup.

    The derivative check asks f for z ± h at each Richardson level. Those
    points are known in advance, so f is evaluated once on the first ladder
    levels (together with the grid and the central-difference points when the
    check runs with the frame), and the check reads them from here; only points
    it asks for beyond those (a level deeper than :data:`LADDER_LEVELS`) reach
    the plugin again.
    """

    def __init__(self, fn: Any, points: np.ndarray, values: np.ndarray) -> None:
        order = np.argsort(points, kind="stable")
        self.points, self.values, self.fn = points[order], values[order], fn

    def __call__(self, v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=float)
        idx = np.minimum(np.searchsorted(self.points, v), self.points.size - 1)
        hit = self.points[idx] == v
        out = self.values[idx]
        if not hit.all():
            out = np.array(out, copy=True)
            out[~hit] = self.fn(v[~hit])
        return out


def _ladder(z: np.ndarray, kinks: Any) -> np.ndarray:
    """The points numerics.richardson_derivative evaluates f at on its first levels, for every z.

    Written with the same arithmetic as numerics._richardson, so the floats are
    identical and the lookups hit.
    """
    dist = kink_distance(z, kinks)
    z = z[np.isfinite(z) & ~(dist <= 1e-9 * np.maximum(1.0, np.abs(z)))]
    if z.size == 0:
        return z
    h0 = np.minimum(np.maximum(1.0, np.abs(z)) / 64.0, kink_distance(z, kinks) / 4.0)
    ratio = np.array([[1.0], [_BETA]])
    out = []
    for level in range(LADDER_LEVELS):
        h = h0 * 2.0 ** -level * ratio
        out += [(z + h).ravel(), (z - h).ravel()]
    return np.concatenate(out)


def compute(spec: Activation | Loss, xs: np.ndarray, params: dict[str, float], target: float | None,
            numerical: bool, defer_check: bool = False) -> Curves:
    """f, f′ and the numerical check on ``xs``: the plugin's f and f′ are each called once.

    f is called once, on the grid, z ± h of the drawn central difference and
    the derivative check's first Richardson levels together; the drawn
    numerical curve and (for a plugin without f′) the slope are that one
    central difference. A failing call falls back to one call per array, so
    the message names the grid's own shape.

    ``defer_check``: leave the derivative check (numpy work of ~3 ms on a
    1000-point grid, most of a drag frame's own computing) to ``Curves.check``,
    so the curves can be painted first. The frame's call of f then covers only
    the grid and z ± h (a third of the points); the check evaluates its first
    Richardson levels in one call of its own, when it runs.
    """
    if not numerical or (isinstance(spec, Loss) and target is None):
        return _compute_apart(spec, xs, params, target, numerical)
    args = () if target is None else (target,)
    kinks = _kinks(spec, params, target)
    h = step_size(xs)
    with np.errstate(all="ignore"):
        up, down = xs + h, xs - h
    # a deferred check runs once the value rests: its ladder is evaluated then, not on every drag frame
    ladder = _ladder(xs, kinks) if not (spec.numerical_derivative or defer_check) else np.zeros(0)
    n = xs.size
    points = np.concatenate([xs, up, down, ladder])
    try:
        fv = call(spec.function, points, *args, **params)
        slopes = None if spec.numerical_derivative else slope(spec, xs, params, target)
    except EvaluationError:
        return _compute_apart(spec, xs, params, target, numerical)
    values = fv[:n]
    with np.errstate(all="ignore"):
        estimate = (fv[n:2 * n] - fv[2 * n:3 * n]) / (2.0 * h)   # numerics.numerical_derivative
    if slopes is None:
        slopes = estimate
    problems: list[str] = []
    mismatch = None
    num = np.where(near_kinks(xs, kinks, h), np.nan, estimate)
    if spec.numerical_derivative:
        return _finish(xs, values, slopes, num, problems, None, _gaps(spec, xs, params, target))

    def check() -> tuple[Any, list[str]]:
        def f(v: np.ndarray) -> np.ndarray:
            return call(spec.function, v, *args, **params)

        try:
            if defer_check:  # the first levels in one call, as the frame would have done
                extra = _ladder(xs, kinks)
                lookup = _Evaluated(f, np.concatenate([points, extra]), np.concatenate([fv, f(extra)]))
            else:
                lookup = _Evaluated(f, points, fv)
            found = derivative_mismatch(lookup, None, xs, kinks=kinks, fz=values, dfz=slopes)
        except EvaluationError as exc:
            return None, [f"derivative check: {exc}"]
        return found, ([] if found is None else [f"⚠ {found}"])

    if defer_check:
        curves = _finish(xs, values, slopes, num, problems, None, _gaps(spec, xs, params, target))
        curves.check = check
        return curves
    mismatch, lines = check()
    if mismatch is None:
        problems += lines  # the check itself failed: said before the finite count, as always
    return _finish(xs, values, slopes, num, problems, mismatch, _gaps(spec, xs, params, target))


def _gaps(spec: Activation | Loss, xs: np.ndarray, params: dict[str, float], target: float | None) -> np.ndarray:
    """Where the function declares itself undefined (``spec.undefined``): a gap, not a problem."""
    undefined = getattr(spec, "undefined", None)
    if undefined is None or not xs.size:
        return np.zeros(xs.shape, dtype=bool)
    try:
        mask = np.asarray(call(undefined, xs, *(() if target is None else (target,)), **params), dtype=bool)
        return np.broadcast_to(mask, xs.shape)
    except (EvaluationError, ValueError, TypeError):
        return np.zeros(xs.shape, dtype=bool)  # a broken mask declares nothing


def _finish(xs, values, slopes, num, problems, mismatch, gaps=None) -> Curves:
    gaps = np.zeros(xs.shape, dtype=bool) if gaps is None else gaps
    bad = int(np.count_nonzero(~np.isfinite(values) & ~gaps)) if values.size else 0
    if bad:
        problems.append(f"f is not finite at {bad} of {xs.size} points (left blank)")
    if mismatch is not None:
        problems.append(f"⚠ {mismatch}")
    return Curves(xs, values, slopes, num, problems, mismatch)


def _compute_apart(spec: Activation | Loss, xs: np.ndarray, params: dict[str, float], target: float | None,
                   numerical: bool) -> Curves:
    """f, f′ and the check with one call per array: without the check, or to name a failure exactly."""
    problems: list[str] = []
    args = () if target is None else (target,)
    try:
        values = value(spec, xs, params, target)
        slopes = slope(spec, xs, params, target)
    except EvaluationError as exc:
        nan = np.full(xs.shape, np.nan)
        return Curves(xs, nan, nan, np.zeros(0), [f"{spec.label} ({spec.plugin}): {exc}"])
    num = np.zeros(0)
    mismatch = None
    if numerical:
        kinks = kinks_of(spec, params, target)

        def f(v: np.ndarray) -> np.ndarray:
            return call(spec.function, v, *args, **params)

        try:
            estimate = numerical_derivative(f, xs)
        except EvaluationError as exc:
            problems.append(f"numerical derivative: {exc}")
            estimate = np.full(xs.shape, np.nan)
        # a central difference straddling a kink or jump is meaningless there: leave a gap
        num = np.where(near_kinks(xs, kinks, step_size(xs)), np.nan, estimate)
        if not spec.numerical_derivative:
            try:
                mismatch = derivative_mismatch(f, None, xs, kinks=kinks, fz=values, dfz=slopes)
            except EvaluationError as exc:
                problems.append(f"derivative check: {exc}")
    return _finish(xs, values, slopes, num, problems, mismatch, _gaps(spec, xs, params, target))


def sample(spec: Activation | Loss, low: float, high: float, pixels: int, params: dict[str, float],
           target: float | None) -> np.ndarray:
    """About one point per pixel over [low, high], every kink hit exactly, clipped to the domain."""
    xs = sample_range(low, high, pixels, _kinks(spec, params, target))
    return clip_to_domain(xs, getattr(spec, "domain", "real"))

"""Whether what a plugin returned is a usable spec: each field's type, range and length, with a reason.

numpy only, no Qt, so ``actviz check`` and the registry report the same reasons.
"""

from __future__ import annotations

import keyword
import math
import numbers
from typing import Any

from actviz.specs import Activation, Loss, NoiseModel, Param, SpecError, View

#: the largest |low| or |high| a parameter may have: beyond it a slider cannot show the range
MAX_PARAM_MAGNITUDE = 1e12
#: longest text per field kind, in characters
MAX_LABEL, MAX_FORMULA, MAX_NOTES = 200, 2000, 5000
ESTIMATORS = ("", "mean", "median", "proportion", "quantile")


def _is_number(x: Any) -> bool:
    """A finite real: int, float, a numpy integer or floating scalar, a Fraction; never a bool."""
    if isinstance(x, bool) or type(x).__name__ == "bool_" or not isinstance(x, numbers.Real):
        return False
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError, OverflowError):
        return False


def _check_text(owner: str, field_name: str, value: Any, limit: int, *, optional: bool = False,
                required: bool = False) -> None:
    """``value`` must be a str of at most ``limit`` characters (or None when ``optional``)."""
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise SpecError(f"{owner}: {field_name} must be a string, got {type(value).__name__} {value!r:.60}")
    if required and not value:
        raise SpecError(f"{owner}: {field_name} must be a non-empty string")
    if len(value) > limit:
        raise SpecError(f"{owner}: {field_name} is {len(value)} characters long; at most {limit} are allowed")


def validate_name(name: Any, what: str) -> None:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise SpecError(f"{what} name {name!r} is not a Python identifier")


def validate_param(p: Any, owner: str) -> None:
    if not isinstance(p, Param):
        raise SpecError(f"{owner}: params must be actviz.Param, got {type(p).__name__}")
    validate_name(p.name, f"{owner}: parameter")
    for attr in ("default", "low", "high"):
        if not _is_number(getattr(p, attr)):
            raise SpecError(f"{owner}: parameter {p.name!r} {attr}={getattr(p, attr)!r} is not a finite number")
    if p.step is not None and not (_is_number(p.step) and p.step > 0):
        raise SpecError(f"{owner}: parameter {p.name!r} step={p.step!r} must be a positive number")
    _normalise_numbers(p)
    if not p.low < p.high:
        raise SpecError(f"{owner}: parameter {p.name!r} has low={p.low} not below high={p.high}")
    if not p.low <= p.default <= p.high:
        raise SpecError(f"{owner}: parameter {p.name!r} default {p.default} is outside [{p.low}, {p.high}]")
    if max(abs(p.low), abs(p.high)) > MAX_PARAM_MAGNITUDE:
        raise SpecError(f"{owner}: parameter {p.name!r} range [{p.low:g}, {p.high:g}] cannot be shown: "
                        f"|low| and |high| must be at most {MAX_PARAM_MAGNITUDE:g}")
    if not math.isfinite(p.high - p.low) or not p.high - p.low > 0:
        raise SpecError(f"{owner}: parameter {p.name!r} range [{p.low:g}, {p.high:g}] cannot be shown: "
                        "its width is not a finite positive number")
    _check_text(f"{owner}: parameter {p.name!r}", "label", p.label, MAX_LABEL, optional=True)
    _check_text(f"{owner}: parameter {p.name!r}", "help", p.help, MAX_NOTES)


def _normalise_numbers(p: Param) -> None:
    """Store numpy scalars (np.int64(3), np.float32(0.5)) as plain floats, so JSON and Qt take them."""
    for attr in ("default", "low", "high", "step"):
        value = getattr(p, attr)
        if value is not None and type(value) not in (int, float):
            object.__setattr__(p, attr, float(value))  # frozen: set once, as __post_init__ would


def _validate_noise_model(nm: Any, owner: str, params: tuple[Param, ...]) -> None:
    if not isinstance(nm, NoiseModel):
        raise SpecError(f"{owner}: noise_model must be actviz.NoiseModel")
    _check_text(f"{owner}: noise model", "name", nm.name, MAX_LABEL)
    where = f"{owner}: noise model {nm.name!r}"
    if not (callable(nm.log_density) and callable(nm.sample)):
        raise SpecError(f"{where} needs callable log_density and sample")
    if nm.support not in ("real", "binary", "categorical"):
        raise SpecError(f"{where}: support must be 'real', 'binary' or 'categorical', got {nm.support!r}")
    _check_text(where, "formula", nm.formula, MAX_FORMULA)
    _check_text(where, "estimator", nm.estimator, MAX_LABEL)
    _check_text(where, "estimator_param", nm.estimator_param, MAX_LABEL)
    if nm.estimator not in ESTIMATORS:
        raise SpecError(f"{where}: estimator {nm.estimator!r} is not one of "
                        f"{', '.join(repr(e) for e in ESTIMATORS)}")
    if nm.estimator == "quantile":
        by_name = {p.name: p for p in params}
        if nm.estimator_param not in by_name:
            raise SpecError(f"{where}: estimator 'quantile' needs estimator_param naming the loss parameter "
                            f"that holds the quantile level (one of {sorted(by_name)}), got {nm.estimator_param!r}")
        level = by_name[nm.estimator_param]
        if level.low < 0 or level.high > 1:
            raise SpecError(f"{where}: quantile level {level.name!r} has range [{level.low:g}, {level.high:g}], "
                            "not within [0, 1]")
    elif nm.estimator_param:
        raise SpecError(f"{where}: estimator_param={nm.estimator_param!r} is only used with estimator "
                        f"'quantile', not {nm.estimator!r}")


def validate_spec(spec: Any) -> None:
    """Raise :class:`SpecError` naming the field when ``spec`` is malformed."""
    if not isinstance(spec, (Activation, Loss)):
        raise SpecError(f"expected actviz.Activation or actviz.Loss, got {type(spec).__name__}")
    validate_name(spec.name, spec.kind)
    owner = f"{spec.kind} {spec.name!r}"
    _check_text(owner, "label", spec.label, MAX_LABEL, required=True)
    _check_text(owner, "formula", spec.formula, MAX_FORMULA)
    slope_formula = "gradient_formula" if isinstance(spec, Loss) else "derivative_formula"
    _check_text(owner, slope_formula, getattr(spec, slope_formula), MAX_FORMULA)
    _check_text(owner, "notes", spec.notes, MAX_NOTES)
    if not callable(spec.function):
        raise SpecError(f"{owner}: function is not callable")
    if spec.derivative is not None and not callable(spec.derivative):
        raise SpecError(f"{owner}: derivative/gradient is not callable")
    if spec.kinks is not None and not callable(spec.kinks):
        raise SpecError(f"{owner}: kinks must be callable (kinks({'t, ' if isinstance(spec, Loss) else ''}"
                        f"**params) returning floats), got {type(spec.kinks).__name__}")
    if not isinstance(spec.params, tuple):
        raise SpecError(f"{owner}: params must be a tuple of actviz.Param")
    names = set()
    for p in spec.params:
        validate_param(p, owner)
        if p.name in names:
            raise SpecError(f"{owner}: parameter {p.name!r} is declared twice")
        names.add(p.name)
    if isinstance(spec, Loss):
        if spec.domain not in ("real", "probability"):
            raise SpecError(f"{owner}: domain must be 'real' or 'probability', got {spec.domain!r}")
        validate_param(spec.target, f"{owner}: target")
        if spec.target.name in names:
            raise SpecError(f"{owner}: parameter {spec.target.name!r} has the target's name; "
                            "rename one (the target is passed as the second argument)")
        if spec.noise_model is not None:
            _validate_noise_model(spec.noise_model, owner, spec.params)


def validate_view(view: Any) -> None:
    if not isinstance(view, View):
        raise SpecError(f"expected actviz.View, got {type(view).__name__}")
    validate_name(view.name, "view")
    _check_text(f"view {view.name!r}", "label", view.label, MAX_LABEL, required=True)
    _check_text(f"view {view.name!r}", "description", view.description, MAX_NOTES)
    _check_text(f"view {view.name!r}", "help", view.help, MAX_NOTES)
    if not callable(view.create):
        raise SpecError(f"view {view.name!r}: create is not callable")
    if view.model is not None and not callable(view.model):
        raise SpecError(f"view {view.name!r}: model is not callable")

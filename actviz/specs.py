"""The data a plugin hands to actviz: plain frozen dataclasses, validated on load.

Specs are data, not behaviour: the GUI builds controls from :class:`Param` and
never knows a function by name. Validation lives here (numpy only, no Qt) so
that ``actviz check`` and the registry report the same reasons.
"""

from __future__ import annotations

import keyword
import math
import numbers
import operator
import reprlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, Literal

Domain = Literal["real", "probability"]

_set = object.__setattr__


class _Factory:
    """The default of a field whose value a factory makes (shown as dataclasses shows it)."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def _spec_class(cls: type) -> type:
    """``@dataclass(frozen=True)``, with the ``__init__`` written in the class and ``__repr__``, ``__eq__`` and
    ``__hash__`` made here: the methods dataclass would generate, without compiling six functions per class
    at import (~1.3 ms each, ~9 ms of start-up for the seven spec classes). Fields, ``replace``, ``asdict``,
    frozen assignment and subclassing are dataclasses' own. ``tests/test_specs_classes.py`` checks every
    method against what ``@dataclass(frozen=True)`` makes of the same class.
    """
    cls = dataclass(frozen=True, init=False, repr=False, eq=False)(cls)
    names = tuple(f.name for f in fields(cls))
    shown = tuple(f.name for f in fields(cls) if f.repr)
    compared = tuple(f.name for f in fields(cls) if f.compare)
    hashed = tuple(f.name for f in fields(cls) if (f.compare if f.hash is None else f.hash))
    assert tuple(cls.__init__.__code__.co_varnames[1:len(names) + 1]) == names, cls  # __init__ takes every field

    def key(attrs: tuple[str, ...]) -> Callable[[Any], tuple]:
        get = operator.attrgetter(*attrs) if attrs else (lambda obj: ())
        return get if len(attrs) > 1 else (lambda obj: (get(obj),)) if attrs else get

    shown_of, compared_of, hashed_of = key(shown), key(compared), key(hashed)

    @reprlib.recursive_repr()
    def __repr__(self) -> str:  # noqa: N807 - the dunder it is
        values = shown_of(self)
        return f"{self.__class__.__qualname__}({', '.join(f'{n}={v!r}' for n, v in zip(shown, values, strict=True))})"

    def __eq__(self, other: object) -> bool:  # noqa: N807
        if other.__class__ is self.__class__:
            return compared_of(self) == compared_of(other)
        return NotImplemented

    def __hash__(self) -> int:  # noqa: N807
        return hash(hashed_of(self))

    for method in (__repr__, __eq__, __hash__):
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        setattr(cls, method.__name__, method)
    return cls


class SpecError(ValueError):
    """A spec a plugin returned is malformed; the message says which field and why."""


@_spec_class
class Param:
    """One live-tunable parameter: a slider and a spin box in the GUI.

    ``step`` defaults to 1/100 of the range; ``label`` defaults to ``name``.
    """

    name: str
    default: float
    low: float
    high: float
    step: float | None = None
    label: str | None = None
    help: str = ""

    def __init__(self, name: str, default: float, low: float, high: float, step: float | None = None,
                 label: str | None = None, help: str = "") -> None:  # noqa: A002 - the field's name
        _set(self, "name", name)
        _set(self, "default", default)
        _set(self, "low", low)
        _set(self, "high", high)
        _set(self, "step", step)
        _set(self, "label", label)
        _set(self, "help", help)

    @property
    def display(self) -> str:
        return self.label or self.name

    @property
    def resolution(self) -> float:
        return self.step if self.step else (self.high - self.low) / 100.0

    def clamp(self, value: float) -> float:
        """Clamp into [low, high]; NaN falls back to the default."""
        if value != value:  # NaN
            return self.default
        return min(max(float(value), self.low), self.high)


@_spec_class
class Choice:
    """A control that picks one of ``options``: a combo box in the GUI, ``--set KEY=VALUE`` on the command line.

    ``labels`` (same length as ``options``) are what the GUI shows; the options
    themselves are what settings, scenes and ``--set`` use. ``parse``, when
    given, accepts free text instead: it returns the normalised value or raises
    ``ValueError`` with the reason (``options`` are then suggestions).
    """

    name: str
    default: str
    options: tuple[str, ...]
    label: str | None = None
    help: str = ""
    labels: tuple[str, ...] = ()
    parse: Callable[[str], str] | None = None

    def __init__(self, name: str, default: str, options: tuple[str, ...], label: str | None = None,
                 help: str = "", labels: tuple[str, ...] = (),  # noqa: A002 - the field's name
                 parse: Callable[[str], str] | None = None) -> None:
        _set(self, "name", name)
        _set(self, "default", default)
        _set(self, "options", options)
        _set(self, "label", label)
        _set(self, "help", help)
        _set(self, "labels", labels)
        _set(self, "parse", parse)

    @property
    def display(self) -> str:
        return self.label or self.name

    def option_label(self, option: str) -> str:
        if self.labels and option in self.options:
            return self.labels[self.options.index(option)]
        return option


@_spec_class
class FunctionChoice:
    """A control that picks a function from the registry (``kind``: "activation", "loss" or "any").

    The chosen function's parameters become keys of their own, namespaced by
    this control: ``loss.delta``, ``activation.alpha`` (and ``loss.t``, a
    loss's target, unless ``target=False``). Values are remembered per
    function, so switching away and back restores them. ``default`` lists
    preferred names; the first one installed wins, else the first option.
    ``browse=True`` lets the main window's function list set this control
    while the view is shown. ``accepts(spec)`` narrows the options.
    """

    name: str
    kind: Literal["activation", "loss", "any"]
    default: tuple[str, ...] = ()
    label: str | None = None
    help: str = ""
    target: bool = True
    browse: bool = False
    accepts: Callable[[Any], bool] | None = None

    def __init__(self, name: str, kind: Literal["activation", "loss", "any"], default: tuple[str, ...] = (),
                 label: str | None = None, help: str = "", target: bool = True,  # noqa: A002 - the field's name
                 browse: bool = False, accepts: Callable[[Any], bool] | None = None) -> None:
        _set(self, "name", name)
        _set(self, "kind", kind)
        _set(self, "default", default)
        _set(self, "label", label)
        _set(self, "help", help)
        _set(self, "target", target)
        _set(self, "browse", browse)
        _set(self, "accepts", accepts)

    @property
    def display(self) -> str:
        return self.label or self.name


@_spec_class
class NoiseModel:
    """The likelihood reading of a loss: E(y; t) = −c·ln p(t | y) + const.

    ``log_density(t, y, **params)`` is ln p(t | y), elementwise.
    ``sample(y, n, rng, **params)`` draws ``n`` targets t ~ p(· | y) with the
    numpy Generator ``rng``.
    ``support`` is ``"real"`` for densities over t, ``"binary"`` for {0, 1}
    and ``"categorical"`` for class indices; it decides how the view draws p.
    ``estimator`` names the closed-form maximiser shown in the likelihood
    view: "mean", "median", "proportion", "quantile", or "" when there is none.
    For "quantile", ``estimator_param`` names the loss parameter that holds
    the quantile level τ (its range must lie in [0, 1]; the pinball loss's
    ``tau``, say): the maximiser is then the τ-quantile of the targets.
    ``estimator_param`` is "" for every other estimator.
    ``name`` (≤ 200 characters) and ``formula`` (LaTeX, ≤ 2000) are shown.
    """

    name: str
    log_density: Callable[..., Any]
    sample: Callable[..., Any]
    support: Literal["real", "binary", "categorical"] = "real"
    estimator: str = ""
    formula: str = ""
    estimator_param: str = ""

    def __init__(self, name: str, log_density: Callable[..., Any], sample: Callable[..., Any],
                 support: Literal["real", "binary", "categorical"] = "real", estimator: str = "",
                 formula: str = "", estimator_param: str = "") -> None:
        _set(self, "name", name)
        _set(self, "log_density", log_density)
        _set(self, "sample", sample)
        _set(self, "support", support)
        _set(self, "estimator", estimator)
        _set(self, "formula", formula)
        _set(self, "estimator_param", estimator_param)


@_spec_class
class Activation:
    """An element-wise activation y = f(z).

    ``function(z, **params)`` and ``derivative(z, **params)`` take a float64
    numpy array and return one of the same shape. Formulas are LaTeX (mathtext
    subset). Without ``derivative`` the registry supplies a numerical one and
    marks it as such. ``kinks``, if given, is called as ``kinks(**params)``
    and returns an iterable of floats: the z where f′ jumps or is undefined
    (the derivative check skips them and steps up to them from either side;
    the plots leave a gap). ``undefined(z, **params)``, if given, returns a
    boolean mask: True where f has no value, so NaN there is a gap, not a
    fault. ``label`` is at most 200 characters, the formulas 2000, ``notes`` 5000.
    """

    name: str
    label: str
    formula: str
    function: Callable[..., Any]
    derivative: Callable[..., Any] | None = None
    params: tuple[Param, ...] = ()
    derivative_formula: str = ""
    notes: str = ""
    kinks: Callable[..., Any] | None = None
    plugin: str = ""
    numerical_derivative: bool = False
    undefined: Callable[..., Any] | None = None

    kind = "activation"

    def __init__(self, name: str, label: str, formula: str, function: Callable[..., Any],
                 derivative: Callable[..., Any] | None = None, params: tuple[Param, ...] = (),
                 derivative_formula: str = "", notes: str = "", kinks: Callable[..., Any] | None = None,
                 plugin: str = "", numerical_derivative: bool = False,
                 undefined: Callable[..., Any] | None = None) -> None:
        _set(self, "name", name)
        _set(self, "label", label)
        _set(self, "formula", formula)
        _set(self, "function", function)
        _set(self, "derivative", derivative)
        _set(self, "params", params)
        _set(self, "derivative_formula", derivative_formula)
        _set(self, "notes", notes)
        _set(self, "kinks", kinks)
        _set(self, "plugin", plugin)
        _set(self, "numerical_derivative", numerical_derivative)
        _set(self, "undefined", undefined)

    @property
    def defaults(self) -> dict[str, float]:
        return {p.name: p.default for p in self.params}


@_spec_class
class Loss:
    """A per-example loss E(y; t) and its gradient ∂E/∂y.

    ``function(y, t, **params)`` and ``gradient(y, t, **params)`` map arrays
    elementwise. ``domain`` is ``"real"`` when y may be any real and
    ``"probability"`` when y lives in (0, 1). ``target`` is the Param for t
    (its range is what the GUI offers); no parameter may share its name.
    ``noise_model`` gives the likelihood reading, if the loss has one.
    ``kinks``, if given, is called as ``kinks(t, **params)`` and returns an
    iterable of floats: the y where ∂E/∂y jumps or is undefined. y = t is
    always treated as one, so most losses need no ``kinks``. ``undefined(y, t,
    **params)``, if given, returns a boolean mask: True where E has no value
    (NaN there is a gap, not a fault). ``label`` is at most 200 characters,
    the formulas 2000, ``notes`` 5000.
    """

    name: str
    label: str
    formula: str
    function: Callable[..., Any]
    gradient: Callable[..., Any] | None = None
    params: tuple[Param, ...] = ()
    gradient_formula: str = ""
    notes: str = ""
    domain: Domain = "real"
    target: Param = field(default_factory=lambda: _default_target())
    noise_model: NoiseModel | None = None
    kinks: Callable[..., Any] | None = None
    plugin: str = ""
    numerical_derivative: bool = False
    undefined: Callable[..., Any] | None = None

    kind = "loss"

    def __init__(self, name: str, label: str, formula: str, function: Callable[..., Any],
                 gradient: Callable[..., Any] | None = None, params: tuple[Param, ...] = (),
                 gradient_formula: str = "", notes: str = "", domain: Domain = "real",
                 target: Param = _FACTORY,  # type: ignore[assignment] - a fresh default target
                 noise_model: NoiseModel | None = None, kinks: Callable[..., Any] | None = None,
                 plugin: str = "", numerical_derivative: bool = False,
                 undefined: Callable[..., Any] | None = None) -> None:
        _set(self, "name", name)
        _set(self, "label", label)
        _set(self, "formula", formula)
        _set(self, "function", function)
        _set(self, "gradient", gradient)
        _set(self, "params", params)
        _set(self, "gradient_formula", gradient_formula)
        _set(self, "notes", notes)
        _set(self, "domain", domain)
        _set(self, "target", _default_target() if target is _FACTORY else target)
        _set(self, "noise_model", noise_model)
        _set(self, "kinks", kinks)
        _set(self, "plugin", plugin)
        _set(self, "numerical_derivative", numerical_derivative)
        _set(self, "undefined", undefined)

    @property
    def derivative(self) -> Callable[..., Any] | None:
        return self.gradient

    @property
    def derivative_formula(self) -> str:
        return self.gradient_formula

    @property
    def defaults(self) -> dict[str, float]:
        return {p.name: p.default for p in self.params}


@_spec_class
class View:
    """A view: a tab in the main window and a target of ``actviz export --view``.

    ``model(registry)`` returns the view's Qt-free state, an
    :class:`actviz.gui.ViewModel` subclass (``actviz.models.ViewModel``): its
    keys are what ``--set``, scenes and undo use. ``create(context)`` is called
    lazily, with an :class:`actviz.gui.ViewContext` whose ``model`` is that
    model, and returns an ``actviz.gui.ViewWidget``. Import Qt inside
    ``create`` so that listing plugins stays cheap. ``help`` is what F1 shows
    while the view is on screen: a few short paragraphs (simple HTML) for a
    student — what the picture shows and what to try.
    """

    name: str
    label: str
    create: Callable[..., Any]
    description: str = ""
    plugin: str = ""
    model: Callable[..., Any] | None = None
    help: str = ""

    def __init__(self, name: str, label: str, create: Callable[..., Any], description: str = "",
                 plugin: str = "", model: Callable[..., Any] | None = None,
                 help: str = "") -> None:  # noqa: A002 - the field's name
        _set(self, "name", name)
        _set(self, "label", label)
        _set(self, "create", create)
        _set(self, "description", description)
        _set(self, "plugin", plugin)
        _set(self, "model", model)
        _set(self, "help", help)


def _default_target() -> Param:
    """A loss's target when it names none."""
    return Param("t", 1.0, -3.0, 3.0, label="target t")


Spec = Activation | Loss


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

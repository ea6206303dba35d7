"""The data a plugin hands to actviz: plain frozen dataclasses, validated on load.

Specs are data, not behaviour: the GUI builds controls from :class:`Param` and
never knows a function by name. Validation lives here (numpy only, no Qt) so
that ``actviz check`` and the registry report the same reasons.
"""

from __future__ import annotations

import operator
import reprlib
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from inspect import Parameter, Signature
from typing import Any, Literal

Domain = Literal["real", "probability"]

_set = object.__setattr__


class _Factory:
    """The default of a field whose value a factory makes (shown as dataclasses shows it)."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def _spec_class(cls: type) -> type:
    """``@dataclass(frozen=True)`` with ``__init__``, ``__repr__``, ``__eq__`` and ``__hash__`` made from the fields.

    dataclass compiles six functions per class at import (~1.3 ms each, ~9 ms of start-up for the seven
    spec classes); these are closures over the field names instead. Fields, ``replace``, ``asdict``, frozen
    assignment and subclassing are dataclasses' own. ``tests/test_specs_classes.py`` checks every method
    against what ``@dataclass(frozen=True)`` makes of the same class.
    """
    cls = dataclass(frozen=True, init=False, repr=False, eq=False)(cls)
    every = fields(cls)
    names = tuple(f.name for f in every)
    shown = tuple(f.name for f in every if f.repr)
    compared = tuple(f.name for f in every if f.compare)
    hashed = tuple(f.name for f in every if (f.compare if f.hash is None else f.hash))
    defaults = {f.name: f.default for f in every if f.default is not MISSING}
    factories = {f.name: f.default_factory for f in every if f.default_factory is not MISSING}
    position = {name: i for i, name in enumerate(names)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: N807 - the dunder it is
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__}() takes {len(names)} arguments but {len(args)} were given")
        for name, value in zip(names, args, strict=False):
            _set(self, name, value)
        for name, value in kwargs.items():
            at = position.get(name)
            if at is None:
                raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {name!r}")
            if at < len(args):
                raise TypeError(f"{cls.__name__}() got multiple values for argument {name!r}")
            _set(self, name, value)
        missing = []
        for name in names[len(args):]:
            if name in kwargs:
                continue
            if name in defaults:
                _set(self, name, defaults[name])
            elif name in factories:
                _set(self, name, factories[name]())
            else:
                missing.append(repr(name))
        if missing:  # worded as Python words it
            listed = " and ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
            raise TypeError(f"{cls.__name__}.__init__() missing {len(missing)} required positional "
                            f"argument{'s' if len(missing) > 1 else ''}: {listed}")

    def key(attrs: tuple[str, ...]) -> Callable[[Any], tuple]:
        get = operator.attrgetter(*attrs) if attrs else (lambda obj: ())
        return get if len(attrs) > 1 else (lambda obj: (get(obj),)) if attrs else get

    shown_of, compared_of, hashed_of = key(shown), key(compared), key(hashed)

    @reprlib.recursive_repr()
    def __repr__(self) -> str:  # noqa: N807
        values = shown_of(self)
        return f"{self.__class__.__qualname__}({', '.join(f'{n}={v!r}' for n, v in zip(shown, values, strict=True))})"

    def __eq__(self, other: object) -> bool:  # noqa: N807
        if other.__class__ is self.__class__:
            return compared_of(self) == compared_of(other)
        return NotImplemented

    def __hash__(self) -> int:  # noqa: N807
        return hash(hashed_of(self))

    __init__.__signature__ = Signature(  # type: ignore[attr-defined] - help(), IDEs and inspect see the fields
        [Parameter("self", Parameter.POSITIONAL_OR_KEYWORD)]
        + [Parameter(f.name, Parameter.POSITIONAL_OR_KEYWORD, annotation=f.type,
                     default=f.default if f.default is not MISSING
                     else _FACTORY if f.default_factory is not MISSING else Parameter.empty) for f in every])
    for method in (__init__, __repr__, __eq__, __hash__):
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


def _default_target() -> Param:
    """A loss's target when it names none."""
    return Param("t", 1.0, -3.0, 3.0, label="target t")


Spec = Activation | Loss


# what a plugin returns is checked by these (re-exported here, where plugins and the registry look for them)
from actviz.spec_checks import (  # noqa: E402 - they check the classes above
    ESTIMATORS,
    MAX_PARAM_MAGNITUDE,
    validate_name,
    validate_param,
    validate_spec,
    validate_view,
)

__all__ = ["ESTIMATORS", "MAX_PARAM_MAGNITUDE", "Activation", "Choice", "Domain", "FunctionChoice", "Loss",
           "NoiseModel", "Param", "Spec", "SpecError", "View", "validate_name", "validate_param", "validate_spec",
           "validate_view"]

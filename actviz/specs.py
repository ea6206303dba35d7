"""The data a plugin hands to actviz: plain frozen dataclasses, validated on load.

Specs are data, not behaviour: the GUI builds controls from :class:`Param` and
never knows a function by name. Validation lives here (numpy only, no Qt) so
that ``actviz check`` and the registry report the same reasons.
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Domain = Literal["real", "probability"]


class SpecError(ValueError):
    """A spec a plugin returned is malformed; the message says which field and why."""


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class NoiseModel:
    """The likelihood reading of a loss: E(y; t) = −c·ln p(t | y) + const.

    ``log_density(t, y, **params)`` is ln p(t | y), elementwise.
    ``sample(y, n, rng, **params)`` draws ``n`` targets t ~ p(· | y) with the
    numpy Generator ``rng``.
    ``support`` is ``"real"`` for densities over t, ``"binary"`` for {0, 1}
    and ``"categorical"`` for class indices; it decides how the view draws p.
    ``estimator`` names the closed-form maximiser shown in the likelihood
    view ("mean", "median", "proportion"), or "" when there is none.
    """

    name: str
    log_density: Callable[..., Any]
    sample: Callable[..., Any]
    support: Literal["real", "binary", "categorical"] = "real"
    estimator: str = ""
    formula: str = ""


@dataclass(frozen=True)
class Activation:
    """An element-wise activation y = f(z).

    ``function(z, **params)`` and ``derivative(z, **params)`` take a float64
    numpy array and return one of the same shape. Formulas are LaTeX (mathtext
    subset). Without ``derivative`` the registry supplies a numerical one and
    marks it as such. ``kinks(**params)`` may list z where f′ is undefined, so
    the derivative check skips them.
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

    kind = "activation"

    @property
    def defaults(self) -> dict[str, float]:
        return {p.name: p.default for p in self.params}


@dataclass(frozen=True)
class Loss:
    """A per-example loss E(y; t) and its gradient ∂E/∂y.

    ``function(y, t, **params)`` and ``gradient(y, t, **params)`` map arrays
    elementwise. ``domain`` is ``"real"`` when y may be any real and
    ``"probability"`` when y lives in (0, 1). ``target`` is the Param for t
    (its range is what the GUI offers). ``noise_model`` gives the likelihood
    reading, if the loss has one.
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
    target: Param = field(default_factory=lambda: Param("t", 1.0, -3.0, 3.0, label="target t"))
    noise_model: NoiseModel | None = None
    kinks: Callable[..., Any] | None = None
    plugin: str = ""
    numerical_derivative: bool = False

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


@dataclass(frozen=True)
class View:
    """A view: a tab in the main window and a target of ``actviz export --view``.

    ``model(registry)`` returns the view's Qt-free state, an
    :class:`actviz.gui.ViewModel` subclass (``actviz.models.ViewModel``): its
    keys are what ``--set``, scenes and undo use. ``create(context)`` is called
    lazily, with an :class:`actviz.gui.ViewContext` whose ``model`` is that
    model, and returns an ``actviz.gui.ViewWidget``. Import Qt inside
    ``create`` so that listing plugins stays cheap.
    """

    name: str
    label: str
    create: Callable[..., Any]
    description: str = ""
    plugin: str = ""
    model: Callable[..., Any] | None = None


Spec = Activation | Loss


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


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
    if not p.low < p.high:
        raise SpecError(f"{owner}: parameter {p.name!r} has low={p.low} not below high={p.high}")
    if not p.low <= p.default <= p.high:
        raise SpecError(f"{owner}: parameter {p.name!r} default {p.default} is outside [{p.low}, {p.high}]")
    if p.step is not None and not (_is_number(p.step) and p.step > 0):
        raise SpecError(f"{owner}: parameter {p.name!r} step={p.step!r} must be a positive number")


def validate_spec(spec: Any) -> None:
    """Raise :class:`SpecError` naming the field when ``spec`` is malformed."""
    if not isinstance(spec, (Activation, Loss)):
        raise SpecError(f"expected actviz.Activation or actviz.Loss, got {type(spec).__name__}")
    validate_name(spec.name, spec.kind)
    owner = f"{spec.kind} {spec.name!r}"
    if not isinstance(spec.label, str) or not spec.label:
        raise SpecError(f"{owner}: label must be a non-empty string")
    if not callable(spec.function):
        raise SpecError(f"{owner}: function is not callable")
    if spec.derivative is not None and not callable(spec.derivative):
        raise SpecError(f"{owner}: derivative/gradient is not callable")
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
        validate_param(spec.target, owner)
        if spec.noise_model is not None:
            nm = spec.noise_model
            if not isinstance(nm, NoiseModel):
                raise SpecError(f"{owner}: noise_model must be actviz.NoiseModel")
            if not (callable(nm.log_density) and callable(nm.sample)):
                raise SpecError(f"{owner}: noise model {nm.name!r} needs callable log_density and sample")


def validate_view(view: Any) -> None:
    if not isinstance(view, View):
        raise SpecError(f"expected actviz.View, got {type(view).__name__}")
    validate_name(view.name, "view")
    if not callable(view.create):
        raise SpecError(f"view {view.name!r}: create is not callable")
    if view.model is not None and not callable(view.model):
        raise SpecError(f"view {view.name!r}: model is not callable")

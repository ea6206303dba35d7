"""User formulas: a whitelisted arithmetic language compiled to vectorised numpy functions.

``compile_formula("a * z * logistic(b * z)")`` returns an
:class:`~actviz.specs.Activation` with parameters ``a`` and ``b`` (every free
name is one), an exact derivative (:mod:`actviz.host.symbolic`, compiled back
through this same whitelist), ``kinks`` where a ``where``/``maximum``/``abs``
switches and ``undefined`` where ``log``, ``sqrt``, a division or a power has
no value (a gap in the plots, said in words in the notes).
``compile_formula("(y - t)**2 / 2", kind="loss")`` gives a
:class:`~actviz.specs.Loss` E(y, t) with ∂E/∂y. The text is parsed with
:mod:`ast` and checked node by node against a whitelist; nothing of it is
ever executed by Python.

The language and its checks are in :mod:`actviz.host.formula_parser`, the
compiler to numpy closures and LaTeX (and why closures, not ``eval``) in
:mod:`actviz.host.formula_compiler`, gaps and kinks in
:mod:`actviz.host.formula_gaps`; their public names are importable from here.

Allowed: numbers, the variable (``z``; ``y`` and ``t`` in a loss), parameters
(any other plain name), ``pi`` and ``e``, ``+ - * / **``, unary ``+ -``,
parentheses, the functions in :data:`FUNCTIONS`, and ``where(a < b, x, y)``
(a comparison is allowed only as the first argument of ``where``).
"""

from __future__ import annotations

import ast
import dataclasses
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import numpy as np

import actviz
from actviz.host import symbolic
from actviz.host.formula_compiler import Env, _compile
from actviz.host.formula_gaps import _kinks, _parts, _undefined, gap_words
from actviz.host.formula_parser import (  # noqa: F401 - re-exported: these were this module's names
    AUTO_RANGE,
    CONSTANTS,
    DERIVATIVE_LIMITS,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_NODES,
    POSITIVE_RANGE,
    RESERVED,
    VARIABLES,
    FormulaError,
    _check_lookalikes,
    _parse,
    auto_params,
    free_names,
)
from actviz.specs import Activation, Loss, Param, SpecError, validate_spec

Array = np.ndarray


def parse_formula(text: str, params: Iterable[str] = (), variables: Iterable[str] = ("z",)
                  ) -> tuple[Callable[[dict], Any], str]:
    """Check ``text`` and return (evaluator of an environment dict, LaTeX). Raises :class:`FormulaError`."""
    evaluator, tex, _ = _compile(text, params, variables)
    return evaluator, tex


def _variables(kind: str) -> tuple[str, ...]:
    if kind not in VARIABLES:
        raise FormulaError(f"a formula is an 'activation' or a 'loss', not {kind!r}")
    return VARIABLES[kind]


def derive(text: str, kind: str = "activation", *, use_sympy: bool | None = None) -> tuple[str, str]:
    """The exact derivative of a formula (∂/∂z, or ∂E/∂y for a loss) as formula text, and how it was
    found ("sympy" or "rules"). The formula is fully checked first; the result compiles."""
    variables = _variables(kind)
    tree, _, _ = _parse(text)
    names = free_names(text, kind)
    _compile(text, names, variables)  # refuse what is not allowed before anything looks at it
    found, how = symbolic.derivative_text(tree, variables[0], use_sympy=use_sympy)
    try:
        _compile(found, names, variables, DERIVATIVE_LIMITS)
    except FormulaError:
        if how == "rules":
            raise
        found, how = ast.unparse(symbolic.differentiate(tree, variables[0])), "rules"
        _compile(found, names, variables, DERIVATIVE_LIMITS)
    return found, how


def _check_params(params: Mapping[str, tuple[float, float, float]], variables: Iterable[str] = ("z",)
                  ) -> tuple[Param, ...]:
    out = []
    for name, bounds in params.items():
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise FormulaError(f"parameter name {name!r} is not a plain identifier")
        if name in variables or name in RESERVED or name in FUNCTIONS or name in CONSTANTS:
            raise FormulaError(f"parameter name {name!r} is taken by the formula language")
        try:
            default, low, high = (float(v) for v in bounds)
        except (TypeError, ValueError):
            raise FormulaError(f"parameter {name!r} needs (default, low, high) numbers") from None
        out.append(Param(name, default, low, high))
    return tuple(out)


def _vectorised(evaluator: Callable[[Env], Any], defaults: dict[str, float], variables: tuple[str, ...]
                ) -> Callable[..., Any]:
    """``f(x, *others, **params)``: the evaluator on arrays, silent where numpy would warn."""
    def function(x, *others, **values):
        x = np.asarray(x, dtype=float)
        env = {**defaults, **values, variables[0]: x}
        env.update((n, np.asarray(v, dtype=float)) for n, v in zip(variables[1:], others, strict=False))
        with np.errstate(all="ignore"):
            out = np.asarray(evaluator(env), dtype=float)
        return np.array(np.broadcast_to(out, np.broadcast_shapes(out.shape, x.shape)), dtype=float)
    return function


def compile_formula(text: str, params: Mapping[str, tuple[float, float, float]] | None = None, *,
                    name: str = "my_function", label: str | None = None, kind: Literal["activation", "loss"]
                    = "activation", derivative: str | None = None, domain: str = "real",
                    target: tuple[float, float, float] = (1.0, -3.0, 3.0)) -> Activation | Loss:
    """A user formula as an Activation f(z) or a Loss E(y, t), with its exact derivative.

    ``params`` maps parameter names to ``(default, low, high)``; every other
    free name becomes a parameter by :func:`auto_params`. ``derivative`` is
    the derivative's text when already known (stored with the formula, so
    SymPy is not needed again); it goes through the same checks. ``domain``
    and ``target`` (default, low, high) are a loss's. Raises
    :class:`FormulaError` naming the construct that is not allowed; nothing
    in ``text`` runs here: evaluation happens when the function is called.
    """
    variables = _variables(kind)
    _check_lookalikes(text, variables)
    # Python reads identifiers in NFKC form ("µ" MICRO SIGN is "μ" GREEK MU): name parameters the same way
    given = {unicodedata.normalize("NFKC", str(k)): v for k, v in (params or {}).items()}
    merged = {**auto_params(text, kind), **given}
    declared = _check_params(merged, variables)
    names = [p.name for p in declared]
    evaluator, tex, compiler = _compile(text, names, variables)
    how = "stored"
    if derivative is None:
        derivative, how = derive(text, kind)
    try:
        slope, slope_tex, _ = _compile(derivative, names, variables, DERIVATIVE_LIMITS)
    except FormulaError as exc:
        raise FormulaError(f"the derivative {derivative!r:.80}: {exc}") from None
    defaults = {p.name: p.default for p in declared}
    parts = _parts(compiler, names, variables)
    function = _vectorised(evaluator, defaults, variables)
    function._sites = parts.sites  # type: ignore[attr-defined] - read by gap_words
    common = dict(name=name, label=label or name, function=function, params=declared,
                  kinks=_kinks(parts, defaults, variables),
                  undefined=_undefined(parts, evaluator, defaults, variables))
    by = {"sympy": "exact, by SymPy", "rules": "exact", "stored": "exact"}[how]
    if kind == "loss":
        try:
            t = Param("t", *(float(v) for v in target), label="target t")
        except (TypeError, ValueError):
            raise FormulaError("the target needs (default, low, high) numbers") from None
        spec: Activation | Loss = Loss(
            formula=f"E(y,t)={tex}", gradient=_vectorised(slope, defaults, variables),
            gradient_formula=rf"\frac{{\partial E}}{{\partial y}}={slope_tex}", domain=domain, target=t,
            notes=f"Your formula: E(y, t) = {text.strip()}\n∂E/∂y = {derivative} ({by})", **common)
    else:
        spec = Activation(formula=f"f(z)={tex}", derivative=_vectorised(slope, defaults, variables),
                          derivative_formula=f"f'(z)={slope_tex}",
                          notes=f"Your formula: f(z) = {text.strip()}\nf′(z) = {derivative} ({by})", **common)
    try:
        validate_spec(spec)
    except SpecError as exc:
        raise FormulaError(str(exc)) from None
    words = gap_words(spec)
    if words:
        spec = dataclasses.replace(spec, notes=f"{words[0].upper()}{words[1:]}: left as a gap.\n{spec.notes}")
    return spec


class _FormulaPlugin:
    def __init__(self, specs: list[Activation | Loss]) -> None:
        self.specs = specs

    @actviz.hookimpl
    def actviz_activations(self):
        return [s for s in self.specs if isinstance(s, Activation)]

    @actviz.hookimpl
    def actviz_losses(self):
        return [s for s in self.specs if isinstance(s, Loss)]


def formula_plugin(formulas: Mapping[str, Any] | Iterable[Activation | Loss]) -> object:
    """A plugin object offering user formulas; register it as ``("my_functions", plugin)``.

    ``formulas`` is either compiled specs or a mapping name → text,
    name → (text, params) or name → (text, params, options) with options the
    keywords of :func:`compile_formula` (label, kind, derivative, domain,
    target). Each is compiled here, so a bad one raises :class:`FormulaError`
    (prefixed with its name) before anything loads::

        load_registry(extra=[("my_functions", formula_plugin({"swish": ("z*logistic(b*z)", {"b": (1, 0, 5)})}))])
    """
    specs: list[Activation | Loss] = []
    if isinstance(formulas, Mapping):
        for name, entry in formulas.items():
            text, params, options = (entry, {}, {}) if isinstance(entry, str) else (*entry, {})[:3]
            try:
                specs.append(compile_formula(text, params, name=name, **dict(options)))
            except FormulaError as exc:
                raise FormulaError(f"{name}: {exc}", exc.column) from None
    else:
        specs = list(formulas)
    return _FormulaPlugin(specs)

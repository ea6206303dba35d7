"""Where a compiled formula has no value (its gaps, also said in words) and where it has kinks."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from actviz.host import symbolic
from actviz.host.formula_compiler import Env, _Compiler, _Site
from actviz.host.formula_parser import DERIVATIVE_LIMITS, VARIABLES
from actviz.specs import Activation, Loss


@dataclass
class _Parts:
    """What compiling one formula yields besides the function: gaps, their words, kinks."""

    sites: list[_Site] = field(default_factory=list)
    kinks: list[tuple[Callable[[Env], Any], Callable[[Env], Any]]] = field(default_factory=list)


def _parts(compiler: _Compiler, names: Iterable[str], variables: tuple[str, ...]) -> _Parts:
    """The kinks: zeros of the recorded switch/edge expressions that are affine in the variable."""
    parts = _Parts(list(compiler.sites))
    var = variables[0]
    for g in compiler.critical:
        if not symbolic._uses(g, var):
            continue
        try:
            slope = symbolic.differentiate(g, var)
        except symbolic.Unsupported:
            continue
        if symbolic._uses(slope, var):
            continue  # not a straight line in the variable: its zeros are left to the derivative check
        sub = _Compiler(compiler.text, names, variables, max_exponent=DERIVATIVE_LIMITS[3])
        parts.kinks.append((sub.build(g)[0], sub.build(slope)[0]))
    return parts


def _env(defaults: dict[str, float], variables: tuple[str, ...], x: Any, others: tuple, values: dict) -> Env:
    env = {**defaults, **values, variables[0]: x}
    env.update((n, np.asarray(v, dtype=float)) for n, v in zip(variables[1:], others, strict=False))
    return env


def _undefined(parts: _Parts, evaluator, defaults, variables) -> Callable[..., Any] | None:
    """Where a recorded site has no value *and* the formula's value is not finite (a where() may guard it)."""
    if not parts.sites:
        return None

    def undefined(x, *others, **values):
        x = np.asarray(x, dtype=float)
        env = _env(defaults, variables, x, others, values)
        with np.errstate(all="ignore"):
            mask = np.zeros(x.shape, dtype=bool)
            for site in parts.sites:
                mask = mask | np.broadcast_to(np.asarray(site.mask(env), dtype=bool), x.shape)
            value = np.broadcast_to(np.asarray(evaluator(env), dtype=float), x.shape)
        return mask & ~np.isfinite(value)
    return undefined


def _kinks(parts: _Parts, defaults, variables) -> Callable[..., Any] | None:
    if not parts.kinks:
        return None

    def kinks(*others, **values):
        env = _env(defaults, variables, 0.0, others, values)
        out = set()
        with np.errstate(all="ignore"):
            for g, slope in parts.kinks:
                g0, s = float(np.asarray(g(env)).mean()), float(np.asarray(slope(env)).mean())
                if s != 0 and math.isfinite(g0 / s):
                    out.add(-g0 / s + 0.0)  # + 0.0: no −0
        return sorted(out)
    return kinks


def gap_words(spec: Activation | Loss) -> str:
    """The gaps in words, at the default parameters: "undefined for z ≤ 0", or "" when there are none.

    Each recorded site is named only if it really leaves a gap somewhere in
    [−10, 10] (or (0, 1) for a probability loss), so a guarded log says nothing.
    """
    sites: list[_Site] = getattr(spec.function, "_sites", [])
    if not sites or spec.undefined is None:
        return ""
    loss = isinstance(spec, Loss)
    x = np.linspace(1e-6, 1 - 1e-6, 2001) if loss and spec.domain == "probability" else np.linspace(-10, 10, 2001)
    others = (spec.target.default,) if loss else ()
    gaps = spec.undefined(x, *others, **spec.defaults)
    env = _env(spec.defaults, VARIABLES[spec.kind], x, others, {})
    said = []
    with np.errstate(all="ignore"):
        for site in sites:
            if (gaps & np.broadcast_to(np.asarray(site.mask(env), dtype=bool), x.shape)).any():
                said.append(site.words)
    return "undefined " + " and ".join(dict.fromkeys(said)) if said else ""

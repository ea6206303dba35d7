"""Closed forms of δ = ∂E/∂z that a plugin declares for its own activation/loss pairs.

The host knows no function by name: the plugin that owns a logistic unit and
cross-entropy says, through the hook ``actviz_output_deltas``, that their δ
is β(y − t). This module holds the :class:`OutputDeltaRule` a plugin
returns and collects the rules of every loaded plugin, each hook call guarded
(a raising hook is a recorded :class:`~actviz.host.plugins.Problem`, never a crash).

Numpy only, no Qt.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from actviz.host.plugins import GROUP, Problem, call_each, disabled_from_env, group_entry_points, load_plugins

Array = np.ndarray
HOOK = "actviz_output_deltas"

#: δ from (z, y = f(z), t, activation parameters, loss parameters), elementwise over z
DeltaFunction = Callable[[Array, Array, float, Mapping[str, float], Mapping[str, float]], Array]
#: (full-Jacobian δ₁, the lecture's shortcut δ₁) from (z, activation parameters, t)
ShortcutFunction = Callable[[Array, Mapping[str, float], float], tuple[Array, Array]]


@dataclass(frozen=True)
class OutputDeltaRule:
    """δ = ∂E/∂z of one activation/loss pair in closed form, declared by the plugin that knows it.

    ``activation`` and ``loss`` are registry names. ``delta(z, y, t, act_params,
    loss_params)`` returns δ elementwise over ``z`` (``y`` is f(z), already
    computed); it must be an exact identity, written so that it stays right
    where the product ∂E/∂y·f′(z) meets 0·∞ or y underflows. ``formula`` is
    LaTeX shown beside the curve, ``note`` one sentence on why it simplifies.
    ``lecture_shortcut(z, act_params, t)``, when given, returns (full-Jacobian
    δ₁, the lecture's shortcut δ₁) for a pair whose textbook derivation drops
    terms (softmax with categorical cross-entropy). ``plugin`` is filled in on
    collection: a rule only applies while its plugin owns the activation or the loss.
    """

    activation: str
    loss: str
    formula: str
    delta: DeltaFunction
    note: str = ""
    lecture_shortcut: ShortcutFunction | None = None
    plugin: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.activation, self.loss)


def validate_rule(rule: Any) -> None:
    """Raise ValueError naming the field when ``rule`` is not a usable OutputDeltaRule."""
    if not isinstance(rule, OutputDeltaRule):
        raise ValueError(f"expected actviz.OutputDeltaRule, got {type(rule).__name__}")
    for field in ("activation", "loss"):
        name = getattr(rule, field)
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"output delta rule: {field} name {name!r} is not a Python identifier")
    if not isinstance(rule.formula, str) or not rule.formula:
        raise ValueError(f"output delta rule {rule.key}: formula must be a non-empty string")
    if not callable(rule.delta):
        raise ValueError(f"output delta rule {rule.key}: delta is not callable")
    if rule.lecture_shortcut is not None and not callable(rule.lecture_shortcut):
        raise ValueError(f"output delta rule {rule.key}: lecture_shortcut is not callable")


def rules_from_plugin_manager(pm: Any) -> tuple[dict[tuple[str, str], OutputDeltaRule], list[Problem]]:
    """Call ``actviz_output_deltas`` plugin by plugin; (rules by (activation, loss), problems).

    The first plugin (in registration order, built-ins first) keeps a pair; a later
    rule for the same pair, a malformed rule and a raising hook are problems.
    """
    rules: dict[tuple[str, str], OutputDeltaRule] = {}
    problems: list[Problem] = []
    if not hasattr(pm.hook, HOOK):
        return rules, problems
    for plugin, items, problem in call_each(pm, HOOK):
        if problem is not None:
            problems.append(problem)
            continue
        for item in items:
            try:
                validate_rule(item)
            except ValueError as exc:
                problems.append(Problem(plugin, "validate", str(exc)))
                continue
            if item.key in rules:
                problems.append(Problem(plugin, "validate", f"output delta rule for {item.key} is already "
                                        f"given by plugin {rules[item.key].plugin!r}"))
                continue
            rules[item.key] = dataclasses.replace(item, plugin=plugin)
    return rules, problems


def _plugin_manager_for(registry: Any) -> Any:
    """The registry's plugin manager, or the same entry-point plugins registered afresh."""
    pm = getattr(registry, "plugin_manager", None) or getattr(registry, "pm", None)
    if pm is not None:
        return pm
    active = {info.name for info in getattr(registry, "plugins", []) if info.status == "active"}
    installed = {ep.name for ep in group_entry_points(GROUP)}
    pm, _, _ = load_plugins(disabled=installed - active, entry_points=True)
    return pm


def collect_output_delta_rules(registry: Any, plugin_manager: Any = None) -> dict[tuple[str, str], OutputDeltaRule]:
    """Every plugin's :class:`OutputDeltaRule`, keyed by (activation name, loss name).

    Uses ``plugin_manager`` when given, else the registry's own, else registers
    again the entry-point plugins that are active in ``registry`` (in-process
    ``extra`` plugins then need ``plugin_manager``). Problems (a raising hook,
    a malformed rule) are appended to ``registry.problems`` once; the result is
    cached on the registry.
    """
    return collect_once(registry, "_output_delta_rules", plugin_manager, rules_from_plugin_manager)


def collect_once(registry: Any, attribute: str, plugin_manager: Any, collect: Callable[..., Any]) -> Any:
    """Call ``collect(pm, ...)`` for a hook the registry did not collect at load; cache the result on it.

    ``collect`` returns ``(result, problems)``; the problems join ``registry.problems`` once.
    """
    cached = getattr(registry, attribute, None)
    if plugin_manager is None and cached is not None:
        return cached
    result, problems = collect(plugin_manager or _plugin_manager_for(registry))
    known = getattr(registry, "problems", None)
    if known is not None:
        seen = {(p.plugin, p.stage, p.message) for p in known}
        known.extend(p for p in problems if (p.plugin, p.stage, p.message) not in seen)
    try:
        setattr(registry, attribute, result)
    except (AttributeError, TypeError):  # a frozen or slotted stand-in: just don't cache
        pass
    return result


_DEFAULT: dict[tuple, tuple[dict[tuple[str, str], OutputDeltaRule], list[Problem]]] = {}


def default_output_delta_rules() -> dict[tuple[str, str], OutputDeltaRule]:
    """The rules of the installed entry-point plugins (not disabled by ``ACTVIZ_DISABLE``).

    What the backprop functions use when no rules are passed. Cached per
    ``sys.path`` and disable list; :func:`rule_for` still checks that a rule's
    plugin owns the functions it is applied to.
    """
    key = (tuple(sys.path), os.environ.get("ACTVIZ_DISABLE", ""))
    if key not in _DEFAULT:
        pm, _, _ = load_plugins(disabled=disabled_from_env(), entry_points=True)
        _DEFAULT.clear()
        _DEFAULT[key] = rules_from_plugin_manager(pm)
    return _DEFAULT[key][0]


def default_rule_problems() -> list[Problem]:
    """Problems met while collecting :func:`default_output_delta_rules`."""
    default_output_delta_rules()
    return [p for _, problems in _DEFAULT.values() for p in problems]


def rule_for(activation: Any, loss: Any,
             rules: Mapping[tuple[str, str], OutputDeltaRule] | None = None) -> OutputDeltaRule | None:
    """The rule for this activation/loss pair, or None.

    ``rules`` defaults to :func:`default_output_delta_rules`. A rule collected from
    plugin P is only used when P owns the activation or the loss (``spec.plugin``),
    so a disabled plugin's rule never applies to another plugin's function of the same name.
    """
    table = default_output_delta_rules() if rules is None else rules
    rule = table.get((activation.name, loss.name))
    if rule is None:
        return None
    owners = {getattr(activation, "plugin", ""), getattr(loss, "plugin", "")} - {""}
    if rule.plugin and owners and rule.plugin not in owners:
        return None
    return rule


def rules_by_key(rules: Iterable[OutputDeltaRule]) -> dict[tuple[str, str], OutputDeltaRule]:
    """A rules table from a plain list (for tests and scripts passing rules explicitly)."""
    return {r.key: r for r in rules}

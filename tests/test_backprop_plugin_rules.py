"""δ's closed forms belong to the plugins that give them: the host names no built-in function."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest

import actviz
from actviz.maths import backprop as bp
from actviz.maths.pairs import collect_output_delta_rules
from actviz.testing import install_entry_point_plugin, plugin_problems
from tests.backprop_helpers import REG, Z
from tests.renamed_lecture import RENAMED_PLUGIN


@pytest.fixture(scope="module")
def reg():
    return REG


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def renamed(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "renamed", RENAMED_PLUGIN)
    reg = actviz.load_registry()
    assert not plugin_problems(reg, "renamed"), plugin_problems(reg, "renamed")
    return reg


def test_closed_forms_work_for_renamed_functions(renamed):
    """The rules travel with the plugin: the lecture's functions under other names keep their closed forms."""
    reg = renamed
    rules = collect_output_delta_rules(reg)
    assert rules[("squash", "xent")].plugin == "renamed"
    squash, xent, cxent = reg.activations["squash"], reg.losses["xent"], reg.losses["cxent"]
    z = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    for table in (rules, None):  # explicit, and the installed plugins' rules by default
        out = bp.output_delta(squash, xent, z, {"beta": 2.0}, {}, 0.0, table)
        assert out.simplified and out.simplified_formula == r"\delta=\beta\,(y-t)"
        np.testing.assert_allclose(out.delta, [0.0, 0.0, 1.0, 2.0, 2.0], atol=1e-15)
    bump = bp.output_delta(reg.activations["bump"], xent, np.array([-100.0]), {"mu": 0.0, "sigma": 1.0}, {}, 1.0,
                           rules)
    assert bump.delta[0] == -100.0
    full, short = bp.lecture_shortcut(reg.activations["share"], cxent, Z, {"z2": 0.5, "z3": -1.0}, 0.0, rules)
    ref = bp.lecture_shortcut(reg.activations["softmax"], reg.losses["categorical_cross_entropy"], Z,
                              {"z2": 0.5, "z3": -1.0}, 0.0)
    np.testing.assert_array_equal(full, ref[0])
    np.testing.assert_array_equal(short, ref[1])
    # a rule is the property of its plugin: the lecture's rule never applies to the renamed pair, nor vice versa
    assert bp.known_pair(squash, reg.losses["binary_cross_entropy"], rules) is None


def test_a_rule_applies_only_while_its_plugin_owns_a_function(reg):
    rules = collect_output_delta_rules(reg)
    rule = rules[("logistic", "binary_cross_entropy")]
    assert rule.plugin == "lecture"
    stranger_act = dataclasses.replace(reg.activations["logistic"], plugin="stranger")
    stranger_loss = dataclasses.replace(reg.losses["binary_cross_entropy"], plugin="stranger")
    assert bp.known_pair(stranger_act, stranger_loss, rules) is None
    assert bp.known_pair(stranger_act, reg.losses["binary_cross_entropy"], rules) is rule


def test_a_raising_output_delta_hook_is_a_recorded_problem(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "shaky", '''
        import actviz

        @actviz.hookimpl
        def actviz_activations():
            return [actviz.Activation("cube", "Cube", "z^3", lambda z: z ** 3, lambda z: 3 * z ** 2)]

        @actviz.hookimpl
        def actviz_output_deltas():
            raise RuntimeError("no rules today")
    ''')
    install_entry_point_plugin(tmp_path, monkeypatch, "sloppy", '''
        import actviz

        @actviz.hookimpl
        def actviz_output_deltas():
            return ["not a rule", actviz.OutputDeltaRule("logistic", "binary_cross_entropy", "x", lambda *a: 0)]
    ''')
    reg = actviz.load_registry()
    rules = collect_output_delta_rules(reg)
    assert rules[("logistic", "binary_cross_entropy")].plugin == "lecture"
    shaky = plugin_problems(reg, "shaky")
    assert len(shaky) == 1 and shaky[0].stage == "actviz_output_deltas" and "no rules today" in shaky[0].message
    sloppy = [p.message for p in plugin_problems(reg, "sloppy")]
    assert len(sloppy) == 2 and "OutputDeltaRule" in sloppy[0] and "already given by plugin 'lecture'" in sloppy[1]
    collect_output_delta_rules(reg)
    assert len(plugin_problems(reg, "shaky")) == 1  # recorded once


def test_nothing_in_the_host_names_a_builtin_function():
    """No module outside plugins/ keys maths on a built-in name or reads a parameter by name."""
    assert not hasattr(bp, "KNOWN_PAIRS") and not hasattr(bp, "SHORTCUT_PAIRS")
    offenders = []
    for path in sorted([*(ROOT / "actviz" / "maths").rglob("*.py"), *(ROOT / "actviz" / "host").rglob("*.py")]):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"binary_cross_entropy", r"categorical_cross_entropy"):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)} names {pattern}")
        if path.parent.name == "maths" or path.parent.parent.name == "maths":
            if re.search(r"""["']beta["']""", text):
                offenders.append(f"{path.relative_to(ROOT)} reads 'beta' by name")
    assert not offenders, offenders


def test_delta_notes_carry_beta(reg):
    for loss in ("binary_cross_entropy", "categorical_cross_entropy"):
        assert "β(y − t)" in bp.known_pair(reg.activations["logistic"], reg.losses[loss]).note
    assert "δ = β(y − t)" in reg.losses["binary_cross_entropy"].notes
    assert "δ = β(y−t)·y(1−y)" in reg.losses["squared_error"].notes

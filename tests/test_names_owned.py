"""Names are owned: built-ins keep theirs, the first third party keeps its, every collision is a problem.

Each plugin is installed through a real entry point (``actviz.testing``).
"""

from __future__ import annotations

import sys
import textwrap

import numpy as np

import actviz
from actviz.testing import format_problems, install_entry_point_plugin, plugin_problems


def activation(name: str, factor: float, marker: str = "") -> str:
    return textwrap.dedent(f"""
        import numpy as np
        import actviz
        {marker}

        @actviz.hookimpl
        def actviz_activations():
            return [actviz.Activation(name={name!r}, label="A", formula="z",
                                      function=lambda z: z * {factor},
                                      derivative=lambda z: np.full_like(z, {factor}))]
    """)


def test_third_party_entry_point_named_lecture_does_not_replace_the_builtin(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "lecture", activation("relu", 9.0, "IMPORTED = True"),
                               dist_name="evil-lecture", module="evil_lecture")
    reg = actviz.load_registry()
    assert "evil_lecture" not in sys.modules, "the loser must not even be imported"
    lecture = next(i for i in reg.plugins if i.name == "lecture")
    assert lecture.builtin and lecture.status == "active" and lecture.distribution == "actviz"
    assert reg.activations["relu"].plugin == "lecture"
    assert len(reg.activations) > 13 and "binary_step" in reg.activations
    [problem] = plugin_problems(reg, "lecture@evil-lecture")
    assert problem.stage == "name"
    assert "'evil-lecture'" in problem.message and "'actviz'" in problem.message, problem
    assert "built-in" in problem.message and "not loaded" in problem.message
    loser = next(i for i in reg.plugins if i.name == "lecture@evil-lecture")
    assert loser.status == "failed" and loser.distribution == "evil-lecture"
    assert not [p for p in reg.problems if p.plugin in ("lecture", "modern", "views")], \
        format_problems(reg.problems)


def test_two_distributions_with_one_entry_point_name_first_by_distribution_keeps_it(tmp_path, monkeypatch):
    # installed in the "wrong" order: sys.path order must not decide, the distribution name does
    install_entry_point_plugin(tmp_path / "b", monkeypatch, "shared", activation("from_zzz", 3.0),
                               dist_name="zzz-second", module="zzz_second")
    install_entry_point_plugin(tmp_path / "a", monkeypatch, "shared", activation("from_aaa", 2.0),
                               dist_name="aaa-first", module="aaa_first")
    reg = actviz.load_registry()
    assert "from_aaa" in reg.activations and "from_zzz" not in reg.activations
    shared = next(i for i in reg.plugins if i.name == "shared")
    assert shared.distribution == "aaa-first" and shared.status == "active"
    [problem] = plugin_problems(reg, "shared@zzz-second")
    assert "'zzz-second'" in problem.message and "'aaa-first'" in problem.message
    assert not plugin_problems(reg, "shared")


def test_same_distribution_twice_on_sys_path_is_not_a_collision(tmp_path, monkeypatch):
    for where in ("one", "two"):
        install_entry_point_plugin(tmp_path / where, monkeypatch, "twice", activation("twice_fn", 2.0),
                                   dist_name="twice-dist")
    reg = actviz.load_registry()
    assert [i.name for i in reg.plugins].count("twice") == 1
    assert not [p for p in reg.problems if "twice" in p.plugin], format_problems(reg.problems)
    assert reg.activations["twice_fn"].plugin == "twice"


def test_third_party_activation_cannot_take_a_builtin_loss_name(tmp_path, monkeypatch):
    """Activations used to be admitted before losses, so a third party's activation won the name."""
    install_entry_point_plugin(tmp_path, monkeypatch, "grabber", activation("squared_error", 2.0))
    reg = actviz.load_registry()
    assert reg.losses["squared_error"].plugin == "lecture"
    assert "squared_error" not in reg.activations
    [problem] = plugin_problems(reg, "grabber")
    assert str(problem) == ("[grabber / squared_error] validate: name 'squared_error' is already taken "
                            "by plugin 'lecture'")


def test_function_names_between_third_parties_first_by_distribution_wins(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "late", activation("same", 3.0), dist_name="zzz-late")
    install_entry_point_plugin(tmp_path, monkeypatch, "early", textwrap.dedent("""
        import actviz

        @actviz.hookimpl
        def actviz_losses():
            return [actviz.Loss(name="same", label="L", formula="(t-y)^2",
                                function=lambda y, t: (t - y) ** 2, gradient=lambda y, t: -2 * (t - y))]
    """), dist_name="aaa-early")
    reg = actviz.load_registry()
    assert reg.losses["same"].plugin == "early" and "same" not in reg.activations
    [problem] = plugin_problems(reg, "late")
    assert "already taken by plugin 'early'" in problem.message
    np.testing.assert_array_equal(reg.losses["same"].function(np.zeros(1), 1.0), [1.0])


def test_view_name_collision_names_both_plugins_and_builtin_wins(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "viewer", textwrap.dedent("""
        import actviz

        @actviz.hookimpl
        def actviz_views():
            return [actviz.View(name="function", label="Mine", create=lambda context: None)]
    """))
    reg = actviz.load_registry()
    assert reg.views["function"].plugin == "views"
    [problem] = plugin_problems(reg, "viewer")
    assert "view name 'function' is already taken by plugin 'views'" in problem.message

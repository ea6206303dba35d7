"""A cheap load: derivative checks wait for the first read of ``problems``; plugin code runs in few hand-overs.

The problems a registry reports must be the same, in the same order, as when
every check ran inside the load; only when the checks run changes.
"""

from __future__ import annotations

import threading
import time
from importlib import metadata

import numpy as np
import pytest

import actviz
from actviz.host import guard
from actviz.host.plugins import _name_and_version, group_entry_points
from actviz.host.registry import Registry, load_registry


class Plugin:
    def __init__(self, activations=(), losses=()):
        self._a, self._l = list(activations), list(losses)

    @actviz.hookimpl
    def actviz_activations(self):
        return self._a

    @actviz.hookimpl
    def actviz_losses(self):
        return self._l


def counted(fn, calls, key):
    def wrapped(z, *args, **params):
        calls[key] = calls.get(key, 0) + 1
        return fn(z, *args, **params)
    return wrapped


def mixed_plugins():
    """Right and wrong derivatives, a rejected function, a taken name, a loss at three targets."""
    return [
        ("first", Plugin([
            actviz.Activation("cube", "Cube", "z^3", lambda z: z ** 3, derivative=lambda z: 2 * z ** 2),
            actviz.Activation("fine", "Fine", "2z", lambda z: 2 * z, derivative=lambda z: np.full_like(z, 2.0)),
            actviz.Activation("nan_one", "NaN", "z", lambda z: z * np.nan, derivative=lambda z: np.ones_like(z)),
        ])),
        ("second", Plugin([
            actviz.Activation("fine", "Fine again", "3z", lambda z: 3 * z, derivative=lambda z: np.full_like(z, 3.0)),
            actviz.Activation("sine", "Sine", "sin z", np.sin, derivative=lambda z: -np.cos(z)),
        ], [
            actviz.Loss("bce_wrong", "BCE", "-t ln y", lambda y, t: -t * np.log(y) - (1 - t) * np.log1p(-y),
                        lambda y, t: -t / y, domain="probability",
                        target=actviz.Param("t", 1.0, 0.0, 1.0)),
        ])),
    ]


def test_derivative_checks_wait_for_the_first_read_of_problems():
    calls: dict[str, int] = {}
    spec = actviz.Activation("cube", "Cube", "z^3", counted(lambda z: z ** 3, calls, "f"),
                             derivative=counted(lambda z: 2 * z ** 2, calls, "df"))
    reg = load_registry(extra=[("wrong", Plugin([spec]))], entry_points=False)
    assert "cube" in reg.activations  # admitted on its probe
    assert calls == {"f": 1, "df": 1}  # the probe: one call of each on the grid, no Richardson ladder yet
    assert reg.unchecked == 1
    [problem] = [p for p in reg.problems if p.plugin == "wrong"]
    assert problem.stage == "derivative" and problem.spec == "cube" and "at z=" in problem.message
    assert calls["f"] > 1 and calls["df"] == 1  # the check called f at z ± h, and reused the probe's f′
    assert reg.unchecked == 0


def test_deferred_problems_are_the_eager_ones_in_the_same_order():
    lazy = load_registry(extra=mixed_plugins())
    eager = load_registry(extra=mixed_plugins(), defer_derivatives=False)
    assert eager.unchecked == 0 and lazy.unchecked > 0
    assert [str(p) for p in lazy.problems] == [str(p) for p in eager.problems]
    assert sorted(lazy.activations) == sorted(eager.activations)
    assert lazy.activations["fine"].plugin == "first" and "nan_one" not in lazy.activations
    mine = [str(p) for p in lazy.problems if p.plugin in ("first", "second")]
    assert any("[first / cube] derivative" in p for p in mine)
    assert any("[second / sine] derivative" in p for p in mine)
    assert any("[second / bce_wrong] derivative" in p and "(t=" in p for p in mine)
    assert any("[second / fine] validate: name 'fine' is already taken" in p for p in mine)


def test_a_registry_built_by_hand_has_its_problems_as_given():
    reg = Registry(problems=["x"])
    assert reg.problems == ["x"] and reg.unchecked == 0
    reg.problems.append("y")
    assert reg.problems == ["x", "y"]


def test_each_call_keeps_its_own_time_cap_in_one_hand_over():
    threads: list[str] = []

    def quick(i):
        threads.append(threading.current_thread().name)
        return i

    def raises():
        raise SystemExit(3)

    def hangs():
        time.sleep(1.0)
        return "late"

    calls = [lambda: quick(0), raises, hangs, lambda: quick(1)]
    start = time.perf_counter()
    out = guard.run_each_limited(0.1, calls)
    assert time.perf_counter() - start < 0.9  # the hung call cost its cap, not its second
    assert out[0] == (True, 0) and out[3] == (True, 1)
    assert out[1][0] is False and isinstance(out[1][1], SystemExit)
    assert out[2][0] is False and isinstance(out[2][1], guard.TimedOut)
    assert threading.current_thread().name not in threads  # on workers, never the caller


def test_one_snapshot_still_names_the_plugin_that_changed_numpy():
    tanh = np.tanh
    with guard.one_snapshot():
        clean = guard.GlobalState()
        assert clean.undo() == []
        patched = guard.GlobalState()
        np.tanh = np.sin
        assert patched.undo() == ["replaced numpy.tanh"]
        assert np.tanh is tanh
        after = guard.GlobalState()  # the next plugin is not blamed for the one before
        assert after.undo() == []


def test_name_and_version_read_as_the_metadata_says():
    for dist in list(metadata.distributions())[:400]:
        meta = dist.metadata
        expected = ((meta["Name"] or "") if meta else "", (meta["Version"] or "") if meta else "")
        assert _name_and_version(dist) == expected


@pytest.mark.parametrize("defer", [True, False])
def test_a_slow_function_is_still_rejected_by_the_probe(defer):
    def slow(z):
        time.sleep(0.6)
        return z * 1.0

    spec = actviz.Activation("slowpoke", "Slow", "z", slow, derivative=lambda z: np.ones_like(z))
    fast = actviz.Activation("quick", "Quick", "z", lambda z: z * 1.0, derivative=lambda z: np.ones_like(z))
    reg = load_registry(extra=[("slowmod", Plugin([spec, fast]))], entry_points=False, defer_derivatives=defer)
    assert "slowpoke" not in reg.activations and "quick" in reg.activations
    [problem] = [p for p in reg.problems if p.plugin == "slowmod"]
    assert problem.stage == "probe" and "function is slow: one call on 599 points took longer than" in problem.message


@pytest.mark.parametrize("group", ["actviz", "console_scripts", "pytest11", "no_such_group"])
def test_group_entry_points_are_the_standard_librarys(group):
    def listed(eps):
        return [(e.name, e.value, e.group, e.dist.name if e.dist else None) for e in eps]

    assert listed(group_entry_points(group)) == listed(metadata.entry_points(group=group))


def test_keyboard_interrupt_from_a_probed_function_is_the_plugins_not_ctrl_c():
    def interrupts(z):
        raise KeyboardInterrupt

    spec = actviz.Activation("grumpy", "Grumpy", "z", interrupts, derivative=lambda z: np.ones_like(z))
    reg = load_registry(extra=[("grumpy_plugin", Plugin([spec]))], entry_points=False)
    assert "grumpy" not in reg.activations
    [problem] = [p for p in reg.problems if p.plugin == "grumpy_plugin"]
    assert problem.stage == "probe" and "function raised KeyboardInterrupt" in problem.message

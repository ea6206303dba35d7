"""Crash recovery: a session that dies inside a plugin is named at the next start, and the plugin can be disabled.

The crash is real: a child process runs a plugin function that calls
``os._exit`` (what a segfault in a C extension or the OOM killer looks like
from outside: no Python clean-up at all).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import actviz
from actviz.gui.crash import BREADCRUMB, MARKER, Breadcrumb, CrashRecovery, read_breadcrumb
from actviz.host import evaluation
from actviz.testing import install_entry_point_plugin

PLUGIN = textwrap.dedent("""
    import os
    import numpy as np
    import actviz
    from actviz import Activation

    def fragile(z):
        if (z == 7.3125).any():
            os._exit(3)  # no finally, no atexit: like a segfault
        return np.tanh(z)

    @actviz.hookimpl
    def actviz_activations():
        return [Activation(name="fragile", label="Fragile", formula="f(z)", function=fragile,
                           derivative=lambda z: 1 / np.cosh(z) ** 2)]
""")

CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    import actviz
    from actviz.gui.crash import CrashRecovery
    from actviz.host import evaluation

    recovery = CrashRecovery(sys.argv[1])
    recovery.start()
    spec = actviz.load_registry().activations["fragile"]
    evaluation.value(spec, np.array([0.5]), {})  # fine
    evaluation.value(spec, np.array([7.3125]), {})  # the process dies in the plugin
    print("not reached")
""")


@pytest.fixture(autouse=True)
def no_trail():
    yield
    evaluation.set_trail(None)


def crash_in_child(tmp_path, monkeypatch) -> str:
    """Install the plugin, run a session that dies in it; the settings directory it leaves."""
    install_entry_point_plugin(tmp_path, monkeypatch, "fragile_plugin", PLUGIN)
    directory = str(tmp_path / "settings")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path / "site-packages"), *sys.path]))
    done = subprocess.run([sys.executable, "-c", CHILD, directory], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 3, done.stderr
    assert "not reached" not in done.stdout
    return directory


def test_the_next_start_names_the_plugin_that_was_running(tmp_path, monkeypatch):
    directory = crash_in_child(tmp_path, monkeypatch)
    assert os.path.exists(os.path.join(directory, MARKER))
    recovery = CrashRecovery(directory)
    crash = recovery.start()
    assert crash is not None and crash.busy
    assert (crash.plugin, crash.function) == ("fragile_plugin", "fragile")
    assert "while running fragile of plugin 'fragile_plugin'" in crash.message()
    assert crash.message(question=True).endswith("Disable plugin 'fragile_plugin'?")
    recovery.finish()
    assert not os.path.exists(os.path.join(directory, MARKER))
    assert CrashRecovery(directory).start() is None  # a clean exit reports nothing


def test_disable_from_the_status_message_keeps_the_scene(tmp_path, monkeypatch, qtbot):
    """Offscreen there is no dialog: a status message names the plugin and disable() does the rest."""
    from actviz.gui.main_window import MainWindow
    from actviz.gui.settings import SettingsStore

    directory = crash_in_child(tmp_path, monkeypatch)
    settings = SettingsStore(os.path.join(directory, "last-scene.json"))
    recovery = CrashRecovery(directory)
    recovery.start()
    assert not recovery.should_ask()  # offscreen: never block start-up on a dialog
    window = MainWindow(settings=settings)
    window.setProperty("testing", True)
    qtbot.addWidget(window)
    window.restore_state()
    window.models["function"].update({"function": "fragile", "zmin": -2.0, "zmax": 3.0})
    recovery.report(window)
    assert "running fragile of plugin 'fragile_plugin'" in window.statusBar().currentMessage()
    assert "fragile" in window.registry.activations
    assert recovery.disable(window)
    assert "fragile" not in window.registry.activations
    assert "fragile_plugin" in window.disabled
    assert "disabled" in window.statusBar().currentMessage()
    saved = SettingsStore(settings.path).load()
    assert saved["window"]["disabled"] == ["fragile_plugin"]
    assert saved["views"]["function"]["values"]["zmax"] == 3.0  # nothing else was lost
    recovery.finish()


def test_a_marker_left_by_a_live_process_is_not_a_crash(tmp_path):
    directory = tmp_path / "settings"
    directory.mkdir()
    (directory / MARKER).write_text(str(os.getppid()))  # our parent is alive
    recovery = CrashRecovery(str(directory))
    assert recovery.start() is None
    assert recovery.trail is None  # the other session's files are left alone
    assert (directory / MARKER).read_text() == str(os.getppid())


def test_a_crash_outside_plugin_code_names_no_plugin(tmp_path):
    directory = tmp_path / "settings"
    directory.mkdir()
    trail = Breadcrumb(str(directory / BREADCRUMB), {"numpy": "np_plugin"})
    trail.enter(np.tanh)
    trail.leave()
    (directory / MARKER).write_text("999999999")  # no such process
    crash = CrashRecovery(str(directory)).start()
    assert crash is not None and not crash.busy
    assert crash.plugin == "np_plugin" and "not inside plugin code" in crash.message()


def test_the_breadcrumb_follows_calls_and_threads(tmp_path):
    path = str(tmp_path / BREADCRUMB)
    trail = Breadcrumb(path, {"numpy": "np_plugin"})
    evaluation.set_trail(trail)
    seen = []

    def spy(z):
        seen.append(read_breadcrumb(path, {}))
        return z * 1.0

    spy.__module__ = "my_plugin_module.sub"
    trail.owners["my_plugin_module"] = "mine"
    evaluation.call(spy, np.zeros(3))
    assert seen[0].busy and (seen[0].plugin, seen[0].function) == ("mine", "spy")
    assert not read_breadcrumb(path, {}).busy
    evaluation.call_within(5.0, spy, np.zeros(3))  # on a worker thread too
    assert seen[1].busy and seen[1].plugin == "mine"
    assert not read_breadcrumb(path, {}).busy
    trail.close()


def test_an_unwritable_directory_runs_without_recovery(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    recovery = CrashRecovery(str(blocker / "settings"))
    assert recovery.start() is None
    assert "Crash recovery is off" in recovery.message
    recovery.finish()
    assert actviz.load_registry().activations  # evaluation still works without a trail

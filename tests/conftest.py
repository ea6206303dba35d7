"""Shared fixtures: headless Qt, a private settings file per test, one registry per session."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

import actviz  # noqa: E402

BENIGN_QT_MESSAGES = ("propagateSizeHints",)


@pytest.fixture(autouse=True)
def private_settings(tmp_path, monkeypatch):
    """No test reads or writes the user's real settings."""
    path = tmp_path / "settings" / "last-scene.json"
    monkeypatch.setenv("ACTVIZ_SETTINGS", str(path))
    monkeypatch.delenv("ACTVIZ_DISABLE", raising=False)
    return path


@pytest.fixture(scope="session")
def registry():
    return actviz.load_registry()


@pytest.fixture
def window(qtbot, registry):
    """A main window on the built-in registry, shown offscreen."""
    from actviz.gui.main_window import MainWindow

    win = MainWindow(registry=registry)
    win.setProperty("testing", True)
    qtbot.addWidget(win)
    win.restore_state()
    win.resize(1000, 700)
    win.show()
    qtbot.waitExposed(win)
    return win


def settle(qtbot, ms: int = 30) -> None:
    """Let coalesced redraws run."""
    qtbot.wait(ms)


def spy_set_data(items, record) -> None:
    """Call ``record(key)`` whenever the plot item ``items[key]`` gets ``setData`` (the call still happens).

    Drag tests count what a frame re-sets: ``record`` may append to a list or count in a dict.
    """
    for key, item in items.items():
        original = item.setData

        def spy(*args, _key=key, _original=original, **kwargs):
            record(_key)
            return _original(*args, **kwargs)

        item.setData = spy


def count_into(counts: dict):
    """A ``record`` for :func:`spy_set_data` that counts calls per key in ``counts``."""
    return lambda key: counts.__setitem__(key, counts.get(key, 0) + 1)

"""pytest fixtures for actviz plugin authors, loaded into pytest by installing actviz.

actviz registers this module under pytest's ``pytest11`` entry point, so a
plugin's tests need no ``conftest.py``: with actviz installed, these fixtures
are there. A plugin's whole test module can be::

    PLUGIN = "example"  # the entry-point name in your pyproject.toml

    def test_healthy(assert_actviz_plugin_ok):
        assert_actviz_plugin_ok(PLUGIN)  # what `actviz check` checks, every parameter corner

    def test_my_view(actviz_registry, actviz_view):
        view = actviz_view(actviz_registry(PLUGIN), "my_view", settings={"sigma": 5})
        x, y = view_curves(view)["my curve"]  # from actviz.testing import view_curves

This module is imported by EVERY pytest run on a machine where actviz is
installed, so loading it costs no more than ``import actviz`` (numpy, pluggy):
the helpers are imported inside the fixtures, Qt and pytest-qt only by
``actviz_view`` (the one fixture that needs them; pytest-qt is required only
when it is used). Its entry-point name is ``actviz``: ``pytest -p no:actviz``
turns it off.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import pytest


@pytest.fixture(scope="session")
def actviz_registry() -> Callable[..., Any]:
    """Load a registry with the plugin under test and actviz's built-in plugins, nothing else.

    ``actviz_registry("example")`` returns an :class:`actviz.Registry` in which
    every other installed third-party plugin is disabled, so none can break or
    mask yours; ``actviz_registry("example", "other")`` keeps both. Keyword arguments go to :func:`actviz.load_registry`
    (``extra=[("name", module)]`` adds an in-process plugin). Each call loads
    anew (about half a second); share one registry between tests with a
    module-scoped fixture of your own::

        @pytest.fixture(scope="module")
        def registry(actviz_registry):
            return actviz_registry("example")

    Treat the registry as read-only.
    """
    from actviz.testing import plugin_registry

    def load(*plugins: str, **load_kwargs: Any):
        return plugin_registry(*plugins, **load_kwargs)

    return load


@pytest.fixture(scope="session")
def assert_actviz_plugin_ok() -> Callable[..., Any]:
    """Assert a plugin is healthy exactly as ``actviz check`` judges it; fail listing every problem.

    ``assert_actviz_plugin_ok("example")`` loads the plugin with the built-ins
    only (as ``actviz_registry`` does) and fails unless it was found, loaded,
    added something, and each of its functions is finite, warning-free and has
    a derivative matching central differences at its defaults and at every
    corner of its parameter box. Pass ``registry=`` to check one you already
    loaded, ``corners=False`` to check the defaults only. Returns the registry.
    """
    from actviz.testing import assert_plugin_ok, plugin_registry

    def check(plugin: str, registry: Any = None, corners: bool = True, **load_kwargs: Any):
        reg = registry if registry is not None else plugin_registry(plugin, **load_kwargs)
        return assert_plugin_ok(plugin, reg, corners=corners)

    return check


@pytest.fixture
def actviz_view(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """Build a view headless, with pytest-qt's ``qtbot``; closed when the test ends.

    ``actviz_view(registry, "example_slopes", settings={"sigma": 5})`` makes
    the view's model, applies ``settings`` to it (``--set`` keys, in any order;
    a bad one raises :class:`actviz.models.ModelError` naming the key), builds
    the widget at ``size`` (default 800×600), lays it out without showing it
    and draws it once. ``model=`` builds the view on a model of your own,
    ``history=`` records its changes for undo. Returns the
    :class:`actviz.gui.ViewWidget`: drive it through ``view.model.set(...)`` /
    ``view.model.update({...})``, then ``view.refresh()`` (or ``qtbot.wait``)
    and read the drawing with :func:`actviz.testing.view_curves`.

    Needs pytest-qt (``pip install pytest-qt``). Sets ``QT_QPA_PLATFORM=offscreen``
    unless it is already set, before the first QApplication exists.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        qtbot = request.getfixturevalue("qtbot")
    except pytest.FixtureLookupError:
        pytest.fail("the actviz_view fixture needs pytest-qt: pip install pytest-qt", pytrace=False)
    del qtbot  # requested for its QApplication, its Qt message capture and its exception capture
    import shiboken6

    from actviz.gui import build_view, close_view

    built: list[tuple[Any, Any]] = []

    def make(registry: Any, name: str, settings: Mapping[str, Any] | None = None,
             size: tuple[int, int] = (800, 600), model: Any = None, history: Any = None):
        view, app = build_view(registry, name, size, model=model, settings=settings, history=history)
        built.append((view, app))
        return view

    yield make
    for view, app in reversed(built):
        if shiboken6.isValid(view):
            close_view(view, app)


@pytest.fixture
def install_actviz_plugin(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Install a throw-away plugin through a real entry point, for this test only.

    ``install_actviz_plugin("mine", source_code)`` writes ``source_code``
    (dedented) as a module and a ``.dist-info`` with an entry point ``mine`` in
    the group ``actviz`` under ``tmp_path``, and puts it on ``sys.path``, so
    ``actviz_registry("mine")`` finds it exactly as it finds a pip-installed
    plugin. Keyword arguments (``dist_name``, ``version``, ``module``) go to
    :func:`actviz.testing.install_entry_point_plugin`; returns the module's
    path. Everything is undone when the test ends.
    """
    from actviz.testing import install_entry_point_plugin

    def install(name: str, source_code: str, **kwargs: Any):
        return install_entry_point_plugin(tmp_path, monkeypatch, name, source_code, **kwargs)

    return install

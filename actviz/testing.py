"""Helpers for testing an actviz plugin the way users will load it: through a real entry point.

Plain functions, no pytest plugin to register. A typical test::

    from actviz.testing import assert_plugin_ok, install_entry_point_plugin

    def test_my_plugin_loads(tmp_path, monkeypatch):
        install_entry_point_plugin(tmp_path, monkeypatch, "mine", '''
            import numpy as np
            import actviz

            @actviz.hookimpl
            def actviz_activations():
                return [actviz.Activation(name="cube", label="Cube", formula="z^3",
                                          function=lambda z: z ** 3,
                                          derivative=lambda z: 3 * z ** 2)]
        ''')
        reg = assert_plugin_ok("mine")
        assert "cube" in reg.activations

For an installed package (``pip install -e .``) skip the install step and call
``assert_plugin_ok("<entry point name>")`` directly. A fixture recipe, for a
``conftest.py`` of your own::

    @pytest.fixture
    def install_plugin(tmp_path, monkeypatch):
        def install(name, source, **kw):
            return install_entry_point_plugin(tmp_path, monkeypatch, name, source, **kw)
        return install

``monkeypatch`` undoes everything when the test ends: the directory leaves
``sys.path`` and the module leaves ``sys.modules``, so the next test's
registry no longer sees the plugin.
"""

from __future__ import annotations

import importlib
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

from actviz.host.plugins import Problem
from actviz.host.registry import Registry, load_registry

__all__ = ["assert_plugin_ok", "format_problems", "install_entry_point_plugin", "plugin_problems"]


def _normalise(dist_name: str) -> str:
    """The dist-info directory spelling of a distribution name (PEP 503 / wheel rules)."""
    return re.sub(r"[-_.]+", "_", dist_name).lower()


def install_entry_point_plugin(
    tmp_path: Path,
    monkeypatch: Any,
    name: str,
    source_code: str,
    dist_name: str | None = None,
    version: str = "1.0",
    module: str | None = None,
) -> Path:
    """Make ``source_code`` an installed plugin with entry point ``name = <module>`` in group ``actviz``.

    Writes ``<module>.py`` and ``<dist>-<version>.dist-info/`` (METADATA and
    entry_points.txt) into ``tmp_path/site-packages``, prepends that directory
    to ``sys.path`` and clears the import caches, so ``actviz.load_registry()``
    finds the plugin through ``importlib.metadata`` exactly as it finds a
    pip-installed one. ``source_code`` is dedented. The module name defaults to
    ``actviz_test_<name>`` and the distribution to ``actviz-test-<name>``;
    third parties load in order of distribution name. Returns the module file.
    Several plugins may share one ``tmp_path``.
    """
    module = module or f"actviz_test_{name}"
    dist_name = dist_name or f"actviz-test-{name}"
    site = Path(tmp_path) / "site-packages"
    site.mkdir(parents=True, exist_ok=True)
    path = site / f"{module}.py"
    path.write_text(textwrap.dedent(source_code), encoding="utf-8")
    info = site / f"{_normalise(dist_name)}-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: {version}\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[actviz]\n{name} = {module}\n", encoding="utf-8")
    if str(site) not in sys.path:
        monkeypatch.syspath_prepend(str(site))
    # A stale module of the same name must not answer the import, and whatever
    # this test imports must be gone afterwards: setitem records "absent" for
    # the undo, delitem empties the slot now.
    monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.delitem(sys.modules, module)
    importlib.invalidate_caches()  # also drops importlib.metadata's directory cache
    return path


def plugin_problems(registry: Registry, name: str) -> list[Problem]:
    """Every problem recorded against the plugin ``name``."""
    return [p for p in registry.problems if p.plugin == name]


def format_problems(problems: list[Problem], tracebacks: bool = True) -> str:
    lines = []
    for p in problems:
        lines.append(str(p))
        if tracebacks and p.traceback:
            lines.append(textwrap.indent(p.traceback.rstrip(), "    "))
    return "\n".join(lines)


def assert_plugin_ok(name: str, registry: Registry | None = None, **load_kwargs: Any) -> Registry:
    """Load the registry (unless given one) and fail, listing every problem, unless ``name`` loaded cleanly.

    "Cleanly" means: a plugin of that name was found, it is active, it added
    at least one function or view, and no problem names it. Extra keyword
    arguments go to :func:`actviz.load_registry` (e.g. ``extra=[...]``).
    Returns the registry for further assertions.
    """
    reg = registry if registry is not None else load_registry(**load_kwargs)
    info = next((i for i in reg.plugins if i.name == name), None)
    if info is None:
        found = ", ".join(i.name for i in reg.plugins) or "none"
        raise AssertionError(f"no actviz plugin named {name!r} was found (plugins found: {found}); "
                             "is the entry point in the group 'actviz'?")
    problems = plugin_problems(reg, name)
    if problems:
        raise AssertionError(f"plugin {name!r} has {len(problems)} problem(s):\n{format_problems(problems)}")
    if info.status != "active":
        raise AssertionError(f"plugin {name!r} is {info.status}")
    if not info.adds:
        raise AssertionError(f"plugin {name!r} loaded but added no functions or views")
    return reg

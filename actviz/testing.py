"""Helpers for testing an actviz plugin the way users will load it: through a real entry point.

Installing actviz also installs a pytest plugin (``actviz.pytest_plugin``, loaded
through pytest's ``pytest11`` entry point) whose fixtures wrap these helpers:
``actviz_registry``, ``assert_actviz_plugin_ok``, ``actviz_view`` and
``install_actviz_plugin``. Use them, or call the plain functions below. A
typical test::

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
        reg = assert_plugin_ok("mine", plugin_registry("mine"))
        assert "cube" in reg.activations

For an installed package (``pip install -e .``) skip the install step and call
``assert_plugin_ok("<entry point name>")`` directly.

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

from actviz.host.plugins import Problem, discover
from actviz.host.registry import Registry, deep_check, load_registry

__all__ = ["assert_plugin_ok", "format_problems", "install_entry_point_plugin", "plugin_check", "plugin_problems",
           "plugin_registry", "third_party_plugins", "view_curves"]


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


def third_party_plugins() -> list[str]:
    """Entry-point names of every installed plugin that does not ship with actviz (none is imported)."""
    _, infos, _ = discover()
    return [info.name for info in infos if not info.builtin]


def plugin_registry(*names: str, **load_kwargs: Any) -> Registry:
    """A registry with the plugins ``names`` and the built-in plugins only: every other third party is disabled.

    So another installed plugin can neither break nor mask the ones under
    test. Keyword arguments go to :func:`actviz.load_registry` (``extra=[...]``
    for in-process plugins; ``disabled`` is added to).
    """
    disabled = set(load_kwargs.pop("disabled", ()))
    disabled |= {other for other in third_party_plugins() if other not in names}
    return load_registry(disabled=disabled, **load_kwargs)


def plugin_check(registry: Registry, name: str, corners: bool = True) -> list[Problem]:
    """What ``actviz check`` reports about the plugin ``name``: its load problems, then (``corners``)
    every parameter corner of each of its functions (finite, silent, derivative = central differences)."""
    loaded = plugin_problems(registry, name)
    if not corners:
        return loaded
    mine = [spec for spec in registry.functions() if spec.plugin == name]
    own = Registry(activations={s.name: s for s in mine if s.kind == "activation"},
                   losses={s.name: s for s in mine if s.kind == "loss"}, problems=loaded)
    return deep_check(own)


def assert_plugin_ok(name: str, registry: Registry | None = None, corners: bool = True,
                     **load_kwargs: Any) -> Registry:
    """Load the registry (unless given one) and fail, listing every problem, unless ``name`` is healthy.

    Healthy means what ``actviz check`` means: a plugin of that name was
    found, it is active, it added at least one function or view, no problem
    names it, and (``corners``, the default) each of its functions is finite,
    silent and has a derivative matching central differences at its defaults
    and at every corner of its parameter box. Extra keyword arguments go to
    :func:`actviz.load_registry` (e.g. ``extra=[...]``). Returns the registry.
    """
    reg = registry if registry is not None else load_registry(**load_kwargs)
    info = next((i for i in reg.plugins if i.name == name), None)
    if info is None:
        found = ", ".join(i.name for i in reg.plugins) or "none"
        raise AssertionError(f"no actviz plugin named {name!r} was found (plugins found: {found}); "
                             "is the entry point in the group 'actviz'?")
    problems = plugin_check(reg, name, corners=corners)
    if problems:
        raise AssertionError(f"plugin {name!r} has {len(problems)} problem(s):\n{format_problems(problems)}")
    if info.status != "active":
        raise AssertionError(f"plugin {name!r} is {info.status}")
    if not info.adds:
        raise AssertionError(f"plugin {name!r} loaded but added no functions or views")
    return reg


def view_curves(view: Any) -> dict[str, tuple[Any, Any]]:
    """Every pyqtgraph ``PlotDataItem`` of a built view, as ``name -> (x, y)`` numpy arrays (copies).

    The data are what the view passed to ``setData`` (not clipped or
    downsampled for display; hidden curves included). Name your curves
    (``plot.plot(..., name="f")``) to get stable keys; an unnamed one is
    ``curve1``, ``curve2``, … in reading order (plots top to bottom, left to
    right, then in the order they were added), and a name used twice gets
    ``#2``. A curve with no data is two empty arrays. Imports Qt.
    """
    import numpy as np
    import pyqtgraph as pg

    views = [view] if isinstance(view, pg.GraphicsView) else []
    views += view.findChildren(pg.GraphicsView)
    items: list[Any] = []
    for graphics in views:
        scene_items = graphics.scene().items()
        plots = [i for i in scene_items if isinstance(i, pg.PlotItem)]
        plots.sort(key=lambda p: (p.scenePos().y(), p.scenePos().x()))
        for plot in plots:
            items += [i for i in plot.listDataItems() if isinstance(i, pg.PlotDataItem) and i not in items]
        items += [i for i in reversed(scene_items) if isinstance(i, pg.PlotDataItem) and i not in items]
    curves: dict[str, tuple[Any, Any]] = {}
    unnamed = 0
    for item in items:
        name = item.name()
        if not name:
            unnamed += 1
            name = f"curve{unnamed}"
        key, n = name, 1
        while key in curves:
            n += 1
            key = f"{name}#{n}"
        x, y = item.getOriginalDataset()
        curves[key] = (np.array(x if x is not None else [], dtype=float),
                       np.array(y if y is not None else [], dtype=float))
    return curves

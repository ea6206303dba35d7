"""Every registered view, built-in or not: scenes reproduce its curves, undo restores them, keys are listed.

These tests know no view by name: they perturb each model generically through
its declared keys, so a new view (a third party's too) is covered for free.
"""

from __future__ import annotations

import ast
import json
import pathlib
import subprocess
import sys

import numpy as np
import pyqtgraph as pg
import pytest

import actviz
from actviz.gui import build_view, close_view
from actviz.models import History, ModelError
from actviz.specs import Choice, Param

ROOT = pathlib.Path(__file__).resolve().parents[1]
VIEWS = [v.name for v in actviz.load_registry().views.values()]


def curves(view) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every drawn curve: (x, y) of each visible PlotDataItem, keyed by its position in the view."""
    out = {}
    for i, item in enumerate(view.findChildren(pg.GraphicsView)):
        for j, curve in enumerate(c for c in item.scene().items() if isinstance(c, pg.PlotDataItem)):
            x, y = curve.getData()
            if x is not None and curve.isVisible():
                out[f"{i}.{j}"] = (np.asarray(x, float), np.asarray(y, float))
    return out


def assert_same_curves(a, b) -> None:
    assert sorted(a) == sorted(b)
    for name in a:
        np.testing.assert_array_equal(a[name][0], b[name][0], err_msg=name)
        np.testing.assert_array_equal(a[name][1], b[name][1], err_msg=name)


def perturb(model) -> dict[str, object]:
    """Move a few of the model's own keys off their defaults (the ones it accepts), generically."""
    changes: dict[str, object] = {}
    for key in model.active_keys():
        c = key.control
        if len(changes) >= 4 or model.is_function(key.name) or key.name in (model.range_keys or ()) \
                or key.name in model.batch_keys:
            continue
        if isinstance(c, Param):
            value = c.default + 0.25 * (c.high - c.default) if c.high > c.default else c.low
            if c.step:
                value = c.low + round((value - c.low) / c.step) * c.step
        elif isinstance(c, Choice) and c.parse is None and len(c.options) > 1:
            value = next(o for o in c.options if o != model[key.name])
        else:
            continue
        try:
            model.set(key.name, value)
            changes[key.name] = value
        except ModelError:
            continue
    return changes


@pytest.mark.parametrize("name", VIEWS)
def test_a_saved_state_reproduces_the_views_curves_exactly(qtbot, registry, name):
    view, app = build_view(registry, name)
    try:
        changed = perturb(view.model)
        assert changed, f"view {name}: no key could be changed"
        view.refresh()
        before = curves(view)
        state = json.loads(json.dumps(view.model.state()))
    finally:
        close_view(view, app)
    fresh = registry.views[name].model(registry)
    assert fresh.restore(state) == []
    assert {k: fresh[k] for k in changed} == pytest.approx(changed) if all(
        isinstance(v, float) for v in changed.values()) else True
    again, app = build_view(registry, name, model=fresh)
    try:
        assert_same_curves(before, curves(again))
    finally:
        close_view(again, app)


@pytest.mark.parametrize("name", VIEWS)
def test_undo_and_redo_restore_the_drawn_curves(qtbot, registry, name):
    history = History()
    view, app = build_view(registry, name, history=history)
    try:
        original = curves(view)
        changed = perturb(view.model)
        view.refresh()
        moved = curves(view)
        while history.can_undo():
            history.undo()
        view.refresh()
        assert_same_curves(original, curves(view))
        while history.can_redo():
            history.redo()
        view.refresh()
        assert_same_curves(moved, curves(view))
        assert changed
    finally:
        close_view(view, app)


@pytest.mark.parametrize("name", VIEWS)
def test_export_help_lists_every_key_and_exits_0(name, registry):
    result = subprocess.run([sys.executable, "-m", "actviz", "export", "--view", name, "--help"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    model = registry.views[name].model(registry)
    for key in model.all_keys():
        assert f"  {key.name} " in result.stdout
    assert result.stderr == ""


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


PUBLIC = ("actviz", "actviz.gui", "actviz.models", "actviz.maths", "actviz.evaluation", "actviz.numerics",
          "actviz.testing", "actviz.specs", "actviz.hookspecs")


def _private(name: str) -> bool:
    if not name.startswith("actviz.") and name != "actviz":
        return False
    if name in PUBLIC or any(name.startswith(p + ".") and p in ("actviz.maths",) for p in PUBLIC):
        return False
    parent, _, leaf = name.rpartition(".")
    if parent in PUBLIC and (leaf[:1].isupper() or leaf in getattr(__import__(parent, fromlist=["x"]), "__all__", ())):
        return False  # a public name imported from a public module
    return True


@pytest.mark.parametrize("path", sorted((ROOT / "plugins").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_plugins_import_only_public_names(path):
    private = sorted(n for n in _imports(path) if _private(n))
    assert not private, f"{path.relative_to(ROOT)} imports private actviz names: {private}"


def test_public_modules_define_all():
    import actviz.gui
    import actviz.models
    import actviz.numerics
    import actviz.testing

    for module in (actviz, actviz.gui, actviz.models, actviz.numerics, actviz.testing):
        assert module.__all__, module.__name__
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"

"""The author guide cannot drift from the hookspecs (as datasette's docs test does)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from actviz import hookspecs

GUIDE = (Path(__file__).resolve().parent.parent / "docs" / "plugins.md").read_text()
HOOKS = [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("actviz_")]


def test_there_are_hooks():
    assert {"actviz_activations", "actviz_losses", "actviz_views"} <= set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_in_the_guide(hook):
    assert f"### `{hook}`" in GUIDE, f"docs/plugins.md has no section for {hook}"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hookspec_has_a_docstring_with_an_example(hook):
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert len(doc) > 200 and "Example" in doc


def test_readme_links_the_guide():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "docs/plugins.md" in readme


PUBLIC_MODULES = ("actviz", "actviz.gui", "actviz.models", "actviz.evaluation", "actviz.numerics", "actviz.maths",
                  "actviz.testing")


def _public_names():
    import importlib

    for module in PUBLIC_MODULES:
        for name in importlib.import_module(module).__all__:
            yield module, name


@pytest.mark.parametrize("module, name", list(_public_names()), ids=lambda v: str(v))
def test_every_public_name_is_documented(module, name):
    """Public means listed in an ``__all__``; each such name has a row in the guide's reference."""
    section = GUIDE.split(f"### `{module}`", 1)
    assert len(section) == 2, f"docs/plugins.md has no reference section for {module}"
    rows = section[1].split("\n### ", 1)[0]
    assert f"| `{name}` |" in rows, f"{module}.{name} is public but not in the guide's reference"


def test_every_name_the_guide_mentions_exists():
    """A documented ``actviz.x.y`` that no longer exists fails here, not in a reader's editor."""
    import importlib
    import re

    missing = []
    for ref in sorted(set(re.findall(r"`(actviz(?:\.\w+)+)", GUIDE))):
        parts = ref.split(".")
        for i in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:i]))
                for attr in parts[i:]:
                    obj = getattr(obj, attr)
                break
            except (ImportError, AttributeError):
                continue
        else:
            missing.append(ref)
    assert not missing, f"docs/plugins.md names what does not exist: {missing}"
    moved = [ref for ref in re.findall(r"`(actviz\.\w+)", GUIDE) if ref.split(".")[1] in (
        "registry", "plugins", "evaluation_", "backprop", "likelihood", "coin", "learning", "noise_models", "sampling",
        "formulas", "export_cli")]
    assert not moved, f"docs/plugins.md uses old module names: {moved}"

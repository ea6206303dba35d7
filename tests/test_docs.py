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

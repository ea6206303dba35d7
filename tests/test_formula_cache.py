"""The formula PNG disk cache: a warm start draws formulas without importing matplotlib."""

from __future__ import annotations

import sys

import pytest

from actviz.gui import formula, formula_cache

TEX = r"\tanh(z) = \frac{e^z - e^{-z}}{e^z + e^{-z}}"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTVIZ_FORMULA_CACHE", str(tmp_path))
    formula.render_png.cache_clear()
    yield tmp_path
    formula.render_png.cache_clear()


def test_a_rendered_formula_is_drawn_again_without_matplotlib(cache_dir, monkeypatch):
    pytest.importorskip("matplotlib")
    png = formula.render_png(TEX, "#000000")
    assert png is not None and png.startswith(formula_cache.PNG_MAGIC)
    assert len(list(cache_dir.glob("*.png"))) == 1
    formula.render_png.cache_clear()
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # a warm start: matplotlib is never imported
    assert formula.render_png(TEX, "#000000") == png
    assert formula.render_png(TEX, "#ffffff") is None  # another colour is another picture: not cached yet


def test_key_is_source_colour_and_size(cache_dir):
    paths = {formula_cache.path_for(TEX, "#000000", 13.0), formula_cache.path_for(TEX, "#000000", 14.0),
             formula_cache.path_for(TEX, "#ffffff", 13.0), formula_cache.path_for(TEX + " ", "#000000", 13.0)}
    assert len(paths) == 4
    assert all(p.parent == cache_dir for p in paths)


def test_a_damaged_or_unwritable_cache_is_a_miss(cache_dir, monkeypatch):
    formula_cache.path_for(TEX, "#000000", 13.0).write_bytes(b"not a png")
    assert formula_cache.load(TEX, "#000000") is None
    blocker = cache_dir / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("ACTVIZ_FORMULA_CACHE", str(blocker / "sub"))
    formula_cache.store(TEX, "#000000", 13.0, formula_cache.PNG_MAGIC + b"data")  # no exception
    assert formula_cache.load(TEX, "#000000") is None


def test_off_keeps_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("ACTVIZ_FORMULA_CACHE", "off")
    assert formula_cache.directory() is None
    formula_cache.store(TEX, "#000000", 13.0, formula_cache.PNG_MAGIC + b"data")
    assert formula_cache.load(TEX, "#000000") is None
    monkeypatch.delenv("ACTVIZ_FORMULA_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert formula_cache.directory() == tmp_path / "actviz" / "formulas"

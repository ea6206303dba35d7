"""The plugin scan lists installed distributions exactly as importlib.metadata does, odd layouts included."""

from __future__ import annotations

import importlib
import sys
import zipfile
from importlib import metadata

import pytest

from actviz.host import plugins


def _dist(root, dirname, name, group_lines=None):
    info = root / dirname
    info.mkdir(parents=True)
    (info / ("PKG-INFO" if dirname.endswith(("egg-info", "EGG-INFO")) else "METADATA")).write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8")
    if group_lines is not None:
        (info / "entry_points.txt").write_text(group_lines, encoding="utf-8")


@pytest.fixture
def odd_path(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    _dist(a, "Foo_Bar-1.0.dist-info", "Foo_Bar", "[console_scripts]\nfb = foo:main\n\n[actviz]\nfoo = foo_mod\n")
    _dist(a, "foo.bar-2.0.dist-info", "foo.bar", "[actviz]\nfoo2 = foo_two\n")  # same name, grouped by Lookup
    _dist(a, "UPPER-1.0.DIST-INFO", "Upper", "[actviz]\nupper = upper_mod\n")  # named from its metadata
    _dist(a, "zeta-1.0.egg-info", "zeta", "# comment\n[actviz]\n  zeta = zeta_mod:plugin  \n")
    _dist(a, "-1.0.dist-info", "nameless", "[actviz]\nnameless = nameless_mod\n")
    _dist(a, "alpha-1.0.dist-info", "alpha", None)  # no entry points at all
    (a / "alpha.py").write_text("", encoding="utf-8")
    _dist(b, "foo_bar-3.0.dist-info", "foo_bar", "[actviz]\nshadowed = never\n")  # on the path twice: first wins
    _dist(b, "beta-1.0.dist-info", "beta", "[actviz]\r\nbeta = beta_mod\r\n")
    egg = tmp_path / "eggy-1.0.egg"
    _dist(egg, "EGG-INFO", "eggy", "[actviz]\neggy = eggy_mod\n")
    zipped = tmp_path / "z.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("zed-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zed\nVersion: 1.0\n")
        z.writestr("zed-1.0.dist-info/entry_points.txt", "[actviz]\nzed = zed_mod\n")
    monkeypatch.setattr(sys, "path", [str(a), str(tmp_path / "missing"), str(zipped), str(egg), str(b), *sys.path])
    importlib.invalidate_caches()
    return tmp_path


def _listed(eps):
    return [(e.name, e.value, e.group, e.dist.name if e.dist else None, str(getattr(e.dist, "_path", "")))
            for e in eps]


@pytest.mark.parametrize("group", ["actviz", "console_scripts", "no_such_group"])
def test_group_entry_points_match_the_standard_library_on_odd_layouts(odd_path, group):
    mine = _listed(plugins.group_entry_points(group))
    assert mine == _listed(metadata.entry_points(group=group))
    if group == "actviz":
        names = [m[0] for m in mine]
        assert {"upper", "zeta", "nameless", "beta", "eggy", "zed"} <= set(names)
        assert "shadowed" not in names  # foo_bar is on the path twice: the first directory's only
        assert len({"foo", "foo2"} & set(names)) == 1  # Foo_Bar and foo.bar are one name: the first listed


def test_installed_lists_what_distributions_lists_in_order(odd_path):
    def where(x):
        return str(x) if isinstance(x, str) else str(getattr(x, "_path", x))

    mine = [(key, where(x)) for key, x in plugins._installed()]
    theirs = [(d._normalized_name, str(d._path)) for d in metadata.distributions()]
    assert mine == theirs


def test_another_distribution_finder_gets_the_standard_librarys_listing(odd_path, monkeypatch):
    class Finder:
        @staticmethod
        def find_spec(*args, **kwargs):
            return None

        @staticmethod
        def find_distributions(context=None):
            return iter([])

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder])
    assert _listed(plugins.group_entry_points("actviz")) == _listed(metadata.entry_points(group="actviz"))


def test_a_malformed_line_fails_as_the_standard_library_fails(tmp_path, monkeypatch):
    _dist(tmp_path, "bad-1.0.dist-info", "bad", "[actviz]\ngood = good_mod\nno equals sign here\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    importlib.invalidate_caches()
    with pytest.raises(Exception) as theirs:
        list(metadata.entry_points(group="actviz"))
    with pytest.raises(type(theirs.value)):
        plugins.group_entry_points("actviz")

"""The plugin scan reads plain metadata directories itself: importlib.metadata (and email, difflib) wait.

``importlib.metadata`` imports the ``email`` package; the scan, the entry
points' ``load()`` and :func:`installed_version` do without it where every
distribution is in a plain directory. Checked in a fresh interpreter (which
modules are imported, never times); the entry points and versions are the
standard library's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

from actviz.host import plugins

PROBE = r"""
import json, sys
from actviz.host import plugins
eps = plugins.group_entry_points("actviz")
_, infos, _ = plugins.discover()
version = plugins.installed_version("pluggy")
imported = sorted(m for m in ("importlib.metadata", "email", "difflib") if m in sys.modules)
loaded = [type(ep.load()).__name__ for ep in eps]  # the plugins' own imports are theirs
print(json.dumps({"eps": [ep.name for ep in eps], "loaded": loaded, "infos": [i.name for i in infos],
                  "version": version, "imported": imported}))
"""


def test_scanning_and_loading_entry_points_does_not_import_importlib_metadata():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.splitlines()[-1])
    assert report["imported"] == []
    assert set(report["eps"]) >= {"lecture", "modern", "views"} and report["infos"] == report["eps"]
    assert set(report["loaded"]) == {"module"}
    assert report["version"] == metadata.version("pluggy")


def test_entry_points_are_the_standard_librarys_in_every_attribute():
    theirs = {(ep.name, ep.value): ep for ep in metadata.entry_points(group=plugins.GROUP)}
    mine = plugins.group_entry_points(plugins.GROUP)
    assert [(ep.name, ep.value) for ep in mine] == list(theirs)
    for ep in mine:
        other = theirs[(ep.name, ep.value)]
        assert (ep.group, ep.module, ep.attr, ep.extras) == (other.group, other.module, other.attr, other.extras)
        assert ep.load() is other.load()
        assert ep.dist.name == other.dist.name and ep.dist.version == other.dist.version
        assert ep == plugins._EntryPoint(ep.name, ep.value, ep.group) and hash(ep) == hash((ep.name, ep.value,
                                                                                               ep.group))


def test_an_attribute_entry_point_loads_the_attribute(tmp_path, monkeypatch):
    source = "class Holder:\n    class inner:\n        value = 42\n"
    (tmp_path / "ep_target_mod.py").write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    ep = plugins._EntryPoint("x", "ep_target_mod : Holder.inner [extra]", "actviz")
    assert ep.load().value == 42 and ep.extras == ["extra"]
    bad = plugins._EntryPoint("y", "not a value!", "actviz")
    try:
        bad.load()
    except Exception as exc:  # noqa: BLE001 - fails as the standard library's does
        mine = type(exc)
    try:
        metadata.EntryPoint("y", "not a value!", "actviz").load()
    except Exception as exc:  # noqa: BLE001
        assert mine is type(exc)


def test_installed_version_is_importlib_metadatas():
    for dist in list(metadata.distributions())[:200]:
        name = dist.metadata["Name"]
        if name:
            assert plugins.installed_version(name) == metadata.version(name), name
    assert plugins.installed_version("no-such-distribution-at-all") is None

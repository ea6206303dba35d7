"""The guard's fast path: a module dict whose version tag did not move is not compared name by name."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from actviz.host import guard

needs_tag = pytest.mark.skipif(guard._dict_version is None, reason="no dict version tag on this interpreter")


@pytest.mark.skipif(sys.implementation.name != "cpython" or not (3, 11) <= sys.version_info[:2] <= (3, 13),
                    reason="the tag is read on CPython 3.11-3.13 only")
def test_the_version_reader_is_used_on_this_interpreter():
    assert guard._dict_version is not None


@needs_tag
def test_untouched_modules_are_not_compared_name_by_name(monkeypatch):
    compared = []
    real = guard._unchanged
    monkeypatch.setattr(guard, "_unchanged", lambda now, before: compared.append(1) or real(now, before))
    with guard.one_snapshot():
        for _ in range(5):
            assert guard.GlobalState().undo() == []
    assert compared == []


@needs_tag
def test_every_kind_of_change_is_still_found_and_undone(monkeypatch):
    tanh, pi = np.tanh, math.pi
    with guard.one_snapshot():
        state = guard.GlobalState()
        vars(np)["tanh"] = np.sin  # straight into the dict, no setattr
        assert state.undo() == ["replaced numpy.tanh"]
        assert np.tanh is tanh
        state = guard.GlobalState()
        math.pi = pi  # set to itself: the tag moves, the comparison finds nothing
        assert state.undo() == []
        state = guard.GlobalState()
        np.actviz_added = 1
        del math.pi
        assert sorted(state.undo()) == ["added numpy.actviz_added", "deleted math.pi"]
        assert not hasattr(np, "actviz_added") and math.pi == pi
        assert guard.GlobalState().undo() == []  # the next plugin is not blamed


def test_without_the_tag_the_full_comparison_still_names_the_change(monkeypatch):
    monkeypatch.setattr(guard, "_dict_version", None)
    tanh = np.tanh
    state = guard.GlobalState()
    assert state.versions is None
    np.tanh = np.sin
    assert state.undo() == ["replaced numpy.tanh"]
    assert np.tanh is tanh


def test_an_input_whose_shape_or_dtype_was_set_is_still_reported_as_written():
    from actviz.host import evaluation

    def reshapes(z):
        z.shape = (1, -1)  # allowed on a read-only array
        return np.tanh(z).ravel()

    def retypes(z):
        z.dtype = np.int64  # a new view of the same bytes
        return np.zeros(z.shape)

    x = np.linspace(-2.0, 2.0, 11)
    for fn in (reshapes, retypes):
        with pytest.raises(evaluation.EvaluationError, match="read-only|input"):
            evaluation._checked(fn, x, (), {})
    y = evaluation._checked(lambda z: np.tanh(z), x, (), {})
    assert y.dtype == float and y.shape == x.shape and np.array_equal(y, np.tanh(x))


def test_no_cyclic_collection_runs_while_the_registry_loads_and_the_collector_is_as_it_was(monkeypatch):
    import gc

    from actviz.host import registry

    loading, collections = [False], []
    real = registry._load

    def load(*args):
        loading[0] = True
        try:
            return real(*args)
        finally:
            loading[0] = False

    def seen(phase, info):
        if phase == "start" and loading[0]:
            collections.append(info["generation"])

    monkeypatch.setattr(registry, "_load", load)
    gc.callbacks.append(seen)
    try:
        for _ in range(2):
            registry.load_registry()
        assert collections == []
        assert gc.isenabled()
        gc.disable()
        registry.load_registry()
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
        gc.callbacks.remove(seen)


def test_metadata_files_read_as_read_text_reads_them(tmp_path):
    from importlib import metadata

    from actviz.host.plugins import _read_text

    info = tmp_path / "crlf_dist-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_bytes(b"Metadata-Version: 2.1\r\nName: crlf_dist\r\nVersion: 1.0\r\n"
                                    b"\r\nbody \xc3\xa9\rend\n")
    (info / "entry_points.txt").write_bytes(b"[actviz]\r\ncrlf = crlf_mod\r\n")
    (info / "RECORD").mkdir()  # a directory where a file is expected
    (info / "big.txt").write_bytes(b"x" * 200_000)
    dist = metadata.PathDistribution(info)
    for name in ("METADATA", "entry_points.txt", "RECORD", "missing.txt", "big.txt"):
        assert _read_text(dist, name) == dist.read_text(name)
    for dist in list(metadata.distributions())[:100]:
        for name in ("METADATA", "entry_points.txt"):
            assert _read_text(dist, name) == dist.read_text(name)

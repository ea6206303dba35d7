"""Fuzzing what a user (or a damaged disk) hands the app: settings files and command lines.

Settings: random bytes, and a real saved scene with one field at a time of
the wrong type, must start the window (MainWindow + restore_state) with the
defaults for what was bad, the rest kept, and save again. Command lines:
any list of arguments ends in exit 0, 1 or 2 with one-line errors, never a
traceback. The hand-written cases below each failed before their fix.
"""

from __future__ import annotations

import copy
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actviz import cli
from actviz.gui.main_window import MainWindow

FUZZ = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _start(qtbot, registry, path: str) -> MainWindow:
    win = MainWindow(registry=registry)
    win.setProperty("testing", True)
    qtbot.addWidget(win)
    win.restore_state()
    return win


def _write(path, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    for old in os.listdir(os.path.dirname(path)):
        os.remove(os.path.join(os.path.dirname(path), old))
    with open(path, "wb") as f:
        f.write(data)


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_start_on_defaults_and_save_again(qtbot, registry, private_settings, data):
    _write(private_settings, data)
    win = _start(qtbot, registry, str(private_settings))
    model = win.models["function"]
    assert model["function"] in registry.activations or model["function"] in registry.losses
    assert model.spec is not None
    assert win.save_state()
    assert json.loads(private_settings.read_text(encoding="utf-8"))["format"] == "actviz-scene"
    win.close()


@pytest.fixture(scope="module")
def saved_scene(registry, tmp_path_factory):
    """A real scene from a window with changed values (so a kept field is visible)."""
    from pytestqt.qtbot import QtBot  # noqa: F401 - QApplication comes with pytest-qt

    win = MainWindow(registry=registry)
    win.setProperty("testing", True)
    win.restore_state()
    win.models["function"].update({"function": "tanh", "zmin": -2.0, "zmax": 4.0})
    scene = win.collect_state()
    win.close()
    win.deleteLater()
    return scene


def _paths(obj, prefix=()):
    """Every field of the scene below "views" and "window", as key paths."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))


WRONG = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.text(max_size=20),
                  st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
                  st.floats(allow_nan=False))


@FUZZ
@given(pick=st.integers(0, 10_000), junk=WRONG)
def test_a_field_of_the_wrong_type_gets_its_default_and_the_rest_is_kept(qtbot, registry, private_settings,
                                                                         saved_scene, pick, junk):
    paths = [p for p in _paths(saved_scene) if p[0] in ("views", "window", "view", "formulas")]
    path = paths[pick % len(paths)]
    scene = copy.deepcopy(saved_scene)
    target = scene
    for key in path[:-1]:
        target = target[key]
    if type(junk) is type(target[path[-1]]):
        junk = [junk]  # always the wrong type
    target[path[-1]] = junk
    _write(private_settings, json.dumps(scene).encode())
    win = _start(qtbot, registry, str(private_settings))
    model = win.models["function"]
    broken = path[:3] == ("views", "function", "values")
    if not (broken or path[:2] == ("views", "function") or path[0] in ("views", "view")):
        assert (model["function"], model["zmin"], model["zmax"]) == ("tanh", -2.0, 4.0)  # the rest is kept
    if broken and path[3] in ("zmin", "zmax") and not isinstance(junk, (int, float)) or isinstance(junk, bool):
        if broken and path[3] in ("zmin", "zmax"):
            assert model[path[3]] == {"zmin": -5.0, "zmax": 5.0}[path[3]]  # the bad field: its default
            assert model["function"] == "tanh"  # the good ones kept
    assert model.spec is not None and model["zmin"] < model["zmax"]
    assert win.save_state()
    assert json.loads(private_settings.read_text(encoding="utf-8"))["format"] == "actviz-scene"
    win.close()


# --- the command line ------------------------------------------------------------------------------

TOKENS = st.sampled_from([
    "list", "plugins", "export", "open", "tour", "--json", "--disable", "--safe-mode", "--view", "--set",
    "--param", "--range", "--size", "--out", "--scene", "-h", "--help", "relu", "tanh", "function", "coin",
    "zmin=-3", "a=1", "-1e9", "1e9", "-5", "0", "1e400", "nan", "99999999999", "abc", "--", "-", "=",
    "x.csv", "µ", "\x1b[31m", "--range=1",
])


@pytest.fixture
def quick_cli(monkeypatch, registry, tmp_path):
    """No window and no registry reload per command; files go to a temporary directory."""
    import actviz.gui.app

    monkeypatch.setattr(cli, "load_registry", lambda **kwargs: registry)
    monkeypatch.setattr(actviz.gui.app, "run_gui", lambda **kwargs: 0)
    monkeypatch.chdir(tmp_path)


@FUZZ
@given(argv=st.lists(st.one_of(TOKENS, st.text(max_size=8)), max_size=7))
def test_random_command_lines_end_in_an_exit_code_never_a_traceback(quick_cli, capsys, argv):
    argv = [a.replace("\0", "") for a in argv]
    if "export" in argv and "--out" not in argv:
        argv += ["--out", "out.csv"]
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse's own --help
        code = exc.code
    err = capsys.readouterr().err
    assert code in (0, 1, 2, None), (argv, code, err)
    assert "Traceback" not in err and "OverflowError" not in err, (argv, err)
    for line in err.splitlines():
        assert line.startswith("actviz: ") or not line.strip(), (argv, err)


def test_range_takes_negative_numbers_with_exponents(quick_cli, capsys):
    """Before: argparse read -1e9 as an option, so this was 'expected 2 arguments'."""
    assert cli.main(["export", "relu", "--range", "-1e9", "1e9", "--out", "relu.csv"]) == 0
    assert capsys.readouterr().out.strip() == "wrote relu.csv"
    with open("relu.csv", encoding="utf-8") as f:
        rows = f.read().splitlines()
    assert rows[1].split(",")[:2] == ["-1000000000.0", "0.0"]
    assert rows[-1].split(",")[:2] == ["1000000000.0", "1000000000.0"]


@pytest.mark.parametrize(("argv", "message"), [
    (["--range", "-1e9", "--out", "r.csv"], "argument --range: expected a number, got '--out'"),
    (["--range", "nan", "1", "--out", "r.csv"], "argument --range: 'nan' is not a finite number"),
    (["--range", "-1e9"], "argument --range: expected 2 arguments (LOW HIGH)"),
    (["--size", "99999999999", "5", "--out", "r.png"], "argument --size: 99999999999 pixels is outside 16..10000"),
    (["--size", "500", "5", "--out", "r.png"], "argument --size: 5 pixels is outside 16..10000"),
])
def test_bad_range_and_size_are_one_line(quick_cli, capsys, argv, message):
    """Before: --size 99999999999 5 reached Qt and ended in an OverflowError and binding warnings."""
    assert cli.main(["export", "relu", *argv]) == 2
    err = capsys.readouterr().err
    assert err == f"actviz: error: {message}\n"
    assert not os.path.exists("r.png")


def test_export_refuses_a_size_set_outside_the_parser(registry, capsys, tmp_path):
    """Callers that build args themselves (tours) get the same bound."""
    from actviz.cli_export import run_export

    args = cli.build_parser().parse_args(["export", "relu", "--out", str(tmp_path / "r.png")])
    args.size = (99999999999, 5)
    assert run_export(args, registry) == 2
    assert "--size W H must be whole numbers of pixels in 16..10000" in capsys.readouterr().err

"""The command line: list, check, plugins, export, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from actviz.cli import main


def run(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "actviz", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_list_shows_every_lecture_function_with_its_plugin(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("binary_step", "leaky_relu", "gaussian", "squared_error", "categorical_cross_entropy"):
        line = next(line for line in out.splitlines() if line.split() and line.split()[0] == name)
        assert "lecture" in line
    assert "alpha=0.01 [0, 1]" in out


def test_list_json_is_machine_readable(capsys):
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    lecture = [f for f in data["functions"] if f["plugin"] == "lecture"]
    assert sum(f["kind"] == "activation" for f in lecture) == 13
    assert sum(f["kind"] == "loss" for f in lecture) == 4
    view = next(v for v in data["views"] if v["name"] == "function")
    assert set(view) == {"name", "plugin", "label", "description"} and view["plugin"] == "views"
    assert view["label"]


def test_check_passes_on_the_builtins(capsys):
    assert main(["check"]) == 0
    assert "no problems" in capsys.readouterr().out


def test_check_fails_naming_plugin_function_and_worst_z(tmp_path):
    """A real installed distribution with the lecture's μ-less Gaussian derivative."""
    site = tmp_path / "site"
    (site / "wrong_gauss").mkdir(parents=True)
    (site / "wrong_gauss" / "__init__.py").write_text(textwrap.dedent('''
        import numpy as np
        import actviz

        def f(z, mu):
            return np.exp(-0.5 * (z - mu) ** 2) / np.sqrt(2 * np.pi)

        @actviz.hookimpl
        def actviz_activations():
            return [actviz.Activation("lecture_gaussian", "Lecture's Gaussian", "", f,
                                      derivative=lambda z, mu: -z * f(z, mu),
                                      params=(actviz.Param("mu", 1.0, -3.0, 3.0),))]
    '''))
    dist = site / "wrong_gauss-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: wrong-gauss\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[actviz]\nwrong = wrong_gauss\n")
    env = {**__import__("os").environ, "PYTHONPATH": str(site)}
    proc = run("check", env=env)
    assert proc.returncode == 1
    assert "[wrong / lecture_gaussian] derivative" in proc.stdout
    assert "at z=" in proc.stdout
    listed = run("list", env=env)
    assert "lecture_gaussian" in listed.stdout and "wrong" in listed.stdout


def test_plugins_command(capsys):
    assert main(["plugins", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    lecture = next(r for r in rows if r["name"] == "lecture")
    assert lecture["status"] == "active" and lecture["distribution"] == "actviz"
    assert "relu" in lecture["adds"]


@pytest.mark.parametrize("argv, needle", [
    (["nonsense"], "invalid choice"),
    (["list", "--bogus"], "unrecognized arguments"),
    (["export", "no_such_function", "--out", "x.png"], "no_such_function"),
    (["export", "relu", "--param", "alpha=2", "--out", "x.png"], "function.alpha applies only when"),
    (["export", "leaky_relu", "--param", "alpha=7", "--out", "x.png"], "alpha=7 is outside [0, 1]"),
    (["export", "leaky_relu", "--param", "alpha=abc", "--out", "x.png"], "is not a number"),
    (["export", "relu", "--range", "5", "-5", "--out", "x.png"], "must be below"),
    (["export", "relu", "--out", "x.gif"], "unknown format"),
    (["export", "relu", "--out", "/no/such/dir/x.png"], "does not exist"),
    (["export", "--view", "nope", "--out", "x.png"], "no view named 'nope'"),
    (["export", "relu"], "--out FILE is required"),
])
def test_bad_arguments_are_one_line_and_exit_2(capsys, argv, needle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    errors = [line for line in err if line.startswith("actviz: error:")]
    assert len(errors) == 1 and needle in errors[0], err


def test_module_entry_point_and_console_script_agree():
    proc = run("list")
    assert proc.returncode == 0 and "leaky_relu" in proc.stdout


def test_list_headings_are_plural_words(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "losss" not in out
    assert any(line.startswith("losses (") for line in out.splitlines())
    assert any(line.startswith("activations (") for line in out.splitlines())


HOSTILE_TEXT = "\x1b[2K\rok: 45 functions, no problems\x1b]52;c;ZXZpbA==\x07\u202e"


def _hostile_names_plugin(tmp_path, monkeypatch):
    from actviz.testing import install_entry_point_plugin

    install_entry_point_plugin(tmp_path, monkeypatch, "noisy", f"""
import numpy as np
import actviz

@actviz.hookimpl
def actviz_activations():
    return [actviz.Activation(name="noisy_fn", label={HOSTILE_TEXT!r}, formula="z",
                              function=lambda z: 1.0)]

@actviz.hookimpl
def actviz_views():
    return [actviz.View(name="noisy_view", label={HOSTILE_TEXT!r}, create=lambda context: None)]

@actviz.hookimpl
def actviz_losses():
    raise RuntimeError({HOSTILE_TEXT!r})
""")


@pytest.mark.parametrize("argv", [["list"], ["plugins"], ["check", "noisy"], ["check", "noisy", "--verbose"]])
def test_plugin_text_cannot_drive_the_terminal(argv, tmp_path, monkeypatch, capsys):
    """ESC, \\r, OSC 52 (clipboard) and bidi overrides from a plugin are printed as visible escapes."""
    _hostile_names_plugin(tmp_path, monkeypatch)
    main(argv)
    captured = capsys.readouterr()
    for stream in (captured.out, captured.err):
        assert "\x1b" not in stream and "\r" not in stream and "\x07" not in stream and "\u202e" not in stream
    assert "\\x1b]52;c;" in captured.out, captured.out
    assert "\\r" in captured.out


def test_sanitize_escapes_every_control_character():
    from actviz.host.sanitize import clean

    assert clean("relu") == "relu"
    assert clean("a\x1b[31mb\rc\td\x9be\u202ef\u2028") == "a\\x1b[31mb\\rc\\td\\x9be\\u202ef\\u2028"
    assert clean("line 1\nline 2\r", multiline=True) == "line 1\nline 2\\r"
    assert clean("naïve λ 😀") == "naïve λ 😀"


def test_safe_mode_flag_reaches_every_command(tmp_path, monkeypatch, capsys):
    from actviz.testing import install_entry_point_plugin

    install_entry_point_plugin(tmp_path, monkeypatch, "third", """
import actviz

@actviz.hookimpl
def actviz_activations():
    return [actviz.Activation(name="third_fn", label="T", formula="z", function=lambda z: z * 1.0)]
""")
    assert main(["--safe-mode", "list"]) == 0
    assert "third_fn" not in capsys.readouterr().out
    assert main(["list"]) == 0
    assert "third_fn" in capsys.readouterr().out  # nothing leaked from the safe-mode run
    assert main(["--safe-mode", "plugins", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["third"]["status"] == "disabled" and rows["lecture"]["status"] == "active"


@pytest.fixture
def fake_gui(monkeypatch):
    calls = []
    import actviz.gui.app

    monkeypatch.setattr(actviz.gui.app, "run_gui", lambda **kw: calls.append(kw) or 0)
    return calls


def test_open_and_safe_mode_are_passed_to_the_gui(fake_gui, tmp_path):
    scene = str(tmp_path / "s.actviz.json")
    assert main(["--safe-mode", "--disable", "example", "open", scene]) == 0
    assert main([]) == 0
    first, second = fake_gui
    assert first["scene"] == scene and first["safe_mode"] is True and list(first["disabled"]) == ["example"]
    assert second["scene"] is None and second["safe_mode"] is False


def test_export_has_a_scene_option_and_lists_its_own_flags():
    from actviz.cli import build_parser, export_flags_help

    args = build_parser().parse_args(["export", "--scene", "x.json", "--out", "x.png"])
    assert args.scene == "x.json" and not args.want_help
    assert build_parser().parse_args(["export", "relu"]).scene is None
    assert build_parser().parse_args(["export", "--help"]).want_help
    text = export_flags_help()
    for flag in ("--view", "--scene", "--set", "--param", "--range", "--size", "--out"):
        assert flag in text

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
    assert "function" in data["views"]


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
